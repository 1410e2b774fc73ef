package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu/api"
)

// runCode runs "zhuisu ARGS..." and returns its output and exit status.
func runCode(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	var ee exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		status = int(ee)
	default:
		t.Fatalf("zhuisu %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), status
}

func TestCodeCheckPrintsEveryCodeAndExitsZeroWhenAllAreValid(t *testing.T) {
	out, _, status := runCode(t, "code", "check",
		"(01)09521234543213(21)ABC(17)261231", "urn:epc:id:sscc:9521234.0500000001", "91350100M000100Y43")
	if status != 0 {
		t.Fatalf("status %d\n%s", status, out)
	}
	for _, want := range []string{
		"(01)09521234543213(21)ABC(17)261231\n" +
			"  scheme     gs1.sgtin  系列化全球贸易项目代码 SGTIN (GTIN + serial number)\n" +
			"  canonical  https://id.gs1.org/01/09521234543213/21/ABC?17=261231\n" +
			"  human      (01)09521234543213(21)ABC(17)261231\n" +
			"  part       GTIN = 09521234543213  (GTIN-13; GS1 prefix 952: demonstrations and examples of the GS1 system)\n" +
			"  part       SERIAL = ABC\n" +
			"  part       USE BY or EXPIRY = 261231  (2026-12-31)\n" +
			"  valid\n",
		"  scheme     gs1.sscc  ",
		"  canonical  https://id.gs1.org/00/095212345000000018\n",
		"  scheme     cn.uscc  统一社会信用代码",
		"  canonical  urn:zhuisu:code:cn.uscc:91350100M000100Y43\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n  valid\n"); n != 3 {
		t.Errorf("%d codes reported valid, want 3:\n%s", n, out)
	}
}

func TestCodeCheckGivesTheReasonAndExitsOne(t *testing.T) {
	out, _, status := runCode(t, "code", "check", "6901234567892", "6901234567891", "hello", "]d2010952123454321321A\x1d10B")
	if status != 1 {
		t.Fatalf("status %d, want 1\n%s", status, out)
	}
	for _, want := range []string{
		"6901234567892\n  scheme     gs1.gtin",
		"6901234567891\n  invalid: GTIN 6901234567891: check digit should be 2, got 1; as a Chinese code: detonator code",
		"hello\n  invalid: not a code of any scheme this platform knows: hello; tried",
		`"]d2010952123454321321A\x1d10B"` + "\n  scheme     gs1.sgtin", // control characters quoted
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCodeCheckJSON(t *testing.T) {
	out, _, status := runCode(t, "code", "check", "-json", "https://example.com/gtin/9521234543213?17=260100", "SC30135010200123")
	if status != 1 {
		t.Fatalf("status %d, want 1\n%s", status, out)
	}
	var views []api.CodeView
	if err := json.Unmarshal([]byte(out), &views); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	if len(views) != 2 {
		t.Fatalf("%d objects, want 2", len(views))
	}
	v := views[0]
	if !v.Valid || v.Scheme != "gs1.gtin" || v.Canonical != "https://id.gs1.org/01/09521234543213?17=260100" ||
		v.Human != "(01)09521234543213(17)260100" || len(v.Parts) != 2 || v.Error != "" ||
		v.Parts[1] != (api.PartView{Name: "USE BY or EXPIRY", Value: "260100", Meaning: "2026-01-31 (day 00: the last day of the month)"}) {
		t.Errorf("valid code: %+v", v)
	}
	v = views[1]
	if v.Valid || v.Input != "SC30135010200123" || !strings.Contains(v.Error, "licence kind 3 (position 3)") || v.Scheme != "" || v.Parts != nil {
		t.Errorf("invalid code: %+v", v)
	}
	// The shape of an invalid code: input, valid false and the error, nothing else.
	var raw []map[string]any
	json.Unmarshal([]byte(out), &raw)
	if len(raw[1]) != 3 || raw[1]["valid"] != false {
		t.Errorf("invalid code as JSON: %v", raw[1])
	}
	if raw[0]["valid"] != true || raw[0]["schemeName"] == nil {
		t.Errorf("valid code as JSON: %v", raw[0])
	}
}

func TestCodeCheckUsage(t *testing.T) {
	for _, args := range [][]string{{"code"}, {"code", "frobnicate"}, {"code", "check"}, {"code", "check", "-nosuchflag", "x"}} {
		_, errOut, status := runCode(t, args...)
		if status != 2 || !strings.Contains(errOut, "usage: zhuisu code check") {
			t.Errorf("zhuisu %s: status %d, stderr %q", strings.Join(args, " "), status, errOut)
		}
	}
	out, _, status := runCode(t, "code", "help")
	if status != 0 || !strings.Contains(out, "usage: zhuisu code check") {
		t.Errorf("zhuisu code help: status %d, %q", status, out)
	}
}
