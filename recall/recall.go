package recall

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/lineage"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/trace"
)

// Limits of one recall request.
const (
	MaxCodes        = 100
	MaxReasonLength = 2000
	MaxNoteLength   = 2000
)

// Service creates recalls and keeps track of them.
type Service struct {
	Store store.Store
	Trace *trace.Service
	Now   func() time.Time
	// Flagged, when set, is told the identifiers whose warning flags a recall has just
	// raised or lowered (the public page's cache drops their views).
	Flagged func(ids []string)
}

// New returns a recall service that traces with tr.
func New(st store.Store, tr *trace.Service) *Service {
	return &Service{Store: st, Trace: tr, Now: time.Now}
}

func invalid(field, format string, args ...any) error {
	e := zhuisu.Errorf(zhuisu.EInvalid, format, args...)
	e.Field = field
	return e
}

// Create recalls the goods named by codes (lots or units, in any accepted form) for
// reason, on behalf of subject: it traces forward from each code, records every party
// that received affected goods as a notified holder, and flags every affected identifier.
// A code that is malformed (EInvalid) or that no stored event names (ENotFound) fails
// the whole request, which then stores nothing.
func (s *Service) Create(ctx context.Context, subject string, given []string, reason string) (*store.Recall, error) {
	reason = strings.TrimSpace(reason)
	if err := zhuisu.CheckText("reason", "reason", reason, MaxReasonLength); err != nil {
		return nil, err
	}
	switch {
	case reason == "":
		return nil, invalid("reason", "a recall needs a reason")
	case len(given) == 0:
		return nil, invalid("codes", "a recall needs at least one code")
	case len(given) > MaxCodes:
		return nil, invalid("codes", "a recall takes at most %d codes, got %d", MaxCodes, len(given))
	}
	now := s.Now().UTC()
	r := &store.Recall{Reason: reason, Subject: subject, CreatedAt: now, Status: store.RecallOpen}
	seen := map[string]bool{}
	for i, g := range given {
		c, err := codes.Parse(g)
		if err != nil {
			return nil, invalid(fmt.Sprintf("codes[%d]", i), "code %q cannot be recalled: %s", g, zhuisu.ErrorMessage(err))
		}
		if !seen[c.Canonical] {
			seen[c.Canonical] = true
			r.Codes = append(r.Codes, store.RecallCode{Given: g, Canonical: c.Canonical})
		}
	}

	affected := map[string]bool{}
	classes := map[string]bool{} // affected identifiers that name a class or lot, not an instance
	var eventIDs []string
	var memberOf [][2]string
	idSeen := map[string]bool{}
	for i, c := range r.Codes {
		res, err := s.Trace.Trace(ctx, trace.Request{Code: c.Canonical, Direction: lineage.Forward})
		if err != nil {
			return nil, err
		}
		// A party or a place is not goods: recalling one would flag everything that ever
		// passed through it.
		if len(res.Identifiers) > 0 && (res.Identifiers[0].Kind == "party" || res.Identifiers[0].Kind == "location") {
			return nil, invalid(fmt.Sprintf("codes[%d]", i), "code %q names a %s, not goods: recall lots or units", c.Given, res.Identifiers[0].Kind)
		}
		if len(res.Events) == 0 {
			e := zhuisu.Errorf(zhuisu.ENotFound, "code %q is not named by any stored event: there is nothing to recall", c.Given)
			e.Field = fmt.Sprintf("codes[%d]", i)
			return nil, e
		}
		for _, id := range res.Identifiers {
			if id.Kind != "party" && id.Kind != "location" {
				affected[id.ID] = true
				if id.Kind == "lot" || id.Kind == "class" {
					classes[id.ID] = true
				}
			}
		}
		for _, ev := range res.Events {
			if !idSeen[ev.EventID] {
				idSeen[ev.EventID] = true
				eventIDs = append(eventIDs, ev.EventID)
			}
		}
		for _, ed := range res.Edges {
			if ed.Kind == lineage.MemberOf.String() {
				memberOf = append(memberOf, [2]string{ed.From, ed.To})
			}
		}
	}
	events, err := s.events(ctx, eventIDs)
	if err != nil {
		return nil, err
	}
	g := newGoods(affected, events, memberOf)
	r.Holders = g.holders()
	for _, h := range r.Holders {
		h.Status, h.UpdatedAt = store.HolderNotified, now
		h.History = []store.RecallChange{{At: now, Status: store.HolderNotified, Subject: subject, Note: "recall created"}}
	}
	for id := range affected {
		r.Identifiers = append(r.Identifiers, id)
	}
	slices.Sort(r.Identifiers)
	for _, e := range events {
		r.Seqs = append(r.Seqs, e.seq)
	}
	// The trace names the events that link identifiers; the spreadsheet also wants those
	// that only observe an affected identifier: its receiving, its retail sale.
	// Goods are recorded before they move on, so those events come after the first event
	// of the traces: the bound keeps the key lookups to the recent part of a large store.
	var first int64
	if len(r.Seqs) > 0 {
		first = slices.Min(r.Seqs)
	}
	more, err := s.eventsNaming(ctx, r.Identifiers, classes, first, idSeen)
	if err != nil {
		return nil, err
	}
	r.Seqs = append(r.Seqs, more...)
	slices.Sort(r.Seqs)
	r.Seqs = slices.Compact(r.Seqs)
	r.ID = newID(now)
	if err := s.Store.CreateRecall(ctx, r); err != nil {
		return nil, err
	}
	if s.Flagged != nil {
		s.Flagged(r.Identifiers)
	}
	return r, nil
}

