package codes

import (
	"strconv"
	"strings"
	"testing"
)

const cnURNT = "urn:zhuisu:code:"

func TestParseFoodLicence(t *testing.T) {
	cnRunT(t, ParseFoodLicence, []cnCaseT{
		{name: "accept/food in 鼓楼区", in: "SC10635010200123", want: cnURNT + "cn.foodlicence:SC10635010200123"},
		{name: "accept/food additive", in: "SC20335058200017", want: cnURNT + "cn.foodlicence:SC20335058200017"},
		{name: "accept/lower-case prefix", in: "sc12735000000019", want: cnURNT + "cn.foodlicence:SC12735000000019"},
		{name: "accept/former code 350403 of a licence issued before 2021", in: "SC11135040300050", want: cnURNT + "cn.foodlicence:SC11135040300050"},
		{name: "accept/other province", in: "SC11444030500012", want: cnURNT + "cn.foodlicence:SC11444030500012"},
		{name: "reject/kind 3", in: "SC30135010200123", err: []string{"licence kind 3 (position 3) should be 1", "or 2"}},
		{name: "reject/food category 32", in: "SC13235010200123", err: []string{"category 32 (positions 4-5) is not defined for kind 1; expected 01-31"}},
		{name: "reject/additive category 04", in: "SC20435010200123", err: []string{"category 04 (positions 4-5) is not defined for kind 2; expected 01-03"}},
		{name: "reject/unknown Fujian region", in: "SC10635019900123", err: []string{"region code 350199 (positions 6-11) is not an administrative division of Fujian"}},
		{name: "reject/unknown province", in: "SC10600010200123", err: []string{"province code 00 does not exist"}},
		{name: "reject/13 digits", in: "SC1063501020012", err: []string{"should be SC followed by 14 digits, got 13 digits"}},
		{name: "reject/letter among the digits", in: "SC10635010200I23", err: []string{"character 'I' at position 14 is not a digit"}},
		{name: "reject/old QS number", in: "QS350106010001", err: []string{"should start with SC"}},
	})
	c, _ := ParseFoodLicence("SC10635010200123")
	if _, m := cnPartT(t, c, "check"); !strings.Contains(m, "not verified") {
		t.Errorf("the check digit must say it is not verified: %q", m)
	}
	if _, m := cnPartT(t, c, "category"); m != "饮料" {
		t.Errorf("category meaning %q", m)
	}
}

func TestParseDrugCode(t *testing.T) {
	cnRunT(t, ParseDrugCode, []cnCaseT{
		{name: "accept/ordinary drug", in: "81234560012345678901", want: cnURNT + "cn.drug:81234560012345678901"},
		{name: "accept/special-control drug 89", in: "89012340000000011234", want: cnURNT + "cn.drug:89012340000000011234"},
		{name: "reject/19 digits", in: "8123456001234567890", err: []string{"should be 20 digits, got 19 characters"}},
		{name: "reject/letter", in: "8123456001234567890A", err: []string{"character 'A' at position 20 is not a digit"}},
		{name: "reject/not starting with 8", in: "61234560012345678901", err: []string{"should start with 8"}},
	})
	c, _ := ParseDrugCode("89012340000000011234")
	if v, m := cnPartT(t, c, "special"); v != "89" || !strings.Contains(m, "special-control") {
		t.Errorf("special part %q %q", v, m)
	}
	if v, _ := cnPartT(t, c, "product"); v != "8901234" {
		t.Errorf("product %q", v)
	}
	if v, _ := cnPartT(t, c, "serial"); v != "000000001" {
		t.Errorf("serial %q", v)
	}
	c, _ = ParseDrugCode("81234560012345678901")
	for _, p := range c.Parts {
		if p.Name == "special" {
			t.Errorf("an 81 code is flagged special")
		}
	}
}

