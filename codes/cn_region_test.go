package codes

import (
	"slices"
	"strings"
	"testing"
)

func TestFujianRegions(t *testing.T) {
	rs := FujianRegions()
	levels := map[int]int{}
	seen := map[string]bool{}
	perCity := map[string]int{}
	for i, r := range rs {
		if len(r.Code) != 6 || !cnDigits(r.Code) || r.Code[:2] != "35" || r.Name == "" {
			t.Errorf("bad region %+v", r)
		}
		if seen[r.Code] {
			t.Errorf("duplicate %s", r.Code)
		}
		seen[r.Code] = true
		if i > 0 && rs[i-1].Code >= r.Code {
			t.Errorf("not sorted at %s", r.Code)
		}
		levels[r.Level]++
		if r.Level == 3 {
			perCity[r.Code[:4]]++
			if p, ok := RegionParent(r.Code); !ok || !seen[p] {
				t.Errorf("%s has no known parent (%q)", r.Code, p)
			}
		}
	}
	if levels[1] != 1 || levels[2] != 9 || levels[3] != 84 || len(rs) != 94 {
		t.Errorf("levels %v, %d regions; want 1 province, 9 cities, 84 county-level divisions", levels, len(rs))
	}
	// county-level divisions per city: 福州 13 (incl. 平潭), 厦门 6, 莆田 5, 三明 11,
	// 泉州 12 (incl. 金门), 漳州 11, 南平 10, 龙岩 7, 宁德 9
	want := map[string]int{"3501": 13, "3502": 6, "3503": 5, "3504": 11, "3505": 12, "3506": 11, "3507": 10, "3508": 7, "3509": 9}
	for k, n := range want {
		if perCity[k] != n {
			t.Errorf("city %s00 has %d county-level divisions, want %d", k, perCity[k], n)
		}
	}
	// the caller owns the slice
	rs[0].Name = "changed"
	if FujianRegions()[0].Name != "福建省" {
		t.Error("FujianRegions shares its backing array")
	}
	// the codes changed since 2014 are the current ones
	for code, name := range map[string]string{"350404": "三元区", "350405": "沙县区", "350112": "长乐区", "350703": "建阳区", "350803": "永定区", "350604": "龙海区", "350605": "长泰区", "350481": "永安市"} {
		if !seen[code] || rs[slices.IndexFunc(rs, func(r Region) bool { return r.Code == code })].Name != name {
			t.Errorf("%s should be %s", code, name)
		}
	}
	for _, gone := range []string{"350402", "350403", "350427", "350182", "350784", "350822", "350681", "350625", "350101"} {
		if seen[gone] {
			t.Errorf("%s is not a current code", gone)
		}
	}
}

func TestRegionName(t *testing.T) {
	for _, tc := range []struct {
		name, code, want string
		ok               bool
	}{
		{"known/county", "350102", "福建省福州市鼓楼区", true},
		{"known/city", "350100", "福建省福州市", true},
		{"known/province", "350000", "福建省", true},
		{"known/平潭", "350128", "福建省福州市平潭县", true},
		{"known/金门", "350527", "福建省泉州市金门县", true},
		{"known/merged 三元区", "350404", "福建省三明市三元区", true},
		{"known/other province", "110000", "北京市", true},
		{"known/澳门", "820000", "澳门特别行政区", true},
		{"unknown/county elsewhere", "110101", "", false},
		{"unknown/abolished 梅列区", "350402", "", false},
		{"unknown/not a code", "3501", "", false},
		{"unknown/no such province", "990000", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := RegionName(tc.code)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("RegionName(%q) = %q, %v; want %q, %v", tc.code, got, ok, tc.want, tc.ok)
			}
		})
	}
	if n := len(cnProvinces); n != 34 {
		t.Errorf("%d province-level codes, want 34", n)
	}
	for p := range cnProvinces {
		if name, ok := RegionName(p + "0000"); !ok || name == "" {
			t.Errorf("province %s has no name", p)
		}
	}
}

