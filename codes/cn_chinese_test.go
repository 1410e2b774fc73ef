package codes

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseChineseRecognises(t *testing.T) {
	eq18 := "215010890201500098"
	for _, tc := range []struct {
		name, in, scheme string
	}{
		{"recognise/USCC", cnUSCCExampleT, "cn.uscc"},
		{"recognise/USCC lower case", strings.ToLower(cnUSCCExampleT), "cn.uscc"},
		{"recognise/region", "350102", "cn.region"},
		{"recognise/food licence", "SC10635010200123", "cn.foodlicence"},
		{"recognise/drug", "81234560012345678901", "cn.drug"},
		{"recognise/veterinary drug", "202305170123412345678901", "cn.vetdrug"},
		{"recognise/pesticide", "11234562015" + strings.Repeat("0", 21), "cn.pesticide"},
		{"recognise/ear tag", "135010212345678", "cn.eartag"},
		{"recognise/detonator", "5330517A12345", "cn.detonator"},
		{"recognise/equipment 18 after USCC fails", eq18, "cn.equipment"},
		{"recognise/equipment 20", "21603101012006010101", "cn.equipment"},
		{"recognise/equipment 21", "3110M000100Y420150001", "cn.equipment"},
		{"recognise/equipment grouped", "8300 350102 200601 0001", "cn.equipment"},
		{"recognise/bare 20 digits starting 8 as a drug", "83003501022006010001", "cn.drug"},
		{"recognise/cylinder", "135A1B000123", "cn.cylinder"},
		{"recognise/platform", cnPlatformT("ZS350102M000100Y40001"), "cn.platform"},
		{"recognise/URN", "urn:zhuisu:code:cn.uscc:" + cnUSCCExampleT, "cn.uscc"},
		{"recognise/URN of any letter case", "URN:Zhuisu:Code:CN.Region:350102", "cn.region"},
		{"recognise/URN of an LPG cylinder without variety", "urn:zhuisu:code:cn.cylinder:35A1BA00001", "cn.cylinder"},
		{"recognise/URN of a 20-digit registration code starting 8", "urn:zhuisu:code:cn.equipment:83003501022006010001", "cn.equipment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok, err := ParseChinese(tc.in)
			if !ok || err != nil {
				t.Fatalf("ParseChinese(%q) = ok %v, %v", tc.in, ok, err)
			}
			if c.Scheme != tc.scheme || c.Input != tc.in {
				t.Fatalf("scheme %q input %q, want %q", c.Scheme, c.Input, tc.scheme)
			}
			if !strings.HasPrefix(c.Canonical, "urn:zhuisu:code:"+tc.scheme+":") {
				t.Fatalf("canonical %q", c.Canonical)
			}
		})
	}
}

func TestParseChineseNotOurs(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"pass/empty", ""},
		{"pass/GS1 Digital Link of a drug", "https://id.gs1.org/01/06912345678901/21/ABC123"},
		{"pass/GS1 bracketed AI data", "(01)06912345678901(21)ABC123"},
		{"pass/GS1 element string", "^010691234567890121ABC123"},
		{"pass/GS1 scanner data", "]d2010691234567890121ABC123"},
		{"pass/GS1 digits without FNC1, 20 digits", "01069123456789012112"},
		{"pass/SSCC digits", "00069123450000000017"},
		{"pass/GS1 digits without FNC1, 32 digits", "01069123456789012112345678901234"},
		{"pass/EPC URN", "urn:epc:id:sgtin:0614141.812345.6789"},
		{"pass/other zhuisu URN scheme", "urn:zhuisu:code:gs1.sgtin:x"},
		{"pass/19 digits", "8123456001234567890"},
		{"pass/mobile phone number", "13812345678"},
		{"pass/text", "hello world"},
		{"pass/surrounding spaces", " " + cnUSCCExampleT},
		{"pass/18 characters starting with 0", "0" + cnUSCCExampleT[1:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok, err := ParseChinese(tc.in)
			if ok || c != nil || err != nil {
				t.Fatalf("ParseChinese(%q) = %v, %v, %v; want not recognised", tc.in, c, ok, err)
			}
		})
	}
}

