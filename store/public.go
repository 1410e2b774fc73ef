package store

import (
	"context"
	"time"
)

// Scan is one public lookup of a code, as the scan log keeps it: when, and a coarse area
// (a network prefix, never an address), so that a unit looked up from many areas or far
// too often can be flagged as a possible copy. Nothing in it identifies a person.
type Scan struct {
	Code string // canonical URI of the code looked up
	At   time.Time
	Area string
}

// ScanSummary sums up the scans of one code since a time.
type ScanSummary struct {
	Scans int64
	Areas int64 // distinct areas
	First time.Time
	Last  time.Time
}

// ScanStore keeps the public scan log.
type ScanStore interface {
	// RecordScans appends scans, all or none.
	RecordScans(ctx context.Context, scans []Scan) error
	// ScanSummary sums up the scans of code at or after since; a code never scanned
	// has a zero summary, not an error.
	ScanSummary(ctx context.Context, code string, since time.Time) (ScanSummary, error)
}
