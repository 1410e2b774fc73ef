package store

import (
	"context"
	"time"
)

// CodeStore keeps the serial codes the platform issues to enterprises. A code is issued
// at most once, which the store enforces with a unique key, and every issuance is
// recorded.
type CodeStore interface {
	// IssueCodes takes the next n serials of iss.Counter, formats each into a code, and
	// records the codes and the issuance in one transaction. It fails with EConflict if
	// a code was issued before (the counter and the codes disagree), storing nothing.
	IssueCodes(ctx context.Context, iss *Issuance, n int, format func(serial int64) (string, error)) ([]string, error)
	// IssuedCodes returns the codes of one issuance in serial order; ENotFound for an
	// unknown issuance.
	IssuedCodes(ctx context.Context, issuanceID string) (*Issuance, []string, error)
}

// Issuance records one request for codes.
type Issuance struct {
	ID        string
	Subject   string // who asked (unified social credit code), empty for platform roles
	Scheme    string // "gs1.sgtin", "cn.platform", ...
	Counter   string // the serial counter it drew from, e.g. "01/09521234543213"
	First     int64  // first serial issued
	Count     int
	CreatedAt time.Time
}
