package auth_test

import (
	"context"
	"encoding/base32"
	"net/url"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/internal/testkit"
)

// clock is a fake clock the tests move by hand.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// recorder is an Auditor that keeps what it was told.
type recorder struct{ entries []string }

func (r *recorder) Record(_ context.Context, actor, action, object, result string) error {
	r.entries = append(r.entries, actor+" "+action+" "+object+" "+result)
	return nil
}

type fixture struct {
	svc   *auth.Service
	clock *clock
	audit *recorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, _ := testkit.SQLite(t)
	c := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	rec := &recorder{}
	svc := auth.New(st)
	svc.Now = c.Now
	svc.TOTPKey = make([]byte, 32)
	// Cheaper hashes keep the suite quick; the parameters travel with each hash, so the
	// code paths are those of the defaults.
	svc.Argon2 = auth.Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	svc.Audit = rec
	return &fixture{svc: svc, clock: c, audit: rec}
}

// create makes an account from the console and returns its secrets.
func (f *fixture) create(t *testing.T, name string, sc auth.Scope) *auth.Issued {
	t.Helper()
	out, err := f.svc.CreateUser(context.Background(), auth.ConsolePrincipal(), auth.NewUser{Name: name, Scope: sc})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return out
}

// totpKey reads the key back out of an otpauth:// URI, as an authenticator app does.
func totpKey(t *testing.T, uri string) []byte {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (f *fixture) code(t *testing.T, in *auth.Issued) string {
	return auth.TOTPCode(totpKey(t, in.TOTPURI), f.clock.Now())
}

var regulator = auth.Scope{Role: auth.RoleRegulator, Department: "market", Region: "350102"}
var enterprise = auth.Scope{Role: auth.RoleEnterprise, Subject: "91350100M000100Y43"}

func TestLoginSucceedsWithPasswordAndTOTPAndOpensASession(t *testing.T) {
	f := newFixture(t)
	in := f.create(t, "li.hua", regulator)
	if in.TOTPURI == "" {
		t.Fatal("a regulator was created without a TOTP enrolment")
	}
	got, err := f.svc.Login(context.Background(), "Li.Hua", in.Password, f.code(t, in))
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	p, err := f.svc.AuthenticateSession(context.Background(), got.Secret)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	if p.Role != auth.RoleRegulator || p.Region != "350102" || p.Department != "market" || p.Name != "li.hua" {
		t.Fatalf("principal %+v", p)
	}
}

func TestLoginRequiresTOTPForAdministratorAndGovernmentRoles(t *testing.T) {
	for _, sc := range []auth.Scope{{Role: auth.RoleAdmin}, {Role: auth.RoleSecurity}, {Role: auth.RoleAuditor}, regulator} {
		t.Run(sc.Role, func(t *testing.T) {
			f := newFixture(t)
			in := f.create(t, "person", sc)
			if _, err := f.svc.Login(context.Background(), "person", in.Password, ""); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
				t.Fatalf("login without a code: %v, want unauthorized", err)
			}
			if _, err := f.svc.Login(context.Background(), "person", in.Password, "000000"); !zhuisu.IsCode(err, zhuisu.EUnauthorized) && f.code(t, in) != "000000" {
				t.Fatalf("login with a wrong code: %v, want unauthorized", err)
			}
			if _, err := f.svc.Login(context.Background(), "person", in.Password, f.code(t, in)); err != nil {
				t.Fatalf("login with the code: %v", err)
			}
		})
	}
	f := newFixture(t)
	in := f.create(t, "operator", enterprise)
	if in.TOTPURI != "" {
		t.Fatal("an enterprise operator was enrolled in TOTP without asking")
	}
	if _, err := f.svc.Login(context.Background(), "operator", in.Password, ""); err != nil {
		t.Fatalf("enterprise operator without TOTP: %v", err)
	}
}

