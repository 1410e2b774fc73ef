package tlog

import (
	"crypto/sha256"
	"encoding/base64"

	"github.com/zhuisu/zhuisu"
	"golang.org/x/mod/sumdb/tlog"
)

// Hash is a SHA-256 hash of the tree: a leaf hash, an interior node hash or a root. Its
// String and MarshalJSON give standard base64.
type Hash = tlog.Hash

// HashSize is the size of a Hash in bytes.
const HashSize = tlog.HashSize

// HashReader reads stored node hashes by their stored hash index.
//
// The numbering is that of golang.org/x/mod/sumdb/tlog (Crosby and Wallach's dense
// post-order): the hash of the subtree at level L (L=0 for leaves) number K is stored at
// StoredHashIndex(L, K). Appending leaf n stores the hashes returned by StoredHashes at
// the consecutive indexes StoredHashIndex(0, n), StoredHashIndex(0, n)+1, ...; a tree of
// n leaves has StoredHashCount(n) stored hashes, indexes 0 to StoredHashCount(n)-1.
//
// ReadHashes must return exactly one hash per index, in the order asked, or an error.
// It is faster when asked indexes are sorted, and the functions of this package ask in
// increasing order where they can.
type HashReader = tlog.HashReader

// HashReaderFunc adapts a function to HashReader.
type HashReaderFunc = tlog.HashReaderFunc

// EmptyRoot is the root hash of the empty tree: SHA-256 of the empty string (RFC 6962).
var EmptyRoot = Hash(sha256.Sum256(nil))

// LeafHash returns the RFC 6962 leaf hash of an event: SHA-256(0x00 || eventHash).
// It does not allocate.
func LeafHash(eventHash [32]byte) Hash {
	var buf [1 + 32]byte
	copy(buf[1:], eventHash[:])
	return sha256.Sum256(buf[:])
}

// NodeHash returns the RFC 6962 interior node hash SHA-256(0x01 || left || right).
// It does not allocate.
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*HashSize]byte
	buf[0] = 0x01
	copy(buf[1:], left[:])
	copy(buf[1+HashSize:], right[:])
	return sha256.Sum256(buf[:])
}

// StoredHashIndex returns the stored hash index of the subtree hash at level (0 for
// leaves) and number n within that level. See HashReader.
func StoredHashIndex(level int, n int64) int64 { return tlog.StoredHashIndex(level, n) }

// StoredHashCount returns how many stored hashes a tree of n leaves has: 2n minus the
// number of 1 bits of n, so just under two per leaf.
func StoredHashCount(n int64) int64 { return tlog.StoredHashCount(n) }

// LocateStoredHash says which append stored the hash at a stored hash index: the hash is
// element k of StoredHashes(seq, ...), the list stored with the event at seq. A store
// that keeps one row per event with the concatenated stored hashes (see StoredHashes)
// reads index by reading row seq at byte offset 32*k.
func LocateStoredHash(index int64) (seq int64, k int, err error) {
	if index < 0 {
		return 0, 0, invalid(ErrMalformed, "stored hash index %d is negative", index)
	}
	level, n := tlog.SplitStoredHashIndex(index)
	return (n+1)<<uint(level) - 1, level, nil
}

// StoredHashes returns the hashes to store when the leaf with the given leaf hash is
// appended at index n (the event's seq) to a tree of n leaves: first the leaf hash, then
// the hash of every subtree that this leaf completes, lowest first. They go to the
// consecutive stored hash indexes from StoredHashIndex(0, n). StoredHashes reads through r
// the up to log2(n) earlier subtree hashes it combines with (none for even n).
//
// Byte cost: an event stores 1 + (number of trailing 1 bits of n) hashes, which is 2 on
// average (exactly 2n minus the number of 1 bits of n for n events), so about 64 bytes of
// hash per event plus the store's key and row overhead. Keeping every node hash lets the
// node serve any tile, root or proof with O(log n) reads and no recomputation.
func StoredHashes(n int64, leafHash Hash, r HashReader) ([]Hash, error) {
	if n < 0 {
		return nil, invalid(ErrMalformed, "leaf index %d is negative", n)
	}
	return tlog.StoredHashesForRecordHash(n, leafHash, r)
}

