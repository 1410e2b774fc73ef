package public

import (
	"cmp"
	"context"
	"encoding/base64"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/lineage"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/trace"
)

// Config holds the public lookup's tunables; zero fields take the defaults below.
type Config struct {
	// CacheEntries bounds the number of assembled views kept (default 100000).
	CacheEntries int
	// CacheTTL is how long an assembled view is served before it is rebuilt even when no
	// new event touched it, so that recalls, scans and expiry show within it (default 10s).
	CacheTTL time.Duration
	// ScanWindow is the period the possible-copy rule counts scans over (default 30 days).
	ScanWindow time.Duration
	// CloneAreas is the number of distinct areas a unit may be scanned from within the
	// window before it is flagged as a possible copy (default 5).
	CloneAreas int64
	// CloneScans is the number of scans of one unit within the window above which it is
	// flagged (default 100).
	CloneScans int64
	// MaxEvents bounds the events one view reads (default 500).
	MaxEvents int
	// MaxPendingScans bounds the scans buffered between two writes; more are dropped
	// (default 100000).
	MaxPendingScans int
}

// DefaultConfig is the configuration used for zero fields.
var DefaultConfig = Config{CacheEntries: 100000, CacheTTL: 10 * time.Second, ScanWindow: 30 * 24 * time.Hour,
	CloneAreas: 5, CloneScans: 100, MaxEvents: 500, MaxPendingScans: 100000}

func (c Config) withDefaults() Config {
	d := DefaultConfig
	if c.CacheEntries > 0 {
		d.CacheEntries = c.CacheEntries
	}
	if c.CacheTTL > 0 {
		d.CacheTTL = c.CacheTTL
	}
	if c.ScanWindow > 0 {
		d.ScanWindow = c.ScanWindow
	}
	if c.CloneAreas > 0 {
		d.CloneAreas = c.CloneAreas
	}
	if c.CloneScans > 0 {
		d.CloneScans = c.CloneScans
	}
	if c.MaxEvents > 0 {
		d.MaxEvents = c.MaxEvents
	}
	if c.MaxPendingScans > 0 {
		d.MaxPendingScans = c.MaxPendingScans
	}
	return d
}

// Service builds and caches public views.
type Service struct {
	store     store.Store
	trace     *trace.Service
	integrity *integrity.Service // nil: no integrity badge
	cfg       Config
	now       func() time.Time

	mu    sync.Mutex
	cache map[string]*cached
	byID  map[string]map[string]struct{} // identifier → canonical codes whose view uses it
	gen   uint64                         // bumped by every invalidation
	next  int64                          // the seq of the next event the follower reads; -1 before the first run
	scans []store.Scan
	// Dropped counts scans dropped because the buffer was full.
	dropped int64
	// opened is the latest checkpoint whose signature was checked, and its note.
	opened     *tlog.Checkpoint
	openedNote string
	// latest is the latest stored checkpoint as read at latestRead.
	latest     *store.Checkpoint
	latestRead time.Time

	// flags are the flags of the open recalls by identifier, read at flagsRead; a read
	// keeps them for CacheTTL, or until Invalidate says recalls changed (flagsWant moves
	// past flagsHave, the value it had when they were read).
	flagMu               sync.RWMutex
	flags                map[string][]store.RecallFlag
	flagsRead            time.Time
	flagsWant, flagsHave uint64
}

type cached struct {
	view    *View
	expires time.Time
}

// New returns a service. integrity may be nil.
func New(st store.Store, tr *trace.Service, in *integrity.Service, cfg Config) *Service {
	return &Service{store: st, trace: tr, integrity: in, cfg: cfg.withDefaults(), now: time.Now,
		cache: map[string]*cached{}, byID: map[string]map[string]struct{}{}, next: -1}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// Parse reads a code in any form; the error says what was wrong.
func Parse(code string) (*codes.Code, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, zhuisu.Errorf(zhuisu.EInvalid, "no code given")
	}
	return codes.Parse(code)
}

// Lookup returns the public view of a code in any form, from the cache when it is fresh.
func (s *Service) Lookup(ctx context.Context, code string) (*View, error) {
	c, err := Parse(code)
	if err != nil {
		return nil, err
	}
	return s.LookupCode(ctx, c)
}

