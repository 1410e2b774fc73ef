package store

import (
	"bytes"
	"fmt"
	"testing"
)

// TestVerifyBatchKeepsEveryRowWhenItsBufferIsReplaced fills a batch far beyond its first
// buffer, batch after batch, and checks that every row kept, before and after each change
// of buffer, still reads as it was added.
func TestVerifyBatchKeepsEveryRowWhenItsBufferIsReplaced(t *testing.T) {
	var b VerifyBatch
	buffers := map[*byte]bool{}
	for round := range 3 {
		b.Reset()
		var docs [][]byte
		for i := range 2000 {
			doc := bytes.Repeat([]byte(fmt.Sprintf("r%d-e%d;", round, i)), 1+(i*7+round)%300)
			docs = append(docs, doc)
			b.AddEvent(int64(i), nil, nil, []byte("subject"), doc, -1, -1)
			b.AddNode(int64(i), bytes.Repeat([]byte{byte(i)}, 32))
			buffers[&b.buf[:1][0]] = true
		}
		for i, e := range b.Events {
			if !bytes.Equal(e.Doc, docs[i]) || e.Seq != int64(i) || e.Subject != "subject" {
				t.Fatalf("round %d, event %d: reads %.40q, was added as %.40q", round, i, e.Doc, docs[i])
			}
			if want := bytes.Repeat([]byte{byte(i)}, 32); !bytes.Equal(b.Nodes[i], want) {
				t.Fatalf("round %d, node %d: reads %x", round, i, b.Nodes[i])
			}
		}
	}
	if len(buffers) < 3 {
		t.Fatalf("the batch used %d buffers: the test does not reach a change of buffer", len(buffers))
	}
}
