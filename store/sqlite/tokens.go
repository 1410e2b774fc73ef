package sqlite

import (
	"context"
	"strings"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

func errUnknownField(f store.Field) error {
	return zhuisu.Errorf(zhuisu.EInvalid, "unknown field %q", string(f))
}

// CreateToken stores a token.
func (s *DB) CreateToken(ctx context.Context, t *store.Token) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO tokens (id, hash, subject, role, scopes, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Hash, t.Subject, t.Role, strings.Join(t.Scopes, " "), t.Label, nanos(t.CreatedAt), nanos(t.RevokedAt))
	return mapErr(err, "token")
}

// TokenByHash finds an unrevoked token by the hash of its secret.
func (s *DB) TokenByHash(ctx context.Context, hash []byte) (*store.Token, error) {
	var t store.Token
	var scopes string
	var created, revoked int64
	err := s.db.QueryRowContext(ctx, `SELECT id, hash, subject, role, scopes, label, created_at, revoked_at FROM tokens WHERE hash = ? AND revoked_at = 0`, hash).
		Scan(&t.ID, &t.Hash, &t.Subject, &t.Role, &scopes, &t.Label, &created, &revoked)
	if err != nil {
		return nil, mapErr(err, "token")
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.RevokedAt = fromNanos(created), fromNanos(revoked)
	return &t, nil
}

// CountTokens counts every token ever issued.
func (s *DB) CountTokens(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tokens`).Scan(&n)
	return n, mapErr(err, "count tokens")
}

// CreateQuery saves a named query; the name must be new.
func (s *DB) CreateQuery(ctx context.Context, q *store.NamedQuery) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO named_queries (name, params, created_at) VALUES (?, ?, ?)`, q.Name, q.Params, nanos(q.CreatedAt))
	return mapErr(err, "query "+q.Name)
}

// Query returns a named query.
func (s *DB) Query(ctx context.Context, name string) (*store.NamedQuery, error) {
	var q store.NamedQuery
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT name, params, created_at FROM named_queries WHERE name = ?`, name).Scan(&q.Name, &q.Params, &created)
	if err != nil {
		return nil, mapErr(err, "query "+name)
	}
	q.CreatedAt = fromNanos(created)
	return &q, nil
}

// Queries lists named queries by name.
func (s *DB) Queries(ctx context.Context) ([]*store.NamedQuery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, params, created_at FROM named_queries ORDER BY name`)
	if err != nil {
		return nil, mapErr(err, "list queries")
	}
	defer rows.Close()
	var out []*store.NamedQuery
	for rows.Next() {
		var q store.NamedQuery
		var created int64
		if err := rows.Scan(&q.Name, &q.Params, &created); err != nil {
			return nil, mapErr(err, "list queries")
		}
		q.CreatedAt = fromNanos(created)
		out = append(out, &q)
	}
	return out, mapErr(rows.Err(), "list queries")
}

// DeleteQuery removes a named query.
func (s *DB) DeleteQuery(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM named_queries WHERE name = ?`, name)
	if err != nil {
		return mapErr(err, "delete query "+name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return zhuisu.Errorf(zhuisu.ENotFound, "query %s: not found", name)
	}
	return nil
}
