package codes

import (
	"fmt"
	"strings"
	"testing"
)

// Hand-verified GB 11643-1999 examples: 11010519491231002X (weighted sum of the first 17
// digits 167 = 15·11 + 2, check character 10 0 X … at index 2: X) and 440524188001010014
// (sum 195 = 17·11 + 8, index 8: 4).
const (
	cnIDExample1T = "11010519491231002X"
	cnIDExample2T = "440524188001010014"
)

func TestParseResidentID(t *testing.T) {
	fj := cnIDT("35010219900307123")
	for _, tc := range []struct {
		name, in string
		err      []string
	}{
		{name: "accept/hand-verified example with X", in: cnIDExample1T},
		{name: "accept/hand-verified example born 1880", in: cnIDExample2T},
		{name: "accept/computed Fujian number", in: fj},
		{name: "accept/lower-case x", in: strings.ToLower(cnIDExample1T)},
		{name: "accept/29 February of a leap year", in: cnIDT("35010220000229001")},
		{name: "accept/Taiwan resident permit 83", in: cnIDT("83000019800101001")},
		{name: "reject/wrong check character", in: fj[:17] + string("0123456789"[(strings.IndexByte("0123456789X", fj[17])+1)%10]), err: []string{"check character (position 18) does not match the MOD 11-2 check"}},
		{name: "reject/impossible date 30 February", in: cnIDT("35010219900230123"), err: []string{"date of birth (positions 7-14) is not a real date"}},
		{name: "reject/29 February of 1900", in: cnIDT("35010219000229123"), err: []string{"date of birth"}},
		{name: "reject/month 13", in: cnIDT("35010219901301123"), err: []string{"date of birth"}},
		{name: "reject/year before 1800", in: cnIDT("35010217990101123"), err: []string{"date of birth"}},
		{name: "reject/unknown province", in: cnIDT("99010219900307123"), err: []string{"province code 99 (positions 1-2) does not exist"}},
		{name: "reject/too short", in: fj[:17], err: []string{"should be 18 characters, got 17"}},
		{name: "reject/15-digit first generation", in: "350102900307123", err: []string{"15-digit first-generation number"}},
		{name: "reject/letter inside", in: fj[:5] + "A" + fj[6:], err: []string{"character at position 6 is not a digit"}},
		{name: "reject/X before the end", in: "X" + fj[1:], err: []string{"position 1 is not a digit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseResidentID(tc.in)
			if tc.err != nil {
				cnWantErrT(t, err, tc.err...)
				cnNoFullIDT(t, tc.in, err.Error())
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", MaskResidentID(tc.in), err)
			}
			if c.Canonical != "urn:zhuisu:code:cn.id:masked" || c.Scheme != "cn.id" {
				t.Fatalf("canonical %q scheme %q", c.Canonical, c.Scheme)
			}
			m := MaskResidentID(tc.in)
			if c.Human != m || c.Input != m {
				t.Fatalf("Human %q Input %q, want the masked %q", c.Human, c.Input, m)
			}
			if v, _ := cnPartT(t, c, "province"); v != tc.in[:2] {
				t.Fatalf("province part %q", v)
			}
			cnNoFullIDInCodeT(t, tc.in, c)
			// ParseChinese refuses a valid number as a trace code, without repeating it
			c2, ok, err := ParseChinese(tc.in)
			if c2 != nil || !ok {
				t.Fatalf("ParseChinese returned %v, %v", c2, ok)
			}
			cnWantErrT(t, err, "personal data", "pseudonymous reference")
			cnNoFullIDT(t, tc.in, err.Error())
		})
	}
}

