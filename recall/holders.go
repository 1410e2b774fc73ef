package recall

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/store"
)

// HolderUpdate is a change of a holder's status: acknowledged (the holder has the notice),
// returned or destroyed (a quantity of the goods, in the unit the holder received them).
type HolderUpdate struct {
	Status   string   `json:"status"`
	Quantity *float64 `json:"quantity,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// UpdateHolder records a status change of a holder of an open recall on behalf of
// subject. A holder is notified when the recall is created; it can be acknowledged once,
// from notified; quantities can be returned or destroyed from any state, as long as
// everything returned and destroyed stays within what it received (when that is known
// and in one unit). party is the holder's identifier in any accepted form.
func (s *Service) UpdateHolder(ctx context.Context, subject, recallID, party string, u HolderUpdate) (*store.RecallHolder, error) {
	party = strings.TrimSpace(party)
	if party == "" {
		return nil, invalid("party", "name the holder: /api/recalls/{id}/holders/{party}, the party's code URL-escaped")
	}
	if c, err := codes.Parse(party); err == nil {
		party = c.Canonical
	}
	u.Note = strings.TrimSpace(u.Note)
	if err := zhuisu.CheckText("note", "note", u.Note, MaxNoteLength); err != nil {
		return nil, err
	}
	var qty float64
	switch u.Status {
	case store.HolderAcknowledged:
		if u.Quantity != nil && *u.Quantity != 0 {
			return nil, invalid("quantity", "an acknowledgement carries no quantity; send returned or destroyed with the quantity")
		}
	case store.HolderReturned, store.HolderDestroyed:
		if u.Quantity == nil {
			return nil, invalid("quantity", "status %s needs the quantity %s", u.Status, u.Status)
		}
		qty = *u.Quantity
		if math.IsNaN(qty) || math.IsInf(qty, 0) || qty <= 0 {
			return nil, invalid("quantity", "the quantity %s must be a positive number, got %s", u.Status, strconv.FormatFloat(qty, 'g', -1, 64))
		}
	case store.HolderNotified:
		return nil, invalid("status", "a holder is notified when the recall is created and cannot go back to notified")
	default:
		return nil, invalid("status", "status must be acknowledged, returned or destroyed, got %q", u.Status)
	}
	now := s.Now().UTC()
	return s.Store.UpdateRecallHolder(ctx, recallID, party, func(r *store.Recall, h *store.RecallHolder) (store.RecallChange, error) {
		if r.Status != store.RecallOpen {
			return store.RecallChange{}, zhuisu.Errorf(zhuisu.EConflict, "recall %s is closed: its holders can no longer change", r.ID)
		}
		switch u.Status {
		case store.HolderAcknowledged:
			if h.Status != store.HolderNotified {
				return store.RecallChange{}, zhuisu.Errorf(zhuisu.EConflict, "holder %s is %s already; only a notified holder can acknowledge", h.Party, h.Status)
			}
		case store.HolderReturned, store.HolderDestroyed:
			if total, ok := receivedTotal(h); ok && h.Returned+h.Destroyed+qty > total+1e-9 {
				e := zhuisu.Errorf(zhuisu.EInvalid, "holder %s received %s; with %s more %s, returned (%s) and destroyed (%s) would come to more than that",
					h.Party, amount(total, h.Received[0].UOM), amount(qty, h.Received[0].UOM), u.Status,
					amount(h.Returned, h.Received[0].UOM), amount(h.Destroyed, h.Received[0].UOM))
				e.Field = "quantity"
				return store.RecallChange{}, e
			}
			if u.Status == store.HolderReturned {
				h.Returned += qty
			} else {
				h.Destroyed += qty
			}
		}
		h.Status, h.UpdatedAt = u.Status, now
		return store.RecallChange{At: now, Status: u.Status, Quantity: qty, Note: u.Note, Subject: subject}, nil
	})
}

func amount(v float64, uom string) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if uom == "" {
		return s
	}
	return s + " " + uom
}
