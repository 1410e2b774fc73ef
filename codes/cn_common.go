package codes

// Shared plumbing of the Chinese national code schemes (files cn_*.go): errors, character
// classes, dates, the canonical URN and the recogniser ParseChinese. docs/codes-cn.md
// describes every scheme, the layout chosen where a standard is unclear, and its source.

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
)

// cnURNPrefix starts the canonical URI of every Chinese code:
// urn:zhuisu:code:<scheme>:<value>, e.g. urn:zhuisu:code:cn.uscc:91350100M000100Y43.
const cnURNPrefix = "urn:zhuisu:code:"

// Scheme identifiers (Code.Scheme) of the Chinese schemes.
const (
	cnSchemeUSCC        = "cn.uscc"
	cnSchemeRegion      = "cn.region"
	cnSchemeID          = "cn.id"
	cnSchemeFood        = "cn.foodlicence"
	cnSchemeDrug        = "cn.drug"
	cnSchemeVetDrug     = "cn.vetdrug"
	cnSchemePesticide   = "cn.pesticide"
	cnSchemeEarTag      = "cn.eartag"
	cnSchemeDetonator   = "cn.detonator"
	cnSchemeEquipment   = "cn.equipment"
	cnSchemeCylinder    = "cn.cylinder"
	cnSchemePlatform    = "cn.platform"
	cnMaskedIDValue     = "masked"
	cnMaskedIDCanonical = cnURNPrefix + cnSchemeID + ":" + cnMaskedIDValue
)

// cnFail is a parse failure with how far the parse got, so that ParseChinese can report
// the error of the scheme an ambiguous input most probably belongs to.
type cnFail struct {
	depth int
	err   *zhuisu.Error
}

// Depths, in the order every parser checks them.
const (
	cnDepthShape  = 1 + iota // length and character set
	cnDepthField             // a coded field holds a value outside its set
	cnDepthDate              // a date field is not a real date
	cnDepthRegion            // a region code does not exist
	cnDepthCheck             // a check character is wrong
)

// cnCtx names the scheme and the input in error messages.
type cnCtx struct{ name, shown string }

func newCNCtx(name, input string) cnCtx { return cnCtx{name: name, shown: cnShow(input)} }

func (c cnCtx) fail(depth int, format string, args ...any) *cnFail {
	return &cnFail{depth: depth, err: &zhuisu.Error{
		Code:    zhuisu.EInvalid,
		Message: c.name + " " + c.shown + ": " + fmt.Sprintf(format, args...),
	}}
}

// length reports a wrong length, counted in characters.
func (c cnCtx) length(s string, want string) *cnFail {
	return c.fail(cnDepthShape, "should be %s, got %d characters", want, utf8.RuneCountInString(s))
}

// badChar reports the first character of s (which starts at 1-based position base) that
// ok rejects, or returns nil.
func (c cnCtx) badChar(s string, base int, ok func(byte) bool, want string) *cnFail {
	pos := base
	for _, r := range s {
		if r >= utf8.RuneSelf || !ok(byte(r)) {
			return c.fail(cnDepthShape, "character %s at position %d is not %s", cnQuoteRune(r), pos, want)
		}
		pos++
	}
	return nil
}

// alnum reports the first character of s that is not an ASCII letter or digit, so that
// the parsers can slice s by bytes afterwards.
func (c cnCtx) alnum(s string) *cnFail {
	return c.badChar(s, 1, cnIsAlnum, "a letter or a digit")
}

func cnQuoteRune(r rune) string {
	if r > ' ' && r < utf8.RuneSelf && r != '\'' {
		return "'" + string(r) + "'"
	}
	return strconv.QuoteRune(r)
}

