package tlog

import (
	"bytes"
	"reflect"
	"sync"
	"testing"

	"github.com/zhuisu/zhuisu"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/; the f.Add calls below add a few
// more that are easier to read here.

// mustBeInvalid fails unless err is a *zhuisu.Error with code EInvalid.
func mustBeInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if zhuisu.ErrorCode(err) != zhuisu.EInvalid || zhuisu.ErrorMessage(err) == "internal error" {
		t.Fatalf("%s: error %v is not an EInvalid *zhuisu.Error", what, err)
	}
}

func FuzzOpenCheckpoint(f *testing.F) {
	ed := mustSigner(f, testEdSKey)
	sm := mustSigner(f, testSM2SKey)
	verifiers := []Verifier{mustVerifier(f, testEdVKey), mustVerifier(f, testSM2VKey)}
	for _, c := range []Checkpoint{
		{Origin: testOrigin, Size: 0, Root: EmptyRoot},
		{Origin: testOrigin, Size: testTreeSize, Root: testRoot(f), Extensions: []string{"ext"}},
	} {
		for _, s := range []Signer{ed, sm} {
			msg, err := c.Sign(s)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(msg)
		}
	}
	f.Add([]byte(testOrigin + "\n1\n" + testRootB64 + "\n"))
	f.Add([]byte("old 0\n\n" + testOrigin + "\n1\n" + testRootB64 + "\n\n— x AAAAAAA=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := OpenCheckpoint(data, testOrigin, verifiers...)
		if err != nil {
			mustBeInvalid(t, "OpenCheckpoint", err)
		} else {
			text, err := c.Text()
			if err != nil {
				t.Fatalf("an opened checkpoint does not format: %v", err)
			}
			if !bytes.HasPrefix(data, append(text, '\n')) {
				t.Fatalf("opened checkpoint formats as %q, the note starts %q", text, data)
			}
			if c.Origin != testOrigin {
				t.Fatalf("opened a checkpoint of origin %q", c.Origin)
			}
		}
		if c, err := ParseCheckpoint(data); err != nil {
			mustBeInvalid(t, "ParseCheckpoint", err)
		} else if text, err := c.Text(); err != nil || !bytes.Equal(text, data) {
			t.Fatalf("checkpoint body %q formats back as %q, %v", data, text, err)
		}
		if r, err := ParseAddCheckpoint(data); err != nil {
			mustBeInvalid(t, "ParseAddCheckpoint", err)
		} else if !bytes.Equal(r.Format(), data) {
			t.Fatalf("add-checkpoint body %q formats back as %q", data, r.Format())
		}
	})
}

func FuzzParseProof(f *testing.F) {
	h := EmptyRoot.String()
	f.Add([]byte("inclusion-proof/v1\nindex 0\nsize 1\n"))
	f.Add([]byte("inclusion-proof/v1\nindex 2\nsize 3\n" + h + "\n"))
	f.Add([]byte("consistency-proof/v1\nold 1\nsize 2\n" + h + "\n"))
	f.Add([]byte(`{"index":1,"tree_size":2,"hashes":["` + h + `"]}`))
	f.Add([]byte(`{"old_size":3,"tree_size":4,"hashes":["` + h + `","` + h + `"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := ParseInclusionProof(data); err != nil {
			mustBeInvalid(t, "ParseInclusionProof", err)
		} else {
			text, err := p.MarshalText()
			if err != nil || !bytes.Equal(text, data) {
				t.Fatalf("inclusion proof %q formats back as %q, %v", data, text, err)
			}
		}
		if p, err := ParseConsistencyProof(data); err != nil {
			mustBeInvalid(t, "ParseConsistencyProof", err)
		} else {
			text, err := p.MarshalText()
			if err != nil || !bytes.Equal(text, data) {
				t.Fatalf("consistency proof %q formats back as %q, %v", data, text, err)
			}
		}
		var ip InclusionProof
		if err := ip.UnmarshalJSON(data); err != nil {
			mustBeInvalid(t, "InclusionProof.UnmarshalJSON", err)
		} else {
			j, err := ip.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var again InclusionProof
			if err := again.UnmarshalJSON(j); err != nil || !reflect.DeepEqual(again, ip) {
				t.Fatalf("inclusion JSON %s does not round trip: %v", j, err)
			}
		}
		var cp ConsistencyProof
		if err := cp.UnmarshalJSON(data); err != nil {
			mustBeInvalid(t, "ConsistencyProof.UnmarshalJSON", err)
		} else {
			j, err := cp.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var again ConsistencyProof
			if err := again.UnmarshalJSON(j); err != nil || !reflect.DeepEqual(again, cp) {
				t.Fatalf("consistency JSON %s does not round trip: %v", j, err)
			}
		}
	})
}

var (
	smallStoreOnce sync.Once
	smallStore     *memStore
)

func FuzzParseTilePath(f *testing.F) {
	for _, p := range []string{"tile/0/000", "tile/0/x001/x234/067.p/8", "tile/entries/001.p/44", "tile/63/000.p/1", "tile/1/000.p/1"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		smallStoreOnce.Do(func() {
			smallStore = &memStore{}
			for i := 0; i < 70000; i++ {
				smallStore.append(t, eventHash(i))
			}
		})
		tile, err := ParseTilePath(path)
		if err != nil {
			mustBeInvalid(t, "ParseTilePath", err)
			return
		}
		if tile.Path() != path {
			t.Fatalf("ParseTilePath(%q) = %+v, which formats as %q", path, tile, tile.Path())
		}
		again, err := ParseTilePath(tile.Path())
		if err != nil || again != tile {
			t.Fatalf("%q does not round trip: %+v, %v", path, again, err)
		}
		var data []byte
		if tile.IsEntries() {
			data, err = EntryBundle(tile, 70000, smallStore)
		} else {
			data, err = TileData(tile, 70000, smallStore)
		}
		if err != nil {
			if zhuisu.ErrorCode(err) != zhuisu.ENotFound {
				t.Fatalf("tile %s: %v", path, err)
			}
			return
		}
		want := tile.Width * HashSize
		if tile.IsEntries() {
			want = tile.Width * 34
		}
		if len(data) != want {
			t.Fatalf("tile %s has %d bytes, want %d", path, len(data), want)
		}
	})
}
