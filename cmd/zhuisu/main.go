// Command zhuisu is the whole platform in one binary: the server, its migrations, and
// the tools that run against a store. This is the one place that wires concrete parts
// together; every other package depends only on contracts.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

const usage = `zhuisu — product traceability platform (追溯)

usage:
  zhuisu serve    [-addr A] [-data DIR] [-db URL] [-migrate]   run the server
  zhuisu migrate  [-data DIR] [-db URL]                         apply schema migrations
  zhuisu trace    [-direction backward|forward|both] [-depth N] [-json] CODE  trace a code
  zhuisu label    [-format png|svg|pdf] [-o FILE] CODE...       render printable code labels
  zhuisu demo     [-data DIR] [-db URL] [-events N] [-seed S]   load generated demo events
  zhuisu verify   [-data DIR] [-db URL] | -remote URL [-key K]  check the tamper-evident log
  zhuisu code check [-json] CODE...                             check trace codes of any scheme
  zhuisu user add|list|unlock|passwd|totp|disable|enable [flags]  manage accounts at the console
  zhuisu bench ingest [flags]                                   measure capture throughput
  zhuisu bench verify [-data DIR] [-db URL] [-rounds N]         measure verify, general vs stored-form path
  zhuisu bench lookup [-events N] [-clients N]                  measure public lookups, warm and distinct
  zhuisu version

Run "zhuisu COMMAND -h" for a command's flags. Every flag has an environment variable
of the same meaning (ZHUISU_ADDR, ZHUISU_DATA, ZHUISU_DB, ...).
`

var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		fmt.Fprintln(os.Stderr, "zhuisu:", err)
		os.Exit(1)
	}
}

// exitError ends the process with a status after the command printed its own report.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError(2)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], log)
	case "migrate":
		return cmdMigrate(ctx, args[1:], stdout, log)
	case "trace":
		return cmdTrace(ctx, args[1:], stdout, log)
	case "label":
		return cmdLabel(ctx, args[1:], stdout, log)
	case "demo":
		return cmdDemo(ctx, args[1:], stdout, log)
	case "code":
		return cmdCode(args[1:], stdout, stderr)
	case "verify":
		return cmdVerify(ctx, args[1:], stdout, log)
	case "user":
		return cmdUser(ctx, args[1:], stdout, log)
	case "bench":
		return cmdBench(ctx, args[1:], stdout, log)
	case "version":
		fmt.Fprintln(stdout, "zhuisu", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "zhuisu: unknown command %q\n\n%s", args[0], usage)
	return exitError(2)
}

// envDefault returns the environment variable's value, or def when it is unset.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// startCPUProfile writes a CPU profile to path until the returned func is called; an
// empty path profiles nothing.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
