package store

import (
	"crypto/sha256"
	"encoding/binary"
)

// A log entry commits to the whole stored record, not only to the CBV event hash: the
// event hash leaves out the eventID, the record time and an error declaration by design,
// and says nothing of who recorded the event. The entry is
//
//	SHA-256( "zhuisu/entry/v1\n" || event hash (32) || SHA-256(stored document) (32)
//	         || uint32 length || subject || int64 declares )
//
// with integers big-endian and declares -1 for an event that declares nothing. The
// event's leaf in the log is the RFC 6962 leaf hash of the entry.

const entryDomain = "zhuisu/entry/v1\n"

// DocDigest is the SHA-256 of a stored document.
func DocDigest(doc []byte) [32]byte { return sha256.Sum256(doc) }

// entryFixed is the length of an entry's hashed input without its subject.
const entryFixed = len(entryDomain) + 32 + 32 + 4 + 8

// EntryOf computes the log entry of a record from its parts.
//
// Verify computes one per stored event, so the input is laid out in a buffer on the
// stack and hashed in one call: no hash state or digest escapes to the heap. A subject
// too long for that buffer is hashed from a heap copy instead.
func EntryOf(eventHash, docDigest [32]byte, subject string, declares int64) [32]byte {
	var stack [entryFixed + 160]byte
	var in []byte
	if n := entryFixed + len(subject); n <= len(stack) {
		in = stack[:n]
	} else {
		in = make([]byte, n)
	}
	i := copy(in, entryDomain)
	i += copy(in[i:], eventHash[:])
	i += copy(in[i:], docDigest[:])
	binary.BigEndian.PutUint32(in[i:], uint32(len(subject)))
	i += 4
	i += copy(in[i:], subject)
	binary.BigEndian.PutUint64(in[i:], uint64(declares))
	return sha256.Sum256(in)
}

// SetEntry computes e.Entry from e's hash, document, subject and declaration link.
func (e *Event) SetEntry() { e.Entry = EntryOf(e.Hash, DocDigest(e.Doc), e.Subject, e.Declares) }
