package epcis

import (
	"sort"
	"strings"
)

// Namespaces and context URLs the codecs know.
const (
	// StandardContext is the JSON-LD context URL written by EncodeJSON.
	StandardContext = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

	// NamespaceEPCIS is the XML namespace of EPCIS 2.0 documents.
	NamespaceEPCIS = "urn:epcglobal:epcis:xsd:2"
	// NamespaceEPCISQuery is the XML namespace of EPCIS 2.0 query documents.
	NamespaceEPCISQuery = "urn:epcglobal:epcis-query:xsd:2"

	// CBVWebPrefix is the namespace of CBV web vocabulary URIs (cbv: in the JSON-LD context).
	CBVWebPrefix = "https://ref.gs1.org/cbv/"
	// GS1VocPrefix is the namespace of the GS1 web vocabulary (gs1: in the JSON-LD context),
	// the held form of sensor measurement types and sensor alert types.
	GS1VocPrefix = "https://gs1.org/voc/"

	nsEPCIS1     = "urn:epcglobal:epcis:xsd:1"
	nsXSI        = "http://www.w3.org/2001/XMLSchema-instance"
	nsXMLSchema  = "http://www.w3.org/2001/XMLSchema"
	nsXML        = "http://www.w3.org/XML/1998/namespace"
	nsJSONMarker = "urn:zhuisu:json" // marks JSON kinds XML cannot show (see xml.go)
)

// Vocabulary names one of the standard vocabularies a field takes its values from.
type Vocabulary uint8

const (
	VocabBizStep         Vocabulary = iota + 1 // CBV business steps
	VocabDisposition                           // CBV dispositions
	VocabBizTransaction                        // CBV business transaction types
	VocabSourceDest                            // CBV source/destination types
	VocabErrorReason                           // CBV error reasons
	VocabComponent                             // CBV sensor components
	VocabMeasurementType                       // GS1 web vocabulary sensor measurement types
	VocabSensorAlert                           // GS1 web vocabulary sensor alert types
)

type vocabTable struct {
	name   string // for messages: "business step"
	urn    string // "urn:epcglobal:cbv:bizstep:", empty for GS1 web vocabulary terms
	web    string // "https://ref.gs1.org/cbv/BizStep-" or GS1VocPrefix
	curie  string // "cbv:BizStep-" or "gs1:"
	words  map[string]struct{}
	gs1Voc bool // held as full GS1 web vocabulary URI, not as a bare word
}

