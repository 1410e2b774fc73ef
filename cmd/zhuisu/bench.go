package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/workload"
)

func cmdBench(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	if len(args) > 0 && args[0] == "verify" {
		return cmdBenchVerify(ctx, args[1:], stdout)
	}
	if len(args) > 0 && args[0] == "trace" {
		return cmdBenchTrace(ctx, args[1:], stdout, log)
	}
	if len(args) > 0 && args[0] == "lookup" {
		return cmdBenchLookup(ctx, args[1:], stdout, log)
	}
	if len(args) == 0 || args[0] != "ingest" {
		return fmt.Errorf("usage: zhuisu bench ingest|verify|trace|lookup [flags]")
	}
	fs := flag.NewFlagSet("bench ingest", flag.ContinueOnError)
	events := fs.Int("events", 200000, "events to capture")
	docSize := fs.Int("doc", 1000, "events per document")
	clients := fs.Int("clients", 3, "concurrent HTTP clients (3 on 2 cores: documents decode on both while one commits)")
	db := fs.String("db", envDefault("ZHUISU_DB", ""), "database URL for the full path: empty for SQLite in a temporary directory, or postgres://... (an empty database)")
	seed := fs.Uint64("seed", 1, "workload seed")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	res, err := benchIngest(ctx, ingestOptions{Events: *events, DocSize: *docSize, Clients: *clients, DB: *db, Seed: *seed}, stdout)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}

type ingestOptions struct {
	Events, DocSize, Clients int
	DB                       string
	Seed                     uint64
}

// IngestResult is the last line the benchmark prints.
type IngestResult struct {
	Events            int     `json:"events"`
	DocumentEvents    int     `json:"document_events"`
	Clients           int     `json:"clients"`
	Store             string  `json:"store"`
	AvgEventBytes     float64 `json:"avg_event_bytes"`
	EventsPerSec      float64 `json:"events_per_sec"`
	AckP50Ms          float64 `json:"ack_p50_ms"`
	AckP99Ms          float64 `json:"ack_p99_ms"`
	DiskBytesPerEvent float64 `json:"disk_bytes_per_event"`
	FloorEventsPerSec float64 `json:"floor_events_per_sec"`
	RatioToFloor      float64 `json:"ratio_to_floor"`
	NoLogEventsPerSec float64 `json:"no_log_events_per_sec"`
	LogCostRatio      float64 `json:"log_cost_ratio"`
	LogBytesPerEvent  float64 `json:"log_bytes_per_event"`
	CheckpointLagMs   float64 `json:"checkpoint_lag_ms"`
}

type fullRun struct {
	eventsPerSec, p50, p99, diskPerEvent float64
	lagMs                                float64 // from the last acknowledgement to a checkpoint covering every event
}

// freshSchema creates an empty schema in the PostgreSQL database at url and returns a URL
// that selects it, and a func that drops it.
func freshSchema(ctx context.Context, url string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", nil, err
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "zhuisu_bench_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u, err := neturl.Parse(url)
	if err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	}, nil
}

