// Package storetest is the one suite every store adapter must pass. Each test gets a fresh,
// migrated store from the adapter's opener, so no test depends on another's data.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// Opener returns a fresh, empty, migrated store; the test's cleanup closes it.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite against open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"MigrateIsIdempotentAndReportsVersion", testMigrate},
		{"CaptureAssignsDenseSeqsFromZero", testDenseSeqs},
		{"CaptureReportsDuplicatesInAndAcrossBatches", testDuplicates},
		{"CaptureConflictingEventIDStoresNothing", testConflict},
		{"DeclarationMarksOriginalOnce", testDeclaration},
		{"EventsFilterByColumnsAndTimes", testFilterColumns},
		{"EventsFilterByKeys", testFilterKeys},
		{"CodesAreIssuedOnce", testIssueCodes},
		{"LogLeavesAndNodesReadBack", testLogLeavesAndNodes},
		{"VerifyBatchReadsEventsAndNodesByRange", testReadVerifyBatch},
		{"LogCheckpointsGrowOnly", testLogCheckpoints},
		{"WitnessStateIsCompareAndSet", testWitnessState},
		{"EventsNamedByTheirHashAreFound", testHashIDs},
		{"EventsFilterByKeysAcrossBuckets", testKeysAcrossBuckets},
		{"EventsBySeqs", testEventsBySeqs},
		{"FactsReadBackBySeqsWithoutDeclaredEvents", testEventFacts},
		{"EventAndLeavesReadTogether", testEventAndLeaves},
		{"EventsPageInOrder", testPaging},
		{"MissingThingsAreNotFound", testNotFound},
		{"JobsListNewestFirst", testJobs},
		{"TokensFoundByHashUntilRevoked", testTokens},
		{"NamedQueriesAreUniqueByName", testNamedQueries},
		{"DistinctListsValuesInOrder", testDistinct},
		{"CaptureStoresARepeatedKeyOnce", testRepeatedKey},
		{"CaptureLargeBatch", testLargeBatch},
		{"ConcurrentCapturesStayDense", testConcurrentCaptures},
		{"TextSortsAsBytes", testByteOrder},
		{"TimesKeepNanoseconds", testNanoseconds},
		{"UsersAreUniqueAndUpdatedByCompareAndSet", testAccounts},
		{"SessionsEndOneByOneByUserAndByExpiry", testSessions},
		{"RevokedTokensAreNotFound", testRevokeToken},
		{"ScanLogSumsUpScansOfOneCode", testScanLog},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
	t.Run("Registry", func(t *testing.T) { testRegistry(t, open) })
	t.Run("Recalls", func(t *testing.T) { testRecalls(t, open) })
}

var base = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)

// ev builds a stored event whose hash derives from name, so equal names are duplicates.
func ev(name string, mod func(e *epcis.Event), keys ...store.Key) *store.Event {
	e := &epcis.Event{
		Type:                epcis.ObjectEvent,
		EventID:             "urn:uuid:" + name,
		EventTime:           base,
		EventTimeZoneOffset: "+08:00",
		RecordTime:          base.Add(time.Hour),
		Action:              epcis.ActionObserve,
		BizStep:             "shipping",
	}
	if mod != nil {
		mod(e)
	}
	return &store.Event{
		Hash:    sha256.Sum256([]byte(name)),
		Event:   e,
		Doc:     []byte(`{"name":"` + name + `"}`),
		Subject: "91350100M000100Y43",
		Keys:    keys,
	}
}

var jobN int

func batch(events ...*store.Event) *store.Batch {
	jobN++
	return &store.Batch{
		Job: &store.Job{
			ID: fmt.Sprintf("job-%06d", jobN), State: store.JobSuccess, CreatedAt: base, FinishedAt: base,
			Events: len(events),
		},
		Events: events,
	}
}

func mustCapture(t *testing.T, s store.Store, b *store.Batch) *store.CaptureResult {
	t.Helper()
	res, err := s.Capture(context.Background(), b)
	if err != nil {
		t.Fatalf("Capture: %v", err)
	}
	return res
}

func seqs(events []*store.Event) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.Seq
	}
	return out
}

