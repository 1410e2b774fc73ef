-- Events: one row per stored event. seq is dense from 0 and is the event's leaf index in
-- the tamper-evident log, so it is assigned by the store under the write lock, never by
-- AUTOINCREMENT (which could skip).
CREATE TABLE events (
	seq          INTEGER PRIMARY KEY,
	hash         BLOB    NOT NULL,
	hkey         INTEGER NOT NULL, -- the first 8 bytes of hash, big-endian: see events_hkey
	entry        BLOB    NOT NULL, -- the event's log entry (store/entry.go): its leaf
	event_id     TEXT, -- NULL when the eventID is the event's own hash ID (store/eventid.go)
	event_type   TEXT    NOT NULL,
	event_time   INTEGER NOT NULL, -- Unix nanoseconds, UTC
	record_time  INTEGER NOT NULL,
	action       TEXT    NOT NULL DEFAULT '',
	biz_step     TEXT    NOT NULL DEFAULT '',
	disposition  TEXT    NOT NULL DEFAULT '',
	read_point   TEXT    NOT NULL DEFAULT '',
	biz_location TEXT    NOT NULL DEFAULT '',
	job_id       TEXT    NOT NULL,
	subject      TEXT    NOT NULL DEFAULT '',
	declares     INTEGER, -- seq of the event this one declares erroneous
	declared_by  INTEGER, -- seq of the declaration of this event
	doc          BLOB    NOT NULL
);
-- Events are found by hash through an index of its first 8 bytes, a third the size of an
-- index of whole hashes: every capture inserts into random places of this index, and its
-- size sets how many pages each capture rewrites. The full hash is compared after the
-- lookup, and store.PlanBatch, run under the write lock, keeps hashes unique among
-- non-declarations (a declaration repeats its original's hash).
CREATE INDEX events_hkey ON events(hkey) WHERE declares IS NULL;
-- An eventID names one event; its declaration repeats it.
CREATE UNIQUE INDEX events_event_id ON events(event_id) WHERE declares IS NULL;
CREATE INDEX events_event_time ON events(event_time, seq);
CREATE INDEX events_record_time ON events(record_time, seq);

-- Index entries: the 64-bit hash of (role, type, value), grouped in buckets of
-- consecutive events (bucket = seq >> 12). See store/keys.go.
CREATE TABLE event_keys (
	bucket INTEGER NOT NULL,
	key    INTEGER NOT NULL,
	seq    INTEGER NOT NULL,
	PRIMARY KEY (bucket, key, seq)
) WITHOUT ROWID;

CREATE TABLE capture_jobs (
	id          TEXT    PRIMARY KEY,
	created_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL,
	state       TEXT    NOT NULL,
	subject     TEXT    NOT NULL DEFAULT '',
	events      INTEGER NOT NULL,
	stored      INTEGER NOT NULL,
	duplicates  INTEGER NOT NULL,
	errors      TEXT    NOT NULL DEFAULT '[]'
);

-- API tokens, for every kind of account: the platform roles now, enterprise and
-- regulator accounts with the registry.
CREATE TABLE tokens (
	id         TEXT    PRIMARY KEY,
	hash       BLOB    NOT NULL UNIQUE,
	subject    TEXT    NOT NULL DEFAULT '',
	role       TEXT    NOT NULL,
	scopes     TEXT    NOT NULL DEFAULT '',
	label      TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE named_queries (
	name       TEXT    PRIMARY KEY,
	params     TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
