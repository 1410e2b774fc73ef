package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/workload"
)

// testServer is a real server on a random port over a SQLite file in a temporary dir.
type testServer struct {
	URL   string
	Token string
	Dir   string
	stop  func()
}

func startServer(t *testing.T, mod func(c *Config)) *testServer {
	t.Helper()
	dir := t.TempDir()
	c := &Config{DataDir: dir, Limits: api.DefaultLimits, ShutdownTimeout: 5 * time.Second}
	if mod != nil {
		mod(c)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, ln, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	token, err := waitToken(filepath.Join(dir, "admin-token"), done)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &testServer{URL: "http://" + ln.Addr().String(), Token: token, Dir: dir}
	var once bool
	s.stop = func() {
		if once {
			return
		}
		once = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	}
	t.Cleanup(s.stop)
	return s
}

func (s *testServer) do(t *testing.T, method, path, contentType string, body []byte, auth bool) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func docJSON(t *testing.T, events []*epcis.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := epcis.EncodeJSON(&buf, events); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func countEvents(t *testing.T, s *testServer, params string) int {
	t.Helper()
	resp, body := s.do(t, "GET", "/events?perPage=1000&"+params, "", nil, true)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /events: %s %s", resp.Status, body)
	}
	var doc struct {
		EpcisBody struct {
			QueryResults struct {
				ResultsBody struct {
					EventList []json.RawMessage `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("query result is not JSON: %v\n%s", err, body)
	}
	return len(doc.EpcisBody.QueryResults.ResultsBody.EventList)
}

func TestServeHealthAndReadiness(t *testing.T) {
	s := startServer(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, body := s.do(t, "GET", path, "", nil, true)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %s %s", path, resp.Status, body)
		}
	}
	info, err := os.Stat(filepath.Join(s.Dir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("admin-token mode %v, want 0600", info.Mode().Perm())
	}
}

func TestCaptureNeedsToken(t *testing.T) {
	s := startServer(t, nil)
	doc := docJSON(t, workload.New(1).Document(2).Events)
	for _, tc := range []struct {
		name, header string
	}{
		{"no header", ""},
		{"unknown token", "Bearer zs_notatoken"},
		{"wrong scheme", "Basic abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", s.URL+"/capture", bytes.NewReader(doc))
			req.Header.Set("Content-Type", "application/ld+json")
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %s, want 401", resp.Status)
			}
		})
	}
	if n := countEvents(t, s, ""); n != 0 {
		t.Fatalf("%d events stored by unauthorised requests", n)
	}
}

func TestCaptureThenQuery(t *testing.T) {
	s := startServer(t, nil)
	events := workload.New(7).Document(5).Events
	resp, body := s.do(t, "POST", "/capture", "application/ld+json", docJSON(t, events), true)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %s %s", resp.Status, body)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/capture/") {
		t.Fatalf("Location %q", loc)
	}
	resp, body = s.do(t, "GET", loc, "", nil, true)
	var job api.JobView
	if err := json.Unmarshal(body, &job); err != nil || resp.StatusCode != 200 {
		t.Fatalf("job: %s %s", resp.Status, body)
	}
	if !job.Success || job.Stored != 5 || job.Duplicates != 0 {
		t.Fatalf("job %+v", job)
	}
	// The same document again: stored once, reported as duplicates.
	resp, body = s.do(t, "POST", "/capture", "application/ld+json", docJSON(t, events), true)
	if err := json.Unmarshal(body, &job); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("recapture: %s %s", resp.Status, body)
	}
	if job.Stored != 0 || job.Duplicates != 5 {
		t.Fatalf("recapture job stored=%d duplicates=%d, want 0 and 5", job.Stored, job.Duplicates)
	}
	if n := countEvents(t, s, ""); n != 5 {
		t.Fatalf("%d events, want 5", n)
	}
	epc := events[2].EPCList[0]
	if n := countEvents(t, s, "MATCH_anyEPC="+url.QueryEscape(epc)); n != 1 {
		t.Fatalf("MATCH_anyEPC %s: %d events, want 1", epc, n)
	}
	resp, body = s.do(t, "GET", "/epcs/"+url.PathEscape(epc)+"/events", "", nil, true)
	if resp.StatusCode != 200 || !strings.Contains(string(body), epc) {
		t.Fatalf("/epcs/{epc}/events: %s %s", resp.Status, body)
	}
	// Each event by its eventID (the hash, since the workload gives none).
	id := job.EventIDs[0]
	resp, body = s.do(t, "GET", "/events/"+url.PathEscape(id), "", nil, true)
	if resp.StatusCode != 200 {
		t.Fatalf("GET event %s: %s %s", id, resp.Status, body)
	}
	got, err := epcis.DecodeEventJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	if got.EventID != id || epcis.Hash(got) != id {
		t.Fatalf("event read back has id %s and hash %s, want %s", got.EventID, epcis.Hash(got), id)
	}
}

func TestCaptureRejectsBadDocumentsAndStoresNothing(t *testing.T) {
	s := startServer(t, func(c *Config) {
		c.Limits.MaxBodyBytes = 64 << 10
		c.Limits.Document.MaxEvents = 20
	})
	good := docJSON(t, workload.New(3).Document(3).Events)
	badAction := bytes.Replace(good, []byte(`"OBSERVE"`), []byte(`"LOOK"`), 1)
	withNUL := bytes.Replace(good, []byte("合格"), []byte(`合\u0000格`), 1)
	const residentID = "350102199003071234" // region, birth date and check character valid
	withID := bytes.Replace(good, []byte("合格"), []byte("buyer "+residentID), 1)
	if bytes.Equal(withNUL, good) {
		t.Fatal("the workload document has no 合格 to put a NUL into")
	}
	tests := []struct {
		name        string
		contentType string
		body        []byte
		status      int
		kind        string
	}{
		{"not JSON", "application/ld+json", []byte(`{"type":"EPCISDocument",`), 400, "ValidationException"},
		{"bad action in one event", "application/ld+json", badAction, 400, "ValidationException"},
		{"NUL character", "application/ld+json", withNUL, 400, "ValidationException"},
		{"a resident ID number in clear", "application/ld+json", withID, 400, "ValidationException"},
		{"wrong content type", "text/plain", good, 400, "ValidationException"},
		{"too many events", "application/ld+json", docJSON(t, workload.New(4).Document(21).Events), 413, "CaptureLimitExceededException"},
		{"empty body", "application/ld+json", nil, 400, "ValidationException"},
	}
	big := append([]byte(`{"pad":"`), bytes.Repeat([]byte("x"), 70<<10)...)
	tests = append(tests, struct {
		name        string
		contentType string
		body        []byte
		status      int
		kind        string
	}{"over the size limit", "application/ld+json", append(big, `"}`...), 413, "CaptureLimitExceededException"})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := s.do(t, "POST", "/capture", tc.contentType, tc.body, true)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %s, want %d: %s", resp.Status, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q", ct)
			}
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != "epcisException:"+tc.kind || p.Title == "" {
				t.Fatalf("problem %+v, want kind %s", p, tc.kind)
			}
			if bytes.Contains(body, []byte(residentID)) {
				t.Fatalf("the answer repeats the resident ID number: %s", body)
			}
		})
	}
	if n := countEvents(t, s, ""); n != 0 {
		t.Fatalf("%d events stored from bad documents", n)
	}
}

func TestEventsPageWithLinkHeader(t *testing.T) {
	s := startServer(t, nil)
	resp, body := s.do(t, "POST", "/capture", "application/ld+json", docJSON(t, workload.New(9).Document(25).Events), true)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %s %s", resp.Status, body)
	}
	seen := map[string]bool{}
	all := eventPages(t, s.URL, s.Token, "/events?perPage=10&orderBy=eventTime&orderDirection=DESC")
	pages := len(all)
	var last time.Time
	for _, page := range all {
		for _, e := range page {
			if seen[e.EventID] {
				t.Fatalf("event %s on two pages", e.EventID)
			}
			if !last.IsZero() && e.EventTime.After(last) {
				t.Fatalf("events out of order: %v after %v", e.EventTime, last)
			}
			last = e.EventTime
			seen[e.EventID] = true
		}
	}
	if len(seen) != 25 || pages != 3 {
		t.Fatalf("%d events over %d pages, want 25 over 3", len(seen), pages)
	}
	resp, _ = s.do(t, "GET", "/events?perPage=10&nextPageToken=forged", "", nil, true)
	if resp.StatusCode != 400 {
		t.Fatalf("forged token: %s, want 400", resp.Status)
	}
}

func TestQueryParameterErrorsAreProblems(t *testing.T) {
	s := startServer(t, nil)
	for _, q := range []string{"EQ_action=LOOK", "GE_eventTime=yesterday", "orderBy=colour", "eventType=Nonsense", "NO_such=1"} {
		resp, body := s.do(t, "GET", "/events?"+q, "", nil, true)
		var p api.Problem
		json.Unmarshal(body, &p)
		if resp.StatusCode != 400 || p.Type != "epcisException:QueryParameterException" {
			t.Errorf("%s: %s %s", q, resp.Status, body)
		}
	}
}

func TestServeRefusesOlderSchemaUnlessMigrating(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c := &Config{DataDir: dir}
	st, err := openStore(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	// A store that has only the schema_migrations table says version 0, which is
	// initialised; fake an older, non-empty schema instead by pretending a future binary.
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	have, want, _ := st.SchemaVersion(ctx)
	st.Close()
	if have != want {
		t.Fatalf("migrated store at %d, want %d", have, want)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, _ = openStore(ctx, c)
	defer st.Close()
	if err := checkSchema(ctx, older{st}, false, log); err == nil || !strings.Contains(err.Error(), "zhuisu migrate") {
		t.Fatalf("older schema without -migrate: %v", err)
	}
	if err := checkSchema(ctx, older{st}, true, log); err != nil {
		t.Fatalf("older schema with -migrate: %v", err)
	}
}

// older makes a store report that one more migration is expected than is applied.
type older struct{ storeAlias }

func (o older) SchemaVersion(ctx context.Context) (int, int, error) {
	have, want, err := o.storeAlias.SchemaVersion(ctx)
	return have, want + 1, err
}

func (o older) Migrate(ctx context.Context) error { return o.storeAlias.Migrate(ctx) }

func TestRunUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, &out, &errb)
	if err == nil || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("err %v, stderr %q", err, errb.String())
	}
}

type storeAlias = schemaStore
