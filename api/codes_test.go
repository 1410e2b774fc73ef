package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu/api"
)

// codesServer is an API server with only what GET /api/codes needs: no store, no token.
func codesServer(t *testing.T) string {
	t.Helper()
	s := &api.Server{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func getCode(t *testing.T, base, path string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func TestGetCodeAnswersTheCodeTakenApart(t *testing.T) {
	base := codesServer(t)
	const sgtin = "https://id.gs1.org/01/09521234543213/21/ABC"
	for _, tc := range []struct {
		name, path, input, scheme, canonical string
	}{
		{"escaped Digital Link with query", "/api/codes/" + url.PathEscape(sgtin+"?17=261231"), sgtin + "?17=261231", "gs1.sgtin", sgtin + "?17=261231"},
		{"escaped Digital Link, query string of the request", "/api/codes/" + url.PathEscape(sgtin) + "?17=261231", sgtin + "?17=261231", "gs1.sgtin", sgtin + "?17=261231"},
		{"unescaped Digital Link with query (redirected once)", "/api/codes/" + sgtin + "?3103=000195&17=261231&linkType=all",
			sgtin + "?3103=000195&17=261231&linkType=all", "gs1.sgtin", sgtin + "?17=261231&3103=000195"},
		{"unescaped Digital Link keeps its own escapes", "/api/codes/https://brand.example.com/01/09521234543213/21/A%2FB",
			"https://brand.example.com/01/09521234543213/21/A%2FB", "gs1.sgtin", "https://id.gs1.org/01/09521234543213/21/A%2FB"},
		{"escaped Digital Link with an escape inside", "/api/codes/" + url.PathEscape("https://brand.example.com/01/09521234543213/21/A%2FB"),
			"https://brand.example.com/01/09521234543213/21/A%2FB", "gs1.sgtin", "https://id.gs1.org/01/09521234543213/21/A%2FB"},
		{"unescaped QR Code scan of a Digital Link", "/api/codes/]Q1" + sgtin, "]Q1" + sgtin, "gs1.sgtin", sgtin},
		{"bracketed element string", "/api/codes/" + url.PathEscape("(01)09521234543213(21)ABC"), "(01)09521234543213(21)ABC", "gs1.sgtin", sgtin},
		{"scan data with GS", "/api/codes/" + url.PathEscape("]d20109521234543213"+"21ABC\x1d10L1"), "]d20109521234543213" + "21ABC\x1d10L1",
			"gs1.sgtin", "https://id.gs1.org/01/09521234543213/10/L1/21/ABC"},
		{"EPC URN", "/api/codes/urn:epc:id:sgtin:9521234.054321.ABC", "urn:epc:id:sgtin:9521234.054321.ABC", "gs1.sgtin", sgtin},
		{"GTIN digits, query string ignored", "/api/codes/6901234567892?pretty=1", "6901234567892", "gs1.gtin", "https://id.gs1.org/01/06901234567892"},
		{"Chinese drug trace code", "/api/codes/81234560012345678901", "81234560012345678901", "cn.drug", "urn:zhuisu:code:cn.drug:81234560012345678901"},
		{"grouped special equipment code", "/api/codes/" + url.PathEscape("2150 10890 2015 00098"), "2150 10890 2015 00098", "cn.equipment",
			"urn:zhuisu:code:cn.equipment:215010890201500098"},
		{"Chinese URN", "/api/codes/urn:zhuisu:code:cn.uscc:91350100M000100Y43", "urn:zhuisu:code:cn.uscc:91350100M000100Y43", "cn.uscc",
			"urn:zhuisu:code:cn.uscc:91350100M000100Y43"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ct, body := getCode(t, base, tc.path)
			if status != http.StatusOK || ct != "application/json" {
				t.Fatalf("%s: %d %s\n%s", tc.path, status, ct, body)
			}
			var v api.CodeView
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			if !v.Valid || v.Input != tc.input || v.Scheme != tc.scheme || v.Canonical != tc.canonical ||
				v.SchemeName == "" || v.Human == "" || len(v.Parts) == 0 || v.Error != "" {
				t.Fatalf("%s: %+v\nwant input %q scheme %s canonical %s", tc.path, v, tc.input, tc.scheme, tc.canonical)
			}
		})
	}
}

func TestGetCodeJSONShape(t *testing.T) {
	base := codesServer(t)
	_, _, body := getCode(t, base, "/api/codes/6901234567892")
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"input", "valid", "scheme", "schemeName", "canonical", "human", "parts"} {
		if _, ok := m[k]; !ok {
			t.Errorf("answer lacks %q: %s", k, body)
		}
	}
	if len(m) != 7 {
		t.Errorf("answer has other members: %s", body)
	}
	part := m["parts"].([]any)[0].(map[string]any)
	if part["name"] != "GTIN" || part["value"] != "06901234567892" || !strings.Contains(part["meaning"].(string), "GS1 China") {
		t.Errorf("part %v", part)
	}
}

func TestGetCodeRefusesWithTheReason(t *testing.T) {
	base := codesServer(t)
	for _, tc := range []struct {
		name, path string
		title      []string
	}{
		{"wrong GTIN check digit", "/api/codes/" + url.PathEscape("(01)09521234543214"), []string{"GTIN 09521234543214: check digit should be 3, got 4"}},
		{"wrong check digit in an unescaped Digital Link", "/api/codes/https://id.gs1.org/01/09521234543214", []string{"check digit should be 3, got 4"}},
		{"bad date in the query of a Digital Link", "/api/codes/https://id.gs1.org/01/09521234543213?17=261331", []string{"(17)"}},
		{"no scheme", "/api/codes/hello", []string{"not a code of any scheme this platform knows: hello"}},
		{"no code", "/api/codes/", []string{"no code given"}},
		{"resident ID number, masked", "/api/codes/11010519491231002X", []string{"1101**********002X", "personal data"}},
		{"resident ID number in a Digital Link, masked", "/api/codes/https://id.gs1.org/01/09521234543214/21/11010519491231002X", []string{"check digit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ct, body := getCode(t, base, tc.path)
			if status != http.StatusBadRequest || ct != "application/problem+json" {
				t.Fatalf("%s: %d %s\n%s", tc.path, status, ct, body)
			}
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != "epcisException:ValidationException" || p.Status != 400 || p.Field != "code" {
				t.Errorf("problem %+v", p)
			}
			for _, f := range tc.title {
				if !strings.Contains(p.Title, f) {
					t.Errorf("title %q lacks %q", p.Title, f)
				}
			}
			if strings.Contains(string(body), "11010519491231002X") {
				t.Errorf("the answer carries a resident ID number in full: %s", body)
			}
		})
	}
}
