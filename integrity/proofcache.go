package integrity

import (
	"context"
	"sync"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
)

// Proofs are served one at a time, each to a different leaf, and every one of them reads
// a hash at each level of the tree: stored, those are one row each. proofCache keeps the
// levels from low up in memory, dense — node n of level k is levels[k-low][n] —, a
// prefix of each level that WarmProofs extends as the tree grows; a hash, once stored,
// never changes. Below low, a proof needs only hashes inside its leaf's block of 2^low
// leaves, which one range read of the block's entries gives.
type proofCache struct {
	mu     sync.RWMutex
	low    int           // the lowest level kept; 0 means not yet set (then proofLowLevel)
	levels [][]tlog.Hash // levels[i] is level low+i
	size   int64         // the tree size whose complete nodes the levels hold
	hashes int           // hashes kept
	max    int           // bound on hashes; 0 means maxProofHashes
}

const (
	// proofLowLevel is the lowest level kept: nodes over 8 leaves, a quarter of a hash
	// per leaf in all (8 bytes an event).
	proofLowLevel = 3
	// maxProofHashes bounds the hashes kept (64 MB): past it the lowest level kept is
	// dropped, and blocks of twice as many leaves are read instead.
	maxProofHashes = 1 << 21
	// warmChunk is how many stored rows of interior hashes one read brings in.
	warmChunk = 4096
)

// ProofReader is a HashReader for the inclusion proofs that pages and the API serve one
// at a time: upper levels from memory (see WarmProofs), lower ones from one read of the
// leaf's block, anything else from the store.
func (s *Service) ProofReader(ctx context.Context) tlog.HashReader {
	return proofReader{c: &s.proofs, ctx: ctx, st: s.Store}
}

// ProofBlock is the range of leaves whose entries a proof of leaf seq in a tree of size
// leaves reads below the levels kept in memory: its block, cut where the tree ends.
func (s *Service) ProofBlock(seq, size int64) (from, to int64) {
	s.proofs.mu.RLock()
	low := s.proofs.low
	s.proofs.mu.RUnlock()
	if low == 0 {
		low = proofLowLevel
	}
	from = seq &^ (int64(1)<<low - 1)
	return from, min(from+int64(1)<<low, size)
}

// ProofReaderWith is ProofReader with the entries of leaves [from, from+len(entries))
// already read (see ProofBlock), so that a proof of a leaf among them reads nothing more
// from the store when the levels above are in memory.
func (s *Service) ProofReaderWith(ctx context.Context, from int64, entries [][32]byte) tlog.HashReader {
	hs := make([]tlog.Hash, len(entries))
	for i, e := range entries {
		hs[i] = tlog.LeafHash(e)
	}
	return proofReader{c: &s.proofs, ctx: ctx, st: s.Store, from: from, leaves: hs}
}

// WarmProofs brings the in-memory upper levels of the tree up to the latest checkpoint.
// The first call on a large log reads every stored row of those levels (about one row in
// eight); later calls read only what new checkpoints added.
func (s *Service) WarmProofs(ctx context.Context) error {
	cp, err := s.Latest(ctx)
	if err != nil || cp == nil {
		return err
	}
	return s.proofs.warm(ctx, s.Store, cp.Size)
}

func (c *proofCache) warm(ctx context.Context, st store.Store, size int64) error {
	c.mu.RLock()
	low, from := c.low, c.size
	c.mu.RUnlock()
	if low == 0 {
		low = proofLowLevel
	}
	block := int64(1) << low
	for from < size {
		// Rows at the seqs that close a block of 2^low leaves hold the hashes of every
		// level from low up that closes there.
		var seqs []int64
		first := (from+block)/block*block - 1 // the first closing seq at or after from
		to := min(size, from+warmChunk*block)
		for seq := first; seq < to; seq += block {
			seqs = append(seqs, seq)
		}
		var rows map[int64][]byte
		if len(seqs) > 0 {
			var err error
			if rows, err = st.LogNodes(ctx, seqs); err != nil {
				return err
			}
		}
		// Take the chunk's hashes out of the rows first: a chunk goes in whole or not at
		// all, or a failed warm would leave the levels shifted for the next.
		type node struct {
			k int
			h tlog.Hash
		}
		var nodes []node
		for _, seq := range seqs {
			hs := rows[seq]
			for k := low; (seq+1)%(int64(1)<<k) == 0; k++ {
				if len(hs) < 32*k {
					return zhuisu.Errorf(zhuisu.EInternal, "log: interior hash %d of leaf %d is not stored", k, seq)
				}
				nodes = append(nodes, node{k, tlog.Hash(hs[32*(k-1) : 32*k])})
			}
		}
		c.mu.Lock()
		if c.size != from || c.low != 0 && c.low != low {
			c.mu.Unlock()
			return nil // another warm went on meanwhile: it carries on from where it is
		}
		c.low = low
		for _, nd := range nodes {
			for len(c.levels) <= nd.k-low {
				c.levels = append(c.levels, nil)
			}
			c.levels[nd.k-low] = append(c.levels[nd.k-low], nd.h)
			c.hashes++
		}
		c.size = to
		bound := c.max
		if bound == 0 {
			bound = maxProofHashes
		}
		for c.hashes > bound && len(c.levels) > 1 {
			c.hashes -= len(c.levels[0])
			c.levels, c.low = c.levels[1:], c.low+1
		}
		low, block = c.low, int64(1)<<c.low
		from = to
		c.mu.Unlock()
	}
	return nil
}

