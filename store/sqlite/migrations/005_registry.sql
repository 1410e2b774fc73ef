-- Registry: subjects (enterprises and organisations) with the locations and GS1 company
-- prefixes they own and the history of their filing status; natural persons, sealed;
-- and the audit log, append-only and hash-chained.

-- Roles and sectors are written " a b c " (space before and after each word) so that a
-- filter on one word is a plain LIKE '% word %'. Licences are JSON, read and written whole.
CREATE TABLE subjects (
	uscc       TEXT    PRIMARY KEY,
	name       TEXT    NOT NULL,
	region     TEXT    NOT NULL,
	roles      TEXT    NOT NULL DEFAULT '',
	sectors    TEXT    NOT NULL DEFAULT '',
	licences   TEXT    NOT NULL DEFAULT '[]',
	status     TEXT    NOT NULL,
	created_at INTEGER NOT NULL, -- Unix nanoseconds, UTC
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX subjects_region ON subjects(region, uscc);

-- A location or prefix belongs to one subject: the primary key says so.
CREATE TABLE subject_locations (
	location TEXT PRIMARY KEY,
	uscc     TEXT NOT NULL REFERENCES subjects(uscc)
) WITHOUT ROWID;
CREATE INDEX subject_locations_uscc ON subject_locations(uscc);

CREATE TABLE subject_prefixes (
	prefix TEXT PRIMARY KEY,
	uscc   TEXT NOT NULL REFERENCES subjects(uscc)
) WITHOUT ROWID;
CREATE INDEX subject_prefixes_uscc ON subject_prefixes(uscc);

-- Every status change, numbered from 0 per subject.
CREATE TABLE subject_history (
	uscc        TEXT    NOT NULL REFERENCES subjects(uscc),
	n           INTEGER NOT NULL,
	from_status TEXT    NOT NULL,
	to_status   TEXT    NOT NULL,
	reason      TEXT    NOT NULL DEFAULT '',
	actor       TEXT    NOT NULL,
	at          INTEGER NOT NULL,
	PRIMARY KEY (uscc, n)
) WITHOUT ROWID;

-- Natural persons: only a keyed hash of the ID number and the sealed personal data.
CREATE TABLE persons (
	ref        TEXT    PRIMARY KEY,
	lookup     BLOB    NOT NULL UNIQUE,
	sealed     BLOB    NOT NULL,
	cipher     TEXT    NOT NULL,
	key_id     TEXT    NOT NULL,
	created_by TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The audit log. Records are never changed nor deleted: the triggers refuse it, so
-- retention is unlimited (at least the 180 days the rules ask for).
CREATE TABLE audit_log (
	seq    INTEGER PRIMARY KEY,
	at     INTEGER NOT NULL,
	actor  TEXT    NOT NULL,
	action TEXT    NOT NULL,
	object TEXT    NOT NULL DEFAULT '',
	result TEXT    NOT NULL,
	detail TEXT    NOT NULL DEFAULT '',
	prev   BLOB    NOT NULL,
	hash   BLOB    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only: records cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only: records cannot be deleted');
END;