func wordSet(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

var vocabTables = [...]vocabTable{
	VocabBizStep: {name: "business step (bizStep)", urn: "urn:epcglobal:cbv:bizstep:", web: CBVWebPrefix + "BizStep-", curie: "cbv:BizStep-",
		words: wordSet("accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
			"creating_class_instance", "cycle_counting", "decommissioning", "departing", "destroying",
			"disassembling", "dispensing", "encoding", "entering_exiting", "holding", "inspecting",
			"installing", "killing", "loading", "other", "packing", "picking", "receiving", "removing",
			"repackaging", "repairing", "replacing", "reserving", "retail_selling", "sampling",
			"sensor_reporting", "shipping", "staging_outbound", "stock_taking", "stocking", "storing",
			"transporting", "unloading", "unpacking", "void_shipping")},
	VocabDisposition: {name: "disposition", urn: "urn:epcglobal:cbv:disp:", web: CBVWebPrefix + "Disp-", curie: "cbv:Disp-",
		words: wordSet("active", "available", "completeness_verified", "completeness_inferred", "conformant",
			"container_closed", "container_open", "damaged", "destroyed", "dispensed", "disposed", "encoded",
			"expired", "in_progress", "in_transit", "inactive", "mismatch_instance", "mismatch_class",
			"mismatch_quantity", "needs_replacement", "no_pedigree_match", "non_conformant",
			"non_sellable_other", "partially_dispensed", "recalled", "reserved", "retail_sold", "returned",
			"sellable_accessible", "sellable_not_accessible", "stolen", "unavailable", "unknown")},
	VocabBizTransaction: {name: "business transaction type", urn: "urn:epcglobal:cbv:btt:", web: CBVWebPrefix + "BTT-", curie: "cbv:BTT-",
		words: wordSet("bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma",
			"testprd", "testres", "upevt")},
	VocabSourceDest: {name: "source/destination type", urn: "urn:epcglobal:cbv:sdt:", web: CBVWebPrefix + "SDT-", curie: "cbv:SDT-",
		words: wordSet("owning_party", "possessing_party", "location")},
	VocabErrorReason: {name: "error reason", urn: "urn:epcglobal:cbv:er:", web: CBVWebPrefix + "ER-", curie: "cbv:ER-",
		words: wordSet("did_not_occur", "incorrect_data")},
	VocabComponent: {name: "sensor component", urn: "urn:epcglobal:cbv:comp:", web: CBVWebPrefix + "Comp-", curie: "cbv:Comp-",
		words: wordSet("x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius", "polar_angle",
			"elevation_angle", "easting", "northing", "latitude", "longitude", "altitude")},
	VocabMeasurementType: {name: "sensor measurement type", web: GS1VocPrefix, curie: "gs1:", gs1Voc: true,
		words: wordSet("AbsoluteHumidity", "AbsorbedDose", "AbsorbedDoseRate", "Acceleration", "Radioactivity",
			"Altitude", "AmountOfSubstance", "AmountOfSubstancePerUnitVolume", "Angle", "AngularAcceleration",
			"AngularMomentum", "AngularVelocity", "Area", "Capacitance", "Conductance", "Conductivity", "Count",
			"Density", "Dimensionless", "DoseEquivalent", "DoseEquivalentRate", "DynamicViscosity",
			"ElectricCharge", "ElectricCurrent", "ElectricCurrentDensity", "ElectricFieldStrength", "Energy",
			"Exposure", "Force", "Frequency", "Illuminance", "Inductance", "Irradiance", "KinematicViscosity",
			"Length", "LinearMomentum", "Luminance", "LuminousFlux", "LuminousIntensity", "MagneticFlux",
			"MagneticFluxDensity", "MagneticVectorPotential", "Mass", "MassConcentration", "MassFlowRate",
			"MassPerAreaTime", "MemoryCapacity", "MolalityOfSolute", "MolarEnergy", "MolarMass", "MolarVolume",
			"Power", "Pressure", "RadiantFlux", "RadiantIntensity", "RelativeHumidity", "Resistance",
			"Resistivity", "SolidAngle", "SpecificVolume", "Speed", "SurfaceDensity", "SurfaceTension",
			"Temperature", "Time", "Torque", "Voltage", "Volume", "VolumeFlowRate", "VolumeFraction",
			"VolumetricFlux", "Wavenumber")},
	VocabSensorAlert: {name: "sensor alert type (exception)", web: GS1VocPrefix, curie: "gs1:", gs1Voc: true,
		words: wordSet("ALARM_CONDITION", "ERROR_CONDITION")},
}

// gs1VocURIs holds the full URIs of the standard GS1 vocabulary terms, so that decoding
// them does not allocate.
var gs1VocURIs = func() map[string]string {
	m := make(map[string]string)
	for _, v := range []Vocabulary{VocabMeasurementType, VocabSensorAlert} {
		for w := range vocabTables[v].words {
			m[w] = GS1VocPrefix + w
		}
	}
	return m
}()

// gs1VocAliases are spellings of the GS1 web vocabulary namespace seen in documents; all are
// held as GS1VocPrefix.
var gs1VocAliases = [...]string{"https://gs1.org/voc/", "http://gs1.org/voc/", "https://www.gs1.org/voc/",
	"http://www.gs1.org/voc/", "https://ref.gs1.org/voc/", "http://ref.gs1.org/voc/"}

// IsStandard reports whether word is a standard bare word of the vocabulary ("shipping").
func (v Vocabulary) IsStandard(word string) bool {
	if v == 0 || int(v) >= len(vocabTables) {
		return false
	}
	_, ok := vocabTables[v].words[word]
	return ok
}

// WebURI returns the web URI of a held value: "shipping" gives
// "https://ref.gs1.org/cbv/BizStep-shipping". Values that are not standard bare words
// (already URIs) are returned unchanged.
func (v Vocabulary) WebURI(held string) string {
	if !v.IsStandard(held) {
		return held
	}
	return vocabTables[v].web + held
}

// URN returns the urn:epcglobal:cbv form of a held CBV value, the form EPCIS XML uses:
// "shipping" gives "urn:epcglobal:cbv:bizstep:shipping". GS1 web vocabulary values and
// non-standard values are returned unchanged.
func (v Vocabulary) URN(held string) string {
	if !v.IsStandard(held) || vocabTables[v].urn == "" {
		return held
	}
	return vocabTables[v].urn + held
}

// Normalize returns the held form of a vocabulary value given as a bare word, a
// urn:epcglobal:cbv URN, a cbv:/gs1: CURIE or a web URI. Prefixes other than the standard
// ones are not expanded here (the decoders expand them with the document's context).
// A bare word that is not standard is returned unchanged; Validate reports it.
func (v Vocabulary) Normalize(s string) string {
	return normalizeVocab(v, expandCURIE(s, nil))
}

// normalizeVocab maps an already expanded value to its held form.
func normalizeVocab(v Vocabulary, s string) string {
	t := &vocabTables[v]
	if strings.IndexByte(s, ':') < 0 {
		// Measurement types outside the enumeration are accepted as GS1 terms (the
		// vocabulary grows faster than the schema); alert types must be standard.
		if t.gs1Voc && s != "" && isVocabWord(s) && (v == VocabMeasurementType || v.IsStandard(s)) {
			if full, ok := gs1VocURIs[s]; ok {
				return full
			}
			return GS1VocPrefix + s
		}
		return s
	}
	if t.gs1Voc {
		for _, a := range gs1VocAliases {
			if strings.HasPrefix(s, a) {
				if a == GS1VocPrefix {
					return s
				}
				return GS1VocPrefix + s[len(a):]
			}
		}
		return s
	}
	if t.urn != "" && strings.HasPrefix(s, t.urn) {
		if w := s[len(t.urn):]; v.IsStandard(w) {
			return w
		}
		return s
	}
	for _, web := range [2]string{t.web, "http" + t.web[len("https"):]} {
		if strings.HasPrefix(s, web) {
			if w := s[len(web):]; v.IsStandard(w) {
				return w
			}
			return s
		}
	}
	return s
}

// standardVocabNS reports whether a held value lies in the namespace of the CBV or of the
// GS1 web vocabulary. Such values have a normalised held form and are never written
// with a prefix of the document's choosing.
func standardVocabNS(held string) bool {
	if strings.HasPrefix(held, CBVWebPrefix) || strings.HasPrefix(held, "http://ref.gs1.org/cbv/") {
		return true
	}
	for _, a := range gs1VocAliases {
		if strings.HasPrefix(held, a) {
			return true
		}
	}
	return false
}

// usableVocabPrefix reports whether p can be written as the prefix of a compact
// vocabulary value in both syntaxes and read back as one: an XML NCName that does not
// start with "xml", not "urn" (which the JSON-LD decoder never expands), and none of the
// prefixes that the codecs or the standard context bind otherwise in one of the syntaxes
// (epcis:, xsd: in JSON-LD are not those of EPCIS XML; gs1: and cbv: are the standard
// vocabularies').
func usableVocabPrefix(p string) bool {
	switch p {
	case "urn", "epcis", "epcisq", "xsi", "xsd", "gs1", "cbv", "zj":
		return false
	}
	return isNCName(p) && !strings.HasPrefix(strings.ToLower(p), "xml")
}

// keepVocabPrefix records in m (see Event.VocabPrefixes) the prefix of s, a compact URI
// that a decoder expanded to exp and held as held, when held can be written back with it.
// The first namespace seen for a prefix in an event wins.
func keepVocabPrefix(m map[string]string, s, exp, held string) map[string]string {
	i := strings.IndexByte(s, ':')
	if i <= 0 || len(exp) < len(s)-i-1 || !strings.HasSuffix(exp, s[i+1:]) {
		return m
	}
	p, uri := s[:i], exp[:len(exp)-(len(s)-i-1)]
	if !usableVocabPrefix(p) || len(held) <= len(uri) || !strings.HasPrefix(held, uri) || standardVocabNS(held) {
		return m
	}
	if _, ok := m[p]; ok {
		return m
	}
	if m == nil {
		m = make(map[string]string, 1)
	}
	m[p] = uri
	return m
}

// dropClashingVocabPrefixes removes from m, the VocabPrefixes a decoder collected for e,
// the prefixes that an extension of e binds to another namespace: a JSON-LD context cannot
// bind one prefix to two namespaces in an event, so such values are kept, and written, in
// full. It returns nil when nothing is left.
func dropClashingVocabPrefixes(m map[string]string, e *Event) map[string]string {
	if len(m) == 0 {
		return nil
	}
	var walk func(x Extensions)
	walk = func(x Extensions) {
		for i := range x {
			n := &x[i]
			if u, ok := m[n.Prefix]; ok && u != n.Space {
				delete(m, n.Prefix)
			}
			walk(n.Children)
		}
	}
	walk(e.Extensions)
	if e.ILMD != nil {
		walk(*e.ILMD)
	}
	if e.ErrorDeclaration != nil {
		walk(e.ErrorDeclaration.Extensions)
	}
	for _, l := range [2]*Location{e.ReadPoint, e.BizLocation} {
		if l != nil {
			walk(l.Extensions)
		}
	}
	for i := range e.SensorElementList {
		se := &e.SensorElementList[i]
		walk(se.Extensions)
		if se.Metadata != nil {
			walk(se.Metadata.Extensions)
		}
		for j := range se.Reports {
			walk(se.Reports[j].Extensions)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// compactVocab finds how a held vocabulary value is written with the event's
// VocabPrefixes: prefix, namespace and the rest after it. Where several namespaces
// apply, the longest wins, then the first prefix in code-point order. ok is false for
// values written in full: those outside every kept namespace, those of the standard
// vocabularies, and those whose compact form would not read back as the same value.
func compactVocab(prefixes map[string]string, held string) (prefix, uri, rest string, ok bool) {
	if len(prefixes) == 0 || strings.IndexByte(held, ':') < 0 || standardVocabNS(held) {
		return "", "", "", false
	}
	for p, u := range prefixes {
		if len(held) <= len(u) || !strings.HasPrefix(held, u) || !endsWithGenDelim(u) ||
			strings.HasPrefix(held[len(u):], "//") || !usableVocabPrefix(p) {
			continue
		}
		if !ok || len(u) > len(uri) || len(u) == len(uri) && p < prefix {
			prefix, uri, rest, ok = p, u, held[len(u):], true
		}
	}
	return prefix, uri, rest, ok
}

// sortedVocabPrefixes returns the prefixes of m in code-point order.
func sortedVocabPrefixes(m map[string]string) []string {
	if len(m) == 0 {
		return nil
	}
	ps := make([]string, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// isVocabWord reports whether s looks like a vocabulary term: letters, digits, '_' and '-'.
func isVocabWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// jsonVocab returns the form JSON-LD writes: the bare word for standard values, the gs1:
// CURIE for other GS1 web vocabulary terms (the JSON schema enumerates the bare words),
// the URI otherwise.
func jsonVocab(v Vocabulary, held string) string {
	t := &vocabTables[v]
	if t.gs1Voc {
		if strings.HasPrefix(held, GS1VocPrefix) {
			if w := held[len(GS1VocPrefix):]; w != "" && isVocabWord(w) {
				if v.IsStandard(w) {
					return w
				}
				return "gs1:" + w
			}
		}
	}
	return held
}

// xmlVocab returns the form EPCIS XML writes: URNs for CBV values that have one, the
// cbv: or gs1: CURIE for sensor vocabularies (EncodeXML declares both prefixes).
func xmlVocab(v Vocabulary, held string) string {
	t := &vocabTables[v]
	if t.gs1Voc {
		if strings.HasPrefix(held, GS1VocPrefix) {
			if w := held[len(GS1VocPrefix):]; w != "" && isVocabWord(w) {
				return "gs1:" + w
			}
		}
		return held
	}
	if v.IsStandard(held) {
		if v == VocabComponent {
			return t.curie + held
		}
		return t.urn + held
	}
	return held
}

// standardPrefixes are the prefixes the EPCIS 2.0 JSON-LD context defines; they need no
// declaration in a document.
var standardPrefixes = map[string]string{
	"epcis":   "https://ref.gs1.org/epcis/",
	"cbv":     CBVWebPrefix,
	"cbvmda":  "urn:epcglobal:cbv:mda:",
	"gs1":     GS1VocPrefix,
	"rdfs":    "http://www.w3.org/2000/01/rdf-schema#",
	"owl":     "http://www.w3.org/2002/07/owl#",
	"xsd":     "http://www.w3.org/2001/XMLSchema#",
	"dcterms": "http://purl.org/dc/terms/",
}

// nsScope is a chain of prefix declarations (a JSON-LD @context object, or the xmlns
// declarations of one XML element).
type nsScope struct {
	parent *nsScope
	names  []string // prefixes, parallel to uris
	uris   []string
	// dflt is the default XML namespace declared here (xmlns="..."); hasDflt says whether
	// this scope declares one.
	dflt    string
	hasDflt bool
}

func (s *nsScope) lookup(prefix string) (string, bool) {
	for ; s != nil; s = s.parent {
		for i := len(s.names) - 1; i >= 0; i-- {
			if s.names[i] == prefix {
				return s.uris[i], true
			}
		}
	}
	uri, ok := standardPrefixes[prefix]
	return uri, ok
}

func (s *nsScope) defaultNS() string {
	for ; s != nil; s = s.parent {
		if s.hasDflt {
			return s.dflt
		}
	}
	return ""
}

func (s *nsScope) add(prefix, uri string) {
	s.names = append(s.names, prefix)
	s.uris = append(s.uris, uri)
}

// endsWithGenDelim reports whether an IRI may serve as a JSON-LD 1.1 prefix: it must end
// with one of the RFC 3986 gen-delims.
func endsWithGenDelim(iri string) bool {
	if iri == "" {
		return false
	}
	switch iri[len(iri)-1] {
	case ':', '/', '?', '#', '[', ']', '@':
		return true
	}
	return false
}

// expandCURIE expands a compact IRI "prefix:suffix" whose prefix is declared in scope (or
// by the standard context) and may serve as a prefix; anything else is returned unchanged.
func expandCURIE(s string, scope *nsScope) string {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return s
	}
	rest := s[i+1:]
	if strings.HasPrefix(rest, "//") {
		return s
	}
	uri, ok := scope.lookup(s[:i])
	if !ok || !endsWithGenDelim(uri) {
		return s
	}
	return uri + rest
}

// isAbsURI reports whether s is an absolute URI (or IRI): a scheme, a colon, and no
// characters URIs cannot contain.
func isAbsURI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	for j := 1; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		if c <= ' ' || c == 0x7f {
			return false
		}
		switch c {
		case '"', '<', '>', '\\', '^', '`', '{', '|', '}':
			return false
		case '%':
			if j+2 >= len(s) || !isHexDigitByte(s[j+1]) || !isHexDigitByte(s[j+2]) {
				return false
			}
		}
	}
	return true
}

func isHexDigitByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// isNCName reports whether s can be an XML element or attribute local name.
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0xC0 && r != 0xD7 && r != 0xF7 && r < 0xFFFE:
		case i > 0 && (r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7):
		default:
			return false
		}
	}
	return true
}

// splitIRIKey splits a full IRI used as a JSON key into namespace and local name at the last
// '/', '#' or ':'.
func splitIRIKey(iri string) (space, local string) {
	i := strings.LastIndexAny(iri, "/#:")
	return iri[:i+1], iri[i+1:]
}
