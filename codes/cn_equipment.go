package codes

// Special equipment and dangerous goods: special equipment codes (特种设备代码) in their
// 18-, 20- and 21-character forms, gas cylinder registration codes (气瓶使用登记代码) and
// industrial detonator codes (工业雷管编码).

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// cnEquipmentKinds are the kinds (种类) of 《特种设备目录》, the first character of the
// equipment category code; cnEquipmentClasses names the classes (类别, the first two
// characters) this package knows.
var (
	cnEquipmentKinds = map[byte]string{
		'1': "锅炉", '2': "压力容器", '3': "电梯", '4': "起重机械", '5': "客运索道",
		'6': "大型游乐设施", '7': "压力管道元件", '8': "压力管道", '9': "场（厂）内专用机动车辆", 'F': "安全附件",
	}
	cnEquipmentClasses = map[string]string{
		"11": "承压蒸汽锅炉", "12": "承压热水锅炉", "13": "有机热载体锅炉",
		"21": "固定式压力容器", "22": "移动式压力容器", "23": "气瓶", "24": "氧舱",
		"31": "曳引与强制驱动电梯", "32": "液压驱动电梯", "33": "自动扶梯与自动人行道", "34": "其他类型电梯",
		"41": "桥式起重机", "42": "门式起重机", "43": "塔式起重机", "44": "流动式起重机", "47": "门座式起重机",
		"48": "升降机", "49": "缆索式起重机", "4A": "桅杆式起重机", "4D": "机械式停车设备",
		"51": "客运架空索道", "52": "客运缆车", "53": "客运拖牵索道",
		"81": "长输管道", "82": "公用管道", "83": "工业管道",
		"91": "机动工业车辆", "92": "非公路用旅游观光车辆",
	}
)

// cnEquipmentGroups are the group lengths of the three forms, as Human prints them.
var cnEquipmentGroups = map[int][]int{18: {4, 5, 4, 5}, 20: {4, 6, 6, 4}, 21: {4, 9, 4, 4}}

