package recall_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/lineage"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/store/sqlite"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/workload"
)

// BenchmarkRecallOfOneLot measures a recall of one harvested lot including the XLSX
// sheet against its baseline in the same run: the forward trace of that lot alone, which
// a recall cannot be faster than. Compare the two as a ratio:
//
//	go test ./recall/ -run XXX -bench RecallOfOneLot -benchtime 200x
func BenchmarkRecallOfOneLot(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "z.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	g := workload.New(5)
	var lot string
	for i := range 20 {
		doc := &epcis.Document{}
		for j := range 25 {
			events := g.Story()
			if i == 10 && j == 0 {
				lot = events[0].QuantityList[0].EPCClass
			}
			doc.Events = append(doc.Events, events...)
		}
		if _, err := capture.New(st).Capture(ctx, doc, ""); err != nil {
			b.Fatal(err)
		}
	}
	tr := trace.New(st)
	if err := tr.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	svc := recall.New(st, tr)
	b.Run("baseline=trace", func(b *testing.B) {
		for b.Loop() {
			if _, err := tr.Trace(ctx, trace.Request{Code: lot, Direction: lineage.Forward}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("recall+xlsx", func(b *testing.B) {
		for b.Loop() {
			r, err := svc.Create(ctx, "", []string{lot}, "benchmark")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Export(ctx, r.ID, recall.FormatXLSX); err != nil {
				b.Fatal(err)
			}
		}
	})
}
