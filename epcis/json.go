package epcis

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// This file holds the JSON-LD codec: a hand-written decoder over the whole input (one pass,
// substrings of the input reused as values) and an append-style encoder.

// DecodeJSON reads an EPCISDocument in JSON-LD. It also accepts an EPCISQueryDocument
// (the events of its resultsBody) and a bare event object. Every event is checked with
// Validate. Errors are *zhuisu.Error: EInvalid/ValidationException with Field the JSON
// path ("epcisBody.eventList[3].action"), or ETooLarge/CaptureLimitExceededException
// when the document exceeds lim (zero fields take DefaultLimits).
func DecodeJSON(r io.Reader, lim Limits) (*Document, error) {
	b, err := readAll(r)
	if err != nil {
		ze := newValidationError("", "cannot read the document: %v", err)
		ze.Err = err
		return nil, ze
	}
	if len(b) == 0 {
		return decodeJSONDocument("", lim.withDefaults())
	}
	// The buffer is ours and never written again, so the decoder can read it as a string
	// and hand out substrings of it without copying.
	return decodeJSONDocument(unsafe.String(&b[0], len(b)), lim.withDefaults())
}

// readAll reads r to the end, sizing the buffer from r's length when r reports one.
func readAll(r io.Reader) ([]byte, error) {
	size := 64 << 10
	if l, ok := r.(interface{ Len() int }); ok {
		size = l.Len() + 1
	}
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// jsonAbort carries a decode error out of the recursive descent.
type jsonAbort struct{ err error }

type pathSeg struct {
	key string
	idx int // >= 0 for an array index
}

type jsonDecoder struct {
	s        string
	i        int
	depth    int
	maxDepth int
	path     []pathSeg
	scope    *nsScope // innermost declarations in force (document, then event)
	docScope *nsScope
	// Event-level @context handling: an event's @context may come after keys that need it,
	// so the first prefix lookup inside an event scans the event for it.
	evStart  int
	evScoped bool
	evScope  nsScope
	// noEventContext is set when the input holds at most one "@context", which then is the
	// document's: events need no look-ahead.
	noEventContext bool
	// vocabPfx collects the current event's VocabPrefixes.
	vocabPfx map[string]string
}

func (d *jsonDecoder) fail(format string, args ...any) {
	panic(jsonAbort{newValidationError(d.field(), format, args...)})
}

func (d *jsonDecoder) failAt(format string, args ...any) {
	args = append(args, d.i)
	panic(jsonAbort{newValidationError(d.field(), format+" (at byte offset %d)", args...)})
}

// field renders the current path: epcisBody.eventList[3].action.
func (d *jsonDecoder) field() string {
	var b strings.Builder
	for _, p := range d.path {
		if p.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p.idx))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.key)
	}
	return b.String()
}

func (d *jsonDecoder) pushKey(k string) { d.path = append(d.path, pathSeg{key: k, idx: -1}) }
func (d *jsonDecoder) pushIdx(i int)    { d.path = append(d.path, pathSeg{idx: i}) }
func (d *jsonDecoder) pop()             { d.path = d.path[:len(d.path)-1] }

func runJSON(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(jsonAbort)
			if !ok {
				panic(r)
			}
			err = a.err
		}
	}()
	f()
	return nil
}

// ---- lexical level ----

func (d *jsonDecoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, 0 at the end.
func (d *jsonDecoder) peek() byte {
	d.ws()
	if d.i >= len(d.s) {
		return 0
	}
	return d.s[d.i]
}

func (d *jsonDecoder) enter() {
	d.depth++
	if d.depth > d.maxDepth {
		panic(jsonAbort{newLimitError(d.field(), "the document nests objects and arrays deeper than %d levels", d.maxDepth)})
	}
}

// more advances in an object or array: it consumes the opening byte on the first call and
// a separating comma on later ones, and reports false (consuming the closing byte) at the end.
func (d *jsonDecoder) more(open, close byte, first *bool) bool {
	c := d.peek()
	if *first {
		if c != open {
			d.failAt("expected %q", open)
		}
		d.i++
		d.enter()
		*first = false
		if d.peek() == close {
			d.i++
			d.depth--
			return false
		}
		return true
	}
	switch c {
	case ',':
		d.i++
		return true
	case close:
		d.i++
		d.depth--
		return false
	}
	if c == 0 {
		d.failAt("unexpected end of input")
	}
	d.failAt("expected ',' or %q, found %q", close, c)
	return false
}

// key reads an object key and the colon after it.
func (d *jsonDecoder) key() string {
	if d.peek() != '"' {
		if d.i >= len(d.s) {
			d.failAt("unexpected end of input")
		}
		d.failAt("expected a string key, found %q", d.s[d.i])
	}
	k := d.str()
	if d.peek() != ':' {
		d.failAt("expected ':' after key %q", k)
	}
	d.i++
	return k
}

// str reads a JSON string (the opening quote is next).
func (d *jsonDecoder) str() string {
	start := d.i + 1 // after the opening quote
	s := d.s
	i := start
	for i < len(s) && jsonPlain[s[i]] {
		i++
	}
	if i < len(s) && s[i] == '"' {
		d.i = i + 1
		return s[start:i]
	}
	d.i = i
	if i < len(s) && s[i] == '\\' {
		return d.strSlow(start)
	}
	if i < len(s) {
		d.failAt("control character in string")
	}
	d.failAt("unterminated string")
	return ""
}

// jsonPlain marks the bytes that can appear unescaped inside a JSON string.
var jsonPlain = func() (t [256]bool) {
	for i := 0x20; i < 256; i++ {
		t[i] = i != '"' && i != '\\'
	}
	return
}()

func (d *jsonDecoder) strSlow(start int) string {
	buf := make([]byte, 0, d.i-start+16)
	buf = append(buf, d.s[start:d.i]...)
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(buf)
		case c < 0x20:
			d.failAt("control character in string")
		case c != '\\':
			buf = append(buf, c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.s) {
			break
		}
		e := d.s[d.i]
		d.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r := d.hex4()
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					r2 = d.hex4()
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						r2 = -2
					} else {
						d.i = save
					}
				}
				if r2 != -2 {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			d.i--
			d.failAt("invalid escape '\\%c' in string", e)
		}
	}
	d.failAt("unterminated string")
	return ""
}

func (d *jsonDecoder) hex4() rune {
	if d.i+4 > len(d.s) {
		d.failAt("invalid \\u escape")
	}
	var r rune
	for k := 0; k < 4; k++ {
		c := d.s[d.i+k]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			d.failAt("invalid \\u escape")
		}
		r = r<<4 | rune(v)
	}
	d.i += 4
	return r
}

// numLit reads a JSON number literal (the first byte is next).
func (d *jsonDecoder) numLit() string {
	start := d.i
	s := d.s
	i := d.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if i < len(s) && s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		d.failAt("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			d.i = i
			d.failAt("invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			d.i = i
			d.failAt("invalid number")
		}
	}
	d.i = i
	return s[start:i]
}

func (d *jsonDecoder) literal(word string) {
	if !strings.HasPrefix(d.s[d.i:], word) {
		d.failAt("invalid value")
	}
	d.i += len(word)
}

// kindName names the JSON kind starting with byte c, for messages.
func kindName(c byte) string {
	switch c {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case 0:
		return "nothing"
	}
	return "a number"
}

// skip skips one value of any kind, checking its syntax.
func (d *jsonDecoder) skip() {
	switch c := d.peek(); c {
	case '"':
		d.str()
	case '{':
		for first := true; d.more('{', '}', &first); {
			d.key()
			d.skip()
		}
	case '[':
		for first := true; d.more('[', ']', &first); {
			d.skip()
		}
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	case 0:
		d.failAt("unexpected end of input")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			d.numLit()
			return
		}
		d.failAt("unexpected character %q", c)
	}
}

