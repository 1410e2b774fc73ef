package label

import (
	"errors"
	"fmt"
	"image/color"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/datamatrix"
	"github.com/boombuler/barcode/qr"
)

// Label is what one label shows.
type Label struct {
	URI     string   // what the QR code carries: a GS1 Digital Link URI or a sector URL
	Element string   // GS1 element string for the DataMatrix, with GS (0x1D) as separator between variable-length AIs; empty: no DataMatrix
	Text    []string // human-readable lines under the symbols, Chinese allowed, e.g. "(01)09521234543213(21)ABC", "福建红茶 批次 L2603"
}

// GS is the ASCII group separator that ends a variable-length GS1 element
// string inside [Label].Element when another element string follows.
const GS = "\x1d"

// Quiet zones and gaps, in modules.
const (
	qrQuiet  = 4 // ISO/IEC 18004: four modules around a QR code
	symGap   = 4 // between the QR code and the DataMatrix
	dmQuiet  = 2 // ISO/IEC 16022 asks for one module; two to be safe
	lineGap  = 2 // between the symbols' quiet zone and the first text line
	fontMods = 4 // text size (em) in modules, for PNG and SVG
	lineMods = 5 // line pitch in modules, for PNG and SVG
)

// matrix is a rendered 2D symbol: dark[y*w+x] is true for a dark module.
type matrix struct {
	w, h int
	dark []bool
}

func (m *matrix) at(x, y int) bool { return m.dark[y*m.w+x] }

// runs calls f for every horizontal run of dark modules, row by row, so
// that vector outputs can draw one rectangle per run instead of per module.
func (m *matrix) runs(f func(x, y, n int)) {
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; {
			if !m.at(x, y) {
				x++
				continue
			}
			start := x
			for x < m.w && m.at(x, y) {
				x++
			}
			f(start, y, x-start)
		}
	}
}

func toMatrix(b barcode.Barcode) *matrix {
	r := b.Bounds()
	m := &matrix{w: r.Dx(), h: r.Dy()}
	m.dark = make([]bool, m.w*m.h)
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; x++ {
			g := color.GrayModel.Convert(b.At(r.Min.X+x, r.Min.Y+y)).(color.Gray)
			m.dark[y*m.w+x] = g.Y < 128
		}
	}
	return m
}

// symbols holds the encoded symbols of one label; dm is nil without Element.
type symbols struct {
	qr, dm *matrix
}

func encode(l Label) (*symbols, error) {
	if l.URI == "" {
		return nil, errors.New("label: empty URI: nothing to put in the QR code")
	}
	q, err := qr.Encode(l.URI, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("label: QR code for %q: %w", l.URI, err)
	}
	s := &symbols{qr: toMatrix(q)}
	if l.Element != "" {
		content, err := gs1DataMatrixContent(l.Element)
		if err != nil {
			return nil, err
		}
		d, err := datamatrix.Encode(content)
		if err != nil {
			return nil, fmt.Errorf("label: DataMatrix for %q: %w", l.Element, err)
		}
		s.dm = toMatrix(d)
		if s.dm.w >= 144 {
			// boombuler/barcode (like ZXing's encoder) interleaves the
			// error-correction codewords of the 144×144 size in plain
			// block order, where ISO/IEC 16022 continues the round robin
			// of the data codewords (block 8 first); readers that follow
			// the standard reject such symbols.
			return nil, fmt.Errorf("label: GS1 element string of %d characters is too long for a DataMatrix up to 132×132", len(l.Element))
		}
	}
	return s, nil
}

// size returns the width and height, in modules, of the symbol row with its
// quiet zones, and the x offset of the DataMatrix within it.
func (s *symbols) size() (w, h, dmX int) {
	w = qrQuiet + s.qr.w + qrQuiet
	h = qrQuiet + s.qr.h + qrQuiet
	if s.dm != nil {
		dmX = qrQuiet + s.qr.w + symGap
		w = dmX + s.dm.w + max(dmQuiet, qrQuiet)
		h = max(h, qrQuiet+s.dm.h+qrQuiet)
	}
	return w, h, dmX
}

// dmY is the y offset, in modules, of the DataMatrix: level with the QR code.
func (s *symbols) dmY() int { return qrQuiet }

// gs1DataMatrixContent turns a GS1 element string (AIs and values, GS as the
// separator after variable-length values) into the input that
// boombuler/barcode's DataMatrix encoder treats as GS1: FNC1 (byte 232)
// first and FNC1 in place of every GS. It rejects what cannot be a GS1
// element string, so that the symbol never carries silently changed data.
func gs1DataMatrixContent(element string) (string, error) {
	if element[0] < '0' || element[0] > '9' {
		return "", fmt.Errorf("label: GS1 element string %q must start with an application identifier (digits), "+
			"in the unbracketed form with GS (0x1D) separators; FNC1 is added by the encoder", element)
	}
	for i := 0; i < len(element); i++ {
		c := element[i]
		switch {
		case c == 0x1d:
			if i == len(element)-1 || element[i+1] == 0x1d {
				return "", fmt.Errorf("label: GS1 element string %q: GS at byte %d is not followed by an element string", element, i)
			}
		case !gs1Char(c):
			return "", fmt.Errorf("label: GS1 element string %q: byte 0x%02x at %d is outside the GS1 character sets 82 and 39", element, c, i)
		}
	}
	return string([]byte{datamatrix.FNC1}) + strings.ReplaceAll(element, GS, string([]byte{datamatrix.FNC1})), nil
}

// gs1Char reports whether c is in GS1 AI encodable character set 82 or 39
// (set 39 adds '#').
func gs1Char(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return true
	}
	return strings.IndexByte(`!"%&'()*+,-./:;<=>?_#`, c) >= 0
}
