// Package trace answers "where did this come from, where did it go" for any code: it
// keeps the lineage index (package lineage) in step with the store — replaying stored
// events at start, then following new ones, including those other processes sharing the
// database capture — and turns a lineage walk into a trace result with the events,
// parties, locations and documents behind it.
//
// It must not import net/http or database/sql.
package trace

import (
	"context"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/lineage"
	"github.com/zhuisu/zhuisu/store"
)

// Service traces codes over a store.
type Service struct {
	Store store.Store

	mu   sync.RWMutex
	idx  *lineage.Index
	next int64 // the seq of the next event to apply
	// synced is when a Sync last found the index up to date (unix nanoseconds).
	synced atomic.Int64
	// syncMu lets one caller at a time bring the index up to date.
	syncMu sync.Mutex
}

// New returns a trace service; the index is built on first use (or by Sync).
func New(st store.Store) *Service { return &Service{Store: st, idx: lineage.NewIndex()} }

// syncChunk is how many stored events one read of Sync brings in.
const syncChunk = 4096

// Sync applies every stored event not yet in the index, in seq order.
func (s *Service) Sync(ctx context.Context) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	for {
		s.mu.RLock()
		from := s.next
		s.mu.RUnlock()
		began := time.Now()
		rows, err := s.Store.EventDocs(ctx, from, syncChunk)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			s.synced.Store(began.UnixNano())
			return nil
		}
		events := make([]*epcis.Event, len(rows))
		for i, r := range rows {
			if r.Seq != from+int64(i) {
				return zhuisu.Errorf(zhuisu.EInternal, "trace: stored events jump from %d to %d", from+int64(i)-1, r.Seq)
			}
			e, err := epcis.DecodeEventJSON(r.Doc)
			if err != nil {
				return zhuisu.Wrap(err, zhuisu.EInternal, "trace: stored event %d cannot be decoded", r.Seq)
			}
			events[i] = e
		}
		s.mu.Lock()
		for i, r := range rows {
			s.idx.Apply(r.Seq, events[i])
			if r.Declares >= 0 {
				s.idx.Declare(r.Declares) // an error declaration: its original stops counting
			}
		}
		s.next = from + int64(len(rows))
		s.mu.Unlock()
		if len(rows) < syncChunk {
			s.synced.Store(began.UnixNano())
			return nil
		}
	}
}

// Run follows new events until ctx is done, so that traces see what other processes
// capture too.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		_ = s.Sync(ctx) // an error is retried at the next tick; Trace reports it
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// WithIndex brings the index up to date and calls fn with it under the read lock, for
// walks and exports that need the lineage itself (the trace benchmark); fn must not keep
// the index or change it.
func (s *Service) WithIndex(ctx context.Context, fn func(*lineage.Index)) error {
	if err := s.Sync(ctx); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(s.idx)
	return nil
}

// Request is a trace request.
type Request struct {
	Code      string
	Direction lineage.Direction
	Depth     int       // hops; <= 0 for no limit
	At        time.Time // zero: containment at any time
}

// Result is a trace: what was reached and how.
type Result struct {
	Root        string       `json:"root"`
	Identifiers []Identifier `json:"identifiers"`
	Edges       []Edge       `json:"edges"`
	Events      []Event      `json:"events"`
	Parties     []string     `json:"parties"`
	Locations   []string     `json:"locations"`
	Documents   []Document   `json:"documents"`
}

// Identifier is a code reached by the trace.
type Identifier struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"` // instance, lot, container, class, party, location
	Depth    int      `json:"depth"`
	Product  string   `json:"product,omitempty"` // the GTIN's Digital Link, for trade items
	Lot      string   `json:"lot,omitempty"`
	Quantity *float64 `json:"quantity,omitempty"`
	UOM      string   `json:"uom,omitempty"`
	// Holder is the party the code was last shipped to, where the events say.
	Holder string `json:"holder,omitempty"`
}

// Edge says how one identifier was reached from another.
type Edge struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Kind    string `json:"kind"` // contains, transforms, transfers, memberOf
	EventID string `json:"eventID"`
}

// Event is an event behind the trace.
type Event struct {
	EventID     string    `json:"eventID"`
	Type        string    `json:"type"`
	Time        time.Time `json:"eventTime"`
	BizStep     string    `json:"bizStep,omitempty"`
	Disposition string    `json:"disposition,omitempty"`
	BizLocation string    `json:"bizLocation,omitempty"`
	Subject     string    `json:"recordedBy,omitempty"`
}

// Document is a business document or certificate an event refers to.
type Document struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	EventID string `json:"eventID"`
}

// maxOwnEvents bounds the events about the root itself that a trace lists.
const maxOwnEvents = 1000

// identifierRoles are the index roles an identifier can stand in.
var identifierRoles = []store.Role{store.RoleEPC, store.RoleParent, store.RoleChild, store.RoleInput, store.RoleOutput,
	store.RoleEPCClass, store.RoleChildClass, store.RoleInputClass, store.RoleOutputClass}

// Story is what a public view is made of, from the index alone: the identifiers a walk
// reaches, the seqs of the events that name any of them and count (not declared
// erroneous; see lineage.Index.EventsOf), and the seqs of the declared events that name
// the root itself.
type Story struct {
	Identifiers  []lineage.Node
	Live         []int64
	RootDeclared []int64
}

// storyLag is how far behind the store StoryOf may answer: it brings the index up to
// date only when no Sync has found it so for this long. A public page is cached for
// seconds anyway; asking the store on every lookup cost a tenth of the lookup.
const storyLag = 250 * time.Millisecond

