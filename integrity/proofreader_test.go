package integrity_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/store/sqlite"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/workload"
)

// The proof reader keeps upper tree levels in memory: its proofs must be the stored
// tree's, at every size the tree passes through, also when asked again from the cache.
func TestProofReaderGivesTheStoredTreesProofs(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "zhuisu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	skey, _, err := tlog.GenerateEd25519("zhuisu.test/proofs")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := tlog.ParseSignerKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	log := &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer}
	g := workload.New(5)
	proved := 0
	for _, batch := range []int{300, 211, 600} {
		if _, err := capture.New(st).Capture(ctx, g.Document(batch), ""); err != nil {
			t.Fatal(err)
		}
		cp, err := log.Integrate(ctx)
		if err != nil || cp == nil {
			t.Fatalf("Integrate = %v, %v", cp, err)
		}
		for pass := range 2 {
			for leaf := int64(0); leaf < cp.Size; leaf += 7 {
				want, err := tlog.ProveInclusion(leaf, cp.Size, log.HashReader(ctx))
				if err != nil {
					t.Fatal(err)
				}
				got, err := tlog.ProveInclusion(leaf, cp.Size, log.ProofReader(ctx))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Hashes, want.Hashes) {
					t.Fatalf("size %d, pass %d: the proof of leaf %d differs from the stored tree's", cp.Size, pass, leaf)
				}
				proved++
			}
		}
	}
	t.Logf("%d proofs equal", proved)
}
