-- Registry: subjects (enterprises and organisations) with the locations and GS1 company
-- prefixes they own and the history of their filing status; natural persons, sealed;
-- and the audit log, append-only and hash-chained.

-- Roles and sectors are written " a b c " (space before and after each word) so that a
-- filter on one word is a plain LIKE '% word %'. Licences are JSON, read and written whole.
CREATE TABLE subjects (
	uscc       text   COLLATE "C" PRIMARY KEY,
	name       text   NOT NULL,
	region     text   COLLATE "C" NOT NULL,
	roles      text   NOT NULL DEFAULT '',
	sectors    text   NOT NULL DEFAULT '',
	licences   text   NOT NULL DEFAULT '[]',
	status     text   NOT NULL,
	created_at bigint NOT NULL, -- Unix nanoseconds, UTC
	updated_at bigint NOT NULL
);
CREATE INDEX subjects_region ON subjects(region, uscc);

-- A location or prefix belongs to one subject: the primary key says so.
CREATE TABLE subject_locations (
	location text COLLATE "C" PRIMARY KEY,
	uscc     text NOT NULL REFERENCES subjects(uscc)
);
CREATE INDEX subject_locations_uscc ON subject_locations(uscc);

CREATE TABLE subject_prefixes (
	prefix text COLLATE "C" PRIMARY KEY,
	uscc   text NOT NULL REFERENCES subjects(uscc)
);
CREATE INDEX subject_prefixes_uscc ON subject_prefixes(uscc);

-- Every status change, numbered from 0 per subject.
CREATE TABLE subject_history (
	uscc        text    NOT NULL REFERENCES subjects(uscc),
	n           integer NOT NULL,
	from_status text    NOT NULL,
	to_status   text    NOT NULL,
	reason      text    NOT NULL DEFAULT '',
	actor       text    NOT NULL,
	at          bigint  NOT NULL,
	PRIMARY KEY (uscc, n)
);

-- Natural persons: only a keyed hash of the ID number and the sealed personal data.
CREATE TABLE persons (
	ref        text   COLLATE "C" PRIMARY KEY,
	lookup     bytea  NOT NULL UNIQUE,
	sealed     bytea  NOT NULL,
	cipher     text   NOT NULL,
	key_id     text   NOT NULL,
	created_by text   NOT NULL,
	created_at bigint NOT NULL
);

-- The audit log. Records are never changed nor deleted: the trigger refuses it (and
-- TRUNCATE), so retention is unlimited (at least the 180 days the rules ask for).
CREATE TABLE audit_log (
	seq    bigint PRIMARY KEY,
	at     bigint NOT NULL,
	actor  text   NOT NULL,
	action text   NOT NULL,
	object text   NOT NULL DEFAULT '',
	result text   NOT NULL,
	detail text   NOT NULL DEFAULT '',
	prev   bytea  NOT NULL,
	hash   bytea  NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
