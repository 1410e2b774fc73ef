package query

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// Service answers EPCIS queries from a store.
type Service struct {
	Store store.Store
	// TokenKey authenticates page tokens so a client cannot forge a cursor.
	TokenKey []byte
	// MaxPerPage bounds perPage; DefaultPerPage is used when the client gives none.
	MaxPerPage, DefaultPerPage int
}

// New returns a query service with default page sizes.
func New(s store.Store, tokenKey []byte) *Service {
	return &Service{Store: s, TokenKey: tokenKey, MaxPerPage: 1000, DefaultPerPage: 100}
}

// Page is one page of results; Next is empty on the last page.
type Page struct {
	Events []*epcis.Event
	Next   string
}

// token is the state a page token carries: where the next page starts, how many events
// earlier pages returned, and a fingerprint of the query it belongs to.
type token struct {
	seq      int64
	time     time.Time
	returned int64
	query    [8]byte
}

// Run returns one page of q's result as sc may see it. fingerprint identifies the query
// (its canonical parameters), so a token cannot be replayed against another query.
// Events sc may not read are skipped like events that do not match, so neither the page
// nor the cursor tells that they exist.
func (s *Service) Run(ctx context.Context, sc *access.Scope, q *Query, fingerprint string, perPage int, pageToken string) (*Page, error) {
	if perPage <= 0 {
		perPage = s.DefaultPerPage
	}
	if perPage > s.MaxPerPage {
		perPage = s.MaxPerPage
	}
	fp := sha256.Sum256([]byte(fingerprint))
	cand := q.Candidates // a copy: the parsed query stays reusable
	var returned int64
	if pageToken != "" {
		tok, err := s.decodeToken(pageToken)
		if err != nil || [8]byte(fp[:8]) != tok.query {
			e := zhuisu.Errorf(zhuisu.EInvalid, "nextPageToken is not valid for this query")
			e.Kind, e.Field = "QueryParameterException", "nextPageToken"
			return nil, e
		}
		cand.After = &store.Cursor{Seq: tok.seq, Time: tok.time}
		returned = tok.returned
	}
	want := perPage
	if q.EventCountLimit > 0 {
		left := q.EventCountLimit - int(returned)
		if left <= 0 {
			return &Page{}, nil
		}
		want = min(want, left)
	}
	if q.MaxEventCount > 0 {
		// The whole result must be known to be within the bound: ask for one more.
		want = q.MaxEventCount + 1
	}
	batch := max(want+1, 64)
	var out []*epcis.Event
	var last *store.Event
	more := false
	for {
		cand.Limit = batch
		rows, err := s.Store.Events(ctx, &cand)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			e, err := Decode(row)
			if err != nil {
				return nil, err
			}
			cand.After = &store.Cursor{Seq: row.Seq, Time: orderTime(&cand, e)}
			if !q.Matches(e) || !sc.Sees(row, e) {
				continue
			}
			if len(out) == want {
				more = true
				break
			}
			out = append(out, e)
			last = row
		}
		if more || len(rows) < batch {
			break
		}
	}
	if q.MaxEventCount > 0 {
		// The whole result was fetched to check the bound, and is returned as one page.
		if len(out) > q.MaxEventCount {
			e := zhuisu.Errorf(zhuisu.EInvalid, "the query matches more than maxEventCount=%d events", q.MaxEventCount)
			e.Kind = "QueryTooLargeException"
			return nil, e
		}
		return &Page{Events: out}, nil
	}
	p := &Page{Events: out}
	if more && last != nil {
		e := out[len(out)-1]
		p.Next = s.encodeToken(token{seq: last.Seq, time: orderTime(&q.Candidates, e), returned: returned + int64(len(out)), query: [8]byte(fp[:8])})
	}
	return p, nil
}

func orderTime(q *store.EventQuery, e *epcis.Event) time.Time {
	switch q.OrderBy {
	case store.OrderEventTime:
		return e.EventTime
	case store.OrderRecordTime:
		return e.RecordTime
	}
	return time.Time{}
}

// Decode turns a stored row into the event a client sees: the stored document, with the
// error declaration of its declaration record merged in when it has one.
func Decode(row *store.Event) (*epcis.Event, error) {
	e, err := epcis.DecodeEventJSON(row.Doc)
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "stored event %d cannot be decoded", row.Seq)
	}
	if len(row.DeclarationDoc) > 0 {
		d, err := epcis.DecodeEventJSON(row.DeclarationDoc)
		if err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "stored declaration of event %d cannot be decoded", row.Seq)
		}
		e.ErrorDeclaration = d.ErrorDeclaration
	}
	return e, nil
}

// Event returns one event by eventID; an event sc may not read is not found.
func (s *Service) Event(ctx context.Context, sc *access.Scope, eventID string) (*epcis.Event, error) {
	row, err := s.Store.Event(ctx, eventID)
	if err != nil {
		return nil, err
	}
	e, err := Decode(row)
	if err != nil {
		return nil, err
	}
	if !sc.Sees(row, e) {
		return nil, zhuisu.Errorf(zhuisu.ENotFound, "no event with eventID %s", eventID)
	}
	return e, nil
}

func (s *Service) encodeToken(t token) string {
	b := make([]byte, 0, 40+32)
	b = binary.BigEndian.AppendUint64(b, uint64(t.seq))
	var ns int64
	if !t.time.IsZero() {
		ns = t.time.UnixNano()
	}
	b = binary.BigEndian.AppendUint64(b, uint64(ns))
	b = binary.BigEndian.AppendUint64(b, uint64(t.returned))
	b = append(b, t.query[:]...)
	m := hmac.New(sha256.New, s.TokenKey)
	m.Write(b)
	b = m.Sum(b)[:32+16]
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) decodeToken(str string) (token, error) {
	b, err := base64.RawURLEncoding.DecodeString(str)
	if err != nil || len(b) != 48 {
		return token{}, zhuisu.Errorf(zhuisu.EInvalid, "malformed token")
	}
	m := hmac.New(sha256.New, s.TokenKey)
	m.Write(b[:32])
	if !hmac.Equal(m.Sum(nil)[:16], b[32:]) {
		return token{}, zhuisu.Errorf(zhuisu.EInvalid, "token signature mismatch")
	}
	var t token
	t.seq = int64(binary.BigEndian.Uint64(b[0:]))
	if ns := int64(binary.BigEndian.Uint64(b[8:])); ns != 0 {
		t.time = time.Unix(0, ns).UTC()
	}
	t.returned = int64(binary.BigEndian.Uint64(b[16:]))
	copy(t.query[:], b[24:32])
	return t, nil
}
