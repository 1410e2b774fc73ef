package registry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/registry"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/sqlite"
)

const (
	usccA = "91350100M000100Y43" // Fuzhou
	usccB = "91350200M000100Y48" // Xiamen (test data: check characters valid)
)

func newService(t *testing.T) (*registry.Service, *sqlite.DB) {
	t.Helper()
	st, _ := testkit.SQLite(t)
	return registry.New(st, auth.New(st), audit.New(st, nil)), st
}

var admin = &auth.Principal{Role: auth.RoleAdmin, TokenID: "t-admin"}

func registration(uscc, region string, locations ...string) *registry.Registration {
	return &registry.Registration{USCC: uscc, Name: "福州某某食品有限公司", Region: region, Roles: []string{"processor"},
		Sectors: []string{"food"}, Locations: locations}
}

func TestRegisterRefusesBadFieldsNamingThem(t *testing.T) {
	s, st := newService(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		mod   func(r *registry.Registration)
		field string
	}{
		{"BadCheckCharacter", func(r *registry.Registration) { r.USCC = "91350100M000100Y44" }, "uscc"},
		{"RegionOutsideFujian", func(r *registry.Registration) { r.Region = "110101" }, "region"},
		{"RegionUnknown", func(r *registry.Registration) { r.Region = "359999" }, "region"},
		{"NoName", func(r *registry.Registration) { r.Name = " " }, "name"},
		{"ControlCharacterInName", func(r *registry.Registration) { r.Name = "福州\x00食品" }, "name"},
		{"ControlCharacterInLicence", func(r *registry.Registration) {
			r.Licences = []store.Licence{{Number: "JY1\x1b", Kind: "food"}}
		}, "licences[0].number"},
		{"UnknownRole", func(r *registry.Registration) { r.Roles = []string{"processor", "pirate"} }, "roles[1]"},
		{"UnknownSector", func(r *registry.Registration) { r.Sectors = []string{"toys"} }, "sectors[0]"},
		{"NotALocation", func(r *registry.Registration) { r.Locations = []string{"https://id.gs1.org/01/09521234543213"} }, "locations[0]"},
		{"BadGLN", func(r *registry.Registration) { r.Locations = []string{"https://id.gs1.org/414/6901234000019"} }, "locations[0]"},
		{"BadPrefix", func(r *registry.Registration) { r.Prefixes = []string{"69A"} }, "prefixes[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := registration(usccA, "350102")
			tc.mod(r)
			_, err := s.Register(ctx, admin, r)
			var ze *zhuisu.Error
			if zhuisu.ErrorCode(err) != zhuisu.EInvalid || !asError(err, &ze) || ze.Field != tc.field {
				t.Fatalf("Register: %v, want invalid naming %s", err, tc.field)
			}
			if _, err := st.Subject(ctx, usccA); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
				t.Fatalf("a refused subject was stored: %v", err)
			}
		})
	}
}

func asError(err error, out **zhuisu.Error) bool {
	e, ok := err.(*zhuisu.Error)
	*out = e
	return ok
}

func TestRegisterCanonicalisesLocationsAndRefusesTakenOnes(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	sub, err := s.Register(ctx, admin, registration(strings.ToLower(usccA), "350102", "urn:epc:id:sgln:6901234.00001.0", "(414)6901234000023(254)7"))
	if err != nil {
		t.Fatal(err)
	}
	if sub.USCC != usccA || sub.Status != store.SubjectSubmitted || len(sub.Locations) != 2 ||
		sub.Locations[0] != "https://id.gs1.org/414/6901234000016" || sub.Locations[1] != "https://id.gs1.org/414/6901234000023/254/7" {
		t.Fatalf("registered %+v", sub)
	}
	_, err = s.Register(ctx, admin, registration(usccB, "350203", "https://example.com/414/6901234000016"))
	if zhuisu.ErrorCode(err) != zhuisu.EConflict || !strings.Contains(err.Error(), usccA) {
		t.Fatalf("a location owned by %s: %v, want conflict naming the owner", usccA, err)
	}
}

