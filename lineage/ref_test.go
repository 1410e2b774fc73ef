package lineage

// A brute-force reference for Trace, written from the rules of the package doc and
// sharing no code with the index: it keeps every event and searches all of them at every
// step of a walk.

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
)

type refEvent struct {
	seq      int64
	e        *epcis.Event
	declared bool
}

const refStem = "https://id.gs1.org"

func refSyntaxKind(s string) string {
	if !strings.HasPrefix(s, refStem+"/") {
		return ""
	}
	parts := strings.Split(strings.TrimPrefix(s, refStem+"/"), "/")
	switch parts[0] {
	case "00":
		return "container"
	case "414":
		return "location"
	case "417":
		return "party"
	case "01", "8006":
		if len(parts) == 2 {
			return "class"
		}
		if len(parts) >= 4 && parts[2] == "21" {
			return "instance"
		}
		if len(parts) >= 4 && parts[2] == "10" {
			return "lot"
		}
	case "8003":
		if len(parts) >= 2 && len(parts[1]) > 14 {
			return "container"
		}
		return "class"
	}
	return ""
}

func refKinds(evs []refEvent) map[string]string {
	rank := map[string]int{"instance": 1, "container": 2, "location": 3, "party": 4}
	role := map[string]string{}
	give := func(id, k string) {
		if id != "" && rank[k] > rank[role[id]] {
			role[id] = k
		}
	}
	party := func(l []epcis.SourceDest) {
		for _, sd := range l {
			if sd.Type == "location" {
				give(sd.Value, "location")
			} else {
				give(sd.Value, "party")
			}
		}
	}
	for _, ev := range evs {
		e := ev.e
		if e.ErrorDeclaration != nil {
			continue
		}
		if e.Type == epcis.AggregationEvent {
			give(e.ParentID, "container")
		}
		party(e.SourceList)
		party(e.DestinationList)
	}
	return role
}

func refKindOf(kinds map[string]string, id string) string {
	if k := refSyntaxKind(id); k != "" {
		return k
	}
	if k := kinds[id]; k != "" {
		return k
	}
	return "instance"
}

type refLink struct {
	kind          Kind
	from, to      string
	seq           int64
	start, end    time.Time // contains only; end zero = open
	hasEnd        bool
	inSeq, outSeq int64 // transforms: the events listing the input and the output
}

func classesOf(qs []epcis.QuantityElement) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.EPCClass)
	}
	return out
}

// refLinks lists every relation of the non-declared events.
func refLinks(evs []refEvent) []refLink {
	var live []refEvent
	for _, ev := range evs {
		if !ev.declared && ev.e.ErrorDeclaration == nil {
			live = append(live, ev)
		}
	}
	var links []refLink
	type listed struct {
		id  string
		seq int64
	}
	ins, outs := map[string][]listed{}, map[string][]listed{}
	var groups []string
	for _, ev := range live {
		e := ev.e
		if e.Type == epcis.AggregationEvent && e.ParentID != "" && (e.Action == "ADD" || e.Action == "OBSERVE") {
			for _, c := range append(slices.Clone(e.ChildEPCs), classesOf(e.ChildQuantityList)...) {
				l := refLink{kind: Contains, from: e.ParentID, to: c, seq: ev.seq, start: e.EventTime}
				// The earliest non-declared DELETE closing it.
				for _, dv := range live {
					d := dv.e
					if d.Type != epcis.AggregationEvent || d.Action != "DELETE" || d.ParentID != e.ParentID {
						continue
					}
					kids := append(slices.Clone(d.ChildEPCs), classesOf(d.ChildQuantityList)...)
					if len(kids) > 0 && !slices.Contains(kids, c) {
						continue
					}
					if !(d.EventTime.After(e.EventTime) || (d.EventTime.Equal(e.EventTime) && dv.seq > ev.seq)) {
						continue
					}
					if !l.hasEnd || d.EventTime.Before(l.end) {
						l.end, l.hasEnd = d.EventTime, true
					}
				}
				links = append(links, l)
			}
		}
		if e.Type == epcis.TransformationEvent {
			g := e.TransformationID
			if g == "" {
				g = fmt.Sprint("#", ev.seq)
			}
			if _, ok := ins[g]; !ok {
				if _, ok := outs[g]; !ok {
					groups = append(groups, g)
				}
			}
			for _, i := range append(slices.Clone(e.InputEPCList), classesOf(e.InputQuantityList)...) {
				ins[g] = append(ins[g], listed{i, ev.seq})
			}
			for _, o := range append(slices.Clone(e.OutputEPCList), classesOf(e.OutputQuantityList)...) {
				outs[g] = append(outs[g], listed{o, ev.seq})
			}
		}
		if len(e.SourceList)+len(e.DestinationList) > 0 {
			var objs []string
			if e.ParentID != "" {
				objs = append(objs, e.ParentID)
			}
			objs = append(objs, e.EPCList...)
			objs = append(objs, e.ChildEPCs...)
			objs = append(objs, e.InputEPCList...)
			objs = append(objs, e.OutputEPCList...)
			for _, q := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
				objs = append(objs, classesOf(q)...)
			}
			for _, o := range objs {
				for _, s := range e.SourceList {
					links = append(links, refLink{kind: Transfers, from: s.Value, to: o, seq: ev.seq})
				}
				for _, d := range e.DestinationList {
					links = append(links, refLink{kind: Transfers, from: o, to: d.Value, seq: ev.seq})
				}
			}
		}
		var items []string
		var qs []epcis.QuantityElement
		if e.Type == epcis.ObjectEvent && e.Action != "DELETE" {
			items, qs = e.EPCList, e.QuantityList
		}
		if e.Type == epcis.TransformationEvent {
			items, qs = e.OutputEPCList, e.OutputQuantityList
		}
		lotNo := ""
		if e.ILMD != nil {
			for _, n := range *e.ILMD {
				if (n.Local == "lot" || n.Local == "lotNumber") && n.Value != "" && (n.Kind == epcis.KindString || n.Kind == epcis.KindNumber) {
					lotNo = n.Value
					break
				}
			}
		}
		for _, it := range items {
			if refSyntaxKind(it) != "instance" || !strings.HasPrefix(it, refStem+"/01/") {
				continue
			}
			gtin := strings.Split(it, "/")[4]
			lot := ""
			if lotNo != "" {
				lot = refStem + "/01/" + gtin + "/10/" + url.PathEscape(lotNo)
			} else {
				var cands []string
				for _, q := range qs {
					if refSyntaxKind(q.EPCClass) == "lot" && strings.Split(q.EPCClass, "/")[4] == gtin && !slices.Contains(cands, q.EPCClass) {
						cands = append(cands, q.EPCClass)
					}
				}
				if len(cands) != 1 {
					continue
				}
				lot = cands[0]
			}
			links = append(links, refLink{kind: MemberOf, from: it, to: lot, seq: ev.seq})
		}
	}
	for _, g := range groups {
		for _, i := range ins[g] {
			for _, o := range outs[g] {
				links = append(links, refLink{kind: Transforms, from: i.id, to: o.id, seq: o.seq, inSeq: i.seq, outSeq: o.seq})
			}
		}
	}
	return links
}

