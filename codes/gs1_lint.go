package codes

import (
	"errors"
	"strings"
)

// AILinter names a content check applied to a component of an AI value, as listed in
// the GS1 Barcode Syntax Dictionary (csum, yymmd0, iso3166 ...).
type AILinter uint8

// The linters of the GS1 Barcode Syntax Dictionary.
const (
	LintCsum           AILinter = iota + 1 // GS1 mod-10 check digit in the last position
	LintCsumAlpha                          // alphanumeric check character pair (GMN)
	LintGCPPos1                            // starts with a GS1 Company Prefix
	LintGCPPos2                            // GS1 Company Prefix from the second character
	LintHasNonDigit                        // contains at least one non-digit
	LintHH                                 // hour 00-23
	LintHHMI                               // hour and minute
	LintHyphen                             // the character "-"
	LintIBAN                               // International Bank Account Number
	LintImporterIdx                        // importer index character
	LintISO3166                            // ISO 3166-1 numeric country code
	LintISO3166or999                       // ISO 3166-1 numeric country code or 999
	LintISO3166Alpha2                      // ISO 3166-1 alpha-2 country code
	LintISO4217                            // ISO 4217 numeric currency code
	LintISO5218                            // ISO/IEC 5218 biological sex code
	LintLatitude                           // latitude, 10 digits
	LintLongitude                          // longitude, 10 digits
	LintMediaType                          // AIDC media type
	LintMI                                 // minute 00-59
	LintNonZero                            // not all zeros
	LintNoZeroPrefix                       // no leading zero
	LintPackageType                        // GS1 PackageTypeCode
	LintPercentEncoded                     // valid percent-encoding
	LintPieceOfTotal                       // piece number and total count
	LintPosInSeqSlash                      // "pos/end"
	LintSS                                 // second 00-59
	LintWinding                            // winding direction 0, 1 or 9
	LintYesNo                              // 0 or 1
	LintYYMMD0                             // date, day 00 allowed
	LintYYMMDD                             // date
	LintYYYYMMDD                           // date with four-digit year
	LintZero                               // the digit 0
	LintCouponCode                         // North American coupon code (8110)
	LintCouponPosOffer                     // positive offer file coupon code (8112)
)

var linterNames = [...]string{
	LintCsum: "csum", LintCsumAlpha: "csumalpha", LintGCPPos1: "gcppos1", LintGCPPos2: "gcppos2",
	LintHasNonDigit: "hasnondigit", LintHH: "hh", LintHHMI: "hhmi", LintHyphen: "hyphen",
	LintIBAN: "iban", LintImporterIdx: "importeridx", LintISO3166: "iso3166",
	LintISO3166or999: "iso3166999", LintISO3166Alpha2: "iso3166alpha2", LintISO4217: "iso4217",
	LintISO5218: "iso5218", LintLatitude: "latitude", LintLongitude: "longitude",
	LintMediaType: "mediatype", LintMI: "mi", LintNonZero: "nonzero",
	LintNoZeroPrefix: "nozeroprefix", LintPackageType: "packagetype", LintPercentEncoded: "pcenc",
	LintPieceOfTotal: "pieceoftotal", LintPosInSeqSlash: "posinseqslash", LintSS: "ss",
	LintWinding: "winding", LintYesNo: "yesno", LintYYMMD0: "yymmd0", LintYYMMDD: "yymmdd",
	LintYYYYMMDD: "yyyymmdd", LintZero: "zero", LintCouponCode: "couponcode",
	LintCouponPosOffer: "couponposoffer",
}

// String returns the linter's name in the syntax dictionary.
func (l AILinter) String() string {
	if int(l) < len(linterNames) && linterNames[l] != "" {
		return linterNames[l]
	}
	return "linter(" + gs1Itoa(int(l)) + ")"
}

// AILintCode says why an AI value failed a content check. The values are the names of the
// GS1 Barcode Syntax Tests without their "GS1_LINTER_" prefix, e.g. "INCORRECT_CHECK_DIGIT".
type AILintCode string

