package lineage

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"slices"

	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
)

// The index keeps no per-edge or per-node heap object: nodes are byte records in chunks,
// events are hyperedges of uint32 words in chunks, and the only maps are the prefix
// dictionary and the (rare) declared seqs. See the package doc, "Representation".

const (
	open = math.MaxInt64 // End of an open Contains edge

	nodeChunkBits = 20 // node records: 1 MiB chunks of bytes
	nodeChunk     = 1 << nodeChunkBits
	wordChunkBits = 16 // hyperedges: 256 KiB chunks of words
	wordChunk     = 1 << wordChunkBits

	maxRaw      = 1 << 16 // longer names live in Index.long
	maxPrefixes = 1 << 16 // distinct name prefixes kept in the dictionary
	maxDigits   = 9       // trailing digits stored as a number

	// maxGroup bounds one list of a hyperedge (children, inputs, outputs, objects,
	// items); longer lists are split over several hyperedges of the same event.
	maxGroup = 4095

	fixed = 0x80 // kind byte: the kind comes from the identifier's form
)

// Hyperedge kinds (low 3 bits of the first word).
const (
	hContains   = iota // [parent][children...]: parent → each child, time-bounded
	hUnpack            // [parent] then listed children (unlinked words): an aggregation DELETE
	hTransforms        // [hub?][lot?][inputs...][outputs...]
	hTransfers         // [party set][objects...]
	hMember            // [lot][items...]
	hSet               // [party set][sources...][destinations...]: who a party set is
	hObserve           // [identifiers...]: named by an event that links them into nothing else
)

// Flags of the first word; counts start at bit 8.
const (
	fDead  = 1 << 3 // the event was declared erroneous
	fWide  = 1 << 4 // times are int64 nanoseconds (two words) instead of seconds
	fHub   = 1 << 5 // transforms: slot 0 is the transformationID's hub node
	fLot   = 1 << 6 // transforms: a slot names the lot every output is a member of
	fMixed = 1 << 7 // contains: children close at different times; computed per child
	fAll   = 1 << 7 // unpack: closes all children
	fRef   = 1 << 6 // unpack: lists the children of the Contains hyperedge it points to
)

// Narrow times are whole seconds since 2000-01-01 in one word; openNarrow is an open end.
const (
	epochSeconds = 946684800
	openNarrow   = math.MaxUint32
)

// Index is an in-memory lineage index built incrementally from events in seq order. It
// is not safe for concurrent use: callers serialise Apply/Declare against Trace (an
// RWMutex around it is enough, Trace only reads).
type Index struct {
	seed   maphash.Seed
	nodes  [][]byte // node records: head (4 bytes), kind (1), encoded name
	table  []uint32 // open addressing: node ref + 1
	nnodes int
	nhubs  int
	pfxs   []string // name prefixes by id
	pfxIDs map[string]uint32
	long   []string // names longer than maxRaw

	w     words    // hyperedges
	heads []uint64 // bit p set: a hyperedge starts at word p

	declared map[int64]struct{}
	events   int64
	maxSeq   int64
	nedges   int64 // edges the hyperedges stand for

	p                  parts // scratch
	buf                []byte
	ins, outs, objs    []uint32
	srcs, dsts, listed []uint32
	setBuf             []byte
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		seed:     maphash.MakeSeed(),
		table:    make([]uint32, 1024),
		pfxIDs:   map[string]uint32{},
		declared: map[int64]struct{}{},
		maxSeq:   -1,
	}
}

const stem = codes.CanonicalDLStem

func short(s string) string {
	if len(s) > len(stem) && s[:len(stem)] == stem && s[len(stem)] == '/' {
		return s[len(stem):]
	}
	return s
}

// --- node records ---

func (x *Index) rec(ref uint32) []byte {
	return x.nodes[ref>>nodeChunkBits][ref&(nodeChunk-1):]
}

func (x *Index) head(ref uint32) uint32 { return binary.LittleEndian.Uint32(x.rec(ref)) }
func (x *Index) setHead(ref, p uint32)  { binary.LittleEndian.PutUint32(x.rec(ref), p) }
func (x *Index) kind(ref uint32) uint8  { return x.rec(ref)[4] }

// encLen is the length of the encoded name at the start of b.
func encLen(b []byte) int {
	v, n := binary.Uvarint(b)
	l, m := binary.Uvarint(b[n:])
	if v == 0 {
		return n + m + int(l)
	}
	return n + m
}

func (x *Index) enc(ref uint32) []byte {
	b := x.rec(ref)[5:]
	return b[:encLen(b)]
}

// encode writes the stored form of a short name into buf: a trailing run of up to
// maxDigits digits becomes a number after the id of the prefix before it (GS1 keys share
// long prefixes and end in serials), other names are stored raw. Without add it does not
// grow the dictionary and reports false when no stored name can have this encoding.
func (x *Index) encode(buf []byte, s string, add bool) ([]byte, bool) {
	buf = buf[:0]
	if len(s) > maxRaw {
		return buf, true // compared as a string, see match
	}
	i := len(s)
	for i > 0 && len(s)-i < maxDigits && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if len(s) > 0 && s[0] == 1 {
		i = len(s) // a party set: binary, stored raw
	}
	if i < len(s) {
		pfx, digits := s[:i], s[i:]
		id, ok := x.pfxIDs[pfx]
		if !ok && len(x.pfxs) < maxPrefixes {
			if !add {
				return buf, false // a stored name with this prefix would have added it
			}
			id, ok = uint32(len(x.pfxs)), true
			x.pfxs = append(x.pfxs, pfx)
			x.pfxIDs[pfx] = id
		}
		if ok {
			var v uint64
			for j := 0; j < len(digits); j++ {
				v = v*10 + uint64(digits[j]-'0')
			}
			num := v << 1
			if digits[0] == '0' && len(digits) > 1 { // keep the leading zeros
				num = (v<<4|uint64(len(digits)))<<1 | 1
			}
			buf = binary.AppendUvarint(buf, uint64(id)+2)
			return binary.AppendUvarint(buf, num), true
		}
	}
	buf = binary.AppendUvarint(buf, 0)
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...), true
}

