package codes

import (
	"sort"
	"strings"

	"github.com/zhuisu/zhuisu"
)

// CanonicalDLStem is the scheme and host of canonical GS1 Digital Link URIs.
const CanonicalDLStem = "https://id.gs1.org"

// convenienceAlphas are the deprecated short path names of Digital Link 1.0 (e.g. /gtin/
// for /01/), still printed on products and accepted when GS1Options.ConvenienceAlphas is
// set. They are never written.
var convenienceAlphas = map[string]string{
	"cpid": "8010", "cpsn": "8011", "cpv": "22", "gcn": "255", "gdti": "253", "giai": "8004",
	"ginc": "401", "gln": "414", "glnx": "254", "gmn": "8013", "grai": "8003", "gsin": "402",
	"gsrn": "8018", "gsrnp": "8017", "gtin": "01", "itip": "8006", "lot": "10", "party": "417",
	"refno": "8020", "ser": "21", "srin": "8019", "sscc": "00",
}

// DigitalLink is a parsed (uncompressed) GS1 Digital Link URI.
type DigitalLink struct {
	// Stem is the part of the URI before the primary key: scheme, host and any path
	// prefix, e.g. "https://brand.example.com/products".
	Stem string
	// Key is the primary key, its value unescaped (a GTIN always has 14 digits).
	Key AIElement
	// Qualifiers are the key qualifiers of the path, in path order, with numeric AIs even
	// where the URI used convenience alphas.
	Qualifiers []AIElement
	// Attributes are the AI data attributes of the query string, in the order given.
	Attributes []AIElement
	// Other holds the query parameters that are not AIs, as given (e.g. "linkType=all").
	Other []string
}

// Elements returns the key, the qualifiers and the attributes, in that order.
func (d *DigitalLink) Elements() []AIElement {
	els := make([]AIElement, 0, 1+len(d.Qualifiers)+len(d.Attributes))
	els = append(els, d.Key)
	els = append(els, d.Qualifiers...)
	return append(els, d.Attributes...)
}

// ElementString returns the GS1 element string ("^" for FNC1) of the URI's AI data: the
// path elements, then the attributes in the order given.
func (d *DigitalLink) ElementString() string { return FormatElementString(d.Elements()) }

// URI writes the Digital Link on the given stem (CanonicalDLStem when empty): the path,
// then the attributes in the order given. Other query parameters are not written.
func (d *DigitalLink) URI(stem string) string {
	if stem == "" {
		stem = CanonicalDLStem
	}
	b := make([]byte, 0, 128)
	b = appendDLPath(b, strings.TrimSuffix(stem, "/"), d.Key, d.Qualifiers)
	b = appendDLQuery(b, d.Attributes)
	return string(b)
}

// String writes the Digital Link on its own stem (see URI).
func (d *DigitalLink) String() string { return d.URI(d.Stem) }

// Canonical returns the canonical form: https://id.gs1.org, the primary key and all key
// qualifiers in the path, and the data attributes as a query string sorted by AI. Query
// parameters that are not AIs are dropped.
func (d *DigitalLink) Canonical() string {
	b := make([]byte, 0, 128)
	b = appendDLPath(b, CanonicalDLStem, d.Key, d.Qualifiers)
	return string(appendDLQuery(b, sortedAttrs(d.Attributes)))
}

// HashForm returns the constrained canonical form used by the CBV 2.0 event hash: on
// https://id.gs1.org, without query string, the primary key with at most one qualifier,
// the finest one that identifies an instance or class (see the package HashForm).
func (d *DigitalLink) HashForm() string {
	q := hashQualifier(d.Key.AI, d.Qualifiers)
	b := make([]byte, 0, 96)
	if q.AI == "" {
		return string(appendDLPath(b, CanonicalDLStem, d.Key, nil))
	}
	return string(appendDLPath(b, CanonicalDLStem, d.Key, []AIElement{q}))
}

func sortedAttrs(a []AIElement) []AIElement {
	if sort.SliceIsSorted(a, func(i, j int) bool { return a[i].AI < a[j].AI }) {
		return a
	}
	s := append([]AIElement(nil), a...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].AI < s[j].AI })
	return s
}

// hashQualifiers lists, per primary key, the qualifiers the event hash keeps, finest
// first; only the first one present is kept. Other keys keep no qualifier.
func hashQualifiers(key string) []string {
	switch key {
	case "01":
		return hashQual01
	case "8006":
		return hashQual8006
	case "414":
		return hashQual414
	case "8010":
		return hashQual8010
	case "415":
		return hashQual415
	}
	return nil
}

