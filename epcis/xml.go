package epcis

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
)

// This file holds the XML codec. Decoding reads tokens with encoding/xml (RawToken, with
// our own namespace handling so that prefixes survive), builds a small tree per event and
// maps it onto the model, checking the EPCIS 2.0 XSD's element order. Encoding writes the
// XML by hand.
//
// JSON kinds of user extensions are carried through XML as follows, so that a JSON event
// survives a trip through XML: numbers and booleans carry xsi:type (xsd:integer,
// xsd:decimal or xsd:double by lexical form; xsd:boolean), null is xsi:nil="true", a list
// is its items repeated as sibling elements, and where XML cannot show the kind (an empty
// object, a list of fewer than two items, a list of lists) the element carries
// zj:kind="object" or zj:kind="list" in namespace urn:zhuisu:json. On input, an xsi:type
// becomes the node kind only when it is exactly the one the encoder would write for the
// value; otherwise it stays an attribute.

// DecodeXML reads an EPCIS 2.0 XML EPCISDocument (namespace urn:epcglobal:epcis:xsd:2),
// an EPCISQueryDocument, or a bare event element. Every event is checked with Validate.
// EPCIS 1.x-style <extension> and <baseExtension> wrappers around standard fields are
// accepted; standard elements must otherwise follow the XSD's order.
func DecodeXML(r io.Reader, lim Limits) (*Document, error) {
	lim = lim.withDefaults()
	br := bufio.NewReaderSize(r, 32<<10)
	if b, err := br.Peek(3); err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		br.Discard(3) // byte order mark
	}
	x := &xmlDecoder{dec: xml.NewDecoder(br), lim: lim}
	x.dec.Strict = true
	doc, err := x.document()
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// xel is one element read into memory.
type xel struct {
	space, local, prefix string
	attrs                []xattr
	children             []*xel
	text                 string
	hasText              bool // non-space character data
	line                 int
	scope                *nsScope
}

type xattr struct {
	space, local, prefix, value string
}

func (e *xel) attr(local string) (string, bool) {
	for _, a := range e.attrs {
		if a.space == "" && a.local == local {
			return a.value, true
		}
	}
	return "", false
}

func (e *xel) xsiNil() bool {
	for _, a := range e.attrs {
		if a.space == nsXSI && a.local == "nil" {
			v := strings.TrimSpace(a.value)
			return v == "true" || v == "1"
		}
	}
	return false
}

func (e *xel) trimmed() string { return strings.TrimSpace(e.text) }

type xmlDecoder struct {
	dec    *xml.Decoder
	lim    Limits
	scope  *nsScope
	scopes []*nsScope // the scope outside each open element
	depth  int
	// stack of raw names for end-tag matching
	open []xml.Name
	// vocabPfx collects the current event's VocabPrefixes.
	vocabPfx map[string]string
}

type xmlAbort struct{ err error }

func (x *xmlDecoder) line() int {
	l, _ := x.dec.InputPos()
	return l
}

func (x *xmlDecoder) failf(line int, path, format string, args ...any) {
	field := fmt.Sprintf("line %d", line)
	if path != "" {
		field += ": " + path
	}
	panic(xmlAbort{newValidationError(field, format, args...)})
}

// token returns the next token, checking end tags and tracking namespaces and depth.
// It returns nil at the end of input.
func (x *xmlDecoder) token() xml.Token {
	for {
		t, err := x.dec.RawToken()
		if err == io.EOF {
			if len(x.open) > 0 {
				x.failf(x.line(), "", "unexpected end of the document inside <%s>", rawName(x.open[len(x.open)-1]))
			}
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				panic(xmlAbort{newValidationError(fmt.Sprintf("line %d", se.Line), "the document is not well-formed XML: %s", se.Msg)})
			}
			ze := newValidationError(fmt.Sprintf("line %d", x.line()), "cannot read the document: %v", err)
			ze.Err = err
			panic(xmlAbort{ze})
		}
		switch t := t.(type) {
		case xml.StartElement:
			x.depth++
			if x.depth > x.lim.MaxDepth {
				panic(xmlAbort{newLimitError(fmt.Sprintf("line %d", x.line()), "the document nests elements deeper than %d levels", x.lim.MaxDepth)})
			}
			x.open = append(x.open, t.Name)
			sc := x.scope
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					if sc == x.scope {
						sc = &nsScope{parent: x.scope}
					}
					if a.Name.Space == "" {
						sc.dflt, sc.hasDflt = a.Value, true
					} else {
						sc.add(a.Name.Local, a.Value)
					}
				}
			}
			x.scopes = append(x.scopes, x.scope)
			x.scope = sc
			return t.Copy()
		case xml.EndElement:
			if len(x.open) == 0 {
				x.failf(x.line(), "", "unexpected end tag </%s>", rawName(t.Name))
			}
			top := x.open[len(x.open)-1]
			if top != t.Name {
				x.failf(x.line(), "", "element <%s> is closed by </%s>", rawName(top), rawName(t.Name))
			}
			x.open = x.open[:len(x.open)-1]
			x.depth--
			x.scope = x.scopes[len(x.scopes)-1]
			x.scopes = x.scopes[:len(x.scopes)-1]
			return t
		case xml.CharData:
			return t.Copy()
		case xml.Comment, xml.ProcInst, xml.Directive:
			continue
		}
	}
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// lookupXML resolves an XML prefix declared in scope (no JSON-LD defaults).
func lookupXML(sc *nsScope, prefix string) (string, bool) {
	switch prefix {
	case "xml":
		return nsXML, true
	case "xmlns":
		return "", false
	}
	for ; sc != nil; sc = sc.parent {
		for i := len(sc.names) - 1; i >= 0; i-- {
			if sc.names[i] == prefix {
				return sc.uris[i], true
			}
		}
	}
	return "", false
}

// resolve turns a raw start element into an xel header (no children yet).
func (x *xmlDecoder) resolve(t xml.StartElement) *xel {
	e := &xel{local: t.Name.Local, prefix: t.Name.Space, line: x.line(), scope: x.scope}
	if e.prefix == "" {
		e.space = x.scope.defaultNS()
	} else {
		uri, ok := lookupXML(x.scope, e.prefix)
		if !ok {
			x.failf(e.line, "", "element <%s:%s> uses the undeclared namespace prefix %q", e.prefix, e.local, e.prefix)
		}
		e.space = uri
	}
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		xa := xattr{local: a.Name.Local, prefix: a.Name.Space, value: a.Value}
		if xa.prefix != "" {
			uri, ok := lookupXML(x.scope, xa.prefix)
			if !ok {
				x.failf(e.line, "", "attribute %s:%s uses the undeclared namespace prefix %q", xa.prefix, xa.local, xa.prefix)
			}
			xa.space = uri
		}
		e.attrs = append(e.attrs, xa)
	}
	return e
}

// tree reads the rest of element e (its start tag consumed) into memory.
func (x *xmlDecoder) tree(e *xel) {
	var text strings.Builder
	for {
		switch t := x.token().(type) {
		case nil:
			return
		case xml.StartElement:
			c := x.resolve(t)
			x.tree(c)
			e.children = append(e.children, c)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			e.text = text.String()
			e.hasText = strings.TrimSpace(e.text) != ""
			return
		}
	}
}

// skipTree consumes the rest of an element.
func (x *xmlDecoder) skipTree() {
	for {
		switch x.token().(type) {
		case nil:
			return
		case xml.StartElement:
			x.skipTree()
		case xml.EndElement:
			return
		}
	}
}

// isEPCIS reports whether an element is a standard one: unqualified or in an EPCIS namespace.
func isEPCIS(space string) bool {
	return space == "" || space == NamespaceEPCIS || space == nsEPCIS1 || space == NamespaceEPCISQuery
}

