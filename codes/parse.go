package codes

// Parse: the one entry point that reads a code in any form the platform accepts and says
// which scheme it follows. The GS1 readers (gs1_*.go) and the Chinese readers (cn_*.go)
// do the work; this file decides which of them a string belongs to, names the GS1
// schemes, and takes GS1 data apart into Parts.

import (
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
)

// MaxCodeLength bounds the input of Parse, in bytes. No code of any scheme comes near
// it; a GS1 Digital Link URI with many data attributes is the longest form.
const MaxCodeLength = 2048

// Parse reads a code given in any form the platform accepts and returns it taken apart:
// its scheme, canonical URI (the one used inside events), human form and named parts.
//
// Leading and trailing white space (space, tab, CR, LF, as a keyboard-wedge scanner or a
// copy and paste adds) is removed first; Code.Input keeps the string as given. The forms
// are told apart in this order:
//
//  1. urn:zhuisu:code:cn.<scheme>:<value> (any letter case in the prefix): the Chinese
//     scheme it names (ParseChinese). Other urn:zhuisu:code: schemes are not codes.
//  2. urn:epc:… : a GS1 EPC URN (ParseEPCURN): pure identity (urn:epc:id:sgtin, sscc,
//     sgln, grai, giai, gsrn, gsrnp, gdti, sgcn, ginc, gsin, itip, cpi, upui, pgln),
//     class (urn:epc:class:lgtin) or a pattern whose only wildcard is the serial, which
//     names the class it matches (urn:epc:idpat:sgtin:…* is a gs1.gtin). EPC schemes that
//     are not GS1 keys (gid, usdod, adi, bic …) are refused with the reason.
//  3. http:// or https:// (any letter case): a GS1 Digital Link URI on any host and under
//     any path prefix, read with LenientGS1 (convenience alphas such as /gtin/, GTIN-8/12/13
//     in the path). A URI with no GS1 primary key in its path is refused.
//  4. "]" and a symbology identifier: scanner output (ParseScanData). GS1 data — ]C1
//     (GS1-128), ]d2 (GS1 DataMatrix), ]Q3 (GS1 QR Code), ]e0 (GS1 DataBar), ]J1 (GS1
//     DotCode), with GS (0x1D) as FNC1 — and EAN/UPC primaries ]E0, ]E4 are read as GS1
//     element strings. Plain data — ]Q1 (QR Code, typically a Digital Link URI), ]d1,
//     ]J0, ]C0 (Code 128, e.g. a Chinese drug trace code) — is read like a typed input
//     (rules 1-3 and 5-9), so it may hold a Digital Link or any Chinese code, except that
//     it may not start with FNC1 ("^" or GS) or another symbology identifier. Other
//     symbology identifiers are refused.
//  5. "(" and digits: bracketed GS1 data, "(01)09521234543213(21)ABC"; "^" or GS first: a
//     GS1 element string with FNC1 in first position, "^010952123454321321ABC".
//  6. Digits only, 8, 12, 13 or 14 of them: a GTIN (GS1 check digit verified), the class
//     gs1.gtin. 12 and 13 digits have the shape of a gas cylinder registration code and of
//     an industrial detonator code too, which carry no check character: the string is a
//     GTIN-12/13 when its GS1 check digit holds, and otherwise whatever ParseChinese makes
//     of it. So a detonator or cylinder code whose last digit happens to satisfy the GS1
//     check (one in ten) reads as a GTIN; give it as urn:zhuisu:code:cn.detonator:… or
//     urn:zhuisu:code:cn.cylinder:… to say which is meant.
//  7. Digits only, 18 of them: an SSCC only if its GS1 check digit holds, and then only
//     when it is neither a valid resident ID number (refused as personal data, whatever
//     the GS1 check says) nor a valid unified social credit code (which has two check
//     characters of its own: an all-digit USCC satisfies the GS1 check one time in ten,
//     an SSCC passes both USCC checks far more rarely). Otherwise the Chinese schemes of
//     18 characters are tried (resident ID, USCC, 18-character special equipment code,
//     which has no check character and so yields to an SSCC; its grouped human form
//     "2150 10890 2015 00098" is never taken for an SSCC).
//  8. Every other shape of the Chinese schemes (ParseChinese): "SC…" food licence, "ZS…"
//     platform code, 6-digit region, 15-digit ear tag, 18-character USCC with letters, 20
//     characters, 21 characters, 24-digit veterinary drug, 32-digit pesticide, grouped
//     special equipment codes. In particular 20 digits starting with 8 are a drug trace
//     code (cn.drug), never a 20-character special equipment registration code (give that
//     grouped, "8300 350102 200601 0001", or as its URN) nor GS1 data written without FNC1
//     such as (8003) GRAI or (8004) GIAI (give that with "^", brackets, a symbology
//     identifier or as a Digital Link).
//  9. Finally, a string of at least 16 characters that starts with the AI of a GS1
//     primary key (00, 01, 253, 255, 401, 402, 414, 415, 417, 8003, 8004, 8006, 8010,
//     8013, 8017, 8018) is read as a GS1 element string whose leading FNC1 was lost, as a
//     scanner configured without symbology identifiers sends it ("0109521234543213" +
//     "21ABC" + GS + "10L1"). A GTIN-14 given bare reaches rule 6 first.
//
// Anything else is not a code: the error says so and lists what was tried.
//
// A GS1 code gets a scheme named after its key and, for a GTIN or GLN, its finest key
// qualifier: gs1.sgtin (01 with 21), gs1.lgtin (01 with 10, no 21), gs1.upui (01 with
// 235), gs1.gtin (01 alone or with 22 only), gs1.sscc (00), gs1.gln (414), gs1.sgln (414
// with 254), gs1.pgln (417), gs1.grai (8003), gs1.giai (8004), gs1.gdti (253), gs1.gcn
// (255), gs1.ginc (401), gs1.gsin (402), gs1.gsrn (8018), gs1.gsrnp (8017), gs1.itip
// (8006), gs1.cpid (8010), gs1.gmn (8013), gs1.payslip (415 with 8020). Its Canonical is
// the canonical Digital Link (see Canonical; the data attributes are kept, sorted by AI),
// its Human the bracketed element string of the key, the qualifiers and the attributes
// in canonical order, "(01)09521234543213(21)ABC(17)261231", and it has one Part per AI:
// the AI's title (GTIN, SERIAL, USE BY or EXPIRY …), the value, and a meaning where one
// can be given (a GTIN's kind and GS1 prefix, a date as 2026-12-31, a measure as 0.195
// kg, a piece of a trade item). Chinese codes are as ParseChinese returns them (see
// docs/codes-cn.md).
//
// A code that has the form of a scheme but is malformed gives a *zhuisu.Error with Code
// EInvalid whose message is the reason the scheme's reader gives ("GTIN 6901234567891:
// check digit should be 2, got 1"); where a string has the shape of two schemes and fits
// neither, both reasons are given. Messages never carry a valid resident ID number in
// full (nor, where a string was read as a Chinese code, anything shaped like one).
func Parse(s string) (*Code, error) {
	in := s
	s = strings.Trim(s, " \t\r\n")
	if s == "" {
		return nil, zhuisu.Errorf(zhuisu.EInvalid, "no code given: the input is empty")
	}
	if len(s) > MaxCodeLength {
		return nil, zhuisu.Errorf(zhuisu.EInvalid, "the input is %d bytes long; no code of any scheme this platform knows is longer than %d", len(s), MaxCodeLength)
	}
	c, err := parseCode(s, true)
	if err != nil {
		return nil, maskPersonal(err)
	}
	c.Input = in
	return c, nil
}