func TestParseVetDrugCode(t *testing.T) {
	cnRunT(t, ParseVetDrugCode, []cnCaseT{
		{name: "accept/real date", in: "202305170123412345678901", want: cnURNT + "cn.vetdrug:202305170123412345678901"},
		{name: "accept/29 February 2024", in: "202402290123412345678901", want: cnURNT + "cn.vetdrug:202402290123412345678901"},
		{name: "reject/impossible date 20230230", in: "202302300123412345678901", err: []string{"date 20230230 (positions 1-8, yyyyMMdd): day 30 does not exist in 2023-02"}},
		{name: "reject/29 February 2023", in: "202302290123412345678901", err: []string{"day 29 does not exist in 2023-02"}},
		{name: "reject/month 00", in: "202300170123412345678901", err: []string{"month 00 does not exist"}},
		{name: "reject/23 digits", in: "20230517012341234567890", err: []string{"should be 24 digits, got 23 characters"}},
		{name: "reject/letter", in: "2023051701234123456789O1", err: []string{"character 'O' at position 23"}},
	})
}

func TestParsePesticideCode(t *testing.T) {
	valid := "1" + "123456" + "2" + "015" + strings.Repeat("7", 21)
	cnRunT(t, ParsePesticideCode, []cnCaseT{
		{name: "accept/PD, contract processing", in: valid, want: cnURNT + "cn.pesticide:" + valid},
		{name: "accept/WP, registrant", in: "2" + valid[1:7] + "1" + valid[8:], want: cnURNT + "cn.pesticide:2" + valid[1:7] + "1" + valid[8:]},
		{name: "reject/registration type 4", in: "4" + valid[1:], err: []string{"registration type 4 (position 1) should be 1 (PD), 2 (WP) or 3"}},
		{name: "reject/production type 0", in: valid[:7] + "0" + valid[8:], err: []string{"production type 0 (position 8) should be 1"}},
		{name: "reject/31 digits", in: valid[:31], err: []string{"should be 32 digits, got 31 characters"}},
		{name: "reject/letter", in: valid[:10] + "x" + valid[11:], err: []string{"character 'x' at position 11 is not a digit"}},
	})
	c, _ := ParsePesticideCode(valid)
	if v, m := cnPartT(t, c, "production-type"); v != "2" || m != "委托加工" {
		t.Errorf("production type %q %q", v, m)
	}
}

func TestParseEarTag(t *testing.T) {
	cnRunT(t, ParseEarTag, []cnCaseT{
		{name: "accept/pig in 鼓楼区", in: "135010212345678", want: cnURNT + "cn.eartag:135010212345678"},
		{name: "accept/cattle in 平潭", in: "235012800000001", want: cnURNT + "cn.eartag:235012800000001"},
		{name: "accept/sheep in a county elsewhere", in: "365212300000001", want: cnURNT + "cn.eartag:365212300000001"},
		{name: "accept/former county 350427 沙县", in: "135042700000009", want: cnURNT + "cn.eartag:135042700000009"},
		{name: "reject/species 4", in: "435010212345678", err: []string{"species code 4 (position 1) should be 1 (pig), 2 (cattle) or 3"}},
		{name: "reject/unknown Fujian county", in: "135019912345678", err: []string{"region code 350199 (positions 2-7) is not an administrative division of Fujian"}},
		{name: "reject/city code instead of county", in: "135010012345678", err: []string{"region code 350100 (positions 2-7) is a prefecture-level code; a county-level code is required"}},
		{name: "reject/unknown province", in: "190010212345678", err: []string{"province code 90 does not exist"}},
		{name: "reject/14 digits", in: "13501021234567", err: []string{"should be 15 digits, got 14 characters"}},
		{name: "reject/letter", in: "13501021234567A", err: []string{"character 'A' at position 15"}},
	})
}