// decode returns the short name stored in enc.
func (x *Index) decode(enc []byte) string {
	v, n := binary.Uvarint(enc)
	w, _ := binary.Uvarint(enc[n:])
	switch v {
	case 0:
		return string(enc[len(enc)-int(w):])
	case 1:
		return x.long[w]
	}
	var d [20]byte
	i := len(d)
	num := w >> 1
	width := 0
	if w&1 == 1 {
		width, num = int(num&15), num>>4
	}
	for {
		i--
		d[i] = byte('0' + num%10)
		num /= 10
		if num == 0 {
			break
		}
	}
	for len(d)-i < width {
		i--
		d[i] = '0'
	}
	return x.pfxs[v-2] + string(d[i:])
}

func (x *Index) name(ref uint32) string {
	s := x.decode(x.enc(ref))
	if len(s) > 0 && s[0] == '/' {
		return stem + s
	}
	return s
}

func (x *Index) hashOf(enc []byte, s string) uint64 {
	if len(s) > maxRaw {
		return maphash.String(x.seed, s)
	}
	return maphash.Bytes(x.seed, enc)
}

func (x *Index) match(ref uint32, enc []byte, s string) bool {
	e := x.enc(ref)
	if len(s) > maxRaw {
		v, n := binary.Uvarint(e)
		if v != 1 {
			return false
		}
		i, _ := binary.Uvarint(e[n:])
		return x.long[i] == s
	}
	return string(e) == string(enc)
}

// find returns the node of short name s, or the table slot where it would go. It
// encodes into buf and returns it; without add it writes nothing of the index, so
// concurrent traces can look up.
func (x *Index) find(buf []byte, s string, add bool) (ref uint32, slot uint64, found bool, enc []byte) {
	enc, ok := x.encode(buf, s, add)
	if !ok {
		return 0, 0, false, enc
	}
	n := uint64(len(x.table))
	for i := slotOf(x.hashOf(enc, s), n); ; i = nextSlot(i, n) {
		v := x.table[i]
		if v == 0 {
			return 0, i, false, enc
		}
		if x.match(v-1, enc, s) {
			return v - 1, i, true, enc
		}
	}
}

// lookup finds the node of a canonical identifier.
func (x *Index) lookup(full string) (uint32, bool) {
	var b [64]byte
	ref, _, ok, _ := x.find(b[:0], short(full), false)
	if ok && x.kind(ref) == kHub {
		return 0, false
	}
	return ref, ok
}

// newRecord stores a node record for the encoding in x.buf.
func (x *Index) newRecord(k uint8, s string) uint32 {
	enc := x.buf
	if len(s) > maxRaw {
		enc = binary.AppendUvarint(enc[:0], 1)
		enc = binary.AppendUvarint(enc, uint64(len(x.long)))
		x.long = append(x.long, s)
		x.buf = enc
	}
	need := 5 + len(enc)
	last := len(x.nodes) - 1
	if last < 0 || len(x.nodes[last])+need > nodeChunk {
		x.nodes = append(x.nodes, make([]byte, 0, nodeChunk))
		last++
	}
	c := x.nodes[last]
	ref := uint32(last)<<nodeChunkBits | uint32(len(c))
	c = append(c, 0, 0, 0, 0, k)
	x.nodes[last] = append(c, enc...)
	return ref
}

// internShort returns the node of short name s, adding it with kind k.
func (x *Index) internShort(s string, k uint8) (uint32, bool) {
	ref, slot, ok, enc := x.find(x.buf, s, true)
	x.buf = enc
	if ok {
		return ref, false
	}
	if x.nnodes == math.MaxUint32/2 || uint64(len(x.nodes))<<nodeChunkBits >= math.MaxUint32-nodeChunk {
		panic("lineage: too many identifiers")
	}
	ref = x.newRecord(k, s)
	x.table[slot] = ref + 1
	x.nnodes++
	if uint64(x.nnodes)*5 > uint64(len(x.table))*4 {
		x.grow()
	}
	return ref, true
}

// intern returns the node of a canonical identifier, adding it, and strengthens its kind
// with role (kNone for none).
func (x *Index) intern(full string, role uint8) uint32 {
	ref, created := x.internShort(short(full), kNone)
	if created {
		if k := syntaxKind(full); k != kNone {
			x.rec(ref)[4] = k | fixed
		}
	}
	x.addRole(ref, role)
	return ref
}

// internHub returns the hidden node joining the events of one transformationID. The
// leading NUL keeps it apart from every identifier.
func (x *Index) internHub(tid string) uint32 {
	ref, created := x.internShort("\x00"+tid, kHub)
	if created {
		x.nhubs++
	}
	return ref
}

// anonHub returns a fresh hidden node joining the parts of one oversized transformation.
func (x *Index) anonHub() uint32 {
	x.buf = append(binary.AppendUvarint(x.buf[:0], 0), 0)
	x.nhubs++
	return x.newRecord(kHub, "")
}

