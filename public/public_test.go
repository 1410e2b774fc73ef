package public_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/recall"
)

func stages(v *public.View) []string {
	var out []string
	for _, s := range v.Steps {
		out = append(out, s.Stage)
	}
	return out
}

func kinds(v *public.View) []string {
	var out []string
	for _, w := range v.Warnings {
		out = append(out, w.Kind)
	}
	return out
}

func TestSoldUnitShowsItsChainFromFarmToShopWithAVerifiedRecord(t *testing.T) {
	w := newWorld(t, 3, public.Config{})
	story := w.stories[1]
	v, err := w.public.Lookup(context.Background(), soldUnit(story))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"harvest", "shipping", "processing", "packing", "shipping", "receiving", "unpacking", "shipping", "retail"}
	if got := stages(v); !slices.Equal(got, want) {
		t.Errorf("stages %v, want %v", got, want)
	}
	producer := ""
	for _, n := range *story[0].ILMD {
		if n.Local == "producer" {
			producer = n.Value
		}
	}
	if v.Producer == "" || v.Producer != producer {
		t.Errorf("producer %q, want %q", v.Producer, producer)
	}
	if !strings.HasSuffix(v.Product, "(精包装)") || v.Processor == "" || v.Origin == "" || v.Lot == "" {
		t.Errorf("product %q processor %q origin %q lot %q: want all set", v.Product, v.Processor, v.Origin, v.Lot)
	}
	if v.State.Ended != "sold" || !slices.Contains(kinds(v), "ended") {
		t.Errorf("state %+v warnings %v: want sold, with the ended warning", v.State, kinds(v))
	}
	if v.Integrity.Status != "verified" || v.Integrity.TreeSize == 0 {
		t.Errorf("integrity %+v, want verified", v.Integrity)
	}
	if len(v.Certificates) != 2 || v.Certificates[0].Kind != "conformity" || v.Certificates[1].Kind != "inspection" {
		t.Errorf("certificates %+v, want the harvest's 合格证 and the processor's inspection", v.Certificates)
	}
}

func TestUnsoldUnitHasNoEndAndNoWarning(t *testing.T) {
	w := newWorld(t, 2, public.Config{})
	v, err := w.public.Lookup(context.Background(), unsoldUnit(w.stories[0]))
	if err != nil {
		t.Fatal(err)
	}
	if v.State.Ended != "" || len(v.Warnings) != 0 || !v.Found {
		t.Errorf("state %+v warnings %v found %v: want a found unit without warnings", v.State, kinds(v), v.Found)
	}
}

