package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestUserAddPrintsAOneTimePasswordAndTOTPURIAndListShowsTheAccount(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"user", "add", "-data", dir, "-name", "sec.zhang", "-role", "security"}, &out, &errs); err != nil {
		t.Fatalf("user add: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "password  ") || !strings.Contains(out.String(), "otpauth://totp/Zhuisu:sec.zhang?") {
		t.Fatalf("user add printed:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"user", "add", "-data", dir, "-name", "sec.zhang", "-role", "auditor"}, &out, &errs); err == nil {
		t.Fatal("a taken name was added again")
	}
	if err := run(ctx, []string{"user", "add", "-data", dir, "-name", "nobody", "-role", "superuser"}, &out, &errs); err == nil || !strings.Contains(err.Error(), "unknown role") {
		t.Fatalf("unknown role: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"user", "list", "-data", dir}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "sec.zhang") || !strings.Contains(out.String(), "security") || strings.Contains(out.String(), "nobody") {
		t.Fatalf("user list:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"user", "passwd", "-data", dir, "sec.zhang"}, &out, &errs); err != nil || !strings.Contains(out.String(), "password  ") {
		t.Fatalf("user passwd: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"user", "unlock", "-data", dir, "nobody"}, &out, &errs); err == nil {
		t.Fatal("unlocking a missing account succeeded")
	}
}
