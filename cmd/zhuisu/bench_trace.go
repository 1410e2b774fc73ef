package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/lineage"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/workload"
)

// TraceBenchResult is the last line `zhuisu bench trace` prints. Latencies are in
// milliseconds; the recursive-SQL figures are the baseline measured on the same data in
// the same database in the same run.
type TraceBenchResult struct {
	Events             int64          `json:"events"`
	Store              string         `json:"store"`
	Shape              string         `json:"shape"`
	Reused             bool           `json:"reused_store"`
	GenerateSeconds    float64        `json:"generate_seconds,omitempty"`
	GenerateEventsPerS float64        `json:"generate_events_per_sec,omitempty"`
	StoreBytes         int64          `json:"store_bytes"`
	ReplaySeconds      float64        `json:"replay_seconds"`
	ReplayEventsPerS   float64        `json:"replay_events_per_sec"`
	Identifiers        int            `json:"identifiers"`
	Edges              int64          `json:"edges"`
	HeapMBPerMEvents   float64        `json:"heap_mb_per_million_events"`
	IndexMBPerMEvents  float64        `json:"index_mb_per_million_events"`
	TableRows          int64          `json:"lineage_table_rows"`
	TableLoadSeconds   float64        `json:"lineage_table_load_seconds"`
	Samples            int            `json:"samples"`
	SQLSamples         int            `json:"sql_samples"`
	Traces             []TraceFigures `json:"traces"`
	CountMismatches    int            `json:"count_mismatches"`
	RecallLot          string         `json:"recall_lot"`
	RecallIdentifiers  int            `json:"recall_identifiers"`
	RecallCreateMs     float64        `json:"recall_create_ms"`
	RecallExportMs     float64        `json:"recall_xlsx_ms"`
	RecallTotalMs      float64        `json:"recall_total_ms"` // median of the rounds, as create and export
	RecallMaxMs        float64        `json:"recall_max_ms"`
	RecallXLSXBytes    int            `json:"recall_xlsx_bytes"`
	Load1              string         `json:"load_average,omitempty"`
}

// TraceFigures are the latencies of one direction and depth.
type TraceFigures struct {
	Direction  string  `json:"direction"`
	Depth      int     `json:"depth"`
	IDsMean    float64 `json:"identifiers_mean"`
	P50Ms      float64 `json:"p50_ms"`
	P99Ms      float64 `json:"p99_ms"`
	SQLP50Ms   float64 `json:"sql_p50_ms"`
	SQLP99Ms   float64 `json:"sql_p99_ms"`
	RatioP50   float64 `json:"sql_over_index_p50"`
	RatioP99   float64 `json:"sql_over_index_p99"`
	Mismatches int     `json:"count_mismatches"`
	// The same traces through the trace service, as GET /api/trace answers them: the walk
	// plus reading and describing the events it names from the store.
	ServiceP50Ms float64 `json:"service_p50_ms"`
	ServiceP99Ms float64 `json:"service_p99_ms"`
}

type traceBenchOptions struct {
	Events     int64
	DataDir    string
	DB         string
	Keep       bool
	Samples    int
	SQLSamples int
	Seed       uint64
	Shape      string // story or linked
	// RecallProfile, when set, is where a CPU profile of the recalls is written.
	RecallProfile string
}

func cmdBenchTrace(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("bench trace", flag.ContinueOnError)
	var o traceBenchOptions
	fs.Int64Var(&o.Events, "events", 10_000_000, "events in the store (generated when it holds fewer)")
	fs.StringVar(&o.DataDir, "data", "", "SQLite data directory: empty for a new temporary one (removed afterwards unless -keep); a directory holding enough events is reused")
	fs.StringVar(&o.DB, "db", "", "postgres://... to run on PostgreSQL instead of SQLite")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary data directory and the lineage table for another run")
	fs.IntVar(&o.Samples, "samples", 2000, "index traces per direction and depth")
	fs.IntVar(&o.SQLSamples, "sql-samples", 100, "recursive-SQL traces per direction and depth (the same codes as the first index traces)")
	fs.Uint64Var(&o.Seed, "seed", 1, "workload seed")
	fs.StringVar(&o.RecallProfile, "recall-cpuprofile", "", "write a CPU profile of the recalls to this file")
	fs.StringVar(&o.Shape, "shape", "story", "story: farm-to-table stories (the demo); linked: production batches whose lots chain into each other, for deep traces")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Events <= 0 || o.Samples <= 0 || o.SQLSamples <= 0 || o.SQLSamples > o.Samples {
		return fmt.Errorf("bench trace: -events and -samples must be positive and -sql-samples between 1 and -samples")
	}
	if o.Shape != "story" && o.Shape != "linked" {
		return fmt.Errorf("bench trace: -shape %q: want story or linked", o.Shape)
	}
	res, err := benchTrace(ctx, o, stdout, log)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}

