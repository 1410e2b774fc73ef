package lineage

// The index as it was before the compact representation (pointer-free but with 28-byte
// edges, 16-byte spans and maps), kept only to measure memory against in the same run.

import (
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
)

const (
	v1open  = math.MaxInt64 // End of an v1open Contains v1edge
	v1none  = 0             // no v1edge / no node in a head or a table slot (ids are +1)
	v1fixed = 0x80          // kind byte: the kind comes from the identifier's form
	v1dead  = 1
)

// v1edge is one stored v1edge. Edges are appended in seq order, so the edges of one event are
// a contiguous run (Declare finds them by binary search). nextOut/nextIn chain the edges
// of a node (index+1, 0 ends the list).
type v1edge struct {
	from, to        uint32
	seq             uint32
	nextOut, nextIn uint32
	span            uint32 // index into spans for Contains edges
	kind            Kind
	flags           uint8
}

type v1span struct{ start, end int64 }

// v1del is an aggregation DELETE of child (v1all for all) of one parent.
type v1del struct {
	child uint32
	seq   uint32
	t     int64
	dead  bool
}

const v1all = math.MaxUint32

type v1delRef struct {
	seq    uint32
	parent uint32
}

// v1Index is an in-memory lineage index built incrementally from events in seq order. It
// is not safe for concurrent use: callers serialise Apply/Declare against Trace (an
// RWMutex around it is enough, Trace only reads).
type v1Index struct {
	seed  maphash.Seed
	names []byte   // interned identifiers, the Digital Link v1stem cut to "/..."
	off   []uint32 // node i is names[off[i]:off[i+1]]
	kind  []uint8
	outH  []uint32
	inH   []uint32
	table []uint32 // v1open addressing, node id+1
	tids  map[string]uint32

	edges []v1edge
	spans []v1span

	dels     map[uint32][]v1del
	delSeqs  []v1delRef
	declared map[int64]struct{}
	events   int64
	maxSeq   int64

	p parts // scratch
}

// newV1Index returns an empty index.
func newV1Index() *v1Index {
	return &v1Index{
		seed:     maphash.MakeSeed(),
		off:      []uint32{0},
		table:    make([]uint32, 1024),
		tids:     map[string]uint32{},
		dels:     map[uint32][]v1del{},
		declared: map[int64]struct{}{},
		maxSeq:   -1,
	}
}

const v1stem = codes.CanonicalDLStem

func v1short(s string) string {
	if len(s) > len(v1stem) && s[:len(v1stem)] == v1stem && s[len(v1stem)] == '/' {
		return s[len(v1stem):]
	}
	return s
}

func (x *v1Index) nameEq(id uint32, s string) bool {
	return string(x.names[x.off[id]:x.off[id+1]]) == s
}

func (x *v1Index) newNode(k uint8) uint32 {
	id := uint32(len(x.kind))
	x.off = append(x.off, uint32(len(x.names)))
	x.kind = append(x.kind, k)
	x.outH = append(x.outH, v1none)
	x.inH = append(x.inH, v1none)
	return id
}

