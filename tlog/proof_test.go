package tlog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

func TestProofLenFormulasMatchTheRecursiveDefinition(t *testing.T) {
	s := sharedStore(t)
	ref := newNaive(s)
	for n := 1; n <= 300; n++ {
		for i := 0; i < n; i++ {
			if got, want := InclusionProofLen(int64(i), int64(n)), len(ref.path(i, 0, n)); got != want {
				t.Fatalf("InclusionProofLen(%d, %d) = %d, want %d", i, n, got, want)
			}
			if got, want := ConsistencyProofLen(int64(i+1), int64(n)), len(ref.proof(i+1, n)); got != want {
				t.Fatalf("ConsistencyProofLen(%d, %d) = %d, want %d", i+1, n, got, want)
			}
		}
	}
	for _, c := range [][2]int64{{-1, 5}, {5, 5}, {0, 0}} {
		if InclusionProofLen(c[0], c[1]) != -1 {
			t.Fatalf("InclusionProofLen(%d, %d) accepted", c[0], c[1])
		}
	}
	if ConsistencyProofLen(6, 5) != -1 || ConsistencyProofLen(-1, 5) != -1 {
		t.Fatal("ConsistencyProofLen accepted an old size outside [0, size]")
	}
}

func TestProofTextAndJSONRoundTrip(t *testing.T) {
	s := sharedStore(t)
	for n := int64(1); n <= 70; n++ {
		for i := int64(0); i < n; i++ {
			p, err := ProveInclusion(i, n, s)
			if err != nil {
				t.Fatal(err)
			}
			text, err := p.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			q, err := ParseInclusionProof(text)
			if err != nil || q.Index != i || q.TreeSize != n || !equalHashes(q.Hashes, p.Hashes) {
				t.Fatalf("inclusion text round trip of (%d, %d): %v %+v", i, n, err, q)
			}
			j, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			var r InclusionProof
			if err := json.Unmarshal(j, &r); err != nil || r.Index != i || r.TreeSize != n || !equalHashes(r.Hashes, p.Hashes) {
				t.Fatalf("inclusion JSON round trip of (%d, %d): %v %s", i, n, err, j)
			}

			c, err := ProveConsistency(i, n, s)
			if err != nil {
				t.Fatal(err)
			}
			text, err = c.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			d, err := ParseConsistencyProof(text)
			if err != nil || d.OldSize != i || d.TreeSize != n || !equalHashes(d.Hashes, c.Hashes) {
				t.Fatalf("consistency text round trip of (%d, %d): %v", i, n, err)
			}
			j, err = json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var e ConsistencyProof
			if err := json.Unmarshal(j, &e); err != nil || e.OldSize != i || e.TreeSize != n || !equalHashes(e.Hashes, c.Hashes) {
				t.Fatalf("consistency JSON round trip of (%d, %d): %v %s", i, n, err, j)
			}
		}
	}
}

func TestProofFormsAreAsDocumented(t *testing.T) {
	h := Hash{1, 2, 3}
	p := InclusionProof{Index: 1, TreeSize: 2, Hashes: []Hash{h}}
	text, _ := p.MarshalText()
	if want := "inclusion-proof/v1\nindex 1\nsize 2\n" + h.String() + "\n"; string(text) != want {
		t.Fatalf("inclusion text = %q, want %q", text, want)
	}
	j, _ := json.Marshal(p)
	if want := `{"index":1,"tree_size":2,"hashes":["` + h.String() + `"]}`; string(j) != want {
		t.Fatalf("inclusion JSON = %s, want %s", j, want)
	}
	c := ConsistencyProof{OldSize: 3, TreeSize: 3, Hashes: nil}
	text, _ = c.MarshalText()
	if want := "consistency-proof/v1\nold 3\nsize 3\n"; string(text) != want {
		t.Fatalf("consistency text = %q, want %q", text, want)
	}
	j, _ = json.Marshal(c)
	if want := `{"old_size":3,"tree_size":3,"hashes":[]}`; string(j) != want {
		t.Fatalf("consistency JSON = %s, want %s", j, want)
	}
	if _, err := (InclusionProof{Index: 0, TreeSize: 2}).MarshalText(); err == nil {
		t.Fatal("a proof with the wrong number of hashes was formatted")
	}
}

