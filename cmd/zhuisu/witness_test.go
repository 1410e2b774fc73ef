package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/tlog"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestWitnessCosignsConsistentCheckpointsAndRefusesForks runs two real nodes: A's log
// asks B, its witness, to co-sign every checkpoint.
func TestWitnessCosignsConsistentCheckpointsAndRefusesForks(t *testing.T) {
	aSkey, aVkey, err := tlog.GenerateEd25519("zhuisu/test-a")
	if err != nil {
		t.Fatal(err)
	}
	bSkey, bVkey, err := tlog.GenerateCosigner("zhuisu/test-b/witness")
	if err != nil {
		t.Fatal(err)
	}
	b := startServer(t, func(c *Config) {
		writeFile(t, filepath.Join(c.DataDir, "witness.key"), bSkey)
		c.WitnessFor = filepath.Join(c.DataDir, "follows")
		writeFile(t, c.WitnessFor, "# logs this node witnesses\n"+aVkey+"\n")
	})
	a := startServer(t, func(c *Config) {
		writeFile(t, filepath.Join(c.DataDir, "log.key"), aSkey)
		c.Witnesses = filepath.Join(c.DataDir, "witnesses")
		writeFile(t, c.Witnesses, b.URL+"/log/witness/add-checkpoint "+bVkey+"\n")
		c.LogInterval = 30 * time.Millisecond
	})
	aV, _ := tlog.ParseVerifierKey(aVkey)
	bV, _ := tlog.ParseVerifierKey(bVkey)
	cosigned := func(size int64) []byte {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			resp, body := a.do(t, "GET", "/log/checkpoint", "", nil, false)
			if resp.StatusCode == 200 {
				cp, err := tlog.OpenCheckpoint(body, "zhuisu/test-a", aV)
				if err != nil {
					t.Fatal(err)
				}
				if cs, err := tlog.VerifyCosignatures(body, bV); cp.Size >= size && err == nil && len(cs) == 1 {
					return body
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no checkpoint of size >= %d co-signed by the witness within 10s", size)
		return nil
	}
	n := len(captureDocs(t, a, 41, 1, 100))
	first := cosigned(int64(n))
	n += len(captureDocs(t, a, 42, 1, 60)) // the witness now needs a consistency proof
	second := cosigned(int64(n))

	signer, err := tlog.ParseSignerKey(aSkey)
	if err != nil {
		t.Fatal(err)
	}
	cp2, _ := tlog.OpenCheckpoint(second, "zhuisu/test-a", aV)
	cp1, _ := tlog.OpenCheckpoint(first, "zhuisu/test-a", aV)
	post := func(req tlog.AddCheckpointRequest) int {
		resp, err := http.Post(b.URL+"/log/witness/add-checkpoint", "text/plain", strings.NewReader(string(req.Format())))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	forkRoot := cp2.Root
	forkRoot[0] ^= 1
	fork, err := tlog.SignCheckpoint("zhuisu/test-a", cp2.Size, forkRoot, signer)
	if err != nil {
		t.Fatal(err)
	}
	otherSkey, _, _ := tlog.GenerateEd25519("zhuisu/test-a")
	other, _ := tlog.ParseSignerKey(otherSkey)
	impostor, _ := tlog.SignCheckpoint("zhuisu/test-a", cp2.Size+10, cp2.Root, other)
	unknownSkey, _, _ := tlog.GenerateEd25519("zhuisu/stranger")
	unknown, _ := tlog.ParseSignerKey(unknownSkey)
	stranger, _ := tlog.SignCheckpoint("zhuisu/stranger", 5, cp2.Root, unknown)
	for _, tc := range []struct {
		name string
		req  tlog.AddCheckpointRequest
		want int
	}{
		{"rollback to an older checkpoint", tlog.AddCheckpointRequest{OldSize: cp2.Size, Checkpoint: first}, http.StatusConflict},
		{"fork at the same size", tlog.AddCheckpointRequest{OldSize: cp2.Size, Checkpoint: fork}, http.StatusConflict},
		{"signed by another key", tlog.AddCheckpointRequest{OldSize: cp2.Size, Checkpoint: impostor}, http.StatusForbidden},
		{"a log the witness does not follow", tlog.AddCheckpointRequest{OldSize: 0, Checkpoint: stranger}, http.StatusNotFound},
		{"from a size the witness never co-signed", tlog.AddCheckpointRequest{OldSize: cp1.Size - 1, Checkpoint: second}, http.StatusConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(tc.req); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
	// After all the refusals the witness still follows the real log.
	n += len(captureDocs(t, a, 43, 1, 30))
	cosigned(int64(n))
}
