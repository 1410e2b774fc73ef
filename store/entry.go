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

// EntryOf computes the log entry of a record from its parts.
func EntryOf(eventHash, docDigest [32]byte, subject string, declares int64) [32]byte {
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

// SetEntry computes e.Entry from e's hash, document, subject and declaration link.
func (e *Event) SetEntry() { e.Entry = EntryOf(e.Hash, DocDigest(e.Doc), e.Subject, e.Declares) }
