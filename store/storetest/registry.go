package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// testRegistry runs the registry, person and audit cases; Run calls it as one subtest.
func testRegistry(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"SubjectReadsBackWithWhatItOwns", testSubjectRoundTrip},
		{"SubjectOwningATakenLocationStoresNothing", testSubjectLocationConflict},
		{"SubjectStatusChangesOnlyFromTheStatusSeen", testSubjectStatusCAS},
		{"SubjectsFilterByRegionSectorAndStatus", testSubjectFilter},
		{"PersonsFoundByRefAndLookupOnce", testPersons},
		{"AuditRecordsChainDenselyFromZero", testAuditChain},
		{"AuditRecordsFilterByActorActionAndTime", testAuditFilter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func subject(uscc, region string, locations ...string) *store.Subject {
	return &store.Subject{
		USCC: uscc, Name: "企业 " + uscc, Region: region,
		Roles: []string{"farm", "processor"}, Sectors: []string{"agri-food"},
		Licences:  []store.Licence{{Number: "JY13501020001234", Kind: "food-business", ValidFrom: base, ValidTo: base.AddDate(5, 0, 0)}},
		Locations: locations, Prefixes: []string{"69" + uscc[10:17]},
		Status: store.SubjectSubmitted, CreatedAt: base, UpdatedAt: base,
		History: []store.StatusChange{{To: store.SubjectSubmitted, Actor: "admin", At: base}},
	}
}

func testSubjectRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	want := subject("91350100M000100Y43", "350102", "https://id.gs1.org/414/6901234000018", "https://id.gs1.org/414/6901234000025")
	if err := s.CreateSubject(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Subject(ctx, want.USCC)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != want.Name || got.Region != want.Region || got.Status != store.SubjectSubmitted ||
		!slices.Equal(got.Roles, want.Roles) || !slices.Equal(got.Sectors, want.Sectors) ||
		!slices.Equal(got.Locations, want.Locations) || !slices.Equal(got.Prefixes, want.Prefixes) ||
		len(got.Licences) != 1 || !got.Licences[0].ValidTo.Equal(want.Licences[0].ValidTo) ||
		len(got.History) != 1 || got.History[0].To != store.SubjectSubmitted || !got.CreatedAt.Equal(base) {
		t.Fatalf("subject read back as %+v, want %+v", got, want)
	}
	if owner, err := s.LocationOwner(ctx, want.Locations[1]); err != nil || owner != want.USCC {
		t.Fatalf("LocationOwner = %q, %v", owner, err)
	}
	// A prefix overlaps a stored one when either starts the other; otherwise it is free.
	stored := want.Prefixes[0]
	for _, asked := range []string{stored, stored + "5", stored[:len(stored)-1]} {
		if owner, owned, err := s.PrefixOwner(ctx, asked); err != nil || owner != want.USCC || owned != stored {
			t.Fatalf("PrefixOwner(%s) = %q, %q, %v; want %s, %s", asked, owner, owned, err, want.USCC, stored)
		}
	}
	for _, free := range []string{stored[:len(stored)-1] + "9", "9" + stored[1:]} {
		if _, _, err := s.PrefixOwner(ctx, free); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
			t.Fatalf("PrefixOwner(%s) of a free prefix: %v, want not found", free, err)
		}
	}
	if _, err := s.LocationOwner(ctx, "https://id.gs1.org/414/6901234000032"); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("unowned location: %v, want not found", err)
	}
	if _, err := s.Subject(ctx, "91350100M000200Y8X"); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("missing subject: %v, want not found", err)
	}
	if err := s.CreateSubject(ctx, subject(want.USCC, "350102")); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("same USCC twice: %v, want conflict", err)
	}
}

func testSubjectLocationConflict(t *testing.T, s store.Store) {
	ctx := context.Background()
	loc := "https://id.gs1.org/414/6901234000018"
	if err := s.CreateSubject(ctx, subject("91350100M000100Y43", "350102", loc)); err != nil {
		t.Fatal(err)
	}
	err := s.CreateSubject(ctx, subject("91350200M000100Y11", "350203", "https://id.gs1.org/414/6901234000049", loc))
	if zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("taken location: %v, want conflict", err)
	}
	if _, err := s.Subject(ctx, "91350200M000100Y11"); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("the refused subject was stored: %v", err)
	}
	if _, err := s.LocationOwner(ctx, "https://id.gs1.org/414/6901234000049"); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("the refused subject's other location was stored: %v", err)
	}
}

func testSubjectStatusCAS(t *testing.T, s store.Store) {
	ctx := context.Background()
	uscc := "91350100M000100Y43"
	if err := s.CreateSubject(ctx, subject(uscc, "350102")); err != nil {
		t.Fatal(err)
	}
	approve := &store.StatusChange{From: store.SubjectSubmitted, To: store.SubjectApproved, Actor: "regulator:agriculture", At: base.Add(time.Hour)}
	if err := s.ChangeSubjectStatus(ctx, uscc, approve); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeSubjectStatus(ctx, uscc, approve); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("second change from a stale status: %v, want conflict", err)
	}
	suspend := &store.StatusChange{From: store.SubjectApproved, To: store.SubjectSuspended, Reason: "licence expired", Actor: "admin", At: base.Add(2 * time.Hour)}
	if err := s.ChangeSubjectStatus(ctx, uscc, suspend); err != nil {
		t.Fatal(err)
	}
	got, err := s.Subject(ctx, uscc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.SubjectSuspended || len(got.History) != 3 || got.History[2].Reason != "licence expired" ||
		got.History[1].To != store.SubjectApproved || !got.UpdatedAt.Equal(suspend.At) {
		t.Fatalf("after approve and suspend: %+v", got)
	}
	if err := s.ChangeSubjectStatus(ctx, "91350200M000100Y11", approve); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("missing subject: %v, want not found", err)
	}
}