// maskPersonal makes sure that the message of a Parse error carries no valid resident ID
// number in full, wherever it stands in the input (a GS1 serial, a URI path ...): every
// such number is masked as MaskResidentID masks it. The Chinese readers already mask every
// run of 17 to 19 digits; the GS1 readers quote values as given, and an SSCC, GSRN or
// ITIP of 18 digits must stay readable in their messages, so only valid numbers are
// masked here.
func maskPersonal(err error) error {
	ze := asInvalid(err).(*zhuisu.Error)
	m := ze.Message
	var b []byte
	for i := 0; i < len(m); {
		if !cnIsDigit(m[i]) {
			i++
			continue
		}
		j := i
		for j < len(m) && cnIsDigit(m[j]) {
			j++
		}
		if j < len(m) && (m[j] == 'X' || m[j] == 'x') {
			j++
		}
		if j-i == 18 {
			if _, f := cnParseResidentID(m[i:j]); f == nil {
				if b == nil {
					b = []byte(m)
				}
				copy(b[i:j], MaskResidentID(m[i:j]))
			}
		}
		i = j
	}
	if b == nil {
		return ze
	}
	// The cause may quote the value too: it is dropped.
	return &zhuisu.Error{Code: ze.Code, Kind: ze.Kind, Field: ze.Field, Message: string(b)}
}