func query(t *testing.T, s store.Store, q *store.EventQuery) []int64 {
	t.Helper()
	got, err := s.Events(context.Background(), q)
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	return seqs(got)
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testMigrate(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	have, want, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if have != want || want < 1 {
		t.Fatalf("schema version have %d want %d", have, want)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testDenseSeqs(t *testing.T, s store.Store) {
	r1 := mustCapture(t, s, batch(ev("a", nil), ev("b", nil)))
	r2 := mustCapture(t, s, batch(ev("c", nil)))
	if !equal(r1.Seqs, []int64{0, 1}) || !equal(r2.Seqs, []int64{2}) {
		t.Fatalf("seqs %v %v, want [0 1] [2]", r1.Seqs, r2.Seqs)
	}
	n, err := s.CountEvents(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("CountEvents = %d, %v; want 3", n, err)
	}
}

func testDuplicates(t *testing.T, s store.Store) {
	r1 := mustCapture(t, s, batch(ev("a", nil), ev("a", nil), ev("b", nil)))
	if r1.Stored != 2 || r1.Duplicates != 1 || !r1.Duplicate[1] || r1.Seqs[1] != 0 {
		t.Fatalf("first batch: %+v", r1)
	}
	r2 := mustCapture(t, s, batch(ev("b", nil), ev("c", nil)))
	if r2.Stored != 1 || !r2.Duplicate[0] || r2.Seqs[0] != 1 || r2.Seqs[1] != 2 {
		t.Fatalf("second batch: %+v", r2)
	}
	job, err := s.Job(context.Background(), "job-"+fmt.Sprintf("%06d", jobN))
	if err != nil {
		t.Fatal(err)
	}
	if job.Stored != 1 || job.Duplicates != 1 {
		t.Fatalf("job counts stored=%d duplicates=%d, want 1 1", job.Stored, job.Duplicates)
	}
}

func testConflict(t *testing.T, s store.Store) {
	mustCapture(t, s, batch(ev("a", nil)))
	other := ev("other", func(e *epcis.Event) { e.EventID = "urn:uuid:a" })
	b := batch(ev("new", nil), other)
	_, err := s.Capture(context.Background(), b)
	if zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("Capture with a reused eventID: err %v, want conflict", err)
	}
	n, _ := s.CountEvents(context.Background())
	if n != 1 {
		t.Fatalf("events after failed batch = %d, want 1", n)
	}
	if _, err := s.Job(context.Background(), b.Job.ID); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("job of failed batch: %v, want not found", err)
	}
}

func testDeclaration(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustCapture(t, s, batch(ev("a", nil)))
	decl := func() *store.Event {
		return ev("a", func(e *epcis.Event) {
			e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base, Reason: "incorrect_data"}
		})
	}
	r := mustCapture(t, s, batch(decl()))
	if r.Stored != 1 || r.Seqs[0] != 1 {
		t.Fatalf("declaration: %+v", r)
	}
	r = mustCapture(t, s, batch(decl()))
	if r.Duplicates != 1 || r.Seqs[0] != 1 {
		t.Fatalf("second declaration: %+v, want duplicate of seq 1", r)
	}
	got, err := s.Event(ctx, "urn:uuid:a")
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 0 || got.DeclaredBy != 1 || string(got.DeclarationDoc) != `{"name":"a"}` {
		t.Fatalf("original: seq %d declaredBy %d declDoc %q", got.Seq, got.DeclaredBy, got.DeclarationDoc)
	}
	yes, no := true, false
	if s := query(t, s, &store.EventQuery{Declared: &yes}); !equal(s, []int64{0}) {
		t.Fatalf("declared events %v, want [0]", s)
	}
	if s := query(t, s, &store.EventQuery{Declared: &no}); len(s) != 0 {
		t.Fatalf("undeclared events %v, want none", s)
	}
	if s := query(t, s, &store.EventQuery{IncludeDeclarations: true}); !equal(s, []int64{0, 1}) {
		t.Fatalf("with declarations %v, want [0 1]", s)
	}
}

func testFilterColumns(t *testing.T, s store.Store) {
	mustCapture(t, s, batch(
		ev("a", nil),
		ev("b", func(e *epcis.Event) {
			e.Type = epcis.AggregationEvent
			e.Action = epcis.ActionAdd
			e.BizStep = "packing"
			e.Disposition = "in_progress"
			e.ReadPoint = &epcis.Location{ID: "https://id.gs1.org/414/6901234000017"}
			e.BizLocation = &epcis.Location{ID: "https://id.gs1.org/414/6901234000024"}
			e.EventTime = base.Add(2 * time.Hour)
			e.RecordTime = base.Add(3 * time.Hour)
		}),
	))
	tests := []struct {
		name string
		q    store.EventQuery
		want []int64
	}{
		{"type", store.EventQuery{Types: []epcis.EventType{epcis.AggregationEvent}}, []int64{1}},
		{"action", store.EventQuery{Actions: []string{"OBSERVE"}}, []int64{0}},
		{"bizStep", store.EventQuery{BizSteps: []string{"packing", "x"}}, []int64{1}},
		{"disposition", store.EventQuery{Dispositions: []string{"in_progress"}}, []int64{1}},
		{"readPoint", store.EventQuery{ReadPoints: []string{"https://id.gs1.org/414/6901234000017"}}, []int64{1}},
		{"bizLocation", store.EventQuery{BizLocations: []string{"https://id.gs1.org/414/6901234000024"}}, []int64{1}},
		{"eventID", store.EventQuery{EventIDs: []string{"urn:uuid:a"}}, []int64{0}},
		{"eventTimeGE", store.EventQuery{EventTimeGE: base.Add(time.Hour)}, []int64{1}},
		{"eventTimeLT", store.EventQuery{EventTimeLT: base.Add(time.Hour)}, []int64{0}},
		{"eventTimeGE inclusive", store.EventQuery{EventTimeGE: base.Add(2 * time.Hour)}, []int64{1}},
		{"recordTimeGE", store.EventQuery{RecordTimeGE: base.Add(2 * time.Hour)}, []int64{1}},
		{"recordTimeLT", store.EventQuery{RecordTimeLT: base.Add(2 * time.Hour)}, []int64{0}},
		{"no match", store.EventQuery{BizSteps: []string{"none"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := query(t, s, &tc.q); !equal(got, tc.want) {
				t.Fatalf("got %v want %v", got, tc.want)
			}
		})
	}
}

func testFilterKeys(t *testing.T, s store.Store) {
	const gtin = "https://id.gs1.org/01/06901234567892"
	mustCapture(t, s, batch(
		ev("a", nil, store.Key{Role: store.RoleEPC, Value: gtin + "/21/1"}, store.Key{Role: store.ClassRole(store.RoleEPC), Value: gtin}, store.Key{Role: store.RoleSource, Type: "owning_party", Value: "https://id.gs1.org/417/6901234000000"}),
		ev("b", nil, store.Key{Role: store.RoleParent, Value: "https://id.gs1.org/00/369012340000000018"}, store.Key{Role: store.RoleChild, Value: gtin + "/21/1"}),
		ev("c", nil, store.Key{Role: store.RoleEPC, Value: gtin + "/21/10"}, store.Key{Role: store.ClassRole(store.RoleEPC), Value: gtin}),
	))
	tests := []struct {
		name string
		m    []store.KeyMatch
		want []int64
	}{
		{"exact in one role", []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{gtin + "/21/1"}}}, []int64{0}},
		{"exact in any role", []store.KeyMatch{{Roles: []store.Role{store.RoleEPC, store.RoleChild, store.RoleParent}, Values: []string{gtin + "/21/1"}}}, []int64{0, 1}},
		{"class role", []store.KeyMatch{{Roles: []store.Role{store.ClassRole(store.RoleEPC)}, Values: []string{gtin}}}, []int64{0, 2}},
		{"two values", []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{gtin + "/21/1", gtin + "/21/10"}}}, []int64{0, 2}},
		{"typed", []store.KeyMatch{{Roles: []store.Role{store.RoleSource}, Types: []string{"owning_party"}, Values: []string{"https://id.gs1.org/417/6901234000000"}}}, []int64{0}},
		{"wrong type", []store.KeyMatch{{Roles: []store.Role{store.RoleSource}, Types: []string{"location"}, Values: []string{"https://id.gs1.org/417/6901234000000"}}}, nil},
		{"two matches are ANDed", []store.KeyMatch{
			{Roles: []store.Role{store.RoleEPC}, Values: []string{gtin + "/21/1"}},
			{Roles: []store.Role{store.RoleSource}, Types: []string{"owning_party"}, Values: []string{"https://id.gs1.org/417/6901234000000"}},
		}, []int64{0}},
		{"a typed key needs its type", []store.KeyMatch{{Roles: []store.Role{store.RoleSource}, Values: []string{"https://id.gs1.org/417/6901234000000"}}}, nil},
		{"empty match selects nothing", []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := query(t, s, &store.EventQuery{Keys: tc.m}); !equal(got, tc.want) {
				t.Fatalf("got %v want %v", got, tc.want)
			}
		})
	}
}

