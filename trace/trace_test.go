package trace_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/lineage"
	"github.com/zhuisu/zhuisu/store/postgres"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/workload"
)

func f(x float64) *float64 { return &x }

// A farm commissions a lot of tea, a processor transforms it into packed boxes shipped to
// a market; a second, later capture declares one box event erroneous.
func TestTraceFollowsTheStoreAndItsDeclarations(t *testing.T) {
	ctx := context.Background()
	st, _ := testkit.SQLite(t)
	cap := capture.New(st)
	t0 := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	const (
		leaves = "https://id.gs1.org/01/09521234543213/10/LEAF1"
		box1   = "https://id.gs1.org/01/09521234000013/21/1"
		box2   = "https://id.gs1.org/01/09521234000013/21/2"
		market = "https://id.gs1.org/417/9521234999997"
	)
	ev := func(mod func(e *epcis.Event)) *epcis.Event {
		e := &epcis.Event{Type: epcis.ObjectEvent, EventTime: t0, EventTimeZoneOffset: "+08:00", Action: "OBSERVE"}
		mod(e)
		t0 = t0.Add(time.Hour)
		return e
	}
	doc := &epcis.Document{Events: []*epcis.Event{
		ev(func(e *epcis.Event) {
			e.Action, e.BizStep = "ADD", "commissioning"
			e.QuantityList = []epcis.QuantityElement{{EPCClass: leaves, Quantity: f(120), UOM: "KGM"}}
		}),
		ev(func(e *epcis.Event) {
			e.Type, e.Action = epcis.TransformationEvent, ""
			e.InputQuantityList = []epcis.QuantityElement{{EPCClass: leaves, Quantity: f(100), UOM: "KGM"}}
			e.OutputEPCList = []string{box1, box2}
			e.BizStep = "commissioning"
		}),
		ev(func(e *epcis.Event) {
			e.BizStep = "shipping"
			e.EPCList = []string{box1}
			e.DestinationList = []epcis.SourceDest{{Type: "owning_party", Value: market}}
			e.BizTransactionList = []epcis.BizTransaction{{Type: "po", Value: "urn:epcglobal:cbv:bt:9521234999997:PO-1"}}
		}),
	}}
	if _, err := cap.Capture(ctx, doc, ""); err != nil {
		t.Fatal(err)
	}
	svc := trace.New(st)
	back, err := svc.Trace(ctx, trace.Request{Code: "urn:epc:id:sgtin:9521234.000001.1", Direction: lineage.Backward})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(r *trace.Result) []string {
		var out []string
		for _, i := range r.Identifiers {
			out = append(out, i.ID)
		}
		return out
	}
	if back.Root != box1 || !slices.Contains(ids(back), leaves) || slices.Contains(ids(back), box2) {
		t.Fatalf("backward from box 1 reached %v, want the tea leaves and not box 2", ids(back))
	}
	fwd, err := svc.Trace(ctx, trace.Request{Code: "(01)09521234543213(10)LEAF1", Direction: lineage.Forward})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids(fwd), box1) || !slices.Contains(ids(fwd), box2) || !slices.Contains(fwd.Parties, market) {
		t.Fatalf("forward from the leaves reached %v, parties %v; want both boxes and the market", ids(fwd), fwd.Parties)
	}
	var holder string
	for _, i := range fwd.Identifiers {
		if i.ID == box1 {
			holder = i.Holder
		}
	}
	if holder != market || len(fwd.Documents) != 1 || len(fwd.Events) != 3 {
		t.Fatalf("box 1 held by %q, documents %v, %d events", holder, fwd.Documents, len(fwd.Events))
	}
	// A declaration captured later — as if by another process — is followed: the
	// transformation stops counting.
	decl := *doc.Events[1]
	decl.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: t0, Reason: "incorrect_data"}
	if _, err := cap.Capture(ctx, &epcis.Document{Events: []*epcis.Event{&decl}}, ""); err != nil {
		t.Fatal(err)
	}
	fwd, err = svc.Trace(ctx, trace.Request{Code: leaves, Direction: lineage.Forward})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ids(fwd), box1) || len(fwd.Events) != 1 {
		t.Fatalf("after the declaration the leaves still reach %v through %d events", ids(fwd), len(fwd.Events))
	}
	if _, err := svc.Trace(ctx, trace.Request{Code: "0952123454321X"}); err == nil {
		t.Fatal("a malformed code traced")
	}
}

