package sqlite

import (
	"context"
	"encoding/binary"
	"math/bits"
	"strconv"
	"sync"

	"github.com/zhuisu/zhuisu/store"
)

// The key index is ordered by bucket first (see store.KeyBucketBits), so a lookup probes
// every bucket: at ten million events that is 2,441 index seeks per key, tens of
// milliseconds, and a recall or a public lookup asks for dozens of keys. Each full bucket
// therefore gets a Bloom filter of its keys, kept in key_filters and in memory, and a
// lookup probes only the buckets whose filter may hold one of its keys plus the buckets
// that have no filter yet (the newest, still filling).
//
// At about 20 bits per distinct key the filters take some 15 MB per million events, read
// once when the store is first queried.

// A lookup checks every key against every filter — a recall of a lot asks about a
// thousand key hashes, times 2,441 buckets at ten million events — so false positives,
// each an index seek on a page that is likely not cached, must be rare: 20 bits and 13
// probes a key give about one in 15,000.
const (
	filterBitsPerKey = 20
	filterHashes     = 13
	// filterFormat heads every stored filter; a filter of another format is rebuilt.
	filterFormat = 0x7a6b660000000000 | filterHashes<<8 | filterBitsPerKey
)

// keyFilter is a Bloom filter over key hashes, as 64-bit words; its size is a power of two.
type keyFilter []uint64

func newKeyFilter(keys []int64) keyFilter {
	n := max(len(keys)*filterBitsPerKey, 64)
	f := make(keyFilter, 1<<bits.Len(uint(n-1))/64)
	for _, k := range keys {
		f.add(k)
	}
	return f
}

// positions derives the filter's bit positions from a key hash by double hashing: the keys
// are already FNV-1a hashes, so their halves serve as the two hash functions.
func (f keyFilter) each(k int64, fn func(word int, bit uint64) bool) bool {
	mask := uint64(len(f))*64 - 1
	h1, h2 := uint64(uint32(k)), uint64(uint32(uint64(k)>>32))|1
	for i := range uint64(filterHashes) {
		p := (h1 + i*h2) & mask
		if !fn(int(p/64), 1<<(p%64)) {
			return false
		}
	}
	return true
}

func (f keyFilter) add(k int64) {
	f.each(k, func(w int, b uint64) bool { f[w] |= b; return true })
}

// has is add's test, written out: a lookup asks it for every key and every bucket (a
// recall: a few hundred keys times a few thousand buckets), and most answers are "no" at
// the first bit.
func (f keyFilter) has(k int64) bool {
	mask := uint64(len(f))*64 - 1
	h1, h2 := uint64(uint32(k)), uint64(uint32(uint64(k)>>32))|1
	for i := range uint64(filterHashes) {
		p := (h1 + i*h2) & mask
		if f[p>>6]&(1<<(p&63)) == 0 {
			return false
		}
	}
	return true
}

func (f keyFilter) bytes() []byte {
	out := make([]byte, 8+8*len(f))
	binary.LittleEndian.PutUint64(out, filterFormat)
	for i, w := range f {
		binary.LittleEndian.PutUint64(out[8+8*i:], w)
	}
	return out
}

func filterFrom(b []byte) (keyFilter, bool) {
	n := len(b)/8 - 1
	if n <= 0 || len(b)%8 != 0 || n&(n-1) != 0 || binary.LittleEndian.Uint64(b) != filterFormat {
		return nil, false
	}
	f := make(keyFilter, n)
	for i := range f {
		f[i] = binary.LittleEndian.Uint64(b[8+8*i:])
	}
	return f, true
}

// keyFilters holds the filters of buckets 0 to len(list)-1: always a prefix, so the
// buckets after it are the ones to probe blindly.
type keyFilters struct {
	mu     sync.RWMutex
	loaded bool
	list   []keyFilter
	// building is held by whoever builds missing filters, so only one does.
	building sync.Mutex
}

// snapshot returns the filters, loading them from the store on first use.
func (s *DB) filterSnapshot(ctx context.Context) []keyFilter {
	s.filters.mu.RLock()
	if s.filters.loaded {
		l := s.filters.list
		s.filters.mu.RUnlock()
		return l
	}
	s.filters.mu.RUnlock()
	s.filters.mu.Lock()
	defer s.filters.mu.Unlock()
	if !s.filters.loaded {
		s.filters.list = s.loadFilters(ctx)
		s.filters.loaded = true
		// A store written before the filters existed, or by a process stopped before it
		// built them, gets the missing ones in the background; until then its buckets are
		// probed.
		s.background.Add(1)
		go func() {
			defer s.background.Done()
			s.BuildKeyFilters(s.backgroundCtx, 0)
		}()
	}
	return s.filters.list
}