// The most common lint codes. Coupon linters report further COUPON_* codes.
const (
	LintNonDigitCharacter      AILintCode = "NON_DIGIT_CHARACTER"
	LintInvalidCSET82Character AILintCode = "INVALID_CSET82_CHARACTER"
	LintInvalidCSET39Character AILintCode = "INVALID_CSET39_CHARACTER"
	LintInvalidCSET64Character AILintCode = "INVALID_CSET64_CHARACTER"
	LintInvalidCSET64Padding   AILintCode = "INVALID_CSET64_PADDING"
	LintInvalidCSET32Character AILintCode = "INVALID_CSET32_CHARACTER"
	LintIncorrectCheckDigit    AILintCode = "INCORRECT_CHECK_DIGIT"
	LintTooShortForCheckDigit  AILintCode = "TOO_SHORT_FOR_CHECK_DIGIT"
	LintIncorrectCheckPair     AILintCode = "INCORRECT_CHECK_PAIR"
	LintTooShortForCheckPair   AILintCode = "TOO_SHORT_FOR_CHECK_PAIR"
	LintTooLongForCheckPair    AILintCode = "TOO_LONG_FOR_CHECK_PAIR_IMPLEMENTATION"
	LintTooShortForGCP         AILintCode = "TOO_SHORT_FOR_GCP"
	LintInvalidGCPPrefix       AILintCode = "INVALID_GCP_PREFIX"
	LintDateTooShort           AILintCode = "DATE_TOO_SHORT"
	LintDateTooLong            AILintCode = "DATE_TOO_LONG"
	LintIllegalMonth           AILintCode = "ILLEGAL_MONTH"
	LintIllegalDay             AILintCode = "ILLEGAL_DAY"
	LintIllegalHour            AILintCode = "ILLEGAL_HOUR"
	LintIllegalMinute          AILintCode = "ILLEGAL_MINUTE"
	LintIllegalSecond          AILintCode = "ILLEGAL_SECOND"
	LintNotISO3166             AILintCode = "NOT_ISO3166"
	LintNotISO3166or999        AILintCode = "NOT_ISO3166_OR_999"
	LintNotISO3166Alpha2       AILintCode = "NOT_ISO3166_ALPHA2"
	LintNotISO4217             AILintCode = "NOT_ISO4217"
	LintIllegalZeroValue       AILintCode = "ILLEGAL_ZERO_VALUE"
	LintIllegalZeroPrefix      AILintCode = "ILLEGAL_ZERO_PREFIX"
	LintNotZero                AILintCode = "NOT_ZERO"
	LintNotZeroOrOne           AILintCode = "NOT_ZERO_OR_ONE"
	LintInvalidWinding         AILintCode = "INVALID_WINDING_DIRECTION"
	LintInvalidImportIdx       AILintCode = "INVALID_IMPORT_IDX_CHARACTER"
	LintIBANTooShort           AILintCode = "IBAN_TOO_SHORT"
	LintIBANTooLong            AILintCode = "IBAN_TOO_LONG"
	LintInvalidIBANCharacter   AILintCode = "INVALID_IBAN_CHARACTER"
	LintIllegalIBANCountry     AILintCode = "ILLEGAL_IBAN_COUNTRY_CODE"
	LintIncorrectIBANChecksum  AILintCode = "INCORRECT_IBAN_CHECKSUM"
	LintZeroPieceNumber        AILintCode = "ZERO_PIECE_NUMBER"
	LintZeroTotalPieces        AILintCode = "ZERO_TOTAL_PIECES"
	LintPieceExceedsTotal      AILintCode = "PIECE_NUMBER_EXCEEDS_TOTAL"
	LintInvalidPercentSequence AILintCode = "INVALID_PERCENT_SEQUENCE"
	LintInvalidLatitude        AILintCode = "INVALID_LATITUDE"
	LintInvalidLongitude       AILintCode = "INVALID_LONGITUDE"
	LintNotHyphen              AILintCode = "NOT_HYPHEN"
	LintInvalidBiologicalSex   AILintCode = "INVALID_BIOLOGICAL_SEX_CODE"
	LintPositionMalformed      AILintCode = "POSITION_IN_SEQUENCE_MALFORMED"
	LintPositionExceedsEnd     AILintCode = "POSITION_EXCEEDS_END"
	LintInvalidMediaType       AILintCode = "INVALID_MEDIA_TYPE"
	LintInvalidPackageType     AILintCode = "INVALID_PACKAGE_TYPE"
	LintRequiresNonDigit       AILintCode = "REQUIRES_NON_DIGIT_CHARACTER"
	LintTooShort               AILintCode = "TOO_SHORT"
	LintTooLong                AILintCode = "TOO_LONG"
	LintIllegalCaret           AILintCode = "ILLEGAL_CARET"
	lintCouponPrefix           AILintCode = "COUPON_"
)

