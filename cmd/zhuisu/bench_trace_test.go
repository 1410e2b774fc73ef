package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
)

// The baseline is only fair if the recursive query finds what the index finds: the
// benchmark counts the identifiers of every sampled trace both ways and reports any
// difference. A small store shows the whole run working on each database.
func TestBenchTraceRecursiveSQLFindsWhatTheIndexFinds(t *testing.T) {
	stores := map[string]string{"sqlite": ""}
	if url := os.Getenv("ZHUISU_TEST_POSTGRES"); url != "" {
		stores["postgres"] = url
	}
	for name, url := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if url != "" {
				schemaURL, drop, err := freshSchema(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				defer drop()
				url = schemaURL
			}
			o := traceBenchOptions{Events: 3000, DataDir: t.TempDir(), DB: url, Samples: 60, SQLSamples: 60, Seed: 1}
			var out strings.Builder
			res, err := benchTrace(ctx, o, &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if res.Events < o.Events || res.TableRows == 0 || res.TableRows != res.Edges {
				t.Fatalf("store of %d events, table of %d rows for %d edges", res.Events, res.TableRows, res.Edges)
			}
			if len(res.Traces) != 4 || res.CountMismatches != 0 {
				t.Fatalf("traces %+v, %d count mismatches\n%s", res.Traces, res.CountMismatches, out.String())
			}
			for _, f := range res.Traces {
				if f.IDsMean <= 1 || f.P50Ms <= 0 || f.SQLP50Ms <= 0 {
					t.Errorf("%s depth %d: %+v", f.Direction, f.Depth, f)
				}
			}
			if res.RecallIdentifiers == 0 || res.RecallXLSXBytes == 0 {
				t.Errorf("recall of %s: %d identifiers, %d bytes of XLSX", res.RecallLot, res.RecallIdentifiers, res.RecallXLSXBytes)
			}
			// The same store again is reused, not generated twice.
			again, err := benchTrace(ctx, o, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			if !again.Reused || again.Events != res.Events {
				t.Errorf("second run: reused %v, %d events (first %d)", again.Reused, again.Events, res.Events)
			}
		})
	}
}

// On batches whose lots chain into each other, traces go deep, and the recursive query
// must still find what the index finds.
func TestBenchTraceRecursiveSQLFollowsDeepLinkedBatches(t *testing.T) {
	o := traceBenchOptions{Events: 4000, DataDir: t.TempDir(), Samples: 60, SQLSamples: 60, Seed: 1, Shape: "linked"}
	var out strings.Builder
	res, err := benchTrace(context.Background(), o, &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if res.CountMismatches != 0 {
		t.Fatalf("%d count mismatches\n%s", res.CountMismatches, out.String())
	}
	depth := map[int]float64{}
	for _, f := range res.Traces {
		depth[f.Depth] += f.IDsMean
	}
	if depth[6] <= depth[3] {
		t.Fatalf("depth 6 reached %.1f identifiers, depth 3 %.1f: the batches do not chain\n%s", depth[6], depth[3], out.String())
	}
}