func TestRegulatorActsOnlyWithinRegionAndDepartment(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	fuzhouDrugs := &auth.Principal{Role: auth.RoleRegulator, Department: "drugs", Region: "350100", UserID: "u1"}
	xiamenDrugs := &auth.Principal{Role: auth.RoleRegulator, Department: "drugs", Region: "350200", UserID: "u2"}
	fuzhouPolice := &auth.Principal{Role: auth.RoleRegulator, Department: "police", Region: "350100", UserID: "u3"}
	enterprise := &auth.Principal{Role: auth.RoleEnterprise, Subject: usccA}
	for _, p := range []*auth.Principal{xiamenDrugs, fuzhouPolice, enterprise, nil} {
		if _, err := s.Register(ctx, p, registration(usccA, "350102")); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
			t.Fatalf("Register by %+v: %v, want forbidden", p, err)
		}
	}
	if _, err := s.Register(ctx, fuzhouDrugs, registration(usccA, "350102")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Change(ctx, xiamenDrugs, usccA, registry.Approve, ""); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
		t.Fatalf("approve by another city's regulator: %v, want forbidden", err)
	}
	if _, err := s.Change(ctx, fuzhouDrugs, usccA, registry.Approve, ""); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Audit.Store.AuditRecords(ctx, &store.AuditQuery{Action: audit.ActionAuthorisation})
	if err != nil || len(recs) != 5 || recs[0].Result != audit.ResultDenied {
		t.Fatalf("authorisation failures audited: %d records %v, want 5 denials", len(recs), err)
	}
}

func TestWorkflowFollowsItsTransitionsAndKeepsHistory(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if _, err := s.Register(ctx, admin, registration(usccA, "350102")); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		action, reason string
		want           store.SubjectStatus
		code           zhuisu.Code
	}{
		{registry.Suspend, "inspection", "", zhuisu.EConflict}, // not approved yet
		{registry.Approve, "", store.SubjectApproved, ""},
		{registry.Suspend, "", "", zhuisu.EInvalid}, // a reason is required
		{registry.Suspend, strings.Repeat("x", registry.MaxReasonLength+1), "", zhuisu.EInvalid},
		{registry.Suspend, "bad\x00", "", zhuisu.EInvalid},
		{registry.Suspend, "licence expired", store.SubjectSuspended, ""},
		{registry.Approve, "licence renewed", store.SubjectApproved, ""},
		{registry.Revoke, "closed down", store.SubjectRevoked, ""},
		{registry.Approve, "", "", zhuisu.EConflict},
		{registry.Resubmit, "reopened", store.SubjectSubmitted, ""},
		{"delete", "x", "", zhuisu.EInvalid},
	}
	for i, st := range steps {
		sub, err := s.Change(ctx, admin, usccA, st.action, st.reason)
		if st.code != "" {
			if zhuisu.ErrorCode(err) != st.code {
				t.Fatalf("step %d %s: %v, want %s", i, st.action, err, st.code)
			}
			continue
		}
		if err != nil || sub.Status != st.want {
			t.Fatalf("step %d %s: %v %v, want %s", i, st.action, sub, err, st.want)
		}
	}
	sub, err := s.Subject(ctx, admin, usccA)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range sub.History {
		got = append(got, string(h.To)+"/"+h.Reason)
	}
	want := "submitted/ approved/ suspended/licence expired approved/licence renewed revoked/closed down submitted/reopened"
	if strings.Join(got, " ") != want {
		t.Fatalf("history %q, want %q", strings.Join(got, " "), want)
	}
}