func TestRecalledLotWarnsOnEveryUnitMadeFromIt(t *testing.T) {
	w := newWorld(t, 2, public.Config{})
	ctx := context.Background()
	story := w.stories[0]
	if _, err := recall.New(w.st, w.trace).Create(ctx, "91350100M000100Y43", []string{rawLot(story)}, "沙门氏菌超标 Salmonella"); err != nil {
		t.Fatal(err)
	}
	w.public.InvalidateAll()
	for _, code := range []string{soldUnit(story), unsoldUnit(story), rawLot(story)} {
		v, err := w.public.Lookup(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if !v.State.Recalled || !slices.Equal(kinds(v)[:1], []string{"recall"}) || slices.Index(kinds(v)[1:], "recall") >= 0 || v.Warnings[0].Reason != "沙门氏菌超标 Salmonella" {
			t.Errorf("%s: state %+v warnings %+v: want the recall, once", code, v.State, v.Warnings)
		}
	}
	other, err := w.public.Lookup(ctx, soldUnit(w.stories[1]))
	if err != nil {
		t.Fatal(err)
	}
	if other.State.Recalled {
		t.Errorf("a unit of another story is flagged recalled")
	}
}

// Recall flags are kept in memory: a recall shows at once when the recall service says
// so (Invalidate), and otherwise — a recall made by another process sharing the store —
// within the cache's lifetime, not later.
func TestRecallShowsAtOnceWhenToldAndWithinTheCacheLifetimeOtherwise(t *testing.T) {
	w := newWorld(t, 3, public.Config{CacheTTL: 10 * time.Second})
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	w.public.SetClock(func() time.Time { return now })
	recalled := func(code string) bool { t.Helper(); return isRecalled(t, w, code) }
	if recalled(soldUnit(w.stories[2])) { // flags read: no recall yet
		t.Fatal("a unit is recalled before any recall")
	}
	// Another process recalls story 0's lot: this one is not told.
	if _, err := recall.New(w.st, w.trace).Create(ctx, "91350100M000100Y43", []string{rawLot(w.stories[0])}, "农残超标"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if recalled(soldUnit(w.stories[0])) {
		t.Error("a recall not told of shows before the cache's lifetime is up: the flags are not kept")
	}
	now = now.Add(10 * time.Second)
	if !recalled(unsoldUnit(w.stories[0])) {
		t.Error("a recall made elsewhere does not show once the cache's lifetime is up")
	}
	// This process's recall service tells the cache: the recall shows at once.
	ids, err := recall.New(w.st, w.trace).Create(ctx, "91350100M000100Y43", []string{rawLot(w.stories[1])}, "农残超标")
	if err != nil {
		t.Fatal(err)
	}
	w.public.Invalidate(ids.Identifiers...)
	if !recalled(soldUnit(w.stories[1])) {
		t.Error("a recall the cache was told of does not show at once")
	}
}

func TestNewEventOnAUnitReplacesItsCachedView(t *testing.T) {
	w := newWorld(t, 1, public.Config{CacheTTL: time.Hour})
	ctx := context.Background()
	unit := unsoldUnit(w.stories[0])
	before, err := w.public.Lookup(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	if before.State.Ended != "" {
		t.Fatalf("unit already ended: %+v", before.State)
	}
	destroy := &epcis.Event{Type: epcis.ObjectEvent, EventTime: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), EventTimeZoneOffset: "+08:00",
		Action: epcis.ActionObserve, BizStep: "destroying", Disposition: "destroyed", EPCList: []string{unit}}
	w.captureDoc(t, &epcis.Document{SchemaVersion: "2.0", Events: []*epcis.Event{destroy}})
	if cached, _ := w.public.Lookup(ctx, unit); cached.State.Ended != "" {
		t.Fatalf("the cache served a new view before Follow: the test cannot tell invalidation from expiry")
	}
	if err := w.public.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := w.public.Lookup(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	if after.State.Ended != "destroyed" || after.Steps[len(after.Steps)-1].Stage != "destruction" {
		t.Errorf("after a destroying event: state %+v, last step %+v", after.State, after.Steps[len(after.Steps)-1])
	}
}

func TestUnitScannedFromManyAreasOrTooOftenIsFlagged(t *testing.T) {
	tests := []struct {
		name      string
		areas     int
		scans     int
		wantClone bool
	}{
		{"few scans from one area", 1, 3, false},
		{"scans from as many areas as the limit", 3, 3, true},
		{"scans from fewer areas than the limit", 2, 5, false},
		{"more scans than the limit from one area", 1, 6, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 1, public.Config{CloneAreas: 3, CloneScans: 5})
			ctx := context.Background()
			c, err := codes.Parse(unsoldUnit(w.stories[0]))
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.scans {
				w.public.Record(c, "10."+string(rune('0'+i%tc.areas))+".0.0/16")
			}
			if err := w.public.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			v, err := w.public.LookupCode(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(kinds(v), "clone"); got != tc.wantClone {
				t.Errorf("clone warning %v, want %v (warnings %+v)", got, tc.wantClone, v.Warnings)
			}
		})
	}
}

func TestGoodsPastTheirDateAreExpired(t *testing.T) {
	w := newWorld(t, 1, public.Config{})
	unit := unsoldUnit(w.stories[0])
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{{time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), false}, {time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), true}} {
		w.public.SetClock(func() time.Time { return tc.now })
		w.public.InvalidateAll()
		v, err := w.public.Lookup(context.Background(), unit)
		if err != nil {
			t.Fatal(err)
		}
		if v.State.Expired != tc.want || slices.Contains(kinds(v), "expired") != tc.want {
			t.Errorf("at %s: expired %v warnings %v, want %v", tc.now.Format(time.DateOnly), v.State.Expired, kinds(v), tc.want)
		}
	}
}

func TestDataAttributesOfALinkAreReadButDoNotChangeWhatIsLookedUp(t *testing.T) {
	w := newWorld(t, 1, public.Config{})
	lot := rawLot(w.stories[0])
	v, err := w.public.Lookup(context.Background(), lot+"?17=251231")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Found || !slices.Contains(v.Dates, public.Date{Kind: "expiry", Date: "2025-12-31"}) {
		t.Errorf("found %v dates %+v: want the lot's events and the label's expiry", v.Found, v.Dates)
	}
}

func TestMalformedCodesAreRefusedWithTheReason(t *testing.T) {
	w := newWorld(t, 1, public.Config{})
	for _, in := range []string{"", "6901234567891", "not a code", "(01)0952123454321"} {
		_, err := w.public.Lookup(context.Background(), in)
		if !zhuisu.IsCode(err, zhuisu.EInvalid) || zhuisu.ErrorMessage(err) == "" {
			t.Errorf("%q: %v, want an invalid error with a reason", in, err)
		}
	}
}

// A view built just before the recall flags it used are read again is not kept past
// them: a recall made by another process shows within the cache's lifetime of being made.
func TestAViewIsNotKeptPastTheRecallFlagsItWasBuiltFrom(t *testing.T) {
	w := newWorld(t, 3, public.Config{CacheTTL: 10 * time.Second})
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	now := start
	w.public.SetClock(func() time.Time { return now })
	recalled := func(code string) bool { t.Helper(); return isRecalled(t, w, code) }
	recalled(soldUnit(w.stories[2])) // the flags are read now
	now = start.Add(time.Second)
	if _, err := recall.New(w.st, w.trace).Create(ctx, "91350100M000100Y43", []string{rawLot(w.stories[0])}, "农残超标"); err != nil {
		t.Fatal(err)
	}
	now = start.Add(9900 * time.Millisecond)
	if recalled(soldUnit(w.stories[0])) { // built from the flags read at start
		t.Fatal("a recall not told of shows before the flags are read again")
	}
	now = start.Add(11 * time.Second) // 10 s after the recall
	if !recalled(soldUnit(w.stories[0])) {
		t.Error("the recall does not show within the cache's lifetime of being made: the view outlived its flags")
	}
}