// scanSkip skips one value without checks or depth accounting (it never recurses), for
// look-ahead scans; the main pass validates the same bytes later.
func scanSkip(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch s[i] {
		case '"':
			i++
			for i < len(s) {
				c := s[i]
				if c == '\\' {
					i += 2
					continue
				}
				i++
				if c == '"' {
					break
				}
			}
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth <= 0 {
				return i + 1
			}
		case ',', ':':
			if depth == 0 {
				return i
			}
		case ' ', '\t', '\n', '\r':
		default:
			if depth == 0 {
				j := i
				for j < len(s) && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ' && s[j] != '\n' && s[j] != '\r' && s[j] != '\t' {
					j++
				}
				return j
			}
		}
		i++
	}
	return i
}

// findKeys scans the object starting at s[i] ('{') for top-level keys and returns the
// offsets of their values (-1 when absent), without validating.
func findKeys(s string, i int, keys ...string) []int {
	pos := make([]int, len(keys))
	for k := range pos {
		pos[k] = -1
	}
	if i >= len(s) || s[i] != '{' {
		return pos
	}
	i++
	found := 0
	for i < len(s) && found < len(keys) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == ',') {
			i++
		}
		if i >= len(s) || s[i] != '"' {
			break
		}
		kEnd := scanSkip(s, i)
		k := s[i+1 : max(i+1, kEnd-1)]
		i = kEnd
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i >= len(s) || s[i] != ':' {
			break
		}
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		for n, want := range keys {
			if k == want && pos[n] < 0 {
				pos[n] = i
				found++
			}
		}
		i = scanSkip(s, i)
	}
	return pos
}

// ---- typed values ----

func (d *jsonDecoder) wantString(what string) string {
	if c := d.peek(); c != '"' {
		d.fail("%s must be a string, not %s", what, kindName(c))
	}
	return d.str()
}

func (d *jsonDecoder) wantURI(what string) string {
	s := d.wantString(what)
	if !isAbsURI(s) {
		d.fail("%s %q is not an absolute URI", what, s)
	}
	return s
}

func (d *jsonDecoder) wantTime(what string) time.Time {
	s := d.wantString(what)
	t, ok := parseEPCISTime(s)
	if !ok {
		d.fail("%s %q is not a date-time with seconds and a time zone, such as 2005-04-03T20:33:31.116-06:00", what, s)
	}
	return t
}

func (d *jsonDecoder) wantFloat(what string) *float64 {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		d.fail("%s must be a number, not %s", what, kindName(c))
	}
	lit := d.numLit()
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		d.fail("%s %s is out of range", what, lit)
	}
	return &f
}

func (d *jsonDecoder) wantBool(what string) *bool {
	var b bool
	switch d.peek() {
	case 't':
		d.literal("true")
		b = true
	case 'f':
		d.literal("false")
	default:
		d.fail("%s must be true or false, not %s", what, kindName(d.peek()))
	}
	return &b
}

// wantVocab reads a vocabulary value and returns its held form.
func (d *jsonDecoder) wantVocab(what string, v Vocabulary) string {
	s := d.wantString(what)
	if s == "" {
		d.fail("%s is empty: expected a standard %s or a URI", what, vocabTables[v].name)
	}
	if i := strings.IndexByte(s, ':'); i > 0 && s[:i] != "urn" && !strings.HasPrefix(s[i+1:], "//") {
		d.eventScope()
		exp := expandCURIE(s, d.scope)
		held := normalizeVocab(v, exp)
		if exp != s {
			// As DecodeXML does: the prefix is kept in Event.VocabPrefixes.
			d.vocabPfx = keepVocabPrefix(d.vocabPfx, s, exp, held)
		}
		return held
	}
	return normalizeVocab(v, s)
}

func (d *jsonDecoder) wantURIList(what string) []string {
	if c := d.peek(); c != '[' {
		d.fail("%s must be an array of URIs, not %s", what, kindName(c))
	}
	var out []string
	n := 0
	for first := true; d.more('[', ']', &first); n++ {
		d.pushIdx(n)
		if out == nil {
			out = make([]string, 0, 4)
		}
		if c := d.peek(); c != '"' {
			d.fail("%s entry must be a string, not %s", what, kindName(c))
		}
		v := d.str()
		if !isAbsURI(v) {
			d.fail("%s entry %q is not an absolute URI", what, v)
		}
		out = append(out, v)
		d.pop()
	}
	return out
}

// ---- contexts and names ----

// context reads an @context value (a URL, an object of prefix declarations, or an array of
// both) into sc.
func (d *jsonDecoder) context(sc *nsScope) {
	switch c := d.peek(); c {
	case '"':
		u := d.str()
		if !isAbsURI(u) {
			d.fail("@context entry %q is not a URL", u)
		}
	case '{':
		for first := true; d.more('{', '}', &first); {
			k := d.key()
			d.pushKey(k)
			switch d.peek() {
			case '"':
				v := d.str()
				if !strings.HasPrefix(k, "@") && strings.IndexByte(k, ':') < 0 {
					sc.add(k, v)
				}
			case '{':
				// Expanded term definition: {"@id": "...", ...}.
				id := ""
				for f2 := true; d.more('{', '}', &f2); {
					if d.key() == "@id" && d.peek() == '"' {
						id = d.str()
						continue
					}
					d.skip()
				}
				if id != "" && !strings.HasPrefix(k, "@") && strings.IndexByte(k, ':') < 0 {
					sc.add(k, id)
				}
			default:
				d.skip()
			}
			d.pop()
		}
	case '[':
		n := 0
		for first := true; d.more('[', ']', &first); n++ {
			d.pushIdx(n)
			if c := d.peek(); c != '"' && c != '{' {
				d.fail("@context entries must be URLs or objects, not %s", kindName(c))
			}
			d.context(sc)
			d.pop()
		}
	default:
		d.fail("@context must be a URL, an object or an array, not %s", kindName(c))
	}
}

// eventScope makes sure the current event's own @context, wherever it sits in the event
// object, is in force before a prefix is looked up.
func (d *jsonDecoder) eventScope() {
	if d.evScoped || d.noEventContext {
		return
	}
	d.evScoped = true
	pos := findKeys(d.s, d.evStart, "@context")[0]
	if pos < 0 {
		return
	}
	save, saveDepth := d.i, d.depth
	d.i = pos
	d.pushKey("@context")
	d.evScope = nsScope{parent: d.docScope}
	d.context(&d.evScope)
	d.pop()
	d.i, d.depth = save, saveDepth
	d.scope = &d.evScope
}

// name resolves a JSON key to an extension name. ok is false for a key without a prefix.
func (d *jsonDecoder) name(key string) (space, local, prefix string, ok bool) {
	i := strings.IndexByte(key, ':')
	if i < 0 {
		return "", key, "", false
	}
	if i == 0 {
		d.fail("field name %q has an empty prefix", key)
	}
	p, rest := key[:i], key[i+1:]
	if strings.HasPrefix(rest, "//") {
		space, local = splitIRIKey(key)
		return space, local, "", true
	}
	d.eventScope()
	if uri, found := d.scope.lookup(p); found {
		return uri, rest, p, true
	}
	if strings.ContainsAny(rest, "/#:") {
		space, local = splitIRIKey(key)
		return space, local, "", true
	}
	// An undeclared prefix makes the key an IRI with scheme p.
	return p + ":", rest, p, true
}

// ---- extension nodes ----

