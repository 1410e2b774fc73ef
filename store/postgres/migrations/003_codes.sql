-- Serial codes issued to enterprises: each at most once.
CREATE TABLE code_counters (
	counter text   COLLATE "C" PRIMARY KEY,
	next    bigint NOT NULL
);

CREATE TABLE code_issuances (
	id         text   COLLATE "C" PRIMARY KEY,
	subject    text   NOT NULL DEFAULT '',
	scheme     text   NOT NULL,
	counter    text   NOT NULL,
	first      bigint NOT NULL,
	count      integer NOT NULL,
	created_at bigint NOT NULL
);

CREATE TABLE issued_codes (
	code        text COLLATE "C" PRIMARY KEY,
	issuance_id text NOT NULL
);