// LookupCode returns the public view of a parsed code.
func (s *Service) LookupCode(ctx context.Context, c *codes.Code) (*View, error) {
	now := s.now()
	s.mu.Lock()
	if e := s.cache[c.Canonical]; e != nil && now.Before(e.expires) {
		s.mu.Unlock()
		return e.view, nil
	}
	gen := s.gen
	s.mu.Unlock()
	v, ttl, err := s.build(ctx, c, now)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	// A view built while an invalidation ran may have missed the event behind it: it is
	// served once but not kept.
	if s.gen == gen {
		s.put(c.Canonical, v, now.Add(ttl))
	}
	s.mu.Unlock()
	return v, nil
}

// put caches a view; s.mu is held.
func (s *Service) put(key string, v *View, expires time.Time) {
	if len(s.cache) >= s.cfg.CacheEntries {
		// Drop about a tenth, whichever the map yields first: cheap, and a dropped view
		// is only rebuilt.
		n := s.cfg.CacheEntries/10 + 1
		for k := range s.cache {
			s.drop(k)
			if n--; n == 0 {
				break
			}
		}
	}
	s.cache[key] = &cached{view: v, expires: expires}
	for _, id := range v.Identifiers {
		m := s.byID[id]
		if m == nil {
			m = map[string]struct{}{}
			s.byID[id] = m
		}
		m[key] = struct{}{}
	}
}

// drop removes one cached view; s.mu is held.
func (s *Service) drop(key string) {
	e := s.cache[key]
	if e == nil {
		return
	}
	delete(s.cache, key)
	for _, id := range e.view.Identifiers {
		if m := s.byID[id]; m != nil {
			delete(m, key)
			if len(m) == 0 {
				delete(s.byID, id)
			}
		}
	}
}

// Invalidate drops the cached views that use any of ids (canonical URIs): a recall
// service calls it for the identifiers it flags.
func (s *Service) Invalidate(ids ...string) {
	s.flagMu.Lock()
	s.flagsWant++ // recalls changed: read their flags again
	s.flagMu.Unlock()
	s.invalidate(ids...)
}

// invalidate drops the cached views that use any of ids.
func (s *Service) invalidate(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	for _, id := range ids {
		for key := range s.byID[id] {
			s.drop(key)
		}
	}
}

// InvalidateAll drops every cached view and reads recall flags again.
func (s *Service) InvalidateAll() {
	s.flagMu.Lock()
	s.flagsWant++
	s.flagMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	s.cache = map[string]*cached{}
	s.byID = map[string]map[string]struct{}{}
}

// followChunk is how many new events one read of Follow brings in.
const followChunk = 2048

// Follow reads the events stored since the last call and drops the cached views they
// touch. The first call only notes where the store stands (the cache is empty then).
func (s *Service) Follow(ctx context.Context) error {
	s.mu.Lock()
	from := s.next
	s.mu.Unlock()
	if from < 0 {
		n, err := s.store.CountEvents(ctx)
		if err != nil {
			return err
		}
		s.mu.Lock()
		if s.next < 0 {
			s.next = n
			s.gen++ // views built before now were built from at most n events
		}
		s.mu.Unlock()
		return nil
	}
	for {
		// With nothing cached there is nothing to drop: skip to the end rather than
		// decode every event a bulk import brings in (that doubled its CPU cost).
		s.mu.Lock()
		empty := len(s.cache) == 0
		s.mu.Unlock()
		if empty {
			n, err := s.store.CountEvents(ctx)
			if err != nil {
				return err
			}
			s.mu.Lock()
			if len(s.cache) == 0 {
				s.gen++ // a view being built now may predate these events
				s.next = max(s.next, n)
				s.mu.Unlock()
				return nil
			}
			s.mu.Unlock()
		}
		rows, err := s.store.EventDocs(ctx, from, followChunk)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		var touched []string
		for _, r := range rows {
			if f, ok := ParseFacts(r.Facts); ok {
				touched = append(touched, f.Identifiers...)
				continue
			}
			e, err := epcis.DecodeEventJSON(r.Doc)
			if err != nil {
				return zhuisu.Wrap(err, zhuisu.EInternal, "public: stored event %d cannot be decoded", r.Seq)
			}
			touched = append(touched, identifiersOf(e)...)
		}
		s.invalidate(touched...)
		from = rows[len(rows)-1].Seq + 1
		s.mu.Lock()
		s.next = from
		s.mu.Unlock()
		if len(rows) < followChunk {
			return nil
		}
	}
}

