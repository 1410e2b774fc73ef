package catalogue

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// wantMandatory is the documented mandatory set (package doc, 强制追溯).
var wantMandatory = []string{
	"drug.medicine",
	"equip.elevator", "equip.gas-cylinder",
	"food.infant-formula",
	"haz.civil-explosives", "haz.explosive-precursors", "haz.fireworks", "haz.toxic-chemicals",
	"input.pesticide", "input.vet-drug",
}

func TestEveryClassHasKnownDepartmentAndSector(t *testing.T) {
	depts := map[string]bool{}
	for _, d := range Departments() {
		depts[d.ID] = true
	}
	sectors := map[string]bool{}
	for _, s := range Sectors() {
		sectors[s] = true
	}
	for _, c := range Default() {
		if !depts[c.Department] {
			t.Errorf("%s: unknown lead department %q", c.ID, c.Department)
		}
		if !sectors[c.Sector] {
			t.Errorf("%s: unknown sector %q", c.ID, c.Sector)
		}
		if c.Profile != c.Sector {
			t.Errorf("%s: profile %q, sector %q", c.ID, c.Profile, c.Sector)
		}
		if c.Name == "" || c.NameEN == "" || !strings.HasPrefix(c.Clause, "三(") {
			t.Errorf("%s: incomplete %+v", c.ID, c)
		}
	}
}

func TestIDsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Default() {
		if c.ID == "" || seen[c.ID] {
			t.Errorf("empty or duplicate class id %q", c.ID)
		}
		seen[c.ID] = true
	}
	dseen := map[string]bool{}
	for _, d := range append(Departments(), Supporting()...) {
		if d.ID == "" || d.Name == "" || d.NameEN == "" || dseen[d.ID] {
			t.Errorf("bad or duplicate department %+v", d)
		}
		dseen[d.ID] = true
	}
	if len(dseen) != 11 {
		t.Errorf("%d departments, want 11", len(dseen))
	}
}

func TestEveryDepartmentHasAClass(t *testing.T) {
	for _, d := range Departments() {
		if len(ByDepartment(d.ID)) == 0 {
			t.Errorf("department %s leads no class", d.ID)
		}
	}
	for _, d := range Supporting() {
		if n := len(ByDepartment(d.ID)); n != 0 {
			t.Errorf("supporting department %s leads %d classes", d.ID, n)
		}
	}
}

func TestEverySectorHasAClass(t *testing.T) {
	n := map[string]int{}
	for _, c := range Default() {
		n[c.Sector]++
	}
	for _, s := range Sectors() {
		if n[s] == 0 {
			t.Errorf("sector %s has no class", s)
		}
	}
}

func TestPlanClassesPresent(t *testing.T) {
	// Every product the plan names in 三(二)–三(七).
	names := []string{"肉类", "蔬菜", "水果", "食用菌", "禽蛋", "茶叶", "家畜", "家禽", "中药材", "水产品",
		"婴幼儿配方食品", "肉制品", "乳制品", "食用植物油", "酒类", "药品", "农药", "兽药", "电梯", "气瓶",
		"民用爆炸物品", "烟花爆竹", "易制爆危险化学品", "剧毒化学品", "稀土矿产品", "稀土冶炼分离产品"}
	have := map[string]bool{}
	for _, c := range Default() {
		have[c.Name] = true
	}
	for _, n := range names {
		if !have[n] {
			t.Errorf("plan class %s missing", n)
		}
	}
	if len(Default()) != len(names) {
		t.Errorf("%d classes, want %d", len(Default()), len(names))
	}
}

func TestMandatorySetIsDocumented(t *testing.T) {
	if got := Mandatory(); !reflect.DeepEqual(got, wantMandatory) {
		t.Errorf("mandatory = %v, want %v", got, wantMandatory)
	}
	for _, c := range Default() {
		high := c.Sector == SectorDrugs || c.Sector == SectorAgriInputs ||
			c.Sector == SectorSpecialEquipment || c.Sector == SectorHazardous || c.ID == "food.infant-formula"
		if c.Mandatory != high {
			t.Errorf("%s: mandatory %v", c.ID, c.Mandatory)
		}
	}
}

func TestLookupAndByDepartmentConsistent(t *testing.T) {
	total := 0
	for _, d := range append(Departments(), Supporting()...) {
		if got, ok := DepartmentByID(d.ID); !ok || got != d {
			t.Errorf("DepartmentByID(%s) = %+v, %v", d.ID, got, ok)
		}
		for _, c := range ByDepartment(d.ID) {
			total++
			if c.Department != d.ID {
				t.Errorf("ByDepartment(%s) returned %s of %s", d.ID, c.ID, c.Department)
			}
			if got, ok := Lookup(c.ID); !ok || got != c {
				t.Errorf("Lookup(%s) = %+v, %v; ByDepartment has %+v", c.ID, got, ok, c)
			}
		}
	}
	if total != len(Default()) {
		t.Errorf("ByDepartment covers %d classes, Default has %d", total, len(Default()))
	}
	if _, ok := Lookup("agri.nope"); ok {
		t.Error("Lookup of unknown id succeeded")
	}
	if ByDepartment("nope") != nil {
		t.Error("ByDepartment of unknown department not nil")
	}
	if _, ok := DepartmentByID("nope"); ok {
		t.Error("DepartmentByID of unknown id succeeded")
	}
}

func TestCopies(t *testing.T) {
	d := Default()
	d[0].Department = "x"
	if c, _ := Lookup(d[0].ID); c.Department == "x" {
		t.Error("Default returned shared storage")
	}
	deps := Departments()
	deps[0].ID = "x"
	if Departments()[0].ID == "x" {
		t.Error("Departments returned shared storage")
	}
	if !sort.StringsAreSorted(Mandatory()) {
		t.Error("Mandatory not sorted")
	}
}
