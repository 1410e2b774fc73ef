package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu/store"
)

const eventCols = `e.seq, e.hash, e.entry, e.job_id, e.subject, e.declares, e.declared_by, e.event_time, e.record_time, e.doc, d.doc`
const eventFrom = ` FROM events e LEFT JOIN events d ON d.seq = e.declared_by`

func scanEvent(sc interface{ Scan(...any) error }) (*store.Event, error) {
	var e store.Event
	var hash, entry []byte
	var declares, declaredBy *int64
	var et, rt int64
	if err := sc.Scan(&e.Seq, &hash, &entry, &e.JobID, &e.Subject, &declares, &declaredBy, &et, &rt, &e.Doc, &e.DeclarationDoc); err != nil {
		return nil, err
	}
	copy(e.Hash[:], hash)
	copy(e.Entry[:], entry)
	e.Declares, e.DeclaredBy = -1, -1
	if declares != nil {
		e.Declares = *declares
	}
	if declaredBy != nil {
		e.DeclaredBy = *declaredBy
	}
	return &e, nil
}

// Event finds the event with eventID (the original, not its declaration).
func (s *DB) Event(ctx context.Context, eventID string) (*store.Event, error) {
	var e *store.Event
	err := s.with(ctx, "event "+eventID, func(c *poolConn) (err error) {
		var args []any
		cond := eventIDCond([]string{eventID}, func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) })
		e, err = scanEvent(c.QueryRow(ctx, `SELECT `+eventCols+eventFrom+` WHERE `+cond+` ORDER BY e.declares IS NOT NULL, e.seq LIMIT 1`, args...))
		return err
	})
	return e, err
}

// eventIDCond matches events by eventID: by the eventID column, and for hash IDs also by
// the hash of events whose eventID is their own hash (kept as NULL; see store.HashURI).
// arg adds a parameter and returns its placeholder.
func eventIDCond(ids []string, arg func(any) string) string {
	var hashes [][]byte
	for _, id := range ids {
		if h, ok := store.ParseHashURI(id); ok {
			hashes = append(hashes, h[:])
		}
	}
	cond := "e.event_id = ANY(" + arg(ids) + "::text[])"
	if len(hashes) > 0 {
		cond = "(" + cond + " OR (e.event_id IS NULL AND e.hash = ANY(" + arg(hashes) + "::bytea[])))"
	}
	return cond
}