func (x *xmlDecoder) document() (doc *Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(xmlAbort)
			if !ok {
				panic(r)
			}
			doc, err = nil, a.err
		}
	}()
	doc = &Document{}
	var root *xel
	for root == nil {
		switch t := x.token().(type) {
		case nil:
			x.failf(x.line(), "", "the document has no root element")
		case xml.StartElement:
			root = x.resolve(t)
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				x.failf(x.line(), "", "text before the root element")
			}
		}
	}
	rootName := root.local
	switch {
	case root.local == "EPCISDocument" && (root.space == NamespaceEPCIS || root.space == nsEPCIS1):
		x.header(doc, root, true)
		x.docBody(doc, root, false)
	case root.local == "EPCISQueryDocument" && root.space == NamespaceEPCISQuery:
		x.header(doc, root, false)
		x.docBody(doc, root, true)
	case isEPCIS(root.space) && knownEventType(EventType(root.local)):
		// A bare event; OpenEPCIS puts the document's schemaVersion and creationDate on it.
		x.header(doc, root, false)
		kept := root.attrs[:0]
		for _, a := range root.attrs {
			if a.space != "" || a.local != "schemaVersion" && a.local != "creationDate" {
				kept = append(kept, a)
			}
		}
		root.attrs = kept
		x.tree(root)
		e := x.event(root, rootName)
		doc.Events = []*Event{e}
	default:
		ns := root.space
		if ns == "" {
			ns = "no namespace"
		}
		x.failf(root.line, rootName, "the root element <%s> (%s) is not an EPCIS 2.0 EPCISDocument in namespace %s, an EPCISQueryDocument, or an event", rootName, ns, NamespaceEPCIS)
	}
	for {
		switch t := x.token().(type) {
		case nil:
			if root.scope != nil && len(root.scope.names) > 0 {
				doc.Namespaces = make(map[string]string, len(root.scope.names))
				for i, p := range root.scope.names {
					doc.Namespaces[p] = root.scope.uris[i]
				}
			}
			return doc, nil
		case xml.StartElement:
			x.failf(x.line(), "", "a second root element <%s>", rawName(t.Name))
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				x.failf(x.line(), "", "text after the root element")
			}
		}
	}
}

func (x *xmlDecoder) header(doc *Document, root *xel, required bool) {
	v, ok := root.attr("schemaVersion")
	if !ok && required {
		x.failf(root.line, root.local, "the schemaVersion attribute is required")
	}
	if ok {
		v = strings.TrimSpace(v)
		if !validSchemaVersion(v) {
			x.failf(root.line, root.local+"/@schemaVersion", "schemaVersion %q is not a version number such as 2.0", v)
		}
		doc.SchemaVersion = v
	}
	c, ok := root.attr("creationDate")
	if !ok && required {
		x.failf(root.line, root.local, "the creationDate attribute is required")
	}
	if ok {
		t, good := parseEPCISTime(strings.TrimSpace(c))
		if !good {
			x.failf(root.line, root.local+"/@creationDate", "creationDate %q is not a date-time with seconds and a time zone", c)
		}
		doc.CreationDate = t
	}
}

// docBody reads the children of the root: EPCISHeader (skipped), EPCISBody, extensions.
func (x *xmlDecoder) docBody(doc *Document, root *xel, query bool) {
	path := root.local
	seenBody := false
	for {
		switch t := x.token().(type) {
		case nil:
			return
		case xml.EndElement:
			if !seenBody {
				x.failf(x.line(), path, "<EPCISBody> is required")
			}
			return
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				x.failf(x.line(), path, "unexpected text in <%s>", root.local)
			}
		case xml.StartElement:
			e := x.resolve(t)
			switch {
			case e.local == "EPCISHeader" && isEPCIS(e.space) && !seenBody:
				x.skipTree()
			case e.local == "EPCISBody" && isEPCIS(e.space) && !seenBody:
				seenBody = true
				if query {
					x.queryBody(doc, path+"/EPCISBody")
				} else {
					x.body(doc, path+"/EPCISBody", "EventList")
				}
			case e.local == "extension" && isEPCIS(e.space) || !isEPCIS(e.space):
				x.skipTree()
			case query && (e.local == "queryName" || e.local == "subscriptionID") && isEPCIS(e.space):
				// Some tools write the QueryResults content straight under the root.
				x.skipTree()
			case query && e.local == "resultsBody" && isEPCIS(e.space):
				seenBody = true
				x.body(doc, path+"/resultsBody", "EventList")
			default:
				x.failf(e.line, path, "unexpected element <%s> in <%s>", rawName(t.Name), root.local)
			}
		}
	}
}

// body reads the children of an element expected to hold want (EventList).
func (x *xmlDecoder) body(doc *Document, path, want string) {
	for {
		switch t := x.token().(type) {
		case nil, xml.EndElement:
			return
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				x.failf(x.line(), path, "unexpected text")
			}
		case xml.StartElement:
			e := x.resolve(t)
			switch {
			case e.local == want && isEPCIS(e.space):
				x.eventList(doc, path+"/"+want)
			case e.local == "extension" && isEPCIS(e.space) || !isEPCIS(e.space):
				x.skipTree()
			default:
				x.failf(e.line, path, "unexpected element <%s>", rawName(t.Name))
			}
		}
	}
}

func (x *xmlDecoder) queryBody(doc *Document, path string) {
	found := false
	for {
		switch t := x.token().(type) {
		case nil, xml.EndElement:
			if !found {
				x.failf(x.line(), path, "<QueryResults> is required in an EPCISQueryDocument")
			}
			return
		case xml.CharData:
		case xml.StartElement:
			e := x.resolve(t)
			if e.local != "QueryResults" || !isEPCIS(e.space) {
				x.skipTree()
				continue
			}
			found = true
			qpath := path + "/QueryResults"
			for done := false; !done; {
				switch t := x.token().(type) {
				case nil, xml.EndElement:
					done = true
				case xml.StartElement:
					c := x.resolve(t)
					if c.local == "resultsBody" && isEPCIS(c.space) {
						x.body(doc, qpath+"/resultsBody", "EventList")
					} else {
						x.skipTree()
					}
				}
			}
		}
	}
}

func (x *xmlDecoder) eventList(doc *Document, path string) {
	for {
		switch t := x.token().(type) {
		case nil, xml.EndElement:
			return
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				x.failf(x.line(), path, "unexpected text in <EventList>")
			}
		case xml.StartElement:
			e := x.resolve(t)
			if e.local == "extension" && isEPCIS(e.space) {
				// EPCIS 1.x put newer event types inside EventList/extension.
				x.eventList(doc, path+"/extension")
				continue
			}
			if !isEPCIS(e.space) || !knownEventType(EventType(e.local)) {
				x.failf(e.line, path, "<%s> is not an EPCIS event type: expected ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent", rawName(t.Name))
			}
			if len(doc.Events) >= x.lim.MaxEvents {
				panic(xmlAbort{newLimitError(fmt.Sprintf("line %d: %s", e.line, path), "the document has more than %d events", x.lim.MaxEvents)})
			}
			x.tree(e)
			p := fmt.Sprintf("%s/%s[%d]", path, e.local, len(doc.Events)+1)
			doc.Events = append(doc.Events, x.event(e, p))
		}
	}
}

// ---- events ----

// xsdRanks gives the XSD sequence position of each standard child of each event type.
var xsdRanks = func() map[EventType]map[string]int {
	m := make(map[EventType]map[string]int)
	for _, t := range EventTypes {
		r := make(map[string]int)
		for i, f := range xsdOrder(t) {
			rank := i
			if i > 5 { // after certificationInfo comes baseExtension
				rank++
			}
			r[f.name()] = rank
		}
		r["baseExtension"] = 6
		r["extension"] = len(xsdOrder(t)) + 1
		m[t] = r
	}
	return m
}()

const rankForeign = 1 << 20

type xevent struct {
	x       *xmlDecoder
	e       *Event
	path    string
	ranks   map[string]int
	last    int
	seen    fieldBit
	lastTag string
}

func (x *xmlDecoder) event(el *xel, path string) *Event {
	typ := EventType(el.local)
	for _, a := range el.attrs {
		if a.space != nsXSI {
			x.failf(el.line, path, "attribute %s on <%s> is not supported: EPCIS events carry their data in elements", attrName(a), el.local)
		}
	}
	if el.hasText {
		x.failf(el.line, path, "unexpected text in <%s>", el.local)
	}
	ev := &xevent{x: x, e: &Event{Type: typ}, path: path, ranks: xsdRanks[typ], last: -1}
	x.vocabPfx = nil
	ev.children(el.children, false)
	ev.e.Extensions = groupRuns(ev.e.Extensions)
	ev.e.VocabPrefixes, x.vocabPfx = dropClashingVocabPrefixes(x.vocabPfx, ev.e), nil
	if err := ev.e.Validate(); err != nil {
		x.failValidate(el, path, err)
	}
	return ev.e
}

func (x *xmlDecoder) failValidate(el *xel, path string, err error) {
	field := fmt.Sprintf("line %d: %s", el.line, path)
	if ze := asZError(err); ze != nil {
		c := *ze
		if c.Field != "" {
			c.Field = field + "/" + c.Field
		} else {
			c.Field = field
		}
		panic(xmlAbort{&c})
	}
	panic(xmlAbort{err})
}

func attrName(a xattr) string {
	if a.prefix != "" {
		return a.prefix + ":" + a.local
	}
	return a.local
}