// cnEquipmentUngroup removes the single spaces of a grouped special equipment code; ok is
// false unless the groups are exactly those of one form.
func cnEquipmentUngroup(s string) (string, bool) {
	groups := strings.Split(s, " ")
	n := 0
	for _, g := range groups {
		n += len(g)
	}
	want, ok := cnEquipmentGroups[n]
	if !ok || len(groups) != len(want) {
		return "", false
	}
	for i, g := range groups {
		if len(g) != want[i] || !cnAll(g, cnIsAlnum) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func cnGroup(s string) string {
	var b strings.Builder
	i := 0
	for k, n := range cnEquipmentGroups[len(s)] {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// cnEquipmentShaped reports whether a compact s has the character classes of one form and
// starts with a kind of 《特种设备目录》.
func cnEquipmentShaped(s string) bool {
	if s == "" || !cnAll(s, cnIsAlnum) {
		return false
	}
	if _, ok := cnEquipmentKinds[cnUpper(s[:1])[0]]; !ok {
		return false
	}
	switch len(s) {
	case 18:
		return cnDigits(s[4:13]) && cnDigits(s[14:])
	case 20:
		return cnDigits(s[4:16]) && cnDigits(s[17:])
	case 21:
		return cnDigits(s[13:])
	}
	return false
}

// cnSequenceValue reads a sequence number whose first character may be a letter standing
// for 10, 11, ... of its place (TSG: "A0000" follows "99999").
func cnSequenceValue(s string) int {
	n := cnAtoi(s[1:])
	first := int(s[0] - '0')
	if cnIsUpper(s[0]) {
		first = int(s[0]-'A') + 10
	}
	for i := 1; i < len(s); i++ {
		first *= 10
	}
	return first + n
}

// ParseEquipmentCode parses a special equipment code in one of three forms, told apart by
// length (spaces between the groups, as Human prints them, are accepted):
//
//   - 18 characters, the equipment code of TSG 08-2017 (特种设备使用管理规则, annex
//     "特种设备代码编号方法"): category code (4, from 《特种设备目录》) + manufacturer code
//     (5: the 2-digit region of the licensing authority, 10 for the national one, and the
//     3-digit unit number of the manufacturing licence) + year of manufacture (4) +
//     manufacturing sequence number (5 digits, or a letter and 4 digits past 99999);
//   - 20 characters, the registration code (注册代码) used before TSG 08-2017: category code
//     (4) + region of the registering authority (6, GB/T 2260) + year and month of
//     registration yyyyMM (6) + sequence number (4 digits, or a letter and 3 digits past
//     9999);
//   - 21 characters, the equipment code of the special-equipment data elements (数据元
//     C604): category code (4) + organisation code of the manufacturer or installer (9,
//     GB 11714, with its check) + year (4) + sequence number (4, 0001-9999).
//
// The first character of the category code must be a kind of 《特种设备目录》 (1-9 or F),
// the others are digits or capital letters. Years are 1900-2099. Lower-case letters are
// upper-cased. Human is the code in its groups; Canonical holds it without spaces.
func ParseEquipmentCode(s string) (*Code, error) { return cnResult(cnParseEquipment(s)) }

func cnParseEquipment(s string) (*Code, *cnFail) {
	ctx := newCNCtx("special equipment code", s)
	u := s
	if strings.IndexByte(s, ' ') >= 0 {
		g, ok := cnEquipmentUngroup(s)
		if !ok {
			return nil, ctx.fail(cnDepthShape, "spaces are allowed only between the groups 4+5+4+5, 4+6+6+4 or 4+9+4+4 of the 18-, 20- or 21-character forms")
		}
		u = g
	}
	u = cnUpper(u)
	n := utf8.RuneCountInString(u)
	if n != 18 && n != 20 && n != 21 {
		return nil, ctx.fail(cnDepthShape, "should be 18 characters (TSG 08 equipment code), 20 (registration code) or 21 (data-element equipment code), got %d", n)
	}
	if f := ctx.badChar(u, 1, cnIsUpperAlnum, "a digit or a capital letter"); f != nil {
		return nil, f
	}
	var digits [][2]int // 1-based inclusive ranges that must be digits
	switch n {
	case 18:
		digits = [][2]int{{5, 13}, {15, 18}}
	case 20:
		digits = [][2]int{{5, 16}, {18, 20}}
	case 21:
		digits = [][2]int{{14, 21}}
	}
	for _, r := range digits {
		if f := ctx.badChar(u[r[0]-1:r[1]], r[0], cnIsDigit, "a digit"); f != nil {
			return nil, f
		}
	}
	kind, ok := cnEquipmentKinds[u[0]]
	if !ok {
		return nil, ctx.fail(cnDepthField, "category code %s (positions 1-4): kind %c is not in 《特种设备目录》; expected 1-9 or F", u[:4], u[0])
	}
	catMeaning := kind
	if c, ok := cnEquipmentClasses[u[:2]]; ok {
		catMeaning += "／" + c
	}
	cat := Part{Name: "category", Value: u[:4], Meaning: "设备类别代码：" + catMeaning}
	var name string
	var parts []Part
	switch n {
	case 18:
		name = "特种设备代码 Special equipment code (TSG 08-2017)"
		auth := u[4:6]
		authName := "国家市场监督管理总局（原国家质检总局）"
		if auth != "10" {
			p, ok := cnProvinces[auth]
			if !ok {
				return nil, ctx.fail(cnDepthField, "manufacturer code %s (positions 5-9): licensing authority %s is neither 10 (national) nor a province code", u[4:9], auth)
			}
			authName = p
		}
		if y := cnAtoi(u[9:13]); y < 1900 || y > 2099 {
			return nil, ctx.fail(cnDepthDate, "year of manufacture %s (positions 10-13) is outside 1900-2099", u[9:13])
		}
		parts = []Part{cat,
			{Name: "manufacturer", Value: u[4:9], Meaning: fmt.Sprintf("制造单位代号：许可机关 %s，许可证单位顺序号 %s", authName, u[6:9])},
			{Name: "year", Value: u[9:13], Meaning: "制造年份"},
			{Name: "sequence", Value: u[13:], Meaning: "制造顺序号 " + strconv.Itoa(cnSequenceValue(u[13:]))},
		}
	case 20:
		name = "特种设备注册代码 Special equipment registration code"
		if bad := cnYearMonth(u[10:16], 1900, 2099); bad != "" {
			return nil, ctx.fail(cnDepthDate, "registration month %s (positions 11-16, yyyyMM): %s", u[10:16], bad)
		}
		region, bad := cnRegionCheck(u[4:10], "positions 5-10", true, false)
		if bad != "" {
			return nil, ctx.fail(cnDepthRegion, "%s", bad)
		}
		parts = []Part{cat,
			{Name: "region", Value: u[4:10], Meaning: "登记机关：" + region},
			{Name: "month", Value: u[10:16], Meaning: "注册年月 " + u[10:14] + "-" + u[14:16]},
			{Name: "sequence", Value: u[16:], Meaning: "顺序号 " + strconv.Itoa(cnSequenceValue(u[16:]))},
		}
	case 21:
		name = "特种设备代码 Special equipment code (21-character data element)"
		if y := cnAtoi(u[13:17]); y < 1900 || y > 2099 {
			return nil, ctx.fail(cnDepthDate, "year %s (positions 14-17) is outside 1900-2099", u[13:17])
		}
		if u[17:] == "0000" {
			return nil, ctx.fail(cnDepthField, "sequence number 0000 (positions 18-21) is outside 0001-9999")
		}
		org := u[4:13]
		if want := cnOrgCheck(org); org[8] != want {
			return nil, ctx.fail(cnDepthCheck, "organisation code %s (positions 5-13): GB 11714 check character should be %c, got %c", org, want, org[8])
		}
		parts = []Part{cat,
			{Name: "organisation", Value: org, Meaning: "制造或安装单位组织机构代码（GB 11714）"},
			{Name: "year", Value: u[13:17], Meaning: "年份"},
			{Name: "sequence", Value: u[17:], Meaning: "顺序号"},
		}
	}
	return cnCode(cnSchemeEquipment, name, s, u, cnGroup(u), parts...), nil
}

// cnCylinderVarieties are the cylinder varieties of TSG R5001-2005.
var cnCylinderVarieties = map[byte]string{
	'1': "无缝气瓶", '2': "焊接气瓶", '3': "液化石油气钢瓶", '4': "溶解乙炔气瓶", '5': "车用气瓶", '6': "低温绝热气瓶",
}

func cnCylinderShaped(s string) bool {
	return len(s) == 12 && cnDigits(s[:3]) && cnAll(s[3:7], cnIsAlnum) && cnDigits(s[7:])
}

// ParseCylinderCode parses a gas cylinder registration code (气瓶使用登记代码) of TSG
// R5001-2005 (气瓶使用登记管理规则), 12 characters: the variety (1 seamless, 2 welded, 3
// LPG, 4 dissolved acetylene, 5 vehicle fuel, 6 cryogenic insulated) + the province (2
// digits, GB/T 2260) + the user unit code (3 digits or capital letters, assigned by the
// province; for vehicle cylinders O, or 0, and the 2-digit city code of the registering
// authority, which must exist) + the sequence number (6 digits, or a capital letter and 5
// digits past 999999). The variety may be left out of the code of an LPG cylinder; an
// 11-character code is read as variety 3, and its Canonical and Human forms carry the 3.
// ParseChinese recognises only the 12-character form (an 11-digit string is more often a
// mobile phone number). Lower-case letters are upper-cased.
func ParseCylinderCode(s string) (*Code, error) { return cnResult(cnParseCylinder(s)) }

func cnParseCylinder(s string) (*Code, *cnFail) {
	ctx := newCNCtx("gas cylinder registration code", s)
	u := cnUpper(s)
	n := utf8.RuneCountInString(u)
	if n != 11 && n != 12 {
		return nil, ctx.fail(cnDepthShape, "should be 12 characters (variety, province, user unit, sequence), or 11 for an LPG cylinder without its variety, got %d", n)
	}
	if f := ctx.alnum(u); f != nil {
		return nil, f
	}
	off := 0 // input position of canonical position 1, less 1
	if n == 11 {
		u, off = "3"+u, -1
	}
	if f := ctx.badChar(u[:3], 1+off, cnIsDigit, "a digit"); f != nil {
		return nil, f
	}
	if f := ctx.badChar(u[3:7], 4+off, cnIsUpperAlnum, "a digit or a capital letter"); f != nil {
		return nil, f
	}
	if f := ctx.badChar(u[7:], 8+off, cnIsDigit, "a digit"); f != nil {
		return nil, f
	}
	variety, ok := cnCylinderVarieties[u[0]]
	if !ok {
		return nil, ctx.fail(cnDepthField, "variety code %c (position 1) should be 1-6 (1 seamless, 2 welded, 3 LPG, 4 dissolved acetylene, 5 vehicle, 6 cryogenic)", u[0])
	}
	unit := u[3:6]
	unitMeaning := "使用单位代码（省级质监部门确定）"
	if u[0] == '5' {
		if (unit[0] != 'O' && unit[0] != '0') || !cnDigits(unit[1:]) {
			return nil, ctx.fail(cnDepthField, "user unit code %s (positions %d-%d) of a vehicle cylinder should be O and the 2-digit city code of the registering authority", unit, 4+off, 6+off)
		}
	}
	prov, ok := cnProvinces[u[1:3]]
	if !ok {
		return nil, ctx.fail(cnDepthRegion, "province code %s (positions %d-%d) does not exist (GB/T 2260)", u[1:3], 2+off, 3+off)
	}
	if u[0] == '5' {
		city := u[1:3] + unit[1:] + "00"
		if unit[1:] == "00" {
			return nil, ctx.fail(cnDepthRegion, "user unit code %s (positions %d-%d): city code 00 does not exist", unit, 4+off, 6+off)
		}
		unitMeaning = "车用气瓶：登记机关所在市 " + city
		if u[1:3] == "35" {
			if _, ok := cnFujianIndex[city]; !ok {
				return nil, ctx.fail(cnDepthRegion, "user unit code %s (positions %d-%d): city %s is not a prefecture-level city of Fujian", unit, 4+off, 6+off, city)
			}
			unitMeaning = "车用气瓶：登记机关所在市 " + cnFullName(city)
		}
	}
	return cnCode(cnSchemeCylinder, "气瓶使用登记代码 Gas cylinder registration code (TSG R5001-2005)", s, u, u,
		Part{Name: "variety", Value: u[:1], Meaning: variety},
		Part{Name: "province", Value: u[1:3], Meaning: prov},
		Part{Name: "unit", Value: unit, Meaning: unitMeaning},
		Part{Name: "sequence", Value: u[6:], Meaning: "排序代码 " + strconv.Itoa(cnSequenceValue(u[6:]))},
	), nil
}

// cnDetonatorFeature reports whether c may be the feature character of a detonator code:
// a digit, a capital letter, or a small letter other than c, o, s, u, v, w, x and z.
func cnDetonatorFeature(c byte) bool {
	if cnIsDigit(c) || cnIsUpper(c) {
		return true
	}
	return c >= 'a' && c <= 'z' && strings.IndexByte("cosuvwxz", c) < 0
}

// ParseDetonatorCode parses a 13-character industrial detonator code (工业雷管编码, GA
// 441-2003 工业雷管编码通则): the manufacturer (2 digits, 01-99), the production date as the
// last digit of the year, the month (01-12) and the day (2 digits; a real date: 29 February
// only in a year whose last digit is even, since every leap year is even), the feature
// character (特征号: a digit, a capital letter, or a small letter other than c, o, s, u, v,
// w, x, z) and the serial number (流水号, 5 digits). Letters are case-sensitive here.
func ParseDetonatorCode(s string) (*Code, error) { return cnResult(cnParseDetonator(s)) }

func cnParseDetonator(s string) (*Code, *cnFail) {
	ctx := newCNCtx("detonator code", s)
	if utf8.RuneCountInString(s) != 13 {
		return nil, ctx.length(s, "13 characters")
	}
	if f := ctx.alnum(s); f != nil {
		return nil, f
	}
	if f := ctx.badChar(s[:7], 1, cnIsDigit, "a digit"); f != nil {
		return nil, f
	}
	if f := ctx.badChar(s[7:8], 8, cnDetonatorFeature, "a feature character (a digit, a capital letter, or a small letter other than c, o, s, u, v, w, x, z)"); f != nil {
		return nil, f
	}
	if f := ctx.badChar(s[8:], 9, cnIsDigit, "a digit"); f != nil {
		return nil, f
	}
	if s[:2] == "00" {
		return nil, ctx.fail(cnDepthField, "manufacturer code 00 (positions 1-2) is outside 01-99")
	}
	yd, m, d := int(s[2]-'0'), cnAtoi(s[3:5]), cnAtoi(s[5:7])
	if m < 1 || m > 12 {
		return nil, ctx.fail(cnDepthDate, "month %s (positions 4-5) does not exist", s[3:5])
	}
	max := cnDaysIn(2001, m)
	if m == 2 && yd%2 == 0 {
		max = 29
	}
	if d < 1 || d > max {
		if m == 2 && d == 29 {
			return nil, ctx.fail(cnDepthDate, "day 29 (positions 6-7) does not exist in February of a year ending in %d (no leap year is odd)", yd)
		}
		return nil, ctx.fail(cnDepthDate, "day %s (positions 6-7) does not exist in month %s", s[5:7], s[3:5])
	}
	return cnCode(cnSchemeDetonator, "工业雷管编码 Industrial detonator code (GA 441-2003)", s, s, s,
		Part{Name: "manufacturer", Value: s[:2], Meaning: "生产企业代号"},
		Part{Name: "year", Value: s[2:3], Meaning: "生产年份末位 last digit of the year"},
		Part{Name: "month", Value: s[3:5], Meaning: "生产月份"},
		Part{Name: "day", Value: s[5:7], Meaning: "生产日"},
		Part{Name: "feature", Value: s[7:8], Meaning: "特征号"},
		Part{Name: "serial", Value: s[8:], Meaning: "流水号"},
	), nil
}
