-- The tamper-evident log. Leaves are events(seq, hash); these tables hold what the
-- integrator adds. See docs/log.md.

-- Interior hashes completed by the leaf at seq (only leaves that complete a subtree).
CREATE TABLE log_nodes (
	seq    INTEGER PRIMARY KEY,
	hashes BLOB    NOT NULL
);

CREATE TABLE log_checkpoints (
	size       INTEGER PRIMARY KEY,
	root       BLOB    NOT NULL,
	note       BLOB    NOT NULL,
	created_at INTEGER NOT NULL
);

-- What this node, as a witness, last co-signed for each log it witnesses.
CREATE TABLE witness_state (
	origin     TEXT    PRIMARY KEY,
	size       INTEGER NOT NULL,
	root       BLOB    NOT NULL,
	updated_at INTEGER NOT NULL
);
