package codes

import (
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

// FuzzParseChinese feeds arbitrary strings to ParseChinese. It must not panic; a string
// it does not recognise gives neither a Code nor an error; a malformed code gives an
// EInvalid error that never carries a valid resident ID number of the input in full; and
// a code it accepts has a canonical URI of its scheme, and reading that URI or its human
// form back gives the same Code (Input aside). The one documented exception: a code whose
// human form is also a valid resident ID number, which ParseChinese refuses as personal
// data.
func FuzzParseChinese(f *testing.F) {
	for _, s := range []string{
		cnUSCCExampleT,
		cnUSCCExampleT[:17] + "X",
		cnIDExample1T,
		"350102",
		"SC10635010200123",
		"89012340000000011234",
		"202302300123412345678901",
		"11234562015000000000000000000000",
		"135010212345678",
		"5340229A00001",
		"2150 10890 2015 00098",
		"21603101012006010101",
		"3110M000100Y420150001",
		"535O01000001",
		"ZS350102M000100Y40001",
		"urn:zhuisu:code:cn.cylinder:35A1BA00001",
		"urn:zhuisu:code:cn.id:masked",
		"https://id.gs1.org/01/06912345678901/21/ABC",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok, err := ParseChinese(s)
		if !ok {
			if c != nil || err != nil {
				t.Fatalf("ParseChinese(%q): not recognised but returned %v, %v", s, c, err)
			}
			return
		}
		if err != nil {
			if c != nil {
				t.Fatalf("ParseChinese(%q) returned a Code with error %v", s, err)
			}
			if zhuisu.ErrorCode(err) != zhuisu.EInvalid {
				t.Fatalf("ParseChinese(%q): error %v is not EInvalid", s, err)
			}
			// Runs of zeros and the like can repeat by chance (an escaped byte "\xb0"
			// followed by digits makes a new run), so the fuzz target looks for the valid
			// numbers in the input; TestResidentIDNeverInFull covers broken ones.
			shown := cnIDRunsT(strings.ToUpper(err.Error()))
			for _, run := range cnIDRunsT(strings.ToUpper(s)) {
				if _, idErr := ParseResidentID(run); idErr != nil {
					continue
				}
				for _, r := range shown {
					if r == run {
						t.Fatalf("error %q carries %q in full", err, run)
					}
				}
			}
			return
		}
		if c == nil || c.Scheme == "cn.id" || c.Input != s {
			t.Fatalf("ParseChinese(%q) = %+v", s, c)
		}
		if !strings.HasPrefix(c.Canonical, "urn:zhuisu:code:"+c.Scheme+":") || c.Human == "" || len(c.Parts) == 0 {
			t.Fatalf("ParseChinese(%q): canonical %q human %q parts %v", s, c.Canonical, c.Human, c.Parts)
		}
		for _, again := range []string{c.Canonical, c.Human} {
			c2, ok, err := ParseChinese(again)
			if again == c.Human && c.Human != c.Canonical {
				if _, idErr := ParseResidentID(again); idErr == nil {
					if c2 != nil || !ok || err == nil {
						t.Fatalf("human form %q is a valid resident ID number and was not refused", MaskResidentID(again))
					}
					continue
				}
			}
			if !ok || err != nil {
				t.Fatalf("ParseChinese(%q) of %q: ok %v, %v", again, s, ok, err)
			}
			c2.Input = c.Input
			if !cnSameCodeT(c, c2) {
				t.Fatalf("ParseChinese(%q) = %+v\nwant %+v", again, c2, c)
			}
		}
	})
}

// cnIDRunsT returns the maximal runs of digits (with an X or x after them) of 17 to 19
// characters in s: what error messages must not repeat as runs of their own.
func cnIDRunsT(s string) []string {
	var runs []string
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j < len(s) && (s[j] == 'X' || s[j] == 'x') {
			j++
		}
		if n := j - i; n >= 17 && n <= 19 {
			runs = append(runs, s[i:j])
		}
		i = j
	}
	return runs
}
