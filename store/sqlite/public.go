package sqlite

import (
	"context"
	"encoding/json"
	"time"

	"github.com/zhuisu/zhuisu"

	"github.com/zhuisu/zhuisu/store"
)

// RecordScans appends scans to the scan log in one transaction.
func (s *DB) RecordScans(ctx context.Context, scans []store.Scan) error {
	if len(scans) == 0 {
		return nil
	}
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	// One statement of fixed text for the whole batch, the scans as one JSON parameter:
	// a VALUES list of a different length each second was parsed anew every time.
	rows := make([][3]any, len(scans))
	for i, sc := range scans {
		rows[i] = [3]any{sc.Code, nanos(sc.At), sc.Area}
	}
	batch, err := json.Marshal(rows)
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "record scans")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO public_scans (code, at, area) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)`, string(batch)); err != nil {
		return mapErr(err, "record scans")
	}
	return mapErr(tx.Commit(), "commit scans")
}

// ScanSummary sums up the scans of code since a time.
func (s *DB) ScanSummary(ctx context.Context, code string, since time.Time) (store.ScanSummary, error) {
	var sum store.ScanSummary
	var first, last int64
	// Most codes asked about were never scanned before: a count from the index alone
	// answers them without the temporary table that counting distinct areas takes.
	var n int64
	if err := s.readRow(ctx, `SELECT count(*) FROM public_scans WHERE code = ? AND at >= ?`, code, nanos(since)).Scan(&n); err != nil {
		return store.ScanSummary{}, mapErr(err, "scan summary")
	}
	if n == 0 {
		return sum, nil
	}
	err := s.readRow(ctx, `SELECT count(*), count(DISTINCT area), coalesce(min(at), 0), coalesce(max(at), 0)
		FROM public_scans WHERE code = ? AND at >= ?`, code, nanos(since)).Scan(&sum.Scans, &sum.Areas, &first, &last)
	if err != nil {
		return store.ScanSummary{}, mapErr(err, "scan summary")
	}
	sum.First, sum.Last = fromNanos(first), fromNanos(last)
	return sum, nil
}
