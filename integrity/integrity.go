// Package integrity runs the node's tamper-evident log over the store: it integrates new
// events into the Merkle tree and signs checkpoints, serves tiles and proofs, and verifies
// a whole store against its checkpoints. The tree arithmetic, formats and signatures are
// package tlog's; this package decides when and what to store.
//
// It must not import net/http or database/sql.
package integrity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
)

// Service integrates and serves the log of one store.
type Service struct {
	Store  store.Store
	Origin string // the log's name, the first line of every checkpoint
	Signer tlog.Signer
	// Verifiers check this log's checkpoints: the signer's own key, and any other keys
	// the log has signed with.
	Verifiers []tlog.Verifier
	// PublicKey is the signer's verifier key text, published for monitors.
	PublicKey string
	// Interval is how soon after new events a checkpoint covers them.
	Interval time.Duration
	// MaxStep bounds the leaves one checkpoint adds, so a large backlog is integrated
	// in steps that each hold the write lock briefly.
	MaxStep int64
	Now     func() time.Time
	Log     *slog.Logger
	// Witnesses are asked to co-sign every new checkpoint, through Post.
	Witnesses []*WitnessPeer
	Post      Post
	// Extensions, when set, gives the extension lines of each new checkpoint (the audit
	// log's head: AuditExtensions in audit.go).
	Extensions func(ctx context.Context) ([]string, error)

	proofs proofCache
}

// DefaultInterval is the default time between checkpoints when events arrive.
const DefaultInterval = time.Second

// reader reads stored hashes by stored-hash index: leaf hashes from the events, interior
// hashes from the log's nodes.
type reader struct {
	ctx context.Context
	st  store.Store
}

