package codes

import (
	"errors"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

func TestGS1CheckDigit(t *testing.T) {
	tests := []struct {
		digits string
		want   byte
	}{
		{"0952123454321", '3'},      // GTIN-14 09521234543213
		{"400638133393", '1'},       // GTIN-13 4006381333931
		{"00614141123456789", '0'},  // SSCC 006141411234567890
		{"401234500005", '4'},       // GLN 4012345000054
		{"4012345222333444", '2'},   // GSIN 40123452223334442
		{"9780311", '9'},            // GTIN-8 97803119
		{"0000000000000", '0'},      // all zeros
		{"1", '7'},                  // shortest
		{"40123450000067", '2'},     // sub-part of a GSRN
		{"9520614141234", '6'},      // GTIN-14 body
		{"0401234500022", '1'},      // GRAI body after the leading 0
		{"41600033610", '8'},        // GTIN-12 416000336108
		{"000000000000000009", '3'}, // 18 digits, odd weights
	}
	for _, tc := range tests {
		t.Run("computes/"+tc.digits, func(t *testing.T) {
			got, err := GS1CheckDigit(tc.digits)
			if err != nil || got != tc.want {
				t.Errorf("GS1CheckDigit(%q) = %q, %v; want %q", tc.digits, got, err, tc.want)
			}
			if !ValidGS1CheckDigit(tc.digits + string(tc.want)) {
				t.Errorf("ValidGS1CheckDigit(%q) = false", tc.digits+string(tc.want))
			}
			wrong := byte('0' + (tc.want-'0'+1)%10)
			if ValidGS1CheckDigit(tc.digits + string(wrong)) {
				t.Errorf("ValidGS1CheckDigit(%q) = true", tc.digits+string(wrong))
			}
		})
	}
	for _, bad := range []string{"", "12a4", "１２３"} {
		t.Run("rejects/"+bad, func(t *testing.T) {
			if _, err := GS1CheckDigit(bad); zhuisu.ErrorCode(err) != zhuisu.EInvalid {
				t.Errorf("GS1CheckDigit(%q) error = %v, want EInvalid", bad, err)
			}
		})
	}
}

func TestValidateGS1Key(t *testing.T) {
	tests := []struct {
		name    string
		key     GS1Key
		value   string
		wantErr string // "" = valid; otherwise the exact message
	}{
		{"accepts/GTIN-14", KeyGTIN, "09521234543213", ""},
		{"accepts/GTIN-13", KeyGTIN, "4006381333931", ""},
		{"accepts/GTIN-12", KeyGTIN, "416000336108", ""},
		{"accepts/GTIN-8", KeyGTIN, "97803119", ""},
		{"rejects/GTIN_check_digit", KeyGTIN, "09521234543214", "GTIN 09521234543214: check digit should be 3, got 4"},
		{"rejects/GTIN-13_check_digit", KeyGTIN, "4006381333932", "GTIN 4006381333932: check digit should be 1, got 2"},
		{"rejects/GTIN_length", KeyGTIN, "0952123454", "GTIN 0952123454: must be 8, 12, 13 or 14 digits, not 10"},
		{"rejects/GTIN_letters", KeyGTIN, "0952123454321A", "GTIN 0952123454321A: must be digits only"},
		{"accepts/SSCC", KeySSCC, "006141411234567890", ""},
		{"rejects/SSCC_check_digit", KeySSCC, "006141411234567891", "SSCC 006141411234567891: check digit should be 0, got 1"},
		{"rejects/SSCC_length", KeySSCC, "00614141123456789", `AI (00) value "00614141123456789" is too short (format N18)`},
		{"accepts/GLN", KeyGLN, "4012345000054", ""},
		{"rejects/GLN_check_digit", KeyGLN, "4012345000055", "GLN 4012345000055: check digit should be 4, got 5"},
		{"accepts/PGLN", KeyPGLN, "4000001000005", ""},
		{"accepts/GRAI_with_serial", KeyGRAI, "04012345000221334455", ""},
		{"rejects/GRAI_not_zero", KeyGRAI, "14012345000221334455", `AI (8003) value "14012345000221334455": not zero at "1"`},
		{"rejects/GRAI_check_digit", KeyGRAI, "04012345000222", "GRAI 4012345000222: check digit should be 1, got 2"},
		{"accepts/GIAI", KeyGIAI, "4012345ABC345", ""},
		{"rejects/GIAI_no_company_prefix", KeyGIAI, "ABC", `AI (8004) value "ABC": too short for gcp`},
		{"accepts/GSRN", KeyGSRN, "401234500000067657", ""},
		{"accepts/GSRNP", KeyGSRNP, "401234500000000074", ""},
		{"accepts/GDTI", KeyGDTI, "4012345000092PO-4711", ""},
		{"rejects/GDTI_check_digit", KeyGDTI, "4012345000093PO-4711", "GDTI 4012345000093: check digit should be 2, got 3"},
		{"accepts/GCN", KeyGCN, "4012345222227", ""},
		{"accepts/GINC", KeyGINC, "0614141xyz47/11", ""},
		{"rejects/GINC_space", KeyGINC, "0614141 xyz", `AI (401) value "0614141 xyz": invalid CSET 82 character at " "`},
		{"accepts/GSIN", KeyGSIN, "40123452223334442", ""},
		{"accepts/ITIP", KeyITIP, "040123451234560102", ""},
		{"rejects/ITIP_piece_over_total", KeyITIP, "040123451234560302", `AI (8006) value "040123451234560302": piece number exceeds total at "0302"`},
		{"accepts/CPID", KeyCPID, "061414111111111111111-A#/", ""},
		{"rejects/CPID_lower_case", KeyCPID, "0614141abc", `AI (8010) value "0614141abc": invalid CSET 39 character at "a"`},
		{"accepts/GMN", KeyGMN, "1987654Ad4X4bL5ttr2310c2K", ""},
		{"rejects/GMN_check_pair", KeyGMN, "1987654Ad4X4bL5ttr2310cXK", `AI (8013) value "1987654Ad4X4bL5ttr2310cXK": incorrect check pair at "XK"`},
		{"accepts/UPUI", KeyUPUI, "0123456798765151qIgY)<&Jp3*j7SDB", ""},
		{"rejects/unknown_key", GS1Key("ISBN"), "9780345418913", `"ISBN" is not a GS1 key this package knows`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateGS1Key(tc.key, tc.value)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateGS1Key(%s, %q) = %v, want nil", tc.key, tc.value, err)
				}
				return
			}
			var ze *zhuisu.Error
			if !errors.As(err, &ze) || ze.Code != zhuisu.EInvalid {
				t.Fatalf("ValidateGS1Key(%s, %q) = %v, want a *zhuisu.Error with EInvalid", tc.key, tc.value, err)
			}
			if ze.Message != tc.wantErr {
				t.Errorf("message = %q\n      want %q", ze.Message, tc.wantErr)
			}
		})
	}
}

