package label

import (
	"bytes"
	"encoding/binary"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// withoutCJKFont makes FindCJKFont find nothing for the rest of the test.
func withoutCJKFont(t *testing.T) {
	t.Helper()
	saved := cjkFontCandidates
	cjkFontCandidates = nil
	t.Cleanup(func() { cjkFontCandidates = saved })
}

func needCJKFont(t *testing.T) string {
	t.Helper()
	p, ok := FindCJKFont()
	if !ok {
		t.Skip("no CJK TrueType font found: apt-get install fonts-wqy-microhei to run this test")
	}
	return p
}

func TestFindCJKFont(t *testing.T) {
	p := needCJKFont(t)
	if err := checkCJKFont(p); err != nil {
		t.Fatalf("FindCJKFont returned %s, which fails the check: %v", p, err)
	}
	t.Logf("CJK font: %s", p)
}

func TestFindCJKFontRejects(t *testing.T) {
	dir := t.TempDir()
	notFont := filepath.Join(dir, "not-a-font.ttf")
	if err := os.WriteFile(notFont, []byte("hello, this is not a font at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	latin := filepath.Join(dir, "go-regular.ttf") // TrueType, but no Chinese glyphs
	if err := os.WriteFile(latin, goregular.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	otto := filepath.Join(dir, "cff.otf")
	if err := os.WriteFile(otto, append([]byte("OTTO\x00\x00\x00\x00\x00\x00\x00\x00"), make([]byte, 16)...), 0o644); err != nil {
		t.Fatal(err)
	}
	saved := cjkFontCandidates
	t.Cleanup(func() { cjkFontCandidates = saved })

	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.ttc"), "no such file"},
		{notFont, "not a TrueType font"},
		{latin, "no glyph"},
		{otto, "CFF-outline"},
	} {
		if err := checkCJKFont(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("checkCJKFont(%s) = %v, want %q", filepath.Base(c.path), err, c.want)
		}
		cjkFontCandidates = []string{c.path}
		if p, ok := FindCJKFont(); ok {
			t.Errorf("FindCJKFont accepted %s", p)
		}
	}
}

// TestFirstFaceTTF extracts the first face of the installed collection and
// checks that the result is a standalone TrueType file that x/image/font/sfnt
// parses, with the same glyphs and metrics as the face inside the collection.
func TestFirstFaceTTF(t *testing.T) {
	p := needCJKFont(t)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	ttf, err := firstFaceTTF(data)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:4]) != "ttcf" {
		if !bytes.Equal(ttf, data) {
			t.Error("a .ttf file was not passed through unchanged")
		}
		return
	}
	if v := binary.BigEndian.Uint32(ttf); v != 0x00010000 && string(ttf[:4]) != "true" {
		t.Fatalf("extracted face starts with %q", ttf[:4])
	}
	f, err := sfnt.Parse(ttf)
	if err != nil {
		t.Fatalf("sfnt.Parse(extracted face): %v", err)
	}
	name, _ := f.Name(nil, sfnt.NameIDFamily)
	t.Logf("first face of %s: %q, %d glyphs, %d bytes", p, name, f.NumGlyphs(), len(ttf))
	var buf sfnt.Buffer
	for _, r := range "福建红茶批次溯源(01)ABC" {
		if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
			t.Errorf("no glyph for %q in the extracted face", r)
		}
	}
	// the tables must be byte-identical to those in the collection
	off := binary.BigEndian.Uint32(data[12:])
	n := int(binary.BigEndian.Uint16(data[off+4:]))
	orig, _ := tableDir(data[off:off+4], data[off+12:int(off)+12+16*n], int64(len(data)))
	got, _ := tableDir(ttf[:4], ttf[12:12+16*n], int64(len(ttf)))
	if len(got) != len(orig) {
		t.Fatalf("%d tables, want %d", len(got), len(orig))
	}
	byTag := map[string][]byte{}
	for _, r := range got {
		byTag[r.tag] = ttf[r.off : r.off+r.len]
	}
	for _, r := range orig {
		if !bytes.Equal(byTag[r.tag], data[r.off:r.off+r.len]) {
			t.Errorf("table %q differs", r.tag)
		}
	}
}

// TestPNGChineseText: with a CJK font, Chinese characters are drawn as
// themselves; without one they are drawn exactly like '?'.
func TestPNGChineseText(t *testing.T) {
	render := func(text string) *image.Gray {
		t.Helper()
		img, _, err := renderImage(Label{URI: "https://trace.zhuisu.cn/x", Text: []string{text}}, 4)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	t.Run("with font", func(t *testing.T) {
		needCJKFont(t)
		if a, b := render("福"), render("?"); bytes.Equal(a.Pix, b.Pix) {
			t.Error("'福' was drawn as '?' although a CJK font is installed")
		}
	})
	t.Run("without font", func(t *testing.T) {
		withoutCJKFont(t)
		a, b := render("福建"), render("??")
		if a.Bounds() != b.Bounds() || !bytes.Equal(a.Pix, b.Pix) {
			t.Error("without a CJK font '福建' should be drawn as '??'")
		}
		if c := render("AB"); bytes.Equal(c.Pix, b.Pix) {
			t.Error("'AB' drawn like '??': the Go font fallback does not work")
		}
	})
}
