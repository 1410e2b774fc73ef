-- The PostgreSQL form of store/sqlite/migrations/001_initial.sql: same tables, columns and
-- indexes, so both adapters answer every query alike.
--
-- Types:
--   * Times are bigint Unix nanoseconds, UTC, 0 for unset — as in SQLite. timestamptz
--     keeps only microseconds, and a page cursor built from an event's nanosecond time
--     must compare exactly as it does in the other adapter.
--   * Hashes, documents and index keys are bytea: they compare as bytes (memcmp), which
--     the key ranges of store.KeyMatch rely on.
--   * Text is COLLATE "C" (byte order) wherever it is compared or sorted — eventIDs, job
--     IDs, the columns of Distinct, query names — so ordering does not depend on the
--     database's locale and matches SQLite's BINARY collation.

-- Events: one row per stored event. seq is dense from 0 and is the event's leaf index in
-- the tamper-evident log, so it is assigned by the store under the capture lock, never by
-- a sequence (which skips values on rollback).
CREATE TABLE events (
	seq          bigint PRIMARY KEY,
	hash         bytea  NOT NULL,
	entry        bytea  NOT NULL, -- the event's log entry (store/entry.go): its leaf
	event_id     text   COLLATE "C", -- NULL when the eventID is the event's own hash ID (store/eventid.go)
	event_type   text   COLLATE "C" NOT NULL,
	event_time   bigint NOT NULL, -- Unix nanoseconds, UTC
	record_time  bigint NOT NULL,
	action       text   COLLATE "C" NOT NULL DEFAULT '',
	biz_step     text   COLLATE "C" NOT NULL DEFAULT '',
	disposition  text   COLLATE "C" NOT NULL DEFAULT '',
	read_point   text   COLLATE "C" NOT NULL DEFAULT '',
	biz_location text   COLLATE "C" NOT NULL DEFAULT '',
	job_id       text   COLLATE "C" NOT NULL,
	subject      text   COLLATE "C" NOT NULL DEFAULT '',
	declares     bigint, -- seq of the event this one declares erroneous
	declared_by  bigint, -- seq of the declaration of this event
	doc          bytea  NOT NULL
);
-- A declaration repeats its original's hash, so uniqueness holds among non-declarations.
CREATE UNIQUE INDEX events_hash ON events (hash) WHERE declares IS NULL;
-- An eventID names one event; its declaration repeats it.
CREATE UNIQUE INDEX events_event_id ON events (event_id) WHERE declares IS NULL;
CREATE INDEX events_event_time ON events (event_time, seq);
CREATE INDEX events_record_time ON events (record_time, seq);

-- Index entries: the 64-bit hash of (role, type, value), grouped in buckets of
-- consecutive events (bucket = seq >> 12). See store/keys.go.
CREATE TABLE event_keys (
	bucket bigint NOT NULL,
	key    bigint NOT NULL,
	seq    bigint NOT NULL,
	PRIMARY KEY (bucket, key, seq)
);

CREATE TABLE capture_jobs (
	id          text    COLLATE "C" PRIMARY KEY,
	created_at  bigint  NOT NULL,
	finished_at bigint  NOT NULL,
	state       text    NOT NULL,
	subject     text    COLLATE "C" NOT NULL DEFAULT '',
	events      integer NOT NULL,
	stored      integer NOT NULL,
	duplicates  integer NOT NULL,
	errors      text    NOT NULL DEFAULT '[]' -- JSON array of store.JobError
);

-- API tokens, for every kind of account: the platform roles now, enterprise and
-- regulator accounts with the registry.
CREATE TABLE tokens (
	id         text   COLLATE "C" PRIMARY KEY,
	hash       bytea  NOT NULL UNIQUE,
	subject    text   COLLATE "C" NOT NULL DEFAULT '',
	role       text   NOT NULL,
	scopes     text   NOT NULL DEFAULT '', -- space-separated
	label      text   NOT NULL DEFAULT '',
	created_at bigint NOT NULL,
	revoked_at bigint NOT NULL DEFAULT 0
);

CREATE TABLE named_queries (
	name       text   COLLATE "C" PRIMARY KEY,
	params     text   NOT NULL,
	created_at bigint NOT NULL
);
