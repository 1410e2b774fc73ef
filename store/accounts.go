package store

import (
	"context"
	"time"
)

// AccountStore keeps the accounts people sign in with and their sessions. The rules
// (who may change what, lockout, timeouts, TOTP) live in package auth; a store keeps rows
// and offers compare-and-set on a user's Version so that concurrent sign-ins cannot lose
// a failed attempt or use one TOTP code twice.
type AccountStore interface {
	// CreateUser stores a new user; a taken Name is a conflict.
	CreateUser(ctx context.Context, u *User) error
	// User and UserByName find a user (disabled ones too).
	User(ctx context.Context, id string) (*User, error)
	UserByName(ctx context.Context, name string) (*User, error)
	// Users lists every user by name.
	Users(ctx context.Context) ([]*User, error)
	// UpdateUser writes every mutable field of u when the stored Version still equals
	// u.Version, and sets u.Version to the new one. A changed row is a conflict; a missing
	// one not found.
	UpdateUser(ctx context.Context, u *User) error

	// CreateSession stores a session by the hash of its secret.
	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash finds a session, expired or not.
	SessionByHash(ctx context.Context, hash []byte) (*Session, error)
	// TouchSession sets a session's LastSeen.
	TouchSession(ctx context.Context, hash []byte, lastSeen time.Time) error
	// DeleteSession ends one session; ending a missing one is not an error.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions ends every session of a user.
	DeleteUserSessions(ctx context.Context, userID string) error
	// DeleteExpiredSessions removes sessions whose ExpiresAt is before t.
	DeleteExpiredSessions(ctx context.Context, t time.Time) error

	// RevokeToken marks a token revoked at t; a missing or already revoked one is not found.
	RevokeToken(ctx context.Context, id string, t time.Time) error
}

// User is an account a person signs in with. Exactly one role; Subject scopes enterprise
// roles, Department and Region scope a regulator.
type User struct {
	ID          string
	Name        string // login name, unique
	DisplayName string
	Role        string
	Department  string
	Region      string
	Subject     string
	// PasswordHash is the PHC string of an argon2id hash, parameters and salt included.
	PasswordHash string
	// TOTPSecret is the sealed (encrypted) TOTP key; empty when none is enrolled.
	// TOTPPending is a sealed key being enrolled, active once a code from it is confirmed.
	TOTPSecret  []byte
	TOTPPending []byte
	// TOTPLastStep is the time step of the last accepted code: no code of that step or an
	// earlier one is accepted again.
	TOTPLastStep int64
	// TOTPRequired is set for roles that must sign in with a second factor.
	TOTPRequired   bool
	FailedAttempts int
	// LockedUntil: sign-in is refused before it. A far-future time means "until unlocked".
	LockedUntil time.Time
	Disabled    bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Version counts writes; UpdateUser compares and sets it.
	Version int64
}

// Session is a signed-in browser. Only the SHA-256 of its secret (the cookie) is stored.
type Session struct {
	Hash      []byte
	UserID    string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute end, whatever the activity
}