var (
	hashQual01   = []string{"21", "10", "235"}
	hashQual8006 = []string{"21", "10"}
	hashQual414  = []string{"254"}
	hashQual8010 = []string{"8011"}
	hashQual415  = []string{"8020"}
)

func hashQualifier(key string, quals []AIElement) AIElement {
	for _, want := range hashQualifiers(key) {
		for _, q := range quals {
			if q.AI == want {
				return q
			}
		}
	}
	return AIElement{}
}

const gs1HexDigits = "0123456789ABCDEF"

func gs1Unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// appendDLEscaped percent-encodes s for a Digital Link path element or query value: every
// character but the URI unreserved ones (A-Z a-z 0-9 - . _ ~) is escaped; in a query value
// a space becomes "+".
func appendDLEscaped(b []byte, s string, query bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case gs1Unreserved(c):
			b = append(b, c)
		case c == ' ' && query:
			b = append(b, '+')
		default:
			b = append(b, '%', gs1HexDigits[c>>4], gs1HexDigits[c&15])
		}
	}
	return b
}

// EscapeDLPathElement percent-encodes a value for a Digital Link path.
func EscapeDLPathElement(s string) string { return string(appendDLEscaped(nil, s, false)) }

// EscapeDLQueryValue percent-encodes a value for a Digital Link query string.
func EscapeDLQueryValue(s string) string { return string(appendDLEscaped(nil, s, true)) }

func appendDLPath(b []byte, stem string, key AIElement, quals []AIElement) []byte {
	b = append(b, stem...)
	b = append(b, '/')
	b = append(b, key.AI...)
	b = append(b, '/')
	b = appendDLEscaped(b, key.Value, false)
	for _, q := range quals {
		b = append(b, '/')
		b = append(b, q.AI...)
		b = append(b, '/')
		b = appendDLEscaped(b, q.Value, false)
	}
	return b
}

func appendDLQuery(b []byte, attrs []AIElement) []byte {
	for i, a := range attrs {
		if i == 0 {
			b = append(b, '?')
		} else {
			b = append(b, '&')
		}
		b = append(b, a.AI...)
		b = append(b, '=')
		b = appendDLEscaped(b, a.Value, true)
	}
	return b
}

// unescapeDL reverses percent-encoding as the GS1 Digital Link standard defines it: "%"
// with two hex digits is decoded, any other "%" is kept; in a query value "+" is a space.
// It reports false when the result would contain NUL.
func unescapeDL(s string, query bool) (string, bool) {
	i := 0
	for ; i < len(s); i++ {
		if s[i] == '%' || (query && s[i] == '+') {
			break
		}
	}
	if i == len(s) {
		return s, true
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && gs1IsHex(s[i+1]) && gs1IsHex(s[i+2]):
			c = gs1Unhex(s[i+1])<<4 | gs1Unhex(s[i+2])
			if c == 0 {
				return "", false
			}
			i += 2
		case c == '+' && query:
			c = ' '
		}
		b = append(b, c)
	}
	return string(b), true
}

func gs1Unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// uriClass sorts bytes for the scan of a Digital Link URI: 0 for the characters a URI
// may carry, except the delimiters "/", "?" and "#", which have their own class, and
// uriBad for everything else.
var uriClass = func() (c [256]uint8) {
	const ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
	for i := range c {
		c[i] = uriBad
	}
	for i := 0; i < len(ok); i++ {
		c[ok[i]] = 0
	}
	c['/'], c['?'], c['#'] = uriSlash, uriQuery, uriFragment
	return c
}()

const (
	uriSlash uint8 = iota + 1
	uriQuery
	uriFragment
	uriBad
)

// badHostChars are URI characters that cannot appear in the host part.
var badHostChars = gs1Charset("_~?#@!$&'()*+,;=%")

// dlMaxPath bounds the path elements read: a primary key and its longest qualifier
// sequence.
const dlMaxPath = 4

// dlParsed is the allocation-free result of reading a Digital Link.
type dlParsed struct {
	stem  string
	path  [dlMaxPath]aiVal
	np    int
	attrs []aiVal
	other []string
}

// errNotDL says that a string is not a GS1 Digital Link at all (as opposed to a malformed
// one). It is shared: never modify it.
var errNotDL = &zhuisu.Error{Code: zhuisu.EInvalid, Message: "not a GS1 Digital Link URI: no GS1 primary key in the path"}