func TestLoginRefusesAReplayedTOTPCode(t *testing.T) {
	f := newFixture(t)
	in := f.create(t, "auditor1", auth.Scope{Role: auth.RoleAuditor})
	code := f.code(t, in)
	if _, err := f.svc.Login(context.Background(), "auditor1", in.Password, code); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(10 * time.Second) // same step, still inside the window
	if _, err := f.svc.Login(context.Background(), "auditor1", in.Password, code); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("replayed code: %v, want unauthorized", err)
	}
	f.clock.Advance(30 * time.Second)
	if _, err := f.svc.Login(context.Background(), "auditor1", in.Password, f.code(t, in)); err != nil {
		t.Fatalf("next step's code: %v", err)
	}
}

func TestLoginAcceptsACodeOneStepOldButNotTwo(t *testing.T) {
	f := newFixture(t)
	in := f.create(t, "admin1", auth.Scope{Role: auth.RoleAdmin})
	old := f.code(t, in)
	f.clock.Advance(30 * time.Second)
	if _, err := f.svc.Login(context.Background(), "admin1", in.Password, old); err != nil {
		t.Fatalf("code of the previous step: %v", err)
	}
	stale := f.code(t, in)
	f.clock.Advance(60 * time.Second)
	if _, err := f.svc.Login(context.Background(), "admin1", in.Password, stale); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("code two steps old: %v, want unauthorized", err)
	}
}

func TestLoginLocksAfterFiveFailuresAndUnlocksAfterThePeriod(t *testing.T) {
	f := newFixture(t)
	in := f.create(t, "operator", enterprise)
	ctx := context.Background()
	for i := range 5 {
		if _, err := f.svc.Login(ctx, "operator", "wrong password", ""); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, err := f.svc.Login(ctx, "operator", in.Password, ""); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("right password while locked: %v, want unauthorized", err)
	}
	f.clock.Advance(auth.DefaultLockFor - time.Second)
	if _, err := f.svc.Login(ctx, "operator", in.Password, ""); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("right password a second before the lock ends: %v, want unauthorized", err)
	}
	f.clock.Advance(time.Second)
	if _, err := f.svc.Login(ctx, "operator", in.Password, ""); err != nil {
		t.Fatalf("right password after the lock: %v", err)
	}
}

func TestFourFailuresThenSuccessDoNotLock(t *testing.T) {
	f := newFixture(t)
	in := f.create(t, "operator", enterprise)
	ctx := context.Background()
	for range 2 {
		for range 4 {
			f.svc.Login(ctx, "operator", "wrong password", "")
		}
		if _, err := f.svc.Login(ctx, "operator", in.Password, ""); err != nil {
			t.Fatalf("success after four failures: %v", err)
		}
	}
}

func TestLockUntilUnlockedHoldsUntilASecurityAdministratorUnlocks(t *testing.T) {
	f := newFixture(t)
	f.svc.LockFor = -1
	ctx := context.Background()
	sec := f.create(t, "sec1", auth.Scope{Role: auth.RoleSecurity})
	in := f.create(t, "operator", enterprise)
	for range 5 {
		f.svc.Login(ctx, "operator", "wrong password", "")
	}
	f.clock.Advance(365 * 24 * time.Hour)
	if _, err := f.svc.Login(ctx, "operator", in.Password, ""); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("a year later, still locked: %v, want unauthorized", err)
	}
	secIn, err := f.svc.Login(ctx, "sec1", sec.Password, f.code(t, sec))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Unlock(ctx, secIn.Principal, in.User.ID); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if _, err := f.svc.Login(ctx, "operator", in.Password, ""); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
}

func TestUnknownNameWrongPasswordAndLockedGiveTheSameAnswer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.create(t, "operator", enterprise)
	locked := f.create(t, "locked", enterprise)
	for range 5 {
		f.svc.Login(ctx, "locked", "wrong password", "")
	}
	_, unknown := f.svc.Login(ctx, "nobody", "whatever password", "")
	_, wrong := f.svc.Login(ctx, "operator", "wrong password", "")
	_, lockedErr := f.svc.Login(ctx, "locked", locked.Password, "")
	for _, err := range []error{wrong, lockedErr} {
		if err == nil || zhuisu.ErrorCode(err) != zhuisu.ErrorCode(unknown) || zhuisu.ErrorMessage(err) != zhuisu.ErrorMessage(unknown) {
			t.Fatalf("answers differ: %v / %v", unknown, err)
		}
	}
}

