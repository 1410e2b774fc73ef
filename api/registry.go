package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/catalogue"
	"github.com/zhuisu/zhuisu/persons"
	"github.com/zhuisu/zhuisu/registry"
	"github.com/zhuisu/zhuisu/store"
)

// The registry of subjects, natural persons, the audit log and the catalogues. Who may
// do what is decided by the services from the principal; these handlers decode, call one
// service and encode.

// requestPrincipal returns the principal of a request: the one a write route
// authenticated, or, on a read route that needs one, from the request's token.
func (s *Server) requestPrincipal(r *http.Request) (*auth.Principal, error) {
	if p := PrincipalFrom(r.Context()); p != nil {
		return p, nil
	}
	return s.authenticate(r)
}

func (s *Server) registryReady() error {
	if s.Registry == nil || s.Persons == nil || s.Audit == nil {
		return zhuisu.Errorf(zhuisu.EUnavailable, "this server runs without the registry")
	}
	return nil
}

// SubjectView is the JSON form of a subject.
type SubjectView struct {
	USCC      string               `json:"uscc"`
	Name      string               `json:"name"`
	Region    string               `json:"region"`
	Roles     []string             `json:"roles"`
	Sectors   []string             `json:"sectors"`
	Licences  []store.Licence      `json:"licences"`
	Locations []string             `json:"locations"`
	Prefixes  []string             `json:"prefixes"`
	Status    store.SubjectStatus  `json:"status"`
	CreatedAt time.Time            `json:"createdAt"`
	UpdatedAt time.Time            `json:"updatedAt"`
	History   []store.StatusChange `json:"history,omitempty"`
}

func subjectView(sub *store.Subject) SubjectView {
	v := SubjectView{USCC: sub.USCC, Name: sub.Name, Region: sub.Region, Roles: sub.Roles, Sectors: sub.Sectors,
		Licences: sub.Licences, Locations: sub.Locations, Prefixes: sub.Prefixes, Status: sub.Status,
		CreatedAt: sub.CreatedAt, UpdatedAt: sub.UpdatedAt, History: sub.History}
	for _, l := range []*[]string{&v.Roles, &v.Sectors, &v.Locations, &v.Prefixes} {
		if *l == nil {
			*l = []string{}
		}
	}
	if v.Licences == nil {
		v.Licences = []store.Licence{}
	}
	return v
}

func (s *Server) postSubject(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	var reg registry.Registration
	if err := readJSON(w, r, &reg, "a subject registration"); err != nil {
		return err
	}
	sub, err := s.Registry.Register(r.Context(), PrincipalFrom(r.Context()), &reg)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/subjects/"+sub.USCC)
	return writeJSON(w, http.StatusCreated, subjectView(sub))
}

func (s *Server) listSubjects(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	p, err := s.requestPrincipal(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	perPage, err := perPageOf(q, 100, registry.MaxPage)
	if err != nil {
		return err
	}
	f := registry.Filter{Region: q.Get("region"), Sector: q.Get("sector"), Status: store.SubjectStatus(q.Get("status")),
		After: q.Get("nextPageToken"), Limit: perPage + 1}
	subs, err := s.Registry.Subjects(r.Context(), p, f)
	if err != nil {
		return err
	}
	views := []SubjectView{}
	for i, sub := range subs {
		if i == perPage {
			setNext(w, r, subs[i-1].USCC)
			break
		}
		views = append(views, subjectView(sub))
	}
	return writeJSON(w, http.StatusOK, views)
}

func (s *Server) getSubject(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	p, err := s.requestPrincipal(r)
	if err != nil {
		return err
	}
	sub, err := s.Registry.Subject(r.Context(), p, r.PathValue("uscc"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, subjectView(sub))
}

// StatusRequest is the body of a workflow action on a subject.
type StatusRequest struct {
	Action string `json:"action"` // approve, suspend, revoke, resubmit
	Reason string `json:"reason"`
}

func (s *Server) postSubjectStatus(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	var req StatusRequest
	if err := readJSON(w, r, &req, "a status change"); err != nil {
		return err
	}
	sub, err := s.Registry.Change(r.Context(), PrincipalFrom(r.Context()), r.PathValue("uscc"), req.Action, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, subjectView(sub))
}

// TokenRequest is the optional body of a token issuance.
type TokenRequest struct {
	Label string `json:"label"`
}

// IssuedTokenView is the answer to a token issuance: the secret, shown this once.
type IssuedTokenView struct {
	Token   string `json:"token"`
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Role    string `json:"role"`
}

func (s *Server) postSubjectToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	var req TokenRequest
	if r.ContentLength != 0 {
		if err := readJSON(w, r, &req, "a token request"); err != nil {
			return err
		}
	}
	secret, tok, err := s.Registry.IssueToken(r.Context(), PrincipalFrom(r.Context()), r.PathValue("uscc"), req.Label)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, IssuedTokenView{Token: secret, ID: tok.ID, Subject: tok.Subject, Role: tok.Role})
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	if err := s.Registry.RevokeToken(r.Context(), PrincipalFrom(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PersonRefView is the answer to a person registration.
type PersonRefView struct {
	Ref string `json:"ref"`
}

func (s *Server) postPerson(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	var in persons.Person
	if err := readJSON(w, r, &in, "a person"); err != nil {
		return err
	}
	ref, err := s.Persons.Register(r.Context(), PrincipalFrom(r.Context()), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, PersonRefView{Ref: ref})
}

// UnmaskRequest is the body of an unmasking: why it is needed, for the audit log.
type UnmaskRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) postUnmask(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	var req UnmaskRequest
	if err := readJSON(w, r, &req, "an unmasking request"); err != nil {
		return err
	}
	person, err := s.Persons.Unmask(r.Context(), PrincipalFrom(r.Context()), r.PathValue("ref"), req.Reason)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, person)
}

// AuditRecordView is the JSON form of an audit record.
type AuditRecordView struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Object string    `json:"object"`
	Result string    `json:"result"`
	Detail string    `json:"detail,omitempty"`
	Hash   []byte    `json:"hash"` // base64: the record's hash in the chain
}