func testPaging(t *testing.T, s store.Store) {
	var events []*store.Event
	for i := range 7 {
		events = append(events, ev(fmt.Sprint("e", i), func(e *epcis.Event) {
			e.EventTime = base.Add(time.Duration(7-i) * time.Minute) // reverse of seq order
		}))
	}
	mustCapture(t, s, batch(events...))
	ctx := context.Background()
	for _, tc := range []struct {
		order store.OrderBy
		desc  bool
		want  []int64
	}{
		{store.OrderSeq, false, []int64{0, 1, 2, 3, 4, 5, 6}},
		{store.OrderSeq, true, []int64{6, 5, 4, 3, 2, 1, 0}},
		{store.OrderEventTime, false, []int64{6, 5, 4, 3, 2, 1, 0}},
		{store.OrderEventTime, true, []int64{0, 1, 2, 3, 4, 5, 6}},
	} {
		t.Run(fmt.Sprintf("%s desc=%v", tc.order, tc.desc), func(t *testing.T) {
			var got []int64
			q := &store.EventQuery{OrderBy: tc.order, Desc: tc.desc, Limit: 3}
			for range 5 {
				page, err := s.Events(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, seqs(page)...)
				if len(page) < 3 {
					break
				}
				last := page[len(page)-1]
				c := &store.Cursor{Seq: last.Seq}
				if tc.order == store.OrderEventTime {
					c.Time = base.Add(time.Duration(7-last.Seq) * time.Minute)
				}
				q.After = c
			}
			if !equal(got, tc.want) {
				t.Fatalf("pages gave %v want %v", got, tc.want)
			}
		})
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.Event(ctx, "urn:uuid:none")
	check := func(what string, err error) {
		t.Helper()
		if zhuisu.ErrorCode(err) != zhuisu.ENotFound {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	check("Event", err)
	_, err = s.Job(ctx, "none")
	check("Job", err)
	_, err = s.TokenByHash(ctx, []byte("none"))
	check("TokenByHash", err)
	_, err = s.Query(ctx, "none")
	check("Query", err)
	check("DeleteQuery", s.DeleteQuery(ctx, "none"))
}

func testJobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	b1 := batch(ev("a", nil))
	mustCapture(t, s, b1)
	failed := &store.Job{ID: fmt.Sprintf("job-%06d", 900000+jobN), State: store.JobFailed, CreatedAt: base, FinishedAt: base, Events: 3,
		Errors: []store.JobError{{Type: "ValidationException", Field: "epcisBody.eventList[2].action", Message: "bad action"}}}
	if err := s.FailJob(ctx, failed); err != nil {
		t.Fatal(err)
	}
	jobs, err := s.Jobs(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].ID != failed.ID || jobs[1].ID != b1.Job.ID {
		t.Fatalf("jobs %+v", jobs)
	}
	if jobs[0].State != store.JobFailed || len(jobs[0].Errors) != 1 || jobs[0].Errors[0].Field != "epcisBody.eventList[2].action" {
		t.Fatalf("failed job read back as %+v", jobs[0])
	}
	older, err := s.Jobs(ctx, failed.ID, 10)
	if err != nil || len(older) != 1 || older[0].ID != b1.Job.ID {
		t.Fatalf("jobs before %s: %+v %v", failed.ID, older, err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	h := sha256.Sum256([]byte("secret"))
	tok := &store.Token{ID: "t1", Hash: h[:], Role: "admin", Scopes: []string{"capture", "query"}, Label: "first", CreatedAt: base}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := s.TokenByHash(ctx, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "t1" || got.Role != "admin" || len(got.Scopes) != 2 || !got.CreatedAt.Equal(base) {
		t.Fatalf("token read back as %+v", got)
	}
	if err := s.CreateToken(ctx, &store.Token{ID: "t2", Hash: h[:], Role: "admin", CreatedAt: base}); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("same hash twice: %v, want conflict", err)
	}
	h2 := sha256.Sum256([]byte("revoked"))
	if err := s.CreateToken(ctx, &store.Token{ID: "t3", Hash: h2[:], Role: "admin", CreatedAt: base, RevokedAt: base}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByHash(ctx, h2[:]); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("revoked token: %v, want not found", err)
	}
	if n, err := s.CountTokens(ctx); err != nil || n != 2 {
		t.Fatalf("CountTokens = %d, %v; want 2", n, err)
	}
}

func testNamedQueries(t *testing.T, s store.Store) {
	ctx := context.Background()
	q := &store.NamedQuery{Name: "shipped", Params: "EQ_bizStep=shipping", CreatedAt: base}
	if err := s.CreateQuery(ctx, q); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateQuery(ctx, q); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("same name twice: %v, want conflict", err)
	}
	got, err := s.Query(ctx, "shipped")
	if err != nil || got.Params != q.Params {
		t.Fatalf("Query = %+v, %v", got, err)
	}
	all, err := s.Queries(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("Queries = %v, %v", all, err)
	}
	if err := s.DeleteQuery(ctx, "shipped"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Query(ctx, "shipped"); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("deleted query: %v", err)
	}
}

func testDistinct(t *testing.T, s store.Store) {
	mustCapture(t, s, batch(ev("a", nil), ev("b", func(e *epcis.Event) { e.BizStep = "receiving" }), ev("c", nil)))
	got, err := s.Distinct(context.Background(), store.FieldBizStep, "", 10)
	if err != nil || len(got) != 2 || got[0] != "receiving" || got[1] != "shipping" {
		t.Fatalf("Distinct = %v, %v", got, err)
	}
	got, err = s.Distinct(context.Background(), store.FieldBizStep, "receiving", 10)
	if err != nil || len(got) != 1 || got[0] != "shipping" {
		t.Fatalf("Distinct after receiving = %v, %v", got, err)
	}
	if _, err := s.Distinct(context.Background(), store.Field("doc; DROP TABLE events"), "", 1); zhuisu.ErrorCode(err) != zhuisu.EInvalid {
		t.Fatalf("unknown field: %v, want invalid", err)
	}
}

// testRepeatedKey: an event may list one identifier twice (the same EPC in epcList); it
// is stored, and found once.
func testRepeatedKey(t *testing.T, s store.Store) {
	k := store.Key{Role: store.RoleEPC, Value: "https://id.gs1.org/01/06901234567892/21/1"}
	r := mustCapture(t, s, batch(ev("a", nil, k, k), ev("b", nil, k)))
	if r.Stored != 2 {
		t.Fatalf("stored %d, want 2", r.Stored)
	}
	if got := query(t, s, &store.EventQuery{Keys: []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{k.Value}}}}); !equal(got, []int64{0, 1}) {
		t.Fatalf("got %v want [0 1]", got)
	}
}

// testLargeBatch: a batch larger than any statement or chunk size an adapter might use,
// with duplicates and a declaration inside, comes back whole and in order.
func testLargeBatch(t *testing.T, s store.Store) {
	const n = 450
	var events []*store.Event
	for i := range n {
		events = append(events, ev(fmt.Sprint("big", i), func(e *epcis.Event) {
			e.ReadPoint = &epcis.Location{ID: fmt.Sprint("https://id.gs1.org/414/690123400", i%7)}
		}, store.Key{Role: store.RoleEPC, Value: fmt.Sprint("https://id.gs1.org/01/06901234567892/21/", i)},
			store.Key{Role: store.RoleSource, Type: "owning_party", Value: "https://id.gs1.org/417/6901234000000"}))
	}
	events = append(events, ev("big7", nil)) // duplicate of events[7]
	events = append(events, ev("big3", func(e *epcis.Event) {
		e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base, Reason: "incorrect_data"}
	}))
	r := mustCapture(t, s, batch(events...))
	if r.Stored != n+1 || r.Duplicates != 1 || r.Seqs[n] != 7 || r.Seqs[n+1] != n {
		t.Fatalf("stored %d duplicates %d seqs[%d:] %v", r.Stored, r.Duplicates, n, r.Seqs[n:])
	}
	for i := range n {
		if r.Seqs[i] != int64(i) {
			t.Fatalf("seq of event %d = %d", i, r.Seqs[i])
		}
	}
	if c, err := s.CountEvents(context.Background()); err != nil || c != n+1 {
		t.Fatalf("CountEvents = %d, %v; want %d", c, err, n+1)
	}
	got := query(t, s, &store.EventQuery{Keys: []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{"https://id.gs1.org/01/06901234567892/21/420"}}}})
	if !equal(got, []int64{420}) {
		t.Fatalf("by key: %v, want [420]", got)
	}
	all, err := s.Events(context.Background(), &store.EventQuery{Keys: []store.KeyMatch{{Roles: []store.Role{store.RoleSource}, Types: []string{"owning_party"}, Values: []string{"https://id.gs1.org/417/6901234000000"}}}})
	if err != nil || len(all) != n {
		t.Fatalf("by source: %d events, %v; want %d", len(all), err, n)
	}
	if all[3].DeclaredBy != n || string(all[3].DeclarationDoc) != `{"name":"big3"}` || all[4].DeclaredBy != -1 {
		t.Fatalf("declared event read back as declaredBy %d declDoc %q", all[3].DeclaredBy, all[3].DeclarationDoc)
	}
	if got := query(t, s, &store.EventQuery{ReadPoints: []string{"https://id.gs1.org/414/6901234006"}, Limit: 2}); !equal(got, []int64{6, 13}) {
		t.Fatalf("by read point: %v, want [6 13]", got)
	}
}

