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
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/query"
)

// accountsNode is an API server over a fresh SQLite file with a fake clock.
type accountsNode struct {
	srv        *httptest.Server
	auth       *auth.Service
	now        time.Time
	adminToken string
}

func newAccountsNode(t *testing.T, secureCookies bool) *accountsNode {
	t.Helper()
	ctx := context.Background()
	st, _ := testkit.SQLite(t)
	n := &accountsNode{now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	a := auth.New(st)
	a.Now = func() time.Time { return n.now }
	a.TOTPKey = make([]byte, 32)
	a.Argon2 = auth.Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	n.auth = a
	var err error
	if n.adminToken, _, err = a.Issue(ctx, auth.RoleAdmin, "", "test", nil); err != nil {
		t.Fatal(err)
	}
	s := &api.Server{Store: st, Capture: capture.New(st), Query: query.New(st, []byte("k")), Auth: a, SecureCookies: secureCookies,
		Limits: api.DefaultLimits, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	n.srv = httptest.NewServer(s.Handler())
	t.Cleanup(n.srv.Close)
	return n
}

// account creates a user at the console and returns its password and TOTP key.
func (n *accountsNode) account(t *testing.T, name string, sc auth.Scope) (string, []byte) {
	t.Helper()
	in, err := n.auth.CreateUser(context.Background(), auth.ConsolePrincipal(), auth.NewUser{Name: name, Scope: sc})
	if err != nil {
		t.Fatal(err)
	}
	var key []byte
	if in.TOTPURI != "" {
		u, _ := url.Parse(in.TOTPURI)
		key, _ = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	}
	return in.Password, key
}

type call struct {
	method, path string
	body         any
	headers      map[string]string
	cookie       *http.Cookie
}

func (n *accountsNode) do(t *testing.T, c call) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader = http.NoBody
	if c.body != nil {
		b, _ := json.Marshal(c.body)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(c.method, n.srv.URL+c.path, body)
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (n *accountsNode) sameSite() map[string]string { return map[string]string{"Origin": n.srv.URL} }

// login signs in through the API and returns the session cookie.
func (n *accountsNode) login(t *testing.T, name, password string, key []byte) *http.Cookie {
	t.Helper()
	code := ""
	if key != nil {
		code = auth.TOTPCode(key, n.now)
	}
	resp, body := n.do(t, call{method: "POST", path: "/api/login", headers: n.sameSite(),
		body: api.LoginRequest{Name: name, Password: password, TOTP: code}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: %d %s", name, resp.StatusCode, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "zhuisu_session" {
			return c
		}
	}
	t.Fatalf("login %s set no session cookie", name)
	return nil
}

func TestLoginSetsAStrictHttpOnlyCookieThatAuthenticatesMe(t *testing.T) {
	n := newAccountsNode(t, false)
	pw, key := n.account(t, "li.hua", auth.Scope{Role: auth.RoleRegulator, Department: "market", Region: "350102"})
	c := n.login(t, "li.hua", pw, key)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure {
		t.Fatalf("cookie HttpOnly=%v SameSite=%v Secure=%v, want HttpOnly, Strict, not Secure on plain HTTP", c.HttpOnly, c.SameSite, c.Secure)
	}
	resp, body := n.do(t, call{method: "GET", path: "/api/me", cookie: c})
	var me api.MeView
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &me) != nil {
		t.Fatalf("/api/me: %d %s", resp.StatusCode, body)
	}
	if me.Role != auth.RoleRegulator || me.Name != "li.hua" || me.Region != "350102" {
		t.Fatalf("/api/me: %+v", me)
	}
	if resp, _ := n.do(t, call{method: "GET", path: "/api/me"}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/api/me without a cookie: %d", resp.StatusCode)
	}
}

func TestSecureCookiesFlagMarksTheCookieSecure(t *testing.T) {
	n := newAccountsNode(t, true)
	pw, _ := n.account(t, "operator", auth.Scope{Role: auth.RoleEnterprise, Subject: "91350100M000100Y43"})
	if c := n.login(t, "operator", pw, nil); !c.Secure {
		t.Fatal("cookie not Secure with -secure-cookies")
	}
}

func TestLoginWithAWrongTOTPIsUnauthorized(t *testing.T) {
	n := newAccountsNode(t, false)
	pw, key := n.account(t, "aud1", auth.Scope{Role: auth.RoleAuditor})
	wrong := "000000"
	if auth.TOTPCode(key, n.now) == wrong {
		wrong = "111111"
	}
	resp, body := n.do(t, call{method: "POST", path: "/api/login", headers: n.sameSite(), body: api.LoginRequest{Name: "aud1", Password: pw, TOTP: wrong}})
	if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong TOTP: %d %s, cookies %v", resp.StatusCode, body, resp.Cookies())
	}
}

func TestCookieWritesMustComeFromThisSite(t *testing.T) {
	n := newAccountsNode(t, false)
	pw, key := n.account(t, "sec1", auth.Scope{Role: auth.RoleSecurity})
	c := n.login(t, "sec1", pw, key)
	newUser := auth.NewUser{Name: "reg1", Scope: auth.Scope{Role: auth.RoleRegulator, Department: "market", Region: "350102"}}
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"OtherOriginIsForbidden", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"CrossSiteFetchIsForbidden", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"NoOriginAtAllIsForbidden", nil, http.StatusForbidden},
		{"SameOriginIsAllowed", map[string]string{"Origin": n.srv.URL}, http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := n.do(t, call{method: "POST", path: "/api/users", body: newUser, headers: tc.headers, cookie: c})
			if resp.StatusCode != tc.want {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, body, tc.want)
			}
		})
	}
}