// Events selects candidates for q, in q's order, at most q.Limit.
func (s *DB) Events(ctx context.Context, q *store.EventQuery) ([]*store.Event, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	in := func(col string, vals []string) {
		if len(vals) > 0 {
			where = append(where, col+` = ANY(`+arg(vals)+`::text[])`)
		}
	}
	if len(q.Types) > 0 {
		ts := make([]string, len(q.Types))
		for i, t := range q.Types {
			ts[i] = string(t)
		}
		in("e.event_type", ts)
	}
	in("e.action", q.Actions)
	in("e.biz_step", q.BizSteps)
	in("e.disposition", q.Dispositions)
	in("e.read_point", q.ReadPoints)
	in("e.biz_location", q.BizLocations)
	if len(q.EventIDs) > 0 {
		where = append(where, eventIDCond(q.EventIDs, arg))
	}
	timeCond := func(col, op string, t interface{ IsZero() bool }, n int64) {
		if !t.IsZero() {
			where = append(where, col+op+arg(n)+"::bigint")
		}
	}
	timeCond("e.event_time", " >= ", q.EventTimeGE, nanos(q.EventTimeGE))
	timeCond("e.event_time", " < ", q.EventTimeLT, nanos(q.EventTimeLT))
	timeCond("e.record_time", " >= ", q.RecordTimeGE, nanos(q.RecordTimeGE))
	timeCond("e.record_time", " < ", q.RecordTimeLT, nanos(q.RecordTimeLT))
	if q.Declared != nil {
		if *q.Declared {
			where = append(where, "e.declared_by IS NOT NULL")
		} else {
			where = append(where, "e.declared_by IS NULL")
		}
	}
	if !q.IncludeDeclarations {
		where = append(where, "e.declares IS NULL")
	}
	if q.SeqGE > 0 {
		where = append(where, "e.seq >= "+arg(q.SeqGE))
	}
	if q.Seqs != nil {
		where = append(where, "e.seq = ANY("+arg(q.Seqs)+"::bigint[])")
	}
	for _, m := range q.Keys {
		hs := m.Hashes()
		if len(hs) == 0 {
			where = append(where, "false")
			continue
		}
		// Probe every bucket from SeqGE's on (see store.KeyBucketBits), one index search a
		// bucket: the LATERAL subquery with OFFSET 0 keeps the planner from turning the
		// probes into a scan of the whole key table, and ARRAY(...) runs them first, so the
		// events are then read by primary key; written as "seq IN (subquery)", the planner
		// walked every event and merged.
		where = append(where, `e.seq = ANY(ARRAY(SELECT k.seq FROM generate_series(`+strconv.FormatInt(max(q.SeqGE, 0)>>store.KeyBucketBits, 10)+`, (SELECT COALESCE(MAX(seq), 0) FROM events) >> `+strconv.Itoa(store.KeyBucketBits)+`) AS b(x)
			CROSS JOIN LATERAL (SELECT seq FROM event_keys WHERE bucket = b.x AND key = ANY(`+arg(hs)+`::bigint[]) OFFSET 0) k))`)
	}
	col := "e.seq"
	switch q.OrderBy {
	case store.OrderEventTime:
		col = "e.event_time"
	case store.OrderRecordTime:
		col = "e.record_time"
	}
	dir, cmp := "ASC", ">"
	if q.Desc {
		dir, cmp = "DESC", "<"
	}
	if q.After != nil {
		if col == "e.seq" {
			where = append(where, "e.seq "+cmp+" "+arg(q.After.Seq)+"::bigint")
		} else {
			where = append(where, "("+col+", e.seq) "+cmp+" ("+arg(nanos(q.After.Time))+"::bigint, "+arg(q.After.Seq)+"::bigint)")
		}
	}
	sqlText := `SELECT ` + eventCols + eventFrom
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	if col == "e.seq" {
		sqlText += " ORDER BY e.seq " + dir
	} else {
		sqlText += " ORDER BY " + col + " " + dir + ", e.seq " + dir
	}
	if q.Limit > 0 {
		sqlText += " LIMIT " + arg(int64(q.Limit))
	}
	return s.queryEvents(ctx, "query events", sqlText, args...)
}

// queryEvents runs a query of scanEvent's columns and reads its events.
func (s *DB) queryEvents(ctx context.Context, what, sqlText string, args ...any) ([]*store.Event, error) {
	var out []*store.Event
	err := s.with(ctx, what, func(c *poolConn) error {
		out = out[:0]
		rows, err := c.Query(ctx, sqlText, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				return err
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

// Distinct lists distinct values of one column.
func (s *DB) Distinct(ctx context.Context, f store.Field, after string, limit int) ([]string, error) {
	switch f {
	case store.FieldBizStep, store.FieldBizLocation, store.FieldReadPoint, store.FieldDisposition, store.FieldEventType:
	default:
		return nil, mapErr(errUnknownField(f), "distinct")
	}
	var out []string
	err := s.with(ctx, "distinct "+string(f), func(c *poolConn) error {
		rows, err := c.Query(ctx, `SELECT DISTINCT `+string(f)+` FROM events WHERE `+string(f)+` > $1 ORDER BY 1 LIMIT $2`, after, limitArg(limit))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CountEvents counts every stored event.
func (s *DB) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := s.with(ctx, "count events", func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	})
	return n, err
}

func itoa(n int) string { return strconv.Itoa(n) }

// EventFacts returns the stored facts of the events seqs.
func (s *DB) EventFacts(ctx context.Context, seqs []int64) ([]store.EventFacts, error) {
	out := make([]store.EventFacts, 0, len(seqs))
	err := s.with(ctx, "event facts", func(c *poolConn) error {
		out = out[:0]
		rows, err := c.Query(ctx, `SELECT seq, facts FROM events WHERE seq = ANY($1::bigint[]) AND declared_by IS NULL AND declares IS NULL ORDER BY seq`, seqs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f store.EventFacts
			if err := rows.Scan(&f.Seq, &f.Facts); err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
