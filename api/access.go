package api

import (
	"net/http"
	"strings"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
)

// scope returns what the request's principal may read. Roles that read no events (the
// security administrator, the auditor, a regulator without a scope) are refused here with
// 403 rather than answered with an empty result.
func (s *Server) scope(r *http.Request) (*access.Scope, error) {
	p := PrincipalFrom(r.Context())
	if p == nil {
		return nil, zhuisu.Errorf(zhuisu.EUnauthorized, "this request needs an API token (Authorization: Bearer <token>) or a signed-in session")
	}
	svc := s.Access
	if svc == nil {
		svc = access.New(s.Store)
	}
	sc, err := svc.ScopeOf(r.Context(), p)
	if err != nil {
		return nil, err
	}
	if !sc.ReadsEvents() {
		return nil, zhuisu.Errorf(zhuisu.EForbidden, "the %s role reads no traceability records", p.Role)
	}
	return sc, nil
}

// adminOnly refuses everyone but the platform administrator: for resources that list
// values across every enterprise (the vocabularies in use, every capture job).
func adminOnly(r *http.Request) error {
	p := PrincipalFrom(r.Context())
	if p == nil {
		return zhuisu.Errorf(zhuisu.EUnauthorized, "this request needs an API token (Authorization: Bearer <token>) or a signed-in session")
	}
	if p.Role != auth.RoleAdmin {
		return zhuisu.Errorf(zhuisu.EForbidden, "only the platform administrator lists this resource: it spans every enterprise")
	}
	return nil
}

// auditRequest writes what the audit log must hold of a request once it has been
// answered: a refusal for want of a role or scope, a regulator's read of records, an
// export. Services that audit their own decisions (registry, persons, accounts, the audit
// log itself) are left to do so, so a refusal is not written twice.
func (s *Server) auditRequest(r *http.Request, rt Route, p *auth.Principal, err error) {
	if s.Audit == nil || p == nil {
		return
	}
	self := false
	for _, prefix := range []string{"/api/subjects", "/api/tokens", "/api/persons", "/api/users", "/api/audit"} {
		self = self || strings.Contains(rt.Pattern, " "+prefix)
	}
	who := audit.Who(p.Role, p.Subject, p.UserID, p.TokenID)
	object := r.URL.Path
	switch {
	case zhuisu.IsCode(err, zhuisu.EForbidden) && !self:
		s.Audit.Note(r.Context(), who, audit.ActionAuthorisation, object, audit.ResultDenied, zhuisu.ErrorMessage(err))
	case err == nil && strings.HasSuffix(rt.Pattern, "/export"):
		s.Audit.Note(r.Context(), who, audit.ActionExport, object, audit.ResultOK, r.URL.RawQuery)
	case err == nil && p.Role == auth.RoleRegulator && r.Method == http.MethodGet && rt.Access == Signed && !self:
		s.Audit.Note(r.Context(), who, audit.ActionRead, object, audit.ResultOK, r.URL.RawQuery)
	}
}
