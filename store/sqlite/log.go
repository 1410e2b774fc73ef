package sqlite

import (
	"context"
	"database/sql"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// LogLeaves returns event hashes by seq range.
func (s *DB) LogLeaves(ctx context.Context, from, to int64) ([][32]byte, error) {
	rows, err := s.read(ctx, `SELECT seq, entry FROM events WHERE seq >= ? AND seq < ? ORDER BY seq`, from, to)
	if err != nil {
		return nil, mapErr(err, "log leaves")
	}
	defer rows.Close()
	out := make([][32]byte, 0, max(0, to-from))
	next := from
	for rows.Next() {
		var seq int64
		var h []byte
		if err := rows.Scan(&seq, &h); err != nil {
			return nil, mapErr(err, "log leaves")
		}
		if seq != next || len(h) != 32 {
			return nil, zhuisu.Errorf(zhuisu.EInternal, "log leaves: event %d is missing or malformed", next)
		}
		out = append(out, [32]byte(h))
		next++
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "log leaves")
	}
	if next != to {
		return nil, zhuisu.Errorf(zhuisu.ENotFound, "log leaves: no event %d", next)
	}
	return out, nil
}

// LogNodes returns interior hashes by seq.
func (s *DB) LogNodes(ctx context.Context, seqs []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(seqs))
	for start := 0; start < len(seqs); start += chunk {
		part := seqs[start:min(start+chunk, len(seqs))]
		rows, err := s.read(ctx, `SELECT seq, hashes FROM log_nodes WHERE seq IN (SELECT value FROM json_each(?))`, jsonInts(part))
		if err != nil {
			return nil, mapErr(err, "log nodes")
		}
		for rows.Next() {
			var seq int64
			var h []byte
			if err := rows.Scan(&seq, &h); err != nil {
				rows.Close()
				return nil, mapErr(err, "log nodes")
			}
			out[seq] = h
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, mapErr(err, "log nodes")
		}
	}
	return out, nil
}

// AppendLog stores integrated nodes and their checkpoint in one transaction.
func (s *DB) AppendLog(ctx context.Context, nodes []store.LogNode, cp *store.Checkpoint) error {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	var latest int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(size), 0) FROM log_checkpoints`).Scan(&latest); err != nil {
		return mapErr(err, "latest checkpoint")
	}
	if latest >= cp.Size {
		return zhuisu.Errorf(zhuisu.EConflict, "the log already has a checkpoint of size %d", latest)
	}
	for start := 0; start < len(nodes); start += chunk {
		part := nodes[start:min(start+chunk, len(nodes))]
		args := make([]any, 0, 2*len(part))
		for _, n := range part {
			args = append(args, n.Seq, n.Hashes)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR ROLLBACK INTO log_nodes (seq, hashes) VALUES `+rowsOf(len(part), 2), args...); err != nil {
			return mapErr(err, "log nodes")
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO log_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)`,
		cp.Size, cp.Root[:], cp.Note, nanos(cp.CreatedAt)); err != nil {
		return mapErr(err, "checkpoint")
	}
	return mapErr(tx.Commit(), "commit log")
}

// AddCosignatures replaces a checkpoint's note.
func (s *DB) AddCosignatures(ctx context.Context, size int64, note []byte) error {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE log_checkpoints SET note = ? WHERE size = ?`, note, size)
	if err != nil {
		return mapErr(err, "checkpoint")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return zhuisu.Errorf(zhuisu.ENotFound, "no checkpoint of size %d", size)
	}
	return mapErr(tx.Commit(), "commit checkpoint")
}

func scanCheckpoint(sc interface{ Scan(...any) error }) (*store.Checkpoint, error) {
	var c store.Checkpoint
	var root []byte
	var created int64
	if err := sc.Scan(&c.Size, &root, &c.Note, &created); err != nil {
		return nil, err
	}
	if len(root) != 32 {
		return nil, zhuisu.Errorf(zhuisu.EInternal, "checkpoint %d: stored root is %d bytes", c.Size, len(root))
	}
	c.Root, c.CreatedAt = [32]byte(root), fromNanos(created)
	return &c, nil
}

// LatestCheckpoint returns the largest checkpoint.
func (s *DB) LatestCheckpoint(ctx context.Context) (*store.Checkpoint, error) {
	c, err := scanCheckpoint(s.readRow(ctx, `SELECT size, root, note, created_at FROM log_checkpoints ORDER BY size DESC LIMIT 1`))
	if err != nil {
		return nil, mapErr(err, "checkpoint")
	}
	return c, nil
}