// TreeHash returns the root hash of the tree of the first n leaves, reading at most
// 1+log2(n) stored hashes through r in one call. TreeHash(0, r) is EmptyRoot.
func TreeHash(n int64, r HashReader) (Hash, error) {
	if n < 0 {
		return Hash{}, invalid(ErrMalformed, "tree size %d is negative", n)
	}
	return tlog.TreeHash(n, r)
}

// ParseHash parses the standard base64 form of a hash. Only the canonical encoding of
// 32 bytes (44 characters ending in "=") is accepted.
func ParseHash(s string) (Hash, error) {
	h, ok := parseHash(s)
	if !ok {
		return Hash{}, invalid(ErrMalformed, "malformed hash %q: want the standard base64 of 32 bytes", truncate(s))
	}
	return h, nil
}

func parseHash(s string) (Hash, bool) {
	var h Hash
	if len(s) != 44 || s[43] != '=' {
		return h, false
	}
	n, err := base64.StdEncoding.Strict().Decode(h[:], []byte(s))
	if err != nil || n != HashSize || base64.StdEncoding.EncodeToString(h[:]) != s {
		return Hash{}, false
	}
	return h, true
}

// truncate shortens untrusted text quoted in error messages.
func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// Builder computes the root of a growing tree from its leaves in order, keeping only the
// roots of its perfect subtrees (at most 64 hashes): the hot path of a full verification.
// Appending costs one leaf hash and on average one node hash, and never allocates.
// The zero Builder is an empty tree.
type Builder struct {
	n     int64
	depth int
	// stack[0:depth] are the roots of the perfect subtrees that make up the tree, largest
	// (leftmost) first: one per 1 bit of n.
	stack [64]Hash
}

// Size returns the number of leaves appended.
func (b *Builder) Size() int64 { return b.n }

// Append appends the leaf of an event hash.
func (b *Builder) Append(eventHash [32]byte) { b.AppendLeafHash(LeafHash(eventHash)) }

// AppendLeafHash appends a leaf by its leaf hash.
func (b *Builder) AppendLeafHash(h Hash) {
	for n := b.n; n&1 == 1; n >>= 1 {
		b.depth--
		h = NodeHash(b.stack[b.depth], h)
	}
	b.stack[b.depth] = h
	b.depth++
	b.n++
}

// AppendStored appends a leaf and appends to dst the hashes StoredHashes would return for
// it, without reading any: a store that keeps a Builder for its current size can compute
// what to store with no reads.
func (b *Builder) AppendStored(leafHash Hash, dst []Hash) []Hash {
	h := leafHash
	dst = append(dst, h)
	for n := b.n; n&1 == 1; n >>= 1 {
		b.depth--
		h = NodeHash(b.stack[b.depth], h)
		dst = append(dst, h)
	}
	b.stack[b.depth] = h
	b.depth++
	b.n++
	return dst
}

// Root returns the root hash of the tree of the leaves appended so far.
func (b *Builder) Root() Hash {
	if b.depth == 0 {
		return EmptyRoot
	}
	h := b.stack[b.depth-1]
	for i := b.depth - 2; i >= 0; i-- {
		h = NodeHash(b.stack[i], h)
	}
	return h
}

// NewBuilderAt returns a Builder for the tree of n leaves whose hashes are stored in r, so
// that appending can continue from there (one ReadHashes call of at most 64 hashes).
func NewBuilderAt(n int64, r HashReader) (*Builder, error) {
	if n < 0 {
		return nil, invalid(ErrMalformed, "tree size %d is negative", n)
	}
	b := &Builder{n: n}
	var indexes []int64
	var lo int64
	for level := 62; level >= 0; level-- {
		if n&(1<<uint(level)) != 0 {
			indexes = append(indexes, StoredHashIndex(level, lo>>uint(level)))
			lo += 1 << uint(level)
		}
	}
	if len(indexes) == 0 {
		return b, nil
	}
	hashes, err := r.ReadHashes(indexes)
	if err != nil {
		return nil, err
	}
	if len(hashes) != len(indexes) {
		return nil, zhuisu.Errorf(zhuisu.EInternal, "tlog: ReadHashes(%d indexes) returned %d hashes", len(indexes), len(hashes))
	}
	b.depth = copy(b.stack[:], hashes)
	return b, nil
}