func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) error {
	if err := s.registryReady(); err != nil {
		return err
	}
	p, err := s.requestPrincipal(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	perPage, err := perPageOf(v, 100, audit.MaxPage)
	if err != nil {
		return err
	}
	q := audit.Query{Actor: v.Get("actor"), Action: v.Get("action"), Limit: perPage + 1}
	if t := v.Get("nextPageToken"); t != "" {
		if q.From, err = strconv.ParseInt(t, 10, 64); err != nil || q.From < 0 {
			return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "nextPageToken", Message: "nextPageToken must be a record number"}
		}
	}
	for _, tp := range []struct {
		name string
		dst  *time.Time
	}{{"since", &q.Since}, {"until", &q.Before}} {
		if s := v.Get(tp.name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return &zhuisu.Error{Code: zhuisu.EInvalid, Field: tp.name, Message: tp.name + " must be an RFC 3339 time such as 2026-05-01T08:00:00+08:00"}
			}
			*tp.dst = t
		}
	}
	recs, err := s.Audit.Records(r.Context(), audit.Who(p.Role, p.Subject, p.UserID, p.TokenID), p.Role, q)
	if err != nil {
		return err
	}
	views := []AuditRecordView{}
	for i, rec := range recs {
		if i == perPage {
			setNext(w, r, strconv.FormatInt(rec.Seq, 10))
			break
		}
		views = append(views, AuditRecordView{Seq: rec.Seq, Time: rec.Time, Actor: rec.Actor, Action: rec.Action, Object: rec.Object,
			Result: rec.Result, Detail: rec.Detail, Hash: rec.Hash[:]})
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, views)
}

// CatalogueView is the JSON form of a class of a department's catalogue.
type CatalogueView struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	NameEN     string `json:"nameEN"`
	Department string `json:"department"`
	Sector     string `json:"sector"`
	Mandatory  bool   `json:"mandatory"`
	Profile    string `json:"profile"`
	Clause     string `json:"clause"`
}

func (s *Server) getCatalogue(w http.ResponseWriter, r *http.Request) error {
	classes := catalogue.Default()
	if d := r.URL.Query().Get("department"); d != "" {
		if _, ok := catalogue.DepartmentByID(d); !ok {
			return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "department", Message: "no department " + strconv.Quote(d) + ": see GET /api/departments"}
		}
		classes = catalogue.ByDepartment(d)
	}
	views := []CatalogueView{}
	for _, c := range classes {
		views = append(views, CatalogueView{ID: c.ID, Name: c.Name, NameEN: c.NameEN, Department: c.Department, Sector: c.Sector,
			Mandatory: c.Mandatory, Profile: c.Profile, Clause: c.Clause})
	}
	return writeJSON(w, http.StatusOK, views)
}

// DepartmentView is the JSON form of a department.
type DepartmentView struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	NameEN  string   `json:"nameEN"`
	Leads   bool     `json:"leads"` // leads at least one catalogue class (else co-responsible)
	Sectors []string `json:"sectors"`
}

func (s *Server) getDepartments(w http.ResponseWriter, r *http.Request) error {
	views := []DepartmentView{}
	add := func(d catalogue.Department, leads bool) {
		v := DepartmentView{ID: d.ID, Name: d.Name, NameEN: d.NameEN, Leads: leads, Sectors: []string{}}
		for _, c := range catalogue.ByDepartment(d.ID) {
			if len(v.Sectors) == 0 || v.Sectors[len(v.Sectors)-1] != c.Sector {
				v.Sectors = append(v.Sectors, c.Sector)
			}
		}
		views = append(views, v)
	}
	for _, d := range catalogue.Departments() {
		add(d, true)
	}
	for _, d := range catalogue.Supporting() {
		add(d, false)
	}
	return writeJSON(w, http.StatusOK, views)
}