// Checkpoints lists checkpoints after a size.
func (s *DB) Checkpoints(ctx context.Context, after int64, limit int) ([]*store.Checkpoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT size, root, note, created_at FROM log_checkpoints WHERE size > ? ORDER BY size LIMIT ?`, after, limit)
	if err != nil {
		return nil, mapErr(err, "checkpoints")
	}
	defer rows.Close()
	var out []*store.Checkpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, mapErr(err, "checkpoints")
		}
		out = append(out, c)
	}
	return out, mapErr(rows.Err(), "checkpoints")
}

// EventDocs returns stored events in seq order from a seq.
func (s *DB) EventDocs(ctx context.Context, from int64, limit int) ([]*store.Event, error) {
	rows, err := s.read(ctx, `SELECT seq, hash, entry, subject, declares, declared_by, doc, facts FROM events WHERE seq >= ? ORDER BY seq LIMIT ?`, from, limit)
	if err != nil {
		return nil, mapErr(err, "events")
	}
	defer rows.Close()
	var out []*store.Event
	for rows.Next() {
		e := &store.Event{Declares: -1, DeclaredBy: -1}
		var h, entry []byte
		var declares, declaredBy sql.NullInt64
		if err := rows.Scan(&e.Seq, &h, &entry, &e.Subject, &declares, &declaredBy, &e.Doc, &e.Facts); err != nil {
			return nil, mapErr(err, "events")
		}
		// A malformed hash or entry shows as a mismatch in verify.
		if len(h) == 32 {
			e.Hash = [32]byte(h)
		}
		if len(entry) == 32 {
			e.Entry = [32]byte(entry)
		}
		if declares.Valid {
			e.Declares = declares.Int64
		}
		if declaredBy.Valid {
			e.DeclaredBy = declaredBy.Int64
		}
		out = append(out, e)
	}
	return out, mapErr(rows.Err(), "events")
}

// WitnessState returns the last co-signed state of a log.
func (s *DB) WitnessState(ctx context.Context, origin string) (*store.WitnessState, error) {
	var w store.WitnessState
	var root []byte
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT size, root, updated_at FROM witness_state WHERE origin = ?`, origin).Scan(&w.Size, &root, &updated)
	if err != nil {
		return nil, mapErr(err, "witness state of "+origin)
	}
	copy(w.Root[:], root)
	w.UpdatedAt = fromNanos(updated)
	return &w, nil
}

// SetWitnessState compares and sets a log's witness state.
func (s *DB) SetWitnessState(ctx context.Context, origin string, old, new *store.WitnessState) error {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	var res sql.Result
	if old == nil {
		res, err = tx.ExecContext(ctx, `INSERT INTO witness_state (origin, size, root, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO NOTHING`,
			origin, new.Size, new.Root[:], nanos(new.UpdatedAt))
	} else {
		res, err = tx.ExecContext(ctx, `UPDATE witness_state SET size = ?, root = ?, updated_at = ? WHERE origin = ? AND size = ? AND root = ?`,
			new.Size, new.Root[:], nanos(new.UpdatedAt), origin, old.Size, old.Root[:])
	}
	if err != nil {
		return mapErr(err, "witness state")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return zhuisu.Errorf(zhuisu.EConflict, "the witness state of %s changed meanwhile", origin)
	}
	return mapErr(tx.Commit(), "commit witness state")
}

// LastLogNode returns the largest seq with interior hashes.
func (s *DB) LastLogNode(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), -1) FROM log_nodes`).Scan(&n)
	return n, mapErr(err, "log nodes")
}

// EventAndLeaves reads an event whole and the log entries of its neighbours in one query.
func (s *DB) EventAndLeaves(ctx context.Context, seq, from, to int64) (*store.Event, [][32]byte, error) {
	rows, err := s.read(ctx, `SELECT e.seq, e.hash, e.entry, e.job_id, e.subject, e.declares, e.declared_by, e.event_time, e.record_time, CASE WHEN e.seq = ? THEN e.doc END, NULL FROM events e WHERE e.seq >= ? AND e.seq < ? ORDER BY e.seq`, seq, from, to)
	if err != nil {
		return nil, nil, mapErr(err, "event and log leaves")
	}
	defer rows.Close()
	var events []*store.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, nil, mapErr(err, "event and log leaves")
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, mapErr(err, "event and log leaves")
	}
	return store.SplitEventAndLeaves(events, seq, from, to)
}