// children processes the children of an event, or of an extension wrapper inside it.
func (ev *xevent) children(kids []*xel, wrapper bool) {
	x := ev.x
	foreignSeen := false
	for _, c := range kids {
		cp := ev.path + "/" + c.local
		if !isEPCIS(c.space) {
			n := x.extNode(c, cp)
			ev.e.Extensions = append(ev.e.Extensions, n)
			if wrapper {
				foreignSeen = true
			} else {
				ev.last = rankForeign
			}
			ev.lastTag = rawXName(c)
			continue
		}
		rank, ok := ev.ranks[c.local]
		if !ok {
			x.failf(c.line, cp, "<%s> is not an element of %s", c.local, ev.e.Type)
		}
		if x.lim.AnyXMLOrder {
			rank, foreignSeen = ev.last, false
			if c.local == "extension" || c.local == "baseExtension" {
				rank = ev.last + 1
			}
		}
		if foreignSeen || rank < ev.last || rank == ev.last && c.local != "certificationInfo" && !x.lim.AnyXMLOrder {
			if rank == ev.last && !foreignSeen {
				x.failf(c.line, cp, "<%s> appears twice", c.local)
			}
			x.failf(c.line, cp, "<%s> is out of order: the EPCIS 2.0 schema requires it before <%s>", c.local, ev.lastTag)
		}
		if c.local == "extension" || c.local == "baseExtension" {
			if len(c.attrs) > 0 {
				for _, a := range c.attrs {
					if a.space != nsXSI {
						x.failf(c.line, cp, "attribute %s on <%s> is not supported", attrName(a), c.local)
					}
				}
			}
			if c.hasText {
				x.failf(c.line, cp, "unexpected text in <%s>", c.local)
			}
			save := ev.path
			ev.path = cp
			ev.children(c.children, true)
			ev.path = save
			if rank > ev.last {
				ev.last = rank
				ev.lastTag = c.local
			}
			continue
		}
		ev.last = rank
		ev.lastTag = c.local
		ev.field(c, cp)
	}
}

// text returns the whitespace-collapsed text of a simple element, rejecting child elements.
func (x *xmlDecoder) simpleText(c *xel, path string) string {
	if len(c.children) > 0 {
		x.failf(c.children[0].line, path, "<%s> must contain text only, not <%s>", c.local, c.children[0].local)
	}
	return c.trimmed()
}

func (x *xmlDecoder) uriText(c *xel, path string) string {
	s := x.simpleText(c, path)
	if s == "" {
		x.failf(c.line, path, "<%s> is empty: a URI is required", c.local)
	}
	if !isAbsURI(s) {
		x.failf(c.line, path, "%s %q is not an absolute URI", c.local, s)
	}
	return s
}

func (x *xmlDecoder) timeText(c *xel, path string) time.Time {
	s := x.simpleText(c, path)
	t, ok := parseEPCISTime(s)
	if !ok {
		x.failf(c.line, path, "%s %q is not a date-time with seconds and a time zone, such as 2005-04-03T20:33:31.116-06:00", c.local, s)
	}
	return t
}

func (x *xmlDecoder) vocabText(c *xel, path string, v Vocabulary) string {
	return x.vocab(c, path, v, x.simpleText(c, path))
}

// vocab returns the held form of a vocabulary value read from element c (its text or
// one of its attributes).
//
// A value written as a compact URI, prefix:rest with prefix declared in scope (or by the
// EPCIS JSON-LD context), is held expanded, as the JSON-LD decoder holds it, and its
// prefix is kept in Event.VocabPrefixes. Strictly these values are xsd:anyURI, so
// namespace declarations do not apply to them, and type="example:x" would be the URI
// example:x (the CBV reference implementation of the event hash reads them so, apart from
// gs1: and cbv:). But the EPCIS 2.0 examples write them as CURIEs in XML exactly as in
// JSON-LD, and twin documents must give the same event: holding "example:x" verbatim would
// make the XML twin differ from the JSON-LD one, and could not be written to JSON-LD at
// all when the event also binds the prefix example for its extensions (JSON-LD would
// expand it on reading). Keeping the expanded value and the prefix satisfies both: the
// model and its queries see one URI, the codecs write the value as it was written, and
// the hash reproduces the reference (see hash.go).
func (x *xmlDecoder) vocab(c *xel, path string, v Vocabulary, s string) string {
	if s == "" {
		x.failf(c.line, path, "%s is empty: expected a standard %s or a URI", path[strings.LastIndexByte(path, '/')+1:], vocabTables[v].name)
	}
	exp := expandCURIE(s, c.scope)
	held := normalizeVocab(v, exp)
	if exp != s {
		x.vocabPfx = keepVocabPrefix(x.vocabPfx, s, exp, held)
	}
	return held
}

// idList reads an EPC list: <epc> children.
func (x *xmlDecoder) idList(c *xel, path, item string) []string {
	if c.hasText {
		x.failf(c.line, path, "unexpected text in <%s>", c.local)
	}
	var out []string
	for _, k := range c.children {
		if k.local != item || !isEPCIS(k.space) {
			x.failf(k.line, path+"/"+k.local, "<%s> may only contain <%s> elements", c.local, item)
		}
		if out == nil {
			out = make([]string, 0, len(c.children))
		}
		out = append(out, x.uriText(k, path+"/"+item))
	}
	return out
}

func (ev *xevent) field(c *xel, path string) {
	x, e := ev.x, ev.e
	name := c.local
	var bit fieldBit
	for i := 0; i < fieldCount; i++ {
		if fieldNames[i] == name {
			bit = 1 << i
		}
	}
	if bit != fldCertificationInfo && ev.seen&bit != 0 {
		x.failf(c.line, path, "<%s> appears twice", name)
	}
	ev.seen |= bit
	switch bit {
	case fldEventTime:
		e.EventTime = x.timeText(c, path)
	case fldRecordTime:
		e.RecordTime = x.timeText(c, path)
	case fldEventTimeZoneOffset:
		e.EventTimeZoneOffset = x.simpleText(c, path)
	case fldEventID:
		e.EventID = x.uriText(c, path)
	case fldCertificationInfo:
		e.CertificationInfo = append(e.CertificationInfo, x.uriText(c, path))
	case fldErrorDeclaration:
		e.ErrorDeclaration = x.errorDeclaration(c, path)
	case fldParentID:
		e.ParentID = x.uriText(c, path)
	case fldEPCList:
		e.EPCList = x.idList(c, path, "epc")
	case fldChildEPCs:
		e.ChildEPCs = x.idList(c, path, "epc")
	case fldInputEPCList:
		e.InputEPCList = x.idList(c, path, "epc")
	case fldOutputEPCList:
		e.OutputEPCList = x.idList(c, path, "epc")
	case fldQuantityList:
		e.QuantityList = x.quantities(c, path)
	case fldChildQuantityList:
		e.ChildQuantityList = x.quantities(c, path)
	case fldInputQuantityList:
		e.InputQuantityList = x.quantities(c, path)
	case fldOutputQuantityList:
		e.OutputQuantityList = x.quantities(c, path)
	case fldAction:
		e.Action = x.simpleText(c, path)
	case fldTransformationID:
		e.TransformationID = x.uriText(c, path)
	case fldBizStep:
		e.BizStep = x.vocabText(c, path, VocabBizStep)
	case fldDisposition:
		e.Disposition = x.vocabText(c, path, VocabDisposition)
	case fldPersistentDisposition:
		e.PersistentDisposition = x.persistentDisposition(c, path)
	case fldReadPoint:
		e.ReadPoint = x.location(c, path)
	case fldBizLocation:
		e.BizLocation = x.location(c, path)
	case fldBizTransactionList:
		e.BizTransactionList = x.bizTransactions(c, path)
	case fldSourceList:
		e.SourceList = x.sourceDest(c, path, "source")
	case fldDestinationList:
		e.DestinationList = x.sourceDest(c, path, "destination")
	case fldSensorElementList:
		e.SensorElementList = x.sensorElements(c, path)
	case fldILMD:
		e.ILMD = x.ilmd(c, path)
	default:
		x.failf(c.line, path, "<%s> is not an element of %s", name, e.Type)
	}
}

// rejectLocalExtension handles an <extension> child of readPoint, bizLocation, ilmd,
// sensorElement or errorDeclaration: the XSD reserves its content for future EPCIS
// versions, and EPCIS 2.0 defines none, so only an empty one is accepted (and dropped).
func (x *xmlDecoder) rejectLocalExtension(c *xel, path string) {
	if len(c.children) > 0 || c.hasText {
		x.failf(c.line, path+"/extension", "<extension> inside <%s> is reserved for future EPCIS versions and must be empty; put user data in elements of your own namespace instead", path[strings.LastIndexByte(path, '/')+1:])
	}
}