// parseCode applies the rules of Parse to a trimmed, non-empty s. scan is false for the
// payload of a plain-data symbology, which may not start another symbology identifier.
func parseCode(s string, scan bool) (*Code, error) {
	switch {
	case cnHasPrefixFold(s, cnURNPrefix):
		if c, ok, err := ParseChinese(s); ok {
			return c, err
		}
		return nil, errNoScheme(s)
	case cnHasPrefixFold(s, "urn:epc:"):
		d, err := ParseEPCURN(s)
		if err != nil {
			return nil, asInvalid(err)
		}
		return gs1Code(d), nil
	case dlScheme(s, true) > 0:
		d, err := LenientGS1.ParseDigitalLink(s)
		if err != nil {
			return nil, asInvalid(err)
		}
		return gs1Code(d), nil
	case s[0] == ']':
		if !scan {
			return nil, zhuisu.Errorf(zhuisu.EInvalid, "plain scan data %s starts another symbology identifier", cnShow(s))
		}
		return parseScan(s)
	case s[0] == '(':
		els, err := LenientGS1.ParseBracketedAI(s)
		if err != nil {
			return nil, asInvalid(err)
		}
		return gs1CodeOf(els)
	case gs1IsFNC1(s[0]):
		els, err := LenientGS1.ParseElementString(s)
		if err != nil {
			return nil, asInvalid(err)
		}
		return gs1CodeOf(els)
	}
	if gs1AllDigits(s) {
		if c, err, done := parseDigits(s); done {
			return c, err
		}
	}
	if c, ok, err := ParseChinese(s); ok {
		return c, err
	}
	if len(s) >= 16 && startsWithKeyAI(s) {
		els, err := LenientGS1.ParseElementString("^" + s)
		if err != nil {
			return nil, zhuisu.Errorf(zhuisu.EInvalid, "read as a GS1 element string without its leading FNC1: %s", zhuisu.ErrorMessage(err))
		}
		return gs1CodeOf(els)
	}
	return nil, errNoScheme(s)
}

// plainSymbologies are the symbology identifiers of plain (non-GS1) data that Parse reads
// the payload of as a typed code.
var plainSymbologies = map[string]string{
	"Q1": "QR Code", "d1": "Data Matrix", "J0": "DotCode", "C0": "Code 128",
}

const scanIDList = "GS1 data ]C1 ]d2 ]Q3 ]e0 ]J1, EAN/UPC ]E0 ]E4, plain data ]Q1 ]d1 ]J0 ]C0"

func parseScan(s string) (*Code, error) {
	if len(s) < 3 {
		return nil, zhuisu.Errorf(zhuisu.EInvalid, "scan data %s: a symbology identifier is \"]\" and two characters (%s)", cnShow(s), scanIDList)
	}
	id := s[1:3]
	if sym, ok := plainSymbologies[id]; ok {
		p := strings.Trim(s[3:], " \t\r\n")
		switch {
		case p == "":
			return nil, zhuisu.Errorf(zhuisu.EInvalid, "scan data %s: the %s symbol carries no data", cnShow(s), sym)
		case gs1IsFNC1(p[0]):
			return nil, zhuisu.Errorf(zhuisu.EInvalid, "scan data %s: plain data of a %s symbol (]%s) carries no GS1 element string; GS1 data comes with ]C1, ]d2, ]Q3, ]e0 or ]J1", cnShow(s), sym, id)
		}
		return parseCode(p, false)
	}
	if _, ok := symbologyIDs[id]; !ok {
		return nil, zhuisu.Errorf(zhuisu.EInvalid, "scan data %s: symbology identifier ]%s is not one this platform reads (%s)", cnShow(s), id, scanIDList)
	}
	sd, err := LenientGS1.ParseScanData(s)
	if err != nil {
		return nil, asInvalid(err)
	}
	return gs1CodeOf(sd.Elements)
}

