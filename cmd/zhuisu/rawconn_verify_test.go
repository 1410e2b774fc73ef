package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
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
