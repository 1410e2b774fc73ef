package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/store"
)

func newService(t *testing.T) *audit.Service {
	t.Helper()
	st, _ := testkit.SQLite(t)
	return audit.New(st, nil)
}

func TestOnlyTheAuditorReadsAndEveryReadIsRecorded(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	clock := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	if err := s.Login(ctx, "alice", false, "wrong password"); err != nil {
		t.Fatal(err)
	}
	if err := s.Login(ctx, "alice", true, ""); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"admin", "security", "regulator", ""} {
		if _, err := s.Records(ctx, role+":x", role, audit.Query{}); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
			t.Fatalf("role %q reads the audit log: %v, want forbidden", role, err)
		}
	}
	recs, err := s.Records(ctx, "auditor:carol", audit.RoleAuditor, audit.Query{Action: audit.ActionLogin})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Result != audit.ResultFailed || recs[1].Result != audit.ResultOK || recs[0].Actor != "user:alice" {
		t.Fatalf("login records %+v", recs)
	}
	all, err := s.Store.AuditRecords(ctx, &store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// 2 logins, 4 refusals, 1 read by the auditor.
	if len(all) != 7 || all[2].Action != audit.ActionAuthorisation || all[6].Action != audit.ActionAuditRead || all[6].Actor != "auditor:carol" {
		t.Fatalf("audit log holds %d records: %+v", len(all), all)
	}
	since, err := s.Records(ctx, "auditor:carol", audit.RoleAuditor, audit.Query{Since: all[5].Time})
	if err != nil || len(since) != 3 || since[0].Seq != 5 {
		t.Fatalf("records since record 5: %d, %v", len(since), err)
	}
}

func TestWhoNamesTheMostSpecificIdentity(t *testing.T) {
	for _, tc := range []struct{ role, subject, user, token, want string }{
		{"regulator", "", "u7", "t1", "regulator:u7"},
		{"enterprise", "91350100M000100Y43", "", "t1", "enterprise:91350100M000100Y43"},
		{"admin", "", "", "t1", "admin:token/t1"},
		{"", "", "", "", "anonymous"},
	} {
		if got := audit.Who(tc.role, tc.subject, tc.user, tc.token); got != tc.want {
			t.Errorf("Who(%q, %q, %q, %q) = %q, want %q", tc.role, tc.subject, tc.user, tc.token, got, tc.want)
		}
	}
}

func TestLongDetailIsCutSoTheLogCannotBeGrownWithoutBound(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	long := strings.Repeat("理", 400000) // 1.2 MB of three-byte characters
	if err := s.RecordDetail(ctx, "enterprise:x", audit.ActionUnmask, long, audit.ResultDenied, long); err != nil {
		t.Fatal(err)
	}
	all, err := s.Store.AuditRecords(ctx, &store.AuditQuery{})
	if err != nil || len(all) != 1 {
		t.Fatalf("records = %d, %v", len(all), err)
	}
	for name, v := range map[string]string{"object": all[0].Object, "detail": all[0].Detail} {
		if len(v) > 4096 || !utf8.ValidString(v) || !strings.HasPrefix(v, "理理理") || !strings.HasSuffix(v, "(1200000 bytes)") {
			t.Errorf("%s kept as %d bytes (valid UTF-8 %v), ending %q", name, len(v), utf8.ValidString(v), v[max(0, len(v)-24):])
		}
	}
}
