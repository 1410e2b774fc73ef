package web

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/zhuisu/zhuisu/public"
)

// Every text a template asks for must exist in both languages: a missing key would show
// as the key itself.
func TestEveryTextATemplateUsesExistsInBothLanguages(t *testing.T) {
	uses := regexp.MustCompile(`\.T "([^"]+)"`)
	dynamic := regexp.MustCompile(`print "([a-z]+\.)" \.`)
	found := 0
	err := fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFiles.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range uses.FindAllStringSubmatch(string(b), -1) {
			found++
			if tx, ok := texts[m[1]]; !ok || tx.zh == "" || tx.en == "" {
				t.Errorf("%s: text %q is missing in a language", p, m[1])
			}
		}
		for _, m := range dynamic.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "date." && m[1] != "cert." {
				t.Errorf("%s: texts of prefix %q are not checked here", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Fatalf("only %d texts found in the templates: the pattern is wrong", found)
	}
	// Texts chosen by a value: every stage, kind, certificate, date, state and badge.
	var keys []string
	for _, s := range public.Stages {
		keys = append(keys, "stage."+s)
	}
	for _, s := range []string{"quarantine", "inspection", "conformity", "other"} {
		keys = append(keys, "cert."+s)
	}
	for _, s := range []string{"produced", "processed", "bestBefore", "expiry"} {
		keys = append(keys, "date."+s)
	}
	for _, s := range []string{"sold", "dispensed", "consumed", "destroyed"} {
		keys = append(keys, "ended."+s)
	}
	for _, s := range []string{"verified", "pending", "failed", "none"} {
		keys = append(keys, "integrity."+s)
	}
	for _, s := range []string{"unit", "lot", "container", "product"} {
		keys = append(keys, "kind."+s)
	}
	for _, k := range keys {
		if tx, ok := texts[k]; !ok || tx.zh == "" || tx.en == "" {
			t.Errorf("text %q is missing in a language", k)
		}
	}
}
