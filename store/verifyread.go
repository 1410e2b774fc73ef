package store

import "context"

// VerifyReaders is implemented by a LogStore whose rows verify reads faster through one
// reader kept open for the whole verification than through ReadVerifyBatch, which must
// set up its read each time. Verify uses it when the store offers it.
type VerifyReaders interface {
	OpenVerifyReader(ctx context.Context) (VerifyReader, error)
}

// VerifyReader reads what LogStore.ReadVerifyBatch reads. It is used by one goroutine at
// a time and must be closed.
type VerifyReader interface {
	ReadVerifyBatch(ctx context.Context, from int64, limit int, b *VerifyBatch) error
	Close() error
}

// VerifyBatch is a run of stored events in seq order with the interior hashes stored for
// their seqs: what verify reads at a time (LogStore.ReadVerifyBatch). Verifying a store
// reads every row once; the batch keeps the rows' bytes in one buffer it reuses, so that
// reading a million events does not make a million allocations.
type VerifyBatch struct {
	// Events' Doc points into the batch's buffer: it is valid until the batch is read
	// into again.
	Events []VerifyEvent
	// NodeSeqs and Nodes are the interior hashes stored for the seqs of the range read
	// (see ReadVerifyBatch), in seq order, pointing into the buffer too.
	NodeSeqs []int64
	Nodes    [][]byte

	buf []byte
}

// VerifyEvent is what verify reads of a stored event: the fields of Event it checks.
// (Event is half as large again, and verify writes batches of them on one core and reads
// them on others.)
type VerifyEvent struct {
	Seq         int64
	Hash, Entry [32]byte
	Doc         []byte
	Subject     string
	Declares    int64 // -1: none
	DeclaredBy  int64 // -1: none
}

// Reset empties b, keeping its memory. Adapters call it before filling b.
func (b *VerifyBatch) Reset() {
	b.Events = b.Events[:0]
	b.NodeSeqs = b.NodeSeqs[:0]
	b.Nodes = b.Nodes[:0]
	b.buf = b.buf[:0]
}

// keep copies p into b's buffer. When p does not fit, the buffer is replaced by a larger
// one, empty: the slices kept earlier point into the old array, which holds their bytes
// unchanged, so they need not be copied over (as append would, a megabyte at a time for a
// batch of a thousand events). After a few batches the buffer holds a whole batch.
func (b *VerifyBatch) keep(p []byte) []byte {
	if len(b.buf)+len(p) > cap(b.buf) {
		b.buf = make([]byte, 0, max(2*cap(b.buf), len(p), 64<<10))
	}
	start := len(b.buf)
	b.buf = append(b.buf, p...)
	return b.buf[start:len(b.buf):len(b.buf)]
}

// AddEvent appends an event row, copying the bytes it is given, so adapters may pass
// driver memory that is only valid until their next row. A hash or entry that is not 32
// bytes is left zero: verify then reports a mismatch. declares and declaredBy are -1 for
// none.
func (b *VerifyBatch) AddEvent(seq int64, hash, entry, subject, doc []byte, declares, declaredBy int64) {
	e := VerifyEvent{Seq: seq, Declares: declares, DeclaredBy: declaredBy}
	if len(hash) == 32 {
		e.Hash = [32]byte(hash)
	}
	if len(entry) == 32 {
		e.Entry = [32]byte(entry)
	}
	// A store has few subjects (the parties that capture), usually one per run of events.
	if n := len(b.Events); n > 0 && b.Events[n-1].Subject == string(subject) {
		e.Subject = b.Events[n-1].Subject
	} else {
		e.Subject = string(subject)
	}
	e.Doc = b.keep(doc)
	b.Events = append(b.Events, e)
}

// AddNode appends the interior hashes of one seq, copying them.
func (b *VerifyBatch) AddNode(seq int64, hashes []byte) {
	b.NodeSeqs = append(b.NodeSeqs, seq)
	b.Nodes = append(b.Nodes, b.keep(hashes))
}