// identifiersOf lists every identifier an event names, declared or not: an error
// declaration changes the views of what its original named, and the original's
// identifiers are what the declaration repeats.
func identifiersOf(e *epcis.Event) []string {
	var ids []string
	if e.ParentID != "" {
		ids = append(ids, e.ParentID)
	}
	for _, l := range [][]string{e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList} {
		ids = append(ids, l...)
	}
	for _, l := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range l {
			ids = append(ids, q.EPCClass)
		}
	}
	for _, id := range ids {
		if class, ok := codes.ClassOf(id); ok {
			ids = append(ids, class)
		}
	}
	return ids
}

// Record notes a public lookup of a code from a coarse area in the scan log; it is
// written by Flush.
func (s *Service) Record(c *codes.Code, area string) {
	code := identity(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.scans) >= s.cfg.MaxPendingScans {
		s.dropped++
		return
	}
	s.scans = append(s.scans, store.Scan{Code: code, At: s.now(), Area: area})
}

// Flush writes the buffered scans.
func (s *Service) Flush(ctx context.Context) error {
	s.mu.Lock()
	scans := s.scans
	s.scans = nil
	s.mu.Unlock()
	return s.store.RecordScans(ctx, scans)
}

// Run follows new events, writes the scan log and brings the proofs' upper tree levels up
// to the latest checkpoint every interval until ctx is done.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		_ = s.Follow(ctx) // retried at the next tick; the cache's TTL bounds staleness
		_ = s.Flush(ctx)
		if s.integrity != nil {
			_ = s.integrity.WarmProofs(ctx) // until warm, proofs read the store
		}
		select {
		case <-ctx.Done():
			_ = s.Flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
		}
	}
}

// Proof returns the public inclusion proof of the log leaf at index leaf against the
// latest checkpoint. It reads the leaf's entry, never the record: a leaf index is all a
// page needs to name, and finding a record by its eventID costs far more.
func (s *Service) Proof(ctx context.Context, leaf int64) (*Proof, error) {
	if s.integrity == nil {
		return nil, zhuisu.Errorf(zhuisu.ENotFound, "this server keeps no tamper-evident log")
	}
	cp, err := s.integrity.Latest(ctx)
	if err != nil {
		return nil, err
	}
	if cp == nil || leaf < 0 || leaf >= cp.Size {
		return nil, zhuisu.Errorf(zhuisu.ENotFound, "leaf %d is not in the latest checkpoint", leaf)
	}
	entries, err := s.store.LogLeaves(ctx, leaf, leaf+1)
	if err != nil {
		return nil, err
	}
	if len(entries) != 1 {
		return nil, zhuisu.Errorf(zhuisu.EInternal, "public: leaf %d has no entry", leaf)
	}
	p, err := tlog.ProveInclusion(leaf, cp.Size, s.integrity.ProofReader(ctx))
	if err != nil {
		return nil, err
	}
	out := &Proof{LeafIndex: leaf, Entry: b64(entries[0]), LeafHash: b64(tlog.LeafHash(entries[0])),
		TreeSize: cp.Size, Root: b64(cp.Root), Checkpoint: string(cp.Note), Hashes: []string{}}
	for _, h := range p.Hashes {
		out.Hashes = append(out.Hashes, b64(h))
	}
	return out, nil
}

func b64(h [32]byte) string { return base64.StdEncoding.EncodeToString(h[:]) }

// checkpointLag is how long a view may be proved against a checkpoint read before: a
// newer one only proves the same records against a larger tree, and a record it newly
// covers shows as pending for at most this much longer.
const checkpointLag = 250 * time.Millisecond

// latestCheckpoint is the log's latest checkpoint, read again when the one kept is older
// than checkpointLag.
func (s *Service) latestCheckpoint(ctx context.Context) (*store.Checkpoint, error) {
	now := time.Now()
	s.mu.Lock()
	if s.latest != nil && now.Sub(s.latestRead) < checkpointLag {
		cp := s.latest
		s.mu.Unlock()
		return cp, nil
	}
	s.mu.Unlock()
	cp, err := s.integrity.Latest(ctx)
	if err != nil || cp == nil {
		return cp, err
	}
	s.mu.Lock()
	s.latest, s.latestRead = cp, now
	s.mu.Unlock()
	return cp, nil
}

