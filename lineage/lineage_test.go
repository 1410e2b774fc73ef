package lineage

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func min(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

func item(g, s int) string { return fmt.Sprintf("%s/01/0952123454321%d/21/%d", refStem, g, s) }
func lot(g int, l string) string {
	return fmt.Sprintf("%s/01/0952123454321%d/10/%s", refStem, g, l)
}
func class(g int) string { return fmt.Sprintf("%s/01/0952123454321%d", refStem, g) }
func sscc(n int) string  { return fmt.Sprintf("%s/00/09521234500000000%d", refStem, n) }
func party(n int) string { return fmt.Sprintf("%s/417/952123450000%d", refStem, n) }
func qty(c string) epcis.QuantityElement {
	q := 1.0
	return epcis.QuantityElement{EPCClass: c, Quantity: &q}
}

func agg(action, parent string, at int, children ...string) *epcis.Event {
	return &epcis.Event{Type: epcis.AggregationEvent, Action: action, ParentID: parent, ChildEPCs: children, EventTime: min(at)}
}

func transform(id string, at int, in, out []string) *epcis.Event {
	return &epcis.Event{Type: epcis.TransformationEvent, TransformationID: id, InputEPCList: in, OutputEPCList: out, EventTime: min(at)}
}

func ship(at int, from, to string, epcs ...string) *epcis.Event {
	return &epcis.Event{Type: epcis.ObjectEvent, Action: epcis.ActionObserve, EPCList: epcs, EventTime: min(at), BizStep: "shipping",
		SourceList:      []epcis.SourceDest{{Type: "owning_party", Value: from}},
		DestinationList: []epcis.SourceDest{{Type: "owning_party", Value: to}}}
}

// chain applies events in order and keeps them for the reference.
type chain struct {
	x   *Index
	evs []refEvent
}

func newChain() *chain { return &chain{x: NewIndex()} }

func (c *chain) add(es ...*epcis.Event) {
	for _, e := range es {
		s := int64(len(c.evs))
		c.x.Apply(s, e)
		c.evs = append(c.evs, refEvent{seq: s, e: e})
	}
}

func (c *chain) declare(seq int64) {
	c.x.Declare(seq)
	c.evs[seq].declared = true
}

// check compares the index with the reference and returns the trace.
func (c *chain) check(t *testing.T, root string, dir Direction, depth int, at time.Time) Trace {
	t.Helper()
	got := normal(c.x.Trace(root, dir, depth, at))
	want := refTrace(c.evs, root, dir, depth, at)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Trace(%s, %v, %d, %v):\n got %+v\nwant %+v", root, dir, depth, at, got, want)
	}
	return got
}

func ids(tr Trace) []string {
	var out []string
	for _, n := range tr.Identifiers {
		out = append(out, n.ID)
	}
	slices.Sort(out)
	return out
}

func has(tr Trace, id string) bool { return slices.Contains(ids(tr), id) }

func depthOf(tr Trace, id string) int {
	for _, n := range tr.Identifiers {
		if n.ID == id {
			return n.Depth
		}
	}
	return -1
}

func TestAggregationUnpackRepack(t *testing.T) {
	c := newChain()
	a, b := item(1, 1), item(1, 2)
	p1, p2 := sscc(1), sscc(2)
	c.add(
		agg("ADD", p1, 10, a, b),         // 0
		ship(20, party(1), party(2), p1), // 1
		agg("DELETE", p1, 30, a),         // 2: a unpacked
		agg("ADD", p2, 40, a),            // 3: a repacked
		ship(50, party(2), party(3), p2), // 4
	)
	// While in p1, a travelled with it: its backward trace reaches p1 and party 1.
	tr := c.check(t, a, Backward, 0, min(25))
	if !has(tr, p1) || !has(tr, party(1)) || has(tr, p2) {
		t.Fatalf("at 25 a is in p1 only: %v", ids(tr))
	}
	// After the unpack and repack, a is in p2 and not in p1, nor is b pulled in.
	tr = c.check(t, a, Forward, 0, min(45))
	if has(tr, p1) || !has(tr, p2) || !has(tr, party(3)) || has(tr, b) {
		t.Fatalf("at 45 a is in p2 only: %v", ids(tr))
	}
	// Between unpack and repack it is in nothing.
	tr = c.check(t, a, Both, 0, min(35))
	if len(tr.Identifiers) != 1 {
		t.Fatalf("at 35 a is loose: %v", ids(tr))
	}
	// b stays in p1.
	if tr := c.check(t, b, Forward, 0, min(45)); !has(tr, p1) || !has(tr, party(2)) {
		t.Fatalf("b in p1: %v", ids(tr))
	}
	// At any time a was in both, but going up to p1 does not come down to b.
	tr = c.check(t, a, Forward, 0, time.Time{})
	if !has(tr, p1) || !has(tr, p2) || has(tr, b) {
		t.Fatalf("any time: %v", ids(tr))
	}
	// From the pallet down: its contents at the time.
	if tr := c.check(t, p1, Backward, 1, min(35)); !has(tr, b) || has(tr, a) {
		t.Fatalf("p1 at 35: %v", ids(tr))
	}
	// A DELETE without children empties the parent.
	c.add(agg("DELETE", p1, 60))
	if tr := c.check(t, b, Both, 0, min(70)); len(tr.Identifiers) != 1 {
		t.Fatalf("after full unpack: %v", ids(tr))
	}
	// Declaring the unpack of a brings a back into p1 after 30 (until the full unpack).
	c.declare(2)
	if tr := c.check(t, a, Forward, 0, min(45)); !has(tr, p1) || !has(tr, p2) {
		t.Fatalf("declared unpack: %v", ids(tr))
	}
	if tr := c.check(t, a, Forward, 0, min(65)); has(tr, p1) {
		t.Fatalf("full unpack still closes: %v", ids(tr))
	}
}

