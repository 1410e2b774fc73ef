package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/issuance"
)

// IssuanceView is the answer to a code issuance.
type IssuanceView struct {
	ID        string            `json:"issuance"`
	Scheme    string            `json:"scheme"`
	Counter   string            `json:"counter"`
	First     int64             `json:"firstSerial"`
	Count     int               `json:"count"`
	CreatedAt time.Time         `json:"createdAt"`
	Codes     []issuance.Issued `json:"codes"`
}

// issueCodes draws codes. Whoever may record events may draw codes for them: an
// enterprise for itself (the issuance service checks whose codes they are), the platform
// administrator for anyone.
func (s *Server) issueCodes(w http.ResponseWriter, r *http.Request) error {
	if err := auth.MayRecord(PrincipalFrom(r.Context())); err != nil {
		return err
	}
	var req issuance.Request
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "ValidationException", Message: "the body is not a code request: " + err.Error()}
	}
	requester := ""
	if p := PrincipalFrom(r.Context()); p != nil {
		requester = p.Subject
	}
	iss, codes, err := s.Issuance.Issue(r.Context(), req, requester)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, IssuanceView{ID: iss.ID, Scheme: iss.Scheme, Counter: iss.Counter, First: iss.First,
		Count: iss.Count, CreatedAt: iss.CreatedAt, Codes: codes})
}
