package public_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/recall"
)

// The newest record, not yet in a checkpoint, shows as pending.
func TestARecordNotYetInACheckpointShowsPending(t *testing.T) {
	w := newWorld(t, 1, public.Config{})
	ctx := context.Background()
	unit := unsoldUnit(w.stories[0])
	destroy := &epcis.Event{Type: epcis.ObjectEvent, EventTime: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), EventTimeZoneOffset: "+08:00",
		Action: epcis.ActionObserve, BizStep: "destroying", Disposition: "destroyed", EPCList: []string{unit}}
	if _, err := w.capture.Capture(ctx, &epcis.Document{SchemaVersion: "2.0", Events: []*epcis.Event{destroy}}, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.public.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := w.public.Lookup(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	if v.Integrity.Status != "pending" {
		t.Errorf("integrity %+v, want pending", v.Integrity)
	}
}

// A record stored late but dated early shows in time order.
func TestStepsAreInTimeOrderWhateverOrderTheyWereStored(t *testing.T) {
	w := newWorld(t, 1, public.Config{})
	ctx := context.Background()
	unit := unsoldUnit(w.stories[0])
	early := &epcis.Event{Type: epcis.ObjectEvent, EventTime: w.stories[0][0].EventTime.Add(-time.Hour), EventTimeZoneOffset: "+08:00",
		Action: epcis.ActionObserve, BizStep: "inspecting", EPCList: []string{unit}}
	w.captureDoc(t, &epcis.Document{SchemaVersion: "2.0", Events: []*epcis.Event{early}})
	if err := w.public.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := w.public.Lookup(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(v.Steps, func(a, b public.Step) int { return a.Time.Compare(b.Time) }) {
		t.Errorf("steps not in time order")
	}
}

// MaxEvents bounds the steps.
func TestMaxEventsBoundsTheStepsOfAView(t *testing.T) {
	w := newWorld(t, 1, public.Config{MaxEvents: 2})
	v, err := w.public.Lookup(context.Background(), soldUnit(w.stories[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Steps) != 2 {
		t.Errorf("%d steps, want 2", len(v.Steps))
	}
}

// Fields of the sold and unsold units' views.
func TestStepsCarryRegionAndProcessorAndAnUnsoldUnitHasNoEndTime(t *testing.T) {
	w := newWorld(t, 1, public.Config{})
	ctx := context.Background()
	v, err := w.public.Lookup(ctx, unsoldUnit(w.stories[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !v.State.EndedAt.IsZero() {
		t.Errorf("unsold unit: EndedAt %v", v.State.EndedAt)
	}
	for _, st := range v.Steps {
		switch st.Stage {
		case "harvest":
			if st.Region == "" || st.Region != v.Origin {
				t.Errorf("harvest step region %q, origin %q", st.Region, v.Origin)
			}
		case "processing":
			if st.Actor == "" || st.Actor != v.Processor {
				t.Errorf("processing step actor %q, processor %q", st.Actor, v.Processor)
			}
		}
	}
}

// Recall flags read again at exactly the cache's lifetime and when the clock goes back.
func TestRecallFlagsAreReadAgainAtTheCacheLifetimeAndWhenTheClockGoesBack(t *testing.T) {
	for _, step := range []time.Duration{10 * time.Second, -time.Second} {
		w := newWorld(t, 3, public.Config{CacheTTL: 10 * time.Second})
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		w.public.SetClock(func() time.Time { return now })
		if _, err := w.public.Lookup(ctx, soldUnit(w.stories[2])); err != nil {
			t.Fatal(err)
		}
		if _, err := recall.New(w.st, w.trace).Create(ctx, "91350100M000100Y43", []string{rawLot(w.stories[0])}, "农残超标"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(step)
		if !isRecalled(t, w, soldUnit(w.stories[0])) {
			t.Errorf("clock moved %v: recall made elsewhere not shown", step)
		}
	}
}

// InvalidateAll reads flags again.
func TestInvalidateAllReadsRecallFlagsAgain(t *testing.T) {
	w := newWorld(t, 3, public.Config{CacheTTL: time.Hour})
	ctx := context.Background()
	if _, err := w.public.Lookup(ctx, soldUnit(w.stories[2])); err != nil {
		t.Fatal(err)
	}
	if _, err := recall.New(w.st, w.trace).Create(ctx, "91350100M000100Y43", []string{rawLot(w.stories[0])}, "农残超标"); err != nil {
		t.Fatal(err)
	}
	w.public.InvalidateAll()
	if !isRecalled(t, w, soldUnit(w.stories[0])) {
		t.Error("after InvalidateAll the recall does not show")
	}
}

// CheckFacts checks the last event too.
func TestCheckFactsChecksTheLastEventToo(t *testing.T) {
	w := newWorld(t, 2, public.Config{})
	ctx := context.Background()
	n, _ := w.st.CountEvents(ctx)
	db := rawStore(t, w)
	if _, err := db.Exec(`UPDATE events SET facts = (SELECT facts FROM events WHERE seq = 0) WHERE seq = ?`, n-1); err != nil {
		t.Fatal(err)
	}
	fc, err := public.CheckFacts(ctx, w.st, 2)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Problem == "" {
		t.Errorf("last event's changed facts not found: %+v", fc)
	}
}

// Stored facts: trailing bytes, other zones, huge counts.
func TestStoredFactsWithATrailingByteOrAHugeCountAreRefusedAndOtherZonesKept(t *testing.T) {
	f := &public.Facts{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 9*3600)), Stage: "retail", Identifiers: []string{"a"}}
	b := f.Append(nil)
	got, ok := public.ParseFacts(b)
	if !ok || got.Time.Format(time.RFC3339) != f.Time.Format(time.RFC3339) {
		t.Errorf("+09:00 read back as %v", got.Time)
	}
	if _, ok := public.ParseFacts(append(b, 0)); ok {
		t.Error("facts with a trailing byte read back")
	}
	// The version; seconds, nanoseconds, zone and master data all 0; nine empty strings;
	// then a count of dates near 2^62.
	huge := append([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40)
	if _, ok := public.ParseFacts(huge[:14]); ok {
		t.Error("facts cut before their lists read back")
	}
	if _, ok := public.ParseFacts(huge); ok {
		t.Error("a huge count read back")
	}
}