// node reads the value of extension field key.
func (d *jsonDecoder) node(key string, requirePrefix bool, where string) Node {
	space, local, prefix, ok := d.name(key)
	if !ok && requirePrefix {
		d.fail("%s field %q has no namespace prefix: user fields must be namespaced, e.g. \"example:%s\" with example declared in @context", where, key, key)
	}
	n := Node{Space: space, Local: local, Prefix: prefix}
	d.nodeValue(&n)
	return n
}

func (d *jsonDecoder) nodeValue(n *Node) {
	switch c := d.peek(); c {
	case '"':
		n.Kind = KindString
		n.Value = d.str()
	case 't':
		d.literal("true")
		n.Kind, n.Value = KindBool, "true"
	case 'f':
		d.literal("false")
		n.Kind, n.Value = KindBool, "false"
	case 'n':
		d.literal("null")
		n.Kind = KindNull
	case '[':
		n.Kind = KindList
		k := 0
		for first := true; d.more('[', ']', &first); k++ {
			d.pushIdx(k)
			item := Node{Space: n.Space, Local: n.Local, Prefix: n.Prefix}
			d.nodeValue(&item)
			n.Children = append(n.Children, item)
			d.pop()
		}
	case '{':
		n.Kind = KindObject
		hasValue := false
		for first := true; d.more('{', '}', &first); {
			k := d.key()
			d.pushKey(k)
			if strings.HasPrefix(k, "@") {
				switch {
				case k == "@value":
					if hasValue {
						d.fail("duplicate @value")
					}
					hasValue = true
					var v Node
					d.nodeValue(&v)
					if v.Kind == KindObject || v.Kind == KindList {
						d.fail("@value must be a string, number, boolean or null")
					}
					n.Kind, n.Value = v.Kind, v.Value
				case k == "@context":
					d.fail("@context is only supported at document and event level")
				default:
					// An XML attribute kept on the element: "@name" or "@prefix:name".
					aspace, alocal, _, _ := d.name(k[1:])
					if alocal == "" {
						d.fail("attribute key %q has no name", k)
					}
					if c := d.peek(); c != '"' {
						d.fail("attribute %s must be a string, not %s", k, kindName(c))
					}
					v := d.str()
					n.Attrs = append(n.Attrs, Attr{Space: aspace, Local: alocal, Value: v})
				}
			} else {
				n.Children = append(n.Children, d.node(k, false, ""))
			}
			d.pop()
		}
		if hasValue && len(n.Children) > 0 {
			d.fail("an object with @value cannot also have fields")
		}
	case 0:
		d.failAt("unexpected end of input")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			n.Kind = KindNumber
			n.Value = d.numLit()
			return
		}
		d.failAt("unexpected character %q", c)
	}
}

// ---- document level ----