func (x *xmlDecoder) errorDeclaration(c *xel, path string) *ErrorDeclaration {
	ed := &ErrorDeclaration{}
	hasTime := false
	for _, k := range c.children {
		kp := path + "/" + k.local
		if !isEPCIS(k.space) {
			ed.Extensions = append(ed.Extensions, x.extNode(k, kp))
			continue
		}
		switch k.local {
		case "declarationTime":
			hasTime = true
			ed.DeclarationTime = x.timeText(k, kp)
		case "reason":
			ed.Reason = x.vocabText(k, kp, VocabErrorReason)
		case "correctiveEventIDs":
			ed.CorrectiveEventIDs = x.idList(k, kp, "correctiveEventID")
		case "extension":
			x.rejectLocalExtension(k, path)
		default:
			x.failf(k.line, kp, "<%s> is not an element of errorDeclaration", k.local)
		}
	}
	if !hasTime {
		x.failf(c.line, path, "<declarationTime> is required in <errorDeclaration>")
	}
	ed.Extensions = groupRuns(ed.Extensions)
	return ed
}

func (x *xmlDecoder) quantities(c *xel, path string) []QuantityElement {
	if c.hasText {
		x.failf(c.line, path, "unexpected text in <%s>", c.local)
	}
	var out []QuantityElement
	for _, k := range c.children {
		kp := path + "/" + k.local
		if k.local != "quantityElement" || !isEPCIS(k.space) {
			x.failf(k.line, kp, "<%s> may only contain <quantityElement> elements", c.local)
		}
		var q QuantityElement
		step, seen := 0, 0 // step: the XSD position reached; seen: bits of the elements read
		for _, f := range k.children {
			fp := kp + "/" + f.local
			if !isEPCIS(f.space) {
				x.failf(f.line, fp, "<%s> is not allowed in <quantityElement>: only epcClass, quantity and uom", rawXName(f))
			}
			pos := 0
			switch f.local {
			case "epcClass":
				pos = 1
			case "quantity":
				pos = 2
			case "uom":
				pos = 3
			default:
				x.failf(f.line, fp, "<%s> is not allowed in <quantityElement>: only epcClass, quantity and uom", f.local)
			}
			if seen&(1<<pos) != 0 || pos <= step && !x.lim.AnyXMLOrder || pos == 3 && seen&4 == 0 && !x.lim.AnyXMLOrder {
				x.failf(f.line, fp, "<%s> is out of order or repeated: a quantityElement is <epcClass>, then <quantity>, then <uom>", f.local)
			}
			seen |= 1 << pos
			step = pos
			switch pos {
			case 1:
				q.EPCClass = x.uriText(f, fp)
			case 2:
				if f.xsiNil() {
					continue
				}
				s := x.simpleText(f, fp)
				if !isXSDDecimal(s) {
					x.failf(f.line, fp, "quantity %q is not a decimal number", s)
				}
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					x.failf(f.line, fp, "quantity %q is out of range", s)
				}
				q.Quantity = &v
			case 3:
				q.UOM = x.simpleText(f, fp)
			}
		}
		if seen&2 == 0 {
			x.failf(k.line, kp, "<epcClass> is required in <quantityElement>")
		}
		out = append(out, q)
	}
	return out
}

func rawXName(e *xel) string {
	if e.prefix != "" {
		return e.prefix + ":" + e.local
	}
	return e.local
}

// isXSDDecimal matches the xsd:decimal lexical space.
func isXSDDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	return digits > 0 && i == len(s)
}

// isXSDDouble matches the xsd:double lexical space without INF and NaN.
func isXSDDouble(s string) bool {
	m := s
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		m = s[:i]
		exp := s[i+1:]
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if exp == "" {
			return false
		}
		for j := 0; j < len(exp); j++ {
			if exp[j] < '0' || exp[j] > '9' {
				return false
			}
		}
	}
	return isXSDDecimal(m)
}

func (x *xmlDecoder) persistentDisposition(c *xel, path string) *PersistentDisposition {
	p := &PersistentDisposition{}
	sawSet := false
	for _, k := range c.children {
		kp := path + "/" + k.local
		switch {
		case k.local == "unset" && isEPCIS(k.space):
			if sawSet {
				x.failf(k.line, kp, "<unset> is out of order: the EPCIS 2.0 schema puts all <unset> before <set>")
			}
			p.Unset = append(p.Unset, x.vocabText(k, kp, VocabDisposition))
		case k.local == "set" && isEPCIS(k.space):
			sawSet = true
			p.Set = append(p.Set, x.vocabText(k, kp, VocabDisposition))
		default:
			x.failf(k.line, kp, "<%s> is not allowed in <persistentDisposition>: only <unset> and <set>", rawXName(k))
		}
	}
	return p
}

func (x *xmlDecoder) location(c *xel, path string) *Location {
	l := &Location{}
	hasID := false
	for i, k := range c.children {
		kp := path + "/" + k.local
		switch {
		case !isEPCIS(k.space):
			if !hasID {
				x.failf(k.line, kp, "<id> must come first in <%s>", c.local)
			}
			l.Extensions = append(l.Extensions, x.extNode(k, kp))
		case k.local == "id" && i == 0:
			hasID = true
			l.ID = x.uriText(k, kp)
		case k.local == "extension" && hasID && len(l.Extensions) == 0:
			x.rejectLocalExtension(k, path)
		default:
			x.failf(k.line, kp, "<%s> is not allowed here in <%s>: it holds <id> and then elements of other namespaces", k.local, c.local)
		}
	}
	if !hasID {
		x.failf(c.line, path, "<id> is required in <%s>", c.local)
	}
	l.Extensions = groupRuns(l.Extensions)
	return l
}

func (x *xmlDecoder) bizTransactions(c *xel, path string) []BizTransaction {
	var out []BizTransaction
	for _, k := range c.children {
		kp := path + "/" + k.local
		if k.local != "bizTransaction" || !isEPCIS(k.space) {
			x.failf(k.line, kp, "<bizTransactionList> may only contain <bizTransaction> elements")
		}
		var bt BizTransaction
		for _, a := range k.attrs {
			switch {
			case a.space == "" && a.local == "type":
				bt.Type = x.vocab(k, kp+"/@type", VocabBizTransaction, strings.TrimSpace(a.value))
			case a.space == nsXSI:
			default:
				x.failf(k.line, kp, "attribute %s is not allowed on <bizTransaction>", attrName(a))
			}
		}
		bt.Value = x.uriText(k, kp)
		out = append(out, bt)
	}
	if len(out) == 0 {
		x.failf(c.line, path, "<bizTransactionList> needs at least one <bizTransaction>")
	}
	return out
}

func (x *xmlDecoder) sourceDest(c *xel, path, item string) []SourceDest {
	var out []SourceDest
	for _, k := range c.children {
		kp := path + "/" + k.local
		if k.local != item || !isEPCIS(k.space) {
			x.failf(k.line, kp, "<%s> may only contain <%s> elements", c.local, item)
		}
		var sd SourceDest
		hasType := false
		for _, a := range k.attrs {
			switch {
			case a.space == "" && a.local == "type":
				hasType = true
				sd.Type = x.vocab(k, kp+"/@type", VocabSourceDest, strings.TrimSpace(a.value))
			case a.space == nsXSI:
			default:
				x.failf(k.line, kp, "attribute %s is not allowed on <%s>", attrName(a), item)
			}
		}
		if !hasType {
			x.failf(k.line, kp, "the type attribute is required on <%s>", item)
		}
		sd.Value = x.uriText(k, kp)
		out = append(out, sd)
	}
	if len(out) == 0 {
		x.failf(c.line, path, "<%s> needs at least one <%s>", c.local, item)
	}
	return out
}

func (x *xmlDecoder) sensorElements(c *xel, path string) []SensorElement {
	var out []SensorElement
	for i, k := range c.children {
		kp := path + "/" + k.local
		if k.local == "extension" && isEPCIS(k.space) && i == len(c.children)-1 && i > 0 {
			x.rejectLocalExtension(k, path)
			continue
		}
		if k.local != "sensorElement" || !isEPCIS(k.space) {
			x.failf(k.line, kp, "<sensorElementList> may only contain <sensorElement> elements")
		}
		out = append(out, x.sensorElement(k, kp))
	}
	if len(out) == 0 {
		x.failf(c.line, path, "<sensorElementList> needs at least one <sensorElement>")
	}
	return out
}

