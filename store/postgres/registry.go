package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/store"
)

// words writes a list as " a b c " so that one word is found with LIKE '% a %'.
func words(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return " " + strings.Join(l, " ") + " "
}

// CreateSubject stores a new subject with everything it owns, or nothing.
func (s *DB) CreateSubject(ctx context.Context, sub *store.Subject) error {
	lic, err := json.Marshal(sub.Licences)
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "encode licences")
	}
	return s.with(ctx, "subject "+sub.USCC, func(c *poolConn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `INSERT INTO subjects (uscc, name, region, roles, sectors, licences, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			sub.USCC, sub.Name, sub.Region, words(sub.Roles), words(sub.Sectors), string(lic), string(sub.Status), nanos(sub.CreatedAt), nanos(sub.UpdatedAt)); err != nil {
			return mapErr(err, "subject "+sub.USCC)
		}
		for _, l := range sub.Locations {
			if _, err := tx.Exec(ctx, `INSERT INTO subject_locations (location, uscc) VALUES ($1, $2)`, l, sub.USCC); err != nil {
				return mapErr(err, "location "+l)
			}
		}
		for _, p := range sub.Prefixes {
			if _, err := tx.Exec(ctx, `INSERT INTO subject_prefixes (prefix, uscc) VALUES ($1, $2)`, p, sub.USCC); err != nil {
				return mapErr(err, "GS1 company prefix "+p)
			}
		}
		for i, h := range sub.History {
			if _, err := tx.Exec(ctx, `INSERT INTO subject_history (uscc, n, from_status, to_status, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				sub.USCC, i, string(h.From), string(h.To), h.Reason, h.Actor, nanos(h.At)); err != nil {
				return err
			}
		}
		return tx.Commit(ctx)
	})
}

const subjectColumns = `uscc, name, region, roles, sectors, licences, status, created_at, updated_at`

func scanSubject(row pgx.Row) (*store.Subject, error) {
	var sub store.Subject
	var roles, sectors, lic, status string
	var created, updated int64
	if err := row.Scan(&sub.USCC, &sub.Name, &sub.Region, &roles, &sectors, &lic, &status, &created, &updated); err != nil {
		return nil, err
	}
	sub.Roles, sub.Sectors = strings.Fields(roles), strings.Fields(sectors)
	if err := json.Unmarshal([]byte(lic), &sub.Licences); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "subject %s: stored licences unreadable", sub.USCC)
	}
	sub.Status = store.SubjectStatus(status)
	sub.CreatedAt, sub.UpdatedAt = fromNanos(created), fromNanos(updated)
	return &sub, nil
}