func TestParseDetonatorCode(t *testing.T) {
	cnRunT(t, ParseDetonatorCode, []cnCaseT{
		{name: "accept/digit feature", in: "5330517012345", want: cnURNT + "cn.detonator:5330517012345"},
		{name: "accept/capital feature", in: "5330517A12345", want: cnURNT + "cn.detonator:5330517A12345"},
		{name: "accept/small feature kept as is", in: "5330517b12345", want: cnURNT + "cn.detonator:5330517b12345"},
		{name: "accept/29 February, even year digit", in: "5340229A00001", want: cnURNT + "cn.detonator:5340229A00001"},
		{name: "reject/29 February, odd year digit", in: "5330229A00001", err: []string{"day 29 (positions 6-7) does not exist in February of a year ending in 3"}},
		{name: "reject/30 February", in: "5340230A00001", err: []string{"day 30 (positions 6-7) does not exist in month 02"}},
		{name: "reject/31 April", in: "5340431A00001", err: []string{"day 31 (positions 6-7) does not exist in month 04"}},
		{name: "reject/month 13", in: "5341301A00001", err: []string{"month 13 (positions 4-5) does not exist"}},
		{name: "reject/manufacturer 00", in: "0030517A12345", err: []string{"manufacturer code 00 (positions 1-2) is outside 01-99"}},
		{name: "reject/excluded small letter o", in: "5330517o12345", err: []string{"character 'o' at position 8 is not a feature character"}},
		{name: "reject/12 characters", in: "5330517A1234", err: []string{"should be 13 characters, got 12"}},
		{name: "reject/letter in the serial", in: "5330517A1234B", err: []string{"character 'B' at position 13 is not a digit"}},
	})
}

func TestParseEquipmentCode(t *testing.T) {
	cnRunT(t, ParseEquipmentCode, []cnCaseT{
		{name: "accept/18, national licence", in: "215010890201500098", want: cnURNT + "cn.equipment:215010890201500098"},
		{name: "accept/18, grouped as Human prints it", in: "3110 35012 2019 00001", want: cnURNT + "cn.equipment:311035012201900001"},
		{name: "accept/18, provincial licence, sequence past 99999", in: "4D00230102020A0001", want: cnURNT + "cn.equipment:4D00230102020A0001"},
		{name: "accept/20, registration code of the GB example", in: "21603101012006010101", want: cnURNT + "cn.equipment:21603101012006010101"},
		{name: "accept/20, pipeline registration grouped", in: "8300 350102 200601 A002", want: cnURNT + "cn.equipment:8300350102200601A002"},
		{name: "accept/20, former Fujian code", in: "31103504032015030001", want: cnURNT + "cn.equipment:31103504032015030001"},
		{name: "accept/21, organisation code", in: "3110" + "M000100Y4" + "2015" + "0001", want: cnURNT + "cn.equipment:3110M000100Y420150001"},
		{name: "accept/21, lower case", in: "3110m000100y420150001", want: cnURNT + "cn.equipment:3110M000100Y420150001"},
		{name: "reject/unknown kind 0", in: "015010890201500098", err: []string{"category code 0150 (positions 1-4): kind 0 is not in 《特种设备目录》"}},
		{name: "reject/18, unknown licensing authority", in: "215099890201500098", err: []string{"licensing authority 99 is neither 10 (national) nor a province code"}},
		{name: "reject/18, year 1850", in: "215010890185000098", err: []string{"year of manufacture 1850 (positions 10-13) is outside 1900-2099"}},
		{name: "reject/20, month 13", in: "21603101012006130101", err: []string{"registration month 200613 (positions 11-16, yyyyMM): month 13 does not exist"}},
		{name: "reject/20, unknown Fujian region", in: "21603501992006010101", err: []string{"region code 350199 (positions 5-10) is not an administrative division of Fujian"}},
		{name: "reject/21, organisation check", in: "3110M000100Y520150001", err: []string{"organisation code M000100Y5 (positions 5-13): GB 11714 check character should be 4, got 5"}},
		{name: "reject/21, sequence 0000", in: "3110M000100Y420150000", err: []string{"sequence number 0000 (positions 18-21) is outside 0001-9999"}},
		{name: "reject/19 characters", in: "2150108902015000981", err: []string{"should be 18 characters (TSG 08 equipment code), 20 (registration code) or 21"}},
		{name: "reject/letter where digits go", in: "2150A0890201500098", err: []string{"character 'A' at position 5 is not a digit"}},
		{name: "reject/wrong grouping", in: "21501 0890 2015 00098", err: []string{"spaces are allowed only between the groups"}},
	})
	c, _ := ParseEquipmentCode("4D00230102020A0001")
	if v, m := cnPartT(t, c, "sequence"); v != "A0001" || m != "制造顺序号 100001" {
		t.Errorf("sequence %q %q", v, m)
	}
	if _, m := cnPartT(t, c, "manufacturer"); !strings.Contains(m, "黑龙江省") {
		t.Errorf("manufacturer %q", m)
	}
	c, _ = ParseEquipmentCode("215010890201500098")
	if c.Human != "2150 10890 2015 00098" {
		t.Errorf("human %q", c.Human)
	}
	c, _ = ParseEquipmentCode("8300350102200601A002")
	if _, m := cnPartT(t, c, "sequence"); m != "顺序号 10002" {
		t.Errorf("a letter stands for the ten-thousands: %q", m)
	}
}