func benchTrace(ctx context.Context, o traceBenchOptions, out io.Writer, log *slog.Logger) (*TraceBenchResult, error) {
	if o.Shape == "" {
		o.Shape = "story"
	}
	res := &TraceBenchResult{Store: "sqlite", Shape: o.Shape, Samples: o.Samples, SQLSamples: o.SQLSamples}
	if o.DB != "" {
		res.Store = "postgres"
	}
	c := &Config{DataDir: o.DataDir, DB: o.DB}
	if c.DataDir == "" {
		dir, err := os.MkdirTemp("", "zhuisu-bench-trace-")
		if err != nil {
			return nil, err
		}
		c.DataDir = dir
		if o.Keep {
			fmt.Fprintf(out, "data directory %s (kept)\n", dir)
		} else {
			defer os.RemoveAll(dir)
		}
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := checkSchema(ctx, st, true, log); err != nil {
		return nil, err
	}

	// 1. The store: generated farm-to-table stories, written through the capture service
	// (validation, hashing, index keys), one transaction per document.
	have, err := st.CountEvents(ctx)
	if err != nil {
		return nil, err
	}
	if have >= o.Events {
		res.Reused = true
		fmt.Fprintf(out, "store: reusing %d events\n", have)
	} else {
		took, n, err := generateStories(ctx, st, o, have, out)
		if err != nil {
			return nil, err
		}
		res.GenerateSeconds = took.Seconds()
		res.GenerateEventsPerS = float64(n) / took.Seconds()
	}
	if res.Events, err = st.CountEvents(ctx); err != nil {
		return nil, err
	}
	if res.StoreBytes, err = storeBytes(ctx, c); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "store: %d events, %.1f GB on disk (%.0f bytes/event)\n", res.Events, float64(res.StoreBytes)/1e9, float64(res.StoreBytes)/float64(res.Events))

	// 2. The index as serve builds it: a replay of every stored event.
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	svc := trace.New(st)
	start := time.Now()
	if err := svc.Sync(ctx); err != nil {
		return nil, err
	}
	replay := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	res.ReplaySeconds = replay.Seconds()
	res.ReplayEventsPerS = float64(res.Events) / replay.Seconds()
	perM := func(b float64) float64 { return b / (1 << 20) / (float64(res.Events) / 1e6) }
	res.HeapMBPerMEvents = perM(float64(int64(m1.HeapInuse) - int64(m0.HeapInuse)))

	// Sample roots (items while on a pallet, with that time for half of the traces),
	// copy the lineage into the table, and collect the identifiers that end a walk.
	var roots []traceRoot
	stops := map[uint32]bool{} // parties, locations and classes: few
	r := rand.New(rand.NewPCG(o.Seed, 99))
	seen := 0
	tbl, err := openLineageTable(ctx, c)
	if err != nil {
		return nil, err
	}
	defer tbl.close(ctx, o.Keep)
	start = time.Now()
	err = svc.WithIndex(ctx, func(x *lineage.Index) {
		res.Identifiers, res.Edges = x.Len()
		res.IndexMBPerMEvents = perM(float64(x.MemoryBytes()))
		err = tbl.load(ctx, func(yield func(lineage.EdgeRow) bool) {
			x.EachEdge(func(e lineage.EdgeRow) bool {
				for _, n := range []uint32{e.From, e.To} {
					if !x.Walks(n) {
						stops[n] = true
					}
				}
				if e.Kind == lineage.Contains && x.Walks(e.To) {
					seen++
					rt := traceRoot{id: e.To, at: e.Start + int64(time.Second)}
					if len(roots) < o.Samples {
						roots = append(roots, rt)
					} else if k := r.IntN(seen); k < o.Samples {
						roots[k] = rt
					}
				}
				res.TableRows++
				return yield(e)
			})
		})
		for i := range roots {
			roots[i].name = x.NodeName(roots[i].id)
		}
	})
	if err != nil {
		return nil, err
	}
	var stopIDs []uint32
	for n := range stops {
		stopIDs = append(stopIDs, n)
	}
	if err := tbl.finish(ctx, stopIDs); err != nil {
		return nil, err
	}
	res.TableLoadSeconds = time.Since(start).Seconds()
	if len(roots) < o.SQLSamples {
		return nil, fmt.Errorf("bench trace: only %d contained items to trace from; generate more events", len(roots))
	}
	fmt.Fprintf(out, "index: %d identifiers, %d edges, replay %s (%.0f events/s), heap %.1f MB per million events; lineage table %d rows loaded in %s\n",
		res.Identifiers, res.Edges, replay.Round(time.Millisecond), res.ReplayEventsPerS, res.HeapMBPerMEvents, res.TableRows, time.Duration(res.TableLoadSeconds*1e9).Round(time.Millisecond))

	// 3. Traces: the index, then the recursive query for the first SQLSamples roots.
	for _, depth := range []int{3, 6} {
		for _, dir := range []lineage.Direction{lineage.Backward, lineage.Forward} {
			f, err := benchTraces(ctx, svc, tbl, roots, dir, depth, o.SQLSamples)
			if err != nil {
				return nil, err
			}
			res.Traces = append(res.Traces, f)
			res.CountMismatches += f.Mismatches
			fmt.Fprintf(out, "%-8s depth %d: %5.1f ids  index p50 %.4f ms p99 %.4f ms | recursive SQL p50 %.2f ms p99 %.2f ms | SQL/index p50 %.0fx p99 %.0fx | count mismatches %d | trace service p50 %.2f ms p99 %.2f ms\n",
				f.Direction, depth, f.IDsMean, f.P50Ms, f.P99Ms, f.SQLP50Ms, f.SQLP99Ms, f.RatioP50, f.RatioP99, f.Mismatches, f.ServiceP50Ms, f.ServiceP99Ms)
		}
	}

	// 4. A recall of one lot with its spreadsheet: the farm lot of the first root's story.
	// Linked batches have no such lot: every lot feeds all later batches, so a recall of
	// one takes the rest of the line.
	if o.Shape == "linked" {
		fmt.Fprintln(out, "recall: not measured on linked batches (every lot leads to all later ones); see -shape story")
	} else if err := benchRecall(ctx, st, svc, roots, o.RecallProfile, res, out); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.Load1 = strings.Join(strings.Fields(string(b))[:3], " ")
		fmt.Fprintf(out, "load average during the run: %s (2 cores)\n", res.Load1)
	}
	return res, nil
}

