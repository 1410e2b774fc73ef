package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// IssueCodes draws serials from a counter and records the codes, in one transaction.
func (s *DB) IssueCodes(ctx context.Context, iss *store.Issuance, n int, format func(int64) (string, error)) ([]string, error) {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	defer tx.Rollback()
	first := int64(1)
	err = tx.QueryRowContext(ctx, `SELECT next FROM code_counters WHERE counter = ?`, iss.Counter).Scan(&first)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, mapErr(err, "code counter")
	}
	codes := make([]string, n)
	for i := range codes {
		if codes[i], err = format(first + int64(i)); err != nil {
			return nil, err
		}
	}
	for start := 0; start < n; start += chunk {
		part := codes[start:min(start+chunk, n)]
		args := make([]any, 0, 2*len(part))
		for _, c := range part {
			args = append(args, c, iss.ID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR ROLLBACK INTO issued_codes (code, issuance_id) VALUES `+rowsOf(len(part), 2), args...); err != nil {
			if zhuisu.IsCode(mapErr(err, ""), zhuisu.EConflict) {
				return nil, zhuisu.Errorf(zhuisu.EConflict, "a code of counter %s was issued before; nothing was issued", iss.Counter)
			}
			return nil, mapErr(err, "issue codes")
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO code_counters (counter, next) VALUES (?, ?) ON CONFLICT (counter) DO UPDATE SET next = excluded.next`,
		iss.Counter, first+int64(n)); err != nil {
		return nil, mapErr(err, "code counter")
	}
	iss.First, iss.Count = first, n
	if _, err := tx.ExecContext(ctx, `INSERT INTO code_issuances (id, subject, scheme, counter, first, count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		iss.ID, iss.Subject, iss.Scheme, iss.Counter, iss.First, iss.Count, nanos(iss.CreatedAt)); err != nil {
		return nil, mapErr(err, "issuance")
	}
	if err := tx.Commit(); err != nil {
		return nil, mapErr(err, "commit issuance")
	}
	return codes, nil
}

// IssuedCodes returns an issuance and its codes.
func (s *DB) IssuedCodes(ctx context.Context, id string) (*store.Issuance, []string, error) {
	var iss store.Issuance
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, subject, scheme, counter, first, count, created_at FROM code_issuances WHERE id = ?`, id).
		Scan(&iss.ID, &iss.Subject, &iss.Scheme, &iss.Counter, &iss.First, &iss.Count, &created)
	if err != nil {
		return nil, nil, mapErr(err, "issuance "+id)
	}
	iss.CreatedAt = fromNanos(created)
	rows, err := s.db.QueryContext(ctx, `SELECT code FROM issued_codes WHERE issuance_id = ?`, id)
	if err != nil {
		return nil, nil, mapErr(err, "issued codes")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, nil, mapErr(err, "issued codes")
		}
		out = append(out, c)
	}
	return &iss, out, mapErr(rows.Err(), "issued codes")
}
