package sqlite

import (
	"context"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

const userColumns = `id, name, display_name, role, department, region, subject, password_hash,
	totp_secret, totp_pending, totp_last_step, totp_required, failed_attempts, locked_until,
	disabled, created_at, updated_at, version`

type userRow interface{ Scan(dest ...any) error }

func scanUser(r userRow) (*store.User, error) {
	var u store.User
	var locked, created, updated int64
	err := r.Scan(&u.ID, &u.Name, &u.DisplayName, &u.Role, &u.Department, &u.Region, &u.Subject, &u.PasswordHash,
		&u.TOTPSecret, &u.TOTPPending, &u.TOTPLastStep, &u.TOTPRequired, &u.FailedAttempts, &locked,
		&u.Disabled, &created, &updated, &u.Version)
	if err != nil {
		return nil, err
	}
	u.LockedUntil, u.CreatedAt, u.UpdatedAt = fromNanos(locked), fromNanos(created), fromNanos(updated)
	return &u, nil
}

// sealedOrNull stores an empty key as NULL, so "not enrolled" reads back as nil.
func sealedOrNull(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CreateUser stores a new user.
func (s *DB) CreateUser(ctx context.Context, u *store.User) error {
	if u.Version == 0 {
		u.Version = 1
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Name, u.DisplayName, u.Role, u.Department, u.Region, u.Subject, u.PasswordHash,
		sealedOrNull(u.TOTPSecret), sealedOrNull(u.TOTPPending), u.TOTPLastStep, u.TOTPRequired, u.FailedAttempts, nanos(u.LockedUntil),
		u.Disabled, nanos(u.CreatedAt), nanos(u.UpdatedAt), u.Version)
	return mapErr(err, "user "+u.Name)
}

// User finds a user by ID.
func (s *DB) User(ctx context.Context, id string) (*store.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return u, mapErr(err, "user "+id)
}

// UserByName finds a user by login name.
func (s *DB) UserByName(ctx context.Context, name string) (*store.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	return u, mapErr(err, "user "+name)
}

// Users lists every user by name.
func (s *DB) Users(ctx context.Context) ([]*store.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, mapErr(err, "list users")
	}
	defer rows.Close()
	var out []*store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, mapErr(err, "list users")
		}
		out = append(out, u)
	}
	return out, mapErr(rows.Err(), "list users")
}

// UpdateUser writes u if nobody wrote it since it was read.
func (s *DB) UpdateUser(ctx context.Context, u *store.User) error {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, role = ?, department = ?, region = ?, subject = ?,
		password_hash = ?, totp_secret = ?, totp_pending = ?, totp_last_step = ?, totp_required = ?, failed_attempts = ?,
		locked_until = ?, disabled = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		u.DisplayName, u.Role, u.Department, u.Region, u.Subject, u.PasswordHash, sealedOrNull(u.TOTPSecret), sealedOrNull(u.TOTPPending),
		u.TOTPLastStep, u.TOTPRequired, u.FailedAttempts, nanos(u.LockedUntil), u.Disabled, nanos(u.UpdatedAt), u.ID, u.Version)
	if err != nil {
		return mapErr(err, "update user "+u.Name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, u.ID).Scan(&one)
		if err == nil {
			return zhuisu.Errorf(zhuisu.EConflict, "user %s was changed by another request", u.Name)
		}
		return mapErr(err, "user "+u.ID)
	}
	if err := tx.Commit(); err != nil {
		return mapErr(err, "update user "+u.Name)
	}
	u.Version++
	return nil
}

// CreateSession stores a session.
func (s *DB) CreateSession(ctx context.Context, ss *store.Session) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?)`,
		ss.Hash, ss.UserID, nanos(ss.CreatedAt), nanos(ss.LastSeen), nanos(ss.ExpiresAt))
	return mapErr(err, "session")
}

// SessionByHash finds a session by the hash of its secret.
func (s *DB) SessionByHash(ctx context.Context, hash []byte) (*store.Session, error) {
	var ss store.Session
	var created, seen, expires int64
	err := s.db.QueryRowContext(ctx, `SELECT hash, user_id, created_at, last_seen, expires_at FROM sessions WHERE hash = ?`, hash).
		Scan(&ss.Hash, &ss.UserID, &created, &seen, &expires)
	if err != nil {
		return nil, mapErr(err, "session")
	}
	ss.CreatedAt, ss.LastSeen, ss.ExpiresAt = fromNanos(created), fromNanos(seen), fromNanos(expires)
	return &ss, nil
}

// TouchSession records activity on a session.
func (s *DB) TouchSession(ctx context.Context, hash []byte, lastSeen time.Time) error {
	return s.execAccountWrite(ctx, "session", `UPDATE sessions SET last_seen = ? WHERE hash = ?`, nanos(lastSeen), hash)
}

// DeleteSession ends a session.
func (s *DB) DeleteSession(ctx context.Context, hash []byte) error {
	return s.execAccountWrite(ctx, "end session", `DELETE FROM sessions WHERE hash = ?`, hash)
}

// DeleteUserSessions ends every session of a user.
func (s *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	return s.execAccountWrite(ctx, "end sessions", `DELETE FROM sessions WHERE user_id = ?`, userID)
}

// DeleteExpiredSessions removes sessions past their absolute end.
func (s *DB) DeleteExpiredSessions(ctx context.Context, t time.Time) error {
	return s.execAccountWrite(ctx, "expire sessions", `DELETE FROM sessions WHERE expires_at < ?`, nanos(t))
}

// RevokeToken marks an unrevoked token revoked.
func (s *DB) RevokeToken(ctx context.Context, id string, t time.Time) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	res, err := s.db.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, nanos(t), id)
	if err != nil {
		return mapErr(err, "revoke token "+id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return zhuisu.Errorf(zhuisu.ENotFound, "token %s: not found or already revoked", id)
	}
	return nil
}

// execAccountWrite runs one statement in this process's write queue.
func (s *DB) execAccountWrite(ctx context.Context, what, query string, args ...any) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, err := s.db.ExecContext(ctx, query, args...)
	return mapErr(err, what)
}
