package store

import "hash/fnv"

// The key index holds one 64-bit number per (event, key): a hash of the role, the type
// and the value. A full-text index of URIs costs about 50 bytes an entry, and every entry
// lands on a random page of the index, so a capture of 1,000 events rewrote thousands of
// index pages; 8-byte numbers make the index a third of the size and the write cost with
// it. A hash collision can only add a candidate, which the query service's predicate then
// drops, so answers stay exact.

// Key entries are grouped into buckets of 1<<KeyBucketBits consecutive events, and the
// index is ordered by bucket first. A capture then inserts into the few index pages of
// the newest bucket instead of into pages all over an index that grows without bound —
// which made every capture rewrite a share of the whole index. A lookup probes each
// bucket: a few thousand index seeks at ten million events.
const KeyBucketBits = 12

// KeyBucket returns the bucket of the event with sequence number seq.
func KeyBucket(seq int64) int64 { return seq >> KeyBucketBits }

// Hash returns the index number of k.
func (k Key) Hash() int64 {
	h := fnv.New64a()
	h.Write([]byte{byte(k.Role), 0x1F})
	h.Write([]byte(k.Type))
	h.Write([]byte{0x1F})
	h.Write([]byte(k.Value))
	return int64(h.Sum64())
}

// Hashes lists the index numbers a match looks up: any of them satisfies it.
func (m *KeyMatch) Hashes() []int64 {
	var out []int64
	types := m.Types
	if len(types) == 0 {
		types = []string{""}
	}
	for _, r := range m.Roles {
		for _, t := range types {
			for _, v := range m.Values {
				out = append(out, Key{Role: r, Type: t, Value: v}.Hash())
			}
		}
	}
	return out
}
