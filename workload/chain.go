package workload

import (
	"fmt"
	"strconv"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
)

// A supply chain of the plan's agri-food sector, farm to table: a farm harvests a lot, a
// processor turns the lot into packed, serialised items, packs them on a pallet (SSCC)
// and ships it to a wholesale market, which unpacks it and ships the items on to a
// supermarket and a canteen; the supermarket sells some. Each story is about a dozen
// events with aggregation, transformation, transfers and certificates.

// Party is one enterprise of the generated chain.
type Party struct {
	Name    string // 福州市鼓楼区绿源农场
	Role    string // farm, processor, wholesaler, supermarket, canteen
	Region  string // GB/T 2260
	Company string // GS1 company prefix
}

// Parties are the enterprises the chain generator uses (fictional, well-formed codes).
var Parties = []Party{
	{"安溪县铁观音茶园合作社", "farm", "350524", "6901234"},
	{"古田县银耳种植基地", "farm", "350922", "6923456"},
	{"闽侯县生猪养殖场", "farm", "350121", "6934567"},
	{"福州海峡食品加工厂", "processor", "350102", "6945678"},
	{"福州海峡农副产品批发市场", "wholesaler", "350104", "6956789"},
	{"厦门永辉超市湖里店", "supermarket", "350206", "6967890"},
	{"泉州市第一中学食堂", "canteen", "350503", "6978901"},
	{"闽侯县定点生猪屠宰场", "slaughterhouse", "350121", "6989012"},
	{"连江县黄岐渔港", "fishing port", "350122", "6990123"},
	{"福州马尾水产品加工厂", "processor", "350105", "6901235"},
	{"福建闽海制药有限公司", "drug maker", "350111", "6912346"},
	{"福州鹭燕医药配送中心", "drug distributor", "350104", "6923457"},
	{"福州市鼓楼区百信大药房", "pharmacy", "350102", "6934568"},
	{"福建医科大学附属协和医院", "hospital", "350102", "6945679"},
}

// profile is one sector's cast for a story: where goods come from, who makes them into
// units, who distributes them, the two outlets, the product, and the step of the sale.
type profile struct {
	source, maker, distributor, outlet1, outlet2 int // indexes into Parties
	raw, product, unit                           string
	sale                                         string // CBV business step of the sale
}

// profiles by sector. Stories cycle through them by number (see Story): farms of tea,
// edible fungi and pigs (through a slaughterhouse), a fishing port, and drugs from the
// maker through a distributor to a pharmacy and a hospital.
var (
	farmProfiles = []profile{
		{0, 3, 4, 5, 6, "茶青", "安溪铁观音", "KGM", "retail_selling"},
		{1, 3, 4, 5, 6, "鲜银耳", "古田银耳", "KGM", "retail_selling"},
		{2, 7, 4, 5, 6, "生猪", "冷鲜猪肉", "KGM", "retail_selling"},
	}
	aquaticProfile = profile{8, 9, 4, 5, 6, "大黄鱼(鲜)", "宁德大黄鱼", "KGM", "retail_selling"}
	drugProfile    = profile{10, 10, 11, 12, 13, "原料药", "阿莫西林胶囊", "KGM", "dispensing"}
)

func partyURI(p Party) string { return "https://id.gs1.org/417/" + GLN(p.Company, 0) }
func placeURI(p Party) string { return "https://id.gs1.org/414/" + GLN(p.Company, 1) }
func sscc(company string, n int) string {
	body := "3" + company + fmt.Sprintf("%0*d", 16-len(company), n)
	return "https://id.gs1.org/00/" + body + string(checkDigit(body))
}

