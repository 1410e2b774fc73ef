package codes

// Unified social credit code (统一社会信用代码, GB 32100-2015) and the organisation code
// (组织机构代码, GB 11714-1997) it carries in positions 9-17.

import (
	"fmt"
	"unicode/utf8"
)

// cnUSCCAlphabet is the character set of GB 32100 in the order of its values 0-30: the
// digits and the capital letters without I, O, S, V and Z.
const cnUSCCAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// cnUSCCValue maps a character to its GB 32100 value, or -1.
var cnUSCCValue = func() (v [256]int8) {
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(cnUSCCAlphabet); i++ {
		v[cnUSCCAlphabet[i]] = int8(i)
	}
	return v
}()

func cnInUSCCAlphabet(b byte) bool { return cnUSCCValue[b] >= 0 }

// cnUSCCWeights are the weights of positions 1-17 (3^(i-1) mod 31).
var cnUSCCWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// cnUSCCCheck is the check character of the first 17 characters (all in the alphabet):
// C18 = 31 - (sum of value*weight mod 31), 31 written as 0.
func cnUSCCCheck(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(cnUSCCValue[body[i]]) * cnUSCCWeights[i]
	}
	return cnUSCCAlphabet[(31-sum%31)%31]
}

// cnOrgCheck is the GB 11714 check character of the first 8 characters of an organisation
// code (digits and capital letters, A=10 ... Z=35): 11 - (sum of value*weight mod 11) with
// weights 3, 7, 9, 10, 5, 8, 4, 2; 10 is written X and 11 is written 0.
func cnOrgCheck(body string) byte {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		v := int(c - '0')
		if cnIsUpper(c) {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

type cnUSCCAuthority struct {
	name  string
	types map[byte]string
}

// cnUSCCAuthorities is Table 1 of GB 32100-2015 (registration authority, position 1, and
// the organisation types it registers, position 2), with the later additions A (中央军委
// 改革和编制办公室) and N (农业). The types of Y (其他) are not enumerated by the standard as
// we read it; any digit 1-9 is accepted there.
var cnUSCCAuthorities = map[byte]cnUSCCAuthority{
	'1': {"机构编制", map[byte]string{'1': "机关", '2': "事业单位", '3': "中央编办直接管理机构编制的群众团体", '9': "其他"}},
	'2': {"外交", map[byte]string{'1': "外国常驻新闻机构", '9': "其他"}},
	'3': {"司法行政", map[byte]string{'1': "律师执业机构", '2': "公证处", '3': "基层法律服务所", '4': "司法鉴定机构", '5': "仲裁委员会", '9': "其他"}},
	'4': {"文化", map[byte]string{'1': "外国在华文化中心", '9': "其他"}},
	'5': {"民政", map[byte]string{'1': "社会团体", '2': "民办非企业单位", '3': "基金会", '9': "其他"}},
	'6': {"旅游", map[byte]string{'1': "外国旅游部门常驻代表机构", '2': "港澳台地区旅游部门常驻内地（大陆）代表机构", '9': "其他"}},
	'7': {"宗教", map[byte]string{'1': "宗教活动场所", '2': "宗教院校", '9': "其他"}},
	'8': {"工会", map[byte]string{'1': "基层工会", '9': "其他"}},
	'9': {"工商（市场监管）", map[byte]string{'1': "企业", '2': "个体工商户", '3': "农民专业合作社"}},
	'A': {"中央军委改革和编制办公室", map[byte]string{'1': "军队事业单位", '9': "其他"}},
	'N': {"农业（农业农村）", map[byte]string{'1': "组级集体经济组织", '2': "村级集体经济组织", '3': "乡镇级集体经济组织", '9': "其他"}},
	'Y': {"其他", map[byte]string{'1': "其他", '2': "其他", '3': "其他", '4': "其他", '5': "其他", '6': "其他", '7': "其他", '8': "其他", '9': "其他"}},
}

func cnSortedKeys(m map[byte]string) string {
	var b []byte
	for c := byte('0'); c <= 'Z'; c++ {
		if _, ok := m[c]; ok {
			if b != nil {
				b = append(b, ", "...)
			}
			b = append(b, c)
		}
	}
	return string(b)
}

// ParseUSCC parses an 18-character unified social credit code (GB 32100-2015): position 1
// the registration authority, 2 the organisation type (both from Table 1 of the standard),
// 3-8 the region of the registering authority (GB/T 2260; 100000 for authorities at
// national level; a Fujian code must be a current or former Fujian division, a code
// elsewhere needs an existing province), 9-17 the organisation code whose last character
// is its GB 11714 check, 18 the MOD 31 check character. Lower-case letters are accepted and
// upper-cased.
func ParseUSCC(s string) (*Code, error) { return cnResult(cnParseUSCC(s)) }

func cnParseUSCC(s string) (*Code, *cnFail) {
	ctx := newCNCtx("unified social credit code", s)
	u := cnUpper(s)
	if utf8.RuneCountInString(u) != 18 {
		return nil, ctx.length(s, "18 characters")
	}
	if f := ctx.badChar(u, 1, cnInUSCCAlphabet, "in the USCC character set (0-9, A-H, J-N, P-R, T-U, W-Y; no I, O, S, V, Z)"); f != nil {
		return nil, f
	}
	if f := ctx.badChar(u[2:8], 3, cnIsDigit, "a digit (positions 3-8 are the region code)"); f != nil {
		return nil, f
	}
	auth, ok := cnUSCCAuthorities[u[0]]
	if !ok {
		return nil, ctx.fail(cnDepthField, "registration authority code %c (position 1) is not defined in GB 32100; expected one of 1-9, A, N, Y", u[0])
	}
	typ, ok := auth.types[u[1]]
	if !ok {
		return nil, ctx.fail(cnDepthField, "organisation type code %c (position 2) is not defined for registration authority %c (%s); expected one of %s",
			u[1], u[0], auth.name, cnSortedKeys(auth.types))
	}
	region := u[2:8]
	var meaning string
	if region == "100000" {
		meaning = "全国（国家级登记管理机关）"
	} else {
		m, bad := cnRegionCheck(region, "positions 3-8", true, false)
		if bad != "" {
			return nil, ctx.fail(cnDepthRegion, "%s", bad)
		}
		meaning = m
	}
	org := u[8:17]
	if want := cnOrgCheck(org); org[8] != want {
		return nil, ctx.fail(cnDepthCheck, "organisation code %s (positions 9-17): GB 11714 check character should be %c, got %c", org, want, org[8])
	}
	if want := cnUSCCCheck(u); u[17] != want {
		return nil, ctx.fail(cnDepthCheck, "check character should be %c, got %c", want, u[17])
	}
	return cnCode(cnSchemeUSCC, "统一社会信用代码 Unified social credit code (GB 32100-2015)", s, u, u,
		Part{Name: "authority", Value: u[:1], Meaning: "登记管理部门：" + auth.name},
		Part{Name: "type", Value: u[1:2], Meaning: "机构类别：" + typ},
		Part{Name: "region", Value: region, Meaning: meaning},
		Part{Name: "organisation", Value: org, Meaning: "主体标识码（组织机构代码，GB 11714）"},
		Part{Name: "check", Value: u[17:], Meaning: "校验码（GB 32100 MOD 31）"},
	), nil
}

// cnOrgCode validates a 9-character organisation code drawn from the USCC alphabet (as
// in USCC positions 9-17). It returns the upper-cased code, or what is wrong.
func cnOrgCode(s string) (string, string) {
	u := cnUpper(s)
	if n := utf8.RuneCountInString(s); n != 9 {
		return "", fmt.Sprintf("organisation code %s should be 9 characters (USCC positions 9-17), got %d", cnShow(s), n)
	}
	for i := 0; i < len(u); i++ {
		if !cnInUSCCAlphabet(u[i]) {
			return "", fmt.Sprintf("organisation code %s: character %s at position %d is not in the USCC character set", cnShow(s), cnQuoteRune(rune(u[i])), i+1)
		}
	}
	if want := cnOrgCheck(u); u[8] != want {
		return "", fmt.Sprintf("organisation code %s: GB 11714 check character should be %c, got %c", u, want, u[8])
	}
	return u, ""
}