// openCheckpoint checks a checkpoint's signatures once: every view built until the next
// checkpoint is proved against the same note, and a signature check costs more than the
// rest of the proof.
func (s *Service) openCheckpoint(note []byte) (*tlog.Checkpoint, error) {
	s.mu.Lock()
	if s.opened != nil && string(note) == s.openedNote {
		cp := s.opened
		s.mu.Unlock()
		return cp, nil
	}
	s.mu.Unlock()
	cp, err := tlog.OpenCheckpoint(note, s.integrity.Origin, s.integrity.Verifiers...)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.opened, s.openedNote = &cp, string(note)
	s.mu.Unlock()
	return &cp, nil
}

// eventFacts are the facts of one stored event; row is the event when it was read whole.
type eventFacts struct {
	seq    int64
	facts  *Facts
	stored []byte // the facts as stored, when they were read from the store
	row    *store.Event
}

// factsOf reads the facts of the events seqs that are not declared erroneous, in seq
// order: as stored, or, for events stored without them or under another format, worked
// out from the events read whole.
func (s *Service) factsOf(ctx context.Context, seqs []int64) ([]eventFacts, error) {
	rows, err := s.store.EventFacts(ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]eventFacts, 0, len(rows))
	var whole []int64
	for _, r := range rows {
		if f, ok := ParseFacts(r.Facts); ok {
			out = append(out, eventFacts{seq: r.Seq, facts: f, stored: r.Facts})
		} else {
			whole = append(whole, r.Seq)
		}
	}
	if len(whole) > 0 {
		no := false
		rows, err := s.store.Events(ctx, &store.EventQuery{Seqs: whole, Declared: &no})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			f, err := decodeFacts(r)
			if err != nil {
				return nil, err
			}
			out = append(out, eventFacts{seq: r.Seq, facts: f, row: r})
		}
		// Back in seq order: events of one time keep their stored order when sorted by
		// time, whichever way their facts were had.
		slices.SortFunc(out, func(a, b eventFacts) int { return cmp.Compare(a.seq, b.seq) })
	}
	return out, nil
}

// decodeFacts works out the facts of an event read whole.
func decodeFacts(r *store.Event) (*Facts, error) {
	e, err := epcis.DecodeEventJSON(r.Doc)
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "public: stored event %d cannot be decoded", r.Seq)
	}
	return FactsOf(e), nil
}

// proveFacts checks the proved event's integrity badge: it reads the record whole with
// the entries of its neighbours in the log, which the proof needs, checks its proof
// (checkIntegrity), and, when the view showed facts as stored beside the record, that
// they are the record's: the badge vouches for what the page shows.
func (s *Service) proveFacts(ctx context.Context, ev *eventFacts) Integrity {
	in := Integrity{Status: "none", EventID: ev.facts.EventID}
	if s.integrity == nil {
		return in
	}
	latest, err := s.latestCheckpoint(ctx)
	if err != nil {
		in.Status, in.Problem = "failed", zhuisu.ErrorMessage(err)
		return in
	}
	if latest == nil || ev.seq >= latest.Size {
		in.Status = "pending"
		return in
	}
	from, to := s.integrity.ProofBlock(ev.seq, latest.Size)
	row, entries, err := s.store.EventAndLeaves(ctx, ev.seq, from, to)
	if err != nil {
		in.Status, in.Problem = "failed", zhuisu.ErrorMessage(err)
		return in
	}
	in = s.checkIntegrity(ctx, row, ev.facts.EventID, s.integrity.ProofReaderWith(ctx, from, entries))
	if ev.stored != nil && row != nil && in.Status != "failed" {
		f, err := decodeFacts(row)
		if err != nil || string(f.Append(nil)) != string(ev.stored) {
			in.Status, in.Problem = "failed", "the facts stored beside the record are not the record's"
		}
	}
	return in
}

