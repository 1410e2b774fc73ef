package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu/store"
)

// TestAuditLogRefusesRawUpdateAndDelete goes around the store, as someone with a
// database login would, and finds the schema refusing any change to the audit log.
func TestAuditLogRefusesRawUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	u := freshSchema(t)
	db := openURL(t, u)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendAudit(ctx, &store.AuditRecord{Time: time.Now(), Actor: "admin", Action: "login", Result: "ok"}); err != nil {
		t.Fatal(err)
	}
	raw, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(ctx)
	for _, q := range []string{
		`UPDATE audit_log SET actor = 'someone else'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE seq = 0`,
		`TRUNCATE audit_log`,
	} {
		if _, err := raw.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the trigger to refuse it", q, err)
		}
	}
	recs, err := db.AuditRecords(ctx, &store.AuditQuery{})
	if err != nil || len(recs) != 1 || recs[0].Actor != "admin" {
		t.Fatalf("after the attempts: %+v, %v", recs, err)
	}
}
