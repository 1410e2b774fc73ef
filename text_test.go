package zhuisu

import "testing"

func TestCheckTextRefusesLongBrokenOrControlText(t *testing.T) {
	for _, c := range []struct {
		name, in string
		ok       bool
	}{
		{"plain", "批次L1", true},
		{"tab and newline", "a\n\tb\r\n", true},
		{"at the limit", "0123456789", true},
		{"one byte over", "0123456789x", false},
		{"nul", "bad\x00reason", false},
		{"escape", "\x1b[31mred", false},
		{"del", "a\x7fb", false},
		{"c1 control", "a\u0085b", false},
		{"broken utf-8", "a\xffb", false},
	} {
		err := CheckText("reason", "reason", c.in, 10)
		if (err == nil) != c.ok {
			t.Errorf("%s: CheckText(%q) = %v, want ok %v", c.name, c.in, err, c.ok)
		}
		if err != nil && (ErrorCode(err) != EInvalid || err.(*Error).Field != "reason") {
			t.Errorf("%s: error %v is not an invalid-field error naming reason", c.name, err)
		}
	}
}

func TestEveryErrorCodeHasItsHTTPStatus(t *testing.T) {
	for code, want := range map[Code]int{ENotFound: 404, EInvalid: 400, EConflict: 409, EUnauthorized: 401,
		EForbidden: 403, ETooLarge: 413, EUnavailable: 503, EInternal: 500, Code("no such code"): 500} {
		if got := HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%q) = %d, want %d", code, got, want)
		}
	}
}