func decodeJSONDocument(s string, lim Limits) (*Document, error) {
	if !utf8.ValidString(s) {
		return nil, newValidationError("", "the document is not valid UTF-8")
	}
	d := &jsonDecoder{s: s, maxDepth: lim.MaxDepth}
	d.path = make([]pathSeg, 0, 8)
	d.noEventContext = strings.Count(s, `"@context"`) <= 1
	doc := &Document{}
	err := runJSON(func() {
		if c := d.peek(); c != '{' {
			if c == 0 {
				d.failAt("the document is empty")
			}
			d.failAt("the document must be a JSON object, not %s", kindName(c))
		}
		d.docScope = &nsScope{}
		d.scope = d.docScope
		pos := findKeys(s, d.i, "@context", "type")
		if pos[1] < 0 {
			d.fail("the document has no \"type\": expected EPCISDocument, EPCISQueryDocument or an event type")
		}
		typ := ""
		if pos[1] < len(s) && s[pos[1]] == '"' {
			save := d.i
			d.i = pos[1]
			typ = d.str()
			d.i = save
		}
		if pos[0] < 0 {
			d.fail("@context is required: the document must reference the EPCIS JSON-LD context %s", StandardContext)
		}
		save := d.i
		d.i = pos[0]
		d.pushKey("@context")
		d.context(d.docScope)
		d.pop()
		d.i = save
		if len(d.docScope.names) > 0 {
			doc.Namespaces = make(map[string]string, len(d.docScope.names))
			for k, p := range d.docScope.names {
				doc.Namespaces[p] = d.docScope.uris[k]
			}
		}
		switch typ {
		case "EPCISDocument", "EPCISQueryDocument":
			d.document(doc, typ, lim)
		default:
			if !knownEventType(EventType(typ)) {
				d.pushKey("type")
				d.fail("unknown document type %q: expected EPCISDocument, EPCISQueryDocument or an event type", typ)
			}
			e := d.event(true, true)
			doc.Events = []*Event{e}
		}
		if d.peek() != 0 {
			d.failAt("unexpected data after the document")
		}
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

func (d *jsonDecoder) document(doc *Document, typ string, lim Limits) {
	var seen uint8
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		switch k {
		case "@context":
			d.skip()
		case "type":
			d.wantString("type")
		case "schemaVersion":
			seen |= 1
			v := d.wantString("schemaVersion")
			if !validSchemaVersion(v) {
				d.fail("schemaVersion %q is not a version number such as 2.0", v)
			}
			doc.SchemaVersion = v
		case "creationDate":
			seen |= 2
			doc.CreationDate = d.wantTime("creationDate")
		case "id":
			d.wantURI("id")
		case "instanceIdentifier", "sender", "receiver":
			d.wantString(k)
		case "epcisHeader":
			if d.peek() != '{' {
				d.fail("epcisHeader must be an object")
			}
			d.skip()
		case "epcisBody":
			seen |= 4
			d.body(doc, typ, lim)
		default:
			if strings.IndexByte(k, ':') < 0 {
				d.fail("unknown field %q in %s", k, typ)
			}
			d.skip()
		}
		d.pop()
	}
	if seen&4 == 0 {
		d.fail("epcisBody is required")
	}
	if typ == "EPCISDocument" {
		if seen&1 == 0 {
			d.fail("schemaVersion is required")
		}
		if seen&2 == 0 {
			d.fail("creationDate is required")
		}
	}
}

func validSchemaVersion(v string) bool {
	if v == "" || v[0] == '.' || v[len(v)-1] == '.' || strings.Contains(v, "..") {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func (d *jsonDecoder) body(doc *Document, typ string, lim Limits) {
	if c := d.peek(); c != '{' {
		d.fail("epcisBody must be an object, not %s", kindName(c))
	}
	found := false
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		switch {
		case k == "eventList" && typ == "EPCISDocument":
			found = true
			d.eventList(doc, lim)
		case k == "queryResults" && typ == "EPCISQueryDocument":
			found = true
			d.queryResults(doc, lim)
		case strings.IndexByte(k, ':') > 0:
			d.skip()
		default:
			d.fail("unknown field %q in epcisBody of an %s", k, typ)
		}
		d.pop()
	}
	if !found {
		if typ == "EPCISDocument" {
			d.fail("epcisBody.eventList is required")
		}
		d.fail("epcisBody.queryResults is required")
	}
}

func (d *jsonDecoder) queryResults(doc *Document, lim Limits) {
	if c := d.peek(); c != '{' {
		d.fail("queryResults must be an object, not %s", kindName(c))
	}
	found := false
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		switch k {
		case "queryName", "subscriptionID":
			d.wantString(k)
		case "resultsBody":
			if c := d.peek(); c != '{' {
				d.fail("resultsBody must be an object, not %s", kindName(c))
			}
			for f2 := true; d.more('{', '}', &f2); {
				k2 := d.key()
				d.pushKey(k2)
				switch {
				case k2 == "eventList":
					found = true
					d.eventList(doc, lim)
				case k2 == "vocabularyList" || strings.IndexByte(k2, ':') > 0:
					d.skip()
				default:
					d.fail("unknown field %q in resultsBody", k2)
				}
				d.pop()
			}
		default:
			if strings.IndexByte(k, ':') < 0 {
				d.fail("unknown field %q in queryResults", k)
			}
			d.skip()
		}
		d.pop()
	}
	if !found {
		d.fail("queryResults.resultsBody.eventList is required")
	}
}

func (d *jsonDecoder) eventList(doc *Document, lim Limits) {
	if c := d.peek(); c != '[' {
		d.fail("eventList must be an array, not %s", kindName(c))
	}
	n := 0
	for first := true; d.more('[', ']', &first); n++ {
		d.pushIdx(n)
		if n >= lim.MaxEvents {
			panic(jsonAbort{newLimitError(d.field(), "the document has more than %d events", lim.MaxEvents)})
		}
		if doc.Events == nil {
			doc.Events = make([]*Event, 0, 16)
		}
		doc.Events = append(doc.Events, d.event(false, true))
		d.pop()
	}
}

// ---- events ----

// event reads one event object (the next value) and validates it. top says the event is the
// whole document, whose @context has been read already.
func (d *jsonDecoder) event(top, validate bool) *Event {
	if c := d.peek(); c != '{' {
		d.fail("an event must be an object, not %s", kindName(c))
	}
	d.evStart = d.i
	d.evScoped = top
	d.scope = d.docScope
	d.vocabPfx = nil
	e := &Event{}
	var seen fieldBit
	// A repeated key overrides the earlier one, as in most JSON readers (the GS1 examples
	// contain such a document).
	mark := func(_ string, b fieldBit) { seen |= b }
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		switch k {
		case "type":
			mark(k, fldType)
			e.Type = EventType(d.wantString("type"))
		case "@context":
			if top || d.evScoped {
				d.skip()
				break
			}
			d.evScoped = true
			d.evScope = nsScope{parent: d.docScope}
			d.context(&d.evScope)
			d.scope = &d.evScope
		case "eventTime":
			mark(k, fldEventTime)
			e.EventTime = d.wantTime(k)
		case "recordTime":
			mark(k, fldRecordTime)
			e.RecordTime = d.wantTime(k)
		case "eventTimeZoneOffset":
			mark(k, fldEventTimeZoneOffset)
			e.EventTimeZoneOffset = d.wantString(k)
		case "eventID":
			mark(k, fldEventID)
			e.EventID = d.wantURI(k)
		case "certificationInfo":
			mark(k, fldCertificationInfo)
			if d.peek() == '[' {
				e.CertificationInfo = d.wantURIList(k)
			} else if d.peek() == '"' {
				e.CertificationInfo = []string{d.wantURI(k)}
			} else {
				d.fail("certificationInfo must be a URI or an array of URIs, not %s", kindName(d.peek()))
			}
		case "errorDeclaration":
			mark(k, fldErrorDeclaration)
			e.ErrorDeclaration = d.errorDeclaration()
		case "parentID":
			mark(k, fldParentID)
			e.ParentID = d.wantURI(k)
		case "epcList":
			mark(k, fldEPCList)
			e.EPCList = d.wantURIList(k)
		case "childEPCs":
			mark(k, fldChildEPCs)
			e.ChildEPCs = d.wantURIList(k)
		case "inputEPCList":
			mark(k, fldInputEPCList)
			e.InputEPCList = d.wantURIList(k)
		case "outputEPCList":
			mark(k, fldOutputEPCList)
			e.OutputEPCList = d.wantURIList(k)
		case "quantityList":
			mark(k, fldQuantityList)
			e.QuantityList = d.quantityList(k)
		case "childQuantityList":
			mark(k, fldChildQuantityList)
			e.ChildQuantityList = d.quantityList(k)
		case "inputQuantityList":
			mark(k, fldInputQuantityList)
			e.InputQuantityList = d.quantityList(k)
		case "outputQuantityList":
			mark(k, fldOutputQuantityList)
			e.OutputQuantityList = d.quantityList(k)
		case "action":
			mark(k, fldAction)
			e.Action = d.wantString(k)
		case "transformationID":
			mark(k, fldTransformationID)
			e.TransformationID = d.wantURI(k)
		case "bizStep":
			mark(k, fldBizStep)
			e.BizStep = d.wantVocab(k, VocabBizStep)
		case "disposition":
			mark(k, fldDisposition)
			e.Disposition = d.wantVocab(k, VocabDisposition)
		case "persistentDisposition":
			mark(k, fldPersistentDisposition)
			e.PersistentDisposition = d.persistentDisposition()
		case "readPoint":
			mark(k, fldReadPoint)
			e.ReadPoint = d.location(k)
		case "bizLocation":
			mark(k, fldBizLocation)
			e.BizLocation = d.location(k)
		case "bizTransactionList":
			mark(k, fldBizTransactionList)
			e.BizTransactionList = d.bizTransactions()
		case "sourceList":
			mark(k, fldSourceList)
			e.SourceList = d.sourceDest(k, "source")
		case "destinationList":
			mark(k, fldDestinationList)
			e.DestinationList = d.sourceDest(k, "destination")
		case "sensorElementList":
			mark(k, fldSensorElementList)
			e.SensorElementList = d.sensorElements()
		case "ilmd":
			mark(k, fldILMD)
			e.ILMD = d.ilmd()
		default:
			if strings.IndexByte(k, ':') <= 0 {
				d.fail("unknown field %q: EPCIS 2.0 defines no such event field, and user fields must be namespaced (\"prefix:%s\")", k, k)
			}
			if e.Extensions == nil {
				e.Extensions = make(Extensions, 0, 4)
			}
			e.Extensions = append(e.Extensions, d.node(k, true, "event"))
		}
		d.pop()
	}
	d.scope = d.docScope
	e.VocabPrefixes, d.vocabPfx = dropClashingVocabPrefixes(d.vocabPfx, e), nil
	if seen&fldType == 0 {
		d.fail("type is required: one of ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent")
	}
	if knownEventType(e.Type) {
		if extra := seen &^ allowedFields(e.Type); extra != 0 {
			n := extra.name()
			d.pushKey(n)
			d.fail("%s is not a field of %s", n, e.Type)
		}
	}
	if validate {
		if err := e.Validate(); err != nil {
			panic(jsonAbort{prefixField(err, d.field())})
		}
	}
	return e
}

func (d *jsonDecoder) errorDeclaration() *ErrorDeclaration {
	if c := d.peek(); c != '{' {
		d.fail("errorDeclaration must be an object, not %s", kindName(c))
	}
	ed := &ErrorDeclaration{}
	var seen uint8
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		switch k {
		case "declarationTime":
			seen |= 1
			ed.DeclarationTime = d.wantTime(k)
		case "reason":
			ed.Reason = d.wantVocab(k, VocabErrorReason)
		case "correctiveEventIDs":
			ed.CorrectiveEventIDs = d.wantURIList(k)
		default:
			ed.Extensions = append(ed.Extensions, d.node(k, true, "errorDeclaration"))
		}
		d.pop()
	}
	if seen&1 == 0 {
		d.fail("errorDeclaration.declarationTime is required")
	}
	return ed
}