// newID makes a recall ID that sorts by creation day and is unguessable past it.
func newID(now time.Time) string {
	var b [6]byte
	rand.Read(b[:])
	return "RC" + now.Format("20060102") + "-" + hex.EncodeToString(b[:])
}

// storedEvent is an event of a recall with what the store adds.
type storedEvent struct {
	seq     int64
	subject string
	e       *epcis.Event
}

// eventChunk bounds the eventIDs of one store query.
const eventChunk = 500

// events fetches the events the traces named, by eventID (an indexed lookup), and orders
// them by event time.
func (s *Service) events(ctx context.Context, ids []string) ([]storedEvent, error) {
	no := false
	var out []storedEvent
	for start := 0; start < len(ids); start += eventChunk {
		part := ids[start:min(start+eventChunk, len(ids))]
		rows, err := s.Store.Events(ctx, &store.EventQuery{EventIDs: part, Declared: &no, Limit: len(part)})
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			se, err := decode(row)
			if err != nil {
				return nil, err
			}
			out = append(out, se)
		}
	}
	sortEvents(out)
	return out, nil
}

// An instance (an item, a case, a pallet) stands in the instance roles of an event, a
// class or a lot in the quantity roles: asking each only for its own roles halves the
// keys a lookup checks.
var (
	instanceRoles = []store.Role{store.RoleEPC, store.RoleParent, store.RoleChild, store.RoleInput, store.RoleOutput}
	classRoles    = []store.Role{store.RoleEPCClass, store.RoleChildClass, store.RoleInputClass, store.RoleOutputClass}
)

// maxNamingEvents bounds the events a recall adds beyond its traces.
const maxNamingEvents = 20000

// eventsNaming returns the seqs of the events stored from seq from on, not erroneous and
// not among seen (by eventID), that name any of ids (those in classes as a class or lot,
// the others as instances): one indexed query per chunk of identifiers.
func (s *Service) eventsNaming(ctx context.Context, ids []string, classes map[string]bool, from int64, seen map[string]bool) ([]int64, error) {
	var inst, cls []string
	for _, id := range ids {
		if classes[id] {
			cls = append(cls, id)
		} else {
			inst = append(inst, id)
		}
	}
	no := false
	var out []int64
	for _, group := range []struct {
		ids   []string
		roles []store.Role
	}{{inst, instanceRoles}, {cls, classRoles}} {
		for start := 0; start < len(group.ids) && len(out) < maxNamingEvents; start += eventChunk {
			part := group.ids[start:min(start+eventChunk, len(group.ids))]
			rows, err := s.Store.Events(ctx, &store.EventQuery{Declared: &no, Limit: maxNamingEvents, SeqGE: from,
				Keys: []store.KeyMatch{{Roles: group.roles, Values: part}}})
			if err != nil {
				return nil, err
			}
			for _, row := range rows {
				if row.Declares >= 0 {
					continue // a declaration, not an event of the goods
				}
				se, err := decode(row)
				if err != nil {
					return nil, err
				}
				if !seen[se.e.EventID] {
					seen[se.e.EventID] = true
					out = append(out, row.Seq)
				}
			}
		}
	}
	return out, nil
}

func decode(row *store.Event) (storedEvent, error) {
	e, err := epcis.DecodeEventJSON(row.Doc)
	if err != nil {
		return storedEvent{}, zhuisu.Wrap(err, zhuisu.EInternal, "recall: stored event %d cannot be decoded", row.Seq)
	}
	return storedEvent{seq: row.Seq, subject: row.Subject, e: e}, nil
}

func sortEvents(l []storedEvent) {
	slices.SortStableFunc(l, func(a, b storedEvent) int {
		if c := a.e.EventTime.Compare(b.e.EventTime); c != 0 {
			return c
		}
		return int(a.seq - b.seq)
	})
}

// Recall returns a recall with its holders.
func (s *Service) Recall(ctx context.Context, id string) (*store.Recall, error) {
	return s.Store.Recall(ctx, id)
}

// Recalls lists recalls newest first.
func (s *Service) Recalls(ctx context.Context, beforeID string, limit int) ([]*store.Recall, error) {
	return s.Store.Recalls(ctx, beforeID, limit)
}

// Close ends a recall: its flags stop warning on the public page.
func (s *Service) Close(ctx context.Context, id string) (*store.Recall, error) {
	if err := s.Store.CloseRecall(ctx, id, s.Now().UTC()); err != nil {
		return nil, err
	}
	if s.Flagged != nil {
		if r, err := s.Store.Recall(ctx, id); err == nil {
			s.Flagged(r.Identifiers)
		}
	}
	return s.Store.Recall(ctx, id)
}
