package integrity

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
)

// Report is the outcome of a verification.
type Report struct {
	Events      int64 // events re-hashed
	TreeSize    int64 // size of the latest checkpoint
	Checkpoints int   // checkpoints whose root and signature were checked
	// GeneralDecodes counts the events whose stored form the stored-form reader left to
	// the general decoder (see epcis.StoredHasher); all of them with Options.General.
	GeneralDecodes int64
	// Problem names the first event, leaf or checkpoint found wrong; empty when all hold.
	Problem string
}

// OK reports whether nothing was found wrong.
func (r *Report) OK() bool { return r.Problem == "" }

// Options tune VerifyWith. The zero value is what Verify uses.
type Options struct {
	// General re-hashes every event through epcis.DecodeEventJSON and epcis.Hash instead
	// of epcis.StoredHasher: the baseline that `zhuisu bench verify` measures against.
	General bool
	// Workers is the number of goroutines hashing events; 0 means GOMAXPROCS.
	Workers int
}

// verifyBatch is how many events verify reads at a time. Batches are the unit of work of
// the hashing goroutines; a few are in flight at once.
const verifyBatch = 1024

// Verify recomputes, from what the store holds, every event's hash, every leaf and
// interior hash of the tree, and every checkpoint's root, and checks every checkpoint's
// signature with verifiers. It stops at the first problem and names it in the report;
// an error means the store could not be read.
func Verify(ctx context.Context, st store.Store, origin string, verifiers []tlog.Verifier) (*Report, error) {
	return VerifyWith(ctx, st, origin, verifiers, Options{})
}

// VerifyWith is Verify with options.
//
// The work is split three ways, because on a small machine no single part may wait for
// another: one goroutine reads batches of events with their interior hashes from the
// store; workers recompute each event's hash from its stored document, the document's
// digest, the log entry and the leaf hash, which is most of the cost and independent
// from event to event; and the calling goroutine takes the batches in seq order and does
// what depends on order: the tree, the interior hashes, the checkpoints and the
// declaration links. What is checked, and the first problem named, are the same as
// with one goroutine doing everything in order.
func VerifyWith(ctx context.Context, st store.Store, origin string, verifiers []tlog.Verifier, opt Options) (*Report, error) {
	rep := &Report{}
	var cps []*store.Checkpoint
	for after := int64(0); ; {
		page, err := st.Checkpoints(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		cps = append(cps, page...)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Size
	}
	for _, cp := range cps {
		c, err := tlog.OpenCheckpoint(cp.Note, origin, verifiers...)
		if err != nil {
			rep.Problem = fmt.Sprintf("checkpoint of size %d: its signed note does not verify: %s", cp.Size, zhuisu.ErrorMessage(err))
			return rep, nil
		}
		if c.Size != cp.Size || c.Root != cp.Root {
			rep.Problem = fmt.Sprintf("checkpoint of size %d: the signed note says size %d and root %x, the stored row size %d and root %x",
				cp.Size, c.Size, c.Root[:8], cp.Size, cp.Root[:8])
			return rep, nil
		}
	}
	if len(cps) > 0 {
		rep.TreeSize = cps[len(cps)-1].Size
	}

	seq, next, declaredBy, err := verifyEvents(ctx, st, cps, rep, opt)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return rep, nil
	}
	if next < len(cps) {
		rep.Problem = fmt.Sprintf("checkpoint of size %d covers events that are not stored: the store holds %d", cps[next].Size, seq)
		return rep, nil
	}
	for orig, decl := range declaredBy {
		rep.Problem = fmt.Sprintf("event %d names event %d as its declaration, which does not declare it", orig, decl)
		return rep, nil
	}
	last, err := st.LastLogNode(ctx)
	if err != nil {
		return nil, err
	}
	if last >= rep.TreeSize {
		rep.Problem = fmt.Sprintf("leaf %d: interior hashes are stored beyond the latest checkpoint (size %d)", last, rep.TreeSize)
	}
	if rep.OK() {
		return rep, verifyAudit(ctx, st, origin, verifiers, rep) // the audit chain and its heads: audit.go
	}
	return rep, nil
}

// hashedBatch is one batch in the pipeline: the rows read and what the workers computed
// of them.
type hashedBatch struct {
	b    store.VerifyBatch
	res  []hashedEvent
	err  error         // reading failed
	done chan struct{} // closed when res is complete
}

type hashedEvent struct {
	sum   [32]byte // the event hash recomputed from the document
	entry [32]byte // the entry recomputed from sum and the stored record
	leaf  tlog.Hash
	fail  string // the document is not a readable event
}

