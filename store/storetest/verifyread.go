package storetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// testReadVerifyBatch checks that ReadVerifyBatch reads what EventDocs and LogNodes read,
// by seq range, and that a batch read again holds only the new range.
func testReadVerifyBatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	events := []*store.Event{ev("a", nil), ev("b", nil), ev("c", nil), ev("d", func(e *epcis.Event) {
		e.ErrorDeclaration = &epcis.ErrorDeclaration{DeclarationTime: base, Reason: "incorrect_data"}
	}), ev("e", nil)}
	events[3].Hash = events[1].Hash // a declaration of b
	events[3].Event.EventID = events[1].Event.EventID
	mustCapture(t, s, batch(events...))
	nodes := []store.LogNode{{Seq: 1, Hashes: bytes.Repeat([]byte{1}, 32)}, {Seq: 3, Hashes: bytes.Repeat([]byte{3}, 64)}}
	if err := s.AppendLog(ctx, nodes, &store.Checkpoint{Size: 4, Note: []byte("note 4"), CreatedAt: base}); err != nil {
		t.Fatal(err)
	}
	var b store.VerifyBatch
	for _, r := range []struct {
		from      int64
		limit     int
		nodeSeqs  []int64
		eventSeqs []int64
	}{
		{1, 3, []int64{1, 3}, []int64{1, 2, 3}},
		{3, 10, []int64{3}, []int64{3, 4}},
		{0, 1, nil, []int64{0}},
		{5, 10, nil, nil},
	} {
		if err := s.ReadVerifyBatch(ctx, r.from, r.limit, &b); err != nil {
			t.Fatal(err)
		}
		want, err := s.EventDocs(ctx, r.from, r.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Events) != len(want) || len(want) != len(r.eventSeqs) {
			t.Fatalf("ReadVerifyBatch(%d, %d) read %d events, EventDocs %d, want %d", r.from, r.limit, len(b.Events), len(want), len(r.eventSeqs))
		}
		for i, w := range want {
			g := &b.Events[i]
			if g.Seq != r.eventSeqs[i] || g.Seq != w.Seq || g.Hash != w.Hash || g.Entry != w.Entry || !bytes.Equal(g.Doc, w.Doc) ||
				g.Subject != w.Subject || g.Declares != w.Declares || g.DeclaredBy != w.DeclaredBy {
				t.Fatalf("ReadVerifyBatch(%d, %d) event %d = %+v, EventDocs has %+v", r.from, r.limit, i, g, w)
			}
		}
		if len(b.NodeSeqs) != len(r.nodeSeqs) || len(b.Nodes) != len(r.nodeSeqs) {
			t.Fatalf("ReadVerifyBatch(%d, %d) read nodes %v, want %v", r.from, r.limit, b.NodeSeqs, r.nodeSeqs)
		}
		for i, seq := range r.nodeSeqs {
			w := nodes[0].Hashes
			if seq == 3 {
				w = nodes[1].Hashes
			}
			if b.NodeSeqs[i] != seq || !bytes.Equal(b.Nodes[i], w) {
				t.Fatalf("ReadVerifyBatch(%d, %d) node %d = %d %x, want %d %x", r.from, r.limit, i, b.NodeSeqs[i], b.Nodes[i], seq, w)
			}
		}
	}
	if err := s.ReadVerifyBatch(ctx, 1, 1, &b); err != nil || b.Events[0].DeclaredBy != 3 || b.Events[0].Declares != -1 {
		t.Fatalf("ReadVerifyBatch(1, 1) = %+v, %v: want b declared by event 3", b.Events, err)
	}
}