// checkIntegrity proves a stored record's inclusion and checks the proof as any client
// would: the checkpoint's signature by this log's key, the entry recomputed from the
// record, its leaf hash, and the audit path up to the checkpoint's root.
func (s *Service) checkIntegrity(ctx context.Context, row *store.Event, eventID string, hashes tlog.HashReader) Integrity {
	in := Integrity{Status: "none", EventID: eventID}
	if s.integrity == nil || row == nil {
		return in
	}
	fail := func(why string) Integrity { in.Status, in.Problem = "failed", why; return in }
	latest, err := s.latestCheckpoint(ctx)
	if err != nil {
		return fail(zhuisu.ErrorMessage(err))
	}
	if latest == nil || row.Seq >= latest.Size {
		in.Status = "pending"
		return in
	}
	in.LeafIndex, in.TreeSize = row.Seq, latest.Size
	cp, err := s.openCheckpoint(latest.Note)
	if err != nil {
		return fail("the checkpoint's signature does not verify: " + zhuisu.ErrorMessage(err))
	}
	in.Origin = cp.Origin
	if cp.Size != latest.Size || cp.Root != latest.Root {
		return fail("the stored checkpoint does not say what its signed note says")
	}
	entry := store.EntryOf(row.Hash, store.DocDigest(row.Doc), row.Subject, row.Declares)
	if entry != row.Entry {
		return fail("the stored record does not match its log entry")
	}
	p, err := tlog.ProveInclusion(row.Seq, cp.Size, hashes)
	if err != nil {
		return fail(zhuisu.ErrorMessage(err))
	}
	if err := p.Verify(tlog.LeafHash(entry), cp.Root); err != nil {
		return fail("the inclusion proof does not lead to the checkpoint's root")
	}
	in.Status = "verified"
	return in
}

// identifierRoles are the index roles in which an identifier names the goods an event is
// about.
var identifierRoles = []store.Role{store.RoleEPC, store.RoleParent, store.RoleChild, store.RoleInput, store.RoleOutput,
	store.RoleEPCClass, store.RoleChildClass, store.RoleInputClass, store.RoleOutputClass}

// kindOf says what a code stands for, from its scheme.
func kindOf(c *codes.Code) string {
	switch c.Scheme {
	case "gs1.sgtin", "gs1.upui", "gs1.itip", "cn.drug", "cn.vetdrug", "cn.pesticide", "cn.platform",
		"cn.eartag", "cn.detonator", "cn.cylinder", "cn.equipment":
		return "unit"
	case "gs1.lgtin":
		return "lot"
	case "gs1.gtin":
		return "product"
	case "gs1.sscc", "gs1.grai", "gs1.giai":
		return "container"
	case "gs1.gln", "gs1.sgln":
		return "place"
	case "gs1.pgln", "cn.uscc", "cn.foodlicence":
		return "party"
	}
	return "other"
}

// lineageKinds maps the trace's identifier kinds to the view's.
var lineageKinds = map[string]string{"instance": "unit", "lot": "lot", "container": "container", "class": "product"}