func TestMaskResidentID(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"mask/18 characters", "35010219900307123X", "3501**********123X"},
		{"mask/lower-case x", "35010219900307123x", "3501**********123X"},
		{"mask/15 digits", "350102900307123", "3501*******7123"},
		{"mask/12 characters", "123456789012", "1234****9012"},
		{"mask/short input entirely", "12345678901", "***********"},
		{"mask/empty", "", ""},
		{"mask/non-ASCII counted in characters", "福建省福州市鼓楼区某某街道一号", "福建省福*******街道一号"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MaskResidentID(tc.in); got != tc.want {
				t.Fatalf("MaskResidentID(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// The full number appears in no field of the Code, in no Part, in no error message of any
// parser of this package, and in nothing MaskResidentID returns, for many numbers, valid
// or broken.
func TestResidentIDNeverInFull(t *testing.T) {
	parsers := map[string]func(string) (*Code, error){
		"USCC": ParseUSCC, "Region": ParseRegion, "ResidentID": ParseResidentID, "FoodLicence": ParseFoodLicence,
		"Drug": ParseDrugCode, "VetDrug": ParseVetDrugCode, "Pesticide": ParsePesticideCode, "EarTag": ParseEarTag,
		"Detonator": ParseDetonatorCode, "Equipment": ParseEquipmentCode, "Cylinder": ParseCylinderCode, "Platform": ParsePlatformCode,
	}
	n := 0
	for region := range []int{0, 1, 2} {
		for day := 1; day <= 28; day += 3 {
			d17 := fmt.Sprintf("%s%04d%02d%02d%03d", []string{"350102", "110105", "440524"}[region], 1950+day, 1+day%12, day, 100+day)
			id := cnIDT(d17)
			bad := d17 + string("0123456789X"[(strings.IndexByte("0123456789X", id[17])+1)%11])
			for _, s := range []string{id, bad, strings.ToLower(id), id[:17], id + "1", "urn:zhuisu:code:cn.id:" + id, "urn:zhuisu:code:cn.idx:" + id, "urn:zhuisu:code:cn.uscc:" + id} {
				n++
				if m := MaskResidentID(s); strings.Contains(m, id[:17]) {
					t.Fatalf("MaskResidentID(%s) = %q", MaskResidentID(s), m)
				}
				if c, err := ParseResidentID(s); err == nil {
					cnNoFullIDInCodeT(t, id, c)
				} else {
					cnNoFullIDT(t, id, err.Error())
				}
				if c, _, err := ParseChinese(s); err != nil {
					cnNoFullIDT(t, id, err.Error())
				} else if c != nil && c.Scheme == "cn.id" {
					t.Fatalf("ParseChinese returned a resident ID code")
				}
				for name, p := range parsers {
					if _, err := p(s); err != nil && strings.Contains(err.Error(), id[:17]) {
						t.Fatalf("Parse%s error carries the number: %v", name, err)
					}
				}
			}
		}
	}
	if n < 200 {
		t.Fatalf("only %d inputs tried", n)
	}
}

func cnNoFullIDT(t *testing.T, id, s string) {
	t.Helper()
	if len(id) >= 17 && strings.Contains(strings.ToUpper(s), strings.ToUpper(id[:17])) {
		t.Fatalf("%q carries the resident ID number", s)
	}
}

func cnNoFullIDInCodeT(t *testing.T, id string, c *Code) {
	t.Helper()
	fields := []string{c.Scheme, c.SchemeName, c.Input, c.Canonical, c.Human}
	for _, p := range c.Parts {
		fields = append(fields, p.Name, p.Value, p.Meaning)
	}
	for _, f := range fields {
		cnNoFullIDT(t, id, f)
		if strings.Contains(f, id[6:14]) {
			t.Fatalf("%q carries the date of birth", f)
		}
	}
}

// Sequence numbers 000-199 of one date give every weighted-sum remainder, so every one of
// the eleven check characters is exercised.
func TestResidentIDEveryCheckCharacter(t *testing.T) {
	seen := map[byte]bool{}
	for seq := 0; seq < 200; seq++ {
		id := cnIDT(fmt.Sprintf("350102198802%02d%03d", 1+seq%28, seq))
		seen[id[17]] = true
		if _, err := ParseResidentID(id); err != nil {
			t.Fatalf("%s: %v", MaskResidentID(id), err)
		}
		for _, c := range "0123456789X" {
			if byte(c) != id[17] {
				if _, err := ParseResidentID(id[:17] + string(c)); err == nil {
					t.Fatalf("%s accepted with check %c", MaskResidentID(id), c)
				}
			}
		}
	}
	if len(seen) != 11 {
		t.Fatalf("only %d check characters exercised", len(seen))
	}
}