// Story returns the next farm-to-table story: its events in time order. Every seventh
// story from the fifth is a fishing port's and every seventh from the sixth a drug maker's;
// the others are a farm's, chosen at random.
func (g *Generator) Story() []*epcis.Event {
	r := g.rng
	g.n++
	story := g.n
	// Every story draws the same numbers whatever its sector, so the farm stories stay the
	// same from one version of the generator to the next.
	pr := farmProfiles[r.IntN(3)]
	_ = products[r.IntN(len(products))]
	switch story % 7 {
	case 5:
		pr = aquaticProfile
	case 6:
		pr = drugProfile
	}
	farm, proc, whole, shop, canteen := Parties[pr.source], Parties[pr.maker], Parties[pr.distributor], Parties[pr.outlet1], Parties[pr.outlet2]
	product := pr.product
	lotCode := fmt.Sprintf("L%s%04d", g.start.Format("0601"), story%10000)
	rawGTIN := GTIN(farm.Company, 100+story%800)
	rawLot := "https://id.gs1.org/01/" + rawGTIN + "/10/" + lotCode
	itemGTIN := GTIN(proc.Company, 200+r.IntN(50))
	at := g.start.Add(time.Duration(story) * 6 * time.Hour)
	step := func(h int) time.Time { return at.Add(time.Duration(h) * time.Hour) }
	base := func(t time.Time, where Party, bizStep string) *epcis.Event {
		return &epcis.Event{Type: epcis.ObjectEvent, EventTime: t, EventTimeZoneOffset: "+08:00", Action: epcis.ActionObserve,
			BizStep: bizStep, ReadPoint: &epcis.Location{ID: placeURI(where)}, BizLocation: &epcis.Location{ID: placeURI(where)}}
	}
	ext := func(local, value string) epcis.Node {
		return epcis.Node{Space: ns, Prefix: "zs", Local: local, Value: value}
	}
	kg := float64(200 + r.IntN(800))
	var out []*epcis.Event

	harvest := base(step(0), farm, "commissioning")
	harvest.Action, harvest.Disposition = epcis.ActionAdd, "active"
	harvest.QuantityList = []epcis.QuantityElement{{EPCClass: rawLot, Quantity: &kg, UOM: "KGM"}}
	ilmd := epcis.Extensions{ext("lot", lotCode), ext("productName", pr.raw), ext("originRegion", farm.Region), ext("producer", farm.Name)}
	harvest.ILMD = &ilmd
	harvest.CertificationInfo = []string{fmt.Sprintf("https://cert.example.gov.cn/hegezheng/%s-%06d", farm.Region, story)}
	out = append(out, harvest)

	ship1 := base(step(6), farm, "shipping")
	ship1.Disposition = "in_transit"
	ship1.QuantityList = []epcis.QuantityElement{{EPCClass: rawLot, Quantity: &kg, UOM: "KGM"}}
	ship1.SourceList = []epcis.SourceDest{{Type: "owning_party", Value: partyURI(farm)}}
	ship1.DestinationList = []epcis.SourceDest{{Type: "owning_party", Value: partyURI(proc)}}
	ship1.BizTransactionList = []epcis.BizTransaction{{Type: "po", Value: fmt.Sprintf("urn:epcglobal:cbv:bt:%s:PO%d-%d", GLN(proc.Company, 0), g.Run, story)}}
	if pr.source != pr.maker { // a drug maker makes its own active ingredient into units
		out = append(out, ship1)
	}

	n := 6 + r.IntN(6)
	var items []string
	for i := range n {
		items = append(items, fmt.Sprintf("https://id.gs1.org/01/%s/21/%d%05d", itemGTIN, g.Run, story*100+i))
	}
	process := &epcis.Event{Type: epcis.TransformationEvent, EventTime: step(24), EventTimeZoneOffset: "+08:00",
		BizStep: "commissioning", Disposition: "active", ReadPoint: &epcis.Location{ID: placeURI(proc)}, BizLocation: &epcis.Location{ID: placeURI(proc)},
		InputQuantityList: []epcis.QuantityElement{{EPCClass: rawLot, Quantity: &kg, UOM: "KGM"}},
		OutputEPCList:     items,
		TransformationID:  fmt.Sprintf("urn:uuid:5a1b0000-0000-4000-8000-%012d", g.Run*1000000+story),
	}
	pilmd := epcis.Extensions{ext("lot", lotCode), ext("productName", product+"(精包装)"), ext("processor", proc.Name),
		ext("bestBefore", step(24).AddDate(0, 9, 0).Format("2006-01-02"))}
	process.ILMD = &pilmd
	process.CertificationInfo = []string{fmt.Sprintf("https://cert.example.gov.cn/inspection/%s-%06d", proc.Region, story)}
	out = append(out, process)

	pallet := sscc(proc.Company, g.Run*1000000+story)
	pack := &epcis.Event{Type: epcis.AggregationEvent, EventTime: step(26), EventTimeZoneOffset: "+08:00", Action: epcis.ActionAdd,
		BizStep: "packing", Disposition: "container_closed", ParentID: pallet, ChildEPCs: items,
		ReadPoint: &epcis.Location{ID: placeURI(proc)}, BizLocation: &epcis.Location{ID: placeURI(proc)}}
	out = append(out, pack)

	ship2 := base(step(30), proc, "shipping")
	ship2.Disposition = "in_transit"
	ship2.EPCList = []string{pallet}
	ship2.SourceList = []epcis.SourceDest{{Type: "owning_party", Value: partyURI(proc)}, {Type: "location", Value: placeURI(proc)}}
	ship2.DestinationList = []epcis.SourceDest{{Type: "owning_party", Value: partyURI(whole)}, {Type: "location", Value: placeURI(whole)}}
	ship2.BizTransactionList = []epcis.BizTransaction{{Type: "desadv", Value: fmt.Sprintf("urn:epcglobal:cbv:bt:%s:DA%d-%d", GLN(proc.Company, 0), g.Run, story)}}
	out = append(out, ship2)

	recv := base(step(36), whole, "receiving")
	recv.Disposition = "in_progress"
	recv.EPCList = []string{pallet}
	out = append(out, recv)

	unpack := &epcis.Event{Type: epcis.AggregationEvent, EventTime: step(37), EventTimeZoneOffset: "+08:00", Action: epcis.ActionDelete,
		BizStep: "unpacking", ParentID: pallet, ChildEPCs: items,
		ReadPoint: &epcis.Location{ID: placeURI(whole)}, BizLocation: &epcis.Location{ID: placeURI(whole)}}
	out = append(out, unpack)

	half := len(items) / 2
	for i, dest := range []Party{shop, canteen} {
		part := items[:half]
		if i == 1 {
			part = items[half:]
		}
		s := base(step(40+i), whole, "shipping")
		s.Disposition = "in_transit"
		s.EPCList = part
		s.SourceList = []epcis.SourceDest{{Type: "owning_party", Value: partyURI(whole)}}
		s.DestinationList = []epcis.SourceDest{{Type: "owning_party", Value: partyURI(dest)}, {Type: "location", Value: placeURI(dest)}}
		s.Extensions = epcis.Extensions{ext("marketTicket", "MT"+strconv.Itoa(g.Run)+"-"+strconv.Itoa(story*10+i))}
		out = append(out, s)
	}
	sold := base(step(60), shop, pr.sale)
	sold.Disposition = "retail_sold"
	sold.EPCList = items[:1]
	out = append(out, sold)
	return out
}

