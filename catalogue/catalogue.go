// Package catalogue holds the departments of the Fujian plan for important-product
// traceability (《福建省加快推进重要产品追溯体系建设实施方案》, Provincial Government
// Office, 7 May 2016, implementing 国办发〔2015〕95号) and each department's
// default catalogue of important products (重要产品名录, plan 三(一) and 四(一)).
//
// It is pure data: no I/O, no network, no database. Callers get copies, so the defaults
// cannot be changed by accident.
//
// # Department of each class
//
// The plan names several responsible units (责任单位) per clause; a class here has exactly
// one lead department, chosen from the clause's list and the law the plan cites. "Clause"
// is the plan's 三、重点任务 sub-clause the class comes from.
//
//	class                         clause  lead        why
//	肉类 meat, 蔬菜 vegetables      三(二)  commerce    商务厅 runs the 肉菜流通追溯 (meat and vegetable circulation) system; listed in 三(二)
//	水果 食用菌 禽蛋 茶叶 家畜 家禽   三(二)  agriculture 农业厅 is first in 三(二) and runs the 省农产品质量安全追溯管理信息平台 (农产品质量安全法)
//	中药材 Chinese medicinal herbs  三(二)  agriculture listed among 食用农产品 in 三(二); growing is 农业厅's (食药监 takes over once processed into 饮片)
//	水产品 aquatic products          三(二)  fisheries   海洋渔业厅 is listed in 三(二) and supervises aquaculture and catch
//	婴幼儿配方食品 肉制品 乳制品       三(三)  drugs       食品药品监管局 leads 三(三); the clause targets 生产企业 under 食品安全法
//	食用植物油 酒类                  三(三)  drugs       same clause and law
//	药品 drugs                      三(四)  drugs       食品药品监管局 leads 三(四) (药品管理法, 省药品电子监管系统)
//	农药 pesticides, 兽药 vet drugs   三(五)  agriculture 农业厅 leads 三(五) (农药管理条例, 兽药管理条例)
//	电梯 elevators, 气瓶 gas cylinders 三(六) quality     质监局 leads 三(六) (特种设备安全法, 安全技术档案)
//	民用爆炸物品 civil explosives     三(六)  industry    经信委 is the 民爆行业主管部门 for production and sale (民用爆炸物品安全管理条例)
//	烟花爆竹 fireworks               三(六)  emergency   安监局 licenses their production and sale (烟花爆竹安全管理条例)
//	易制爆危险化学品 explosive precursors 三(六) police  公安厅 registers their flow (易制爆危险化学品治安管理办法)
//	剧毒化学品 highly toxic chemicals 三(六)  police      公安厅 issues purchase and road-transport permits (危险化学品安全管理条例)
//	稀土矿产品 rare-earth ore         三(七)  resources   国土厅 controls mining (矿产资源法, 开采 stage)
//	稀土冶炼分离产品 separated products 三(七) industry  经信委 controls smelting/separation quotas, trade and export ledgers
//
// Two units of the plan lead no class and so are not in [Departments]: 工商局 ("market",
// co-responsible for 三(五) dealer registration, 统一经营登记) and 福建/厦门检验检疫局
// ("customs", co-responsible for import/export in 三(二)(三)(七)). [Supporting] lists
// them and [DepartmentByID] knows all eleven ids.
//
// # Mandatory classes (强制追溯)
//
// 三(一) allows mandatory traceability, by law, for products with 安全风险隐患大、社会反映强烈
// (high risk, strong public concern). The mandatory set is exactly:
//
//	婴幼儿配方食品 infant formula   三(一)+三(三); 食品安全法 §42 and §81 (特殊食品, strict control)
//	药品 drugs                    三(一)+三(四); "全品种、全过程" — every drug, every step
//	农药 pesticides, 兽药 vet drugs 三(一)+三(五); 实名购销 for restricted products, 购销用全过程流向
//	电梯, 气瓶                     三(一)+三(六); 特种设备安全法 安全技术档案 for each unit
//	民爆, 烟花爆竹, 易制爆, 剧毒     三(一)+三(六); 生产…销毁全过程, every unit accounted for
//
// Everything else is voluntary (推动, 支持, 鼓励 in the plan) until a department says otherwise.
package catalogue

