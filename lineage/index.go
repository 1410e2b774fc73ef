package lineage

import (
	"hash/maphash"
	"math"
	"sort"

	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
)

const (
	open     = math.MaxInt64 // End of an open Contains edge
	none     = 0             // no edge / no node in a head or a table slot (ids are +1)
	fixed    = 0x80          // kind byte: the kind comes from the identifier's form
	deadFlag = 1
)

// edge is one stored edge. Edges are appended in seq order, so the edges of one event are
// a contiguous run (Declare finds them by binary search). nextOut/nextIn chain the edges
// of a node (index+1, 0 ends the list).
type edge struct {
	from, to        uint32
	seq             uint32
	nextOut, nextIn uint32
	span            uint32 // index into spans for Contains edges
	kind            Kind
	flags           uint8
}

type span struct{ start, end int64 }

// del is an aggregation DELETE of child (allChildren for all) of one parent.
type del struct {
	child uint32
	seq   uint32
	t     int64
	dead  bool
}

const allChildren = math.MaxUint32

type delRef struct {
	seq    uint32
	parent uint32
}

// Index is an in-memory lineage index built incrementally from events in seq order. It
// is not safe for concurrent use: callers serialise Apply/Declare against Trace (an
// RWMutex around it is enough, Trace only reads).
type Index struct {
	seed  maphash.Seed
	names []byte   // interned identifiers, the Digital Link stem cut to "/..."
	off   []uint32 // node i is names[off[i]:off[i+1]]
	kind  []uint8
	outH  []uint32
	inH   []uint32
	table []uint32 // open addressing, node id+1
	tids  map[string]uint32

	edges []edge
	spans []span

	dels     map[uint32][]del
	delSeqs  []delRef
	declared map[int64]struct{}
	events   int64
	maxSeq   int64

	p parts // scratch
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		seed:     maphash.MakeSeed(),
		off:      []uint32{0},
		table:    make([]uint32, 1024),
		tids:     map[string]uint32{},
		dels:     map[uint32][]del{},
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

func (x *Index) name(id uint32) string {
	s := string(x.names[x.off[id]:x.off[id+1]])
	if len(s) > 0 && s[0] == '/' {
		return stem + s
	}
	return s
}

func (x *Index) nameEq(id uint32, s string) bool {
	return string(x.names[x.off[id]:x.off[id+1]]) == s
}

// lookup finds the id of a canonical identifier.
func (x *Index) lookup(full string) (uint32, bool) {
	s := short(full)
	mask := uint64(len(x.table) - 1)
	for i := maphash.String(x.seed, s) & mask; ; i = (i + 1) & mask {
		v := x.table[i]
		if v == none {
			return 0, false
		}
		if x.nameEq(v-1, s) {
			return v - 1, true
		}
	}
}

func (x *Index) newNode(k uint8) uint32 {
	id := uint32(len(x.kind))
	x.off = append(x.off, uint32(len(x.names)))
	x.kind = append(x.kind, k)
	x.outH = append(x.outH, none)
	x.inH = append(x.inH, none)
	return id
}

// intern returns the id of a canonical identifier, adding it, and strengthens its kind
// with role (kNone for none).
func (x *Index) intern(full string, role uint8) uint32 {
	s := short(full)
	mask := uint64(len(x.table) - 1)
	i := maphash.String(x.seed, s) & mask
	for ; x.table[i] != none; i = (i + 1) & mask {
		if id := x.table[i] - 1; x.nameEq(id, s) {
			x.addRole(id, role)
			return id
		}
	}
	x.names = append(x.names, s...)
	k := syntaxKind(full)
	if k != kNone {
		k |= fixed
	}
	id := x.newNode(k)
	x.off[id+1] = uint32(len(x.names))
	x.table[i] = id + 1
	x.addRole(id, role)
	if uint64(len(x.kind))*2 > uint64(len(x.table)) {
		x.grow()
	}
	return id
}

func (x *Index) addRole(id uint32, role uint8) {
	k := x.kind[id]
	if k&fixed != 0 || k == kHub {
		return
	}
	if rolePriority(role) > rolePriority(k) {
		x.kind[id] = role
	}
}

func (x *Index) grow() {
	t := make([]uint32, len(x.table)*2)
	mask := uint64(len(t) - 1)
	for _, v := range x.table {
		if v == none {
			continue
		}
		s := string(x.names[x.off[v-1]:x.off[v]])
		i := maphash.String(x.seed, s) & mask
		for t[i] != none {
			i = (i + 1) & mask
		}
		t[i] = v
	}
	x.table = t
}

func (x *Index) addEdge(k Kind, from, to uint32, seq uint32, sp uint32) {
	n := uint32(len(x.edges)) + 1
	x.edges = append(x.edges, edge{from: from, to: to, seq: seq, kind: k, span: sp,
		nextOut: x.outH[from], nextIn: x.inH[to]})
	x.outH[from], x.inH[to] = n, n
}

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
	first := len(x.edges)
	t := e.EventTime.UnixNano()
	if p.parent != "" {
		par := x.intern(p.parent, kContainer)
		for _, c := range p.contains {
			ch := x.intern(c, kInstance)
			end := int64(open)
			for _, d := range x.dels[par] {
				if !d.dead && (d.child == allChildren || d.child == ch) && closes(d.t, d.seq, t, s) && d.t < end {
					end = d.t
				}
			}
			x.spans = append(x.spans, span{start: t, end: end})
			x.addEdge(Contains, par, ch, s, uint32(len(x.spans)-1))
		}
		var closed []uint32
		for _, c := range p.deletes {
			closed = append(closed, x.intern(c, kInstance))
		}
		if p.deleteAll {
			closed = append(closed, allChildren)
		}
		if len(closed) > 0 {
			x.delSeqs = append(x.delSeqs, delRef{seq: s, parent: par})
			for _, ch := range closed {
				x.dels[par] = append(x.dels[par], del{child: ch, seq: s, t: t})
			}
			for ei := x.outH[par]; ei != none; ei = x.edges[ei-1].nextOut {
				ed := &x.edges[ei-1]
				if ed.kind != Contains {
					continue
				}
				sp := &x.spans[ed.span]
				for _, ch := range closed {
					if (ch == allChildren || ch == ed.to) && closes(t, s, sp.start, ed.seq) && t < sp.end {
						sp.end = t
					}
				}
			}
		}
	}
	if len(p.inputs)+len(p.outputs) > 0 {
		var hub uint32
		if e.TransformationID != "" {
			h, ok := x.tids[e.TransformationID]
			if !ok {
				h = x.newNode(kHub)
				x.off[h+1] = uint32(len(x.names))
				x.tids[e.TransformationID] = h
			}
			hub = h
		} else {
			hub = x.newNode(kHub)
			x.off[hub+1] = uint32(len(x.names))
		}
		for _, in := range p.inputs {
			x.addEdge(Transforms, x.intern(in, kInstance), hub, s, 0)
		}
		for _, out := range p.outputs {
			x.addEdge(Transforms, hub, x.intern(out, kInstance), s, 0)
		}
	}
	if len(p.objects) > 0 {
		srcs := make([]uint32, len(p.sources))
		for i, sd := range p.sources {
			srcs[i] = x.intern(sd.Value, partyKind(sd.Type))
		}
		dsts := make([]uint32, len(p.dests))
		for i, sd := range p.dests {
			dsts[i] = x.intern(sd.Value, partyKind(sd.Type))
		}
		for _, o := range p.objects {
			role := kInstance
			if o == p.parent {
				role = kContainer
			}
			id := x.intern(o, role)
			for _, sid := range srcs {
				x.addEdge(Transfers, sid, id, s, 0)
			}
			for _, did := range dsts {
				x.addEdge(Transfers, id, did, s, 0)
			}
		}
	} else {
		// Sources or destinations without objects still tell what those identifiers are.
		for _, sd := range p.sources {
			x.intern(sd.Value, partyKind(sd.Type))
		}
		for _, sd := range p.dests {
			x.intern(sd.Value, partyKind(sd.Type))
		}
	}
	for _, m := range p.members {
		x.addEdge(MemberOf, x.intern(m[0], kInstance), x.intern(m[1], kInstance), s, 0)
	}
	if _, ok := x.declared[seq]; ok {
		x.markDead(first, len(x.edges))
		x.declareDeletes(s)
	}
}