// A generated farm-to-table story traces from a sold item back to the farm's lot and
// forward from the farm's lot to every holder.
func TestTraceOfAGeneratedStory(t *testing.T) {
	ctx := context.Background()
	st, _ := testkit.SQLite(t)
	g := workload.New(3)
	doc := g.StoryDocument(30)
	if _, err := capture.New(st).Capture(ctx, doc, ""); err != nil {
		t.Fatalf("a generated story does not capture: %v", err)
	}
	var sold *epcis.Event
	for _, e := range doc.Events {
		if e.BizStep == "retail_selling" {
			sold = e
			break
		}
	}
	svc := trace.New(st)
	back, err := svc.Trace(ctx, trace.Request{Code: sold.EPCList[0], Direction: lineage.Backward})
	if err != nil {
		t.Fatal(err)
	}
	var lot string
	for _, id := range back.Identifiers {
		if id.Kind == "lot" && strings.Contains(id.ID, "/10/") {
			lot = id.ID
		}
	}
	if lot == "" || len(back.Events) < 4 {
		t.Fatalf("backward from a sold item: %d identifiers, %d events, no farm lot", len(back.Identifiers), len(back.Events))
	}
	fwd, err := svc.Trace(ctx, trace.Request{Code: lot, Direction: lineage.Forward})
	if err != nil {
		t.Fatal(err)
	}
	holders := map[string]bool{}
	for _, id := range fwd.Identifiers {
		if id.Holder != "" {
			holders[id.Holder] = true
		}
	}
	if len(holders) < 2 || !slices.Contains(fwd.Parties, "https://id.gs1.org/417/"+workload.GLN(workload.Parties[5].Company, 0)) {
		t.Fatalf("forward from the farm lot: holders %v, parties %v", holders, fwd.Parties)
	}
}

// Two serve processes share one PostgreSQL database: what one captures, including a
// declaration, the other's warm index follows, and it answers as an index replayed from
// scratch does.
func TestTraceOnSharedPostgresFollowsAnotherProcess(t *testing.T) {
	base := os.Getenv("ZHUISU_TEST_POSTGRES")
	if base == "" {
		t.Skip("ZHUISU_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	var rnd [8]byte
	rand.Read(rnd[:])
	schema := "trace_" + hex.EncodeToString(rnd[:])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	writer, reader := open(), open()
	if err := writer.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cap := capture.New(writer)
	gen := workload.New(5)
	follower := trace.New(reader)
	traced := func(svc *trace.Service, code string, dir lineage.Direction) []string {
		r, err := svc.Trace(ctx, trace.Request{Code: code, Direction: dir})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, i := range r.Identifiers {
			out = append(out, i.ID)
		}
		slices.Sort(out)
		return out
	}
	var roots []string
	for round := range 3 {
		doc := gen.StoryDocument(30)
		if _, err := cap.Capture(ctx, doc, ""); err != nil {
			t.Fatal(err)
		}
		for _, e := range doc.Events {
			if e.Type == epcis.TransformationEvent {
				roots = append(roots, e.InputQuantityList[0].EPCClass, e.OutputEPCList[0])
			}
		}
		if round == 2 { // the last story's transformation is declared erroneous
			var decl epcis.Event
			for _, e := range doc.Events {
				if e.Type == epcis.TransformationEvent {
					decl = *e
				}
			}
			decl.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: decl.EventTime.Add(time.Hour), Reason: "incorrect_data"}
			if _, err := cap.Capture(ctx, &epcis.Document{Events: []*epcis.Event{&decl}}, ""); err != nil {
				t.Fatal(err)
			}
		}
		fresh := trace.New(open())
		for _, root := range roots {
			for _, dir := range []lineage.Direction{lineage.Backward, lineage.Forward} {
				got, want := traced(follower, root, dir), traced(fresh, root, dir)
				if !slices.Equal(got, want) {
					t.Fatalf("round %d, %s %v: the warm index reached %v, a replay %v", round, root, dir, got, want)
				}
			}
		}
	}
	// The declared transformation no longer leads from the last farm lot to its items.
	last := roots[len(roots)-2]
	if ids := traced(follower, last, lineage.Forward); slices.Contains(ids, roots[len(roots)-1]) {
		t.Fatalf("forward from %s still reaches %s after the declaration", last, roots[len(roots)-1])
	}
}
