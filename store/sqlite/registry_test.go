package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/sqlite"
)

// TestAuditLogRefusesRawUpdateAndDelete goes around the store, as someone with the
// database file would, and finds the schema refusing any change to the audit log.
func TestAuditLogRefusesRawUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "zhuisu.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendAudit(ctx, &store.AuditRecord{Time: time.Now(), Actor: "admin", Action: "login", Result: "ok"}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE audit_log SET actor = 'someone else'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE seq = 0`,
	} {
		if _, err := raw.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the trigger to abort it", q, err)
		}
	}
	recs, err := db.AuditRecords(ctx, &store.AuditQuery{})
	if err != nil || len(recs) != 1 || recs[0].Actor != "admin" {
		t.Fatalf("after the attempts: %+v, %v", recs, err)
	}
}
