package postgres_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/store/postgres"
	"github.com/zhuisu/zhuisu/store/storetest"
)

// The suite runs against the PostgreSQL server named by ZHUISU_TEST_POSTGRES, e.g.
//
//	ZHUISU_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/zhuisu_test?sslmode=disable' go test ./store/postgres
//
// Every test gets its own schema (selected through the URL's search_path), dropped when
// the test ends, so tests share no data and may run in parallel.
const envURL = "ZHUISU_TEST_POSTGRES"

func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL store tests", envURL)
		}
		t.Skipf("%s is not set; skipping PostgreSQL store tests", envURL)
	}
	return u
}

// freshSchema creates an empty schema and returns a URL that selects it. The schema is
// dropped in the test's cleanup, after the stores opened on it are closed.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := serverURL(t)
	var rnd [8]byte
	rand.Read(rnd[:])
	schema := "test_" + hex.EncodeToString(rnd[:])
	admin := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if err := admin(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", envURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openURL(t testing.TB, u string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func open(t *testing.T) store.Store {
	t.Helper()
	db := openURL(t, freshSchema(t))
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	serverURL(t)
	storetest.Run(t, open)
}

// TestStoreCopy runs the suite again with every capture written by COPY, the path that
// large batches take.
func TestStoreCopy(t *testing.T) {
	serverURL(t)
	defer postgres.SetCopyMinRows(1)()
	storetest.Run(t, open)
}

func event(name string) *store.Event {
	e := &epcis.Event{
		Type:       epcis.ObjectEvent,
		EventID:    "urn:uuid:" + name,
		EventTime:  time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC),
		RecordTime: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC),
		Action:     epcis.ActionObserve,
		BizStep:    "shipping",
	}
	return &store.Event{
		Hash:    sha256.Sum256([]byte(name)),
		Event:   e,
		Doc:     []byte(`{"name":"` + name + `"}`),
		Subject: "91350100M000100Y43",
		Keys: []store.Key{
			{Role: store.RoleEPC, Value: "https://id.gs1.org/01/06901234567892/21/" + name},
			{Role: store.RoleSource, Type: "owning_party", Value: "https://id.gs1.org/417/6901234000000"},
		},
	}
}

func batch(id string, events ...*store.Event) *store.Batch {
	return &store.Batch{
		Job:    &store.Job{ID: id, State: store.JobSuccess, Events: len(events)},
		Events: events,
	}
}

// TestMigrateConcurrently starts several stores on one empty schema at once, as several
// `zhuisu serve` processes do: each migrates, none fails, the schema ends up current.
func TestMigrateConcurrently(t *testing.T) {
	u := freshSchema(t)
	ctx := context.Background()
	const n = 4
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		dbs[i] = openURL(t, u)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	have, want, err := dbs[0].SchemaVersion(ctx)
	if err != nil || have != want {
		t.Fatalf("SchemaVersion = %d, %d, %v", have, want, err)
	}
}

