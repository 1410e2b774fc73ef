package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/zhuisu/zhuisu/store"
)

const eventCols = `e.seq, e.hash, e.entry, e.job_id, e.subject, e.declares, e.declared_by, e.event_time, e.record_time, e.doc, d.doc`
const eventFrom = ` FROM events e LEFT JOIN events d ON d.seq = e.declared_by`

// eventColsUndeclared are eventCols for events known not to be declared erroneous.
const eventColsUndeclared = `e.seq, e.hash, e.entry, e.job_id, e.subject, e.declares, e.declared_by, e.event_time, e.record_time, e.doc, NULL`

func scanEvent(sc interface{ Scan(...any) error }) (*store.Event, error) {
	var e store.Event
	var hash, entry []byte
	var declares, declaredBy sql.NullInt64
	var et, rt int64
	if err := sc.Scan(&e.Seq, &hash, &entry, &e.JobID, &e.Subject, &declares, &declaredBy, &et, &rt, &e.Doc, &e.DeclarationDoc); err != nil {
		return nil, err
	}
	copy(e.Hash[:], hash)
	copy(e.Entry[:], entry)
	e.Declares, e.DeclaredBy = -1, -1
	if declares.Valid {
		e.Declares = declares.Int64
	}
	if declaredBy.Valid {
		e.DeclaredBy = declaredBy.Int64
	}
	return &e, nil
}

// Event finds the event with eventID (the original, not its declaration).
func (s *DB) Event(ctx context.Context, eventID string) (*store.Event, error) {
	cond, args := eventIDCond([]string{eventID})
	e, err := scanEvent(s.db.QueryRowContext(ctx, `SELECT `+eventCols+eventFrom+` WHERE `+cond+` ORDER BY e.declares IS NOT NULL, e.seq LIMIT 1`, args...))
	if err != nil {
		return nil, mapErr(err, "event "+eventID)
	}
	return e, nil
}

// eventIDCond matches events by eventID: by the eventID column, and for hash IDs also by
// the hash of events whose eventID is their own hash (kept as NULL; see store.HashURI).
// A declaration repeats the eventID of the event it declares, which is stored (else the
// declaration is stored as an event of its own), so only events that declare nothing are
// matched.
//
// The condition is a subquery of two indexed searches: written as one OR, SQLite scans
// the table, and with "event_id IS NULL" visible to it, it walks the event_id index over
// every hash-identified event. The unary + keeps those terms off the index choice.
func eventIDCond(ids []string) (string, []any) {
	var plain, hkeys, hashes []any
	for _, id := range ids {
		plain = append(plain, id)
		if h, ok := store.ParseHashURI(id); ok {
			hkeys, hashes = append(hkeys, hkey(h)), append(hashes, h[:])
		}
	}
	cond := "e.seq IN (SELECT seq FROM events WHERE event_id IN (" + placeholders(len(plain)) + ") AND declares IS NULL"
	if len(hkeys) > 0 {
		cond += " UNION ALL SELECT seq FROM events WHERE declares IS NULL AND hkey IN (" + placeholders(len(hkeys)) +
			") AND +hash IN (" + placeholders(len(hashes)) + ") AND +event_id IS NULL"
	}
	args := append(append(plain, hkeys...), hashes...)
	return cond + ")", args
}

// Events selects candidates for q, in q's order, at most q.Limit.
func (s *DB) Events(ctx context.Context, q *store.EventQuery) ([]*store.Event, error) {
	var where []string
	var args []any
	// fixed says the text holds no list whose length varies with the query, so that its
	// statement may be kept (see read); a caller's ad hoc filters are prepared per use.
	fixed := true
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		fixed = false
		where = append(where, col+` IN (`+placeholders(len(vals))+`)`)
		for _, v := range vals {
			args = append(args, v)
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
		fixed = false
		cond, a := eventIDCond(q.EventIDs)
		where = append(where, cond)
		args = append(args, a...)
	}
	timeCond := func(col, op string, t interface{ IsZero() bool }, n int64) {
		if !t.IsZero() {
			where = append(where, col+op+"?")
			args = append(args, n)
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
		where = append(where, "e.seq >= ?")
		args = append(args, q.SeqGE)
	}
	if q.Seqs != nil {
		where = append(where, "e.seq IN (SELECT value FROM json_each(?))")
		args = append(args, jsonInts(q.Seqs))
	}
	for _, m := range q.Keys {
		hs := m.Hashes()
		if len(hs) == 0 {
			where = append(where, "0")
			continue
		}
		// Probe the buckets that may hold the keys (keyfilter.go).
		cond, a := s.keyCond(ctx, hs, q.SeqGE)
		where = append(where, cond)
		args = append(args, a...)
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
			where = append(where, "e.seq "+cmp+" ?")
			args = append(args, q.After.Seq)
		} else {
			where = append(where, "("+col+", e.seq) "+cmp+" (?, ?)")
			args = append(args, nanos(q.After.Time), q.After.Seq)
		}
	}
	sqlText := `SELECT ` + eventCols + eventFrom
	if q.Declared != nil && !*q.Declared {
		// No event read is declared erroneous: there is no declaration to join.
		sqlText = `SELECT ` + eventColsUndeclared + ` FROM events e`
	}
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	if col == "e.seq" {
		sqlText += " ORDER BY e.seq " + dir
	} else {
		sqlText += " ORDER BY " + col + " " + dir + ", e.seq " + dir
	}
	if q.Limit > 0 {
		sqlText += " LIMIT ?"
		args = append(args, q.Limit)
	}
	query := s.db.QueryContext
	if fixed {
		query = s.read
	}
	rows, err := query(ctx, sqlText, args...)
	if err != nil {
		return nil, mapErr(err, "query events")
	}
	defer rows.Close()
	var out []*store.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, mapErr(err, "query events")
		}
		out = append(out, e)
	}
	return out, mapErr(rows.Err(), "query events")
}

// Distinct lists distinct values of one column.
func (s *DB) Distinct(ctx context.Context, f store.Field, after string, limit int) ([]string, error) {
	switch f {
	case store.FieldBizStep, store.FieldBizLocation, store.FieldReadPoint, store.FieldDisposition, store.FieldEventType:
	default:
		return nil, mapErr(errUnknownField(f), "distinct")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT `+string(f)+` FROM events WHERE `+string(f)+` > ? ORDER BY 1 LIMIT ?`, after, limit)
	if err != nil {
		return nil, mapErr(err, "distinct "+string(f))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, mapErr(err, "distinct")
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err(), "distinct")
}

// CountEvents counts every stored event.
func (s *DB) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := s.readRow(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	return n, mapErr(err, "count events")
}

// EventFacts returns the stored facts of the events seqs.
func (s *DB) EventFacts(ctx context.Context, seqs []int64) ([]store.EventFacts, error) {
	rows, err := s.read(ctx, `SELECT seq, facts FROM events WHERE seq IN (SELECT value FROM json_each(?)) AND declared_by IS NULL AND declares IS NULL ORDER BY seq`, jsonInts(seqs))
	if err != nil {
		return nil, mapErr(err, "event facts")
	}
	defer rows.Close()
	out := make([]store.EventFacts, 0, len(seqs))
	for rows.Next() {
		var f store.EventFacts
		if err := rows.Scan(&f.Seq, &f.Facts); err != nil {
			return nil, mapErr(err, "event facts")
		}
		out = append(out, f)
	}
	return out, mapErr(rows.Err(), "event facts")
}