// waitIntegrated waits until a checkpoint covers every stored event, reading the store
// beside the server.
func waitIntegrated(ctx context.Context, c *Config) error {
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	for range 12000 {
		n, err := st.CountEvents(ctx)
		if err != nil {
			return err
		}
		if cp, err := st.LatestCheckpoint(ctx); err == nil && cp.Size >= n {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("the log did not catch up within a minute")
}

// runFull starts a real server on a fresh data directory and captures docs through HTTP.
// With the log, the run ends when a signed checkpoint covers every event.
func runFull(ctx context.Context, o ingestOptions, docs [][]byte, withLog bool) (*fullRun, error) {
	dir, err := os.MkdirTemp("", "zhuisu-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db := o.DB
	if db != "" {
		// Each run on an empty schema of its own, dropped afterwards, so both runs start
		// from the same empty store.
		var drop func()
		if db, drop, err = freshSchema(ctx, o.DB); err != nil {
			return nil, err
		}
		defer drop()
	}
	c := &Config{DataDir: dir, DB: db, Limits: api.DefaultLimits, ShutdownTimeout: 10 * time.Second,
		LogInterval: integrity.DefaultInterval, NoLog: !withLog}
	c.Limits.Document.MaxEvents = max(c.Limits.Document.MaxEvents, o.DocSize)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sctx, stop := context.WithCancel(ctx)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	done := make(chan error, 1)
	go func() { done <- serve(sctx, c, ln, quiet) }()
	base := "http://" + ln.Addr().String()
	// A token of its own: a reused PostgreSQL database already has its first one.
	if _, err := waitToken(filepath.Join(dir, "admin-token"), done, o.DB != ""); err != nil {
		stop()
		return nil, err
	}
	token, err := benchToken(ctx, c)
	if err != nil {
		stop()
		return nil, err
	}
	lat, took, err := postAll(ctx, base, token, docs, o.Clients)
	var total int64
	var lag time.Duration
	if err == nil && withLog {
		acked := time.Now()
		err = waitIntegrated(ctx, c)
		lag = time.Since(acked)
	}
	stop()
	if serr := <-done; err == nil && serr != nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		total += int64(bytes.Count(d, []byte(`"eventTime"`)))
	}
	r := &fullRun{eventsPerSec: float64(total) / took.Seconds(), lagMs: ms(lag)}
	r.p50, r.p99 = percentiles(lat)
	if o.DB == "" {
		r.diskPerEvent = float64(dirSize(dir)) / float64(total)
	}
	return r, nil
}

func benchIngest(ctx context.Context, o ingestOptions, out io.Writer) (*IngestResult, error) {
	gen := workload.New(o.Seed)
	// Each run gets its own events, so a reused PostgreSQL database sees no duplicates.
	gen.Run = int(time.Now().Unix() % 100000)
	makeDocs := func() ([][]byte, int, error) {
		var docs [][]byte
		total := 0
		for total < o.Events {
			n := min(o.DocSize, o.Events-total)
			var buf bytes.Buffer
			if err := epcis.EncodeJSON(&buf, gen.Document(n).Events); err != nil {
				return nil, 0, err
			}
			docs = append(docs, buf.Bytes())
			total += n
		}
		gen.Run++
		return docs, total, nil
	}
	docs, total, err := makeDocs()
	if err != nil {
		return nil, err
	}
	var docBytes int
	for _, d := range docs {
		docBytes += len(d)
	}
	res := &IngestResult{Events: total, DocumentEvents: o.DocSize, Clients: o.Clients, Store: "sqlite", AvgEventBytes: float64(docBytes) / float64(total)}
	if o.DB != "" {
		res.Store = "postgres"
	}
	fmt.Fprintf(out, "workload: %d events in %d documents, %.0f bytes per event (JSON-LD)\n", total, len(docs), res.AvgEventBytes)

	floor, err := benchFloor(ctx, docs, o.Clients)
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	res.FloorEventsPerSec = floor
	fmt.Fprintf(out, "floor (decode + hash + opaque insert, SQLite): %.0f events/s\n", floor)

	noLog, err := runFull(ctx, o, docs, false)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "full path without the log: %.0f events/s, ack p50 %.1f ms, p99 %.1f ms, %.0f bytes on disk per event\n",
		noLog.eventsPerSec, noLog.p50, noLog.p99, noLog.diskPerEvent)
	withLog, err := runFull(ctx, o, docs, true)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "full path with the log: %.0f events/s, ack p50 %.1f ms, p99 %.1f ms, %.0f bytes on disk per event; every event in a signed checkpoint %.0f ms after the last acknowledgement\n",
		withLog.eventsPerSec, withLog.p50, withLog.p99, withLog.diskPerEvent, withLog.lagMs)
	res.CheckpointLagMs = withLog.lagMs
	res.EventsPerSec, res.AckP50Ms, res.AckP99Ms, res.DiskBytesPerEvent = withLog.eventsPerSec, withLog.p50, withLog.p99, withLog.diskPerEvent
	res.NoLogEventsPerSec = noLog.eventsPerSec
	res.LogCostRatio = noLog.eventsPerSec/withLog.eventsPerSec - 1
	if o.DB == "" {
		res.LogBytesPerEvent = withLog.diskPerEvent - noLog.diskPerEvent
	}
	res.RatioToFloor = res.EventsPerSec / res.FloorEventsPerSec
	fmt.Fprintf(out, "ratio to floor: %.2f; the log adds %.1f%% to ingest time and %.0f bytes per event\n",
		res.RatioToFloor, 100*res.LogCostRatio, res.LogBytesPerEvent)
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasPrefix(info.Name(), "zhuisu.db") {
			n += info.Size()
		}
		return nil
	})
	return n
}