// cnShow is the form of an input quoted in error messages: every run of characters with
// the shape of a resident ID number is masked (so that no message carries one in full),
// the whole is quoted when it holds anything but printable ASCII, and cut when long.
func cnShow(s string) string {
	s = cnMaskIDRuns(s)
	const max = 48
	cut := false
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s, cut = cnMaskIDRuns(s[:i]), true // the cut may leave a run of 17-19 digits
	}
	plain := s != ""
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			plain = false
			break
		}
	}
	if !plain {
		s = strconv.Quote(s)
	}
	if cut {
		s += "..."
	}
	return s
}

// cnMaskIDRuns masks, as MaskResidentID does, every maximal run of digits (with an X or x
// after them) of 17 to 19 characters: a resident ID number, or one with a character
// missing or added.
func cnMaskIDRuns(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		if !cnIsDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && cnIsDigit(s[j]) {
			j++
		}
		if j < len(s) && (s[j] == 'X' || s[j] == 'x') {
			j++
		}
		if n := j - i; n >= 17 && n <= 19 {
			if b == nil {
				b = []byte(s)
			}
			copy(b[i:j], MaskResidentID(s[i:j]))
		}
		i = j
	}
	if b == nil {
		return s
	}
	return string(b)
}

func cnIsDigit(b byte) bool { return b >= '0' && b <= '9' }
func cnIsUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
func cnIsAlnum(b byte) bool {
	return cnIsDigit(b) || cnIsUpper(b) || (b >= 'a' && b <= 'z')
}
func cnIsUpperAlnum(b byte) bool { return cnIsDigit(b) || cnIsUpper(b) }

