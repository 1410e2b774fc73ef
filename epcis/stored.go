package epcis

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// StoredHasher recomputes the CBV event hash of stored events from their stored JSON, the
// form AppendEventJSON writes, for verifying a whole store.
//
// DecodeEventJSON reads any JSON-LD event and builds a fresh Event with everything it holds;
// for a store of millions of events that is most of the cost of a verification. The stored
// form is narrow: one compact object, no whitespace, fields in a fixed order, no escapes in
// most documents. StoredHasher reads that form with a strict scanner and writes each
// field's part of the pre-hash as it reads the field (direct), with the same rendering
// functions as Hash's pre-hash builder. Anything the scanner does not recognise exactly —
// whitespace, an escape, a field it does not read (errorDeclaration,
// persistentDisposition, sensorElementList, a location with extensions, an extension
// with @value or attributes), a repeated field, a prefixed vocabulary value, a value the
// general decoder would refuse — sends the document through DecodeEventJSON and Hash
// instead. So the result is always the one the general path gives: the scanner only
// decides how fast it comes.
//
// A StoredHasher is not safe for concurrent use: give each goroutine its own.
type StoredHasher struct {
	h preHasher

	// Reused storage the scanned event points into.
	ctxNames, ctxURIs []string
	cert              []string
	qty               [4][]QuantityElement
	floats            []float64
	bts               []BizTransaction
	sds               [2][]SourceDest
	ilmd              Extensions
	exts              Extensions

	// What direct renders the ordered part of the pre-hash into, field by field, and
	// where each field's part is.
	frag  []byte
	parts [numOrdered]preSpan

	// The last event time read and its part of the pre-hash, and the last record time
	// found valid: events captured together share them, and reading a time is a tenth
	// of direct's work. Empty: none (no valid time is empty).
	eventTime, eventTimePart, recordTime []byte

	// The last values of some fields and their parts of the pre-hash (see recalled).
	recent [numRecent]recentValues

	// Scanned and General count the documents hashed by each path.
	Scanned, General int64
}

// NewStoredHasher returns a StoredHasher.
func NewStoredHasher() *StoredHasher {
	s := &StoredHasher{}
	s.h.out = make([]byte, 0, 2048)
	s.h.ids = make(map[string]string, 1024)
	return s
}

// Sum returns the SHA-256 of the pre-hash of the stored event doc: the digest that Hash
// writes in hex for DecodeEventJSON(doc). It fails where DecodeEventJSON fails.
func (s *StoredHasher) Sum(doc []byte) ([32]byte, error) {
	if pre, ok := s.direct(doc); ok {
		s.Scanned++
		return sha256.Sum256(pre), nil
	}
	e, err := DecodeEventJSON(doc)
	if err != nil {
		return [32]byte{}, err
	}
	s.General++
	return sha256.Sum256(s.h.build(e)), nil
}

// storedScanner reads one stored event. Every read method reports false when the input is
// not exactly in the form it knows; the caller then gives up on the scan.
type storedScanner struct {
	s string
	i int
}

// str reads a string. The document holds no backslash and no control character (see
// plainDocument), so the string ends at the next quote.
func (r *storedScanner) str() (string, bool) {
	s := r.s
	if r.i >= len(s) || s[r.i] != '"' {
		return "", false
	}
	start := r.i + 1
	n := strings.IndexByte(s[start:], '"')
	if n < 0 {
		return "", false
	}
	r.i = start + n + 1
	return s[start : start+n], true
}

// Eight-byte words, for reading a document a word at a time.
const (
	wordOnes  = 0x0101010101010101
	wordHighs = 0x8080808080808080
)

