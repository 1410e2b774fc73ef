-- Recalls: what was recalled and why, the holders of affected goods with where each
-- stands, the identifiers a recall flags and the events it covers. Codes, locations and
-- received quantities are JSON: they are read and written whole with their row, never
-- searched.
CREATE TABLE recalls (
	id         TEXT    PRIMARY KEY,
	reason     TEXT    NOT NULL,
	codes      TEXT    NOT NULL DEFAULT '[]',
	subject    TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL, -- Unix nanoseconds, UTC
	status     TEXT    NOT NULL,
	closed_at  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recalls_created ON recalls(created_at, id);

CREATE TABLE recall_holders (
	recall_id  TEXT    NOT NULL REFERENCES recalls(id),
	party      TEXT    NOT NULL,
	name       TEXT    NOT NULL DEFAULT '',
	locations  TEXT    NOT NULL DEFAULT '[]',
	received   TEXT    NOT NULL DEFAULT '[]',
	status     TEXT    NOT NULL,
	returned   REAL    NOT NULL DEFAULT 0,
	destroyed  REAL    NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (recall_id, party)
) WITHOUT ROWID;

-- Every status change of a holder, numbered from 0 per holder.
CREATE TABLE recall_holder_changes (
	recall_id TEXT    NOT NULL,
	party     TEXT    NOT NULL,
	n         INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	status    TEXT    NOT NULL,
	quantity  REAL    NOT NULL DEFAULT 0,
	note      TEXT    NOT NULL DEFAULT '',
	subject   TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (recall_id, party, n),
	FOREIGN KEY (recall_id, party) REFERENCES recall_holders(recall_id, party)
) WITHOUT ROWID;

-- The flags: keyed by identifier first, as the public page asks "is this code recalled?"
-- for one or a few codes at a time.
CREATE TABLE recall_identifiers (
	id        TEXT NOT NULL,
	recall_id TEXT NOT NULL REFERENCES recalls(id),
	PRIMARY KEY (id, recall_id)
) WITHOUT ROWID;
CREATE INDEX recall_identifiers_recall ON recall_identifiers(recall_id, id);

CREATE TABLE recall_events (
	recall_id TEXT    NOT NULL REFERENCES recalls(id),
	seq       INTEGER NOT NULL,
	PRIMARY KEY (recall_id, seq)
) WITHOUT ROWID;