func (x *Index) addRole(ref uint32, role uint8) {
	r := x.rec(ref)
	k := r[4]
	if k&fixed != 0 || k == kHub {
		return
	}
	if rolePriority(role) > rolePriority(k) {
		r[4] = role
	}
}

// The table grows by half when 80% full, so it is 53–80% full: a power-of-two table
// doubling at 75% would average a third more memory per identifier.
func slotOf(h, n uint64) uint64 {
	hi, _ := bits.Mul64(h, n)
	return hi
}

func nextSlot(i, n uint64) uint64 {
	if i++; i == n {
		return 0
	}
	return i
}

func (x *Index) grow() {
	t := make([]uint32, len(x.table)+len(x.table)/2)
	size := uint64(len(t))
	for _, v := range x.table {
		if v == 0 {
			continue
		}
		e := x.enc(v - 1)
		var h uint64
		if k, n := binary.Uvarint(e); k == 1 {
			i, _ := binary.Uvarint(e[n:])
			h = maphash.String(x.seed, x.long[i])
		} else {
			h = maphash.Bytes(x.seed, e)
		}
		i := slotOf(h, size)
		for t[i] != 0 {
			i = nextSlot(i, size)
		}
		t[i] = v
	}
	x.table = t
}

// --- hyperedge words ---

// words is a chunked arena of uint32; a position is chunk<<wordChunkBits | offset, and a
// hyperedge never straddles chunks. Position 0 is always a first word, never a slot, so
// 0 ends a node's list.
type words struct {
	chunks [][]uint32
	n      uint32 // next free position
}

func (w *words) at(p uint32) uint32     { return w.chunks[p>>wordChunkBits][p&(wordChunk-1)] }
func (w *words) set(p uint32, v uint32) { w.chunks[p>>wordChunkBits][p&(wordChunk-1)] = v }

func (w *words) alloc(n int) uint32 {
	off := int(w.n & (wordChunk - 1))
	if int(w.n>>wordChunkBits) >= len(w.chunks) || off+n > wordChunk {
		if len(w.chunks) >= 1<<(32-wordChunkBits)-1 {
			panic("lineage: index full")
		}
		w.n = uint32(len(w.chunks)) << wordChunkBits
		w.chunks = append(w.chunks, make([]uint32, wordChunk))
	}
	p := w.n
	w.n += uint32(n)
	return p
}

func timeWords(w0 uint32) uint32 {
	switch w0 & 7 {
	case hContains:
		if w0&fWide != 0 {
			return 4
		}
		return 2
	case hUnpack:
		if w0&fWide != 0 {
			return 2
		}
		return 1
	}
	return 0
}

func (x *Index) slotBase(h, w0 uint32) uint32 { return h + 2 + timeWords(w0) }

// headerOf returns the first word of the hyperedge holding position p.
func (x *Index) headerOf(p uint32) uint32 {
	i := p >> 6
	b := x.heads[i] & (^uint64(0) >> (63 - p&63))
	for b == 0 {
		i--
		b = x.heads[i]
	}
	return i<<6 + uint32(63-bits.LeadingZeros64(b))
}

// nextHeader returns the hyperedge after the one starting at h, or 0 at the end.
func (x *Index) nextHeader(h uint32) uint32 {
	p := h + 1
	i := p >> 6
	if int(i) >= len(x.heads) {
		return 0
	}
	b := x.heads[i] & (^uint64(0) << (p & 63))
	for b == 0 {
		i++
		if int(i) >= len(x.heads) {
			return 0
		}
		b = x.heads[i]
	}
	return i<<6 + uint32(bits.TrailingZeros64(b))
}

func (x *Index) newHyper(w0, seq uint32, slots, extra int) uint32 {
	h := x.w.alloc(2 + int(timeWords(w0)) + 2*slots + extra)
	x.w.set(h, w0)
	x.w.set(h+1, seq)
	for int((x.w.n-1)>>6) >= len(x.heads) { // headerOf reads the bits of every slot's block
		x.heads = append(x.heads, 0)
	}
	x.heads[h>>6] |= 1 << (h & 63)
	return h
}

// link puts node in the slot at p, in front of the node's list.
func (x *Index) link(p, node uint32) {
	x.w.set(p, node)
	x.w.set(p+1, x.head(node))
	x.setHead(node, p)
}

func narrowTime(t int64) (uint32, bool) {
	if t%1e9 != 0 {
		return 0, false
	}
	s := t/1e9 - epochSeconds
	if s < 0 || s >= openNarrow {
		return 0, false
	}
	return uint32(s), true
}

func (x *Index) timeAt(p uint32, wide bool) int64 {
	if wide {
		return int64(uint64(x.w.at(p)) | uint64(x.w.at(p+1))<<32)
	}
	v := x.w.at(p)
	if v == openNarrow {
		return open
	}
	return (int64(v) + epochSeconds) * 1e9
}

// setTime stores t at p, false when a narrow slot cannot hold it.
func (x *Index) setTime(p uint32, wide bool, t int64) bool {
	if wide {
		x.w.set(p, uint32(uint64(t)))
		x.w.set(p+1, uint32(uint64(t)>>32))
		return true
	}
	if t == open {
		x.w.set(p, openNarrow)
		return true
	}
	v, ok := narrowTime(t)
	if ok {
		x.w.set(p, v)
	}
	return ok
}

