package sqlite

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Verify reads every row of the store once, and through database/sql and the driver's
// Rows that read cost three times what SQLite itself spends on it: locking and context
// checks per row, a type switch and a fresh Go copy of every value, and the garbage of
// those copies. So verify reads through SQLite's C API (modernc.org/sqlite/lib, the
// library the driver wraps) on a connection of its own: two prepared statements, each
// value copied once from SQLite's memory into the batch. The connection is an ordinary
// WAL reader beside the pool, opened read-write without create (a read-only connection
// cannot always open a WAL database) and set query_only.

const (
	verifyEventsQuery = `SELECT seq, hash, entry, subject, declares, declared_by, doc FROM events WHERE seq >= ? ORDER BY seq LIMIT ?`
	verifyNodesQuery  = `SELECT seq, hashes FROM log_nodes WHERE seq >= ? AND seq < ? ORDER BY seq`
)

// verifyReader is a store.VerifyReader on its own SQLite connection.
type verifyReader struct {
	tls    *libc.TLS
	db     uintptr // sqlite3*
	events uintptr // sqlite3_stmt* of verifyEventsQuery
	nodes  uintptr // sqlite3_stmt* of verifyNodesQuery
}

// OpenVerifyReader opens a connection for verify's reads (see store.VerifyReaders).
func (s *DB) OpenVerifyReader(ctx context.Context) (store.VerifyReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, mapErr(err, "events")
	}
	r := &verifyReader{tls: libc.NewTLS()}
	if err := r.open(s.path); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *verifyReader) open(path string) error {
	out := libc.Xmalloc(r.tls, 8) // the sqlite3** and sqlite3_stmt** results
	if out == 0 {
		return zhuisu.Errorf(zhuisu.EUnavailable, "open SQLite database %s: out of memory", path)
	}
	defer libc.Xfree(r.tls, out)
	name, err := libc.CString(path)
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "open SQLite database %s", path)
	}
	defer libc.Xfree(r.tls, name)
	// NOMUTEX: one goroutine at a time uses the connection (store.VerifyReader).
	rc := sqlite3.Xsqlite3_open_v2(r.tls, name, out, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	r.db = *(*uintptr)(cPointer(out))
	if rc != sqlite3.SQLITE_OK {
		return r.fail(rc, "open SQLite database "+path)
	}
	sqlite3.Xsqlite3_busy_timeout(r.tls, r.db, 10000)
	for _, q := range []struct {
		sql  string
		stmt *uintptr
	}{{`PRAGMA query_only = 1`, nil}, {verifyEventsQuery, &r.events}, {verifyNodesQuery, &r.nodes}} {
		z, err := libc.CString(q.sql)
		if err != nil {
			return zhuisu.Wrap(err, zhuisu.EUnavailable, "prepare verify's read")
		}
		rc := sqlite3.Xsqlite3_prepare_v2(r.tls, r.db, z, -1, out, 0)
		libc.Xfree(r.tls, z)
		st := *(*uintptr)(cPointer(out))
		if rc != sqlite3.SQLITE_OK {
			return r.fail(rc, "prepare verify's read")
		}
		if q.stmt != nil {
			*q.stmt = st
			continue
		}
		rc = sqlite3.Xsqlite3_step(r.tls, st)
		sqlite3.Xsqlite3_finalize(r.tls, st)
		if rc != sqlite3.SQLITE_DONE && rc != sqlite3.SQLITE_ROW {
			return r.fail(rc, q.sql)
		}
	}
	return nil
}

// Close releases the statements and the connection.
func (r *verifyReader) Close() error {
	if r.tls == nil {
		return nil
	}
	for _, st := range []uintptr{r.events, r.nodes} {
		if st != 0 {
			sqlite3.Xsqlite3_finalize(r.tls, st)
		}
	}
	var err error
	if r.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(r.tls, r.db); rc != sqlite3.SQLITE_OK {
			err = r.fail(rc, "close verify's connection")
		}
	}
	r.tls.Close()
	*r = verifyReader{}
	return err
}

