package auth_test

import (
	"context"
	"testing"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/auth"
)

func TestDisabledAccountCannotSignInAndGetsTheSameAnswerAsAnyFailure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := f.create(t, "operator", enterprise)
	if _, err := f.svc.SetDisabled(ctx, auth.ConsolePrincipal(), in.User.ID, true); err != nil {
		t.Fatalf("disable: %v", err)
	}
	_, disabled := f.svc.Login(ctx, "operator", in.Password, "")
	if !zhuisu.IsCode(disabled, zhuisu.EUnauthorized) {
		t.Fatalf("disabled account with the right password: %v, want unauthorized", disabled)
	}
	_, unknown := f.svc.Login(ctx, "nobody", "whatever password", "")
	if zhuisu.ErrorCode(disabled) != zhuisu.ErrorCode(unknown) || zhuisu.ErrorMessage(disabled) != zhuisu.ErrorMessage(unknown) {
		t.Fatalf("a disabled account answers %v, an unknown name %v: they must not differ", disabled, unknown)
	}
	if _, err := f.svc.SetDisabled(ctx, auth.ConsolePrincipal(), in.User.ID, false); err != nil {
		t.Fatalf("enable: %v", err)
	}
	if _, err := f.svc.Login(ctx, "operator", in.Password, ""); err != nil {
		t.Fatalf("re-enabled account: %v", err)
	}
}

// TestSessionOfADisabledUserStopsAuthenticating disables the user in the store without
// deleting the sessions, so only the check at each request stands in the way.
func TestSessionOfADisabledUserStopsAuthenticating(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := f.create(t, "operator", enterprise)
	got, err := f.svc.Login(ctx, "operator", in.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateSession(ctx, got.Secret); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	u, err := f.svc.Store.User(ctx, in.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	u.Disabled = true
	if err := f.svc.Store.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateSession(ctx, got.Secret); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("session of a disabled user: %v, want unauthorized", err)
	}
}

// TestDisablingEndsTheUsersSessions re-enables the account afterwards: a session the
// disabling ended must stay ended, not come back with the account.
func TestDisablingEndsTheUsersSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := f.create(t, "operator", enterprise)
	got, err := f.svc.Login(ctx, "operator", in.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetDisabled(ctx, auth.ConsolePrincipal(), in.User.ID, true); err != nil {
		t.Fatalf("disable: %v", err)
	}
	if _, err := f.svc.AuthenticateSession(ctx, got.Secret); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("session after disabling: %v, want unauthorized", err)
	}
	if _, err := f.svc.SetDisabled(ctx, auth.ConsolePrincipal(), in.User.ID, false); err != nil {
		t.Fatalf("enable: %v", err)
	}
	if _, err := f.svc.AuthenticateSession(ctx, got.Secret); !zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		t.Fatalf("session from before the disabling came back on re-enabling: %v, want unauthorized", err)
	}
}
