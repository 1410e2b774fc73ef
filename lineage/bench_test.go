package lineage

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/workload"
)

// The benchmark chain: groups of 8 events, each group one production step of a lot made
// from the previous group's lot and a raw-material lot, six serialised items commissioned
// into the lot (ILMD), packed into two cases and a pallet, the pallet shipped between two
// of 50 parties and unpacked, one case received further on.
const benchEvents = 1_000_000

type benchChain struct {
	x     *Index
	v1    *v1Index // the earlier representation, for latencies in the same run
	items []string // one item per group, the trace roots
	times []time.Time
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
		x, v1 := NewIndex(), newV1Index()
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		seq := int64(0)
		for g := 0; seq < benchEvents; g++ {
			evs := benchGroup(g, base)
			for _, e := range evs {
				x.Apply(seq, e)
				v1.Apply(seq, e)
				seq++
			}
			bench.items = append(bench.items, evs[1].EPCList[g%6])
			bench.times = append(bench.times, evs[1].EventTime.Add(time.Hour))
		}
		bench.x, bench.v1 = x, v1
	})
	return &bench
}

func benchTrace(b *testing.B, depth int, before bool) {
	c := benchSetup(b)
	walk := c.x.Trace
	if before {
		walk = c.v1.trace
	}
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
		tr := walk(c.items[k], dir, depth, at)
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
}

func BenchmarkTraceDepth3(b *testing.B)       { benchTrace(b, 3, false) }
func BenchmarkTraceDepth6(b *testing.B)       { benchTrace(b, 6, false) }
func BenchmarkTraceDepth3Before(b *testing.B) { benchTrace(b, 3, true) }
func BenchmarkTraceDepth6Before(b *testing.B) { benchTrace(b, 6, true) }

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

// BenchmarkApplyStories builds an index from 200,000 farm-to-table story events (the
// demo's), the shape a node replays at start: transfers, unpacks, retail sales and the
// Observe hyperedges that the events linking nothing add.
func BenchmarkApplyStories(b *testing.B) {
	g := workload.New(1)
	var evs []*epcis.Event
	for len(evs) < 200000 {
		evs = append(evs, g.Story()...)
	}
	for b.Loop() {
		x := NewIndex()
		for i, e := range evs {
			x.Apply(int64(i), e)
		}
	}
}

// heapAfter builds an index from n events and returns the live heap it added (HeapInuse
// after GC, before and after), with the index kept alive until measured.
func heapAfter(n int, next func() []*epcis.Event, apply func(seq int64, e *epcis.Event)) uint64 {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for seq := int64(0); seq < int64(n); {
		for _, e := range next() {
			apply(seq, e)
			seq++
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	return m1.HeapInuse - m0.HeapInuse
}

// BenchmarkMemory measures the resident heap of the index per million events on the
// benchmark chain and on the farm-to-table stories of package workload, for the index
// and for the representation it replaced (baseline_test.go), in the same run.
func BenchmarkMemory(b *testing.B) {
	const n = 1_000_000
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sources := map[string]func() func() []*epcis.Event{
		"chain": func() func() []*epcis.Event {
			g := 0
			return func() []*epcis.Event { g++; return benchGroup(g-1, base) }
		},
		"story": func() func() []*epcis.Event { return workload.New(1).Story },
	}
	for _, name := range []string{"chain", "story"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				x := NewIndex()
				now := heapAfter(n, sources[name](), x.Apply)
				ids, edges := x.Len()
				runtime.KeepAlive(x)
				v1 := newV1Index()
				before := heapAfter(n, sources[name](), v1.Apply)
				runtime.KeepAlive(v1)
				mb := func(v uint64) float64 { return float64(v) / (1 << 20) * 1e6 / n }
				b.ReportMetric(mb(now), "MB/Mevents")
				b.ReportMetric(mb(before), "before-MB/Mevents")
				b.ReportMetric(float64(before)/float64(now), "x-smaller")
				b.ReportMetric(float64(ids)*1e6/n, "ids/Mevents")
				b.ReportMetric(float64(edges)*1e6/n, "edges/Mevents")
			}
		})
	}
}

// On the benchmark chain, too big for the brute-force reference, the index answers as
// the earlier representation did.
func TestTraceMatchesEarlierRepresentationOnBenchChain(t *testing.T) {
	x, v1 := NewIndex(), newV1Index()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var items []string
	seq := int64(0)
	for g := 0; seq < 40_000; g++ {
		evs := benchGroup(g, base)
		for _, e := range evs {
			x.Apply(seq, e)
			v1.Apply(seq, e)
			seq++
		}
		items = append(items, evs[1].EPCList[g%6])
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		root := items[r.IntN(len(items))]
		at := time.Time{}
		if i%2 == 0 {
			at = base.Add(time.Duration(r.IntN(len(items))) * time.Minute)
		}
		dir, depth := Direction(i%3), 1+r.IntN(8)
		got, want := normal(x.Trace(root, dir, depth, at)), normal(v1.trace(root, dir, depth, at))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Trace(%s, %v, %d, %v):\n got %+v\nwant %+v", root, dir, depth, at, got, want)
		}
	}
}

// Traces run concurrently under a read lock; each must get its own scratch.
func TestConcurrentTracesAnswerAsSequentialOnes(t *testing.T) {
	x := NewIndex()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var items []string
	seq := int64(0)
	for g := range 500 {
		for _, e := range benchGroup(g, base) {
			x.Apply(seq, e)
			seq++
		}
		items = append(items, fmt.Sprintf("%s/01/0695123456%03d%d/21/%d", refStem, g%1000, g%10, g*6))
	}
	want := make([]Trace, len(items))
	for i, it := range items {
		want[i] = x.Trace(it, Direction(i%3), 1+i%7, time.Time{})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range items {
				i := (k + w*97) % len(items)
				if got := x.Trace(items[i], Direction(i%3), 1+i%7, time.Time{}); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("trace %d differs when run concurrently", i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if len(want[7].Identifiers) < 2 {
		t.Fatalf("the traces reach nothing: %+v", want[7])
	}
}
