package sqlite_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// TestVerifyReaderReadsWhatEventDocsReadsRangeAfterRange reads a store with one verify
// reader, range after range and ranges again, as verify does, and compares every batch
// with EventDocs and LogNodes.
func TestVerifyReaderReadsWhatEventDocsReadsRangeAfterRange(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	at := time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC)
	const n = 300
	var events []*store.Event
	for i := range n {
		name := fmt.Sprintf("ev-%03d", i)
		events = append(events, &store.Event{
			Hash: sha256.Sum256([]byte(name)),
			Event: &epcis.Event{Type: epcis.ObjectEvent, EventID: "urn:uuid:" + name, EventTime: at, EventTimeZoneOffset: "+00:00",
				RecordTime: at, Action: epcis.ActionObserve},
			Doc:     bytes.Repeat([]byte(name), 1+i%40), // documents of many lengths
			Subject: []string{"", "91350100M000100Y43", "合作社"}[i%3],
		})
	}
	if _, err := st.Capture(ctx, &store.Batch{Job: &store.Job{ID: "job-1", State: store.JobSuccess, CreatedAt: at, FinishedAt: at, Events: n}, Events: events}); err != nil {
		t.Fatal(err)
	}
	var nodes []store.LogNode
	for seq := int64(1); seq < n; seq += 7 {
		nodes = append(nodes, store.LogNode{Seq: seq, Hashes: bytes.Repeat([]byte{byte(seq)}, 32*int(1+seq%3))})
	}
	if err := st.AppendLog(ctx, nodes, &store.Checkpoint{Size: n, Note: []byte("note"), CreatedAt: at}); err != nil {
		t.Fatal(err)
	}

	r, err := st.(store.VerifyReaders).OpenVerifyReader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b store.VerifyBatch
	for _, rg := range []struct {
		from  int64
		limit int
	}{{0, 64}, {64, 64}, {128, 100}, {228, 1000}, {0, 1}, {299, 5}, {300, 5}, {17, 33}} {
		if err := r.ReadVerifyBatch(ctx, rg.from, rg.limit, &b); err != nil {
			t.Fatal(err)
		}
		want, err := st.EventDocs(ctx, rg.from, rg.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Events) != len(want) {
			t.Fatalf("range %d+%d: read %d events, EventDocs %d", rg.from, rg.limit, len(b.Events), len(want))
		}
		for i, w := range want {
			g := b.Events[i]
			if g.Seq != w.Seq || g.Hash != w.Hash || g.Entry != w.Entry || g.Subject != w.Subject || !bytes.Equal(g.Doc, w.Doc) ||
				g.Declares != w.Declares || g.DeclaredBy != w.DeclaredBy {
				t.Fatalf("range %d+%d, event %d: read %+v, EventDocs %+v", rg.from, rg.limit, i, g, *w)
			}
		}
		var seqs []int64
		for seq := rg.from; seq < rg.from+int64(rg.limit); seq++ {
			seqs = append(seqs, seq)
		}
		wantNodes, err := st.LogNodes(ctx, seqs)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.NodeSeqs) != len(wantNodes) {
			t.Fatalf("range %d+%d: read nodes of %v, LogNodes has %d", rg.from, rg.limit, b.NodeSeqs, len(wantNodes))
		}
		for i, seq := range b.NodeSeqs {
			if !bytes.Equal(b.Nodes[i], wantNodes[seq]) {
				t.Fatalf("range %d+%d: node %d = %x, want %x", rg.from, rg.limit, seq, b.Nodes[i], wantNodes[seq])
			}
		}
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.ReadVerifyBatch(canceled, 0, 10, &b); zhuisu.ErrorCode(err) != zhuisu.EUnavailable {
		t.Fatalf("a read with a canceled context = %v, want an unavailable error", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.ReadVerifyBatch(ctx, 0, 10, &b); err == nil {
		t.Fatal("a closed reader read without error")
	}
}
