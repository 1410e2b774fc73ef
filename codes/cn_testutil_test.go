package codes

// Helpers of the tests of the Chinese schemes. The check characters are computed here
// from the standards' own formulation (ISO 7064 style: the weighted sum over the whole
// code, check character included, has a fixed remainder), independently of the
// implementation's tables, so that a wrong table in the implementation fails the tests.

import (
	"errors"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

const (
	cnUSCCCharsT = "0123456789ABCDEFGHJKLMNPQRTUWXY"      // GB 32100 values 0-30
	cnBase36T    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" // GB 11714 values 0-35
)

// cnPowT returns b^e mod m.
func cnPowT(b, e, m int) int {
	r := 1
	for ; e > 0; e-- {
		r = r * b % m
	}
	return r
}

// cnOrgCheckT is the GB 11714 check character: weights 2^(9-i) mod 11 for i = 1..8; the
// check value c makes sum + c ≡ 0 (mod 11), 10 written X and 11 (that is 0) written 0.
func cnOrgCheckT(s8 string) byte {
	sum := 0
	for i := 1; i <= 8; i++ {
		sum += strings.IndexByte(cnBase36T, s8[i-1]) * cnPowT(2, 9-i, 11)
	}
	for c := 0; c <= 10; c++ {
		if (sum+c)%11 == 0 {
			if c == 10 {
				return 'X'
			}
			return byte('0' + c)
		}
	}
	panic("unreachable")
}

// cnUSCCT completes the first 16 characters of a USCC with the GB 11714 check of positions
// 9-16 and the GB 32100 check: weights 3^(i-1) mod 31 for i = 1..17 and the check value
// c making sum + c ≡ 0 (mod 31).
func cnUSCCT(prefix16 string) string {
	s := prefix16 + string(cnOrgCheckT(prefix16[8:16]))
	sum := 0
	for i := 1; i <= 17; i++ {
		sum += strings.IndexByte(cnUSCCCharsT, s[i-1]) * cnPowT(3, i-1, 31)
	}
	for c := 0; c < 31; c++ {
		if (sum+c)%31 == 0 {
			return s + string(cnUSCCCharsT[c])
		}
	}
	panic("unreachable")
}

// cnIDT completes 17 digits of a resident ID number with its ISO 7064 MOD 11-2 check: with
// positions counted from the right (the check at 1, weight 2^(i-1) mod 11), the weighted
// sum of all 18 is ≡ 1 (mod 11); X stands for 10.
func cnIDT(d17 string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(d17[i]-'0') * cnPowT(2, 17-i, 11)
	}
	for c := 0; c <= 10; c++ {
		if (sum+c)%11 == 1 {
			if c == 10 {
				return d17 + "X"
			}
			return d17 + string(rune('0'+c))
		}
	}
	panic("unreachable")
}

// cnPlatformSumT is the weighted sum of a whole platform code: weight 3^i mod 31 for the
// i-th character from the right counting the check character as 0, Z = 35 and S = 28 for
// the prefix, USCC values elsewhere.
func cnPlatformSumT(code string) int {
	sum := 0
	for i := 0; i < len(code); i++ {
		v := strings.IndexByte(cnUSCCCharsT, code[i])
		if i == 0 {
			v = 35
		} else if i == 1 {
			v = 28
		}
		sum += v * cnPowT(3, len(code)-1-i, 31)
	}
	return sum % 31
}

// cnPlatformT completes a platform code body with the check character that makes its
// weighted sum 0 mod 31.
func cnPlatformT(body string) string {
	for c := 0; c < 31; c++ {
		s := body + string(cnUSCCCharsT[c])
		if cnPlatformSumT(s) == 0 {
			return s
		}
	}
	panic("unreachable")
}

// cnWantErrT fails unless err is an EInvalid *zhuisu.Error whose message contains every
// fragment.
func cnWantErrT(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", fragments)
	}
	var ze *zhuisu.Error
	if !errors.As(err, &ze) || ze.Code != zhuisu.EInvalid {
		t.Fatalf("error %v is not an EInvalid *zhuisu.Error", err)
	}
	for _, f := range fragments {
		if !strings.Contains(ze.Message, f) {
			t.Fatalf("error %q does not contain %q", ze.Message, f)
		}
	}
}

// cnPartT returns the value and meaning of the named part.
func cnPartT(t *testing.T, c *Code, name string) (string, string) {
	t.Helper()
	for _, p := range c.Parts {
		if p.Name == name {
			return p.Value, p.Meaning
		}
	}
	t.Fatalf("%s has no part %q: %+v", c.Canonical, name, c.Parts)
	return "", ""
}

// cnCaseT is one row of a table of a parser.
type cnCaseT struct {
	name string   // the outcome, e.g. "accept/hand-verified example" or "reject/wrong check"
	in   string   // input
	want string   // canonical URI when accepted
	err  []string // fragments of the message when rejected
}

func cnRunT(t *testing.T, parse func(string) (*Code, error), cases []cnCaseT) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(tc.in)
			if tc.err != nil {
				if c != nil {
					t.Errorf("got a Code %+v along with the error", c)
				}
				cnWantErrT(t, err, tc.err...)
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", tc.in, err)
			}
			if c.Canonical != tc.want {
				t.Fatalf("%q: canonical %q, want %q", tc.in, c.Canonical, tc.want)
			}
			if c.Input != tc.in {
				t.Fatalf("Input %q, want %q", c.Input, tc.in)
			}
			// ParseChinese reads the canonical URI and the human form back to the same code.
			for _, again := range []string{c.Canonical, c.Human} {
				c2, ok, err := ParseChinese(again)
				if !ok || err != nil {
					t.Fatalf("ParseChinese(%q) = ok %v, %v", again, ok, err)
				}
				c2.Input = c.Input
				if !cnSameCodeT(c, c2) {
					t.Fatalf("ParseChinese(%q) = %+v, want %+v", again, c2, c)
				}
			}
		})
	}
}

func cnSameCodeT(a, b *Code) bool {
	if a.Scheme != b.Scheme || a.SchemeName != b.SchemeName || a.Input != b.Input ||
		a.Canonical != b.Canonical || a.Human != b.Human || len(a.Parts) != len(b.Parts) {
		return false
	}
	for i := range a.Parts {
		if a.Parts[i] != b.Parts[i] {
			return false
		}
	}
	return true
}
