-- The PostgreSQL form of store/sqlite/migrations/002_log.sql: the tamper-evident log.
-- Leaves are events(seq, hash); these tables hold what the integrator adds. See
-- docs/log.md. Types as in 001_initial.sql: bigint Unix nanoseconds, bytea hashes and
-- notes, text COLLATE "C" where compared.

-- Interior hashes completed by the leaf at seq (only leaves that complete a subtree).
CREATE TABLE log_nodes (
	seq    bigint PRIMARY KEY,
	hashes bytea  NOT NULL
);

CREATE TABLE log_checkpoints (
	size       bigint PRIMARY KEY,
	root       bytea  NOT NULL,
	note       bytea  NOT NULL,
	created_at bigint NOT NULL -- Unix nanoseconds, UTC
);

-- What this node, as a witness, last co-signed for each log it witnesses.
CREATE TABLE witness_state (
	origin     text   COLLATE "C" PRIMARY KEY,
	size       bigint NOT NULL,
	root       bytea  NOT NULL,
	updated_at bigint NOT NULL
);
