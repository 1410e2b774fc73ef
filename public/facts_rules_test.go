package public_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/workload"
)

// The read point names the place when there is no business location; every
// Date name of the lot master data is read.
func TestFactsTakeThePlaceFromTheReadPointAndEveryExpiryName(t *testing.T) {
	e := workload.New(1).Story()[0]
	want := public.FactsOf(e).Place
	e.BizLocation = nil
	ilmd := epcis.Extensions{{Space: "https://zhuisu.example/ns", Prefix: "zs", Local: "itemExpirationDate", Kind: epcis.KindString, Value: "2027-01-02"}}
	e.ILMD = &ilmd
	f := public.FactsOf(e)
	if want == "" || f.Place != want {
		t.Errorf("place %q from the read point, want %q", f.Place, want)
	}
	if len(f.Dates) != 1 || f.Dates[0].Kind != "expiry" {
		t.Errorf("dates %+v, want the expiry", f.Dates)
	}
}

// A later event without master data dates nothing; a later producer does not
// Replace the first.
func TestLaterEventsNeitherDateTheGoodsWithoutMasterDataNorReplaceTheirProducer(t *testing.T) {
	w := newWorld(t, 1, public.Config{})
	ctx := context.Background()
	unit := unsoldUnit(w.stories[0])
	before, err := w.public.Lookup(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	at := w.stories[0][len(w.stories[0])-1].EventTime.Add(time.Hour)
	plain := &epcis.Event{Type: epcis.ObjectEvent, EventTime: at, EventTimeZoneOffset: "+08:00", Action: epcis.ActionObserve,
		BizStep: "commissioning", EPCList: []string{unit}}
	ilmd := epcis.Extensions{{Space: "https://zhuisu.example/ns", Prefix: "zs", Local: "producer", Kind: epcis.KindString, Value: "别家农场"}}
	other := &epcis.Event{Type: epcis.ObjectEvent, EventTime: at.Add(time.Hour), EventTimeZoneOffset: "+08:00", Action: epcis.ActionAdd,
		BizStep: "inspecting", EPCList: []string{unit}, ILMD: &ilmd}
	w.captureDoc(t, &epcis.Document{SchemaVersion: "2.0", Events: []*epcis.Event{plain, other}})
	if err := w.public.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := w.public.Lookup(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after.Dates, before.Dates) {
		t.Errorf("dates %+v, were %+v", after.Dates, before.Dates)
	}
	if after.Producer != before.Producer {
		t.Errorf("producer %q, was %q", after.Producer, before.Producer)
	}
}

// A recall that flags only the lot warns on the unit made from it.
func TestARecallFlaggingOnlyTheLotWarnsOnItsUnits(t *testing.T) {
	w := newWorld(t, 1, public.Config{})
	ctx := context.Background()
	r := &store.Recall{ID: "RC-x", Reason: "r", Subject: "91350100M000100Y43", CreatedAt: time.Now().UTC(), Status: store.RecallOpen,
		Codes: []store.RecallCode{{Given: rawLot(w.stories[0]), Canonical: rawLot(w.stories[0])}}, Identifiers: []string{rawLot(w.stories[0])}}
	if err := w.st.CreateRecall(ctx, r); err != nil {
		t.Fatal(err)
	}
	w.public.InvalidateAll()
	if !isRecalled(t, w, soldUnit(w.stories[0])) {
		t.Error("a recall of the unit's lot does not show on the unit")
	}
}