func (x *Index) containsStart(h, w0 uint32) int64 { return x.timeAt(h+2, w0&fWide != 0) }
func (x *Index) containsEnd(h, w0 uint32) int64 {
	if w0&fWide != 0 {
		return x.timeAt(h+4, true)
	}
	return x.timeAt(h+3, false)
}
func (x *Index) unpackTime(u, w0 uint32) int64 { return x.timeAt(u+2, w0&fWide != 0) }

func chunkOf(l []uint32) ([]uint32, []uint32) {
	if len(l) > maxGroup {
		return l[:maxGroup], l[maxGroup:]
	}
	return l, nil
}

// --- apply ---

// Apply adds the edges of the event stored at seq. Events must come in seq order (a
// replay after restart applies every stored event, then declares the declared ones).
func (x *Index) Apply(seq int64, e *epcis.Event) {
	if seq < 0 || seq > math.MaxUint32 {
		panic("lineage: seq out of range")
	}
	if seq <= x.maxSeq {
		panic("lineage: events must be applied in seq order")
	}
	x.maxSeq = seq
	x.events++
	p := &x.p
	p.extract(e)
	if p.ignore {
		return
	}
	s := uint32(seq)
	_, dead := x.declared[seq]
	var df uint32
	if dead {
		df = fDead
	}
	t := e.EventTime.UnixNano()
	if p.parent != "" {
		par := x.intern(p.parent, kContainer)
		if len(p.contains) > 0 {
			x.ins = x.ids(x.ins[:0], p.contains, kInstance)
			x.nedges += int64(len(x.ins))
			for rest := x.ins; len(rest) > 0; {
				var kids []uint32
				kids, rest = chunkOf(rest)
				x.addContains(par, kids, t, s, df)
			}
		}
		if len(p.deletes) > 0 || p.deleteAll {
			x.listed = x.ids(x.listed[:0], p.deletes, kInstance)
			if p.deleteAll {
				x.addUnpack(par, nil, true, t, s, df)
			}
			for rest := x.listed; len(rest) > 0; {
				var kids []uint32
				kids, rest = chunkOf(rest)
				x.addUnpack(par, kids, false, t, s, df)
			}
		}
	}
	merged := false
	if len(p.inputs)+len(p.outputs) > 0 {
		merged = x.addTransformation(e.TransformationID, s, df)
	}
	if len(p.objects) > 0 {
		x.addTransfers(s, df)
	} else {
		// Sources or destinations without objects still tell what those identifiers are.
		for _, sd := range p.sources {
			x.intern(sd.Value, partyKind(sd.Type))
		}
		for _, sd := range p.dests {
			x.intern(sd.Value, partyKind(sd.Type))
		}
	}
	if !merged && len(p.members) > 0 {
		x.addMembers(s, df)
	}
	if len(p.objects) == 0 { // a transfer links every identifier the event names
		x.observe(e, s, df)
	}
}

// observe links the identifiers the event names but did not link into one of its other
// hyperedges (an inspection, a retail sale, a commissioning without a lot) into one
// hObserve hyperedge, so that EventsOf finds every event that names an identifier by
// walking the identifier's slots. The children an aggregation DELETE lists are left out:
// the unpacking is found from their container, which it always links.
func (x *Index) observe(e *epcis.Event, s, df uint32) {
	x.objs = x.objs[:0]
	note := func(id string) {
		if id == "" {
			return
		}
		ref := x.intern(id, kInstance)
		if q := x.head(ref); q != 0 && x.w.at(x.headerOf(q)+1) == s {
			return // linked by this event
		}
		if !slices.Contains(x.objs, ref) {
			x.objs = append(x.objs, ref)
		}
	}
	unpack := e.Type == epcis.AggregationEvent && e.Action == epcis.ActionDelete
	note(e.ParentID)
	for _, l := range [][]string{e.EPCList, e.InputEPCList, e.OutputEPCList} {
		for _, id := range l {
			note(id)
		}
	}
	for _, l := range [][]epcis.QuantityElement{e.QuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range l {
			note(q.EPCClass)
		}
	}
	if !unpack {
		for _, id := range e.ChildEPCs {
			note(id)
		}
		for _, q := range e.ChildQuantityList {
			note(q.EPCClass)
		}
	}
	for rest := x.objs; len(rest) > 0; {
		var ids []uint32
		ids, rest = chunkOf(rest)
		w0 := hObserve | df | uint32(len(ids))<<8
		h := x.newHyper(w0, s, len(ids), 0)
		b := x.slotBase(h, w0)
		for k, ref := range ids {
			x.link(b+2*uint32(k), ref)
		}
	}
}

// EventsOf returns the seqs of the events that name any of ids (canonical identifiers),
// ascending, as live (counting) and declared (declared erroneous) events: every event
// that links an identifier into the lineage and every other event that names it, except
// that an aggregation DELETE is found only from its parent, not from the children it
// lists. An event the index holds through an identifier's lot (an ILMD lot membership)
// counts for the lot too. Parties and places give no events: the events that name them as
// source or destination are those of the goods moved, found from the goods.
func (x *Index) EventsOf(ids []string) (live, declared []int64) {
	add := func(seq uint32, dead bool) {
		if _, d := x.declared[int64(seq)]; d || dead {
			declared = append(declared, int64(seq))
		} else {
			live = append(live, int64(seq))
		}
	}
	for _, id := range ids {
		ref, ok := x.lookup(id)
		if !ok {
			continue
		}
		for q := x.head(ref); q != 0; q = x.w.at(q + 1) {
			h := x.headerOf(q)
			w0 := x.w.at(h)
			if w0&7 == hSet {
				continue
			}
			add(x.w.at(h+1), w0&fDead != 0)
		}
	}
	slices.Sort(live)
	slices.Sort(declared)
	return slices.Compact(live), slices.Compact(declared)
}