func (s *DB) loadFilters(ctx context.Context) []keyFilter {
	rows, err := s.db.QueryContext(ctx, `SELECT bucket, bits FROM key_filters ORDER BY bucket`)
	if err != nil {
		return nil // an older schema, or a passing failure: probe every bucket
	}
	defer rows.Close()
	var out []keyFilter
	for rows.Next() {
		var b int64
		var raw []byte
		if rows.Scan(&b, &raw) != nil || b != int64(len(out)) {
			break
		}
		f, ok := filterFrom(raw)
		if !ok {
			break
		}
		out = append(out, f)
	}
	return out
}

// BuildKeyFilters builds and stores the filters of the full buckets that have none, at
// most limit of them (all when limit <= 0), in bucket order. Captures call it when they
// fill a bucket; it is exported for tools and tests. Failures leave buckets unfiltered,
// which is slower but exact, so they are not reported beyond the error.
func (s *DB) BuildKeyFilters(ctx context.Context, limit int) error {
	if limit > 0 {
		// A capture does not wait for a build under way: that one will get there.
		if !s.filters.building.TryLock() {
			return nil
		}
	} else {
		s.filters.building.Lock()
	}
	defer s.filters.building.Unlock()
	have := int64(len(s.filterSnapshot(ctx)))
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM events`).Scan(&n); err != nil {
		return mapErr(err, "key filters")
	}
	full := n >> store.KeyBucketBits // seqs are dense: buckets below this one are full
	for b := have; b < full && (limit <= 0 || b < have+int64(limit)); b++ {
		keys, err := s.bucketKeys(ctx, b)
		if err != nil {
			return err
		}
		f := newKeyFilter(keys)
		s.writeMu.Lock()
		_, err = s.db.ExecContext(ctx, `INSERT OR REPLACE INTO key_filters (bucket, bits) VALUES (?, ?)`, b, f.bytes())
		s.writeMu.Unlock()
		if err != nil {
			return mapErr(err, "key filters")
		}
		s.filters.mu.Lock()
		if int64(len(s.filters.list)) == b {
			s.filters.list = append(s.filters.list, f)
		}
		s.filters.mu.Unlock()
	}
	return nil
}

// bucketKeys returns the distinct keys of a bucket (the index is ordered by key within it).
func (s *DB) bucketKeys(ctx context.Context, b int64) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key FROM event_keys WHERE bucket = ? ORDER BY key`, b)
	if err != nil {
		return nil, mapErr(err, "key filters")
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, mapErr(err, "key filters")
		}
		if len(keys) == 0 || keys[len(keys)-1] != k {
			keys = append(keys, k)
		}
	}
	return keys, mapErr(rows.Err(), "key filters")
}

// keyCond is the condition "the event has one of the keys hs", for events stored from
// seq from on, with its parameters: the filtered buckets whose filter may hold a key are
// probed for that key, the buckets without a filter (from the first unfiltered one to the
// newest) for every key. Its text is the same for every lookup, so that its statement is
// prepared once: the bucket-key pairs and the keys travel as JSON arrays. CROSS JOIN
// keeps SQLite's join order: each bucket-key pair is one index seek, where the planner
// would otherwise read a whole bucket and match the keys against it.
func (s *DB) keyCond(ctx context.Context, hs []int64, from int64) (string, []any) {
	filters := s.filterSnapshot(ctx)
	first := max(from, 0) >> store.KeyBucketBits
	pairs := make([]byte, 0, 64)
	pairs = append(pairs, '[')
	for b := first; b < int64(len(filters)); b++ {
		for _, h := range hs {
			if filters[b].has(h) {
				if len(pairs) > 1 {
					pairs = append(pairs, ',')
				}
				pairs = append(pairs, '[')
				pairs = strconv.AppendInt(pairs, b, 10)
				pairs = append(pairs, ',')
				pairs = strconv.AppendInt(pairs, h, 10)
				pairs = append(pairs, ']')
			}
		}
	}
	pairs = append(pairs, ']')
	blind := max(first, int64(len(filters)))
	return keyCondSQL, []any{blind, jsonInts(hs), string(pairs)}
}

var keyCondSQL = `e.seq IN (WITH RECURSIVE b(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM b WHERE x < (SELECT COALESCE(MAX(seq), 0) FROM events) >> ` + strconv.Itoa(store.KeyBucketBits) + `)
			SELECT k.seq FROM b CROSS JOIN json_each(?) h CROSS JOIN event_keys k ON k.bucket = b.x AND k.key = h.value
			UNION ALL SELECT k.seq FROM json_each(?) p CROSS JOIN event_keys k ON k.bucket = p.value ->> 0 AND k.key = p.value ->> 1)`
