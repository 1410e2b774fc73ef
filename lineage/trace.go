package lineage

import (
	"slices"
	"sync"
	"time"
)

// Direction says which way a trace walks.
type Direction int

const (
	// Backward walks to where a code came from.
	Backward Direction = iota
	// Forward walks to where a code went.
	Forward
	// Both walks both ways at every step.
	Both
)

// Trace is the result of a trace: the identifiers reached, in order of depth, the edges
// walked and the seqs of the events behind them, ascending.
type Trace struct {
	Root        string
	Identifiers []Node
	Edges       []TraceEdge
	Events      []int64
}

// Node is one identifier of a trace and its distance from the root in hops.
type Node struct {
	ID    string
	Kind  string // instance, lot, container, class, party, location
	Depth int
}

// TraceEdge is an edge walked by a trace, From → To in the edge's own orientation.
type TraceEdge struct {
	From, To string
	Kind     Kind
	Seq      int64
}

type traceKey struct {
	from, to uint32
	seq      uint32
	kind     Kind
}

func terminal(k uint8) bool { return k == kParty || k == kLocation || k == kClass }

// Trace walks from root in direction dir, at most depth hops (depth <= 0: no limit),
// following Contains edges only where they hold at at (at zero: at any time).
func (x *Index) Trace(root string, dir Direction, depth int, at time.Time) Trace {
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
	// The walk's maps and lists are reused from trace to trace: a trace then allocates
	// little more than its result, which keeps the collector (and tail latency) quiet.
	w, _ := walkPool.Get().(*walk)
	if w == nil {
		w = &walk{info: map[uint32]nodeInfo{}, edgeSeen: map[traceKey]struct{}{}}
	}
	defer w.release()
	w.x, w.rid, w.depth, w.hasAt, w.at = x, rid, depth, !at.IsZero(), 0
	w.back, w.fwd = dir == Backward || dir == Both, dir == Forward || dir == Both
	w.info[rid] = nodeInfo{0, 1}
	w.order, w.depths = append(w.order, rid), append(w.depths, 0)
	if w.hasAt {
		w.at = at.UnixNano()
	}
	w.queue = append(w.queue, step{rid, false, 0})
	w.run()
	tr.Identifiers = make([]Node, len(w.order))
	for i, n := range w.order {
		tr.Identifiers[i] = Node{ID: x.name(n), Kind: kindNames[x.kind(n)&^fixed], Depth: w.depths[i]}
	}
	if len(w.keys) > 0 {
		tr.Edges = make([]TraceEdge, len(w.keys))
	}
	for i, k := range w.keys {
		tr.Edges[i] = TraceEdge{From: tr.Identifiers[w.info[k.from].idx].ID, To: tr.Identifiers[w.info[k.to].idx].ID, Kind: k.kind, Seq: int64(k.seq)}
	}
	slices.Sort(w.evs)
	if evs := slices.Compact(w.evs); len(evs) > 0 {
		tr.Events = slices.Clone(evs)
	}
	return tr
}

var walkPool sync.Pool

// release returns the walk's scratch to the pool, unless a huge trace grew it.
func (w *walk) release() {
	if len(w.order) > 1<<14 {
		return
	}
	clear(w.info)
	clear(w.edgeSeen)
	w.order, w.depths, w.keys, w.evs, w.queue = w.order[:0], w.depths[:0], w.keys[:0], w.evs[:0], w.queue[:0]
	w.x = nil
	walkPool.Put(w)
}

// nodeInfo is a reached node's place in order and the states seen (bit 1 free, 2 up:
// reached by going up from a child to its container, so the walk must not come back down
// to the container's other children).
type nodeInfo struct {
	idx    int32
	states uint8
}

type step struct {
	node uint32
	up   bool
	d    int
}

type walk struct {
	x          *Index
	rid        uint32
	depth      int
	hasAt      bool
	at         int64
	back, fwd  bool
	info       map[uint32]nodeInfo
	order      []uint32
	depths     []int
	edgeSeen   map[traceKey]struct{}
	keys       []traceKey
	evs        []int64
	queue      []step
	srcs, dsts []uint32
}

func (w *walk) reach(n uint32, up bool, d int) {
	bit := uint8(1)
	if up {
		bit = 2
	}
	ni, ok := w.info[n]
	if ok && ni.states&bit != 0 {
		return
	}
	if !ok {
		ni.idx = int32(len(w.order))
		w.order = append(w.order, n)
		w.depths = append(w.depths, d)
	}
	ni.states |= bit
	w.info[n] = ni
	w.queue = append(w.queue, step{n, up, d})
}