func (d *jsonDecoder) quantityList(what string) []QuantityElement {
	if c := d.peek(); c != '[' {
		d.fail("%s must be an array, not %s", what, kindName(c))
	}
	var out []QuantityElement
	n := 0
	for first := true; d.more('[', ']', &first); n++ {
		d.pushIdx(n)
		if c := d.peek(); c != '{' {
			d.fail("a quantity element must be an object, not %s", kindName(c))
		}
		var q QuantityElement
		hasClass := false
		for f2 := true; d.more('{', '}', &f2); {
			k := d.key()
			d.pushKey(k)
			switch k {
			case "epcClass":
				hasClass = true
				q.EPCClass = d.wantURI(k)
			case "quantity":
				q.Quantity = d.wantFloat(k)
			case "uom":
				q.UOM = d.wantString(k)
			default:
				d.fail("unknown field %q in a quantity element: only epcClass, quantity and uom are allowed", k)
			}
			d.pop()
		}
		if !hasClass {
			d.fail("epcClass is required in a quantity element")
		}
		if out == nil {
			out = make([]QuantityElement, 0, 2)
		}
		out = append(out, q)
		d.pop()
	}
	return out
}

func (d *jsonDecoder) persistentDisposition() *PersistentDisposition {
	if c := d.peek(); c != '{' {
		d.fail("persistentDisposition must be an object, not %s", kindName(c))
	}
	p := &PersistentDisposition{}
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		var dst *[]string
		switch k {
		case "set":
			dst = &p.Set
		case "unset":
			dst = &p.Unset
		default:
			d.fail("unknown field %q in persistentDisposition: only set and unset are allowed", k)
		}
		if c := d.peek(); c != '[' {
			d.fail("%s must be an array of dispositions, not %s", k, kindName(c))
		}
		n := 0
		for f2 := true; d.more('[', ']', &f2); n++ {
			d.pushIdx(n)
			*dst = append(*dst, d.wantVocab("disposition", VocabDisposition))
			d.pop()
		}
		d.pop()
	}
	return p
}

func (d *jsonDecoder) location(what string) *Location {
	if c := d.peek(); c != '{' {
		d.fail("%s must be an object with an id, not %s", what, kindName(c))
	}
	l := &Location{}
	hasID := false
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		if k == "id" {
			hasID = true
			l.ID = d.wantURI("id")
		} else {
			l.Extensions = append(l.Extensions, d.node(k, true, what))
		}
		d.pop()
	}
	if !hasID {
		d.fail("%s.id is required", what)
	}
	return l
}

func (d *jsonDecoder) bizTransactions() []BizTransaction {
	if c := d.peek(); c != '[' {
		d.fail("bizTransactionList must be an array, not %s", kindName(c))
	}
	var out []BizTransaction
	n := 0
	for first := true; d.more('[', ']', &first); n++ {
		d.pushIdx(n)
		if c := d.peek(); c != '{' {
			d.fail("a business transaction must be an object, not %s", kindName(c))
		}
		var bt BizTransaction
		has := false
		for f2 := true; d.more('{', '}', &f2); {
			k := d.key()
			d.pushKey(k)
			switch k {
			case "type":
				bt.Type = d.wantVocab(k, VocabBizTransaction)
			case "bizTransaction":
				has = true
				bt.Value = d.wantURI(k)
			default:
				d.fail("unknown field %q in a business transaction: only type and bizTransaction are allowed", k)
			}
			d.pop()
		}
		if !has {
			d.fail("bizTransaction is required")
		}
		out = append(out, bt)
		d.pop()
	}
	return out
}

func (d *jsonDecoder) sourceDest(what, elem string) []SourceDest {
	if c := d.peek(); c != '[' {
		d.fail("%s must be an array, not %s", what, kindName(c))
	}
	var out []SourceDest
	n := 0
	for first := true; d.more('[', ']', &first); n++ {
		d.pushIdx(n)
		if c := d.peek(); c != '{' {
			d.fail("a %s must be an object, not %s", elem, kindName(c))
		}
		var sd SourceDest
		var seen uint8
		for f2 := true; d.more('{', '}', &f2); {
			k := d.key()
			d.pushKey(k)
			switch k {
			case "type":
				seen |= 1
				sd.Type = d.wantVocab(k, VocabSourceDest)
			case elem:
				seen |= 2
				sd.Value = d.wantURI(k)
			default:
				d.fail("unknown field %q in a %s: only type and %s are allowed", k, elem, elem)
			}
			d.pop()
		}
		if seen&1 == 0 {
			d.fail("type is required in a %s", elem)
		}
		if seen&2 == 0 {
			d.fail("%s is required", elem)
		}
		out = append(out, sd)
		d.pop()
	}
	return out
}

func (d *jsonDecoder) sensorElements() []SensorElement {
	if c := d.peek(); c != '[' {
		d.fail("sensorElementList must be an array, not %s", kindName(c))
	}
	var out []SensorElement
	n := 0
	for first := true; d.more('[', ']', &first); n++ {
		d.pushIdx(n)
		if c := d.peek(); c != '{' {
			d.fail("a sensorElement must be an object, not %s", kindName(c))
		}
		var se SensorElement
		hasReports := false
		for f2 := true; d.more('{', '}', &f2); {
			k := d.key()
			d.pushKey(k)
			switch k {
			case "sensorMetadata":
				se.Metadata = d.sensorMetadata()
			case "sensorReport":
				hasReports = true
				if c := d.peek(); c != '[' {
					d.fail("sensorReport must be an array, not %s", kindName(c))
				}
				m := 0
				for f3 := true; d.more('[', ']', &f3); m++ {
					d.pushIdx(m)
					se.Reports = append(se.Reports, d.sensorReport())
					d.pop()
				}
			default:
				se.Extensions = append(se.Extensions, d.node(k, true, "sensorElement"))
			}
			d.pop()
		}
		if !hasReports {
			d.fail("sensorReport is required in a sensorElement")
		}
		out = append(out, se)
		d.pop()
	}
	return out
}

func (d *jsonDecoder) sensorMetadata() *SensorMetadata {
	if c := d.peek(); c != '{' {
		d.fail("sensorMetadata must be an object, not %s", kindName(c))
	}
	m := &SensorMetadata{}
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		switch k {
		case "time":
			m.Time = d.wantTime(k)
		case "startTime":
			m.StartTime = d.wantTime(k)
		case "endTime":
			m.EndTime = d.wantTime(k)
		case "deviceID":
			m.DeviceID = d.wantURI(k)
		case "deviceMetadata":
			m.DeviceMetadata = d.wantURI(k)
		case "rawData":
			m.RawData = d.wantURI(k)
		case "dataProcessingMethod":
			m.DataProcessingMethod = d.wantURI(k)
		case "bizRules":
			m.BizRules = d.wantURI(k)
		default:
			m.Extensions = append(m.Extensions, d.node(k, true, "sensorMetadata"))
		}
		d.pop()
	}
	return m
}

func (d *jsonDecoder) sensorReport() SensorReport {
	if c := d.peek(); c != '{' {
		d.fail("a sensorReport must be an object, not %s", kindName(c))
	}
	var r SensorReport
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		switch k {
		case "type":
			r.Type = d.wantVocab(k, VocabMeasurementType)
		case "exception":
			r.Exception = d.wantVocab(k, VocabSensorAlert)
		case "deviceID":
			r.DeviceID = d.wantURI(k)
		case "deviceMetadata":
			r.DeviceMetadata = d.wantURI(k)
		case "rawData":
			r.RawData = d.wantURI(k)
		case "dataProcessingMethod":
			r.DataProcessingMethod = d.wantURI(k)
		case "bizRules":
			r.BizRules = d.wantURI(k)
		case "time":
			r.Time = d.wantTime(k)
		case "microorganism":
			r.Microorganism = d.wantURI(k)
		case "chemicalSubstance":
			r.ChemicalSubstance = d.wantURI(k)
		case "value":
			r.Value = d.wantFloat(k)
		case "component":
			r.Component = d.wantVocab(k, VocabComponent)
		case "stringValue":
			r.StringValue = d.wantString(k)
		case "booleanValue":
			r.BooleanValue = d.wantBool(k)
		case "hexBinaryValue":
			r.HexBinaryValue = d.wantString(k)
		case "uriValue":
			r.URIValue = d.wantURI(k)
		case "minValue":
			r.MinValue = d.wantFloat(k)
		case "maxValue":
			r.MaxValue = d.wantFloat(k)
		case "meanValue":
			r.MeanValue = d.wantFloat(k)
		case "sDev":
			r.SDev = d.wantFloat(k)
		case "percRank":
			r.PercRank = d.wantFloat(k)
		case "percValue":
			r.PercValue = d.wantFloat(k)
		case "uom":
			r.UOM = d.wantString(k)
		case "coordinateReferenceSystem":
			r.CoordinateReferenceSystem = d.wantURI(k)
		default:
			r.Extensions = append(r.Extensions, d.node(k, true, "sensorReport"))
		}
		d.pop()
	}
	return r
}

