package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// IssueCodes draws serials from a counter and records the codes, in one transaction.
// The counter row is locked (created first if new), so concurrent issuances from one
// counter take turns and never draw the same serials.
func (s *DB) IssueCodes(ctx context.Context, iss *store.Issuance, n int, format func(int64) (string, error)) ([]string, error) {
	var codes []string
	err := s.with(ctx, "issue codes", func(c *poolConn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `INSERT INTO code_counters (counter, next) VALUES ($1, 1) ON CONFLICT (counter) DO NOTHING`, iss.Counter); err != nil {
			return err
		}
		var first int64
		if err := tx.QueryRow(ctx, `SELECT next FROM code_counters WHERE counter = $1 FOR UPDATE`, iss.Counter).Scan(&first); err != nil {
			return err
		}
		codes = make([]string, n)
		ids := make([]string, n)
		for i := range codes {
			if codes[i], err = format(first + int64(i)); err != nil {
				return err
			}
			ids[i] = iss.ID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO issued_codes (code, issuance_id) SELECT * FROM unnest($1::text[], $2::text[])`, codes, ids); err != nil {
			if zhuisu.IsCode(mapErr(err, ""), zhuisu.EConflict) {
				return zhuisu.Errorf(zhuisu.EConflict, "a code of counter %s was issued before; nothing was issued", iss.Counter)
			}
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE code_counters SET next = $2 WHERE counter = $1`, iss.Counter, first+int64(n)); err != nil {
			return err
		}
		iss.First, iss.Count = first, n
		if _, err := tx.Exec(ctx, `INSERT INTO code_issuances (id, subject, scheme, counter, first, count, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			iss.ID, iss.Subject, iss.Scheme, iss.Counter, iss.First, iss.Count, nanos(iss.CreatedAt)); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// IssuedCodes returns an issuance and its codes.
func (s *DB) IssuedCodes(ctx context.Context, id string) (*store.Issuance, []string, error) {
	var iss store.Issuance
	var out []string
	err := s.with(ctx, "issuance "+id, func(c *poolConn) error {
		var created int64
		if err := c.QueryRow(ctx, `SELECT id, subject, scheme, counter, first, count, created_at FROM code_issuances WHERE id = $1`, id).
			Scan(&iss.ID, &iss.Subject, &iss.Scheme, &iss.Counter, &iss.First, &iss.Count, &created); err != nil {
			return err
		}
		iss.CreatedAt = fromNanos(created)
		rows, err := c.Query(ctx, `SELECT code FROM issued_codes WHERE issuance_id = $1`, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &iss, out, nil
}
