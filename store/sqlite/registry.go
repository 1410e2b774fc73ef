package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

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
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO subjects (uscc, name, region, roles, sectors, licences, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sub.USCC, sub.Name, sub.Region, words(sub.Roles), words(sub.Sectors), string(lic), string(sub.Status), nanos(sub.CreatedAt), nanos(sub.UpdatedAt)); err != nil {
		return mapErr(err, "subject "+sub.USCC)
	}
	for _, l := range sub.Locations {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subject_locations (location, uscc) VALUES (?, ?)`, l, sub.USCC); err != nil {
			return mapErr(err, "location "+l)
		}
	}
	for _, p := range sub.Prefixes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subject_prefixes (prefix, uscc) VALUES (?, ?)`, p, sub.USCC); err != nil {
			return mapErr(err, "GS1 company prefix "+p)
		}
	}
	for i, h := range sub.History {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subject_history (uscc, n, from_status, to_status, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			sub.USCC, i, string(h.From), string(h.To), h.Reason, h.Actor, nanos(h.At)); err != nil {
			return mapErr(err, "subject history")
		}
	}
	return mapErr(tx.Commit(), "subject "+sub.USCC)
}

const subjectColumns = `uscc, name, region, roles, sectors, licences, status, created_at, updated_at`

func scanSubject(sc interface{ Scan(...any) error }) (*store.Subject, error) {
	var sub store.Subject
	var roles, sectors, lic, status string
	var created, updated int64
	if err := sc.Scan(&sub.USCC, &sub.Name, &sub.Region, &roles, &sectors, &lic, &status, &created, &updated); err != nil {
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

// Subject returns a subject with what it owns and its history.
func (s *DB) Subject(ctx context.Context, uscc string) (*store.Subject, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, mapErr(err, "subject")
	}
	defer tx.Rollback()
	sub, err := scanSubject(tx.QueryRowContext(ctx, `SELECT `+subjectColumns+` FROM subjects WHERE uscc = ?`, uscc))
	if err != nil {
		return nil, mapErr(err, "subject "+uscc)
	}
	list := func(q string) ([]string, error) {
		rows, err := tx.QueryContext(ctx, q, uscc)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
	if sub.Locations, err = list(`SELECT location FROM subject_locations WHERE uscc = ? ORDER BY location`); err != nil {
		return nil, mapErr(err, "subject locations")
	}
	if sub.Prefixes, err = list(`SELECT prefix FROM subject_prefixes WHERE uscc = ? ORDER BY prefix`); err != nil {
		return nil, mapErr(err, "subject prefixes")
	}
	rows, err := tx.QueryContext(ctx, `SELECT from_status, to_status, reason, actor, at FROM subject_history WHERE uscc = ? ORDER BY n`, uscc)
	if err != nil {
		return nil, mapErr(err, "subject history")
	}
	defer rows.Close()
	for rows.Next() {
		var h store.StatusChange
		var from, to string
		var at int64
		if err := rows.Scan(&from, &to, &h.Reason, &h.Actor, &at); err != nil {
			return nil, mapErr(err, "subject history")
		}
		h.From, h.To, h.At = store.SubjectStatus(from), store.SubjectStatus(to), fromNanos(at)
		sub.History = append(sub.History, h)
	}
	return sub, mapErr(rows.Err(), "subject history")
}

// Subjects lists subjects by USCC.
func (s *DB) Subjects(ctx context.Context, f *store.SubjectFilter) ([]*store.Subject, error) {
	q := `SELECT ` + subjectColumns + ` FROM subjects WHERE uscc > ?`
	args := []any{f.After}
	if f.RegionPrefix != "" {
		q += ` AND substr(region, 1, ?) = ?`
		args = append(args, len(f.RegionPrefix), f.RegionPrefix)
	}
	if f.Sector != "" {
		q += ` AND instr(sectors, ?) > 0`
		args = append(args, " "+f.Sector+" ")
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY uscc`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, "list subjects")
	}
	defer rows.Close()
	var out []*store.Subject
	for rows.Next() {
		sub, err := scanSubject(rows)
		if err != nil {
			return nil, mapErr(err, "list subjects")
		}
		out = append(out, sub)
	}
	return out, mapErr(rows.Err(), "list subjects")
}

// ChangeSubjectStatus moves a subject from one status to another, if it still has the first.
func (s *DB) ChangeSubjectStatus(ctx context.Context, uscc string, c *store.StatusChange) error {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE subjects SET status = ?, updated_at = ? WHERE uscc = ? AND status = ?`, string(c.To), nanos(c.At), uscc, string(c.From))
	if err != nil {
		return mapErr(err, "subject "+uscc)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM subjects WHERE uscc = ?`, uscc).Scan(&status); err != nil {
			return mapErr(err, "subject "+uscc)
		}
		return zhuisu.Errorf(zhuisu.EConflict, "subject %s is %s now, not %s: it changed meanwhile", uscc, status, c.From)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO subject_history (uscc, n, from_status, to_status, reason, actor, at)
		SELECT ?, COALESCE(MAX(n)+1, 0), ?, ?, ?, ?, ? FROM subject_history WHERE uscc = ?`,
		uscc, string(c.From), string(c.To), c.Reason, c.Actor, nanos(c.At), uscc); err != nil {
		return mapErr(err, "subject history")
	}
	return mapErr(tx.Commit(), "subject "+uscc)
}

// LocationOwner returns who owns a location.
func (s *DB) LocationOwner(ctx context.Context, location string) (string, error) {
	var uscc string
	err := s.db.QueryRowContext(ctx, `SELECT uscc FROM subject_locations WHERE location = ?`, location).Scan(&uscc)
	return uscc, mapErr(err, "location "+location)
}

// PrefixOwner returns who owns a GS1 company prefix or one overlapping it: one of its own
// starts (found by key), or one it starts (a key range: ':' follows the digits).
func (s *DB) PrefixOwner(ctx context.Context, prefix string) (string, string, error) {
	var uscc, owned string
	err := s.db.QueryRowContext(ctx, `SELECT uscc, prefix FROM subject_prefixes
		WHERE prefix IN (SELECT value FROM json_each(?)) OR (prefix >= ? AND prefix < ? || ':') ORDER BY prefix LIMIT 1`,
		jsonStrings(store.PrefixStarts(prefix)), prefix, prefix).Scan(&uscc, &owned)
	return uscc, owned, mapErr(err, "GS1 company prefix "+prefix)
}

// TokenByID finds a token, revoked or not.
func (s *DB) TokenByID(ctx context.Context, id string) (*store.Token, error) {
	var t store.Token
	var scopes string
	var created, revoked int64
	err := s.db.QueryRowContext(ctx, `SELECT id, hash, subject, role, scopes, label, created_at, revoked_at FROM tokens WHERE id = ?`, id).
		Scan(&t.ID, &t.Hash, &t.Subject, &t.Role, &scopes, &t.Label, &created, &revoked)
	if err != nil {
		return nil, mapErr(err, "token "+id)
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.RevokedAt = fromNanos(created), fromNanos(revoked)
	return &t, nil
}

// CreatePerson stores a sealed person.
func (s *DB) CreatePerson(ctx context.Context, p *store.Person) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO persons (ref, lookup, sealed, cipher, key_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		p.Ref, p.Lookup, p.Sealed, p.Cipher, p.KeyID, p.CreatedBy, nanos(p.CreatedAt))
	return mapErr(err, "person")
}

func (s *DB) person(ctx context.Context, where string, arg any) (*store.Person, error) {
	var p store.Person
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT ref, lookup, sealed, cipher, key_id, created_by, created_at FROM persons WHERE `+where+` = ?`, arg).
		Scan(&p.Ref, &p.Lookup, &p.Sealed, &p.Cipher, &p.KeyID, &p.CreatedBy, &created)
	if err != nil {
		return nil, mapErr(err, "person")
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

// AppendAudit appends a record to the chain under the write lock.
func (s *DB) AppendAudit(ctx context.Context, r *store.AuditRecord) error {
	tx, done, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer done()
	defer tx.Rollback()
	var prev []byte
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&r.Seq, &prev)
	switch {
	case err == sql.ErrNoRows:
		r.Seq, r.Prev = 0, [32]byte{}
	case err != nil:
		return mapErr(err, "audit log")
	default:
		r.Seq++
		copy(r.Prev[:], prev)
	}
	r.Hash = store.AuditHash(r.Prev, r)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, action, object, result, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, r.Time.UnixNano(), r.Actor, r.Action, r.Object, r.Result, r.Detail, r.Prev[:], r.Hash[:]); err != nil {
		return mapErr(err, "audit log")
	}
	return mapErr(tx.Commit(), "audit log")
}

// AuditRecords lists audit records in order.
func (s *DB) AuditRecords(ctx context.Context, aq *store.AuditQuery) ([]*store.AuditRecord, error) {
	q := `SELECT seq, at, actor, action, object, result, detail, prev, hash FROM audit_log WHERE seq >= ?`
	args := []any{aq.From}
	if !aq.TimeGE.IsZero() {
		q += ` AND at >= ?`
		args = append(args, aq.TimeGE.UnixNano())
	}
	if !aq.TimeLT.IsZero() {
		q += ` AND at < ?`
		args = append(args, aq.TimeLT.UnixNano())
	}
	if aq.Actor != "" {
		q += ` AND actor = ?`
		args = append(args, aq.Actor)
	}
	if aq.Action != "" {
		q += ` AND action = ?`
		args = append(args, aq.Action)
	}
	q += ` ORDER BY seq`
	if aq.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, aq.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err, "audit log")
	}
	defer rows.Close()
	var out []*store.AuditRecord
	for rows.Next() {
		var r store.AuditRecord
		var at int64
		var prev, hash []byte
		if err := rows.Scan(&r.Seq, &at, &r.Actor, &r.Action, &r.Object, &r.Result, &r.Detail, &prev, &hash); err != nil {
			return nil, mapErr(err, "audit log")
		}
		r.Time = time.Unix(0, at).UTC()
		copy(r.Prev[:], prev)
		copy(r.Hash[:], hash)
		out = append(out, &r)
	}
	return out, mapErr(rows.Err(), "audit log")
}

// AuditHead returns the number of audit records and the last one's hash.
func (s *DB) AuditHead(ctx context.Context) (int64, [32]byte, error) {
	var head [32]byte
	var seq int64
	var hash []byte
	err := s.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if err == sql.ErrNoRows {
		return 0, head, nil
	}
	if err != nil {
		return 0, head, mapErr(err, "audit log")
	}
	copy(head[:], hash)
	return seq + 1, head, nil
}