func (d *jsonDecoder) ilmd() *Extensions {
	if c := d.peek(); c != '{' {
		d.fail("ilmd must be an object, not %s", kindName(c))
	}
	x := Extensions{}
	for first := true; d.more('{', '}', &first); {
		k := d.key()
		d.pushKey(k)
		x = append(x, d.node(k, true, "ilmd"))
		d.pop()
	}
	return &x
}

// ---- encoding ----

// EncodeJSON writes an EPCISDocument in JSON-LD containing events. Its @context is the
// standard context URL plus an object declaring every extension prefix the events use; an
// event whose prefixes clash with earlier events carries its own @context.
func EncodeJSON(w io.Writer, events []*Event) error {
	ns := newNSCollector()
	for _, e := range events {
		ns.event(e)
	}
	b := make([]byte, 0, 256+len(events)*1024)
	b = append(b, `{"@context":[`...)
	b = appendJSONString(b, StandardContext)
	if len(ns.decl) > 0 {
		b = append(b, ',')
		b = ns.appendContextObject(b, ns.decl)
	}
	b = append(b, `],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":`...)
	b = append(b, '"')
	b = appendEPCISTime(b, time.Now().UTC().Truncate(time.Millisecond))
	b = append(b, `","epcisBody":{"eventList":[`...)
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEventObject(b, e, ns, true)
		if len(b) > 1<<16 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "]}}\n"...)
	_, err := w.Write(b)
	return err
}

// nsDecl is one prefix declaration.
type nsDecl struct{ prefix, uri string }

// nsCollector gathers the prefixes extension nodes use, for @context and xmlns output.
type nsCollector struct {
	decl []nsDecl // document-level declarations, first use wins
	// per-event scratch
	evDecl   []nsDecl
	gen      int
	vocabPfx map[string]string // the event's VocabPrefixes
}

func newNSCollector() *nsCollector { return &nsCollector{} }

func (c *nsCollector) lookup(prefix string) (string, bool) {
	for _, d := range c.decl {
		if d.prefix == prefix {
			return d.uri, true
		}
	}
	return "", false
}

func (c *nsCollector) lookupEv(prefix string) (string, bool) {
	for _, d := range c.evDecl {
		if d.prefix == prefix {
			return d.uri, true
		}
	}
	return "", false
}

// add records prefix -> uri for the current event, and for the document when the
// document does not bind prefix yet.
func (c *nsCollector) add(prefix, uri string) {
	if prefix == "" || uri == prefix+":" {
		return
	}
	if std, ok := standardPrefixes[prefix]; ok && std == uri {
		return
	}
	if _, ok := c.lookupEv(prefix); !ok {
		c.evDecl = append(c.evDecl, nsDecl{prefix, uri})
	}
	if _, ok := c.lookup(prefix); !ok {
		c.decl = append(c.decl, nsDecl{prefix, uri})
	}
}

// attrPrefix returns a prefix for an attribute namespace, declaring one when needed.
func (c *nsCollector) attrPrefix(space string) string {
	switch space {
	case "":
		return ""
	case nsXSI:
		c.add("xsi", nsXSI)
		return "xsi"
	case nsXML:
		return "xml"
	}
	for _, d := range c.evDecl {
		if d.uri == space {
			return d.prefix
		}
	}
	for _, d := range c.decl {
		if d.uri == space {
			return d.prefix
		}
	}
	for p, u := range standardPrefixes {
		if u == space {
			return p
		}
	}
	for {
		c.gen++
		p := "ns" + strconv.Itoa(c.gen)
		if _, taken := c.lookup(p); !taken {
			c.add(p, space)
			return p
		}
	}
}

func (c *nsCollector) nodes(x Extensions) {
	for i := range x {
		n := &x[i]
		c.add(n.Prefix, n.Space)
		for _, a := range n.Attrs {
			c.attrPrefix(a.Space)
		}
		if len(n.Children) > 0 {
			c.nodes(n.Children)
		}
	}
}

// event records the prefixes of e; evDecl then holds the event's own declarations.
func (c *nsCollector) event(e *Event) {
	c.evDecl = c.evDecl[:0]
	c.vocabPfx = e.VocabPrefixes
	c.nodes(e.Extensions)
	if e.ILMD != nil {
		c.nodes(*e.ILMD)
	}
	if e.ErrorDeclaration != nil {
		c.nodes(e.ErrorDeclaration.Extensions)
	}
	if e.ReadPoint != nil {
		c.nodes(e.ReadPoint.Extensions)
	}
	if e.BizLocation != nil {
		c.nodes(e.BizLocation.Extensions)
	}
	for i := range e.SensorElementList {
		se := &e.SensorElementList[i]
		c.nodes(se.Extensions)
		if se.Metadata != nil {
			c.nodes(se.Metadata.Extensions)
		}
		for j := range se.Reports {
			c.nodes(se.Reports[j].Extensions)
		}
	}
	for _, p := range sortedVocabPrefixes(e.VocabPrefixes) {
		if usableVocabPrefix(p) {
			c.add(p, e.VocabPrefixes[p])
		}
	}
}

// vocab returns the form JSON-LD writes for a held vocabulary value of the current event:
// jsonVocab's, or the compact URI the event's VocabPrefixes give when the prefix is bound
// to that namespace where the event is written (by the event's own declarations, then the
// document's, then the standard context). c may be nil: nothing is compacted then.
func (c *nsCollector) vocab(v Vocabulary, held string) string {
	if c != nil && len(c.vocabPfx) > 0 {
		if p, uri, rest, ok := compactVocab(c.vocabPfx, held); ok {
			bound, found := c.lookupEv(p)
			if !found {
				bound, found = c.lookup(p)
			}
			if !found {
				bound, found = standardPrefixes[p]
			}
			if found && bound == uri {
				return p + ":" + rest
			}
		}
	}
	return jsonVocab(v, held)
}

// appendVocabArray appends a JSON array of vocabulary values.
func appendVocabArray(b []byte, v Vocabulary, held []string, ns *nsCollector) []byte {
	b = append(b, '[')
	for i, s := range held {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, ns.vocab(v, s))
	}
	return append(b, ']')
}

func (c *nsCollector) appendContextObject(b []byte, decl []nsDecl) []byte {
	b = append(b, '{')
	for i, d := range decl {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, d.prefix)
		b = append(b, ':')
		b = appendJSONString(b, d.uri)
	}
	return append(b, '}')
}

