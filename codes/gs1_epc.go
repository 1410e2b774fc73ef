package codes

import (
	"strings"

	"github.com/zhuisu/zhuisu"
)

// EPC URNs (GS1 EPC Tag Data Standard) name GS1 keys in a form that splits the GS1
// Company Prefix from the rest of the key: urn:epc:id:sgtin:0614141.812345.6789. Turning
// a URN into a Digital Link only joins the parts and computes the check digit. The other
// direction needs the length of the GS1 Company Prefix, which the digits of a key do not
// tell: GS1 Member Organisations allocate prefixes of 4 to 12 digits, and only their
// allocation records (or a GS1 Company Prefix lookup service) know where one ends. The
// caller must therefore supply it (see DigitalLink.EPCURN).

// errNotEPC says that a string is not a GS1 EPC URN this package converts (it may still be
// an EPC of another scheme, such as urn:epc:id:gid or urn:epc:id:bic).
var errNotEPC = &zhuisu.Error{Code: zhuisu.EInvalid, Message: "not a GS1 EPC URN"}

// errEPCWide says that an EPC pattern has wildcards above the serial level and so stands
// for no single key or class.
var errEPCWide = &zhuisu.Error{Code: zhuisu.EInvalid, Message: "EPC pattern matches more than one GS1 key or class"}

// epcKind is the URN kind: pure identity, class or pattern.
type epcKind uint8

const (
	epcID epcKind = iota
	epcClass
	epcPattern
)

// epcFieldCount is the number of dot-separated fields of each scheme; the last field runs
// to the end of the URN (a serial may contain dots).
var epcFieldCount = map[string]int{
	"sgtin": 3, "sscc": 2, "sgln": 3, "grai": 3, "giai": 2, "gsrn": 2, "gsrnp": 2, "gdti": 3,
	"sgcn": 3, "cpi": 3, "ginc": 2, "gsin": 2, "itip": 5, "upui": 3, "pgln": 2, "lgtin": 3,
}

// splitEPCURN returns the kind, scheme and body of a GS1 EPC URN, or ok=false.
func splitEPCURN(s string) (kind epcKind, scheme, body string, ok bool) {
	if len(s) < 8 || !strings.EqualFold(s[:8], "urn:epc:") {
		return 0, "", "", false
	}
	rest := s[8:]
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return 0, "", "", false
	}
	switch strings.ToLower(rest[:i]) {
	case "id":
		kind = epcID
	case "class":
		kind = epcClass
	case "idpat":
		kind = epcPattern
	default:
		return 0, "", "", false
	}
	rest = rest[i+1:]
	j := strings.IndexByte(rest, ':')
	if j < 0 {
		return 0, "", "", false
	}
	scheme, body = rest[:j], rest[j+1:]
	if _, known := epcFieldCount[scheme]; !known {
		return 0, "", "", false
	}
	if (kind == epcClass) != (scheme == "lgtin") {
		return 0, "", "", false
	}
	return kind, scheme, body, true
}

// decodeEPC reverses the %-escapes of an EPC URN component.
func decodeEPC(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !gs1IsHex(s[i+1]) || !gs1IsHex(s[i+2]) {
				return "", gs1Invalidf("EPC URN component %s has a malformed %%-escape", gs1Quote(s))
			}
			c = gs1Unhex(s[i+1])<<4 | gs1Unhex(s[i+2])
			i += 2
		}
		b = append(b, c)
	}
	return string(b), nil
}

