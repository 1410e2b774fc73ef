package recall_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/workload"
)

// story is one demo farm-to-table story as captured, with the codes and parties it
// names, read from its events (see workload.Story) rather than restated here.
type story struct {
	events                               []*epcis.Event
	rawLot, pallet, lotCode              string
	kg                                   float64
	items                                []string
	processor, wholesaler, shop, canteen string
	shopPlace, canteenPlace, wholesaleAt string
}

func readStory(events []*epcis.Event) story {
	s := story{events: events}
	s.rawLot = events[0].QuantityList[0].EPCClass
	s.kg = *events[0].QuantityList[0].Quantity
	s.processor = events[1].DestinationList[0].Value
	s.items = events[2].OutputEPCList
	for _, n := range *events[2].ILMD {
		if n.Local == "lot" {
			s.lotCode = n.Value
		}
	}
	s.pallet = events[3].ParentID
	s.wholesaler, s.wholesaleAt = events[4].DestinationList[0].Value, events[4].DestinationList[1].Value
	s.shop, s.shopPlace = events[7].DestinationList[0].Value, events[7].DestinationList[1].Value
	s.canteen, s.canteenPlace = events[8].DestinationList[0].Value, events[8].DestinationList[1].Value
	return s
}

// ids lists every lot, item and pallet of a story.
func (s story) ids() []string { return append([]string{s.rawLot, s.pallet}, s.items...) }

type fixture struct {
	st      store.Store
	svc     *recall.Service
	stories []story
	now     time.Time
}

// newFixture loads three demo stories into a fresh SQLite store.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, _ := testkit.SQLite(t)
	f := &fixture{st: st, now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	g := workload.New(7)
	for range 3 {
		events := g.Story()
		if _, err := capture.New(st).Capture(ctx, &epcis.Document{Events: events}, "91350100M000100Y43"); err != nil {
			t.Fatal(err)
		}
		f.stories = append(f.stories, readStory(events))
	}
	f.svc = recall.New(st, trace.New(st))
	f.svc.Now = func() time.Time { return f.now }
	return f
}

