package tlog

import (
	"crypto/sha256"
	"math/rand/v2"
	"testing"

	"github.com/zhuisu/zhuisu"
)

func TestLeafAndNodeHashesFollowRFC6962(t *testing.T) {
	eh := eventHash(7)
	if got, want := LeafHash(eh), Hash(sha256.Sum256(append([]byte{0}, eh[:]...))); got != want {
		t.Fatalf("LeafHash = %s, want SHA-256(0x00||eventHash) = %s", got, want)
	}
	l, r := LeafHash(eventHash(1)), LeafHash(eventHash(2))
	if got, want := NodeHash(l, r), Hash(sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))); got != want {
		t.Fatalf("NodeHash = %s, want SHA-256(0x01||l||r) = %s", got, want)
	}
	if EmptyRoot.String() != "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" {
		t.Fatalf("EmptyRoot = %s, want SHA-256 of the empty string", EmptyRoot)
	}
}

func TestRootsEqualNaiveMTHForEverySizeTo1024(t *testing.T) {
	s := sharedStore(t)
	ref := newNaive(s)
	var b Builder
	for n := 0; n <= 1024; n++ {
		want := ref.mth(0, n)
		got, err := TreeHash(int64(n), s)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("TreeHash(%d) = %s, want MTH %s", n, got, want)
		}
		if b.Root() != want || b.Size() != int64(n) {
			t.Fatalf("Builder at %d: root %s size %d, want %s", n, b.Root(), b.Size(), want)
		}
		resumed, err := NewBuilderAt(int64(n), s)
		if err != nil {
			t.Fatal(err)
		}
		if resumed.Root() != want {
			t.Fatalf("NewBuilderAt(%d).Root() = %s, want %s", n, resumed.Root(), want)
		}
		if n < len(s.events) {
			b.Append(s.events[n])
		}
	}
}

func TestStoredHashesMatchBuilderAndAreLocated(t *testing.T) {
	s := sharedStore(t)
	var b Builder
	var dst []Hash
	var index int64
	for seq := 0; seq < 5000; seq++ {
		leaf := LeafHash(s.events[seq])
		dst = b.AppendStored(leaf, dst[:0])
		start := StoredHashIndex(0, int64(seq))
		if start != index {
			t.Fatalf("seq %d starts at stored index %d, want %d (dense)", seq, start, index)
		}
		for k, h := range dst {
			if s.hashes[start+int64(k)] != h {
				t.Fatalf("seq %d hash %d: builder %s, StoredHashes %s", seq, k, h, s.hashes[start+int64(k)])
			}
			gotSeq, gotK, err := LocateStoredHash(start + int64(k))
			if err != nil || gotSeq != int64(seq) || gotK != k {
				t.Fatalf("LocateStoredHash(%d) = %d, %d, %v; want %d, %d", start+int64(k), gotSeq, gotK, err, seq, k)
			}
		}
		index += int64(len(dst))
		if StoredHashCount(int64(seq+1)) != index {
			t.Fatalf("StoredHashCount(%d) = %d, want %d", seq+1, StoredHashCount(int64(seq+1)), index)
		}
	}
	if _, _, err := LocateStoredHash(-1); err == nil {
		t.Fatal("LocateStoredHash(-1) succeeded")
	}
}

