// Package workload generates realistic, deterministic EPCIS events for benchmarks and
// demonstrations: Fujian farms, processors, markets and shops moving GS1-coded goods.
// The same seed always gives the same events.
package workload

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
)

// Generator produces events from a seed.
type Generator struct {
	rng   *rand.Rand
	start time.Time
	n     int
	// Run distinguishes generators with the same seed so that separate runs against one
	// store do not produce duplicates.
	Run int
}

// New returns a generator for seed.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), start: time.Date(2026, 3, 1, 6, 0, 0, 0, time.FixedZone("CST", 8*3600))}
}

// Company prefixes and locations of the synthetic supply chain (fictional companies with
// well-formed GS1 keys under the Chinese 690–699 prefix range).
var (
	companies = []string{"6901234", "6923456", "6934567", "6945678", "6956789", "6967890"}
	regions   = []string{"350102", "350203", "350503", "350582", "350602", "350702", "350802", "350902", "350128"}
	bizSteps  = []string{"commissioning", "packing", "shipping", "receiving", "storing", "retail_selling", "inspecting"}
	dispos    = []string{"active", "in_transit", "in_progress", "sellable_accessible", "retail_sold"}
	products  = []string{"福建红茶", "平潭海带", "安溪铁观音", "福州鱼丸", "古田银耳", "漳州芦柑", "宁德大黄鱼"}
)

// checkDigit computes the GS1 mod-10 check digit of digits.
func checkDigit(digits string) byte {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// GTIN returns a valid GTIN-14 for a company and item reference.
func GTIN(company string, item int) string {
	body := "0" + company + fmt.Sprintf("%0*d", 12-len(company), item)
	return body + string(checkDigit(body))
}

// GLN returns a valid GLN for a company and location reference.
func GLN(company string, loc int) string {
	body := company + fmt.Sprintf("%0*d", 12-len(company), loc)
	return body + string(checkDigit(body))
}

// ns is the namespace of the platform's own extension fields in generated events.
const ns = "https://zhuisu.example/ns/"

// Event returns the next event: an object event of 1–1.5 KB in its JSON-LD form.
func (g *Generator) Event() *epcis.Event {
	g.n++
	r := g.rng
	co := companies[r.IntN(len(companies))]
	item := 100 + r.IntN(900)
	gtin := GTIN(co, item)
	lot := "L" + g.start.Format("060102") + strconv.Itoa(r.IntN(1000))
	from, to := companies[r.IntN(len(companies))], companies[r.IntN(len(companies))]
	at := g.start.Add(time.Duration(g.n) * time.Second)
	e := &epcis.Event{
		Type:                epcis.ObjectEvent,
		EventTime:           at,
		EventTimeZoneOffset: "+08:00",
		Action:              epcis.ActionObserve,
		BizStep:             bizSteps[r.IntN(len(bizSteps))],
		Disposition:         dispos[r.IntN(len(dispos))],
		ReadPoint:           &epcis.Location{ID: "https://id.gs1.org/414/" + GLN(from, 1+r.IntN(40))},
		BizLocation:         &epcis.Location{ID: "https://id.gs1.org/414/" + GLN(from, 1+r.IntN(40))},
		BizTransactionList: []epcis.BizTransaction{
			{Type: "po", Value: fmt.Sprintf("urn:epcglobal:cbv:bt:%s:PO%d-%d", GLN(to, 0), g.Run, g.n)},
			{Type: "desadv", Value: fmt.Sprintf("urn:epcglobal:cbv:bt:%s:DA%d-%d", GLN(from, 0), g.Run, g.n)},
		},
		SourceList: []epcis.SourceDest{
			{Type: "owning_party", Value: "https://id.gs1.org/417/" + GLN(from, 0)},
			{Type: "location", Value: "https://id.gs1.org/414/" + GLN(from, 1+r.IntN(40))},
		},
		DestinationList: []epcis.SourceDest{
			{Type: "owning_party", Value: "https://id.gs1.org/417/" + GLN(to, 0)},
			{Type: "location", Value: "https://id.gs1.org/414/" + GLN(to, 1+r.IntN(40))},
		},
	}
	for range 3 + r.IntN(3) {
		e.EPCList = append(e.EPCList, fmt.Sprintf("https://id.gs1.org/01/%s/21/%d%06d", gtin, g.Run, r.IntN(1000000)))
	}
	region := regions[r.IntN(len(regions))]
	lotData := epcis.Extensions{
		{Space: ns, Prefix: "zs", Local: "lot", Value: lot},
		{Space: ns, Prefix: "zs", Local: "productName", Value: products[r.IntN(len(products))]},
		{Space: ns, Prefix: "zs", Local: "originRegion", Value: region},
		{Space: ns, Prefix: "zs", Local: "bestBefore", Value: at.AddDate(0, 6, 0).Format("2006-01-02")},
		{Space: ns, Prefix: "zs", Local: "netWeightKg", Kind: epcis.KindNumber, Value: strconv.FormatFloat(float64(r.IntN(5000))/100, 'f', -1, 64)},
	}
	inspection := epcis.Node{Space: ns, Prefix: "zs", Local: "inspection", Kind: epcis.KindObject, Children: []epcis.Node{
		{Space: ns, Prefix: "zs", Local: "certificate", Value: fmt.Sprintf("QC-%s-%08d", region, r.IntN(100000000))},
		{Space: ns, Prefix: "zs", Local: "result", Value: "合格"},
	}}
	if e.BizStep == "commissioning" {
		// Goods come into being: instance/lot master data travels in ILMD.
		e.Action = epcis.ActionAdd
		e.ILMD = &lotData
		e.Extensions = epcis.Extensions{inspection}
	} else {
		e.Extensions = append(epcis.Extensions{inspection}, lotData...)
	}
	return e
}

// Document returns a document of n events.
func (g *Generator) Document(n int) *epcis.Document {
	d := &epcis.Document{SchemaVersion: "2.0", CreationDate: g.start, Events: make([]*epcis.Event, n)}
	for i := range d.Events {
		d.Events[i] = g.Event()
	}
	return d
}
