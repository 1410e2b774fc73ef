package codes

// Food, drugs and agricultural inputs: food production licence numbers, drug and
// veterinary drug trace codes, pesticide unit codes and livestock ear tags.

import "fmt"

// cnFoodCategories are the food categories of the food production licence (the order of
// article 11 of 《食品生产许可管理办法》, kept by the 2020 revision), positions 4-5 when
// position 3 is 1.
var cnFoodCategories = map[string]string{
	"01": "粮食加工品", "02": "食用油、油脂及其制品", "03": "调味品", "04": "肉制品", "05": "乳制品",
	"06": "饮料", "07": "方便食品", "08": "饼干", "09": "罐头", "10": "冷冻饮品",
	"11": "速冻食品", "12": "薯类和膨化食品", "13": "糖果制品", "14": "茶叶及相关制品", "15": "酒类",
	"16": "蔬菜制品", "17": "水果制品", "18": "炒货食品及坚果制品", "19": "蛋制品", "20": "可可及焙烤咖啡产品",
	"21": "食糖", "22": "水产制品", "23": "淀粉及淀粉制品", "24": "糕点", "25": "豆制品",
	"26": "蜂产品", "27": "保健食品", "28": "特殊医学用途配方食品", "29": "婴幼儿配方食品", "30": "特殊膳食食品",
	"31": "其他食品",
}

// cnAdditiveCategories are the food additive categories, positions 4-5 when position 3 is 2.
var cnAdditiveCategories = map[string]string{"01": "一般食品添加剂", "02": "食品用香精", "03": "复配食品添加剂"}

// ParseFoodLicence parses a food production licence number (食品生产许可证编号): SC and 14
// digits (CFDA announcement 2015 No. 198 and 《食品生产许可管理办法》): position 3 is 1 for
// food or 2 for food additives, 4-5 the category (food 01-31, additives 01-03), 6-11 the
// region of the producer (GB/T 2260; a Fujian code must be a current or former Fujian
// division, a code elsewhere needs an existing province), 12-15 a sequence number and 16 a
// check digit. The check algorithm is not published, so the check digit is not verified;
// structure, category and region are. A lower-case sc is accepted.
func ParseFoodLicence(s string) (*Code, error) { return cnResult(cnParseFoodLicence(s)) }

func cnParseFoodLicence(s string) (*Code, *cnFail) {
	ctx := newCNCtx("food production licence number", s)
	if len(s) < 2 || cnUpper(s[:2]) != "SC" {
		return nil, ctx.fail(cnDepthShape, "should start with SC (生产)")
	}
	d := s[2:]
	if len(d) != 14 || !cnDigits(d) {
		if f := ctx.badChar(d, 3, cnIsDigit, "a digit"); f != nil {
			return nil, f
		}
		return nil, ctx.fail(cnDepthShape, "should be SC followed by 14 digits, got %d digits", len(d))
	}
	var kind string
	var cats map[string]string
	switch d[0] {
	case '1':
		kind, cats = "食品 food", cnFoodCategories
	case '2':
		kind, cats = "食品添加剂 food additive", cnAdditiveCategories
	default:
		return nil, ctx.fail(cnDepthField, "licence kind %c (position 3) should be 1 (食品 food) or 2 (食品添加剂 food additive)", d[0])
	}
	cat, ok := cats[d[1:3]]
	if !ok {
		max := "31"
		if d[0] == '2' {
			max = "03"
		}
		return nil, ctx.fail(cnDepthField, "category %s (positions 4-5) is not defined for kind %c; expected 01-%s", d[1:3], d[0], max)
	}
	region, bad := cnRegionCheck(d[3:9], "positions 6-11", true, false)
	if bad != "" {
		return nil, ctx.fail(cnDepthRegion, "%s", bad)
	}
	v := "SC" + d
	return cnCode(cnSchemeFood, "食品生产许可证编号 Food production licence number", s, v, v,
		Part{Name: "prefix", Value: "SC", Meaning: "生产"},
		Part{Name: "kind", Value: d[:1], Meaning: kind},
		Part{Name: "category", Value: d[1:3], Meaning: cat},
		Part{Name: "region", Value: d[3:9], Meaning: region},
		Part{Name: "sequence", Value: d[9:13], Meaning: "顺序码"},
		Part{Name: "check", Value: d[13:], Meaning: "校验码（算法未公开，未核验 not verified: algorithm not published）"},
	), nil
}