func TestNormalizeGTIN(t *testing.T) {
	for in, want := range map[string]string{
		"97803119":       "00000097803119",
		"416000336108":   "00416000336108",
		"4006381333931":  "04006381333931",
		"09521234543213": "09521234543213",
	} {
		t.Run("pads/"+in, func(t *testing.T) {
			if got, err := NormalizeGTIN(in); err != nil || got != want {
				t.Errorf("NormalizeGTIN(%q) = %q, %v; want %q", in, got, err, want)
			}
		})
	}
}

// TestCanonical covers the three outcomes of Canonical: a canonical Digital Link, the
// input unchanged (not GS1), or an EInvalid error naming the fault.
func TestCanonical(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the canonical form; "" = unchanged
		err  string // substring of the error message; "" = no error
	}{
		// Converted.
		{"converts/sgtin", "urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789", ""},
		{"converts/sgtin_escaped_serial", "urn:epc:id:sgtin:0614141.812345.A%2FB%25", "https://id.gs1.org/01/80614141123458/21/A%2FB%25", ""},
		{"converts/sgtin_serial_with_dot", "urn:epc:id:sgtin:0614141.812345.A.B", "https://id.gs1.org/01/80614141123458/21/A.B", ""},
		{"converts/urn_case_insensitive_prefix", "URN:EPC:ID:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789", ""},
		{"converts/sscc", "urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908", ""},
		{"converts/sgln_extension", "urn:epc:id:sgln:0614141.12345.400", "https://id.gs1.org/414/0614141123452/254/400", ""},
		{"converts/lgtin", "urn:epc:class:lgtin:4012345.012345.Lot987", "https://id.gs1.org/01/04012345123456/10/Lot987", ""},
		{"converts/idpat_class", "urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456", ""},
		{"converts/itip", "urn:epc:id:itip:4012345.011111.01.02.987", "https://id.gs1.org/8006/040123451111180102/21/987", ""},
		{"converts/cpi", "urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345", "https://id.gs1.org/8010/06141415PQ7%2FZ43/8011/12345", ""},
		{"converts/already_canonical", "https://id.gs1.org/01/09520123456788/21/12345", "https://id.gs1.org/01/09520123456788/21/12345", ""},
		{"converts/other_host_and_prefix", "https://brand.example.com/shop/01/09520123456788/10/ABC%2d1", "https://id.gs1.org/01/09520123456788/10/ABC-1", ""},
		{"converts/keeps_all_qualifiers", "https://example.com/01/09520123456788/22/2A/10/B1/21/S1", "https://id.gs1.org/01/09520123456788/22/2A/10/B1/21/S1", ""},
		{"converts/convenience_alphas", "http://example.com/gtin/9520123456788/lot/ABC/ser/XYZ", "https://id.gs1.org/01/09520123456788/10/ABC/21/XYZ", ""},
		{"converts/gtin8_padded", "https://example.com/01/97803119", "https://id.gs1.org/01/00000097803119", ""},
		{"converts/sorts_attributes_drops_others", "https://example.com/01/09520123456788?linkType=all&3103=000195&17=251231&x", "https://id.gs1.org/01/09520123456788?17=251231&3103=000195", ""},
		{"converts/escapes_reserved_chars", "https://id.gs1.org/01/09520123456788/21/!()*", "https://id.gs1.org/01/09520123456788/21/%21%28%29%2A", ""},
		{"converts/query_plus_sign", "https://id.gs1.org/01/09520123456788?7002=A%2bB", "https://id.gs1.org/01/09520123456788?7002=A%2BB", ""},
		{"rejects/query_space", "https://id.gs1.org/01/09520123456788?7002=A+B", "", "invalid CSET 82 character"},
		{"converts/drops_fragment", "https://id.gs1.org/414/9520123456788#x", "https://id.gs1.org/414/9520123456788", ""},
		{"converts/any_case_scheme", "Https://ID.GS1.ORG/00/006141411234567890", "https://id.gs1.org/00/006141411234567890", ""},
		{"converts/bracketed", "(01)09520123456788(17)251231(21)ABC", "https://id.gs1.org/01/09520123456788/21/ABC?17=251231", ""},
		{"converts/element_string", "^010952012345678810ABC^17251231", "https://id.gs1.org/01/09520123456788/10/ABC?17=251231", ""},
		{"converts/scan_data", "]d2010952012345678810ABC\x1d17251231", "https://id.gs1.org/01/09520123456788/10/ABC?17=251231", ""},
		{"converts/scanned_digital_link", "]Q1https://example.com/01/09520123456788", "https://id.gs1.org/01/09520123456788", ""},

		// Not GS1: unchanged, no error.
		{"unchanged/empty", "", "", ""},
		{"unchanged/plain_text", "hello", "", ""},
		{"unchanged/other_urn", "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "", ""},
		{"unchanged/non_gs1_epc", "urn:epc:id:gid:95100000.12345.400", "", ""},
		{"unchanged/wide_epc_pattern", "urn:epc:idpat:sgtin:4012345.*.*", "", ""},
		{"unchanged/ordinary_web_uri", "https://example.com/about/us", "", ""},
		{"unchanged/web_uri_with_01_segment", "https://example.com/2024/01/report", "", ""},
		{"unchanged/bare_digits", "09520123456788", "", ""},
		{"unchanged/ftp", "ftp://example.com/01/09520123456788", "", ""},

		// Claims GS1, malformed: error.
		{"rejects/check_digit", "https://id.gs1.org/01/09521234543214", "", "GTIN 09521234543214: check digit should be 3, got 4"},
		{"rejects/check_digit_in_bracketed", "(01)09521234543214", "", "GTIN 09521234543214: check digit should be 3, got 4"},
		{"rejects/short_gtin", "https://example.com/01/97803", "", `AI (01) value "97803" is too short (format N14)`},
		{"rejects/qualifier_order", "https://id.gs1.org/01/09520123456788/21/S/10/L", "", "key qualifiers are not allowed"},
		{"rejects/unknown_qualifier", "https://id.gs1.org/01/09520123456788/99/x", "", "key qualifiers are not allowed"},
		{"rejects/qualifier_in_query", "https://id.gs1.org/01/09520123456788?10=ABC", "", "belongs in the Digital Link path"},
		{"rejects/duplicate_attribute", "https://id.gs1.org/01/09520123456788?99=A&99=A", "", "more than once"},
		{"rejects/bad_date", "https://id.gs1.org/01/09520123456788?17=251301", "", "illegal month"},
		{"rejects/unknown_numeric_param", "https://id.gs1.org/01/09520123456788?999=x", "", "not a known GS1 AI"},
		{"rejects/attribute_without_its_key", "https://id.gs1.org/414/9520123456788?17=250101", "", "AI (17) requires"},
		{"rejects/excluded_pair", "https://id.gs1.org/01/09520123456788?255=4012345222227", "", "must not be used together"},
		{"rejects/illegal_uri_character", "https://id.gs1.org/01/09520123456788/21/a b", "", "cannot carry unescaped"},
		{"rejects/serial_too_long", "https://id.gs1.org/01/09520123456788/21/123456789012345678901", "", "is too long"},
		{"rejects/epc_wrong_digit_count", "urn:epc:id:sgtin:4012345.01111.1", "", "must be 13 digits together"},
		{"rejects/epc_missing_field", "urn:epc:id:sgtin:4012345.011111", "", "expected 3 dot-separated fields"},
		{"rejects/epc_bad_serial", "urn:epc:id:sgtin:4012345.011111.a%20b", "", "invalid CSET 82 character"},
		{"rejects/epc_bad_escape", "urn:epc:id:sgtin:4012345.011111.a%2", "", "malformed %-escape"},
		{"rejects/epc_star_outside_pattern", "urn:epc:id:sgtin:4012345.011111.*", "", "only allowed in an EPC pattern"},
		{"rejects/element_string_without_key", "(10)ABC", "", "requires"},
		{"rejects/bad_scan_data", "]d2019520123456788", "", "too short"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Canonical(tc.in)
			if tc.err != "" {
				var ze *zhuisu.Error
				if !errors.As(err, &ze) || ze.Code != zhuisu.EInvalid {
					t.Fatalf("Canonical(%q) = %q, %v; want a *zhuisu.Error with EInvalid", tc.in, got, err)
				}
				if !strings.Contains(ze.Message, tc.err) {
					t.Errorf("Canonical(%q) message = %q, want it to contain %q", tc.in, ze.Message, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Canonical(%q) error: %v", tc.in, err)
			}
			want := tc.want
			if want == "" {
				want = tc.in
			}
			if got != want {
				t.Errorf("Canonical(%q)\n got  %q\n want %q", tc.in, got, want)
			}
			if again, err := Canonical(got); err != nil || again != got {
				t.Errorf("Canonical is not idempotent: Canonical(%q) = %q, %v", got, again, err)
			}
		})
	}
}

func TestHashForm(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"keeps/canonical_serial", "https://id.gs1.org/01/09520123456788/21/12345", "https://id.gs1.org/01/09520123456788/21/12345"},
		{"drops/query_and_cpv", "https://example.com/01/09520123456788/22/A/10/L?17=251231", "https://id.gs1.org/01/09520123456788/10/L"},
		{"keeps/serial_over_lot", "https://example.com/01/09520123456788/10/L/21/S", "https://id.gs1.org/01/09520123456788/21/S"},
		{"keeps/tpx", "https://example.com/01/09520123456788/235/T", "https://id.gs1.org/01/09520123456788/235/T"},
		{"keeps/gln_extension", "https://example.com/414/9520123456788/254/7", "https://id.gs1.org/414/9520123456788/254/7"},
		{"drops/7040", "https://example.com/417/9520123456788/7040/1A2B", "https://id.gs1.org/417/9520123456788"},
		{"drops/8019", "https://example.com/8018/401234500000067657/8019/12", "https://id.gs1.org/8018/401234500000067657"},
		{"keeps/cpid_serial", "https://example.com/8010/0628165987/8011/9876", "https://id.gs1.org/8010/0628165987/8011/9876"},
		{"ignores/invalid_query", "https://example.com/01/09520123456788?17=999999", "https://id.gs1.org/01/09520123456788"},
		{"converts/epc_pattern", "urn:epc:idpat:itip:4012345.012345.01.02.*", "https://id.gs1.org/8006/040123451234560102"},
		{"converts/element_string", "(01)09520123456788(10)L(21)S", "https://id.gs1.org/01/09520123456788/21/S"},
		{"unchanged/wide_pattern", "urn:epc:idpat:sgtin:4012345.*.*", "urn:epc:idpat:sgtin:4012345.*.*"},
		{"unchanged/malformed", "https://id.gs1.org/01/095201234567880", "https://id.gs1.org/01/095201234567880"},
		{"unchanged/not_gs1", "https://example.com/", "https://example.com/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HashForm(tc.in); got != tc.want {
				t.Errorf("HashForm(%q)\n got  %q\n want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestHashFormAllocs holds HashForm to its hot-path promise: an input already in hash form
// costs no allocation, an EPC URN one (the result).
func TestHashFormAllocs(t *testing.T) {
	tests := []struct {
		in  string
		max float64
	}{
		{"https://id.gs1.org/01/09520123456788/21/12345", 0},
		{"https://id.gs1.org/414/9520123456788/254/7", 0},
		{"https://id.gs1.org/00/006141411234567890", 0},
		{"urn:epc:id:sgtin:0614141.812345.6789", 1},
		{"urn:epc:id:sscc:0614141.1234567890", 1},
		{"https://example.com/01/09520123456788/21/12345", 1},
		{"not a GS1 identifier", 0},
	}
	for _, tc := range tests {
		t.Run("at_most_"+gs1Itoa(int(tc.max))+"/"+tc.in, func(t *testing.T) {
			n := testing.AllocsPerRun(200, func() { HashForm(tc.in) })
			if n > tc.max {
				t.Errorf("HashForm(%q): %v allocations, want at most %v", tc.in, n, tc.max)
			}
		})
	}
}

func TestParseDigitalLink(t *testing.T) {
	d, err := ParseDigitalLink("https://brand.example.com/p/gtin/9520123456788/cpv/2A/ser/S%2F1?17=251231&linkType=pip&3103=000195#top")
	if err != nil {
		t.Fatal(err)
	}
	if d.Stem != "https://brand.example.com/p" {
		t.Errorf("Stem = %q", d.Stem)
	}
	if d.Key != (AIElement{"01", "09520123456788"}) {
		t.Errorf("Key = %+v", d.Key)
	}
	if len(d.Qualifiers) != 2 || d.Qualifiers[0] != (AIElement{"22", "2A"}) || d.Qualifiers[1] != (AIElement{"21", "S/1"}) {
		t.Errorf("Qualifiers = %+v", d.Qualifiers)
	}
	if len(d.Attributes) != 2 || d.Attributes[0] != (AIElement{"17", "251231"}) || d.Attributes[1] != (AIElement{"3103", "000195"}) {
		t.Errorf("Attributes = %+v", d.Attributes)
	}
	if len(d.Other) != 1 || d.Other[0] != "linkType=pip" {
		t.Errorf("Other = %q", d.Other)
	}
	if got, want := d.ElementString(), "^0109520123456788222A^21S/1^172512313103000195"; got != want {
		t.Errorf("ElementString = %q, want %q", got, want)
	}
	if got, want := d.String(), "https://brand.example.com/p/01/09520123456788/22/2A/21/S%2F1?17=251231&3103=000195"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := d.Canonical(), "https://id.gs1.org/01/09520123456788/22/2A/21/S%2F1?17=251231&3103=000195"; got != want {
		t.Errorf("Canonical = %q, want %q", got, want)
	}
	if got, want := d.HashForm(), "https://id.gs1.org/01/09520123456788/21/S%2F1"; got != want {
		t.Errorf("HashForm = %q, want %q", got, want)
	}
	if _, err := StrictGS1.ParseDigitalLink("https://brand.example.com/gtin/09520123456788"); err == nil {
		t.Error("strict parsing accepted a convenience alpha")
	}
}

func TestElementStrings(t *testing.T) {
	els := []AIElement{{"01", "09520123456788"}, {"10", "ABC(1)"}, {"17", "251231"}, {"21", "S1"}}
	es := FormatElementString(els)
	if es != "^010952012345678810ABC(1)^1725123121S1" {
		t.Fatalf("FormatElementString = %q", es)
	}
	if gs := FormatScanElementString(els); gs != "010952012345678810ABC(1)\x1d1725123121S1" {
		t.Fatalf("FormatScanElementString = %q", gs)
	}
	back, err := ParseElementString(es)
	if err != nil || FormatElementString(back) != es {
		t.Fatalf("ParseElementString(%q) = %v, %v", es, back, err)
	}
	br := FormatBracketedAI(els)
	if br != `(01)09520123456788(10)ABC\(1)(17)251231(21)S1` {
		t.Fatalf("FormatBracketedAI = %q", br)
	}
	back, err = ParseBracketedAI(br)
	if err != nil || FormatBracketedAI(back) != br {
		t.Fatalf("ParseBracketedAI(%q) = %v, %v", br, back, err)
	}
	if _, err := ParseElementString("^0109520123456789"); AILintCodeOf(err) != LintIncorrectCheckDigit {
		t.Errorf("bad check digit: error %v, want lint code %s", err, LintIncorrectCheckDigit)
	}
}

func TestDigitalLinkToEPC(t *testing.T) {
	tests := []struct {
		name, in string
		gcp      int
		want     string
		err      string
	}{
		{"sgtin", "https://id.gs1.org/01/80614141123458/21/6789%2F", 7, "urn:epc:id:sgtin:0614141.812345.6789%2F", ""},
		{"sgtin_12_digit_prefix", "https://id.gs1.org/01/04150567890128/21/987654", 12, "urn:epc:id:sgtin:415056789012.0.987654", ""},
		{"lgtin", "https://id.gs1.org/01/04012345123456/10/Lot987", 7, "urn:epc:class:lgtin:4012345.012345.Lot987", ""},
		{"gtin_pattern", "https://id.gs1.org/01/04012345123456", 7, "urn:epc:idpat:sgtin:4012345.012345.*", ""},
		{"upui", "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7SDB", 7, "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7SDB", ""},
		{"serial_that_is_only_an_asterisk", "https://id.gs1.org/01/00000000000000/235/%2A", 7, "urn:epc:id:upui:0000000.000000.%2A", ""},
		{"sscc", "https://id.gs1.org/00/340123451111111111", 7, "urn:epc:id:sscc:4012345.3111111111", ""},
		{"sgln_no_extension", "https://id.gs1.org/414/4012345000054", 7, "urn:epc:id:sgln:4012345.00005.0", ""},
		{"sgln_extension", "https://id.gs1.org/414/4012345000054/254/122", 7, "urn:epc:id:sgln:4012345.00005.122", ""},
		{"grai", "https://id.gs1.org/8003/04012345000221334455", 7, "urn:epc:id:grai:4012345.00022.334455", ""},
		{"giai", "https://id.gs1.org/8004/4012345ABC345", 7, "urn:epc:id:giai:4012345.ABC345", ""},
		{"gsrn", "https://id.gs1.org/8018/401234500000067657", 7, "urn:epc:id:gsrn:4012345.0000006765", ""},
		{"gdti_empty_doc_type", "https://id.gs1.org/253/98765999999929", 12, "urn:epc:id:gdti:987659999999..9", ""},
		{"cpi", "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234", 7, "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234", ""},
		{"itip", "https://id.gs1.org/8006/040123451111180102/21/987", 7, "urn:epc:id:itip:4012345.011111.01.02.987", ""},
		{"pgln", "https://id.gs1.org/417/9999999999994", 12, "urn:epc:id:pgln:999999999999.", ""},
		{"from_urn_itself", "urn:epc:id:gsin:4012345.222333444", 7, "urn:epc:id:gsin:4012345.222333444", ""},
		{"rejects_prefix_length", "https://id.gs1.org/01/04012345123456", 13, "", "must be 4 to 12 digits"},
		{"rejects_no_scheme", "https://id.gs1.org/8013/1987654Ad4X4bL5ttr2310c2K", 7, "", "has no EPC URN scheme"},
		{"rejects_not_gs1", "https://example.com/", 7, "", "is not a GS1 identifier"},
	}
	for _, tc := range tests {
		name := "converts/" + tc.name
		if tc.err != "" {
			name = "rejects/" + tc.name
		}
		t.Run(name, func(t *testing.T) {
			got, err := DigitalLinkToEPC(tc.in, tc.gcp)
			if tc.err != "" {
				if err == nil || !strings.Contains(zhuisu.ErrorMessage(err), tc.err) {
					t.Errorf("DigitalLinkToEPC(%q, %d) = %q, %v; want error containing %q", tc.in, tc.gcp, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("DigitalLinkToEPC(%q, %d) = %q, %v; want %q", tc.in, tc.gcp, got, err, tc.want)
			}
			// And back.
			if dl, err := EPCToDigitalLink(got); err != nil || dl != HashForm(tc.in) {
				t.Errorf("EPCToDigitalLink(%q) = %q, %v; want %q", got, dl, err, HashForm(tc.in))
			}
		})
	}
}

func TestAITable(t *testing.T) {
	if n := len(AllAIs()); n != 541 {
		t.Errorf("AllAIs has %d entries, want the 541 of the syntax dictionary", n)
	}
	minimum := []string{"00", "01", "10", "11", "13", "15", "16", "17", "21", "22", "235", "253", "254", "255",
		"30", "3100", "3105", "3160", "3920", "3923", "37", "400", "401", "402", "403", "410", "414", "415", "417",
		"422", "427", "7001", "7003", "7010", "7040", "8003", "8004", "8005", "8006", "8008", "8010", "8011",
		"8013", "8017", "8018", "8019", "8020", "90", "91", "99"}
	for _, ai := range minimum {
		if _, ok := LookupAI(ai); !ok {
			t.Errorf("AI (%s) is missing", ai)
		}
	}
	keys := 0
	for _, a := range AllAIs() {
		if a.PrimaryKey {
			keys++
		}
		for _, alt := range a.Qualifiers {
			for _, q := range alt {
				if _, ok := LookupAI(q); !ok {
					t.Errorf("AI (%s): qualifier (%s) is not in the table", a.AI, q)
				}
			}
		}
		if a.MinLength() < 1 || a.MaxLength() < a.MinLength() {
			t.Errorf("AI (%s): lengths %d..%d", a.AI, a.MinLength(), a.MaxLength())
		}
	}
	if keys != 16 {
		t.Errorf("%d primary keys, want 16", keys)
	}
	gtin, _ := LookupAI("01")
	if !gtin.Fixed || !gtin.DataAttr || !gtin.PrimaryKey || gtin.Format() != "N14" || gtin.Title != "GTIN" {
		t.Errorf("AI (01) = %+v", gtin)
	}
	if gdti, _ := LookupAI("253"); gdti.Format() != "N13 [X..17]" {
		t.Errorf("AI (253) format = %q", gdti.Format())
	}
}

// TestHashFormApostrophe pins the escaping of "'" in the hash form: "%27", as GS1 Digital
// Link requires (the Digital Link ABNF defines Apostrophe = "%27", and the gs1-syntax-engine
// dl_uri_escape vectors escape "'" in path and query values), and as Canonical and
// EPCToDigitalLink write it. The CBV reference implementation of the event hash leaves the
// apostrophe of an EPC URN unescaped (its vector epclist_normalisation.jsonld has
// …/235/51qIgY%29%3C%26Jp3%2Aj7'SDB); the normalisation vectors it ships have no
// apostrophe, so following it here would contradict the Digital Link rules for no vector of
// this package. The event-hash test lists that vector as a known mismatch.
func TestHashFormApostrophe(t *testing.T) {
	const want = "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7%27SDB"
	urn := "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB"
	if got := HashForm(urn); got != want {
		t.Errorf("HashForm(%q) = %q, want %q", urn, got, want)
	}
	if got, err := EPCToDigitalLink(urn); err != nil || got != want {
		t.Errorf("EPCToDigitalLink(%q) = %q, %v; want %q", urn, got, err, want)
	}
	if got := EscapeDLPathElement("j7'SDB"); got != "j7%27SDB" {
		t.Errorf("EscapeDLPathElement = %q", got)
	}
	for _, dl := range []string{"https://id.gs1.org/01/04012345111118/21/a'b", "https://example.com/01/04012345111118/21/a%27b?17=250101"} {
		if got := HashForm(dl); got != "https://id.gs1.org/01/04012345111118/21/a%27b" {
			t.Errorf("HashForm(%q) = %q", dl, got)
		}
	}
	if got, err := DigitalLinkToEPC("https://id.gs1.org/01/04012345111118/21/a%27b", 7); err != nil || got != "urn:epc:id:sgtin:4012345.011111.a'b" {
		t.Errorf("DigitalLinkToEPC = %q, %v", got, err)
	}
}
