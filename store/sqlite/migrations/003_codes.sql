-- Serial codes issued to enterprises: each at most once.
CREATE TABLE code_counters (
	counter TEXT    PRIMARY KEY,
	next    INTEGER NOT NULL
);

CREATE TABLE code_issuances (
	id         TEXT    PRIMARY KEY,
	subject    TEXT    NOT NULL DEFAULT '',
	scheme     TEXT    NOT NULL,
	counter    TEXT    NOT NULL,
	first      INTEGER NOT NULL,
	count      INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE issued_codes (
	code        TEXT NOT NULL PRIMARY KEY,
	issuance_id TEXT NOT NULL
) WITHOUT ROWID;
