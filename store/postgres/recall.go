package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// CreateRecall stores a recall, its holders, flags and events in one transaction.
func (s *DB) CreateRecall(ctx context.Context, r *store.Recall) error {
	codes, err := json.Marshal(r.Codes)
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "encode recall codes")
	}
	return s.with(ctx, "recall "+r.ID, func(c *poolConn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `INSERT INTO recalls (id, reason, codes, subject, created_at, status, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			r.ID, r.Reason, string(codes), r.Subject, nanos(r.CreatedAt), r.Status, nanos(r.ClosedAt)); err != nil {
			return err
		}
		for _, h := range r.Holders {
			locs, received, err := holderJSON(h)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO recall_holders (recall_id, party, name, locations, received, status, returned, destroyed, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				r.ID, h.Party, h.Name, locs, received, h.Status, h.Returned, h.Destroyed, nanos(h.UpdatedAt)); err != nil {
				return err
			}
			for i, c := range h.History {
				if err := insertChange(ctx, tx, r.ID, h.Party, i, c); err != nil {
					return err
				}
			}
		}
		if len(r.Identifiers) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO recall_identifiers (id, recall_id) SELECT id, $2 FROM unnest($1::text[]) AS id`, r.Identifiers, r.ID); err != nil {
				return err
			}
		}
		if len(r.Seqs) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO recall_events (recall_id, seq) SELECT $2, seq FROM unnest($1::bigint[]) AS seq`, r.Seqs, r.ID); err != nil {
				return err
			}
		}
		return tx.Commit(ctx)
	})
}

func holderJSON(h *store.RecallHolder) (locs, received string, err error) {
	l, err := json.Marshal(nonNil(h.Locations))
	if err != nil {
		return "", "", zhuisu.Wrap(err, zhuisu.EInternal, "encode holder locations")
	}
	q, err := json.Marshal(nonNil(h.Received))
	if err != nil {
		return "", "", zhuisu.Wrap(err, zhuisu.EInternal, "encode holder quantities")
	}
	return string(l), string(q), nil
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

func insertChange(ctx context.Context, tx pgx.Tx, recallID, party string, n int, c store.RecallChange) error {
	_, err := tx.Exec(ctx, `INSERT INTO recall_holder_changes (recall_id, party, n, at, status, quantity, note, subject) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		recallID, party, n, nanos(c.At), c.Status, c.Quantity, c.Note, c.Subject)
	return err
}

// querier is what reads need: a pooled connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const recallCols = `id, reason, codes, subject, created_at, status, closed_at`

func scanRecall(sc interface{ Scan(...any) error }) (*store.Recall, error) {
	var r store.Recall
	var codes string
	var created, closed int64
	if err := sc.Scan(&r.ID, &r.Reason, &codes, &r.Subject, &created, &r.Status, &closed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(codes), &r.Codes); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "recall %s: stored codes cannot be read", r.ID)
	}
	r.CreatedAt, r.ClosedAt = fromNanos(created), fromNanos(closed)
	return &r, nil
}

// Recall returns a recall with its holders, identifiers and seqs, from one snapshot.
func (s *DB) Recall(ctx context.Context, id string) (*store.Recall, error) {
	var r *store.Recall
	err := s.with(ctx, "recall "+id, func(c *poolConn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if r, err = scanRecall(tx.QueryRow(ctx, `SELECT `+recallCols+` FROM recalls WHERE id = $1`, id)); err != nil {
			return err
		}
		if r.Holders, err = holders(ctx, tx, id, ""); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM recall_identifiers WHERE recall_id = $1 ORDER BY id`, id)
		if err != nil {
			return err
		}
		if r.Identifiers, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT seq FROM recall_events WHERE recall_id = $1 ORDER BY seq`, id)
		if err != nil {
			return err
		}
		if r.Seqs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return nil, err
	}
	r.Identifiers, r.Seqs = nonNil(r.Identifiers), nonNil(r.Seqs)
	return r, nil
}

// holders reads the holders of a recall (one party when party is set) with their
// histories.
func holders(ctx context.Context, q querier, recallID, party string) ([]*store.RecallHolder, error) {
	query := `SELECT party, name, locations, received, status, returned, destroyed, updated_at FROM recall_holders WHERE recall_id = $1`
	args := []any{recallID}
	if party != "" {
		query += ` AND party = $2`
		args = append(args, party)
	}
	rows, err := q.Query(ctx, query+` ORDER BY party`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*store.RecallHolder{}
	byParty := map[string]*store.RecallHolder{}
	for rows.Next() {
		h := &store.RecallHolder{History: []store.RecallChange{}}
		var locs, received string
		var updated int64
		if err := rows.Scan(&h.Party, &h.Name, &locs, &received, &h.Status, &h.Returned, &h.Destroyed, &updated); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(locs), &h.Locations); err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "recall %s: stored locations of %s cannot be read", recallID, h.Party)
		}
		if err := json.Unmarshal([]byte(received), &h.Received); err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "recall %s: stored quantities of %s cannot be read", recallID, h.Party)
		}
		h.UpdatedAt = fromNanos(updated)
		out = append(out, h)
		byParty[h.Party] = h
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	query = `SELECT party, at, status, quantity, note, subject FROM recall_holder_changes WHERE recall_id = $1`
	if party != "" {
		query += ` AND party = $2`
	}
	crows, err := q.Query(ctx, query+` ORDER BY party, n`, args...)
	if err != nil {
		return nil, err
	}
	defer crows.Close()
	for crows.Next() {
		var p string
		var c store.RecallChange
		var at int64
		if err := crows.Scan(&p, &at, &c.Status, &c.Quantity, &c.Note, &c.Subject); err != nil {
			return nil, err
		}
		c.At = fromNanos(at)
		if h := byParty[p]; h != nil {
			h.History = append(h.History, c)
		}
	}
	return out, crows.Err()
}

