package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"syscall"
	"time"

	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/tlog"
)

// VerifyBenchResult is the last line `zhuisu bench verify` prints.
type VerifyBenchResult struct {
	Events int64 `json:"events"`
	Rounds int   `json:"rounds"`
	// Events per second of wall time, the median of the rounds, for the general path
	// (every event decoded by DecodeEventJSON and hashed by Hash, the baseline) and for the
	// stored-form path Verify takes; Ratio is stored over general.
	GeneralEventsPerSec float64 `json:"general_events_per_sec"`
	StoredEventsPerSec  float64 `json:"stored_events_per_sec"`
	Ratio               float64 `json:"ratio"`
	// CPU time (user and system, all threads) per event, the median of the rounds: what
	// a verification costs whatever else the machine runs.
	GeneralCPUMicros float64 `json:"general_cpu_us_per_event"`
	StoredCPUMicros  float64 `json:"stored_cpu_us_per_event"`
	GeneralDecodes   int64   `json:"stored_path_general_decodes"`
}

// cmdBenchVerify verifies one existing store several times each way, alternating, and
// prints events/s and CPU time per event of both in the same run.
func cmdBenchVerify(ctx context.Context, args []string, stdout io.Writer) error {
	c := &Config{}
	fs := flag.NewFlagSet("bench verify", flag.ContinueOnError)
	storeFlags(fs, c)
	fs.StringVar(&c.LogKey, "log-key", envDefault("ZHUISU_LOG_KEY", ""), "the log's key file (its public half, KEY.pub, is used); empty: DATA/log.key")
	rounds := fs.Int("rounds", 3, "verifications of each kind")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	v, err := localVerifier(c)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	res := VerifyBenchResult{Rounds: *rounds}
	var rate, cpu [2][]float64
	for round := range *rounds {
		for k, general := range []bool{true, false} {
			cpu0, start := cpuTime(), time.Now()
			rep, err := integrity.VerifyWith(ctx, st, v.Name(), []tlog.Verifier{v}, integrity.Options{General: general})
			if err != nil {
				return err
			}
			wall, used := time.Since(start), cpuTime()-cpu0
			if !rep.OK() {
				return fmt.Errorf("the store does not verify: %s", rep.Problem)
			}
			res.Events = rep.Events
			if !general {
				res.GeneralDecodes = rep.GeneralDecodes
			}
			rate[k] = append(rate[k], float64(rep.Events)/wall.Seconds())
			cpu[k] = append(cpu[k], used.Seconds()*1e6/float64(max(rep.Events, 1)))
			fmt.Fprintf(stdout, "round %d %-7s %d events in %v: %.0f events/s, %.2f µs CPU per event\n",
				round+1, map[bool]string{true: "general", false: "stored"}[general], rep.Events, wall.Round(time.Millisecond),
				rate[k][len(rate[k])-1], cpu[k][len(cpu[k])-1])
		}
	}
	res.GeneralEventsPerSec, res.StoredEventsPerSec = median(rate[0]), median(rate[1])
	res.GeneralCPUMicros, res.StoredCPUMicros = median(cpu[0]), median(cpu[1])
	res.Ratio = res.StoredEventsPerSec / res.GeneralEventsPerSec
	fmt.Fprintf(stdout, "general %.0f events/s, stored %.0f events/s: %.2f× (CPU %.2f → %.2f µs per event)\n",
		res.GeneralEventsPerSec, res.StoredEventsPerSec, res.Ratio, res.GeneralCPUMicros, res.StoredCPUMicros)
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}

func median[T cmp.Ordered](v []T) T {
	if len(v) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