// StoryDocument returns a document of whole stories holding at least n events.
func (g *Generator) StoryDocument(n int) *epcis.Document {
	d := &epcis.Document{SchemaVersion: "2.0", CreationDate: g.start}
	for len(d.Events) < n {
		d.Events = append(d.Events, g.Story()...)
	}
	return d
}

// LinkedBatch returns the next batch of a continuous production line, whose lots chain
// into each other: the processor makes each batch's lot from the previous batch's lot (a
// broth, a mother culture, a blend) and a farm's raw lot, commissions six serialised
// items of it, packs them in two cases on a pallet, ships the pallet to the wholesale
// market, which unpacks it and ships one case on to a supermarket. Traces over these
// batches go as deep as they are asked to, unlike the stories.
func (g *Generator) LinkedBatch() []*epcis.Event {
	r := g.rng
	g.n++
	b := g.n
	farm := Parties[r.IntN(3)]
	proc, whole, shop := Parties[3], Parties[4], Parties[5]
	gtin := GTIN(proc.Company, 300+b%50)
	lotOf := func(b int) string {
		return fmt.Sprintf("https://id.gs1.org/01/%s/10/B%d-%d", GTIN(proc.Company, 300+b%50), g.Run, b)
	}
	rawLot := fmt.Sprintf("https://id.gs1.org/01/%s/10/R%d-%d", GTIN(farm.Company, 100+b%800), g.Run, b)
	at := g.start.Add(time.Duration(b) * 10 * time.Minute)
	step := func(m int) time.Time { return at.Add(time.Duration(m) * time.Minute) }
	where := func(e *epcis.Event, p Party) *epcis.Event {
		e.EventTimeZoneOffset = "+08:00"
		e.ReadPoint, e.BizLocation = &epcis.Location{ID: placeURI(p)}, &epcis.Location{ID: placeURI(p)}
		return e
	}
	kg := float64(50 + r.IntN(100))
	var items []string
	for i := range 6 {
		items = append(items, fmt.Sprintf("https://id.gs1.org/01/%s/21/%d%07d", gtin, g.Run, b*6+i))
	}
	cases := []string{sscc(proc.Company, 2*(g.Run*10000000+b)), sscc(proc.Company, 2*(g.Run*10000000+b)+1)}
	pallet := sscc(whole.Company, g.Run*10000000+b)
	lotNo := fmt.Sprintf("B%d-%d", g.Run, b)
	ilmd := epcis.Extensions{{Space: ns, Prefix: "zs", Local: "lot", Value: lotNo}}
	ship := func(t time.Time, from, to Party, epcs ...string) *epcis.Event {
		return where(&epcis.Event{Type: epcis.ObjectEvent, Action: epcis.ActionObserve, EventTime: t, BizStep: "shipping", Disposition: "in_transit",
			EPCList:         epcs,
			SourceList:      []epcis.SourceDest{{Type: "owning_party", Value: partyURI(from)}},
			DestinationList: []epcis.SourceDest{{Type: "owning_party", Value: partyURI(to)}}}, from)
	}
	return []*epcis.Event{
		where(&epcis.Event{Type: epcis.TransformationEvent, EventTime: step(0), BizStep: "commissioning",
			InputQuantityList:  []epcis.QuantityElement{{EPCClass: lotOf(b - 1), Quantity: &kg, UOM: "KGM"}, {EPCClass: rawLot, Quantity: &kg, UOM: "KGM"}},
			OutputQuantityList: []epcis.QuantityElement{{EPCClass: lotOf(b), Quantity: &kg, UOM: "KGM"}}}, proc),
		where(&epcis.Event{Type: epcis.ObjectEvent, Action: epcis.ActionAdd, EventTime: step(1), BizStep: "commissioning", EPCList: items, ILMD: &ilmd}, proc),
		where(&epcis.Event{Type: epcis.AggregationEvent, Action: epcis.ActionAdd, EventTime: step(2), BizStep: "packing", ParentID: cases[0], ChildEPCs: items[:3]}, proc),
		where(&epcis.Event{Type: epcis.AggregationEvent, Action: epcis.ActionAdd, EventTime: step(2), BizStep: "packing", ParentID: cases[1], ChildEPCs: items[3:]}, proc),
		where(&epcis.Event{Type: epcis.AggregationEvent, Action: epcis.ActionAdd, EventTime: step(3), BizStep: "packing", ParentID: pallet, ChildEPCs: cases}, proc),
		ship(step(4), proc, whole, pallet),
		where(&epcis.Event{Type: epcis.AggregationEvent, Action: epcis.ActionDelete, EventTime: step(300), BizStep: "unpacking", ParentID: pallet}, whole),
		ship(step(360), whole, shop, cases[0]),
	}
}

// LinkedDocument returns a document of whole linked batches holding at least n events.
func (g *Generator) LinkedDocument(n int) *epcis.Document {
	d := &epcis.Document{SchemaVersion: "2.0", CreationDate: g.start}
	for len(d.Events) < n {
		d.Events = append(d.Events, g.LinkedBatch()...)
	}
	return d
}