// build assembles a view and says how long it may be cached.
func (s *Service) build(ctx context.Context, c *codes.Code, now time.Time) (*View, time.Duration, error) {
	v := &View{Code: CodeInfo{Canonical: c.Canonical, Human: c.Human, Scheme: c.Scheme, SchemeName: c.SchemeName, Kind: kindOf(c)},
		Dates: []Date{}, Steps: []Step{}, Certificates: []Certificate{}, Warnings: []Warning{},
		Integrity: Integrity{Status: "none"}, BuiltAt: now}
	ttl := s.cfg.CacheTTL
	datesFromCode(v, c)
	// Events name goods by key and qualifiers; the data attributes a label may add to a
	// Digital Link (an expiry date, a weight) are read above but are no part of the name.
	root := identity(c)
	v.Identifiers = []string{root}
	kinds := map[string]string{root: v.Code.Kind}
	// Parties, places and bare products are reported, not walked: a walk from them would
	// take in every good they ever touched. For the goods that are walked, the lineage
	// index finds the identifiers and the events naming them, and only those events are
	// read; the key index of the store is asked only about what is not walked.
	no, yes := false, true
	var events []eventFacts
	if v.Code.Kind != "party" && v.Code.Kind != "place" && v.Code.Kind != "product" && s.trace != nil {
		// Follow has dropped the views that the events below s.next change: the walk
		// must see those events, or a dropped view would be rebuilt without them.
		s.mu.Lock()
		seen := s.next
		s.mu.Unlock()
		story, err := s.trace.StoryOf(ctx, trace.Request{Code: root, Direction: lineage.Backward}, seen)
		if err != nil {
			return nil, 0, err
		}
		for _, id := range story.Identifiers {
			k, ok := lineageKinds[id.Kind]
			if !ok || id.ID == root {
				continue
			}
			kinds[id.ID] = k
			v.Identifiers = append(v.Identifiers, id.ID)
		}
		if len(story.Live) > 0 {
			// A story longer than MaxEvents shows its first stored.
			if events, err = s.factsOf(ctx, story.Live[:min(len(story.Live), s.cfg.MaxEvents)]); err != nil {
				return nil, 0, err
			}
		}
		v.State.Declared = len(story.RootDeclared) > 0
	} else {
		rows, err := s.store.Events(ctx, &store.EventQuery{Declared: &no, OrderBy: store.OrderEventTime, Limit: s.cfg.MaxEvents,
			Keys: []store.KeyMatch{{Roles: identifierRoles, Values: v.Identifiers}}})
		if err != nil {
			return nil, 0, err
		}
		for _, r := range rows {
			f, err := decodeFacts(r)
			if err != nil {
				return nil, 0, err
			}
			events = append(events, eventFacts{seq: r.Seq, facts: f, row: r})
		}
		declared, err := s.store.Events(ctx, &store.EventQuery{Declared: &yes, Limit: 1,
			Keys: []store.KeyMatch{{Roles: identifierRoles, Values: []string{root}}}})
		if err != nil {
			return nil, 0, err
		}
		v.State.Declared = len(declared) > 0
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].facts.Time.Before(events[j].facts.Time) })
	v.Found = len(events) > 0
	var latestOwn *eventFacts
	for i := range events {
		f := events[i].facts
		about := ""
		for _, id := range f.Identifiers {
			if id == root {
				about = root
				break
			}
			if about == "" && kinds[id] != "" {
				about = id
			}
		}
		if about == root {
			latestOwn = &events[i]
		}
		v.Steps = append(v.Steps, stepOf(f, about, root, kinds))
		masterData(v, f)
	}
	for _, st := range v.Steps {
		v.Certificates = append(v.Certificates, st.Certificates...)
	}
	// State: what the latest event about the code itself says of it.
	if latestOwn != nil && latestOwn.facts.Ended != "" {
		v.State.Ended, v.State.EndedAt = latestOwn.facts.Ended, latestOwn.facts.Time
	}
	today := now.In(chinaTime).Format(time.DateOnly)
	for _, d := range v.Dates {
		if (d.Kind == "bestBefore" || d.Kind == "expiry") && d.Date < today {
			v.State.Expired = true
		}
	}
	flagIDs := slices.Clone(v.Identifiers)
	if class, ok := codes.ClassOf(root); ok {
		flagIDs = append(flagIDs, class)
	}
	flags, flagsUntil, err := s.recallFlags(ctx, flagIDs, now)
	if err != nil {
		return nil, 0, err
	}
	// A view is kept no longer than the flags it was built from: a recall made by
	// another process shows within the cache's lifetime of being made.
	ttl = min(ttl, flagsUntil.Sub(now))
	// A recall flags every identifier it reaches (the unit, its lot, its pallet): one
	// warning per recall.
	seenRecall := map[string]bool{}
	for _, f := range flags {
		v.State.Recalled = true
		if !seenRecall[f.RecallID] {
			seenRecall[f.RecallID] = true
			v.Warnings = append(v.Warnings, Warning{Kind: "recall", Reason: scrubText(f.Reason), Since: f.Since})
		}
	}
	if v.State.Expired {
		v.Warnings = append(v.Warnings, Warning{Kind: "expired"})
	}
	if v.Code.Kind == "unit" {
		if v.State.Ended != "" {
			v.Warnings = append(v.Warnings, Warning{Kind: "ended", Reason: v.State.Ended, Since: v.State.EndedAt})
		}
		sum, err := s.store.ScanSummary(ctx, root, now.Add(-s.cfg.ScanWindow))
		if err != nil {
			return nil, 0, err
		}
		if sum.Areas >= s.cfg.CloneAreas || sum.Scans > s.cfg.CloneScans {
			v.Warnings = append(v.Warnings, Warning{Kind: "clone", Since: sum.First, Count: sum.Scans, Limit: s.cfg.CloneScans, Areas: sum.Areas})
		}
	}
	if v.State.Declared {
		v.Warnings = append(v.Warnings, Warning{Kind: "declared"})
	}
	// The badge proves the latest record about the code itself, else the latest record
	// of its chain.
	proved := latestOwn
	if proved == nil && len(events) > 0 {
		proved = &events[len(events)-1]
	}
	if proved != nil {
		v.Integrity = s.proveFacts(ctx, proved)
		if v.Integrity.Status == "pending" {
			ttl = time.Second // a checkpoint covers it within a second or so
		}
	}
	return v, ttl, nil
}

