package postgres

import (
	"context"

	"github.com/zhuisu/zhuisu/store"
)

// RecallFlags returns the flags of open recalls on ids.
func (s *DB) RecallFlags(ctx context.Context, ids []string) ([]store.RecallFlag, error) {
	return nil, nil // the recall tables come with migration 004
}
