package api_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/catalogue"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/issuance"
	"github.com/zhuisu/zhuisu/persons"
	"github.com/zhuisu/zhuisu/query"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/registry"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/sqlite"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/trace"
)

// The roles of the access matrix. The enterprise and the regulator belong to tenant B:
// another enterprise, another region (Xiamen); every object the requests name belongs to
// tenant A (an enterprise in Fuzhou). Tenant B has a GS1 company prefix (otherPrefix) as
// well as a location, and neither covers any identifier of tenant A.
const (
	rolePublic     = "public"
	roleAdmin      = "admin"
	roleSecurity   = "security"
	roleAuditor    = "auditor"
	roleRegulator  = "regulator of another region"
	roleEnterprise = "another enterprise"
)

var matrixRoles = []string{rolePublic, roleAdmin, roleSecurity, roleAuditor, roleRegulator, roleEnterprise}

// outsiders are the roles whose successful answers must hold nothing of tenant A.
var outsiders = []string{rolePublic, roleSecurity, roleAuditor, roleRegulator, roleEnterprise}

var (
	anyone      = matrixRoles
	signedIn    = []string{roleAdmin, roleSecurity, roleAuditor, roleRegulator, roleEnterprise}
	eventReader = []string{roleAdmin, roleRegulator, roleEnterprise} // in their own scope
	adminOnly   = []string{roleAdmin}
	nobody      = []string{}
)

const (
	tenantEPC   = "https://id.gs1.org/01/09521234543213/21/A1"
	tenantGTIN  = "09521234543213"
	holderGLN   = "https://id.gs1.org/414/6901234000030"
	matrixQuery = "object-events"
	// otherPrefix is tenant B's GS1 company prefix; otherPrefixGLN a party under it that
	// tenant B never registered as a location.
	otherPrefix    = "6901235"
	otherPrefixGLN = "https://id.gs1.org/414/6901235000015"
)

