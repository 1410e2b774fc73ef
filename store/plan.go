package store

import "github.com/zhuisu/zhuisu"

// Existing is what an adapter knows of a stored event when planning a batch.
type Existing struct {
	Seq        int64
	Hash       [32]byte
	DeclaredBy int64 // -1 when not declared erroneous
}

// Plan is the outcome of PlanBatch: which events are new, with their Seq and Declares set,
// and which stored events become declared.
type Plan struct {
	New       []*Event
	Seqs      []int64
	Duplicate []bool
	Marks     map[int64]int64 // original seq -> declaration seq
}

// PlanBatch decides, under the adapter's write lock, what a batch adds. It is the one
// place that defines duplicates and declarations for every adapter:
//   - an event whose hash is stored, or repeated earlier in the batch, is a duplicate;
//   - an eventID already used by an event with another hash is a conflict and fails the
//     whole batch;
//   - an error declaration of a stored (or earlier-in-batch) event, found by eventID and
//     then by hash, is stored as its own record that declares the original; a second
//     declaration of the same event is a duplicate; a declaration of an unknown event is
//     stored as an ordinary event.
//
// New events get dense Seq numbers from next on, and their log Entry.
func PlanBatch(b *Batch, next int64, byHash func([32]byte) (Existing, bool), byID func(string) (Existing, bool)) (*Plan, error) {
	n := len(b.Events)
	p := &Plan{Seqs: make([]int64, n), Duplicate: make([]bool, n), Marks: map[int64]int64{}}
	batchHash := map[[32]byte]Existing{}
	batchID := map[string]Existing{}
	declared := map[int64]int64{} // in-batch declarations: original -> declaration

	findHash := func(h [32]byte) (Existing, bool) {
		if x, ok := batchHash[h]; ok {
			return x, true
		}
		return byHash(h)
	}
	findID := func(id string) (Existing, bool) {
		if x, ok := batchID[id]; ok {
			return x, true
		}
		return byID(id)
	}
	for i, e := range b.Events {
		e.Declares = -1
		e.DeclaredBy = -1
		if e.Event.ErrorDeclaration != nil {
			orig, ok := findID(e.Event.EventID)
			if !ok {
				orig, ok = findHash(e.Hash)
			}
			if ok {
				if d, seen := declared[orig.Seq]; seen {
					p.Seqs[i], p.Duplicate[i] = d, true
					continue
				}
				if orig.DeclaredBy >= 0 {
					p.Seqs[i], p.Duplicate[i] = orig.DeclaredBy, true
					continue
				}
				e.Seq, e.Declares = next, orig.Seq
				e.SetEntry()
				next++
				declared[orig.Seq] = e.Seq
				p.Marks[orig.Seq] = e.Seq
				p.Seqs[i] = e.Seq
				p.New = append(p.New, e)
				continue
			}
		}
		if x, ok := findHash(e.Hash); ok {
			p.Seqs[i], p.Duplicate[i] = x.Seq, true
			continue
		}
		if x, ok := findID(e.Event.EventID); ok && x.Hash != e.Hash {
			return nil, &Error{Index: i, Err: zhuisu.Errorf(zhuisu.EConflict,
				"eventID %s is already used by a different event (same eventID, different content)", e.Event.EventID)}
		}
		e.Seq = next
		e.SetEntry()
		next++
		x := Existing{Seq: e.Seq, Hash: e.Hash, DeclaredBy: -1}
		batchHash[e.Hash] = x
		batchID[e.Event.EventID] = x
		p.Seqs[i] = e.Seq
		p.New = append(p.New, e)
	}
	return p, nil
}

// Error is a failure tied to one event of a batch.
type Error struct {
	Index int // position of the event in the batch
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
