package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/trace"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config holds the pages' limits; zero fields take DefaultConfig's.
type Config struct {
	// Rate and Burst are each client's token bucket on the public routes: Rate requests
	// a second on average, Burst at once.
	Rate  float64
	Burst int
	// TrustProxy takes the client's address from the last X-Forwarded-For entry (set it
	// only behind a proxy that writes that header).
	TrustProxy bool
	// MaxURLBytes bounds a request's path and query string.
	MaxURLBytes int
	// PublicURL is where this node is reached from outside ("https://trace.example.gov.cn"):
	// the base of the links a linkset gives.
	PublicURL string
}

// DefaultConfig are the limits used when none are configured.
var DefaultConfig = Config{Rate: 5, Burst: 30, MaxURLBytes: 4096}

// CSP is the Content Security Policy of every page: everything from this server, no
// inline script or style, no framing.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the pages.
type Handler struct {
	public  *public.Service
	trace   *trace.Service
	cfg     Config
	log     *slog.Logger
	limiter *limiter
	mux     *http.ServeMux
	pages   map[string]*template.Template
	// assets maps an asset's name to its URL with a content hash, so browsers may keep it
	// for long and still see a new version at once.
	assets map[string]string
	// scope says what a request's principal may read; the trace page shows nothing
	// without it.
	scope func(r *http.Request) (*access.Scope, error)
}

// SetScope gives the handler the API's way of telling what a request's principal may
// read (api.Server.Scope): the trace page shows each caller only that.
func (h *Handler) SetScope(scope func(r *http.Request) (*access.Scope, error)) { h.scope = scope }

// New returns the pages' handler. tr may be nil (no trace page).
func New(pub *public.Service, tr *trace.Service, cfg Config, log *slog.Logger) (*Handler, error) {
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultConfig.Rate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultConfig.Burst
	}
	if cfg.MaxURLBytes <= 0 {
		cfg.MaxURLBytes = DefaultConfig.MaxURLBytes
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	h := &Handler{public: pub, trace: tr, cfg: cfg, log: log, limiter: newLimiter(cfg.Rate, cfg.Burst),
		pages: map[string]*template.Template{}, assets: map[string]string{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		h.assets[name] = "/static/" + name + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"home", "product", "trace", "error"} {
		t, err := template.New(name).ParseFS(templateFiles, "templates/layout.html", "templates/timeline.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		h.pages[name] = t
	}
	h.mux = http.NewServeMux()
	for _, rt := range h.routes() {
		h.mux.HandleFunc(rt.pattern, rt.handler)
	}
	return h, nil
}

type route struct {
	pattern string
	handler http.HandlerFunc
}

// keyAIs are the GS1 primary keys whose Digital Link paths this node resolves.
var keyAIs = []string{"00", "01", "253", "255", "401", "402", "414", "415", "417", "8003", "8004", "8006", "8010", "8013", "8017", "8018"}

func (h *Handler) routes() []route {
	rs := []route{
		{"GET /{$}", h.limited(h.home)},
		{"GET /q", h.limited(h.search)},
		{"GET /code/{scheme}/{value}", h.limited(h.sectorCode)},
		{"GET /p/proof", h.limited(h.proof)},
		{"GET /trace", h.limited(h.traceLookup)},
		{"GET /static/{file...}", h.static},
	}
	for _, ai := range keyAIs {
		rs = append(rs, route{"GET /" + ai + "/{rest...}", h.limited(h.digitalLink)})
	}
	return rs
}

// Patterns lists the routes the pages serve, for the API's route table.
func Patterns() []string {
	var h Handler
	var out []string
	for _, rt := range h.routes() {
		out = append(out, rt.pattern)
	}
	return out
}

// ServeHTTP sets the security headers, enforces the request limits, and dispatches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	if len(r.URL.RawPath)+len(r.URL.Path)+len(r.URL.RawQuery) > 2*h.cfg.MaxURLBytes || len(r.URL.EscapedPath())+len(r.URL.RawQuery) > h.cfg.MaxURLBytes {
		h.fail(w, r, http.StatusRequestURITooLong, "the address is longer than "+strconv.Itoa(h.cfg.MaxURLBytes)+" bytes")
		return
	}
	// The pages take no request body.
	if r.ContentLength > 0 || len(r.TransferEncoding) > 0 {
		h.fail(w, r, http.StatusRequestEntityTooLarge, "these pages take no request body")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// limited applies the client's rate limit.
func (h *Handler) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ip := clientIP(r, h.cfg.TrustProxy)
		key := "unknown"
		if ip != nil {
			key = ip.String()
		}
		if ok, wait := h.limiter.allow(key); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			h.fail(w, r, http.StatusTooManyRequests, "")
			return
		}
		next(w, r)
	}
}

func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := path.Clean(r.PathValue("file"))
	b, err := staticFiles.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "..") {
		h.fail(w, r, http.StatusNotFound, "")
		return
	}
	ct := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=604800")
	w.Write(b)
}

