package recall

import (
	"slices"
	"strings"

	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// goods answers, for the events of a recall, which affected goods each event moved and
// in what quantity: quantity-list entries as given, serialised instances counted, and a
// container counted by its affected contents at the event's time.
type goods struct {
	affected map[string]bool
	events   []storedEvent
	// lotOf is the lot code of a serialised instance, from ILMD or lot membership.
	lotOf map[string]string
	// packs are the aggregation events of each parent, in event-time order.
	packs map[string][]storedEvent
	// partyAt is the party a location belongs to, where a source or destination list
	// names both.
	partyAt map[string]string
}

func newGoods(affected map[string]bool, events []storedEvent, memberOf [][2]string) *goods {
	g := &goods{affected: affected, events: events, lotOf: map[string]string{}, packs: map[string][]storedEvent{}, partyAt: map[string]string{}}
	for _, m := range memberOf {
		if lot := lotCode(m[1]); lot != "" {
			g.lotOf[m[0]] = lot
		}
	}
	for _, se := range events {
		e := se.e
		// Lot membership as package lineage defines it: ILMD names the lot, or the
		// event's quantity list names exactly one lot of the item's GTIN.
		lot := ilmdLot(e.ILMD)
		for i, l := range [][]string{e.EPCList, e.OutputEPCList} {
			qs := e.QuantityList
			if i == 1 {
				qs = e.OutputQuantityList
			}
			for _, id := range l {
				if _, ok := g.lotOf[id]; ok || e.Action == epcis.ActionDelete {
					continue
				}
				if lot != "" {
					g.lotOf[id] = lot
				} else if l := onlyLotOf(productOf(id), qs); l != "" {
					g.lotOf[id] = l
				}
			}
		}
		if e.Type == epcis.AggregationEvent && e.ParentID != "" {
			g.packs[e.ParentID] = append(g.packs[e.ParentID], se)
		}
		for _, l := range [][]epcis.SourceDest{e.SourceList, e.DestinationList} {
			party, _ := parties(l)
			if len(party) == 1 {
				for _, loc := range locations(l) {
					g.partyAt[loc] = party[0]
				}
			}
		}
	}
	return g
}

// ilmdLot finds the lot number in ILMD: a top-level scalar named lot or lotNumber, as
// package lineage reads it.
func ilmdLot(x *epcis.Extensions) string {
	if x == nil {
		return ""
	}
	for _, n := range *x {
		if (n.Local == "lot" || n.Local == "lotNumber") && (n.Kind == epcis.KindString || n.Kind == epcis.KindNumber) {
			return n.Value
		}
	}
	return ""
}

// onlyLotOf returns the lot code of the one lot of product among qs, empty when there is
// none or more than one.
func onlyLotOf(product string, qs []epcis.QuantityElement) string {
	found := ""
	for _, q := range qs {
		lot := lotCode(q.EPCClass)
		if lot == "" || productOf(q.EPCClass) != product || lot == found {
			continue
		}
		if found != "" {
			return ""
		}
		found = lot
	}
	return found
}

// lotCode returns the lot (AI 10) of a Digital Link, empty when it has none.
func lotCode(id string) string {
	if !strings.Contains(id, "/10/") {
		return ""
	}
	dl, err := codes.ParseDigitalLink(id)
	if err != nil {
		return ""
	}
	for _, q := range dl.Qualifiers {
		if q.AI == "10" {
			return q.Value
		}
	}
	return ""
}

// productOf is the class of an identifier: the GTIN Digital Link of a lot or serialised
// item, the identifier itself when it has no coarser class.
func productOf(id string) string {
	if c, ok := codes.ClassOf(id); ok {
		return c
	}
	return id
}

// parties lists the owning and possessing parties of a source or destination list.
func parties(l []epcis.SourceDest) (ps []string, ok bool) {
	for _, sd := range l {
		if (sd.Type == "owning_party" || sd.Type == "possessing_party") && !slices.Contains(ps, sd.Value) {
			ps = append(ps, sd.Value)
		}
	}
	return ps, len(ps) > 0
}

// locations lists the locations of a source or destination list.
func locations(l []epcis.SourceDest) []string {
	var out []string
	for _, sd := range l {
		if sd.Type == "location" && !slices.Contains(out, sd.Value) {
			out = append(out, sd.Value)
		}
	}
	return out
}

// moved is what one event moved of the affected goods: quantities of classes as the
// quantity lists give them, and the serialised instances (containers opened).
type moved struct {
	classes   []epcis.QuantityElement
	instances []string
}

// maxNesting bounds how deep containers are opened (pallet → case → item is 2).
const maxNesting = 8

// moved works out what se moved of the affected goods.
func (g *goods) moved(se storedEvent) moved {
	e := se.e
	var m moved
	seen := map[string]bool{}
	var add func(id string, depth int)
	add = func(id string, depth int) {
		if seen[id] {
			return
		}
		seen[id] = true
		if depth < maxNesting && len(g.packs[id]) > 0 {
			before := len(m.instances) + len(m.classes)
			children, classes := g.contents(id, se)
			for _, c := range children {
				add(c, depth+1)
			}
			for _, q := range classes {
				if g.affected[q.EPCClass] {
					m.classes = append(m.classes, q)
				}
			}
			if len(m.instances)+len(m.classes) > before {
				return // the container counts by its contents
			}
		}
		// A listed container with no affected contents counts as one unit itself; a
		// nested one is only counted through what it holds.
		if g.affected[id] && (depth == 0 || len(g.packs[id]) == 0) {
			m.instances = append(m.instances, id)
		}
	}
	if e.ParentID != "" {
		add(e.ParentID, 0)
	}
	for _, l := range [][]string{e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList} {
		for _, id := range l {
			add(id, 0)
		}
	}
	for _, l := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range l {
			if g.affected[q.EPCClass] {
				m.classes = append(m.classes, q)
			}
		}
	}
	return m
}

