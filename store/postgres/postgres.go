package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a store.Store on one PostgreSQL database (the schema its search_path selects).
type DB struct {
	pool *pgxpool.Pool
	name string // host:port/database, for messages; never the password
}

var _ store.Store = (*DB)(nil)

// Open connects to the database at url (postgres://user:pass@host:port/db?...). It does
// not migrate. The URL takes pgx's parameters (sslmode, search_path and other runtime
// parameters, ...) and pool_max_conns (default: the greater of 4 and the number of CPUs).
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx redacts the password in its parse errors.
		return nil, zhuisu.Wrap(err, zhuisu.EInvalid, "bad PostgreSQL URL")
	}
	cc := cfg.ConnConfig
	name := fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	if _, given := cfg.ConnConfig.RuntimeParams["pool_max_conns"]; !given && !strings.Contains(url, "pool_max_conns=") {
		cfg.MaxConns = int32(max(4, runtime.NumCPU()))
	}
	// Every query here is short, but the key lookups' plans carry high cost estimates
	// (a probe per key bucket), which make PostgreSQL compile them with JIT: hundreds of
	// milliseconds for a query that runs in one. A URL may still set jit itself.
	if _, given := cc.RuntimeParams["jit"]; !given {
		cc.RuntimeParams["jit"] = "off"
	}
	// pgx prepares each statement once per connection, and after five runs PostgreSQL
	// may switch it to a generic plan, made without the parameters' values; for the key
	// lookups that plan scans the whole key table (hundreds of milliseconds). The values
	// are what makes their plans right, so every run gets its own.
	if _, given := cc.RuntimeParams["plan_cache_mode"]; !given {
		cc.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInvalid, "bad PostgreSQL configuration")
	}
	s := &DB{pool: p, name: name}
	if err := s.with(ctx, "open", func(c *poolConn) error { return c.Ping(ctx) }); err != nil {
		s.Close()
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "open PostgreSQL database %s", name)
	}
	return s, nil
}

// Close closes the connections.
func (s *DB) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error {
	err := s.with(ctx, "ping", func(c *poolConn) error {
		var one int
		return c.QueryRow(ctx, "SELECT 1").Scan(&one)
	})
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "database unreachable")
	}
	return nil
}

// with runs fn on a pooled connection and maps its error for what.
func (s *DB) with(ctx context.Context, what string, fn func(c *poolConn) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return mapErr(err, what)
	}
	defer c.Release()
	return mapErr(fn(c), what)
}

func migrations() ([]store.Migration, error) { return store.Migrations(migrationFiles, "migrations") }

// lockKey is the SQL of an advisory lock key for purpose in the current schema: stores
// in different schemas of one database lock independently.
func lockKey(purpose string) string {
	return `hashtextextended('zhuisu.` + purpose + `.' || coalesce(current_schema(), ''), 0)`
}

const createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`

// SchemaVersion returns the applied and the expected schema version. Unlike Migrate it
// writes nothing: a missing schema_migrations table means version 0.
func (s *DB) SchemaVersion(ctx context.Context) (have, want int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	want = ms[len(ms)-1].Version
	err = s.with(ctx, "schema version", func(c *poolConn) error {
		have, err = appliedVersion(ctx, c.Conn())
		return err
	})
	return have, want, err
}

func appliedVersion(ctx context.Context, c *pgx.Conn) (int, error) {
	var exists bool
	if err := c.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var have int
	err := c.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have)
	return have, err
}

// Migrate applies every pending migration, each in its own transaction, holding an
// advisory lock so that processes starting at once take turns: the first migrates, the
// others then find nothing pending.
func (s *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return s.with(ctx, "migrate", func(c *poolConn) error {
		if _, err := c.Exec(ctx, `SELECT pg_advisory_lock(`+lockKey("migrate")+`)`); err != nil {
			return err
		}
		defer func() {
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if _, err := c.Exec(uctx, `SELECT pg_advisory_unlock(`+lockKey("migrate")+`)`); err != nil {
				// Closing the session is what releases the lock then.
				c.Conn().Close(uctx)
			}
		}()
		if _, err := c.Exec(ctx, createMigrations); err != nil {
			return err
		}
		have, err := appliedVersion(ctx, c.Conn())
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Version <= have {
				continue
			}
			if err := applyMigration(ctx, c.Conn(), m); err != nil {
				return err
			}
		}
		return nil
	})
}

func applyMigration(ctx context.Context, c *pgx.Conn, m store.Migration) error {
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	// Exec without arguments uses the simple protocol, which runs a multi-statement script.
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "migration %s failed", m.Name)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// mapErr turns a driver error into a domain error by SQLSTATE code and error type.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var ze *zhuisu.Error
	if errors.As(err, &ze) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return zhuisu.Wrap(err, zhuisu.ENotFound, "%s: not found", what)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: %v", what, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: %v", what, context.DeadlineExceeded)
	case errors.Is(err, puddle.ErrClosedPool):
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: database closed", what)
	}
	// A failed connection attempt may carry a server error (bad password, no such
	// database): the database is unavailable either way.
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: database unavailable", what)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		code := pe.Code
		class := code[:min(2, len(code))]
		switch {
		case code == "23505": // unique_violation; other integrity errors are our bugs: internal
			return zhuisu.Wrap(err, zhuisu.EConflict, "%s: already exists", what)
		case code == "57014": // query_canceled (statement_timeout, cancel request)
			return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: query canceled", what)
		case code == "40001", code == "40P01", code == "55P03": // serialization_failure, deadlock_detected, lock_not_available
			return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: database busy", what)
		case class == "08", class == "53", class == "58", // connection exception, insufficient resources, system error
			code == "57P01", code == "57P02", code == "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: storage unavailable", what)
		case class == "22": // data exception: a value PostgreSQL cannot store (e.g. U+0000 in text)
			return zhuisu.Wrap(err, zhuisu.EInvalid, "%s: value cannot be stored", what)
		}
		return zhuisu.Wrap(err, zhuisu.EInternal, "%s failed", what)
	}
	var ne net.Error
	if pgconn.Timeout(err) || pgconn.SafeToRetry(err) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: database unavailable", what)
	}
	return zhuisu.Wrap(err, zhuisu.EInternal, "%s failed", what)
}

// poolConn is a connection lent by the pool for one store call.
type poolConn = pgxpool.Conn