func TestTokensAreIssuedToApprovedSubjectsOnly(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if _, err := s.Register(ctx, admin, registration(usccA, "350102")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.IssueToken(ctx, admin, usccA, ""); zhuisu.ErrorCode(err) != zhuisu.EConflict {
		t.Fatalf("token for a submitted subject: %v, want conflict", err)
	}
	if _, err := s.Change(ctx, admin, usccA, registry.Approve, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.IssueToken(ctx, admin, usccA, strings.Repeat("L", registry.MaxLabelLength+1)); zhuisu.ErrorCode(err) != zhuisu.EInvalid {
		t.Fatalf("token with an over-long label: %v, want invalid", err)
	}
	secret, tok, err := s.IssueToken(ctx, admin, usccA, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Auth.Authenticate(ctx, secret)
	if err != nil || p.Subject != usccA || p.Role != auth.RoleEnterprise {
		t.Fatalf("issued token authenticates as %+v, %v", p, err)
	}
	other := &auth.Principal{Role: auth.RoleEnterpriseAdmin, Subject: usccB}
	if err := s.RevokeToken(ctx, other, tok.ID); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
		t.Fatalf("revoke by another enterprise: %v, want forbidden", err)
	}
	if err := s.RevokeToken(ctx, &auth.Principal{Role: auth.RoleEnterpriseAdmin, Subject: usccA}, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Auth.Authenticate(ctx, secret); zhuisu.ErrorCode(err) != zhuisu.EUnauthorized {
		t.Fatalf("revoked token: %v, want unauthorized", err)
	}
}

func TestSubjectRecordsOnlyWhileApprovedAndAtItsLocations(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if _, err := s.Register(ctx, admin, registration(usccA, "350102", "https://id.gs1.org/414/6901234000016")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, admin, registration(usccB, "350203", "https://id.gs1.org/414/6901234000023")); err != nil {
		t.Fatal(err)
	}
	if err := s.MayRecord(ctx, usccA); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
		t.Fatalf("submitted subject records: %v, want forbidden", err)
	}
	if _, err := s.Change(ctx, admin, usccA, registry.Approve, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.MayRecord(ctx, usccA); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		loc  string
		want bool
	}{
		{"https://id.gs1.org/414/6901234000016", true},
		{"https://id.gs1.org/414/6901234000016/254/dock-3", true}, // a sub-location of its site
		{"https://id.gs1.org/414/6901234000023", false},           // another subject's
		{"https://id.gs1.org/414/6901234000030", false},           // nobody's
	} {
		err := s.MayRecordAt(ctx, usccA, tc.loc)
		if (err == nil) != tc.want || err != nil && zhuisu.ErrorCode(err) != zhuisu.EForbidden {
			t.Errorf("MayRecordAt(%s) = %v, want allowed=%v", tc.loc, err, tc.want)
		}
	}
}

func TestRegulatorListsOnlyItsRegionAndIsAudited(t *testing.T) {
	s, st := newService(t)
	ctx := context.Background()
	for _, r := range []*registry.Registration{registration(usccA, "350102"), registration(usccB, "350203")} {
		if _, err := s.Register(ctx, admin, r); err != nil {
			t.Fatal(err)
		}
	}
	fuzhou := &auth.Principal{Role: auth.RoleRegulator, Department: "market", Region: "350100", UserID: "u1"}
	subs, err := s.Subjects(ctx, fuzhou, registry.Filter{})
	if err != nil || len(subs) != 1 || subs[0].USCC != usccA {
		t.Fatalf("Fuzhou regulator lists %v, %v; want only %s", subs, err, usccA)
	}
	if _, err := s.Subject(ctx, fuzhou, usccB); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
		t.Fatalf("read of a Xiamen subject: %v, want forbidden", err)
	}
	if _, err := s.Subjects(ctx, fuzhou, registry.Filter{Region: "350200"}); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
		t.Fatalf("listing another region: %v, want forbidden", err)
	}
	reads, err := st.AuditRecords(ctx, &store.AuditQuery{Action: audit.ActionRead})
	if err != nil || len(reads) != 1 || reads[0].Actor != "regulator:u1" {
		t.Fatalf("regulator reads audited: %+v, %v", reads, err)
	}
}

// Company prefixes may not overlap: every key under the longer would belong to two
// subjects, and access by prefix would give one subject the other's goods.
func TestRegisterRefusesAPrefixThatOverlapsAnother(t *testing.T) {
	s, st := newService(t)
	ctx := context.Background()
	a := registration(usccA, "350102")
	a.Prefixes = []string{"692345"}
	if _, err := s.Register(ctx, admin, a); err != nil {
		t.Fatal(err)
	}
	for _, pre := range []string{"692345", "6923457", "69234"} {
		b := registration(usccB, "350203")
		b.Prefixes = []string{"6999", pre}
		_, err := s.Register(ctx, admin, b)
		var ze *zhuisu.Error
		if zhuisu.ErrorCode(err) != zhuisu.EConflict || !asError(err, &ze) || ze.Field != "prefixes[1]" || !strings.Contains(ze.Message, usccA) {
			t.Fatalf("prefix %s against %s's 692345: %v, want a conflict at prefixes[1] naming %s", pre, usccA, err, usccA)
		}
		if _, err := st.Subject(ctx, usccB); zhuisu.ErrorCode(err) != zhuisu.ENotFound {
			t.Fatalf("a refused subject was stored: %v", err)
		}
	}
	b := registration(usccB, "350203")
	b.Prefixes = []string{"692346"}
	if _, err := s.Register(ctx, admin, b); err != nil {
		t.Fatalf("a prefix that overlaps none: %v", err)
	}
}
