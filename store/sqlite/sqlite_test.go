package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/sqlite"
	"github.com/zhuisu/zhuisu/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "zhuisu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) { storetest.Run(t, open) }
