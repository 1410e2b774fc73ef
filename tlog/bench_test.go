package tlog

import (
	"sync"
	"testing"
)

const verifyTreeLeaves = 1_000_000

var (
	verifyTreeOnce   sync.Once
	verifyTreeEvents [][32]byte
	verifyTreeRoot   Hash
)

// verifyTreeData returns a million event hashes and their root, computed through
// StoredHashes and TreeHash as the store would, not with the Builder under test.
func verifyTreeData(b *testing.B) ([][32]byte, Hash) {
	verifyTreeOnce.Do(func() {
		s := &memStore{}
		for i := 0; i < verifyTreeLeaves; i++ {
			s.append(b, eventHash(i))
		}
		root, err := TreeHash(verifyTreeLeaves, s)
		if err != nil {
			b.Fatal(err)
		}
		verifyTreeEvents, verifyTreeRoot = s.events, root
	})
	return verifyTreeEvents, verifyTreeRoot
}

// BenchmarkVerifyTree recomputes the tree of a million event hashes, as a full
// verification of the log does, and compares the root. The product needs 500,000 leaves/s.
func BenchmarkVerifyTree(b *testing.B) {
	events, want := verifyTreeData(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var t Builder
		for j := range events {
			t.Append(events[j])
		}
		if t.Root() != want {
			b.Fatalf("recomputed root %s, want %s", t.Root(), want)
		}
	}
	b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "leaves/s")
}

// BenchmarkStoredHashes is the per-event cost of the append path with O(log n) reads.
func BenchmarkStoredHashes(b *testing.B) {
	s := &memStore{}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.append(b, eventHash(i))
	}
}

// BenchmarkProveAndVerifyInclusion is one inclusion proof in a tree of a million leaves.
func BenchmarkProveAndVerifyInclusion(b *testing.B) {
	events, root := verifyTreeData(b)
	s := &memStore{}
	var bld Builder
	var dst []Hash
	for _, e := range events {
		dst = bld.AppendStored(LeafHash(e), dst)
	}
	s.hashes = dst
	s.events = events
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx := int64(i*7919) % verifyTreeLeaves
		p, err := ProveInclusion(idx, verifyTreeLeaves, s)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Verify(LeafHash(events[idx]), root); err != nil {
			b.Fatal(err)
		}
	}
}