func TestAggregationOutOfOrder(t *testing.T) {
	// The DELETE is captured before the ADD it ends (event time order differs).
	c := newChain()
	a, p := item(1, 1), sscc(1)
	c.add(agg("DELETE", p, 30, a), agg("ADD", p, 10, a), agg("DELETE", p, 5, a))
	if tr := c.check(t, a, Backward, 0, min(20)); !has(tr, p) {
		t.Fatalf("in p at 20: %v", ids(tr))
	}
	if tr := c.check(t, a, Backward, 0, min(30)); has(tr, p) {
		t.Fatalf("out of p at 30: %v", ids(tr))
	}
	if tr := c.check(t, a, Backward, 0, min(9)); has(tr, p) {
		t.Fatalf("not yet in p at 9: %v", ids(tr))
	}
}

func TestTransformationManyInputs(t *testing.T) {
	c := newChain()
	var in []string
	for i := range 200 {
		in = append(in, item(2, i))
	}
	out := []string{lot(3, "A"), lot(3, "B")}
	e := transform("", 10, in, out)
	e.InputQuantityList = []epcis.QuantityElement{qty(lot(4, "X"))}
	c.add(e, transform("", 20, []string{lot(3, "A")}, []string{lot(5, "Z")}))
	tr := c.check(t, lot(5, "Z"), Backward, 0, time.Time{})
	if len(tr.Identifiers) != 1+1+201 || depthOf(tr, item(2, 7)) != 2 || depthOf(tr, lot(4, "X")) != 2 {
		t.Fatalf("backward: %d identifiers", len(tr.Identifiers))
	}
	if !reflect.DeepEqual(tr.Events, []int64{0, 1}) {
		t.Fatalf("events %v", tr.Events)
	}
	tr = c.check(t, item(2, 7), Forward, 0, time.Time{})
	if !has(tr, lot(3, "B")) || !has(tr, lot(5, "Z")) || has(tr, item(2, 8)) {
		t.Fatalf("forward: %v", ids(tr))
	}
	c.check(t, item(2, 7), Forward, 1, time.Time{})
	c.check(t, item(2, 7), Both, 2, time.Time{})
	add, _ := EdgesOf(0, e)
	if len(add) != 201*2 || add[0].Kind != Transforms {
		t.Fatalf("EdgesOf: %d edges", len(add))
	}
}

func TestTransformationID(t *testing.T) {
	c := newChain()
	c.add(
		transform("urn:uuid:t1", 10, []string{item(1, 1), item(1, 2)}, nil), // inputs consumed
		ship(15, party(1), party(2), item(9, 9)),
		transform("urn:uuid:t1", 20, nil, []string{lot(2, "OUT")}), // outputs produced
		transform("urn:uuid:t2", 20, nil, []string{lot(2, "OTHER")}),
	)
	tr := c.check(t, lot(2, "OUT"), Backward, 1, time.Time{})
	if !has(tr, item(1, 1)) || !has(tr, item(1, 2)) || !reflect.DeepEqual(tr.Events, []int64{0, 2}) {
		t.Fatalf("joined by transformationID: %v %v", ids(tr), tr.Events)
	}
	if tr.Edges[0].Seq != 2 || tr.Edges[0].Kind != Transforms {
		t.Fatalf("edge %+v", tr.Edges[0])
	}
	if tr := c.check(t, item(1, 1), Forward, 0, time.Time{}); !has(tr, lot(2, "OUT")) || has(tr, lot(2, "OTHER")) {
		t.Fatalf("forward: %v", ids(tr))
	}
	c.declare(0)
	if tr := c.check(t, lot(2, "OUT"), Backward, 0, time.Time{}); len(tr.Identifiers) != 1 {
		t.Fatalf("declared input event: %v", ids(tr))
	}
}