func (x *xmlDecoder) sensorElement(c *xel, path string) SensorElement {
	var se SensorElement
	step := 0 // 0 metadata allowed, 1 reports, 2 after extension/foreign
	for _, k := range c.children {
		kp := path + "/" + k.local
		if !isEPCIS(k.space) {
			step = 2
			se.Extensions = append(se.Extensions, x.extNode(k, kp))
			continue
		}
		switch {
		case k.local == "sensorMetadata" && step == 0 && se.Metadata == nil:
			se.Metadata = x.sensorMetadata(k, kp)
			step = 1
		case k.local == "sensorReport" && step <= 1:
			step = 1
			se.Reports = append(se.Reports, x.sensorReport(k, kp))
		case k.local == "extension" && step == 1:
			x.rejectLocalExtension(k, path)
			step = 2
		default:
			x.failf(k.line, kp, "<%s> is not allowed here: a sensorElement is an optional <sensorMetadata>, one or more <sensorReport>, then elements of other namespaces", k.local)
		}
	}
	if len(se.Reports) == 0 {
		x.failf(c.line, path, "<sensorElement> needs at least one <sensorReport>")
	}
	se.Extensions = groupRuns(se.Extensions)
	return se
}

func (x *xmlDecoder) attrTime(c *xel, path string, a xattr) time.Time {
	t, ok := parseEPCISTime(strings.TrimSpace(a.value))
	if !ok {
		x.failf(c.line, path+"/@"+a.local, "%s %q is not a date-time with seconds and a time zone", a.local, a.value)
	}
	return t
}

func (x *xmlDecoder) attrURI(c *xel, path string, a xattr) string {
	s := strings.TrimSpace(a.value)
	if !isAbsURI(s) {
		x.failf(c.line, path+"/@"+a.local, "%s %q is not an absolute URI", a.local, s)
	}
	return s
}