func TestRegionTree(t *testing.T) {
	for _, tc := range []struct{ name, code, parent string }{
		{"parent/county", "350102", "350100"},
		{"parent/平潭 under 福州", "350128", "350100"},
		{"parent/city", "350900", "350000"},
		{"parent/none for a province", "350000", ""},
		{"parent/none for an unknown code", "350199", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := RegionParent(tc.code)
			if p != tc.parent || ok != (tc.parent != "") {
				t.Fatalf("RegionParent(%q) = %q, %v; want %q", tc.code, p, ok, tc.parent)
			}
		})
	}
	cities := RegionChildren("350000")
	if want := []string{"350100", "350200", "350300", "350400", "350500", "350600", "350700", "350800", "350900"}; !slices.Equal(cities, want) {
		t.Errorf("children of 350000 = %v", cities)
	}
	fz := RegionChildren("350100")
	if len(fz) != 13 || !slices.Contains(fz, "350128") || !slices.Contains(fz, "350181") || !slices.IsSorted(fz) {
		t.Errorf("children of 350100 = %v", fz)
	}
	for _, none := range []string{"350102", "110000", "350199", ""} {
		if c := RegionChildren(none); c != nil {
			t.Errorf("children of %q = %v, want none", none, c)
		}
	}
	for _, tc := range []struct {
		name        string
		code, scope string
		want        bool
	}{
		{"within/county in city", "350102", "350100", true},
		{"within/county in province", "350102", "350000", true},
		{"within/itself", "350102", "350102", true},
		{"within/former code where it lay", "350402", "350400", true},
		{"within/elsewhere in its province", "110101", "110000", true},
		{"outside/other city", "350203", "350100", false},
		{"outside/other county", "350103", "350102", false},
		{"outside/other province", "110101", "350000", false},
		{"outside/unknown code", "350199", "350000", false},
		{"outside/unknown scope", "350102", "350101", false},
		{"outside/scope below province elsewhere", "110101", "110100", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RegionWithin(tc.code, tc.scope); got != tc.want {
				t.Fatalf("RegionWithin(%q, %q) = %v", tc.code, tc.scope, got)
			}
		})
	}
}

func TestParseRegion(t *testing.T) {
	cnRunT(t, ParseRegion, []cnCaseT{
		{name: "accept/county", in: "350102", want: "urn:zhuisu:code:cn.region:350102"},
		{name: "accept/city", in: "350200", want: "urn:zhuisu:code:cn.region:350200"},
		{name: "accept/province", in: "350000", want: "urn:zhuisu:code:cn.region:350000"},
		{name: "accept/other province at province level", in: "440300", want: "urn:zhuisu:code:cn.region:440300"},
		{name: "reject/abolished Fujian code names its successor", in: "350402", err: []string{"350402, 福建省三明市梅列区, was abolished in 2021", "350404"}},
		{name: "reject/abolished 长乐市", in: "350182", err: []string{"abolished in 2017", "350112"}},
		{name: "reject/unknown Fujian code", in: "350199", err: []string{"region code 350199 is not an administrative division of Fujian"}},
		{name: "reject/old 市辖区 code", in: "350101", err: []string{"not an administrative division of Fujian"}},
		{name: "reject/unknown province", in: "990000", err: []string{"province code 99 does not exist"}},
		{name: "reject/city part 00", in: "110001", err: []string{"city part 00 with county part 01"}},
		{name: "reject/wrong length", in: "35010", err: []string{"should be 6 digits, got 5 characters"}},
		{name: "reject/wrong charset", in: "35O102", err: []string{"character 'O' at position 3 is not a digit"}},
	})
	c, err := ParseRegion("350128")
	if err != nil {
		t.Fatal(err)
	}
	if v, m := cnPartT(t, c, "county"); v != "28" || m != "平潭县" {
		t.Errorf("county part %q %q", v, m)
	}
	c, _ = ParseRegion("110101")
	if _, m := cnPartT(t, c, "county"); !strings.Contains(m, "not checked") {
		t.Errorf("a county outside Fujian should say it was not checked: %q", m)
	}
}

// Every Fujian code abolished since 2003 is rejected by ParseRegion with its successor
// named, and accepted, marked as abolished, where a code keeps the region it was issued in.
func TestFormerFujianCodes(t *testing.T) {
	former := map[string]string{
		"350202": "350203", "350204": "350203", "350784": "350703", "350822": "350803", "350182": "350112",
		"350402": "350404", "350403": "350404", "350427": "350405", "350681": "350604", "350625": "350605",
	}
	if len(cnFormerFujian) != len(former) {
		t.Errorf("%d former codes shipped, %d expected", len(cnFormerFujian), len(former))
	}
	for old, succ := range former {
		t.Run("former/"+old, func(t *testing.T) {
			_, err := ParseRegion(old)
			cnWantErrT(t, err, "region code "+old+", ", "was abolished", "now in "+succ)
			c, err := ParseEarTag("1" + old + "00000001")
			if err != nil {
				t.Fatal(err)
			}
			if _, m := cnPartT(t, c, "region"); !strings.Contains(m, "撤销") || !strings.Contains(m, succ) {
				t.Fatalf("ear tag region meaning %q", m)
			}
			if _, err := ParseUSCC(cnUSCCT("92" + old + "MA2YQ7K1")); err != nil {
				t.Fatal(err)
			}
			if _, err := ParsePlatformCode(cnPlatformT("ZS" + old + "M000100Y40001")); err == nil {
				t.Fatal("a new platform code accepted a former region")
			}
			if !RegionWithin(old, succ[:4]+"00") {
				t.Fatalf("%s not within %s00", old, succ[:4])
			}
		})
	}
}
