package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/postgres"
	"github.com/zhuisu/zhuisu/store/sqlite"
)

// Config is everything a command needs, read once from flags and environment.
type Config struct {
	Addr    string
	DataDir string
	DB      string // empty: SQLite in DataDir; postgres://...: PostgreSQL
	Migrate bool
	Limits  api.Limits
	// ShutdownTimeout bounds how long serve waits for requests in flight.
	ShutdownTimeout time.Duration
	// The tamper-evident log: its key file, the origin and key type of a new key, and
	// how soon after new events a checkpoint covers them.
	LogKey      string
	LogOrigin   string
	LogKeyType  string
	LogInterval time.Duration
	// WitnessFor lists the verifier keys of the logs this node witnesses (a file, one key
	// a line); Witnesses the witnesses this node's log asks (a file, "URL VKEY" a line).
	WitnessFor string
	Witnesses  string
	// PublicURL is the address the public reaches this node at; printed labels point there.
	PublicURL string
	// Accounts: session timeouts and lockout (zero: the defaults of package auth), the
	// TOTP sealing key file, and whether the session cookie is Secure on plain HTTP
	// (behind a TLS proxy).
	IdleTimeout          time.Duration
	SessionTimeout       time.Duration
	Lockout              time.Duration
	LockoutUntilUnlocked bool
	TOTPKey              string
	SecureCookies        bool
	// NoLog runs without integrating the log: only the benchmark uses it, to measure
	// what the log costs.
	NoLog bool
	// PersonKey is the key file sealing natural persons (empty: DATA/person.key);
	// PersonCipher what new persons are sealed with (registry.go).
	PersonKey    string
	PersonCipher string
	// Pages configures the public lookup and the pages (pages.go).
	Pages pagesConfig
}

// logFlags registers the flags of the tamper-evident log.
func logFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.LogKey, "log-key", envDefault("ZHUISU_LOG_KEY", ""), "the log's signing key file; empty: DATA/log.key, created on first start. Processes sharing one database must share it (ZHUISU_LOG_KEY)")
	fs.StringVar(&c.LogOrigin, "log-origin", envDefault("ZHUISU_LOG_ORIGIN", defaultOrigin()), "the log's name, when its key is created (ZHUISU_LOG_ORIGIN)")
	fs.StringVar(&c.WitnessFor, "witness-for", envDefault("ZHUISU_WITNESS_FOR", ""), "act as a witness for the logs whose verifier keys this file lists, one a line (ZHUISU_WITNESS_FOR)")
	fs.StringVar(&c.Witnesses, "witnesses", envDefault("ZHUISU_WITNESSES", ""), "ask the witnesses this file lists (\"URL VKEY\" a line; URL ends in /log/witness/add-checkpoint) to co-sign every checkpoint (ZHUISU_WITNESSES)")
	fs.StringVar(&c.LogKeyType, "log-key-type", envDefault("ZHUISU_LOG_KEY_TYPE", "ed25519"), "ed25519, or sm2 (SM2 with SM3) for national-cryptography deployments, when the key is created (ZHUISU_LOG_KEY_TYPE)")
}

func (c *Config) logKeyPath() string {
	if c.LogKey != "" {
		return c.LogKey
	}
	return filepath.Join(c.DataDir, "log.key")
}

// storeFlags registers the flags every command that opens a store shares.
func storeFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.DataDir, "data", envDefault("ZHUISU_DATA", "./data"), "data directory (ZHUISU_DATA)")
	fs.StringVar(&c.DB, "db", envDefault("ZHUISU_DB", ""), "database URL: empty for SQLite in the data directory, or postgres://... (ZHUISU_DB)")
}

func envInt(name string, def int64) int64 {
	if v, ok := os.LookupEnv(name); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

// openStore opens the configured store without migrating it.
func openStore(ctx context.Context, c *Config) (store.Store, error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	switch {
	case c.DB == "":
		return sqlite.Open(ctx, filepath.Join(c.DataDir, "zhuisu.db"))
	case strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://"):
		return postgres.Open(ctx, c.DB)
	}
	return nil, fmt.Errorf("-db %q: want empty (SQLite) or a postgres:// URL", redact(c.DB))
}

// redact hides a password in a database URL before it is printed.
func redact(u string) string {
	if at := strings.Index(u, "@"); at > 0 {
		if colon := strings.LastIndex(u[:at], ":"); colon > strings.Index(u, "//")+1 {
			return u[:colon+1] + "***" + u[at:]
		}
	}
	return u
}

// checkSchema refuses a schema the binary does not expect. An empty database is
// initialised; an older one is migrated only when migrate is set.
// schemaStore is the part of a store that checkSchema needs.
type schemaStore interface {
	SchemaVersion(ctx context.Context) (have, want int, err error)
	Migrate(ctx context.Context) error
}

func checkSchema(ctx context.Context, s schemaStore, migrate bool, log *slog.Logger) error {
	have, want, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case have == want:
		return nil
	case have > want:
		return fmt.Errorf("the database schema is version %d, newer than this binary's %d: run a newer zhuisu", have, want)
	case have > 0 && !migrate:
		return fmt.Errorf("the database schema is version %d, older than the expected %d: run \"zhuisu migrate\" or serve with -migrate", have, want)
	}
	log.Info("applying migrations", "from", have, "to", want)
	return s.Migrate(ctx)
}

// secretKey returns a random key kept in a file of the data directory, creating it on
// first use.
func secretKey(dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 32 {
		return b[:32], nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "write %s", path)
	}
	return key, nil
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}
