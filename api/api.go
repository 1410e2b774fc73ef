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
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/issuance"
	"github.com/zhuisu/zhuisu/persons"
	"github.com/zhuisu/zhuisu/query"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/registry"
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
	// Access decides what each principal reads; nil reads subjects from Store.
	Access *access.Service
	// Recall runs recalls; nil on a server without them.
	Recall *recall.Service
	// PublicURL is where this node's public lookup is served: labels point there.
	PublicURL string
	// Web serves the pages (package web) on the routes of the table that call page; nil
	// on a server without pages.
	Web http.Handler
	// Registry, Persons and Audit serve the registry of subjects, natural persons and
	// the audit log (registry.go); nil on a server without them.
	Registry *registry.Service
	Persons  *persons.Service
	Audit    *audit.Service
	// Witness, when set, co-signs other nodes' checkpoints.
	Witness *integrity.WitnessService
	Limits  Limits
	Log     *slog.Logger
	// SecureCookies marks the session cookie Secure even on plain HTTP, for a node behind
	// a TLS-terminating proxy; on TLS requests it is always Secure.
	SecureCookies bool
}

// Route is one entry of the route table: its pattern, who may call it, and its handler.
type Route struct {
	Pattern string
	Access  Access
	handler func(s *Server, w http.ResponseWriter, r *http.Request) error
}

// Access says what a route asks of the caller before its handler runs. What a caller may
// then see or change is decided by the services (package access for events, the
// registry, recall and auth services for their records), never only here.
type Access int

const (
	// Anyone may call the route; a principal is attached when the request carries valid
	// credentials.
	Anyone Access = iota
	// Signed routes need a principal: an API token or a signed-in session.
	Signed
	// Writes need a principal whose role changes data (not the security administrator
	// or the auditor, 三员分立).
	Writes
)