// Recalls lists recalls newest first.
func (s *DB) Recalls(ctx context.Context, beforeID string, limit int) ([]*store.Recall, error) {
	out := []*store.Recall{}
	err := s.with(ctx, "recalls", func(c *poolConn) error {
		query := `SELECT ` + recallCols + ` FROM recalls`
		args := []any{limitArg(limit)}
		if beforeID != "" {
			query += ` WHERE (created_at, id) < (SELECT created_at, id FROM recalls WHERE id = $2)`
			args = append(args, beforeID)
		}
		rows, err := c.Query(ctx, query+` ORDER BY created_at DESC, id DESC LIMIT $1`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRecall(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateRecallHolder changes one holder with its row locked.
func (s *DB) UpdateRecallHolder(ctx context.Context, recallID, party string, change func(*store.Recall, *store.RecallHolder) (store.RecallChange, error)) (*store.RecallHolder, error) {
	var h *store.RecallHolder
	err := s.with(ctx, "recall holder "+party, func(c *poolConn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		r, err := scanRecall(tx.QueryRow(ctx, `SELECT `+recallCols+` FROM recalls WHERE id = $1`, recallID))
		if err != nil {
			return mapErr(err, "recall "+recallID)
		}
		// The lock makes concurrent updates of one holder take turns: each sees the
		// totals the previous one wrote.
		var locked string
		if err := tx.QueryRow(ctx, `SELECT party FROM recall_holders WHERE recall_id = $1 AND party = $2 FOR UPDATE`, recallID, party).Scan(&locked); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return zhuisu.Errorf(zhuisu.ENotFound, "recall %s has no holder %s", recallID, party)
			}
			return err
		}
		hs, err := holders(ctx, tx, recallID, party)
		if err != nil {
			return err
		}
		h = hs[0]
		ch, err := change(r, h)
		if err != nil {
			return err
		}
		locs, received, err := holderJSON(h)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE recall_holders SET name = $3, locations = $4, received = $5, status = $6, returned = $7, destroyed = $8, updated_at = $9 WHERE recall_id = $1 AND party = $2`,
			recallID, party, h.Name, locs, received, h.Status, h.Returned, h.Destroyed, nanos(h.UpdatedAt)); err != nil {
			return err
		}
		if err := insertChange(ctx, tx, recallID, party, len(h.History), ch); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		h.History = append(h.History, ch)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// CloseRecall closes an open recall.
func (s *DB) CloseRecall(ctx context.Context, id string, at time.Time) error {
	return s.with(ctx, "recall "+id, func(c *poolConn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM recalls WHERE id = $1 FOR UPDATE`, id).Scan(&status); err != nil {
			return err
		}
		if status == store.RecallClosed {
			return zhuisu.Errorf(zhuisu.EConflict, "recall %s is already closed", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE recalls SET status = $2, closed_at = $3 WHERE id = $1`, id, store.RecallClosed, nanos(at)); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// RecallEvents returns the events a recall covers, joined by seq.
func (s *DB) RecallEvents(ctx context.Context, id string) ([]*store.Event, error) {
	var out []*store.Event
	err := s.with(ctx, "recall events", func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT e.seq, e.subject, e.declares, e.declared_by, e.doc FROM recall_events r JOIN events e ON e.seq = r.seq WHERE r.recall_id = $1 ORDER BY r.seq`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := &store.Event{Declares: -1, DeclaredBy: -1}
			var declares, declaredBy *int64
			if err := rows.Scan(&e.Seq, &e.Subject, &declares, &declaredBy, &e.Doc); err != nil {
				return err
			}
			if declares != nil {
				e.Declares = *declares
			}
			if declaredBy != nil {
				e.DeclaredBy = *declaredBy
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecallFlags returns the flags of open recalls on ids, by the identifier-first key.
func (s *DB) RecallFlags(ctx context.Context, ids []string) ([]store.RecallFlag, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.recallFlags(ctx, "recall flags", `SELECT f.recall_id, f.id, r.reason, r.created_at FROM recall_identifiers f JOIN recalls r ON r.id = f.recall_id AND r.status = $1 WHERE f.id = ANY($2::text[])`, store.RecallOpen, ids)
}

// OpenRecallFlags returns every flag of every open recall.
func (s *DB) OpenRecallFlags(ctx context.Context) ([]store.RecallFlag, error) {
	return s.recallFlags(ctx, "open recall flags", `SELECT f.recall_id, f.id, r.reason, r.created_at FROM recall_identifiers f JOIN recalls r ON r.id = f.recall_id AND r.status = $1 ORDER BY f.recall_id, f.id`, store.RecallOpen)
}

// recallFlags reads the flags a query of recall_id, id, reason and created_at gives.
func (s *DB) recallFlags(ctx context.Context, what, query string, args ...any) ([]store.RecallFlag, error) {
	var out []store.RecallFlag
	err := s.with(ctx, what, func(c *poolConn) error {
		out = out[:0]
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f store.RecallFlag
			var since int64
			if err := rows.Scan(&f.RecallID, &f.ID, &f.Reason, &since); err != nil {
				return err
			}
			f.Since = fromNanos(since)
			out = append(out, f)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
