// Package testkit holds what the tests of many packages set up the same way: a new,
// migrated SQLite store, and a key for a tamper-evident log. Only tests import it.
package testkit

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zhuisu/zhuisu/store/sqlite"
	"github.com/zhuisu/zhuisu/tlog"
)

// SQLite opens a new, migrated SQLite store in the test's temporary directory, closed
// when the test ends, and says where its file is.
func SQLite(t testing.TB) (*sqlite.DB, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "zhuisu.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st, path
}

// LogKey makes a new Ed25519 key for a log named origin: its signer, its verifier, and
// the verifier key's text.
func LogKey(t testing.TB, origin string) (tlog.Signer, tlog.Verifier, string) {
	t.Helper()
	skey, vkey, err := tlog.GenerateEd25519(origin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := tlog.ParseSignerKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := tlog.ParseVerifierKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return signer, verifier, vkey
}
