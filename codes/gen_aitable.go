//go:build ignore

// gen_aitable writes gs1_aitable.go, the package's application-identifier table, from a
// copy of the GS1 Barcode Syntax Dictionary (https://github.com/gs1/gs1-syntax-dictionary,
// Apache-2.0). The dictionary itself is not part of this repository; only the Go table
// generated from it is. Run it by hand when GS1 publishes a new release:
//
//	go run gen_aitable.go -in /path/to/gs1-syntax-dictionary.txt -out gs1_aitable.go
//
// Nothing reads the dictionary at build or test time.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"regexp"
	"strconv"
	"strings"
)

var linterNames = map[string]string{
	"csum":           "LintCsum",
	"csumalpha":      "LintCsumAlpha",
	"gcppos1":        "LintGCPPos1",
	"gcppos2":        "LintGCPPos2",
	"hasnondigit":    "LintHasNonDigit",
	"hh":             "LintHH",
	"hhmi":           "LintHHMI",
	"hyphen":         "LintHyphen",
	"iban":           "LintIBAN",
	"importeridx":    "LintImporterIdx",
	"iso3166":        "LintISO3166",
	"iso3166999":     "LintISO3166or999",
	"iso3166alpha2":  "LintISO3166Alpha2",
	"iso4217":        "LintISO4217",
	"iso5218":        "LintISO5218",
	"latitude":       "LintLatitude",
	"longitude":      "LintLongitude",
	"mediatype":      "LintMediaType",
	"mi":             "LintMI",
	"nonzero":        "LintNonZero",
	"nozeroprefix":   "LintNoZeroPrefix",
	"packagetype":    "LintPackageType",
	"pcenc":          "LintPercentEncoded",
	"pieceoftotal":   "LintPieceOfTotal",
	"posinseqslash":  "LintPosInSeqSlash",
	"ss":             "LintSS",
	"winding":        "LintWinding",
	"yesno":          "LintYesNo",
	"yymmd0":         "LintYYMMD0",
	"yymmdd":         "LintYYMMDD",
	"yyyymmdd":       "LintYYYYMMDD",
	"zero":           "LintZero",
	"couponcode":     "LintCouponCode",
	"couponposoffer": "LintCouponPosOffer",
}

var (
	aiRe   = regexp.MustCompile(`^(\d{2,4})(?:-(\d{2,4}))?$`)
	compRe = regexp.MustCompile(`^(\[?)([NXYZ])(\d+|\.\.\d+)(\]?)((?:,[a-z0-9]+)*)$`)
)

