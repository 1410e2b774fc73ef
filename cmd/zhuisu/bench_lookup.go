package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/web"
	"github.com/zhuisu/zhuisu/workload"
)

// LookupResult is the JSON line of `zhuisu bench lookup`.
type LookupResult struct {
	Events       int     `json:"events"`
	Store        string  `json:"store"`
	Clients      int     `json:"clients"`
	FloorPerSec  float64 `json:"floorReqPerSec"` // GET /healthz through the same server
	FloorP99Ms   float64 `json:"floorP99Ms"`
	WarmPerSec   float64 `json:"warmReqPerSec"`
	WarmP50Ms    float64 `json:"warmP50Ms"`
	WarmP99Ms    float64 `json:"warmP99Ms"`
	ColdPerSec   float64 `json:"distinctReqPerSec"`
	ColdP50Ms    float64 `json:"distinctP50Ms"`
	ColdP99Ms    float64 `json:"distinctP99Ms"`
	WarmVsFloor  float64 `json:"warmVsFloor"`
	ColdVsFloor  float64 `json:"distinctVsFloor"`
	Verified     bool    `json:"proofVerified"`
	DistinctSeen int     `json:"distinctCodes"`
}

// cmdBenchLookup measures public lookups (the JSON view, with its inclusion proof
// checked) against a demo store: a warm phase on a few codes served from the cache, a
// distinct phase where every request names a code not asked before, and a floor — the
// health endpoint through the same server and clients — measured in the same run.
func cmdBenchLookup(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("bench lookup", flag.ContinueOnError)
	events := fs.Int("events", 1000000, "events in the demo store (farm-to-table stories)")
	clients := fs.Int("clients", 8, "concurrent HTTP clients")
	dur := fs.Duration("duration", 5*time.Second, "length of each phase")
	db := fs.String("db", envDefault("ZHUISU_DB", ""), "database URL: empty for SQLite in a temporary directory, or postgres://... (an empty database)")
	seed := fs.Uint64("seed", 1, "workload seed")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the measured phases to this file")
	profilePhase := fs.String("profile-phase", "", "with -cpuprofile: profile only this phase (floor, warm or distinct), so that the collector and the clients count too")
	data := fs.String("data", "", "SQLite data directory to load the demo into and keep; a directory already holding the demo at this scale and seed is reused (the log key is kept beside it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *profilePhase != "" && *profilePhase != "floor" && *profilePhase != "warm" && *profilePhase != "distinct":
		return fmt.Errorf("-profile-phase %q: the phases are floor, warm and distinct", *profilePhase)
	case *profilePhase != "" && *cpuprofile == "":
		return fmt.Errorf("-profile-phase says which phase -cpuprofile covers: give -cpuprofile FILE too")
	}
	dir := *data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "zhuisu-bench-lookup-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	c := &Config{DataDir: dir, DB: *db}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	res := &LookupResult{Events: *events, Store: "sqlite", Clients: *clients}
	if *db != "" {
		res.Store = "postgres"
	}

	// Load: whole stories through the capture service, then one signed checkpoint. A kept
	// store that already holds them is reused: the generator is deterministic, so the
	// stories are only regenerated to learn their units.
	have, err := st.CountEvents(ctx)
	if err != nil {
		return err
	}
	reuse := have > 0
	gen := workload.New(*seed)
	var units []string
	start := time.Now()
	svc := capture.New(st)
	loaded := 0
	for loaded < *events {
		doc := &epcis.Document{SchemaVersion: "2.0"}
		for len(doc.Events) < min(1000, *events-loaded) {
			story := gen.Story()
			doc.Events = append(doc.Events, story...)
			last := story[len(story)-2] // the shipment to the canteen: units never sold
			units = append(units, last.EPCList...)
		}
		if !reuse {
			if _, err := svc.Capture(ctx, doc, ""); err != nil {
				return err
			}
		}
		loaded += len(doc.Events)
	}
	if reuse {
		if have != int64(loaded) {
			return fmt.Errorf("-data %s holds %d events, not the %d of this scale and seed: use another directory", dir, have, loaded)
		}
		fmt.Fprintf(stdout, "reusing the %d events in %s\n", have, dir)
		// A store kept by a build from before facts were stored measures the slower path.
		sample := make([]int64, 100)
		for i := range sample {
			sample[i] = int64(i)
		}
		rows, err := st.EventFacts(ctx, sample)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if _, ok := public.ParseFacts(r.Facts); !ok {
				fmt.Fprintf(stdout, "warning: %s holds events stored without facts of this version (an older build): views work them out from the events, which is slower; give a new -data directory to measure this build\n", dir)
				break
			}
		}
	} else {
		fmt.Fprintf(stdout, "loaded %d events in %s\n", *events, time.Since(start).Round(time.Millisecond))
	}
	skey, vkey, err := benchLogKey(dir, *data != "")
	if err != nil {
		return err
	}
	signer, err := tlog.ParseSignerKey(skey)
	if err != nil {
		return err
	}
	verifier, err := tlog.ParseVerifierKey(vkey)
	if err != nil {
		return err
	}
	logSvc := &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer, Verifiers: []tlog.Verifier{verifier}, PublicKey: vkey, MaxStep: 1 << 20, Log: log}
	for {
		cp, err := logSvc.Integrate(ctx)
		if err != nil {
			return err
		}
		if cp == nil {
			break
		}
	}
	start = time.Now()
	if err := logSvc.WarmProofs(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "upper tree levels read for proofs in %s\n", time.Since(start).Round(time.Millisecond))
	tr := trace.New(st)
	start = time.Now()
	if err := tr.Sync(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "lineage index built in %s\n", time.Since(start).Round(time.Millisecond))

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	pub := public.New(st, tr, logSvc, public.Config{CacheTTL: time.Hour})
	pages, err := web.New(pub, tr, web.Config{Rate: 1e9, Burst: 1 << 30}, quiet)
	if err != nil {
		return err
	}
	srv := &api.Server{Store: st, Trace: tr, Integrity: logSvc, Auth: auth.New(st), Web: pages, Log: quiet}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// Requests carry the phase as a profiler label, so that a CPU profile can be read
	// phase by phase (go tool pprof -tagfocus phase=distinct).
	var current atomic.Value
	current.Store("setup")
	handler := srv.Handler()
	labelled := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), pprof.Labels("phase", current.Load().(string)), func(ctx context.Context) {
			handler.ServeHTTP(w, r.WithContext(ctx))
		})
	})
	hs := &http.Server{Handler: labelled, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	bctx, stop := context.WithCancel(ctx)
	defer stop()
	go pub.Run(bctx, time.Second)
	base := "http://" + ln.Addr().String()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}}
	get := func(path string) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		req.Header.Set("Accept", "application/json")
		r, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if err == nil && r.StatusCode != 200 {
			err = fmt.Errorf("GET %s: %d", path, r.StatusCode)
		}
		return err
	}
	// The phases below load the server through rawConn (one keep-alive connection per
	// client, written and read by hand): Go's HTTP client costs about as much CPU a
	// request as the server's HTTP handling, and the load generator shares the two cores.
	// Check once that a view carries a verified proof: the bench measures that work.
	if len(units) == 0 {
		return fmt.Errorf("the workload made no units")
	}
	var v public.View
	r, err := client.Get(base + dlPath(units[0]))
	if err != nil {
		return err
	}
	err = json.NewDecoder(r.Body).Decode(&v)
	r.Body.Close()
	if err != nil {
		return err
	}
	res.Verified = v.Integrity.Status == "verified"
	if !res.Verified || len(v.Steps) == 0 {
		return fmt.Errorf("the view of %s is not complete: integrity %q, %d steps", units[0], v.Integrity.Status, len(v.Steps))
	}

	phase := func(name string, next func(i int64) string) (perSec, p50, p99 float64, n int64, err error) {
		current.Store(name)
		defer current.Store("setup")
		if *profilePhase == name {
			stopProfile, err := startCPUProfile(*cpuprofile)
			if err != nil {
				return 0, 0, 0, 0, err
			}
			defer stopProfile()
		}
		var count atomic.Int64
		var mu sync.Mutex
		var lat []time.Duration
		var firstErr error
		deadline := time.Now().Add(*dur)
		var wg sync.WaitGroup
		began := time.Now()
		for range *clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				conn, err := dialRaw(ln.Addr().String())
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				defer conn.close()
				for time.Now().Before(deadline) {
					i := count.Add(1) - 1
					path := next(i)
					if path == "" {
						break
					}
					t0 := time.Now()
					if err := conn.get(path); err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		took := time.Since(began)
		if firstErr != nil {
			return 0, 0, 0, 0, fmt.Errorf("%s: %w", name, firstErr)
		}
		if len(lat) == 0 {
			return 0, 0, 0, 0, fmt.Errorf("%s: no request finished", name)
		}
		p50, p99 = percentiles(lat)
		return float64(len(lat)) / took.Seconds(), p50, p99, int64(len(lat)), nil
	}

	if *profilePhase == "" {
		stopProfile, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if res.FloorPerSec, _, res.FloorP99Ms, _, err = phase("floor", func(int64) string { return "/healthz" }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "floor (GET /healthz, same server and clients): %.0f req/s, p99 %.2f ms\n", res.FloorPerSec, res.FloorP99Ms)

	hot := units[:min(100, len(units))]
	for _, u := range hot { // warm the cache
		if err := get(dlPath(u)); err != nil {
			return err
		}
	}
	if res.WarmPerSec, res.WarmP50Ms, res.WarmP99Ms, _, err = phase("warm", func(i int64) string { return dlPath(hot[i%int64(len(hot))]) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "warm (%d codes, cached views): %.0f req/s, p50 %.2f ms, p99 %.2f ms\n", len(hot), res.WarmPerSec, res.WarmP50Ms, res.WarmP99Ms)

	// Distinct codes in a shuffled order: neighbouring units of one story share most of
	// their events, and asking for them in capture order would flatter the caches.
	cold := slices.Clone(units[len(hot):])
	rand.New(rand.NewPCG(*seed, 7)).Shuffle(len(cold), func(i, j int) { cold[i], cold[j] = cold[j], cold[i] })
	var n int64
	if res.ColdPerSec, res.ColdP50Ms, res.ColdP99Ms, n, err = phase("distinct", func(i int64) string {
		if i >= int64(len(cold)) {
			return ""
		}
		return dlPath(cold[i])
	}); err != nil {
		return err
	}
	res.DistinctSeen = int(n)
	fmt.Fprintf(stdout, "distinct (%d codes, each asked once, view assembled with its proof): %.0f req/s, p50 %.2f ms, p99 %.2f ms\n",
		n, res.ColdPerSec, res.ColdP50Ms, res.ColdP99Ms)
	res.WarmVsFloor, res.ColdVsFloor = res.WarmPerSec/res.FloorPerSec, res.ColdPerSec/res.FloorPerSec
	fmt.Fprintf(stdout, "ratios to the floor: warm %.2f, distinct %.2f\n", res.WarmVsFloor, res.ColdVsFloor)
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}

// dlPath is a Digital Link's path on this node.
func dlPath(uri string) string { return uri[len("https://id.gs1.org"):] + "?format=json" }

// benchLogKey returns the bench's log key: a new one, or for a kept directory the one
// kept beside the store, so that its checkpoints still verify on the next run.
func benchLogKey(dir string, keep bool) (skey, vkey string, err error) {
	path := filepath.Join(dir, "bench-log.key")
	if keep {
		if b, err := os.ReadFile(path); err == nil {
			if s, v, ok := strings.Cut(string(b), "\n"); ok {
				return s, strings.TrimSpace(v), nil
			}
		}
	}
	skey, vkey, err = tlog.GenerateEd25519("zhuisu.bench/log")
	if err != nil || !keep {
		return skey, vkey, err
	}
	return skey, vkey, os.WriteFile(path, []byte(skey+"\n"+vkey+"\n"), 0o600)
}

// rawConn is the bench's load generator: one keep-alive HTTP/1.1 connection that sends
// GET requests and reads responses by hand — status line, headers, a body of
// Content-Length or in chunks — checking that each is 200 and whole.
type rawConn struct {
	c   net.Conn
	r   *bufio.Reader
	req []byte
}

func dialRaw(addr string) (*rawConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &rawConn{c: c, r: bufio.NewReaderSize(c, 16<<10)}, nil
}

func (rc *rawConn) close() { rc.c.Close() }

func (rc *rawConn) get(path string) error {
	rc.req = append(rc.req[:0], "GET "...)
	rc.req = append(rc.req, path...)
	rc.req = append(rc.req, " HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n"...)
	if _, err := rc.c.Write(rc.req); err != nil {
		return err
	}
	line, err := rc.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if len(line) < 12 || string(line[9:12]) != "200" {
		return fmt.Errorf("GET %s: %q", path, strings.TrimSpace(string(line)))
	}
	length, chunked := -1, false
	for {
		line, err := rc.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		h := strings.TrimSpace(string(line))
		if h == "" {
			break
		}
		name, value, _ := strings.Cut(h, ":")
		switch strings.ToLower(name) {
		case "content-length":
			if length, err = strconv.Atoi(strings.TrimSpace(value)); err != nil {
				return fmt.Errorf("GET %s: Content-Length %q", path, value)
			}
		case "transfer-encoding":
			chunked = strings.EqualFold(strings.TrimSpace(value), "chunked")
		}
	}
	switch {
	case chunked:
		for {
			line, err := rc.r.ReadSlice('\n')
			if err != nil {
				return err
			}
			size, err := strconv.ParseInt(strings.TrimSpace(string(line)), 16, 64)
			if err != nil {
				return fmt.Errorf("GET %s: chunk size %q", path, line)
			}
			if _, err := rc.r.Discard(int(size) + 2); err != nil {
				return err
			}
			if size == 0 {
				return nil
			}
		}
	case length >= 0:
		_, err = rc.r.Discard(length)
		return err
	}
	return fmt.Errorf("GET %s: a response of unknown length", path)
}
