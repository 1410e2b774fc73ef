package store

import (
	"context"
	"time"

	"github.com/zhuisu/zhuisu"
)

// LogStore keeps the tamper-evident log beside the events. The leaves are the events
// themselves (leaf i is the hash of the event at seq i, written in the capture's
// transaction); a store adds the interior hashes and the signed checkpoints that the
// integrator computes, and the state a witness keeps of the logs it co-signs.
type LogStore interface {
	// LogLeaves returns the log entries (Event.Entry) of the events with seq in
	// [from, to), in order.
	LogLeaves(ctx context.Context, from, to int64) ([][32]byte, error)
	// EventAndLeaves reads at once what a public proof of one record needs: the event
	// seq whole (nil when it is declared erroneous or is a declaration) and the log
	// entries of the events with seq in [from, to), which holds seq, in order.
	EventAndLeaves(ctx context.Context, seq, from, to int64) (*Event, [][32]byte, error)
	// LogNodes returns the interior hashes kept for the given seqs (see LogNode); a seq
	// without interior hashes is absent from the map.
	LogNodes(ctx context.Context, seqs []int64) (map[int64][]byte, error)
	// LastLogNode returns the largest seq with interior hashes stored, -1 when none.
	LastLogNode(ctx context.Context) (int64, error)
	// AppendLog stores the interior hashes of newly integrated leaves and the checkpoint
	// that covers them, in one transaction. It fails with EConflict when a checkpoint at
	// least as large exists (another process integrated first).
	AppendLog(ctx context.Context, nodes []LogNode, cp *Checkpoint) error
	// AddCosignatures replaces the note of the checkpoint of that size with one carrying
	// more signatures (witness cosignatures); size and root cannot change.
	AddCosignatures(ctx context.Context, size int64, note []byte) error
	// LatestCheckpoint returns the largest checkpoint; ENotFound before the first.
	LatestCheckpoint(ctx context.Context) (*Checkpoint, error)
	// Checkpoints lists checkpoints with size greater than after, smallest first.
	Checkpoints(ctx context.Context, after int64, limit int) ([]*Checkpoint, error)
	// EventDocs returns stored events with seq >= from in seq order (Seq, Hash, Entry,
	// Doc, Facts, Subject, Declares and DeclaredBy set; declarations included), at most
	// limit: what verify re-hashes.
	EventDocs(ctx context.Context, from int64, limit int) ([]*Event, error)
	// ReadVerifyBatch refills b with what EventDocs(from, limit) returns and with the
	// interior hashes stored for seqs in [from, from+limit), in seq order: verify's read,
	// which reuses b's memory (see VerifyBatch).
	ReadVerifyBatch(ctx context.Context, from int64, limit int, b *VerifyBatch) error

	// WitnessState returns what this node last co-signed for a log; ENotFound if never.
	WitnessState(ctx context.Context, origin string) (*WitnessState, error)
	// SetWitnessState records a new state for a log if the stored one is still old (nil:
	// none stored); EConflict if another request changed it meanwhile.
	SetWitnessState(ctx context.Context, origin string, old, new *WitnessState) error
}

// LogNode is the interior hashes of one leaf: the hashes of the subtrees that the leaf
// at Seq completes, lowest first, 32 bytes each (tlog.StoredHashes without the leaf).
type LogNode struct {
	Seq    int64
	Hashes []byte
}

// Checkpoint is a signed tree head: the signed note and what it commits to.
type Checkpoint struct {
	Size      int64
	Root      [32]byte
	Note      []byte
	CreatedAt time.Time
}

// WitnessState is the size and root of the last checkpoint of a log a witness co-signed.
type WitnessState struct {
	Size      int64
	Root      [32]byte
	UpdatedAt time.Time
}

// SplitEventAndLeaves gives EventAndLeaves' answer from the events read in [from, to),
// in seq order, with the document of seq alone: it checks that none is missing.
func SplitEventAndLeaves(events []*Event, seq, from, to int64) (*Event, [][32]byte, error) {
	leaves := make([][32]byte, 0, len(events))
	var proved *Event
	for i, e := range events {
		if e.Seq != from+int64(i) {
			break
		}
		leaves = append(leaves, e.Entry)
		if e.Seq == seq && e.Declares < 0 && e.DeclaredBy < 0 {
			proved = e
		}
	}
	if int64(len(leaves)) != to-from || seq < from || seq >= to {
		return nil, nil, zhuisu.Errorf(zhuisu.ENotFound, "event and log leaves: no event %d", from+int64(len(leaves)))
	}
	return proved, leaves, nil
}
