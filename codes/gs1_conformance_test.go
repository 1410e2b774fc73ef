package codes

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

// The conformance corpus lives outside the repository; ZHUISU_CONFORMANCE points at it
// (e.g. /work/shared/conformance). Without it these tests are skipped.
func gs1ConformanceFile(t *testing.T, rel string) []byte {
	t.Helper()
	dir := os.Getenv("ZHUISU_CONFORMANCE")
	if dir == "" {
		t.Skip("ZHUISU_CONFORMANCE is not set; skipping the GS1 conformance vectors")
	}
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatalf("conformance corpus: %v", err)
	}
	return b
}

func gs1Outcome(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// TestEPCURNToDLVectors runs the EPCIS event-hash normalisation vectors: every input must
// give the expected constrained canonical Digital Link through HashForm; an expected null
// means "not a GS1 identifier": HashForm leaves it unchanged and Canonical either leaves
// it unchanged or reports it invalid, never turning it into a Digital Link.
func TestEPCURNToDLVectors(t *testing.T) {
	var vectors []struct {
		Group  string          `json:"group"`
		Input  json.RawMessage `json:"input"`
		Expect *string         `json:"expect_constrained_canonical_dl"`
	}
	if err := json.Unmarshal(gs1ConformanceFile(t, "digital-link/epc-urn-to-dl-normalisation-vectors.json"), &vectors); err != nil {
		t.Fatal(err)
	}
	pass, csumRejected := 0, 0
	for i, v := range vectors {
		var in string
		if err := json.Unmarshal(v.Input, &in); err != nil {
			in = string(v.Input) // a number: the reference implementation is given 42
		}
		name := fmt.Sprintf("%s/%s#%d", gs1Outcome(v.Expect != nil, "converts", "is_not_converted"), v.Group, i)
		ok := t.Run(name, func(t *testing.T) {
			got := HashForm(in)
			if v.Expect != nil {
				if got != *v.Expect {
					t.Errorf("HashForm(%q) = %q, want %q", in, got, *v.Expect)
				}
				// Canonical validates check digits, which the reference normaliser does not:
				// two inputs carry GTINs with wrong check digits.
				c, err := Canonical(in)
				if AILintCodeOf(err) == LintIncorrectCheckDigit {
					csumRejected++
					return
				}
				if err != nil || HashForm(c) != *v.Expect {
					t.Errorf("Canonical(%q) = %q, %v; want a canonical Digital Link with hash form %q", in, c, err, *v.Expect)
				}
				return
			}
			if got != in {
				t.Errorf("HashForm(%q) = %q, want it unchanged", in, got)
			}
			c, err := Canonical(in)
			if err != nil {
				if zhuisu.ErrorCode(err) != zhuisu.EInvalid {
					t.Errorf("Canonical(%q) error code = %q, want %q", in, zhuisu.ErrorCode(err), zhuisu.EInvalid)
				}
			} else if c != in {
				t.Errorf("Canonical(%q) = %q, want it unchanged or an error", in, c)
			}
		})
		if ok {
			pass++
		}
	}
	t.Logf("EPC URN → DL: %d/%d pass", pass, len(vectors))
	t.Logf("(Canonical rejects %d of the inputs HashForm converts: their GTIN check digit is wrong)", csumRejected)
}

// engineOptions maps the GS1 Syntax Engine option names of the vectors to GS1Options.
type engineOptions struct {
	PermitConvenienceAlphas          bool  `json:"permitConvenienceAlphas"`
	PermitZeroSuppressedGTINinDLuris bool  `json:"permitZeroSuppressedGTINinDLuris"`
	PermitUnknownAIs                 bool  `json:"permitUnknownAIs"`
	ValidateUnknownAINotDLAttr       *bool `json:"validateUnknownAINotDLAttr"`
}

func (e engineOptions) gs1() GS1Options {
	return GS1Options{
		ConvenienceAlphas:   e.PermitConvenienceAlphas,
		ZeroSuppressedGTIN:  e.PermitZeroSuppressedGTINinDLuris,
		UnknownAIs:          e.PermitUnknownAIs,
		UnknownAIAttributes: e.ValidateUnknownAINotDLAttr != nil && !*e.ValidateUnknownAINotDLAttr,
	}
}

// engineSymbology gives the GS1 Syntax Engine's name for a symbology.
var engineSymbology = map[Symbology]string{
	SymbologyQR: "QR", SymbologyDataMatrix: "DM", SymbologyDotCode: "DotCode",
	SymbologyGS1DataBar: "DataBarExpanded", SymbologyGS1128: "GS1_128_CCA",
	SymbologyEAN13: "EAN13", SymbologyEAN8: "EAN8",
}

// TestSyntaxEngineVectors runs the test vectors extracted from GS1's Barcode Syntax
// Engine, group by group, and logs the pass count of each group.
func TestSyntaxEngineVectors(t *testing.T) {
	raw := gs1ConformanceFile(t, "digital-link/gs1-syntax-engine/vectors.json")
	var groups map[string]json.RawMessage
	if err := json.Unmarshal(raw, &groups); err != nil {
		t.Fatal(err)
	}
	type vector struct {
		ShouldSucceed  *bool         `json:"should_succeed"`
		Options        engineOptions `json:"options"`
		URI            string        `json:"uri"`
		ElementString  string        `json:"element_string"`
		ExpectElements *string       `json:"expect_element_string"`
		BracketedAI    string        `json:"bracketed_ai"`
		ExpectLint     string        `json:"expect_linter_result"`
		ScanData       string        `json:"scan_data"`
		ExpectSym      string        `json:"expect_symbology"`
		ExpectData     string        `json:"expect_data_string"`
		Stem           *string       `json:"stem"`
		ExpectURI      *string       `json:"expect_uri"`
		Input          string        `json:"input"`
		ExpectPath     string        `json:"expect_path_component"`
		ExpectQuery    string        `json:"expect_query_component"`
		Rule           string        `json:"rule"`
	}
	run := func(group string, check func(t *testing.T, v vector)) {
		t.Run(group, func(t *testing.T) {
			var vs []vector
			if err := json.Unmarshal(groups[group], &vs); err != nil {
				t.Fatal(err)
			}
			pass := 0
			for i, v := range vs {
				name := fmt.Sprintf("case%03d", i)
				if v.ShouldSucceed != nil {
					name = gs1Outcome(*v.ShouldSucceed, "accepts", "rejects") + "/" + name
				} else if v.ExpectLint != "" {
					name = gs1Outcome(v.ExpectLint == "GS1_LINTER_OK", "accepts", "rejects_"+strings.TrimPrefix(v.ExpectLint, "GS1_LINTER_")) + "/" + name
				}
				if t.Run(name, func(t *testing.T) { check(t, v) }) {
					pass++
				}
			}
			t.Logf("%s: %d/%d pass", group, pass, len(vs))
		})
	}

	run("dl_parse_uri_to_element_string", func(t *testing.T, v vector) {
		d, err := v.Options.gs1().ParseDigitalLink(v.URI)
		if !*v.ShouldSucceed {
			if err == nil {
				t.Errorf("ParseDigitalLink(%q) = %s, want an error", v.URI, d.ElementString())
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseDigitalLink(%q): %v", v.URI, err)
		}
		if got := d.ElementString(); got != *v.ExpectElements {
			t.Errorf("ParseDigitalLink(%q).ElementString() = %q, want %q", v.URI, got, *v.ExpectElements)
		}
	})

	run("ai_element_string_validate", func(t *testing.T, v vector) {
		// The engine's unit test checks values only, not the associations between AIs.
		o := v.Options.gs1()
		o.SkipAssociations = true
		_, err := o.ParseElementString(v.ElementString)
		if (err == nil) != *v.ShouldSucceed {
			t.Errorf("ParseElementString(%q) error = %v, want success %v", v.ElementString, err, *v.ShouldSucceed)
		}
	})

	run("ai_linter_errors", func(t *testing.T, v vector) {
		_, err := GS1Options{SkipAssociations: true}.ParseBracketedAI(v.BracketedAI)
		got := "GS1_LINTER_OK"
		if err != nil {
			got = "GS1_LINTER_" + string(AILintCodeOf(err))
			if AILintCodeOf(err) == "" {
				got = "not a linter error: " + err.Error()
			}
		}
		if got != v.ExpectLint {
			t.Errorf("ParseBracketedAI(%q): %s, want %s (%v)", v.BracketedAI, got, v.ExpectLint, err)
		}
	})

	run("ai_association_rules", func(t *testing.T, v vector) {
		_, err := v.Options.gs1().ParseBracketedAI(v.BracketedAI)
		if (err == nil) != *v.ShouldSucceed {
			t.Errorf("ParseBracketedAI(%q) [%s] error = %v, want success %v", v.BracketedAI, v.Rule, err, *v.ShouldSucceed)
		}
	})

	run("scan_data_to_data_string", func(t *testing.T, v vector) {
		sd, err := v.Options.gs1().ParseScanData(v.ScanData)
		if !*v.ShouldSucceed {
			if err == nil {
				t.Errorf("ParseScanData(%q) = %+v, want an error", v.ScanData, sd)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseScanData(%q): %v", v.ScanData, err)
		}
		if engineSymbology[sd.Symbology] != v.ExpectSym || sd.Data != v.ExpectData {
			t.Errorf("ParseScanData(%q) = %s %q, want %s %q", v.ScanData, engineSymbology[sd.Symbology], sd.Data, v.ExpectSym, v.ExpectData)
		}
	})

	// Further groups of the same corpus.
	run("ai_bracketed_to_element_string", func(t *testing.T, v vector) {
		els, err := GS1Options{SkipAssociations: true}.ParseBracketedAI(v.BracketedAI)
		if !*v.ShouldSucceed {
			if err == nil {
				t.Errorf("ParseBracketedAI(%q) = %v, want an error", v.BracketedAI, els)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseBracketedAI(%q): %v", v.BracketedAI, err)
		}
		if got := FormatElementString(els); got != *v.ExpectElements {
			t.Errorf("element string of %q = %q, want %q", v.BracketedAI, got, *v.ExpectElements)
		}
	})

	run("dl_generate_from_bracketed_ai", func(t *testing.T, v vector) {
		o := v.Options.gs1()
		els, err := o.ParseBracketedAI(v.BracketedAI)
		var uri string
		if err == nil {
			var d *DigitalLink
			if d, err = o.NewDigitalLink(els); err == nil {
				stem := ""
				if v.Stem != nil {
					stem = *v.Stem
				}
				uri = d.URI(stem)
			}
		}
		if !*v.ShouldSucceed {
			if err == nil {
				t.Errorf("Digital Link of %q = %q, want an error", v.BracketedAI, uri)
			}
			return
		}
		if err != nil {
			t.Fatalf("Digital Link of %q: %v", v.BracketedAI, err)
		}
		if uri != *v.ExpectURI {
			t.Errorf("Digital Link of %q = %q, want %q", v.BracketedAI, uri, *v.ExpectURI)
		}
	})

	run("dl_uri_escape", func(t *testing.T, v vector) {
		if got := EscapeDLPathElement(v.Input); got != v.ExpectPath {
			t.Errorf("EscapeDLPathElement(%q) = %q, want %q", v.Input, got, v.ExpectPath)
		}
		if got := EscapeDLQueryValue(v.Input); got != v.ExpectQuery {
			t.Errorf("EscapeDLQueryValue(%q) = %q, want %q", v.Input, got, v.ExpectQuery)
		}
	})

	run("dl_uri_unescape", func(t *testing.T, v vector) {
		// The expectations are JSON strings whose \u00XX stand for single bytes.
		bytesOf := func(s string) string {
			b := make([]byte, 0, len(s))
			for _, r := range s {
				b = append(b, byte(r))
			}
			return string(b)
		}
		if got, _ := unescapeDL(v.Input, false); got != bytesOf(v.ExpectPath) {
			t.Errorf("path unescape(%q) = %q, want %q", v.Input, got, bytesOf(v.ExpectPath))
		}
		if got, _ := unescapeDL(v.Input, true); got != bytesOf(v.ExpectQuery) {
			t.Errorf("query unescape(%q) = %q, want %q", v.Input, got, bytesOf(v.ExpectQuery))
		}
	})
}

// TestDigitalLinkJSVectors checks the lenient reading of the older digital-link.js test
// inputs only for panics and for the stability of the canonical form, since the
// reference implementations disagree about which of them are valid.
func TestDigitalLinkJSVectors(t *testing.T) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(gs1ConformanceFile(t, "digital-link/digital-link.js/vectors.json"), &doc); err != nil {
		t.Fatal(err)
	}
	var uris []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if strings.HasPrefix(x, "http") {
				uris = append(uris, x)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, r := range doc {
		var v any
		if json.Unmarshal(r, &v) == nil {
			walk(v)
		}
	}
	for _, u := range uris {
		c, err := Canonical(u)
		if err != nil {
			var ze *zhuisu.Error
			if !errors.As(err, &ze) || ze.Code != zhuisu.EInvalid {
				t.Errorf("Canonical(%q) error %v is not a *zhuisu.Error with EInvalid", u, err)
			}
			continue
		}
		if c2, err := Canonical(c); err != nil || c2 != c {
			t.Errorf("Canonical is not stable for %q: %q then %q, %v", u, c, c2, err)
		}
	}
	t.Logf("digital-link.js: %d URIs read without panic, canonical forms stable", len(uris))
}
