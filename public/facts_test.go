package public_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/epcis"

	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/workload"
	_ "modernc.org/sqlite"
)

// Facts survive their stored form unchanged, and any cut of that form is refused rather
// than read as other facts.
func TestStoredFactsReadBackAsTheyWereAndCutOnesAreRefused(t *testing.T) {
	gen := workload.New(3)
	n := 0
	for range 20 {
		for _, e := range append(gen.Story(), gen.LinkedBatch()...) {
			f := public.FactsOf(e)
			b := f.Append(nil)
			got, ok := public.ParseFacts(b)
			if !ok {
				t.Fatalf("event %s: its stored facts do not read back", e.EventID)
			}
			if !got.Time.Equal(f.Time) || got.Time.Format(time.RFC3339Nano) != f.Time.Format(time.RFC3339Nano) {
				t.Fatalf("time %s read back as %s", f.Time.Format(time.RFC3339Nano), got.Time.Format(time.RFC3339Nano))
			}
			got.Time = f.Time
			if !reflect.DeepEqual(got, f) {
				t.Fatalf("facts\n%+v\nread back as\n%+v", f, got)
			}
			for cut := range len(b) {
				if _, ok := public.ParseFacts(b[:cut]); ok {
					t.Fatalf("facts cut to %d of %d bytes read back", cut, len(b))
				}
			}
			n++
		}
	}
	if _, ok := public.ParseFacts(append([]byte{0x7f}, public.FactsOf(gen.Story()[0]).Append(nil)[1:]...)); ok {
		t.Error("facts of another version read back")
	}
	t.Logf("%d events", n)
}