// dlScheme returns the length of the "http://" or "https://" prefix of s, or 0. Strictly
// the scheme is all lower or all upper case.
func dlScheme(s string, anyCase bool) int {
	if len(s) < 7 {
		return 0
	}
	n := 4
	if s[4] == 's' || s[4] == 'S' {
		n = 5
	}
	if len(s) < n+3 || s[n] != ':' || s[n+1] != '/' || s[n+2] != '/' {
		return 0
	}
	h := s[:n]
	switch {
	case h == "https"[:n], h == "HTTPS"[:n]:
	case anyCase && strings.EqualFold(h, "https"[:n]):
	default:
		return 0
	}
	return n + 3
}

func (o GS1Options) pathAI(seg string) *AIInfo {
	if o.ConvenienceAlphas && len(seg) >= 3 && len(seg) <= 5 && !gs1IsDigit(seg[0]) {
		if ai, ok := convenienceAlphas[seg]; ok {
			return aiByCode(ai)
		}
	}
	return lookupAIExact(seg, o.UnknownAIs)
}

// parseDL reads a Digital Link URI into d. It returns errNotDL when s is not a GS1 Digital
// Link: not http(s), or no path element pair "/<primary key AI>/<value starting with a
// digit>" (every GS1 key starts with digits). With pathOnly the query is ignored.
func (o GS1Options) parseDL(s string, pathOnly bool, d *dlParsed) error {
	n := dlScheme(s, o.AnyCaseScheme)
	if n == 0 {
		return errNotDL
	}
	// One pass finds the end of the host, the query and the fragment, and the first
	// character a URI cannot carry (reported only once s proves to be a Digital Link).
	rest := s[n:]
	hostEnd, qm, hash, bad := -1, -1, -1, -1
	for i := 0; i < len(rest); i++ {
		cls := uriClass[rest[i]]
		if cls == 0 {
			continue
		}
		if cls == uriBad {
			if bad < 0 {
				bad = i
			}
			continue
		}
		if hostEnd < 0 {
			hostEnd = i
		}
		if cls == uriQuery && qm < 0 && hash < 0 {
			qm = i
		} else if cls == uriFragment && hash < 0 {
			hash = i
		}
	}
	if hostEnd < 0 || rest[hostEnd] != '/' {
		return errNotDL
	}
	host := rest[:hostEnd]
	end := len(rest)
	if hash >= 0 {
		end = hash
	}
	var query string
	hasQuery := qm >= 0
	if hasQuery {
		query = rest[qm+1 : end]
		end = qm
	}
	path := rest[hostEnd:end]

	// Find the primary key: walk back over "/AI/value" pairs while the AIs are known. The
	// last dlMaxPath AIs met are kept for the pass that reads the path elements.
	keyAt := -1
	end = len(path)
	var infos [dlMaxPath]*AIInfo
	pairs := 0
	for {
		vsep := strings.LastIndexByte(path[:end], '/')
		if vsep <= 0 {
			break
		}
		asep := strings.LastIndexByte(path[:vsep], '/')
		if asep < 0 {
			break
		}
		info := o.pathAI(path[asep+1 : vsep])
		if info == nil {
			break
		}
		if pairs < dlMaxPath {
			infos[pairs] = info
		}
		pairs++
		if info.PrimaryKey {
			keyAt = asep
			break
		}
		end = asep
	}
	if keyAt < 0 {
		return errNotDL
	}
	{
		v := path[strings.IndexByte(path[keyAt+1:], '/')+keyAt+2:]
		if v == "" || !gs1IsDigit(v[0]) {
			return errNotDL
		}
	}

	if bad >= 0 {
		return gs1Invalidf("Digital Link URI contains the character %q, which a URI cannot carry unescaped", rest[bad])
	}
	if host == "" {
		return gs1Invalidf("Digital Link URI has no host")
	}
	for i := 0; i < len(host); i++ {
		if badHostChars[host[i]] {
			return gs1Invalidf("Digital Link host %q contains the character %q", host, host[i])
		}
	}
	d.stem = s[:n+hostEnd+keyAt]

	// Path elements.
	if pairs > dlMaxPath {
		return gs1Invalidf("Digital Link path has too many elements for a primary key and its qualifiers")
	}
	p := keyAt
	var seq [dlMaxPath]string
	for p < len(path) {
		a := p + 1
		b := a + strings.IndexByte(path[a:], '/')
		c := len(path)
		if i := strings.IndexByte(path[b+1:], '/'); i >= 0 {
			c = b + 1 + i
		}
		seg, raw := path[a:b], path[b+1:c]
		p = c
		info := infos[pairs-1-d.np]
		if raw == "" {
			return gs1Invalidf("AI (%s) in the Digital Link path has an empty value", info.AI)
		}
		ai := seg
		if !info.unknown {
			ai = info.AI
		}
		val, ok := unescapeDL(raw, false)
		if !ok {
			return gs1Invalidf("AI (%s) in the Digital Link path decodes to a NUL character", ai)
		}
		val = o.padGTIN(ai, val)
		if r := checkAILength(info, val); r.code != "" {
			return aiValueError(info, ai, val, r)
		}
		d.path[d.np] = aiVal{info: info, ai: ai, val: val, path: true}
		seq[d.np] = ai
		d.np++
	}
	if !isKeyQualifierSeq(seq[:d.np]) {
		return gs1Invalidf("Digital Link path %s: key qualifiers are not allowed for (%s) in this combination or order", gs1QuoteAIs(seq[:d.np]), seq[0])
	}

	if hasQuery && !pathOnly {
		if err := o.parseDLQuery(query, d, seq[:d.np]); err != nil {
			return err
		}
	}
	for i := 0; i < d.np; i++ {
		v := &d.path[i]
		if r := checkAIValueOpt(v.info, v.val, o.ignoreCheckDigits); r.code != "" {
			return aiValueError(v.info, v.ai, v.val, r)
		}
	}
	if pathOnly {
		return nil
	}
	for _, v := range d.attrs {
		if r := checkAIValueOpt(v.info, v.val, o.ignoreCheckDigits); r.code != "" {
			return aiValueError(v.info, v.ai, v.val, r)
		}
	}
	if o.SkipAssociations {
		return nil
	}
	all := make([]aiVal, 0, d.np+len(d.attrs))
	all = append(all, d.path[:d.np]...)
	all = append(all, d.attrs...)
	return o.validateAssociations(all)
}

