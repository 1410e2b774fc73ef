package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/audit"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/persons"
	"github.com/zhuisu/zhuisu/query"
	"github.com/zhuisu/zhuisu/registry"
	"github.com/zhuisu/zhuisu/store/sqlite"
)

// registryNode is a real API server with the registry wired as cmd/zhuisu wires it.
type registryNode struct {
	*node
	st      *sqlite.DB
	auditor string
}

func newRegistryNode(t *testing.T) *registryNode {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "zhuisu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := auth.New(st)
	admin, _, err := a.Issue(ctx, auth.RoleAdmin, "", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	auditor, _, err := a.Issue(ctx, auth.RoleAuditor, "", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	au := audit.New(st, nil)
	key, err := persons.LoadKey(filepath.Join(dir, "person.key"))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := persons.New(st, au, key, "")
	if err != nil {
		t.Fatal(err)
	}
	ps.Scopes = access.New(st)
	reg := registry.New(st, a, au)
	s := &api.Server{Store: st, Capture: &capture.Service{Store: st, Now: capture.New(st).Now, Registry: reg, Persons: ps, Holders: access.New(st)},
		Query: query.New(st, []byte("k")), Auth: a, Registry: reg, Persons: ps, Audit: au,
		Limits: api.DefaultLimits, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &registryNode{node: &node{srv: srv, token: admin}, st: st, auditor: auditor}
}

// as returns the node speaking with another token.
func (n *registryNode) as(token string) *node { return &node{srv: n.srv, token: token} }

const (
	flowUSCC  = "91350100M000100Y43"
	otherUSCC = "91350200M000100Y48"
	ownGLN    = "https://id.gs1.org/414/6901234000016"
	otherGLN  = "https://id.gs1.org/414/6901234000023"
)

func eventDoc(location, extra string) []byte {
	return []byte(`{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"EPCISDocument","schemaVersion":"2.0",
"creationDate":"2026-05-01T08:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-05-01T08:00:00+08:00",
"eventTimeZoneOffset":"+08:00","epcList":["https://id.gs1.org/01/09521234543213/21/A1"],"action":"OBSERVE","bizStep":"retail_selling",
"bizLocation":{"id":"` + location + `"}` + extra + `}]}}`)
}

func mustStatus(t *testing.T, what string, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, want, body)
	}
}

func TestRegistryFlowFromRegistrationToCapture(t *testing.T) {
	n := newRegistryNode(t)
	ctx := context.Background()

	resp, body := n.do(t, "POST", "/api/subjects", "application/json",
		[]byte(`{"uscc":"91350100M000100Y44","name":"X","region":"350102","roles":["retailer"],"sectors":["agri-inputs"],"locations":[]}`))
	mustStatus(t, "bad uscc", resp, body, http.StatusBadRequest)
	var prob api.Problem
	if err := json.Unmarshal(body, &prob); err != nil || prob.Field != "uscc" {
		t.Fatalf("bad uscc: problem %s does not name field uscc", body)
	}
	resp, body = n.do(t, "POST", "/api/subjects", "application/json",
		[]byte(`{"uscc":"`+flowUSCC+`","name":"X","region":"110101","roles":["retailer"],"sectors":["agri-inputs"],"locations":[]}`))
	mustStatus(t, "region outside Fujian", resp, body, http.StatusBadRequest)
	if json.Unmarshal(body, &prob); prob.Field != "region" {
		t.Fatalf("bad region: problem %s does not name field region", body)
	}

	for _, sub := range []struct{ uscc, region, gln string }{{flowUSCC, "350102", ownGLN}, {otherUSCC, "350203", otherGLN}} {
		resp, body = n.do(t, "POST", "/api/subjects", "application/json", []byte(fmt.Sprintf(
			`{"uscc":"%s","name":"农资店","region":"%s","roles":["dealer","retailer"],"sectors":["agri-inputs"],"locations":["%s"],
"licences":[{"number":"农药经营许可证 F35010220260001","kind":"pesticide-dealing","validTo":"2031-05-01T00:00:00Z"}]}`, sub.uscc, sub.region, sub.gln)))
		mustStatus(t, "register "+sub.uscc, resp, body, http.StatusCreated)
	}
	resp, body = n.do(t, "POST", "/api/subjects/"+flowUSCC+"/tokens", "", nil)
	mustStatus(t, "token before approval", resp, body, http.StatusConflict)
	resp, body = n.do(t, "POST", "/api/subjects/"+flowUSCC+"/status", "application/json", []byte(`{"action":"approve","reason":"备案材料齐全"}`))
	mustStatus(t, "approve", resp, body, http.StatusOK)
	var sv api.SubjectView
	if err := json.Unmarshal(body, &sv); err != nil || sv.Status != "approved" || len(sv.History) != 2 || len(sv.Licences) != 1 {
		t.Fatalf("approved subject: %s", body)
	}
	resp, body = n.do(t, "POST", "/api/subjects/"+flowUSCC+"/tokens", "", nil)
	mustStatus(t, "issue token", resp, body, http.StatusCreated)
	var issued struct {
		Token string `json:"token"`
		ID    string `json:"id"`
	}
	if err := json.Unmarshal(body, &issued); err != nil || !strings.HasPrefix(issued.Token, "zs_") {
		t.Fatalf("issued token: %s", body)
	}
	shop := n.as(issued.Token)

	// At its own location: captured, with the subject as the responsible party.
	resp, body = shop.do(t, "POST", "/capture", "application/ld+json", eventDoc(ownGLN, ""))
	mustStatus(t, "capture at own location", resp, body, http.StatusAccepted)
	var job api.JobView
	if err := json.Unmarshal(body, &job); err != nil || len(job.EventIDs) != 1 {
		t.Fatalf("capture answer: %s", body)
	}
	ev, err := n.st.Event(ctx, job.EventIDs[0])
	if err != nil || ev.Subject != flowUSCC {
		t.Fatalf("stored event subject %q, %v; want %s", ev.Subject, err, flowUSCC)
	}
	// At another subject's location: refused, nothing stored.
	resp, body = shop.do(t, "POST", "/capture", "application/ld+json", eventDoc(otherGLN, ""))
	mustStatus(t, "capture at a foreign location", resp, body, http.StatusForbidden)
	if json.Unmarshal(body, &prob); prob.Field != "epcisBody.eventList[0].bizLocation.id" {
		t.Fatalf("foreign location: problem %s does not name the field", body)
	}
	if n, _ := n.st.CountEvents(ctx); n != 1 {
		t.Fatalf("%d events stored, want 1", n)
	}

	// A real-name buyer: registered once, referenced by events, unmasked only by a regulator.
	resp, body = shop.do(t, "POST", "/api/persons", "application/json", []byte(`{"name":"林晓梅","idNumber":"350102199001011238","phone":"13905910000"}`))
	mustStatus(t, "register person", resp, body, http.StatusCreated)
	var pr api.PersonRefView
	if err := json.Unmarshal(body, &pr); err != nil || !strings.HasPrefix(pr.Ref, persons.RefPrefix) {
		t.Fatalf("person ref: %s", body)
	}
	buyer := `,"destinationList":[{"type":"owning_party","destination":"` + pr.Ref + `"}]`
	resp, body = shop.do(t, "POST", "/capture", "application/ld+json", eventDoc(ownGLN, buyer))
	mustStatus(t, "capture with the person's ref", resp, body, http.StatusAccepted)
	made := `,"destinationList":[{"type":"owning_party","destination":"` + persons.RefPrefix + `aaaaaaaaaaaaaaaaaaaaaaaaaa"}]`
	resp, body = shop.do(t, "POST", "/capture", "application/ld+json", eventDoc(ownGLN, made))
	mustStatus(t, "capture with a made-up ref", resp, body, http.StatusBadRequest)
	resp, body = n.do(t, "POST", "/api/persons/"+pr.Ref+"/unmask", "application/json", []byte(`{"reason":"curious"}`))
	mustStatus(t, "unmask by the administrator", resp, body, http.StatusForbidden)

	// The audit log: the auditor's alone.
	resp, body = n.do(t, "GET", "/api/audit", "", nil)
	mustStatus(t, "audit read by the administrator", resp, body, http.StatusForbidden)
	resp, body = n.as(n.auditor).do(t, "GET", "/api/audit?perPage=1000", "", nil)
	mustStatus(t, "audit read by the auditor", resp, body, http.StatusOK)
	var recs []api.AuditRecordView
	if err := json.Unmarshal(body, &recs); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.Action+"/"+r.Result] = true
		if strings.Contains(r.Detail+r.Object, "350102199001011238") || strings.Contains(r.Detail+r.Object, "林晓梅") {
			t.Errorf("audit record %d holds the person in clear: %+v", r.Seq, r)
		}
	}
	for _, want := range []string{"subject.register/ok", "subject.status/ok", "token.issue/ok", "person.register/ok",
		"unmask/denied", "authorisation/denied", "audit.read/ok"} {
		if !seen[want] {
			t.Errorf("no %s record in the audit log: %v", want, seen)
		}
	}

	// Revoked, the token captures no more.
	resp, body = n.do(t, "DELETE", "/api/tokens/"+issued.ID, "", nil)
	mustStatus(t, "revoke token", resp, body, http.StatusNoContent)
	resp, body = shop.do(t, "POST", "/capture", "application/ld+json", eventDoc(ownGLN, ""))
	mustStatus(t, "capture with a revoked token", resp, body, http.StatusUnauthorized)
}

func TestCatalogueAndDepartmentsArePublic(t *testing.T) {
	n := newRegistryNode(t)
	anon := n.as("")
	resp, body := anon.do(t, "GET", "/api/catalogue?department=drugs", "", nil)
	mustStatus(t, "catalogue", resp, body, http.StatusOK)
	var classes []api.CatalogueView
	if err := json.Unmarshal(body, &classes); err != nil || len(classes) == 0 {
		t.Fatalf("catalogue: %s", body)
	}
	for _, c := range classes {
		if c.Department != "drugs" {
			t.Fatalf("class %s of %s in the drugs catalogue", c.ID, c.Department)
		}
	}
	resp, body = anon.do(t, "GET", "/api/catalogue?department=nobody", "", nil)
	mustStatus(t, "unknown department", resp, body, http.StatusBadRequest)
	resp, body = anon.do(t, "GET", "/api/departments", "", nil)
	mustStatus(t, "departments", resp, body, http.StatusOK)
	var depts []api.DepartmentView
	if err := json.Unmarshal(body, &depts); err != nil || len(depts) != 11 {
		t.Fatalf("departments: %s", body)
	}
}
