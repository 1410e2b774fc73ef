package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/codes"
)

const codeUsage = `usage: zhuisu code check [-json] CODE...

Reads each CODE in any form the platform accepts (GS1 Digital Link URI, EPC URN, scanner
data with a symbology identifier such as ]d2 or ]Q1, bracketed or ^ element string, GTIN
or SSCC digits, Chinese national codes and their urn:zhuisu:code: URIs) and prints its
scheme, canonical URI, human form and parts, or the reason it is not valid. Exit status 0
when every code is valid, 1 otherwise.
`

// cmdCode runs "zhuisu code SUBCOMMAND".
func cmdCode(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(stdout, codeUsage)
			return nil
		}
		fmt.Fprint(stderr, codeUsage)
		return exitError(2)
	}
	fs := flag.NewFlagSet("code check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, codeUsage); fs.PrintDefaults() }
	asJSON := fs.Bool("json", false, "print a JSON array, one object per code")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitError(2)
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, "zhuisu code check: no code given\n\n"+codeUsage)
		return exitError(2)
	}
	views := make([]api.CodeView, fs.NArg())
	allValid := true
	for i, in := range fs.Args() {
		c, err := codes.Parse(in)
		views[i] = api.NewCodeView(in, c, err)
		allValid = allValid && views[i].Valid
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(views); err != nil {
			return err
		}
	} else {
		for _, v := range views {
			printCode(stdout, v)
		}
	}
	if !allValid {
		return exitError(1)
	}
	return nil
}

// printCode writes one code as text: the input, then its scheme, canonical URI, human
// form and parts, and "valid"; or the reason it is not valid.
func printCode(w io.Writer, v api.CodeView) {
	fmt.Fprintln(w, shownInput(v.Input))
	if !v.Valid {
		fmt.Fprintln(w, "  invalid:", v.Error)
		return
	}
	fmt.Fprintf(w, "  scheme     %s  %s\n", v.Scheme, v.SchemeName)
	fmt.Fprintf(w, "  canonical  %s\n", v.Canonical)
	fmt.Fprintf(w, "  human      %s\n", v.Human)
	for _, p := range v.Parts {
		fmt.Fprintf(w, "  part       %s = %s", p.Name, p.Value)
		if p.Meaning != "" {
			fmt.Fprintf(w, "  (%s)", p.Meaning)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "  valid")
}

// shownInput is the input as printed: quoted when it holds control characters (such as
// the GS separator of scanner data) or surrounding spaces.
func shownInput(s string) string {
	if s == "" || strings.TrimSpace(s) != s || strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}