func (x *Index) ids(dst []uint32, l []string, role uint8) []uint32 {
	for _, v := range l {
		dst = append(dst, x.intern(v, role))
	}
	return dst
}

func (x *Index) addContains(par uint32, kids []uint32, t int64, s, df uint32) {
	w0 := hContains | df | uint32(len(kids))<<8
	if _, ok := narrowTime(t); !ok {
		w0 |= fWide
	}
	h := x.newHyper(w0, s, 1+len(kids), 0)
	x.setTime(h+2, w0&fWide != 0, t)
	x.setEnd(h, w0, open)
	base := x.slotBase(h, w0)
	x.link(base, par)
	for i, c := range kids {
		x.link(base+2+2*uint32(i), c)
	}
	if df == 0 {
		x.closeContains(h)
	}
}

func (x *Index) setEnd(h, w0 uint32, t int64) bool {
	if w0&fWide != 0 {
		return x.setTime(h+4, true, t)
	}
	return x.setTime(h+3, false, t)
}

func (x *Index) addUnpack(par uint32, listed []uint32, all bool, t int64, s, df uint32) {
	w0 := hUnpack | df | uint32(len(listed))<<8
	if all {
		w0 |= fAll
	}
	if _, ok := narrowTime(t); !ok {
		w0 |= fWide
	}
	ref := uint32(0)
	if len(listed) > 0 && len(listed) <= 256 {
		ref = x.sameChildren(par, listed)
	}
	extra := len(listed)
	if ref != 0 {
		w0 |= fRef
		extra = 1
	}
	u := x.newHyper(w0, s, 1, extra)
	x.setTime(u+2, w0&fWide != 0, t)
	base := x.slotBase(u, w0)
	x.link(base, par)
	if ref != 0 {
		x.w.set(base+2, ref)
	}
	for i := 0; ref == 0 && i < len(listed); i++ {
		x.w.set(base+2+uint32(i), listed[i])
	}
	if df != 0 {
		return
	}
	for q := x.head(par); q != 0; q = x.w.at(q + 1) {
		h := x.headerOf(q)
		if w := x.w.at(h); w&7 == hContains && w&fDead == 0 && q == x.slotBase(h, w) {
			x.applyClose(h, u)
		}
	}
}

// sameChildren returns the latest Contains hyperedge of par when its children are exactly
// listed (an unpack of what was packed, the usual case), else 0.
func (x *Index) sameChildren(par uint32, listed []uint32) uint32 {
	for q := x.head(par); q != 0; q = x.w.at(q + 1) {
		h := x.headerOf(q)
		hw := x.w.at(h)
		if hw&7 != hContains || q != x.slotBase(h, hw) {
			continue
		}
		if hw>>8 != uint32(len(listed)) {
			return 0
		}
		for i := uint32(1); i <= hw>>8; i++ {
			c := x.w.at(q + 2*i)
			found := false
			for _, l := range listed {
				if l == c {
					found = true
					break
				}
			}
			if !found {
				return 0
			}
		}
		return h
	}
	return 0
}

// unpackList is where the listed children of unpack u are: first position and stride.
func (x *Index) unpackList(u, uw uint32) (uint32, uint32) {
	b := x.slotBase(u, uw)
	if uw&fRef != 0 {
		h := x.w.at(b + 2)
		return x.slotBase(h, x.w.at(h)) + 2, 2
	}
	return b + 2, 1
}

// closeContains recomputes when the Contains hyperedge h ends, from the live unpacks of
// its parent.
func (x *Index) closeContains(h uint32) {
	w0 := x.w.at(h) &^ fMixed
	x.w.set(h, w0)
	x.setEnd(h, w0, open)
	par := x.w.at(x.slotBase(h, w0))
	for q := x.head(par); q != 0; q = x.w.at(q + 1) {
		u := x.headerOf(q)
		if w := x.w.at(u); w&7 == hUnpack && w&fDead == 0 && q == x.slotBase(u, w) {
			x.applyClose(h, u)
		}
	}
}

// closes reports whether a DELETE (dt, dseq) ends a Contains edge started (st, sseq).
func closes(dt int64, dseq uint32, st int64, sseq uint32) bool {
	return dt > st || (dt == st && dseq > sseq)
}

// applyClose lets the unpack u end the Contains hyperedge h: all of its children at once
// (one end for the hyperedge), or some of them (then ends are computed per child).
func (x *Index) applyClose(h, u uint32) {
	hw, uw := x.w.at(h), x.w.at(u)
	ut := x.unpackTime(u, uw)
	if !closes(ut, x.w.at(u+1), x.containsStart(h, hw), x.w.at(h+1)) {
		return
	}
	if uw&fAll == 0 {
		n := hw >> 8
		hb := x.slotBase(h, hw)
		lp, stride := x.unpackList(u, uw)
		covered := uint32(0)
		for i := uint32(1); i <= n; i++ {
			c := x.w.at(hb + 2*i)
			for j := uint32(0); j < uw>>8; j++ {
				if x.w.at(lp+stride*j) == c {
					covered++
					break
				}
			}
		}
		if covered == 0 {
			return
		}
		if covered < n {
			x.w.set(h, hw|fMixed)
			return
		}
	}
	if ut < x.containsEnd(h, hw) && !x.setEnd(h, hw, ut) {
		x.w.set(h, hw|fMixed)
	}
}

