package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/catalogue"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/store"
)

// Auditor records security-relevant actions: sign-ins and their failures, and every change
// to an account. Package audit implements it; a nil Auditor records nothing.
type Auditor interface {
	Record(ctx context.Context, actor, action, object, result string) error
}

const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultLockAfter       = 5
	DefaultLockFor         = 15 * time.Minute
)

// lockedUntilUnlocked stands for "until a security administrator unlocks": a time no clock
// reaches, and one a Unix nanosecond count still holds.
var lockedUntilUnlocked = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// ConsolePrincipal is the operator at the server's console: whoever can run the zhuisu
// command against the data directory or database. Only it creates security
// administrators (see docs/accounts.md, bootstrap).
func ConsolePrincipal() *Principal {
	return &Principal{Role: "console", Name: "console", console: true}
}

// Roles lists every role of the platform.
var Roles = []string{RoleAdmin, RoleSecurity, RoleAuditor, RoleRegulator, RoleEnterpriseAdmin, RoleEnterprise}

// TOTPRequired reports whether a role must sign in with a second factor: the three
// administrator roles and government regulators.
func TOTPRequired(role string) bool {
	switch role {
	case RoleAdmin, RoleSecurity, RoleAuditor, RoleRegulator:
		return true
	}
	return false
}

// errSignIn is the one answer to every failed sign-in, so that it tells nobody whether a
// name exists, which factor was wrong, or whether the account is locked.
var errSignIn = zhuisu.Errorf(zhuisu.EUnauthorized, "sign-in failed: the name, password or code is wrong, or the account is locked or disabled (登录失败)")

// dummyHash is verified when the name is unknown or the account locked, so those answers
// take as long as a wrong password.
// It is made on first use, not at start, so commands that never sign anyone in do not pay.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("zhuisu: no such account", DefaultArgon2)
	if err != nil {
		panic(err)
	}
	return h
})

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) argon2() Argon2Params {
	if s.Argon2 == (Argon2Params{}) {
		return DefaultArgon2
	}
	return s.Argon2
}

func (s *Service) lockAfter() int {
	if s.LockAfter <= 0 {
		return DefaultLockAfter
	}
	return s.LockAfter
}

func (s *Service) lockFor() time.Duration {
	if s.LockFor == 0 {
		return DefaultLockFor
	}
	return s.LockFor
}

// record writes an audit entry. It does not fail the action: the action has happened, and
// a failed record is logged for the operator.
func (s *Service) record(ctx context.Context, actor, action, object, result string) {
	if s.Audit == nil {
		return
	}
	if err := s.Audit.Record(ctx, actor, action, object, result); err != nil {
		slog.ErrorContext(ctx, "audit record failed", "actor", actor, "action", action, "object", object, "result", result, "err", err)
	}
}

// actorName names a principal in the audit log.
func actorName(p *Principal) string {
	switch {
	case p == nil:
		return "anonymous"
	case p.console:
		return "console"
	case p.UserID != "":
		return "user:" + p.Name
	case p.TokenID != "":
		return "token:" + p.TokenID
	}
	return p.Role
}

// NewUser is what a security administrator gives to create an account.
type NewUser struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Scope
}

// Scope is a user's one role and what it is limited to.
type Scope struct {
	Role       string `json:"role"`
	Department string `json:"department,omitempty"` // regulator: department code
	Region     string `json:"region,omitempty"`     // regulator: GB/T 2260 region code
	Subject    string `json:"subject,omitempty"`    // enterprise roles: unified social credit code
}

// Issued is a new account's, or a reset's, secrets: shown once and kept nowhere in clear.
type Issued struct {
	User     *store.User
	Password string // one-time password to hand to the person; empty when not reset
	TOTPURI  string // otpauth:// URI to enrol an authenticator; empty when not (re)enrolled
}

var loginName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