// parseDigits applies rules 6 and 7 of Parse. done is false when s is for the later
// rules.
func parseDigits(s string) (c *Code, err error, done bool) {
	switch len(s) {
	case 8, 14:
		c, err := gtinCode(s)
		return c, err, true
	case 12, 13:
		if ValidGS1CheckDigit(s) {
			c, err := gtinCode(s)
			return c, err, true
		}
		cc, ok, cerr := ParseChinese(s)
		_, gerr := NormalizeGTIN(s)
		switch {
		case !ok:
			return nil, gerr, true
		case cerr == nil:
			return cc, nil, true
		}
		return nil, bothFailed(s, gerr, cerr), true
	case 18:
		cc, ok, cerr := ParseChinese(s)
		switch {
		case ok && cerr == nil && cc.Scheme == cnSchemeUSCC:
			return cc, nil, true
		case ok && cerr != nil && cnIDShaped(s):
			if _, idErr := ParseResidentID(s); idErr == nil {
				return nil, cerr, true // personal data
			}
		}
		if ValidGS1CheckDigit(s) {
			c, err := gs1KeyCode("00", s)
			return c, err, true
		}
		if ok && cerr == nil {
			return cc, nil, true
		}
		serr := ValidateGS1Key(KeySSCC, s)
		if !ok {
			return nil, serr, true
		}
		return nil, bothFailed(s, serr, cerr), true
	}
	return nil, nil, false
}

// bothFailed joins the reasons why s is neither a GS1 key nor the Chinese code it has
// the shape of. Every run of digits that could be a resident ID number is masked.
func bothFailed(s string, gs1, cn error) error {
	return &zhuisu.Error{Code: zhuisu.EInvalid, Message: cnMaskIDRuns(zhuisu.ErrorMessage(gs1)) +
		"; as a Chinese code: " + zhuisu.ErrorMessage(cn)}
}

func gtinCode(s string) (*Code, error) {
	g, err := NormalizeGTIN(s)
	if err != nil {
		return nil, err
	}
	return gs1KeyCode("01", g)
}

// gs1KeyCode is the Code of a GS1 key given bare, validated as its AI's value.
func gs1KeyCode(ai, v string) (*Code, error) {
	els := []AIElement{{AI: ai, Value: v}}
	if err := LenientGS1.ValidateElements(els); err != nil {
		return nil, asInvalid(err)
	}
	return gs1CodeOf(els)
}

// startsWithKeyAI reports whether s starts with the AI of a GS1 primary key.
func startsWithKeyAI(s string) bool {
	info, _ := lookupAIPrefix(s, false)
	return info != nil && info.PrimaryKey
}

func errNoScheme(s string) error {
	return zhuisu.Errorf(zhuisu.EInvalid, "not a code of any scheme this platform knows: %s; tried "+
		"GS1 Digital Link URI (http(s)://…/01/…), "+
		"GS1 EPC URN (urn:epc:id|class|idpat:…), "+
		"GS1 scan data ("+scanIDList+"), "+
		"GS1 element string (^01… or, from 16 characters, 01… without FNC1), "+
		"bracketed GS1 data ((01)…), "+
		"GS1 key in digits (GTIN-8/12/13/14, SSCC), "+
		"and the Chinese schemes (%s, or urn:zhuisu:code:cn.<scheme>:<value>)", cnShow(s), cnSchemeList)
}

func gs1CodeOf(els []AIElement) (*Code, error) {
	d, err := LenientGS1.NewDigitalLink(els)
	if err != nil {
		return nil, asInvalid(err)
	}
	return gs1Code(d), nil
}

