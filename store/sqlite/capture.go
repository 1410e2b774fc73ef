package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// chunk bounds the number of rows in one multi-row statement (SQLite allows 32766
// parameters).
const chunk = 200

// Capture stores a batch in one IMMEDIATE transaction, which takes the write lock at
// BEGIN: seq numbers are assigned under it, so they stay dense.
func (s *DB) Capture(ctx context.Context, b *store.Batch) (*store.CaptureResult, error) {
	res, err := s.captureLocked(ctx, b)
	if err == nil && filled(res) {
		// Once the write lock is given back; a failure only leaves buckets unfiltered.
		s.BuildKeyFilters(context.WithoutCancel(ctx), 4)
	}
	return res, err
}

func (s *DB) captureLocked(ctx context.Context, b *store.Batch) (*store.CaptureResult, error) {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	defer tx.Rollback()
	res, err := capture(ctx, tx, b, s.stmt)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, mapErr(err, "commit capture")
	}
	return res, nil
}

// filled says whether a capture stored the last event of a key bucket.
func filled(res *store.CaptureResult) bool {
	for i, seq := range res.Seqs {
		if !res.Duplicate[i] && (seq+1)&(1<<store.KeyBucketBits-1) == 0 {
			return true
		}
	}
	return false
}

type existing struct {
	seq        int64
	hash       []byte
	declaredBy sql.NullInt64
}

