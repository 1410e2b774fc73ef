package integrity_test

import (
	"context"
	"testing"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/workload"
)

// demoStore captures generated events of both workload shapes (the demo's supply-chain
// stories and the benchmark's flat documents) into a new SQLite store and integrates the
// log, as `zhuisu demo` does.
func demoStore(tb testing.TB, stories, flat int) (store.Store, string, []tlog.Verifier) {
	tb.Helper()
	ctx := context.Background()
	st, _ := testkit.SQLite(tb)
	signer, verifier, _ := testkit.LogKey(tb, tamperOrigin)
	cs := capture.New(st)
	g := workload.New(7)
	for _, doc := range []*epcis.Document{g.StoryDocument(stories), g.Document(flat)} {
		for len(doc.Events) > 0 {
			part := *doc
			part.Events = doc.Events[:min(1000, len(doc.Events))]
			doc.Events = doc.Events[len(part.Events):]
			if _, err := cs.Capture(ctx, &part, ""); err != nil {
				tb.Fatal(err)
			}
		}
	}
	svc := &integrity.Service{Store: st, Origin: tamperOrigin, Signer: signer, Verifiers: []tlog.Verifier{verifier}, MaxStep: 1 << 20}
	for {
		cp, err := svc.Integrate(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if cp == nil {
			break
		}
	}
	return st, tamperOrigin, []tlog.Verifier{verifier}
}

// TestStoredHasherEqualsTheGeneralPathOnEveryDemoEvent recomputes the hash of every
// stored demo event both ways, and requires the stored-form reader to have read every
// one itself: otherwise verify would be fast only on paper.
func TestStoredHasherEqualsTheGeneralPathOnEveryDemoEvent(t *testing.T) {
	ctx := context.Background()
	st, origin, verifiers := demoStore(t, 3000, 1000)
	docs, err := st.EventDocs(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 3000 {
		t.Fatalf("the demo store holds %d events", len(docs))
	}
	h := epcis.NewStoredHasher()
	for _, d := range docs {
		e, err := epcis.DecodeEventJSON(d.Doc)
		if err != nil {
			t.Fatalf("event %d: %v", d.Seq, err)
		}
		want, ok := store.ParseHashURI(epcis.Hash(e))
		if !ok || want != d.Hash {
			t.Fatalf("event %d: the general path gives %s, the store holds %s", d.Seq, epcis.Hash(e), store.HashURI(d.Hash))
		}
		got, err := h.Sum(d.Doc)
		if err != nil || got != want {
			t.Fatalf("event %d: StoredHasher.Sum = %s, %v; want %s\n%s", d.Seq, store.HashURI(got), err, store.HashURI(want), d.Doc)
		}
	}
	if h.General != 0 || h.Scanned != int64(len(docs)) {
		t.Fatalf("the stored-form reader read %d of %d events itself", h.Scanned, len(docs))
	}

	// Both ways through Verify agree too.
	for _, opt := range []integrity.Options{{}, {General: true}, {Workers: 1}, {Workers: 5}} {
		rep, err := integrity.VerifyWith(ctx, st, origin, verifiers, opt)
		if err != nil || !rep.OK() || rep.Events != int64(len(docs)) || rep.TreeSize != int64(len(docs)) || rep.Checkpoints == 0 {
			t.Fatalf("VerifyWith(%+v) = %+v, %v; want OK with %d events", opt, rep, err, len(docs))
		}
		if wantGeneral := map[bool]int64{false: 0, true: int64(len(docs))}[opt.General]; rep.GeneralDecodes != wantGeneral {
			t.Fatalf("VerifyWith(%+v) decoded %d events the general way, want %d", opt, rep.GeneralDecodes, wantGeneral)
		}
	}
}

// BenchmarkVerify measures both ways of re-hashing on one store of demo events; compare
// the events/s of the two in the same run.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	st, origin, verifiers := demoStore(b, 16000, 4000)
	for _, c := range []struct {
		name string
		opt  integrity.Options
	}{{"general", integrity.Options{General: true}}, {"stored", integrity.Options{}}} {
		b.Run(c.name, func(b *testing.B) {
			var events int64
			for b.Loop() {
				rep, err := integrity.VerifyWith(ctx, st, origin, verifiers, c.opt)
				if err != nil || !rep.OK() {
					b.Fatalf("%+v, %v", rep, err)
				}
				events += rep.Events
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// cancelingStore cancels its context once it has read a few batches, as an operator's
// interrupt would, and reads only through ReadVerifyBatch.
type cancelingStore struct {
	store.Store
	cancel context.CancelFunc
	reads  int
}

func (s *cancelingStore) ReadVerifyBatch(ctx context.Context, from int64, limit int, b *store.VerifyBatch) error {
	if s.reads++; s.reads == 2 {
		s.cancel()
	}
	return s.Store.ReadVerifyBatch(ctx, from, limit, b)
}

// TestVerifyStoppedMidwayFailsRatherThanReportingAProblem stops a verification while it
// reads: the store is not wrong, so the outcome is an error, not a problem.
func TestVerifyStoppedMidwayFailsRatherThanReportingAProblem(t *testing.T) {
	st, origin, verifiers := demoStore(t, 3000, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep, err := integrity.VerifyWith(ctx, &cancelingStore{Store: st, cancel: cancel}, origin, verifiers, integrity.Options{})
	if err == nil {
		t.Fatalf("a verification stopped midway returned no error, and the report %+v", rep)
	}
	if rep, err := integrity.Verify(context.Background(), st, origin, verifiers); err != nil || !rep.OK() {
		t.Fatalf("the store itself = %+v, %v; want OK", rep, err)
	}
}
