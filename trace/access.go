package trace

import (
	"context"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/epcis"
)

// TraceFor is Trace as sc may see it. The walk itself runs over the whole index; the
// result keeps only the events sc may read and what the root reaches through them, so
// a trace never shows a step, an identifier, a party or a document that only an unseen
// event names. A code none of whose events sc may read is not found, as an unknown one.
func (s *Service) TraceFor(ctx context.Context, sc *access.Scope, req Request) (*Result, error) {
	res, err := s.Trace(ctx, req)
	if err != nil || sc.All() {
		return res, err
	}
	seen := map[string]bool{}
	for _, ev := range res.Events {
		row, err := s.Store.Event(ctx, ev.EventID)
		if err != nil {
			return nil, err
		}
		e, err := epcis.DecodeEventJSON(row.Doc)
		if err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "trace: stored event %d cannot be decoded", row.Seq)
		}
		if sc.Sees(row, e) {
			seen[ev.EventID] = true
		}
	}
	if len(seen) == 0 {
		return nil, zhuisu.Errorf(zhuisu.ENotFound, "no records of %s", res.Root)
	}
	return prune(res, seen, sc), nil
}

// prune keeps the seen events and what the root reaches through edges they (or no event,
// for edges a code's own structure gives) establish.
func prune(res *Result, seen map[string]bool, sc *access.Scope) *Result {
	out := &Result{Root: res.Root, Identifiers: []Identifier{}, Edges: []Edge{}, Events: []Event{},
		Parties: []string{}, Locations: []string{}, Documents: []Document{}}
	byFrom := map[string][]Edge{}
	for _, e := range res.Edges {
		if e.EventID == "" || seen[e.EventID] {
			byFrom[e.From] = append(byFrom[e.From], e)
		}
	}
	reached := map[string]bool{res.Root: true}
	queue := []string{res.Root}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		for _, e := range byFrom[from] {
			out.Edges = append(out.Edges, e)
			if !reached[e.To] {
				reached[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	for _, id := range res.Identifiers {
		if !reached[id.ID] {
			continue
		}
		// The holder comes from the last shipment, which may be an unseen event.
		if id.Holder != "" && !sc.Names(id.Holder) {
			id.Holder = ""
		}
		out.Identifiers = append(out.Identifiers, id)
	}
	for _, ev := range res.Events {
		if seen[ev.EventID] {
			out.Events = append(out.Events, ev)
		}
	}
	for _, d := range res.Documents {
		if seen[d.EventID] {
			out.Documents = append(out.Documents, d)
		}
	}
	for _, p := range res.Parties {
		if reached[p] {
			out.Parties = append(out.Parties, p)
		}
	}
	for _, l := range res.Locations {
		if reached[l] {
			out.Locations = append(out.Locations, l)
		}
	}
	return out
}
