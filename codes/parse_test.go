package codes

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

// parseCaseT is one row of the table of Parse: an accepted input with its scheme and
// canonical URI (and, where given, human form and part meanings), or a rejected input
// with fragments of the reason.
type parseCaseT struct {
	name      string
	in        string
	scheme    string
	canonical string
	human     string            // checked when not empty
	meanings  map[string]string // part name → meaning, checked when given
	err       []string
}

const (
	parseDL     = "https://id.gs1.org"
	parseGTIN   = "09521234543213"
	parseSGTIN  = parseDL + "/01/" + parseGTIN + "/21/ABC"
	parseCNURN  = "urn:zhuisu:code:"
	parsePrefix = "GTIN-13; GS1 prefix 952: demonstrations and examples of the GS1 system"
	// Vectors whose check characters were computed by hand or with the independent
	// helpers of cn_testutil_test.go.
	parseUSCCAlsoGS1  = "913501000000001585" // valid USCC whose last digit also satisfies the GS1 check
	parseIDAlsoGS1    = "350102199001010040" // valid resident ID number, GS1 check holds too
	parseEquipAlsoGS1 = "215010890201500004" // valid 18-character equipment code, GS1 check holds too
	parseDetAlsoGS1   = "5330517000008"      // valid detonator code, GS1 check holds too
)