// hasExtensions reports whether e holds any user extension node.
func hasExtensions(e *Event) bool {
	if len(e.Extensions) > 0 || e.ILMD != nil && len(*e.ILMD) > 0 {
		return true
	}
	if e.ErrorDeclaration != nil && len(e.ErrorDeclaration.Extensions) > 0 ||
		e.ReadPoint != nil && len(e.ReadPoint.Extensions) > 0 ||
		e.BizLocation != nil && len(e.BizLocation.Extensions) > 0 {
		return true
	}
	for i := range e.SensorElementList {
		se := &e.SensorElementList[i]
		if len(se.Extensions) > 0 || se.Metadata != nil && len(se.Metadata.Extensions) > 0 {
			return true
		}
		for j := range se.Reports {
			if len(se.Reports[j].Extensions) > 0 {
				return true
			}
		}
	}
	return false
}

// appendEventObject writes one event. With inDoc, ns has collected the whole document and
// the event gets an @context only for prefixes bound differently at document level;
// otherwise the event is standalone and declares every prefix it uses.
func appendEventObject(b []byte, e *Event, ns *nsCollector, inDoc bool) []byte {
	b = append(b, '{')
	if ns != nil {
		ns.event(e)
		var own []nsDecl
		if inDoc {
			for _, d := range ns.evDecl {
				if u, ok := ns.lookup(d.prefix); !ok || u != d.uri {
					own = append(own, d)
				}
			}
		} else {
			own = ns.evDecl
		}
		if len(own) > 0 {
			b = append(b, `"@context":`...)
			b = ns.appendContextObject(b, own)
			b = append(b, ',')
		}
	}
	b = append(b, `"type":`...)
	b = appendJSONString(b, string(e.Type))
	present := modelFields(e)
	written := fldType
	for _, f := range xsdOrder(e.Type) {
		if present&f != 0 {
			b = appendEventField(b, e, f, ns)
			written |= f
		}
	}
	if rest := present &^ written; rest != 0 {
		for _, f := range orderAll {
			if rest&f != 0 {
				b = appendEventField(b, e, f, ns)
			}
		}
	}
	for i := range e.Extensions {
		b = append(b, ',')
		b = appendNodeMember(b, &e.Extensions[i], ns)
	}
	return append(b, '}')
}