func (x *xmlDecoder) attrDouble(c *xel, path string, a xattr) *float64 {
	s := strings.TrimSpace(a.value)
	if !isXSDDouble(s) {
		x.failf(c.line, path+"/@"+a.local, "%s %q is not a finite number", a.local, s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		x.failf(c.line, path+"/@"+a.local, "%s %q is out of range", a.local, s)
	}
	return &f
}

// attrExtension turns a namespaced attribute of sensorMetadata or sensorReport into a node.
func (x *xmlDecoder) attrExtension(c *xel, path string, a xattr) Node {
	if a.space == "" {
		x.failf(c.line, path+"/@"+a.local, "unknown attribute %q on <%s>", a.local, c.local)
	}
	return Node{Space: a.space, Local: a.local, Prefix: a.prefix, Kind: KindString, Value: a.value}
}

func (x *xmlDecoder) sensorMetadata(c *xel, path string) *SensorMetadata {
	if len(c.children) > 0 || c.hasText {
		x.failf(c.line, path, "<sensorMetadata> carries its data in attributes and must be empty")
	}
	m := &SensorMetadata{}
	for _, a := range c.attrs {
		if a.space != "" {
			if a.space == nsXSI {
				continue
			}
			m.Extensions = append(m.Extensions, x.attrExtension(c, path, a))
			continue
		}
		switch a.local {
		case "time":
			m.Time = x.attrTime(c, path, a)
		case "startTime":
			m.StartTime = x.attrTime(c, path, a)
		case "endTime":
			m.EndTime = x.attrTime(c, path, a)
		case "deviceID":
			m.DeviceID = x.attrURI(c, path, a)
		case "deviceMetadata":
			m.DeviceMetadata = x.attrURI(c, path, a)
		case "rawData":
			m.RawData = x.attrURI(c, path, a)
		case "dataProcessingMethod":
			m.DataProcessingMethod = x.attrURI(c, path, a)
		case "bizRules":
			m.BizRules = x.attrURI(c, path, a)
		default:
			x.attrExtension(c, path, a)
		}
	}
	return m
}

func (x *xmlDecoder) sensorReport(c *xel, path string) SensorReport {
	if len(c.children) > 0 || c.hasText {
		x.failf(c.line, path, "<sensorReport> carries its data in attributes and must be empty")
	}
	var r SensorReport
	for _, a := range c.attrs {
		if a.space != "" {
			if a.space == nsXSI {
				continue
			}
			r.Extensions = append(r.Extensions, x.attrExtension(c, path, a))
			continue
		}
		v := strings.TrimSpace(a.value)
		switch a.local {
		case "type":
			r.Type = x.vocab(c, path+"/@type", VocabMeasurementType, v)
		case "exception":
			r.Exception = x.vocab(c, path+"/@exception", VocabSensorAlert, v)
		case "component":
			r.Component = x.vocab(c, path+"/@component", VocabComponent, v)
		case "deviceID":
			r.DeviceID = x.attrURI(c, path, a)
		case "deviceMetadata":
			r.DeviceMetadata = x.attrURI(c, path, a)
		case "rawData":
			r.RawData = x.attrURI(c, path, a)
		case "dataProcessingMethod":
			r.DataProcessingMethod = x.attrURI(c, path, a)
		case "bizRules":
			r.BizRules = x.attrURI(c, path, a)
		case "time":
			r.Time = x.attrTime(c, path, a)
		case "microorganism":
			r.Microorganism = x.attrURI(c, path, a)
		case "chemicalSubstance":
			r.ChemicalSubstance = x.attrURI(c, path, a)
		case "coordinateReferenceSystem":
			r.CoordinateReferenceSystem = x.attrURI(c, path, a)
		case "uriValue":
			r.URIValue = x.attrURI(c, path, a)
		case "stringValue":
			r.StringValue = a.value
		case "hexBinaryValue":
			r.HexBinaryValue = v
		case "uom":
			r.UOM = v
		case "booleanValue":
			var b bool
			switch v {
			case "true", "1":
				b = true
			case "false", "0":
			default:
				x.failf(c.line, path+"/@booleanValue", "booleanValue %q is not true or false", a.value)
			}
			r.BooleanValue = &b
		case "value":
			r.Value = x.attrDouble(c, path, a)
		case "minValue":
			r.MinValue = x.attrDouble(c, path, a)
		case "maxValue":
			r.MaxValue = x.attrDouble(c, path, a)
		case "meanValue":
			r.MeanValue = x.attrDouble(c, path, a)
		case "sDev":
			r.SDev = x.attrDouble(c, path, a)
		case "percRank":
			r.PercRank = x.attrDouble(c, path, a)
		case "percValue":
			r.PercValue = x.attrDouble(c, path, a)
		default:
			x.attrExtension(c, path, a)
		}
	}
	return r
}

func (x *xmlDecoder) ilmd(c *xel, path string) *Extensions {
	out := Extensions{}
	for i, k := range c.children {
		kp := path + "/" + k.local
		if isEPCIS(k.space) {
			if k.local == "extension" && i == 0 {
				x.rejectLocalExtension(k, path)
				continue
			}
			x.failf(k.line, kp, "ilmd element <%s> has no namespace: ILMD fields must be elements of a namespace other than EPCIS", k.local)
		}
		out = append(out, x.extNode(k, kp))
	}
	if c.hasText {
		x.failf(c.line, path, "unexpected text in <ilmd>")
	}
	out = groupRuns(out)
	return &out
}

// ---- extension nodes ----

// groupRuns folds runs of adjacent siblings with the same name into list nodes: repeated
// XML elements are how a JSON array is written.
func groupRuns(x Extensions) Extensions {
	same := func(a, b *Node) bool { return a.Space == b.Space && a.Local == b.Local && a.Prefix == b.Prefix }
	for i := 0; i+1 < len(x); i++ {
		if same(&x[i], &x[i+1]) {
			goto group
		}
	}
	return x
group:
	out := make(Extensions, 0, len(x))
	for i := 0; i < len(x); {
		j := i + 1
		for j < len(x) && same(&x[i], &x[j]) {
			j++
		}
		if j-i == 1 {
			out = append(out, x[i])
		} else {
			items := make([]Node, j-i)
			copy(items, x[i:j])
			out = append(out, Node{Space: x[i].Space, Local: x[i].Local, Prefix: x[i].Prefix, Kind: KindList, Children: items})
		}
		i = j
	}
	return out
}

// extNode converts a user element into a node.
func (x *xmlDecoder) extNode(c *xel, path string) Node {
	n := Node{Space: c.space, Local: c.local, Prefix: c.prefix}
	kind, xsiType, xsiNil := "", "", ""
	for _, a := range c.attrs {
		switch {
		case a.space == nsJSONMarker && a.local == "kind":
			kind = a.value
		case a.space == nsXSI && a.local == "type" && xsiType == "":
			xsiType = normalizeXSIType(a.value, c.scope)
		case a.space == nsXSI && a.local == "nil" && xsiNil == "":
			xsiNil = a.value
		}
	}
	// Which of the markers become the node kind rather than attributes.
	useKind, useType, useNil := false, false, false
	switch {
	case kind == "list":
		useKind = true
		if c.hasText {
			x.failf(c.line, path, "a list element cannot contain text")
		}
		n.Kind = KindList
		for _, k := range c.children {
			if k.space != c.space || k.local != c.local {
				x.failf(k.line, path, "item <%s> of list <%s> must have the list's name", rawXName(k), rawXName(c))
			}
			item := x.extNode(k, path)
			item.Prefix = n.Prefix
			n.Children = append(n.Children, item)
		}
	case kind == "object" || len(c.children) > 0:
		useKind = kind == "object"
		if c.hasText {
			x.failf(c.line, path, "<%s> mixes text and elements, which cannot be kept", rawXName(c))
		}
		n.Kind = KindObject
		if len(c.children) > 0 {
			out := make(Extensions, 0, len(c.children))
			for _, k := range c.children {
				out = append(out, x.extNode(k, path+"/"+k.local))
			}
			n.Children = groupRuns(out)
		}
	default:
		n.Kind = KindString
		n.Value = c.text
		switch {
		case xsiNil == "true" && c.text == "" && xsiType == "":
			n.Kind, n.Value = KindNull, ""
			useNil = true
		case xsiType != "" && xsiNil == "":
			switch {
			case xsiType == "xsd:boolean" && (c.text == "true" || c.text == "false"):
				n.Kind, useType = KindBool, true
			case isJSONNumberLiteral(c.text) && xsiType == "xsd:"+numberXSDType(c.text):
				n.Kind, useType = KindNumber, true
			}
		}
	}
	for _, a := range c.attrs {
		switch {
		case a.space == nsJSONMarker && a.local == "kind" && useKind:
		case a.space == nsXSI && a.local == "type" && useType:
		case a.space == nsXSI && a.local == "nil" && useNil:
		case a.space == nsXSI && a.local == "type":
			n.Attrs = append(n.Attrs, Attr{Space: a.space, Local: a.local, Value: normalizeXSIType(a.value, c.scope)})
		default:
			n.Attrs = append(n.Attrs, Attr{Space: a.space, Local: a.local, Value: a.value})
		}
	}
	return n
}

// normalizeXSIType rewrites an xsi:type QName in the XML Schema namespace to the xsd:
// prefix, so that the value stays meaningful wherever the node is written again.
func normalizeXSIType(v string, sc *nsScope) string {
	v = strings.TrimSpace(v)
	i := strings.IndexByte(v, ':')
	if i < 0 {
		return v
	}
	if uri, ok := lookupXML(sc, v[:i]); ok && uri == nsXMLSchema {
		return "xsd:" + v[i+1:]
	}
	return v
}

// numberXSDType names the XSD type the encoder writes for a JSON number literal.
func numberXSDType(lit string) string {
	if strings.ContainsAny(lit, "eE") {
		return "double"
	}
	if strings.IndexByte(lit, '.') >= 0 {
		return "decimal"
	}
	return "integer"
}

func asZError(err error) *zhuisu.Error {
	var ze *zhuisu.Error
	if errors.As(err, &ze) {
		return ze
	}
	return nil
}

// ---- encoding ----

// EncodeXML writes an EPCIS 2.0 XML EPCISDocument containing events. Standard vocabulary
// values are written as urn:epcglobal:cbv URNs (sensor vocabularies as gs1:/cbv: CURIEs,
// both prefixes declared), elements follow the XSD order, and user extensions keep their
// names, prefixes, nesting and (see above) JSON kinds.
func EncodeXML(w io.Writer, events []*Event) error {
	return encodeXMLDocument(w, events, false, "")
}

// EncodeXMLQuery writes an EPCIS 2.0 XML EPCISQueryDocument (namespace
// urn:epcglobal:epcis-query:xsd:2) holding events as the results of the query queryName:
// EPCISBody/epcisq:QueryResults with queryName and resultsBody/EventList, as
// EPCglobal-epcis-query-2_0.xsd requires. The optional subscriptionID is not written: the
// results are those of a poll, not of a subscription. Events are written as EncodeXML
// writes them.
func EncodeXMLQuery(w io.Writer, queryName string, events []*Event) error {
	return encodeXMLDocument(w, events, true, queryName)
}

// encodeXMLDocument writes an EPCISDocument, or with query an EPCISQueryDocument.
func encodeXMLDocument(w io.Writer, events []*Event, query bool, queryName string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := &xmlEncoder{w: bw}
	ns := newNSCollector()
	for _, e := range events {
		ns.event(e)
	}
	enc.ns = ns
	rootPrefix, rootSpace, rootName := "epcis", NamespaceEPCIS, "epcis:EPCISDocument"
	if query {
		rootPrefix, rootSpace, rootName = "epcisq", NamespaceEPCISQuery, "epcisq:EPCISQueryDocument"
	}
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	bw.WriteString(`<` + rootName + ` xmlns:` + rootPrefix + `="` + rootSpace + `" xmlns:xsi="` + nsXSI + `" xmlns:xsd="` + nsXMLSchema +
		`" xmlns:gs1="` + GS1VocPrefix + `" xmlns:cbv="` + CBVWebPrefix + `"`)
	root := &nsScope{}
	root.add(rootPrefix, rootSpace)
	root.add("xsi", nsXSI)
	root.add("xsd", nsXMLSchema)
	root.add("gs1", GS1VocPrefix)
	root.add("cbv", CBVWebPrefix)
	for _, d := range ns.decl {
		if _, taken := lookupXML(root, d.prefix); taken || d.prefix == "xml" || strings.HasPrefix(strings.ToLower(d.prefix), "xml") {
			continue
		}
		root.add(d.prefix, d.uri)
		bw.WriteString(` xmlns:` + d.prefix + `="`)
		enc.attrText(d.uri)
		bw.WriteByte('"')
	}
	enc.scope = root
	var tb []byte
	tb = appendEPCISTime(tb, time.Now().UTC().Truncate(time.Millisecond))
	bw.WriteString(` schemaVersion="2.0" creationDate="` + string(tb) + `">` + "\n<EPCISBody>\n")
	if query {
		bw.WriteString("<epcisq:QueryResults>\n")
		enc.leaf("queryName", queryName)
		bw.WriteString("\n<resultsBody>\n")
	}
	bw.WriteString("<EventList>\n")
	for _, e := range events {
		enc.event(e)
	}
	bw.WriteString("</EventList>\n")
	if query {
		bw.WriteString("</resultsBody>\n</epcisq:QueryResults>\n")
	}
	bw.WriteString("</EPCISBody>\n</" + rootName + ">\n")
	return bw.Flush()
}

type xmlEncoder struct {
	w     *bufio.Writer
	ns    *nsCollector
	scope *nsScope
	buf   []byte
	// vocabPfx is the current event's VocabPrefixes.
	vocabPfx map[string]string
}

// vocab returns the form EPCIS XML writes for a held vocabulary value of the current
// event: xmlVocab's, or the compact URI the event's VocabPrefixes give when the prefix is
// bound to that namespace where the value is written.
func (x *xmlEncoder) vocab(v Vocabulary, held string) string {
	if len(x.vocabPfx) > 0 {
		if p, uri, rest, ok := compactVocab(x.vocabPfx, held); ok {
			if bound, found := lookupXML(x.scope, p); found && bound == uri {
				return p + ":" + rest
			}
		}
	}
	return xmlVocab(v, held)
}

func (x *xmlEncoder) text(s string) { x.escape(s, false) }

func (x *xmlEncoder) attrText(s string) { x.escape(s, true) }

func (x *xmlEncoder) escape(s string, attr bool) {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var rep string
		switch c {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			if !attr {
				continue
			}
			rep = "&quot;"
		case '\r':
			rep = "&#xD;"
		case '\n':
			if !attr {
				continue
			}
			rep = "&#xA;"
		case '\t':
			if !attr {
				continue
			}
			rep = "&#x9;"
		default:
			if c < 0x20 {
				rep = "\uFFFD"
			} else {
				continue
			}
		}
		x.w.WriteString(s[start:i])
		x.w.WriteString(rep)
		start = i + 1
	}
	x.w.WriteString(s[start:])
}

func (x *xmlEncoder) leaf(name, value string) {
	x.w.WriteString("<" + name + ">")
	x.text(value)
	x.w.WriteString("</" + name + ">")
}

func (x *xmlEncoder) timeLeaf(name string, t time.Time) {
	x.buf = appendEPCISTime(x.buf[:0], t)
	x.w.WriteString("<" + name + ">")
	x.w.Write(x.buf)
	x.w.WriteString("</" + name + ">")
}

func (x *xmlEncoder) attr(name, value string) {
	x.w.WriteString(" " + name + `="`)
	x.attrText(value)
	x.w.WriteByte('"')
}

