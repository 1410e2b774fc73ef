package postgres

import (
	"context"
	"time"

	"github.com/zhuisu/zhuisu/store"
)

// RecordScans appends scans to the scan log in one statement (so all or none).
func (s *DB) RecordScans(ctx context.Context, scans []store.Scan) error {
	if len(scans) == 0 {
		return nil
	}
	codes := make([]string, len(scans))
	ats := make([]int64, len(scans))
	areas := make([]string, len(scans))
	for i, sc := range scans {
		codes[i], ats[i], areas[i] = sc.Code, nanos(sc.At), sc.Area
	}
	return s.with(ctx, "record scans", func(c *poolConn) error {
		_, err := c.Exec(ctx, `INSERT INTO public_scans (code, at, area) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])`, codes, ats, areas)
		return err
	})
}

// ScanSummary sums up the scans of code since a time.
func (s *DB) ScanSummary(ctx context.Context, code string, since time.Time) (store.ScanSummary, error) {
	var sum store.ScanSummary
	var first, last int64
	err := s.with(ctx, "scan summary", func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT count(*), count(DISTINCT area), coalesce(min(at), 0), coalesce(max(at), 0)
			FROM public_scans WHERE code = $1 AND at >= $2`, code, nanos(since)).Scan(&sum.Scans, &sum.Areas, &first, &last)
	})
	if err != nil {
		return store.ScanSummary{}, err
	}
	sum.First, sum.Last = fromNanos(first), fromNanos(last)
	return sum, nil
}
