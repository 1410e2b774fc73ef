package store

import (
	"context"
	"time"
)

// RecallFlag says that an identifier is affected by an open recall: the public page warns
// on it.
type RecallFlag struct {
	RecallID string
	ID       string // canonical URI of the affected identifier
	Reason   string
	Since    time.Time
}

// RecallStore keeps recalls, their holders and the flags they put on identifiers.
type RecallStore interface {
	// RecallFlags returns the flags of open recalls on any of ids (canonical URIs), in
	// no particular order; none is not an error.
	RecallFlags(ctx context.Context, ids []string) ([]RecallFlag, error)
}