func normaliseName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func invalid(field, format string, args ...any) error {
	return &zhuisu.Error{Code: zhuisu.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// checkScope validates a role and its scope: exactly the fields the role needs.
func checkScope(sc *Scope) error {
	sc.Subject = strings.ToUpper(strings.TrimSpace(sc.Subject))
	sc.Region = strings.TrimSpace(sc.Region)
	sc.Department = strings.TrimSpace(sc.Department)
	if !slices.Contains(Roles, sc.Role) {
		return invalid("role", "unknown role %q: want one of %s", sc.Role, strings.Join(Roles, ", "))
	}
	switch sc.Role {
	case RoleRegulator:
		if _, ok := catalogue.DepartmentByID(sc.Department); !ok {
			return invalid("department", "a regulator needs one of the departments of GET /api/departments (%s), got %q", departmentIDs(), sc.Department)
		}
		if _, err := codes.ParseRegion(sc.Region); err != nil {
			return invalid("region", "a regulator needs a GB/T 2260 region code: %s", zhuisu.ErrorMessage(err))
		}
		if sc.Subject != "" {
			return invalid("subject", "a regulator is not scoped to an enterprise")
		}
	case RoleEnterpriseAdmin, RoleEnterprise:
		if _, err := codes.ParseUSCC(sc.Subject); err != nil {
			return invalid("subject", "an enterprise role needs the enterprise's unified social credit code: %s", zhuisu.ErrorMessage(err))
		}
		if sc.Department != "" || sc.Region != "" {
			return invalid("department", "an enterprise role is not scoped to a department or region")
		}
	default:
		if sc.Department != "" || sc.Region != "" || sc.Subject != "" {
			return invalid("role", "the %s role has no department, region or subject", sc.Role)
		}
	}
	return nil
}

func checkDisplayName(s string) error {
	if utf8.RuneCountInString(s) > 100 || !utf8.ValidString(s) {
		return invalid("displayName", "the display name must be valid UTF-8 of at most 100 characters")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalid("displayName", "the display name contains a control character")
		}
	}
	return nil
}

// mayManage enforces the separation of the three administrators (三员分立) for account
// changes: only a security administrator manages accounts, never their own, and never
// another security administrator's, which only the console does. target is nil on
// create; role is the role being given ("" when none is).
func mayManage(by *Principal, target *store.User, role string) error {
	if by == nil {
		return zhuisu.Errorf(zhuisu.EUnauthorized, "sign in as a security administrator to manage accounts")
	}
	if by.console {
		return nil
	}
	if by.Role != RoleSecurity {
		return zhuisu.Errorf(zhuisu.EForbidden, "only a security administrator manages accounts (三员分立); the %s role does not", by.Role)
	}
	if target != nil && by.UserID != "" && target.ID == by.UserID {
		return zhuisu.Errorf(zhuisu.EForbidden, "nobody changes their own account's role, lock or state; ask another security administrator or use the console")
	}
	if (target != nil && target.Role == RoleSecurity) || role == RoleSecurity {
		return zhuisu.Errorf(zhuisu.EForbidden, "security administrator accounts are managed only at the server's console (zhuisu user ...)")
	}
	return nil
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CreateUser creates an account with a one-time password, and an enrolled TOTP key when
// the role requires one. The returned secrets are shown once.
func (s *Service) CreateUser(ctx context.Context, by *Principal, in NewUser) (*Issued, error) {
	in.Name = normaliseName(in.Name)
	if !loginName.MatchString(in.Name) {
		return nil, invalid("name", "a login name is 3 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; got %q", in.Name)
	}
	if err := checkDisplayName(in.DisplayName); err != nil {
		return nil, err
	}
	if err := checkScope(&in.Scope); err != nil {
		return nil, err
	}
	if err := mayManage(by, nil, in.Role); err != nil {
		s.record(ctx, actorName(by), "user.create", in.Name, "denied")
		return nil, err
	}
	password := oneTimePassword()
	hash, err := HashPassword(password, s.argon2())
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &store.User{ID: newID(), Name: in.Name, DisplayName: in.DisplayName, Role: in.Role, Department: in.Department,
		Region: in.Region, Subject: in.Subject, PasswordHash: hash, TOTPRequired: TOTPRequired(in.Role), CreatedAt: now, UpdatedAt: now}
	out := &Issued{User: u, Password: password}
	if u.TOTPRequired {
		if out.TOTPURI, err = s.enrol(u); err != nil {
			return nil, err
		}
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		if zhuisu.IsCode(err, zhuisu.EConflict) {
			return nil, &zhuisu.Error{Code: zhuisu.EConflict, Field: "name", Message: fmt.Sprintf("the login name %q is taken", in.Name), Err: err}
		}
		return nil, err
	}
	s.record(ctx, actorName(by), "user.create", u.Name+" role="+u.Role, "ok")
	return out, nil
}

// enrol gives u a new active TOTP key and returns its URI.
func (s *Service) enrol(u *store.User) (string, error) {
	key, err := newTOTPKey()
	if err != nil {
		return "", err
	}
	sealed, err := seal(s.TOTPKey, key, u.ID)
	if err != nil {
		return "", err
	}
	u.TOTPSecret, u.TOTPPending, u.TOTPLastStep = sealed, nil, 0
	return TOTPURI(u.Name, key), nil
}

// Users lists every account, for a security administrator.
func (s *Service) Users(ctx context.Context, by *Principal) ([]*store.User, error) {
	if err := mayManage(by, nil, ""); err != nil {
		return nil, err
	}
	return s.Store.Users(ctx)
}

// UserByName finds an account by login name, for the console.
func (s *Service) UserByName(ctx context.Context, by *Principal, name string) (*store.User, error) {
	if err := mayManage(by, nil, ""); err != nil {
		return nil, err
	}
	return s.Store.UserByName(ctx, normaliseName(name))
}

// update applies change to the stored user id, retrying when another request wrote the
// row in between, after authorising by against the user as it then is.
func (s *Service) update(ctx context.Context, by *Principal, id, action string, role string, change func(u *store.User) error) (*store.User, error) {
	for attempt := 0; ; attempt++ {
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := mayManage(by, u, role); err != nil {
			s.record(ctx, actorName(by), action, u.Name, "denied")
			return nil, err
		}
		if err := change(u); err != nil {
			return nil, err
		}
		u.UpdatedAt = s.now()
		err = s.Store.UpdateUser(ctx, u)
		if zhuisu.IsCode(err, zhuisu.EConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.record(ctx, actorName(by), action, u.Name, "ok")
		return u, nil
	}
}

// SetRole gives a user another role and scope, ending their sessions. A role that needs
// TOTP gets a new key when the user has none; its URI is returned then.
func (s *Service) SetRole(ctx context.Context, by *Principal, id string, sc Scope) (*Issued, error) {
	if err := checkScope(&sc); err != nil {
		return nil, err
	}
	out := &Issued{}
	u, err := s.update(ctx, by, id, "user.role="+sc.Role, sc.Role, func(u *store.User) error {
		u.Role, u.Department, u.Region, u.Subject = sc.Role, sc.Department, sc.Region, sc.Subject
		u.TOTPRequired = TOTPRequired(sc.Role)
		out.TOTPURI = ""
		if u.TOTPRequired && len(u.TOTPSecret) == 0 {
			uri, err := s.enrol(u)
			out.TOTPURI = uri
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.User = u
	return out, s.Store.DeleteUserSessions(ctx, u.ID)
}

// Unlock lifts a lockout and clears the failed attempts.
func (s *Service) Unlock(ctx context.Context, by *Principal, id string) (*store.User, error) {
	return s.update(ctx, by, id, "user.unlock", "", func(u *store.User) error {
		u.LockedUntil, u.FailedAttempts = time.Time{}, 0
		return nil
	})
}

// SetDisabled disables (ending every session) or re-enables an account.
func (s *Service) SetDisabled(ctx context.Context, by *Principal, id string, disabled bool) (*store.User, error) {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	u, err := s.update(ctx, by, id, action, "", func(u *store.User) error {
		u.Disabled = disabled
		return nil
	})
	if err != nil {
		return nil, err
	}
	if disabled {
		return u, s.Store.DeleteUserSessions(ctx, u.ID)
	}
	return u, nil
}

// ResetPassword gives a user a new one-time password, unlocks the account and ends its
// sessions.
func (s *Service) ResetPassword(ctx context.Context, by *Principal, id string) (*Issued, error) {
	password := oneTimePassword()
	hash, err := HashPassword(password, s.argon2())
	if err != nil {
		return nil, err
	}
	u, err := s.update(ctx, by, id, "user.password.reset", "", func(u *store.User) error {
		u.PasswordHash, u.LockedUntil, u.FailedAttempts = hash, time.Time{}, 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Issued{User: u, Password: password}, s.Store.DeleteUserSessions(ctx, u.ID)
}

// ResetTOTP replaces a user's TOTP key (a lost phone) and returns the new key's URI.
func (s *Service) ResetTOTP(ctx context.Context, by *Principal, id string) (*Issued, error) {
	out := &Issued{}
	u, err := s.update(ctx, by, id, "user.totp.reset", "", func(u *store.User) error {
		uri, err := s.enrol(u)
		out.TOTPURI = uri
		return err
	})
	if err != nil {
		return nil, err
	}
	out.User = u
	return out, s.Store.DeleteUserSessions(ctx, u.ID)
}

// self loads the signed-in user's own account, with retries like update.
func (s *Service) self(ctx context.Context, by *Principal, id, action string, change func(u *store.User) error) (*store.User, error) {
	if by == nil || by.UserID == "" || by.UserID != id {
		return nil, zhuisu.Errorf(zhuisu.EForbidden, "only the signed-in user changes their own password or authenticator")
	}
	for attempt := 0; ; attempt++ {
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := change(u); err != nil {
			s.record(ctx, actorName(by), action, u.Name, "failure")
			return nil, err
		}
		u.UpdatedAt = s.now()
		err = s.Store.UpdateUser(ctx, u)
		if zhuisu.IsCode(err, zhuisu.EConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.record(ctx, actorName(by), action, u.Name, "ok")
		return u, nil
	}
}

// ChangePassword sets the signed-in user's password, given the current one.
func (s *Service) ChangePassword(ctx context.Context, by *Principal, id, current, next string) error {
	if err := CheckPassword(next); err != nil {
		return err
	}
	hash, err := HashPassword(next, s.argon2())
	if err != nil {
		return err
	}
	_, err = s.self(ctx, by, id, "user.password.change", func(u *store.User) error {
		ok, err := VerifyPassword(current, u.PasswordHash)
		if err != nil {
			return err
		}
		if !ok {
			return &zhuisu.Error{Code: zhuisu.EForbidden, Field: "current", Message: "the current password is wrong"}
		}
		u.PasswordHash = hash
		return nil
	})
	return err
}

// BeginTOTP starts the signed-in user's enrolment of a new authenticator: the key is
// kept pending, and the current one (if any) stays in force until ConfirmTOTP.
func (s *Service) BeginTOTP(ctx context.Context, by *Principal, id string) (string, error) {
	var uri string
	_, err := s.self(ctx, by, id, "user.totp.begin", func(u *store.User) error {
		key, err := newTOTPKey()
		if err != nil {
			return err
		}
		if u.TOTPPending, err = seal(s.TOTPKey, key, u.ID); err != nil {
			return err
		}
		uri = TOTPURI(u.Name, key)
		return nil
	})
	return uri, err
}

// ConfirmTOTP activates the pending key when code is a current code of it.
func (s *Service) ConfirmTOTP(ctx context.Context, by *Principal, id, code string) error {
	_, err := s.self(ctx, by, id, "user.totp.confirm", func(u *store.User) error {
		if len(u.TOTPPending) == 0 {
			return zhuisu.Errorf(zhuisu.EInvalid, "no authenticator enrolment is pending: start one first")
		}
		key, err := unseal(s.TOTPKey, u.TOTPPending, u.ID)
		if err != nil {
			return err
		}
		step, ok := matchTOTP(key, strings.TrimSpace(code), s.now(), 0)
		if !ok {
			return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "code", Message: "the code does not match the new authenticator; check the phone's clock and try the next code"}
		}
		u.TOTPSecret, u.TOTPPending, u.TOTPLastStep = u.TOTPPending, nil, step
		return nil
	})
	return err
}

// departmentIDs lists the departments a regulator may belong to.
func departmentIDs() string {
	var ids []string
	for _, d := range append(catalogue.Departments(), catalogue.Supporting()...) {
		ids = append(ids, d.ID)
	}
	return strings.Join(ids, ", ")
}