// testConcurrentCaptures: captures racing on one store get dense, distinct seqs, and an
// event sent by every writer is stored once.
func testConcurrentCaptures(t *testing.T, s store.Store) {
	const writers, batches, perBatch = 4, 5, 8
	bs := make([][]*store.Batch, writers)
	for w := range writers {
		for i := range batches {
			var events []*store.Event
			for j := range perBatch - 1 {
				events = append(events, ev(fmt.Sprintf("w%d-b%d-e%d", w, i, j), nil))
			}
			events = append(events, ev(fmt.Sprint("shared", i), nil))
			bs[w] = append(bs[w], batch(events...)) // built here: batch is not safe for concurrent use
		}
	}
	results := make([][]*store.CaptureResult, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range bs[w] {
				r, err := s.Capture(context.Background(), b)
				if err != nil {
					errs[w] = err
					return
				}
				results[w] = append(results[w], r)
			}
		}()
	}
	wg.Wait()
	var stored []int64
	seqOf := map[[32]byte]int64{}
	for w := range writers {
		if errs[w] != nil {
			t.Fatalf("writer %d: %v", w, errs[w])
		}
		for i, r := range results[w] {
			for j, e := range bs[w][i].Events {
				if !r.Duplicate[j] {
					stored = append(stored, r.Seqs[j])
				}
				if prev, ok := seqOf[e.Hash]; ok && prev != r.Seqs[j] {
					t.Fatalf("event %s got seqs %d and %d", e.Event.EventID, prev, r.Seqs[j])
				}
				seqOf[e.Hash] = r.Seqs[j]
			}
		}
	}
	want := writers*batches*(perBatch-1) + batches
	slices.Sort(stored)
	if len(stored) != want || stored[0] != 0 || stored[len(stored)-1] != int64(want-1) {
		t.Fatalf("stored seqs %v, want 0..%d once each", stored, want-1)
	}
	for i := 1; i < len(stored); i++ {
		if stored[i] != stored[i-1]+1 {
			t.Fatalf("stored seqs not dense at %d: %v", i, stored)
		}
	}
}