// recallRounds is how many lots are recalled, one after another: the figures are the
// median and the slowest.
const recallRounds = 5

func benchRecall(ctx context.Context, st store.Store, svc *trace.Service, roots []traceRoot, profile string, res *TraceBenchResult, out io.Writer) error {
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// A serving node builds its SQLite key filters in the background as buckets fill; a
	// store reused here may not have them all yet.
	if kf, ok := st.(interface {
		BuildKeyFilters(context.Context, int) error
	}); ok {
		t0 := time.Now()
		if err := kf.BuildKeyFilters(ctx, 0); err != nil {
			return err
		}
		fmt.Fprintf(out, "key filters brought up to date in %s\n", time.Since(t0).Round(time.Millisecond))
	}
	rs := recall.New(st, svc)
	var totals, creates, exports []time.Duration
	seen := map[string]bool{}
	for _, rt := range roots {
		if len(totals) == recallRounds {
			break
		}
		lot, err := farmLotOf(ctx, svc, rt.name)
		if err != nil {
			return err
		}
		if seen[lot] {
			continue
		}
		seen[lot] = true
		start := time.Now()
		rec, err := rs.Create(ctx, "bench", []string{lot}, "benchmark recall")
		if err != nil {
			return err
		}
		created := time.Since(start)
		x, err := rs.Export(ctx, rec.ID, recall.FormatXLSX)
		if err != nil {
			return err
		}
		total := time.Since(start)
		totals, creates, exports = append(totals, total), append(creates, created), append(exports, total-created)
		if res.RecallLot == "" {
			res.RecallLot, res.RecallIdentifiers, res.RecallXLSXBytes = lot, len(rec.Identifiers), len(x.Body)
		}
		fmt.Fprintf(out, "recall of %s: %d identifiers, create %.1f ms + XLSX %.1f ms (%d bytes) = %.1f ms\n",
			lot, len(rec.Identifiers), ms(created), ms(total-created), len(x.Body), ms(total))
	}
	res.RecallCreateMs, res.RecallExportMs, res.RecallTotalMs = ms(median(creates)), ms(median(exports)), ms(median(totals))
	res.RecallMaxMs = ms(slices.Max(totals))
	fmt.Fprintf(out, "recalls: %d lots, median %.1f ms, slowest %.1f ms (create and XLSX)\n", len(totals), res.RecallTotalMs, res.RecallMaxMs)
	return nil
}

