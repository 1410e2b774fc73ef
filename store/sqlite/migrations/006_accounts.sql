-- Accounts people sign in with, and their browser sessions. Rules (roles, lockout, TOTP,
-- timeouts) live in package auth; these tables only keep rows. Times are Unix
-- nanoseconds, UTC, 0 for unset, as elsewhere.
CREATE TABLE users (
	id              TEXT    PRIMARY KEY,
	name            TEXT    NOT NULL UNIQUE, -- login name, lower case
	display_name    TEXT    NOT NULL DEFAULT '',
	role            TEXT    NOT NULL,
	department      TEXT    NOT NULL DEFAULT '',
	region          TEXT    NOT NULL DEFAULT '',
	subject         TEXT    NOT NULL DEFAULT '',
	password_hash   TEXT    NOT NULL, -- argon2id PHC string: parameters, salt and hash
	totp_secret     BLOB, -- sealed with the node's TOTP key; NULL when not enrolled
	totp_pending    BLOB, -- sealed key of an enrolment not yet confirmed
	totp_last_step  INTEGER NOT NULL DEFAULT 0,
	totp_required   INTEGER NOT NULL DEFAULT 0,
	failed_attempts INTEGER NOT NULL DEFAULT 0,
	locked_until    INTEGER NOT NULL DEFAULT 0,
	disabled        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1 -- compare-and-set counter (store.UpdateUser)
);

-- Sessions by the SHA-256 of the cookie's secret.
CREATE TABLE sessions (
	hash       BLOB    PRIMARY KEY,
	user_id    TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);
