package public_test

import (
	"context"
	"testing"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/workload"
)

// world is a store with demo stories captured and a signed checkpoint over them.
type world struct {
	st      store.Store
	capture *capture.Service
	trace   *trace.Service
	log     *integrity.Service
	public  *public.Service
	stories [][]*epcis.Event
	path    string // the SQLite file
}

func newWorld(t *testing.T, stories int, cfg public.Config) *world {
	t.Helper()
	ctx := context.Background()
	st, path := testkit.SQLite(t)
	signer, verifier, vkey := testkit.LogKey(t, "zhuisu.test/log")
	w := &world{st: st, path: path, capture: capture.New(st), trace: trace.New(st),
		log: &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer, Verifiers: []tlog.Verifier{verifier}, PublicKey: vkey, MaxStep: 1 << 20}}
	gen := workload.New(7)
	doc := &epcis.Document{SchemaVersion: "2.0"}
	for range stories {
		s := gen.Story()
		w.stories = append(w.stories, s)
		doc.Events = append(doc.Events, s...)
	}
	w.captureDoc(t, doc)
	w.public = public.New(st, w.trace, w.log, cfg)
	if err := w.public.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// captureDoc captures a document and signs a checkpoint over everything stored.
func (w *world) captureDoc(t *testing.T, doc *epcis.Document) {
	t.Helper()
	ctx := context.Background()
	if _, err := w.capture.Capture(ctx, doc, ""); err != nil {
		t.Fatalf("capture: %v", err)
	}
	for {
		cp, err := w.log.Integrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cp == nil {
			break
		}
	}
}

// soldUnit is the unit of a story that a shop sold (the last event's only EPC).
func soldUnit(story []*epcis.Event) string { return story[len(story)-1].EPCList[0] }

// rawLot is the lot a story's farm harvested.
func rawLot(story []*epcis.Event) string { return story[0].QuantityList[0].EPCClass }

// unsoldUnit is a unit of a story that went to the canteen and was never sold.
func unsoldUnit(story []*epcis.Event) string {
	last := story[len(story)-2] // the shipment to the canteen
	return last.EPCList[len(last.EPCList)-1]
}

// isRecalled looks code up and says whether its view shows it recalled.
func isRecalled(t *testing.T, w *world, code string) bool {
	t.Helper()
	v, err := w.public.Lookup(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return v.State.Recalled
}