// Subject returns a subject with what it owns and its history, from one snapshot.
func (s *DB) Subject(ctx context.Context, uscc string) (*store.Subject, error) {
	var sub *store.Subject
	err := s.with(ctx, "subject "+uscc, func(c *poolConn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if sub, err = scanSubject(tx.QueryRow(ctx, `SELECT `+subjectColumns+` FROM subjects WHERE uscc = $1`, uscc)); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT location FROM subject_locations WHERE uscc = $1 ORDER BY location`, uscc)
		if sub.Locations, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT prefix FROM subject_prefixes WHERE uscc = $1 ORDER BY prefix`, uscc)
		if sub.Prefixes, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT from_status, to_status, reason, actor, at FROM subject_history WHERE uscc = $1 ORDER BY n`, uscc)
		var h store.StatusChange
		var from, to string
		var at int64
		_, err = pgx.ForEachRow(rows, []any{&from, &to, &h.Reason, &h.Actor, &at}, func() error {
			h.From, h.To, h.At = store.SubjectStatus(from), store.SubjectStatus(to), fromNanos(at)
			sub.History = append(sub.History, h)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(sub.Locations) == 0 {
		sub.Locations = nil
	}
	if len(sub.Prefixes) == 0 {
		sub.Prefixes = nil
	}
	return sub, nil
}

// Subjects lists subjects by USCC.
func (s *DB) Subjects(ctx context.Context, f *store.SubjectFilter) ([]*store.Subject, error) {
	q := `SELECT ` + subjectColumns + ` FROM subjects WHERE uscc > $1`
	args := []any{f.After}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.RegionPrefix != "" {
		q += ` AND left(region, ` + strconv.Itoa(len(f.RegionPrefix)) + `) = ` + arg(f.RegionPrefix)
	}
	if f.Sector != "" {
		q += ` AND strpos(sectors, ` + arg(" "+f.Sector+" ") + `) > 0`
	}
	if f.Status != "" {
		q += ` AND status = ` + arg(string(f.Status))
	}
	q += ` ORDER BY uscc`
	if f.Limit > 0 {
		q += ` LIMIT ` + arg(f.Limit)
	}
	var out []*store.Subject
	err := s.with(ctx, "list subjects", func(c *poolConn) error {
		rows, err := c.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sub, err := scanSubject(rows)
			if err != nil {
				return err
			}
			out = append(out, sub)
		}
		return rows.Err()
	})
	return out, err
}

// ChangeSubjectStatus moves a subject from one status to another, if it still has the first.
func (s *DB) ChangeSubjectStatus(ctx context.Context, uscc string, c *store.StatusChange) error {
	return s.with(ctx, "subject "+uscc, func(pc *poolConn) error {
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM subjects WHERE uscc = $1 FOR UPDATE`, uscc).Scan(&status); err != nil {
			return err
		}
		if status != string(c.From) {
			return zhuisu.Errorf(zhuisu.EConflict, "subject %s is %s now, not %s: it changed meanwhile", uscc, status, c.From)
		}
		if _, err := tx.Exec(ctx, `UPDATE subjects SET status = $1, updated_at = $2 WHERE uscc = $3`, string(c.To), nanos(c.At), uscc); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO subject_history (uscc, n, from_status, to_status, reason, actor, at)
			SELECT $1, COALESCE(MAX(n)+1, 0), $2, $3, $4, $5, $6 FROM subject_history WHERE uscc = $1`,
			uscc, string(c.From), string(c.To), c.Reason, c.Actor, nanos(c.At)); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// LocationOwner returns who owns a location.
func (s *DB) LocationOwner(ctx context.Context, location string) (string, error) {
	var uscc string
	err := s.with(ctx, "location "+location, func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT uscc FROM subject_locations WHERE location = $1`, location).Scan(&uscc)
	})
	return uscc, err
}

// PrefixOwner returns who owns a GS1 company prefix or one overlapping it: one of its own
// starts (found by key), or one it starts (a key range: ':' follows the digits).
func (s *DB) PrefixOwner(ctx context.Context, prefix string) (string, string, error) {
	var uscc, owned string
	err := s.with(ctx, "GS1 company prefix "+prefix, func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT uscc, prefix FROM subject_prefixes
			WHERE prefix = ANY($1::text[]) OR (prefix >= $2 AND prefix < $2 || ':') ORDER BY prefix LIMIT 1`,
			store.PrefixStarts(prefix), prefix).Scan(&uscc, &owned)
	})
	return uscc, owned, err
}

// TokenByID finds a token, revoked or not.
func (s *DB) TokenByID(ctx context.Context, id string) (*store.Token, error) {
	var t store.Token
	var scopes string
	var created, revoked int64
	err := s.with(ctx, "token "+id, func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT id, hash, subject, role, scopes, label, created_at, revoked_at FROM tokens WHERE id = $1`, id).
			Scan(&t.ID, &t.Hash, &t.Subject, &t.Role, &scopes, &t.Label, &created, &revoked)
	})
	if err != nil {
		return nil, err
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.RevokedAt = fromNanos(created), fromNanos(revoked)
	return &t, nil
}