// StoryOf walks from a code as Trace does and finds the events of every identifier
// reached in the index, without reading the store: the caller reads just those events.
// The index holds every event below seq seen (a caller that has seen events, and
// dropped what they change, must not be answered without them); it may miss events
// stored in the last storyLag after those.
func (s *Service) StoryOf(ctx context.Context, req Request, seen int64) (*Story, error) {
	c, err := codes.Parse(req.Code)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	behind := s.next < seen
	s.mu.RUnlock()
	if behind || time.Since(time.Unix(0, s.synced.Load())) > storyLag {
		if err := s.Sync(ctx); err != nil {
			return nil, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.idx.Trace(c.Canonical, req.Direction, req.Depth, req.At)
	ids := make([]string, len(t.Identifiers))
	for i, n := range t.Identifiers {
		ids[i] = n.ID
	}
	st := &Story{Identifiers: t.Identifiers}
	st.Live, _ = s.idx.EventsOf(ids)
	_, st.RootDeclared = s.idx.EventsOf([]string{c.Canonical})
	return st, nil
}

// Trace walks from a code in any accepted form.
func (s *Service) Trace(ctx context.Context, req Request) (*Result, error) {
	c, err := codes.Parse(req.Code)
	if err != nil {
		return nil, err
	}
	if err := s.Sync(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	t := s.idx.Trace(c.Canonical, req.Direction, req.Depth, req.At)
	s.mu.RUnlock()

	res := &Result{Root: c.Canonical, Identifiers: []Identifier{}, Edges: []Edge{}, Events: []Event{},
		Parties: []string{}, Locations: []string{}, Documents: []Document{}}
	// The events about the root itself (its commissioning, observations) belong to its
	// story even when they link it to nothing else.
	no := false
	own, err := s.Store.Events(ctx, &store.EventQuery{Limit: maxOwnEvents, Declared: &no, Keys: []store.KeyMatch{{Roles: identifierRoles, Values: []string{c.Canonical}}}})
	if err != nil {
		return nil, err
	}
	seqs := slices.Clone(t.Events)
	for _, row := range own {
		seqs = append(seqs, row.Seq)
	}
	slices.Sort(seqs)
	seqs = slices.Compact(seqs)
	events := map[int64]*epcis.Event{}
	subjects := map[int64]string{}
	for _, seq := range seqs {
		rows, err := s.Store.EventDocs(ctx, seq, 1)
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 || rows[0].Seq != seq {
			return nil, zhuisu.Errorf(zhuisu.EInternal, "trace: event %d is not stored", seq)
		}
		e, err := epcis.DecodeEventJSON(rows[0].Doc)
		if err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "trace: stored event %d cannot be decoded", seq)
		}
		if rows[0].DeclaredBy >= 0 || rows[0].Declares >= 0 {
			continue // declared erroneous, or a declaration: not part of the story
		}
		events[seq], subjects[seq] = e, rows[0].Subject
	}
	for _, seq := range seqs {
		e := events[seq]
		if e == nil {
			continue
		}
		ev := Event{EventID: e.EventID, Type: string(e.Type), Time: e.EventTime, BizStep: e.BizStep, Disposition: e.Disposition, Subject: subjects[seq]}
		if e.BizLocation != nil {
			ev.BizLocation = e.BizLocation.ID
		}
		res.Events = append(res.Events, ev)
		for _, b := range e.BizTransactionList {
			res.Documents = append(res.Documents, Document{Type: b.Type, ID: b.Value, EventID: e.EventID})
		}
		for _, ci := range e.CertificationInfo {
			res.Documents = append(res.Documents, Document{Type: "certification", ID: ci, EventID: e.EventID})
		}
	}
	sort.SliceStable(res.Events, func(i, j int) bool { return res.Events[i].Time.Before(res.Events[j].Time) })
	for _, n := range t.Identifiers {
		id := Identifier{ID: n.ID, Kind: n.Kind, Depth: n.Depth}
		switch n.Kind {
		case "party":
			res.Parties = append(res.Parties, n.ID)
		case "location":
			res.Locations = append(res.Locations, n.ID)
		}
		if class, ok := codes.ClassOf(n.ID); ok {
			id.Product = class
		}
		describe(&id, seqs, events)
		res.Identifiers = append(res.Identifiers, id)
	}
	for _, e := range t.Edges {
		id := ""
		if ev := events[e.Seq]; ev != nil {
			id = ev.EventID
		}
		res.Edges = append(res.Edges, Edge{From: e.From, To: e.To, Kind: e.Kind.String(), EventID: id})
	}
	return res, nil
}

// describe fills in what the trace's events say of an identifier: its lot (from the
// Digital Link or ILMD), the quantity a quantity list gives for it, and its holder (the
// owning party of the latest event that ships it somewhere).
func describe(id *Identifier, seqs []int64, events map[int64]*epcis.Event) {
	if dl, err := codes.ParseDigitalLink(id.ID); err == nil {
		for _, q := range dl.Qualifiers {
			if q.AI == "10" {
				id.Lot = q.Value
			}
		}
	}
	var latest time.Time
	for _, seq := range seqs {
		e := events[seq]
		if e == nil {
			continue
		}
		mentions := false
		for _, l := range [][]string{e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList} {
			for _, v := range l {
				if v == id.ID {
					mentions = true
				}
			}
		}
		for _, l := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
			for _, q := range l {
				if q.EPCClass == id.ID {
					mentions = true
					if q.Quantity != nil && id.Quantity == nil {
						id.Quantity, id.UOM = q.Quantity, q.UOM
					}
				}
			}
		}
		if !mentions || e.EventTime.Before(latest) {
			continue
		}
		for _, d := range e.DestinationList {
			if d.Type == "owning_party" || d.Type == "possessing_party" {
				id.Holder, latest = d.Value, e.EventTime
			}
		}
	}
}
