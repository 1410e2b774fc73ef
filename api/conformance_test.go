package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/query"
)

// corpus returns the conformance corpus path from ZHUISU_CONFORMANCE, skipping the test
// when it is unset (CI sets it and treats the skip as a failure).
func corpus(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ZHUISU_CONFORMANCE")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ZHUISU_CONFORMANCE is unset in CI")
		}
		t.Skip("ZHUISU_CONFORMANCE is unset: the conformance corpus tests need it")
	}
	return dir
}

// node is a real API server over a fresh SQLite file.
type node struct {
	srv   *httptest.Server
	token string
}

func newNode(t *testing.T) *node {
	t.Helper()
	ctx := context.Background()
	st, _ := testkit.SQLite(t)
	a := auth.New(st)
	token, _, err := a.Issue(ctx, auth.RoleAdmin, "", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &api.Server{Store: st, Capture: capture.New(st), Query: query.New(st, []byte("k")), Auth: a,
		Limits: api.DefaultLimits, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &node{srv: srv, token: token}
}

func (n *node) do(t *testing.T, method, path, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, n.srv.URL+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+n.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type validation struct {
	Set   string `json:"set"`
	File  string `json:"file"`
	Valid bool   `json:"valid"`
}

func readValidation(t *testing.T, path string) []validation {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v []validation
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// documentKind sniffs whether a file is an EPCIS event document at all (master-data and
// capture-job documents carry no events to capture).
func documentKind(b []byte, isXML bool) string {
	if isXML {
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			tok, err := d.Token()
			if err != nil {
				return ""
			}
			if se, ok := tok.(xml.StartElement); ok {
				return se.Name.Local
			}
		}
	}
	var head struct {
		Type string `json:"type"`
	}
	json.Unmarshal(b, &head)
	return head.Type
}

func contentType(isXML bool) string {
	if isXML {
		return "application/xml"
	}
	return "application/ld+json"
}

// TestConformanceGS1ExamplesAreCapturedAndReadBack captures every GS1 example document
// the schema accepts and reads each event back by eventID and by MATCH_anyEPC.
func TestConformanceGS1ExamplesAreCapturedAndReadBack(t *testing.T) {
	dir := corpus(t)
	base := filepath.Join(dir, "epcis")
	var files []validation
	files = append(files, readValidation(t, filepath.Join(base, "derived", "json_schema_validation.json"))...)
	files = append(files, readValidation(t, filepath.Join(base, "derived", "xsd_validation.json"))...)
	var accepted, skippedKinds, events, byID, byEPC, noEPC int
	for _, f := range files {
		if f.Set != "gs1-EPCIS" || !f.Valid || !(strings.HasPrefix(f.File, "JSON/") || strings.HasPrefix(f.File, "XML/")) {
			continue
		}
		path := filepath.Join(base, "gs1-EPCIS", f.File)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		isXML := strings.HasSuffix(f.File, ".xml")
		if k := documentKind(raw, isXML); k != "EPCISDocument" && k != "EPCISQueryDocument" {
			skippedKinds++
			continue
		}
		t.Run(f.File, func(t *testing.T) {
			n := newNode(t)
			resp, body := n.do(t, "POST", "/capture", contentType(isXML), raw)
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("capture: %s %s", resp.Status, body)
			}
			var job api.JobView
			if err := json.Unmarshal(body, &job); err != nil || !job.Success {
				t.Fatalf("job: %s", body)
			}
			resp, body = n.do(t, "GET", resp.Header.Get("Location"), "", nil)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"state":"SUCCESS"`) {
				t.Fatalf("GET job: %s %s", resp.Status, body)
			}
			accepted++
			// What the server should hold: the document decoded and normalised as capture does.
			var doc *epcis.Document
			if isXML {
				doc, err = epcis.DecodeXML(bytes.NewReader(raw), epcis.DefaultLimits)
			} else {
				doc, err = epcis.DecodeJSON(bytes.NewReader(raw), epcis.DefaultLimits)
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range doc.Events {
				events++
				if err := capture.Normalize(want); err != nil {
					t.Fatal(err)
				}
				id := job.EventIDs[i]
				resp, body := n.do(t, "GET", "/events/"+url.PathEscape(id), "", nil)
				if resp.StatusCode != 200 {
					t.Fatalf("event %d (%s): %s %s", i, id, resp.Status, body)
				}
				got, err := epcis.DecodeEventJSON(body)
				if err != nil {
					t.Fatalf("event %d read back does not decode: %v\n%s", i, err, body)
				}
				if err := sameEvent(want, got); err != "" {
					t.Fatalf("event %d (%s) read back differs: %s", i, id, err)
				}
				byID++
				epc := firstEPC(got)
				if epc == "" {
					noEPC++
					continue
				}
				resp, body = n.do(t, "GET", "/events?perPage=1000&MATCH_anyEPC="+url.QueryEscape(epc), "", nil)
				if resp.StatusCode != 200 || !strings.Contains(string(body), jsonString(id)) {
					t.Fatalf("MATCH_anyEPC=%s does not find event %s: %s %s", epc, id, resp.Status, body)
				}
				byEPC++
			}
		})
	}
	t.Logf("conformance: %d GS1 example documents accepted (%d files are not event documents), %d events read back by eventID, %d by MATCH_anyEPC (%d have no EPC)",
		accepted, skippedKinds, byID, byEPC, noEPC)
	if accepted == 0 {
		t.Fatal("no document was captured: the corpus was not found where expected")
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func firstEPC(e *epcis.Event) string {
	for _, l := range [][]string{e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList} {
		if len(l) > 0 {
			return l[0]
		}
	}
	return e.ParentID
}

// sameEvent compares what was captured with what was read back: equal in the stored
// form, once the server's own additions (eventID when absent, record time) are copied
// over. An event's declaration, if the same document declared it, may be merged in.
func sameEvent(want, got *epcis.Event) string {
	w := *want
	if w.EventID == "" {
		w.EventID = got.EventID
	}
	w.RecordTime = got.RecordTime
	if got.ErrorDeclaration != nil && w.ErrorDeclaration == nil {
		g := *got
		g.ErrorDeclaration = nil
		got = &g
	}
	a, b := epcis.AppendEventJSON(nil, &w), epcis.AppendEventJSON(nil, got)
	if !bytes.Equal(a, b) {
		return "\nwant " + string(a) + "\n got " + string(b)
	}
	return ""
}

// TestConformanceInvalidDocumentsAreRejected posts every deliberately invalid OpenEPCIS
// document and expects a problem document and nothing stored.
func TestConformanceInvalidDocumentsAreRejected(t *testing.T) {
	dir := corpus(t)
	root := filepath.Join(dir, "epcis", "openepcis-test-resources", "2.0", "EPCIS")
	var paths []string
	for _, syntax := range []string{"JSON", "XML"} {
		for _, sub := range []string{"Capture/Invalid", "Query/Invalid"} {
			m, _ := filepath.Glob(filepath.Join(root, syntax, sub, "*"))
			paths = append(paths, m...)
		}
	}
	rejected := 0
	for _, path := range paths {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			n := newNode(t)
			resp, body := n.do(t, "POST", "/capture", contentType(strings.HasSuffix(path, ".xml")), raw)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Fatalf("status %s, want a 4xx rejection: %s", resp.Status, body)
			}
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil || !strings.HasPrefix(p.Type, "epcisException:") || p.Title == "" {
				t.Fatalf("not a problem document: %s", body)
			}
			resp, body = n.do(t, "GET", "/events?perPage=10", "", nil)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"eventList":[]`) {
				t.Fatalf("events stored after a rejected document: %s", body)
			}
			rejected++
			t.Logf("%s: %s", p.Type, p.Title)
		})
	}
	t.Logf("conformance: %d/%d invalid OpenEPCIS documents rejected with nothing stored", rejected, len(paths))
	if len(paths) == 0 {
		t.Fatal("no invalid documents found")
	}
}

// TestConformanceQueryBodies saves OpenEPCIS query bodies as named queries: the valid one
// is created, the invalid ones are refused with a problem document.
func TestConformanceQueryBodies(t *testing.T) {
	dir := corpus(t)
	root := filepath.Join(dir, "epcis", "openepcis-test-resources", "2.0", "EPCIS", "JSON", "Query", "Queries")
	valid, _ := filepath.Glob(filepath.Join(root, "*.json"))
	invalid, _ := filepath.Glob(filepath.Join(root, "Invalid", "*.json"))
	if len(valid) == 0 || len(invalid) == 0 {
		t.Fatal("query bodies not found")
	}
	n := newNode(t)
	post := func(name, path string) (*http.Response, []byte) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(`{"name":` + jsonString(name) + `,"query":` + string(raw) + `}`)
		return n.do(t, "POST", "/queries", "application/json", body)
	}
	for i, path := range valid {
		if resp, body := post("q"+string(rune('a'+i)), path); resp.StatusCode != http.StatusCreated {
			t.Errorf("%s: %s %s", filepath.Base(path), resp.Status, body)
		}
	}
	for _, path := range invalid {
		resp, body := post("bad", path)
		var p api.Problem
		if resp.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &p) != nil || p.Type != "epcisException:QueryParameterException" {
			t.Errorf("%s: %s %s, want 400 QueryParameterException", filepath.Base(path), resp.Status, body)
		}
	}
	t.Logf("conformance: %d valid query bodies saved, %d invalid refused", len(valid), len(invalid))
}
