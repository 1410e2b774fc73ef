package integrity_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/workload"
	_ "modernc.org/sqlite"
)

// The proof reader keeps upper tree levels in memory and computes the lower ones from the
// leaf's block: its proofs must be the stored tree's at every size the tree passes
// through, before the cache is warmed, after, and when it has dropped levels to stay in
// its bound.
func TestProofReaderGivesTheStoredTreesProofs(t *testing.T) {
	ctx := context.Background()
	st, _ := testkit.SQLite(t)
	signer, verifier, _ := testkit.LogKey(t, "zhuisu.test/proofs")
	log := &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer}
	// A reader of the same log that may keep only a few hashes.
	small := &integrity.Service{Store: st, Origin: signer.Name(), Verifiers: []tlog.Verifier{verifier}}
	small.BoundProofCache(40)
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
		for pass, svc := range []*integrity.Service{log, log, small} {
			if pass > 0 {
				if err := svc.WarmProofs(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for leaf := int64(0); leaf < cp.Size; leaf += 7 {
				want, err := tlog.ProveInclusion(leaf, cp.Size, log.HashReader(ctx))
				if err != nil {
					t.Fatal(err)
				}
				got, err := tlog.ProveInclusion(leaf, cp.Size, svc.ProofReader(ctx))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Hashes, want.Hashes) {
					t.Fatalf("size %d, pass %d: the proof of leaf %d differs from the stored tree's", cp.Size, pass, leaf)
				}
				// With the leaf's block read beforehand, as the public page reads it.
				from, to := svc.ProofBlock(leaf, cp.Size)
				entries, err := st.LogLeaves(ctx, from, to)
				if err != nil {
					t.Fatal(err)
				}
				if got, err = tlog.ProveInclusion(leaf, cp.Size, svc.ProofReaderWith(ctx, from, entries)); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Hashes, want.Hashes) {
					t.Fatalf("size %d, pass %d: the proof of leaf %d from its block [%d, %d) differs from the stored tree's", cp.Size, pass, leaf, from, to)
				}
				proved++
			}
		}
		if low, hashes := log.ProofCacheLevels(); low != 3 || int64(hashes) < cp.Size/4-20 {
			t.Errorf("size %d: the cache keeps %d hashes from level %d, want about %d from level 3", cp.Size, hashes, low, cp.Size/4)
		}
		if low, hashes := small.ProofCacheLevels(); hashes > 40 || low <= 3 {
			t.Errorf("size %d: the bounded cache keeps %d hashes from level %d, want at most 40 from above level 3", cp.Size, hashes, low)
		}
	}
	t.Logf("%d proofs equal", proved)
}

// A warm that meets a row of interior hashes it cannot read takes in nothing of that
// chunk: once the row reads again, the next warm gives the stored tree's proofs.
func TestProofCacheTakesNothingFromAWarmThatFailed(t *testing.T) {
	ctx := context.Background()
	st, path, log, size := provedLog(t, 300)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var row []byte
	if err := db.QueryRow(`SELECT hashes FROM log_nodes WHERE seq = 103`).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM log_nodes WHERE seq = 103`); err != nil {
		t.Fatal(err)
	}
	reader := &integrity.Service{Store: st, Origin: log.Origin}
	if err := reader.WarmProofs(ctx); err == nil {
		t.Fatal("warm with a row of interior hashes missing: no error")
	}
	if _, err := db.Exec(`INSERT INTO log_nodes (seq, hashes) VALUES (103, ?)`, row); err != nil {
		t.Fatal(err)
	}
	if err := reader.WarmProofs(ctx); err != nil {
		t.Fatal(err)
	}
	for leaf := range size {
		want, err := tlog.ProveInclusion(leaf, size, log.HashReader(ctx))
		if err != nil {
			t.Fatal(err)
		}
		got, err := tlog.ProveInclusion(leaf, size, reader.ProofReader(ctx))
		if err != nil || !slices.Equal(got.Hashes, want.Hashes) {
			t.Fatalf("after a failed warm and a good one: the proof of leaf %d differs from the stored tree's (%v)", leaf, err)
		}
	}
}