func testSubjectFilter(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := subject("91350100M000100Y43", "350102")
	b := subject("91350200M000100Y11", "350203")
	b.Sectors = []string{"drugs"}
	c := subject("91350100M000300Y0R", "350128")
	for _, sub := range []*store.Subject{a, b, c} {
		if err := s.CreateSubject(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ChangeSubjectStatus(ctx, c.USCC, &store.StatusChange{From: store.SubjectSubmitted, To: store.SubjectApproved, Actor: "admin", At: base}); err != nil {
		t.Fatal(err)
	}
	usccs := func(f *store.SubjectFilter) []string {
		t.Helper()
		subs, err := s.Subjects(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, sub := range subs {
			out = append(out, sub.USCC)
		}
		return out
	}
	for _, tc := range []struct {
		f    store.SubjectFilter
		want []string
	}{
		{store.SubjectFilter{}, []string{a.USCC, c.USCC, b.USCC}},
		{store.SubjectFilter{RegionPrefix: "3501"}, []string{a.USCC, c.USCC}},
		{store.SubjectFilter{Sector: "drugs"}, []string{b.USCC}},
		{store.SubjectFilter{Sector: "agri"}, nil}, // a word, not a part of one
		{store.SubjectFilter{Status: store.SubjectApproved}, []string{c.USCC}},
		{store.SubjectFilter{After: a.USCC, Limit: 1}, []string{c.USCC}},
	} {
		if got := usccs(&tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("Subjects(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func testPersons(t *testing.T, s store.Store) {
	ctx := context.Background()
	p := &store.Person{Ref: "urn:zhuisu:person:aaaa", Lookup: bytes.Repeat([]byte{1}, 32), Sealed: []byte{9, 8, 7},
		Cipher: "aes-256-gcm", KeyID: "k1", CreatedBy: "91350100M000100Y43", CreatedAt: base}
	if err := s.CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	byRef, err := s.PersonByRef(ctx, p.Ref)
	if err != nil {
		t.Fatal(err)
	}
	byLookup, err := s.PersonByLookup(ctx, p.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []*store.Person{byRef, byLookup} {
		if got.Ref != p.Ref || !bytes.Equal(got.Sealed, p.Sealed) || got.Cipher != p.Cipher || got.KeyID != p.KeyID ||
			got.CreatedBy != p.CreatedBy || !got.CreatedAt.Equal(base) {
			t.Fatalf("person read back as %+v", got)
		}
	}
	dup := *p
	dup.Ref = "urn:zhuisu:person:bbbb"
	if err := s.CreatePerson(ctx, &dup); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("same lookup twice: %v, want conflict", err)
	}
	if _, err := s.PersonByRef(ctx, dup.Ref); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
		t.Fatalf("unknown ref: %v, want not found", err)
	}
}

func testAuditChain(t *testing.T, s store.Store) {
	ctx := context.Background()
	if n, head, err := s.AuditHead(ctx); err != nil || n != 0 || head != [32]byte{} {
		t.Fatalf("empty head = %d %x %v", n, head, err)
	}
	// Appenders racing must still build one dense chain.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.AppendAudit(ctx, &store.AuditRecord{Time: base.Add(time.Duration(i) * time.Second), Actor: fmt.Sprintf("actor-%d", i), Action: "test", Result: "ok"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	recs, err := s.AuditRecords(ctx, &store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 8 {
		t.Fatalf("%d records, want 8", len(recs))
	}
	var prev [32]byte
	for i, r := range recs {
		if r.Seq != int64(i) || r.Prev != prev || r.Hash != store.AuditHash(prev, r) {
			t.Fatalf("record %d: seq %d, prev %x, hash %x does not chain", i, r.Seq, r.Prev[:4], r.Hash[:4])
		}
		prev = r.Hash
	}
	n, head, err := s.AuditHead(ctx)
	if err != nil || n != 8 || head != prev {
		t.Fatalf("head = %d %x %v, want 8 %x", n, head[:4], err, prev[:4])
	}
}

func testAuditFilter(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, a := range []struct{ actor, action string }{{"alice", "login"}, {"bob", "login"}, {"alice", "unmask"}, {"alice", "login"}} {
		r := &store.AuditRecord{Time: base.Add(time.Duration(i) * time.Minute), Actor: a.actor, Action: a.action, Object: "o", Result: "ok", Detail: "d"}
		if err := s.AppendAudit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	seqsOf := func(q *store.AuditQuery) []int64 {
		t.Helper()
		recs, err := s.AuditRecords(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range recs {
			out = append(out, r.Seq)
		}
		return out
	}
	for _, tc := range []struct {
		q    store.AuditQuery
		want []int64
	}{
		{store.AuditQuery{Actor: "alice"}, []int64{0, 2, 3}},
		{store.AuditQuery{Action: "login"}, []int64{0, 1, 3}},
		{store.AuditQuery{Actor: "alice", Action: "login", From: 1}, []int64{3}},
		{store.AuditQuery{TimeGE: base.Add(time.Minute), TimeLT: base.Add(3 * time.Minute)}, []int64{1, 2}},
		{store.AuditQuery{Limit: 2, From: 1}, []int64{1, 2}},
	} {
		if got := seqsOf(&tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("AuditRecords(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
}