// plainDocument reports whether doc has no backslash and no byte below 0x20. In the form
// the scanner reads, with no white space between tokens, such bytes could only stand in
// strings, as escapes (which it leaves to the general path) or as errors. It also reports
// whether doc is all ASCII, which spares the caller checking it for valid UTF-8.
func plainDocument(doc []byte) (plain, ascii bool) {
	if bytes.IndexByte(doc, '\\') >= 0 {
		return false, false
	}
	var seen uint64 // the bytes of doc or-ed together, by position in a word
	i := 0
	for ; i+8 <= len(doc); i += 8 {
		// Sets the high bit of each byte below 0x20 (bytes of 0x80 and up cannot
		// set it: the &^ x clears them).
		x := binary.LittleEndian.Uint64(doc[i:])
		if (x-0x20*wordOnes)&^x&wordHighs != 0 {
			return false, false
		}
		seen |= x
	}
	for ; i < len(doc); i++ {
		if doc[i] < 0x20 {
			return false, false
		}
		seen |= uint64(doc[i])
	}
	return true, seen&wordHighs == 0
}

func (r *storedScanner) uri() (string, bool) {
	v, ok := r.str()
	return v, ok && absURI(v)
}

// absURI is isAbsURI by table: a stored event has a dozen URIs, and the byte-by-byte
// comparisons of isAbsURI were a tenth of the scanner's time.
func absURI(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 || uriScheme[s[0]]&1 == 0 {
		return false
	}
	for j := 1; j < i; j++ {
		if uriScheme[s[j]]&2 == 0 {
			return false
		}
	}
	j := i + 1
	// Eight bytes at a time while all may stand as they are: one branch per eight table
	// reads instead of one per byte.
	for ; j+8 <= len(s); j += 8 {
		w := s[j : j+8]
		if uriCharByte[w[0]]&uriCharByte[w[1]]&uriCharByte[w[2]]&uriCharByte[w[3]]&
			uriCharByte[w[4]]&uriCharByte[w[5]]&uriCharByte[w[6]]&uriCharByte[w[7]] == 0 {
			break
		}
	}
	for ; j < len(s); j++ {
		if uriChar[s[j]] {
			continue
		}
		if s[j] != '%' || j+2 >= len(s) || !isHexDigitByte(s[j+1]) || !isHexDigitByte(s[j+2]) {
			return false
		}
	}
	return true
}

// uriScheme marks the bytes that may start a scheme (1) and continue it (2); uriChar the
// bytes that may stand after the scheme's colon as they are ('%' needs two hex digits);
// uriCharByte is uriChar as 1 and 0.
var uriScheme, uriChar = func() (scheme [256]uint8, char [256]bool) {
	for c := 0; c < 256; c++ {
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if alpha {
			scheme[c] |= 1
		}
		if alpha || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' {
			scheme[c] |= 2
		}
		char[c] = c > ' ' && c != 0x7f && !strings.ContainsRune("\"<>\\^`{|}%", rune(c))
	}
	return
}()

var uriCharByte = func() (b [256]uint8) {
	for c, ok := range uriChar {
		if ok {
			b[c] = 1
		}
	}
	return
}()

// byte consumes c.
func (r *storedScanner) byte(c byte) bool {
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// next reads the byte after a member or item: ',' (true, more follows) or close (false).
func (r *storedScanner) next(close byte) (more, ok bool) {
	if r.i >= len(r.s) {
		return false, false
	}
	switch r.s[r.i] {
	case ',':
		r.i++
		return true, true
	case close:
		r.i++
		return false, true
	}
	return false, false
}

// key reads a member name and its colon.
func (r *storedScanner) key() (string, bool) {
	k, ok := r.str()
	return k, ok && r.byte(':')
}

// number reads a JSON number literal with the grammar of jsonDecoder.numLit.
func (r *storedScanner) number() (string, bool) {
	s, i := r.s, r.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return "", false
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return "", false
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
			return "", false
		}
	}
	lit := s[r.i:i]
	r.i = i
	return lit, true
}

// uriList reads an array of URIs into dst[:0]; nil for an empty array, as wantURIList.
func (r *storedScanner) uriList(dst []string) ([]string, bool) {
	if !r.byte('[') {
		return nil, false
	}
	if r.byte(']') {
		return nil, true
	}
	dst = dst[:0]
	for {
		v, ok := r.uri()
		if !ok {
			return nil, false
		}
		dst = append(dst, v)
		more, ok := r.next(']')
		if !ok {
			return nil, false
		}
		if !more {
			return dst, true
		}
	}
}