func TestMalformedProofsAreRejected(t *testing.T) {
	s := sharedStore(t)
	p, _ := ProveInclusion(5, 13, s) // 4 hashes
	good, _ := p.MarshalText()
	c, _ := ProveConsistency(5, 13, s)
	goodC, _ := c.MarshalText()
	lines := strings.SplitAfter(string(good), "\n")
	h0 := strings.TrimSuffix(lines[3], "\n")
	// A hash whose base64 differs only in the unused low bits of its last character.
	nonCanonical := nonCanonicalBase64(h0)
	for _, v := range []struct {
		name, text string
	}{
		{"truncated proof missing its last hash is rejected", strings.Join(lines[:len(lines)-2], "")},
		{"proof without final newline is rejected", strings.TrimSuffix(string(good), "\n")},
		{"proof cut inside a hash is rejected", string(good[:len(good)-10])},
		{"proof with an extra hash is rejected", string(good) + lines[3]},
		{"proof with a trailing blank line is rejected", string(good) + "\n"},
		{"proof with trailing text is rejected", string(good) + "x"},
		{"empty input is rejected", ""},
		{"wrong header is rejected", strings.Replace(string(good), "inclusion-proof/v1", "inclusion-proof/v2", 1)},
		{"consistency header for inclusion is rejected", strings.Replace(string(good), "inclusion-proof/v1", "consistency-proof/v1", 1)},
		{"index with leading zero is rejected", strings.Replace(string(good), "index 5", "index 05", 1)},
		{"index with plus sign is rejected", strings.Replace(string(good), "index 5", "index +5", 1)},
		{"negative index is rejected", strings.Replace(string(good), "index 5", "index -5", 1)},
		{"index beyond the tree is rejected", strings.Replace(string(good), "index 5", "index 13", 1)},
		{"two spaces after index is rejected", strings.Replace(string(good), "index 5", "index  5", 1)},
		{"size overflowing int64 is rejected", strings.Replace(string(good), "size 13", "size 99999999999999999999", 1)},
		{"CRLF line ends are rejected", strings.ReplaceAll(string(good), "\n", "\r\n")},
		{"hash without padding is rejected", strings.Replace(string(good), h0, strings.TrimSuffix(h0, "="), 1)},
		{"non-canonical base64 hash is rejected", strings.Replace(string(good), h0, nonCanonical, 1)},
		{"hash of 31 bytes is rejected", strings.Replace(string(good), h0, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", 1)},
		{"off-by-one size is rejected", strings.Replace(string(good), "size 13", "size 17", 1)},
	} {
		t.Run(v.name, func(t *testing.T) {
			_, err := ParseInclusionProof([]byte(v.text))
			wantErr(t, err, zhuisu.EInvalid, ErrBadProof)
		})
	}
	if _, err := ParseConsistencyProof(goodC); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ name, text string }{
		{"consistency proof with an extra hash is rejected", string(goodC) + lines[3]},
		{"consistency proof missing a hash is rejected", strings.Join(strings.SplitAfter(string(goodC), "\n")[:4], "")},
		{"consistency proof with old above size is rejected", strings.Replace(string(goodC), "old 5", "old 14", 1)},
		{"consistency proof with inclusion header is rejected", strings.Replace(string(goodC), "consistency-proof/v1", "inclusion-proof/v1", 1)},
		{"consistency proof with old size off by one is rejected", strings.Replace(string(goodC), "old 5", "old 8", 1)},
	} {
		t.Run(v.name, func(t *testing.T) {
			_, err := ParseConsistencyProof([]byte(v.text))
			wantErr(t, err, zhuisu.EInvalid, ErrBadProof)
		})
	}
	j, _ := json.Marshal(p)
	hashes := `["` + h0 + `","` + h0 + `","` + h0 + `","` + h0 + `"]`
	for _, v := range []struct{ name, json string }{
		{"JSON missing hashes is rejected", `{"index":5,"tree_size":13}`},
		{"JSON with null hashes is rejected", `{"index":5,"tree_size":13,"hashes":null}`},
		{"JSON missing index is rejected", `{"tree_size":13,"hashes":` + hashes + `}`},
		{"JSON with an unknown field is rejected", `{"index":5,"tree_size":13,"hashes":` + hashes + `,"root":"x"}`},
		{"JSON with a truncated proof is rejected", `{"index":5,"tree_size":13,"hashes":["` + h0 + `"]}`},
		{"JSON with an extra hash is rejected", `{"index":5,"tree_size":13,"hashes":["` + h0 + `",` + hashes[1:] + `}`},
		{"JSON with a non-canonical hash is rejected", strings.Replace(string(j), h0, nonCanonical, 1)},
		{"JSON with a string index is rejected", `{"index":"5","tree_size":13,"hashes":` + hashes + `}`},
		{"JSON with a fractional index is rejected", `{"index":5.5,"tree_size":13,"hashes":` + hashes + `}`},
		{"JSON with trailing data is rejected", string(j) + `{}`},
		{"JSON truncated is rejected", string(j[:len(j)-2])},
		{"JSON null is rejected", `null`},
	} {
		t.Run(v.name, func(t *testing.T) {
			var q InclusionProof
			wantErr(t, q.UnmarshalJSON([]byte(v.json)), zhuisu.EInvalid, nil)
			if !reflect.DeepEqual(q, InclusionProof{}) {
				t.Fatalf("a rejected proof changed the value: %+v", q)
			}
		})
	}
}

// nonCanonicalBase64 returns the base64 of a hash with the unused low bits of its last
// character set: it decodes to the same bytes under lenient decoding.
func nonCanonicalBase64(h string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, h[42])
	return h[:42] + string(alphabet[i^1]) + h[43:]
}

func TestNonCanonicalBase64HelperDecodesLeniently(t *testing.T) {
	h := Hash{9, 8, 7}
	nc := nonCanonicalBase64(h.String())
	if nc == h.String() {
		t.Fatal("helper did not change the text")
	}
	if _, err := ParseHash(nc); err == nil {
		t.Fatal("ParseHash accepted non-canonical base64")
	}
	if got, err := ParseHash(h.String()); err != nil || got != h {
		t.Fatalf("ParseHash(%s) = %s, %v", h, got, err)
	}
}