// gs1Schemes names the GS1 schemes by primary-key AI; gs1SchemesQualified those of a key
// with a qualifier that makes it finer.
var (
	gs1Schemes = map[string][2]string{
		"00":   {"gs1.sscc", "系列货运包装箱代码 SSCC (Serial Shipping Container Code)"},
		"01":   {"gs1.gtin", "全球贸易项目代码 GTIN (Global Trade Item Number)"},
		"253":  {"gs1.gdti", "全球文件类型标识代码 GDTI (Global Document Type Identifier)"},
		"255":  {"gs1.gcn", "全球优惠券代码 GCN (Global Coupon Number)"},
		"401":  {"gs1.ginc", "全球托运标识代码 GINC (Global Identification Number for Consignment)"},
		"402":  {"gs1.gsin", "全球装运标识代码 GSIN (Global Shipment Identification Number)"},
		"414":  {"gs1.gln", "全球位置码 GLN (Global Location Number, physical location)"},
		"415":  {"gs1.payslip", "付款单 Payment slip (GLN of the invoicing party and payment slip reference number)"},
		"417":  {"gs1.pgln", "参与方全球位置码 PGLN (Party GLN)"},
		"8003": {"gs1.grai", "全球可回收资产标识代码 GRAI (Global Returnable Asset Identifier)"},
		"8004": {"gs1.giai", "全球单个资产标识代码 GIAI (Global Individual Asset Identifier)"},
		"8006": {"gs1.itip", "贸易项目单件标识 ITIP (Identification of an Individual Trade Item Piece)"},
		"8010": {"gs1.cpid", "组件/部件标识代码 CPID (Component/Part Identifier)"},
		"8013": {"gs1.gmn", "全球型号代码 GMN (Global Model Number)"},
		"8017": {"gs1.gsrnp", "全球服务关系代码（服务提供方） GSRN-P (Global Service Relation Number, provider)"},
		"8018": {"gs1.gsrn", "全球服务关系代码（服务接受方） GSRN (Global Service Relation Number, recipient)"},
	}
	gs1SchemesQualified = map[[2]string][2]string{
		{"01", "21"}:   {"gs1.sgtin", "系列化全球贸易项目代码 SGTIN (GTIN + serial number)"},
		{"01", "10"}:   {"gs1.lgtin", "批次级全球贸易项目代码 LGTIN (GTIN + batch/lot)"},
		{"01", "235"}:  {"gs1.upui", "单品包装唯一标识 UPUI (GTIN + third-party controlled serial)"},
		{"414", "254"}: {"gs1.sgln", "带扩展码的全球位置码 SGLN (GLN + extension)"},
	}
)

// gs1SchemeOf names the scheme of a Digital Link: its key, refined by the finest
// qualifier present (for a GTIN: serial, then batch/lot, then third-party serial).
func gs1SchemeOf(d *DigitalLink) (id, name string) {
	for _, want := range [...]string{"21", "10", "235", "254"} {
		for _, q := range d.Qualifiers {
			if q.AI == want {
				if s, ok := gs1SchemesQualified[[2]string{d.Key.AI, want}]; ok {
					return s[0], s[1]
				}
			}
		}
	}
	if s, ok := gs1Schemes[d.Key.AI]; ok {
		return s[0], s[1]
	}
	return "gs1." + d.Key.AI, "GS1 (" + d.Key.AI + ")"
}

// gs1Code takes a Digital Link apart.
func gs1Code(d *DigitalLink) *Code {
	id, name := gs1SchemeOf(d)
	els := make([]AIElement, 0, 1+len(d.Qualifiers)+len(d.Attributes))
	els = append(els, d.Key)
	els = append(els, d.Qualifiers...)
	els = append(els, sortedAttrs(d.Attributes)...)
	parts := make([]Part, len(els))
	for i, e := range els {
		p := Part{Name: "(" + e.AI + ")", Value: e.Value}
		if info := aiByCode(e.AI); info != nil {
			p.Name = info.Title
			p.Meaning = aiMeaning(info, e.Value)
		}
		parts[i] = p
	}
	return &Code{
		Scheme:     id,
		SchemeName: name,
		Canonical:  d.Canonical(),
		Human:      FormatBracketedAI(els),
		Parts:      parts,
	}
}

