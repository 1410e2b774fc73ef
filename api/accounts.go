package api

import (
	"bytes"
	_ "embed" // the sign-in page template
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/store"
)

// sessionCookie carries a signed-in browser's session secret.
const sessionCookie = "zhuisu_session"

// crossOrigin refuses cross-site unsafe requests by Sec-Fetch-Site, or Origin against Host.
var crossOrigin = http.NewCrossOriginProtection()

// sameOrigin guards what a session cookie authorises. A cookie is sent by the browser on
// any site's request, so a write carried by one must come from a page of this node. A
// browser names the request's origin (Sec-Fetch-Site or Origin); a request naming none
// is not from a current browser and must use a bearer token instead.
func sameOrigin(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
		return zhuisu.Errorf(zhuisu.EForbidden, "a request signed in by cookie must come from this site's pages (no Origin or Sec-Fetch-Site header); API clients use a bearer token")
	}
	if err := crossOrigin.Check(r); err != nil {
		return zhuisu.Wrap(err, zhuisu.EForbidden, "cross-site request refused")
	}
	return nil
}

// sessionPrincipal authenticates a request by its session cookie.
func (s *Server) sessionPrincipal(r *http.Request) (*auth.Principal, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, false, nil
	}
	if err := sameOrigin(r); err != nil {
		return nil, true, err
	}
	p, err := s.Auth.AuthenticateSession(r.Context(), c.Value)
	return p, true, err
}

// principal authenticates a route that does so itself (the account routes, whose rules
// are the auth service's).
func (s *Server) principal(r *http.Request) (*auth.Principal, error) { return s.authenticate(r) }

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, secret string) {
	// No Expires: the cookie ends with the browser, and the server ends the session at the
	// idle or absolute timeout whatever the browser keeps.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.SecureCookies})
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.SecureCookies})
}

