package codes

// Platform trace code (平台追溯码): the code this platform issues to goods that have no
// mandated code. Its design is ours; docs/codes-cn.md gives the reasons.

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
)

// Lengths of the parts of a platform code.
const (
	cnPlatformMinSerial = 4
	cnPlatformMaxSerial = 12
	cnPlatformFixed     = 2 + 6 + 9 + 1 // ZS, region, organisation code, check
)

// cnPlatformMaxSerialValue is 31^12, the first serial that needs 13 characters.
const cnPlatformMaxSerialValue uint64 = 787662783788549761

// cnPlatformCheck is the check character of body, a platform code without its check
// character (ZS and characters of the USCC alphabet). Counting from the right, the
// character just before the check character has weight 3, the next 9, and so on (weight
// 3^i mod 31 for the i-th character from the right); the letters of ZS count with their
// base-36 values Z = 35 and S = 28, every other character with its USCC value (0-30). The
// check value is (31 - sum mod 31) mod 31, written with the USCC alphabet, so that the sum
// over the whole code with the check character at weight 1 is 0 mod 31. With a prime
// modulus and weights that are distinct and non-zero over the at most 29 weighted
// positions, it catches every single-character error and every transposition of two
// characters.
func cnPlatformCheck(body string) byte {
	sum, w := 0, 1
	for i := len(body) - 1; i >= 0; i-- {
		w = w * 3 % 31
		var v int
		switch {
		case i == 0 && body[i] == 'Z':
			v = 35
		case i == 1 && body[i] == 'S':
			v = 28
		default:
			v = int(cnUSCCValue[body[i]])
		}
		sum += v * w
	}
	return cnUSCCAlphabet[(31-sum%31)%31]
}

// cnPlatformSerial writes n in base 31 with the USCC alphabet, at least 4 characters.
func cnPlatformSerial(n uint64) string {
	var b [cnPlatformMaxSerial]byte
	i := len(b)
	for n > 0 || len(b)-i < cnPlatformMinSerial {
		i--
		b[i] = cnUSCCAlphabet[n%31]
		n /= 31
	}
	return string(b[i:])
}

func cnPlatformSerialValue(s string) uint64 {
	var n uint64
	for i := 0; i < len(s); i++ {
		n = n*31 + uint64(cnUSCCValue[s[i]])
	}
	return n
}

// NewPlatformCode issues a platform code: ZS, the region (a current GB/T 2260 code: any
// current Fujian division, or elsewhere a code whose province exists), the subject (the
// 9-character organisation code of the responsible enterprise, or its whole unified social
// credit code, of which positions 9-17 are taken), the serial written in base 31 with the
// USCC alphabet (at least 4 characters, at most 12: serial must be below 31^12), and the
// check character (see ParsePlatformCode). Example: NewPlatformCode("350102",
// "91350100M000100Y43", 1) is "ZS350102M000100Y40001" followed by its check character.
func NewPlatformCode(region, subject string, serial uint64) (string, error) {
	invalid := func(format string, args ...any) error {
		return &zhuisu.Error{Code: zhuisu.EInvalid, Message: "platform code: " + fmt.Sprintf(format, args...)}
	}
	if len(region) != 6 || !cnDigits(region) {
		return "", invalid("region %s should be 6 digits (GB/T 2260)", cnShow(region))
	}
	if _, bad := cnRegionCheck(region, "", false, false); bad != "" {
		return "", invalid("%s", bad)
	}
	var org string
	switch len(subject) {
	case 18:
		c, err := ParseUSCC(subject)
		if err != nil {
			return "", invalid("subject: %s", zhuisu.ErrorMessage(err))
		}
		org = c.Parts[3].Value
	default:
		o, bad := cnOrgCode(subject)
		if bad != "" {
			return "", invalid("subject: %s; give the organisation code (USCC positions 9-17) or the whole USCC", bad)
		}
		org = o
	}
	if serial >= cnPlatformMaxSerialValue {
		return "", invalid("serial %d does not fit in 12 base-31 characters (it must be below 31^12 = %d)", serial, cnPlatformMaxSerialValue)
	}
	body := "ZS" + region + org + cnPlatformSerial(serial)
	return body + string(cnPlatformCheck(body)), nil
}