func (w *walk) report(from, to uint32, k Kind, seq, other uint32) {
	key := traceKey{from, to, seq, k}
	if _, ok := w.edgeSeen[key]; !ok {
		w.edgeSeen[key] = struct{}{}
		w.keys = append(w.keys, key)
	}
	w.evs = append(w.evs, int64(seq))
	if other != seq {
		w.evs = append(w.evs, int64(other))
	}
}

// holds reports whether the Contains hyperedge h holds child at the time of interest.
func (w *walk) holds(h, hw, child uint32) bool {
	if !w.hasAt {
		return true
	}
	x := w.x
	if w.at < x.containsStart(h, hw) {
		return false
	}
	if hw&fMixed == 0 {
		return w.at < x.containsEnd(h, hw)
	}
	return w.at < x.childEnd(h, hw, child)
}

func (w *walk) run() {
	x := w.x
	for qi := 0; qi < len(w.queue); qi++ {
		it := w.queue[qi]
		n, d := it.node, it.d
		if w.depth > 0 && d >= w.depth {
			continue
		}
		if n != w.rid && terminal(x.kind(n)&^fixed) {
			continue
		}
		for q := x.head(n); q != 0; q = x.w.at(q + 1) {
			h := x.headerOf(q)
			hw := x.w.at(h)
			if hw&fDead != 0 {
				continue
			}
			b := x.slotBase(h, hw)
			k := (q - b) / 2
			seq := x.w.at(h + 1)
			slot := func(i uint32) uint32 { return x.w.at(b + 2*i) }
			switch hw & 7 {
			case hContains:
				if k == 0 { // n is the parent: down to each child
					if it.up {
						continue
					}
					for i := uint32(1); i <= hw>>8; i++ {
						if c := slot(i); w.holds(h, hw, c) {
							w.report(n, c, Contains, seq, seq)
							w.reach(c, false, d+1)
						}
					}
				} else if w.holds(h, hw, n) { // up to the container
					par := slot(0)
					w.report(par, n, Contains, seq, seq)
					w.reach(par, true, d+1)
				}
			case hTransforms:
				g := transformGroups(hw)
				switch {
				case g.hasHub && k == 0:
				case int(k) == g.lot: // the lot of every output, downstream
					if w.fwd {
						for i := uint32(0); i < g.nOut; i++ {
							o := slot(g.out + i)
							w.report(o, n, MemberOf, seq, seq)
							w.reach(o, false, d+1)
						}
					}
				case k < g.out: // an input
					if w.fwd {
						x.eachOutput(h, hw, func(o, s uint32) bool {
							w.report(n, o, Transforms, s, seq)
							w.reach(o, false, d+1)
							return true
						})
					}
				default: // an output
					if w.back {
						x.eachInput(h, hw, func(in, s uint32) bool {
							w.report(in, n, Transforms, seq, s)
							w.reach(in, false, d+1)
							return true
						})
						if g.lot >= 0 {
							lot := slot(uint32(g.lot))
							w.report(n, lot, MemberOf, seq, seq)
							w.reach(lot, false, d+1)
						}
					}
				}
			case hTransfers: // n is an object
				w.srcs, w.dsts = x.partySet(slot(0), w.srcs[:0], w.dsts[:0])
				if w.fwd {
					for _, dst := range w.dsts {
						w.report(n, dst, Transfers, seq, seq)
						w.reach(dst, false, d+1)
					}
				}
				if w.back {
					for _, src := range w.srcs {
						w.report(src, n, Transfers, seq, seq)
						w.reach(src, false, d+1)
					}
				}
			case hSet: // n is a party: the objects of every transfer of this set
				source := k-1 < hw>>8&0xfff
				if source && !w.fwd || !source && !w.back {
					continue
				}
				set := slot(0)
				for q2 := x.head(set); q2 != 0; q2 = x.w.at(q2 + 1) {
					h2 := x.headerOf(q2)
					w2 := x.w.at(h2)
					if w2&7 != hTransfers || w2&fDead != 0 {
						continue
					}
					b2, s2 := x.slotBase(h2, w2), x.w.at(h2+1)
					for i := uint32(1); i <= w2>>8; i++ {
						o := x.w.at(b2 + 2*i)
						if source {
							w.report(n, o, Transfers, s2, s2)
						} else {
							w.report(o, n, Transfers, s2, s2)
						}
						w.reach(o, false, d+1)
					}
				}
			case hMember:
				if k == 0 { // lot → its instances, downstream
					if w.fwd {
						for i := uint32(1); i <= hw>>8; i++ {
							it := slot(i)
							w.report(it, n, MemberOf, seq, seq)
							w.reach(it, false, d+1)
						}
					}
				} else if w.back { // instance → its lot, upstream
					lot := slot(0)
					w.report(n, lot, MemberOf, seq, seq)
					w.reach(lot, false, d+1)
				}
			}
		}
	}
}
