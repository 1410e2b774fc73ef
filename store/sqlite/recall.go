package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// CreateRecall stores a recall, its holders, flags and events in one transaction.
func (s *DB) CreateRecall(ctx context.Context, r *store.Recall) error {
	codes, err := json.Marshal(r.Codes)
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "encode recall codes")
	}
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO recalls (id, reason, codes, subject, created_at, status, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Reason, string(codes), r.Subject, nanos(r.CreatedAt), r.Status, nanos(r.ClosedAt)); err != nil {
		return mapErr(err, "recall "+r.ID)
	}
	for _, h := range r.Holders {
		locs, received, err := holderJSON(h)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO recall_holders (recall_id, party, name, locations, received, status, returned, destroyed, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, h.Party, h.Name, locs, received, h.Status, h.Returned, h.Destroyed, nanos(h.UpdatedAt)); err != nil {
			return mapErr(err, "recall holder "+h.Party)
		}
		for i, c := range h.History {
			if err := insertChange(ctx, tx, r.ID, h.Party, i, c); err != nil {
				return err
			}
		}
	}
	for start := 0; start < len(r.Identifiers); start += chunk {
		part := r.Identifiers[start:min(start+chunk, len(r.Identifiers))]
		args := make([]any, 0, 2*len(part))
		for _, id := range part {
			args = append(args, id, r.ID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO recall_identifiers (id, recall_id) VALUES `+rowsOf(len(part), 2), args...); err != nil {
			return mapErr(err, "recall identifiers")
		}
	}
	for start := 0; start < len(r.Seqs); start += chunk {
		part := r.Seqs[start:min(start+chunk, len(r.Seqs))]
		args := make([]any, 0, 2*len(part))
		for _, seq := range part {
			args = append(args, r.ID, seq)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO recall_events (recall_id, seq) VALUES `+rowsOf(len(part), 2), args...); err != nil {
			return mapErr(err, "recall events")
		}
	}
	return mapErr(tx.Commit(), "commit recall")
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

func insertChange(ctx context.Context, tx *sql.Tx, recallID, party string, n int, c store.RecallChange) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO recall_holder_changes (recall_id, party, n, at, status, quantity, note, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		recallID, party, n, nanos(c.At), c.Status, c.Quantity, c.Note, c.Subject)
	return mapErr(err, "recall holder change")
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
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

// Recall returns a recall with its holders, identifiers and seqs.
func (s *DB) Recall(ctx context.Context, id string) (*store.Recall, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, mapErr(err, "recall "+id)
	}
	defer tx.Rollback()
	r, err := scanRecall(tx.QueryRowContext(ctx, `SELECT `+recallCols+` FROM recalls WHERE id = ?`, id))
	if err != nil {
		return nil, mapErr(err, "recall "+id)
	}
	if r.Holders, err = holders(ctx, tx, id, ""); err != nil {
		return nil, err
	}
	if r.Identifiers, err = collect[string](ctx, tx, `SELECT id FROM recall_identifiers WHERE recall_id = ? ORDER BY id`, id); err != nil {
		return nil, err
	}
	if r.Seqs, err = collect[int64](ctx, tx, `SELECT seq FROM recall_events WHERE recall_id = ? ORDER BY seq`, id); err != nil {
		return nil, err
	}
	return r, nil
}

func collect[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "recall")
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, mapErr(err, "recall")
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err(), "recall")
}

// holders reads the holders of a recall (one party when party is set) with their
// histories.
func holders(ctx context.Context, q querier, recallID, party string) ([]*store.RecallHolder, error) {
	query := `SELECT party, name, locations, received, status, returned, destroyed, updated_at FROM recall_holders WHERE recall_id = ?`
	args := []any{recallID}
	if party != "" {
		query += ` AND party = ?`
		args = append(args, party)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY party`, args...)
	if err != nil {
		return nil, mapErr(err, "recall holders")
	}
	defer rows.Close()
	out := []*store.RecallHolder{}
	byParty := map[string]*store.RecallHolder{}
	for rows.Next() {
		h := &store.RecallHolder{History: []store.RecallChange{}}
		var locs, received string
		var updated int64
		if err := rows.Scan(&h.Party, &h.Name, &locs, &received, &h.Status, &h.Returned, &h.Destroyed, &updated); err != nil {
			return nil, mapErr(err, "recall holders")
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
		return nil, mapErr(err, "recall holders")
	}
	rows.Close()
	query = `SELECT party, at, status, quantity, note, subject FROM recall_holder_changes WHERE recall_id = ?`
	if party != "" {
		query += ` AND party = ?`
	}
	crows, err := q.QueryContext(ctx, query+` ORDER BY party, n`, args...)
	if err != nil {
		return nil, mapErr(err, "recall holder history")
	}
	defer crows.Close()
	for crows.Next() {
		var p string
		var c store.RecallChange
		var at int64
		if err := crows.Scan(&p, &at, &c.Status, &c.Quantity, &c.Note, &c.Subject); err != nil {
			return nil, mapErr(err, "recall holder history")
		}
		c.At = fromNanos(at)
		if h := byParty[p]; h != nil {
			h.History = append(h.History, c)
		}
	}
	return out, mapErr(crows.Err(), "recall holder history")
}

// Recalls lists recalls newest first.
func (s *DB) Recalls(ctx context.Context, beforeID string, limit int) ([]*store.Recall, error) {
	query := `SELECT ` + recallCols + ` FROM recalls`
	var args []any
	if beforeID != "" {
		query += ` WHERE (created_at, id) < (SELECT created_at, id FROM recalls WHERE id = ?)`
		args = append(args, beforeID)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, "recalls")
	}
	defer rows.Close()
	out := []*store.Recall{}
	for rows.Next() {
		r, err := scanRecall(rows)
		if err != nil {
			return nil, mapErr(err, "recalls")
		}
		out = append(out, r)
	}
	return out, mapErr(rows.Err(), "recalls")
}

// UpdateRecallHolder changes one holder under the write lock.
func (s *DB) UpdateRecallHolder(ctx context.Context, recallID, party string, change func(*store.Recall, *store.RecallHolder) (store.RecallChange, error)) (*store.RecallHolder, error) {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	defer tx.Rollback()
	r, err := scanRecall(tx.QueryRowContext(ctx, `SELECT `+recallCols+` FROM recalls WHERE id = ?`, recallID))
	if err != nil {
		return nil, mapErr(err, "recall "+recallID)
	}
	hs, err := holders(ctx, tx, recallID, party)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, zhuisu.Errorf(zhuisu.ENotFound, "recall %s has no holder %s", recallID, party)
	}
	h := hs[0]
	c, err := change(r, h)
	if err != nil {
		return nil, err
	}
	locs, received, err := holderJSON(h)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE recall_holders SET name = ?, locations = ?, received = ?, status = ?, returned = ?, destroyed = ?, updated_at = ? WHERE recall_id = ? AND party = ?`,
		h.Name, locs, received, h.Status, h.Returned, h.Destroyed, nanos(h.UpdatedAt), recallID, party); err != nil {
		return nil, mapErr(err, "recall holder "+party)
	}
	if err := insertChange(ctx, tx, recallID, party, len(h.History), c); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, mapErr(err, "commit recall holder")
	}
	h.History = append(h.History, c)
	return h, nil
}

