package integrity_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/sqlite"
	"github.com/zhuisu/zhuisu/tlog"
)

// auditFixture is a SQLite store with audit records and a checkpoint committing to them.
type auditFixture struct {
	path string
	st   *sqlite.DB
	log  *integrity.Service
	v    tlog.Verifier
	cp   *store.Checkpoint
}

func newAuditFixture(t *testing.T, records int) *auditFixture {
	t.Helper()
	ctx := context.Background()
	st, path := testkit.SQLite(t)
	signer, v, _ := testkit.LogKey(t, tamperOrigin)
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	for i := range records {
		if err := st.AppendAudit(ctx, &store.AuditRecord{Time: base.Add(time.Duration(i) * time.Minute), Actor: "admin", Action: "subject.register",
			Object: "91350100M000100Y43", Result: "ok", Detail: "record " + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	doc := &epcis.Document{SchemaVersion: "2.0", CreationDate: base, Events: []*epcis.Event{{
		Type: epcis.ObjectEvent, Action: epcis.ActionObserve, EventTime: base, EventTimeZoneOffset: "+08:00",
		EPCList: []string{"https://id.gs1.org/01/09521234543213/21/A1"}, BizStep: "shipping",
	}}}
	if _, err := capture.New(st).Capture(ctx, doc, ""); err != nil {
		t.Fatal(err)
	}
	log := &integrity.Service{Store: st, Origin: tamperOrigin, Signer: signer, Verifiers: []tlog.Verifier{v}, Extensions: integrity.AuditExtensions(st)}
	cp, err := log.Integrate(ctx)
	if err != nil || cp == nil {
		t.Fatalf("Integrate = %v, %v", cp, err)
	}
	return &auditFixture{path: path, st: st, log: log, v: v, cp: cp}
}

// raw runs statements on the database file around the store, dropping the triggers that
// keep the audit log append-only first, as someone with the file could.
func (f *auditFixture) raw(t *testing.T, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range append([]string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}, stmts...) {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestCheckpointCommitsToTheAuditHead(t *testing.T) {
	ctx := context.Background()
	f := newAuditFixture(t, 3)
	c, err := tlog.OpenCheckpoint(f.cp.Note, tamperOrigin, f.v)
	if err != nil {
		t.Fatal(err)
	}
	want, err := integrity.AuditLine(ctx, f.st)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Extensions) != 1 || c.Extensions[0] != want || !strings.HasPrefix(want, "zhuisu-audit 3 ") {
		t.Fatalf("checkpoint extensions %q, want [%q] for 3 records", c.Extensions, want)
	}
	rep, err := integrity.Verify(ctx, f.st, tamperOrigin, []tlog.Verifier{f.v})
	if err != nil || !rep.OK() {
		t.Fatalf("untouched store: %+v, %v", rep, err)
	}
}

func TestVerifyNamesTheTamperedAuditRecord(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stmts []string
		want  string
	}{
		{"ContentChanged", []string{`UPDATE audit_log SET actor = 'someone else' WHERE seq = 2`}, "audit record 2 "},
		{"DetailChanged", []string{`UPDATE audit_log SET detail = 'another reason' WHERE seq = 2`}, "audit record 2 "},
		// at holds Unix nanoseconds: the record is moved one second later.
		{"TimeChanged", []string{`UPDATE audit_log SET at = at + 1000000000 WHERE seq = 3`}, "audit record 3 "},
		{"RecordRemovedFromTheMiddle", []string{`DELETE FROM audit_log WHERE seq = 1`}, "audit record 1 is missing"},
		{"LastRecordsRemoved", []string{`DELETE FROM audit_log WHERE seq >= 3`}, "audit records 3 to 4 were removed"},
		// Rewriting a record and recomputing every hash after it keeps the chain whole;
		// the signed checkpoint still tells.
		{"ChainRewritten", []string{`UPDATE audit_log SET result = 'denied', hash = zeroblob(32) WHERE seq = 4`}, "audit record 4 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newAuditFixture(t, 5)
			f.raw(t, tc.stmts...)
			rep, err := integrity.Verify(ctx, f.st, tamperOrigin, []tlog.Verifier{f.v})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(rep.Problem, tc.want) {
				t.Fatalf("Verify problem %q, want it to name %q", rep.Problem, tc.want)
			}
		})
	}
}

// TestVerifyCatchesARecomputedAuditChain rewrites a record and recomputes its hash, so the
// chain is consistent again: only the checkpoint's commitment reveals it.
func TestVerifyCatchesARecomputedAuditChain(t *testing.T) {
	ctx := context.Background()
	f := newAuditFixture(t, 5)
	recs, err := f.st.AuditRecords(ctx, &store.AuditQuery{From: 4})
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %v", recs, err)
	}
	r := recs[0]
	r.Result = "denied"
	h := store.AuditHash(r.Prev, r)
	db, err := sql.Open("sqlite", "file:"+f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`UPDATE audit_log SET result = 'denied', hash = ? WHERE seq = 4`, h[:]); err != nil {
		t.Fatal(err)
	}
	rep, err := integrity.Verify(ctx, f.st, tamperOrigin, []tlog.Verifier{f.v})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Problem, "commits to audit records 0 to 4") {
		t.Fatalf("Verify problem %q, want the checkpoint's commitment to name records 0 to 4", rep.Problem)
	}
}