func TestParseCylinderCode(t *testing.T) {
	cnRunT(t, ParseCylinderCode, []cnCaseT{
		{name: "accept/seamless cylinder", in: "135A1B000123", want: cnURNT + "cn.cylinder:135A1B000123"},
		{name: "accept/vehicle cylinder in 福州", in: "535O01000001", want: cnURNT + "cn.cylinder:535O01000001"},
		{name: "accept/LPG without its variety", in: "35A1BA00001", want: cnURNT + "cn.cylinder:335A1BA00001"},
		{name: "accept/other province", in: "432XYZ999999", want: cnURNT + "cn.cylinder:432XYZ999999"},
		{name: "reject/variety 7", in: "735A1B000123", err: []string{"variety code 7 (position 1) should be 1-6"}},
		{name: "reject/unknown province", in: "199A1B000123", err: []string{"province code 99 (positions 2-3) does not exist"}},
		{name: "reject/vehicle unit not O and a city", in: "535A01000001", err: []string{"user unit code A01 (positions 4-6) of a vehicle cylinder should be O"}},
		{name: "reject/vehicle unit with an unknown Fujian city", in: "535O10000001", err: []string{"city 351000 is not a prefecture-level city of Fujian"}},
		{name: "reject/10 characters", in: "35A1B00001", err: []string{"should be 12 characters", "got 10"}},
		{name: "reject/letter in the sequence", in: "135A1B0001Z3", err: []string{"character 'Z' at position 11 is not a digit"}},
		{name: "reject/LPG form, letter in the province", in: "3XA1BA00001", err: []string{"character 'X' at position 2 is not a digit"}},
	})
}