// verifyEvents checks every stored event in seq order, as described at VerifyWith. It
// returns the number of events (the next seq), the index of the first checkpoint not
// reached and the declaration links not yet matched; a problem goes into rep.
func verifyEvents(ctx context.Context, st store.Store, cps []*store.Checkpoint, rep *Report, opt Options) (int64, int, map[int64]int64, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	read := st.ReadVerifyBatch
	closeReader := func() error { return nil }
	if rs, ok := st.(store.VerifyReaders); ok {
		r, err := rs.OpenVerifyReader(ctx)
		if err != nil {
			return 0, 0, nil, err
		}
		read, closeReader = r.ReadVerifyBatch, r.Close
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (deferred below, so it runs first)
	defer cancel()

	// Batches cycle: free → read → hashed by a worker → checked in order → free.
	free := make(chan *hashedBatch, workers+2)
	for range workers + 2 {
		free <- &hashedBatch{}
	}
	work := make(chan *hashedBatch, workers+2)
	ordered := make(chan *hashedBatch, workers+2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(ordered)
		defer closeReader() // the reads had their errors; closing a reader has nothing to report
		for from := int64(0); ; {
			var hb *hashedBatch
			select {
			case hb = <-free:
			case <-ctx.Done():
				return
			}
			hb.done = make(chan struct{})
			hb.err = read(ctx, from, verifyBatch, &hb.b)
			last := hb.err != nil || len(hb.b.Events) == 0
			if last {
				close(hb.done)
			} else {
				select {
				case work <- hb:
				case <-ctx.Done():
					return
				}
				from = hb.b.Events[len(hb.b.Events)-1].Seq + 1
			}
			select {
			case ordered <- hb:
			case <-ctx.Done():
				return
			}
			if last {
				return
			}
		}
	}()
	var general atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := epcis.NewStoredHasher()
			for hb := range work {
				hashEvents(hb, h, opt.General)
				close(hb.done)
			}
			general.Add(h.General)
		}()
	}

	var b tlog.Builder
	next := 0 // next checkpoint to compare
	// Declaration links: an original says which event declares it, and that event must
	// say it declares the original.
	declaredBy := map[int64]int64{}
	var dst []tlog.Hash
	var want []byte
	var seq int64
	for hb := range ordered {
		<-hb.done
		if hb.err != nil {
			return seq, next, nil, hb.err
		}
		if len(hb.b.Events) == 0 {
			break
		}
		nodeAt := 0 // next of hb.b.NodeSeqs
		for i := range hb.b.Events {
			e, r := &hb.b.Events[i], &hb.res[i]
			if e.Seq != seq {
				rep.Problem = fmt.Sprintf("event %d is missing: the stored sequence jumps from %d to %d", seq, seq-1, e.Seq)
				return seq, next, nil, nil
			}
			if r.fail != "" {
				rep.Problem = fmt.Sprintf("event %d: %s", e.Seq, r.fail)
				return seq, next, nil, nil
			}
			if r.sum != e.Hash {
				rep.Problem = fmt.Sprintf("event %d: its stored content hashes to %s, but the stored hash is %s",
					e.Seq, store.HashURI(r.sum), store.HashURI(e.Hash))
				return seq, next, nil, nil
			}
			if r.entry != e.Entry {
				rep.Problem = fmt.Sprintf("event %d: its stored record (document, subject or declaration link) does not match its log entry", e.Seq)
				return seq, next, nil, nil
			}
			if e.DeclaredBy >= 0 {
				declaredBy[e.Seq] = e.DeclaredBy
			}
			if e.Declares >= 0 {
				if declaredBy[e.Declares] != e.Seq {
					rep.Problem = fmt.Sprintf("event %d declares event %d erroneous, but event %d does not name it as its declaration", e.Seq, e.Declares, e.Declares)
					return seq, next, nil, nil
				}
				delete(declaredBy, e.Declares)
			}
			dst = b.AppendStored(r.leaf, dst[:0])
			want = want[:0]
			if e.Seq < rep.TreeSize {
				for _, h := range dst[1:] {
					want = append(want, h[:]...)
				}
			}
			var got []byte
			stored := nodeAt < len(hb.b.NodeSeqs) && hb.b.NodeSeqs[nodeAt] == e.Seq
			if stored {
				got = hb.b.Nodes[nodeAt]
				nodeAt++
			}
			if stored != (len(want) > 0) || !bytes.Equal(got, want) {
				rep.Problem = fmt.Sprintf("leaf %d: the stored interior hashes differ from the tree recomputed from the events", e.Seq)
				return seq, next, nil, nil
			}
			seq++
			rep.Events++
			for next < len(cps) && cps[next].Size == seq {
				if root := b.Root(); root != cps[next].Root {
					rep.Problem = fmt.Sprintf("checkpoint of size %d: its root %x differs from the root %x of the first %d events",
						cps[next].Size, cps[next].Root[:8], root[:8], seq)
					return seq, next, nil, nil
				}
				next++
				rep.Checkpoints++
			}
		}
		free <- hb
	}
	if err := ctx.Err(); err != nil {
		// Stopped from outside: the reader may have ended the batches early.
		return seq, next, nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "verify stopped: %v", err)
	}
	cancel()
	wg.Wait()
	rep.GeneralDecodes = general.Load()
	return seq, next, declaredBy, nil
}

// hashEvents recomputes, for each event of hb, its hash from the stored document, its log
// entry from that hash and the stored record, and the leaf of the stored entry.
func hashEvents(hb *hashedBatch, h *epcis.StoredHasher, general bool) {
	evs := hb.b.Events
	if cap(hb.res) < len(evs) {
		hb.res = make([]hashedEvent, len(evs))
	}
	hb.res = hb.res[:len(evs)]
	for i := range evs {
		e, r := &evs[i], &hb.res[i]
		*r = hashedEvent{leaf: tlog.LeafHash(e.Entry)}
		if general {
			ev, err := epcis.DecodeEventJSON(e.Doc)
			if err != nil {
				r.fail = "its stored content is not a readable event: " + zhuisu.ErrorMessage(err)
				continue
			}
			sum, ok := store.ParseHashURI(epcis.Hash(ev))
			if !ok {
				r.fail = "its hash cannot be computed"
				continue
			}
			r.sum = sum
			h.General++
		} else {
			sum, err := h.Sum(e.Doc)
			if err != nil {
				r.fail = "its stored content is not a readable event: " + zhuisu.ErrorMessage(err)
				continue
			}
			r.sum = sum
		}
		r.entry = store.EntryOf(r.sum, store.DocDigest(e.Doc), e.Subject, e.Declares)
	}
}
