package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

func errUnknownField(f store.Field) error {
	return zhuisu.Errorf(zhuisu.EInvalid, "unknown field %q", string(f))
}

// CreateToken stores a token.
func (s *DB) CreateToken(ctx context.Context, t *store.Token) error {
	return s.with(ctx, "token", func(c *poolConn) error {
		_, err := c.Exec(ctx, `INSERT INTO tokens (id, hash, subject, role, scopes, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			t.ID, t.Hash, t.Subject, t.Role, strings.Join(t.Scopes, " "), t.Label, nanos(t.CreatedAt), nanos(t.RevokedAt))
		return err
	})
}

// TokenByHash finds an unrevoked token by the hash of its secret.
func (s *DB) TokenByHash(ctx context.Context, hash []byte) (*store.Token, error) {
	var t store.Token
	var scopes string
	var created, revoked int64
	err := s.with(ctx, "token", func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT id, hash, subject, role, scopes, label, created_at, revoked_at FROM tokens WHERE hash = $1 AND revoked_at = 0`, hash).
			Scan(&t.ID, &t.Hash, &t.Subject, &t.Role, &scopes, &t.Label, &created, &revoked)
	})
	if err != nil {
		return nil, err
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.RevokedAt = fromNanos(created), fromNanos(revoked)
	return &t, nil
}

// CountTokens counts every token ever issued.
func (s *DB) CountTokens(ctx context.Context) (int64, error) {
	var n int64
	err := s.with(ctx, "count tokens", func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT COUNT(*) FROM tokens`).Scan(&n)
	})
	return n, err
}

// CreateQuery saves a named query; the name must be new.
func (s *DB) CreateQuery(ctx context.Context, q *store.NamedQuery) error {
	return s.with(ctx, "query "+q.Name, func(c *poolConn) error {
		_, err := c.Exec(ctx, `INSERT INTO named_queries (name, params, created_at) VALUES ($1, $2, $3)`, q.Name, q.Params, nanos(q.CreatedAt))
		return err
	})
}

// Query returns a named query.
func (s *DB) Query(ctx context.Context, name string) (*store.NamedQuery, error) {
	var q store.NamedQuery
	var created int64
	err := s.with(ctx, "query "+name, func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT name, params, created_at FROM named_queries WHERE name = $1`, name).Scan(&q.Name, &q.Params, &created)
	})
	if err != nil {
		return nil, err
	}
	q.CreatedAt = fromNanos(created)
	return &q, nil
}

// Queries lists named queries by name.
func (s *DB) Queries(ctx context.Context) ([]*store.NamedQuery, error) {
	var out []*store.NamedQuery
	err := s.with(ctx, "list queries", func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT name, params, created_at FROM named_queries ORDER BY name`)
		if err != nil {
			return err
		}
		var q store.NamedQuery
		var created int64
		_, err = pgx.ForEachRow(rows, []any{&q.Name, &q.Params, &created}, func() error {
			q.CreatedAt = fromNanos(created)
			nq := q
			out = append(out, &nq)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteQuery removes a named query.
func (s *DB) DeleteQuery(ctx context.Context, name string) error {
	return s.with(ctx, "delete query "+name, func(c *poolConn) error {
		tag, err := c.Exec(ctx, `DELETE FROM named_queries WHERE name = $1`, name)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return zhuisu.Errorf(zhuisu.ENotFound, "query %s: not found", name)
		}
		return nil
	})
}
