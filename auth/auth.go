// Package auth says who a request acts as and what that one may do: API tokens (the
// secret shown once, the store keeping its SHA-256), accounts with argon2id passwords and
// a TOTP second factor, lockout, sessions with idle and absolute timeouts, and the
// separation of the three administrator roles. docs/accounts.md states the rules. It must
// not import net/http or database/sql.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// Roles of the platform. The platform administrator, the security administrator and the
// auditor are kept apart (三员分立): no account or token holds two of them.
const (
	RoleAdmin           = "admin"            // platform administrator: registry, configuration
	RoleSecurity        = "security"         // security administrator: accounts and roles
	RoleAuditor         = "auditor"          // auditor: reads the audit log, nothing else
	RoleRegulator       = "regulator"        // a department's regulator within a region
	RoleEnterpriseAdmin = "enterprise_admin" // an enterprise's administrator (one subject)
	RoleEnterprise      = "enterprise"       // an enterprise's operator or API client (one subject)
)

// tokenPrefix marks Zhuisu tokens so secret scanners can recognise them.
const tokenPrefix = "zs_"

// Principal is who a request acts as.
type Principal struct {
	TokenID string
	Subject string // unified social credit code of the enterprise, for enterprise roles
	Role    string
	Scopes  []string
	// Department and Region scope a regulator: a department code (catalogue) and a
	// GB/T 2260 region code within which it reads.
	Department string
	Region     string
	// UserID is set when the principal is a signed-in user rather than a token; Name is
	// then the user's login name.
	UserID string
	Name   string
	// console marks the operator at the server's console (the zhuisu user command), who
	// holds the data directory or database and so may manage every account. No token or
	// session carries it.
	console bool
}

// Service issues and authenticates tokens, and keeps accounts and their sessions.
type Service struct {
	Store store.Store
	// Now is the clock; tests inject a fake one to test timeouts, lockout and TOTP.
	Now func() time.Time
	// IdleTimeout ends a session unused for that long; AbsoluteTimeout ends it that long
	// after sign-in whatever the activity. Zero: DefaultIdleTimeout, DefaultAbsoluteTimeout.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// LockAfter consecutive failed sign-ins lock an account for LockFor; a negative LockFor
	// locks it until a security administrator unlocks it. Zero: the defaults below.
	LockAfter int
	LockFor   time.Duration
	// Argon2 are the parameters of new password hashes; zero: DefaultArgon2.
	Argon2 Argon2Params
	// TOTPKey (32 bytes) seals the TOTP keys of users in the store. Every process sharing
	// a database must have the same one.
	TOTPKey []byte
	// Audit records sign-ins and account changes; nil records nothing.
	Audit Auditor
}

// New returns an auth service on s.
func New(s store.Store) *Service { return &Service{Store: s, Now: time.Now} }

// Issue creates a token and returns its secret, which is not kept anywhere.
func (s *Service) Issue(ctx context.Context, role, subject, label string, scopes []string) (string, *store.Token, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, zhuisu.Wrap(err, zhuisu.EInternal, "generate token")
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	h := sha256.Sum256([]byte(secret))
	var id [8]byte
	rand.Read(id[:])
	t := &store.Token{ID: hex.EncodeToString(id[:]), Hash: h[:], Subject: subject, Role: role, Scopes: scopes, Label: label, CreatedAt: s.Now().UTC()}
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Authenticate finds the principal of a bearer secret.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, zhuisu.Errorf(zhuisu.EUnauthorized, "the bearer token is not a Zhuisu token")
	}
	h := sha256.Sum256([]byte(secret))
	t, err := s.Store.TokenByHash(ctx, h[:])
	if zhuisu.IsCode(err, zhuisu.ENotFound) {
		return nil, zhuisu.Errorf(zhuisu.EUnauthorized, "the bearer token is unknown or revoked")
	}
	if err != nil {
		return nil, err
	}
	return &Principal{TokenID: t.ID, Subject: t.Subject, Role: t.Role, Scopes: t.Scopes}, nil
}

// EnsureAdmin creates the first administrator token when the store has none, writing its
// secret to path with mode 0600. It returns whether it created one. The file is written
// before the token is stored, so a crash in between leaves no token nobody can use.
func (s *Service) EnsureAdmin(ctx context.Context, path string) (bool, error) {
	n, err := s.Store.CountTokens(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return false, zhuisu.Wrap(err, zhuisu.EInternal, "generate token")
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	if err := writeSecret(path, secret); err != nil {
		return false, err
	}
	h := sha256.Sum256([]byte(secret))
	var id [8]byte
	rand.Read(id[:])
	t := &store.Token{ID: hex.EncodeToString(id[:]), Hash: h[:], Role: RoleAdmin, Label: "first-start administrator", CreatedAt: s.Now().UTC()}
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return false, err
	}
	return true, nil
}

func writeSecret(path, secret string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "create directory for %s", path)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "write %s", path)
	}
	_, werr := fmt.Fprintln(f, secret)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "write %s", path)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "write %s", path)
	}
	if err := os.Rename(tmp, path); err != nil {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "write %s", path)
	}
	return nil
}

// MayRecord says whether p may capture events: an enterprise records for itself, and the
// platform administrator loads data (imports, demos). A regulator inspects records and
// does not make them.
func MayRecord(p *Principal) error {
	switch p.Role {
	case RoleAdmin, RoleEnterprise, RoleEnterpriseAdmin:
		return nil
	}
	return zhuisu.Errorf(zhuisu.EForbidden, "the %s role does not record events: enterprises do", p.Role)
}

// MayWrite says whether p may use the platform's data routes that change things (capture,
// registry, codes, recalls, ...). The security administrator manages accounts and the
// auditor reads the audit log; neither records or registers anything (三员分立).
func MayWrite(p *Principal) error {
	switch p.Role {
	case RoleSecurity, RoleAuditor:
		return zhuisu.Errorf(zhuisu.EForbidden, "the %s role does not change the platform's data (三员分立)", p.Role)
	}
	return nil
}
