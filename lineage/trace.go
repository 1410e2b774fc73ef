package lineage

import (
	"slices"
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

// state is a node in a walk: mode up means it was reached by going up from a child to its
// container, and the walk must not come back down to the container's other children.
type state struct {
	node uint32
	up   bool
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
		s state
		d int
	}
	queue := []item{{state{rid, false}, 0}}

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
		queue = append(queue, item{state{n, up}, d})
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
	holds := func(ed *edge) bool {
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
		if n != rid && terminal(x.kind[n]&^fixed) {
			continue
		}
		for ei := x.outH[n]; ei != none; ei = x.edges[ei-1].nextOut {
			ed := &x.edges[ei-1]
			if ed.flags&deadFlag != 0 {
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
					for hi := x.outH[hub]; hi != none; hi = x.edges[hi-1].nextOut {
						he := &x.edges[hi-1]
						if he.flags&deadFlag != 0 {
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
		for ei := x.inH[n]; ei != none; ei = x.edges[ei-1].nextIn {
			ed := &x.edges[ei-1]
			if ed.flags&deadFlag != 0 {
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
					for hi := x.inH[hub]; hi != none; hi = x.edges[hi-1].nextIn {
						he := &x.edges[hi-1]
						if he.flags&deadFlag != 0 {
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
		tr.Identifiers[i] = Node{ID: x.name(n), Kind: kindNames[x.kind[n]&^fixed], Depth: depths[i]}
	}
	for _, k := range keys {
		tr.Edges = append(tr.Edges, TraceEdge{From: tr.Identifiers[info[k.from].idx].ID, To: tr.Identifiers[info[k.to].idx].ID, Kind: k.kind, Seq: int64(k.seq)})
	}
	slices.Sort(evs)
	tr.Events = slices.Compact(evs)
	return tr
}
