package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/tlog"
)

// cmdVerify checks a store (or, with -remote, a running node from outside) and exits 0
// when everything holds, 1 with the first problem named otherwise.
func cmdVerify(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	c := &Config{}
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	storeFlags(fs, c)
	fs.StringVar(&c.LogKey, "log-key", envDefault("ZHUISU_LOG_KEY", ""), "the log's key file (its public half, KEY.pub, is used); empty: DATA/log.key")
	remote := fs.String("remote", "", "verify the node at this URL from its published checkpoint and tiles only")
	vkey := fs.String("key", "", "with -remote: the log's public key (text, or a file holding it); empty: take the node's own /log/key")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	facts := fs.Bool("facts", false, "also work out each event's public facts again and compare them with the facts stored beside it (the public page shows those)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *facts && *remote != "" {
		return fmt.Errorf("-facts reads the store: it cannot go with -remote, which reads only the published log")
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	start := time.Now()
	var rep *integrity.Report
	var factsTook time.Duration // not counted in the log's rate
	if *remote != "" {
		key := *vkey
		if b, err := os.ReadFile(key); err == nil {
			key = string(b)
		}
		base := strings.TrimSuffix(*remote, "/") + "/log/"
		fetch := httpFetch(base)
		if key == "" {
			b, err := fetch(ctx, "key")
			if err != nil {
				return err
			}
			key = string(b)
			fmt.Fprintln(stdout, "warning: trusting the key the node itself publishes; give -key to check against a key you know")
		}
		v, err := tlog.ParseVerifierKey(strings.TrimSpace(key))
		if err != nil {
			return err
		}
		rep, err = integrity.VerifyRemote(ctx, fetch, v.Name(), []tlog.Verifier{v})
		if err != nil {
			return err
		}
	} else {
		v, err := localVerifier(c)
		if err != nil {
			return err
		}
		st, err := openStore(ctx, c)
		if err != nil {
			return err
		}
		defer st.Close()
		rep, err = integrity.Verify(ctx, st, v.Name(), []tlog.Verifier{v})
		if err != nil {
			return err
		}
		if *facts && rep.OK() {
			fstart := time.Now()
			fc, err := public.CheckFacts(ctx, st, runtime.GOMAXPROCS(0))
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "facts: %d events checked, %d stored without facts of this version, in %s\n",
				fc.Checked, fc.Without, time.Since(fstart).Round(time.Millisecond))
			factsTook = time.Since(fstart)
			if fc.Problem != "" {
				fmt.Fprintln(stdout, "FAIL:", fc.Problem)
				return exitError(1)
			}
		}
	}
	took := time.Since(start) - factsTook
	fmt.Fprintf(stdout, "events %d, checkpoints %d, tree size %d, %.0f events/s\n",
		rep.Events, rep.Checkpoints, rep.TreeSize, float64(rep.Events)/max(took.Seconds(), 1e-9))
	if !rep.OK() {
		fmt.Fprintln(stdout, "FAIL:", rep.Problem)
		return exitError(1)
	}
	fmt.Fprintln(stdout, "OK: every event, leaf and checkpoint holds")
	return nil
}

// localVerifier reads the log's public key from beside its key file.
func localVerifier(c *Config) (tlog.Verifier, error) {
	b, err := os.ReadFile(pubPath(c.logKeyPath()))
	if errors.Is(err, fs.ErrNotExist) {
		skey, kerr := os.ReadFile(c.logKeyPath())
		if kerr != nil {
			return nil, fmt.Errorf("no log key at %s: %w", c.logKeyPath(), kerr)
		}
		vkey, verr := tlog.VerifierKeyOf(strings.TrimSpace(string(skey)))
		if verr != nil {
			return nil, verr
		}
		b, err = []byte(vkey), nil
	}
	if err != nil {
		return nil, err
	}
	return tlog.ParseVerifierKey(strings.TrimSpace(string(b)))
}

func httpFetch(base string) integrity.Fetch {
	client := &http.Client{Timeout: 30 * time.Second}
	return func(ctx context.Context, path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s%s: %s", base, path, resp.Status)
		}
		return body, nil
	}
}