func TestTransfers(t *testing.T) {
	c := newChain()
	x := item(1, 1)
	c.add(ship(10, party(1), party(2), x), ship(20, party(2), party(3), x), ship(30, party(4), party(5), item(1, 2)))
	tr := c.check(t, x, Forward, 0, time.Time{})
	if !has(tr, party(2)) || !has(tr, party(3)) || has(tr, party(1)) {
		t.Fatalf("forward: %v", ids(tr))
	}
	tr = c.check(t, x, Backward, 0, time.Time{})
	if !has(tr, party(1)) || !has(tr, party(2)) || has(tr, party(3)) {
		t.Fatalf("backward: %v", ids(tr))
	}
	// A party is not walked through unless it is the root.
	if tr := c.check(t, party(2), Both, 0, time.Time{}); !has(tr, x) || len(tr.Identifiers) != 4 {
		t.Fatalf("party root: %v", ids(tr))
	}
	for _, n := range tr.Identifiers {
		if n.ID == party(1) && n.Kind != "party" {
			t.Fatalf("kind %q", n.Kind)
		}
	}
}

func TestMemberOf(t *testing.T) {
	c := newChain()
	commission := &epcis.Event{Type: epcis.ObjectEvent, Action: epcis.ActionAdd, EventTime: min(1),
		EPCList: []string{item(1, 1), item(1, 2), item(2, 1)},
		ILMD:    &epcis.Extensions{{Space: "urn:epcglobal:cbv:mda", Local: "lotNumber", Value: "L7"}}}
	byQty := &epcis.Event{Type: epcis.ObjectEvent, Action: epcis.ActionAdd, EventTime: min(2),
		EPCList: []string{item(3, 1)}, QuantityList: []epcis.QuantityElement{qty(lot(3, "Q1"))}}
	ambiguous := &epcis.Event{Type: epcis.ObjectEvent, Action: epcis.ActionAdd, EventTime: min(3),
		EPCList: []string{item(3, 2)}, QuantityList: []epcis.QuantityElement{qty(lot(3, "Q1")), qty(lot(3, "Q2"))}}
	c.add(commission, byQty, ambiguous, transform("", 5, []string{lot(1, "RAW")}, []string{lot(1, "L7")}))
	tr := c.check(t, item(1, 1), Backward, 0, time.Time{})
	if !has(tr, lot(1, "L7")) || !has(tr, lot(1, "RAW")) || has(tr, item(1, 2)) {
		t.Fatalf("instance to lot: %v", ids(tr))
	}
	if tr := c.check(t, lot(1, "L7"), Forward, 0, time.Time{}); !has(tr, item(1, 1)) || !has(tr, item(1, 2)) || has(tr, item(2, 1)) {
		t.Fatalf("lot to instances: %v", ids(tr))
	}
	if tr := c.check(t, item(2, 1), Backward, 0, time.Time{}); !has(tr, lot(2, "L7")) {
		t.Fatalf("lot of its own GTIN: %v", ids(tr))
	}
	if tr := c.check(t, item(3, 1), Backward, 0, time.Time{}); !has(tr, lot(3, "Q1")) {
		t.Fatalf("by quantity: %v", ids(tr))
	}
	if tr := c.check(t, item(3, 2), Backward, 0, time.Time{}); len(tr.Identifiers) != 1 {
		t.Fatalf("ambiguous quantity: %v", ids(tr))
	}
}

