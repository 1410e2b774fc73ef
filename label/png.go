package label

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// PNG writes one label as a grayscale PNG image: the QR code, the
// DataMatrix beside it when l.Element is not empty, and l.Text under them.
// scale is the size of one module in pixels (at least 1; 4 to 10 suits
// printing at 300 dpi).
//
// Text is drawn with the font [FindCJKFont] finds, falling back per
// character to the built-in Go font (Latin, Greek, Cyrillic); a character
// that neither font has is drawn as '?'. So without a CJK font Chinese
// characters come out as '?' and no error is returned: use [PDF], which
// reports a missing font, or [SVG] when that matters.
func PNG(w io.Writer, l Label, scale int) error {
	img, _, err := renderImage(l, scale)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// imageLayout tells where renderImage put the symbols, in pixels; the tests
// use it to crop each symbol with its quiet zone.
type imageLayout struct {
	qr, dm image.Rectangle // dm is empty without a DataMatrix
}

func renderImage(l Label, scale int) (*image.Gray, imageLayout, error) {
	var lay imageLayout
	if scale < 1 {
		return nil, lay, errors.New("label: PNG scale must be at least 1 pixel per module")
	}
	syms, err := encode(l)
	if err != nil {
		return nil, lay, err
	}
	symW, symH, dmX := syms.size()

	var tx *textFaces
	fontPx := float64(max(fontMods*scale, 10))
	pitch := max(lineMods*scale, int(fontPx*1.25+0.5))
	textW := 0
	if len(l.Text) > 0 {
		tx = newTextFaces(fontPx)
		for _, line := range l.Text {
			textW = max(textW, tx.measure(line).Ceil())
		}
	}

	width := max(symW*scale, textW+2*qrQuiet*scale)
	height := symH * scale
	if len(l.Text) > 0 {
		height += len(l.Text)*pitch + qrQuiet*scale
	}
	img := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)

	paint := func(m *matrix, ox, oy int) image.Rectangle {
		m.runs(func(x, y, n int) {
			r := image.Rect(ox+x*scale, oy+y*scale, ox+(x+n)*scale, oy+(y+1)*scale)
			draw.Draw(img, r, image.Black, image.Point{}, draw.Src)
		})
		return image.Rect(ox, oy, ox+m.w*scale, oy+m.h*scale)
	}
	q := paint(syms.qr, qrQuiet*scale, qrQuiet*scale)
	lay.qr = q.Inset(-qrQuiet * scale).Intersect(img.Bounds())
	if syms.dm != nil {
		d := paint(syms.dm, dmX*scale, syms.dmY()*scale)
		lay.dm = d.Inset(-dmQuiet * scale).Intersect(img.Bounds())
	}

	if tx != nil {
		defer tx.close()
		ascent := tx.ascent().Ceil()
		for i, line := range l.Text {
			dot := fixed.P(qrQuiet*scale, symH*scale+i*pitch+ascent)
			tx.draw(img, dot, line)
		}
	}
	return img, lay, nil
}

var goRegular = sync.OnceValues(func() (*opentype.Font, error) {
	return opentype.Parse(goregular.TTF)
})

// textFaces draws a line with the CJK font when it has the glyph, else the
// Go font, else '?'.
type textFaces struct {
	faces []font.Face
}

func newTextFaces(px float64) *textFaces {
	t := &textFaces{}
	opts := &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull}
	if p, ok := FindCJKFont(); ok {
		if lf, err := loadFont(p); err == nil {
			if f, err := opentype.NewFace(lf.sfnt, opts); err == nil {
				t.faces = append(t.faces, f)
			}
		}
	}
	if g, err := goRegular(); err == nil {
		if f, err := opentype.NewFace(g, opts); err == nil {
			t.faces = append(t.faces, f)
		}
	}
	return t
}

func (t *textFaces) close() {
	for _, f := range t.faces {
		f.Close()
	}
}

// pick returns the face that has r (and r), or the last face and '?'.
func (t *textFaces) pick(r rune) (font.Face, rune, fixed.Int26_6) {
	for _, f := range t.faces {
		if adv, ok := f.GlyphAdvance(r); ok {
			return f, r, adv
		}
	}
	if len(t.faces) == 0 {
		return nil, '?', 0
	}
	f := t.faces[len(t.faces)-1]
	adv, _ := f.GlyphAdvance('?')
	return f, '?', adv
}

func (t *textFaces) ascent() fixed.Int26_6 {
	var a fixed.Int26_6
	for _, f := range t.faces {
		a = max(a, f.Metrics().Ascent)
	}
	return a
}

func (t *textFaces) measure(s string) fixed.Int26_6 {
	var w fixed.Int26_6
	for _, r := range s {
		_, _, adv := t.pick(r)
		w += adv
	}
	return w
}

func (t *textFaces) draw(dst draw.Image, dot fixed.Point26_6, s string) {
	for _, r := range s {
		f, g, adv := t.pick(r)
		if f == nil {
			return
		}
		d := font.Drawer{Dst: dst, Src: image.NewUniform(color.Black), Face: f, Dot: dot}
		d.DrawString(string(g))
		dot.X += adv
	}
}