func appendKey(b []byte, k string) []byte {
	b = append(b, ',', '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func appendEventField(b []byte, e *Event, f fieldBit, ns *nsCollector) []byte {
	switch f {
	case fldEventTime:
		b = appendKey(b, "eventTime")
		b = appendJSONTime(b, e.EventTime)
	case fldRecordTime:
		b = appendKey(b, "recordTime")
		b = appendJSONTime(b, e.RecordTime)
	case fldEventTimeZoneOffset:
		b = appendKey(b, "eventTimeZoneOffset")
		b = appendJSONString(b, e.EventTimeZoneOffset)
	case fldEventID:
		b = appendKey(b, "eventID")
		b = appendJSONString(b, e.EventID)
	case fldCertificationInfo:
		b = appendKey(b, "certificationInfo")
		if len(e.CertificationInfo) == 1 {
			b = appendJSONString(b, e.CertificationInfo[0])
		} else {
			b = appendStringArray(b, e.CertificationInfo)
		}
	case fldErrorDeclaration:
		ed := e.ErrorDeclaration
		b = appendKey(b, "errorDeclaration")
		b = append(b, `{"declarationTime":`...)
		b = appendJSONTime(b, ed.DeclarationTime)
		if ed.Reason != "" {
			b = appendKey(b, "reason")
			b = appendJSONString(b, ns.vocab(VocabErrorReason, ed.Reason))
		}
		if len(ed.CorrectiveEventIDs) > 0 {
			b = appendKey(b, "correctiveEventIDs")
			b = appendStringArray(b, ed.CorrectiveEventIDs)
		}
		b = appendNodeMembers(b, ed.Extensions, ns, true)
		b = append(b, '}')
	case fldParentID:
		b = appendKey(b, "parentID")
		b = appendJSONString(b, e.ParentID)
	case fldEPCList:
		b = appendKey(b, "epcList")
		b = appendStringArray(b, e.EPCList)
	case fldChildEPCs:
		b = appendKey(b, "childEPCs")
		b = appendStringArray(b, e.ChildEPCs)
	case fldInputEPCList:
		b = appendKey(b, "inputEPCList")
		b = appendStringArray(b, e.InputEPCList)
	case fldOutputEPCList:
		b = appendKey(b, "outputEPCList")
		b = appendStringArray(b, e.OutputEPCList)
	case fldQuantityList:
		b = appendKey(b, "quantityList")
		b = appendQuantities(b, e.QuantityList)
	case fldChildQuantityList:
		b = appendKey(b, "childQuantityList")
		b = appendQuantities(b, e.ChildQuantityList)
	case fldInputQuantityList:
		b = appendKey(b, "inputQuantityList")
		b = appendQuantities(b, e.InputQuantityList)
	case fldOutputQuantityList:
		b = appendKey(b, "outputQuantityList")
		b = appendQuantities(b, e.OutputQuantityList)
	case fldAction:
		b = appendKey(b, "action")
		b = appendJSONString(b, e.Action)
	case fldTransformationID:
		b = appendKey(b, "transformationID")
		b = appendJSONString(b, e.TransformationID)
	case fldBizStep:
		b = appendKey(b, "bizStep")
		b = appendJSONString(b, ns.vocab(VocabBizStep, e.BizStep))
	case fldDisposition:
		b = appendKey(b, "disposition")
		b = appendJSONString(b, ns.vocab(VocabDisposition, e.Disposition))
	case fldPersistentDisposition:
		p := e.PersistentDisposition
		b = appendKey(b, "persistentDisposition")
		b = append(b, '{')
		if len(p.Set) > 0 {
			b = append(b, `"set":`...)
			b = appendVocabArray(b, VocabDisposition, p.Set, ns)
		}
		if len(p.Unset) > 0 {
			if len(p.Set) > 0 {
				b = append(b, ',')
			}
			b = append(b, `"unset":`...)
			b = appendVocabArray(b, VocabDisposition, p.Unset, ns)
		}
		b = append(b, '}')
	case fldReadPoint:
		b = appendKey(b, "readPoint")
		b = appendLocation(b, e.ReadPoint, ns)
	case fldBizLocation:
		b = appendKey(b, "bizLocation")
		b = appendLocation(b, e.BizLocation, ns)
	case fldBizTransactionList:
		b = appendKey(b, "bizTransactionList")
		b = append(b, '[')
		for i, bt := range e.BizTransactionList {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if bt.Type != "" {
				b = append(b, `"type":`...)
				b = appendJSONString(b, ns.vocab(VocabBizTransaction, bt.Type))
				b = append(b, ',')
			}
			b = append(b, `"bizTransaction":`...)
			b = appendJSONString(b, bt.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	case fldSourceList:
		b = appendKey(b, "sourceList")
		b = appendSourceDest(b, e.SourceList, "source", ns)
	case fldDestinationList:
		b = appendKey(b, "destinationList")
		b = appendSourceDest(b, e.DestinationList, "destination", ns)
	case fldSensorElementList:
		b = appendKey(b, "sensorElementList")
		b = append(b, '[')
		for i := range e.SensorElementList {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSensorElement(b, &e.SensorElementList[i], ns)
		}
		b = append(b, ']')
	case fldILMD:
		b = appendKey(b, "ilmd")
		b = append(b, '{')
		b = appendNodeMembers(b, *e.ILMD, ns, false)
		b = append(b, '}')
	}
	return b
}

func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = appendEPCISTime(b, t)
	return append(b, '"')
}

func appendStringArray(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

func appendQuantities(b []byte, qs []QuantityElement) []byte {
	b = append(b, '[')
	for i := range qs {
		q := &qs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"epcClass":`...)
		b = appendJSONString(b, q.EPCClass)
		if q.Quantity != nil {
			b = append(b, `,"quantity":`...)
			b = appendFloatShortest(b, *q.Quantity)
		}
		if q.UOM != "" {
			b = append(b, `,"uom":`...)
			b = appendJSONString(b, q.UOM)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendLocation(b []byte, l *Location, ns *nsCollector) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, l.ID)
	b = appendNodeMembers(b, l.Extensions, ns, true)
	return append(b, '}')
}

func appendSourceDest(b []byte, list []SourceDest, elem string, ns *nsCollector) []byte {
	b = append(b, '[')
	for i, sd := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":`...)
		b = appendJSONString(b, ns.vocab(VocabSourceDest, sd.Type))
		b = appendKey(b, elem)
		b = appendJSONString(b, sd.Value)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendSensorElement(b []byte, se *SensorElement, ns *nsCollector) []byte {
	b = append(b, '{')
	comma := false
	if m := se.Metadata; m != nil {
		b = append(b, `"sensorMetadata":{`...)
		c := false
		timeField := func(k string, t time.Time) {
			if !t.IsZero() {
				if c {
					b = append(b, ',')
				}
				c = true
				b = append(b, '"')
				b = append(b, k...)
				b = append(b, '"', ':')
				b = appendJSONTime(b, t)
			}
		}
		strField := func(k, v string) {
			if v != "" {
				if c {
					b = append(b, ',')
				}
				c = true
				b = append(b, '"')
				b = append(b, k...)
				b = append(b, '"', ':')
				b = appendJSONString(b, v)
			}
		}
		timeField("time", m.Time)
		timeField("startTime", m.StartTime)
		timeField("endTime", m.EndTime)
		strField("deviceID", m.DeviceID)
		strField("deviceMetadata", m.DeviceMetadata)
		strField("rawData", m.RawData)
		strField("dataProcessingMethod", m.DataProcessingMethod)
		strField("bizRules", m.BizRules)
		b = appendNodeMembers(b, m.Extensions, ns, c)
		b = append(b, '}')
		comma = true
	}
	if comma {
		b = append(b, ',')
	}
	b = append(b, `"sensorReport":[`...)
	for i := range se.Reports {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSensorReport(b, &se.Reports[i], ns)
	}
	b = append(b, ']')
	b = appendNodeMembers(b, se.Extensions, ns, true)
	return append(b, '}')
}

func appendSensorReport(b []byte, r *SensorReport, ns *nsCollector) []byte {
	b = append(b, '{')
	c := false
	sep := func(k string) {
		if c {
			b = append(b, ',')
		}
		c = true
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
	}
	str := func(k, v string) {
		if v != "" {
			sep(k)
			b = appendJSONString(b, v)
		}
	}
	num := func(k string, v *float64) {
		if v != nil {
			sep(k)
			b = appendFloatShortest(b, *v)
		}
	}
	if r.Type != "" {
		str("type", ns.vocab(VocabMeasurementType, r.Type))
	}
	if r.Exception != "" {
		str("exception", ns.vocab(VocabSensorAlert, r.Exception))
	}
	str("deviceID", r.DeviceID)
	str("deviceMetadata", r.DeviceMetadata)
	str("rawData", r.RawData)
	str("dataProcessingMethod", r.DataProcessingMethod)
	str("bizRules", r.BizRules)
	if !r.Time.IsZero() {
		sep("time")
		b = appendJSONTime(b, r.Time)
	}
	str("microorganism", r.Microorganism)
	str("chemicalSubstance", r.ChemicalSubstance)
	num("value", r.Value)
	if r.Component != "" {
		str("component", ns.vocab(VocabComponent, r.Component))
	}
	str("stringValue", r.StringValue)
	if r.BooleanValue != nil {
		sep("booleanValue")
		b = strconv.AppendBool(b, *r.BooleanValue)
	}
	str("hexBinaryValue", r.HexBinaryValue)
	str("uriValue", r.URIValue)
	num("minValue", r.MinValue)
	num("maxValue", r.MaxValue)
	num("meanValue", r.MeanValue)
	num("sDev", r.SDev)
	num("percRank", r.PercRank)
	num("percValue", r.PercValue)
	str("uom", r.UOM)
	str("coordinateReferenceSystem", r.CoordinateReferenceSystem)
	b = appendNodeMembers(b, r.Extensions, ns, c)
	return append(b, '}')
}

// appendNodeMembers writes nodes as object members; comma says a member precedes them.
func appendNodeMembers(b []byte, x Extensions, ns *nsCollector, comma bool) []byte {
	for i := range x {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = appendNodeMember(b, &x[i], ns)
	}
	return b
}

// jsonNodeKey returns the JSON key of a node: prefix:local, or the full IRI when the node
// has no prefix, or the bare local name for an unqualified node.
func jsonNodeKey(b []byte, n *Node) []byte {
	b = append(b, '"')
	switch {
	case n.Prefix != "":
		b = appendJSONStringBody(b, n.Prefix)
		b = append(b, ':')
	case n.Space != "":
		b = appendJSONStringBody(b, n.Space)
	}
	b = appendJSONStringBody(b, n.Local)
	return append(b, '"')
}

func appendNodeMember(b []byte, n *Node, ns *nsCollector) []byte {
	b = jsonNodeKey(b, n)
	b = append(b, ':')
	return appendNodeValue(b, n, ns)
}

func appendNodeValue(b []byte, n *Node, ns *nsCollector) []byte {
	if len(n.Attrs) > 0 {
		b = append(b, '{')
		for i, a := range n.Attrs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"', '@')
			if a.Space != "" {
				p := "ns"
				if ns != nil {
					p = ns.attrPrefix(a.Space)
				}
				b = appendJSONStringBody(b, p)
				b = append(b, ':')
			}
			b = appendJSONStringBody(b, a.Local)
			b = append(b, '"', ':')
			b = appendJSONString(b, a.Value)
		}
		if n.Kind == KindObject {
			b = appendNodeMembers(b, n.Children, ns, true)
		} else {
			b = append(b, `,"@value":`...)
			b = appendNodeScalar(b, n, ns)
		}
		return append(b, '}')
	}
	if n.Kind == KindObject {
		b = append(b, '{')
		b = appendNodeMembers(b, n.Children, ns, false)
		return append(b, '}')
	}
	return appendNodeScalar(b, n, ns)
}

func appendNodeScalar(b []byte, n *Node, ns *nsCollector) []byte {
	switch n.Kind {
	case KindNumber:
		if isJSONNumberLiteral(n.Value) {
			return append(b, n.Value...)
		}
		return appendJSONString(b, n.Value)
	case KindBool:
		if n.Value == "true" || n.Value == "false" {
			return append(b, n.Value...)
		}
		return appendJSONString(b, n.Value)
	case KindNull:
		return append(b, "null"...)
	case KindList:
		b = append(b, '[')
		for i := range n.Children {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNodeValue(b, &n.Children[i], ns)
		}
		return append(b, ']')
	case KindObject:
		b = append(b, '{')
		b = appendNodeMembers(b, n.Children, ns, false)
		return append(b, '}')
	}
	return appendJSONString(b, n.Value)
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks bytes that need no escaping inside a JSON string.
var jsonSafe = func() (t [256]bool) {
	for i := 0x20; i < 256; i++ {
		t[i] = true
	}
	t['"'] = false
	t['\\'] = false
	return
}()

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONStringBody(b, s)
	return append(b, '"')
}

func appendJSONStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if jsonSafe[c] {
			if c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
				b = append(b, s[start:i]...)
				b = append(b, `\u202`...)
				b = append(b, hexDigits[s[i+2]&0xF])
				i += 2
				start = i + 1
			}
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	return append(b, s[start:]...)
}