func TestSessionEndsAfterIdleTimeout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := f.create(t, "operator", enterprise)
	got, err := f.svc.Login(ctx, "operator", in.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	// Activity every 20 minutes keeps it alive past the 30-minute idle timeout.
	for range 3 {
		f.clock.Advance(20 * time.Minute)
		if _, err := f.svc.AuthenticateSession(ctx, got.Secret); err != nil {
			t.Fatalf("active session ended: %v", err)
		}
	}
	f.clock.Advance(auth.DefaultIdleTimeout + time.Second)
	if _, err := f.svc.AuthenticateSession(ctx, got.Secret); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("idle session: %v, want unauthorized", err)
	}
	f.clock.Advance(-auth.DefaultIdleTimeout) // a session once ended stays ended
	if _, err := f.svc.AuthenticateSession(ctx, got.Secret); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("ended session came back: %v", err)
	}
}

func TestSessionEndsAtAbsoluteTimeoutDespiteActivity(t *testing.T) {
	f := newFixture(t)
	f.svc.AbsoluteTimeout = 2 * time.Hour
	ctx := context.Background()
	in := f.create(t, "operator", enterprise)
	got, err := f.svc.Login(ctx, "operator", in.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	for range 11 { // up to 1 h 50 min
		f.clock.Advance(10 * time.Minute)
		if _, err := f.svc.AuthenticateSession(ctx, got.Secret); err != nil {
			t.Fatalf("session ended early: %v", err)
		}
	}
	f.clock.Advance(10 * time.Minute)
	if _, err := f.svc.AuthenticateSession(ctx, got.Secret); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("session past its absolute end: %v, want unauthorized", err)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := f.create(t, "operator", enterprise)
	got, _ := f.svc.Login(ctx, "operator", in.Password, "")
	if err := f.svc.Logout(ctx, got.Secret); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateSession(ctx, got.Secret); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestAccountManagementIsForTheSecurityAdministratorOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sign := func(name string, in *auth.Issued) *auth.Principal {
		t.Helper()
		got, err := f.svc.Login(ctx, name, in.Password, f.code(t, in))
		if err != nil {
			t.Fatal(err)
		}
		return got.Principal
	}
	sec := sign("sec1", f.create(t, "sec1", auth.Scope{Role: auth.RoleSecurity}))
	sec2in := f.create(t, "sec2", auth.Scope{Role: auth.RoleSecurity})
	admin := sign("admin1", f.create(t, "admin1", auth.Scope{Role: auth.RoleAdmin}))
	auditor := sign("aud1", f.create(t, "aud1", auth.Scope{Role: auth.RoleAuditor}))
	op := f.create(t, "operator", enterprise)

	for _, tc := range []struct {
		name string
		do   func() error
		want zhuisu.Code
	}{
		{"SecurityCreatesARegulator", func() error {
			_, err := f.svc.CreateUser(ctx, sec, auth.NewUser{Name: "reg1", Scope: regulator})
			return err
		}, ""},
		{"AdminCannotCreateUsers", func() error {
			_, err := f.svc.CreateUser(ctx, admin, auth.NewUser{Name: "reg2", Scope: regulator})
			return err
		}, zhuisu.EForbidden},
		{"AuditorCannotCreateUsers", func() error {
			_, err := f.svc.CreateUser(ctx, auditor, auth.NewUser{Name: "reg3", Scope: regulator})
			return err
		}, zhuisu.EForbidden},
		{"SecurityCannotCreateASecurityAdministrator", func() error {
			_, err := f.svc.CreateUser(ctx, sec, auth.NewUser{Name: "sec3", Scope: auth.Scope{Role: auth.RoleSecurity}})
			return err
		}, zhuisu.EForbidden},
		{"SecurityCannotGiveItselfAnotherRole", func() error {
			_, err := f.svc.SetRole(ctx, sec, sec.UserID, auth.Scope{Role: auth.RoleAdmin})
			return err
		}, zhuisu.EForbidden},
		{"SecurityCannotDisableAnotherSecurityAdministrator", func() error {
			_, err := f.svc.SetDisabled(ctx, sec, sec2in.User.ID, true)
			return err
		}, zhuisu.EForbidden},
		{"SecurityCannotPromoteAnyoneToSecurity", func() error {
			_, err := f.svc.SetRole(ctx, sec, op.User.ID, auth.Scope{Role: auth.RoleSecurity})
			return err
		}, zhuisu.EForbidden},
		{"AdminCannotResetPasswords", func() error {
			_, err := f.svc.ResetPassword(ctx, admin, op.User.ID)
			return err
		}, zhuisu.EForbidden},
		{"RegulatorWithoutRegionIsInvalid", func() error {
			_, err := f.svc.CreateUser(ctx, sec, auth.NewUser{Name: "reg4", Scope: auth.Scope{Role: auth.RoleRegulator, Department: "market"}})
			return err
		}, zhuisu.EInvalid},
		{"RegulatorOfAnUnknownDepartmentIsInvalid", func() error {
			_, err := f.svc.CreateUser(ctx, sec, auth.NewUser{Name: "reg5", Scope: auth.Scope{Role: auth.RoleRegulator, Department: "nosuchdept", Region: "350102"}})
			return err
		}, zhuisu.EInvalid},
		{"EnterpriseWithBadCreditCodeIsInvalid", func() error {
			_, err := f.svc.CreateUser(ctx, sec, auth.NewUser{Name: "op2", Scope: auth.Scope{Role: auth.RoleEnterprise, Subject: "91350100M000100Y44"}})
			return err
		}, zhuisu.EInvalid},
		{"TakenNameIsAConflict", func() error {
			_, err := f.svc.CreateUser(ctx, sec, auth.NewUser{Name: "operator", Scope: enterprise})
			return err
		}, zhuisu.EConflict},
		{"SecurityMovesAnOperatorToRegulatorWithTOTP", func() error {
			out, err := f.svc.SetRole(ctx, sec, op.User.ID, regulator)
			if err == nil && out.TOTPURI == "" {
				t.Error("the new regulator got no TOTP enrolment")
			}
			return err
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if zhuisu.ErrorCode(err) != tc.want {
				t.Fatalf("got %v, want code %q", err, tc.want)
			}
		})
	}
}

func TestSelfEnrolmentActivatesTheNewKeyOnlyAfterAMatchingCode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := f.create(t, "operator", enterprise)
	got, err := f.svc.Login(ctx, "operator", in.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	uri, err := f.svc.BeginTOTP(ctx, got.Principal, in.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, "operator", in.Password, ""); err != nil {
		t.Fatalf("pending enrolment already demanded a code: %v", err)
	}
	if err := f.svc.ConfirmTOTP(ctx, got.Principal, in.User.ID, "12345x"); !zhuisu.IsCode(err, zhuisu.EInvalid) {
		t.Fatalf("confirm with a bad code: %v", err)
	}
	key := totpKey(t, uri)
	if err := f.svc.ConfirmTOTP(ctx, got.Principal, in.User.ID, auth.TOTPCode(key, f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, "operator", in.Password, ""); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("enrolled user signed in without a code: %v", err)
	}
	f.clock.Advance(30 * time.Second)
	if _, err := f.svc.Login(ctx, "operator", in.Password, auth.TOTPCode(key, f.clock.Now())); err != nil {
		t.Fatalf("enrolled user with a code: %v", err)
	}
	other := f.create(t, "other", enterprise)
	if _, err := f.svc.BeginTOTP(ctx, got.Principal, other.User.ID); !zhuisu.IsCode(err, zhuisu.EForbidden) {
		t.Fatalf("enrolling someone else: %v", err)
	}
}

func TestSignInsAndFailuresAreAudited(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := f.create(t, "operator", enterprise)
	f.svc.Login(ctx, "operator", "wrong password", "")
	f.svc.Login(ctx, "operator", in.Password, "")
	want := []string{
		"console user.create operator role=enterprise ok",
		"user:operator login operator failure: password",
		"user:operator login operator ok",
	}
	if len(f.audit.entries) != len(want) {
		t.Fatalf("audit entries %q, want %q", f.audit.entries, want)
	}
	for i := range want {
		if f.audit.entries[i] != want[i] {
			t.Errorf("entry %d: %q, want %q", i, f.audit.entries[i], want[i])
		}
	}
}