// aiMeaning says what a valid AI value means, where that is more than the value: the kind
// and GS1 prefix of a key, a date, a measure. It returns "" otherwise.
func aiMeaning(info *AIInfo, v string) string {
	ai := info.AI
	switch {
	case ai == "01" || ai == "02" || ai == "03":
		return gtinMeaning(v)
	case ai == "8006" && len(v) == 18:
		return gtinMeaning(v[:14]) + "; piece " + v[14:16] + " of " + v[16:18]
	case ai == "00" && len(v) == 18:
		return "extension digit " + v[:1] + "; " + gs1PrefixMeaning(v[1:4])
	case len(ai) == 4 && ai[0] == '3' && ai[1] >= '1' && ai[1] <= '6' && gs1AllDigits(v):
		m := gs1Decimal(v, int(ai[3]-'0'))
		if o, c := strings.IndexByte(info.Title, '('), strings.LastIndexByte(info.Title, ')'); o >= 0 && c > o {
			m += " " + info.Title[o+1:c]
		}
		return m
	case len(ai) == 4 && ai[:2] == "39" && gs1AllDigits(v):
		n := int(ai[3] - '0')
		switch ai[2] {
		case '0', '2', '5':
			return gs1Decimal(v, n)
		case '1', '3':
			if len(v) > 3 {
				return gs1Decimal(v[3:], n) + " (ISO 4217 currency " + v[:3] + ")"
			}
		case '4':
			return gs1Decimal(v, n) + "%"
		}
		return ""
	}
	comps := splitComponents(info, v)
	var b strings.Builder
	hourOnly := false
	for i, c := range info.Components {
		if i >= len(comps) {
			break
		}
		cv := comps[i]
		for _, l := range c.Linters {
			switch l {
			case LintGCPPos1, LintGCPPos2:
				off := 0
				if l == LintGCPPos2 {
					off = 1
				}
				if b.Len() == 0 && len(cv) >= off+3 && gs1AllDigits(cv[off:off+3]) {
					return gs1PrefixMeaning(cv[off : off+3])
				}
			case LintYYMMDD, LintYYMMD0, LintYYYYMMDD:
				if b.Len() > 0 {
					b.WriteString(" to ")
				}
				b.WriteString(gs1DateMeaning(cv))
			case LintHHMI:
				if len(cv) == 4 {
					b.WriteString(" " + cv[:2] + ":" + cv[2:])
				}
			case LintHH:
				b.WriteString(" " + cv)
				hourOnly = true
			case LintMI, LintSS:
				b.WriteString(":" + cv)
				hourOnly = false
			}
		}
	}
	if hourOnly {
		b.WriteString("h")
	}
	return b.String()
}

// splitComponents cuts a valid value into the values of its AI's components.
func splitComponents(info *AIInfo, v string) []string {
	var out []string
	p := 0
	for _, c := range info.Components {
		if p >= len(v) {
			break
		}
		n := c.Max
		if c.Min != c.Max || p+n > len(v) {
			n = min(c.Max, len(v)-p)
		}
		out = append(out, v[p:p+n])
		p += n
	}
	return out
}

// gs1Decimal writes digits with the decimal point n places from the right.
func gs1Decimal(v string, n int) string {
	if n >= len(v) {
		v = strings.Repeat("0", n-len(v)+1) + v
	}
	ip, fp := strings.TrimLeft(v[:len(v)-n], "0"), v[len(v)-n:]
	if ip == "" {
		ip = "0"
	}
	if fp == "" {
		return ip
	}
	return ip + "." + fp
}

// gs1DateMeaning writes a YYMMDD or YYYYMMDD date as YYYY-MM-DD. A two-digit year is put
// in the century the GS1 General Specifications prescribe (section 7.12): up to 49 years
// ahead of the current year, else in the past. Day 00 ("no day") means the last day of
// the month.
func gs1DateMeaning(v string) string {
	var y int
	switch len(v) {
	case 6:
		y = gs1Year(cnAtoi(v[:2]), time.Now().Year())
		v = v[2:]
	case 8:
		y = cnAtoi(v[:4])
		v = v[4:]
	default:
		return ""
	}
	m, d := cnAtoi(v[:2]), cnAtoi(v[2:4])
	date := strconv.Itoa(y) + "-" + v[:2] + "-"
	if d == 0 && m >= 1 && m <= 12 {
		return date + strconv.Itoa(cnDaysIn(y, m)) + " (day 00: the last day of the month)"
	}
	return date + v[2:4]
}

