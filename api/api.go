// Package api is the HTTP surface: the EPCIS 2.0 REST binding at its standard paths, the
// health endpoints, and (later) the platform resources under /api/. Handlers are thin:
// decode, one service call, encode. Every route is in routes() below.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/issuance"
	"github.com/zhuisu/zhuisu/query"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/trace"
)

// Limits bound what one request may bring.
type Limits struct {
	MaxBodyBytes int64 // capture document size
	Document     epcis.Limits
}

// DefaultLimits are the limits used when none are configured.
var DefaultLimits = Limits{MaxBodyBytes: 32 << 20, Document: epcis.DefaultLimits}

// Server holds the services the handlers call.
type Server struct {
	Store   store.Store
	Capture *capture.Service
	Query   *query.Service
	Auth    *auth.Service
	// Integrity serves the tamper-evident log; nil on a server without one.
	Integrity *integrity.Service
	Issuance  *issuance.Service
	// Trace answers lineage questions.
	Trace *trace.Service
	// PublicURL is where this node's public lookup is served: labels point there.
	PublicURL string
	// Witness, when set, co-signs other nodes' checkpoints.
	Witness *integrity.WitnessService
	Limits  Limits
	Log     *slog.Logger
}

// Route is one entry of the route table. Write routes require a token.
type Route struct {
	Pattern string
	Write   bool
	handler func(s *Server, w http.ResponseWriter, r *http.Request) error
}

// Routes is the route table: every route of the API, in one place.
func Routes() []Route {
	return []Route{
		{"GET /healthz", false, (*Server).healthz},
		{"GET /readyz", false, (*Server).readyz},

		{"POST /capture", true, (*Server).postCapture},
		{"GET /capture", false, (*Server).listJobs},
		{"GET /capture/{captureID}", false, (*Server).getJob},

		{"GET /events", false, (*Server).listEvents},
		{"GET /events/{eventID...}", false, (*Server).getEvent},
		{"GET /eventTypes", false, (*Server).eventTypes},
		{"GET /eventTypes/{eventType}", false, (*Server).eventTypeResource},
		{"GET /eventTypes/{eventType}/events", false, (*Server).eventsOfType},
		{"GET /epcs/{epc}", false, (*Server).epcResource},
		{"GET /epcs/{epc}/events", false, (*Server).eventsOfEPC},

		{"GET /bizSteps", false, vocabList(store.FieldBizStep)},
		{"GET /bizSteps/{value}", false, vocabResource},
		{"GET /bizSteps/{value}/events", false, vocabEvents("EQ_bizStep")},
		{"GET /bizLocations", false, vocabList(store.FieldBizLocation)},
		{"GET /bizLocations/{value}", false, vocabResource},
		{"GET /bizLocations/{value}/events", false, vocabEvents("EQ_bizLocation")},
		{"GET /readPoints", false, vocabList(store.FieldReadPoint)},
		{"GET /readPoints/{value}", false, vocabResource},
		{"GET /readPoints/{value}/events", false, vocabEvents("EQ_readPoint")},
		{"GET /dispositions", false, vocabList(store.FieldDisposition)},
		{"GET /dispositions/{value}", false, vocabResource},
		{"GET /dispositions/{value}/events", false, vocabEvents("EQ_disposition")},

		{"GET /queries", false, (*Server).listQueries},
		{"POST /queries", true, (*Server).createQuery},
		{"GET /queries/{queryName}", false, (*Server).getQuery},
		{"DELETE /queries/{queryName}", true, (*Server).deleteQuery},
		{"GET /queries/{queryName}/events", false, (*Server).queryEvents},

		{"GET /log/checkpoint", false, (*Server).logCheckpoint},
		{"GET /log/key", false, (*Server).logKey},
		{"GET /log/tile/{path...}", false, (*Server).logTile},
		{"GET /api/events/{eventID}/proof", false, (*Server).eventProof},
		{"GET /api/log/consistency", false, (*Server).logConsistency},
		{"GET /api/codes/{code...}", false, (*Server).getCode},
		{"POST /log/witness/add-checkpoint", false, (*Server).witnessAddCheckpoint},

		{"POST /api/codes/issue", true, (*Server).issueCodes},
		{"GET /api/labels", false, (*Server).getLabels},
		{"GET /api/trace", false, (*Server).getTrace},
	}
}

// Handler returns the HTTP handler of the whole API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range Routes() {
		rt := rt
		mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			if rt.Write {
				p, err := s.authenticate(r)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				r = r.WithContext(withPrincipal(r.Context(), p))
			}
			if err := rt.handler(s, w, r); err != nil {
				s.fail(w, r, err)
			}
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, zhuisu.Errorf(zhuisu.ENotFound, "no resource at %s %s", r.Method, r.URL.Path))
	})
	return s.accessLog(mux)
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p *auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the authenticated principal of a write request.
func PrincipalFrom(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey{}).(*auth.Principal)
	return p
}