// childEnd is when the Contains hyperedge h stops holding child, from the parent's live
// unpacks.
func (x *Index) childEnd(h, hw, child uint32) int64 {
	start, sseq := x.containsStart(h, hw), x.w.at(h+1)
	par := x.w.at(x.slotBase(h, hw))
	end := int64(open)
	for q := x.head(par); q != 0; q = x.w.at(q + 1) {
		u := x.headerOf(q)
		uw := x.w.at(u)
		if uw&7 != hUnpack || uw&fDead != 0 || q != x.slotBase(u, uw) {
			continue
		}
		ut := x.unpackTime(u, uw)
		if ut >= end || !closes(ut, x.w.at(u+1), start, sseq) {
			continue
		}
		hit := uw&fAll != 0
		lp, stride := x.unpackList(u, uw)
		for j := uint32(0); !hit && j < uw>>8; j++ {
			hit = x.w.at(lp+stride*j) == child
		}
		if hit {
			end = ut
		}
	}
	return end
}

// addTransformation adds the hyperedge(s) of a transformation and reports whether the
// event's lot memberships went into it too.
func (x *Index) addTransformation(tid string, s, df uint32) bool {
	p := &x.p
	x.ins = x.ids(x.ins[:0], p.inputs, kInstance)
	x.outs = x.ids(x.outs[:0], p.outputs, kInstance)
	x.nedges += int64(len(x.ins)) * int64(len(x.outs))
	var hub uint32
	hasHub := tid != ""
	if hasHub {
		hub = x.internHub(tid)
	}
	if len(x.ins) <= maxGroup && len(x.outs) <= maxGroup {
		// The common case: every output a serialised item of one lot goes in the same
		// hyperedge instead of a MemberOf one listing the items again.
		merged := len(p.members) > 0 && len(p.members) == len(p.outputs)
		for i := 0; merged && i < len(p.members); i++ {
			merged = p.members[i][0] == p.outputs[i] && p.members[i][1] == p.members[0][1]
		}
		var lot uint32
		if merged {
			lot = x.intern(p.members[0][1], kInstance)
			x.nedges += int64(len(p.members))
		}
		x.transformHyper(hub, hasHub, lot, merged, x.ins, x.outs, s, df)
		return merged
	}
	if !hasHub {
		hub = x.anonHub()
	}
	for rest := x.ins; len(rest) > 0; {
		var part []uint32
		part, rest = chunkOf(rest)
		x.transformHyper(hub, true, 0, false, part, nil, s, df)
	}
	for rest := x.outs; len(rest) > 0; {
		var part []uint32
		part, rest = chunkOf(rest)
		x.transformHyper(hub, true, 0, false, nil, part, s, df)
	}
	return false
}

func (x *Index) transformHyper(hub uint32, hasHub bool, lot uint32, hasLot bool, ins, outs []uint32, s, df uint32) {
	w0 := hTransforms | df | uint32(len(ins))<<8 | uint32(len(outs))<<20
	n := len(ins) + len(outs)
	if hasHub {
		w0 |= fHub
		n++
	}
	if hasLot {
		w0 |= fLot
		n++
	}
	h := x.newHyper(w0, s, n, 0)
	p := x.slotBase(h, w0)
	put := func(node uint32) { x.link(p, node); p += 2 }
	if hasHub {
		put(hub)
	}
	if hasLot {
		put(lot)
	}
	for _, v := range ins {
		put(v)
	}
	for _, v := range outs {
		put(v)
	}
}

func (x *Index) addTransfers(s, df uint32) {
	p := &x.p
	x.srcs = x.srcs[:0]
	for _, sd := range p.sources {
		x.srcs = append(x.srcs, x.intern(sd.Value, partyKind(sd.Type)))
	}
	x.dsts = x.dsts[:0]
	for _, sd := range p.dests {
		x.dsts = append(x.dsts, x.intern(sd.Value, partyKind(sd.Type)))
	}
	x.objs = x.objs[:0]
	for _, o := range p.objects {
		role := kInstance
		if o == p.parent {
			role = kContainer
		}
		x.objs = append(x.objs, x.intern(o, role))
	}
	x.nedges += int64(len(x.objs)) * int64(len(x.srcs)+len(x.dsts))
	set := x.internPartySet(x.srcs, x.dsts, s)
	for rest := x.objs; len(rest) > 0; {
		var objs []uint32
		objs, rest = chunkOf(rest)
		w0 := hTransfers | df | uint32(len(objs))<<8
		h := x.newHyper(w0, s, 1+len(objs), 0)
		b := x.slotBase(h, w0)
		x.link(b, set)
		for i, o := range objs {
			x.link(b+2+2*uint32(i), o)
		}
	}
}

