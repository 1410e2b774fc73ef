package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An empty body of Content-Length 0 is a whole response.
func TestRawConnReadsAnEmptyBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, err := dialRaw(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := c.get("/"); err != nil {
		t.Fatal(err)
	}
}

// -facts cannot go with -remote.
func TestVerifyRefusesFactsWithRemote(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"verify", "-facts", "-remote", "http://127.0.0.1:1"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "-facts") {
		t.Errorf("verify -facts -remote: %v", err)
	}
}

// A phase to profile that is not one of the bench's, or one without a profile to write,
// is refused before anything is loaded.
func TestBenchLookupRefusesAnUnknownPhaseToProfile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-profile-phase", "cold", "-cpuprofile", filepath.Join(dir, "p")}, "the phases are floor, warm and distinct"},
		{[]string{"-profile-phase", "distinct"}, "give -cpuprofile FILE too"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"bench", "lookup", "-events", "10", "-data", dir}, c.args...), &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bench lookup %v: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused bench left %d files in its data directory", len(entries))
	}
}
