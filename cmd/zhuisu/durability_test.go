package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/workload"
)

// buildBinary compiles the zhuisu command once per test binary run.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "zhuisu-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "zhuisu")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// process is the real server binary running as a child process.
type process struct {
	cmd  *exec.Cmd
	base string
}

func startProcess(t *testing.T, bin, dir string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "-addr", addr, "-data", dir)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, base: "http://" + addr}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatalf("server at %s not ready after 20s", addr)
	return nil
}

func (p *process) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

// TestAcknowledgedCapturesSurviveKill9 captures in a loop while killing the real server
// with SIGKILL at random moments, then checks that every acknowledged event is stored
// exactly once.
func TestAcknowledgedCapturesSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary many times")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(42, 7))
	gen := workload.New(99)
	acked := map[string]bool{}
	const rounds = 15
	for round := range rounds {
		p := startProcess(t, bin, dir)
		token, err := os.ReadFile(filepath.Join(dir, "admin-token"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					mu.Lock()
					doc := docBytes(gen.Document(20 + rng.IntN(60)).Events)
					mu.Unlock()
					ids, ok := captureOnce(ctx, p.base, strings.TrimSpace(string(token)), doc)
					if ok {
						mu.Lock()
						for _, id := range ids {
							acked[id] = true
						}
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		p.kill()
		cancel()
		wg.Wait()
		t.Logf("round %d: %d events acknowledged so far", round, len(acked))
	}
	if len(acked) == 0 {
		t.Fatal("no capture was acknowledged: the test exercised nothing")
	}
	p := startProcess(t, bin, dir)
	defer p.kill()
	token, err := os.ReadFile(filepath.Join(dir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	counts := allEventIDs(t, p.base, strings.TrimSpace(string(token)))
	missing, twice := 0, 0
	for id := range acked {
		switch counts[id] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing > 0 || twice > 0 {
		t.Fatalf("of %d acknowledged events, %d are missing and %d stored more than once", len(acked), missing, twice)
	}
	t.Logf("%d acknowledged events over %d kills, all present exactly once (%d stored in all)", len(acked), rounds, len(counts))
	// The log survived the kills too: after the restart the node integrates what was
	// stored, and verify finds every event, leaf and checkpoint consistent.
	waitForSize(t, p.base, int64(len(counts)))
	var out bytes.Buffer
	if err := run(context.Background(), []string{"verify", "-data", dir}, &out, &out); err != nil {
		t.Fatalf("verify after %d kills: %v\n%s", rounds, err, out.String())
	}
	t.Log(strings.TrimSpace(out.String()))
}

func docBytes(events []*epcis.Event) []byte {
	var buf bytes.Buffer
	if err := epcis.EncodeJSON(&buf, events); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// captureOnce posts one document; ok is true only for a 202 with the stored event IDs.
func captureOnce(ctx context.Context, base, token string, doc []byte) ([]string, bool) {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/capture", bytes.NewReader(doc))
	req.Header.Set("Content-Type", "application/ld+json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		return nil, false
	}
	var job api.JobView
	if json.Unmarshal(body, &job) != nil {
		return nil, false
	}
	return job.EventIDs, true
}

// allEventIDs pages through every event and counts each eventID.
func allEventIDs(t *testing.T, base, token string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, page := range eventPages(t, base, token, "/events?perPage=1000") {
		for _, e := range page {
			counts[e.EventID]++
		}
	}
	return counts
}

// waitForSize waits until the node's published checkpoint covers size events.
func waitForSize(t *testing.T, base string, size int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/log/checkpoint")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// The checkpoint body: origin, tree size, root; then the signatures.
			if lines := strings.SplitN(string(body), "\n", 3); len(lines) == 3 {
				if n, err := strconv.ParseInt(lines[1], 10, 64); err == nil && n >= size {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no checkpoint covering %d events after 20s", size)
}