// matrixFixture is a server with two tenants and an object of tenant A of every kind.
type matrixFixture struct {
	srv   *httptest.Server
	creds map[string]func(*http.Request)
	// tokens are the tenants' API tokens by credit code.
	tokens map[string]string
	// Tenant A's objects, and the strings that betray them in an answer.
	eventID, jobID, recallID, person, tokenID, userID string
	markers                                           []string
	// What tests beyond the matrix need to add principals of their own.
	auth  *auth.Service
	reg   *registry.Service
	admin *auth.Principal
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "zhuisu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := auth.New(st)
	a.TOTPKey = make([]byte, 32)
	a.Argon2 = auth.Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	au := audit.New(st, nil)
	a.Audit = au
	key, err := persons.LoadKey(filepath.Join(dir, "person.key"))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := persons.New(st, au, key, "")
	if err != nil {
		t.Fatal(err)
	}
	ps.Scopes = access.New(st)
	reg := registry.New(st, a, au)
	signer, verifier, vkey := testkit.LogKey(t, "matrix.test/log")
	logSvc := &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer, Verifiers: []tlog.Verifier{verifier},
		PublicKey: vkey, MaxStep: 1 << 20, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	tr := trace.New(st)
	s := &api.Server{Store: st, Capture: &capture.Service{Store: st, Now: time.Now, Registry: reg, Persons: ps, Holders: access.New(st)},
		Query: query.New(st, []byte("k")), Auth: a, Registry: reg, Persons: ps, Audit: au, Integrity: logSvc,
		Issuance: &issuance.Service{Store: st}, Trace: tr, Access: access.New(st), Recall: recall.New(st, tr),
		Limits: api.DefaultLimits, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	f := &matrixFixture{srv: srv, creds: map[string]func(*http.Request){}, auth: a, reg: reg}

	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	adminTok, _, err := a.Issue(ctx, auth.RoleAdmin, "", "matrix", nil)
	if err != nil {
		t.Fatal(err)
	}
	auditorTok, _, err := a.Issue(ctx, auth.RoleAuditor, "", "matrix", nil)
	if err != nil {
		t.Fatal(err)
	}
	f.creds[rolePublic] = func(*http.Request) {}
	f.creds[roleAdmin] = bearer(adminTok)
	f.creds[roleAuditor] = bearer(auditorTok)
	f.creds[roleSecurity] = f.session(t, a, "sec.matrix", auth.Scope{Role: auth.RoleSecurity})
	f.creds[roleRegulator] = f.session(t, a, "reg.xiamen", auth.Scope{Role: auth.RoleRegulator, Department: "agriculture", Region: "350203"})

	// The two tenants, approved, each with its location and an API token; tenant B with
	// its company prefix too.
	admin := &auth.Principal{Role: auth.RoleAdmin, TokenID: "matrix"}
	f.admin = admin
	tokens := map[string]string{}
	for _, sub := range []struct {
		uscc, region, gln string
		prefixes          []string
	}{{flowUSCC, "350102", ownGLN, nil}, {otherUSCC, "350203", otherGLN, []string{otherPrefix}}} {
		if _, err := reg.Register(ctx, admin, &registry.Registration{USCC: sub.uscc, Name: "农资店 " + sub.region, Region: sub.region,
			Roles: []string{"dealer"}, Sectors: []string{catalogue.SectorAgriInputs}, Locations: []string{sub.gln}, Prefixes: sub.prefixes}); err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Change(ctx, admin, sub.uscc, "approve", "备案材料齐全"); err != nil {
			t.Fatal(err)
		}
		secret, tok, err := reg.IssueToken(ctx, admin, sub.uscc, "matrix")
		if err != nil {
			t.Fatal(err)
		}
		tokens[sub.uscc] = secret
		if sub.uscc == flowUSCC {
			f.tokenID = tok.ID
		}
	}
	f.creds[roleEnterprise] = bearer(tokens[otherUSCC])
	f.tokens = tokens

	// Tenant A records a sale to a customer, registers a real-name buyer and recalls the item.
	asA := &node{srv: srv, token: tokens[flowUSCC]}
	resp, body := asA.do(t, "POST", "/capture", "application/ld+json",
		eventDoc(ownGLN, `,"destinationList":[{"type":"owning_party","destination":"`+holderGLN+`"}]`))
	mustStatus(t, "tenant A capture", resp, body, http.StatusAccepted)
	var job struct {
		CaptureID string   `json:"captureID"`
		EventIDs  []string `json:"eventIDs"`
	}
	if err := json.Unmarshal(body, &job); err != nil || len(job.EventIDs) != 1 {
		t.Fatalf("capture answer %s", body)
	}
	f.jobID, f.eventID = job.CaptureID, job.EventIDs[0]
	if _, err := logSvc.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	resp, body = asA.do(t, "POST", "/api/persons", "application/json", []byte(`{"name":"林晓梅","idNumber":"350102199001011238"}`))
	mustStatus(t, "tenant A person", resp, body, http.StatusCreated)
	var ref struct{ Ref string }
	json.Unmarshal(body, &ref)
	f.person = ref.Ref
	resp, body = asA.do(t, "POST", "/api/recalls", "application/json", []byte(`{"codes":["`+tenantEPC+`"],"reason":"标签错误"}`))
	mustStatus(t, "tenant A recall", resp, body, http.StatusCreated)
	var rc store.Recall
	json.Unmarshal(body, &rc)
	f.recallID = rc.ID
	// A user of tenant A, for the account routes.
	in, err := a.CreateUser(ctx, auth.ConsolePrincipal(), auth.NewUser{Name: "op.fuzhou", Scope: auth.Scope{Role: auth.RoleEnterprise, Subject: flowUSCC}})
	if err != nil {
		t.Fatal(err)
	}
	f.userID = in.User.ID
	// A named query the administrator defines for everyone.
	resp, body = (&node{srv: srv, token: adminTok}).do(t, "POST", "/queries", "application/json",
		[]byte(`{"name":"`+matrixQuery+`","query":{"eventType":["ObjectEvent"]}}`))
	mustStatus(t, "named query", resp, body, http.StatusCreated)

	f.markers = []string{flowUSCC, "6901234000016", "09521234543213/21/A1", f.eventID, f.jobID, f.recallID, f.person, "6901234000030"}
	return f
}

// session creates an account at the console, signs it in and returns a credential that
// sends its session cookie (with the same-origin header writes need).
func (f *matrixFixture) session(t *testing.T, a *auth.Service, name string, sc auth.Scope) func(*http.Request) {
	t.Helper()
	in, err := a.CreateUser(context.Background(), auth.ConsolePrincipal(), auth.NewUser{Name: name, Scope: sc})
	if err != nil {
		t.Fatal(err)
	}
	code := ""
	if in.TOTPURI != "" {
		u, _ := url.Parse(in.TOTPURI)
		key, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
		code = auth.TOTPCode(key, time.Now())
	}
	b, _ := json.Marshal(api.LoginRequest{Name: name, Password: in.Password, TOTP: code})
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/login", bytes.NewReader(b))
	req.Header.Set("Origin", f.srv.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "zhuisu_session" {
			return func(r *http.Request) {
				r.AddCookie(c)
				r.Header.Set("Origin", f.srv.URL)
			}
		}
	}
	t.Fatalf("login %s: %s, no session cookie", name, resp.Status)
	return nil
}

// entry is one route's row of the matrix: a request naming tenant A's objects, and the
// roles that may get a 2xx answer to it.
type entry struct {
	method, path, body string
	allowed            []string
	// public routes answer from the request alone or serve what is public by design, so
	// their answers are not searched for tenant A's markers.
	public bool
	// open: the allowed roles need not succeed (a login with a wrong password, a
	// resource this server does not run), only the others must not.
	open bool
	// entitled: the allowed roles may read tenant A's data here (the security
	// administrator manages every account; the auditor reads the whole audit log).
	entitled bool
	// bare requests go without credentials (a logout or a sign-in ends the session the
	// request brings).
	bare bool
	// cred, when set, is the credential the request goes with instead of the role's.
	cred func(*http.Request)
}

// matrix returns an entry for every route of the table, keyed by its pattern.
func (f *matrixFixture) matrix() map[string]entry {
	ev := url.PathEscape(f.eventID)
	epc := url.PathEscape(tenantEPC)
	rc := "/api/recalls/" + f.recallID
	user := "/api/users/" + f.userID
	page := func(path string) entry {
		return entry{method: "GET", path: path, allowed: anyone, public: true, open: true}
	}
	return map[string]entry{
		"GET /healthz": {method: "GET", path: "/healthz", allowed: anyone},
		"GET /readyz":  {method: "GET", path: "/readyz", allowed: anyone},

		"POST /capture":            {method: "POST", path: "/capture", body: string(eventDoc(ownGLN, "")), allowed: adminOnly},
		"GET /capture":             {method: "GET", path: "/capture", allowed: adminOnly},
		"GET /capture/{captureID}": {method: "GET", path: "/capture/" + f.jobID, allowed: adminOnly},

		"GET /events":                        {method: "GET", path: "/events", allowed: eventReader},
		"GET /events/{eventID...}":           {method: "GET", path: "/events/" + ev, allowed: adminOnly},
		"GET /eventTypes":                    {method: "GET", path: "/eventTypes", allowed: signedIn},
		"GET /eventTypes/{eventType}":        {method: "GET", path: "/eventTypes/ObjectEvent", allowed: signedIn},
		"GET /eventTypes/{eventType}/events": {method: "GET", path: "/eventTypes/ObjectEvent/events", allowed: eventReader},
		"GET /epcs/{epc}":                    {method: "GET", path: "/epcs/" + epc, allowed: signedIn, public: true},
		"GET /epcs/{epc}/events":             {method: "GET", path: "/epcs/" + epc + "/events", allowed: eventReader},

		"GET /bizSteps":                    {method: "GET", path: "/bizSteps", allowed: adminOnly},
		"GET /bizSteps/{value}":            {method: "GET", path: "/bizSteps/retail_selling", allowed: signedIn},
		"GET /bizSteps/{value}/events":     {method: "GET", path: "/bizSteps/retail_selling/events", allowed: eventReader},
		"GET /bizLocations":                {method: "GET", path: "/bizLocations", allowed: adminOnly},
		"GET /bizLocations/{value}":        {method: "GET", path: "/bizLocations/" + url.PathEscape(ownGLN), allowed: signedIn, public: true},
		"GET /bizLocations/{value}/events": {method: "GET", path: "/bizLocations/" + url.PathEscape(ownGLN) + "/events", allowed: eventReader},
		"GET /readPoints":                  {method: "GET", path: "/readPoints", allowed: adminOnly},
		"GET /readPoints/{value}":          {method: "GET", path: "/readPoints/x", allowed: signedIn},
		"GET /readPoints/{value}/events":   {method: "GET", path: "/readPoints/x/events", allowed: eventReader},
		"GET /dispositions":                {method: "GET", path: "/dispositions", allowed: adminOnly},
		"GET /dispositions/{value}":        {method: "GET", path: "/dispositions/sellable_accessible", allowed: signedIn},
		"GET /dispositions/{value}/events": {method: "GET", path: "/dispositions/sellable_accessible/events", allowed: eventReader},
		"GET /queries":                     {method: "GET", path: "/queries", allowed: signedIn},
		"POST /queries":                    {method: "POST", path: "/queries", body: `{"name":"q2","query":{"eventType":["ObjectEvent"]}}`, allowed: adminOnly},
		"GET /queries/{queryName}":         {method: "GET", path: "/queries/" + matrixQuery, allowed: signedIn},
		"DELETE /queries/{queryName}":      {method: "DELETE", path: "/queries/q2", allowed: adminOnly},
		"GET /queries/{queryName}/events":  {method: "GET", path: "/queries/" + matrixQuery + "/events", allowed: eventReader},
		"GET /log/checkpoint":              {method: "GET", path: "/log/checkpoint", allowed: anyone},
		"GET /log/key":                     {method: "GET", path: "/log/key", allowed: anyone},
		"GET /log/tile/{path...}":          {method: "GET", path: "/log/tile/0/000.p/1", allowed: anyone},
		"GET /api/events/{eventID}/proof":  {method: "GET", path: "/api/events/" + ev + "/proof", allowed: adminOnly},
		"GET /api/log/consistency":         {method: "GET", path: "/api/log/consistency?from=1&to=1", allowed: anyone},
		"GET /api/codes/{code...}":         {method: "GET", path: "/api/codes/" + epc, allowed: anyone, public: true},
		"POST /log/witness/add-checkpoint": {method: "POST", path: "/log/witness/add-checkpoint", body: "old 0\n", allowed: anyone, open: true},
		"POST /api/codes/issue":            {method: "POST", path: "/api/codes/issue", body: `{"scheme":"gs1","gtin":"` + tenantGTIN + `","count":1}`, allowed: adminOnly},
		"GET /api/labels":                  {method: "GET", path: "/api/labels?code=" + url.QueryEscape(tenantEPC), allowed: anyone, public: true},
		"GET /api/trace":                   {method: "GET", path: "/api/trace?code=" + url.QueryEscape(tenantEPC), allowed: adminOnly},
		"GET /{$}":                         page("/"),
		"GET /q":                           page("/q?code=" + url.QueryEscape(tenantEPC)),
		"GET /code/{scheme}/{value}":       page("/code/cn.uscc/" + flowUSCC),
		"GET /p/proof":                     page("/p/proof?event=" + url.QueryEscape(f.eventID)),
		"GET /trace":                       {method: "GET", path: "/trace?code=" + url.QueryEscape(tenantEPC), allowed: adminOnly, open: true},
		"GET /static/{file...}":            page("/static/app.css"),
		"GET /00/{rest...}":                page("/00/095212345000000018"),
		"GET /01/{rest...}":                page("/01/09521234543213/21/A1"),
		"GET /253/{rest...}":               page("/253/9521234543213"),
		"GET /255/{rest...}":               page("/255/9521234543213"),
		"GET /401/{rest...}":               page("/401/9521234X"),
		"GET /402/{rest...}":               page("/402/95212345678901234"),
		"GET /414/{rest...}":               page("/414/6901234000016"),
		"GET /415/{rest...}":               page("/415/6901234000016"),
		"GET /417/{rest...}":               page("/417/6901234000016"),
		"GET /8003/{rest...}":              page("/8003/09521234543213A"),
		"GET /8004/{rest...}":              page("/8004/9521234X"),
		"GET /8006/{rest...}":              page("/8006/095212345432130102"),
		"GET /8010/{rest...}":              page("/8010/9521234X"),
		"GET /8013/{rest...}":              page("/8013/9521234X"),
		"GET /8017/{rest...}":              page("/8017/952123400000000017"),
		"GET /8018/{rest...}":              page("/8018/952123400000000017"),

		"POST /api/subjects": {method: "POST", path: "/api/subjects", allowed: adminOnly,
			body: `{"uscc":"91350100M000200YX8","name":"新店","region":"350102","roles":["dealer"],"sectors":["agri-inputs"],"locations":[]}`},
		"GET /api/subjects":                {method: "GET", path: "/api/subjects", allowed: []string{roleAdmin, roleRegulator, roleEnterprise}},
		"GET /api/subjects/{uscc}":         {method: "GET", path: "/api/subjects/" + flowUSCC, allowed: adminOnly},
		"POST /api/subjects/{uscc}/status": {method: "POST", path: "/api/subjects/" + flowUSCC + "/status", body: `{"action":"suspend","reason":"检查"}`, allowed: adminOnly},
		// The row before suspended the tenant, so the administrator's request is refused
		// for that (409), which shows it reached the tenant.
		"POST /api/subjects/{uscc}/tokens": {method: "POST", path: "/api/subjects/" + flowUSCC + "/tokens", body: `{}`, allowed: adminOnly, open: true},
		"DELETE /api/tokens/{id}":          {method: "DELETE", path: "/api/tokens/" + f.tokenID, allowed: adminOnly},
		"POST /api/persons":                {method: "POST", path: "/api/persons", body: `{"name":"陈建国","idNumber":"350203198512314561"}`, allowed: []string{roleEnterprise}, public: true},
		"POST /api/persons/{ref}/unmask":   {method: "POST", path: "/api/persons/" + f.person + "/unmask", body: `{"reason":"case 1"}`, allowed: nobody},
		"GET /api/audit":                   {method: "GET", path: "/api/audit", allowed: []string{roleAuditor}, entitled: true},
		"GET /api/catalogue":               {method: "GET", path: "/api/catalogue", allowed: anyone},
		"GET /api/departments":             {method: "GET", path: "/api/departments", allowed: anyone},
		"POST /api/login":                  {method: "POST", path: "/api/login", body: `{"name":"op.fuzhou","password":"wrong"}`, allowed: anyone, open: true, bare: true},
		"POST /api/logout":                 {method: "POST", path: "/api/logout", allowed: anyone, open: true, bare: true},
		"GET /api/me":                      {method: "GET", path: "/api/me", allowed: signedIn},
		"GET /api/users":                   {method: "GET", path: "/api/users", allowed: []string{roleSecurity}, entitled: true},
		"POST /api/users":                  {method: "POST", path: "/api/users", body: `{"name":"op2.fuzhou","role":"enterprise","subject":"` + flowUSCC + `"}`, allowed: []string{roleSecurity}, entitled: true},
		"POST /api/users/{id}/unlock":      {method: "POST", path: user + "/unlock", allowed: []string{roleSecurity}, entitled: true},
		"POST /api/users/{id}/disable":     {method: "POST", path: user + "/disable", allowed: []string{roleSecurity}, entitled: true},
		"POST /api/users/{id}/enable":      {method: "POST", path: user + "/enable", allowed: []string{roleSecurity}, entitled: true},
		"POST /api/users/{id}/role":        {method: "POST", path: user + "/role", body: `{"role":"enterprise_admin","subject":"` + flowUSCC + `"}`, allowed: []string{roleSecurity}, entitled: true},
		"POST /api/users/{id}/password":    {method: "POST", path: user + "/password", body: `{}`, allowed: []string{roleSecurity}, entitled: true},
		"POST /api/users/{id}/totp":        {method: "POST", path: user + "/totp", body: `{}`, allowed: []string{roleSecurity}, entitled: true, open: true},
		"GET /login":                       page("/login"),
		"POST /login":                      {method: "POST", path: "/login", body: "name=op.fuzhou&password=wrong", allowed: anyone, public: true, open: true, bare: true},
		"POST /api/recalls":                {method: "POST", path: "/api/recalls", body: `{"codes":["` + tenantEPC + `"],"reason":"再次召回"}`, allowed: adminOnly},
		"GET /api/recalls":                 {method: "GET", path: "/api/recalls", allowed: eventReader},
		"GET /api/recalls/{id}":            {method: "GET", path: rc, allowed: adminOnly},
		"POST /api/recalls/{id}/holders/{party...}": {method: "POST", path: rc + "/holders/" + url.PathEscape(holderGLN),
			body: `{"status":"acknowledged"}`, allowed: adminOnly},
		"POST /api/recalls/{id}/close": {method: "POST", path: rc + "/close", allowed: adminOnly},
		"GET /api/recalls/{id}/export": {method: "GET", path: rc + "/export?format=csv", allowed: adminOnly},
	}
}

// TestNoRoleSucceedsOnAnotherTenantsObjectsBeyondTheMatrix sends, for every route of the
// table, a request naming tenant A's objects as every role, and checks that only the
// roles the matrix allows get a 2xx answer, that outsiders' answers hold nothing of tenant
// A, and that the allowed roles do succeed (so the requests reach what they name). It
// fails when a route has no row, so a new route cannot slip past it.
func TestNoRoleSucceedsOnAnotherTenantsObjectsBeyondTheMatrix(t *testing.T) {
	f := newMatrixFixture(t)
	m := f.matrix()
	var patterns []string
	for _, rt := range api.Routes() {
		patterns = append(patterns, rt.Pattern)
		if _, ok := m[rt.Pattern]; !ok {
			t.Errorf("route %s has no row in the access matrix: add one", rt.Pattern)
		}
	}
	for p := range m {
		if !slices.Contains(patterns, p) {
			t.Errorf("the access matrix has a row for %s, which is not a route", p)
		}
	}
	// Reads first, then writes in table order, each write's allowed role last: a write
	// that succeeds changes what later rows see (a suspended tenant, a closed recall).
	for _, write := range []bool{false, true} {
		for _, rt := range api.Routes() {
			e, ok := m[rt.Pattern]
			if !ok || (e.method != "GET") != write {
				continue
			}
			order := slices.Clone(matrixRoles)
			slices.SortStableFunc(order, func(a, b string) int {
				return boolInt(slices.Contains(e.allowed, a)) - boolInt(slices.Contains(e.allowed, b))
			})
			for _, role := range order {
				status, body := f.send(t, role, e)
				ok2xx := status >= 200 && status < 300
				allowed := slices.Contains(e.allowed, role)
				switch {
				case ok2xx && !allowed:
					t.Errorf("%s as %s: %d, an unauthorised success: %.200s", rt.Pattern, role, status, body)
				case !ok2xx && allowed && !e.open:
					t.Errorf("%s as %s: %d, want success (the request must reach its object): %.200s", rt.Pattern, role, status, body)
				}
				if ok2xx && !e.public && !(e.entitled && allowed) && slices.Contains(outsiders, role) {
					for _, mk := range f.markers {
						if strings.Contains(string(body), mk) {
							t.Errorf("%s as %s: the answer holds tenant A's %q: %.300s", rt.Pattern, role, mk, body)
						}
					}
				}
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (f *matrixFixture) send(t *testing.T, role string, e entry) (int, []byte) {
	t.Helper()
	var body io.Reader = http.NoBody
	if e.body != "" {
		body = strings.NewReader(e.body)
	}
	req, err := http.NewRequest(e.method, f.srv.URL+e.path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case e.method == "POST" && e.path == "/capture":
		req.Header.Set("Content-Type", "application/ld+json")
	case e.method == "POST" && e.path == "/login":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case e.body != "" && !strings.HasPrefix(e.path, "/log/"):
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case e.bare:
	case e.cred != nil:
		e.cred(req)
	default:
		f.creds[role](req)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// visibilityDoc is one ObjectEvent of tenant A observing item at its location, sent to
// dest when dest is not "".
func visibilityDoc(item, dest string) []byte {
	extra := ""
	if dest != "" {
		extra = `,"destinationList":[{"type":"owning_party","destination":"` + dest + `"}]`
	}
	return []byte(`{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-05-01T08:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-05-01T08:00:00+08:00",
"eventTimeZoneOffset":"+08:00","epcList":["` + item + `"],"action":"OBSERVE","bizStep":"shipping",
"bizLocation":{"id":"` + ownGLN + `"}` + extra + `}]}}`)
}

// TestEachReaderSeesOnlyTheEventsThatNameItOrThatItSupervises records three events of
// tenant A (the fixture's sale to holderGLN, a shipment to a party under tenant B's
// company prefix, an event naming no one else) and checks, through the query interface
// and the event-by-ID route, which of them each reader gets: an enterprise sees exactly
// the events whose source or destination is one of its locations or lies under one of its
// company prefixes, and a regulator of tenant A's region sees them only when its
// department supervises tenant A's sector.
func TestEachReaderSeesOnlyTheEventsThatNameItOrThatItSupervises(t *testing.T) {
	f := newMatrixFixture(t)
	ctx := context.Background()
	asA := &node{srv: f.srv, token: f.tokens[flowUSCC]}
	capture := func(doc []byte) string {
		t.Helper()
		resp, body := asA.do(t, "POST", "/capture", "application/ld+json", doc)
		mustStatus(t, "tenant A capture", resp, body, http.StatusAccepted)
		var job struct{ EventIDs []string }
		if err := json.Unmarshal(body, &job); err != nil || len(job.EventIDs) != 1 {
			t.Fatalf("capture answer %s", body)
		}
		return job.EventIDs[0]
	}
	toHolder := f.eventID
	toPrefix := capture(visibilityDoc("https://id.gs1.org/01/09521234543213/21/A2", otherPrefixGLN))
	unshared := capture(visibilityDoc("https://id.gs1.org/01/09521234543213/21/A3", ""))
	all := []string{toHolder, toPrefix, unshared}

	// Tenant C holds the location tenant A's sale went to.
	const holderUSCC = "91350100M000200YX8"
	if _, err := f.reg.Register(ctx, f.admin, &registry.Registration{USCC: holderUSCC, Name: "零售店", Region: "350102",
		Roles: []string{"retailer"}, Sectors: []string{catalogue.SectorAgriInputs}, Locations: []string{holderGLN}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reg.Change(ctx, f.admin, holderUSCC, "approve", "备案材料齐全"); err != nil {
		t.Fatal(err)
	}
	holderTok, _, err := f.reg.IssueToken(ctx, f.admin, holderUSCC, "holder")
	if err != nil {
		t.Fatal(err)
	}
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	if len(catalogue.ByDepartment("police")) == 0 || slices.ContainsFunc(catalogue.ByDepartment("police"),
		func(c catalogue.ProductClass) bool { return c.Sector == catalogue.SectorAgriInputs }) {
		t.Fatal("the police department must supervise some sector, and not tenant A's (agri-inputs)")
	}

	for _, c := range []struct {
		reader string
		cred   func(*http.Request)
		sees   []string
	}{
		{"tenant A, the recorder", bearer(f.tokens[flowUSCC]), all},
		{"tenant B, whose company prefix covers one destination", f.creds[roleEnterprise], []string{toPrefix}},
		{"tenant C, whose location is one destination", bearer(holderTok), []string{toHolder}},
		{"a regulator of tenant A's region and department", f.session(t, f.auth, "reg.fuzhou.agri",
			auth.Scope{Role: auth.RoleRegulator, Department: "agriculture", Region: "350102"}), all},
		{"a regulator of tenant A's region and another department", f.session(t, f.auth, "reg.fuzhou.police",
			auth.Scope{Role: auth.RoleRegulator, Department: "police", Region: "350102"}), nil},
		{"a regulator of tenant A's department and another region", f.creds[roleRegulator], nil},
	} {
		t.Run(c.reader, func(t *testing.T) {
			status, body := f.send(t, "", entry{method: "GET", path: "/events?perPage=100", cred: c.cred})
			if status != http.StatusOK {
				t.Fatalf("GET /events: %d %.300s", status, body)
			}
			var doc struct {
				EPCISBody struct {
					QueryResults struct {
						ResultsBody struct {
							EventList []struct {
								EventID string `json:"eventID"`
							} `json:"eventList"`
						} `json:"resultsBody"`
					} `json:"queryResults"`
				} `json:"epcisBody"`
			}
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("GET /events: %v: %.300s", err, body)
			}
			var got []string
			for _, e := range doc.EPCISBody.QueryResults.ResultsBody.EventList {
				if slices.Contains(all, e.EventID) {
					got = append(got, e.EventID)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.sees))
			if !slices.Equal(got, want) {
				t.Errorf("GET /events returns tenant A's events %q, want %q (sale to holder %s, shipment under B's prefix %s, unshared %s)",
					got, want, toHolder, toPrefix, unshared)
			}
			for _, id := range all {
				status, body := f.send(t, "", entry{method: "GET", path: "/events/" + url.PathEscape(id), cred: c.cred})
				if sees := slices.Contains(c.sees, id); (status == http.StatusOK) != sees {
					t.Errorf("GET /events/%s: %d, want 200 only if the reader sees it (sees: %v): %.200s", id, status, sees, body)
				}
			}
		})
	}
}