func cnAll(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func cnDigits(s string) bool { return cnAll(s, cnIsDigit) }

// cnUpper upper-cases ASCII letters and leaves everything else alone.
func cnUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func cnHasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func cnAtoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// cnDaysIn returns the number of days of month m (1-12) of year y, Gregorian.
func cnDaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// cnDate checks an 8-digit yyyyMMdd date: it must exist, in years minYear..maxYear. It
// returns "" or what is wrong.
func cnDate(s string, minYear, maxYear int) string {
	y, m, d := cnAtoi(s[:4]), cnAtoi(s[4:6]), cnAtoi(s[6:8])
	switch {
	case y < minYear || y > maxYear:
		return fmt.Sprintf("year %04d is outside %d-%d", y, minYear, maxYear)
	case m < 1 || m > 12:
		return fmt.Sprintf("month %02d does not exist", m)
	case d < 1 || d > cnDaysIn(y, m):
		return fmt.Sprintf("day %02d does not exist in %04d-%02d", d, y, m)
	}
	return ""
}

// cnYearMonth checks a 6-digit yyyyMM.
func cnYearMonth(s string, minYear, maxYear int) string {
	y, m := cnAtoi(s[:4]), cnAtoi(s[4:6])
	switch {
	case y < minYear || y > maxYear:
		return fmt.Sprintf("year %04d is outside %d-%d", y, minYear, maxYear)
	case m < 1 || m > 12:
		return fmt.Sprintf("month %02d does not exist", m)
	}
	return ""
}

func cnCode(scheme, name, input, value, human string, parts ...Part) *Code {
	return &Code{
		Scheme:     scheme,
		SchemeName: name,
		Input:      input,
		Canonical:  cnURNPrefix + scheme + ":" + value,
		Human:      human,
		Parts:      parts,
	}
}

func cnResult(c *Code, f *cnFail) (*Code, error) {
	if f != nil {
		return nil, f.err
	}
	return c, nil
}

// cnParser parses one scheme; cnParsers lists them by scheme identifier.
type cnParser func(s string) (*Code, *cnFail)

var cnParsers = map[string]cnParser{
	cnSchemeUSCC:      cnParseUSCC,
	cnSchemeRegion:    cnParseRegion,
	cnSchemeID:        cnParseResidentID,
	cnSchemeFood:      cnParseFoodLicence,
	cnSchemeDrug:      cnParseDrug,
	cnSchemeVetDrug:   cnParseVetDrug,
	cnSchemePesticide: cnParsePesticide,
	cnSchemeEarTag:    cnParseEarTag,
	cnSchemeDetonator: cnParseDetonator,
	cnSchemeEquipment: cnParseEquipment,
	cnSchemeCylinder:  cnParseCylinder,
	cnSchemePlatform:  cnParsePlatform,
}

const cnSchemeList = "cn.uscc, cn.region, cn.id, cn.foodlicence, cn.drug, cn.vetdrug, cn.pesticide, cn.eartag, cn.detonator, cn.equipment, cn.cylinder, cn.platform"

// ParseChinese recognises and parses a code of one of the Chinese schemes. ok is false
// when s does not look like any of them (so the caller can try other schemes); when ok is
// true and the code is malformed, err says precisely why.
//
// s is either a canonical URI urn:zhuisu:code:cn.<scheme>:<value> (the scheme is then
// explicit; other urn:zhuisu:code: schemes give ok false), or a bare code, recognised by
// its shape: length, character classes, and a fixed prefix or first character where the
// scheme has one. Surrounding spaces are not trimmed. The shapes:
//
//   - "SC" and digits: food production licence; "ZS" and letters or digits: platform code;
//   - 6 digits: region;
//   - 12 characters, 3 digits, 4 letters or digits, 5 digits, starting 1-6: gas cylinder;
//   - 13 characters, 7 digits, a letter or digit, 5 digits: detonator;
//   - 15 digits starting 1-3: ear tag; 24 digits starting 20: veterinary drug; 32 digits
//     starting 1-3: pesticide;
//   - 18 characters: resident ID number (17 digits and a digit or X, starting 1-8), unified
//     social credit code (starting with a registration authority code) and special
//     equipment code (18-character form), tried in that order;
//   - 20 characters: drug trace code (20 digits starting with 8), then special equipment
//     registration code (20-character form); 21 characters: special equipment code;
//   - a special equipment code written in its groups separated by single spaces, as Human
//     prints it (the only way to reach a 20-digit registration code starting with 8, which
//     bare is read as a drug code).
//
// When several schemes fit the shape, the first that parses wins; when none parses, the
// error is that of the scheme whose checks got furthest (ties go to the earlier one).
//
// A resident ID number is personal data and never a trace code: a valid one gives ok true
// and an error that says to use a pseudonymous reference (ParseResidentID validates and
// masks it). GS1 forms of drug codes (element strings, bracketed AI data, Digital Link
// URIs with AI 01/21) give ok false: they belong to the GS1 parser.
func ParseChinese(s string) (c *Code, ok bool, err error) {
	if cnHasPrefixFold(s, cnURNPrefix) {
		return cnParseURN(s)
	}
	cands := cnCandidates(s)
	if len(cands) == 0 {
		return nil, false, nil
	}
	var best *cnFail
	for _, scheme := range cands {
		c, f := cnParsers[scheme](s)
		if f == nil {
			if scheme == cnSchemeID {
				return nil, true, cnPersonal(s).err
			}
			return c, true, nil
		}
		if best == nil || f.depth > best.depth {
			best = f
		}
	}
	return nil, true, best.err
}

// cnPersonal is the refusal of a valid resident ID number where a trace code is expected.
func cnPersonal(s string) *cnFail {
	return cnIDCtx(s).fail(cnDepthCheck,
		"a resident ID number is personal data and is not accepted as a trace code; refer to the person by a pseudonymous reference instead")
}

// cnParseURN reads urn:zhuisu:code:<scheme>:<value>. Schemes outside "cn." are not ours.
func cnParseURN(s string) (*Code, bool, error) {
	rest := s[len(cnURNPrefix):]
	colon := strings.IndexByte(rest, ':')
	if colon < 0 {
		if cnHasPrefixFold(rest, "cn.") {
			return nil, true, newCNCtx("code URN", s).fail(cnDepthShape, "expected urn:zhuisu:code:<scheme>:<value>, no value after the scheme").err
		}
		return nil, false, nil
	}
	scheme, value := strings.ToLower(rest[:colon]), rest[colon+1:]
	if !strings.HasPrefix(scheme, "cn.") {
		return nil, false, nil
	}
	ctx := newCNCtx("code URN", s)
	parse, known := cnParsers[scheme]
	if !known {
		return nil, true, ctx.fail(cnDepthShape, "unknown Chinese code scheme %s; expected one of %s", cnShow(rest[:colon]), cnSchemeList).err
	}
	if value == "" || !cnAll(value, cnIsAlnum) {
		return nil, true, ctx.fail(cnDepthShape, "the value after %s: must be the code itself, letters and digits only", scheme).err
	}
	if scheme == cnSchemeID {
		if value == cnMaskedIDValue {
			return nil, true, ctx.fail(cnDepthField, "the masked resident ID placeholder identifies nobody; refer to the person by a pseudonymous reference instead").err
		}
		if _, f := cnParseResidentID(value); f != nil {
			return nil, true, f.err
		}
		return nil, true, cnPersonal(value).err
	}
	c, f := parse(value)
	if f != nil {
		return nil, true, f.err
	}
	c.Input = s
	return c, true, nil
}

// cnCandidates lists, in order of preference, the schemes whose shape s has. Where a
// scheme fixes its first character (an authority, a kind, a registration type), that
// character is part of the shape, so that GS1 data written without FNC1 ("01…", "00…")
// is not taken for a Chinese code.
func cnCandidates(s string) []string {
	n := len(s)
	if n > 2 && (s[0]|0x20) == 's' && (s[1]|0x20) == 'c' && cnDigits(s[2:]) {
		return []string{cnSchemeFood}
	}
	if n > 2 && (s[0]|0x20) == 'z' && (s[1]|0x20) == 's' && cnAll(s[2:], cnIsAlnum) {
		return []string{cnSchemePlatform}
	}
	if strings.IndexByte(s, ' ') >= 0 {
		if g, ok := cnEquipmentUngroup(s); ok && cnEquipmentShaped(g) {
			return []string{cnSchemeEquipment}
		}
		return nil
	}
	if n == 0 || !cnAll(s, cnIsAlnum) {
		return nil
	}
	first := s[0]
	if first >= 'a' && first <= 'z' {
		first -= 'a' - 'A'
	}
	switch n {
	case 6:
		if cnDigits(s) {
			return []string{cnSchemeRegion}
		}
	case 12:
		if cnCylinderShaped(s) && first >= '1' && first <= '6' {
			return []string{cnSchemeCylinder}
		}
	case 13:
		if cnDigits(s[:7]) && cnDigits(s[8:]) {
			return []string{cnSchemeDetonator}
		}
	case 15:
		if cnDigits(s) && first >= '1' && first <= '3' {
			return []string{cnSchemeEarTag}
		}
	case 18:
		var c []string
		if cnIDShaped(s) && first >= '1' && first <= '8' {
			c = append(c, cnSchemeID)
		}
		if _, ok := cnUSCCAuthorities[first]; ok {
			c = append(c, cnSchemeUSCC)
		}
		if cnEquipmentShaped(s) {
			c = append(c, cnSchemeEquipment)
		}
		return c
	case 20:
		var c []string
		if first == '8' && cnDigits(s) {
			c = append(c, cnSchemeDrug)
		}
		if cnEquipmentShaped(s) {
			c = append(c, cnSchemeEquipment)
		}
		return c
	case 21:
		if cnEquipmentShaped(s) {
			return []string{cnSchemeEquipment}
		}
	case 24:
		if cnDigits(s) && s[:2] == "20" {
			return []string{cnSchemeVetDrug}
		}
	case 32:
		if cnDigits(s) && first >= '1' && first <= '3' {
			return []string{cnSchemePesticide}
		}
	}
	return nil
}