func parseCasesT() []parseCaseT {
	return []parseCaseT{
		// GS1 Digital Link URIs.
		{name: "dl/canonical sgtin with attributes", in: parseSGTIN + "?17=261231&3103=000195", scheme: "gs1.sgtin",
			canonical: parseSGTIN + "?17=261231&3103=000195", human: "(01)09521234543213(21)ABC(17)261231(3103)000195",
			meanings: map[string]string{"GTIN": parsePrefix, "SERIAL": "", "USE BY or EXPIRY": "2026-12-31", "NET WEIGHT (kg)": "0.195 kg"}},
		{name: "dl/other host, convenience alphas, GTIN-13, attributes unsorted, linkType dropped",
			in: "https://brand.example.com/p/gtin/9521234543213/lot/L1?3103=000195&17=260100&linkType=all", scheme: "gs1.lgtin",
			canonical: parseDL + "/01/" + parseGTIN + "/10/L1?17=260100&3103=000195", human: "(01)09521234543213(10)L1(17)260100(3103)000195",
			meanings: map[string]string{"USE BY or EXPIRY": "2026-01-31 (day 00: the last day of the month)"}},
		{name: "dl/upper-case scheme, GTIN-8", in: "HTTP://example.com/01/95212340", scheme: "gs1.gtin",
			canonical: parseDL + "/01/00000095212340", meanings: map[string]string{"GTIN": "GTIN-8, GS1-8 prefix 952"}},
		{name: "dl/gtin with CPV only", in: parseDL + "/01/" + parseGTIN + "/22/V1", scheme: "gs1.gtin", canonical: parseDL + "/01/" + parseGTIN + "/22/V1"},
		{name: "dl/sgtin with CPV, lot and serial", in: parseDL + "/01/" + parseGTIN + "/22/V1/10/L1/21/S1", scheme: "gs1.sgtin",
			canonical: parseDL + "/01/" + parseGTIN + "/22/V1/10/L1/21/S1", human: "(01)09521234543213(22)V1(10)L1(21)S1"},
		{name: "dl/upui", in: parseDL + "/01/" + parseGTIN + "/235/TPX1", scheme: "gs1.upui", canonical: parseDL + "/01/" + parseGTIN + "/235/TPX1"},
		{name: "dl/sscc", in: parseDL + "/00/095212345000000018", scheme: "gs1.sscc", canonical: parseDL + "/00/095212345000000018",
			meanings: map[string]string{"SSCC": "extension digit 0; GS1 prefix 952: demonstrations and examples of the GS1 system"}},
		{name: "dl/gln", in: parseDL + "/414/9521234543213", scheme: "gs1.gln", canonical: parseDL + "/414/9521234543213"},
		{name: "dl/sgln", in: parseDL + "/414/9521234543213/254/12", scheme: "gs1.sgln", canonical: parseDL + "/414/9521234543213/254/12"},
		{name: "dl/pgln", in: parseDL + "/417/9521234543213", scheme: "gs1.pgln", canonical: parseDL + "/417/9521234543213"},
		{name: "dl/grai", in: parseDL + "/8003/09521234543213XYZ", scheme: "gs1.grai", canonical: parseDL + "/8003/09521234543213XYZ"},
		{name: "dl/giai", in: parseDL + "/8004/9521234ABC123", scheme: "gs1.giai", canonical: parseDL + "/8004/9521234ABC123"},
		{name: "dl/gdti", in: parseDL + "/253/9521234543213DOC1", scheme: "gs1.gdti", canonical: parseDL + "/253/9521234543213DOC1"},
		{name: "dl/gcn", in: parseDL + "/255/952123454321312", scheme: "gs1.gcn", canonical: parseDL + "/255/952123454321312"},
		{name: "dl/ginc", in: parseDL + "/401/9521234ABC", scheme: "gs1.ginc", canonical: parseDL + "/401/9521234ABC"},
		{name: "dl/gsin", in: parseDL + "/402/95212345432100003", scheme: "gs1.gsin", canonical: parseDL + "/402/95212345432100003"},
		{name: "dl/gsrn", in: parseDL + "/8018/952123454321000010", scheme: "gs1.gsrn", canonical: parseDL + "/8018/952123454321000010"},
		{name: "dl/gsrnp", in: parseDL + "/8017/952123454321000010", scheme: "gs1.gsrnp", canonical: parseDL + "/8017/952123454321000010"},
		{name: "dl/itip", in: parseDL + "/8006/095212345432130102/21/X", scheme: "gs1.itip", canonical: parseDL + "/8006/095212345432130102/21/X",
			meanings: map[string]string{"ITIP": parsePrefix + "; piece 01 of 02"}},
		{name: "dl/cpid", in: parseDL + "/8010/95212345ABC/8011/123", scheme: "gs1.cpid", canonical: parseDL + "/8010/95212345ABC/8011/123"},
		{name: "dl/gmn", in: parseDL + "/8013/1987654Ad4X4bL5ttr2310c2K", scheme: "gs1.gmn", canonical: parseDL + "/8013/1987654Ad4X4bL5ttr2310c2K"},
		{name: "dl/payslip", in: parseDL + "/415/9521234543213/8020/REF123", scheme: "gs1.payslip", canonical: parseDL + "/415/9521234543213/8020/REF123"},
		{name: "dl/reject wrong check digit", in: parseDL + "/01/09521234543214", err: []string{"GTIN 09521234543214: check digit should be 3, got 4"}},
		{name: "dl/reject impossible date", in: parseSGTIN + "?17=261331", err: []string{"(17)"}},
		{name: "dl/reject URI without a GS1 key", in: "https://example.com/products/42", err: []string{"is not a GS1 Digital Link URI: no GS1 primary key in its path"}},

		// EPC URNs.
		{name: "epc/sgtin", in: "urn:epc:id:sgtin:9521234.054321.ABC", scheme: "gs1.sgtin", canonical: parseSGTIN},
		{name: "epc/sscc", in: "urn:epc:id:sscc:9521234.0500000001", scheme: "gs1.sscc", canonical: parseDL + "/00/095212345000000018"},
		{name: "epc/sgln without extension", in: "urn:epc:id:sgln:9521234.54321.0", scheme: "gs1.gln", canonical: parseDL + "/414/9521234543213"},
		{name: "epc/sgln with extension", in: "urn:epc:id:sgln:9521234.54321.12", scheme: "gs1.sgln", canonical: parseDL + "/414/9521234543213/254/12"},
		{name: "epc/lgtin class", in: "urn:epc:class:lgtin:9521234.054321.L1", scheme: "gs1.lgtin", canonical: parseDL + "/01/" + parseGTIN + "/10/L1"},
		{name: "epc/pattern names its class", in: "urn:epc:idpat:sgtin:9521234.054321.*", scheme: "gs1.gtin", canonical: parseDL + "/01/" + parseGTIN},
		{name: "epc/any case prefix", in: "URN:EPC:id:sgtin:9521234.054321.ABC", scheme: "gs1.sgtin", canonical: parseSGTIN},
		{name: "epc/reject a scheme that is not a GS1 key", in: "urn:epc:id:gid:95100000.12345.400", err: []string{"is not a GS1 EPC URN"}},
		{name: "epc/reject missing field", in: "urn:epc:id:sgtin:9521234.054321", err: []string{"expected 3 dot-separated fields"}},

		// Scanner output.
		{name: "scan/GS1 DataMatrix with GS", in: "]d201" + parseGTIN + "17261231" + "21ABC\x1d10L1", scheme: "gs1.sgtin",
			canonical: parseDL + "/01/" + parseGTIN + "/10/L1/21/ABC?17=261231", human: "(01)09521234543213(10)L1(21)ABC(17)261231"},
		{name: "scan/GS1-128", in: "]C100095212345000000018", scheme: "gs1.sscc", canonical: parseDL + "/00/095212345000000018"},
		{name: "scan/GS1 QR Code", in: "]Q301" + parseGTIN + "21ABC", scheme: "gs1.sgtin", canonical: parseSGTIN},
		{name: "scan/GS1 DataBar", in: "]e001" + parseGTIN + "3103000195", scheme: "gs1.gtin", canonical: parseDL + "/01/" + parseGTIN + "?3103=000195"},
		{name: "scan/EAN-13", in: "]E06901234567892", scheme: "gs1.gtin", canonical: parseDL + "/01/06901234567892",
			meanings: map[string]string{"GTIN": "GTIN-13; GS1 prefix 690: GS1 China 中国物品编码中心"}},
		{name: "scan/QR Code with a Digital Link", in: "]Q1" + parseSGTIN, scheme: "gs1.sgtin", canonical: parseSGTIN},
		{name: "scan/QR Code with a Chinese code", in: "]Q1SC10635010200123", scheme: "cn.foodlicence", canonical: parseCNURN + "cn.foodlicence:SC10635010200123"},
		{name: "scan/Code 128 drug trace code", in: "]C081234560012345678901", scheme: "cn.drug", canonical: parseCNURN + "cn.drug:81234560012345678901"},
		{name: "scan/reject wrong check digit", in: "]d20109521234543214", err: []string{"GTIN 09521234543214: check digit should be 3, got 4"}},
		{name: "scan/reject unknown symbology", in: "]A0ABC123", err: []string{"symbology identifier ]A0 is not one this platform reads"}},
		{name: "scan/reject empty plain data", in: "]Q1", err: []string{"the QR Code symbol carries no data"}},
		{name: "scan/reject element string as plain data", in: "]Q1^01" + parseGTIN, err: []string{"carries no GS1 element string"}},
		{name: "scan/reject nested identifier", in: "]Q1]d201" + parseGTIN, err: []string{"starts another symbology identifier"}},
		{name: "scan/reject GS1 data without key", in: "]d217261231", err: []string{"AI (17) requires one of (01)"}},
		{name: "scan/reject GS1 data of no key", in: "]d299ABC", err: []string{"GS1 data has no primary key"}},

		// Bracketed data and element strings.
		{name: "bracketed/sgtin with dates", in: "(01)09521234543213(21)ABC(8008)26123114(7007)260101260131", scheme: "gs1.sgtin",
			canonical: parseSGTIN + "?7007=260101260131&8008=26123114", human: "(01)09521234543213(21)ABC(7007)260101260131(8008)26123114",
			meanings: map[string]string{"HARVEST DATE": "2026-01-01 to 2026-01-31", "PROD TIME": "2026-12-31 14h"}},
		{name: "bracketed/sscc with delivery time", in: "(00)095212345000000018(4324)2612311430", scheme: "gs1.sscc",
			canonical: parseDL + "/00/095212345000000018?4324=2612311430", meanings: map[string]string{"NOT BEF DEL DT": "2026-12-31 14:30"}},
		{name: "bracketed/amount with currency", in: "(01)09521234543213(30)2(3932)1561250", scheme: "gs1.gtin",
			canonical: parseDL + "/01/" + parseGTIN + "?30=2&3932=1561250",
			meanings:  map[string]string{"PRICE": "12.50 (ISO 4217 currency 156)"}},
		{name: "bracketed/reject wrong check digit", in: "(01)09521234543214(21)ABC", err: []string{"GTIN 09521234543214: check digit should be 3, got 4"}},
		{name: "bracketed/reject unknown AI", in: "(01)09521234543213(99999)X", err: []string{"unrecognised AI (99999)"}},
		{name: "bracketed/reject no primary key", in: "(99)ABC", err: []string{"GS1 data has no primary key"}},
		{name: "bracketed/reject association", in: "(17)261231", err: []string{"AI (17) requires one of (01)"}},
		{name: "element/caret FNC1", in: "^010952123454321321ABC", scheme: "gs1.sgtin", canonical: parseSGTIN},
		{name: "element/GS FNC1", in: "\x1d010952123454321321ABC", scheme: "gs1.sgtin", canonical: parseSGTIN},
		{name: "element/reject bad AI", in: "^9", err: []string{"no known AI"}},
		{name: "element/without FNC1, 16 digits", in: "01" + parseGTIN, scheme: "gs1.gtin", canonical: parseDL + "/01/" + parseGTIN},
		{name: "element/without FNC1, GS separated", in: "01" + parseGTIN + "21ABC\x1d10L1", scheme: "gs1.sgtin",
			canonical: parseDL + "/01/" + parseGTIN + "/10/L1/21/ABC"},
		{name: "element/without FNC1, 00 and SSCC (20 digits starting 0)", in: "00095212345000000018", scheme: "gs1.sscc", canonical: parseDL + "/00/095212345000000018"},
		{name: "element/reject without FNC1, wrong check digit", in: "0109521234543214", err: []string{"without its leading FNC1", "check digit should be 3, got 4"}},

		// GS1 keys as digits.
		{name: "digits/GTIN-8", in: "95212340", scheme: "gs1.gtin", canonical: parseDL + "/01/00000095212340", human: "(01)00000095212340"},
		{name: "digits/GTIN-12", in: "036000291452", scheme: "gs1.gtin", canonical: parseDL + "/01/00036000291452",
			meanings: map[string]string{"GTIN": "GTIN-12 (UPC-A); GS1 prefix 003: GS1 US"}},
		{name: "digits/GTIN-13", in: "6901234567892", scheme: "gs1.gtin", canonical: parseDL + "/01/06901234567892"},
		{name: "digits/GTIN-14", in: "19521234543210", scheme: "gs1.gtin", canonical: parseDL + "/01/19521234543210",
			meanings: map[string]string{"GTIN": "GTIN-14, indicator 1 (packaging level); GS1 prefix 952: demonstrations and examples of the GS1 system"}},
		{name: "digits/SSCC", in: "095212345000000018", scheme: "gs1.sscc", canonical: parseDL + "/00/095212345000000018", human: "(00)095212345000000018"},
		{name: "digits/reject GTIN-8 check", in: "95212341", err: []string{"GTIN 95212341: check digit should be 0, got 1"}},
		{name: "digits/reject GTIN-14 check", in: "19521234543211", err: []string{"GTIN 19521234543211: check digit should be 0, got 1"}},
		{name: "digits/reject 13 digits, neither GTIN nor detonator", in: "6901234567891",
			err: []string{"GTIN 6901234567891: check digit should be 2, got 1; as a Chinese code: detonator code 6901234567891:"}},
		{name: "digits/reject 12 digits, neither GTIN nor cylinder", in: "036000291453",
			err: []string{"GTIN 036000291453: check digit should be 2, got 3"}},
		{name: "digits/reject SSCC check, no Chinese shape", in: "095212345000000017", err: []string{"SSCC 095212345000000017: check digit should be 8, got 7"}},
		{name: "digits/reject 10 digits", in: "1234567890", err: []string{"not a code of any scheme this platform knows: 1234567890"}},

		// Ambiguous digits.
		{name: "ambiguous/13 digits, GS1 check holds: GTIN, not detonator", in: parseDetAlsoGS1, scheme: "gs1.gtin", canonical: parseDL + "/01/0" + parseDetAlsoGS1},
		{name: "ambiguous/13 digits, GS1 check fails: detonator", in: "5330517000000", scheme: "cn.detonator", canonical: parseCNURN + "cn.detonator:5330517000000"},
		{name: "ambiguous/detonator URN", in: parseCNURN + "cn.detonator:" + parseDetAlsoGS1, scheme: "cn.detonator", canonical: parseCNURN + "cn.detonator:" + parseDetAlsoGS1},
		{name: "ambiguous/12 digits, GS1 check fails: cylinder", in: "135001000123", scheme: "cn.cylinder", canonical: parseCNURN + "cn.cylinder:135001000123"},
		{name: "ambiguous/18 digits, USCC beats SSCC", in: parseUSCCAlsoGS1, scheme: "cn.uscc", canonical: parseCNURN + "cn.uscc:" + parseUSCCAlsoGS1},
		{name: "ambiguous/18 digits, resident ID refused though GS1 check holds", in: parseIDAlsoGS1,
			err: []string{"resident ID number 3501**********0040: a resident ID number is personal data"}},
		{name: "ambiguous/18 digits, SSCC beats equipment code", in: parseEquipAlsoGS1, scheme: "gs1.sscc", canonical: parseDL + "/00/" + parseEquipAlsoGS1},
		{name: "ambiguous/equipment code grouped", in: "2150 10890 2015 00004", scheme: "cn.equipment", canonical: parseCNURN + "cn.equipment:" + parseEquipAlsoGS1},
		{name: "ambiguous/18 digits, GS1 check fails: equipment", in: "215010890201500098", scheme: "cn.equipment", canonical: parseCNURN + "cn.equipment:215010890201500098"},
		{name: "ambiguous/18 digits, neither: both reasons, masked", in: "110105194912310021",
			err: []string{"SSCC 1101**********0021: check digit should be 6, got 1; as a Chinese code: resident ID number 1101**********0021:"}},
		{name: "ambiguous/20 digits starting 8: drug code, not (8003) GRAI", in: "80030952123454321312", scheme: "cn.drug", canonical: parseCNURN + "cn.drug:80030952123454321312"},
		{name: "ambiguous/(8003) GRAI with FNC1", in: "^80030952123454321312", scheme: "gs1.grai", canonical: parseDL + "/8003/0952123454321312"},
		{name: "ambiguous/20-character equipment registration code starting 8 grouped", in: "8300 350102 200601 0001", scheme: "cn.equipment",
			canonical: parseCNURN + "cn.equipment:83003501022006010001"},

		// Chinese schemes.
		{name: "cn/uscc", in: cnUSCCExampleT, scheme: "cn.uscc", canonical: parseCNURN + "cn.uscc:" + cnUSCCExampleT},
		{name: "cn/uscc lower case", in: strings.ToLower(cnUSCCExampleT), scheme: "cn.uscc", canonical: parseCNURN + "cn.uscc:" + cnUSCCExampleT},
		{name: "cn/reject uscc check", in: cnUSCCExampleT[:17] + "X", err: []string{"unified social credit code", "check character should be 3, got X"}},
		{name: "cn/region", in: "350102", scheme: "cn.region", canonical: parseCNURN + "cn.region:350102"},
		{name: "cn/reject abolished region", in: "350402", err: []string{"was abolished in 2021"}},
		{name: "cn/food licence", in: "SC10635010200123", scheme: "cn.foodlicence", canonical: parseCNURN + "cn.foodlicence:SC10635010200123"},
		{name: "cn/reject food licence kind", in: "SC30135010200123", err: []string{"licence kind 3 (position 3)"}},
		{name: "cn/drug", in: "81234560012345678901", scheme: "cn.drug", canonical: parseCNURN + "cn.drug:81234560012345678901"},
		{name: "cn/veterinary drug", in: "202305170123412345678901", scheme: "cn.vetdrug", canonical: parseCNURN + "cn.vetdrug:202305170123412345678901"},
		{name: "cn/reject veterinary drug date", in: "202302300123412345678901", err: []string{"day 30 does not exist in 2023-02"}},
		{name: "cn/pesticide", in: "11234562015" + strings.Repeat("7", 21), scheme: "cn.pesticide", canonical: parseCNURN + "cn.pesticide:11234562015" + strings.Repeat("7", 21)},
		{name: "cn/ear tag", in: "135010212345678", scheme: "cn.eartag", canonical: parseCNURN + "cn.eartag:135010212345678"},
		{name: "cn/detonator with letter", in: "5330517A12345", scheme: "cn.detonator", canonical: parseCNURN + "cn.detonator:5330517A12345"},
		{name: "cn/equipment 20", in: "21603101012006010101", scheme: "cn.equipment", canonical: parseCNURN + "cn.equipment:21603101012006010101"},
		{name: "cn/equipment 21", in: "3110M000100Y420150001", scheme: "cn.equipment", canonical: parseCNURN + "cn.equipment:3110M000100Y420150001"},
		{name: "cn/cylinder", in: "135A1B000123", scheme: "cn.cylinder", canonical: parseCNURN + "cn.cylinder:135A1B000123"},
		{name: "cn/platform", in: "ZS350102M000100Y400012", scheme: "cn.platform", canonical: parseCNURN + "cn.platform:ZS350102M000100Y400012"},
		{name: "cn/reject platform check", in: "ZS350102M000100Y400013", err: []string{"platform"}},
		{name: "cn/URN", in: "URN:ZHUISU:CODE:cn.region:350102", scheme: "cn.region", canonical: parseCNURN + "cn.region:350102"},
		{name: "cn/reject resident ID", in: cnIDExample1T, err: []string{"personal data"}},
		{name: "cn/reject resident ID as a GS1 serial, masked", in: "(01)09521234543213(21)" + cnIDExample1T + "ABC", err: []string{`AI (21) value "1101**********002XABC" is too long`}},
		{name: "cn/reject resident ID in a URI, masked", in: "https://example.com/p/" + cnIDExample1T, err: []string{"https://example.com/p/1101**********002X"}},
		{name: "cn/reject resident ID as scan data, masked", in: "]C0" + cnIDExample1T, err: []string{"1101**********002X", "personal data"}},
		{name: "cn/reject masked ID URN", in: parseCNURN + "cn.id:masked", err: []string{"identifies nobody"}},
		{name: "cn/reject unknown cn scheme", in: parseCNURN + "cn.nosuch:1", err: []string{"unknown Chinese code scheme"}},

		// Input as typed.
		{name: "input/surrounding white space", in: " \t6901234567892\r\n", scheme: "gs1.gtin", canonical: parseDL + "/01/06901234567892"},
		{name: "input/reject empty", in: "", err: []string{"no code given"}},
		{name: "input/reject white space only", in: " \r\n", err: []string{"no code given"}},
		{name: "input/reject too long", in: "https://id.gs1.org/01/" + parseGTIN + "?99=" + strings.Repeat("A", MaxCodeLength), err: []string{"no code of any scheme this platform knows is longer than 2048"}},
		{name: "input/reject words", in: "hello", err: []string{"not a code of any scheme this platform knows: hello; tried GS1 Digital Link URI", "cn.uscc"}},
		{name: "input/reject other URN", in: "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", err: []string{"not a code of any scheme"}},
		{name: "input/reject other code URN", in: parseCNURN + "xx.abc:1", err: []string{"not a code of any scheme"}},
		{name: "input/reject 11 digits", in: "13800138000", err: []string{"not a code of any scheme"}},
	}
}