func gs1QuoteAIs(seq []string) string {
	return "(" + strings.Join(seq, ")(") + ")"
}

// padGTIN turns a GTIN-8, -12 or -13 into a GTIN-14 for AI (01) when permitted.
func (o GS1Options) padGTIN(ai, val string) string {
	if o.ZeroSuppressedGTIN && ai == "01" && (len(val) == 8 || len(val) == 12 || len(val) == 13) {
		return "000000"[:14-len(val)] + val
	}
	return val
}

func (o GS1Options) parseDLQuery(query string, d *dlParsed, seq []string) error {
	for _, param := range strings.Split(query, "&") {
		if param == "" {
			continue
		}
		eq := strings.IndexByte(param, '=')
		if eq < 0 {
			d.other = append(d.other, param)
			continue
		}
		key, raw := param[:eq], param[eq+1:]
		if !gs1AllDigits(key) {
			d.other = append(d.other, param)
			continue
		}
		info := lookupAIExact(key, o.UnknownAIs)
		if info == nil {
			return gs1Invalidf("query parameter %s is not a known GS1 AI", key)
		}
		if raw == "" {
			return gs1Invalidf("AI (%s) in the Digital Link query has an empty value", key)
		}
		val, ok := unescapeDL(raw, true)
		if !ok {
			return gs1Invalidf("AI (%s) in the Digital Link query decodes to a NUL character", key)
		}
		val = o.padGTIN(key, val)
		if r := checkAILength(info, val); r.code != "" {
			return aiValueError(info, key, val, r)
		}
		for i := 0; i < d.np; i++ {
			if d.path[i].ai == key {
				return gs1Invalidf("AI (%s) appears both in the Digital Link path and its query", key)
			}
		}
		for _, a := range d.attrs {
			if a.ai == key {
				return gs1Invalidf("AI (%s) appears more than once in the Digital Link query", key)
			}
		}
		if !info.DataAttr && !(info.unknown && o.UnknownAIAttributes) {
			return gs1Invalidf("AI (%s) is not allowed as a Digital Link data attribute", key)
		}
		// An AI that could stand in the path as a key qualifier belongs there.
		var trial [dlMaxPath + 1]string
		for j := 1; j <= len(seq); j++ {
			copy(trial[:j], seq[:j])
			trial[j] = key
			copy(trial[j+1:], seq[j:])
			if isKeyQualifierSeq(trial[:len(seq)+1]) {
				return gs1Invalidf("AI (%s) is a key qualifier of (%s): it belongs in the Digital Link path, not the query", key, seq[0])
			}
		}
		d.attrs = append(d.attrs, aiVal{info: info, ai: key, val: val})
	}
	return nil
}

