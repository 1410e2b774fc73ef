package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/workload"
)

// cmdDemo loads generated events into a store through the capture service (the same
// validation, hashing and storage as the API) and brings the log up to date.
func cmdDemo(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	c := &Config{}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	storeFlags(fs, c)
	logFlags(fs, c)
	events := fs.Int("events", 10000, "events to load")
	seed := fs.Uint64("seed", 1, "workload seed: the same seed loads the same events")
	shape := fs.String("shape", "chain", "chain: farm-to-table stories (aggregation, transformation, transfers); flat: independent object events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkSchema(ctx, st, false, log); err != nil {
		return err
	}
	origin := c.LogOrigin
	if origin == "" {
		origin = defaultOrigin()
	}
	signer, verifier, vkey, err := logKeys(c.logKeyPath(), origin, c.LogKeyType)
	if err != nil {
		return err
	}
	svc := capture.New(st)
	gen := workload.New(*seed)
	start := time.Now()
	stored := 0
	if *shape != "chain" && *shape != "flat" {
		return fmt.Errorf("-shape %q: want chain or flat", *shape)
	}
	loaded := 0
	for loaded < *events {
		n := min(1000, *events-loaded)
		var doc *epcis.Document
		if *shape == "chain" {
			doc = gen.StoryDocument(n)
		} else {
			doc = gen.Document(n)
		}
		res, err := svc.Capture(ctx, doc, "")
		if err != nil {
			return err
		}
		stored += res.Outcome.Stored
		loaded += len(doc.Events)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "loaded %d events (%d new) in %s, %.0f events/s\n", loaded, stored, took.Round(time.Millisecond), float64(loaded)/took.Seconds())
	logSvc := &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer, Verifiers: []tlog.Verifier{verifier}, PublicKey: vkey, MaxStep: 1 << 20, Log: log}
	start = time.Now()
	for {
		cp, err := logSvc.Integrate(ctx)
		if err != nil {
			return err
		}
		if cp == nil {
			break
		}
		fmt.Fprintf(stdout, "log: signed checkpoint of size %d\n", cp.Size)
	}
	fmt.Fprintf(stdout, "log integrated in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