// recallFlags gives the flags of open recalls on ids. Recalls are few and change seldom,
// and every view asks: the flags of all open recalls are kept in memory and read again
// after CacheTTL (a recall made by another process sharing the store shows within it,
// like scans) or at once when this process's recall service calls Invalidate.
func (s *Service) recallFlags(ctx context.Context, ids []string, now time.Time) (flags []store.RecallFlag, until time.Time, err error) {
	s.flagMu.RLock()
	fresh := s.flags != nil && s.flagsHave == s.flagsWant && now.Sub(s.flagsRead) < s.cfg.CacheTTL && !now.Before(s.flagsRead)
	if !fresh {
		s.flagMu.RUnlock()
		s.flagMu.Lock()
		if s.flags == nil || s.flagsHave != s.flagsWant || now.Sub(s.flagsRead) >= s.cfg.CacheTTL || now.Before(s.flagsRead) {
			want := s.flagsWant
			all, err := s.store.OpenRecallFlags(ctx)
			if err != nil {
				s.flagMu.Unlock()
				return nil, time.Time{}, err
			}
			byID := make(map[string][]store.RecallFlag, len(all))
			for _, f := range all {
				byID[f.ID] = append(byID[f.ID], f)
			}
			s.flags, s.flagsRead, s.flagsHave = byID, now, want
		}
		s.flagMu.Unlock()
		s.flagMu.RLock()
	}
	defer s.flagMu.RUnlock()
	for _, id := range ids {
		flags = append(flags, s.flags[id]...)
	}
	return flags, s.flagsRead.Add(s.cfg.CacheTTL), nil
}

var chinaTime = time.FixedZone("CST", 8*3600)

// stageOf maps an event to a stage of the public timeline: a commissioning that names a
// producer in its lot master data is a harvest.
func stageOf(e *epcis.Event) string {
	st := Stage(e.Type, e.BizStep)
	if st == "production" && ilmd(e, "producer") != "" {
		return "harvest"
	}
	return st
}

// Stage maps an event's type and CBV business step to a stage of the timeline.
func Stage(typ epcis.EventType, bizStep string) string {
	switch bizStep {
	case "commissioning", "creating_class_instance":
		if typ == epcis.TransformationEvent {
			return "processing"
		}
		return "production"
	case "transforming", "repackaging", "assembling", "cycle_counting":
		return "processing"
	case "packing", "loading":
		return "packing"
	case "shipping", "departing", "transporting":
		return "shipping"
	case "receiving", "arriving", "accepting":
		return "receiving"
	case "unpacking", "unloading":
		return "unpacking"
	case "storing", "stocking", "holding", "put_away":
		return "storage"
	case "inspecting", "sampling", "sensor_reporting":
		return "inspection"
	case "retail_selling", "point_of_sale":
		return "retail"
	case "dispensing":
		return "dispensing"
	case "consuming":
		return "consumption"
	case "destroying", "decommissioning":
		return "destruction"
	case "recalling":
		return "recall"
	}
	if typ == epcis.TransformationEvent {
		return "processing"
	}
	return "other"
}

// endOf says whether an event ends a unit's life on the market.
func endOf(e *epcis.Event) string {
	switch e.Disposition {
	case "retail_sold":
		return "sold"
	case "dispensed", "partially_dispensed":
		return "dispensed"
	case "destroyed", "disposed":
		return "destroyed"
	case "consumed":
		return "consumed"
	}
	switch e.BizStep {
	case "retail_selling":
		return "sold"
	case "dispensing":
		return "dispensed"
	case "destroying":
		return "destroyed"
	case "consuming":
		return "consumed"
	}
	return ""
}

func stepOf(f *Facts, about, root string, kinds map[string]string) Step {
	st := Step{Time: f.Time, Stage: f.Stage, Place: f.Place, Certificates: f.Certificates}
	switch st.Stage {
	case "harvest", "production":
		st.Actor, st.Region = f.Producer, f.Region
	case "processing":
		st.Actor = f.Processor
	}
	if about != "" && about != root {
		st.Subject, st.SubjectKind = humanOf(about), kinds[about]
	}
	return st
}

// identity is the name of the goods a code stands for, as events name them: for a
// Digital Link, its key and qualifiers without data attributes.
func identity(c *codes.Code) string {
	if !strings.HasPrefix(c.Canonical, codes.CanonicalDLStem) || !strings.Contains(c.Canonical, "?") {
		return c.Canonical
	}
	dl, err := codes.ParseDigitalLink(c.Canonical)
	if err != nil {
		return c.Canonical
	}
	dl.Attributes = nil
	return dl.Canonical()
}