func main() {
	in := flag.String("in", "", "path of gs1-syntax-dictionary.txt")
	out := flag.String("out", "gs1_aitable.go", "output Go file")
	flag.Parse()
	if *in == "" {
		log.Fatal("-in is required")
	}
	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	release := ""
	var b bytes.Buffer
	sc := bufio.NewScanner(f)
	var entries []string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# Release:") {
			release = strings.TrimSpace(strings.TrimPrefix(line, "# Release:"))
		}
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		title := ""
		if i := strings.Index(line, "#"); i >= 0 {
			title = strings.TrimSpace(line[i+1:])
			line = line[:i]
		}
		fields := strings.Fields(line)
		m := aiRe.FindStringSubmatch(fields[0])
		if m == nil {
			log.Fatalf("bad AI field %q", fields[0])
		}
		first, last := m[1], m[2]
		if last == "" {
			last = first
		}
		rest := fields[1:]
		fixed, attr := false, false
		if len(rest) > 0 && strings.Trim(rest[0], "*?") == "" {
			fixed = strings.Contains(rest[0], "*")
			attr = strings.Contains(rest[0], "?")
			rest = rest[1:]
		}
		var comps []string
		var pkey bool
		var quals [][]string
		var reqs [][][]string
		var ex []string
		for _, tok := range rest {
			switch {
			case compRe.MatchString(tok):
				cm := compRe.FindStringSubmatch(tok)
				opt := cm[1] == "["
				min, max := 0, 0
				if strings.HasPrefix(cm[3], "..") {
					min = 1
					max, _ = strconv.Atoi(cm[3][2:])
				} else {
					min, _ = strconv.Atoi(cm[3])
					max = min
				}
				var lints []string
				for _, l := range strings.Split(strings.TrimPrefix(cm[5], ","), ",") {
					if l == "" {
						continue
					}
					n, ok := linterNames[l]
					if !ok {
						log.Fatalf("AI %s: unknown linter %q", first, l)
					}
					lints = append(lints, n)
				}
				s := fmt.Sprintf("{Charset: '%s', Min: %d, Max: %d", cm[2], min, max)
				if opt {
					s += ", Optional: true"
				}
				if len(lints) > 0 {
					s += ", Linters: []AILinter{" + strings.Join(lints, ", ") + "}"
				}
				comps = append(comps, s+"}")
			case tok == "dlpkey":
				pkey = true
			case strings.HasPrefix(tok, "dlpkey="):
				pkey = true
				for _, alt := range strings.Split(tok[7:], "|") {
					quals = append(quals, strings.Split(alt, ","))
				}
			case strings.HasPrefix(tok, "req="):
				var r [][]string
				for _, alt := range strings.Split(tok[4:], ",") {
					r = append(r, strings.Split(alt, "+"))
				}
				reqs = append(reqs, r)
			case strings.HasPrefix(tok, "ex="):
				ex = append(ex, strings.Split(tok[3:], ",")...)
			default:
				log.Fatalf("AI %s: cannot parse %q", first, tok)
			}
		}
		lo, _ := strconv.Atoi(first)
		hi, _ := strconv.Atoi(last)
		for n := lo; n <= hi; n++ {
			ai := fmt.Sprintf("%0*d", len(first), n)
			var e strings.Builder
			fmt.Fprintf(&e, "{AI: %q, Title: %q", ai, title)
			if fixed {
				e.WriteString(", Fixed: true")
			}
			if attr {
				e.WriteString(", DataAttr: true")
			}
			e.WriteString(", Components: []AIComponent{" + strings.Join(comps, ", ") + "}")
			if pkey {
				e.WriteString(", PrimaryKey: true")
			}
			if len(quals) > 0 {
				e.WriteString(", Qualifiers: [][]string{")
				for i, q := range quals {
					if i > 0 {
						e.WriteString(", ")
					}
					e.WriteString(strList(q))
				}
				e.WriteString("}")
			}
			if len(reqs) > 0 {
				e.WriteString(", Req: []AIRequirement{")
				for i, r := range reqs {
					if i > 0 {
						e.WriteString(", ")
					}
					e.WriteString("{")
					for j, g := range r {
						if j > 0 {
							e.WriteString(", ")
						}
						e.WriteString(strList(g))
					}
					e.WriteString("}")
				}
				e.WriteString("}")
			}
			if len(ex) > 0 {
				e.WriteString(", Ex: []string" + strList(ex))
			}
			e.WriteString("},")
			entries = append(entries, e.String())
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}

	fmt.Fprintf(&b, "// Code generated by gen_aitable.go; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "// The facts in this table (AI numbers, titles, component formats, linters, Digital\n")
	fmt.Fprintf(&b, "// Link roles and association rules) come from the GS1 Barcode Syntax Dictionary,\n")
	fmt.Fprintf(&b, "// release %s, Copyright GS1 AISBL, Apache License 2.0.\n\n", release)
	fmt.Fprintf(&b, "package codes\n\n")
	fmt.Fprintf(&b, "// aiTableRelease names the syntax-dictionary release the table was generated from.\n")
	fmt.Fprintf(&b, "const aiTableRelease = %q\n\n", release)
	fmt.Fprintf(&b, "// aiTable lists every known application identifier, in lexical order.\n")
	fmt.Fprintf(&b, "var aiTable = [...]AIInfo{\n")
	for _, e := range entries {
		b.WriteString(e + "\n")
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d AIs written to %s", len(entries), *out)
}

func strList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "{" + strings.Join(q, ", ") + "}"
}
