package integrity_test

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/sqlite"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/workload"
)

// countingStore counts the reads of the log's leaves and nodes.
type countingStore struct {
	store.Store
	reads atomic.Int64
}

func (c *countingStore) LogLeaves(ctx context.Context, from, to int64) ([][32]byte, error) {
	c.reads.Add(1)
	return c.Store.LogLeaves(ctx, from, to)
}

func (c *countingStore) LogNodes(ctx context.Context, seqs []int64) (map[int64][]byte, error) {
	c.reads.Add(1)
	return c.Store.LogNodes(ctx, seqs)
}

// provedLog captures n demo events into a new store and integrates them.
func provedLog(t *testing.T, n int) (*sqlite.DB, string, *integrity.Service, int64) {
	ctx := context.Background()
	st, path := testkit.SQLite(t)
	signer, _, _ := testkit.LogKey(t, "zhuisu.test/proofs")
	log := &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer}
	if _, err := capture.New(st).Capture(ctx, workload.New(5).Document(n), ""); err != nil {
		t.Fatal(err)
	}
	cp, err := log.Integrate(ctx)
	if err != nil || cp == nil {
		t.Fatal(err)
	}
	return st, path, log, cp.Size
}

// With the upper levels warm and the leaf's block read, a proof reads nothing more.
func TestAProofFromItsBlockReadsNothingMoreOnceWarm(t *testing.T) {
	ctx := context.Background()
	st, _, log, size := provedLog(t, 504)
	if size%8 != 0 {
		t.Fatalf("size %d", size)
	}
	cs := &countingStore{Store: st}
	svc := &integrity.Service{Store: cs, Origin: log.Origin}
	if err := svc.WarmProofs(ctx); err != nil {
		t.Fatal(err)
	}
	for leaf := int64(0); leaf < size; leaf++ {
		from, to := svc.ProofBlock(leaf, size)
		entries, err := st.LogLeaves(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		cs.reads.Store(0)
		if _, err := tlog.ProveInclusion(leaf, size, svc.ProofReaderWith(ctx, from, entries)); err != nil {
			t.Fatal(err)
		}
		if n := cs.reads.Load(); n != 0 {
			t.Fatalf("leaf %d of %d, block [%d, %d): %d store reads", leaf, size, from, to, n)
		}
	}
}

// Warms at once leave the cache as one warm would.
func TestConcurrentWarmsKeepWhatOneWarmKeeps(t *testing.T) {
	ctx := context.Background()
	st, _, log, size := provedLog(t, 2000)
	one := &integrity.Service{Store: st, Origin: log.Origin}
	if err := one.WarmProofs(ctx); err != nil {
		t.Fatal(err)
	}
	_, want := one.ProofCacheLevels()
	for range 5 {
		svc := &integrity.Service{Store: st, Origin: log.Origin}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); _ = svc.WarmProofs(ctx) }()
		}
		wg.Wait()
		if _, got := svc.ProofCacheLevels(); got != want {
			t.Fatalf("concurrent warms keep %d hashes, one warm %d", got, want)
		}
		for leaf := int64(0); leaf < size; leaf += 13 {
			want, _ := tlog.ProveInclusion(leaf, size, log.HashReader(ctx))
			got, err := tlog.ProveInclusion(leaf, size, svc.ProofReader(ctx))
			if err != nil || !slices.Equal(got.Hashes, want.Hashes) {
				t.Fatalf("leaf %d: proof differs after concurrent warms (%v)", leaf, err)
			}
		}
	}
}

// A missing interior hash is an error, not a panic.
func TestWarmOverAMissingInteriorHashIsAnError(t *testing.T) {
	ctx := context.Background()
	st, path, log, _ := provedLog(t, 100)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM log_nodes WHERE seq = 15`); err != nil {
		t.Fatal(err)
	}
	svc := &integrity.Service{Store: st, Origin: log.Origin}
	if err := svc.WarmProofs(ctx); err == nil {
		t.Error("warm over a missing interior hash: no error")
	}
}