// testByteOrder: text compares and sorts as bytes (as the cursor and "after" parameters
// assume), whatever the database's locale: "Zeta" < "alpha" < "ärger".
func testByteOrder(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustCapture(t, s, batch(
		ev("a", func(e *epcis.Event) { e.BizStep = "alpha" }),
		ev("b", func(e *epcis.Event) { e.BizStep = "Zeta" }),
		ev("c", func(e *epcis.Event) { e.BizStep = "ärger" }),
	))
	got, err := s.Distinct(ctx, store.FieldBizStep, "", 10)
	if err != nil || !slices.Equal(got, []string{"Zeta", "alpha", "ärger"}) {
		t.Fatalf("Distinct = %q, %v", got, err)
	}
	got, err = s.Distinct(ctx, store.FieldBizStep, "Zeta", 10)
	if err != nil || !slices.Equal(got, []string{"alpha", "ärger"}) {
		t.Fatalf("Distinct after Zeta = %q, %v", got, err)
	}
	for _, id := range []string{"job-B", "job-a"} {
		if err := s.FailJob(ctx, &store.Job{ID: id, State: store.JobFailed, CreatedAt: base, FinishedAt: base}); err != nil {
			t.Fatal(err)
		}
	}
	jobs, err := s.Jobs(ctx, "job-b", 2) // the capture job, job-0..., sorts last
	if err != nil || len(jobs) != 2 || jobs[0].ID != "job-a" || jobs[1].ID != "job-B" {
		t.Fatalf("Jobs before job-b = %v, %v; want job-a, job-B", jobIDs(jobs), err)
	}
	for _, name := range []string{"alpha", "Zeta"} {
		if err := s.CreateQuery(ctx, &store.NamedQuery{Name: name, Params: "EQ_bizStep=shipping", CreatedAt: base}); err != nil {
			t.Fatal(err)
		}
	}
	qs, err := s.Queries(ctx)
	if err != nil || len(qs) != 2 || qs[0].Name != "Zeta" || qs[1].Name != "alpha" {
		t.Fatalf("Queries = %+v, %v; want Zeta, alpha", qs, err)
	}
}

// testNanoseconds: times keep their nanoseconds, so bounds and page cursors taken from a
// stored event compare exactly.
func testNanoseconds(t *testing.T, s store.Store) {
	ctx := context.Background()
	t1 := base.Add(time.Nanosecond)
	mustCapture(t, s, batch(ev("a", nil), ev("b", func(e *epcis.Event) { e.EventTime = t1 })))
	if got := query(t, s, &store.EventQuery{EventTimeGE: t1}); !equal(got, []int64{1}) {
		t.Fatalf("eventTime >= base+1ns: %v, want [1]", got)
	}
	if got := query(t, s, &store.EventQuery{EventTimeLT: t1}); !equal(got, []int64{0}) {
		t.Fatalf("eventTime < base+1ns: %v, want [0]", got)
	}
	if got := query(t, s, &store.EventQuery{OrderBy: store.OrderEventTime, After: &store.Cursor{Time: base, Seq: 0}}); !equal(got, []int64{1}) {
		t.Fatalf("after (base, 0): %v, want [1]", got)
	}
	j := &store.Job{ID: "job-nanos", State: store.JobFailed, CreatedAt: t1, FinishedAt: t1.Add(time.Nanosecond)}
	if err := s.FailJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	got, err := s.Job(ctx, j.ID)
	if err != nil || !got.CreatedAt.Equal(j.CreatedAt) || !got.FinishedAt.Equal(j.FinishedAt) {
		t.Fatalf("job times read back as %v %v, %v", got.CreatedAt, got.FinishedAt, err)
	}
}

func jobIDs(jobs []*store.Job) []string {
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

// testKeysAcrossBuckets: key lookups find events in every bucket of the key index, the
// first, a middle and the last, partial one.
func testKeysAcrossBuckets(t *testing.T, s store.Store) {
	n := int64(2<<store.KeyBucketBits + 5)
	events := make([]*store.Event, n)
	for i := range events {
		v := "https://id.gs1.org/01/06901234567892/21/" + fmt.Sprint(i%3)
		events[i] = ev(fmt.Sprint("k", i), nil, store.Key{Role: store.RoleEPC, Value: v},
			store.Key{Role: store.RoleEPC, Value: "https://id.gs1.org/01/06901234567892/21/only" + fmt.Sprint(i)})
	}
	mustCapture(t, s, batch(events...))
	for _, i := range []int64{0, 1<<store.KeyBucketBits - 1, 1 << store.KeyBucketBits, n - 1} {
		v := "https://id.gs1.org/01/06901234567892/21/only" + fmt.Sprint(i)
		got := query(t, s, &store.EventQuery{Keys: []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{v}}}})
		if !equal(got, []int64{i}) {
			t.Fatalf("key of event %d found %v", i, got)
		}
	}
	got := query(t, s, &store.EventQuery{Keys: []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{"https://id.gs1.org/01/06901234567892/21/2"}}}})
	if int64(len(got)) != n/3 || got[0] != 2 || got[len(got)-1] != n-1-(n-1-2)%3 {
		t.Fatalf("shared key found %d events (first %v), want %d", len(got), got[:min(3, len(got))], n/3)
	}
	// SeqGE bounds the probe: from the middle of the second bucket on, the shared key's
	// events there and after, none before.
	from := int64(1<<store.KeyBucketBits + 7)
	got = query(t, s, &store.EventQuery{SeqGE: from, Keys: []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{"https://id.gs1.org/01/06901234567892/21/2"}}}})
	var want []int64
	for i := from; i < n; i++ {
		if i%3 == 2 {
			want = append(want, i)
		}
	}
	if !equal(got, want) {
		t.Fatalf("shared key from seq %d found %d events (first %v), want %d from %d", from, len(got), got[:min(3, len(got))], len(want), want[0])
	}
}