func (f *fixture) flagged(t *testing.T, ids []string) map[string]bool {
	t.Helper()
	flags, err := f.st.RecallFlags(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, fl := range flags {
		out[fl.ID] = true
	}
	return out
}

func holderOf(r *store.Recall, party string) *store.RecallHolder {
	for _, h := range r.Holders {
		if h.Party == party {
			return h
		}
	}
	return nil
}

func product(id string) string {
	c, _ := codes.ClassOf(id)
	return c
}

func TestRecallOfAHarvestedLotReachesEveryDownstreamHolderWithWhatItReceived(t *testing.T) {
	f := newFixture(t)
	s := f.stories[1]
	// The lot is given in GS1 element-string form; the recall works on its canonical URI.
	dl, err := codes.ParseDigitalLink(s.rawLot)
	if err != nil {
		t.Fatal(err)
	}
	given := "(01)" + dl.Key.Value + "(10)" + s.lotCode
	r, err := f.svc.Create(context.Background(), "91350100M000100Y43", []string{given}, "农药残留超标 pesticide residue")
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if len(r.Codes) != 1 || r.Codes[0].Canonical != s.rawLot || r.Codes[0].Given != given {
		t.Errorf("codes %+v, want %s as given and %s", r.Codes, given, s.rawLot)
	}
	half := float64(len(s.items) / 2)
	type want struct {
		party, product, lot, uom string
		qty                      float64
		locations                []string
	}
	wants := []want{
		{s.processor, product(s.rawLot), s.lotCode, "KGM", s.kg, []string{}},
		{s.wholesaler, product(s.items[0]), s.lotCode, "", float64(len(s.items)), []string{s.wholesaleAt}},
		{s.shop, product(s.items[0]), s.lotCode, "", half, []string{s.shopPlace}},
		{s.canteen, product(s.items[0]), s.lotCode, "", float64(len(s.items)) - half, []string{s.canteenPlace}},
	}
	got, err := f.svc.Recall(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Holders) != len(wants) {
		var ps []string
		for _, h := range got.Holders {
			ps = append(ps, h.Party)
		}
		t.Fatalf("holders %v, want the processor, wholesaler, supermarket and canteen", ps)
	}
	for _, w := range wants {
		h := holderOf(got, w.party)
		if h == nil {
			t.Errorf("holder %s missing", w.party)
			continue
		}
		if len(h.Received) != 1 {
			t.Errorf("holder %s received %+v, want one line", w.party, h.Received)
			continue
		}
		q := h.Received[0]
		if q.Product != w.product || q.Lot != w.lot || q.UOM != w.uom || q.Quantity == nil || *q.Quantity != w.qty {
			t.Errorf("holder %s received %+v (quantity %v), want %v %s of %s lot %s", w.party, q, q.Quantity, w.qty, w.uom, w.product, w.lot)
		}
		if !slices.Equal(h.Locations, w.locations) {
			t.Errorf("holder %s at %v, want %v", w.party, h.Locations, w.locations)
		}
		if h.Status != store.HolderNotified || len(h.History) != 1 || !h.UpdatedAt.Equal(f.now) {
			t.Errorf("holder %s: status %s, %d history entries, updated %v", w.party, h.Status, len(h.History), h.UpdatedAt)
		}
	}

	flags := f.flagged(t, append(append(f.stories[0].ids(), s.ids()...), f.stories[2].ids()...))
	for _, id := range s.ids() {
		if !flags[id] {
			t.Errorf("%s of the recalled story is not flagged", id)
		}
	}
	for _, other := range []story{f.stories[0], f.stories[2]} {
		for _, id := range other.ids() {
			if flags[id] {
				t.Errorf("%s of another story is flagged", id)
			}
		}
	}
}

func TestRecallOfAPalletFlagsItsItemsButNothingUpstream(t *testing.T) {
	f := newFixture(t)
	s := f.stories[0]
	r, err := f.svc.Create(context.Background(), "", []string{s.pallet}, "包装破损 damaged packaging")
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	flags := f.flagged(t, s.ids())
	if flags[s.rawLot] {
		t.Errorf("the harvested lot upstream of the pallet is flagged")
	}
	for _, id := range append([]string{s.pallet}, s.items...) {
		if !flags[id] {
			t.Errorf("%s is not flagged", id)
		}
	}
	if holderOf(r, s.processor) != nil {
		t.Errorf("the processor, which shipped the pallet, is a holder")
	}
	h := holderOf(r, s.wholesaler)
	if h == nil || len(h.Received) != 1 || *h.Received[0].Quantity != float64(len(s.items)) {
		t.Errorf("wholesaler received %+v, want the %d items on the pallet", h, len(s.items))
	}
}

func TestRecallWithABadOrUnknownCodeFailsAndStoresNothing(t *testing.T) {
	f := newFixture(t)
	known := f.stories[0].rawLot
	cases := []struct {
		name  string
		codes []string
		code  zhuisu.Code
		field string
	}{
		{"malformed", []string{known, "(01)06923456001016"}, zhuisu.EInvalid, "codes[1]"},
		{"unknown", []string{known, "https://id.gs1.org/01/06923456001015/10/NOSUCHLOT"}, zhuisu.ENotFound, "codes[1]"},
		{"none", nil, zhuisu.EInvalid, "codes"},
		{"party", []string{known, "https://id.gs1.org/417/" + workload.GLN(workload.Parties[4].Company, 0)}, zhuisu.EInvalid, "codes[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Create(context.Background(), "", tc.codes, "reason")
			var ze *zhuisu.Error
			if !zhuisu.IsCode(err, tc.code) || !asError(err, &ze) || ze.Field != tc.field {
				t.Fatalf("Create: %v, want %s at %s", err, tc.code, tc.field)
			}
			if len(tc.codes) > 1 && !containsString(ze.Message, tc.codes[1]) {
				t.Errorf("message %q does not name the code %s", ze.Message, tc.codes[1])
			}
			if l, err := f.svc.Recalls(context.Background(), "", 10); err != nil || len(l) != 0 {
				t.Errorf("after a failed recall the store lists %d recalls (%v)", len(l), err)
			}
			if flags := f.flagged(t, []string{known}); flags[known] {
				t.Errorf("a failed recall flagged %s", known)
			}
		})
	}
	for name, reason := range map[string]string{"empty": "  ", "with a NUL": "bad\x00reason", "too long": strings.Repeat("x", recall.MaxReasonLength+1)} {
		if _, err := f.svc.Create(context.Background(), "", []string{known}, reason); !zhuisu.IsCode(err, zhuisu.EInvalid) {
			t.Errorf("reason %s: %v, want invalid", name, err)
		}
	}
	if l, err := f.svc.Recalls(context.Background(), "", 10); err != nil || len(l) != 0 {
		t.Errorf("after refused reasons the store lists %d recalls (%v)", len(l), err)
	}
}