// CloseRecall closes an open recall.
func (s *DB) CloseRecall(ctx context.Context, id string, at time.Time) error {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM recalls WHERE id = ?`, id).Scan(&status); err != nil {
		return mapErr(err, "recall "+id)
	}
	if status == store.RecallClosed {
		return zhuisu.Errorf(zhuisu.EConflict, "recall %s is already closed", id)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE recalls SET status = ?, closed_at = ? WHERE id = ?`, store.RecallClosed, nanos(at), id); err != nil {
		return mapErr(err, "close recall "+id)
	}
	return mapErr(tx.Commit(), "commit recall "+id)
}

// RecallEvents returns the events a recall covers, joined by seq.
func (s *DB) RecallEvents(ctx context.Context, id string) ([]*store.Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.seq, e.subject, e.declares, e.declared_by, e.doc FROM recall_events r JOIN events e ON e.seq = r.seq WHERE r.recall_id = ? ORDER BY r.seq`, id)
	if err != nil {
		return nil, mapErr(err, "recall events")
	}
	defer rows.Close()
	var out []*store.Event
	for rows.Next() {
		e := &store.Event{Declares: -1, DeclaredBy: -1}
		var declares, declaredBy sql.NullInt64
		if err := rows.Scan(&e.Seq, &e.Subject, &declares, &declaredBy, &e.Doc); err != nil {
			return nil, mapErr(err, "recall events")
		}
		if declares.Valid {
			e.Declares = declares.Int64
		}
		if declaredBy.Valid {
			e.DeclaredBy = declaredBy.Int64
		}
		out = append(out, e)
	}
	return out, mapErr(rows.Err(), "recall events")
}

// RecallFlags returns the flags of open recalls on ids, by the identifier-first key.
func (s *DB) RecallFlags(ctx context.Context, ids []string) ([]store.RecallFlag, error) {
	var out []store.RecallFlag
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		flags, err := s.recallFlags(ctx, "recall flags", `SELECT f.recall_id, f.id, r.reason, r.created_at FROM recall_identifiers f JOIN recalls r ON r.id = f.recall_id AND r.status = ? WHERE f.id IN (SELECT value FROM json_each(?))`, store.RecallOpen, jsonStrings(part))
		if err != nil {
			return nil, err
		}
		out = append(out, flags...)
	}
	return out, nil
}

// OpenRecallFlags returns every flag of every open recall.
func (s *DB) OpenRecallFlags(ctx context.Context) ([]store.RecallFlag, error) {
	return s.recallFlags(ctx, "open recall flags", `SELECT f.recall_id, f.id, r.reason, r.created_at FROM recall_identifiers f JOIN recalls r ON r.id = f.recall_id AND r.status = ? ORDER BY f.recall_id, f.id`, store.RecallOpen)
}

// recallFlags reads the flags a query of recall_id, id, reason and created_at gives.
func (s *DB) recallFlags(ctx context.Context, what, query string, args ...any) ([]store.RecallFlag, error) {
	rows, err := s.read(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, what)
	}
	defer rows.Close()
	var out []store.RecallFlag
	for rows.Next() {
		var f store.RecallFlag
		var since int64
		if err := rows.Scan(&f.RecallID, &f.ID, &f.Reason, &since); err != nil {
			return nil, mapErr(err, what)
		}
		f.Since = fromNanos(since)
		out = append(out, f)
	}
	return out, mapErr(rows.Err(), what)
}
