package api

import (
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
	p, err := l.Proof(r.Context(), r.PathValue("eventID"))
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