// viewsJSON looks codes up on a fresh public service of w and gives their views' JSON,
// without the time they were built.
func viewsJSON(t *testing.T, w *world, codes []string) []string {
	t.Helper()
	svc := public.New(w.st, w.trace, w.log, public.Config{})
	var out []string
	for _, c := range codes {
		v, err := svc.Lookup(context.Background(), c)
		if err != nil {
			t.Fatalf("lookup %s: %v", c, err)
		}
		v.BuiltAt = time.Time{} // a view of a service used only here
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// rawStore opens the world's SQLite file beside its store, to change what is stored.
func rawStore(t *testing.T, w *world) *sql.DB {
	db, err := sql.Open("sqlite", w.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A view assembled from the facts stored at capture is the view assembled from the events
// themselves: for units sold and unsold, lots and pallets, when the facts are missing
// (events stored before they were kept) and when they are of another format.
func TestViewsFromStoredFactsAreTheViewsFromTheEvents(t *testing.T) {
	w := newWorld(t, 12, public.Config{})
	var codes []string
	for _, s := range w.stories {
		codes = append(codes, soldUnit(s), unsoldUnit(s), rawLot(s))
		for _, e := range s {
			if e.BizStep == "packing" {
				codes = append(codes, e.ParentID) // the pallet
			}
		}
	}
	fromFacts := viewsJSON(t, w, codes)
	for _, c := range []struct{ name, update string }{
		{"no facts", `UPDATE events SET facts = NULL`},
		{"another format", `UPDATE events SET facts = X'7f00'`},
	} {
		if _, err := rawStore(t, w).Exec(c.update); err != nil {
			t.Fatal(err)
		}
		fromEvents := viewsJSON(t, w, codes)
		for i := range codes {
			if fromFacts[i] != fromEvents[i] {
				t.Errorf("%s: the view of %s\nfrom facts:  %s\nfrom events: %s", c.name, codes[i], fromFacts[i], fromEvents[i])
			}
		}
	}
	if !strings.Contains(fromFacts[0], `"status":"verified"`) || !strings.Contains(fromFacts[0], `"stage":"harvest"`) {
		t.Errorf("the sold unit's view is not complete: %s", fromFacts[0])
	}
}

// The integrity badge vouches for what the page shows of the record it proves: facts
// changed in the store beside that record fail it.
func TestChangedFactsOfTheProvedRecordFailTheBadge(t *testing.T) {
	w := newWorld(t, 3, public.Config{})
	unit := soldUnit(w.stories[1])
	db := rawStore(t, w)
	var seq int64
	var stored []byte
	// The sale is the latest record about the sold unit: the one its badge proves.
	if err := db.QueryRow(`SELECT seq, facts FROM events WHERE biz_step = 'retail_selling' ORDER BY seq LIMIT 1 OFFSET 1`).Scan(&seq, &stored); err != nil {
		t.Fatal(err)
	}
	f, ok := public.ParseFacts(stored)
	if !ok || f.Stage != "retail" || !slices.Contains(f.Identifiers, unit) {
		t.Fatalf("seq %d: facts %+v (read %v) are not the sale of %s", seq, f, ok, unit)
	}
	f.Place = "某某超市"
	if _, err := db.Exec(`UPDATE events SET facts = ? WHERE seq = ?`, f.Append(nil), seq); err != nil {
		t.Fatal(err)
	}
	v, err := public.New(w.st, w.trace, w.log, public.Config{}).Lookup(context.Background(), unit)
	if err != nil {
		t.Fatal(err)
	}
	if v.Integrity.Status != "failed" || !strings.Contains(v.Integrity.Problem, "facts") {
		t.Errorf("integrity %+v, want failed: the facts are not the record's", v.Integrity)
	}
}

// What FactsOf gives for a version of the stored form is pinned: stored facts are compared
// byte for byte with the facts worked out again (the integrity badge does so), so a change
// in FactsOf, in the encoding or in the human forms of codes must come with a new
// factsVersion — and then a new digest here.
func TestFactsOfVersion1AreAsPinned(t *testing.T) {
	const pinned = "9e410c9123b1cdb110756e2eebc277fa295ee05927a707edd6c1545c9290bcba"
	gen := workload.New(11)
	h := sha256.New()
	for range 30 {
		for _, e := range append(append(gen.Story(), gen.LinkedBatch()...), gen.Document(20).Events...) {
			h.Write(public.FactsOf(e).Append(nil))
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != pinned {
		t.Errorf("the facts of the pinned events hash to %s, not %s: if FactsOf, the encoding or the human forms of codes changed on purpose, raise factsVersion and pin the new digest", got, pinned)
	}
}

// CheckFacts compares every event's stored facts with its record's: all hold on a store
// as captured, a changed one is named, one stored without facts is counted apart.
func TestCheckFactsNamesTheEventWhoseFactsAreNotItsRecords(t *testing.T) {
	w := newWorld(t, 40, public.Config{})
	ctx := context.Background()
	n, err := w.st.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := public.CheckFacts(ctx, w.st, 2)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Problem != "" || fc.Checked != n || fc.Without != 0 {
		t.Fatalf("as captured: %+v, want all %d checked", fc, n)
	}
	db := rawStore(t, w)
	if _, err := db.Exec(`UPDATE events SET facts = NULL WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := db.QueryRow(`SELECT facts FROM events WHERE seq = 301`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	f, ok := public.ParseFacts(stored)
	if !ok {
		t.Fatal("the facts of event 301 do not read")
	}
	f.Producer = "别家农场"
	if _, err := db.Exec(`UPDATE events SET facts = ? WHERE seq = 301`, f.Append(nil)); err != nil {
		t.Fatal(err)
	}
	fc, err = public.CheckFacts(ctx, w.st, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fc.Problem, "event 301:") || fc.Without != 1 || fc.Checked != 300 {
		t.Errorf("after changing event 301's facts and dropping event 3's: %+v, want event 301 named after the 300 before it checked and 1 without", fc)
	}
}

// storyViews captures one story, changed first by change, into a new world and gives the
// view of its sold unit from stored facts, from no facts, and from the facts of all
// events but those in without.
func storyViews(t *testing.T, change func(s []*epcis.Event), without ...int) (all, none, mixed string) {
	t.Helper()
	w := newWorld(t, 0, public.Config{})
	s := workload.New(7).Story()
	change(s)
	w.captureDoc(t, &epcis.Document{SchemaVersion: "2.0", Events: s})
	unit := soldUnit(s)
	all = viewsJSON(t, w, []string{unit})[0]
	db := rawStore(t, w)
	for _, seq := range without {
		if _, err := db.Exec(`UPDATE events SET facts = NULL WHERE seq = ?`, seq); err != nil {
			t.Fatal(err)
		}
	}
	mixed = viewsJSON(t, w, []string{unit})[0]
	if _, err := db.Exec(`UPDATE events SET facts = NULL`); err != nil {
		t.Fatal(err)
	}
	none = viewsJSON(t, w, []string{unit})[0]
	return all, none, mixed
}

// Events of one time keep their stored order whether their facts were stored or worked
// out again: a store holding both (events from before facts were kept, or facts of an
// older version) shows the same view, ends the same unit and proves the same record.
func TestEventsOfOneTimeKeepTheirOrderInAStoreWithAndWithoutFacts(t *testing.T) {
	all, none, mixed := storyViews(t, func(s []*epcis.Event) {
		s[len(s)-1].EventTime = s[len(s)-3].EventTime // the sale at the time of the shipment before it
	}, 7)
	if all != none || mixed != all {
		t.Errorf("views differ:\nall facts: %s\nno facts:  %s\nmixed:     %s", all, none, mixed)
	}
	if !strings.Contains(all, `"ended":"sold"`) {
		t.Errorf("the sold unit is not sold: %s", all)
	}
}

// An event may say any year: its facts keep the time it says.
func TestFactsKeepTimesOutsideTheYearsOfUnixNanoseconds(t *testing.T) {
	for _, year := range []int{1600, 2300, 9999} {
		all, none, _ := storyViews(t, func(s []*epcis.Event) {
			last := s[len(s)-1]
			last.EventTime = time.Date(year, 3, 4, 5, 6, 7, 8, last.EventTime.Location())
		})
		if all != none {
			t.Errorf("year %d: views differ:\nfacts:  %s\nevents: %s", year, all, none)
		}
		if !strings.Contains(all, fmt.Sprintf(`"time":"%d-03-04T05:06:07.000000008`, year)) {
			t.Errorf("year %d: the sale's time is not in the view: %s", year, all)
		}
	}
}

// Stored facts whose time no event can give (a zone a day or more off, nanoseconds
// past a second) are refused, and the event's facts worked out again.
func TestFactsWithImpossibleTimesAreRefused(t *testing.T) {
	e := workload.New(3).Story()[0]
	good := public.FactsOf(e).Append(nil)
	if _, ok := public.ParseFacts(good); !ok {
		t.Fatal("good facts refused")
	}
	for _, c := range []struct {
		name string
		t    time.Time
	}{
		{"zone 30 hours east", time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 30*3600))},
		{"zone 24 hours west", time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -24*3600))},
	} {
		f := public.FactsOf(e)
		f.Time = c.t
		if _, ok := public.ParseFacts(f.Append(nil)); ok {
			t.Errorf("%s: facts read back", c.name)
		}
	}
	// Nanoseconds past a second: the byte after the seconds.
	bad := slices.Clone(good)
	secs := binary.AppendVarint(nil, public.FactsOf(e).Time.Unix())
	bad = slices.Concat(bad[:1+len(secs)], binary.AppendUvarint(nil, 2e9), bad[1+len(secs)+len(binary.AppendUvarint(nil, uint64(e.EventTime.Nanosecond()))):])
	if _, ok := public.ParseFacts(bad); ok {
		t.Error("facts with 2e9 nanoseconds read back")
	}
}
