package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu/store"
)

// ReadVerifyBatch reads events and interior hashes by seq range into b.
func (s *DB) ReadVerifyBatch(ctx context.Context, from int64, limit int, b *store.VerifyBatch) error {
	b.Reset()
	return s.with(ctx, "events", func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT seq, hash, entry, subject, declares, declared_by, doc FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2`, from, limitArg(limit))
		if err != nil {
			return err
		}
		var seq int64
		var hash, entry, subject, doc []byte
		var declares, declaredBy *int64
		_, err = pgx.ForEachRow(rows, []any{&seq, &hash, &entry, &subject, &declares, &declaredBy, &doc}, func() error {
			b.AddEvent(seq, hash, entry, subject, doc, seqOrNone(declares), seqOrNone(declaredBy))
			declares, declaredBy = nil, nil
			return nil
		})
		if err != nil {
			return err
		}
		rows, err = c.Query(ctx, `SELECT seq, hashes FROM log_nodes WHERE seq >= $1 AND seq < $2 ORDER BY seq`, from, from+int64(limit))
		if err != nil {
			return err
		}
		var hashes []byte
		_, err = pgx.ForEachRow(rows, []any{&seq, &hashes}, func() error {
			b.AddNode(seq, hashes)
			return nil
		})
		return err
	})
}

func seqOrNone(v *int64) int64 {
	if v != nil {
		return *v
	}
	return -1
}
