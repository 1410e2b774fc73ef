package persons_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/catalogue"
	"github.com/zhuisu/zhuisu/persons"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/sqlite"
)

const (
	idNumber = "350102199001011238" // valid check character; test data
	name     = "林晓梅"
	phone    = "13905910000"
)

type fixture struct {
	dir string
	db  string
	st  *sqlite.DB
	svc *persons.Service
}

func newFixture(t *testing.T, cipherName string) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	f := &fixture{dir: dir, db: filepath.Join(dir, "zhuisu.db")}
	st, err := sqlite.Open(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := persons.LoadKey(filepath.Join(dir, "keys", "person.key"))
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	if f.svc, err = persons.New(st, audit.New(st, nil), key, cipherName); err != nil {
		t.Fatal(err)
	}
	f.svc.Scopes = access.New(st)
	// The shop sells explosive-precursor chemicals in Fuzhou: the police there supervise it.
	now := time.Now().UTC()
	if err := st.CreateSubject(ctx, &store.Subject{USCC: shop.Subject, Name: "化工商店", Region: "350102",
		Roles: []string{"dealer"}, Sectors: []string{catalogue.SectorHazardous}, Status: store.SubjectApproved,
		CreatedAt: now, UpdatedAt: now, History: []store.StatusChange{{To: store.SubjectApproved, Actor: "admin", At: now}}}); err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	shop      = &auth.Principal{Role: auth.RoleEnterprise, Subject: "91350100M000100Y43", TokenID: "t1"}
	otherShop = &auth.Principal{Role: auth.RoleEnterprise, Subject: "91350200M000100Y48", TokenID: "t2"}
	police    = &auth.Principal{Role: auth.RoleRegulator, Department: "police", Region: "350100", UserID: "officer-7"}
	// Regulators who do not supervise the shop: another city's police, and Fuzhou's
	// agriculture department.
	xiamenPolice = &auth.Principal{Role: auth.RoleRegulator, Department: "police", Region: "350200", UserID: "officer-9"}
	agriculture  = &auth.Principal{Role: auth.RoleRegulator, Department: "agriculture", Region: "350100", UserID: "inspector-3"}
)

func TestSamePersonGetsTheSameRefAndUnmasksForARegulator(t *testing.T) {
	for _, c := range []string{persons.CipherAES, persons.CipherSM4} {
		t.Run(c, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, c)
			ref, err := f.svc.Register(ctx, shop, persons.Person{Name: name, IDNumber: idNumber, Phone: phone})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ref, persons.RefPrefix) || strings.Contains(ref, idNumber[6:14]) {
				t.Fatalf("ref %q", ref)
			}
			// Written differently, by another enterprise: the same person.
			again, err := f.svc.Register(ctx, otherShop, persons.Person{Name: "林 晓梅", IDNumber: " 3501 0219 9001 0112 38 ", IDType: persons.IDResident})
			if err != nil || again != ref {
				t.Fatalf("second registration gave %q, %v; want %q", again, err, ref)
			}
			other, err := f.svc.Register(ctx, shop, persons.Person{Name: "陈建国", IDNumber: "350203198512314561"})
			if err != nil || other == ref {
				t.Fatalf("another person gave %q, %v", other, err)
			}
			row, err := f.st.PersonByRef(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			if row.Cipher != c || bytes.Contains(row.Sealed, []byte(idNumber)) || bytes.Contains(row.Sealed, []byte(name)) {
				t.Fatalf("stored row %+v holds the person in clear", row)
			}
			got, err := f.svc.Unmask(ctx, police, ref, "case 2026-0412")
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != name || got.IDNumber != idNumber || got.Phone != phone {
				t.Fatalf("unmasked %+v", got)
			}
		})
	}
}