// ParseDrugCode parses a 20-digit drug trace code (药品追溯码) of the NMPA scheme
// (NMPAB/T 1002-2019 《药品追溯码编码要求》, the layout of the former 中国药品电子监管码):
// digits 1-7 the product identification code (药品标识码), 8-16 the unit serial number
// (单品序列号), 17-20 check digits. It starts with 8; a code starting with 89 is a
// special-control drug (麻醉药品、精神药品等), flagged by a Part named "special". The
// check algorithm is not published, so the check digits are not verified. The GS1 forms
// of drug codes (AI 01 + 21) are read by the GS1 parser, not here.
func ParseDrugCode(s string) (*Code, error) { return cnResult(cnParseDrug(s)) }

func cnParseDrug(s string) (*Code, *cnFail) {
	ctx := newCNCtx("drug trace code", s)
	if len(s) != 20 || !cnDigits(s) {
		if f := ctx.badChar(s, 1, cnIsDigit, "a digit"); f != nil {
			return nil, f
		}
		return nil, ctx.length(s, "20 digits")
	}
	if s[0] != '8' {
		return nil, ctx.fail(cnDepthField, "should start with 8 (NMPA 药品追溯码), got %c", s[0])
	}
	parts := []Part{
		{Name: "product", Value: s[:7], Meaning: "药品标识码 product identification code"},
		{Name: "serial", Value: s[7:16], Meaning: "单品序列号 unit serial number"},
		{Name: "check", Value: s[16:], Meaning: "校验位（算法未公开，未核验 not verified: algorithm not published）"},
	}
	if s[:2] == "89" {
		parts = append(parts, Part{Name: "special", Value: "89", Meaning: "特殊管理药品（麻醉药品、精神药品等）special-control drug"})
	}
	return cnCode(cnSchemeDrug, "药品追溯码 Drug trace code (NMPA)", s, s, s, parts...), nil
}

// ParseVetDrugCode parses a 24-digit veterinary drug trace code (兽药追溯码) of the
// national veterinary drug traceability system (农业农村部): digits 1-8 the date yyyyMMdd
// on which the code was requested (追溯码申请日期; a real date, years 2000-2099), 9-13 the
// enterprise (企业标识), 14-24 random digits. There is no check digit.
func ParseVetDrugCode(s string) (*Code, error) { return cnResult(cnParseVetDrug(s)) }

func cnParseVetDrug(s string) (*Code, *cnFail) {
	ctx := newCNCtx("veterinary drug trace code", s)
	if len(s) != 24 || !cnDigits(s) {
		if f := ctx.badChar(s, 1, cnIsDigit, "a digit"); f != nil {
			return nil, f
		}
		return nil, ctx.length(s, "24 digits")
	}
	if bad := cnDate(s[:8], 2000, 2099); bad != "" {
		return nil, ctx.fail(cnDepthDate, "date %s (positions 1-8, yyyyMMdd): %s", s[:8], bad)
	}
	return cnCode(cnSchemeVetDrug, "兽药追溯码 Veterinary drug trace code", s, s, s,
		Part{Name: "date", Value: s[:8], Meaning: fmt.Sprintf("追溯码申请日期 %s-%s-%s", s[:4], s[4:6], s[6:8])},
		Part{Name: "enterprise", Value: s[8:13], Meaning: "企业标识 enterprise"},
		Part{Name: "random", Value: s[13:], Meaning: "随机码 random"},
	), nil
}

