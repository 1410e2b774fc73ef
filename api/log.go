package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/tlog"
)

// The tamper-evident log's read surface: the checkpoint and the tiles in the C2SP
// tlog-tiles layout (so standard verifiers can read them), the log's public key, and
// proofs for events.

func (s *Server) logService() (*integrity.Service, error) {
	if s.Integrity == nil {
		return nil, zhuisu.Errorf(zhuisu.ENotFound, "this server keeps no tamper-evident log")
	}
	return s.Integrity, nil
}

func (s *Server) logCheckpoint(w http.ResponseWriter, r *http.Request) error {
	l, err := s.logService()
	if err != nil {
		return err
	}
	cp, err := l.Latest(r.Context())
	if err != nil {
		return err
	}
	if cp == nil {
		return zhuisu.Errorf(zhuisu.ENotFound, "the log has no checkpoint yet: it is made within a second of the first capture")
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	_, err = w.Write(cp.Note)
	return err
}

func (s *Server) logKey(w http.ResponseWriter, r *http.Request) error {
	l, err := s.logService()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = io.WriteString(w, l.PublicKey+"\n")
	return err
}

func (s *Server) logTile(w http.ResponseWriter, r *http.Request) error {
	l, err := s.logService()
	if err != nil {
		return err
	}
	data, full, err := l.Tile(r.Context(), "tile/"+r.PathValue("path"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	if full {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	_, err = w.Write(data)
	return err
}

func (s *Server) eventProof(w http.ResponseWriter, r *http.Request) error {
	l, err := s.logService()
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	p, err := l.ProofFor(r.Context(), sc, r.PathValue("eventID"))
	if err != nil {
		if zhuisu.IsCode(err, zhuisu.EUnavailable) {
			w.Header().Set("Retry-After", "1")
		}
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) logConsistency(w http.ResponseWriter, r *http.Request) error {
	l, err := s.logService()
	if err != nil {
		return err
	}
	from, err1 := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
	to, err2 := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
	if err1 != nil || err2 != nil {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "QueryParameterException", Field: "from", Message: "from and to must be tree sizes (whole numbers)"}
	}
	p, err := l.Consistency(r.Context(), from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		From  int64                 `json:"from"`
		To    int64                 `json:"to"`
		Proof tlog.ConsistencyProof `json:"proof"`
	}{from, to, p})
}

// witnessAddCheckpoint is the C2SP tlog-witness add-checkpoint endpoint. It needs no
// token: a checkpoint is accepted only when signed by a log this node follows.
func (s *Server) witnessAddCheckpoint(w http.ResponseWriter, r *http.Request) error {
	if s.Witness == nil {
		return zhuisu.Errorf(zhuisu.ENotFound, "this node is not a witness")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return zhuisu.Wrap(err, zhuisu.EInvalid, "cannot read the request")
	}
	lines, err := s.Witness.AddCheckpoint(r.Context(), body)
	var old *integrity.OldSizeError
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err = w.Write(lines)
		return err
	case errors.As(err, &old):
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		_, err = io.WriteString(w, strconv.FormatInt(old.Size, 10)+"\n")
		return err
	}
	status := 0
	switch {
	case errors.Is(err, tlog.ErrUnknownOrigin):
		status = http.StatusNotFound
	case errors.Is(err, tlog.ErrUnknownKey), errors.Is(err, tlog.ErrBadSignature):
		status = http.StatusForbidden
	case errors.Is(err, tlog.ErrBadProof), errors.Is(err, tlog.ErrInconsistent):
		status = http.StatusUnprocessableEntity
	}
	if status == 0 {
		return err
	}
	p := ProblemOf(err)
	p.Status = status
	writeProblem(w, r, p)
	return nil
}