// AILintError is the cause attached (as zhuisu.Error.Err) to an invalid AI value: which AI,
// which check, and where in the value.
type AILintError struct {
	AI    string
	Value string
	Code  AILintCode
	Pos   int // offset of the offending characters in Value
	Len   int // their count
}

func (e *AILintError) Error() string {
	return "AI (" + e.AI + ") " + strings.ToLower(strings.ReplaceAll(string(e.Code), "_", " "))
}

// AILintCodeOf returns the lint code carried by err, or "" when err does not come from a
// failed AI content check.
func AILintCodeOf(err error) AILintCode {
	var le *AILintError
	if errors.As(err, &le) {
		return le.Code
	}
	return ""
}

// lintRes is the outcome of one linter: code "" is success; pos and n locate the fault.
type lintRes struct {
	code   AILintCode
	pos, n int
}

var lintPass = lintRes{}

func lintFail(c AILintCode, pos, n int) lintRes { return lintRes{c, pos, n} }

// cset82 is GS1 AI encodable character set 82.
var cset82 = gs1Charset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")

// cset39 is GS1 AI encodable character set 39.
var cset39 = gs1Charset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

// cset64 is GS1 AI encodable character set 64 (base64url).
var cset64 = gs1Charset("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")

// cset32Order and cset82Order give the values of characters in the check-pair algorithm.
const (
	cset82Order = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
	cset32Order = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
)

func gs1Charset(s string) *[256]bool {
	var c [256]bool
	for i := 0; i < len(s); i++ {
		c[s[i]] = true
	}
	return &c
}

// IsCSET82 reports whether s consists only of characters of GS1 AI encodable character
// set 82, the character set of alphanumeric AI values such as batch and serial numbers.
func IsCSET82(s string) bool {
	for i := 0; i < len(s); i++ {
		if !cset82[s[i]] {
			return false
		}
	}
	return true
}

func lintCharset(cs byte, s string) lintRes {
	switch cs {
	case 'N':
		for i := 0; i < len(s); i++ {
			if !gs1IsDigit(s[i]) {
				return lintFail(LintNonDigitCharacter, i, 1)
			}
		}
	case 'X':
		for i := 0; i < len(s); i++ {
			if !cset82[s[i]] {
				return lintFail(LintInvalidCSET82Character, i, 1)
			}
		}
	case 'Y':
		for i := 0; i < len(s); i++ {
			if !cset39[s[i]] {
				return lintFail(LintInvalidCSET39Character, i, 1)
			}
		}
	case 'Z':
		n := len(s)
		pads := 0
		for n > 0 && s[n-1] == '=' {
			n--
			pads++
		}
		if pads > 2 || (pads > 0 && len(s)%3 != 0) {
			return lintFail(LintInvalidCSET64Padding, n, pads)
		}
		for i := 0; i < n; i++ {
			if !cset64[s[i]] {
				return lintFail(LintInvalidCSET64Character, i, 1)
			}
		}
	}
	return lintPass
}

