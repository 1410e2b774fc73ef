// Package sqlite is the embedded store: one SQLite file through the pure-Go driver
// modernc.org/sqlite, in WAL mode with synchronous=FULL so an acknowledged capture survives
// a crash. It holds plain SQL only; rules live in the services.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"sync"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a store.Store on one SQLite file.
type DB struct {
	db   *sql.DB // read and write pool
	path string
	// writeMu queues this process's writers in Go. SQLite admits one writer at a time;
	// without the queue, waiting writers poll the lock with growing sleeps (busy_timeout)
	// and a burst of captures sees multi-second tail latencies.
	writeMu sync.Mutex

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	// reads holds the read statements of fixed text (see read).
	reads map[string]*sql.Stmt

	filters keyFilters

	// background is the work the store starts on its own (building key filters); Close
	// stops it and waits for it, so that nothing touches the files after Close.
	background     sync.WaitGroup
	backgroundCtx  context.Context
	stopBackground context.CancelFunc
}

// maxStmts bounds the prepared statements kept; past it, statements are prepared per use.
const maxStmts = 64

// stmt returns query prepared once on the pool, bound to tx.
func (s *DB) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	st, ok := s.stmts[query]
	if !ok && len(s.stmts) < maxStmts {
		var err error
		if st, err = s.db.PrepareContext(ctx, query); err != nil {
			s.stmtMu.Unlock()
			return nil, err
		}
		if s.stmts == nil {
			s.stmts = map[string]*sql.Stmt{}
		}
		s.stmts[query] = st
		ok = true
	}
	s.stmtMu.Unlock()
	if !ok {
		return tx.PrepareContext(ctx, query)
	}
	return tx.StmtContext(ctx, st), nil
}

// maxReads bounds the read statements kept; every text given to read is fixed by the
// code, so the bound is only a guard.
const maxReads = 256

// read runs a query whose text is fixed by the code (its values are all parameters)
// through a statement prepared once per pooled connection. The driver otherwise parses
// and plans the text on every call, which costs more than the small indexed reads of a
// lookup themselves.
func (s *DB) read(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// readRow is read for a single row.
func (s *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.readStmt(ctx, query)
	if err != nil || st == nil {
		return s.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.reads[query]; ok {
		return st, nil
	}
	if len(s.reads) >= maxReads {
		return nil, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.reads == nil {
		s.reads = map[string]*sql.Stmt{}
	}
	s.reads[query] = st
	return st, nil
}

// jsonInts and jsonStrings pass a list of values as one parameter, read in SQL with
// json_each, so that the text of a query does not depend on how many values it asks
// about and its prepared statement is reused.
func jsonInts(vs []int64) string {
	b := make([]byte, 0, 2+len(vs)*12)
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return string(append(b, ']'))
}

func jsonStrings(vs []string) string {
	b, _ := json.Marshal(vs) // strings always marshal
	return string(b)
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path. It does not migrate.
func Open(ctx context.Context, path string) (*DB, error) {
	// Pragmas go in the DSN so that every pooled connection gets them.
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"cache_size(-65536)",
		"wal_autocheckpoint(8192)",
		"temp_store(MEMORY)",
		"mmap_size(2147418112)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	if err := create(ctx, path); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "create SQLite database %s", path)
	}
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "open SQLite database %s", path)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "open SQLite database %s", path)
	}
	bctx, stop := context.WithCancel(context.Background())
	return &DB{db: db, path: path, backgroundCtx: bctx, stopBackground: stop}, nil
}

// create makes a new database file with 16 KiB pages: event rows are 1.5–2 KB, and on
// 4 KiB pages a fifth of the file is the unused ends of pages. The page size can only be
// chosen before the file is first written and before WAL mode, hence this separate step.
func create(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // exists (or cannot be checked: Open will say why)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{`PRAGMA page_size = 16384`, `PRAGMA journal_mode = WAL`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return db.Close()
}

// Close checkpoints the write-ahead log into the database file and closes it.
func (s *DB) Close() error {
	s.stopBackground()
	s.background.Wait()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return s.db.Close()
}

// beginWrite takes the process's write queue and starts an IMMEDIATE transaction; the
// returned done must be called after Commit or Rollback.
func (s *DB) beginWrite(ctx context.Context) (*sql.Tx, func(), error) {
	s.writeMu.Lock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		s.writeMu.Unlock()
		return nil, nil, mapErr(err, "begin")
	}
	return tx, s.writeMu.Unlock, nil
}

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "database unreachable")
	}
	return nil
}

func migrations() ([]store.Migration, error) { return store.Migrations(migrationFiles, "migrations") }

// SchemaVersion returns the applied and the expected schema version.
func (s *DB) SchemaVersion(ctx context.Context) (have, want int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	want = ms[len(ms)-1].Version
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return 0, 0, mapErr(err, "schema version")
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return 0, 0, mapErr(err, "schema version")
	}
	return have, want, nil
}

// Migrate applies every pending migration, each in its own transaction.
func (s *DB) Migrate(ctx context.Context) error {
	have, _, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return mapErr(err, "migrate")
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return zhuisu.Wrap(err, zhuisu.EInternal, "migration %s failed", m.Name)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, datetime('now'))`, m.Version); err != nil {
			tx.Rollback()
			return mapErr(err, "migrate")
		}
		if err := tx.Commit(); err != nil {
			return mapErr(err, "migrate")
		}
	}
	return nil
}

// mapErr turns a driver error into a domain error by the driver's result code.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var ze *zhuisu.Error
	if errors.As(err, &ze) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return zhuisu.Wrap(err, zhuisu.ENotFound, "%s: not found", what)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: %v", what, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return zhuisu.Wrap(err, zhuisu.EConflict, "%s: already exists", what)
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: database busy", what)
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: storage unavailable", what)
		}
	}
	return zhuisu.Wrap(err, zhuisu.EInternal, "%s failed", what)
}