func TestParse(t *testing.T) {
	for _, tc := range parseCasesT() {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.in)
			if tc.err != nil {
				if c != nil {
					t.Errorf("got a Code %+v along with the error", c)
				}
				parseWantErrT(t, err, tc.err...)
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if c.Scheme != tc.scheme || c.Canonical != tc.canonical {
				t.Fatalf("Parse(%q) = %s %s, want %s %s", tc.in, c.Scheme, c.Canonical, tc.scheme, tc.canonical)
			}
			if c.Input != tc.in {
				t.Errorf("Input %q, want %q", c.Input, tc.in)
			}
			if c.SchemeName == "" || c.Human == "" || len(c.Parts) == 0 {
				t.Errorf("incomplete Code %+v", c)
			}
			if tc.human != "" && c.Human != tc.human {
				t.Errorf("Human %q, want %q", c.Human, tc.human)
			}
			for name, want := range tc.meanings {
				if got, ok := parsePartT(c, name); !ok {
					t.Errorf("no part %q in %+v", name, c.Parts)
				} else if want != "" && got != want {
					t.Errorf("part %q means %q, want %q", name, got, want)
				}
			}
			// The canonical URI reads back to the same code; so does the human form (a
			// GS1 human form always, a Chinese one where ParseChinese guarantees it).
			for _, again := range []string{c.Canonical, c.Human} {
				if again == c.Human && parseHumanIsGS1T(c) {
					continue
				}
				c2, err := Parse(again)
				if err != nil {
					t.Fatalf("Parse(%q) of %q: %v", again, tc.in, err)
				}
				if c2.Scheme != c.Scheme || c2.Canonical != c.Canonical || c2.Human != c.Human || len(c2.Parts) != len(c.Parts) {
					t.Fatalf("Parse(%q) = %+v, want %+v", again, c2, c)
				}
			}
		})
	}
}