// closes reports whether a DELETE (dt, dseq) ends a Contains edge started (st, sseq).
func closes(dt int64, dseq uint32, st int64, sseq uint32) bool {
	return dt > st || (dt == st && dseq > sseq)
}

func (x *Index) markDead(from, to int) {
	for i := from; i < to; i++ {
		x.edges[i].flags |= deadFlag
	}
}

// Declare records that the event at seq was declared erroneous: its edges stop counting
// and, if it was an aggregation DELETE, the edges it closed are closed again by the
// remaining DELETEs only. Declaring a seq not yet applied takes effect when it is.
func (x *Index) Declare(seq int64) {
	if _, ok := x.declared[seq]; ok {
		return
	}
	x.declared[seq] = struct{}{}
	if seq < 0 || seq > x.maxSeq {
		return
	}
	s := uint32(seq)
	lo := sort.Search(len(x.edges), func(i int) bool { return x.edges[i].seq >= s })
	hi := sort.Search(len(x.edges), func(i int) bool { return x.edges[i].seq > s })
	x.markDead(lo, hi)
	x.declareDeletes(s)
}

func (x *Index) declareDeletes(s uint32) {
	i := sort.Search(len(x.delSeqs), func(i int) bool { return x.delSeqs[i].seq >= s })
	if i == len(x.delSeqs) || x.delSeqs[i].seq != s {
		return
	}
	par := x.delSeqs[i].parent
	ds := x.dels[par]
	for j := range ds {
		if ds[j].seq == s {
			ds[j].dead = true
		}
	}
	for ei := x.outH[par]; ei != none; ei = x.edges[ei-1].nextOut {
		ed := &x.edges[ei-1]
		if ed.kind != Contains {
			continue
		}
		sp := &x.spans[ed.span]
		sp.end = open
		for _, d := range ds {
			if !d.dead && (d.child == allChildren || d.child == ed.to) && closes(d.t, d.seq, sp.start, ed.seq) && d.t < sp.end {
				sp.end = d.t
			}
		}
	}
}

// MemoryBytes estimates the memory the index holds (capacities included).
func (x *Index) MemoryBytes() int64 {
	n := int64(cap(x.names)) +
		4*int64(cap(x.off)+cap(x.outH)+cap(x.inH)+cap(x.table)) + int64(cap(x.kind)) +
		28*int64(cap(x.edges)) + 16*int64(cap(x.spans)) + 8*int64(cap(x.delSeqs))
	for k, ds := range x.dels {
		_ = k
		n += 48 + 24*int64(cap(ds))
	}
	for k := range x.tids {
		n += 48 + int64(len(k))
	}
	n += 48 * int64(len(x.declared))
	return n
}

// Len returns the number of identifiers and edges held.
func (x *Index) Len() (identifiers, edges int) {
	c := 0
	for _, k := range x.kind {
		if k != kHub {
			c++
		}
	}
	return c, len(x.edges)
}