func (d *dlParsed) toDigitalLink() *DigitalLink {
	dl := &DigitalLink{Stem: d.stem, Key: AIElement{AI: d.path[0].ai, Value: d.path[0].val}}
	for _, v := range d.path[1:d.np] {
		dl.Qualifiers = append(dl.Qualifiers, AIElement{AI: v.ai, Value: v.val})
	}
	for _, v := range d.attrs {
		dl.Attributes = append(dl.Attributes, AIElement{AI: v.ai, Value: v.val})
	}
	dl.Other = d.other
	return dl
}

// ParseDigitalLink reads an uncompressed GS1 Digital Link URI on any host and under any
// path prefix, with LenientGS1 options: convenience alphas and GTIN-8/12/13 are accepted.
// It validates the key-qualifier path, every AI value (format, check digits, dates) and
// the data attributes of the query string; query parameters that are not AIs are kept in
// Other. A fragment is ignored.
func ParseDigitalLink(uri string) (*DigitalLink, error) { return LenientGS1.ParseDigitalLink(uri) }

// ParseDigitalLink reads a Digital Link URI with these options.
func (o GS1Options) ParseDigitalLink(uri string) (*DigitalLink, error) {
	var d dlParsed
	if err := o.parseDL(uri, false, &d); err != nil {
		if err == errNotDL {
			return nil, gs1Invalidf("%s is not a GS1 Digital Link URI: no GS1 primary key in its path", gs1Quote(uri))
		}
		return nil, err
	}
	return d.toDigitalLink(), nil
}

// NewDigitalLink builds a Digital Link from AI elements, the way a GS1 encoder does: the
// first primary-key AI is the key; the qualifier sequence of the key that uses most of
// the given AIs goes into the path in its order; every other AI becomes a data attribute
// (pre-defined-length AIs first, each group in the order given; repeats dropped). It
// fails when there is no primary key or an AI can be neither qualifier nor attribute.
func NewDigitalLink(els []AIElement) (*DigitalLink, error) {
	return StrictGS1.NewDigitalLink(els)
}

// NewDigitalLink builds a Digital Link from AI elements with these options.
func (o GS1Options) NewDigitalLink(els []AIElement) (*DigitalLink, error) {
	infos := make([]*AIInfo, len(els))
	keyIdx := -1
	for i, e := range els {
		info := lookupAIExact(e.AI, o.UnknownAIs)
		if info == nil {
			return nil, gs1Invalidf("unrecognised AI (%s)", e.AI)
		}
		infos[i] = info
		if keyIdx < 0 && info.PrimaryKey {
			keyIdx = i
		}
	}
	if keyIdx < 0 {
		return nil, gs1Invalidf("GS1 data has no primary key, so it cannot become a Digital Link")
	}
	key := infos[keyIdx]
	has := func(ai string) bool {
		for _, e := range els {
			if e.AI == ai {
				return true
			}
		}
		return false
	}
	var best []string
	bestN := 0
	for _, alt := range key.Qualifiers {
		n := 0
		for _, q := range alt {
			if has(q) {
				n++
			}
		}
		if n > bestN {
			best, bestN = alt, n
		}
	}
	inPath := func(ai string) bool {
		if ai == key.AI {
			return true
		}
		for _, q := range best {
			if q == ai {
				return true
			}
		}
		return false
	}
	dl := &DigitalLink{Stem: CanonicalDLStem, Key: els[keyIdx]}
	for _, q := range best {
		for _, e := range els {
			if e.AI == q {
				dl.Qualifiers = append(dl.Qualifiers, e)
				break
			}
		}
	}
	for _, fixed := range [...]bool{true, false} {
	next:
		for i, e := range els {
			if infos[i].Fixed != fixed || inPath(e.AI) {
				continue
			}
			for j := 0; j < i; j++ {
				if els[j].AI == e.AI {
					continue next
				}
			}
			if !infos[i].DataAttr && !(infos[i].unknown && o.UnknownAIAttributes) {
				return nil, gs1Invalidf("AI (%s) is not allowed as a Digital Link data attribute", e.AI)
			}
			dl.Attributes = append(dl.Attributes, e)
		}
	}
	return dl, nil
}
