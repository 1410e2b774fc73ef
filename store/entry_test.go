package store

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
)

// streamedEntry is the entry as the first implementation of EntryOf computed it, writing
// each part into a streaming hash: stores written then must keep verifying.
func streamedEntry(eventHash, docDigest [32]byte, subject string, declares int64) [32]byte {
	h := sha256.New()
	h.Write([]byte(entryDomain))
	h.Write(eventHash[:])
	h.Write(docDigest[:])
	var n [8]byte
	binary.BigEndian.PutUint32(n[:4], uint32(len(subject)))
	h.Write(n[:4])
	h.Write([]byte(subject))
	binary.BigEndian.PutUint64(n[:], uint64(declares))
	h.Write(n[:])
	return [32]byte(h.Sum(nil))
}

func TestEntryOfEqualsTheStreamedEntryOnEveryRecord(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	subjects := []string{"", "a", "org:6923456000001", "合作社", strings.Repeat("s", 159), strings.Repeat("s", 160),
		strings.Repeat("s", 161), strings.Repeat("长", 1000)}
	for i := range 20000 {
		var eh, dd [32]byte
		for j := range 32 {
			eh[j], dd[j] = byte(r.Uint32()), byte(r.Uint32())
		}
		subject := subjects[i%len(subjects)]
		if i%3 == 0 {
			b := make([]byte, r.IntN(300))
			for j := range b {
				b[j] = byte(r.Uint32())
			}
			subject = string(b)
		}
		declares := []int64{-1, 0, 1, r.Int64(), -r.Int64()}[i%5]
		if got, want := EntryOf(eh, dd, subject, declares), streamedEntry(eh, dd, subject, declares); got != want {
			t.Fatalf("record %d (subject of %d bytes, declares %d): EntryOf %x, streamed %x", i, len(subject), declares, got, want)
		}
	}
}

func TestEntryOfDoesNotAllocate(t *testing.T) {
	var eh, dd [32]byte
	subject := strings.Repeat("x", 40)
	if n := testing.AllocsPerRun(100, func() { EntryOf(eh, dd, subject, 7) }); n != 0 {
		t.Fatalf("EntryOf makes %v allocations, want 0", n)
	}
}