// TestConcurrentCapturesAreDense races captures through two pools (two processes, as
// far as the server can tell), several goroutines each, with batches that overlap: every
// stored event must get its own seq, the seqs must be exactly 0..N-1, and an event sent
// by several writers must be stored once, the others seeing it as a duplicate.
func TestConcurrentCapturesAreDense(t *testing.T) {
	u := freshSchema(t)
	ctx := context.Background()
	dbs := []*postgres.DB{openURL(t, u), openURL(t, u)}
	if err := dbs[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const writers, batches, perBatch = 6, 15, 20
	type outcome struct {
		b   *store.Batch
		res *store.CaptureResult
		err error
	}
	out := make([][]outcome, writers)
	for w := range writers {
		for i := range batches {
			var events []*store.Event
			for j := range perBatch - 1 {
				events = append(events, event(fmt.Sprintf("w%d-b%d-e%d", w, i, j)))
			}
			events = append(events, event(fmt.Sprintf("shared-%d", i))) // sent by every writer
			out[w] = append(out[w], outcome{b: batch(fmt.Sprintf("job-w%d-b%03d", w, i), events...)})
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		db := dbs[w%len(dbs)]
		wg.Go(func() {
			for i := range out[w] {
				out[w][i].res, out[w][i].err = db.Capture(ctx, out[w][i].b)
			}
		})
	}
	wg.Wait()

	var stored []int64
	seqOf := map[[32]byte]int64{}
	for w := range out {
		for _, o := range out[w] {
			if o.err != nil {
				t.Fatalf("Capture %s: %v", o.b.Job.ID, o.err)
			}
			for i, e := range o.b.Events {
				seq := o.res.Seqs[i]
				if !o.res.Duplicate[i] {
					stored = append(stored, seq)
				}
				if prev, ok := seqOf[e.Hash]; ok && prev != seq {
					t.Errorf("event %s has seqs %d and %d", e.Event.EventID, prev, seq)
				}
				seqOf[e.Hash] = seq
			}
		}
	}
	wantN := writers*batches*(perBatch-1) + batches
	if len(stored) != wantN {
		t.Fatalf("%d events stored, want %d", len(stored), wantN)
	}
	slices.Sort(stored)
	for i, s := range stored {
		if s != int64(i) {
			t.Fatalf("stored seqs are not 0..%d: position %d holds %d", wantN-1, i, s)
		}
	}
	if n, err := dbs[1].CountEvents(ctx); err != nil || n != int64(wantN) {
		t.Fatalf("CountEvents = %d, %v; want %d", n, err, wantN)
	}
	all, err := dbs[1].Events(ctx, &store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range all {
		if e.Seq != int64(i) || seqOf[e.Hash] != e.Seq {
			t.Fatalf("event at position %d has seq %d (hash maps to %d)", i, e.Seq, seqOf[e.Hash])
		}
	}
}

func TestUnavailable(t *testing.T) {
	serverURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Nothing listens on port 1.
	if _, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"); zhuisu.ErrorCode(err) != zhuisu.EUnavailable {
		t.Errorf("Open of an unreachable server: %v, want unavailable", err)
	}
	if _, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:5432/none?sslmode=disable&pool_max_conns=x"); zhuisu.ErrorCode(err) != zhuisu.EInvalid {
		t.Errorf("Open with a bad pool_max_conns: %v, want invalid", err)
	}

	db := open(t)
	cancelled, stop := context.WithCancel(context.Background())
	stop()
	if _, err := db.CountEvents(cancelled); zhuisu.ErrorCode(err) != zhuisu.EUnavailable {
		t.Errorf("CountEvents with a cancelled context: %v, want unavailable", err)
	}
	if _, err := db.Capture(cancelled, batch("job-cancelled", event("x"))); zhuisu.ErrorCode(err) != zhuisu.EUnavailable {
		t.Errorf("Capture with a cancelled context: %v, want unavailable", err)
	}
	// The pool still works afterwards.
	if err := db.Ping(context.Background()); err != nil {
		t.Fatalf("Ping after cancelled calls: %v", err)
	}
	db.Close()
	if _, err := db.CountEvents(context.Background()); zhuisu.ErrorCode(err) != zhuisu.EUnavailable {
		t.Errorf("CountEvents after Close: %v, want unavailable", err)
	}
}

// BenchmarkCapture1000 times one capture of 1,000 new events with two index keys each.
// (A PostgreSQL on the same machine gave about 22 ms/op.)
//
//	ZHUISU_TEST_POSTGRES=... go test ./store/postgres -run '^$' -bench Capture1000 -benchtime 50x
func BenchmarkCapture1000(b *testing.B) { benchCapture(b, 1000) }

// BenchmarkCapture1 times the capture of a single event.
func BenchmarkCapture1(b *testing.B) { benchCapture(b, 1) }

func benchCapture(b *testing.B, size int) {
	db := openURL(b, freshSchema(b))
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	doc := make([]byte, 600) // roughly an ObjectEvent with a few EPCs
	for i := range doc {
		doc[i] = 'a' + byte(i%26)
	}
	n := 0
	for b.Loop() {
		b.StopTimer()
		events := make([]*store.Event, size)
		for i := range events {
			events[i] = event(fmt.Sprintf("bench-%d-%d", n, i))
			events[i].Doc = doc
		}
		bt := batch(fmt.Sprintf("job-%06d", n), events...)
		n++
		b.StartTimer()
		res, err := db.Capture(ctx, bt)
		if err != nil {
			b.Fatal(err)
		}
		if res.Stored != size {
			b.Fatalf("stored %d of %d", res.Stored, size)
		}
	}
}

// TestNilDocIsRefused: like the SQLite adapter, a nil Doc violates NOT NULL — a bug of
// the caller, so an internal error, not a conflict — on both write paths, and stores
// nothing.
func TestNilDocIsRefused(t *testing.T) {
	s := open(t)
	for _, copyMin := range []int{1, 1000} {
		restore := postgres.SetCopyMinRows(copyMin)
		e := event("nil-doc")
		e.Doc = nil
		_, err := s.Capture(context.Background(), batch(fmt.Sprint("job-nil-", copyMin), e))
		restore()
		if zhuisu.ErrorCode(err) != zhuisu.EInternal {
			t.Errorf("copyMinRows %d: Capture of a nil Doc: %v, want internal", copyMin, err)
		}
	}
	if n, err := s.CountEvents(context.Background()); err != nil || n != 0 {
		t.Fatalf("CountEvents = %d, %v; want 0", n, err)
	}
}

// TestConcurrentAppendLog races integrators through two pools while captures run: for
// each size exactly one AppendLog wins, the losers get EConflict and store no nodes, and
// concurrent compare-and-sets of one witness state let exactly one writer through.
func TestConcurrentAppendLog(t *testing.T) {
	u := freshSchema(t)
	ctx := context.Background()
	dbs := []*postgres.DB{openURL(t, u), openURL(t, u)}
	if err := dbs[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const sizes, racers = 10, 6
	var wg sync.WaitGroup
	wg.Go(func() { // captures alongside
		for i := range 20 {
			if _, err := dbs[i%2].Capture(ctx, batch(fmt.Sprintf("job-%03d", i), event(fmt.Sprint("log-", i)))); err != nil {
				t.Errorf("Capture: %v", err)
			}
		}
	})
	wins := make([]int, sizes+1)
	var mu sync.Mutex
	for r := range racers {
		db := dbs[r%2]
		wg.Go(func() {
			for size := int64(1); size <= sizes; size++ {
				// Racer r stores its node at a seq of its own, so a loser's node would show.
				node := store.LogNode{Seq: size*100 + int64(r), Hashes: make([]byte, 32)}
				err := db.AppendLog(ctx, []store.LogNode{node}, &store.Checkpoint{Size: size, Note: []byte(fmt.Sprint(r)), CreatedAt: time.Unix(0, size)})
				switch zhuisu.ErrorCode(err) {
				case "":
					mu.Lock()
					wins[size]++
					mu.Unlock()
				case zhuisu.EConflict:
				default:
					t.Errorf("AppendLog(%d) by %d: %v", size, r, err)
				}
			}
		})
	}
	wg.Wait()
	all, err := dbs[0].Checkpoints(ctx, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for size := int64(1); size <= sizes; size++ {
		for r := range racers {
			seqs = append(seqs, size*100+int64(r))
		}
	}
	nodes, err := dbs[1].LogNodes(ctx, seqs)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]int{}
	for seq := range nodes {
		stored[seq/100]++
	}
	for size := int64(1); size <= sizes; size++ {
		if stored[size] > wins[size] {
			t.Errorf("size %d: %d integrations stored nodes, %d won", size, stored[size], wins[size])
		}
	}
	for i, cp := range all {
		if wins[cp.Size] != 1 || stored[cp.Size] != 1 || (i > 0 && cp.Size <= all[i-1].Size) {
			t.Errorf("checkpoint %d: %d wins, %d stored node sets", cp.Size, wins[cp.Size], stored[cp.Size])
		}
	}
	if len(all) == 0 || all[len(all)-1].Size != sizes {
		t.Fatalf("checkpoints %+v", all)
	}

	const origin = "zhuisu.example/race"
	first := &store.WitnessState{Size: 1, Root: [32]byte{1}}
	if err := dbs[0].SetWitnessState(ctx, origin, nil, first); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, racers)
	for r := range racers {
		wg.Go(func() {
			errs[r] = dbs[r%2].SetWitnessState(ctx, origin, first, &store.WitnessState{Size: int64(2 + r), Root: [32]byte{2}})
		})
	}
	wg.Wait()
	ok := 0
	for r, err := range errs {
		switch zhuisu.ErrorCode(err) {
		case "":
			ok++
		case zhuisu.EConflict:
		default:
			t.Errorf("SetWitnessState by %d: %v", r, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d compare-and-sets from one state succeeded, want 1", ok)
	}
}