// ParsePlatformCode parses a platform code: ZS + region (6 digits, a current GB/T 2260
// code; in Fujian a current division, elsewhere an existing province) + the subject's
// organisation code (9 characters of the USCC alphabet, USCC positions 9-17, with its GB
// 11714 check) + serial (4-12 characters of the USCC alphabet, a base-31 number written
// without leading zeros beyond the fourth character, so that each serial has one spelling)
// + check character (MOD 31 over everything before it, weights 3^i mod 31 from the right;
// see cnPlatformCheck). Codes are 22-30 characters; lower-case letters are upper-cased.
// The prefix ZS cannot begin a code of any other scheme (Z is not in the USCC alphabet).
func ParsePlatformCode(s string) (*Code, error) { return cnResult(cnParsePlatform(s)) }

func cnParsePlatform(s string) (*Code, *cnFail) {
	ctx := newCNCtx("platform code", s)
	u := cnUpper(s)
	if len(u) < 2 || u[:2] != "ZS" {
		return nil, ctx.fail(cnDepthShape, "should start with ZS")
	}
	if f := ctx.alnum(u); f != nil {
		return nil, f
	}
	n := utf8.RuneCountInString(u)
	if n < cnPlatformFixed+cnPlatformMinSerial || n > cnPlatformFixed+cnPlatformMaxSerial {
		return nil, ctx.fail(cnDepthShape, "should be %d-%d characters (ZS, 6-digit region, 9-character organisation code, %d-%d character serial, check character), got %d",
			cnPlatformFixed+cnPlatformMinSerial, cnPlatformFixed+cnPlatformMaxSerial, cnPlatformMinSerial, cnPlatformMaxSerial, n)
	}
	if f := ctx.badChar(u[2:8], 3, cnIsDigit, "a digit (positions 3-8 are the region code)"); f != nil {
		return nil, f
	}
	if f := ctx.badChar(u[8:], 9, cnInUSCCAlphabet, "in the USCC character set (0-9, A-H, J-N, P-R, T-U, W-Y)"); f != nil {
		return nil, f
	}
	serial := u[17 : n-1]
	last := n - 1 // 1-based position of the last serial character
	if len(serial) > cnPlatformMinSerial && serial[0] == '0' {
		return nil, ctx.fail(cnDepthField, "serial %s (positions 18-%d) has a leading 0 beyond the minimum of %d characters; the same serial is written %s",
			serial, last, cnPlatformMinSerial, cnPlatformSerial(cnPlatformSerialValue(serial)))
	}
	region, bad := cnRegionCheck(u[2:8], "positions 3-8", false, false)
	if bad != "" {
		return nil, ctx.fail(cnDepthRegion, "%s", bad)
	}
	org := u[8:17]
	if want := cnOrgCheck(org); org[8] != want {
		return nil, ctx.fail(cnDepthCheck, "organisation code %s (positions 9-17): GB 11714 check character should be %c, got %c", org, want, org[8])
	}
	if want := cnPlatformCheck(u[:n-1]); u[n-1] != want {
		return nil, ctx.fail(cnDepthCheck, "check character should be %c, got %c", want, u[n-1])
	}
	return cnCode(cnSchemePlatform, "平台追溯码 Platform trace code (zhuisu)", s, u, u,
		Part{Name: "prefix", Value: "ZS", Meaning: "追溯平台赋码"},
		Part{Name: "region", Value: u[2:8], Meaning: region},
		Part{Name: "subject", Value: org, Meaning: "责任主体组织机构代码（统一社会信用代码第9-17位）"},
		Part{Name: "serial", Value: serial, Meaning: "序号 " + strconv.FormatUint(cnPlatformSerialValue(serial), 10)},
		Part{Name: "check", Value: u[n-1:], Meaning: "校验码（MOD 31）"},
	), nil
}
