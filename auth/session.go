package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// sessionPrefix marks session secrets, as tokenPrefix marks API tokens.
const sessionPrefix = "zss_"

// touchEvery bounds how often a session's last-seen time is written: once a minute is
// precise enough for a 30-minute idle timeout and spares a write per request.
const touchEvery = time.Minute

// SignIn is a successful sign-in: the session secret for the cookie, when it ends at the
// latest, and who signed in.
type SignIn struct {
	Secret    string
	ExpiresAt time.Time
	Principal *Principal
}

func (s *Service) idleTimeout() time.Duration {
	if s.IdleTimeout <= 0 {
		return DefaultIdleTimeout
	}
	return s.IdleTimeout
}

func (s *Service) absoluteTimeout() time.Duration {
	if s.AbsoluteTimeout <= 0 {
		return DefaultAbsoluteTimeout
	}
	return s.AbsoluteTimeout
}

func userPrincipal(u *store.User) *Principal {
	return &Principal{UserID: u.ID, Name: u.Name, Role: u.Role, Subject: u.Subject, Department: u.Department, Region: u.Region}
}

// Login checks a name, password and (where the account has one) TOTP code, and opens a
// session. Every failure gives the same answer and takes about as long, whether the name
// exists or not. LockAfter consecutive failures lock the account; a failure while locked
// is not counted, so nobody can keep an account locked forever by guessing.
func (s *Service) Login(ctx context.Context, name, password, code string) (*SignIn, error) {
	name = normaliseName(name)
	if len(password) > MaxPasswordLen || len(name) > 64 {
		VerifyPassword("", dummyHash())
		s.record(ctx, "anonymous", "login", clip(name), "failure")
		return nil, errSignIn
	}
	verified := map[string]bool{} // password hash → matched, so a retry does not hash again
	for attempt := 0; ; attempt++ {
		u, err := s.Store.UserByName(ctx, name)
		if zhuisu.IsCode(err, zhuisu.ENotFound) {
			VerifyPassword(password, dummyHash())
			s.record(ctx, "anonymous", "login", name, "failure: unknown name")
			return nil, errSignIn
		}
		if err != nil {
			return nil, err
		}
		now := s.now()
		if u.Disabled || now.Before(u.LockedUntil) {
			VerifyPassword(password, dummyHash())
			why := "failure: locked"
			if u.Disabled {
				why = "failure: disabled"
			}
			s.record(ctx, "user:"+u.Name, "login", u.Name, why)
			return nil, errSignIn
		}
		ok, seen := verified[u.PasswordHash]
		if !seen {
			if ok, err = VerifyPassword(password, u.PasswordHash); err != nil {
				return nil, err
			}
			verified[u.PasswordHash] = ok
		}
		why := "failure: password"
		if ok {
			why = ""
			if u.TOTPRequired || len(u.TOTPSecret) > 0 {
				why = "failure: second factor"
				if len(u.TOTPSecret) > 0 {
					key, err := unseal(s.TOTPKey, u.TOTPSecret, u.ID)
					if err != nil {
						return nil, err
					}
					if step, match := matchTOTP(key, strings.TrimSpace(code), now, u.TOTPLastStep); match {
						u.TOTPLastStep, why = step, ""
					}
				}
			}
		}
		if why == "" {
			u.FailedAttempts, u.LockedUntil = 0, time.Time{}
		} else {
			u.FailedAttempts++
			if u.FailedAttempts >= s.lockAfter() {
				u.FailedAttempts = 0
				u.LockedUntil = now.Add(s.lockFor())
				if s.lockFor() < 0 {
					u.LockedUntil = lockedUntilUnlocked
				}
				why += "; account locked"
			}
		}
		u.UpdatedAt = now
		err = s.Store.UpdateUser(ctx, u)
		if zhuisu.IsCode(err, zhuisu.EConflict) && attempt < 5 {
			continue // another sign-in of this user wrote first: count again on its result
		}
		if err != nil {
			return nil, err
		}
		if why != "" {
			s.record(ctx, "user:"+u.Name, "login", u.Name, why)
			return nil, errSignIn
		}
		in, err := s.openSession(ctx, u, now)
		if err != nil {
			return nil, err
		}
		s.record(ctx, "user:"+u.Name, "login", u.Name, "ok")
		return in, nil
	}
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}

func (s *Service) openSession(ctx context.Context, u *store.User, now time.Time) (*SignIn, error) {
	// Sessions past their absolute end are removed here, at sign-in, rather than by a
	// background job; idle ones go when next presented or at their absolute end.
	if err := s.Store.DeleteExpiredSessions(ctx, now); err != nil {
		return nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "generate session")
	}
	secret := sessionPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	h := sha256.Sum256([]byte(secret))
	ss := &store.Session{Hash: h[:], UserID: u.ID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.absoluteTimeout())}
	if err := s.Store.CreateSession(ctx, ss); err != nil {
		return nil, err
	}
	return &SignIn{Secret: secret, ExpiresAt: ss.ExpiresAt, Principal: userPrincipal(u)}, nil
}

var errSession = zhuisu.Errorf(zhuisu.EUnauthorized, "the session has ended or is unknown: sign in again")

// IsSessionSecret reports whether secret has the form of a session secret.
func IsSessionSecret(secret string) bool { return strings.HasPrefix(secret, sessionPrefix) }

// AuthenticateSession finds the principal of a session secret, ending the session when it
// has been idle longer than IdleTimeout or has passed its absolute end.
func (s *Service) AuthenticateSession(ctx context.Context, secret string) (*Principal, error) {
	if !IsSessionSecret(secret) {
		return nil, errSession
	}
	h := sha256.Sum256([]byte(secret))
	ss, err := s.Store.SessionByHash(ctx, h[:])
	if zhuisu.IsCode(err, zhuisu.ENotFound) {
		return nil, errSession
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(ss.ExpiresAt) || now.Sub(ss.LastSeen) > s.idleTimeout() {
		if err := s.Store.DeleteSession(ctx, h[:]); err != nil {
			return nil, err
		}
		return nil, errSession
	}
	u, err := s.Store.User(ctx, ss.UserID)
	if zhuisu.IsCode(err, zhuisu.ENotFound) {
		return nil, errSession
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errSession
	}
	if now.Sub(ss.LastSeen) >= touchEvery {
		if err := s.Store.TouchSession(ctx, h[:], now); err != nil {
			return nil, err
		}
	}
	return userPrincipal(u), nil
}

// Logout ends the session of secret; an unknown one is already ended.
func (s *Service) Logout(ctx context.Context, secret string) error {
	if !IsSessionSecret(secret) {
		return nil
	}
	h := sha256.Sum256([]byte(secret))
	p, _ := s.AuthenticateSession(ctx, secret)
	if err := s.Store.DeleteSession(ctx, h[:]); err != nil {
		return err
	}
	if p != nil {
		s.record(ctx, actorName(p), "logout", p.Name, "ok")
	}
	return nil
}
