package label

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"time"

	"golang.org/x/image/font/sfnt"
)

// ErrNoCJKFont is returned by [PDF] when a label's text has non-ASCII
// characters and neither [Sheet].FontPath nor [FindCJKFont] gives a font.
var ErrNoCJKFont = errors.New("no CJK TrueType font found: install fonts-wqy-microhei or pass a font path")

// cjkFontCandidates are the places [FindCJKFont] looks, best first. Only
// fonts with TrueType outlines are accepted, so CFF fonts such as Noto Sans
// CJK (.otf, or .ttc of CFF faces) are not listed.
var cjkFontCandidates = []string{
	// Debian/Ubuntu: fonts-wqy-microhei, fonts-wqy-zenhei
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	// Fedora, Arch and others
	"/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
	"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
	"/usr/share/fonts/wqy-microhei-fonts/wqy-microhei.ttc",
	"/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
	// Debian: fonts-arphic-uming, fonts-droid-fallback
	"/usr/share/fonts/truetype/arphic/uming.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	// Windows
	`C:\Windows\Fonts\simhei.ttf`,
	`C:\Windows\Fonts\msyh.ttc`,
	`C:\Windows\Fonts\simsun.ttc`,
	// macOS
	"/System/Library/Fonts/STHeiti Medium.ttc",
	"/Library/Fonts/Arial Unicode.ttf",
}

// cjkProbe is a character that a font must have to count as a CJK font.
const cjkProbe = '中'

// FindCJKFont returns the path of an installed font with TrueType outlines
// and Chinese glyphs that this package can use for PNG and PDF, looking
// first for Debian's fonts-wqy-microhei. It reports false if there is none.
func FindCJKFont() (string, bool) {
	for _, p := range cjkFontCandidates {
		if err := checkCJKFont(p); err == nil {
			return p, true
		}
	}
	return "", false
}

// checkCJKFont tells why the font at path is not usable, or nil. It reads
// the table directory first, so that unusable fonts are rejected cheaply.
func checkCJKFont(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	head := make([]byte, 16) // a TTC header: tag, version, numFonts, first offset
	if _, err := io.ReadFull(f, head); err != nil {
		return fmt.Errorf("font %s: %w", path, err)
	}
	faceOff := int64(0)
	if string(head[:4]) == "ttcf" {
		faceOff = int64(binary.BigEndian.Uint32(head[12:16]))
	}
	dir := make([]byte, 12)
	if _, err := f.ReadAt(dir, faceOff); err != nil {
		return fmt.Errorf("font %s: %w", path, err)
	}
	if err := checkVersion(dir[:4]); err != nil {
		return fmt.Errorf("font %s: %w", path, err)
	}
	n := int(binary.BigEndian.Uint16(dir[4:6]))
	recs := make([]byte, 16*n)
	if _, err := f.ReadAt(recs, faceOff+12); err != nil {
		return fmt.Errorf("font %s: %w", path, err)
	}
	tables, err := tableDir(dir[:4], recs, fi.Size())
	if err != nil {
		return fmt.Errorf("font %s: %w", path, err)
	}
	if err := hasTrueTypeTables(tables); err != nil {
		return fmt.Errorf("font %s: %w", path, err)
	}
	// x/image/font/sfnt rejects collections whose faces share tables out
	// of offset order (wqy-microhei.ttc does), so look up the glyph in the
	// extracted face, which loadFont keeps for later use.
	lf, err := loadFont(path)
	if err != nil {
		return err
	}
	var buf sfnt.Buffer
	if gi, err := lf.sfnt.GlyphIndex(&buf, cjkProbe); err != nil || gi == 0 {
		return fmt.Errorf("font %s: no glyph for %q", path, cjkProbe)
	}
	return nil
}

type tableRec struct {
	tag      string
	checksum uint32
	off, len uint32
}

// checkVersion checks the sfnt version of a font face: TrueType outlines.
func checkVersion(version []byte) error {
	switch string(version) {
	case "\x00\x01\x00\x00", "true":
		return nil
	case "OTTO":
		return errors.New("CFF-outline OpenType font; a font with TrueType outlines (glyf) is needed")
	}
	return fmt.Errorf("not a TrueType font (version %q)", version)
}