func gs1Mod10Bytes(b []byte) byte {
	sum := 0
	w := 3
	for i := len(b) - 1; i >= 0; i-- {
		sum += int(b[i]-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

// appendEPCAsDL appends the canonical Digital Link of a GS1 EPC URN to b. It returns
// errNotEPC for anything that is not a GS1 EPC URN and errEPCWide for a pattern that does
// not stand for one key or class; other errors describe a malformed URN.
func appendEPCAsDL(b []byte, urn string) ([]byte, error) {
	kind, scheme, body, ok := splitEPCURN(urn)
	if !ok {
		return b, errNotEPC
	}
	var f [5]string
	n := epcFieldCount[scheme]
	rest := body
	for i := 0; i < n-1; i++ {
		j := strings.IndexByte(rest, '.')
		if j < 0 {
			return b, gs1Invalidf("EPC URN %s: expected %d dot-separated fields after %q", gs1Quote(urn), n, scheme)
		}
		f[i], rest = rest[:j], rest[j+1:]
	}
	f[n-1] = rest
	e := epcConv{urn: urn, scheme: scheme, kind: kind}
	// A pattern may only have its last field (the serial) as "*"; more wildcards match
	// many keys, which no single Digital Link can stand for.
	for i := 0; i < n; i++ {
		if f[i] == "*" {
			if kind != epcPattern {
				return b, e.errf("\"*\" is only allowed in an EPC pattern (urn:epc:idpat:)")
			}
			if i < n-1 {
				return b, errEPCWide
			}
		}
	}
	b = append(b, CanonicalDLStem...)
	cp := f[0]
	if !gs1AllDigits(cp) || len(cp) < 4 || len(cp) > 12 {
		return b, e.errf("the GS1 Company Prefix %q must be 4 to 12 digits", cp)
	}
	switch scheme {
	case "sgtin", "lgtin", "upui", "itip":
		iir := f[1]
		if !gs1AllDigits(iir) || len(cp)+len(iir) != 13 { // the indicator digit is never missing
			return b, e.errf("company prefix and indicator/item reference must be 13 digits together, got %q.%q", cp, iir)
		}
		if scheme == "itip" {
			b = append(b, "/8006/"...)
		} else {
			b = append(b, "/01/"...)
		}
		b = appendCheckDigits(b, iir[:1], cp, iir[1:])
		var qual, val string
		switch scheme {
		case "sgtin":
			qual, val = "21", f[2]
		case "lgtin":
			qual, val = "10", f[2]
		case "upui":
			qual, val = "235", f[2]
		case "itip":
			if len(f[2]) != 2 || len(f[3]) != 2 || !gs1AllDigits(f[2]) || !gs1AllDigits(f[3]) {
				return b, e.errf("piece and total must be two digits each, got %q and %q", f[2], f[3])
			}
			b = append(b, f[2]...)
			b = append(b, f[3]...)
			start := len(b) - 18
			if r := checkAIValue(aiByCode("8006"), string(b[start:])); r.code != "" {
				return b, e.wrap(aiValueError(aiByCode("8006"), "8006", string(b[start:]), r))
			}
			qual, val = "21", f[4]
		}
		if val == "*" {
			return b, nil
		}
		return e.appendQualifier(b, qual, val)
	case "sscc":
		sr := f[1]
		if !gs1AllDigits(sr) || len(cp)+len(sr) != 17 { // nor is the SSCC extension digit
			return b, e.errf("company prefix and serial reference must be 17 digits together")
		}
		b = append(b, "/00/"...)
		return appendCheckDigits(b, sr[:1], cp, sr[1:]), nil
	case "sgln", "grai", "gdti", "sgcn", "pgln":
		ref := f[1]
		if !gs1DigitsOrEmpty(ref) || len(cp)+len(ref) != 12 {
			return b, e.errf("company prefix and reference must be 12 digits together, got %q.%q", cp, ref)
		}
		ai := map[string]string{"sgln": "414", "grai": "8003", "gdti": "253", "sgcn": "255", "pgln": "417"}[scheme]
		b = append(b, '/')
		b = append(b, ai...)
		b = append(b, '/')
		if scheme == "grai" {
			b = append(b, '0')
		}
		b = appendCheckDigits(b, cp, ref)
		if scheme == "pgln" {
			return b, nil
		}
		ser := f[2]
		if ser == "*" {
			return b, nil
		}
		if scheme == "sgln" {
			if ser == "0" {
				return b, nil // extension 0 means "no extension"
			}
			return e.appendQualifier(b, "254", ser)
		}
		ser, err := decodeEPC(ser)
		if err != nil {
			return b, e.wrap(err)
		}
		if ser == "" {
			return b, nil
		}
		info := aiByCode(ai)
		last := info.Components[len(info.Components)-1]
		if r := checkComponent(last, ser); r.code != "" {
			return b, e.errf("serial %q: %s", ser, describeLint(r.code))
		}
		return appendDLEscaped(b, ser, false), nil
	case "gsrn", "gsrnp", "gsin":
		ref := f[1]
		total := 17
		ai := "8018"
		if scheme == "gsrnp" {
			ai = "8017"
		} else if scheme == "gsin" {
			ai, total = "402", 16
		}
		if !gs1DigitsOrEmpty(ref) || len(cp)+len(ref) != total {
			return b, e.errf("company prefix and reference must be %d digits together", total)
		}
		b = append(b, '/')
		b = append(b, ai...)
		b = append(b, '/')
		return appendCheckDigits(b, cp, ref), nil
	case "giai", "ginc", "cpi":
		ref, err := decodeEPC(f[1])
		if err != nil {
			return b, e.wrap(err)
		}
		ai := map[string]string{"giai": "8004", "ginc": "401", "cpi": "8010"}[scheme]
		info := aiByCode(ai)
		if len(cp)+len(ref) > info.maxLen || ref == "" && scheme != "ginc" {
			return b, e.errf("company prefix and reference must be 1 to %d characters together", info.maxLen)
		}
		if r := lintCharset(info.Components[0].Charset, ref); r.code != "" {
			return b, e.errf("reference %q: %s", ref, describeLint(r.code))
		}
		b = append(b, '/')
		b = append(b, ai...)
		b = append(b, '/')
		b = append(b, cp...)
		b = appendDLEscaped(b, ref, false)
		if scheme != "cpi" || f[2] == "*" {
			return b, nil
		}
		return e.appendQualifier(b, "8011", f[2])
	}
	return b, errNotEPC
}

// appendCheckDigits appends the concatenated digit strings and their GS1 check digit.
func appendCheckDigits(b []byte, parts ...string) []byte {
	start := len(b)
	for _, p := range parts {
		b = append(b, p...)
	}
	return append(b, gs1Mod10Bytes(b[start:]))
}

// checkComponent validates s against one component of an AI format.
func checkComponent(c AIComponent, s string) lintRes {
	if len(s) < c.Min {
		return lintFail(LintTooShort, 0, len(s))
	}
	if len(s) > c.Max {
		return lintFail(LintTooLong, 0, len(s))
	}
	if r := lintCharset(c.Charset, s); r.code != "" {
		return r
	}
	for _, l := range c.Linters {
		if r := lintAI(l, s); r.code != "" {
			return r
		}
	}
	return lintPass
}

func describeLint(c AILintCode) string {
	s := strings.ToLower(strings.ReplaceAll(string(c), "_", " "))
	return strings.Replace(s, "cset", "CSET ", 1)
}

type epcConv struct {
	urn    string
	scheme string
	kind   epcKind
}

func (e *epcConv) errf(format string, args ...any) *zhuisu.Error {
	err := gs1Invalidf(format, args...)
	err.Message = "EPC URN " + gs1Quote(e.urn) + ": " + err.Message
	return err
}

func (e *epcConv) wrap(err error) error {
	if ze, ok := err.(*zhuisu.Error); ok {
		return &zhuisu.Error{Code: ze.Code, Message: "EPC URN " + gs1Quote(e.urn) + ": " + ze.Message, Err: ze.Err}
	}
	return err
}

// appendQualifier decodes and validates a qualifier value and appends "/ai/value".
func (e *epcConv) appendQualifier(b []byte, ai, raw string) ([]byte, error) {
	val, err := decodeEPC(raw)
	if err != nil {
		return b, e.wrap(err)
	}
	info := aiByCode(ai)
	if r := checkAIValue(info, val); r.code != "" {
		return b, e.wrap(aiValueError(info, ai, val, r))
	}
	b = append(b, '/')
	b = append(b, ai...)
	b = append(b, '/')
	return appendDLEscaped(b, val, false), nil
}

// EPCToDigitalLink converts a GS1 EPC URN (urn:epc:id:sgtin|sscc|sgln|grai|giai|gsrn|
// gsrnp|gdti|sgcn|ginc|gsin|itip|cpi|upui|pgln, urn:epc:class:lgtin, or an
// urn:epc:idpat pattern whose only wildcard is the serial) to its canonical GS1 Digital
// Link URI. A pattern becomes the Digital Link of the class it matches, e.g.
// urn:epc:idpat:sgtin:4012345.012345.* is https://id.gs1.org/01/04012345123456.
func EPCToDigitalLink(urn string) (string, error) {
	var buf [160]byte
	b, err := appendEPCAsDL(buf[:0], urn)
	switch err {
	case nil:
		return string(b), nil
	case errNotEPC:
		return "", gs1Invalidf("%s is not a GS1 EPC URN", gs1Quote(urn))
	case errEPCWide:
		return "", gs1Invalidf("EPC pattern %s has wildcards above the serial level: it stands for no single GS1 key or class", gs1Quote(urn))
	}
	return "", err
}

// ParseEPCURN reads a GS1 EPC URN (see EPCToDigitalLink) and returns its Digital Link
// on https://id.gs1.org, taken apart.
func ParseEPCURN(urn string) (*DigitalLink, error) {
	dl, err := EPCToDigitalLink(urn)
	if err != nil {
		return nil, err
	}
	var d dlParsed
	if err := LenientGS1.parseDL(dl, false, &d); err != nil {
		return nil, err
	}
	return d.toDigitalLink(), nil
}

// DigitalLinkToEPC converts a GS1 identifier in any accepted form (Digital Link, EPC URN,
// element string) to its EPC URN, given the length of the GS1 Company Prefix (see
// DigitalLink.EPCURN).
func DigitalLinkToEPC(s string, gcpLength int) (string, error) {
	d, err := parseGS1(s, LenientGS1)
	if err != nil {
		if err == errNotGS1 {
			return "", gs1Invalidf("%s is not a GS1 identifier", gs1Quote(s))
		}
		return "", err
	}
	return d.EPCURN(gcpLength)
}

// epcEscape writes a serial or reference in EPC URN form: the characters that TDS
// reserves (" % & / < > ?) become %-escapes; for CPID references also "#". A value that
// is just "*" is written %2A: a bare "*" field is a pattern's wildcard, which an EPC URN
// of one key may not hold.
func epcEscape(s string, cpi bool) string {
	if s == "*" {
		return "%2A"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '%', '&', '/', '<', '>', '?':
			b.WriteByte('%')
			b.WriteByte(gs1HexDigits[c>>4])
			b.WriteByte(gs1HexDigits[c&15])
		case '#':
			if cpi {
				b.WriteString("%23")
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// EPCURN returns the EPC URN of the Digital Link's key, given the length of its GS1
// Company Prefix (4 to 12 digits). The company prefix length cannot be derived from the
// key's digits; it comes from the company's GS1 allocation (or a GCP lookup service).
//
// The qualifier that the event hash keeps decides the URN: a serialised key becomes a
// pure identity URN (urn:epc:id:sgtin, ...), a GTIN with batch/lot becomes
// urn:epc:class:lgtin, and a key without serial becomes an EPC pattern with the serial as
// "*" (urn:epc:idpat:sgtin:...*); keys without serial part (SSCC, GLN, GSRN, GSIN, GINC,
// GIAI, PGLN) are pure identities. Keys without EPC scheme ((415), (8013)) are an error.
func (d *DigitalLink) EPCURN(gcpLength int) (string, error) {
	L := gcpLength
	if L < 4 || L > 12 {
		return "", gs1Invalidf("GS1 Company Prefix length must be 4 to 12 digits, not %d", L)
	}
	if err := (GS1Options{SkipAssociations: true}).ValidateElements(d.Elements()[:1+len(d.Qualifiers)]); err != nil {
		return "", err
	}
	v := d.Key.Value
	q := hashQualifier(d.Key.AI, d.Qualifiers)
	need := func(n int) error {
		if len(v) < n || !gs1AllDigits(v[:n]) {
			return gs1Invalidf("(%s) %s is too short for a company prefix of %d digits", d.Key.AI, v, L)
		}
		return nil
	}
	id := func(scheme string, parts ...string) string {
		return "urn:epc:id:" + scheme + ":" + strings.Join(parts, ".")
	}
	pat := func(scheme string, parts ...string) string {
		return "urn:epc:idpat:" + scheme + ":" + strings.Join(parts, ".") + ".*"
	}
	switch d.Key.AI {
	case "01":
		cp, iir := v[1:1+L], v[:1]+v[1+L:13]
		switch q.AI {
		case "21":
			return id("sgtin", cp, iir, epcEscape(q.Value, false)), nil
		case "10":
			return "urn:epc:class:lgtin:" + cp + "." + iir + "." + epcEscape(q.Value, false), nil
		case "235":
			return id("upui", cp, iir, epcEscape(q.Value, false)), nil
		}
		return pat("sgtin", cp, iir), nil
	case "8006":
		cp, iir := v[1:1+L], v[:1]+v[1+L:13]
		if q.AI == "21" {
			return id("itip", cp, iir, v[14:16], v[16:18], epcEscape(q.Value, false)), nil
		}
		return pat("itip", cp, iir, v[14:16], v[16:18]), nil
	case "00":
		return id("sscc", v[1:1+L], v[:1]+v[1+L:17]), nil
	case "414":
		ext := "0"
		if q.AI == "254" {
			ext = epcEscape(q.Value, false)
		}
		return id("sgln", v[:L], v[L:12], ext), nil
	case "417":
		return id("pgln", v[:L], v[L:12]), nil
	case "8003":
		if len(v) > 14 {
			return id("grai", v[1:1+L], v[1+L:13], epcEscape(v[14:], false)), nil
		}
		return pat("grai", v[1:1+L], v[1+L:13]), nil
	case "253", "255":
		scheme := map[string]string{"253": "gdti", "255": "sgcn"}[d.Key.AI]
		if len(v) > 13 {
			return id(scheme, v[:L], v[L:12], epcEscape(v[13:], false)), nil
		}
		return pat(scheme, v[:L], v[L:12]), nil
	case "8017", "8018":
		scheme := map[string]string{"8017": "gsrnp", "8018": "gsrn"}[d.Key.AI]
		return id(scheme, v[:L], v[L:17]), nil
	case "402":
		return id("gsin", v[:L], v[L:16]), nil
	case "8004", "401":
		if err := need(L); err != nil {
			return "", err
		}
		if d.Key.AI == "8004" && len(v) == L {
			return "", gs1Invalidf("(8004) %s has no asset reference after a company prefix of %d digits", v, L)
		}
		scheme := map[string]string{"8004": "giai", "401": "ginc"}[d.Key.AI]
		return id(scheme, v[:L], epcEscape(v[L:], false)), nil
	case "8010":
		if err := need(L); err != nil {
			return "", err
		}
		if len(v) == L {
			return "", gs1Invalidf("(8010) %s has no part reference after a company prefix of %d digits", v, L)
		}
		if q.AI == "8011" {
			return id("cpi", v[:L], epcEscape(v[L:], true), q.Value), nil
		}
		return pat("cpi", v[:L], epcEscape(v[L:], true)), nil
	}
	return "", gs1Invalidf("GS1 key (%s) has no EPC URN scheme", d.Key.AI)
}

func gs1DigitsOrEmpty(s string) bool { return s == "" || gs1AllDigits(s) }