type traceRoot struct {
	id   uint32
	name string
	at   int64
}

// generateStories captures stories (or linked batches) until the store holds o.Events events; a generator
// goroutine prepares the next document while one is stored.
func generateStories(ctx context.Context, st store.Store, o traceBenchOptions, have int64, out io.Writer) (time.Duration, int64, error) {
	gen := workload.New(o.Seed)
	gen.Run = int(have % 1000) // a store topped up gets other serials
	docs := make(chan *epcis.Document, 2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(docs)
		for n := have; n < o.Events; {
			size := int(min(2000, o.Events-n))
			d := gen.StoryDocument(size)
			if o.Shape == "linked" {
				d = gen.LinkedDocument(size)
			}
			n += int64(len(d.Events))
			select {
			case docs <- d:
			case <-ctx.Done():
				return
			}
		}
	}()
	svc := capture.New(st)
	start := time.Now()
	var n int64
	next := int64(1_000_000)
	for d := range docs {
		if _, err := svc.Capture(ctx, d, ""); err != nil {
			return 0, 0, err
		}
		n += int64(len(d.Events))
		if n >= next {
			fmt.Fprintf(out, "store: %d events captured, %.0f events/s\n", have+n, float64(n)/time.Since(start).Seconds())
			next += 1_000_000
		}
	}
	took := time.Since(start)
	fmt.Fprintf(out, "store: generated %d events in %s (%.0f events/s) through the capture service\n", n, took.Round(time.Second), float64(n)/took.Seconds())
	return took, n, nil
}

func storeBytes(ctx context.Context, c *Config) (int64, error) {
	if c.DB == "" {
		return dirSize(c.DataDir), nil
	}
	conn, err := pgx.Connect(ctx, c.DB)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int64
	err = conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
	return n, err
}

// farmLotOf finds the farm lot an item was made from: the lot its backward trace reaches
// first through a transformation input.
func farmLotOf(ctx context.Context, svc *trace.Service, item string) (string, error) {
	lot := ""
	err := svc.WithIndex(ctx, func(x *lineage.Index) {
		t := x.Trace(item, lineage.Backward, 3, time.Time{})
		for _, e := range t.Edges {
			if e.Kind == lineage.Transforms && e.To == item {
				lot = e.From
				return
			}
		}
	})
	if err == nil && lot == "" {
		err = fmt.Errorf("bench trace: %s comes from no transformation", item)
	}
	return lot, err
}