// contents lists what parent held at the time of se: the children and child quantities
// added by its aggregation events up to then, less those removed.
func (g *goods) contents(parent string, se storedEvent) ([]string, []epcis.QuantityElement) {
	var children []string
	var classes []epcis.QuantityElement
	for _, p := range g.packs[parent] {
		if p.e.EventTime.After(se.e.EventTime) || p.e.EventTime.Equal(se.e.EventTime) && p.seq > se.seq {
			break
		}
		switch p.e.Action {
		case epcis.ActionAdd, epcis.ActionObserve:
			for _, c := range p.e.ChildEPCs {
				if !slices.Contains(children, c) {
					children = append(children, c)
				}
			}
			classes = append(classes, p.e.ChildQuantityList...)
		case epcis.ActionDelete:
			if len(p.e.ChildEPCs) == 0 && len(p.e.ChildQuantityList) == 0 {
				children, classes = nil, nil
				continue
			}
			children = slices.DeleteFunc(children, func(c string) bool { return slices.Contains(p.e.ChildEPCs, c) })
			classes = slices.DeleteFunc(classes, func(q epcis.QuantityElement) bool {
				return slices.ContainsFunc(p.e.ChildQuantityList, func(d epcis.QuantityElement) bool { return d.EPCClass == q.EPCClass })
			})
		}
	}
	return children, classes
}

// lineKey identifies one line of quantities: a product, a lot and a unit.
type lineKey struct{ product, lot, uom string }

// lines sums what an event moved into quantities per product, lot and unit; instances
// count as units without a UOM. Lines come in first-seen order.
func (g *goods) lines(m moved) []store.RecallQuantity {
	var out []store.RecallQuantity
	at := map[lineKey]int{}
	put := func(k lineKey, q *float64) {
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			zero := 0.0
			out = append(out, store.RecallQuantity{Product: k.product, Lot: k.lot, UOM: k.uom, Quantity: &zero})
		}
		switch {
		case out[i].Quantity == nil:
		case q == nil:
			out[i].Quantity = nil // one part of unknown size makes the whole unknown
		default:
			v := *out[i].Quantity + *q
			out[i].Quantity = &v
		}
	}
	for _, q := range m.classes {
		put(lineKey{productOf(q.EPCClass), lotCode(q.EPCClass), q.UOM}, q.Quantity)
	}
	one := 1.0
	for _, id := range m.instances {
		lot, ok := g.lotOf[id]
		if !ok {
			lot = lotCode(id)
		}
		put(lineKey{productOf(id), lot, ""}, &one)
	}
	return out
}

// holders finds every party that received affected goods: the owning or possessing
// parties of each event's destination list, or, where it names only locations, the
// party each location belongs to (the location itself when no event says). Each gets
// what the events shipped to it; an instance shipped to the same holder twice (a
// shipment and its receipt, say) counts once.
func (g *goods) holders() []*store.RecallHolder {
	type acc struct {
		h         *store.RecallHolder
		instances map[string]bool
		got       moved
	}
	byParty := map[string]*acc{}
	var order []string
	for _, se := range g.events {
		e := se.e
		if len(e.DestinationList) == 0 {
			continue
		}
		m := g.moved(se)
		if len(m.classes) == 0 && len(m.instances) == 0 {
			continue
		}
		locs := locations(e.DestinationList)
		to, ok := parties(e.DestinationList)
		if !ok {
			for _, l := range locs {
				p := g.partyAt[l]
				if p == "" {
					p = l
				}
				if !slices.Contains(to, p) {
					to = append(to, p)
				}
			}
		}
		for _, p := range to {
			a := byParty[p]
			if a == nil {
				a = &acc{h: &store.RecallHolder{Party: p, Locations: []string{}}, instances: map[string]bool{}}
				byParty[p] = a
				order = append(order, p)
			}
			for _, l := range locs {
				if l != p && !slices.Contains(a.h.Locations, l) {
					a.h.Locations = append(a.h.Locations, l)
				}
			}
			a.got.classes = append(a.got.classes, m.classes...)
			for _, id := range m.instances {
				if !a.instances[id] {
					a.instances[id] = true
					a.got.instances = append(a.got.instances, id)
				}
			}
		}
	}
	slices.Sort(order)
	out := make([]*store.RecallHolder, 0, len(order))
	for _, p := range order {
		a := byParty[p]
		a.h.Received = g.lines(a.got)
		slices.Sort(a.h.Locations)
		out = append(out, a.h)
	}
	return out
}

// receivedTotal is the total a holder received when all of it is known and in one unit,
// which is what returned and destroyed quantities are counted in; ok is false otherwise.
func receivedTotal(h *store.RecallHolder) (total float64, ok bool) {
	if len(h.Received) == 0 {
		return 0, false
	}
	for _, q := range h.Received {
		if q.Quantity == nil || q.UOM != h.Received[0].UOM {
			return 0, false
		}
		total += *q.Quantity
	}
	return total, true
}
