package api

import (
	"net/http"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/trace"
)

// getTrace answers GET /api/trace?code=CODE&direction=backward|forward|both&depth=N&at=TIME.
func (s *Server) getTrace(w http.ResponseWriter, r *http.Request) error {
	if s.Trace == nil {
		return zhuisu.Errorf(zhuisu.ENotFound, "this server does not trace")
	}
	q := r.URL.Query()
	req, err := trace.ParseRequest(q.Get("code"), q.Get("direction"), q.Get("depth"), q.Get("at"))
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	res, err := s.Trace.TraceFor(r.Context(), sc, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