// testEventsBySeqs: a query by seqs reads exactly those events, with the query's other
// filters, order and limit; an empty list reads none.
func testEventsBySeqs(t *testing.T, s store.Store) {
	mustCapture(t, s, batch(
		ev("s0", nil, store.Key{Role: store.RoleEPC, Value: "https://id.gs1.org/01/06901234567892/21/s0"}),
		ev("s1", nil, store.Key{Role: store.RoleEPC, Value: "https://id.gs1.org/01/06901234567892/21/s1"}),
		ev("s2", nil, store.Key{Role: store.RoleEPC, Value: "https://id.gs1.org/01/06901234567892/21/s2"}),
		ev("s3", nil, store.Key{Role: store.RoleEPC, Value: "https://id.gs1.org/01/06901234567892/21/s3"}),
	))
	for _, c := range []struct {
		name string
		q    store.EventQuery
		want []int64
	}{
		{"some", store.EventQuery{Seqs: []int64{3, 1}}, []int64{1, 3}},
		{"unknown seqs ignored", store.EventQuery{Seqs: []int64{2, 99, -1}}, []int64{2}},
		{"empty list", store.EventQuery{Seqs: []int64{}}, nil},
		{"with limit", store.EventQuery{Seqs: []int64{0, 1, 2, 3}, Desc: true, Limit: 2}, []int64{3, 2}},
		{"with a key", store.EventQuery{Seqs: []int64{0, 1, 2}, Keys: []store.KeyMatch{{Roles: []store.Role{store.RoleEPC},
			Values: []string{"https://id.gs1.org/01/06901234567892/21/s1", "https://id.gs1.org/01/06901234567892/21/s3"}}}}, []int64{1}},
	} {
		if got := query(t, s, &c.q); !equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// testEventFacts: the facts stored with an event come back by seq, in seq order, byte for
// byte; an event stored without facts comes back with none; unknown seqs, events declared
// erroneous and declarations do not come back.
func testEventFacts(t *testing.T, s store.Store) {
	ctx := context.Background()
	withFacts := func(name string) *store.Event {
		e := ev(name, nil)
		e.Facts = []byte("facts of " + name + "\x00\xff")
		return e
	}
	mustCapture(t, s, batch(withFacts("f0"), ev("f1", nil), withFacts("f2"), withFacts("f3")))
	decl := ev("f3", func(e *epcis.Event) {
		e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base, Reason: "incorrect_data"}
	})
	if r := mustCapture(t, s, batch(decl)); r.Seqs[0] != 4 {
		t.Fatalf("declaration stored at %v, want seq 4", r.Seqs)
	}
	got, err := s.EventFacts(ctx, []int64{4, 3, 2, 99, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.EventFacts{{Seq: 0, Facts: []byte("facts of f0\x00\xff")}, {Seq: 1}, {Seq: 2, Facts: []byte("facts of f2\x00\xff")}}
	if len(got) != len(want) {
		t.Fatalf("EventFacts = %d rows %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].Seq != want[i].Seq || string(got[i].Facts) != string(want[i].Facts) || (got[i].Facts == nil) != (want[i].Facts == nil) {
			t.Errorf("row %d = seq %d %q, want seq %d %q", i, got[i].Seq, got[i].Facts, want[i].Seq, want[i].Facts)
		}
	}
	docs, err := s.EventDocs(ctx, 0, 3)
	if err != nil || len(docs) != 3 || string(docs[0].Facts) != "facts of f0\x00\xff" || docs[1].Facts != nil {
		t.Errorf("EventDocs do not carry the stored facts: %v", err)
	}
	if got, err := s.EventFacts(ctx, []int64{}); err != nil || len(got) != 0 {
		t.Errorf("EventFacts of no seqs = %v, %v", got, err)
	}
}

// testEventAndLeaves: one read gives an event whole and the log entries of a range that
// holds it, the entries LogLeaves gives; a declared event comes back as none; a range
// past the last event or not holding the event is not found.
func testEventAndLeaves(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustCapture(t, s, batch(ev("l0", nil), ev("l1", nil), ev("l2", nil), ev("l3", nil), ev("l4", nil)))
	mustCapture(t, s, batch(ev("l1", func(e *epcis.Event) {
		e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base, Reason: "incorrect_data"}
	})))
	want, err := s.LogLeaves(ctx, 0, 6)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		seq, from, to int64
		doc           string // of the event read, "" for none
	}{
		{2, 0, 4, `{"name":"l2"}`},
		{0, 0, 1, `{"name":"l0"}`},
		{4, 4, 6, `{"name":"l4"}`},
		{1, 0, 4, ""}, // declared erroneous
		{5, 4, 6, ""}, // a declaration
	} {
		e, leaves, err := s.EventAndLeaves(ctx, c.seq, c.from, c.to)
		if err != nil {
			t.Fatalf("EventAndLeaves(%d, %d, %d): %v", c.seq, c.from, c.to, err)
		}
		if !slices.Equal(leaves, want[c.from:c.to]) {
			t.Errorf("EventAndLeaves(%d, %d, %d): leaves differ from LogLeaves'", c.seq, c.from, c.to)
		}
		switch {
		case c.doc == "" && e != nil:
			t.Errorf("EventAndLeaves(%d, …) = event %d, want none", c.seq, e.Seq)
		case c.doc != "" && (e == nil || e.Seq != c.seq || string(e.Doc) != c.doc || e.Entry != want[c.seq] || e.Subject == ""):
			t.Errorf("EventAndLeaves(%d, …) = %+v, want the event with doc %s", c.seq, e, c.doc)
		}
	}
	for _, r := range [][3]int64{{5, 4, 7}, {2, 3, 5}, {4, 0, 3}} {
		if _, _, err := s.EventAndLeaves(ctx, r[0], r[1], r[2]); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
			t.Errorf("EventAndLeaves%v: %v, want not found", r, err)
		}
	}
}