func TestParseChineseErrors(t *testing.T) {
	id := cnIDT("35010219900307123")
	allDigitUSCC := cnUSCCT("1235000000012345")
	plat := cnPlatformT("ZS350102M000100Y40001")
	platBad := plat[:21] + string(cnUSCCCharsT[(strings.IndexByte(cnUSCCCharsT, plat[21])+1)%31])
	for _, tc := range []struct {
		name, in string
		err      []string
	}{
		{"reject/USCC wrong check", cnUSCCExampleT[:17] + "X", []string{"unified social credit code 91350100M000100Y4X: check character should be 3, got X"}},
		{"reject/resident ID is personal data", id, []string{"resident ID number 3501**********", "personal data"}},
		{"reject/resident ID with an impossible date is reported as one, masked", cnIDT("35010219900230123"), []string{"resident ID number 3501**********", "date of birth (positions 7-14) is not a real date"}},
		{"reject/resident ID with a wrong check, masked", id[:17] + map[bool]string{true: "1", false: "X"}[id[17] == 'X'], []string{"3501**********", "does not match the MOD 11-2 check"}},
		{"reject/all-digit USCC with a wrong check goes to the USCC", allDigitUSCC[:17] + string("0123456789"[(allDigitUSCC[17]-'0'+1)%10]), []string{"unified social credit code", "check character should be " + allDigitUSCC[17:]}},
		{"reject/food licence of the wrong length", "SC1063501020012", []string{"food production licence number", "got 13 digits"}},
		{"reject/platform code with a wrong check", platBad, []string{"platform code " + platBad + ": check character should be " + plat[21:]}},
		{"reject/detonator with an impossible date", "5330230A12345", []string{"detonator code", "day 30"}},
		{"reject/vet drug with an impossible date", "202302300123412345678901", []string{"veterinary drug trace code", "20230230"}},
		{"reject/ear tag with an unknown county", "135019912345678", []string{"livestock ear tag number", "350199"}},
		{"reject/unknown region", "350199", []string{"administrative division code 350199"}},
		{"reject/URN of an unknown cn scheme", "urn:zhuisu:code:cn.gtin:123", []string{"unknown Chinese code scheme cn.gtin; expected one of cn.uscc"}},
		{"reject/URN of a resident ID", "urn:zhuisu:code:cn.id:" + id, []string{"personal data"}},
		{"reject/URN placeholder of a resident ID", "urn:zhuisu:code:cn.id:masked", []string{"placeholder identifies nobody"}},
		{"reject/URN value not in canonical characters", "urn:zhuisu:code:cn.equipment:2150 10890 2015 00098", []string{"letters and digits only"}},
		{"reject/URN value malformed", "urn:zhuisu:code:cn.drug:6123", []string{"drug trace code 6123"}},
		{"reject/URN without value", "urn:zhuisu:code:cn.uscc", []string{"no value after the scheme"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok, err := ParseChinese(tc.in)
			if !ok || c != nil {
				t.Fatalf("ParseChinese(%q) = %v, ok %v", MaskResidentID(tc.in), c, ok)
			}
			cnWantErrT(t, err, tc.err...)
			cnNoFullIDT(t, id, err.Error())
		})
	}
}

// An all-digit string can be both a valid USCC and a valid resident ID number. Bare,
// ParseChinese refuses it as personal data (privacy first); as a URN, or through
// ParseUSCC, it is a USCC.
func TestParseChineseUSCCThatIsAlsoAnID(t *testing.T) {
	// USCC 1 1 (机关), region 4401 + the first two digits of the birth year; the ID's own
	// region is 11 44 01 (北京市, checked at province level).
	var both string
search:
	for y := 1950; y < 2000; y++ {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= 28; d++ {
				for seq := 0; seq < 1000; seq++ {
					d17 := "114401" + strconv.Itoa(y) + cnTwoT(m) + cnTwoT(d) + strconv.Itoa(1000 + seq)[1:]
					id := cnIDT(d17)
					u := cnUSCCT(d17[:16])
					if u == id {
						both = id
						break search
					}
				}
			}
		}
	}
	if both == "" {
		t.Fatal("no string is both; the search is wrong")
	}
	if _, err := ParseUSCC(both); err != nil {
		t.Fatalf("ParseUSCC: %v", err)
	}
	if _, err := ParseResidentID(both); err != nil {
		t.Fatalf("ParseResidentID: %v", err)
	}
	c, ok, err := ParseChinese(both)
	if c != nil || !ok {
		t.Fatalf("ParseChinese = %v, %v", c, ok)
	}
	cnWantErrT(t, err, "personal data")
	c, ok, err = ParseChinese("urn:zhuisu:code:cn.uscc:" + both)
	if !ok || err != nil || c.Scheme != "cn.uscc" {
		t.Fatalf("the URN form: %v, %v, %v", c, ok, err)
	}
}

func cnTwoT(n int) string { return strconv.Itoa(100 + n)[1:] }