func TestHolderStatusesFollowTheRules(t *testing.T) {
	f := newFixture(t)
	s := f.stories[2]
	ctx := context.Background()
	r, err := f.svc.Create(ctx, "", []string{s.rawLot}, "recall")
	if err != nil {
		t.Fatal(err)
	}
	received := float64(len(s.items) / 2)
	q := func(v float64) *float64 { return &v }
	steps := []struct {
		name   string
		party  string
		update recall.HolderUpdate
		code   zhuisu.Code // empty: accepted
	}{
		{"AcknowledgedFromNotified", s.shop, recall.HolderUpdate{Status: "acknowledged", Note: "已收到通知"}, ""},
		{"AcknowledgedTwiceIsAConflict", s.shop, recall.HolderUpdate{Status: "acknowledged"}, zhuisu.EConflict},
		{"BackToNotifiedIsInvalid", s.shop, recall.HolderUpdate{Status: "notified"}, zhuisu.EInvalid},
		{"UnknownStatusIsInvalid", s.shop, recall.HolderUpdate{Status: "lost"}, zhuisu.EInvalid},
		{"NegativeQuantityIsInvalid", s.shop, recall.HolderUpdate{Status: "returned", Quantity: q(-1)}, zhuisu.EInvalid},
		{"ReturnWithoutQuantityIsInvalid", s.shop, recall.HolderUpdate{Status: "returned"}, zhuisu.EInvalid},
		{"ReturnedPart", s.shop, recall.HolderUpdate{Status: "returned", Quantity: q(1)}, ""},
		{"MoreThanReceivedIsInvalid", s.shop, recall.HolderUpdate{Status: "destroyed", Quantity: q(received)}, zhuisu.EInvalid},
		{"DestroyedTheRest", s.shop, recall.HolderUpdate{Status: "destroyed", Quantity: q(received - 1)}, ""},
		{"KilogramsReturnedByTheProcessor", s.processor, recall.HolderUpdate{Status: "returned", Quantity: q(10.5)}, ""},
		{"UnknownHolderIsNotFound", "https://id.gs1.org/417/6900000000002", recall.HolderUpdate{Status: "acknowledged"}, zhuisu.ENotFound},
		{"NoHolderNamedIsInvalid", " ", recall.HolderUpdate{Status: "acknowledged"}, zhuisu.EInvalid},
		{"ControlCharacterInNoteIsInvalid", s.canteen, recall.HolderUpdate{Status: "acknowledged", Note: "a\x1bb"}, zhuisu.EInvalid},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, err := f.svc.UpdateHolder(ctx, "91350100M000100Y43", r.ID, st.party, st.update)
			if st.code == "" && err != nil || st.code != "" && !zhuisu.IsCode(err, st.code) {
				t.Fatalf("UpdateHolder: %v, want %q", err, st.code)
			}
		})
	}
	got, err := f.svc.Recall(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	shop := holderOf(got, s.shop)
	var statuses []string
	for _, c := range shop.History {
		statuses = append(statuses, c.Status)
	}
	if shop.Status != "destroyed" || shop.Returned != 1 || shop.Destroyed != received-1 ||
		!slices.Equal(statuses, []string{"notified", "acknowledged", "returned", "destroyed"}) || shop.History[1].Note != "已收到通知" {
		t.Errorf("shop after the steps: status %s returned %v destroyed %v history %v", shop.Status, shop.Returned, shop.Destroyed, statuses)
	}
	if p := holderOf(got, s.processor); p.Returned != 10.5 || p.Status != "returned" {
		t.Errorf("processor: returned %v status %s", p.Returned, p.Status)
	}
	if _, err := f.svc.Close(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateHolder(ctx, "", r.ID, s.canteen, recall.HolderUpdate{Status: "acknowledged"}); !zhuisu.IsCode(err, zhuisu.EConflict) {
		t.Errorf("update after close: %v, want conflict", err)
	}
	if flags := f.flagged(t, s.ids()); len(flags) != 0 {
		t.Errorf("a closed recall still flags %v", flags)
	}
}

func TestRecallSpreadsheetHoldsEveryEventOfTheAffectedGoods(t *testing.T) {
	f := newFixture(t)
	s := f.stories[0]
	ctx := context.Background()
	r, err := f.svc.Create(ctx, "91350100M000100Y43", []string{s.rawLot}, "包装破损 damaged packaging")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.svc.Rows(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	inSheet := map[string]bool{}
	for _, row := range rows {
		inSheet[row.EventID] = true
	}
	// Every event of the story names one of its lots, items or its pallet: the linking
	// ones (shipping, processing, packing) and those that only observe goods (receiving,
	// retail sale) alike.
	affected := map[string]bool{}
	for _, id := range s.ids() {
		affected[id] = true
	}
	steps := map[string]bool{}
	for _, e := range s.events {
		var names []string
		names = append(append(append(append(names, e.EPCList...), e.ChildEPCs...), e.InputEPCList...), e.OutputEPCList...)
		names = append(names, e.ParentID)
		for _, q := range slices.Concat(e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList) {
			names = append(names, q.EPCClass)
		}
		if !slices.ContainsFunc(names, func(n string) bool { return affected[n] }) {
			continue
		}
		steps[e.BizStep] = true
		if !inSheet[e.EventID] {
			t.Errorf("event %s (%s) names affected goods but is not in the spreadsheet", e.EventID, e.BizStep)
		}
	}
	if len(steps) < 5 {
		t.Fatalf("the story's events cover only the steps %v: the test needs a richer story", steps)
	}
	// Other stories' events stay out.
	for _, other := range []story{f.stories[1], f.stories[2]} {
		for _, e := range other.events {
			if inSheet[e.EventID] {
				t.Errorf("event %s of another story is in the spreadsheet", e.EventID)
			}
		}
	}
}

func TestRecallTellsWhichFlagsRoseAndFell(t *testing.T) {
	f := newFixture(t)
	s := f.stories[2]
	var told [][]string
	f.svc.Flagged = func(ids []string) { told = append(told, ids) }
	r, err := f.svc.Create(context.Background(), "91350100M000100Y43", []string{s.pallet}, "冷链中断 cold chain broken")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Close(context.Background(), r.ID); err != nil {
		t.Fatal(err)
	}
	if len(told) != 2 || !slices.Equal(told[0], r.Identifiers) || !slices.Equal(told[1], r.Identifiers) || !slices.Contains(told[0], s.items[0]) {
		t.Fatalf("told %v, want the recall's identifiers %v at creation and at closing", told, r.Identifiers)
	}
}
