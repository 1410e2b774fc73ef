package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
)

func TestReadJSONRefusesWhatItCannotTakeWhole(t *testing.T) {
	type Scope struct {
		Role string `json:"role"`
	}
	type body struct {
		Codes  []string `json:"codes"`
		Reason string   `json:"reason"`
		Scope
		Quantity *float64  `json:"quantity"`
		From     time.Time `json:"from"`
	}
	for _, tc := range []struct {
		name, contentType, body string
		code                    zhuisu.Code
		says, field             string
	}{
		{"a whole body", "application/json", `{"codes":["x"],"reason":"r","role":"a","quantity":1.5,"from":"2026-05-01T00:00:00+08:00"}`, "", "", ""},
		{"an empty body, for the service to judge", "", ``, "", "", ""},
		{"a misspelt field", "application/json", `{"codes":["x"],"raeson":"r"}`, zhuisu.EInvalid, `raeson is not a field of a recall`, "raeson"},
		{"not JSON", "application/json", `codes=x`, zhuisu.EInvalid, "the JSON breaks at byte 1", ""},
		{"cut short", "application/json", `{"codes":["x"`, zhuisu.EInvalid, "ends before the JSON does", ""},
		{"a string for a list", "application/json", `{"codes":"x"}`, zhuisu.EInvalid, "codes must be a list of strings, not a JSON string", "codes"},
		{"a list for a string in an embedded struct", "application/json", `{"role":["a"]}`, zhuisu.EInvalid, "role must be a string, not a JSON array", "role"},
		{"a number too large", "application/json", `{"quantity":1e400}`, zhuisu.EInvalid, "quantity must be a number", "quantity"},
		{"a date without a time", "application/json", `{"from":"2026-05-01"}`, zhuisu.EInvalid, "RFC 3339 date-time", ""},
		{"another media type", "text/plain", `{"codes":["x"]}`, zhuisu.EInvalid, "as application/json", "Content-Type"},
		{"two values", "application/json", `{"codes":["x"]} {"codes":["y"]}`, zhuisu.EInvalid, "holds more than a recall", ""},
		{"too large", "application/json", `{"reason":"` + strings.Repeat("x", maxJSONBody) + `"}`, zhuisu.ETooLarge, "larger than", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/recalls", strings.NewReader(tc.body))
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			var v body
			err := readJSON(httptest.NewRecorder(), r, &v, "a recall")
			if zhuisu.ErrorCode(err) != tc.code || (tc.says != "" && !strings.Contains(zhuisu.ErrorMessage(err), tc.says)) {
				t.Fatalf("readJSON: %v (code %q), want code %q saying %q", err, zhuisu.ErrorCode(err), tc.code, tc.says)
			}
			var ze *zhuisu.Error
			if err != nil && (!errors.As(err, &ze) || ze.Field != tc.field) {
				t.Fatalf("readJSON: %v names field %q, want %q", err, ze.Field, tc.field)
			}
		})
	}
}
