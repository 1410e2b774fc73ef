package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/zhuisu/zhuisu"
)

// defaultKind is the EPCIS exception name for an error that did not name one.
var defaultKind = map[zhuisu.Code]string{
	zhuisu.ENotFound:     "NoSuchResourceException",
	zhuisu.EInvalid:      "ValidationException",
	zhuisu.EConflict:     "ValidationException",
	zhuisu.EUnauthorized: "SecurityException",
	zhuisu.EForbidden:    "SecurityException",
	zhuisu.ETooLarge:     "CaptureLimitExceededException",
	zhuisu.EUnavailable:  "ImplementationException",
	zhuisu.EInternal:     "ImplementationException",
}

// Problem is an RFC 7807 problem document in the EPCIS 2.0 REST binding's shape.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Field says where in the request the problem is (a JSON path or a parameter name).
	Field string `json:"field,omitempty"`
	// CaptureID is the failed capture job, when the error belongs to one.
	CaptureID string `json:"captureID,omitempty"`
}

// ProblemOf builds the problem document for err.
func ProblemOf(err error) Problem {
	code := zhuisu.ErrorCode(err)
	p := Problem{Status: zhuisu.HTTPStatus(code), Title: zhuisu.ErrorMessage(err)}
	kind := defaultKind[code]
	var ze *zhuisu.Error
	if errors.As(err, &ze) {
		if ze.Kind != "" {
			kind = ze.Kind
		}
		p.Field = ze.Field
	}
	p.Type = "epcisException:" + kind
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	return p
}

func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	p.Instance = r.URL.Path
	b, _ := json.Marshal(p)
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="zhuisu"`)
	}
	w.WriteHeader(p.Status)
	w.Write(append(b, '\n'))
}

// fail writes err as a problem document and logs what the user does not see.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemOf(err)
	var cid interface{ CaptureJobID() string }
	if errors.As(err, &cid) {
		p.CaptureID = cid.CaptureJobID()
	}
	if p.Status >= 500 {
		s.Log.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	writeProblem(w, r, p)
}
