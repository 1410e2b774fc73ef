package label

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// svgModuleMM is the printed size of one module of an SVG label, in mm:
// the width and height attributes are given in mm from it, while the
// viewBox counts modules. 0.5 mm is within GS1's range for QR codes and
// DataMatrix on consumer items; a printer or page layout may scale it.
const svgModuleMM = 0.5

// svgFontFamily lists fonts with Chinese glyphs first; the viewer picks.
const svgFontFamily = `'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', SimHei, sans-serif`

// SVG writes one label as an SVG 1.1 document: the QR code and the
// DataMatrix as <rect> elements (one per horizontal run of dark modules)
// and l.Text as <text> elements, XML-escaped. One user unit is one module.
// The viewer chooses the font from a list of CJK families, so Chinese text
// needs no font here; the width allowed for text is estimated (one em for
// wide characters, 0.6 em for others).
func SVG(w io.Writer, l Label) error {
	syms, err := encode(l)
	if err != nil {
		return err
	}
	symW, symH, dmX := syms.size()

	textW := 0.0
	for _, line := range l.Text {
		textW = max(textW, estimateEms(line)*fontMods)
	}
	width := max(float64(symW), textW+2*qrQuiet)
	height := float64(symH)
	if len(l.Text) > 0 {
		height += float64(len(l.Text)*lineMods + qrQuiet)
	}

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(bw, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%smm\" height=\"%smm\" viewBox=\"0 0 %s %s\">\n",
		num(width*svgModuleMM), num(height*svgModuleMM), num(width), num(height))
	fmt.Fprintf(bw, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n")
	writeRects(bw, "qr", syms.qr, qrQuiet, qrQuiet)
	if syms.dm != nil {
		writeRects(bw, "datamatrix", syms.dm, dmX, syms.dmY())
	}
	if len(l.Text) > 0 {
		fmt.Fprintf(bw, "<g id=\"text\" font-family=\"%s\" font-size=\"%d\" fill=\"#000\">\n", xmlEscape(svgFontFamily), fontMods)
		for i, line := range l.Text {
			// baseline: one em (ascent) below the top of the line box
			y := symH + i*lineMods + fontMods
			fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\" xml:space=\"preserve\">%s</text>\n", qrQuiet, y, xmlEscape(line))
		}
		fmt.Fprintf(bw, "</g>\n")
	}
	fmt.Fprintf(bw, "</svg>\n")
	return bw.Flush()
}

func writeRects(w io.Writer, id string, m *matrix, ox, oy int) {
	fmt.Fprintf(w, "<g id=\"%s\" fill=\"#000\" shape-rendering=\"crispEdges\">\n", id)
	m.runs(func(x, y, n int) {
		fmt.Fprintf(w, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"1\"/>\n", ox+x, oy+y, n)
	})
	fmt.Fprintf(w, "</g>\n")
}

// xmlEscape escapes s for XML text and attribute values. Characters that
// XML 1.0 forbids (most C0 controls) become U+FFFD, so the document stays
// well formed whatever the label text holds.
func xmlEscape(s string) string {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return ""
	}
	return b.String()
}

// estimateEms estimates the advance of s in ems without font metrics.
func estimateEms(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) ||
			unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
			(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)):
			w += 1
		case utf8.RuneLen(r) > 0:
			w += 0.6
		}
	}
	return w
}

func num(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