// TestParseSchemeNames checks that every GS1 scheme name is Chinese first, and every
// scheme this package produces is in docs/codes.md.
func TestParseSchemeNames(t *testing.T) {
	doc, err := os.ReadFile("../docs/codes.md")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range gs1Schemes {
		ids = append(ids, s[0])
		if s[1] == "" || s[1][0] < 0x80 {
			t.Errorf("scheme name %q of %s is not Chinese first", s[1], s[0])
		}
	}
	for _, s := range gs1SchemesQualified {
		ids = append(ids, s[0])
		if s[1] == "" || s[1][0] < 0x80 {
			t.Errorf("scheme name %q of %s is not Chinese first", s[1], s[0])
		}
	}
	for id := range cnParsers {
		ids = append(ids, id)
	}
	for _, id := range ids {
		if !strings.Contains(string(doc), "`"+id+"`") {
			t.Errorf("docs/codes.md does not list the scheme %s", id)
		}
	}
}

func TestParseMeanings(t *testing.T) {
	c, err := Parse("(01)09521234543213(30)2(3922)1250(3103)000195")
	if err != nil {
		t.Fatal(err)
	}
	// Attributes in canonical order: 30, 3103, 3922.
	for i, want := range []Part{
		{"VAR. COUNT", "2", ""},
		{"NET WEIGHT (kg)", "000195", "0.195 kg"},
		{"PRICE", "1250", "12.50"},
	} {
		if got := c.Parts[i+1]; got != want {
			t.Errorf("part %d = %+v, want %+v", i+1, got, want)
		}
	}
	c, err = Parse("(255)952123454321312(3942)1250")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Part{"PRCNT OFF", "1250", "12.50%"}); c.Scheme != "gs1.gcn" || c.Parts[1] != want {
		t.Errorf("%s %+v, want part %+v", c.Scheme, c.Parts, want)
	}
	for _, tc := range []struct {
		v    string
		n    int
		want string
	}{
		{"000195", 3, "0.195"}, {"001250", 0, "1250"}, {"000001", 5, "0.00001"}, {"123456", 6, "0.123456"}, {"5", 2, "0.05"},
	} {
		if got := gs1Decimal(tc.v, tc.n); got != tc.want {
			t.Errorf("gs1Decimal(%s, %d) = %s, want %s", tc.v, tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		yy, now, want int
	}{
		{26, 2026, 2026}, {76, 2026, 2076}, {77, 2026, 1977}, {99, 2026, 1999}, {0, 2026, 2000},
		{1, 2099, 2101}, {49, 2099, 2149}, {50, 2099, 2050}, {98, 2001, 1998}, {51, 2001, 2051}, {52, 2001, 1952},
	} {
		if got := gs1Year(tc.yy, tc.now); got != tc.want {
			t.Errorf("gs1Year(%d, %d) = %d, want %d", tc.yy, tc.now, got, tc.want)
		}
	}
	for _, tc := range []struct{ v, want string }{
		{"00000012345670", "GTIN-8, GS1-8 prefix 123"},
		{"00000021234566", "GTIN-8, restricted circulation number (RCN-8), not globally unique"},
		{"02012345678909", "GTIN-13; GS1 prefix 201: restricted circulation number within a geographic region, not globally unique"},
		{"96901234567893", "GTIN-14, indicator 9 (variable measure trade item); GS1 prefix 690: GS1 China 中国物品编码中心"},
		{"04891234567895", "GTIN-13; GS1 prefix 489: GS1 Hong Kong, China 香港"},
		{"01234567890128", "GTIN-13; GS1 prefix 123: GS1 US"},
		{"05991234567891", "GTIN-13; GS1 prefix 599"},
	} {
		if got := gtinMeaning(tc.v); got != tc.want {
			t.Errorf("gtinMeaning(%s) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// parseHumanIsGS1T reports the documented ambiguity: the human form of a Chinese code
// that is 12, 13 or 18 digits whose last digit satisfies the GS1 check reads as a GS1 key.
func parseHumanIsGS1T(c *Code) bool {
	n := len(c.Human)
	return strings.HasPrefix(c.Scheme, "cn.") && (n == 12 || n == 13 || n == 18) && ValidGS1CheckDigit(c.Human)
}

func parsePartT(c *Code, name string) (string, bool) {
	for _, p := range c.Parts {
		if p.Name == name {
			return p.Meaning, true
		}
	}
	return "", false
}

// parseWantErrT fails unless err is an EInvalid *zhuisu.Error whose message contains every
// fragment and no resident ID number of the input in full.
func parseWantErrT(t *testing.T, err error, fragments ...string) {
	t.Helper()
	var ze *zhuisu.Error
	if !errors.As(err, &ze) || ze.Code != zhuisu.EInvalid {
		t.Fatalf("error %v is not an EInvalid *zhuisu.Error", err)
	}
	for _, f := range fragments {
		if !strings.Contains(ze.Message, f) {
			t.Fatalf("error %q does not contain %q", ze.Message, f)
		}
	}
	for _, id := range []string{cnIDExample1T, parseIDAlsoGS1} {
		if strings.Contains(err.Error(), id) {
			t.Fatalf("error %q carries a resident ID number in full", err)
		}
	}
}

// FuzzParse feeds arbitrary strings to Parse. It must not panic; a failure must be an
// EInvalid *zhuisu.Error and no Code; a code must be complete, keep the input as given,
// and read back from its canonical URI to the same scheme and canonical URI.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCasesT() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse(%q) returned a Code with error %v", s, err)
			}
			var ze *zhuisu.Error
			if !errors.As(err, &ze) || ze.Code != zhuisu.EInvalid || ze.Message == "" {
				t.Fatalf("Parse(%q): error %v is not an EInvalid *zhuisu.Error with a message", s, err)
			}
			shown := strings.ToUpper(err.Error())
			for _, run := range cnIDRunsT(strings.ToUpper(s)) {
				if _, idErr := ParseResidentID(run); idErr == nil && strings.Contains(shown, run) {
					t.Fatalf("error %q carries the resident ID number %s in full", err, MaskResidentID(run))
				}
			}
			return
		}
		if c == nil || c.Input != s || c.Scheme == "" || c.SchemeName == "" || c.Canonical == "" || c.Human == "" || len(c.Parts) == 0 {
			t.Fatalf("Parse(%q) = %+v", s, c)
		}
		if strings.HasPrefix(c.Scheme, "gs1.") != strings.HasPrefix(c.Canonical, CanonicalDLStem+"/") {
			t.Fatalf("Parse(%q): scheme %s with canonical %s", s, c.Scheme, c.Canonical)
		}
		c2, err := Parse(c.Canonical)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", c.Canonical, s, err)
		}
		if c2.Scheme != c.Scheme || c2.Canonical != c.Canonical {
			t.Fatalf("Parse(%q) = %s %s; its canonical URI gives %s %s", s, c.Scheme, c.Canonical, c2.Scheme, c2.Canonical)
		}
	})
}