// testHashIDs: an event whose eventID is its own hash ID (the usual case: stores keep no
// separate eventID for it) is found by that ID, deduplicated, declared, and protected from
// another event claiming its ID.
func testHashIDs(t *testing.T, s store.Store) {
	ctx := context.Background()
	hashed := func(name string, mod func(e *epcis.Event)) *store.Event {
		e := ev(name, mod)
		e.Event.EventID = store.HashURI(e.Hash)
		return e
	}
	a, b := hashed("a", nil), hashed("b", nil)
	mustCapture(t, s, batch(a, b, ev("c", nil)))
	got, err := s.Event(ctx, a.Event.EventID)
	if err != nil || got.Seq != 0 {
		t.Fatalf("Event(hash ID of a) = %+v, %v", got, err)
	}
	if seqs := query(t, s, &store.EventQuery{EventIDs: []string{b.Event.EventID, "urn:uuid:c"}}); !equal(seqs, []int64{1, 2}) {
		t.Fatalf("EventIDs filter found %v, want [1 2]", seqs)
	}
	if r := mustCapture(t, s, batch(hashed("a", nil))); r.Duplicates != 1 || r.Seqs[0] != 0 {
		t.Fatalf("recapture of a: %+v", r)
	}
	thief := ev("thief", func(e *epcis.Event) { e.EventID = a.Event.EventID })
	if _, err := s.Capture(ctx, batch(thief)); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("an event claiming a's hash ID: %v, want conflict", err)
	}
	decl := hashed("a", func(e *epcis.Event) {
		e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base, Reason: "did_not_occur"}
	})
	if r := mustCapture(t, s, batch(decl)); r.Stored != 1 {
		t.Fatalf("declaration of a: %+v", r)
	}
	got, err = s.Event(ctx, a.Event.EventID)
	if err != nil || got.Seq != 0 || got.DeclaredBy != 3 {
		t.Fatalf("a after its declaration: %+v, %v", got, err)
	}
}

func testLogLeavesAndNodes(t *testing.T, s store.Store) {
	ctx := context.Background()
	events := []*store.Event{ev("a", nil), ev("b", nil), ev("c", func(e *epcis.Event) {
		e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base, Reason: "incorrect_data"}
	})}
	events[2].Hash = events[0].Hash // a declaration of a
	events[2].Event.EventID = events[0].Event.EventID
	mustCapture(t, s, batch(events...))
	leaves, err := s.LogLeaves(ctx, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	// The leaves are the entries, which commit to hash, document, subject and the
	// declaration link: the declaration shares a's hash but not its entry.
	for i, e := range events {
		want := store.EntryOf(e.Hash, store.DocDigest(e.Doc), e.Subject, e.Declares)
		if len(leaves) != 3 || leaves[i] != want || e.Entry != want {
			t.Fatalf("leaf %d = %x, want the entry %x", i, leaves, want)
		}
	}
	if leaves[2] == leaves[0] || events[2].Declares != 0 {
		t.Fatal("the declaration's entry does not differ from its original's")
	}
	if _, err := s.LogLeaves(ctx, 1, 4); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("leaves beyond the last event: %v, want not found", err)
	}
	docs, err := s.EventDocs(ctx, 1, 10)
	if err != nil || len(docs) != 2 || docs[0].Seq != 1 || string(docs[0].Doc) != `{"name":"b"}` || docs[0].Subject != events[1].Subject ||
		docs[0].Entry != events[1].Entry || docs[1].Declares != 0 || docs[1].Hash != events[0].Hash {
		t.Fatalf("EventDocs(1) = %+v, %v", docs, err)
	}
	if first, err := s.EventDocs(ctx, 0, 1); err != nil || first[0].DeclaredBy != 2 {
		t.Fatalf("EventDocs(0) = %+v, %v: want a declared by event 2", first, err)
	}
	if last, err := s.LastLogNode(ctx); err != nil || last != -1 {
		t.Fatalf("LastLogNode of an empty log = %d, %v; want -1", last, err)
	}
	nodes := []store.LogNode{{Seq: 1, Hashes: bytes.Repeat([]byte{1}, 32)}, {Seq: 3, Hashes: bytes.Repeat([]byte{3}, 64)}}
	if err := s.AppendLog(ctx, nodes, &store.Checkpoint{Size: 3, Note: []byte("note 3"), CreatedAt: base}); err != nil {
		t.Fatal(err)
	}
	got, err := s.LogNodes(ctx, []int64{0, 1, 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !bytes.Equal(got[1], nodes[0].Hashes) || !bytes.Equal(got[3], nodes[1].Hashes) {
		t.Fatalf("LogNodes = %x", got)
	}
	if last, err := s.LastLogNode(ctx); err != nil || last != 3 {
		t.Fatalf("LastLogNode = %d, %v; want 3", last, err)
	}
}

func testLogCheckpoints(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.LatestCheckpoint(ctx); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("LatestCheckpoint of an empty log: %v, want not found", err)
	}
	root := func(b byte) [32]byte { var r [32]byte; r[0] = b; return r }
	for _, size := range []int64{2, 5} {
		if err := s.AppendLog(ctx, []store.LogNode{{Seq: size - 1, Hashes: bytes.Repeat([]byte{byte(size)}, 32)}},
			&store.Checkpoint{Size: size, Root: root(byte(size)), Note: []byte(fmt.Sprint("note ", size)), CreatedAt: base}); err != nil {
			t.Fatal(err)
		}
	}
	// Another process integrating the same range again loses, and stores nothing.
	err := s.AppendLog(ctx, []store.LogNode{{Seq: 7, Hashes: bytes.Repeat([]byte{9}, 32)}}, &store.Checkpoint{Size: 5, Root: root(9), Note: []byte("x"), CreatedAt: base})
	if zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("a second checkpoint of size 5: %v, want conflict", err)
	}
	if n, _ := s.LogNodes(ctx, []int64{7}); len(n) != 0 {
		t.Fatal("the losing integration stored nodes")
	}
	latest, err := s.LatestCheckpoint(ctx)
	if err != nil || latest.Size != 5 || latest.Root != root(5) || string(latest.Note) != "note 5" || !latest.CreatedAt.Equal(base) {
		t.Fatalf("LatestCheckpoint = %+v, %v", latest, err)
	}
	all, err := s.Checkpoints(ctx, 0, 10)
	if err != nil || len(all) != 2 || all[0].Size != 2 || all[1].Size != 5 {
		t.Fatalf("Checkpoints = %+v, %v", all, err)
	}
	if after, _ := s.Checkpoints(ctx, 2, 10); len(after) != 1 || after[0].Size != 5 {
		t.Fatalf("Checkpoints after 2 = %+v", after)
	}
	if err := s.AddCosignatures(ctx, 5, []byte("note 5\n— witness sig")); err != nil {
		t.Fatal(err)
	}
	if latest, _ := s.LatestCheckpoint(ctx); string(latest.Note) != "note 5\n— witness sig" || latest.Root != root(5) {
		t.Fatalf("after cosigning: %+v", latest)
	}
	if err := s.AddCosignatures(ctx, 4, []byte("x")); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("cosigning a missing checkpoint: %v, want not found", err)
	}
}

