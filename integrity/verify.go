package integrity

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"

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
	// Problem names the first event, leaf or checkpoint found wrong; empty when all hold.
	Problem string
}

// OK reports whether nothing was found wrong.
func (r *Report) OK() bool { return r.Problem == "" }

// verifyChunk is how many events verify reads at a time.
const verifyChunk = 8192

type hashed struct {
	ev   *store.Event
	sum  [32]byte
	fail string
}

// Verify recomputes, from what the store holds, every event's hash, every leaf and
// interior hash of the tree, and every checkpoint's root, and checks every checkpoint's
// signature with verifiers. It stops at the first problem and names it in the report;
// an error means the store could not be read.
func Verify(ctx context.Context, st store.Store, origin string, verifiers []tlog.Verifier) (*Report, error) {
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

	var b tlog.Builder
	next := 0 // next checkpoint to compare
	// Declaration links: an original says which event declares it, and that event must
	// say it declares the original.
	declaredBy := map[int64]int64{}
	var dst []tlog.Hash
	var seq int64
	workers := runtime.GOMAXPROCS(0)
	for {
		docs, err := st.EventDocs(ctx, seq, verifyChunk)
		if err != nil {
			return nil, err
		}
		if len(docs) == 0 {
			break
		}
		results := rehash(docs, workers)
		seqs := make([]int64, len(docs))
		for i, d := range docs {
			seqs[i] = d.Seq
		}
		nodes, err := st.LogNodes(ctx, seqs)
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			e := r.ev
			if e.Seq != seq {
				rep.Problem = fmt.Sprintf("event %d is missing: the stored sequence jumps from %d to %d", seq, seq-1, e.Seq)
				return rep, nil
			}
			if r.fail != "" {
				rep.Problem = fmt.Sprintf("event %d: %s", e.Seq, r.fail)
				return rep, nil
			}
			if r.sum != e.Hash {
				rep.Problem = fmt.Sprintf("event %d: its stored content hashes to %s, but the stored hash is %s",
					e.Seq, store.HashURI(r.sum), store.HashURI(e.Hash))
				return rep, nil
			}
			if entry := store.EntryOf(r.sum, store.DocDigest(e.Doc), e.Subject, e.Declares); entry != e.Entry {
				rep.Problem = fmt.Sprintf("event %d: its stored record (document, subject or declaration link) does not match its log entry", e.Seq)
				return rep, nil
			}
			if e.DeclaredBy >= 0 {
				declaredBy[e.Seq] = e.DeclaredBy
			}
			if e.Declares >= 0 {
				if declaredBy[e.Declares] != e.Seq {
					rep.Problem = fmt.Sprintf("event %d declares event %d erroneous, but event %d does not name it as its declaration", e.Seq, e.Declares, e.Declares)
					return rep, nil
				}
				delete(declaredBy, e.Declares)
			}
			dst = b.AppendStored(tlog.LeafHash(e.Entry), dst[:0])
			var want []byte
			if e.Seq < rep.TreeSize {
				for _, h := range dst[1:] {
					want = append(want, h[:]...)
				}
			}
			if got, ok := nodes[e.Seq]; ok != (len(want) > 0) || !bytes.Equal(got, want) {
				rep.Problem = fmt.Sprintf("leaf %d: the stored interior hashes differ from the tree recomputed from the events", e.Seq)
				return rep, nil
			}
			seq++
			rep.Events++
			for next < len(cps) && cps[next].Size == seq {
				if root := b.Root(); root != cps[next].Root {
					rep.Problem = fmt.Sprintf("checkpoint of size %d: its root %x differs from the root %x of the first %d events",
						cps[next].Size, cps[next].Root[:8], root[:8], seq)
					return rep, nil
				}
				next++
				rep.Checkpoints++
			}
		}
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
	return rep, nil
}

// rehash decodes and hashes events in parallel, keeping their order.
func rehash(docs []*store.Event, workers int) []hashed {
	out := make([]hashed, len(docs))
	var wg sync.WaitGroup
	per := (len(docs) + workers - 1) / workers
	for w := 0; w < len(docs); w += per {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				out[i].ev = docs[i]
				e, err := epcis.DecodeEventJSON(docs[i].Doc)
				if err != nil {
					out[i].fail = "its stored content is not a readable event: " + zhuisu.ErrorMessage(err)
					continue
				}
				sum, ok := store.ParseHashURI(epcis.Hash(e))
				if !ok {
					out[i].fail = "its hash cannot be computed"
					continue
				}
				out[i].sum = sum
			}
		}(w, min(w+per, len(docs)))
	}
	wg.Wait()
	return out
}