func refTrace(evs []refEvent, root string, dir Direction, depth int, at time.Time) Trace {
	kinds := refKinds(evs)
	links := refLinks(evs)
	back, fwd := dir != Forward, dir != Backward
	type st struct {
		id string
		up bool
	}
	depthOf := map[string]int{root: 0}
	seenSt := map[st]bool{{root, false}: true}
	edges := map[TraceEdge]bool{}
	events := map[int64]bool{}
	frontier := []st{{root, false}}
	for d := 0; len(frontier) > 0 && (depth <= 0 || d < depth); d++ {
		var next []st
		for _, s := range frontier {
			k := refKindOf(kinds, s.id)
			if s.id != root && (k == "party" || k == "location" || k == "class") {
				continue
			}
			for _, l := range links {
				var to string
				var up bool
				switch {
				case l.kind == Contains && l.from == s.id && !s.up:
					to = l.to
				case l.kind == Contains && l.to == s.id:
					to, up = l.from, true
				case l.kind == Transforms && l.from == s.id && fwd, l.kind == Transfers && l.from == s.id && fwd,
					l.kind == MemberOf && l.from == s.id && back:
					to = l.to
				case l.kind == Transforms && l.to == s.id && back, l.kind == Transfers && l.to == s.id && back,
					l.kind == MemberOf && l.to == s.id && fwd:
					to = l.from
				default:
					continue
				}
				if l.kind == Contains && !at.IsZero() && (at.Before(l.start) || (l.hasEnd && !at.Before(l.end))) {
					continue
				}
				edges[TraceEdge{From: l.from, To: l.to, Kind: l.kind, Seq: l.seq}] = true
				events[l.seq] = true
				if l.kind == Transforms {
					events[l.inSeq], events[l.outSeq] = true, true
				}
				ns := st{to, up}
				if !seenSt[ns] {
					seenSt[ns] = true
					next = append(next, ns)
					if _, ok := depthOf[to]; !ok {
						depthOf[to] = d + 1
					}
				}
			}
		}
		frontier = next
	}
	tr := Trace{Root: root}
	for id, d := range depthOf {
		tr.Identifiers = append(tr.Identifiers, Node{ID: id, Kind: refKindOf(kinds, id), Depth: d})
	}
	for e := range edges {
		tr.Edges = append(tr.Edges, e)
	}
	for s := range events {
		tr.Events = append(tr.Events, s)
	}
	return normal(tr)
}

// normal sorts a trace so that two traces compare by value.
func normal(tr Trace) Trace {
	slices.SortFunc(tr.Identifiers, func(a, b Node) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(tr.Edges, func(a, b TraceEdge) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Seq, b.Seq))
	})
	slices.Sort(tr.Events)
	return tr
}
