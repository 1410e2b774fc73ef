package integrity_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/store/sqlite"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/workload"
	"github.com/zhuisu/zhuisu/epcis"
)

func TestScratch(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil { t.Fatal(err) }
	if err := st.Migrate(ctx); err != nil { t.Fatal(err) }
	cs := capture.New(st)
	cs.Now = func() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) }
	g := workload.New(1)
	d := g.Document(3)
	if _, err := cs.Capture(ctx, d, "91350100MA2XXXXX0X"); err != nil { t.Fatal(err) }
	c := *d.Events[0]
	c.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Reason: "incorrect_data"}
	r, err := cs.Capture(ctx, &epcis.Document{SchemaVersion: "2.0", CreationDate: time.Now(), Events: []*epcis.Event{&c}}, "91350100MA2XXXXX0X")
	if err != nil { t.Fatal(err) }
	fmt.Printf("%+v\n", r.Outcome)
	sk, vk, _ := tlog.GenerateEd25519("example.com/log")
	s, _ := tlog.ParseSignerKey(sk)
	v, _ := tlog.ParseVerifierKey(vk)
	svc := &integrity.Service{Store: st, Origin: "example.com/log", Signer: s}
	cp, err := svc.Integrate(ctx)
	if err != nil { t.Fatal(err) }
	fmt.Printf("%s\n", cp.Note)
	docs, _ := st.EventDocs(ctx, 0, 10)
	for _, e := range docs { fmt.Printf("%d %x %d\n%s\n", e.Seq, e.Hash[:4], e.Declares, e.Doc) }
	rep, err := integrity.Verify(ctx, st, "example.com/log", []tlog.Verifier{v})
	fmt.Printf("%+v %v\n", rep, err)
}