// Routes is the route table: every route of the API, in one place.
func Routes() []Route {
	return []Route{
		{"GET /healthz", Anyone, (*Server).healthz},
		{"GET /readyz", Anyone, (*Server).readyz},

		{"POST /capture", Writes, (*Server).postCapture},
		{"GET /capture", Signed, (*Server).listJobs},
		{"GET /capture/{captureID}", Signed, (*Server).getJob},

		{"GET /events", Signed, (*Server).listEvents},
		{"GET /events/{eventID...}", Signed, (*Server).getEvent},
		{"GET /eventTypes", Signed, (*Server).eventTypes},
		{"GET /eventTypes/{eventType}", Signed, (*Server).eventTypeResource},
		{"GET /eventTypes/{eventType}/events", Signed, (*Server).eventsOfType},
		{"GET /epcs/{epc}", Signed, (*Server).epcResource},
		{"GET /epcs/{epc}/events", Signed, (*Server).eventsOfEPC},

		{"GET /bizSteps", Signed, vocabList(store.FieldBizStep)},
		{"GET /bizSteps/{value}", Signed, vocabResource},
		{"GET /bizSteps/{value}/events", Signed, vocabEvents("EQ_bizStep")},
		{"GET /bizLocations", Signed, vocabList(store.FieldBizLocation)},
		{"GET /bizLocations/{value}", Signed, vocabResource},
		{"GET /bizLocations/{value}/events", Signed, vocabEvents("EQ_bizLocation")},
		{"GET /readPoints", Signed, vocabList(store.FieldReadPoint)},
		{"GET /readPoints/{value}", Signed, vocabResource},
		{"GET /readPoints/{value}/events", Signed, vocabEvents("EQ_readPoint")},
		{"GET /dispositions", Signed, vocabList(store.FieldDisposition)},
		{"GET /dispositions/{value}", Signed, vocabResource},
		{"GET /dispositions/{value}/events", Signed, vocabEvents("EQ_disposition")},

		{"GET /queries", Signed, (*Server).listQueries},
		{"POST /queries", Writes, (*Server).createQuery},
		{"GET /queries/{queryName}", Signed, (*Server).getQuery},
		{"DELETE /queries/{queryName}", Writes, (*Server).deleteQuery},
		{"GET /queries/{queryName}/events", Signed, (*Server).queryEvents},

		{"GET /log/checkpoint", Anyone, (*Server).logCheckpoint},
		{"GET /log/key", Anyone, (*Server).logKey},
		{"GET /log/tile/{path...}", Anyone, (*Server).logTile},
		{"GET /api/events/{eventID}/proof", Signed, (*Server).eventProof},
		{"GET /api/log/consistency", Anyone, (*Server).logConsistency},
		{"GET /api/codes/{code...}", Anyone, (*Server).getCode},
		{"POST /log/witness/add-checkpoint", Anyone, (*Server).witnessAddCheckpoint},

		{"POST /api/codes/issue", Writes, (*Server).issueCodes},
		{"GET /api/labels", Anyone, (*Server).getLabels},
		{"GET /api/trace", Signed, (*Server).getTrace},

		// The pages (package web): the public one-stop lookup — home, search box, the GS1
		// Digital Link paths of every primary key, the sector codes' paths, the public
		// proof — its assets, and the regulators' trace page.
		{"GET /{$}", Anyone, (*Server).page},
		{"GET /q", Anyone, (*Server).page},
		{"GET /code/{scheme}/{value}", Anyone, (*Server).page},
		{"GET /p/proof", Anyone, (*Server).page},
		{"GET /trace", Signed, (*Server).page},
		{"GET /static/{file...}", Anyone, (*Server).page},
		{"GET /00/{rest...}", Anyone, (*Server).page},
		{"GET /01/{rest...}", Anyone, (*Server).page},
		{"GET /253/{rest...}", Anyone, (*Server).page},
		{"GET /255/{rest...}", Anyone, (*Server).page},
		{"GET /401/{rest...}", Anyone, (*Server).page},
		{"GET /402/{rest...}", Anyone, (*Server).page},
		{"GET /414/{rest...}", Anyone, (*Server).page},
		{"GET /415/{rest...}", Anyone, (*Server).page},
		{"GET /417/{rest...}", Anyone, (*Server).page},
		{"GET /8003/{rest...}", Anyone, (*Server).page},
		{"GET /8004/{rest...}", Anyone, (*Server).page},
		{"GET /8006/{rest...}", Anyone, (*Server).page},
		{"GET /8010/{rest...}", Anyone, (*Server).page},
		{"GET /8013/{rest...}", Anyone, (*Server).page},
		{"GET /8017/{rest...}", Anyone, (*Server).page},
		{"GET /8018/{rest...}", Anyone, (*Server).page},

		{"POST /api/subjects", Writes, (*Server).postSubject},
		{"GET /api/subjects", Signed, (*Server).listSubjects},
		{"GET /api/subjects/{uscc}", Signed, (*Server).getSubject},
		{"POST /api/subjects/{uscc}/status", Writes, (*Server).postSubjectStatus},
		{"POST /api/subjects/{uscc}/tokens", Writes, (*Server).postSubjectToken},
		{"DELETE /api/tokens/{id}", Writes, (*Server).deleteToken},
		{"POST /api/persons", Writes, (*Server).postPerson},
		{"POST /api/persons/{ref}/unmask", Writes, (*Server).postUnmask},
		{"GET /api/audit", Signed, (*Server).getAudit},
		{"GET /api/catalogue", Anyone, (*Server).getCatalogue},
		{"GET /api/departments", Anyone, (*Server).getDepartments},

		// Accounts: these routes authenticate themselves, as who may do what is the auth
		// service's rule (a security administrator manages accounts but writes no data).
		{"POST /api/login", Anyone, (*Server).login},
		{"POST /api/logout", Anyone, (*Server).logout},
		{"GET /api/me", Signed, (*Server).me},
		{"GET /api/users", Signed, (*Server).listUsers},
		{"POST /api/users", Signed, (*Server).createUser},
		{"POST /api/users/{id}/unlock", Signed, (*Server).unlockUser},
		{"POST /api/users/{id}/disable", Signed, (*Server).disableUser},
		{"POST /api/users/{id}/enable", Signed, (*Server).enableUser},
		{"POST /api/users/{id}/role", Signed, (*Server).setUserRole},
		{"POST /api/users/{id}/password", Signed, (*Server).userPassword},
		{"POST /api/users/{id}/totp", Signed, (*Server).userTOTP},
		{"GET /login", Anyone, (*Server).loginPage},
		{"POST /login", Anyone, (*Server).loginForm},

		{"POST /api/recalls", Writes, (*Server).createRecall},
		{"GET /api/recalls", Signed, (*Server).listRecalls},
		{"GET /api/recalls/{id}", Signed, (*Server).getRecall},
		{"POST /api/recalls/{id}/holders/{party...}", Writes, (*Server).updateRecallHolder},
		{"POST /api/recalls/{id}/close", Writes, (*Server).closeRecall},
		{"GET /api/recalls/{id}/export", Signed, (*Server).exportRecall},
	}
}

