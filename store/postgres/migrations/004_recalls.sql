-- Recalls: the PostgreSQL form of store/sqlite/migrations/004_recalls.sql, same tables
-- and keys. Codes, locations and received quantities are JSON text: read and written
-- whole with their row, never searched.
CREATE TABLE recalls (
	id         text   COLLATE "C" PRIMARY KEY,
	reason     text   NOT NULL,
	codes      text   NOT NULL DEFAULT '[]',
	subject    text   NOT NULL DEFAULT '',
	created_at bigint NOT NULL, -- Unix nanoseconds, UTC
	status     text   COLLATE "C" NOT NULL,
	closed_at  bigint NOT NULL DEFAULT 0
);
CREATE INDEX recalls_created ON recalls(created_at, id);

CREATE TABLE recall_holders (
	recall_id  text   COLLATE "C" NOT NULL REFERENCES recalls(id),
	party      text   COLLATE "C" NOT NULL,
	name       text   NOT NULL DEFAULT '',
	locations  text   NOT NULL DEFAULT '[]',
	received   text   NOT NULL DEFAULT '[]',
	status     text   COLLATE "C" NOT NULL,
	returned   double precision NOT NULL DEFAULT 0,
	destroyed  double precision NOT NULL DEFAULT 0,
	updated_at bigint NOT NULL,
	PRIMARY KEY (recall_id, party)
);

-- Every status change of a holder, numbered from 0 per holder.
CREATE TABLE recall_holder_changes (
	recall_id text    COLLATE "C" NOT NULL,
	party     text    COLLATE "C" NOT NULL,
	n         integer NOT NULL,
	at        bigint  NOT NULL,
	status    text    COLLATE "C" NOT NULL,
	quantity  double precision NOT NULL DEFAULT 0,
	note      text    NOT NULL DEFAULT '',
	subject   text    NOT NULL DEFAULT '',
	PRIMARY KEY (recall_id, party, n),
	FOREIGN KEY (recall_id, party) REFERENCES recall_holders(recall_id, party)
);

-- The flags: keyed by identifier first, as the public page asks "is this code recalled?"
-- for one or a few codes at a time.
CREATE TABLE recall_identifiers (
	id        text COLLATE "C" NOT NULL,
	recall_id text COLLATE "C" NOT NULL REFERENCES recalls(id),
	PRIMARY KEY (id, recall_id)
);
CREATE INDEX recall_identifiers_recall ON recall_identifiers(recall_id, id);

CREATE TABLE recall_events (
	recall_id text   COLLATE "C" NOT NULL REFERENCES recalls(id),
	seq       bigint NOT NULL,
	PRIMARY KEY (recall_id, seq)
);