func (x *xmlEncoder) event(e *Event) {
	x.ns.event(e)
	name := string(e.Type)
	if !isNCName(name) {
		name = "ObjectEvent"
	}
	x.w.WriteString("<" + name)
	// The root declares the VocabPrefixes of all events. Where it does not bind one to the
	// event's namespace (an earlier event bound the prefix otherwise, or the JSON-LD
	// context defines it without a declaration, as dcterms:), the event declares it.
	x.vocabPfx = e.VocabPrefixes
	pushed := false
	for _, p := range sortedVocabPrefixes(e.VocabPrefixes) {
		uri := e.VocabPrefixes[p]
		if bound, ok := lookupXML(x.scope, p); ok && bound == uri || !usableVocabPrefix(p) {
			continue
		}
		if !pushed {
			x.scope = &nsScope{parent: x.scope}
			pushed = true
		}
		x.scope.add(p, uri)
		x.w.WriteString(" xmlns:" + p + `="`)
		x.attrText(uri)
		x.w.WriteByte('"')
	}
	x.w.WriteByte('>')
	present := modelFields(e)
	written := fldType
	for _, f := range xsdOrder(e.Type) {
		if present&f != 0 {
			x.field(e, f)
			written |= f
		}
	}
	if rest := present &^ written; rest != 0 {
		for _, f := range orderAll {
			if rest&f != 0 {
				x.field(e, f)
			}
		}
	}
	x.nodes(e.Extensions)
	x.w.WriteString("</" + name + ">\n")
	x.popDecl(pushed)
	x.vocabPfx = nil
}

func (x *xmlEncoder) idList(name, item string, ids []string) {
	x.w.WriteString("<" + name + ">")
	for _, id := range ids {
		x.leaf(item, id)
	}
	x.w.WriteString("</" + name + ">")
}

func (x *xmlEncoder) quantities(name string, qs []QuantityElement) {
	x.w.WriteString("<" + name + ">")
	for i := range qs {
		q := &qs[i]
		x.w.WriteString("<quantityElement>")
		x.leaf("epcClass", q.EPCClass)
		if q.Quantity != nil {
			x.buf = strconv.AppendFloat(x.buf[:0], *q.Quantity, 'f', -1, 64)
			x.w.WriteString("<quantity>")
			x.w.Write(x.buf)
			x.w.WriteString("</quantity>")
			if q.UOM != "" {
				x.leaf("uom", q.UOM)
			}
		}
		x.w.WriteString("</quantityElement>")
	}
	x.w.WriteString("</" + name + ">")
}

func (x *xmlEncoder) field(e *Event, f fieldBit) {
	switch f {
	case fldEventTime:
		x.timeLeaf("eventTime", e.EventTime)
	case fldRecordTime:
		x.timeLeaf("recordTime", e.RecordTime)
	case fldEventTimeZoneOffset:
		x.leaf("eventTimeZoneOffset", e.EventTimeZoneOffset)
	case fldEventID:
		x.leaf("eventID", e.EventID)
	case fldCertificationInfo:
		for _, c := range e.CertificationInfo {
			x.leaf("certificationInfo", c)
		}
	case fldErrorDeclaration:
		ed := e.ErrorDeclaration
		x.w.WriteString("<errorDeclaration>")
		x.timeLeaf("declarationTime", ed.DeclarationTime)
		if ed.Reason != "" {
			x.leaf("reason", x.vocab(VocabErrorReason, ed.Reason))
		}
		if len(ed.CorrectiveEventIDs) > 0 {
			x.idList("correctiveEventIDs", "correctiveEventID", ed.CorrectiveEventIDs)
		}
		x.nodes(ed.Extensions)
		x.w.WriteString("</errorDeclaration>")
	case fldParentID:
		x.leaf("parentID", e.ParentID)
	case fldEPCList:
		x.idList("epcList", "epc", e.EPCList)
	case fldChildEPCs:
		x.idList("childEPCs", "epc", e.ChildEPCs)
	case fldInputEPCList:
		x.idList("inputEPCList", "epc", e.InputEPCList)
	case fldOutputEPCList:
		x.idList("outputEPCList", "epc", e.OutputEPCList)
	case fldQuantityList:
		x.quantities("quantityList", e.QuantityList)
	case fldChildQuantityList:
		x.quantities("childQuantityList", e.ChildQuantityList)
	case fldInputQuantityList:
		x.quantities("inputQuantityList", e.InputQuantityList)
	case fldOutputQuantityList:
		x.quantities("outputQuantityList", e.OutputQuantityList)
	case fldAction:
		x.leaf("action", e.Action)
	case fldTransformationID:
		x.leaf("transformationID", e.TransformationID)
	case fldBizStep:
		x.leaf("bizStep", x.vocab(VocabBizStep, e.BizStep))
	case fldDisposition:
		x.leaf("disposition", x.vocab(VocabDisposition, e.Disposition))
	case fldPersistentDisposition:
		p := e.PersistentDisposition
		x.w.WriteString("<persistentDisposition>")
		for _, d := range p.Unset {
			x.leaf("unset", x.vocab(VocabDisposition, d))
		}
		for _, d := range p.Set {
			x.leaf("set", x.vocab(VocabDisposition, d))
		}
		x.w.WriteString("</persistentDisposition>")
	case fldReadPoint:
		x.location("readPoint", e.ReadPoint)
	case fldBizLocation:
		x.location("bizLocation", e.BizLocation)
	case fldBizTransactionList:
		x.w.WriteString("<bizTransactionList>")
		for _, bt := range e.BizTransactionList {
			x.w.WriteString("<bizTransaction")
			if bt.Type != "" {
				x.attr("type", x.vocab(VocabBizTransaction, bt.Type))
			}
			x.w.WriteByte('>')
			x.text(bt.Value)
			x.w.WriteString("</bizTransaction>")
		}
		x.w.WriteString("</bizTransactionList>")
	case fldSourceList:
		x.sourceDest("sourceList", "source", e.SourceList)
	case fldDestinationList:
		x.sourceDest("destinationList", "destination", e.DestinationList)
	case fldSensorElementList:
		x.w.WriteString("<sensorElementList>")
		for i := range e.SensorElementList {
			x.sensorElement(&e.SensorElementList[i])
		}
		x.w.WriteString("</sensorElementList>")
	case fldILMD:
		x.w.WriteString("<ilmd>")
		x.nodes(*e.ILMD)
		x.w.WriteString("</ilmd>")
	}
}

func (x *xmlEncoder) location(name string, l *Location) {
	x.w.WriteString("<" + name + ">")
	x.leaf("id", l.ID)
	x.nodes(l.Extensions)
	x.w.WriteString("</" + name + ">")
}

func (x *xmlEncoder) sourceDest(list, item string, sds []SourceDest) {
	x.w.WriteString("<" + list + ">")
	for _, sd := range sds {
		x.w.WriteString("<" + item)
		x.attr("type", x.vocab(VocabSourceDest, sd.Type))
		x.w.WriteByte('>')
		x.text(sd.Value)
		x.w.WriteString("</" + item + ">")
	}
	x.w.WriteString("</" + list + ">")
}

func (x *xmlEncoder) timeAttr(name string, t time.Time) {
	if t.IsZero() {
		return
	}
	x.buf = appendEPCISTime(x.buf[:0], t)
	x.w.WriteString(" " + name + `="`)
	x.w.Write(x.buf)
	x.w.WriteByte('"')
}

func (x *xmlEncoder) strAttr(name, v string) {
	if v != "" {
		x.attr(name, v)
	}
}

func (x *xmlEncoder) numAttr(name string, v *float64) {
	if v != nil {
		x.buf = appendFloatShortest(x.buf[:0], *v)
		x.w.WriteString(" " + name + `="`)
		x.w.Write(x.buf)
		x.w.WriteByte('"')
	}
}