func testWitnessState(t *testing.T, s store.Store) {
	ctx := context.Background()
	const origin = "zhuisu.example/fujian-hub"
	if _, err := s.WitnessState(ctx, origin); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("state of an unknown log: %v, want not found", err)
	}
	first := &store.WitnessState{Size: 10, Root: [32]byte{1}, UpdatedAt: base}
	if err := s.SetWitnessState(ctx, origin, nil, first); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWitnessState(ctx, origin, nil, first); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("a second first state: %v, want conflict", err)
	}
	second := &store.WitnessState{Size: 20, Root: [32]byte{2}, UpdatedAt: base.Add(time.Second)}
	if err := s.SetWitnessState(ctx, origin, &store.WitnessState{Size: 9, Root: [32]byte{1}}, second); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("set from a stale state: %v, want conflict", err)
	}
	if err := s.SetWitnessState(ctx, origin, first, second); err != nil {
		t.Fatal(err)
	}
	got, err := s.WitnessState(ctx, origin)
	if err != nil || got.Size != 20 || got.Root != second.Root || !got.UpdatedAt.Equal(second.UpdatedAt) {
		t.Fatalf("WitnessState = %+v, %v", got, err)
	}
}

func testIssueCodes(t *testing.T, s store.Store) {
	ctx := context.Background()
	format := func(serial int64) (string, error) {
		return fmt.Sprint("https://id.gs1.org/01/09521234543213/21/", serial), nil
	}
	issue := func(id string, n int) ([]string, error) {
		return s.IssueCodes(ctx, &store.Issuance{ID: id, Scheme: "gs1.sgtin", Counter: "01/09521234543213", CreatedAt: base}, n, format)
	}
	first, err := issue("i1", 3)
	if err != nil || len(first) != 3 || first[0] != "https://id.gs1.org/01/09521234543213/21/1" {
		t.Fatalf("first issuance %v, %v", first, err)
	}
	second, err := issue("i2", 2)
	if err != nil || len(second) != 2 || second[0] != "https://id.gs1.org/01/09521234543213/21/4" {
		t.Fatalf("second issuance continues the counter: %v, %v", second, err)
	}
	other, err := s.IssueCodes(ctx, &store.Issuance{ID: "i3", Scheme: "gs1.sgtin", Counter: "01/09521234000013", CreatedAt: base}, 1,
		func(serial int64) (string, error) {
			return fmt.Sprint("https://id.gs1.org/01/09521234000013/21/", serial), nil
		})
	if err != nil || other[0] != "https://id.gs1.org/01/09521234000013/21/1" {
		t.Fatalf("another counter starts at 1: %v, %v", other, err)
	}
	// A formatter that collides with issued codes (a counter out of step) issues nothing.
	_, err = s.IssueCodes(ctx, &store.Issuance{ID: "i4", Scheme: "gs1.sgtin", Counter: "elsewhere", CreatedAt: base}, 2, format)
	if zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("re-issuing a code: %v, want conflict", err)
	}
	third, err := issue("i5", 1)
	if err != nil || third[0] != "https://id.gs1.org/01/09521234543213/21/6" {
		t.Fatalf("after the refused issuance: %v, %v", third, err)
	}
	iss, got, err := s.IssuedCodes(ctx, "i2")
	if err != nil || iss.First != 4 || iss.Count != 2 || len(got) != 2 || !slices.Contains(got, second[1]) {
		t.Fatalf("IssuedCodes(i2) = %+v, %v, %v", iss, got, err)
	}
	if _, _, err := s.IssuedCodes(ctx, "i4"); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("the refused issuance: %v, want not found", err)
	}
}
