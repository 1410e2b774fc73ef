package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

func testRecalls(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"RecallReadsBackAsCreated", testRecallReadBack},
		{"RecallWithTakenIDOrBadHolderStoresNothing", testRecallAtomic},
		{"RecallsListNewestFirstInPages", testRecallList},
		{"RecallHolderChangesAppendHistoryOrNothing", testRecallHolderUpdate},
		{"ConcurrentHolderChangesTakeTurns", testRecallHolderConcurrent},
		{"RecallFlagsOnlyOpenRecallsOnAskedIDs", testRecallFlags},
		{"RecallEventsAreTheCoveredEventsInSeqOrder", testRecallEvents},
		{"MissingRecallsAreNotFound", testRecallNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func fp(v float64) *float64 { return &v }

// sampleRecall builds a recall with two holders; n varies IDs and times.
func sampleRecall(id string, n int) *store.Recall {
	at := base.Add(time.Duration(n) * time.Hour)
	return &store.Recall{
		ID: id, Reason: "沙门氏菌检出 salmonella " + id, Subject: "91350100M000100Y43", CreatedAt: at, Status: store.RecallOpen,
		Codes: []store.RecallCode{{Given: "(01)06923456001015(10)L1", Canonical: "https://id.gs1.org/01/06923456001015/10/L1"}},
		Holders: []*store.RecallHolder{
			{Party: "https://id.gs1.org/417/6967890000004", Locations: []string{"https://id.gs1.org/414/6967890000011"},
				Received: []store.RecallQuantity{{Product: "https://id.gs1.org/01/06945678002009", Lot: "L1", Quantity: fp(4)}},
				Status:   store.HolderNotified, UpdatedAt: at,
				History: []store.RecallChange{{At: at, Status: store.HolderNotified, Note: "recall created", Subject: "91350100M000100Y43"}}},
			{Party: "https://id.gs1.org/417/6945678000002", Locations: []string{},
				Received: []store.RecallQuantity{{Product: "https://id.gs1.org/01/06923456001015", Lot: "L1", Quantity: fp(512.5), UOM: "KGM"},
					{Product: "https://id.gs1.org/01/06923456001022", Lot: "L1", UOM: "KGM"}},
				Status: store.HolderNotified, UpdatedAt: at,
				History: []store.RecallChange{{At: at, Status: store.HolderNotified}}},
		},
		Identifiers: []string{"https://id.gs1.org/01/06923456001015/10/L1", fmt.Sprintf("https://id.gs1.org/00/3694567800000%05d", n)},
		Seqs:        []int64{},
	}
}

func testRecallReadBack(t *testing.T, s store.Store) {
	ctx := context.Background()
	want := sampleRecall("RC-1", 1)
	if err := s.CreateRecall(ctx, want); err != nil {
		t.Fatalf("CreateRecall: %v", err)
	}
	got, err := s.Recall(ctx, "RC-1")
	if err != nil {
		t.Fatalf("Recall: %v", err)
	}
	if got.ID != want.ID || got.Reason != want.Reason || got.Subject != want.Subject || !got.CreatedAt.Equal(want.CreatedAt) ||
		got.Status != store.RecallOpen || !got.ClosedAt.IsZero() || !slices.Equal(got.Codes, want.Codes) {
		t.Errorf("recall read back as %+v, want %+v", got, want)
	}
	wantIDs := slices.Sorted(slices.Values(want.Identifiers))
	if !slices.Equal(got.Identifiers, wantIDs) {
		t.Errorf("identifiers %v, want %v", got.Identifiers, wantIDs)
	}
	if len(got.Holders) != 2 {
		t.Fatalf("got %d holders, want 2", len(got.Holders))
	}
	// Holders come ordered by party: the processor (…6945678…) first.
	p, r := got.Holders[0], got.Holders[1]
	if p.Party != want.Holders[1].Party || r.Party != want.Holders[0].Party {
		t.Fatalf("holders in order %s, %s", p.Party, r.Party)
	}
	if len(p.Received) != 2 || *p.Received[0].Quantity != 512.5 || p.Received[0].UOM != "KGM" || p.Received[1].Quantity != nil {
		t.Errorf("processor received %+v: want 512.5 KGM and one unknown quantity", p.Received)
	}
	if !slices.Equal(r.Locations, want.Holders[0].Locations) || r.Received[0].Lot != "L1" || *r.Received[0].Quantity != 4 || r.Received[0].UOM != "" {
		t.Errorf("retailer read back as %+v", r)
	}
	if len(r.History) != 1 || r.History[0].Note != "recall created" || r.History[0].Status != store.HolderNotified || !r.History[0].At.Equal(want.CreatedAt) {
		t.Errorf("retailer history %+v", r.History)
	}
	if r.Status != store.HolderNotified || !r.UpdatedAt.Equal(want.CreatedAt) {
		t.Errorf("retailer status %s at %v", r.Status, r.UpdatedAt)
	}
}

func testRecallAtomic(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.CreateRecall(ctx, sampleRecall("RC-1", 1)); err != nil {
		t.Fatalf("CreateRecall: %v", err)
	}
	again := sampleRecall("RC-1", 2)
	again.Reason = "changed"
	if err := s.CreateRecall(ctx, again); !zhuisu.IsCode(err, zhuisu.EConflict) {
		t.Fatalf("second recall with the same ID: %v, want conflict", err)
	}
	if got, err := s.Recall(ctx, "RC-1"); err != nil || got.Reason == "changed" {
		t.Fatalf("first recall after the conflict: %v, %+v", err, got)
	}
	// A holder listed twice fails the whole recall: nothing of it may remain.
	bad := sampleRecall("RC-2", 3)
	bad.Holders = append(bad.Holders, bad.Holders[0])
	if err := s.CreateRecall(ctx, bad); err == nil {
		t.Fatal("a recall with a repeated holder was stored")
	}
	if _, err := s.Recall(ctx, "RC-2"); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Errorf("failed recall: Recall gives %v, want not found", err)
	}
	flags, err := s.RecallFlags(ctx, bad.Identifiers)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flags {
		if f.RecallID == "RC-2" {
			t.Errorf("failed recall left a flag on %s", f.ID)
		}
	}
}