func TestPlatformCode(t *testing.T) {
	// An independently computed vector: ZS 350102 M000100Y4 0001 and the check character
	// that makes the weighted sum 0 mod 31 (cnPlatformT, from the documented formula).
	fixed := cnPlatformT("ZS350102M000100Y40001")
	code, err := NewPlatformCode("350102", cnUSCCExampleT, 1)
	if err != nil || code != fixed {
		t.Fatalf("NewPlatformCode = %q, %v; want %q", code, err, fixed)
	}
	if again, _ := NewPlatformCode("350102", "M000100Y4", 1); again != code {
		t.Fatalf("the organisation code and the whole USCC give different codes: %q %q", again, code)
	}
	big, err := NewPlatformCode("350000", "m000100y4", 787662783788549760) // 31^12 - 1
	if err != nil || big != cnPlatformT("ZS350000M000100Y4YYYYYYYYYYYY") {
		t.Fatalf("largest serial: %q, %v", big, err)
	}
	serial31, _ := NewPlatformCode("350102", "M000100Y4", 31*31*31*31)
	if serial31[17:22] != "10000" {
		t.Fatalf("31^4 should be written 10000: %q", serial31)
	}
	cnRunT(t, ParsePlatformCode, []cnCaseT{
		{name: "accept/issued code", in: code, want: cnURNT + "cn.platform:" + code},
		{name: "accept/lower case", in: strings.ToLower(code), want: cnURNT + "cn.platform:" + code},
		{name: "accept/12-character serial", in: big, want: cnURNT + "cn.platform:" + big},
		{name: "accept/region elsewhere", in: cnPlatformT("ZS440300" + "71526726X" + "ABCD"), want: cnURNT + "cn.platform:" + cnPlatformT("ZS440300"+"71526726X"+"ABCD")},
		{name: "reject/wrong check character", in: code[:len(code)-1] + string(cnUSCCCharsT[(strings.IndexByte(cnUSCCCharsT, code[len(code)-1])+1)%31]), err: []string{"check character should be " + code[len(code)-1:]}},
		{name: "reject/unknown region", in: cnPlatformT("ZS350199M000100Y40001"), err: []string{"region code 350199 (positions 3-8) is not an administrative division of Fujian"}},
		{name: "reject/abolished region", in: cnPlatformT("ZS350402M000100Y40001"), err: []string{"was abolished in 2021"}},
		{name: "reject/organisation check", in: cnPlatformT("ZS350102M000100Y50001"), err: []string{"organisation code M000100Y5 (positions 9-17): GB 11714 check character should be 4, got 5"}},
		{name: "reject/serial with a needless leading 0", in: cnPlatformT("ZS350102M000100Y400001"), err: []string{"serial 00001 (positions 18-22) has a leading 0 beyond the minimum of 4 characters; the same serial is written 0001"}},
		{name: "reject/serial too short", in: cnPlatformT("ZS350102M000100Y4001"), err: []string{"should be 22-30 characters", "got 21"}},
		{name: "reject/serial too long", in: cnPlatformT("ZS350102M000100Y41234567890123"), err: []string{"got 31"}},
		{name: "reject/letter outside the USCC set", in: cnPlatformT("ZS350102M000100Y4000I"), err: []string{"character 'I' at position 21 is not in the USCC character set"}},
		{name: "reject/not ZS", in: "ZT350102M000100Y40001" + "0", err: []string{"should start with ZS"}},
	})
	for _, tc := range []struct {
		name, region, subject string
		serial                uint64
		err                   string
	}{
		{"reject/unknown region", "350199", "M000100Y4", 1, "region code 350199 is not an administrative division of Fujian"},
		{"reject/region not 6 digits", "3501", "M000100Y4", 1, "region 3501 should be 6 digits"},
		{"reject/abolished region", "350402", "M000100Y4", 1, "was abolished"},
		{"reject/bad USCC subject", "350102", "91350100M000100Y4X", 1, "subject: unified social credit code 91350100M000100Y4X: check character should be 3, got X"},
		{"reject/bad organisation code", "350102", "M000100Y5", 1, "GB 11714 check character should be 4, got 5"},
		{"reject/subject of the wrong length", "350102", "M000100Y", 1, "should be 9 characters"},
		{"reject/serial of 13 characters", "350102", "M000100Y4", 787662783788549761, "does not fit in 12 base-31 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewPlatformCode(tc.region, tc.subject, tc.serial)
			if c != "" {
				t.Errorf("got a code %q", c)
			}
			cnWantErrT(t, err, tc.err)
		})
	}
}

// Issued codes round-trip, and the check character catches every single substitution and
// every transposition of two different characters (adjacent or not) in the checked part.
func TestPlatformCodeCheck(t *testing.T) {
	for _, serial := range []uint64{0, 1, 30, 31, 961, 123456789, 1 << 40, 787662783788549760} {
		code, err := NewPlatformCode("350581", cnUSCCTencentT, serial)
		if err != nil {
			t.Fatal(err)
		}
		if cnPlatformSumT(code) != 0 {
			t.Fatalf("%s: weighted sum is not 0 mod 31", code)
		}
		c, err := ParsePlatformCode(code)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if v, m := cnPartT(t, c, "serial"); m != "序号 "+strconv.FormatUint(serial, 10) || len(v) < 4 {
			t.Fatalf("%s: serial part %q %q", code, v, m)
		}
		for i := 2; i < len(code); i++ {
			for j := 0; j < len(cnUSCCCharsT); j++ {
				if cnUSCCCharsT[j] == code[i] {
					continue
				}
				b := []byte(code)
				b[i] = cnUSCCCharsT[j]
				if cnPlatformSumT(string(b)) == 0 {
					t.Fatalf("substitution at %d of %s undetected: %s", i+1, code, b)
				}
			}
			for k := i + 1; k < len(code); k++ {
				if code[i] == code[k] {
					continue
				}
				b := []byte(code)
				b[i], b[k] = b[k], b[i]
				if _, err := ParsePlatformCode(string(b)); err == nil {
					t.Fatalf("swapping positions %d and %d of %s undetected: %s", i+1, k+1, code, b)
				}
			}
		}
	}
}

