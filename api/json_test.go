package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

func TestReadJSONRefusesWhatItCannotTakeWhole(t *testing.T) {
	type body struct {
		Codes  []string `json:"codes"`
		Reason string   `json:"reason"`
	}
	for _, tc := range []struct {
		name, contentType, body string
		code                    zhuisu.Code
		says                    string
	}{
		{"a whole body", "application/json", `{"codes":["x"],"reason":"r"}`, "", ""},
		{"an empty body, for the service to judge", "", ``, "", ""},
		{"a misspelt field", "application/json", `{"codes":["x"],"raeson":"r"}`, zhuisu.EInvalid, `unknown field "raeson"`},
		{"not JSON", "application/json", `codes=x`, zhuisu.EInvalid, "the body is not a recall"},
		{"another media type", "text/plain", `{"codes":["x"]}`, zhuisu.EInvalid, "as application/json"},
		{"two values", "application/json", `{"codes":["x"]} {"codes":["y"]}`, zhuisu.EInvalid, "holds more than a recall"},
		{"too large", "application/json", `{"reason":"` + strings.Repeat("x", maxJSONBody) + `"}`, zhuisu.ETooLarge, "larger than"},
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
		})
	}
}
