package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// LogLeaves returns event hashes by seq range.
func (s *DB) LogLeaves(ctx context.Context, from, to int64) ([][32]byte, error) {
	out := make([][32]byte, 0, min(max(0, to-from), 1<<16))
	err := s.with(ctx, "log leaves", func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT seq, entry FROM events WHERE seq >= $1 AND seq < $2 ORDER BY seq`, from, to)
		if err != nil {
			return err
		}
		next := from
		var seq int64
		var h []byte
		_, err = pgx.ForEachRow(rows, []any{&seq, &h}, func() error {
			if seq != next || len(h) != 32 {
				return zhuisu.Errorf(zhuisu.EInternal, "log leaves: event %d is missing or malformed", next)
			}
			out = append(out, [32]byte(h))
			next++
			return nil
		})
		if err != nil {
			return err
		}
		if next != to {
			return zhuisu.Errorf(zhuisu.ENotFound, "log leaves: no event %d", next)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LogNodes returns interior hashes by seq.
func (s *DB) LogNodes(ctx context.Context, seqs []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(seqs))
	if len(seqs) == 0 {
		return out, nil
	}
	err := s.with(ctx, "log nodes", func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT seq, hashes FROM log_nodes WHERE seq = ANY($1::bigint[])`, seqs)
		if err != nil {
			return err
		}
		var seq int64
		var h []byte
		_, err = pgx.ForEachRow(rows, []any{&seq, &h}, func() error {
			out[seq] = h
			h = nil // the next row scans into a new slice
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AppendLog stores integrated nodes and their checkpoint in one READ COMMITTED
// transaction. Integrators serialise on the log advisory lock (captures never write the
// log tables, so they need not wait for it); the latest checkpoint is read after the
// lock, in a fresh snapshot that sees every integration committed before, so of two
// integrators of the same range the second finds the first's checkpoint and stores
// nothing.
func (s *DB) AppendLog(ctx context.Context, nodes []store.LogNode, cp *store.Checkpoint) error {
	return s.with(ctx, "append log", func(c *poolConn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return mapErr(err, "begin append log")
		}
		defer tx.Rollback(ctx)

		var check pgx.Batch
		check.Queue(`SELECT pg_advisory_xact_lock(` + lockKey("log") + `)`)
		check.Queue(`SELECT COALESCE(MAX(size), 0) FROM log_checkpoints`)
		var latest int64
		br := tx.SendBatch(ctx, &check)
		_, err = br.Exec()
		if err != nil {
			err = mapErr(err, "take log lock")
		} else {
			err = mapErr(br.QueryRow().Scan(&latest), "latest checkpoint")
		}
		if cerr := br.Close(); err == nil && cerr != nil {
			err = mapErr(cerr, "latest checkpoint")
		}
		if err != nil {
			return err
		}
		if latest >= cp.Size {
			return zhuisu.Errorf(zhuisu.EConflict, "the log already has a checkpoint of size %d", latest)
		}

		// As in Capture, many rows go by COPY, a few in the batch with the checkpoint.
		var write pgx.Batch
		var whats []string
		if len(nodes) > 0 {
			if len(nodes) >= copyMinRows {
				src := pgx.CopyFromSlice(len(nodes), func(i int) ([]any, error) {
					return []any{nodes[i].Seq, nodes[i].Hashes}, nil
				})
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{"log_nodes"}, []string{"seq", "hashes"}, src); err != nil {
					return mapErr(err, "log nodes")
				}
			} else {
				seqs := make([]int64, len(nodes))
				hashes := make([][]byte, len(nodes))
				for i, n := range nodes {
					seqs[i], hashes[i] = n.Seq, n.Hashes
				}
				write.Queue(`INSERT INTO log_nodes (seq, hashes) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, seqs, hashes)
				whats = append(whats, "log nodes")
			}
		}
		write.Queue(`INSERT INTO log_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4)`,
			cp.Size, cp.Root[:], cp.Note, nanos(cp.CreatedAt))
		whats = append(whats, "checkpoint")
		br = tx.SendBatch(ctx, &write)
		for _, what := range whats {
			if _, err = br.Exec(); err != nil {
				err = mapErr(err, what)
				break
			}
		}
		if cerr := br.Close(); err == nil && cerr != nil {
			err = mapErr(cerr, "store log")
		}
		if err != nil {
			return err
		}
		return mapErr(tx.Commit(ctx), "commit log")
	})
}

// AddCosignatures replaces a checkpoint's note.
func (s *DB) AddCosignatures(ctx context.Context, size int64, note []byte) error {
	return s.with(ctx, "checkpoint", func(c *poolConn) error {
		tag, err := c.Exec(ctx, `UPDATE log_checkpoints SET note = $1 WHERE size = $2`, note, size)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return zhuisu.Errorf(zhuisu.ENotFound, "no checkpoint of size %d", size)
		}
		return nil
	})
}

const checkpointCols = `size, root, note, created_at`

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
	var cp *store.Checkpoint
	err := s.with(ctx, "checkpoint", func(c *poolConn) (err error) {
		cp, err = scanCheckpoint(c.QueryRow(ctx, `SELECT `+checkpointCols+` FROM log_checkpoints ORDER BY size DESC LIMIT 1`))
		return err
	})
	if err != nil {
		return nil, err
	}
	return cp, nil
}

// Checkpoints lists checkpoints after a size, smallest first.
func (s *DB) Checkpoints(ctx context.Context, after int64, limit int) ([]*store.Checkpoint, error) {
	var out []*store.Checkpoint
	err := s.with(ctx, "checkpoints", func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT `+checkpointCols+` FROM log_checkpoints WHERE size > $1 ORDER BY size LIMIT $2`, after, limitArg(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			cp, err := scanCheckpoint(rows)
			if err != nil {
				return err
			}
			out = append(out, cp)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EventDocs returns stored events in seq order from a seq.
func (s *DB) EventDocs(ctx context.Context, from int64, limit int) ([]*store.Event, error) {
	var out []*store.Event
	err := s.with(ctx, "events", func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT seq, hash, entry, subject, declares, declared_by, doc, facts FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2`, from, limitArg(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := &store.Event{Declares: -1, DeclaredBy: -1}
			var h, entry []byte
			var declares, declaredBy *int64
			if err := rows.Scan(&e.Seq, &h, &entry, &e.Subject, &declares, &declaredBy, &e.Doc, &e.Facts); err != nil {
				return err
			}
			// A malformed hash or entry shows as a mismatch in verify.
			if len(h) == 32 {
				e.Hash = [32]byte(h)
			}
			if len(entry) == 32 {
				e.Entry = [32]byte(entry)
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

// WitnessState returns the last co-signed state of a log.
func (s *DB) WitnessState(ctx context.Context, origin string) (*store.WitnessState, error) {
	var w store.WitnessState
	var root []byte
	var updated int64
	err := s.with(ctx, "witness state of "+origin, func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT size, root, updated_at FROM witness_state WHERE origin = $1`, origin).Scan(&w.Size, &root, &updated)
	})
	if err != nil {
		return nil, err
	}
	copy(w.Root[:], root)
	w.UpdatedAt = fromNanos(updated)
	return &w, nil
}

// SetWitnessState compares and sets a log's witness state. Each case is one statement:
// under READ COMMITTED a concurrent writer of the same origin makes the INSERT do nothing
// or the UPDATE re-check its condition against the committed row, so the loser affects
// no row and gets EConflict.
func (s *DB) SetWitnessState(ctx context.Context, origin string, old, new *store.WitnessState) error {
	return s.with(ctx, "witness state", func(c *poolConn) error {
		var sql string
		var args []any
		if old == nil {
			sql = `INSERT INTO witness_state (origin, size, root, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO NOTHING`
			args = []any{origin, new.Size, new.Root[:], nanos(new.UpdatedAt)}
		} else {
			sql = `UPDATE witness_state SET size = $1, root = $2, updated_at = $3 WHERE origin = $4 AND size = $5 AND root = $6`
			args = []any{new.Size, new.Root[:], nanos(new.UpdatedAt), origin, old.Size, old.Root[:]}
		}
		tag, err := c.Exec(ctx, sql, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return zhuisu.Errorf(zhuisu.EConflict, "the witness state of %s changed meanwhile", origin)
		}
		return nil
	})
}

// LastLogNode returns the largest seq with interior hashes.
func (s *DB) LastLogNode(ctx context.Context) (int64, error) {
	var n int64
	err := s.with(ctx, "log nodes", func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT COALESCE(MAX(seq), -1) FROM log_nodes`).Scan(&n)
	})
	return n, err
}

// EventAndLeaves reads an event whole and the log entries of its neighbours in one query.
func (s *DB) EventAndLeaves(ctx context.Context, seq, from, to int64) (*store.Event, [][32]byte, error) {
	events, err := s.queryEvents(ctx, "event and log leaves", `SELECT e.seq, e.hash, e.entry, e.job_id, e.subject, e.declares, e.declared_by, e.event_time, e.record_time, CASE WHEN e.seq = $1 THEN e.doc END, NULL::bytea FROM events e WHERE e.seq >= $2 AND e.seq < $3 ORDER BY e.seq`, seq, from, to)
	if err != nil {
		return nil, nil, err
	}
	return store.SplitEventAndLeaves(events, seq, from, to)
}