// humanOf gives the human form of a code, or nothing for what is not a code. The places
// and products of views repeat (a market, a farm, a product class), so the forms are
// kept: parsing a code costs more than the rest of a timeline step.
func humanOf(id string) string {
	humans.mu.Lock()
	h, ok := humans.m[id]
	humans.mu.Unlock()
	if ok {
		return h
	}
	if c, err := codes.Parse(id); err == nil {
		h = c.Human
	}
	humans.mu.Lock()
	if humans.m == nil || len(humans.m) >= maxHumans {
		humans.m = make(map[string]string, 1024)
	}
	humans.m[id] = h
	humans.mu.Unlock()
	return h
}

// maxHumans bounds the human forms kept; past it the map starts again.
const maxHumans = 1 << 14

var humans struct {
	mu sync.Mutex
	m  map[string]string
}

// certificateOf takes a certificate an event cites, if it is a web address of plain
// ASCII (also once unescaped: an issuing authority's address holds no names in Chinese
// characters) without anything shaped like a mobile or ID number; its kind comes from
// the words in the address.
func certificateOf(s string) (Certificate, bool) {
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	plain, err := url.PathUnescape(s)
	if err != nil || !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") || len(s) > 512 ||
		personalRun(plain) || !printableASCII(plain) {
		return Certificate{}, false
	}
	kind := "other"
	switch {
	case strings.Contains(lower, "quarantine") || strings.Contains(lower, "jianyi"):
		kind = "quarantine"
	case strings.Contains(lower, "hegezheng") || strings.Contains(lower, "conformity"):
		kind = "conformity"
	case strings.Contains(lower, "inspection") || strings.Contains(lower, "jianyan") || strings.Contains(lower, "test"):
		kind = "inspection"
	}
	return Certificate{Kind: kind, URL: s}, true
}

// ilmd returns a top-level scalar ILMD field by local name.
func ilmd(e *epcis.Event, local string) string {
	if e.ILMD == nil {
		return ""
	}
	for _, n := range *e.ILMD {
		if n.Local == local && (n.Kind == epcis.KindString || n.Kind == epcis.KindNumber) {
			return strings.TrimSpace(n.Value)
		}
	}
	return ""
}

// masterData takes the allowlisted lot master data of an event into the view; later
// events (processing after harvest) refine what earlier ones said.
func masterData(v *View, f *Facts) {
	if !f.MasterData {
		return
	}
	if f.Product != "" {
		v.Product = f.Product
	}
	if f.Producer != "" && v.Producer == "" {
		v.Producer = f.Producer
	}
	if f.Processor != "" {
		v.Processor = f.Processor
	}
	if f.Region != "" && v.Origin == "" {
		v.Origin = f.Region
	}
	if f.Lot != "" && v.Lot == "" {
		v.Lot = f.Lot
	}
	switch f.Stage {
	case "harvest", "production":
		addDate(v, "produced", f.Time.In(chinaTime).Format(time.DateOnly))
	case "processing":
		addDate(v, "processed", f.Time.In(chinaTime).Format(time.DateOnly))
	}
	for _, d := range f.Dates {
		addDate(v, d.Kind, d.Date)
	}
}

// addDate sets a date of a kind; a later statement of the same kind replaces an earlier.
func addDate(v *View, kind, date string) {
	for i := range v.Dates {
		if v.Dates[i].Kind == kind {
			v.Dates[i].Date = date
			return
		}
	}
	v.Dates = append(v.Dates, Date{Kind: kind, Date: date})
}

// datesFromCode takes the dates a GS1 code carries (production, best before, expiry) and
// its lot and product class.
func datesFromCode(v *View, c *codes.Code) {
	for _, p := range c.Parts {
		name := strings.ToUpper(p.Name)
		date := p.Meaning
		if len(date) >= 10 {
			date = date[:10]
		}
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			date = ""
		}
		switch {
		case name == "BATCH/LOT":
			v.Lot = p.Value
		case date == "":
		case strings.Contains(name, "EXPIRY"):
			addDate(v, "expiry", date)
		case strings.Contains(name, "BEST BEFORE"):
			addDate(v, "bestBefore", date)
		case strings.Contains(name, "PROD DATE"):
			addDate(v, "produced", date)
		}
	}
	if class, ok := codes.ClassOf(c.Canonical); ok {
		v.ProductClass = humanOf(class)
	}
}