// intern returns the id of a canonical identifier, adding it, and strengthens its kind
// with role (kNone for v1none).
func (x *v1Index) intern(full string, role uint8) uint32 {
	s := v1short(full)
	mask := uint64(len(x.table) - 1)
	i := maphash.String(x.seed, s) & mask
	for ; x.table[i] != v1none; i = (i + 1) & mask {
		if id := x.table[i] - 1; x.nameEq(id, s) {
			x.addRole(id, role)
			return id
		}
	}
	x.names = append(x.names, s...)
	k := syntaxKind(full)
	if k != kNone {
		k |= v1fixed
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

func (x *v1Index) addRole(id uint32, role uint8) {
	k := x.kind[id]
	if k&v1fixed != 0 || k == kHub {
		return
	}
	if rolePriority(role) > rolePriority(k) {
		x.kind[id] = role
	}
}

func (x *v1Index) grow() {
	t := make([]uint32, len(x.table)*2)
	mask := uint64(len(t) - 1)
	for _, v := range x.table {
		if v == v1none {
			continue
		}
		s := string(x.names[x.off[v-1]:x.off[v]])
		i := maphash.String(x.seed, s) & mask
		for t[i] != v1none {
			i = (i + 1) & mask
		}
		t[i] = v
	}
	x.table = t
}

func (x *v1Index) addEdge(k Kind, from, to uint32, seq uint32, sp uint32) {
	n := uint32(len(x.edges)) + 1
	x.edges = append(x.edges, v1edge{from: from, to: to, seq: seq, kind: k, span: sp,
		nextOut: x.outH[from], nextIn: x.inH[to]})
	x.outH[from], x.inH[to] = n, n
}

// Apply adds the edges of the event stored at seq. Events must come in seq order (a
// replay after restart applies every stored event, then declares the declared ones).
func (x *v1Index) Apply(seq int64, e *epcis.Event) {
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
			end := int64(v1open)
			for _, d := range x.dels[par] {
				if !d.dead && (d.child == v1all || d.child == ch) && v1closes(d.t, d.seq, t, s) && d.t < end {
					end = d.t
				}
			}
			x.spans = append(x.spans, v1span{start: t, end: end})
			x.addEdge(Contains, par, ch, s, uint32(len(x.spans)-1))
		}
		var closed []uint32
		for _, c := range p.deletes {
			closed = append(closed, x.intern(c, kInstance))
		}
		if p.deleteAll {
			closed = append(closed, v1all)
		}
		if len(closed) > 0 {
			x.delSeqs = append(x.delSeqs, v1delRef{seq: s, parent: par})
			for _, ch := range closed {
				x.dels[par] = append(x.dels[par], v1del{child: ch, seq: s, t: t})
			}
			for ei := x.outH[par]; ei != v1none; ei = x.edges[ei-1].nextOut {
				ed := &x.edges[ei-1]
				if ed.kind != Contains {
					continue
				}
				sp := &x.spans[ed.span]
				for _, ch := range closed {
					if (ch == v1all || ch == ed.to) && v1closes(t, s, sp.start, ed.seq) && t < sp.end {
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

// v1closes reports whether a DELETE (dt, dseq) ends a Contains v1edge started (st, sseq).
func v1closes(dt int64, dseq uint32, st int64, sseq uint32) bool {
	return dt > st || (dt == st && dseq > sseq)
}

func (x *v1Index) markDead(from, to int) {
	for i := from; i < to; i++ {
		x.edges[i].flags |= v1dead
	}
}

// Declare records that the event at seq was declared erroneous: its edges stop counting
// and, if it was an aggregation DELETE, the edges it closed are closed again by the
// remaining DELETEs only. Declaring a seq not yet applied takes effect when it is.
func (x *v1Index) Declare(seq int64) {
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

func (x *v1Index) declareDeletes(s uint32) {
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
	for ei := x.outH[par]; ei != v1none; ei = x.edges[ei-1].nextOut {
		ed := &x.edges[ei-1]
		if ed.kind != Contains {
			continue
		}
		sp := &x.spans[ed.span]
		sp.end = v1open
		for _, d := range ds {
			if !d.dead && (d.child == v1all || d.child == ed.to) && v1closes(d.t, d.seq, sp.start, ed.seq) && d.t < sp.end {
				sp.end = d.t
			}
		}
	}
}

// MemoryBytes estimates the memory the index holds (capacities included).
func (x *v1Index) MemoryBytes() int64 {
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
func (x *v1Index) Len() (identifiers, edges int) {
	c := 0
	for _, k := range x.kind {
		if k != kHub {
			c++
		}
	}
	return c, len(x.edges)
}

func (x *v1Index) name(id uint32) string {
	s := string(x.names[x.off[id]:x.off[id+1]])
	if len(s) > 0 && s[0] == '/' {
		return v1stem + s
	}
	return s
}

// lookup finds the id of a canonical identifier.
func (x *v1Index) lookup(full string) (uint32, bool) {
	s := v1short(full)
	mask := uint64(len(x.table) - 1)
	for i := maphash.String(x.seed, s) & mask; ; i = (i + 1) & mask {
		v := x.table[i]
		if v == v1none {
			return 0, false
		}
		if x.nameEq(v-1, s) {
			return v - 1, true
		}
	}
}

// v1state is a node in a walk: mode up means it was reached by going up from a child to its
// container, and the walk must not come back down to the container's other children.
type v1state struct {
	node uint32
	up   bool
}

// Trace walks from root in direction dir, at most depth hops (depth <= 0: no limit),
// following Contains edges only where they hold at at (at zero: at any time).
func (x *v1Index) trace(root string, dir Direction, depth int, at time.Time) Trace {
	tr := Trace{Root: root}
	rid, ok := x.lookup(root)
	if !ok {
		k := syntaxKind(root)
		if k == kNone {
			k = kInstance
		}
		tr.Identifiers = []Node{{ID: root, Kind: kindNames[k], Depth: 0}}
		return tr
	}
	var atN int64
	hasAt := !at.IsZero()
	if hasAt {
		atN = at.UnixNano()
	}
	back, fwd := dir == Backward || dir == Both, dir == Forward || dir == Both

	// info per reached node: its place in order and the states (bit 1 free, 2 up) seen.
	type nodeInfo struct {
		idx    int32
		states uint8
	}
	info := map[uint32]nodeInfo{rid: {0, 1}}
	order := []uint32{rid}
	depths := []int{0}
	edgeSeen := map[traceKey]struct{}{}
	var keys []traceKey
	var evs []int64
	type item struct {
		s v1state
		d int
	}
	queue := []item{{v1state{rid, false}, 0}}

	reach := func(n uint32, up bool, d int) {
		bit := uint8(1)
		if up {
			bit = 2
		}
		ni, ok := info[n]
		if ok && ni.states&bit != 0 {
			return
		}
		if !ok {
			ni.idx = int32(len(order))
			order = append(order, n)
			depths = append(depths, d)
		}
		ni.states |= bit
		info[n] = ni
		queue = append(queue, item{v1state{n, up}, d})
	}
	report := func(from, to uint32, k Kind, seq uint32, other uint32) {
		key := traceKey{from, to, seq, k}
		if _, ok := edgeSeen[key]; !ok {
			edgeSeen[key] = struct{}{}
			keys = append(keys, key)
		}
		evs = append(evs, int64(seq))
		if other != seq {
			evs = append(evs, int64(other))
		}
	}
	holds := func(ed *v1edge) bool {
		if !hasAt {
			return true
		}
		sp := x.spans[ed.span]
		return sp.start <= atN && atN < sp.end
	}

	for qi := 0; qi < len(queue); qi++ {
		it := queue[qi]
		n, d := it.s.node, it.d
		if depth > 0 && d >= depth {
			continue
		}
		if n != rid && terminal(x.kind[n]&^v1fixed) {
			continue
		}
		for ei := x.outH[n]; ei != v1none; ei = x.edges[ei-1].nextOut {
			ed := &x.edges[ei-1]
			if ed.flags&v1dead != 0 {
				continue
			}
			switch ed.kind {
			case Contains: // down to a child
				if !it.s.up && holds(ed) {
					report(n, ed.to, Contains, ed.seq, ed.seq)
					reach(ed.to, false, d+1)
				}
			case Transforms: // n is an input of hub ed.to
				if fwd {
					hub := ed.to
					for hi := x.outH[hub]; hi != v1none; hi = x.edges[hi-1].nextOut {
						he := &x.edges[hi-1]
						if he.flags&v1dead != 0 {
							continue
						}
						report(n, he.to, Transforms, he.seq, ed.seq)
						reach(he.to, false, d+1)
					}
				}
			case Transfers:
				if fwd {
					report(n, ed.to, Transfers, ed.seq, ed.seq)
					reach(ed.to, false, d+1)
				}
			case MemberOf: // instance n → its lot, upstream
				if back {
					report(n, ed.to, MemberOf, ed.seq, ed.seq)
					reach(ed.to, false, d+1)
				}
			}
		}
		for ei := x.inH[n]; ei != v1none; ei = x.edges[ei-1].nextIn {
			ed := &x.edges[ei-1]
			if ed.flags&v1dead != 0 {
				continue
			}
			switch ed.kind {
			case Contains: // up to a container
				if holds(ed) {
					report(ed.from, n, Contains, ed.seq, ed.seq)
					reach(ed.from, true, d+1)
				}
			case Transforms: // n is an output of hub ed.from
				if back {
					hub := ed.from
					for hi := x.inH[hub]; hi != v1none; hi = x.edges[hi-1].nextIn {
						he := &x.edges[hi-1]
						if he.flags&v1dead != 0 {
							continue
						}
						report(he.from, n, Transforms, ed.seq, he.seq)
						reach(he.from, false, d+1)
					}
				}
			case Transfers:
				if back {
					report(ed.from, n, Transfers, ed.seq, ed.seq)
					reach(ed.from, false, d+1)
				}
			case MemberOf: // lot n → its instances, downstream
				if fwd {
					report(ed.from, n, MemberOf, ed.seq, ed.seq)
					reach(ed.from, false, d+1)
				}
			}
		}
	}
	tr.Identifiers = make([]Node, len(order))
	for i, n := range order {
		tr.Identifiers[i] = Node{ID: x.name(n), Kind: kindNames[x.kind[n]&^v1fixed], Depth: depths[i]}
	}
	for _, k := range keys {
		tr.Edges = append(tr.Edges, TraceEdge{From: tr.Identifiers[info[k.from].idx].ID, To: tr.Identifiers[info[k.to].idx].ID, Kind: k.kind, Seq: int64(k.seq)})
	}
	slices.Sort(evs)
	tr.Events = slices.Compact(evs)
	return tr
}
