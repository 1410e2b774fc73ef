package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
)

// lines returns the non-empty, non-comment lines of a file.
func lines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// witnessService sets up this node as a witness of the logs listed in c.WitnessFor, with
// a cosigner key kept in DATA/witness.key (created on first use). nil when not a witness.
func witnessService(c *Config, st store.Store, name string) (*integrity.WitnessService, string, error) {
	if c.WitnessFor == "" {
		return nil, "", nil
	}
	keys, err := lines(c.WitnessFor)
	if err != nil {
		return nil, "", fmt.Errorf("-witness-for: %w", err)
	}
	logs := map[string][]tlog.Verifier{}
	for _, k := range keys {
		v, err := tlog.ParseVerifierKey(k)
		if err != nil {
			return nil, "", fmt.Errorf("-witness-for %s: %w", c.WitnessFor, err)
		}
		logs[v.Name()] = append(logs[v.Name()], v)
	}
	path := filepath.Join(c.DataDir, "witness.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, vkey, gerr := tlog.GenerateCosigner(name)
		if gerr != nil {
			return nil, "", gerr
		}
		if err := os.WriteFile(path, []byte(skey+"\n"), 0o600); err != nil {
			return nil, "", err
		}
		if err := os.WriteFile(filepath.Join(c.DataDir, "witness.pub"), []byte(vkey+"\n"), 0o644); err != nil {
			return nil, "", err
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, "", err
	}
	signer, err := tlog.ParseSignerKey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	cosigner, ok := signer.(*tlog.Cosigner)
	if !ok {
		return nil, "", fmt.Errorf("%s is not a witness (cosignature) key", path)
	}
	return &integrity.WitnessService{Store: st, Witness: &tlog.Witness{Cosigner: cosigner, Logs: logs}}, cosigner.VerifierKey(), nil
}

// witnessPeers reads the witnesses this node's log asks to co-sign.
func witnessPeers(c *Config) ([]*integrity.WitnessPeer, error) {
	if c.Witnesses == "" {
		return nil, nil
	}
	ls, err := lines(c.Witnesses)
	if err != nil {
		return nil, fmt.Errorf("-witnesses: %w", err)
	}
	var peers []*integrity.WitnessPeer
	for _, l := range ls {
		url, key, ok := strings.Cut(l, " ")
		if !ok {
			return nil, fmt.Errorf("-witnesses %s: line %q: want \"URL VKEY\"", c.Witnesses, l)
		}
		v, err := tlog.ParseVerifierKey(strings.TrimSpace(key))
		if err != nil {
			return nil, fmt.Errorf("-witnesses %s: %w", c.Witnesses, err)
		}
		peers = append(peers, &integrity.WitnessPeer{URL: url, Verifier: v})
	}
	return peers, nil
}

// httpPost posts an add-checkpoint request to a witness.
func httpPost() integrity.Post {
	client := &http.Client{Timeout: 10 * time.Second}
	return func(ctx context.Context, url string, body []byte) (int, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, b, err
	}
}