import "sort"

// Sectors, which are also the sector profile ids (Profile).
const (
	SectorAgriFood         = "agri-food"
	SectorFood             = "food"
	SectorDrugs            = "drugs"
	SectorAgriInputs       = "agri-inputs"
	SectorSpecialEquipment = "special-equipment"
	SectorHazardous        = "hazardous"
	SectorRareEarth        = "rare-earth"
)

// Sectors returns the sector ids in plan order (三(二) to 三(七)).
func Sectors() []string {
	return []string{SectorAgriFood, SectorFood, SectorDrugs, SectorAgriInputs,
		SectorSpecialEquipment, SectorHazardous, SectorRareEarth}
}

// Department is one provincial department of the plan (named as in 2016).
type Department struct {
	ID     string // "commerce", "agriculture", "fisheries", "drugs", "market", "quality", "emergency", "police", "industry", "resources", "customs"
	Name   string // Chinese, e.g. 商务厅
	NameEN string
}

// ProductClass is one entry of a department's catalogue of important products.
type ProductClass struct {
	ID         string // stable, e.g. "agri.meat"
	Name       string // Chinese
	NameEN     string
	Department string // Department.ID of the lead department
	Sector     string // one of Sectors()
	Mandatory  bool   // 强制追溯 for high-risk goods
	Profile    string // the sector profile id that applies (the sector id)
	Clause     string // the plan's clause, e.g. "三(二)"
}

var departments = []Department{
	{"commerce", "商务厅", "Department of Commerce"},
	{"agriculture", "农业厅", "Department of Agriculture"},
	{"fisheries", "海洋与渔业厅", "Department of Ocean and Fisheries"},
	{"drugs", "食品药品监督管理局", "Food and Drug Administration"},
	{"quality", "质量技术监督局", "Bureau of Quality and Technical Supervision"},
	{"emergency", "安全生产监督管理局", "Administration of Work Safety"},
	{"police", "公安厅", "Public Security Department"},
	{"industry", "经济和信息化委员会", "Economic and Information Technology Commission"},
	{"resources", "国土资源厅", "Department of Land and Resources"},
}

var supporting = []Department{
	{"market", "工商行政管理局", "Administration for Industry and Commerce"},
	{"customs", "出入境检验检疫局", "Entry-Exit Inspection and Quarantine Bureau"},
}

func class(id, name, en, dept, sector, clause string, mandatory bool) ProductClass {
	return ProductClass{ID: id, Name: name, NameEN: en, Department: dept, Sector: sector,
		Mandatory: mandatory, Profile: sector, Clause: clause}
}