type proofReader struct {
	c   *proofCache
	ctx context.Context
	st  store.Store
	// leaves are the leaf hashes of the leaves from from on, when already read.
	from   int64
	leaves []tlog.Hash
}

func (r proofReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	type node struct {
		i, k int
		n    int64
	}
	var below []node // under the lowest level kept: from the leaf's block
	var rest []int64 // not kept yet: from the store
	var restAt []int
	r.c.mu.RLock()
	low := r.c.low
	if low == 0 {
		low = proofLowLevel
	}
	for i, idx := range indexes {
		seq, k, err := tlog.LocateStoredHash(idx)
		if err != nil {
			r.c.mu.RUnlock()
			return nil, err
		}
		n := (seq+1)>>k - 1
		switch {
		case k < low:
			below = append(below, node{i, k, n})
		case k-low < len(r.c.levels) && n < int64(len(r.c.levels[k-low])):
			out[i] = r.c.levels[k-low][n]
		default:
			rest, restAt = append(rest, idx), append(restAt, i)
		}
	}
	r.c.mu.RUnlock()
	if len(rest) > 0 {
		got, err := reader{r.ctx, r.st}.ReadHashes(rest)
		if err != nil {
			return nil, err
		}
		for j, i := range restAt {
			out[i] = got[j]
		}
	}
	// A proof's hashes under level low all lie in its leaf's block: one read, of the
	// block's leaves up to the last one a hash needs (the tree may end inside the block).
	ends := map[int64]int64{}
	for _, nd := range below {
		first := nd.n << nd.k
		bs := first &^ (int64(1)<<low - 1)
		ends[bs] = max(ends[bs], first+int64(1)<<nd.k)
	}
	leaves := map[int64][]tlog.Hash{}
	for bs, end := range ends {
		if bs >= r.from && end <= r.from+int64(len(r.leaves)) {
			leaves[bs] = r.leaves[bs-r.from : end-r.from]
			continue
		}
		entries, err := r.st.LogLeaves(r.ctx, bs, end)
		if err != nil {
			return nil, err
		}
		hs := make([]tlog.Hash, len(entries))
		for j, e := range entries {
			hs[j] = tlog.LeafHash(e)
		}
		leaves[bs] = hs
	}
	for _, nd := range below {
		first := nd.n << nd.k
		bs := first &^ (int64(1)<<low - 1)
		h, ok := subtreeHash(leaves[bs], first-bs, nd.k)
		if !ok {
			return nil, zhuisu.Errorf(zhuisu.EInternal, "log: leaves %d to %d are not all stored", first, first+int64(1)<<nd.k-1)
		}
		out[nd.i] = h
	}
	return out, nil
}

// subtreeHash is the hash of the complete subtree of 2^k leaves starting at leaves[at].
func subtreeHash(leaves []tlog.Hash, at int64, k int) (tlog.Hash, bool) {
	if at+int64(1)<<k > int64(len(leaves)) {
		return tlog.Hash{}, false
	}
	if k == 0 {
		return leaves[at], true
	}
	l, _ := subtreeHash(leaves, at, k-1)
	r, _ := subtreeHash(leaves, at+int64(1)<<(k-1), k-1)
	return tlog.NodeHash(l, r), true
}
