package persons_test

import (
	"context"
	"errors"
	"testing"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/persons"
	"github.com/zhuisu/zhuisu/store"
)

// unwritableAudit is the real store whose audit log takes nothing: a full disk, a lost
// database connection at the moment of the audit write.
type unwritableAudit struct{ store.Store }

func (unwritableAudit) AppendAudit(context.Context, *store.AuditRecord) error {
	return errors.New("disk full (test)")
}

func TestUnmaskRevealsNothingWhenItsAuditRecordCannotBeWritten(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "")
	ref, err := f.svc.Register(ctx, shop, persons.Person{Name: name, IDNumber: idNumber, Phone: phone})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Audit = audit.New(unwritableAudit{f.st}, nil)
	got, err := f.svc.Unmask(ctx, police, ref, "case 2026-0412")
	if got != nil {
		t.Fatalf("unmasking without an audit record revealed %+v", got)
	}
	if !zhuisu.IsCode(err, zhuisu.EUnavailable) {
		t.Fatalf("unmasking without an audit record: %v, want unavailable", err)
	}
	recs, err := f.st.AuditRecords(ctx, &store.AuditQuery{Action: audit.ActionUnmask})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 0 {
		t.Fatalf("the failing audit store still recorded %d unmaskings", len(recs))
	}
}
