package api

import (
	"mime"
	"net/http"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/store"
)

// RecallRequest is the body of POST /api/recalls.
type RecallRequest struct {
	Codes  []string `json:"codes"`
	Reason string   `json:"reason"`
}

// recalls returns the recall service and what the request's principal may read.
func (s *Server) recalls(r *http.Request) (*recall.Service, *access.Scope, error) {
	if s.Recall == nil {
		return nil, nil, zhuisu.Errorf(zhuisu.ENotFound, "this server does not run recalls")
	}
	sc, err := s.scope(r)
	return s.Recall, sc, err
}

// recallSubject is who a recall records as its creator and as the author of holder
// changes: the enterprise, or the role with the user or token acting.
func recallSubject(r *http.Request) string {
	p := PrincipalFrom(r.Context())
	switch {
	case p == nil:
		return ""
	case p.Subject != "":
		return p.Subject
	case p.UserID != "":
		return p.Role + ":user/" + p.UserID
	}
	return p.Role + ":token/" + p.TokenID
}

// createRecall answers POST /api/recalls: 201 with the recall and its Location.
func (s *Server) createRecall(w http.ResponseWriter, r *http.Request) error {
	svc, sc, err := s.recalls(r)
	if err != nil {
		return err
	}
	var req RecallRequest
	if err := readJSON(w, r, &req, `a recall {"codes": [...], "reason": "..."}`); err != nil {
		return err
	}
	rc, err := svc.CreateFor(r.Context(), sc, recallSubject(r), req.Codes, req.Reason)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/recalls/"+rc.ID)
	return writeJSON(w, http.StatusCreated, rc)
}

// listRecalls answers GET /api/recalls, newest first, paged like /capture.
func (s *Server) listRecalls(w http.ResponseWriter, r *http.Request) error {
	svc, sc, err := s.recalls(r)
	if err != nil {
		return err
	}
	perPage, err := perPageOf(r.URL.Query(), 100, 1000)
	if err != nil {
		return err
	}
	list, err := svc.RecallsFor(r.Context(), sc, recallSubject(r), r.URL.Query().Get("nextPageToken"), perPage+1)
	if err != nil {
		return err
	}
	if len(list) > perPage {
		list = list[:perPage]
		setNext(w, r, list[perPage-1].ID)
	}
	for _, rc := range list {
		rc.Holders, rc.Identifiers = []*store.RecallHolder{}, []string{}
	}
	return writeJSON(w, http.StatusOK, list)
}

// getRecall answers GET /api/recalls/{id}: the recall with its holders.
func (s *Server) getRecall(w http.ResponseWriter, r *http.Request) error {
	svc, sc, err := s.recalls(r)
	if err != nil {
		return err
	}
	rc, err := svc.RecallFor(r.Context(), sc, recallSubject(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rc)
}

// updateRecallHolder answers POST /api/recalls/{id}/holders/{party...}. The party is the
// rest of the path, URL-escaped (url.PathEscape): unescaped, the "//" of a URI would make
// the router redirect, and a redirected POST loses its body.
func (s *Server) updateRecallHolder(w http.ResponseWriter, r *http.Request) error {
	svc, sc, err := s.recalls(r)
	if err != nil {
		return err
	}
	var u recall.HolderUpdate
	if err := readJSON(w, r, &u, `a holder update {"status", "quantity", "note"}`); err != nil {
		return err
	}
	h, err := svc.UpdateHolderFor(r.Context(), sc, recallSubject(r), r.PathValue("id"), r.PathValue("party"), u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h)
}

// closeRecall answers POST /api/recalls/{id}/close: the recall's flags stop warning.
func (s *Server) closeRecall(w http.ResponseWriter, r *http.Request) error {
	svc, sc, err := s.recalls(r)
	if err != nil {
		return err
	}
	rc, err := svc.CloseFor(r.Context(), sc, recallSubject(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rc)
}

// exportRecall answers GET /api/recalls/{id}/export?format=csv|xlsx|epcis as a download.
func (s *Server) exportRecall(w http.ResponseWriter, r *http.Request) error {
	svc, sc, err := s.recalls(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = recall.FormatCSV
	}
	x, err := svc.ExportFor(r.Context(), sc, recallSubject(r), r.PathValue("id"), format)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", x.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(x.Body)
	return err
}