func (x *xmlEncoder) sensorElement(se *SensorElement) {
	x.w.WriteString("<sensorElement>")
	if m := se.Metadata; m != nil {
		x.w.WriteString("<sensorMetadata")
		decl := x.attrExtDecls(m.Extensions)
		x.timeAttr("time", m.Time)
		x.timeAttr("startTime", m.StartTime)
		x.timeAttr("endTime", m.EndTime)
		x.strAttr("deviceID", m.DeviceID)
		x.strAttr("deviceMetadata", m.DeviceMetadata)
		x.strAttr("rawData", m.RawData)
		x.strAttr("dataProcessingMethod", m.DataProcessingMethod)
		x.strAttr("bizRules", m.BizRules)
		x.attrExts(m.Extensions)
		x.w.WriteString("/>")
		x.popDecl(decl)
	}
	for i := range se.Reports {
		r := &se.Reports[i]
		x.w.WriteString("<sensorReport")
		decl := x.attrExtDecls(r.Extensions)
		if r.Type != "" {
			x.attr("type", x.vocab(VocabMeasurementType, r.Type))
		}
		if r.Exception != "" {
			x.attr("exception", x.vocab(VocabSensorAlert, r.Exception))
		}
		x.strAttr("deviceID", r.DeviceID)
		x.strAttr("deviceMetadata", r.DeviceMetadata)
		x.strAttr("rawData", r.RawData)
		x.strAttr("dataProcessingMethod", r.DataProcessingMethod)
		x.strAttr("bizRules", r.BizRules)
		x.timeAttr("time", r.Time)
		x.strAttr("microorganism", r.Microorganism)
		x.strAttr("chemicalSubstance", r.ChemicalSubstance)
		x.numAttr("value", r.Value)
		if r.Component != "" {
			x.attr("component", x.vocab(VocabComponent, r.Component))
		}
		x.strAttr("stringValue", r.StringValue)
		if r.BooleanValue != nil {
			x.attr("booleanValue", strconv.FormatBool(*r.BooleanValue))
		}
		x.strAttr("hexBinaryValue", r.HexBinaryValue)
		x.strAttr("uriValue", r.URIValue)
		x.numAttr("minValue", r.MinValue)
		x.numAttr("maxValue", r.MaxValue)
		x.numAttr("meanValue", r.MeanValue)
		x.numAttr("sDev", r.SDev)
		x.numAttr("percRank", r.PercRank)
		x.numAttr("percValue", r.PercValue)
		x.strAttr("uom", r.UOM)
		x.strAttr("coordinateReferenceSystem", r.CoordinateReferenceSystem)
		x.attrExts(r.Extensions)
		x.w.WriteString("/>")
		x.popDecl(decl)
	}
	x.nodes(se.Extensions)
	x.w.WriteString("</sensorElement>")
}

// attrExtDecls declares, on the element being opened, the prefixes its attribute
// extensions need; it returns whether a scope was pushed.
func (x *xmlEncoder) attrExtDecls(ext Extensions) bool {
	pushed := false
	for i := range ext {
		n := &ext[i]
		p := x.attrExtPrefix(n)
		if uri, ok := lookupXML(x.scope, p); ok && uri == n.Space {
			continue
		}
		if !pushed {
			x.scope = &nsScope{parent: x.scope}
			pushed = true
		}
		x.scope.add(p, n.Space)
		x.w.WriteString(" xmlns:" + p + `="`)
		x.attrText(n.Space)
		x.w.WriteByte('"')
	}
	return pushed
}

func (x *xmlEncoder) attrExtPrefix(n *Node) string {
	if n.Prefix != "" && n.Prefix != "xmlns" {
		return n.Prefix
	}
	return x.ns.attrPrefix(n.Space)
}

func (x *xmlEncoder) popDecl(pushed bool) {
	if pushed {
		x.scope = x.scope.parent
	}
}

// attrExts writes extension nodes of sensorMetadata/sensorReport as attributes. XML can only
// hold text there: other kinds are written in their JSON form.
func (x *xmlEncoder) attrExts(ext Extensions) {
	for i := range ext {
		n := &ext[i]
		v := n.Value
		if n.Kind == KindObject || n.Kind == KindList || len(n.Attrs) > 0 {
			v = string(appendNodeValue(nil, n, x.ns))
		}
		x.attr(x.attrExtPrefix(n)+":"+n.Local, v)
	}
}

// nodes writes extension nodes as elements.
func (x *xmlEncoder) nodes(ext Extensions) {
	for i := range ext {
		n := &ext[i]
		if n.Kind == KindList && x.repeatable(ext, i) {
			for j := range n.Children {
				item := n.Children[j]
				item.Space, item.Local, item.Prefix = n.Space, n.Local, n.Prefix
				x.node(&item)
			}
			continue
		}
		x.node(n)
	}
}

// repeatable reports whether list node ext[i] can be written as repeated sibling elements
// and read back as the same list.
func (x *xmlEncoder) repeatable(ext Extensions, i int) bool {
	n := &ext[i]
	if len(n.Children) < 2 || len(n.Attrs) > 0 {
		return false
	}
	for j := range n.Children {
		if n.Children[j].Kind == KindList {
			return false
		}
	}
	same := func(o *Node) bool { return o.Space == n.Space && o.Local == n.Local && o.Prefix == n.Prefix }
	if i > 0 && same(&ext[i-1]) || i+1 < len(ext) && same(&ext[i+1]) {
		return false
	}
	return true
}

// node writes one extension element.
func (x *xmlEncoder) node(n *Node) {
	name := n.Local
	var pushed bool
	push := func(p, uri string) {
		if !pushed {
			x.scope = &nsScope{parent: x.scope}
			pushed = true
		}
		if p == "" {
			x.scope.dflt, x.scope.hasDflt = uri, true
		} else {
			x.scope.add(p, uri)
		}
	}
	x.w.WriteString("<")
	var decls []nsDecl
	switch {
	case n.Prefix != "":
		name = n.Prefix + ":" + n.Local
		if uri, ok := lookupXML(x.scope, n.Prefix); !ok || uri != n.Space {
			push(n.Prefix, n.Space)
			decls = append(decls, nsDecl{n.Prefix, n.Space})
		}
	default:
		if x.scope.defaultNS() != n.Space {
			push("", n.Space)
			decls = append(decls, nsDecl{"", n.Space})
		}
	}
	x.w.WriteString(name)
	for _, d := range decls {
		if d.prefix == "" {
			x.w.WriteString(` xmlns="`)
		} else {
			x.w.WriteString(" xmlns:" + d.prefix + `="`)
		}
		x.attrText(d.uri)
		x.w.WriteByte('"')
	}
	hasXSIType, hasXSINil := false, false
	for _, a := range n.Attrs {
		an := a.Local
		switch a.Space {
		case "":
		case nsXSI:
			an = "xsi:" + a.Local
			hasXSIType = hasXSIType || a.Local == "type"
			hasXSINil = hasXSINil || a.Local == "nil"
			if uri, ok := lookupXML(x.scope, "xsi"); !ok || uri != nsXSI {
				push("xsi", nsXSI)
				x.w.WriteString(` xmlns:xsi="` + nsXSI + `"`)
			}
		default:
			p := x.ns.attrPrefix(a.Space)
			if uri, ok := lookupXML(x.scope, p); !ok || uri != a.Space {
				push(p, a.Space)
				x.w.WriteString(" xmlns:" + p + `="`)
				x.attrText(a.Space)
				x.w.WriteByte('"')
			}
			an = p + ":" + a.Local
		}
		x.attr(an, a.Value)
	}
	marker := func(kind string) {
		if uri, ok := lookupXML(x.scope, "zj"); !ok || uri != nsJSONMarker {
			push("zj", nsJSONMarker)
			x.w.WriteString(` xmlns:zj="` + nsJSONMarker + `"`)
		}
		x.attr("zj:kind", kind)
	}
	xsiAttr := func(local, value string) {
		if uri, ok := lookupXML(x.scope, "xsi"); !ok || uri != nsXSI {
			push("xsi", nsXSI)
			x.w.WriteString(` xmlns:xsi="` + nsXSI + `"`)
		}
		x.attr("xsi:"+local, value)
	}
	switch n.Kind {
	case KindObject:
		if len(n.Children) == 0 {
			marker("object")
			x.w.WriteString("/>")
		} else {
			x.w.WriteByte('>')
			x.nodes(n.Children)
			x.w.WriteString("</" + name + ">")
		}
	case KindList:
		marker("list")
		x.w.WriteByte('>')
		for j := range n.Children {
			item := n.Children[j]
			item.Space, item.Local, item.Prefix = n.Space, n.Local, n.Prefix
			x.node(&item)
		}
		x.w.WriteString("</" + name + ">")
	case KindNull:
		if !hasXSINil {
			xsiAttr("nil", "true")
		}
		x.w.WriteString("/>")
	case KindNumber, KindBool:
		if !hasXSIType && isJSONNumberLiteral(n.Value) && n.Kind == KindNumber {
			xsiAttr("type", "xsd:"+numberXSDType(n.Value))
		} else if !hasXSIType && n.Kind == KindBool {
			xsiAttr("type", "xsd:boolean")
		}
		x.w.WriteByte('>')
		x.text(n.Value)
		x.w.WriteString("</" + name + ">")
	default:
		x.w.WriteByte('>')
		x.text(n.Value)
		x.w.WriteString("</" + name + ">")
	}
	if pushed {
		x.scope = x.scope.parent
	}
}