func TestSecurityAdministratorCreatesARegulatorAndAdminCannot(t *testing.T) {
	n := newAccountsNode(t, false)
	pw, key := n.account(t, "sec1", auth.Scope{Role: auth.RoleSecurity})
	c := n.login(t, "sec1", pw, key)
	newUser := auth.NewUser{Name: "reg1", DisplayName: "王监管", Scope: auth.Scope{Role: auth.RoleRegulator, Department: "market", Region: "350102"}}

	resp, body := n.do(t, call{method: "POST", path: "/api/users", body: newUser, headers: map[string]string{"Authorization": "Bearer " + n.adminToken}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("admin token creating a user: %d %s, want 403", resp.StatusCode, body)
	}
	resp, body = n.do(t, call{method: "POST", path: "/api/users", body: newUser, headers: n.sameSite(), cookie: c})
	var issued api.IssuedView
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &issued) != nil {
		t.Fatalf("security creating a regulator: %d %s", resp.StatusCode, body)
	}
	if issued.Password == "" || !strings.HasPrefix(issued.TOTPURI, "otpauth://totp/") || issued.User.Role != auth.RoleRegulator || !issued.User.TOTPEnrolled {
		t.Fatalf("issued %+v", issued)
	}
	u, _ := url.Parse(issued.TOTPURI)
	regKey, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	reg := n.login(t, "reg1", issued.Password, regKey)

	resp, body = n.do(t, call{method: "GET", path: "/api/users", cookie: c})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"reg1"`) {
		t.Fatalf("list users: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "argon2") || strings.Contains(string(body), "secret") {
		t.Fatalf("user list leaks a credential: %s", body)
	}
	if resp, body := n.do(t, call{method: "GET", path: "/api/users", cookie: reg}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("regulator listing users: %d %s, want 403", resp.StatusCode, body)
	}
	// The security administrator disables the regulator: its session ends at once.
	resp, body = n.do(t, call{method: "POST", path: "/api/users/" + issued.User.ID + "/disable", headers: n.sameSite(), cookie: c})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"disabled":true`) {
		t.Fatalf("disable: %d %s", resp.StatusCode, body)
	}
	if resp, _ := n.do(t, call{method: "GET", path: "/api/me", cookie: reg}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled user's session: %d, want 401", resp.StatusCode)
	}
}

func TestAuditorAndSecurityAdministratorCannotWriteData(t *testing.T) {
	n := newAccountsNode(t, false)
	for _, role := range []string{auth.RoleAuditor, auth.RoleSecurity} {
		pw, key := n.account(t, role+"1", auth.Scope{Role: role})
		c := n.login(t, role+"1", pw, key)
		for _, path := range []string{"/capture", "/api/codes/issue", "/queries", "/api/recalls"} {
			resp, body := n.do(t, call{method: "POST", path: path, body: map[string]any{}, headers: n.sameSite(), cookie: c})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d %s, want 403", role, path, resp.StatusCode, body)
			}
		}
	}
	// The same route with the administrator's token gets past authorisation (and fails
	// later, on the empty body), so the 403s above are the role's.
	resp, _ := n.do(t, call{method: "POST", path: "/queries", body: map[string]any{}, headers: map[string]string{"Authorization": "Bearer " + n.adminToken}})
	if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized {
		t.Fatalf("admin POST /queries: %d", resp.StatusCode)
	}
}

