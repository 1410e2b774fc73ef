package lineage

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
)

// The benchmark chain: groups of 8 events, each group one production step of a lot made
// from the previous group's lot and a raw-material lot, six serialised items commissioned
// into the lot (ILMD), packed into two cases and a pallet, the pallet shipped between two
// of 50 parties and unpacked, one case received further on.
const benchEvents = 1_000_000

type benchChain struct {
	x     *Index
	items []string // one item per group, the trace roots
	times []time.Time
	heap  uint64 // heap growth while building, bytes
}

var (
	benchOnce sync.Once
	bench     benchChain
)

func benchGroup(g int, base time.Time) []*epcis.Event {
	gtinOf := func(g int) string { return fmt.Sprintf("0695123456%03d%d", g%1000, g%10) }
	gtin := gtinOf(g)
	lotOf := func(g int) string { return fmt.Sprintf("%s/01/%s/10/L%d", refStem, gtinOf(g), g) }
	t := base.Add(time.Duration(g) * time.Minute)
	var items []string
	for i := range 6 {
		items = append(items, fmt.Sprintf("%s/01/%s/21/%d", refStem, gtin, g*6+i))
	}
	cs := []string{fmt.Sprintf("%s/00/3695123450%07d", refStem, 2*g), fmt.Sprintf("%s/00/3695123450%07d", refStem, 2*g+1)}
	pallet := fmt.Sprintf("%s/00/4695123450%07d", refStem, g)
	pty := func(n int) string { return fmt.Sprintf("%s/417/695123450%03d%d", refStem, n%50, n%10) }
	src := []epcis.SourceDest{{Type: "owning_party", Value: pty(g)}}
	dst := []epcis.SourceDest{{Type: "owning_party", Value: pty(g + 1)}}
	return []*epcis.Event{
		{Type: epcis.TransformationEvent, EventTime: t,
			InputQuantityList:  []epcis.QuantityElement{qty(lotOf(g - 1)), qty(fmt.Sprintf("%s/01/06951234560007/10/R%d", refStem, g))},
			OutputQuantityList: []epcis.QuantityElement{qty(lotOf(g))}},
		{Type: epcis.ObjectEvent, Action: epcis.ActionAdd, EventTime: t.Add(time.Second), EPCList: items,
			ILMD: &epcis.Extensions{{Space: "urn:epcglobal:cbv:mda", Local: "lotNumber", Value: fmt.Sprint("L", g)}}},
		{Type: epcis.AggregationEvent, Action: epcis.ActionAdd, EventTime: t.Add(2 * time.Second), ParentID: cs[0], ChildEPCs: items[:3]},
		{Type: epcis.AggregationEvent, Action: epcis.ActionAdd, EventTime: t.Add(2 * time.Second), ParentID: cs[1], ChildEPCs: items[3:]},
		{Type: epcis.AggregationEvent, Action: epcis.ActionAdd, EventTime: t.Add(3 * time.Second), ParentID: pallet, ChildEPCs: cs},
		{Type: epcis.ObjectEvent, Action: epcis.ActionObserve, EventTime: t.Add(4 * time.Second), EPCList: []string{pallet}, SourceList: src, DestinationList: dst},
		{Type: epcis.AggregationEvent, Action: epcis.ActionDelete, EventTime: t.Add(5 * time.Hour), ParentID: pallet},
		{Type: epcis.ObjectEvent, Action: epcis.ActionObserve, EventTime: t.Add(6 * time.Hour), EPCList: []string{cs[0]}, SourceList: dst,
			DestinationList: []epcis.SourceDest{{Type: "owning_party", Value: pty(g + 2)}}},
	}
}

func benchSetup(b *testing.B) *benchChain {
	benchOnce.Do(func() {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		x := NewIndex()
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		seq := int64(0)
		for g := 0; seq < benchEvents; g++ {
			evs := benchGroup(g, base)
			for _, e := range evs {
				x.Apply(seq, e)
				seq++
			}
			bench.items = append(bench.items, evs[1].EPCList[g%6])
			bench.times = append(bench.times, evs[1].EventTime.Add(time.Hour))
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		bench.x = x
		bench.heap = m1.HeapAlloc - m0.HeapAlloc - uint64(len(bench.items))*(16+60) - uint64(len(bench.times))*24
	})
	return &bench
}

func benchTrace(b *testing.B, depth int) {
	c := benchSetup(b)
	r := rand.New(rand.NewPCG(7, uint64(depth)))
	lat := make([]time.Duration, 0, b.N)
	nodes := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := r.IntN(len(c.items))
		dir := Direction(i % 3)
		var at time.Time
		if i%2 == 0 {
			at = c.times[k]
		}
		t := time.Now()
		tr := c.x.Trace(c.items[k], dir, depth, at)
		lat = append(lat, time.Since(t))
		nodes += len(tr.Identifiers)
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
		b.ReportMetric(float64(nodes)/float64(len(lat)), "ids/trace")
	}
	b.ReportMetric(float64(c.x.MemoryBytes())/benchEvents*1e6/(1<<20), "est-MB/Mevents")
	b.ReportMetric(float64(c.heap)/benchEvents*1e6/(1<<20), "heap-MB/Mevents")
}

func BenchmarkTraceDepth3(b *testing.B) { benchTrace(b, 3) }
func BenchmarkTraceDepth6(b *testing.B) { benchTrace(b, 6) }

func BenchmarkApply(b *testing.B) {
	x := NewIndex()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []*epcis.Event
	for g := 0; len(evs) < 1<<16; g++ {
		evs = append(evs, benchGroup(g, base)...)
	}
	b.ResetTimer()
	seq := int64(0)
	for b.Loop() {
		if seq%int64(len(evs)) == 0 && seq > 0 {
			b.StopTimer()
			x = NewIndex()
			seq = 0
			b.StartTimer()
		}
		x.Apply(seq, evs[seq%int64(len(evs))])
		seq++
	}
}