func benchTraces(ctx context.Context, svc *trace.Service, tbl *lineageTable, roots []traceRoot, dir lineage.Direction, depth, sqlSamples int) (TraceFigures, error) {
	f := TraceFigures{Direction: []string{"backward", "forward", "both"}[dir], Depth: depth}
	lat := make([]time.Duration, 0, len(roots))
	counts := make([]int, len(roots))
	ids := 0
	// The garbage of the phase before (the lineage table's load) is collected first: a
	// collection of the index's heap running during the timed traces slows them by
	// tenths of a millisecond, which is the collector's cost, not the trace's.
	runtime.GC()
	err := svc.WithIndex(ctx, func(x *lineage.Index) {
		for i, rt := range roots {
			var at time.Time
			if i%2 == 1 {
				at = time.Unix(0, rt.at)
			}
			t0 := time.Now()
			t := x.Trace(rt.name, dir, depth, at)
			lat = append(lat, time.Since(t0))
			counts[i] = len(t.Identifiers)
			ids += counts[i]
		}
	})
	if err != nil {
		return f, err
	}
	f.IDsMean = float64(ids) / float64(len(roots))
	f.P50Ms, f.P99Ms = percentiles(lat)
	sqlLat := make([]time.Duration, 0, sqlSamples)
	for i, rt := range roots[:sqlSamples] {
		at := int64(0)
		if i%2 == 1 {
			at = rt.at
		}
		t0 := time.Now()
		n, err := tbl.count(ctx, rt.id, dir, depth, at)
		if err != nil {
			return f, err
		}
		sqlLat = append(sqlLat, time.Since(t0))
		if n != counts[i] {
			f.Mismatches++
		}
	}
	f.SQLP50Ms, f.SQLP99Ms = percentiles(sqlLat)
	svcLat := make([]time.Duration, 0, sqlSamples)
	for i, rt := range roots[:sqlSamples] {
		req := trace.Request{Code: rt.name, Direction: dir, Depth: depth}
		if i%2 == 1 {
			req.At = time.Unix(0, rt.at)
		}
		t0 := time.Now()
		if _, err := svc.Trace(ctx, req); err != nil {
			return f, err
		}
		svcLat = append(svcLat, time.Since(t0))
	}
	f.ServiceP50Ms, f.ServiceP99Ms = percentiles(svcLat)
	f.RatioP50, f.RatioP99 = f.SQLP50Ms/f.P50Ms, f.SQLP99Ms/f.P99Ms
	return f, nil
}

// percentiles are the p50 and p99 of l in milliseconds, by nearest rank (every bench
// reports them so).
func percentiles(l []time.Duration) (p50, p99 float64) {
	slices.Sort(l)
	at := func(q float64) float64 { return ms(l[int(math.Ceil(q*float64(len(l))))-1]) }
	return at(0.50), at(0.99)
}

// lineageTable is the baseline: the index's edges as rows of a table in the same
// database, walked by a recursive query the way a database engineer would write it
// (indexes on both ends, the walk's rules in the WHERE clause).
type lineageTable struct {
	db *sql.DB   // SQLite
	pg *pgx.Conn // PostgreSQL
}