// vocab reads a vocabulary value as jsonDecoder.wantVocab does, except that a compact URI
// with a prefix of the document's (which needs the context and VocabPrefixes) is refused.
func (r *storedScanner) vocab(v Vocabulary) (string, bool) {
	s, ok := r.str()
	if !ok || s == "" {
		return "", false
	}
	if i := strings.IndexByte(s, ':'); i > 0 && s[:i] != "urn" && !strings.HasPrefix(s[i+1:], "//") {
		return "", false
	}
	return normalizeVocab(v, s), true
}

// context reads an @context object whose members all declare a prefix with a string.
func (s *StoredHasher) context(r *storedScanner) bool {
	if !r.byte('{') {
		return false
	}
	if r.byte('}') {
		return true
	}
	for {
		k, ok := r.key()
		if !ok || k == "" || k[0] == '@' || strings.IndexByte(k, ':') >= 0 {
			return false
		}
		v, ok := r.str()
		if !ok {
			return false
		}
		s.ctxNames = append(s.ctxNames, k)
		s.ctxURIs = append(s.ctxURIs, v)
		more, ok := r.next('}')
		if !ok {
			return false
		}
		if !more {
			return true
		}
	}
}

// node reads the value of extension member key as jsonDecoder.node does. A prefixed key
// needs its prefix declared in the event's @context; an unprefixed key is refused at the
// top (requirePrefix) and a plain name inside an object.
func (s *StoredHasher) node(r *storedScanner, key string, requirePrefix bool, depth int) (Node, bool) {
	var n Node
	i := strings.IndexByte(key, ':')
	switch {
	case i < 0 && requirePrefix, i == 0:
		return n, false
	case i < 0:
		n.Local = key
	default:
		if strings.HasPrefix(key[i+1:], "//") {
			return n, false
		}
		p := key[:i]
		found := false
		// The last declaration of a prefix wins, as in nsScope.lookup. Undeclared prefixes
		// (the standard context's, or none) take the general path.
		for j := len(s.ctxNames) - 1; j >= 0 && !found; j-- {
			if s.ctxNames[j] == p {
				n.Space, found = s.ctxURIs[j], true
			}
		}
		if !found {
			return n, false
		}
		n.Local, n.Prefix = key[i+1:], p
	}
	return n, s.nodeValue(r, &n, depth)
}

// maxStoredDepth bounds the nesting the scanner follows; deeper documents take the
// general path, which enforces DefaultLimits.MaxDepth.
const maxStoredDepth = 8

func (s *StoredHasher) nodeValue(r *storedScanner, n *Node, depth int) bool {
	if r.i >= len(r.s) || depth > maxStoredDepth {
		return false
	}
	switch c := r.s[r.i]; {
	case c == '"':
		v, ok := r.str()
		n.Kind, n.Value = KindString, v
		return ok
	case c == 't' && strings.HasPrefix(r.s[r.i:], "true"):
		r.i += 4
		n.Kind, n.Value = KindBool, "true"
	case c == 'f' && strings.HasPrefix(r.s[r.i:], "false"):
		r.i += 5
		n.Kind, n.Value = KindBool, "false"
	case c == 'n' && strings.HasPrefix(r.s[r.i:], "null"):
		r.i += 4
		n.Kind = KindNull
	case c == '-' || c >= '0' && c <= '9':
		v, ok := r.number()
		n.Kind, n.Value = KindNumber, v
		return ok
	case c == '[':
		r.i++
		n.Kind = KindList
		if r.byte(']') {
			return true
		}
		for {
			item := Node{Space: n.Space, Local: n.Local, Prefix: n.Prefix}
			if !s.nodeValue(r, &item, depth+1) {
				return false
			}
			n.Children = append(n.Children, item)
			more, ok := r.next(']')
			if !ok {
				return false
			}
			if !more {
				return true
			}
		}
	case c == '{':
		r.i++
		n.Kind = KindObject
		if r.byte('}') {
			return true
		}
		for {
			k, ok := r.key()
			if !ok || strings.HasPrefix(k, "@") {
				return false // @value and attributes take the general path
			}
			child, ok := s.node(r, k, false, depth+1)
			if !ok {
				return false
			}
			n.Children = append(n.Children, child)
			more, ok := r.next('}')
			if !ok {
				return false
			}
			if !more {
				return true
			}
		}
	default:
		return false
	}
	return true
}

