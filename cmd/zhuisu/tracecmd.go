package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/zhuisu/zhuisu/trace"
)

// cmdTrace prints where a code came from and where it went, as a tree (or JSON).
func cmdTrace(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	c := &Config{}
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	storeFlags(fs, c)
	direction := fs.String("direction", "both", "backward, forward or both")
	depth := fs.String("depth", "", "steps to follow; empty: all")
	at := fs.String("at", "", "containment at this time (RFC 3339); empty: any time")
	asJSON := fs.Bool("json", false, "print the JSON the API answers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: zhuisu trace [-direction backward|forward|both] [-depth N] [-json] CODE")
	}
	req, err := trace.ParseRequest(fs.Arg(0), *direction, *depth, *at)
	if err != nil {
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
	res, err := trace.New(st).Trace(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printTree(stdout, res)
	return nil
}

// printTree prints the identifiers as a tree from the root, each under the identifier
// it was reached from, with the kind of step and the event.
func printTree(w io.Writer, res *trace.Result) {
	kind := map[string]trace.Identifier{}
	for _, id := range res.Identifiers {
		kind[id.ID] = id
	}
	children := map[string][]trace.Edge{}
	for _, e := range res.Edges {
		children[e.From] = append(children[e.From], e)
		rev := trace.Edge{From: e.To, To: e.From, Kind: "← " + e.Kind, EventID: e.EventID}
		children[e.To] = append(children[e.To], rev)
	}
	seen := map[string]bool{}
	var walk func(id, how, indent string)
	walk = func(id, how, indent string) {
		n := kind[id]
		line := indent + id
		if n.Kind != "" {
			line += "  [" + n.Kind + "]"
		}
		if n.Holder != "" {
			line += "  held by " + n.Holder
		}
		if how != "" {
			line = indent + "└─ " + how + ": " + strings.TrimPrefix(line, indent)
		}
		fmt.Fprintln(w, line)
		// Parties and locations are where goods are, not goods: the walk stops at them.
		if seen[id] || how != "" && (n.Kind == "party" || n.Kind == "location" || n.Kind == "class") {
			return
		}
		seen[id] = true
		for _, e := range children[id] {
			if !seen[e.To] {
				walk(e.To, e.Kind, indent+"   ")
			}
		}
	}
	walk(res.Root, "", "")
	fmt.Fprintf(w, "\n%d identifiers, %d events, %d parties, %d locations, %d documents\n",
		len(res.Identifiers), len(res.Events), len(res.Parties), len(res.Locations), len(res.Documents))
	for _, e := range res.Events {
		fmt.Fprintf(w, "  %s  %-20s %-15s %s\n", e.Time.Format("2006-01-02 15:04"), e.Type, e.BizStep, e.EventID)
	}
}