func TestSessionCookieStopsWorkingAfterIdleTimeoutAndLogout(t *testing.T) {
	n := newAccountsNode(t, false)
	pw, _ := n.account(t, "operator", auth.Scope{Role: auth.RoleEnterprise, Subject: "91350100M000100Y43"})
	c := n.login(t, "operator", pw, nil)
	n.now = n.now.Add(auth.DefaultIdleTimeout + time.Minute)
	if resp, _ := n.do(t, call{method: "GET", path: "/api/me", cookie: c}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("idle session: %d, want 401", resp.StatusCode)
	}
	c = n.login(t, "operator", pw, nil)
	resp, _ := n.do(t, call{method: "POST", path: "/api/logout", headers: n.sameSite(), cookie: c})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := n.do(t, call{method: "GET", path: "/api/me", cookie: c}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after logout: %d, want 401", resp.StatusCode)
	}
}

func TestLoginPageSignsInAndEscapesWhatItEchoes(t *testing.T) {
	n := newAccountsNode(t, false)
	pw, _ := n.account(t, "operator", auth.Scope{Role: auth.RoleEnterprise, Subject: "91350100M000100Y43"})
	resp, body := n.do(t, call{method: "GET", path: "/login"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "用户名") || !strings.Contains(string(body), `name="password"`) ||
		strings.Contains(string(body), "<script") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("GET /login: %d %s", resp.StatusCode, body)
	}
	post := func(form url.Values) (*http.Response, []byte) {
		req, _ := http.NewRequest("POST", n.srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", n.srv.URL)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, body = post(url.Values{"name": {`"><script>alert(1)</script>`}, "password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized || strings.Contains(string(body), "<script>alert") || !strings.Contains(string(body), "&lt;script&gt;") {
		t.Fatalf("failed form sign-in: %d %s", resp.StatusCode, body)
	}
	resp, _ = post(url.Values{"name": {"operator"}, "password": {pw}})
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 || resp.Cookies()[0].Name != "zhuisu_session" {
		t.Fatalf("form sign-in: %d cookies %v", resp.StatusCode, resp.Cookies())
	}
	// A browser opening the trace page unsigned is sent to sign in and back, and only ever
	// back to a path on this server.
	resp, _ = n.do(t, call{method: "GET", path: "/trace?code=X", headers: map[string]string{"Accept": "text/html,*/*"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape("/trace?code=X") {
		t.Fatalf("unsigned trace page: %d to %q", resp.StatusCode, loc)
	}
	for next, want := range map[string]string{"/trace?code=X": "/trace?code=X", "https://evil.example/": "/", "//evil.example/": "/", `/\evil.example/`: "/"} {
		resp, _ = post(url.Values{"name": {"operator"}, "password": {pw}, "next": {next}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != want {
			t.Errorf("sign-in with next %q: %d to %q, want %q", next, resp.StatusCode, loc, want)
		}
	}
}

// A security administrator resets another account's password or TOTP key with an empty
// body; a chosen password or a code in the body would be ignored, so it is refused and
// the account keeps its password and key.
func TestResettingAnotherAccountRefusesABodyItWouldIgnore(t *testing.T) {
	n := newAccountsNode(t, false)
	pw, key := n.account(t, "sec1", auth.Scope{Role: auth.RoleSecurity})
	c := n.login(t, "sec1", pw, key)
	regPW, regKey := n.account(t, "reg1", auth.Scope{Role: auth.RoleRegulator, Department: "market", Region: "350102"})
	_, body := n.do(t, call{method: "GET", path: "/api/users", cookie: c})
	var users []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &users); err != nil {
		t.Fatalf("users: %v %s", err, body)
	}
	id := ""
	for _, u := range users {
		if u.Name == "reg1" {
			id = u.ID
		}
	}
	if id == "" {
		t.Fatalf("reg1 is not listed: %s", body)
	}
	for _, tc := range []struct {
		path  string
		body  map[string]string
		field string
	}{
		{"/password", map[string]string{"new": "a chosen password 123"}, "new"},
		{"/totp", map[string]string{"code": "123456"}, "code"},
	} {
		resp, body := n.do(t, call{method: "POST", path: "/api/users/" + id + tc.path, body: tc.body, headers: n.sameSite(), cookie: c})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"`+tc.field+`"`) {
			t.Errorf("POST %s %v: %d %s, want 400 naming %s", tc.path, tc.body, resp.StatusCode, body, tc.field)
		}
	}
	// Neither request changed the account: its password and key still sign in.
	if resp, _ := n.do(t, call{method: "GET", path: "/api/me", cookie: n.login(t, "reg1", regPW, regKey)}); resp.StatusCode != http.StatusOK {
		t.Fatalf("reg1 can no longer sign in with its password and key: %d", resp.StatusCode)
	}
}