func capture(ctx context.Context, tx *sql.Tx, b *store.Batch, stmt stmtCache) (*store.CaptureResult, error) {
	n := len(b.Events)
	res := &store.CaptureResult{Seqs: make([]int64, n), Duplicate: make([]bool, n)}

	// What is stored already, by hash (non-declarations) and by eventID.
	byHash := map[[32]byte]existing{}
	byID := map[string]existing{}
	hashes := make([]any, 0, n)
	ids := make([]any, 0, n)
	for _, e := range b.Events {
		hashes = append(hashes, hkey(e.Hash))
		if h, ok := store.ParseHashURI(e.Event.EventID); ok {
			if h != e.Hash {
				hashes = append(hashes, hkey(h)) // an eventID naming another event's hash
			}
		} else {
			ids = append(ids, e.Event.EventID)
		}
	}
	for start := 0; start < len(hashes); start += chunk {
		end := min(start+chunk, len(hashes))
		rows, err := tx.QueryContext(ctx, `SELECT seq, hash, declared_by, event_id FROM events WHERE declares IS NULL AND hkey IN (`+placeholders(end-start)+`)`, hashes[start:end]...)
		if err != nil {
			return nil, mapErr(err, "look up event hashes")
		}
		for rows.Next() {
			var x existing
			var id sql.NullString
			if err := rows.Scan(&x.seq, &x.hash, &x.declaredBy, &id); err != nil {
				rows.Close()
				return nil, mapErr(err, "look up event hashes")
			}
			byHash[[32]byte(x.hash)] = x
			if !id.Valid {
				byID[store.HashURI([32]byte(x.hash))] = x
			}
		}
		if err := rows.Err(); err != nil {
			return nil, mapErr(err, "look up event hashes")
		}
		rows.Close()
	}
	for start := 0; start < len(ids); start += chunk {
		end := min(start+chunk, len(ids))
		rows, err := tx.QueryContext(ctx, `SELECT seq, hash, declared_by, event_id FROM events WHERE declares IS NULL AND event_id IN (`+placeholders(end-start)+`)`, ids[start:end]...)
		if err != nil {
			return nil, mapErr(err, "look up event IDs")
		}
		for rows.Next() {
			var x existing
			var id string
			if err := rows.Scan(&x.seq, &x.hash, &x.declaredBy, &id); err != nil {
				rows.Close()
				return nil, mapErr(err, "look up event IDs")
			}
			byID[id] = x
		}
		if err := rows.Err(); err != nil {
			return nil, mapErr(err, "look up event IDs")
		}
		rows.Close()
	}

	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq)+1, 0) FROM events`).Scan(&next); err != nil {
		return nil, mapErr(err, "next sequence number")
	}

	plan, err := store.PlanBatch(b, next, func(hash [32]byte) (store.Existing, bool) {
		x, ok := byHash[hash]
		return toExisting(x), ok
	}, func(id string) (store.Existing, bool) {
		x, ok := byID[id]
		return toExisting(x), ok
	})
	if err != nil {
		return nil, err
	}
	copy(res.Seqs, plan.Seqs)
	copy(res.Duplicate, plan.Duplicate)
	res.Stored, res.Duplicates = len(plan.New), n-len(plan.New)

	if err := insertEvents(ctx, tx, stmt, plan.New, b.Job); err != nil {
		return nil, err
	}
	for orig, decl := range plan.Marks {
		if _, err := tx.ExecContext(ctx, `UPDATE events SET declared_by = ? WHERE seq = ?`, decl, orig); err != nil {
			return nil, mapErr(err, "mark declared event")
		}
	}
	job := *b.Job
	job.Stored, job.Duplicates = res.Stored, res.Duplicates
	if err := insertJob(ctx, tx, &job); err != nil {
		return nil, err
	}
	return res, nil
}

func toExisting(x existing) store.Existing {
	e := store.Existing{Seq: x.seq, DeclaredBy: -1}
	copy(e.Hash[:], x.hash)
	if x.declaredBy.Valid {
		e.DeclaredBy = x.declaredBy.Int64
	}
	return e
}

// stmtCache returns a prepared statement for query, bound to tx.
type stmtCache func(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error)

// exec runs query in tx through a cached prepared statement: the multi-row inserts of a
// capture are long, and parsing them anew for every chunk cost a twentieth of a capture.
func exec(ctx context.Context, tx *sql.Tx, stmt stmtCache, query string, args ...any) error {
	st, err := stmt(ctx, tx, query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

func insertEvents(ctx context.Context, tx *sql.Tx, stmt stmtCache, events []*store.Event, job *store.Job) error {
	const cols = 18
	for start := 0; start < len(events); start += chunk {
		part := events[start:min(start+chunk, len(events))]
		args := make([]any, 0, len(part)*cols)
		var keyArgs []any
		for _, e := range part {
			ev := e.Event
			var declares any
			if e.Declares >= 0 {
				declares = e.Declares
			}
			rp, bl := "", ""
			if ev.ReadPoint != nil {
				rp = ev.ReadPoint.ID
			}
			if ev.BizLocation != nil {
				bl = ev.BizLocation.ID
			}
			args = append(args, e.Seq, e.Hash[:], hkey(e.Hash), e.Entry[:], store.StoredEventID(e), string(ev.Type), nanos(ev.EventTime), nanos(ev.RecordTime),
				ev.Action, ev.BizStep, ev.Disposition, rp, bl, job.ID, e.Subject, declares, e.Doc, e.Facts)
			for _, k := range e.Keys {
				keyArgs = append(keyArgs, store.KeyBucket(e.Seq), k.Hash(), e.Seq)
			}
		}
		q := `INSERT OR ROLLBACK INTO events (seq, hash, hkey, entry, event_id, event_type, event_time, record_time, action, biz_step, disposition, read_point, biz_location, job_id, subject, declares, doc, facts) VALUES ` + rowsOf(len(part), cols)
		if err := exec(ctx, tx, stmt, q, args...); err != nil {
			return mapErr(err, "insert events")
		}
		for ks := 0; ks < len(keyArgs); ks += 3 * chunk * 4 {
			ka := keyArgs[ks:min(ks+3*chunk*4, len(keyArgs))]
			if err := exec(ctx, tx, stmt, `INSERT OR IGNORE INTO event_keys (bucket, key, seq) VALUES `+rowsOf(len(ka)/3, 3), ka...); err != nil {
				return mapErr(err, "insert event keys")
			}
		}
	}
	return nil
}

func insertJob(ctx context.Context, tx *sql.Tx, j *store.Job) error {
	errs := j.Errors
	if errs == nil {
		errs = []store.JobError{}
	}
	eb, err := json.Marshal(errs)
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "encode job errors")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO capture_jobs (id, created_at, finished_at, state, subject, events, stored, duplicates, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, nanos(j.CreatedAt), nanos(j.FinishedAt), string(j.State), j.Subject, j.Events, j.Stored, j.Duplicates, string(eb))
	return mapErr(err, "insert capture job")
}

// FailJob records a job that stored nothing.
func (s *DB) FailJob(ctx context.Context, j *store.Job) error {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	if err := insertJob(ctx, tx, j); err != nil {
		return err
	}
	return mapErr(tx.Commit(), "commit")
}

const jobCols = `id, created_at, finished_at, state, subject, events, stored, duplicates, errors`

func scanJob(sc interface{ Scan(...any) error }) (*store.Job, error) {
	var j store.Job
	var created, finished int64
	var state, errs string
	if err := sc.Scan(&j.ID, &created, &finished, &state, &j.Subject, &j.Events, &j.Stored, &j.Duplicates, &errs); err != nil {
		return nil, err
	}
	j.CreatedAt, j.FinishedAt, j.State = fromNanos(created), fromNanos(finished), store.JobState(state)
	if err := json.Unmarshal([]byte(errs), &j.Errors); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "decode job errors")
	}
	return &j, nil
}

// Job returns one capture job.
func (s *DB) Job(ctx context.Context, id string) (*store.Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, `SELECT `+jobCols+` FROM capture_jobs WHERE id = ?`, id))
	if err != nil {
		return nil, mapErr(err, "capture job "+id)
	}
	return j, nil
}

// Jobs lists jobs newest first. Job IDs sort in creation order (see capture service).
func (s *DB) Jobs(ctx context.Context, beforeID string, limit int) ([]*store.Job, error) {
	q := `SELECT ` + jobCols + ` FROM capture_jobs`
	var args []any
	if beforeID != "" {
		q += ` WHERE id < ?`
		args = append(args, beforeID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, "list capture jobs")
	}
	defer rows.Close()
	var out []*store.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, mapErr(err, "list capture jobs")
		}
		out = append(out, j)
	}
	return out, mapErr(rows.Err(), "list capture jobs")
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func rowsOf(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// hkey is the indexed prefix of an event hash (see the events_hkey index).
func hkey(h [32]byte) int64 { return int64(binary.BigEndian.Uint64(h[:8])) }