func testRecallList(t *testing.T, s store.Store) {
	ctx := context.Background()
	var want []string
	for i := range 5 {
		id := fmt.Sprintf("RC-%d", i)
		if err := s.CreateRecall(ctx, sampleRecall(id, i)); err != nil {
			t.Fatal(err)
		}
		want = append([]string{id}, want...)
	}
	var got []string
	before := ""
	for {
		page, err := s.Recalls(ctx, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			if len(r.Holders) != 0 || r.Reason == "" {
				t.Errorf("listed recall %s: %d holders, reason %q", r.ID, len(r.Holders), r.Reason)
			}
			got = append(got, r.ID)
		}
		if len(page) < 2 {
			break
		}
		before = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}

func testRecallHolderUpdate(t *testing.T, s store.Store) {
	ctx := context.Background()
	rc := sampleRecall("RC-1", 1)
	if err := s.CreateRecall(ctx, rc); err != nil {
		t.Fatal(err)
	}
	party := rc.Holders[0].Party
	later := rc.CreatedAt.Add(time.Hour)
	h, err := s.UpdateRecallHolder(ctx, "RC-1", party, func(r *store.Recall, h *store.RecallHolder) (store.RecallChange, error) {
		if r.ID != "RC-1" || r.Status != store.RecallOpen || h.Party != party || len(h.History) != 1 {
			t.Errorf("change saw recall %+v and holder %+v", r, h)
		}
		h.Status, h.Returned, h.UpdatedAt = store.HolderReturned, 3, later
		return store.RecallChange{At: later, Status: store.HolderReturned, Quantity: 3, Note: "3 returned", Subject: "s"}, nil
	})
	if err != nil {
		t.Fatalf("UpdateRecallHolder: %v", err)
	}
	if h.Returned != 3 || len(h.History) != 2 {
		t.Errorf("returned holder %+v", h)
	}
	refused := errors.New("refused")
	_, err = s.UpdateRecallHolder(ctx, "RC-1", party, func(r *store.Recall, h *store.RecallHolder) (store.RecallChange, error) {
		h.Returned = 100
		return store.RecallChange{}, refused
	})
	if !errors.Is(err, refused) {
		t.Errorf("a refused change gave %v, want the change's error", err)
	}
	got, err := s.Recall(ctx, "RC-1")
	if err != nil {
		t.Fatal(err)
	}
	var stored *store.RecallHolder
	for _, g := range got.Holders {
		if g.Party == party {
			stored = g
		}
	}
	if stored.Returned != 3 || stored.Status != store.HolderReturned || !stored.UpdatedAt.Equal(later) || len(stored.History) != 2 ||
		stored.History[1].Note != "3 returned" || stored.History[1].Quantity != 3 {
		t.Errorf("stored holder %+v, history %+v", stored, stored.History)
	}
	noop := func(*store.Recall, *store.RecallHolder) (store.RecallChange, error) { return store.RecallChange{}, nil }
	if _, err := s.UpdateRecallHolder(ctx, "RC-1", "https://id.gs1.org/417/0000000000000", noop); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Errorf("unknown holder: %v, want not found", err)
	}
	if _, err := s.UpdateRecallHolder(ctx, "RC-none", party, noop); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Errorf("unknown recall: %v, want not found", err)
	}
}

func testRecallHolderConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	rc := sampleRecall("RC-1", 1)
	if err := s.CreateRecall(ctx, rc); err != nil {
		t.Fatal(err)
	}
	party := rc.Holders[1].Party
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := s.UpdateRecallHolder(ctx, "RC-1", party, func(r *store.Recall, h *store.RecallHolder) (store.RecallChange, error) {
				h.Destroyed++
				return store.RecallChange{At: base, Status: store.HolderDestroyed, Quantity: 1}, nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent update: %v", err)
		}
	}
	got, err := s.Recall(ctx, "RC-1")
	if err != nil {
		t.Fatal(err)
	}
	h := got.Holders[0]
	if h.Destroyed != n || len(h.History) != n+1 {
		t.Errorf("after %d concurrent updates: destroyed %v, %d history entries; an update was lost", n, h.Destroyed, len(h.History))
	}
}

