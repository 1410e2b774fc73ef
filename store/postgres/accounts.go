package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

const userColumns = `id, name, display_name, role, department, region, subject, password_hash,
	totp_secret, totp_pending, totp_last_step, totp_required, failed_attempts, locked_until,
	disabled, created_at, updated_at, version`

func scanUser(r pgx.Row) (*store.User, error) {
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
	return s.with(ctx, "user "+u.Name, func(c *poolConn) error {
		_, err := c.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			u.ID, u.Name, u.DisplayName, u.Role, u.Department, u.Region, u.Subject, u.PasswordHash,
			sealedOrNull(u.TOTPSecret), sealedOrNull(u.TOTPPending), u.TOTPLastStep, u.TOTPRequired, u.FailedAttempts, nanos(u.LockedUntil),
			u.Disabled, nanos(u.CreatedAt), nanos(u.UpdatedAt), u.Version)
		return err
	})
}

// User finds a user by ID.
func (s *DB) User(ctx context.Context, id string) (*store.User, error) {
	var u *store.User
	err := s.with(ctx, "user "+id, func(c *poolConn) (err error) {
		u, err = scanUser(c.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UserByName finds a user by login name.
func (s *DB) UserByName(ctx context.Context, name string) (*store.User, error) {
	var u *store.User
	err := s.with(ctx, "user "+name, func(c *poolConn) (err error) {
		u, err = scanUser(c.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE name = $1`, name))
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Users lists every user by name.
func (s *DB) Users(ctx context.Context) ([]*store.User, error) {
	var out []*store.User
	err := s.with(ctx, "list users", func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateUser writes u if nobody wrote it since it was read.
func (s *DB) UpdateUser(ctx context.Context, u *store.User) error {
	return s.with(ctx, "update user "+u.Name, func(c *poolConn) error {
		tag, err := c.Exec(ctx, `UPDATE users SET display_name = $1, role = $2, department = $3, region = $4, subject = $5,
			password_hash = $6, totp_secret = $7, totp_pending = $8, totp_last_step = $9, totp_required = $10, failed_attempts = $11,
			locked_until = $12, disabled = $13, updated_at = $14, version = version + 1 WHERE id = $15 AND version = $16`,
			u.DisplayName, u.Role, u.Department, u.Region, u.Subject, u.PasswordHash, sealedOrNull(u.TOTPSecret), sealedOrNull(u.TOTPPending),
			u.TOTPLastStep, u.TOTPRequired, u.FailedAttempts, nanos(u.LockedUntil), u.Disabled, nanos(u.UpdatedAt), u.ID, u.Version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var one int
			if err := c.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1`, u.ID).Scan(&one); err != nil {
				return mapErr(err, "user "+u.ID)
			}
			return zhuisu.Errorf(zhuisu.EConflict, "user %s was changed by another request", u.Name)
		}
		u.Version++
		return nil
	})
}

// CreateSession stores a session.
func (s *DB) CreateSession(ctx context.Context, ss *store.Session) error {
	return s.with(ctx, "session", func(c *poolConn) error {
		_, err := c.Exec(ctx, `INSERT INTO sessions (hash, user_id, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			ss.Hash, ss.UserID, nanos(ss.CreatedAt), nanos(ss.LastSeen), nanos(ss.ExpiresAt))
		return err
	})
}

// SessionByHash finds a session by the hash of its secret.
func (s *DB) SessionByHash(ctx context.Context, hash []byte) (*store.Session, error) {
	var ss store.Session
	var created, seen, expires int64
	err := s.with(ctx, "session", func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT hash, user_id, created_at, last_seen, expires_at FROM sessions WHERE hash = $1`, hash).
			Scan(&ss.Hash, &ss.UserID, &created, &seen, &expires)
	})
	if err != nil {
		return nil, err
	}
	ss.CreatedAt, ss.LastSeen, ss.ExpiresAt = fromNanos(created), fromNanos(seen), fromNanos(expires)
	return &ss, nil
}

// TouchSession records activity on a session.
func (s *DB) TouchSession(ctx context.Context, hash []byte, lastSeen time.Time) error {
	return s.execAccount(ctx, "session", `UPDATE sessions SET last_seen = $1 WHERE hash = $2`, nanos(lastSeen), hash)
}

// DeleteSession ends a session.
func (s *DB) DeleteSession(ctx context.Context, hash []byte) error {
	return s.execAccount(ctx, "end session", `DELETE FROM sessions WHERE hash = $1`, hash)
}

// DeleteUserSessions ends every session of a user.
func (s *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	return s.execAccount(ctx, "end sessions", `DELETE FROM sessions WHERE user_id = $1`, userID)
}

// DeleteExpiredSessions removes sessions past their absolute end.
func (s *DB) DeleteExpiredSessions(ctx context.Context, t time.Time) error {
	return s.execAccount(ctx, "expire sessions", `DELETE FROM sessions WHERE expires_at < $1`, nanos(t))
}

// RevokeToken marks an unrevoked token revoked.
func (s *DB) RevokeToken(ctx context.Context, id string, t time.Time) error {
	return s.with(ctx, "revoke token "+id, func(c *poolConn) error {
		tag, err := c.Exec(ctx, `UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at = 0`, nanos(t), id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return zhuisu.Errorf(zhuisu.ENotFound, "token %s: not found or already revoked", id)
		}
		return nil
	})
}

func (s *DB) execAccount(ctx context.Context, what, query string, args ...any) error {
	return s.with(ctx, what, func(c *poolConn) error {
		_, err := c.Exec(ctx, query, args...)
		return err
	})
}