func TestDeclared(t *testing.T) {
	c := newChain()
	x, p := item(1, 1), sscc(1)
	c.add(agg("ADD", p, 10, x), ship(20, party(1), party(2), p))
	decl := agg("ADD", sscc(2), 10, x)
	decl.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: min(30), Reason: "incorrect_data"}
	c.add(decl)
	if tr := c.check(t, x, Forward, 0, time.Time{}); has(tr, sscc(2)) || !has(tr, party(2)) {
		t.Fatalf("an error declaration adds nothing: %v", ids(tr))
	}
	c.declare(1)
	if tr := c.check(t, x, Forward, 0, time.Time{}); has(tr, party(2)) || !has(tr, p) {
		t.Fatalf("declared shipping: %v", ids(tr))
	}
	c.declare(0)
	if tr := c.check(t, x, Forward, 0, time.Time{}); len(tr.Identifiers) != 1 {
		t.Fatalf("declared aggregation: %v", ids(tr))
	}
	// Declaring before the event is applied also works.
	c.x.Declare(3)
	c.evs = append(c.evs, refEvent{seq: 3, e: agg("ADD", sscc(3), 10, x), declared: true})
	c.x.Apply(3, c.evs[3].e)
	c.check(t, x, Both, 0, time.Time{})
	if add, cl := EdgesOf(2, decl); len(add)+len(cl) != 0 {
		t.Fatal("EdgesOf of an error declaration")
	}
}

func TestEdgesOf(t *testing.T) {
	add, cl := EdgesOf(7, agg("DELETE", sscc(1), 3, item(1, 1)))
	if len(add) != 0 || len(cl) != 1 || cl[0] != (Close{Parent: sscc(1), Child: item(1, 1), Seq: 7, At: min(3)}) {
		t.Fatalf("%+v %+v", add, cl)
	}
	add, cl = EdgesOf(8, agg("DELETE", sscc(1), 4))
	if len(add) != 0 || len(cl) != 1 || cl[0].Child != "" {
		t.Fatalf("%+v %+v", add, cl)
	}
	add, _ = EdgesOf(9, agg("OBSERVE", sscc(1), 5, item(1, 1), item(1, 1)))
	if len(add) != 1 || add[0] != (Edge{Kind: Contains, From: sscc(1), To: item(1, 1), Seq: 9, Start: min(5)}) {
		t.Fatalf("%+v", add)
	}
	add, _ = EdgesOf(10, ship(1, party(1), party(2), item(1, 1)))
	if len(add) != 2 || add[0].From != party(1) || add[1].To != party(2) {
		t.Fatalf("%+v", add)
	}
}

func TestUnknownRoot(t *testing.T) {
	x := NewIndex()
	tr := x.Trace(lot(1, "A"), Both, 0, time.Time{})
	if len(tr.Identifiers) != 1 || tr.Identifiers[0].Kind != "lot" {
		t.Fatalf("%+v", tr)
	}
}

// randomChain builds a random supply chain over a small universe, so that identifiers,
// times and transformationIDs collide.
func randomChain(r *rand.Rand, n int) (*chain, []string) {
	var items, lots, conts, parties []string
	for g := 1; g <= 3; g++ {
		for s := 1; s <= 5; s++ {
			items = append(items, item(g, s))
		}
		for _, l := range []string{"A", "B"} {
			lots = append(lots, lot(g, l))
		}
	}
	for i := 1; i <= 4; i++ {
		conts = append(conts, sscc(i))
	}
	conts = append(conts, "urn:example:case:1", "urn:example:case:2")
	parties = append(parties, party(1), party(2), "urn:example:party:3", refStem+"/414/9521234500009")
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	some := func(l []string, max int) []string {
		k := r.IntN(max + 1)
		var out []string
		for range k {
			out = append(out, pick(l))
		}
		return out
	}
	universe := slices.Concat(items, lots, conts, parties, []string{class(1), class(2)})
	c := newChain()
	for range n {
		e := &epcis.Event{EventTime: chainTime(r.IntN(20))}
		switch r.IntN(6) {
		case 0, 1:
			e.Type = epcis.AggregationEvent
			e.Action = []string{"ADD", "OBSERVE", "DELETE", "DELETE"}[r.IntN(4)]
			e.ParentID = pick(conts)
			if r.IntN(8) == 0 {
				e.ParentID = pick(items)
			}
			e.ChildEPCs = some(slices.Concat(items, conts), 3)
			for _, l := range some(lots, 1) {
				e.ChildQuantityList = append(e.ChildQuantityList, qty(l))
			}
		case 2:
			e.Type = epcis.TransformationEvent
			e.TransformationID = []string{"", "", "t1", "t2"}[r.IntN(4)]
			e.InputEPCList = some(items, 3)
			e.OutputEPCList = some(items, 2)
			for _, l := range some(slices.Concat(lots, []string{class(1)}), 2) {
				e.InputQuantityList = append(e.InputQuantityList, qty(l))
			}
			for _, l := range some(lots, 2) {
				e.OutputQuantityList = append(e.OutputQuantityList, qty(l))
			}
		case 3:
			e.Type = epcis.ObjectEvent
			e.Action = []string{"ADD", "OBSERVE", "DELETE"}[r.IntN(3)]
			e.EPCList = some(items, 3)
			for _, l := range some(slices.Concat(lots, []string{class(2)}), 2) {
				e.QuantityList = append(e.QuantityList, qty(l))
			}
		case 4:
			e.Type = epcis.ObjectEvent
			e.Action = epcis.ActionObserve
			e.EPCList = some(slices.Concat(items, conts), 2)
		case 5:
			e.Type = epcis.TransactionEvent
			e.Action = epcis.ActionAdd
			e.ParentID = pick(conts)
			e.EPCList = some(items, 2)
		}
		if r.IntN(3) == 0 {
			e.ILMD = &epcis.Extensions{{Local: []string{"lot", "lotNumber", "other"}[r.IntN(3)], Value: []string{"A", "B"}[r.IntN(2)]}}
		}
		for _, v := range some(parties, 2) {
			e.SourceList = append(e.SourceList, epcis.SourceDest{Type: []string{"owning_party", "location"}[r.IntN(2)], Value: v})
		}
		for _, v := range some(parties, 1) {
			e.DestinationList = append(e.DestinationList, epcis.SourceDest{Type: "possessing_party", Value: v})
		}
		if r.IntN(15) == 0 {
			e.ErrorDeclaration = &epcis.ErrorDeclaration{Reason: "incorrect_data"}
		}
		c.add(e)
		if r.IntN(8) == 0 {
			c.declare(r.Int64N(int64(len(c.evs))))
		}
	}
	return c, universe
}

