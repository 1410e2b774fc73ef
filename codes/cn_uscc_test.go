package codes

import (
	"strings"
	"testing"
)

// Hand-verified vectors (see docs/codes-cn.md for the arithmetic):
//
//	91350100M000100Y43: values 9 1 3 5 0 1 0 0 21 0 0 0 1 0 0 30 4, weights 1 3 9 27 19 26
//	16 17 20 29 25 13 8 24 10 30 28, sum 1640 = 52·31 + 28, check 31 − 28 = 3. Its
//	organisation code M000100Y: 22·3 + 1·5 + 34·2 = 139 = 12·11 + 7, check 11 − 7 = 4.
//	9144030071526726XG: sum 1782 = 57·31 + 15, check 31 − 15 = 16 = G; organisation code
//	71526726: sum 199 = 18·11 + 1, check 11 − 1 = 10 = X.
const (
	cnUSCCExampleT  = "91350100M000100Y43"
	cnUSCCTencentT  = "9144030071526726XG"
	cnUSCCFujianGBT = "91350102MA2YQ7K1" // 16 characters, completed by cnUSCCT
)

func TestParseUSCC(t *testing.T) {
	gen := cnUSCCT(cnUSCCFujianGBT)
	flip := func(s string, i int, c byte) string { b := []byte(s); b[i] = c; return string(b) }
	other := func(c byte) byte {
		if c == '0' {
			return '1'
		}
		return '0'
	}
	cases := []cnCaseT{
		{name: "accept/hand-verified GB 32100 example", in: cnUSCCExampleT, want: "urn:zhuisu:code:cn.uscc:" + cnUSCCExampleT},
		{name: "accept/hand-verified code outside Fujian checked at province level", in: cnUSCCTencentT, want: "urn:zhuisu:code:cn.uscc:" + cnUSCCTencentT},
		{name: "accept/computed Fujian county code", in: gen, want: "urn:zhuisu:code:cn.uscc:" + gen},
		{name: "accept/lower case upper-cased", in: strings.ToLower(gen), want: "urn:zhuisu:code:cn.uscc:" + gen},
		{name: "accept/national registration authority 100000", in: cnUSCCT("11100000A0000001"), want: "urn:zhuisu:code:cn.uscc:" + cnUSCCT("11100000A0000001")},
		{name: "accept/former Fujian code 350402 of a code issued before 2021", in: cnUSCCT("92350402MA31B2C3"), want: "urn:zhuisu:code:cn.uscc:" + cnUSCCT("92350402MA31B2C3")},
		{name: "accept/social organisation 51", in: cnUSCCT("5135000050001234"), want: "urn:zhuisu:code:cn.uscc:" + cnUSCCT("5135000050001234")},
		{name: "accept/rural collective N2", in: cnUSCCT("N2350128N0000001"), want: "urn:zhuisu:code:cn.uscc:" + cnUSCCT("N2350128N0000001")},
		{name: "reject/wrong check character", in: cnUSCCExampleT[:17] + "X", err: []string{"unified social credit code 91350100M000100Y4X: check character should be 3, got X"}},
		{name: "reject/wrong check character, computed code", in: flip(gen, 17, other(gen[17])), err: []string{"check character should be " + gen[17:]}},
		{name: "reject/wrong organisation check", in: cnUSCCT("91350100M000100Y")[:16] + "5" + "3", err: []string{"organisation code M000100Y5 (positions 9-17): GB 11714 check character should be 4, got 5"}},
		{name: "reject/too short", in: cnUSCCExampleT[:17], err: []string{"should be 18 characters, got 17"}},
		{name: "reject/too long", in: cnUSCCExampleT + "0", err: []string{"should be 18 characters, got 19"}},
		{name: "reject/letter I outside the character set", in: "91350100I000100Y43", err: []string{"character 'I' at position 9 is not in the USCC character set"}},
		{name: "reject/letter O outside the character set", in: "9135010O0000100Y43", err: []string{"character 'O' at position 8"}},
		{name: "reject/non-ASCII", in: "91350100M000100Y4３", err: []string{"character '３' at position 18"}},
		{name: "reject/letter in the region code", in: "9135A100M000100Y43", err: []string{"character 'A' at position 5 is not a digit (positions 3-8 are the region code)"}},
		{name: "reject/unknown registration authority", in: cnUSCCT("B1350100M000100Y"), err: []string{"registration authority code B (position 1) is not defined"}},
		{name: "reject/type not defined for the authority", in: cnUSCCT("94350100M000100Y"), err: []string{"organisation type code 4 (position 2) is not defined for registration authority 9", "expected one of 1, 2, 3"}},
		{name: "reject/unknown Fujian region", in: cnUSCCT("91350199M000100Y"), err: []string{"region code 350199 (positions 3-8) is not an administrative division of Fujian"}},
		{name: "reject/unknown province", in: cnUSCCT("91990100M000100Y"), err: []string{"province code 99 does not exist"}},
		{name: "reject/city part 00 with a county part", in: cnUSCCT("91110001M000100Y"), err: []string{"city part 00 with county part 01"}},
	}
	cnRunT(t, ParseUSCC, cases)
}

func TestParseUSCCParts(t *testing.T) {
	c, err := ParseUSCC(cnUSCCExampleT)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"authority", "9"}, {"type", "1"}, {"region", "350100"}, {"organisation", "M000100Y4"}, {"check", "3"}}
	if len(c.Parts) != len(want) {
		t.Fatalf("parts %+v", c.Parts)
	}
	joined := ""
	for i, w := range want {
		if c.Parts[i].Name != w[0] || c.Parts[i].Value != w[1] {
			t.Errorf("part %d = %+v, want %s=%s", i, c.Parts[i], w[0], w[1])
		}
		joined += c.Parts[i].Value
	}
	if joined != cnUSCCExampleT {
		t.Errorf("parts join to %q", joined)
	}
	if _, m := cnPartT(t, c, "region"); m != "福建省福州市" {
		t.Errorf("region meaning %q", m)
	}
	if _, m := cnPartT(t, c, "type"); !strings.Contains(m, "企业") {
		t.Errorf("type meaning %q", m)
	}
	if c.Human != cnUSCCExampleT || c.Scheme != "cn.uscc" {
		t.Errorf("human %q scheme %q", c.Human, c.Scheme)
	}
}

// Every single-character substitution of a valid code is caught by one check or the
// other, and so is every transposition of two adjacent different characters.
func TestUSCCCheckCatchesSingleErrors(t *testing.T) {
	for _, code := range []string{cnUSCCExampleT, cnUSCCTencentT, cnUSCCT(cnUSCCFujianGBT)} {
		for i := 0; i < 18; i++ {
			for j := 0; j < len(cnUSCCCharsT); j++ {
				c := cnUSCCCharsT[j]
				if c == code[i] {
					continue
				}
				b := []byte(code)
				b[i] = c
				if _, err := ParseUSCC(string(b)); err == nil {
					t.Errorf("substituting %c at position %d of %s gives a valid code %s", c, i+1, code, b)
				}
			}
			if i < 17 && code[i] != code[i+1] {
				b := []byte(code)
				b[i], b[i+1] = b[i+1], b[i]
				if _, err := ParseUSCC(string(b)); err == nil {
					t.Errorf("swapping positions %d and %d of %s gives a valid code %s", i+1, i+2, code, b)
				}
			}
		}
	}
}
