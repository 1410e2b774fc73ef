package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// A small run of the lookup bench goes through every phase with verified proofs; a kept
// store is reused, and one whose events have no facts is named as such.
func TestBenchLookupRunsEveryPhaseOnASmallStore(t *testing.T) {
	dir := t.TempDir()
	bench := func() string {
		t.Helper()
		var out strings.Builder
		err := cmdBenchLookup(context.Background(), []string{"-events", "3000", "-duration", "300ms", "-data", dir}, &out,
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		return out.String()
	}
	out := bench()
	if again := bench(); !strings.Contains(again, "reusing the 3") || strings.Contains(again, "warning") {
		t.Errorf("second run on the kept store:\n%s", again)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "zhuisu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE events SET facts = NULL`); err != nil {
		t.Fatal(err)
	}
	if old := bench(); !strings.Contains(old, "warning: "+dir+" holds events stored without facts") {
		t.Errorf("run on a store without facts does not warn:\n%s", old)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var res LookupResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if !res.Verified || res.DistinctSeen == 0 || res.FloorPerSec == 0 || res.WarmPerSec == 0 || res.ColdPerSec == 0 {
		t.Errorf("result %+v: want every phase measured and the proof verified", res)
	}
}

// The bench's hand-written client reads bodies of a known length and chunked ones, and
// refuses a status other than 200.
func TestRawConnReadsWholeResponsesAndRefusesErrors(t *testing.T) {
	big := strings.Repeat("视图", 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			for i := 0; i < len(big); i += 1000 {
				io.WriteString(w, big[i:min(i+1000, len(big))])
				w.(http.Flusher).Flush()
			}
		case "/small":
			io.WriteString(w, "ok\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := dialRaw(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for range 3 { // the connection stays usable: each body was read to its end
		for _, p := range []string{"/chunked", "/small"} {
			if err := c.get(p); err != nil {
				t.Fatalf("GET %s: %v", p, err)
			}
		}
	}
	if err := c.get("/missing"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("GET /missing: %v, want the 404 named", err)
	}
}