// cnPesticideRegTypes and cnPesticideProdTypes are the value sets of positions 1 and 8 of
// the pesticide unit code (农业部公告第2579号).
var (
	cnPesticideRegTypes  = map[byte]string{'1': "PD 农药登记", '2': "WP 卫生用农药登记", '3': "临时登记"}
	cnPesticideProdTypes = map[byte]string{'1': "农药登记证持有人生产", '2': "委托加工", '3': "委托分装"}
)

// ParsePesticideCode parses a 32-digit pesticide unit code (农药标签二维码单元识别代码,
// 农业部公告第2579号): digit 1 the registration type (1 PD, 2 WP, 3 temporary), 2-7 the
// last six digits of the registration number, 8 the production type (1 the registrant
// produces, 2 contract processing, 3 contract packing), 9-11 the specification code chosen
// by the enterprise, 12-32 random digits. There is no check digit.
func ParsePesticideCode(s string) (*Code, error) { return cnResult(cnParsePesticide(s)) }

func cnParsePesticide(s string) (*Code, *cnFail) {
	ctx := newCNCtx("pesticide trace code", s)
	if len(s) != 32 || !cnDigits(s) {
		if f := ctx.badChar(s, 1, cnIsDigit, "a digit"); f != nil {
			return nil, f
		}
		return nil, ctx.length(s, "32 digits")
	}
	reg, ok := cnPesticideRegTypes[s[0]]
	if !ok {
		return nil, ctx.fail(cnDepthField, "registration type %c (position 1) should be 1 (PD), 2 (WP) or 3 (temporary registration)", s[0])
	}
	prod, ok := cnPesticideProdTypes[s[7]]
	if !ok {
		return nil, ctx.fail(cnDepthField, "production type %c (position 8) should be 1 (registrant), 2 (contract processing) or 3 (contract packing)", s[7])
	}
	return cnCode(cnSchemePesticide, "农药追溯码 Pesticide unit code", s, s, s,
		Part{Name: "registration-type", Value: s[:1], Meaning: reg},
		Part{Name: "registration", Value: s[1:7], Meaning: "农药登记证号后六位"},
		Part{Name: "production-type", Value: s[7:8], Meaning: prod},
		Part{Name: "specification", Value: s[8:11], Meaning: "产品规格码"},
		Part{Name: "random", Value: s[11:], Meaning: "随机码"},
	), nil
}

// cnEarTagSpecies are the species codes of the livestock ear tag.
var cnEarTagSpecies = map[byte]string{'1': "猪 pig", '2': "牛 cattle", '3': "羊 sheep or goat"}

// ParseEarTag parses a 15-digit livestock ear tag number (畜禽标识编码, 《畜禽标识和养殖
// 档案管理办法》): digit 1 the species (1 pig, 2 cattle, 3 sheep and goats), 2-7 the
// county-level region code (GB/T 2260; in Fujian a current or former county-level division,
// elsewhere an existing province and a county part other than 00), 8-15 the serial number.
func ParseEarTag(s string) (*Code, error) { return cnResult(cnParseEarTag(s)) }

func cnParseEarTag(s string) (*Code, *cnFail) {
	ctx := newCNCtx("livestock ear tag number", s)
	if len(s) != 15 || !cnDigits(s) {
		if f := ctx.badChar(s, 1, cnIsDigit, "a digit"); f != nil {
			return nil, f
		}
		return nil, ctx.length(s, "15 digits")
	}
	sp, ok := cnEarTagSpecies[s[0]]
	if !ok {
		return nil, ctx.fail(cnDepthField, "species code %c (position 1) should be 1 (pig), 2 (cattle) or 3 (sheep and goats)", s[0])
	}
	region, bad := cnRegionCheck(s[1:7], "positions 2-7", true, true)
	if bad != "" {
		return nil, ctx.fail(cnDepthRegion, "%s", bad)
	}
	return cnCode(cnSchemeEarTag, "畜禽标识编码 Livestock ear tag number", s, s, s,
		Part{Name: "species", Value: s[:1], Meaning: sp},
		Part{Name: "region", Value: s[1:7], Meaning: region},
		Part{Name: "serial", Value: s[7:], Meaning: "标识顺序号"},
	), nil
}