// gs1Year resolves a two-digit year against the current year: a year 51-99 ahead is in
// the previous century, one 50-99 behind in the next, any other in the current century.
func gs1Year(yy, now int) int {
	cur := now % 100
	century := now - cur
	switch diff := yy - cur; {
	case diff >= 51:
		return century - 100 + yy
	case diff <= -50:
		return century + 100 + yy
	}
	return century + yy
}

// gtinMeaning says what kind of GTIN a 14-digit value holds and whose prefix it carries.
func gtinMeaning(g string) string {
	if len(g) != 14 || !gs1AllDigits(g) {
		return ""
	}
	switch {
	case strings.HasPrefix(g, "000000"):
		if g[6] == '0' || g[6] == '2' {
			return "GTIN-8, restricted circulation number (RCN-8), not globally unique"
		}
		return "GTIN-8, GS1-8 prefix " + g[6:9]
	case strings.HasPrefix(g, "00"):
		return "GTIN-12 (UPC-A); " + gs1PrefixMeaning(g[1:4])
	case g[0] == '0':
		return "GTIN-13; " + gs1PrefixMeaning(g[1:4])
	case g[0] == '9':
		return "GTIN-14, indicator 9 (variable measure trade item); " + gs1PrefixMeaning(g[1:4])
	}
	return "GTIN-14, indicator " + g[:1] + " (packaging level); " + gs1PrefixMeaning(g[1:4])
}

// gs1Prefixes are the GS1 prefixes this package names (the first three digits of a GS1
// Company Prefix, from the GS1 prefix list), in increasing order; others are given by
// number only.
var gs1Prefixes = []struct {
	lo, hi int
	name   string
}{
	{0, 19, "GS1 US"},
	{20, 29, "restricted circulation number within a company, not globally unique"},
	{30, 39, "GS1 US"},
	{40, 49, "restricted circulation number within a company, not globally unique"},
	{60, 139, "GS1 US"},
	{200, 299, "restricted circulation number within a geographic region, not globally unique"},
	{300, 379, "GS1 France"},
	{400, 440, "GS1 Germany"},
	{450, 459, "GS1 Japan"},
	{460, 469, "GS1 Russia"},
	{471, 471, "GS1 Taiwan 台湾"},
	{489, 489, "GS1 Hong Kong, China 香港"},
	{490, 499, "GS1 Japan"},
	{500, 509, "GS1 UK"},
	{540, 549, "GS1 Belgium & Luxembourg"},
	{570, 579, "GS1 Denmark"},
	{640, 649, "GS1 Finland"},
	{690, 699, "GS1 China 中国物品编码中心"},
	{700, 709, "GS1 Norway"},
	{730, 739, "GS1 Sweden"},
	{754, 755, "GS1 Canada"},
	{760, 769, "GS1 Switzerland"},
	{800, 839, "GS1 Italy"},
	{840, 849, "GS1 Spain"},
	{870, 879, "GS1 Netherlands"},
	{880, 880, "GS1 Korea"},
	{885, 885, "GS1 Thailand"},
	{888, 888, "GS1 Singapore"},
	{890, 890, "GS1 India"},
	{893, 893, "GS1 Vietnam"},
	{899, 899, "GS1 Indonesia"},
	{900, 919, "GS1 Austria"},
	{930, 939, "GS1 Australia"},
	{940, 949, "GS1 New Zealand"},
	{950, 950, "GS1 Global Office"},
	{952, 952, "demonstrations and examples of the GS1 system"},
	{955, 955, "GS1 Malaysia"},
	{958, 958, "GS1 Macau, China 澳门"},
	{977, 977, "serial publications (ISSN)"},
	{978, 979, "books (ISBN)"},
}

// gs1PrefixMeaning names the GS1 prefix p (three digits).
func gs1PrefixMeaning(p string) string {
	m := "GS1 prefix " + p
	n := cnAtoi(p)
	for _, r := range gs1Prefixes {
		if n >= r.lo && n <= r.hi {
			return m + ": " + r.name
		}
	}
	return m
}