func (s *StoredHasher) ilmdObject(r *storedScanner) bool {
	s.ilmd = s.ilmd[:0]
	if s.ilmd == nil {
		s.ilmd = make(Extensions, 0, 8)
	}
	if !r.byte('{') {
		return false
	}
	if r.byte('}') {
		return true
	}
	for {
		k, ok := r.key()
		if !ok {
			return false
		}
		n, ok := s.node(r, k, true, 1)
		if !ok {
			return false
		}
		s.ilmd = append(s.ilmd, n)
		more, ok := r.next('}')
		if !ok {
			return false
		}
		if !more {
			return true
		}
	}
}

// quantities reads a quantity list as jsonDecoder.quantityList does.
func (s *StoredHasher) quantities(r *storedScanner, slot int) ([]QuantityElement, bool) {
	if !r.byte('[') {
		return nil, false
	}
	if r.byte(']') {
		return nil, true
	}
	out := s.qty[slot][:0]
	for {
		if !r.byte('{') {
			return nil, false
		}
		var q QuantityElement
		var seen uint8
		for {
			k, ok := r.key()
			if !ok {
				return nil, false
			}
			var b uint8
			switch k {
			case "epcClass":
				b = 1
				q.EPCClass, ok = r.uri()
			case "quantity":
				b = 2
				var lit string
				if lit, ok = r.number(); ok {
					f, err := strconv.ParseFloat(lit, 64)
					ok = err == nil
					// When floats grows, earlier pointers keep pointing into the old
					// array, which still holds their values.
					s.floats = append(s.floats, f)
					q.Quantity = &s.floats[len(s.floats)-1]
				}
			case "uom":
				b = 4
				q.UOM, ok = r.str()
			default:
				return nil, false
			}
			if !ok || seen&b != 0 {
				return nil, false
			}
			seen |= b
			more, ok := r.next('}')
			if !ok {
				return nil, false
			}
			if !more {
				break
			}
		}
		if seen&1 == 0 {
			return nil, false
		}
		out = append(out, q)
		more, ok := r.next(']')
		if !ok {
			return nil, false
		}
		if !more {
			s.qty[slot] = out
			return out, true
		}
	}
}

func (s *StoredHasher) bizTransactions(r *storedScanner) ([]BizTransaction, bool) {
	if !r.byte('[') {
		return nil, false
	}
	if r.byte(']') {
		return nil, true
	}
	out := s.bts[:0]
	for {
		if !r.byte('{') {
			return nil, false
		}
		var bt BizTransaction
		var seen uint8
		for {
			k, ok := r.key()
			if !ok {
				return nil, false
			}
			var b uint8
			switch k {
			case "type":
				b = 1
				bt.Type, ok = r.vocab(VocabBizTransaction)
			case "bizTransaction":
				b = 2
				bt.Value, ok = r.uri()
			default:
				return nil, false
			}
			if !ok || seen&b != 0 {
				return nil, false
			}
			seen |= b
			more, ok := r.next('}')
			if !ok {
				return nil, false
			}
			if !more {
				break
			}
		}
		if seen&2 == 0 {
			return nil, false
		}
		out = append(out, bt)
		more, ok := r.next(']')
		if !ok {
			return nil, false
		}
		if !more {
			s.bts = out
			return out, true
		}
	}
}

