package codes

// Administrative division codes (行政区划代码, GB/T 2260): the complete current list of
// Fujian, the province-level codes of the whole country, and the Fujian codes abolished
// since 2003 that codes issued before the change still carry.

import "fmt"

// Region is one administrative division: its GB/T 2260 code, its own name ("鼓楼区"), and
// its level: 1 province, 2 prefecture-level city, 3 county-level division (district,
// county, county-level city).
type Region struct {
	Code, Name string
	Level      int
}

// cnProvinces are the 34 province-level divisions (the first two digits of every code).
var cnProvinces = map[string]string{
	"11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
	"21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
	"31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
	"41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
	"50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
	"61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
	"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}

// cnFujian is the current list of Fujian (GB/T 2260 as published by the Ministry of Civil
// Affairs after the 2021 changes in 三明 and 漳州): the province, its nine prefecture-level
// cities and its 84 county-level divisions (31 districts, 11 county-level cities, 42
// counties including 金门县), sorted by code.
var cnFujian = []Region{
	{"350000", "福建省", 1},
	{"350100", "福州市", 2},
	{"350102", "鼓楼区", 3}, {"350103", "台江区", 3}, {"350104", "仓山区", 3}, {"350105", "马尾区", 3},
	{"350111", "晋安区", 3}, {"350112", "长乐区", 3}, {"350121", "闽侯县", 3}, {"350122", "连江县", 3},
	{"350123", "罗源县", 3}, {"350124", "闽清县", 3}, {"350125", "永泰县", 3}, {"350128", "平潭县", 3},
	{"350181", "福清市", 3},
	{"350200", "厦门市", 2},
	{"350203", "思明区", 3}, {"350205", "海沧区", 3}, {"350206", "湖里区", 3}, {"350211", "集美区", 3},
	{"350212", "同安区", 3}, {"350213", "翔安区", 3},
	{"350300", "莆田市", 2},
	{"350302", "城厢区", 3}, {"350303", "涵江区", 3}, {"350304", "荔城区", 3}, {"350305", "秀屿区", 3},
	{"350322", "仙游县", 3},
	{"350400", "三明市", 2},
	{"350404", "三元区", 3}, {"350405", "沙县区", 3}, {"350421", "明溪县", 3}, {"350423", "清流县", 3},
	{"350424", "宁化县", 3}, {"350425", "大田县", 3}, {"350426", "尤溪县", 3}, {"350428", "将乐县", 3},
	{"350429", "泰宁县", 3}, {"350430", "建宁县", 3}, {"350481", "永安市", 3},
	{"350500", "泉州市", 2},
	{"350502", "鲤城区", 3}, {"350503", "丰泽区", 3}, {"350504", "洛江区", 3}, {"350505", "泉港区", 3},
	{"350521", "惠安县", 3}, {"350524", "安溪县", 3}, {"350525", "永春县", 3}, {"350526", "德化县", 3},
	{"350527", "金门县", 3}, {"350581", "石狮市", 3}, {"350582", "晋江市", 3}, {"350583", "南安市", 3},
	{"350600", "漳州市", 2},
	{"350602", "芗城区", 3}, {"350603", "龙文区", 3}, {"350604", "龙海区", 3}, {"350605", "长泰区", 3},
	{"350622", "云霄县", 3}, {"350623", "漳浦县", 3}, {"350624", "诏安县", 3}, {"350626", "东山县", 3},
	{"350627", "南靖县", 3}, {"350628", "平和县", 3}, {"350629", "华安县", 3},
	{"350700", "南平市", 2},
	{"350702", "延平区", 3}, {"350703", "建阳区", 3}, {"350721", "顺昌县", 3}, {"350722", "浦城县", 3},
	{"350723", "光泽县", 3}, {"350724", "松溪县", 3}, {"350725", "政和县", 3}, {"350781", "邵武市", 3},
	{"350782", "武夷山市", 3}, {"350783", "建瓯市", 3},
	{"350800", "龙岩市", 2},
	{"350802", "新罗区", 3}, {"350803", "永定区", 3}, {"350821", "长汀县", 3}, {"350823", "上杭县", 3},
	{"350824", "武平县", 3}, {"350825", "连城县", 3}, {"350881", "漳平市", 3},
	{"350900", "宁德市", 2},
	{"350902", "蕉城区", 3}, {"350921", "霞浦县", 3}, {"350922", "古田县", 3}, {"350923", "屏南县", 3},
	{"350924", "寿宁县", 3}, {"350925", "周宁县", 3}, {"350926", "柘荣县", 3}, {"350981", "福安市", 3},
	{"350982", "福鼎市", 3},
}

// cnFormerFujian are Fujian county-level codes abolished since 2003. A code issued before
// the change (a USCC, a licence, an ear tag, an equipment registration) keeps the old
// region code, so those schemes accept them; ParseRegion does not.
var cnFormerFujian = map[string]struct {
	name      string
	abolished int
	successor string
}{
	"350202": {"鼓浪屿区", 2003, "350203"},
	"350204": {"开元区", 2003, "350203"},
	"350182": {"长乐市", 2017, "350112"},
	"350402": {"梅列区", 2021, "350404"},
	"350403": {"三元区", 2021, "350404"},
	"350427": {"沙县", 2021, "350405"},
	"350625": {"长泰县", 2021, "350605"},
	"350681": {"龙海市", 2021, "350604"},
	"350784": {"建阳市", 2014, "350703"},
	"350822": {"永定县", 2014, "350803"},
}

var cnFujianIndex = func() map[string]int {
	m := make(map[string]int, len(cnFujian))
	for i, r := range cnFujian {
		m[r.Code] = i
	}
	return m
}()

// cnStructuralParent is the code one level up by the structure of GB/T 2260.
func cnStructuralParent(code string) string {
	switch {
	case code[2:] == "0000":
		return ""
	case code[4:] == "00":
		return code[:2] + "0000"
	}
	return code[:4] + "00"
}

// cnFullName joins the names from the province down: "福建省福州市鼓楼区".
func cnFullName(code string) string {
	i, ok := cnFujianIndex[code]
	if !ok {
		if code[2:] == "0000" {
			return cnProvinces[code[:2]]
		}
		return ""
	}
	name := cnFujian[i].Name
	for p := cnStructuralParent(code); p != ""; p = cnStructuralParent(p) {
		if j, ok := cnFujianIndex[p]; ok {
			name = cnFujian[j].Name + name
		}
	}
	return name
}

// RegionName returns the full name of a region code, from the province down:
// "350102" → "福建省福州市鼓楼区", "350100" → "福建省福州市", "110000" → "北京市". It knows
// every current Fujian code and the 34 province-level codes; for any other code (a county
// elsewhere, an abolished Fujian code) ok is false.
func RegionName(code string) (string, bool) {
	if len(code) != 6 || !cnDigits(code) {
		return "", false
	}
	if code[:2] != "35" && code[2:] != "0000" {
		return "", false
	}
	n := cnFullName(code)
	return n, n != ""
}

// RegionParent returns the code of the division directly above a known code:
// "350102" → "350100", "350128" (平潭县) → "350100", "350100" → "350000". A province
// has no parent. Known codes are those of RegionName.
func RegionParent(code string) (string, bool) {
	if _, ok := RegionName(code); !ok {
		return "", false
	}
	p := cnStructuralParent(code)
	return p, p != ""
}

// RegionChildren returns the codes directly below a Fujian code, sorted: the nine cities
// of 350000, the county-level divisions of a city, nothing for a county or for a code
// outside Fujian (whose lower levels are not shipped).
func RegionChildren(code string) []string {
	i, ok := cnFujianIndex[code]
	if !ok || cnFujian[i].Level == 3 {
		return nil
	}
	var out []string
	for _, r := range cnFujian {
		if r.Level == cnFujian[i].Level+1 && cnStructuralParent(r.Code) == code {
			out = append(out, r.Code)
		}
	}
	return out
}

// FujianRegions returns the complete current list of Fujian: the province, its nine
// prefecture-level cities and its 84 county-level divisions, sorted by code. The caller
// owns the slice.
func FujianRegions() []Region {
	return append([]Region(nil), cnFujian...)
}

// RegionWithin reports whether the division code lies within scope (or is scope): a
// county within its city and province, a city within its province. scope must be a
// current Fujian code or a province-level code; code may also be a Fujian code abolished
// since 2003 (it lies where it lay: 350402 梅列区 within 350400 三明市), or, outside
// Fujian, any code whose province exists (only a province-level scope can contain it).
// The registry and access control use it to scope data.
func RegionWithin(code, scope string) bool {
	if _, ok := RegionName(scope); !ok {
		return false
	}
	if len(code) != 6 || !cnDigits(code) {
		return false
	}
	if _, bad := cnRegionCheck(code, "", true, false); bad != "" {
		return false
	}
	switch {
	case scope[2:] == "0000":
		return code[:2] == scope[:2]
	case scope[4:] == "00":
		return code[:4] == scope[:4]
	}
	return code == scope
}

// ParseRegion parses a 6-digit GB/T 2260 administrative division code. A Fujian code must
// be a current one (the province, a city or a county-level division; an abolished code is
// rejected with its successor named); a code elsewhere is valid when its province exists
// (its lower levels are not checked, which Parts says).
func ParseRegion(s string) (*Code, error) { return cnResult(cnParseRegion(s)) }

func cnParseRegion(s string) (*Code, *cnFail) {
	ctx := newCNCtx("administrative division code", s)
	if len(s) != 6 || !cnDigits(s) {
		if f := ctx.badChar(s, 1, cnIsDigit, "a digit"); f != nil {
			return nil, f
		}
		return nil, ctx.length(s, "6 digits")
	}
	if _, bad := cnRegionCheck(s, "", false, false); bad != "" {
		return nil, ctx.fail(cnDepthRegion, "%s", bad)
	}
	parts := []Part{{Name: "province", Value: s[:2], Meaning: cnProvinces[s[:2]]}}
	if s[2:] != "0000" {
		parts = append(parts, Part{Name: "city", Value: s[2:4], Meaning: cnRegionOwnName(s[:4] + "00")})
	}
	if s[4:] != "00" {
		parts = append(parts, Part{Name: "county", Value: s[4:], Meaning: cnRegionOwnName(s)})
	}
	return cnCode(cnSchemeRegion, "行政区划代码 Administrative division code (GB/T 2260)", s, s, s, parts...), nil
}

// cnRegionOwnName is the own name of a Fujian code, or a note that a level outside Fujian
// was not checked.
func cnRegionOwnName(code string) string {
	if i, ok := cnFujianIndex[code]; ok {
		return cnFujian[i].Name
	}
	if code[:2] != "35" {
		return "未核对 not checked outside Fujian"
	}
	return ""
}

// cnRegionCheck checks a 6-digit region code. former admits Fujian codes abolished since
// 2003; county demands a county-level code. It returns the meaning (the full name, with a
// note for former codes and codes outside Fujian) or, in bad, what is wrong.
func cnRegionCheck(code, where string, former, county bool) (meaning, bad string) {
	at := code
	if where != "" {
		at += " (" + where + ")"
	}
	prov, ok := cnProvinces[code[:2]]
	if !ok {
		return "", fmt.Sprintf("region code %s: province code %s does not exist (GB/T 2260)", at, code[:2])
	}
	if code[2:4] == "00" && code[4:] != "00" {
		return "", fmt.Sprintf("region code %s: city part 00 with county part %s is not a GB/T 2260 code", at, code[4:])
	}
	if county && code[4:] == "00" {
		level := "a province-level"
		if code[2:] != "0000" {
			level = "a prefecture-level"
		}
		return "", fmt.Sprintf("region code %s is %s code; a county-level code is required", at, level)
	}
	if code[:2] != "35" {
		if code[2:] == "0000" {
			return prov, ""
		}
		return prov + "（下级区划未核对）", ""
	}
	if _, ok := cnFujianIndex[code]; ok {
		return cnFullName(code), ""
	}
	if f, ok := cnFormerFujian[code]; ok {
		succ := cnFullName(f.successor)
		if !former {
			return "", fmt.Sprintf("region code %s, %s%s, was abolished in %d; its area is now in %s (%s)",
				at, cnFullName(code[:4]+"00"), f.name, f.abolished, f.successor, succ)
		}
		return fmt.Sprintf("%s%s（%d年撤销，今属%s %s）", cnFullName(code[:4]+"00"), f.name, f.abolished, f.successor, succ), ""
	}
	return "", fmt.Sprintf("region code %s is not an administrative division of Fujian (GB/T 2260, current list)", at)
}