// internPartySet returns the hidden node standing for the sources and destinations of a
// transfer. Goods move between few combinations of parties, so a transfer names its
// combination once instead of linking every party, whose lists would otherwise grow by a
// slot per shipment; the set's name holds its members, and hSet hyperedges (made once)
// let a party find its sets.
func (x *Index) internPartySet(srcs, dsts []uint32, s uint32) uint32 {
	b := append(x.setBuf[:0], 1)
	b = binary.AppendUvarint(b, uint64(len(srcs)))
	for _, v := range srcs {
		b = binary.AppendUvarint(b, uint64(v))
	}
	for _, v := range dsts {
		b = binary.AppendUvarint(b, uint64(v))
	}
	x.setBuf = b
	set, created := x.internShort(string(b), kHub)
	if !created {
		return set
	}
	x.nhubs++
	def := func(srcs, dsts []uint32) {
		w0 := hSet | uint32(len(srcs))<<8 | uint32(len(dsts))<<20
		h := x.newHyper(w0, s, 1+len(srcs)+len(dsts), 0)
		p := x.slotBase(h, w0)
		x.link(p, set)
		for _, v := range append(srcs[:len(srcs):len(srcs)], dsts...) {
			p += 2
			x.link(p, v)
		}
	}
	if len(srcs) <= maxGroup && len(dsts) <= maxGroup {
		def(srcs, dsts)
		return set
	}
	for rest := srcs; len(rest) > 0; {
		var part []uint32
		part, rest = chunkOf(rest)
		def(part, nil)
	}
	for rest := dsts; len(rest) > 0; {
		var part []uint32
		part, rest = chunkOf(rest)
		def(nil, part)
	}
	return set
}

// partySet appends the sources and destinations of a party set to srcs and dsts.
func (x *Index) partySet(set uint32, srcs, dsts []uint32) ([]uint32, []uint32) {
	e := x.enc(set)
	var body []byte
	v, n := binary.Uvarint(e)
	l, m := binary.Uvarint(e[n:])
	if v == 1 {
		body = []byte(x.long[l])
	} else {
		body = e[n+m:]
	}
	body = body[1:]
	nS, k := binary.Uvarint(body)
	body = body[k:]
	for i := 0; len(body) > 0; i++ {
		id, k := binary.Uvarint(body)
		body = body[k:]
		if uint64(i) < nS {
			srcs = append(srcs, uint32(id))
		} else {
			dsts = append(dsts, uint32(id))
		}
	}
	return srcs, dsts
}

func (x *Index) addMembers(s, df uint32) {
	p := &x.p
	x.nedges += int64(len(p.members))
	done := 0
	for i := range p.members {
		lotName := p.members[i][1]
		seen := false
		for j := 0; j < i; j++ {
			seen = seen || p.members[j][1] == lotName
		}
		if seen {
			continue
		}
		x.ins = x.ins[:0]
		for j := i; j < len(p.members); j++ {
			if p.members[j][1] == lotName {
				x.ins = append(x.ins, x.intern(p.members[j][0], kInstance))
				done++
			}
		}
		lot := x.intern(lotName, kInstance)
		for rest := x.ins; len(rest) > 0; {
			var items []uint32
			items, rest = chunkOf(rest)
			w0 := hMember | df | uint32(len(items))<<8
			h := x.newHyper(w0, s, 1+len(items), 0)
			b := x.slotBase(h, w0)
			x.link(b, lot)
			for k, it := range items {
				x.link(b+2+2*uint32(k), it)
			}
		}
		if done == len(p.members) {
			return
		}
	}
}

// --- declarations ---