func (s *StoredHasher) sourceDest(r *storedScanner, slot int, elem string) ([]SourceDest, bool) {
	if !r.byte('[') {
		return nil, false
	}
	if r.byte(']') {
		return nil, true
	}
	out := s.sds[slot][:0]
	for {
		if !r.byte('{') {
			return nil, false
		}
		var sd SourceDest
		var seen uint8
		for {
			k, ok := r.key()
			if !ok {
				return nil, false
			}
			var b uint8
			switch k {
			case "type":
				b = 1
				sd.Type, ok = r.vocab(VocabSourceDest)
			case elem:
				b = 2
				sd.Value, ok = r.uri()
			default:
				return nil, false
			}
			if !ok || seen&b != 0 {
				return nil, false
			}
			seen |= b
			more, ok := r.next('}')
			if !ok {
				return nil, false
			}
			if !more {
				break
			}
		}
		if seen != 3 {
			return nil, false
		}
		out = append(out, sd)
		more, ok := r.next(']')
		if !ok {
			return nil, false
		}
		if !more {
			s.sds[slot] = out
			return out, true
		}
	}
}

// The parts of the pre-hash's ordered part that a stored form the scanner reads can have,
// in the order preHasher.build writes them (persistentDisposition and sensorElementList
// take the general path).
const (
	partEventTime = iota
	partEventTimeZoneOffset
	partCertificationInfo
	partParentID
	partEPCList
	partInputEPCList
	partChildEPCs
	partQuantityList
	partChildQuantityList
	partInputQuantityList
	partOutputEPCList
	partOutputQuantityList
	partAction
	partTransformationID
	partBizStep
	partDisposition
	partReadPoint
	partBizLocation
	numOrdered
)

