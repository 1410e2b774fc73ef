package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestBenchVerifyMeasuresBothPathsOnOneStore runs `bench verify` on a small demo store and
// reads its result line: both paths verified every event, and the stored-form path read
// every demo event without the general decoder.
func TestBenchVerifyMeasuresBothPathsOnOneStore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"demo", "-data", dir, "-events", "300"}, &out, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	var loaded int64 // demo loads whole stories: at least the events asked for
	_, rest, _ := strings.Cut(out.String(), "loaded ")
	if _, err := fmt.Sscanf(rest, "%d events", &loaded); err != nil || loaded < 300 {
		t.Fatalf("demo output %q: %v", out.String(), err)
	}
	out.Reset()
	if err := run(ctx, []string{"bench", "verify", "-data", dir, "-rounds", "2"}, &out, &out); err != nil {
		t.Fatalf("bench verify: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var res VerifyBenchResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("last line is not the result: %v\n%s", err, out.String())
	}
	if res.Events != loaded || res.Rounds != 2 || res.GeneralEventsPerSec <= 0 || res.StoredEventsPerSec <= 0 ||
		res.GeneralCPUMicros <= 0 || res.StoredCPUMicros <= 0 || res.GeneralDecodes != 0 {
		t.Fatalf("result %+v\n%s", res, out.String())
	}
	rounds := map[string]int{}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "round" {
			rounds[f[2]]++
		}
	}
	if rounds["general"] != 2 || rounds["stored"] != 2 {
		t.Fatalf("rounds printed %v, want 2 of each:\n%s", rounds, out.String())
	}
}