func openLineageTable(ctx context.Context, c *Config) (*lineageTable, error) {
	t := &lineageTable{}
	var err error
	if c.DB == "" {
		dsn := "file:" + filepath.Join(c.DataDir, "zhuisu.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)"
		if t.db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, err
		}
		t.db.SetMaxOpenConns(1)
	} else if t.pg, err = pgx.Connect(ctx, c.DB); err != nil {
		return nil, err
	}
	for _, q := range []string{
		`DROP TABLE IF EXISTS bench_lineage`,
		`DROP TABLE IF EXISTS bench_lineage_stop`,
		`CREATE TABLE bench_lineage (src BIGINT NOT NULL, dst BIGINT NOT NULL, kind INTEGER NOT NULL, seq BIGINT NOT NULL, valid_from BIGINT NOT NULL, valid_to BIGINT NOT NULL)`,
		`CREATE TABLE bench_lineage_stop (id BIGINT PRIMARY KEY)`,
	} {
		if err := t.exec(ctx, q); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *lineageTable) exec(ctx context.Context, q string, args ...any) error {
	var err error
	if t.db != nil {
		_, err = t.db.ExecContext(ctx, q, args...)
	} else {
		_, err = t.pg.Exec(ctx, q, args...)
	}
	if err != nil {
		return fmt.Errorf("lineage table: %s: %w", q[:min(len(q), 60)], err)
	}
	return nil
}

func edgeValues(e lineage.EdgeRow) []any {
	return []any{int64(e.From), int64(e.To), int64(e.Kind), e.Seq, e.Start, e.End}
}

// load writes every edge: COPY on PostgreSQL, multi-row INSERTs in one transaction on
// SQLite.
func (t *lineageTable) load(ctx context.Context, edges func(yield func(lineage.EdgeRow) bool)) error {
	if t.pg != nil {
		next, stop := iterPull(edges)
		defer stop()
		_, err := t.pg.CopyFrom(ctx, pgx.Identifier{"bench_lineage"}, []string{"src", "dst", "kind", "seq", "valid_from", "valid_to"},
			pgx.CopyFromFunc(func() ([]any, error) {
				e, ok := next()
				if !ok {
					return nil, nil
				}
				return edgeValues(e), nil
			}))
		return err
	}
	tx, err := t.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	const perInsert = 500
	full, err := tx.PrepareContext(ctx, "INSERT INTO bench_lineage VALUES "+strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?),", perInsert), ","))
	if err != nil {
		return err
	}
	args := make([]any, 0, 6*perInsert)
	var werr error
	edges(func(e lineage.EdgeRow) bool {
		args = append(args, edgeValues(e)...)
		if len(args) == cap(args) {
			if _, werr = full.ExecContext(ctx, args...); werr != nil {
				return false
			}
			args = args[:0]
		}
		return true
	})
	if werr != nil {
		return werr
	}
	if len(args) > 0 {
		q := "INSERT INTO bench_lineage VALUES " + strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?),", len(args)/6), ",")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// iterPull turns a push iterator into next/stop, for pgx's pull-style CopyFrom.
func iterPull(push func(yield func(lineage.EdgeRow) bool)) (func() (lineage.EdgeRow, bool), func()) {
	ch := make(chan lineage.EdgeRow, 4096)
	done := make(chan struct{})
	go func() {
		defer close(ch)
		push(func(e lineage.EdgeRow) bool {
			select {
			case ch <- e:
				return true
			case <-done:
				return false
			}
		})
	}()
	next := func() (lineage.EdgeRow, bool) {
		e, ok := <-ch
		return e, ok
	}
	stop := func() {
		close(done)
		for range ch {
		}
	}
	return next, stop
}

// finish stores the identifiers that end a walk and indexes the table.
func (t *lineageTable) finish(ctx context.Context, stops []uint32) error {
	for _, id := range stops {
		if err := t.exec(ctx, `INSERT INTO bench_lineage_stop VALUES (`+fmt.Sprint(id)+`)`); err != nil {
			return err
		}
	}
	for _, q := range []string{
		`CREATE INDEX bench_lineage_src ON bench_lineage (src)`,
		`CREATE INDEX bench_lineage_dst ON bench_lineage (dst)`,
		`ANALYZE bench_lineage`,
	} {
		if err := t.exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// traceSQL walks like lineage.Index.Trace: Contains both ways (not back down after going
// up), Transforms and Transfers with the flow forward and against it backward, MemberOf
// the other way round, the Contains time bounds when an instant is given, and no walk on
// from a party, location or class unless it is the root. Parameters: root, depth,
// direction (0 backward, 1 forward), instant in ns (0 for any time).
const traceSQL = `WITH RECURSIVE walk(node, up, depth) AS (
  SELECT CAST($1 AS BIGINT), 0, 0
  UNION
  SELECT CASE WHEN l.src = w.node THEN l.dst ELSE l.src END,
         CASE WHEN l.kind = 0 AND l.dst = w.node THEN 1 ELSE 0 END,
         w.depth + 1
  FROM walk w JOIN bench_lineage l ON l.src = w.node OR l.dst = w.node
  WHERE w.depth < $2
    AND (w.node = $1 OR w.node NOT IN (SELECT id FROM bench_lineage_stop))
    AND CASE l.kind
      WHEN 0 THEN (l.dst = w.node OR w.up = 0) AND (CAST($4 AS BIGINT) = 0 OR (l.valid_from <= CAST($4 AS BIGINT) AND CAST($4 AS BIGINT) < l.valid_to))
      WHEN 3 THEN ($3 = 1 AND l.dst = w.node) OR ($3 = 0 AND l.src = w.node)
      ELSE ($3 = 1 AND l.src = w.node) OR ($3 = 0 AND l.dst = w.node)
    END
)
SELECT count(DISTINCT node) FROM walk`

func (t *lineageTable) count(ctx context.Context, root uint32, dir lineage.Direction, depth int, at int64) (int, error) {
	var n int
	var err error
	args := []any{int64(root), depth, int64(dir), at}
	if t.db != nil {
		err = t.db.QueryRowContext(ctx, strings.NewReplacer("$1", "?1", "$2", "?2", "$3", "?3", "$4", "?4").Replace(traceSQL), args...).Scan(&n)
	} else {
		err = t.pg.QueryRow(ctx, traceSQL, args...).Scan(&n)
	}
	return n, err
}

func (t *lineageTable) close(ctx context.Context, keep bool) {
	if !keep {
		_ = t.exec(ctx, `DROP TABLE IF EXISTS bench_lineage`)
		_ = t.exec(ctx, `DROP TABLE IF EXISTS bench_lineage_stop`)
	}
	if t.db != nil {
		t.db.Close()
	} else {
		t.pg.Close(ctx)
	}
}