func testRecallFlags(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := sampleRecall("RC-a", 1), sampleRecall("RC-b", 2)
	for _, r := range []*store.Recall{a, b} {
		if err := s.CreateRecall(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	shared, onlyA := a.Identifiers[0], a.Identifiers[1]
	flagsOf := func(ids ...string) []string {
		t.Helper()
		fs, err := s.RecallFlags(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range fs {
			want := a
			if f.RecallID == b.ID {
				want = b
			}
			if f.Reason != want.Reason || !f.Since.Equal(want.CreatedAt) {
				t.Errorf("flag %+v: want reason %q since %v", f, want.Reason, want.CreatedAt)
			}
			out = append(out, f.RecallID+" "+f.ID)
		}
		slices.Sort(out)
		return out
	}
	if got, want := flagsOf(shared, onlyA, "https://id.gs1.org/01/09999999999999"), []string{"RC-a " + onlyA, "RC-a " + shared, "RC-b " + shared}; !slices.Equal(got, want) {
		t.Errorf("flags %v, want %v", got, want)
	}
	if got := flagsOf(); len(got) != 0 {
		t.Errorf("no ids gave flags %v", got)
	}
	if err := s.CloseRecall(ctx, "RC-a", base.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, want := flagsOf(shared, onlyA), []string{"RC-b " + shared}; !slices.Equal(got, want) {
		t.Errorf("after closing RC-a: flags %v, want %v", got, want)
	}
	// Every flag of the open recalls, and only those: RC-b's.
	open, err := s.OpenRecallFlags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var openIDs []string
	for _, f := range open {
		if f.RecallID != b.ID || f.Reason != b.Reason || !f.Since.Equal(b.CreatedAt) {
			t.Errorf("open flag %+v: want RC-b's", f)
		}
		openIDs = append(openIDs, f.ID)
	}
	slices.Sort(openIDs)
	if want := slices.Sorted(slices.Values(b.Identifiers)); !slices.Equal(openIDs, want) {
		t.Errorf("open recall flags on %v, want RC-b's identifiers %v", openIDs, want)
	}
	if err := s.CloseRecall(ctx, "RC-a", base.Add(49*time.Hour)); !zhuisu.IsCode(err, zhuisu.EConflict) {
		t.Errorf("closing twice: %v, want conflict", err)
	}
	got, err := s.Recall(ctx, "RC-a")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.RecallClosed || !got.ClosedAt.Equal(base.Add(48*time.Hour)) {
		t.Errorf("closed recall: status %s closed at %v", got.Status, got.ClosedAt)
	}
	// Many ids at once still find the one flagged.
	many := []string{onlyA + "x"}
	for i := range 700 {
		many = append(many, fmt.Sprintf("https://id.gs1.org/01/0999999999%04d", i))
	}
	many = append(many, shared)
	if got, want := flagsOf(many...), []string{"RC-b " + shared}; !slices.Equal(got, want) {
		t.Errorf("flags among 702 ids %v, want %v", got, want)
	}
}

func testRecallEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	var evs []*store.Event
	for i := range 6 {
		evs = append(evs, ev(fmt.Sprintf("recall-%d", i), nil))
	}
	res := mustCapture(t, s, batch(evs...))
	rc := sampleRecall("RC-1", 1)
	rc.Seqs = []int64{res.Seqs[4], res.Seqs[1], res.Seqs[2]}
	if err := s.CreateRecall(ctx, rc); err != nil {
		t.Fatal(err)
	}
	got, err := s.RecallEvents(ctx, "RC-1")
	if err != nil {
		t.Fatal(err)
	}
	var gotSeqs []int64
	for _, e := range got {
		gotSeqs = append(gotSeqs, e.Seq)
		if want := fmt.Sprintf(`{"name":"recall-%d"}`, e.Seq-res.Seqs[0]); string(e.Doc) != want || e.Declares != -1 || e.DeclaredBy != -1 {
			t.Errorf("event %d: doc %s declares %d declaredBy %d", e.Seq, e.Doc, e.Declares, e.DeclaredBy)
		}
	}
	if want := []int64{res.Seqs[1], res.Seqs[2], res.Seqs[4]}; !slices.Equal(gotSeqs, want) {
		t.Errorf("recall events %v, want %v", gotSeqs, want)
	}
	r, err := s.Recall(ctx, "RC-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{res.Seqs[1], res.Seqs[2], res.Seqs[4]}; !slices.Equal(r.Seqs, want) {
		t.Errorf("recall seqs %v, want %v", r.Seqs, want)
	}
}

func testRecallNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.Recall(ctx, "RC-none"); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Errorf("Recall: %v, want not found", err)
	}
	if err := s.CloseRecall(ctx, "RC-none", base); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Errorf("CloseRecall: %v, want not found", err)
	}
	if l, err := s.Recalls(ctx, "", 10); err != nil || len(l) != 0 {
		t.Errorf("Recalls of an empty store: %v, %v", l, err)
	}
}