// langOf picks the page language: ?lang=en|zh (remembered in a cookie), else the
// cookie, else Chinese.
func langOf(w http.ResponseWriter, r *http.Request) string {
	switch q := r.URL.Query().Get("lang"); q {
	case "en", "zh":
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		return q
	}
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		return "en"
	}
	return "zh"
}

// page is what every page has.
type page struct {
	Lang   string
	Title  string
	Switch string // the same page in the other language
	assets map[string]string
}

// T translates a key into the page's language.
func (p page) T(key string) string { return tr(p.Lang, key) }

// HTMLLang is the lang attribute of the page.
func (p page) HTMLLang() string {
	if p.Lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// Asset is the URL of an embedded asset.
func (p page) Asset(name string) string { return p.assets[name] }

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request, titleKey string) page {
	lang := langOf(w, r)
	other := "en"
	if lang == "en" {
		other = "zh"
	}
	q := r.URL.Query()
	q.Set("lang", other)
	return page{Lang: lang, Title: tr(lang, titleKey), Switch: r.URL.EscapedPath() + "?" + q.Encode(), assets: h.assets}
}

// render executes a page into a buffer and writes it whole, so that a template error
// never leaves half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.log.ErrorContext(r.Context(), "page failed", slog.String("page", name), slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "Accept, Cookie")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Vary", "Accept")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// problem is an RFC 9457 problem document, the JSON form of an error.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// wantsJSON reports whether the client asked for JSON rather than a page.
func wantsJSON(r *http.Request) bool {
	if r.URL.Query().Get("format") == "json" {
		return true
	}
	return prefers(r.Header.Get("Accept"), "application/json")
}

// prefers reports whether accept ranks media type want above text/html (order breaks
// ties, as browsers list HTML first).
func prefers(accept, want string) bool {
	best, bestQ, htmlQ := false, -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, f := range fields[1:] {
			if v, ok := strings.CutPrefix(strings.TrimSpace(f), "q="); ok {
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					q = n
				}
			}
		}
		switch mt {
		case want:
			if q > bestQ {
				bestQ, best = q, q > 0
			}
		case "text/html":
			htmlQ = max(htmlQ, q)
		}
	}
	return best && bestQ > htmlQ
}

// errorPage is an error shown to a person.
type errorPage struct {
	page
	Status   int
	Message  string
	Input    string
	Examples []example
	Search   bool // show the search box again
	Query    string
}

// example is one form of code the search box takes.
type example struct {
	Form, Code string
}

// examples are what the error page and the home page show of the accepted forms.
var examples = []example{
	{"GTIN 商品条码 (8/12/13/14 位)", "6901234567892"},
	{"GS1 元素串 element string", "(01)09521234543213(10)L1"},
	{"GS1 数字链接 Digital Link", "https://id.gs1.org/01/09521234543213/21/ABC"},
	{"SSCC 物流单元码 (18 位)", "095212345000000018"},
	{"药品追溯码 drug trace code (20 位)", "81234560012345678901"},
	{"平台追溯码 platform trace code", "ZS350102M000100Y400012"},
	{"EPC URN", "urn:epc:id:sgtin:9521234.054321.ABC"},
}

// fail answers an error: a problem document to a JSON client, a page to a person.
// message is safe to show (a code's reason never holds a full ID number).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	if status >= 500 {
		message = ""
	}
	if wantsJSON(r) || prefers(r.Header.Get("Accept"), "application/linkset+json") {
		title := message
		if title == "" {
			title = http.StatusText(status)
		}
		writeJSON(w, status, "application/problem+json", problem{Type: "about:blank", Title: title, Status: status})
		return
	}
	p := errorPage{page: h.newPage(w, r, "error.title"), Status: status, Message: message}
	p.Switch = switchHome(p.page)
	switch status {
	case http.StatusNotFound:
		p.Title = p.T("error.notfound")
	case http.StatusTooManyRequests:
		p.Title = p.T("error.toomany")
	case http.StatusBadRequest:
		p.Examples, p.Search = examples, true
	default:
		if status >= 500 {
			p.Title = p.T("error.server")
		}
	}
	h.render(w, r, status, "error", p)
}

// failErr answers an error of the services.
func (h *Handler) failErr(w http.ResponseWriter, r *http.Request, err error) {
	code := zhuisu.ErrorCode(err)
	status := zhuisu.HTTPStatus(code)
	switch {
	case code == zhuisu.EInvalid: // it may echo what was typed
		h.fail(w, r, status, maskPersonal(zhuisu.ErrorMessage(err)))
	case code == zhuisu.EUnavailable:
		w.Header().Set("Retry-After", "1")
		h.fail(w, r, status, "")
	case status >= 500:
		h.log.ErrorContext(r.Context(), "page failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		h.fail(w, r, status, "")
	default:
		h.fail(w, r, status, zhuisu.ErrorMessage(err))
	}
}

// day formats a time as a date in China time.
func day(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04") }

var chinaTime = time.FixedZone("CST", 8*3600)
