package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/workload"
)

// captureDocs posts n documents of size events each and returns every eventID stored.
func captureDocs(t *testing.T, s *testServer, seed uint64, n, size int) []string {
	t.Helper()
	g := workload.New(seed)
	var ids []string
	for range n {
		resp, body := s.do(t, "POST", "/capture", "application/ld+json", docJSON(t, g.Document(size).Events), true)
		var job api.JobView
		if resp.StatusCode != http.StatusAccepted || json.Unmarshal(body, &job) != nil {
			t.Fatalf("capture: %s %s", resp.Status, body)
		}
		ids = append(ids, job.EventIDs...)
	}
	return ids
}

// waitCheckpoint waits until the published checkpoint covers size events.
func waitCheckpoint(t *testing.T, s *testServer, size int64, verifier tlog.Verifier) tlog.Checkpoint {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, body := s.do(t, "GET", "/log/checkpoint", "", nil, true)
		if resp.StatusCode == 200 {
			cp, err := tlog.OpenCheckpoint(body, verifier.Name(), verifier)
			if err != nil {
				t.Fatalf("published checkpoint does not verify: %v\n%s", err, body)
			}
			if cp.Size >= size {
				return cp
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no checkpoint covering %d events within 10s", size)
	return tlog.Checkpoint{}
}

func serverVerifier(t *testing.T, s *testServer) tlog.Verifier {
	t.Helper()
	resp, body := s.do(t, "GET", "/log/key", "", nil, true)
	if resp.StatusCode != 200 {
		t.Fatalf("/log/key: %s", resp.Status)
	}
	v, err := tlog.ParseVerifierKey(strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEveryEventGetsAProofAgainstASignedCheckpoint(t *testing.T) {
	s := startServer(t, func(c *Config) { c.LogInterval = 50 * time.Millisecond })
	ids := captureDocs(t, s, 21, 3, 170) // 510 events: two full tiles and a partial one
	v := serverVerifier(t, s)
	cp := waitCheckpoint(t, s, int64(len(ids)), v)
	for _, i := range []int{0, 1, 255, 256, 300, len(ids) - 1} {
		id := ids[i]
		resp, body := s.do(t, "GET", "/api/events/"+url.PathEscape(id)+"/proof", "", nil, true)
		if resp.StatusCode != 200 {
			t.Fatalf("proof of event %d: %s %s", i, resp.Status, body)
		}
		var p integrity.EventProof
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		// Re-hash the record the proof carries, and the event the API returns; rebuild the
		// entry; then check the proof against the checkpoint the proof names.
		_, evBody := s.do(t, "GET", "/events/"+url.PathEscape(id), "", nil, true)
		e, err := epcis.DecodeEventJSON(evBody)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := epcis.DecodeEventJSON(p.Record)
		if err != nil {
			t.Fatal(err)
		}
		sum, ok := store.ParseHashURI(epcis.Hash(e))
		if !ok || epcis.Hash(rec) != epcis.Hash(e) || store.HashURI(sum) != p.EventHash || p.LeafIndex != int64(i) {
			t.Fatalf("event %d: rehash %x, proof says hash %s at leaf %d", i, sum, p.EventHash, p.LeafIndex)
		}
		entry := store.EntryOf(sum, store.DocDigest(p.Record), p.Subject, p.Declares)
		if entry != p.Entry {
			t.Fatalf("event %d: the entry rebuilt from the record is %x, the proof says %x", i, entry, p.Entry)
		}
		pcp, err := tlog.OpenCheckpoint([]byte(p.Checkpoint), v.Name(), v)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Inclusion.Verify(tlog.LeafHash(entry), pcp.Root); err != nil {
			t.Fatalf("inclusion proof of event %d does not verify: %v", i, err)
		}
		// A proof against another leaf must fail.
		if err := p.Inclusion.Verify(tlog.LeafHash([32]byte{1}), pcp.Root); err == nil {
			t.Fatal("the proof verified a leaf it is not for")
		}
	}
	more := captureDocs(t, s, 22, 1, 40)
	cp2 := waitCheckpoint(t, s, int64(len(ids)+len(more)), v)
	resp, body := s.do(t, "GET", "/api/log/consistency?from="+itoa(cp.Size)+"&to="+itoa(cp2.Size), "", nil, true)
	var cons struct {
		Proof tlog.ConsistencyProof `json:"proof"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &cons) != nil {
		t.Fatalf("consistency: %s %s", resp.Status, body)
	}
	if err := cons.Proof.Verify(cp.Root, cp2.Root); err != nil {
		t.Fatalf("consistency proof %d→%d does not verify: %v", cp.Size, cp2.Size, err)
	}
	// A monitor, from the published tiles and checkpoint only.
	rep, err := integrity.VerifyRemote(context.Background(), httpFetch(s.URL+"/log/"), v.Name(), []tlog.Verifier{v})
	if err != nil || !rep.OK() || rep.Events != cp2.Size {
		t.Fatalf("remote verify: %+v, %v", rep, err)
	}
	resp, _ = s.do(t, "GET", "/log/tile/0/000", "", nil, true)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("full tile: %s, Cache-Control %q", resp.Status, resp.Header.Get("Cache-Control"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestVerifyCommandPassesOnAnIntactStore(t *testing.T) {
	s := startServer(t, func(c *Config) { c.LogInterval = 30 * time.Millisecond })
	ids := captureDocs(t, s, 31, 2, 150)
	waitCheckpoint(t, s, int64(len(ids)), serverVerifier(t, s))
	// verify works with the server running...
	var out bytes.Buffer
	if err := run(context.Background(), []string{"verify", "-data", s.Dir}, &out, &out); err != nil {
		t.Fatalf("verify on a running server: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "OK") || !strings.Contains(out.String(), "events 300") {
		t.Fatalf("verify said %q", out.String())
	}
	// ...and stopped.
	s.stop()
	out.Reset()
	if err := run(context.Background(), []string{"verify", "-data", s.Dir}, &out, &out); err != nil {
		t.Fatalf("verify on a stopped server: %v\n%s", err, out.String())
	}
	// -facts checks every event's public facts too, and names one changed in the store.
	out.Reset()
	if err := run(context.Background(), []string{"verify", "-facts", "-data", s.Dir}, &out, &out); err != nil || !strings.Contains(out.String(), "facts: 300 events checked") {
		t.Fatalf("verify -facts: %v\n%s", err, out.String())
	}
	db, err := sql.Open("sqlite", filepath.Join(s.Dir, "zhuisu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Event 7 shows event 0's facts: readable, but not its own.
	if _, err := db.Exec(`UPDATE events SET facts = (SELECT facts FROM events WHERE seq = 0) WHERE seq = 7`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(context.Background(), []string{"verify", "-facts", "-data", s.Dir}, &out, &out)
	if err == nil || !strings.Contains(out.String(), "FAIL: event 7: its stored facts are not the facts of its record") {
		t.Fatalf("verify -facts after event 7's facts were replaced by event 0's: %v\n%s", err, out.String())
	}
}