// chainTime is the event time of minute n of a random chain.
var chainTime = min

func TestTraceMatchesReference(t *testing.T) { checkRandomTraces(t, 1) }

// Times that are not whole seconds after 2000 take the index's wide form; mixing them
// with whole-second times makes unpacks end containments the narrow form cannot hold.
func TestTraceMatchesReferenceWithSubsecondAndOldTimes(t *testing.T) {
	chainTime = func(n int) time.Time {
		switch n % 3 {
		case 1:
			return min(n).Add(250 * time.Millisecond)
		case 2:
			return min(n).AddDate(-30, 0, 0)
		}
		return min(n)
	}
	defer func() { chainTime = min }()
	checkRandomTraces(t, 3)
}

func checkRandomTraces(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 2))
	queries := 0
	for round := range 150 {
		c, universe := randomChain(r, 5+r.IntN(40))
		for range 30 {
			root := universe[r.IntN(len(universe))]
			dir := Direction(r.IntN(3))
			depth := r.IntN(6)
			var at time.Time
			if r.IntN(3) > 0 {
				at = chainTime(r.IntN(22) - 1)
			}
			got := normal(c.x.Trace(root, dir, depth, at))
			want := refTrace(c.evs, root, dir, depth, at)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: Trace(%s, %v, %d, %v) over %d events:\n got %+v\nwant %+v", round, root, dir, depth, at, len(c.evs), got, want)
			}
			queries++
		}
	}
	t.Logf("%d random traces match the reference", queries)
}

// Lists longer than one hyperedge holds are split over several; traces must not notice.
func TestTraceMatchesReferenceOnOversizedLists(t *testing.T) {
	many := func(n, from int) []string {
		var l []string
		for i := range n {
			l = append(l, item(1, from+i))
		}
		return l
	}
	var parties []epcis.SourceDest
	for i := range 70 {
		parties = append(parties, epcis.SourceDest{Type: "owning_party", Value: party(100 + i)})
	}
	kids := many(4200, 0)
	c := newChain()
	c.add(
		transform("", 1, many(4100, 0), many(2, 10000)),
		transform("", 2, many(2, 20000), many(4100, 30000)),
		agg("ADD", sscc(1), 3, kids...),
		agg("DELETE", sscc(1), 5, kids[:4150]...),
		&epcis.Event{Type: epcis.ObjectEvent, Action: epcis.ActionObserve, EventTime: min(4), EPCList: []string{sscc(1), item(2, 1)},
			SourceList: parties, DestinationList: parties[:66]},
	)
	for _, root := range []string{item(1, 0), item(1, 30500), kids[4199], kids[10], sscc(1), party(169)} {
		for _, at := range []time.Time{{}, min(6)} {
			for _, dir := range []Direction{Backward, Forward} {
				c.check(t, root, dir, 1, at)
			}
		}
	}
	c.check(t, item(1, 0), Forward, 3, time.Time{})
	c.check(t, item(1, 30000), Backward, 3, time.Time{})
}