// CreatePerson stores a sealed person.
func (s *DB) CreatePerson(ctx context.Context, p *store.Person) error {
	return s.with(ctx, "person", func(c *poolConn) error {
		_, err := c.Exec(ctx, `INSERT INTO persons (ref, lookup, sealed, cipher, key_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			p.Ref, p.Lookup, p.Sealed, p.Cipher, p.KeyID, p.CreatedBy, nanos(p.CreatedAt))
		return err
	})
}

func (s *DB) person(ctx context.Context, where string, arg any) (*store.Person, error) {
	var p store.Person
	var created int64
	err := s.with(ctx, "person", func(c *poolConn) error {
		return c.QueryRow(ctx, `SELECT ref, lookup, sealed, cipher, key_id, created_by, created_at FROM persons WHERE `+where+` = $1`, arg).
			Scan(&p.Ref, &p.Lookup, &p.Sealed, &p.Cipher, &p.KeyID, &p.CreatedBy, &created)
	})
	if err != nil {
		return nil, err
	}
	p.CreatedAt = fromNanos(created)
	return &p, nil
}

// PersonByLookup finds a person by the keyed hash of their ID number.
func (s *DB) PersonByLookup(ctx context.Context, lookup []byte) (*store.Person, error) {
	return s.person(ctx, "lookup", lookup)
}

// PersonByRef finds a person by pseudonymous reference.
func (s *DB) PersonByRef(ctx context.Context, ref string) (*store.Person, error) {
	return s.person(ctx, "ref", ref)
}

// AppendAudit appends a record to the chain. An advisory lock orders appenders across
// processes, so each reads the true last record before writing the next.
func (s *DB) AppendAudit(ctx context.Context, r *store.AuditRecord) error {
	return s.with(ctx, "audit log", func(c *poolConn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+lockKey("audit")+`)`); err != nil {
			return err
		}
		var prev []byte
		err = tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&r.Seq, &prev)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			r.Seq, r.Prev = 0, [32]byte{}
		case err != nil:
			return err
		default:
			r.Seq++
			copy(r.Prev[:], prev)
		}
		r.Hash = store.AuditHash(r.Prev, r)
		if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, object, result, detail, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.Seq, r.Time.UnixNano(), r.Actor, r.Action, r.Object, r.Result, r.Detail, r.Prev[:], r.Hash[:]); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// AuditRecords lists audit records in order.
func (s *DB) AuditRecords(ctx context.Context, aq *store.AuditQuery) ([]*store.AuditRecord, error) {
	q := `SELECT seq, at, actor, action, object, result, detail, prev, hash FROM audit_log WHERE seq >= $1`
	args := []any{aq.From}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !aq.TimeGE.IsZero() {
		q += ` AND at >= ` + arg(aq.TimeGE.UnixNano())
	}
	if !aq.TimeLT.IsZero() {
		q += ` AND at < ` + arg(aq.TimeLT.UnixNano())
	}
	if aq.Actor != "" {
		q += ` AND actor = ` + arg(aq.Actor)
	}
	if aq.Action != "" {
		q += ` AND action = ` + arg(aq.Action)
	}
	q += ` ORDER BY seq`
	if aq.Limit > 0 {
		q += ` LIMIT ` + arg(aq.Limit)
	}
	var out []*store.AuditRecord
	err := s.with(ctx, "audit log", func(c *poolConn) error {
		rows, _ := c.Query(ctx, q, args...)
		var r store.AuditRecord
		var at int64
		var prev, hash []byte
		_, err := pgx.ForEachRow(rows, []any{&r.Seq, &at, &r.Actor, &r.Action, &r.Object, &r.Result, &r.Detail, &prev, &hash}, func() error {
			rec := r
			rec.Time = time.Unix(0, at).UTC()
			copy(rec.Prev[:], prev)
			copy(rec.Hash[:], hash)
			out = append(out, &rec)
			return nil
		})
		return err
	})
	return out, err
}

// AuditHead returns the number of audit records and the last one's hash.
func (s *DB) AuditHead(ctx context.Context) (int64, [32]byte, error) {
	var head [32]byte
	var n int64
	err := s.with(ctx, "audit log", func(c *poolConn) error {
		var seq int64
		var hash []byte
		err := c.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		n = seq + 1
		copy(head[:], hash)
		return nil
	})
	return n, head, err
}