// Handler returns the HTTP handler of the whole API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range Routes() {
		rt := rt
		mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			p, err := s.authenticate(r)
			switch {
			case err != nil && rt.Access == Anyone:
				// A public route answers the public, even with a stale session cookie.
				p, err = nil, nil
			case err == nil && rt.Access == Writes:
				err = auth.MayWrite(p)
			}
			if err != nil && signInFirst(r, rt, err) {
				// A person opening a signed-in page goes to the sign-in page and back.
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if p != nil {
				r = r.WithContext(withPrincipal(r.Context(), p))
			}
			err = rt.handler(s, w, r)
			s.auditRequest(r, rt, p, err)
			if err != nil {
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

// signInFirst says whether a refused request is a browser opening a page that needs a
// session, which is better sent to the sign-in page than answered with a problem document.
func signInFirst(r *http.Request, rt Route, err error) bool {
	return zhuisu.IsCode(err, zhuisu.EUnauthorized) && r.Method == http.MethodGet && rt.Pattern == "GET /trace" &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// PrincipalFrom returns the authenticated principal of a request, nil for the public.
func PrincipalFrom(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey{}).(*auth.Principal)
	return p
}

// authenticate finds who a request acts as: a bearer token, or else a session cookie
// (which must pass the same-origin check for writes, see sameOrigin).
func (s *Server) authenticate(r *http.Request) (*auth.Principal, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if ok && secret != "" {
		return s.Auth.Authenticate(r.Context(), strings.TrimSpace(secret))
	}
	if p, found, err := s.sessionPrincipal(r); found {
		return p, err
	}
	return nil, zhuisu.Errorf(zhuisu.EUnauthorized, "this request needs an API token (Authorization: Bearer <token>) or a signed-in session")
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
	if err := auth.MayRecord(PrincipalFrom(r.Context())); err != nil {
		return err
	}
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

// mayReadJob says whether the principal may read a capture job: the administrator reads
// every job, an enterprise its own.
func mayReadJob(p *auth.Principal, j *store.Job) bool {
	return p != nil && (p.Role == auth.RoleAdmin || (p.Subject != "" && p.Subject == j.Subject))
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.Store.Job(r.Context(), r.PathValue("captureID"))
	if err != nil {
		return err
	}
	if !mayReadJob(PrincipalFrom(r.Context()), j) {
		return zhuisu.Errorf(zhuisu.ENotFound, "no capture job %s", r.PathValue("captureID"))
	}
	return writeJSON(w, http.StatusOK, jobView(j, nil, nil))
}

// listJobs lists capture jobs. The store lists every job, so the list is the
// administrator's; an enterprise reads its own jobs by captureID.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) error {
	if err := adminOnly(r); err != nil {
		return err
	}
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
