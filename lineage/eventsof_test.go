package lineage

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/zhuisu/zhuisu/epcis"
)

// refEventsOf is EventsOf by brute force: the events (error declarations aside) that name
// id in any role, or make an instance a member of the lot id; an aggregation DELETE counts
// for the children it lists only when it also moves them (a source or destination).
func refEventsOf(evs []refEvent, id string) (live, declared []int64) {
	for _, ev := range evs {
		e := ev.e
		if e.ErrorDeclaration != nil {
			continue
		}
		names := e.ParentID == id
		lists := [][]string{e.EPCList, e.InputEPCList, e.OutputEPCList,
			classesOf(e.QuantityList), classesOf(e.InputQuantityList), classesOf(e.OutputQuantityList)}
		unpack := e.Type == epcis.AggregationEvent && e.Action == epcis.ActionDelete
		if !unpack || len(e.SourceList)+len(e.DestinationList) > 0 {
			lists = append(lists, e.ChildEPCs, classesOf(e.ChildQuantityList))
		}
		for _, l := range lists {
			names = names || slices.Contains(l, id)
		}
		var p parts
		p.extract(e)
		for _, m := range p.members {
			names = names || m[1] == id
		}
		switch {
		case !names:
		case ev.declared:
			declared = append(declared, ev.seq)
		default:
			live = append(live, ev.seq)
		}
	}
	return live, declared
}

func TestEventsOfFindsEveryEventNamingAnIdentifier(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	checked, nonEmpty := 0, 0
	for round := range 200 {
		c, universe := randomChain(r, 5+r.IntN(60))
		for _, id := range universe {
			gotLive, gotDeclared := c.x.EventsOf([]string{id})
			wantLive, wantDeclared := refEventsOf(c.evs, id)
			if k := refSyntaxKind(id); k == "party" || k == "location" {
				// Parties and places name no goods: their transfers are the goods' events,
				// found from the goods.
				wantLive, wantDeclared = nil, nil
			}
			if !slices.Equal(gotLive, wantLive) || !slices.Equal(gotDeclared, wantDeclared) {
				t.Fatalf("round %d, %s over %d events: EventsOf = %v, declared %v; want %v, declared %v",
					round, id, len(c.evs), gotLive, gotDeclared, wantLive, wantDeclared)
			}
			checked++
			if len(wantLive)+len(wantDeclared) > 0 {
				nonEmpty++
			}
		}
		// Several identifiers at once: the union, each seq once.
		ids := universe[:1+r.IntN(len(universe))]
		gotLive, gotDeclared := c.x.EventsOf(ids)
		var wantLive, wantDeclared []int64
		for _, id := range ids {
			if k := refSyntaxKind(id); k == "party" || k == "location" {
				continue
			}
			l, d := refEventsOf(c.evs, id)
			wantLive, wantDeclared = append(wantLive, l...), append(wantDeclared, d...)
		}
		slices.Sort(wantLive)
		slices.Sort(wantDeclared)
		if !slices.Equal(gotLive, slices.Compact(wantLive)) || !slices.Equal(gotDeclared, slices.Compact(wantDeclared)) {
			t.Fatalf("round %d, %d identifiers: EventsOf = %v, %v; want %v, %v", round, len(ids), gotLive, gotDeclared, wantLive, wantDeclared)
		}
	}
	if nonEmpty < checked/2 {
		t.Fatalf("only %d of %d identifiers had events: the random chains are too thin to test anything", nonEmpty, checked)
	}
	t.Logf("%d identifiers' events match the brute-force reference (%d with events)", checked, nonEmpty)
}
