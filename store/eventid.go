package store

import (
	"encoding/hex"
	"strings"
)

// Most events come without an eventID and get their CBV hash ID as one. Stores keep the
// eventID column empty (NULL) for those: the hash column already says it, and a second
// index of 90-byte random strings would double the index work of every capture.

const (
	hashURIPrefix = "ni:///sha-256;"
	hashURISuffix = "?ver=CBV2.0"
)

// HashURI returns the CBV 2.0 event hash ID of digest h.
func HashURI(h [32]byte) string {
	return hashURIPrefix + hex.EncodeToString(h[:]) + hashURISuffix
}

// ParseHashURI returns the digest of a CBV 2.0 SHA-256 event hash ID.
func ParseHashURI(s string) (h [32]byte, ok bool) {
	rest, ok := strings.CutPrefix(s, hashURIPrefix)
	if !ok {
		return h, false
	}
	hx, ok := strings.CutSuffix(rest, hashURISuffix)
	if !ok || len(hx) != 64 {
		return h, false
	}
	if _, err := hex.Decode(h[:], []byte(hx)); err != nil || hex.EncodeToString(h[:]) != hx {
		return h, false // only the canonical lowercase form
	}
	return h, true
}

// StoredEventID is what a store keeps in its eventID column for e: nil when the eventID
// is e's own hash ID, the eventID otherwise.
func StoredEventID(e *Event) any {
	if e.Event.EventID == HashURI(e.Hash) {
		return nil
	}
	return e.Event.EventID
}