func (r reader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	type loc struct {
		seq int64
		k   int
	}
	locs := make([]loc, len(indexes))
	var leafSeqs, nodeSeqs []int64
	for i, idx := range indexes {
		seq, k, err := tlog.LocateStoredHash(idx)
		if err != nil {
			return nil, err
		}
		locs[i] = loc{seq, k}
		if k == 0 {
			leafSeqs = append(leafSeqs, seq)
		} else {
			nodeSeqs = append(nodeSeqs, seq)
		}
	}
	// Read leaves in runs of consecutive seqs: a tile asks for 256 in a row.
	slices.Sort(leafSeqs)
	leafSeqs = slices.Compact(leafSeqs)
	leaves := make(map[int64][32]byte, len(leafSeqs))
	for i := 0; i < len(leafSeqs); {
		j := i + 1
		for j < len(leafSeqs) && leafSeqs[j] == leafSeqs[j-1]+1 {
			j++
		}
		run, err := r.st.LogLeaves(r.ctx, leafSeqs[i], leafSeqs[j-1]+1)
		if err != nil {
			return nil, err
		}
		for k, h := range run {
			leaves[leafSeqs[i]+int64(k)] = h
		}
		i = j
	}
	var nodes map[int64][]byte
	if len(nodeSeqs) > 0 {
		var err error
		if nodes, err = r.st.LogNodes(r.ctx, nodeSeqs); err != nil {
			return nil, err
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, l := range locs {
		if l.k == 0 {
			out[i] = tlog.LeafHash(leaves[l.seq])
			continue
		}
		hs := nodes[l.seq]
		if len(hs) < 32*l.k {
			return nil, zhuisu.Errorf(zhuisu.EInternal, "log: interior hash %d of leaf %d is not stored", l.k, l.seq)
		}
		copy(out[i][:], hs[32*(l.k-1):32*l.k])
	}
	return out, nil
}

// HashReader returns a reader of the stored tree for ctx.
func (s *Service) HashReader(ctx context.Context) tlog.HashReader { return reader{ctx, s.Store} }

// Latest returns the latest checkpoint, or nil before the first.
func (s *Service) Latest(ctx context.Context) (*store.Checkpoint, error) {
	cp, err := s.Store.LatestCheckpoint(ctx)
	if zhuisu.IsCode(err, zhuisu.ENotFound) {
		return nil, nil
	}
	return cp, err
}

// Integrate adds the events not yet in the tree (at most MaxStep of them) and stores a
// signed checkpoint of the new size. It returns nil when there was nothing to add, or
// when another process integrated the same events first.
func (s *Service) Integrate(ctx context.Context) (*store.Checkpoint, error) {
	latest, err := s.Latest(ctx)
	if err != nil {
		return nil, err
	}
	var size int64
	if latest != nil {
		size = latest.Size
	}
	n, err := s.Store.CountEvents(ctx)
	if err != nil {
		return nil, err
	}
	if n == size {
		return nil, nil // nothing new (an empty log has no checkpoint)
	}
	to := n
	if s.MaxStep > 0 {
		to = min(n, size+s.MaxStep)
	}
	leaves, err := s.Store.LogLeaves(ctx, size, to)
	if err != nil {
		return nil, err
	}
	b, err := tlog.NewBuilderAt(size, s.HashReader(ctx))
	if err != nil {
		return nil, err
	}
	var nodes []store.LogNode
	var dst []tlog.Hash
	for i, h := range leaves {
		dst = b.AppendStored(tlog.LeafHash(h), dst[:0])
		if len(dst) > 1 {
			hs := make([]byte, 0, 32*(len(dst)-1))
			for _, x := range dst[1:] {
				hs = append(hs, x[:]...)
			}
			nodes = append(nodes, store.LogNode{Seq: size + int64(i), Hashes: hs})
		}
	}
	root := b.Root()
	note, err := s.sign(ctx, to, root) // with Extensions (audit.go)
	if err != nil {
		return nil, err
	}
	cp := &store.Checkpoint{Size: to, Root: root, Note: note, CreatedAt: s.now()}
	if err := s.Store.AppendLog(ctx, nodes, cp); err != nil {
		if zhuisu.IsCode(err, zhuisu.EConflict) {
			// Another process integrated first, if a larger checkpoint is there now;
			// otherwise the stored nodes disagree with the checkpoints (a damaged store),
			// which must not pass in silence.
			if now, lerr := s.Latest(ctx); lerr == nil && now != nil && now.Size > size {
				return nil, nil
			}
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "log: cannot integrate leaves %d to %d: the store already holds interior hashes for them without a checkpoint; run zhuisu verify", size, to-1)
		}
		return nil, err
	}
	return cp, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Run integrates every Interval until ctx is done, without waiting between steps while
// a backlog remains. Every event acknowledged at time t is covered by a checkpoint by
// t + Interval + the time of one integration step (see docs/log.md).
func (s *Service) Run(ctx context.Context) {
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			cp, err := s.Integrate(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				s.Log.Error("log integration failed", "err", err)
				break
			}
			if cp == nil {
				break
			}
			if len(s.Witnesses) > 0 && s.Post != nil {
				if err := s.Cosign(ctx, cp, s.Witnesses, s.Post); err != nil {
					s.Log.Warn("a witness did not co-sign", "size", cp.Size, "err", err)
				}
			}
			n, _ := s.Store.CountEvents(ctx)
			if cp.Size >= n {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// EventProof is what a client needs to check that an event is in the log: the stored
// record itself, from which it recomputes the event hash (CBV) and the document digest,
// then the entry (store.EntryOf) and its leaf hash, and checks the inclusion proof
// against the signed checkpoint.
type EventProof struct {
	EventID    string              `json:"eventID"`
	LeafIndex  int64               `json:"leafIndex"`
	Record     json.RawMessage     `json:"record"`    // the event exactly as stored
	EventHash  string              `json:"eventHash"` // its CBV hash ID
	DocDigest  tlog.Hash           `json:"documentDigest"`
	Subject    string              `json:"subject"`  // the responsible party that recorded it
	Declares   int64               `json:"declares"` // leaf of the event it declares erroneous, or -1
	Entry      tlog.Hash           `json:"entry"`    // the log entry: the leaf's data
	LeafHash   tlog.Hash           `json:"leafHash"`
	TreeSize   int64               `json:"treeSize"`
	Root       tlog.Hash           `json:"rootHash"`
	Inclusion  tlog.InclusionProof `json:"inclusionProof"`
	Checkpoint string              `json:"checkpoint"` // the signed note the proof is against
}

// ErrNotYetCovered says an event is stored but not yet in a checkpoint.
var ErrNotYetCovered = errors.New("not yet covered by a checkpoint")

// Proof returns the inclusion proof of an event against the latest checkpoint.
func (s *Service) Proof(ctx context.Context, eventID string) (*EventProof, error) {
	row, err := s.Store.Event(ctx, eventID)
	if err != nil {
		return nil, err
	}
	cp, err := s.Latest(ctx)
	if err != nil {
		return nil, err
	}
	if cp == nil || row.Seq >= cp.Size {
		return nil, zhuisu.Wrap(ErrNotYetCovered, zhuisu.EUnavailable,
			"event %s is stored but not yet covered by a checkpoint; try again in a moment", eventID)
	}
	p, err := tlog.ProveInclusion(row.Seq, cp.Size, s.ProofReader(ctx))
	if err != nil {
		return nil, err
	}
	return &EventProof{
		EventID: eventID, LeafIndex: row.Seq, Record: row.Doc, EventHash: store.HashURI(row.Hash), DocDigest: store.DocDigest(row.Doc),
		Subject: row.Subject, Declares: row.Declares, Entry: row.Entry, LeafHash: tlog.LeafHash(row.Entry),
		TreeSize: cp.Size, Root: cp.Root, Inclusion: p, Checkpoint: string(cp.Note),
	}, nil
}

// Consistency proves that the tree of size from is a prefix of the tree of size to.
func (s *Service) Consistency(ctx context.Context, from, to int64) (tlog.ConsistencyProof, error) {
	cp, err := s.Latest(ctx)
	if err != nil {
		return tlog.ConsistencyProof{}, err
	}
	if cp == nil || to > cp.Size || from < 1 || from > to {
		size := int64(0)
		if cp != nil {
			size = cp.Size
		}
		return tlog.ConsistencyProof{}, zhuisu.Errorf(zhuisu.EInvalid, "a consistency proof needs 1 <= from <= to <= %d (the latest checkpoint), got from=%d to=%d", size, from, to)
	}
	return tlog.ProveConsistency(from, to, s.HashReader(ctx))
}

// Tile returns a tile of the latest checkpoint's tree by its C2SP path ("tile/0/x001/234",
// "tile/entries/5.p/7"), and whether it is full (and so never changes).
func (s *Service) Tile(ctx context.Context, path string) ([]byte, bool, error) {
	t, err := tlog.ParseTilePath(path)
	if err != nil {
		return nil, false, err
	}
	cp, err := s.Latest(ctx)
	if err != nil {
		return nil, false, err
	}
	if cp == nil {
		return nil, false, zhuisu.Errorf(zhuisu.ENotFound, "the log has no checkpoint yet")
	}
	var data []byte
	if t.IsEntries() {
		data, err = tlog.EntryBundle(t, cp.Size, tlog.EntryReaderFunc(func(start, end int64) ([][32]byte, error) {
			return s.Store.LogLeaves(ctx, start, end)
		}))
	} else {
		data, err = tlog.TileData(t, cp.Size, s.HashReader(ctx))
	}
	if err != nil {
		return nil, false, err
	}
	return data, t.Full(), nil
}

// String describes the service for logs.
func (s *Service) String() string { return fmt.Sprintf("log %s", s.Origin) }
