package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/codes"
)

func TestCodesAreIssuedOnceAndInSequence(t *testing.T) {
	s := startServer(t, nil)
	issue := func(body string, auth bool) (int, api.IssuanceView) {
		t.Helper()
		resp, b := s.do(t, "POST", "/api/codes/issue", "application/json", []byte(body), auth)
		var v api.IssuanceView
		if resp.StatusCode == http.StatusCreated {
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, v
	}
	status, first := issue(`{"scheme":"gs1","gtin":"9521234543213","count":5}`, true)
	if status != http.StatusCreated || len(first.Codes) != 5 || first.Codes[0].Code != "https://id.gs1.org/01/09521234543213/21/1" {
		t.Fatalf("first issuance: %d %+v", status, first)
	}
	status, second := issue(`{"scheme":"gs1","gtin":"09521234543213","count":3}`, true)
	if status != http.StatusCreated || second.First != 6 || second.Codes[2].Code != "https://id.gs1.org/01/09521234543213/21/8" {
		t.Fatalf("second issuance: %d %+v", status, second)
	}
	status, plat := issue(`{"scheme":"platform","region":"350102","subject":"91350100M000100Y43","count":2}`, true)
	if status != http.StatusCreated || len(plat.Codes) != 2 || plat.Codes[0].Code == plat.Codes[1].Code {
		t.Fatalf("platform issuance: %d %+v", status, plat)
	}
	for _, c := range plat.Codes {
		if _, err := codes.ParsePlatformCode(c.Code); err != nil {
			t.Fatalf("issued platform code %s does not parse: %v", c.Code, err)
		}
	}
	for _, tc := range []struct {
		name, body string
		auth       bool
		want       int
	}{
		{"bad check digit", `{"scheme":"gs1","gtin":"9521234543214","count":1}`, true, 400},
		{"too many", `{"scheme":"gs1","gtin":"9521234543213","count":1000000}`, true, 400},
		{"unknown region", `{"scheme":"platform","region":"359999","subject":"91350100M000100Y43","count":1}`, true, 400},
		{"unknown field", `{"scheme":"gs1","gtin":"9521234543213","count":1,"colour":"red"}`, true, 400},
		{"no token", `{"scheme":"gs1","gtin":"9521234543213","count":1}`, false, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, _ := issue(tc.body, tc.auth); status != tc.want {
				t.Fatalf("status %d, want %d", status, tc.want)
			}
		})
	}
	// Refused requests drew no serials.
	if status, next := issue(`{"scheme":"gs1","gtin":"9521234543213","count":1}`, true); status != http.StatusCreated || next.First != 9 {
		t.Fatalf("after refusals: %d %+v", status, next)
	}
}