// direct returns the pre-hash of the stored event doc, reading the same form as scan and
// refusing the same documents, but writing each field's part of the pre-hash as it reads
// the field instead of filling an Event for preHasher.build to walk again. build writes
// "eventType=" and the type, then the ordered part, field after field, each from its
// field alone, then the trailer: items each from one field, sorted. So direct writes each
// ordered field's part aside, joins the parts in build's order at the end, and gathers the
// trailer's items as they come; the rendering is build's own (leaf, leafList,
// quantityList, vocab, location, the trailer's item functions).
//
// The result is valid until the next call.
func (s *StoredHasher) direct(doc []byte) ([]byte, bool) {
	if plain, ascii := plainDocument(doc); !plain || !ascii && !utf8.Valid(doc) {
		return nil, false
	}
	// As in scan, the strings read point into doc.
	r := storedScanner{s: unsafe.String(unsafe.SliceData(doc), len(doc))}
	h := &s.h
	h.depth, h.vocabPfx = 0, nil
	frag := s.frag[:0]
	s.parts = [numOrdered]preSpan{}
	s.ctxNames, s.ctxURIs = s.ctxNames[:0], s.ctxURIs[:0]
	s.floats = s.floats[:0]
	s.exts = s.exts[:0]
	trailer := h.push()
	defer h.pop()
	if !r.byte('{') {
		return nil, false
	}
	if strings.HasPrefix(r.s[r.i:], `"@context":`) {
		r.i += len(`"@context":`)
		if !s.context(&r) || !r.byte(',') {
			return nil, false
		}
	}
	var typ EventType
	var seen fieldBit
	for {
		k, ok := r.key()
		if !ok {
			return nil, false
		}
		var f fieldBit
		part := -1 // the ordered part written, if any
		lo := len(frag)
		switch k {
		case "type":
			f = fldType
			var t string
			if t, ok = r.str(); ok {
				typ = EventType(t)
				ok = knownEventType(typ)
			}
		case "eventTime":
			f, part = fldEventTime, partEventTime
			var v string
			if v, ok = r.str(); ok {
				if v != "" && v == string(s.eventTime) {
					frag = append(frag, s.eventTimePart...)
				} else {
					var tm time.Time
					if tm, ok = parseEPCISTime(v); ok {
						frag = appendHashTime(frag, "eventTime", tm)
						s.eventTime = append(s.eventTime[:0], v...)
						s.eventTimePart = append(s.eventTimePart[:0], frag[lo:]...)
					}
				}
			}
		case "recordTime":
			f = fldRecordTime // not hashed, but it must be a time
			var v string
			if v, ok = r.str(); ok && (v == "" || v != string(s.recordTime)) {
				if _, ok = parseEPCISTime(v); ok {
					s.recordTime = append(s.recordTime[:0], v...)
				}
			}
		case "eventTimeZoneOffset":
			f, part = fldEventTimeZoneOffset, partEventTimeZoneOffset
			var v string
			if v, ok = r.str(); ok {
				frag = h.leaf(frag, "eventTimeZoneOffset", v)
			}
		case "eventID":
			f = fldEventID // not hashed
			_, ok = r.uri()
		case "certificationInfo":
			f, part = fldCertificationInfo, partCertificationInfo
			if r.i < len(r.s) && r.s[r.i] == '[' {
				s.cert, ok = r.uriList(s.cert)
				frag = h.leafList(frag, "", "certificationInfo", s.cert)
			} else {
				frag, ok = s.uriLeaf(&r, frag, "certificationInfo")
			}
		case "parentID":
			f, part = fldParentID, partParentID
			frag, ok = s.uriLeaf(&r, frag, "parentID")
		case "epcList":
			f, part = fldEPCList, partEPCList
			frag, ok = s.epcList(&r, frag, "epcList")
		case "childEPCs":
			f, part = fldChildEPCs, partChildEPCs
			frag, ok = s.epcList(&r, frag, "childEPCs")
		case "inputEPCList":
			f, part = fldInputEPCList, partInputEPCList
			frag, ok = s.epcList(&r, frag, "inputEPCList")
		case "outputEPCList":
			f, part = fldOutputEPCList, partOutputEPCList
			frag, ok = s.epcList(&r, frag, "outputEPCList")
		case "quantityList":
			f, part = fldQuantityList, partQuantityList
			frag, ok = s.quantityPart(&r, frag, "quantityList", 0)
		case "childQuantityList":
			f, part = fldChildQuantityList, partChildQuantityList
			frag, ok = s.quantityPart(&r, frag, "childQuantityList", 1)
		case "inputQuantityList":
			f, part = fldInputQuantityList, partInputQuantityList
			frag, ok = s.quantityPart(&r, frag, "inputQuantityList", 2)
		case "outputQuantityList":
			f, part = fldOutputQuantityList, partOutputQuantityList
			frag, ok = s.quantityPart(&r, frag, "outputQuantityList", 3)
		case "action":
			f, part = fldAction, partAction
			var v string
			if v, ok = r.str(); ok {
				frag = h.leaf(frag, "action", v)
			}
		case "transformationID":
			f, part = fldTransformationID, partTransformationID
			frag, ok = s.uriLeaf(&r, frag, "transformationID")
		case "bizStep":
			f, part = fldBizStep, partBizStep
			var v string
			if v, ok = r.vocab(VocabBizStep); ok {
				frag = h.vocab(frag, "bizStep", v, vocBizStep)
			}
		case "disposition":
			f, part = fldDisposition, partDisposition
			var v string
			if v, ok = r.vocab(VocabDisposition); ok {
				frag = h.vocab(frag, "disposition", v, vocDisp)
			}
		case "readPoint":
			f, part = fldReadPoint, partReadPoint
			if frag, ok = s.recalled(&r, frag, recentReadPoint); !ok {
				start := r.i
				if frag, ok = s.locationPart(&r, frag, "readPoint"); ok {
					s.recent[recentReadPoint].add(r.s[start:r.i], frag[lo:])
				}
			}
		case "bizLocation":
			f, part = fldBizLocation, partBizLocation
			if frag, ok = s.recalled(&r, frag, recentBizLocation); !ok {
				start := r.i
				if frag, ok = s.locationPart(&r, frag, "bizLocation"); ok {
					s.recent[recentBizLocation].add(r.s[start:r.i], frag[lo:])
				}
			}
		case "bizTransactionList":
			f = fldBizTransactionList
			var bts []BizTransaction
			if bts, ok = s.bizTransactions(&r); ok {
				h.bizTransactionList(trailer, bts)
			}
		case "sourceList":
			f = fldSourceList
			tlo := len(trailer.b)
			if trailer.b, ok = s.recalled(&r, trailer.b, recentSourceList); ok {
				trailer.mark(tlo)
			} else {
				start := r.i
				var sds []SourceDest
				if sds, ok = s.sourceDest(&r, 0, "source"); ok {
					h.sourceDest(trailer, "sourceList", "source", sds)
					s.recent[recentSourceList].add(r.s[start:r.i], trailer.b[tlo:])
				}
			}
		case "destinationList":
			f = fldDestinationList
			tlo := len(trailer.b)
			if trailer.b, ok = s.recalled(&r, trailer.b, recentDestinationList); ok {
				trailer.mark(tlo)
			} else {
				start := r.i
				var sds []SourceDest
				if sds, ok = s.sourceDest(&r, 1, "destination"); ok {
					h.sourceDest(trailer, "destinationList", "destination", sds)
					s.recent[recentDestinationList].add(r.s[start:r.i], trailer.b[tlo:])
				}
			}
		case "ilmd":
			f = fldILMD
			if ok = s.ilmdObject(&r); ok {
				h.ilmd(trailer, &s.ilmd)
			}
		default:
			// As in scan.
			if strings.IndexByte(k, ':') <= 0 {
				return nil, false
			}
			var n Node
			if n, ok = s.node(&r, k, true, 1); ok {
				s.exts = append(s.exts, n)
				h.extensionItems(trailer, s.exts[len(s.exts)-1:])
			}
		}
		if !ok || seen&f != 0 {
			return nil, false
		}
		seen |= f
		if part >= 0 {
			s.parts[part] = preSpan{lo, len(frag)}
		}
		more, ok := r.next('}')
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
	}
	s.frag = frag
	if r.i != len(r.s) || seen&fldType == 0 || seen&^allowedFields(typ) != 0 {
		return nil, false
	}
	b := append(h.out[:0], "eventType="...)
	b = append(b, typ...)
	for _, p := range s.parts {
		if p.hi > p.lo {
			b = append(b, frag[p.lo:p.hi]...)
		}
	}
	b = trailer.flush(b)
	h.out = b
	return b, true
}