// tableDir parses the 16-byte table records of an sfnt table directory
// and checks that the tables lie within a file of the given size.
func tableDir(version []byte, recs []byte, size int64) ([]tableRec, error) {
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	var out []tableRec
	for i := 0; i+16 <= len(recs); i += 16 {
		r := tableRec{
			tag:      string(recs[i : i+4]),
			checksum: binary.BigEndian.Uint32(recs[i+4:]),
			off:      binary.BigEndian.Uint32(recs[i+8:]),
			len:      binary.BigEndian.Uint32(recs[i+12:]),
		}
		if int64(r.off)+int64(r.len) > size {
			return nil, fmt.Errorf("table %q lies outside the file", r.tag)
		}
		out = append(out, r)
	}
	return out, nil
}

func hasTrueTypeTables(tables []tableRec) error {
	have := map[string]bool{}
	for _, t := range tables {
		have[t.tag] = true
	}
	for _, tag := range []string{"cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp"} {
		if !have[tag] {
			return fmt.Errorf("no %q table; a font with TrueType outlines is needed", tag)
		}
	}
	return nil
}

// firstFaceTTF returns a standalone TrueType font file holding the first
// face of data, which may be a .ttf (returned as is) or a .ttc collection.
// The PDF writer (fpdf) cannot read collections. Tables are copied
// unchanged with their checksums; only the directory offsets are rewritten
// (head.checkSumAdjustment is then stale, which font readers ignore).
func firstFaceTTF(data []byte) ([]byte, error) {
	if len(data) < 12 {
		return nil, errors.New("font file too short")
	}
	faceOff := 0
	if string(data[:4]) == "ttcf" {
		if binary.BigEndian.Uint32(data[8:12]) == 0 || len(data) < 16 {
			return nil, errors.New("empty font collection")
		}
		faceOff = int(binary.BigEndian.Uint32(data[12:16]))
	}
	if faceOff+12 > len(data) {
		return nil, errors.New("font face outside the file")
	}
	if err := checkVersion(data[faceOff : faceOff+4]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(data[faceOff+4:]))
	if faceOff+12+16*n > len(data) {
		return nil, errors.New("font table directory outside the file")
	}
	tables, err := tableDir(data[faceOff:faceOff+4], data[faceOff+12:faceOff+12+16*n], int64(len(data)))
	if err != nil {
		return nil, err
	}
	if err := hasTrueTypeTables(tables); err != nil {
		return nil, err
	}
	if faceOff == 0 {
		return data, nil
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })

	size := 12 + 16*n
	for _, t := range tables {
		size += int(t.len+3) &^ 3
	}
	out := make([]byte, 12+16*n, size)
	copy(out[:4], data[faceOff:faceOff+4])
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := (1 << entrySelector) * 16
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(n*16-searchRange))
	for i, t := range tables {
		rec := out[12+16*i:]
		copy(rec[:4], t.tag)
		binary.BigEndian.PutUint32(rec[4:], t.checksum)
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], t.len)
		out = append(out, data[t.off:t.off+t.len]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}

// loadedFont is a font file read once: sfnt for drawing PNG text, ttf (the
// first face as a standalone TrueType file) for the PDF writer.
type loadedFont struct {
	path string
	sfnt *sfnt.Font
	ttf  []byte
}

type fontKey struct {
	path  string
	size  int64
	mtime time.Time
}

var fontCache sync.Map // fontKey -> *loadedFont

// loadFont reads and parses the font at path, with a cache keyed by path,
// size and modification time (fonts are megabytes; labels come in batches).
func loadFont(path string) (*loadedFont, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	key := fontKey{path, fi.Size(), fi.ModTime()}
	if v, ok := fontCache.Load(key); ok {
		return v.(*loadedFont), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	ttf, err := firstFaceTTF(data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	lf := &loadedFont{path: path, sfnt: f, ttf: ttf}
	fontCache.Store(key, lf)
	return lf, nil
}
