-- A Bloom filter of the keys of each full key-index bucket (store/sqlite/keyfilter.go):
-- a lookup probes only the buckets whose filter may hold its keys. Derived data: a missing
-- filter is rebuilt from event_keys, and a bucket without one is probed.
CREATE TABLE key_filters (
	bucket INTEGER PRIMARY KEY,
	bits   BLOB NOT NULL
);