// uriLeaf reads a URI and appends key=value as preHasher.leaf does.
func (s *StoredHasher) uriLeaf(r *storedScanner, dst []byte, key string) ([]byte, bool) {
	v, ok := r.str()
	if !ok {
		return dst, false
	}
	if hashFormDL(v) {
		// The commonest value of a store, and a URI (absURI holds) in the form
		// preHasher.value leaves as it is, with nothing to strip: one look at it
		// instead of three.
		dst = append(dst, key...)
		dst = append(dst, '=')
		return append(dst, v...), true
	}
	if !absURI(v) {
		return dst, false
	}
	return s.h.leaf(dst, key, v), true
}

// Fields whose recent values direct remembers: in a store, events name the same few
// locations and parties again and again, and events captured together the same ones.
// (Short strings, such as a business step, read and render in less time than looking
// them up takes.)
const (
	recentReadPoint = iota
	recentBizLocation
	recentSourceList
	recentDestinationList
	recentEPCs       // the four lists of EPCs, without their names
	recentQuantities // the four quantity lists, without their names
	numRecent
)

// recentValues remembers the last few values of one field, each as the document wrote it
// (a location object, a list) and with what it adds to the pre-hash.
type recentValues struct {
	raw, part [4][]byte
	next      int
}

// find returns the remembered value that rest starts with, and its part.
func (m *recentValues) find(rest string) (raw, part []byte, ok bool) {
	for i := range m.raw {
		if v := m.raw[i]; len(v) > 0 && len(rest) >= len(v) && rest[:len(v)] == string(v) {
			return v, m.part[i], true
		}
	}
	return nil, nil, false
}

// maxRecentValue bounds the values remembered: a long list rarely recurs, and copying it
// would cost more than reading it again saves.
const maxRecentValue = 4096

