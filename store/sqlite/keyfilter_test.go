package sqlite

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	capturesvc "github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/workload"
)

func TestKeyFilterHoldsEveryKeyAndFewOthers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]int64, 20000)
	for i := range keys {
		keys[i] = int64(r.Uint64())
	}
	f, ok := filterFrom(newKeyFilter(keys).bytes())
	if !ok {
		t.Fatal("a filter does not survive its own encoding")
	}
	for _, k := range keys {
		if !f.has(k) {
			t.Fatalf("key %d was added but is not held", k)
		}
	}
	falsePositives := 0
	for range 100000 {
		if f.has(int64(r.Uint64())) {
			falsePositives++
		}
	}
	if rate := float64(falsePositives) / 100000; rate > 0.001 {
		t.Fatalf("false positive rate %.4f, want about 0.0001", rate)
	}
	if _, ok := filterFrom(newKeyFilter(keys).bytes()[8:]); ok {
		t.Fatal("a filter without its format word was accepted")
	}
}

// TestKeyLookupsProbeOnlyFilteredBucketsAndFindTheSameEvents fills three key buckets and
// part of a fourth, and checks that lookups through the filters find exactly what probing
// every bucket finds, that the filters survive a reopening, and (by blanking one filter)
// that lookups really go through them.
func TestKeyLookupsProbeOnlyFilteredBucketsAndFindTheSameEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "z.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	g := workload.New(3)
	var sample []string
	n := 3<<store.KeyBucketBits + 1500
	for stored := 0; stored < n; stored += 1000 {
		doc := g.Document(min(1000, n-stored))
		if _, err := capturesvc.New(s).Capture(ctx, doc, ""); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(doc.Events); i += 97 {
			sample = append(sample, doc.Events[i].EPCList...)
		}
	}
	if got := len(s.filterSnapshot(ctx)); got != 3 {
		t.Fatalf("%d buckets filtered after %d events, want the 3 full ones", got, n)
	}
	lookup := func(id string) []int64 {
		rows, err := s.Events(ctx, &store.EventQuery{Keys: []store.KeyMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{id}}}})
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int64
		for _, r := range rows {
			seqs = append(seqs, r.Seq)
		}
		return seqs
	}
	filtered := map[string][]int64{}
	for _, id := range sample {
		filtered[id] = lookup(id)
		if len(filtered[id]) == 0 {
			t.Fatalf("%s is in a captured event but not found", id)
		}
	}
	// The same lookups probing every bucket.
	s.filters.mu.Lock()
	kept := s.filters.list
	s.filters.list = nil
	s.filters.mu.Unlock()
	for _, id := range sample {
		if blind := lookup(id); !slices.Equal(blind, filtered[id]) {
			t.Fatalf("%s: through the filters %v, probing every bucket %v", id, filtered[id], blind)
		}
	}
	// A blank filter of bucket 1 hides that bucket's events: lookups do use the filters.
	s.filters.mu.Lock()
	s.filters.list = slices.Clone(kept)
	s.filters.list[1] = make(keyFilter, len(kept[1]))
	s.filters.mu.Unlock()
	hidden := 0
	for _, id := range sample {
		for _, seq := range filtered[id] {
			if store.KeyBucket(seq) == 1 && !slices.Contains(lookup(id), seq) {
				hidden++
			}
		}
	}
	if hidden == 0 {
		t.Fatal("a blank filter of bucket 1 hid nothing: lookups do not go through the filters")
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := len(s.filterSnapshot(ctx)); got != 3 {
		t.Fatalf("%d filters read back after reopening, want 3", got)
	}
	for _, id := range sample[:20] {
		if got := lookup(id); !slices.Equal(got, filtered[id]) {
			t.Fatalf("after reopening, %s found at %v, want %v", id, got, filtered[id])
		}
	}
}
