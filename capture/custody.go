package capture

import (
	"context"
	"slices"
	"strconv"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// Holders tells whether an identifier names one of a subject's own parties or locations.
type Holders interface {
	Owns(ctx context.Context, subject string, ids ...string) (bool, error)
}

// custodyRoles are the index roles in which an event names goods.
var custodyRoles = []store.Role{store.RoleEPC, store.RoleParent, store.RoleChild, store.RoleInput, store.RoleOutput,
	store.RoleEPCClass, store.RoleChildClass, store.RoleInputClass, store.RoleOutputClass}

// custodyChunk bounds the identifiers of one lookup, and custodyRows the events it reads:
// past that, identifiers are looked up one by one.
const (
	custodyChunk = 200
	custodyRows  = 2000
)

// existingGoods lists the identifiers an event acts on as goods that already exist: what
// it observes, ships, unpacks, packs or consumes. What it creates (commissioning, the
// outputs of a transformation, a new pallet) is not listed.
func existingGoods(e *epcis.Event) []string {
	var out []string
	classes := func(l []epcis.QuantityElement) {
		for _, q := range l {
			out = append(out, q.EPCClass)
		}
	}
	acts := e.Action == epcis.ActionObserve || e.Action == epcis.ActionDelete
	switch e.Type {
	case epcis.ObjectEvent, epcis.TransactionEvent:
		if acts {
			out = append(out, e.EPCList...)
			classes(e.QuantityList)
		}
	case epcis.AggregationEvent:
		out = append(out, e.ChildEPCs...)
		classes(e.ChildQuantityList)
		if acts && e.ParentID != "" {
			out = append(out, e.ParentID)
		}
	case epcis.TransformationEvent:
		out = append(out, e.InputEPCList...)
		classes(e.InputQuantityList)
	}
	return out
}

// checkCustody applies "an enterprise records only goods it holds": for every identifier
// an event of the batch acts on as existing goods, the last stored event that names it
// decides who holds it. When that event sent it somewhere (a destination list), the
// subject must own one of the destinations (a location it registered or a party under its
// company prefix); otherwise the subject must have recorded that event. Goods the store
// has never seen are the recording enterprise's own, and events recorded by the platform
// itself (imports) leave the holder unknown, which is not refused.
func (s *Service) checkCustody(ctx context.Context, b *store.Batch, subject string) error {
	if s.Holders == nil || subject == "" {
		return nil
	}
	where := map[string]int{} // identifier -> first event of the batch acting on it
	var ids []string
	for i, e := range b.Events {
		for _, id := range existingGoods(e.Event) {
			if _, ok := where[id]; !ok && id != "" {
				where[id] = i
				ids = append(ids, id)
			}
		}
	}
	last, err := s.lastEvents(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		row, e := last[id].row, last[id].event
		if row == nil {
			continue
		}
		var dests []string
		for _, d := range e.DestinationList {
			dests = append(dests, d.Value)
		}
		holds := true
		switch {
		case len(dests) > 0:
			if holds, err = s.Holders.Owns(ctx, subject, dests...); err != nil {
				return err
			}
		case row.Subject != "":
			holds = row.Subject == subject
		}
		if !holds {
			return &zhuisu.Error{Code: zhuisu.EForbidden, Kind: "SecurityException",
				Field:   "epcisBody.eventList[" + strconv.Itoa(where[id]) + "]",
				Message: id + " is not held by subject " + subject + ": its last recorded event (" + e.EventID + ") leaves it with another enterprise, and an enterprise records only goods it holds"}
		}
	}
	return nil
}

type lastEvent struct {
	row   *store.Event
	event *epcis.Event
}

// lastEvents finds, for each identifier, the last stored event (not declared erroneous)
// that names it.
func (s *Service) lastEvents(ctx context.Context, ids []string) (map[string]lastEvent, error) {
	out := map[string]lastEvent{}
	no := false
	note := func(rows []*store.Event, want map[string]bool) error {
		for _, row := range rows {
			e, err := epcis.DecodeEventJSON(row.Doc)
			if err != nil {
				return zhuisu.Wrap(err, zhuisu.EInternal, "stored event %d cannot be decoded", row.Seq)
			}
			for _, id := range namedGoods(e) {
				if want[id] && (out[id].row == nil || out[id].row.Seq < row.Seq) {
					out[id] = lastEvent{row, e}
				}
			}
		}
		return nil
	}
	for start := 0; start < len(ids); start += custodyChunk {
		part := ids[start:min(start+custodyChunk, len(ids))]
		want := map[string]bool{}
		for _, id := range part {
			want[id] = true
		}
		rows, err := s.Store.Events(ctx, &store.EventQuery{Declared: &no, Desc: true, Limit: custodyRows + 1,
			Keys: []store.KeyMatch{{Roles: custodyRoles, Values: part}}})
		if err != nil {
			return nil, err
		}
		if len(rows) <= custodyRows {
			if err := note(rows, want); err != nil {
				return nil, err
			}
			continue
		}
		// Long histories: the newest event of each identifier, one at a time.
		for _, id := range part {
			rows, err := s.Store.Events(ctx, &store.EventQuery{Declared: &no, Desc: true, Limit: 1,
				Keys: []store.KeyMatch{{Roles: custodyRoles, Values: []string{id}}}})
			if err != nil {
				return nil, err
			}
			if err := note(rows, map[string]bool{id: true}); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// namedGoods lists every identifier an event names as goods.
func namedGoods(e *epcis.Event) []string {
	out := slices.Concat(e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList)
	if e.ParentID != "" {
		out = append(out, e.ParentID)
	}
	for _, q := range slices.Concat(e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList) {
		out = append(out, q.EPCClass)
	}
	return out
}
