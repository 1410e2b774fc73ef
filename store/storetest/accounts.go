package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

func testUser(id, name string) *store.User {
	return &store.User{ID: id, Name: name, DisplayName: "李华", Role: "regulator", Department: "SAMR", Region: "350102",
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", TOTPSecret: []byte{1, 2, 3}, TOTPRequired: true,
		CreatedAt: base, UpdatedAt: base}
}

// testAccounts: users read back whole, names are unique, and UpdateUser is a
// compare-and-set on Version that exactly one of two racing writers wins.
func testAccounts(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := testUser("u1", "li.hua")
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := s.CreateUser(ctx, testUser("u2", "li.hua")); !zhuisu.IsCode(err, zhuisu.EConflict) {
		t.Fatalf("same name: %v, want conflict", err)
	}
	got, err := s.UserByName(ctx, "li.hua")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "u1" || got.DisplayName != "李华" || got.Region != "350102" || !bytes.Equal(got.TOTPSecret, []byte{1, 2, 3}) ||
		got.TOTPPending != nil || !got.TOTPRequired || got.Disabled || !got.CreatedAt.Equal(base) || !got.LockedUntil.IsZero() || got.Version != 1 {
		t.Fatalf("read back %+v", got)
	}
	if _, err := s.User(ctx, "missing"); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Fatalf("missing user: %v", err)
	}

	got.FailedAttempts, got.LockedUntil, got.TOTPLastStep, got.TOTPSecret = 3, base.Add(15*time.Minute+7), 123, nil
	if err := s.UpdateUser(ctx, got); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	again, err := s.User(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if again.FailedAttempts != 3 || !again.LockedUntil.Equal(base.Add(15*time.Minute+7)) || again.TOTPLastStep != 123 ||
		again.TOTPSecret != nil || again.Version != got.Version || again.Version != 2 {
		t.Fatalf("after update %+v (written version %d)", again, got.Version)
	}
	stale := *u // version 1
	if err := s.UpdateUser(ctx, &stale); !zhuisu.IsCode(err, zhuisu.EConflict) {
		t.Fatalf("stale update: %v, want conflict", err)
	}
	missing := testUser("nobody", "nobody")
	if err := s.UpdateUser(ctx, missing); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Fatalf("update of a missing user: %v, want not found", err)
	}

	// Two writers of one version: one wins, the other is told.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		c := *again
		c.FailedAttempts = 10 + i
		wg.Go(func() { errs[i] = s.UpdateUser(ctx, &c) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !zhuisu.IsCode(errs[0], zhuisu.EConflict) && !zhuisu.IsCode(errs[1], zhuisu.EConflict) {
		t.Fatalf("racing updates: %v / %v, want one success and one conflict", errs[0], errs[1])
	}

	if err := s.CreateUser(ctx, testUser("u0", "a.first")); err != nil {
		t.Fatal(err)
	}
	all, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "a.first" || all[1].Name != "li.hua" {
		t.Fatalf("Users: %d users, first %q", len(all), all[0].Name)
	}
}

// testSessions: sessions are found by hash, touched, and ended one by one, per user, and
// by absolute expiry.
func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, id := range []string{"u1", "u2"} {
		if err := s.CreateUser(ctx, testUser(id, "name-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	hash := func(n string) []byte { h := sha256.Sum256([]byte(n)); return h[:] }
	mk := func(n, user string, expires time.Time) {
		t.Helper()
		if err := s.CreateSession(ctx, &store.Session{Hash: hash(n), UserID: user, CreatedAt: base, LastSeen: base, ExpiresAt: expires}); err != nil {
			t.Fatalf("CreateSession %s: %v", n, err)
		}
	}
	mk("a", "u1", base.Add(12*time.Hour))
	mk("b", "u1", base.Add(12*time.Hour))
	mk("c", "u2", base.Add(time.Hour))
	mk("d", "u2", base.Add(12*time.Hour))

	got, err := s.SessionByHash(ctx, hash("a"))
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != "u1" || !got.LastSeen.Equal(base) || !got.ExpiresAt.Equal(base.Add(12*time.Hour)) {
		t.Fatalf("session %+v", got)
	}
	if err := s.TouchSession(ctx, hash("a"), base.Add(5*time.Minute+3)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SessionByHash(ctx, hash("a")); got == nil || !got.LastSeen.Equal(base.Add(5*time.Minute+3)) {
		t.Fatalf("touched session %+v", got)
	}
	present := func(n string) bool {
		_, err := s.SessionByHash(ctx, hash(n))
		if err != nil && !zhuisu.IsCode(err, zhuisu.ENotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	if err := s.DeleteSession(ctx, hash("a")); err != nil || present("a") || !present("b") {
		t.Fatalf("DeleteSession: %v", err)
	}
	if err := s.DeleteSession(ctx, hash("a")); err != nil {
		t.Fatalf("ending an ended session: %v", err)
	}
	if err := s.DeleteExpiredSessions(ctx, base.Add(2*time.Hour)); err != nil || present("c") || !present("d") || !present("b") {
		t.Fatalf("DeleteExpiredSessions: %v", err)
	}
	if err := s.DeleteUserSessions(ctx, "u1"); err != nil || present("b") || !present("d") {
		t.Fatalf("DeleteUserSessions: %v", err)
	}
}

// testRevokeToken: a revoked token is no longer found, and revoking twice is not found.
func testRevokeToken(t *testing.T, s store.Store) {
	ctx := context.Background()
	h := sha256.Sum256([]byte("zs_revoke-me"))
	if err := s.CreateToken(ctx, &store.Token{ID: "t-revoke", Hash: h[:], Role: "enterprise", CreatedAt: base}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "t-revoke", base.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if _, err := s.TokenByHash(ctx, h[:]); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Fatalf("revoked token: %v, want not found", err)
	}
	if err := s.RevokeToken(ctx, "t-revoke", base.Add(2*time.Hour)); !zhuisu.IsCode(err, zhuisu.ENotFound) {
		t.Fatalf("second revoke: %v, want not found", err)
	}
	if n, err := s.CountTokens(ctx); err != nil || n != 1 {
		t.Fatalf("CountTokens after revoke: %d %v, want 1", n, err)
	}
}
