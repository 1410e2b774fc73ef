package api

import (
	"net/http"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
)

// page hands a page route to the pages' handler, which answers its own errors (as pages
// for people, problem documents for JSON clients) and sets its own security headers.
func (s *Server) page(w http.ResponseWriter, r *http.Request) error {
	if s.Web == nil {
		return zhuisu.Errorf(zhuisu.ENotFound, "this server has no pages")
	}
	s.Web.ServeHTTP(w, r)
	return nil
}

// Scope says what the principal of a request may read, as the API's own read routes
// decide it: the pages' trace page asks it (web.Handler.SetScope).
func (s *Server) Scope(r *http.Request) (*access.Scope, error) { return s.scope(r) }