// ReadVerifyBatch reads events and interior hashes by seq range into b.
func (r *verifyReader) ReadVerifyBatch(ctx context.Context, from int64, limit int, b *store.VerifyBatch) error {
	b.Reset()
	if r.tls == nil {
		return zhuisu.Errorf(zhuisu.EInternal, "verify's SQLite reader is closed")
	}
	err := r.query(ctx, r.events, from, int64(limit), func(st uintptr) {
		b.AddEvent(sqlite3.Xsqlite3_column_int64(r.tls, st, 0), r.bytes(st, 1), r.bytes(st, 2), r.bytes(st, 3), r.bytes(st, 6),
			r.seq(st, 4), r.seq(st, 5))
	})
	if err != nil {
		return mapErr(err, "events")
	}
	err = r.query(ctx, r.nodes, from, from+int64(limit), func(st uintptr) {
		b.AddNode(sqlite3.Xsqlite3_column_int64(r.tls, st, 0), r.bytes(st, 1))
	})
	return mapErr(err, "log nodes")
}

// query runs st with two integer parameters and calls row for each row. The statement is
// reset before it returns, which ends its read transaction.
func (r *verifyReader) query(ctx context.Context, st uintptr, a, b int64, row func(st uintptr)) error {
	defer sqlite3.Xsqlite3_reset(r.tls, st)
	if rc := sqlite3.Xsqlite3_bind_int64(r.tls, st, 1, a); rc != sqlite3.SQLITE_OK {
		return r.fail(rc, "bind")
	}
	if rc := sqlite3.Xsqlite3_bind_int64(r.tls, st, 2, b); rc != sqlite3.SQLITE_OK {
		return r.fail(rc, "bind")
	}
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		switch rc := sqlite3.Xsqlite3_step(r.tls, st); rc {
		case sqlite3.SQLITE_ROW:
			row(st)
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return r.fail(rc, "read")
		}
	}
}

// bytes is column i of the current row as SQLite holds it (BLOB or TEXT), valid until
// the statement steps again: the caller copies it.
func (r *verifyReader) bytes(st uintptr, i int32) []byte {
	p := sqlite3.Xsqlite3_column_blob(r.tls, st, i)
	n := sqlite3.Xsqlite3_column_bytes(r.tls, st, i)
	if p == 0 || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(cPointer(p)), n)
}

// seq is a nullable seq column, -1 for NULL.
func (r *verifyReader) seq(st uintptr, i int32) int64 {
	if sqlite3.Xsqlite3_column_type(r.tls, st, i) == sqlite3.SQLITE_NULL {
		return -1
	}
	return sqlite3.Xsqlite3_column_int64(r.tls, st, i)
}

// cPointer converts an address of SQLite's memory (allocated by modernc.org/libc, outside
// the Go heap) to a pointer.
func cPointer(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// fail is the error of SQLite result code rc, with the connection's message.
func (r *verifyReader) fail(rc int32, what string) error {
	msg := "unknown error"
	if r.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(r.tls, r.db))
	}
	err := fmt.Errorf("%s: %s (SQLite result code %d)", what, msg, rc)
	switch rc & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: database busy", what)
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM:
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "%s: storage unavailable", what)
	}
	return zhuisu.Wrap(err, zhuisu.EInternal, "%s failed", what)
}

// ReadVerifyBatch reads events and interior hashes by seq range into b, on a connection
// opened for this read alone (verify keeps one open instead: OpenVerifyReader).
func (s *DB) ReadVerifyBatch(ctx context.Context, from int64, limit int, b *store.VerifyBatch) error {
	r, err := s.OpenVerifyReader(ctx)
	if err != nil {
		return err
	}
	err = r.ReadVerifyBatch(ctx, from, limit, b)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return err
}