// Every value of every coded field is accepted, and the values next to the sets are not.
// The sets are written out here again from the standards, not taken from the tables of the
// implementation.
func TestChineseValueSets(t *testing.T) {
	accept := func(t *testing.T, parse func(string) (*Code, error), s string) {
		t.Helper()
		if _, err := parse(s); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	}
	reject := func(t *testing.T, parse func(string) (*Code, error), s string) {
		t.Helper()
		if _, err := parse(s); err == nil {
			t.Fatalf("%q accepted", s)
		}
	}
	t.Run("accept/every food category 01-31 and additive category 01-03", func(t *testing.T) {
		for c := 1; c <= 31; c++ {
			accept(t, ParseFoodLicence, "SC1"+cnTwoT(c)+"35010200123")
		}
		for c := 1; c <= 3; c++ {
			accept(t, ParseFoodLicence, "SC2"+cnTwoT(c)+"35010200123")
		}
		reject(t, ParseFoodLicence, "SC100350102001230"[:16])
	})
	t.Run("accept/every USCC authority and organisation type of GB 32100 Table 1", func(t *testing.T) {
		pairs := map[byte]string{'1': "1239", '2': "19", '3': "123459", '4': "19", '5': "1239", '6': "129", '7': "129", '8': "19", '9': "123", 'A': "19", 'N': "1239", 'Y': "123456789"}
		for a, types := range pairs {
			for _, ty := range cnDigitsT {
				code := cnUSCCT(string(a) + string(ty) + "350102M000100Y")
				if strings.ContainsRune(types, ty) {
					accept(t, ParseUSCC, code)
				} else {
					reject(t, ParseUSCC, code)
				}
			}
		}
		for _, a := range "BCDEFGHJKLMPQRTUWX0" {
			reject(t, ParseUSCC, cnUSCCT(string(a)+"1350102M000100Y"))
		}
	})
	t.Run("accept/pesticide registration and production types 1-3 only", func(t *testing.T) {
		for _, r := range cnDigitsT {
			for _, p := range cnDigitsT {
				code := string(r) + "123456" + string(p) + "001" + strings.Repeat("5", 21)
				if r >= '1' && r <= '3' && p >= '1' && p <= '3' {
					accept(t, ParsePesticideCode, code)
				} else {
					reject(t, ParsePesticideCode, code)
				}
			}
		}
	})
	t.Run("accept/ear tag species 1-3 only", func(t *testing.T) {
		for _, sp := range cnDigitsT {
			code := string(sp) + "35010212345678"
			if sp >= '1' && sp <= '3' {
				accept(t, ParseEarTag, code)
			} else {
				reject(t, ParseEarTag, code)
			}
		}
	})
	t.Run("accept/cylinder varieties 1-6 only", func(t *testing.T) {
		for _, v := range cnDigitsT {
			code := string(v) + "35123000001"
			if v == '5' {
				code = "535O01000001"
			}
			if v >= '1' && v <= '6' {
				accept(t, ParseCylinderCode, code)
			} else {
				reject(t, ParseCylinderCode, code)
			}
		}
	})
	t.Run("accept/equipment kinds 1-9 and F only", func(t *testing.T) {
		for _, k := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
			code := string(k) + "100108902015" + "00098"
			if (k >= '1' && k <= '9') || k == 'F' {
				accept(t, ParseEquipmentCode, code)
			} else {
				reject(t, ParseEquipmentCode, code)
			}
		}
	})
	t.Run("accept/every province code in a USCC, ear tag and region", func(t *testing.T) {
		provinces := strings.Fields("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82")
		if len(provinces) != 34 {
			t.Fatal("34 provinces")
		}
		for p := 10; p <= 99; p++ {
			pp := cnTwoT(p)
			county := pp + "0102"
			if pp == "35" {
				county = "350102"
			}
			ok := strings.Contains(" "+strings.Join(provinces, " ")+" ", " "+pp+" ")
			for _, code := range []string{pp + "0000", county} {
				if ok {
					accept(t, ParseRegion, code)
					accept(t, ParseEarTag, "1"+county+"00000001")
				} else {
					reject(t, ParseRegion, code)
					reject(t, ParseEarTag, "1"+county+"00000001")
				}
			}
		}
	})
}

const cnDigitsT = "0123456789"