// noStore marks an answer that carries a secret or a person's account.
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// MeView is who a request acts as.
type MeView struct {
	UserID     string `json:"userID,omitempty"`
	TokenID    string `json:"tokenID,omitempty"`
	Name       string `json:"name,omitempty"`
	Role       string `json:"role"`
	Subject    string `json:"subject,omitempty"`
	Department string `json:"department,omitempty"`
	Region     string `json:"region,omitempty"`
	// ExpiresAt is the session's absolute end, on sign-in.
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

func meView(p *auth.Principal) MeView {
	return MeView{UserID: p.UserID, TokenID: p.TokenID, Name: p.Name, Role: p.Role, Subject: p.Subject, Department: p.Department, Region: p.Region}
}

// UserView is an account as the API shows it: never its password hash or TOTP key.
type UserView struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	DisplayName    string     `json:"displayName,omitempty"`
	Role           string     `json:"role"`
	Department     string     `json:"department,omitempty"`
	Region         string     `json:"region,omitempty"`
	Subject        string     `json:"subject,omitempty"`
	TOTPRequired   bool       `json:"totpRequired"`
	TOTPEnrolled   bool       `json:"totpEnrolled"`
	Disabled       bool       `json:"disabled"`
	Locked         bool       `json:"locked"`
	LockedUntil    *time.Time `json:"lockedUntil,omitempty"`
	FailedAttempts int        `json:"failedAttempts"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

func (s *Server) userView(u *store.User) UserView {
	v := UserView{ID: u.ID, Name: u.Name, DisplayName: u.DisplayName, Role: u.Role, Department: u.Department, Region: u.Region,
		Subject: u.Subject, TOTPRequired: u.TOTPRequired, TOTPEnrolled: len(u.TOTPSecret) > 0, Disabled: u.Disabled,
		FailedAttempts: u.FailedAttempts, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	if s.Auth.Now().Before(u.LockedUntil) {
		t := u.LockedUntil
		v.Locked, v.LockedUntil = true, &t
	}
	return v
}

// IssuedView carries secrets shown once: a one-time password, an otpauth:// URI.
type IssuedView struct {
	User     *UserView `json:"user,omitempty"`
	Password string    `json:"password,omitempty"`
	TOTPURI  string    `json:"totpURI,omitempty"`
}

func (s *Server) issuedView(in *auth.Issued) IssuedView {
	v := IssuedView{Password: in.Password, TOTPURI: in.TOTPURI}
	if in.User != nil {
		uv := s.userView(in.User)
		v.User = &uv
	}
	return v
}

// LoginRequest is the body of POST /api/login.
type LoginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := crossOrigin.Check(r); err != nil {
		return zhuisu.Wrap(err, zhuisu.EForbidden, "cross-site sign-in refused")
	}
	var req LoginRequest
	if err := readJSON(w, r, &req, "a sign-in request {name, password, totp}"); err != nil {
		return err
	}
	in, err := s.Auth.Login(r.Context(), req.Name, req.Password, req.TOTP)
	if err != nil {
		return err
	}
	s.setSession(w, r, in.Secret)
	noStore(w)
	v := meView(in.Principal)
	v.ExpiresAt = &in.ExpiresAt
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(sessionCookie)
	if err == nil && c.Value != "" {
		if err := sameOrigin(r); err != nil {
			return err
		}
		if err := s.Auth.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSession(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	noStore(w)
	return writeJSON(w, http.StatusOK, meView(p))
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	users, err := s.Auth.Users(r.Context(), p)
	if err != nil {
		return err
	}
	views := make([]UserView, 0, len(users))
	for _, u := range users {
		views = append(views, s.userView(u))
	}
	noStore(w)
	return writeJSON(w, http.StatusOK, views)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	var req auth.NewUser
	if err := readJSON(w, r, &req, "a new user {name, displayName, role, department, region, subject}"); err != nil {
		return err
	}
	in, err := s.Auth.CreateUser(r.Context(), p, req)
	if err != nil {
		return err
	}
	noStore(w)
	w.Header().Set("Location", "/api/users/"+in.User.ID)
	return writeJSON(w, http.StatusCreated, s.issuedView(in))
}

// userAction runs one account change on {id} and answers with the account.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, do func(p *auth.Principal, id string) (*store.User, error)) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	u, err := do(p, r.PathValue("id"))
	if err != nil {
		return err
	}
	noStore(w)
	return writeJSON(w, http.StatusOK, s.userView(u))
}

func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, func(p *auth.Principal, id string) (*store.User, error) { return s.Auth.Unlock(r.Context(), p, id) })
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, func(p *auth.Principal, id string) (*store.User, error) {
		return s.Auth.SetDisabled(r.Context(), p, id, true)
	})
}

func (s *Server) enableUser(w http.ResponseWriter, r *http.Request) error {
	return s.userAction(w, r, func(p *auth.Principal, id string) (*store.User, error) {
		return s.Auth.SetDisabled(r.Context(), p, id, false)
	})
}

func (s *Server) setUserRole(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	var sc auth.Scope
	if err := readJSON(w, r, &sc, "a role {role, department, region, subject}"); err != nil {
		return err
	}
	in, err := s.Auth.SetRole(r.Context(), p, r.PathValue("id"), sc)
	if err != nil {
		return err
	}
	noStore(w)
	return writeJSON(w, http.StatusOK, s.issuedView(in))
}

// PasswordRequest changes one's own password; an empty body asks a security administrator's
// reset of someone else's.
type PasswordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

func (s *Server) userPassword(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	var req PasswordRequest
	if err := readJSON(w, r, &req, "a password change {current, new}"); err != nil {
		return err
	}
	noStore(w)
	if p.UserID != "" && p.UserID == id {
		if err := s.Auth.ChangePassword(r.Context(), p, id, req.Current, req.New); err != nil {
			var e *zhuisu.Error
			if errors.As(err, &e) && e.Field == "password" {
				e.Field = "new" // the request's name for it
			}
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	// Someone else's password is only reset, to a one-time password: a chosen one in the
	// body would be silently ignored, so it is refused.
	if req.Current != "" || req.New != "" {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "new", Message: "current and new change one's own password; resetting another account's takes an empty body {} and returns a one-time password"}
	}
	in, err := s.Auth.ResetPassword(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.issuedView(in))
}

// TOTPRequest confirms one's own pending enrolment with a code; without one it starts
// an enrolment (oneself) or replaces the key (a security administrator, for someone else).
type TOTPRequest struct {
	Code string `json:"code"`
}

func (s *Server) userTOTP(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	var req TOTPRequest
	if err := readJSON(w, r, &req, "a TOTP enrolment {code}"); err != nil {
		return err
	}
	noStore(w)
	if p.UserID != "" && p.UserID == id {
		if req.Code != "" {
			if err := s.Auth.ConfirmTOTP(r.Context(), p, id, req.Code); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		uri, err := s.Auth.BeginTOTP(r.Context(), p, id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, IssuedView{TOTPURI: uri})
	}
	if req.Code != "" {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "code", Message: "a code confirms one's own enrolment; replacing another account's key takes an empty body {}"}
	}
	in, err := s.Auth.ResetTOTP(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.issuedView(in))
}

//go:embed templates/login.html
var loginHTML string

var loginTemplate = template.Must(template.New("login").Parse(loginHTML))

// loginPage is the data of the sign-in page.
type loginPage struct {
	Name  string
	Error string
	// Next is the local path to go to once signed in.
	Next string
}

// localPath returns p when it is a path on this server ("/trace?code=…"), "/" otherwise:
// a sign-in must not send the browser elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

func (s *Server) renderLogin(w http.ResponseWriter, status int, page loginPage) error {
	var buf bytes.Buffer
	if err := loginTemplate.Execute(&buf, page); err != nil {
		return zhuisu.Wrap(err, zhuisu.EInternal, "render sign-in page")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	noStore(w)
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLogin(w, http.StatusOK, loginPage{Next: localPath(r.URL.Query().Get("next"))})
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if err := crossOrigin.Check(r); err != nil {
		return zhuisu.Wrap(err, zhuisu.EForbidden, "cross-site sign-in refused")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return s.renderLogin(w, http.StatusBadRequest, loginPage{Error: "The form could not be read. 表单无法读取。"})
	}
	name := r.PostForm.Get("name")
	in, err := s.Auth.Login(r.Context(), name, r.PostForm.Get("password"), r.PostForm.Get("totp"))
	if zhuisu.IsCode(err, zhuisu.EUnauthorized) {
		return s.renderLogin(w, http.StatusUnauthorized, loginPage{Name: name, Next: localPath(r.PostForm.Get("next")),
			Error: "登录失败:用户名、密码或动态码错误,或账户已锁定/停用。Sign-in failed: the name, password or code is wrong, or the account is locked or disabled."})
	}
	if err != nil {
		return err
	}
	s.setSession(w, r, in.Secret)
	noStore(w)
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}