// add remembers a value read and found valid, in place of the oldest.
func (m *recentValues) add(raw string, part []byte) {
	if len(raw) > maxRecentValue {
		return
	}
	i := m.next
	m.raw[i] = append(m.raw[i][:0], raw...)
	m.part[i] = append(m.part[i][:0], part...)
	m.next = (i + 1) % len(m.raw)
}

// recalled appends the part of the value at r when it is one of field's recent values,
// and moves r past it. A JSON object, array or string ends where its text says, so input
// that starts with a value read before holds that value, which reads and renders the
// same again: the rendering of these fields depends on nothing else of the event (not on
// its @context, as extensions do). What follows it is checked by the caller as usual.
func (s *StoredHasher) recalled(r *storedScanner, dst []byte, field int) ([]byte, bool) {
	raw, part, ok := s.recent[field].find(r.s[r.i:])
	if !ok {
		return dst, false
	}
	r.i += len(raw)
	return append(dst, part...), true
}

// locationPart reads a location as location does and appends what preHasher.location
// appends for it: name, then id=value as uriLeaf writes it.
func (s *StoredHasher) locationPart(r *storedScanner, dst []byte, name string) ([]byte, bool) {
	if !strings.HasPrefix(r.s[r.i:], `{"id":`) {
		return dst, false
	}
	r.i += len(`{"id":`)
	dst = append(dst, name...)
	dst, ok := s.uriLeaf(r, dst, "id")
	return dst, ok && r.byte('}')
}

// epcList reads an array of URIs and appends what preHasher.leafList appends for it.
//
// The four lists of EPCs share their recent values (see recalled), the list's name left
// out: the children packed by an aggregation are often the outputs of a transformation
// just before, or the EPCs of an event just before.
func (s *StoredHasher) epcList(r *storedScanner, dst []byte, name string) ([]byte, bool) {
	if raw, items, ok := s.recent[recentEPCs].find(r.s[r.i:]); ok {
		r.i += len(raw)
		return s.named(dst, name, items), true
	}
	start := r.i
	if !r.byte('[') {
		return dst, false
	}
	if r.byte(']') {
		return dst, true
	}
	t := s.h.push()
	defer s.h.pop()
	for {
		lo := len(t.b)
		var ok bool
		if t.b, ok = s.uriLeaf(r, t.b, "epc"); !ok {
			return dst, false
		}
		t.mark(lo)
		more, ok := r.next(']')
		if !ok {
			return dst, false
		}
		if !more {
			break
		}
	}
	lo := len(dst)
	dst = append(dst, name...)
	items := len(dst)
	dst = t.flush(dst)
	s.recent[recentEPCs].add(r.s[start:r.i], dst[items:])
	if len(dst) == items {
		dst = dst[:lo]
	}
	return dst, true
}

// named appends name and items unless items is empty, as leafList and quantityList
// write a list: nothing for a list with nothing to hash.
func (s *StoredHasher) named(dst []byte, name string, items []byte) []byte {
	if len(items) == 0 {
		return dst
	}
	dst = append(dst, name...)
	return append(dst, items...)
}

// quantityPart reads a quantity list as quantities does and appends what
// preHasher.quantityList appends for it. The four quantity lists share their recent
// values, as the lists of EPCs do.
func (s *StoredHasher) quantityPart(r *storedScanner, dst []byte, name string, slot int) ([]byte, bool) {
	if raw, items, ok := s.recent[recentQuantities].find(r.s[r.i:]); ok {
		r.i += len(raw)
		return s.named(dst, name, items), true
	}
	start := r.i
	qs, ok := s.quantities(r, slot)
	if !ok {
		return dst, false
	}
	// quantityList writes the name and then the items, or nothing.
	lo := len(dst)
	dst = s.h.quantityList(dst, name, qs)
	var items []byte
	if len(dst) > lo {
		items = dst[lo+len(name):]
	}
	s.recent[recentQuantities].add(r.s[start:r.i], items)
	return dst, true
}