// benchToken issues an administrator token for the benchmark's client.
func benchToken(ctx context.Context, c *Config) (string, error) {
	st, err := openStore(ctx, c)
	if err != nil {
		return "", err
	}
	defer st.Close()
	secret, _, err := auth.New(st).Issue(ctx, auth.RoleAdmin, "", "bench", nil)
	return secret, err
}

// waitToken waits for the server to write its first administrator token, or, when
// anyFile is set (a reused database has its token already), for the server to start.
func waitToken(path string, done <-chan error, anyFile ...bool) (string, error) {
	dir := filepath.Dir(path)
	for range 600 {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b)), nil
		}
		if len(anyFile) > 0 && anyFile[0] {
			if _, err := os.Stat(filepath.Join(dir, "page-token.key")); err == nil {
				return "", nil
			}
		}
		select {
		case err := <-done:
			return "", fmt.Errorf("server stopped: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("no token at %s after 30s", path)
}

func postAll(ctx context.Context, base, token string, docs [][]byte, clients int) ([]time.Duration, time.Duration, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	work := make(chan []byte)
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for doc := range work {
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "POST", base+"/capture", bytes.NewReader(doc))
				req.Header.Set("Content-Type", "application/ld+json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusAccepted {
						err = fmt.Errorf("capture answered %s: %s", resp.Status, body)
					}
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, d := range docs {
		work <- d
	}
	close(work)
	wg.Wait()
	return lat, time.Since(start), firstErr
}

// benchFloor measures what any store must at least do: decode, hash, and insert each
// event as an opaque row with a unique hash key, in one transaction per document, on the
// same SQLite settings as the real store.
func benchFloor(ctx context.Context, docs [][]byte, workers int) (float64, error) {
	dir, err := os.MkdirTemp("", "zhuisu-floor-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	dsn := "file:" + filepath.Join(dir, "floor.db") + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(workers)
	if _, err := db.ExecContext(ctx, `CREATE TABLE floor (hash BLOB PRIMARY KEY, doc BLOB NOT NULL)`); err != nil {
		return 0, err
	}
	work := make(chan []byte)
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	var events int
	var mu sync.Mutex
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for raw := range work {
				doc, err := epcis.DecodeJSON(bytes.NewReader(raw), epcis.Limits{MaxEvents: 1 << 20, MaxDepth: 64})
				if err != nil {
					errc <- err
					return
				}
				args := make([]any, 0, 2*len(doc.Events))
				for _, e := range doc.Events {
					h := epcis.Hash(e)
					args = append(args, []byte(h), epcis.AppendEventJSON(nil, e))
				}
				if err := insertFloor(ctx, db, args); err != nil {
					errc <- err
					return
				}
				mu.Lock()
				events += len(doc.Events)
				mu.Unlock()
			}
		}()
	}
	for _, d := range docs {
		work <- d
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errc:
		return 0, err
	default:
	}
	return float64(events) / time.Since(start).Seconds(), nil
}

func insertFloor(ctx context.Context, db *sql.DB, args []any) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	const rows = 200
	for i := 0; i < len(args); i += 2 * rows {
		part := args[i:min(i+2*rows, len(args))]
		q := "INSERT INTO floor (hash, doc) VALUES " + strings.TrimSuffix(strings.Repeat("(?,?),", len(part)/2), ",")
		if _, err := tx.ExecContext(ctx, q, part...); err != nil {
			return err
		}
	}
	return tx.Commit()
}