func TestUnmaskingIsAuditedGrantedOrRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "")
	ref, err := f.svc.Register(ctx, shop, persons.Person{Name: name, IDNumber: idNumber})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Unmask(ctx, shop, ref, "curious"); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
		t.Fatalf("enterprise unmasks: %v, want forbidden", err)
	}
	if _, err := f.svc.Unmask(ctx, police, ref, " "); zhuisu.ErrorCode(err) != zhuisu.EInvalid {
		t.Fatalf("unmask without a reason: %v, want invalid", err)
	}
	// A reason too long or with control characters is refused before anything is
	// audited: the log is kept for good and must not take what a caller sends unbounded.
	for _, reason := range []string{strings.Repeat("案", persons.MaxReasonLength), "case\x00 7"} {
		if _, err := f.svc.Unmask(ctx, shop, ref, reason); zhuisu.ErrorCode(err) != zhuisu.EInvalid {
			t.Fatalf("unmask with reason of %d bytes: %v, want invalid", len(reason), err)
		}
	}
	for _, p := range []*auth.Principal{xiamenPolice, agriculture} {
		if _, err := f.svc.Unmask(ctx, p, ref, "case 2026-0413"); zhuisu.ErrorCode(err) != zhuisu.EForbidden {
			t.Fatalf("%s of %s in %s unmasks: %v, want forbidden", p.UserID, p.Department, p.Region, err)
		}
	}
	if _, err := f.svc.Unmask(ctx, police, ref, "case 2026-0412"); err != nil {
		t.Fatal(err)
	}
	recs, err := f.st.AuditRecords(ctx, &store.AuditQuery{Action: audit.ActionUnmask})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		if r.Object != ref {
			t.Errorf("audit record names %q, want %q", r.Object, ref)
		}
		got = append(got, r.Actor+" "+r.Result)
	}
	want := "enterprise:91350100M000100Y43 denied|regulator:officer-7 denied|regulator:officer-9 denied|regulator:inspector-3 denied|regulator:officer-7 ok"
	if strings.Join(got, "|") != want {
		t.Fatalf("unmask audit %q, want %q", strings.Join(got, "|"), want)
	}
	if recs[4].Detail != "case 2026-0412" {
		t.Fatalf("the granted unmasking's reason is %q", recs[2].Detail)
	}
}

func TestRegisterRefusesWhatIsNotAPerson(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "")
	for _, tc := range []struct {
		p     persons.Person
		who   *auth.Principal
		field string
		code  zhuisu.Code
	}{
		{persons.Person{Name: name, IDNumber: "350102199001011239"}, shop, "idNumber", zhuisu.EInvalid},
		{persons.Person{IDNumber: idNumber}, shop, "name", zhuisu.EInvalid},
		{persons.Person{Name: name, IDNumber: idNumber, IDType: "licence"}, shop, "idType", zhuisu.EInvalid},
		{persons.Person{Name: name, IDNumber: idNumber, Phone: "call me"}, shop, "phone", zhuisu.EInvalid},
		{persons.Person{Name: name, IDNumber: idNumber}, police, "", zhuisu.EForbidden},
	} {
		_, err := f.svc.Register(ctx, tc.who, tc.p)
		ze, _ := err.(*zhuisu.Error)
		if zhuisu.ErrorCode(err) != tc.code || ze == nil || ze.Field != tc.field {
			t.Errorf("Register(%+v): %v, want %s on %q", tc.p, err, tc.code, tc.field)
		}
		if err != nil && strings.Contains(err.Error(), "350102199001011239") {
			t.Errorf("the error quotes the ID number: %v", err)
		}
	}
}

// TestRawDatabaseHoldsNoPersonInClear reads the bytes of the database file and of its
// write-ahead log, as a stolen disk or backup would give them, while the store is open
// and again after it closed.
func TestRawDatabaseHoldsNoPersonInClear(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "")
	ref, err := f.svc.Register(ctx, shop, persons.Person{Name: name, IDNumber: idNumber, Phone: phone})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Unmask(ctx, police, ref, "case 2026-0412"); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		seen := 0
		for _, p := range []string{f.db, f.db + "-wal"} {
			b, err := os.ReadFile(p)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			seen += len(b)
			if !bytes.Contains(b, []byte(ref)) && p == f.db+"-wal" && when == "open" {
				t.Errorf("%s: the reference is not in the write-ahead log either: the dump reads the wrong bytes", when)
			}
			for _, secret := range []string{idNumber, name, phone} {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s: %s holds %q in clear", when, filepath.Base(p), secret)
				}
			}
		}
		if seen == 0 {
			t.Fatalf("%s: no database bytes read", when)
		}
	}
	check("open")
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
}

func TestKeyFileIsPrivateAndTheOnlyKeyThatOpens(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "")
	path := filepath.Join(f.dir, "keys", "person.key")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	ref, err := f.svc.Register(ctx, shop, persons.Person{Name: name, IDNumber: idNumber})
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := persons.LoadKey(filepath.Join(f.dir, "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := persons.New(f.st, audit.New(f.st, nil), otherKey, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Unmask(ctx, police, ref, "case 1"); err == nil {
		t.Fatal("another key unmasked the person")
	}
	// Under another key the same ID number hashes differently: a fresh reference.
	if ref2, err := wrong.Register(ctx, shop, persons.Person{Name: name, IDNumber: idNumber}); err != nil || ref2 == ref {
		t.Fatalf("registration under another key: %q, %v", ref2, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := persons.LoadKey(path); zhuisu.ErrorCode(err) != zhuisu.EInvalid {
		t.Fatalf("a world-readable key: %v, want refused", err)
	}
}