// Declare records that the event at seq was declared erroneous: its edges stop counting
// and, if it was an aggregation DELETE, the edges it closed are closed again by the
// remaining DELETEs only. Declaring a seq not yet applied takes effect when it is.
func (x *Index) Declare(seq int64) {
	if _, ok := x.declared[seq]; ok {
		return
	}
	x.declared[seq] = struct{}{}
	if seq < 0 || seq > x.maxSeq || len(x.heads) == 0 {
		return
	}
	s := uint32(seq)
	// Hyperedges lie in seq order: find the first with seq >= s.
	lo, hi := uint32(0), x.w.n
	for lo < hi {
		mid := lo + (hi-lo)/2
		if x.w.at(x.headerOf(mid)+1) >= s {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if lo == x.w.n {
		return
	}
	for h := lo; ; {
		w0 := x.w.at(h)
		if x.w.at(h+1) != s {
			return
		}
		if w0&7 != hSet { // a party set is no event's
			x.w.set(h, w0|fDead)
		}
		if w0&7 == hUnpack {
			par := x.w.at(x.slotBase(h, w0))
			for q := x.head(par); q != 0; q = x.w.at(q + 1) {
				c := x.headerOf(q)
				if w := x.w.at(c); w&7 == hContains && w&fDead == 0 && q == x.slotBase(c, w) {
					x.closeContains(c)
				}
			}
		}
		if h = x.nextHeader(h); h == 0 {
			return
		}
	}
}

// --- sizes and export ---

// MemoryBytes is the memory the index holds (capacities included).
func (x *Index) MemoryBytes() int64 {
	n := int64(0)
	for _, c := range x.nodes {
		n += int64(cap(c))
	}
	for _, c := range x.w.chunks {
		n += 4 * int64(cap(c))
	}
	n += 4*int64(cap(x.table)) + 8*int64(cap(x.heads)) + 24*int64(cap(x.nodes)+cap(x.w.chunks))
	for _, s := range x.pfxs {
		n += 16 + 2*int64(len(s)) + 24 // slice entry, string bytes and map entry
	}
	for _, s := range x.long {
		n += 16 + int64(len(s))
	}
	n += 48 * int64(len(x.declared))
	return n
}

// Len returns the number of identifiers held and of edges their events stand for.
func (x *Index) Len() (identifiers int, edges int64) {
	return x.nnodes - x.nhubs, x.nedges
}

// EdgeRow is one edge in the index's own numbering of identifiers, for copying the
// lineage into a database table (the trace benchmark's baseline). Start and End bound a
// Contains edge; other edges hold from math.MinInt64 to End = math.MaxInt64.
type EdgeRow struct {
	From, To   uint32
	Kind       Kind
	Seq        int64
	Start, End int64
}

// Node gives the number of a canonical identifier in EdgeRow and whether a trace walks
// on from it (party, location and class identifiers end a walk unless they are its root).
func (x *Index) Node(code string) (id uint32, walks bool, ok bool) {
	id, ok = x.lookup(code)
	if !ok {
		return 0, false, false
	}
	return id, !terminal(x.kind(id) &^ fixed), true
}

// NodeName is the canonical identifier numbered id.
func (x *Index) NodeName(id uint32) string { return x.name(id) }

// Walks reports whether a trace walks on from the identifier numbered id.
func (x *Index) Walks(id uint32) bool { return !terminal(x.kind(id) &^ fixed) }

// EachEdge calls fn with every edge that counts (declared events left out), the
// transformation inputs → outputs joined across a transformationID as Trace reports them,
// until fn returns false.
func (x *Index) EachEdge(fn func(EdgeRow) bool) {
	if len(x.heads) == 0 {
		return
	}
	for h := uint32(0); ; {
		if !x.edgesOf(h, fn) {
			return
		}
		if h = x.nextHeader(h); h == 0 {
			return
		}
	}
}

func (x *Index) edgesOf(h uint32, fn func(EdgeRow) bool) bool {
	w0 := x.w.at(h)
	if w0&fDead != 0 {
		return true
	}
	seq := int64(x.w.at(h + 1))
	b := x.slotBase(h, w0)
	slot := func(i uint32) uint32 { return x.w.at(b + 2*i) }
	always := func(k Kind, from, to uint32) bool {
		return fn(EdgeRow{From: from, To: to, Kind: k, Seq: seq, Start: math.MinInt64, End: math.MaxInt64})
	}
	switch w0 & 7 {
	case hContains:
		start, end := x.containsStart(h, w0), x.containsEnd(h, w0)
		for i := uint32(1); i <= w0>>8; i++ {
			c := slot(i)
			if w0&fMixed != 0 {
				end = x.childEnd(h, w0, c)
			}
			if !fn(EdgeRow{From: slot(0), To: c, Kind: Contains, Seq: seq, Start: start, End: end}) {
				return false
			}
		}
	case hTransforms:
		g := transformGroups(w0)
		for i := uint32(0); i < g.nOut; i++ {
			o := slot(g.out + i)
			if g.lot >= 0 && !always(MemberOf, o, slot(uint32(g.lot))) {
				return false
			}
			ok := x.eachInput(h, w0, func(in uint32, _ uint32) bool { return always(Transforms, in, o) })
			if !ok {
				return false
			}
		}
	case hTransfers:
		srcs, dsts := x.partySet(slot(0), nil, nil)
		for i := uint32(1); i <= w0>>8; i++ {
			o := slot(i)
			for _, p := range srcs {
				if !always(Transfers, p, o) {
					return false
				}
			}
			for _, p := range dsts {
				if !always(Transfers, o, p) {
					return false
				}
			}
		}
	case hMember:
		for i := uint32(1); i <= w0>>8; i++ {
			if !always(MemberOf, slot(i), slot(0)) {
				return false
			}
		}
	}
	return true
}

// groups is where the lists of a transforms hyperedge are, in slots.
type groups struct {
	lot       int // -1 without
	in, nIn   uint32
	out, nOut uint32
	hasHub    bool
}

func transformGroups(w0 uint32) groups {
	g := groups{lot: -1, nIn: w0 >> 8 & 0xfff, nOut: w0 >> 20}
	if w0&fHub != 0 {
		g.hasHub = true
		g.in++
	}
	if w0&fLot != 0 {
		g.lot = int(g.in)
		g.in++
	}
	g.out = g.in + g.nIn
	return g
}

// eachInput calls fn with every input of the transformation of hyperedge h (all events
// of its transformationID) and the seq of the event listing it.
func (x *Index) eachInput(h, w0 uint32, fn func(in, seq uint32) bool) bool {
	return x.eachPart(h, w0, func(h2, w2 uint32, g groups) bool {
		b := x.slotBase(h2, w2)
		s := x.w.at(h2 + 1)
		for i := uint32(0); i < g.nIn; i++ {
			if !fn(x.w.at(b+2*(g.in+i)), s) {
				return false
			}
		}
		return true
	})
}

// eachOutput is eachInput for outputs.
func (x *Index) eachOutput(h, w0 uint32, fn func(out, seq uint32) bool) bool {
	return x.eachPart(h, w0, func(h2, w2 uint32, g groups) bool {
		b := x.slotBase(h2, w2)
		s := x.w.at(h2 + 1)
		for i := uint32(0); i < g.nOut; i++ {
			if !fn(x.w.at(b+2*(g.out+i)), s) {
				return false
			}
		}
		return true
	})
}

// eachPart calls fn with h, or with every live hyperedge of h's hub.
func (x *Index) eachPart(h, w0 uint32, fn func(h2, w2 uint32, g groups) bool) bool {
	if w0&fHub == 0 {
		return fn(h, w0, transformGroups(w0))
	}
	hub := x.w.at(x.slotBase(h, w0))
	for q := x.head(hub); q != 0; q = x.w.at(q + 1) {
		h2 := x.headerOf(q)
		w2 := x.w.at(h2)
		if w2&fDead != 0 {
			continue
		}
		if !fn(h2, w2, transformGroups(w2)) {
			return false
		}
	}
	return true
}