var defaults = []ProductClass{
	// 三(二) 食用农产品: voluntary ("支持各地开展").
	class("agri.meat", "肉类", "Meat", "commerce", SectorAgriFood, "三(二)", false),
	class("agri.vegetables", "蔬菜", "Vegetables", "commerce", SectorAgriFood, "三(二)", false),
	class("agri.fruit", "水果", "Fruit", "agriculture", SectorAgriFood, "三(二)", false),
	class("agri.fungi", "食用菌", "Edible fungi", "agriculture", SectorAgriFood, "三(二)", false),
	class("agri.eggs", "禽蛋", "Eggs", "agriculture", SectorAgriFood, "三(二)", false),
	class("agri.tea", "茶叶", "Tea", "agriculture", SectorAgriFood, "三(二)", false),
	class("agri.livestock", "家畜", "Livestock", "agriculture", SectorAgriFood, "三(二)", false),
	class("agri.poultry", "家禽", "Poultry", "agriculture", SectorAgriFood, "三(二)", false),
	class("agri.herbs", "中药材", "Chinese medicinal herbs", "agriculture", SectorAgriFood, "三(二)", false),
	class("agri.aquatic", "水产品", "Aquatic products", "fisheries", SectorAgriFood, "三(二)", false),

	// 三(三) 食品. Infant formula is mandatory: 三(一) high risk, 食品安全法 §81 special food.
	class("food.infant-formula", "婴幼儿配方食品", "Infant formula", "drugs", SectorFood, "三(三)", true),
	class("food.meat-products", "肉制品", "Meat products", "drugs", SectorFood, "三(三)", false),
	class("food.dairy", "乳制品", "Dairy products", "drugs", SectorFood, "三(三)", false),
	class("food.edible-oil", "食用植物油", "Edible vegetable oil", "drugs", SectorFood, "三(三)", false),
	class("food.liquor", "酒类", "Liquor", "drugs", SectorFood, "三(三)", false),

	// 三(四) 药品: mandatory, "全品种、全过程".
	class("drug.medicine", "药品", "Drugs", "drugs", SectorDrugs, "三(四)", true),

	// 三(五) 农业生产资料: mandatory, 实名购销 and 购销用全过程流向 (restricted products above all).
	class("input.pesticide", "农药", "Pesticides", "agriculture", SectorAgriInputs, "三(五)", true),
	class("input.vet-drug", "兽药", "Veterinary drugs", "agriculture", SectorAgriInputs, "三(五)", true),

	// 三(六) 特种设备: mandatory, 特种设备安全法 安全技术档案.
	class("equip.elevator", "电梯", "Elevators", "quality", SectorSpecialEquipment, "三(六)", true),
	class("equip.gas-cylinder", "气瓶", "Gas cylinders", "quality", SectorSpecialEquipment, "三(六)", true),

	// 三(六) 危险品: mandatory, 生产、经营、储存、运输、使用和销毁全过程.
	class("haz.civil-explosives", "民用爆炸物品", "Civil explosives", "industry", SectorHazardous, "三(六)", true),
	class("haz.fireworks", "烟花爆竹", "Fireworks", "emergency", SectorHazardous, "三(六)", true),
	class("haz.explosive-precursors", "易制爆危险化学品", "Explosive-precursor chemicals", "police", SectorHazardous, "三(六)", true),
	class("haz.toxic-chemicals", "剧毒化学品", "Highly toxic chemicals", "police", SectorHazardous, "三(六)", true),

	// 三(七) 稀土: voluntary ("加快推进").
	class("rare.ore", "稀土矿产品", "Rare-earth ore products", "resources", SectorRareEarth, "三(七)", false),
	class("rare.separated", "稀土冶炼分离产品", "Rare-earth smelted and separated products", "industry", SectorRareEarth, "三(七)", false),
}

var byID = func() map[string]int {
	m := make(map[string]int, len(defaults))
	for i, c := range defaults {
		m[c.ID] = i
	}
	return m
}()

// Departments returns the departments that lead at least one class, in plan order.
func Departments() []Department { return append([]Department(nil), departments...) }

// Supporting returns the departments of the plan that are co-responsible but lead no
// class: 工商局 ("market") and 检验检疫局 ("customs").
func Supporting() []Department { return append([]Department(nil), supporting...) }

// DepartmentByID finds any of the eleven departments, leading or supporting.
func DepartmentByID(id string) (Department, bool) {
	for _, d := range departments {
		if d.ID == id {
			return d, true
		}
	}
	for _, d := range supporting {
		if d.ID == id {
			return d, true
		}
	}
	return Department{}, false
}

// Default returns every class of the plan, in plan order.
func Default() []ProductClass { return append([]ProductClass(nil), defaults...) }

// ByDepartment returns the classes led by dept, in plan order; nil if none.
func ByDepartment(dept string) []ProductClass {
	var out []ProductClass
	for _, c := range defaults {
		if c.Department == dept {
			out = append(out, c)
		}
	}
	return out
}

// Lookup finds a class by id.
func Lookup(id string) (ProductClass, bool) {
	i, ok := byID[id]
	if !ok {
		return ProductClass{}, false
	}
	return defaults[i], true
}

// Mandatory returns the ids of the mandatory (强制追溯) classes, sorted.
func Mandatory() []string {
	var out []string
	for _, c := range defaults {
		if c.Mandatory {
			out = append(out, c.ID)
		}
	}
	sort.Strings(out)
	return out
}