func TestBuilderAppendDoesNotAllocate(t *testing.T) {
	var b Builder
	eh := eventHash(1)
	allocs := testing.AllocsPerRun(1000, func() { b.Append(eh) })
	if allocs != 0 {
		t.Fatalf("Builder.Append allocates %v times per leaf, want 0", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() { _ = b.Root() })
	if allocs != 0 {
		t.Fatalf("Builder.Root allocates %v times, want 0", allocs)
	}
}

func TestInclusionProofsEqualNaivePathAndVerifyForEveryLeafOfEverySizeTo1024(t *testing.T) {
	s := sharedStore(t)
	ref := newNaive(s)
	for n := 1; n <= 1024; n++ {
		root := ref.mth(0, n)
		for i := 0; i < n; i++ {
			p, err := ProveInclusion(int64(i), int64(n), s)
			if err != nil {
				t.Fatalf("ProveInclusion(%d, %d): %v", i, n, err)
			}
			if want := ref.path(i, 0, n); !equalHashes(p.Hashes, want) {
				t.Fatalf("ProveInclusion(%d, %d) = %v, want PATH %v", i, n, p.Hashes, want)
			}
			if len(p.Hashes) != InclusionProofLen(int64(i), int64(n)) {
				t.Fatalf("InclusionProofLen(%d, %d) = %d, proof has %d", i, n, InclusionProofLen(int64(i), int64(n)), len(p.Hashes))
			}
			if err := p.Verify(naiveLeaf(s.events[i]), root); err != nil {
				t.Fatalf("proof of %d in %d does not verify: %v", i, n, err)
			}
		}
	}
}

func TestConsistencyProofsEqualNaiveSubproofAndVerify(t *testing.T) {
	s := sharedStore(t)
	ref := newNaive(s)
	check := func(m, n int) {
		t.Helper()
		p, err := ProveConsistency(int64(m), int64(n), s)
		if err != nil {
			t.Fatalf("ProveConsistency(%d, %d): %v", m, n, err)
		}
		var want []Hash
		if m > 0 {
			want = ref.proof(m, n)
		}
		if !equalHashes(p.Hashes, want) {
			t.Fatalf("ProveConsistency(%d, %d) = %v, want PROOF %v", m, n, p.Hashes, want)
		}
		if len(p.Hashes) != ConsistencyProofLen(int64(m), int64(n)) {
			t.Fatalf("ConsistencyProofLen(%d, %d) = %d, proof has %d", m, n, ConsistencyProofLen(int64(m), int64(n)), len(p.Hashes))
		}
		if err := p.Verify(ref.mth(0, m), ref.mth(0, n)); err != nil {
			t.Fatalf("consistency %d -> %d does not verify: %v", m, n, err)
		}
	}
	for n := 0; n <= 256; n++ {
		for m := 0; m <= n; m++ {
			check(m, n)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 257 + rng.IntN(1024-256)
		check(rng.IntN(n+1), n)
	}
	for _, n := range []int{511, 512, 513, 1023, 1024} {
		for m := 0; m <= n; m++ {
			check(m, n)
		}
	}
}

func TestInclusionNegativeVectorsAreRejected(t *testing.T) {
	s := sharedStore(t)
	ref := newNaive(s)
	for _, c := range []struct{ i, n int }{{0, 2}, {1, 2}, {0, 3}, {2, 3}, {5, 8}, {6, 7}, {12, 13}, {100, 1000}, {999, 1000}, {511, 1024}} {
		good, err := ProveInclusion(int64(c.i), int64(c.n), s)
		if err != nil {
			t.Fatal(err)
		}
		leaf := LeafHash(s.events[c.i])
		root := ref.mth(0, c.n)
		if err := good.Verify(leaf, root); err != nil {
			t.Fatalf("the unaltered proof of %d in %d fails: %v", c.i, c.n, err)
		}
		with := func(f func(p *InclusionProof)) InclusionProof {
			p := InclusionProof{Index: good.Index, TreeSize: good.TreeSize, Hashes: append([]Hash{}, good.Hashes...)}
			f(&p)
			return p
		}
		type vector struct {
			name       string
			proof      InclusionProof
			leaf, root Hash
			cause      error
		}
		vectors := []vector{
			{"wrong leaf is rejected", good, LeafHash(s.events[(c.i+1)%c.n]), root, ErrProofFailed},
			{"event hash used as leaf hash is rejected", good, Hash(s.events[c.i]), root, ErrProofFailed},
			{"root of a smaller tree is rejected", good, leaf, ref.mth(0, c.n-1), ErrProofFailed},
			{"root of a larger tree is rejected", good, leaf, ref.mth(0, c.n+1), ErrProofFailed},
			{"truncated proof is rejected", with(func(p *InclusionProof) { p.Hashes = p.Hashes[:len(p.Hashes)-1] }), leaf, root, ErrBadProof},
			{"extra proof node is rejected", with(func(p *InclusionProof) { p.Hashes = append(p.Hashes, root) }), leaf, root, ErrBadProof},
			{"proof with a node dropped at the front is rejected", with(func(p *InclusionProof) { p.Hashes = p.Hashes[1:] }), leaf, root, ErrBadProof},
			{"index beyond the tree is rejected", with(func(p *InclusionProof) { p.Index = p.TreeSize }), leaf, root, ErrBadProof},
			{"negative index is rejected", with(func(p *InclusionProof) { p.Index = -1 }), leaf, root, ErrBadProof},
		}
		for k := range good.Hashes {
			vectors = append(vectors, vector{"altered hash is rejected", with(func(p *InclusionProof) { p.Hashes[k][k%32] ^= 1 }), leaf, root, ErrProofFailed})
		}
		if len(good.Hashes) >= 2 {
			vectors = append(vectors, vector{"reordered proof is rejected", with(func(p *InclusionProof) {
				p.Hashes[0], p.Hashes[1] = p.Hashes[1], p.Hashes[0]
			}), leaf, root, ErrProofFailed})
		}
		for _, d := range []int{-1, 1} {
			// An off-by-one index or size, with the root that goes with that size.
			if j := c.i + d; j >= 0 && j < c.n {
				vectors = append(vectors, vector{"off-by-one index is rejected", with(func(p *InclusionProof) { p.Index = int64(j) }), leaf, root, nil})
			}
			if m := c.n + d; m > c.i {
				vectors = append(vectors, vector{"off-by-one size is rejected", with(func(p *InclusionProof) { p.TreeSize = int64(m) }), leaf, ref.mth(0, m), nil})
			}
		}
		for _, v := range vectors {
			t.Run(v.name, func(t *testing.T) {
				err := v.proof.Verify(v.leaf, v.root)
				wantErr(t, err, zhuisu.EInvalid, v.cause)
			})
		}
	}
}

func TestConsistencyNegativeVectorsAreRejected(t *testing.T) {
	s := sharedStore(t)
	ref := newNaive(s)
	for _, c := range []struct{ m, n int }{{1, 2}, {2, 3}, {3, 4}, {3, 7}, {4, 8}, {5, 13}, {6, 8}, {100, 1000}, {512, 1000}, {999, 1000}} {
		good, err := ProveConsistency(int64(c.m), int64(c.n), s)
		if err != nil {
			t.Fatal(err)
		}
		oldRoot, newRoot := ref.mth(0, c.m), ref.mth(0, c.n)
		if err := good.Verify(oldRoot, newRoot); err != nil {
			t.Fatalf("the unaltered proof %d -> %d fails: %v", c.m, c.n, err)
		}
		with := func(f func(p *ConsistencyProof)) ConsistencyProof {
			p := ConsistencyProof{OldSize: good.OldSize, TreeSize: good.TreeSize, Hashes: append([]Hash{}, good.Hashes...)}
			f(&p)
			return p
		}
		type vector struct {
			name          string
			proof         ConsistencyProof
			oldRoot, root Hash
			cause         error
		}
		vectors := []vector{
			{"swapped roots are rejected", good, newRoot, oldRoot, ErrProofFailed},
			{"wrong old root is rejected", good, ref.mth(0, c.m-1), newRoot, ErrProofFailed},
			{"wrong new root is rejected", good, oldRoot, ref.mth(0, c.n-1), ErrProofFailed},
			{"forked new tree is rejected", good, oldRoot, NodeHash(newRoot, newRoot), ErrProofFailed},
			{"truncated proof is rejected", with(func(p *ConsistencyProof) { p.Hashes = p.Hashes[:len(p.Hashes)-1] }), oldRoot, newRoot, ErrBadProof},
			{"extra proof node is rejected", with(func(p *ConsistencyProof) { p.Hashes = append(p.Hashes, newRoot) }), oldRoot, newRoot, ErrBadProof},
			{"old size above the new size is rejected", with(func(p *ConsistencyProof) { p.OldSize = p.TreeSize + 1 }), oldRoot, newRoot, ErrBadProof},
		}
		for k := range good.Hashes {
			vectors = append(vectors, vector{"altered hash is rejected", with(func(p *ConsistencyProof) { p.Hashes[k][31-k%32] ^= 0x80 }), oldRoot, newRoot, ErrProofFailed})
		}
		for _, d := range []int{-1, 1} {
			if m := c.m + d; m >= 1 && m <= c.n {
				vectors = append(vectors, vector{"off-by-one old size is rejected", with(func(p *ConsistencyProof) { p.OldSize = int64(m) }), ref.mth(0, m), newRoot, nil})
			}
			if n := c.n + d; n >= c.m {
				vectors = append(vectors, vector{"off-by-one new size is rejected", with(func(p *ConsistencyProof) { p.TreeSize = int64(n) }), oldRoot, ref.mth(0, n), nil})
			}
		}
		for _, v := range vectors {
			t.Run(v.name, func(t *testing.T) {
				wantErr(t, v.proof.Verify(v.oldRoot, v.root), zhuisu.EInvalid, v.cause)
			})
		}
	}
	t.Run("equal sizes with different roots are rejected", func(t *testing.T) {
		p := ConsistencyProof{OldSize: 5, TreeSize: 5, Hashes: nil}
		wantErr(t, p.Verify(ref.mth(0, 5), ref.mth(0, 4)), zhuisu.EInvalid, ErrProofFailed)
	})
	t.Run("from size zero a root other than the empty tree's is rejected", func(t *testing.T) {
		p := ConsistencyProof{OldSize: 0, TreeSize: 5, Hashes: nil}
		wantErr(t, p.Verify(ref.mth(0, 1), ref.mth(0, 5)), zhuisu.EInvalid, ErrProofFailed)
	})
}

func TestProveRejectsLeavesAndSizesOutsideTheTree(t *testing.T) {
	s := sharedStore(t)
	_, err := ProveInclusion(10, 10, s)
	wantErr(t, err, zhuisu.ENotFound, ErrNotInTree)
	_, err = ProveInclusion(-1, 10, s)
	wantErr(t, err, zhuisu.EInvalid, nil)
	_, err = ProveConsistency(11, 10, s)
	wantErr(t, err, zhuisu.EInvalid, ErrBadProof)
	_, err = TreeHash(-1, s)
	wantErr(t, err, zhuisu.EInvalid, nil)
	_, err = StoredHashes(-1, Hash{}, s)
	wantErr(t, err, zhuisu.EInvalid, nil)
}