// gs1Mod10 returns the GS1 check digit for the digits of s (all digits, no check digit).
func gs1Mod10(s string) byte {
	sum := 0
	w := 3
	for i := len(s) - 1; i >= 0; i-- {
		sum += int(s[i]-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

func lintAI(l AILinter, s string) lintRes {
	switch l {
	case LintCsum:
		if len(s) < 2 {
			return lintFail(LintTooShortForCheckDigit, 0, len(s))
		}
		if !gs1AllDigits(s) {
			return lintFail(LintNonDigitCharacter, 0, len(s))
		}
		if gs1Mod10(s[:len(s)-1]) != s[len(s)-1] {
			return lintFail(LintIncorrectCheckDigit, len(s)-1, 1)
		}
	case LintCsumAlpha:
		return lintCsumAlpha(s)
	case LintGCPPos1:
		return lintGCP(s, 0)
	case LintGCPPos2:
		return lintGCP(s, 1)
	case LintHasNonDigit:
		for i := 0; i < len(s); i++ {
			if !gs1IsDigit(s[i]) {
				return lintPass
			}
		}
		return lintFail(LintRequiresNonDigit, 0, len(s))
	case LintHH:
		return lintRange(s, 0, 23, LintIllegalHour)
	case LintMI:
		return lintRange(s, 0, 59, LintIllegalMinute)
	case LintSS:
		return lintRange(s, 0, 59, LintIllegalSecond)
	case LintHHMI:
		if len(s) != 4 || !gs1AllDigits(s) {
			return lintFail(LintNonDigitCharacter, 0, len(s))
		}
		if r := lintRange(s[:2], 0, 23, LintIllegalHour); r.code != "" {
			return r
		}
		if r := lintRange(s[2:], 0, 59, LintIllegalMinute); r.code != "" {
			return lintFail(r.code, 2, 2)
		}
	case LintHyphen:
		for i := 0; i < len(s); i++ {
			if s[i] != '-' {
				return lintFail(LintNotHyphen, i, 1)
			}
		}
	case LintIBAN:
		return lintIBAN(s)
	case LintImporterIdx:
		if len(s) != 1 {
			return lintFail(LintInvalidImportIdx, 0, len(s))
		}
		c := s[0]
		if !(gs1IsDigit(c) || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return lintFail(LintInvalidImportIdx, 0, 1)
		}
	case LintISO3166:
		if !isISO3166Numeric(s) {
			return lintFail(LintNotISO3166, 0, len(s))
		}
	case LintISO3166or999:
		if s != "999" && !isISO3166Numeric(s) {
			return lintFail(LintNotISO3166or999, 0, len(s))
		}
	case LintISO3166Alpha2:
		if !isISO3166Alpha2(s) {
			return lintFail(LintNotISO3166Alpha2, 0, len(s))
		}
	case LintISO4217:
		if !isISO4217Numeric(s) {
			return lintFail(LintNotISO4217, 0, len(s))
		}
	case LintISO5218:
		if len(s) != 1 || (s[0] != '0' && s[0] != '1' && s[0] != '2' && s[0] != '9') {
			return lintFail(LintInvalidBiologicalSex, 0, len(s))
		}
	case LintLatitude:
		return lintMax(s, "1800000000", LintInvalidLatitude)
	case LintLongitude:
		return lintMax(s, "3600000000", LintInvalidLongitude)
	case LintMediaType:
		if len(s) != 2 || !gs1AllDigits(s) {
			return lintFail(LintInvalidMediaType, 0, len(s))
		}
		if v := int(s[0]-'0')*10 + int(s[1]-'0'); !(v >= 1 && v <= 10 || v >= 80) {
			return lintFail(LintInvalidMediaType, 0, 2)
		}
	case LintNonZero:
		for i := 0; i < len(s); i++ {
			if s[i] != '0' {
				return lintPass
			}
		}
		return lintFail(LintIllegalZeroValue, 0, len(s))
	case LintNoZeroPrefix:
		if len(s) > 1 && s[0] == '0' {
			return lintFail(LintIllegalZeroPrefix, 0, 1)
		}
	case LintPackageType:
		if !packageTypeSet[s] {
			return lintFail(LintInvalidPackageType, 0, len(s))
		}
	case LintPercentEncoded:
		for i := 0; i < len(s); i++ {
			if s[i] != '%' {
				continue
			}
			if i+2 >= len(s) || !gs1IsHex(s[i+1]) || !gs1IsHex(s[i+2]) {
				n := 3
				if i+n > len(s) {
					n = len(s) - i
				}
				return lintFail(LintInvalidPercentSequence, i, n)
			}
			i += 2
		}
	case LintPieceOfTotal:
		if len(s)%2 != 0 || len(s) == 0 || !gs1AllDigits(s) {
			return lintFail(LintNonDigitCharacter, 0, len(s))
		}
		h := len(s) / 2
		p, t := s[:h], s[h:]
		if strings.Trim(p, "0") == "" {
			return lintFail(LintZeroPieceNumber, 0, h)
		}
		if strings.Trim(t, "0") == "" {
			return lintFail(LintZeroTotalPieces, h, h)
		}
		if p > t {
			return lintFail(LintPieceExceedsTotal, 0, len(s))
		}
	case LintPosInSeqSlash:
		return lintPosInSeq(s)
	case LintWinding:
		if len(s) != 1 || (s[0] != '0' && s[0] != '1' && s[0] != '9') {
			return lintFail(LintInvalidWinding, 0, len(s))
		}
	case LintYesNo:
		if len(s) != 1 || (s[0] != '0' && s[0] != '1') {
			return lintFail(LintNotZeroOrOne, 0, len(s))
		}
	case LintYYMMD0:
		return lintDate(s, 6, true)
	case LintYYMMDD:
		return lintDate(s, 6, false)
	case LintYYYYMMDD:
		return lintDate(s, 8, false)
	case LintZero:
		if s != "0" {
			return lintFail(LintNotZero, 0, len(s))
		}
	case LintCouponCode:
		return lintCouponCode(s)
	case LintCouponPosOffer:
		return lintCouponPosOffer(s)
	}
	return lintPass
}

func gs1IsHex(c byte) bool {
	return gs1IsDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func lintRange(s string, lo, hi int, code AILintCode) lintRes {
	if len(s) != 2 || !gs1AllDigits(s) {
		return lintFail(LintNonDigitCharacter, 0, len(s))
	}
	v := int(s[0]-'0')*10 + int(s[1]-'0')
	if v < lo || v > hi {
		return lintFail(code, 0, 2)
	}
	return lintPass
}

// lintMax checks a fixed-width digit string against an inclusive maximum.
func lintMax(s, max string, code AILintCode) lintRes {
	if len(s) != len(max) || !gs1AllDigits(s) || s > max {
		return lintFail(code, 0, len(s))
	}
	return lintPass
}

func lintGCP(s string, off int) lintRes {
	const minGCP = 4
	if len(s) < off+minGCP {
		return lintFail(LintTooShortForGCP, 0, len(s))
	}
	for i := off; i < off+minGCP; i++ {
		if !gs1IsDigit(s[i]) {
			return lintFail(LintInvalidGCPPrefix, i, 1)
		}
	}
	return lintPass
}

var gs1DaysInMonth = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// lintDate checks YYMMDD (n=6) or YYYYMMDD (n=8); day00 allows day 00 ("no day").
func lintDate(s string, n int, day00 bool) lintRes {
	if len(s) < n {
		return lintFail(LintDateTooShort, 0, len(s))
	}
	if len(s) > n {
		return lintFail(LintDateTooLong, 0, len(s))
	}
	for i := 0; i < n; i++ {
		if !gs1IsDigit(s[i]) {
			return lintFail(LintNonDigitCharacter, i, 1)
		}
	}
	y := 0
	for i := 0; i < n-4; i++ {
		y = y*10 + int(s[i]-'0')
	}
	m := int(s[n-4]-'0')*10 + int(s[n-3]-'0')
	d := int(s[n-2]-'0')*10 + int(s[n-1]-'0')
	if m < 1 || m > 12 {
		return lintFail(LintIllegalMonth, n-4, 2)
	}
	if d == 0 && day00 {
		return lintPass
	}
	max := gs1DaysInMonth[m]
	if m == 2 {
		leap := y%4 == 0
		if n == 8 {
			leap = y%4 == 0 && (y%100 != 0 || y%400 == 0)
		}
		if !leap {
			max = 28
		}
	}
	if d < 1 || d > max {
		return lintFail(LintIllegalDay, n-2, 2)
	}
	return lintPass
}

var gs1Primes = [...]int{
	2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
	97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191,
	193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293,
	307, 311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419,
	421, 431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509,
}

// lintCsumAlpha checks the GS1 alphanumeric check character pair (GS1 General
// Specifications, "check character calculation for alphanumeric keys").
func lintCsumAlpha(s string) lintRes {
	n := len(s)
	if n < 2 {
		return lintFail(LintTooShortForCheckPair, 0, n)
	}
	if n-2 > len(gs1Primes) {
		return lintFail(LintTooLongForCheckPair, 0, n)
	}
	for i := 0; i < n-2; i++ {
		if !cset82[s[i]] {
			return lintFail(LintInvalidCSET82Character, i, 1)
		}
	}
	for i := n - 2; i < n; i++ {
		if strings.IndexByte(cset32Order, s[i]) < 0 {
			return lintFail(LintInvalidCSET32Character, i, 1)
		}
	}
	sum := 0
	for i := 0; i < n-2; i++ {
		sum += strings.IndexByte(cset82Order, s[i]) * gs1Primes[n-3-i]
	}
	sum %= 1021
	if s[n-2] != cset32Order[sum>>5] || s[n-1] != cset32Order[sum&31] {
		return lintFail(LintIncorrectCheckPair, n-2, 2)
	}
	return lintPass
}

func lintIBAN(s string) lintRes {
	n := len(s)
	if n < 4 {
		return lintFail(LintIBANTooShort, 0, n)
	}
	if !isISO3166Alpha2(s[:2]) {
		return lintFail(LintIllegalIBANCountry, 0, 2)
	}
	if n > 34 {
		return lintFail(LintIBANTooLong, 0, n)
	}
	if n <= 10 {
		return lintFail(LintIBANTooShort, 0, n)
	}
	sum := 0
	for k := 4; k < n+4; k++ {
		i := k
		if i >= n {
			i -= n
		}
		c := s[i]
		switch {
		case gs1IsDigit(c):
			sum = (sum*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			sum = (sum*100 + int(c-'A') + 10) % 97
		default:
			return lintFail(LintInvalidIBANCharacter, i, 1)
		}
	}
	if sum != 1 {
		return lintFail(LintIncorrectIBANChecksum, 2, 2)
	}
	return lintPass
}

func lintPosInSeq(s string) lintRes {
	n := len(s)
	slash := strings.IndexByte(s, '/')
	if slash <= 0 || slash == n-1 || !gs1AllDigits(s[:slash]) || !gs1AllDigits(s[slash+1:]) {
		return lintFail(LintPositionMalformed, 0, n)
	}
	p, e := s[:slash], s[slash+1:]
	if p[0] == '0' {
		return lintFail(LintIllegalZeroPrefix, 0, len(p))
	}
	if e[0] == '0' {
		return lintFail(LintIllegalZeroPrefix, slash+1, len(e))
	}
	if len(p) > len(e) || len(p) == len(e) && p > e {
		return lintFail(LintPositionExceedsEnd, 0, n)
	}
	return lintPass
}

// couponReader walks a coupon code, reporting faults in the engine's terms.
type couponReader struct {
	s   string
	p   int
	err lintRes
}

func (c *couponReader) fail(code string, pos, n int) bool {
	if c.err.code == "" {
		c.err = lintFail(lintCouponPrefix+AILintCode(code), pos, n)
	}
	return false
}

// truncated reports a field shorter than need at the current position.
func (c *couponReader) need(n int, code string) bool {
	if len(c.s)-c.p < n {
		if c.p == len(c.s) {
			return c.fail(code, 0, len(c.s))
		}
		return c.fail(code, c.p, len(c.s)-c.p)
	}
	return true
}

// vli reads a variable-length indicator digit between lo and hi (or extra).
func (c *couponReader) vli(lo, hi byte, extra byte, missing, invalid string) (byte, bool) {
	if c.p == len(c.s) {
		return 0, c.fail(missing, 0, len(c.s))
	}
	v := c.s[c.p]
	if (v < lo || v > hi) && v != extra {
		return 0, c.fail(invalid, c.p, 1)
	}
	c.p++
	return v, true
}

func (c *couponReader) gcp(n int) bool {
	if r := lintGCP(c.s[c.p:c.p+n], 0); r.code != "" {
		c.err = lintFail(r.code, c.p, n)
		return false
	}
	c.p += n
	return true
}

func lintCouponCode(s string) lintRes {
	for i := 0; i < len(s); i++ {
		if !gs1IsDigit(s[i]) {
			return lintFail(LintNonDigitCharacter, i, 1)
		}
	}
	c := &couponReader{s: s}
	ok := func() bool {
		v, ok := c.vli('0', '6', 0, "MISSING_GCP_VLI", "INVALID_GCP_LENGTH")
		if !ok {
			return false
		}
		n := int(v-'0') + 6
		if !c.need(n, "TRUNCATED_GCP") || !c.gcp(n) {
			return false
		}
		if !c.need(6, "TRUNCATED_OFFER_CODE") {
			return false
		}
		c.p += 6
		if v, ok = c.vli('1', '5', 0, "MISSING_SAVE_VALUE_VLI", "INVALID_SAVE_VALUE_LENGTH"); !ok {
			return false
		}
		if !c.need(int(v-'0'), "TRUNCATED_SAVE_VALUE") {
			return false
		}
		c.p += int(v - '0')
		if !c.purchase("1ST", false) {
			return false
		}
		if c.p < len(s) && s[c.p] == '1' { // optional field 1: additional rules, 2nd purchase
			c.p++
			if _, ok = c.vli('0', '3', 0, "MISSING_ADDITIONAL_PURCHASE_RULES_CODE", "INVALID_ADDITIONAL_PURCHASE_RULES_CODE"); !ok {
				return false
			}
			if !c.purchase("2ND", true) {
				return false
			}
		}
		if c.p < len(s) && s[c.p] == '2' { // optional field 2: 3rd purchase
			c.p++
			if !c.purchase("3RD", true) {
				return false
			}
		}
		expiry := -1
		if c.p < len(s) && s[c.p] == '3' { // optional field 3: expiration date
			c.p++
			if !c.need(6, "TOO_SHORT_FOR_EXPIRATION_DATE") {
				return false
			}
			if lintDate(s[c.p:c.p+6], 6, false).code != "" {
				return c.fail("INVALID_EXIPIRATION_DATE", c.p, 6)
			}
			expiry = c.p
			c.p += 6
		}
		if c.p < len(s) && s[c.p] == '4' { // optional field 4: start date
			c.p++
			if !c.need(6, "TOO_SHORT_FOR_START_DATE") {
				return false
			}
			if lintDate(s[c.p:c.p+6], 6, false).code != "" {
				return c.fail("INVALID_START_DATE", c.p, 6)
			}
			if expiry >= 0 && s[c.p:c.p+6] > s[expiry:expiry+6] {
				return c.fail("EXPIRATION_BEFORE_START", c.p-8, 14)
			}
			c.p += 6
		}
		if c.p < len(s) && s[c.p] == '5' { // optional field 5: serial number
			c.p++
			if c.p == len(s) {
				return c.fail("MISSING_SERIAL_NUMBER_VLI", 0, len(s))
			}
			n := int(s[c.p]-'0') + 6
			c.p++
			if !c.need(n, "TRUNCATED_SERIAL_NUMBER") {
				return false
			}
			c.p += n
		}
		if c.p < len(s) && s[c.p] == '6' { // optional field 6: retailer GCP or GLN
			c.p++
			if v, ok = c.vli('1', '7', 0, "MISSING_RETAILER_GCP_OR_GLN_VLI", "INVALID_RETAILER_GCP_OR_GLN_LENGTH"); !ok {
				return false
			}
			n := int(v-'0') + 6
			if !c.need(n, "TRUNCATED_RETAILER_GCP_OR_GLN") || !c.gcp(n) {
				return false
			}
		}
		if c.p < len(s) && s[c.p] == '9' { // optional field 9: miscellaneous
			c.p++
			if c.p == len(s) {
				return c.fail("MISSING_SAVE_VALUE_CODE", 0, len(s))
			}
			if v := s[c.p]; v != '0' && v != '1' && v != '2' && v != '5' && v != '6' {
				return c.fail("INVALID_SAVE_VALUE_CODE", c.p, 1)
			}
			c.p++
			if _, ok = c.vli('0', '2', 0, "MISSING_SAVE_VALUE_APPLIES_TO_ITEM", "INVALID_SAVE_VALUE_APPLIES_TO_ITEM"); !ok {
				return false
			}
			if c.p == len(s) {
				return c.fail("MISSING_STORE_COUPON_FLAG", 0, len(s))
			}
			c.p++
			if _, ok = c.vli('0', '1', 0, "MISSING_DONT_MULTIPLY_FLAG", "INVALID_DONT_MULTIPLY_FLAG"); !ok {
				return false
			}
		}
		if c.p != len(s) {
			return c.fail("EXCESS_DATA", c.p, len(s)-c.p)
		}
		return true
	}()
	if !ok {
		return c.err
	}
	return lintPass
}

// purchase reads a purchase requirement (VLI, requirement, code, family code) and, for the
// 2nd and 3rd purchases, the purchase's GCP.
func (c *couponReader) purchase(ord string, withGCP bool) bool {
	v, ok := c.vli('1', '5', 0, "MISSING_"+ord+"_PURCHASE_REQUIREMENT_VLI", "INVALID_"+ord+"_PURCHASE_REQUIREMENT_LENGTH")
	if !ok {
		return false
	}
	if !c.need(int(v-'0'), "TRUNCATED_"+ord+"_PURCHASE_REQUIREMENT") {
		return false
	}
	c.p += int(v - '0')
	if c.p == len(c.s) {
		return c.fail("MISSING_"+ord+"_PURCHASE_REQUIREMENT_CODE", 0, len(c.s))
	}
	if v := c.s[c.p]; v > '4' && v != '9' {
		return c.fail("INVALID_"+ord+"_PURCHASE_REQUIREMENT_CODE", c.p, 1)
	}
	c.p++
	if !c.need(3, "TRUNCATED_"+ord+"_PURCHASE_FAMILY_CODE") {
		return false
	}
	c.p += 3
	if !withGCP {
		return true
	}
	if v, ok = c.vli('0', '6', '9', "MISSING_"+ord+"_PURCHASE_GCP_VLI", "INVALID_"+ord+"_PURCHASE_GCP_LENGTH"); !ok {
		return false
	}
	if v == '9' {
		return true
	}
	n := int(v-'0') + 6
	return c.need(n, "TRUNCATED_"+ord+"_PURCHASE_GCP") && c.gcp(n)
}

func lintCouponPosOffer(s string) lintRes {
	for i := 0; i < len(s); i++ {
		if !gs1IsDigit(s[i]) {
			return lintFail(LintNonDigitCharacter, i, 1)
		}
	}
	c := &couponReader{s: s}
	ok := func() bool {
		if _, ok := c.vli('0', '1', 0, "MISSING_FORMAT_CODE", "INVALID_FORMAT_CODE"); !ok {
			return false
		}
		v, ok := c.vli('0', '6', 0, "MISSING_FUNDER_VLI", "INVALID_FUNDER_LENGTH")
		if !ok {
			return false
		}
		if !c.need(int(v-'0')+6, "TRUNCATED_FUNDER") {
			return false
		}
		c.p += int(v-'0') + 6
		if !c.need(6, "TRUNCATED_OFFER_CODE") {
			return false
		}
		c.p += 6
		if c.p == len(s) {
			return c.fail("MISSING_SERIAL_NUMBER_VLI", 0, len(s))
		}
		n := int(s[c.p]-'0') + 6
		c.p++
		if !c.need(n, "TRUNCATED_SERIAL_NUMBER") {
			return false
		}
		c.p += n
		if c.p != len(s) {
			return c.fail("EXCESS_DATA", c.p, len(s)-c.p)
		}
		return true
	}()
	if !ok {
		return c.err
	}
	return lintPass
}