func (s *Server) authenticate(r *http.Request) (*auth.Principal, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || secret == "" {
		return nil, zhuisu.Errorf(zhuisu.EUnauthorized, "this request needs an API token: send Authorization: Bearer <token>")
	}
	return s.Auth.Authenticate(r.Context(), strings.TrimSpace(secret))
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// accessLog writes one line per request. Paths may carry a code that is a resident ID
// number (a mistyped or malicious lookup), so digit runs of that shape are masked.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.Log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("path", maskIDRuns(r.URL.Path)),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes),
			slog.Duration("took", time.Since(start)))
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ready\n")
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "encode response")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// isXML reports whether a media type names XML.
func isXML(mediaType string) bool {
	return mediaType == "application/xml" || mediaType == "text/xml" || strings.HasSuffix(mediaType, "+xml")
}

// postCapture decodes and captures a document synchronously: by the time it answers 202,
// the events are durable (or the job has failed and stored nothing).
func (s *Server) postCapture(w http.ResponseWriter, r *http.Request) error {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: "Content-Type", Message: "Content-Type is not a media type"}
	}
	body := &limitReader{r: r.Body, left: s.Limits.MaxBodyBytes}
	var doc *epcis.Document
	switch {
	case isXML(ct):
		doc, err = epcis.DecodeXML(body, s.Limits.Document)
	case ct == "" || ct == "application/json" || ct == "application/ld+json":
		doc, err = epcis.DecodeJSON(body, s.Limits.Document)
	default:
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Field: "Content-Type",
			Message: "Content-Type " + ct + " is not supported: send application/ld+json, application/json or application/xml"}
	}
	if body.over {
		return &zhuisu.Error{Code: zhuisu.ETooLarge, Kind: "CaptureLimitExceededException",
			Message: "the document is larger than the limit of " + strconv.FormatInt(s.Limits.MaxBodyBytes, 10) + " bytes"}
	}
	if err != nil {
		return err
	}
	subject := ""
	if p := PrincipalFrom(r.Context()); p != nil {
		subject = p.Subject
	}
	res, err := s.Capture.Capture(r.Context(), doc, subject)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/capture/"+res.Job.ID)
	w.Header().Set("GS1-EPCIS-Version", "2.0.0")
	return writeJSON(w, http.StatusAccepted, jobView(res.Job, res.EventIDs, res.Outcome))
}

// limitReader reads at most left bytes and remembers whether the body went past them,
// so a decoder's error can be told apart from an oversized document whatever the decoder
// does with the read error.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.over = true
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

var errTooLarge = errors.New("document too large")

// JobView is the JSON form of a capture job (EPCISCaptureJob plus counts).
type JobView struct {
	CaptureID    string           `json:"captureID"`
	CreatedAt    time.Time        `json:"createdAt"`
	FinishedAt   *time.Time       `json:"finishedAt,omitempty"`
	Running      bool             `json:"running"`
	Success      bool             `json:"success"`
	State        store.JobState   `json:"state"`
	CaptureError string           `json:"captureErrorBehaviour"`
	Events       int              `json:"events"`
	Stored       int              `json:"stored"`
	Duplicates   int              `json:"duplicates"`
	Errors       []store.JobError `json:"errors"`
	EventIDs     []string         `json:"eventIDs,omitempty"`
	Duplicate    []string         `json:"duplicateEventIDs,omitempty"`
}

func jobView(j *store.Job, ids []string, out *store.CaptureResult) JobView {
	v := JobView{CaptureID: j.ID, CreatedAt: j.CreatedAt, Running: j.State == store.JobRunning, Success: j.State == store.JobSuccess,
		State: j.State, CaptureError: "rollback", Events: j.Events, Stored: j.Stored, Duplicates: j.Duplicates, Errors: j.Errors, EventIDs: ids}
	if v.Errors == nil {
		v.Errors = []store.JobError{}
	}
	if !j.FinishedAt.IsZero() {
		t := j.FinishedAt
		v.FinishedAt = &t
	}
	if out != nil {
		for i, d := range out.Duplicate {
			if d {
				v.Duplicate = append(v.Duplicate, ids[i])
			}
		}
	}
	return v
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.Store.Job(r.Context(), r.PathValue("captureID"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, jobView(j, nil, nil))
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) error {
	perPage, err := perPageOf(r.URL.Query(), 100, 1000)
	if err != nil {
		return err
	}
	before := r.URL.Query().Get("nextPageToken")
	jobs, err := s.Store.Jobs(r.Context(), before, perPage+1)
	if err != nil {
		return err
	}
	views := []JobView{}
	for i, j := range jobs {
		if i == perPage {
			setNext(w, r, jobs[i-1].ID)
			break
		}
		views = append(views, jobView(j, nil, nil))
	}
	return writeJSON(w, http.StatusOK, views)
}

func perPageOf(v url.Values, def, max int) (int, error) {
	s := v.Get("perPage")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "QueryParameterException", Field: "perPage", Message: "perPage must be a positive whole number, got " + strconv.Quote(s)}
	}
	return min(n, max), nil
}

// setNext sets the Link header to the same request with another nextPageToken.
func setNext(w http.ResponseWriter, r *http.Request, token string) {
	q := r.URL.Query()
	q.Set("nextPageToken", token)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	w.Header().Set("Link", "<"+u.String()+`>; rel="next"`)
}
