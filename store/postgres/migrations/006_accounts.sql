-- The PostgreSQL form of store/sqlite/migrations/006_accounts.sql: accounts people sign
-- in with, and their browser sessions. Times are bigint Unix nanoseconds, UTC, 0 for unset.
CREATE TABLE users (
	id              text    COLLATE "C" PRIMARY KEY,
	name            text    COLLATE "C" NOT NULL UNIQUE, -- login name, lower case
	display_name    text    NOT NULL DEFAULT '',
	role            text    NOT NULL,
	department      text    NOT NULL DEFAULT '',
	region          text    NOT NULL DEFAULT '',
	subject         text    COLLATE "C" NOT NULL DEFAULT '',
	password_hash   text    NOT NULL, -- argon2id PHC string: parameters, salt and hash
	totp_secret     bytea, -- sealed with the node's TOTP key; NULL when not enrolled
	totp_pending    bytea, -- sealed key of an enrolment not yet confirmed
	totp_last_step  bigint  NOT NULL DEFAULT 0,
	totp_required   boolean NOT NULL DEFAULT false,
	failed_attempts integer NOT NULL DEFAULT 0,
	locked_until    bigint  NOT NULL DEFAULT 0,
	disabled        boolean NOT NULL DEFAULT false,
	created_at      bigint  NOT NULL,
	updated_at      bigint  NOT NULL,
	version         bigint  NOT NULL DEFAULT 1 -- compare-and-set counter (store.UpdateUser)
);

-- Sessions by the SHA-256 of the cookie's secret.
CREATE TABLE sessions (
	hash       bytea  PRIMARY KEY,
	user_id    text   COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at bigint NOT NULL,
	last_seen  bigint NOT NULL,
	expires_at bigint NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);
