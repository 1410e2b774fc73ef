package tlog

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/zhuisu/zhuisu"
)

// eventHash is the made-up event hash of the event at seq i.
func eventHash(i int) [32]byte {
	return sha256.Sum256([]byte("zhuisu test event " + strconv.Itoa(i)))
}

// memStore is an in-memory store of the kind the real stores implement: every stored
// hash, appended with StoredHashes, and the event hashes.
type memStore struct {
	hashes []Hash
	events [][32]byte
	reads  int
}

func (s *memStore) ReadHashes(indexes []int64) ([]Hash, error) {
	s.reads++
	out := make([]Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s.hashes)) {
			return nil, fmt.Errorf("memStore: no stored hash %d (have %d)", x, len(s.hashes))
		}
		out[i] = s.hashes[x]
	}
	return out, nil
}

func (s *memStore) ReadEntries(start, end int64) ([][32]byte, error) {
	if start < 0 || end > int64(len(s.events)) || start > end {
		return nil, fmt.Errorf("memStore: no entries [%d, %d)", start, end)
	}
	return s.events[start:end], nil
}

func (s *memStore) append(t testing.TB, eh [32]byte) {
	n := int64(len(s.events))
	hs, err := StoredHashes(n, LeafHash(eh), s)
	if err != nil {
		t.Fatal(err)
	}
	if got := StoredHashIndex(0, n); got != int64(len(s.hashes)) {
		t.Fatalf("leaf %d: stored hash index %d, but %d hashes are stored", n, got, len(s.hashes))
	}
	s.hashes = append(s.hashes, hs...)
	s.events = append(s.events, eh)
}

var (
	fixtureOnce sync.Once
	fixture     *memStore
)

// fixtureSize covers the tile boundary sizes tested (65536 and a bit beyond).
const fixtureSize = 65536 + 300

// sharedStore returns a store of fixtureSize events built with StoredHashes.
func sharedStore(t testing.TB) *memStore {
	fixtureOnce.Do(func() {
		s := &memStore{}
		for i := 0; i < fixtureSize; i++ {
			s.append(t, eventHash(i))
		}
		fixture = s
	})
	return fixture
}

// naive is the reference Merkle tree of RFC 6962 section 2.1, written from the RFC text
// and sharing no code with the package: MTH, PATH and SUBPROOF over the list of entries
// (the event hashes). MTH of a range is memoised, which changes nothing but speed.
type naive struct {
	leaves [][32]byte
	memo   map[[2]int]Hash
}

func newNaive(s *memStore) *naive {
	return &naive{leaves: s.events, memo: map[[2]int]Hash{}}
}

// k is the largest power of two smaller than n (n > 1).
func largestPow2Below(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}

// mth is MTH(D[lo:hi]).
func (r *naive) mth(lo, hi int) Hash {
	switch n := hi - lo; {
	case n == 0:
		return sha256.Sum256(nil)
	case n == 1:
		return sha256.Sum256(append([]byte{0x00}, r.leaves[lo][:]...))
	}
	if h, ok := r.memo[[2]int{lo, hi}]; ok {
		return h
	}
	k := largestPow2Below(hi - lo)
	left, right := r.mth(lo, lo+k), r.mth(lo+k, hi)
	h := Hash(sha256.Sum256(append(append([]byte{0x01}, left[:]...), right[:]...)))
	r.memo[[2]int{lo, hi}] = h
	return h
}

// path is PATH(m, D[lo:hi]) for the m-th leaf of that range.
func (r *naive) path(m, lo, hi int) []Hash {
	n := hi - lo
	if n == 1 {
		return nil
	}
	k := largestPow2Below(n)
	if m < k {
		return append(r.path(m, lo, lo+k), r.mth(lo+k, hi))
	}
	return append(r.path(m-k, lo+k, hi), r.mth(lo, lo+k))
}

// subproof is SUBPROOF(m, D[lo:hi], b).
func (r *naive) subproof(m, lo, hi int, b bool) []Hash {
	n := hi - lo
	if m == n {
		if b {
			return nil
		}
		return []Hash{r.mth(lo, hi)}
	}
	k := largestPow2Below(n)
	if m <= k {
		return append(r.subproof(m, lo, lo+k, b), r.mth(lo+k, hi))
	}
	return append(r.subproof(m-k, lo+k, hi, false), r.mth(lo, lo+k))
}

// proof is PROOF(m, D[0:n]).
func (r *naive) proof(m, n int) []Hash { return r.subproof(m, 0, n, true) }

func naiveLeaf(eh [32]byte) Hash { return sha256.Sum256(append([]byte{0x00}, eh[:]...)) }

func equalHashes(a, b []Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wantErr fails unless err is a *zhuisu.Error of the code with the cause.
func wantErr(t *testing.T, err error, code zhuisu.Code, cause error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (%v)", code, cause)
	}
	var ze *zhuisu.Error
	if !errors.As(err, &ze) {
		t.Fatalf("got %T %v, want *zhuisu.Error", err, err)
	}
	if ze.Code != code {
		t.Fatalf("got code %s (%v), want %s", ze.Code, err, code)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Fatalf("got %v, want cause %v", err, cause)
	}
	if ze.Message == "" {
		t.Fatalf("error %v has no message", err)
	}
}
