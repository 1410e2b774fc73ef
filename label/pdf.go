package label

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

// Sheet is the layout of a PDF sheet of labels.
type Sheet struct {
	Paper           string  // "A4" (default when empty), "A3", "A5", "Letter" or "Legal"; portrait
	Columns, Rows   int     // labels per row and rows per page, both at least 1
	MarginMM, GapMM float64 // page margin and the gap between labels, in mm
	FontPath        string  // TrueType font (.ttf, or .ttc: first face) for the text; empty: FindCJKFont when needed
}

// Paper sizes in mm, portrait.
var paperSizes = map[string][2]float64{
	"A3":     {297, 420},
	"A4":     {210, 297},
	"A5":     {148, 210},
	"LETTER": {215.9, 279.4},
	"LEGAL":  {215.9, 355.6},
}

const (
	pdfMaxFontPt  = 8    // text size, shrunk down to pdfMinFontPt to fit
	pdfMinFontPt  = 4    // below this text is clipped at the label's edge
	pdfMinModule  = 0.25 // mm; smaller modules do not scan reliably in print
	pdfPadMM      = 0.5  // inside each label, around its content
	pdfLinePitch  = 1.2  // line height in ems
	ptToMM        = 25.4 / 72
	pdfFontFamily = "labeltext"
)

// PDF writes labels as one or more pages of a grid of Columns × Rows labels,
// filled row by row. Symbols are drawn as vector rectangles, as large as
// each label's cell allows (with the symbols' quiet zones inside the cell);
// the text lines are centred under them, shrunk from 8 pt down to 4 pt to
// fit the cell's width.
//
// Text is set in Helvetica when all of it is ASCII and s.FontPath is empty.
// Otherwise a TrueType font is embedded (subset): s.FontPath, or else the
// one [FindCJKFont] finds; with neither, PDF returns [ErrNoCJKFont]. An
// error is also returned when the font lacks a glyph the text needs, or
// when a cell is too small for modules of at least 0.25 mm.
func PDF(w io.Writer, labels []Label, s Sheet) (err error) {
	if len(labels) == 0 {
		return errors.New("label: PDF: no labels")
	}
	if s.Columns < 1 || s.Rows < 1 {
		return fmt.Errorf("label: PDF: sheet needs at least one column and one row, got %d×%d", s.Columns, s.Rows)
	}
	if s.MarginMM < 0 || s.GapMM < 0 {
		return errors.New("label: PDF: negative margin or gap")
	}
	paper := strings.ToUpper(strings.TrimSpace(s.Paper))
	if paper == "" {
		paper = "A4"
	}
	size, ok := paperSizes[paper]
	if !ok {
		return fmt.Errorf("label: PDF: unknown paper %q (A3, A4, A5, Letter, Legal)", s.Paper)
	}
	cellW := (size[0] - 2*s.MarginMM - float64(s.Columns-1)*s.GapMM) / float64(s.Columns)
	cellH := (size[1] - 2*s.MarginMM - float64(s.Rows-1)*s.GapMM) / float64(s.Rows)
	if cellW <= 2*pdfPadMM || cellH <= 2*pdfPadMM {
		return fmt.Errorf("label: PDF: %d×%d labels with margin %g mm and gap %g mm do not fit on %s", s.Columns, s.Rows, s.MarginMM, s.GapMM, paper)
	}

	syms := make([]*symbols, len(labels))
	for i, l := range labels {
		if syms[i], err = encode(l); err != nil {
			return fmt.Errorf("label %d: %w", i, err)
		}
	}

	font, err := pdfFont(labels, s.FontPath)
	if err != nil {
		return err
	}

	defer func() {
		// fpdf's TrueType code indexes font tables without bounds checks.
		if r := recover(); r != nil {
			err = fmt.Errorf("label: PDF: %v", r)
		}
	}()
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: size[0], Ht: size[1]}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreator("zhuisu label", true)
	family := "Helvetica"
	if font != nil {
		// fpdf reads the font bytes as it goes; give it its own copy.
		pdf.AddUTF8FontFromBytes(pdfFontFamily, "", append([]byte(nil), font.ttf...))
		family = pdfFontFamily
	}
	pdf.SetFont(family, "", pdfMaxFontPt)
	if pdf.Err() {
		return fmt.Errorf("label: PDF: %w", pdf.Error())
	}

	perPage := s.Columns * s.Rows
	for i, l := range labels {
		if i%perPage == 0 {
			pdf.AddPage()
		}
		col, row := i%perPage%s.Columns, i%perPage/s.Columns
		x := s.MarginMM + float64(col)*(cellW+s.GapMM)
		y := s.MarginMM + float64(row)*(cellH+s.GapMM)
		if err := pdfCell(pdf, family, x, y, cellW, cellH, syms[i], l.Text); err != nil {
			return fmt.Errorf("label %d: %w", i, err)
		}
	}
	return pdf.Output(w)
}

// pdfFont decides the font for the labels' text: nil means Helvetica.
func pdfFont(labels []Label, path string) (*loadedFont, error) {
	ascii := true
	for _, l := range labels {
		for _, line := range l.Text {
			for i := 0; i < len(line); i++ {
				if line[i] >= 0x80 {
					ascii = false
				}
			}
		}
	}
	if path == "" {
		if ascii {
			return nil, nil
		}
		p, ok := FindCJKFont()
		if !ok {
			return nil, ErrNoCJKFont
		}
		path = p
	}
	f, err := loadFont(path)
	if err != nil {
		return nil, fmt.Errorf("label: PDF: %w", err)
	}
	var buf sfnt.Buffer
	for _, l := range labels {
		for _, line := range l.Text {
			for _, r := range line {
				if r < 0x20 {
					continue
				}
				if gi, err := f.sfnt.GlyphIndex(&buf, r); err != nil || gi == 0 {
					return nil, fmt.Errorf("label: PDF: font %s has no glyph for %q (in %q)", path, r, line)
				}
			}
		}
	}
	return f, nil
}

// pdfCell draws one label into the cell at (x, y) of size w × h mm.
func pdfCell(pdf *fpdf.Fpdf, family string, x, y, w, h float64, syms *symbols, text []string) error {
	innerW, innerH := w-2*pdfPadMM, h-2*pdfPadMM

	// Text: the largest size from 8 pt down to 4 pt at which every line
	// fits the width and all lines take at most 40% of the height.
	pt := float64(pdfMaxFontPt)
	for ; len(text) > 0 && pt > pdfMinFontPt; pt -= 0.5 {
		pdf.SetFont(family, "", pt)
		wide := 0.0
		for _, line := range text {
			wide = max(wide, pdf.GetStringWidth(line))
		}
		if wide <= innerW && float64(len(text))*pt*ptToMM*pdfLinePitch <= 0.4*innerH {
			break
		}
	}
	pdf.SetFont(family, "", pt)
	lineH := pt * ptToMM * pdfLinePitch
	textH := float64(len(text)) * lineH

	symW, symH, dmX := syms.size()
	mod := min(innerW/float64(symW), (innerH-textH)/float64(symH))
	if mod < pdfMinModule {
		return fmt.Errorf("cell %.1f×%.1f mm leaves %.2f mm per module, below %.2f mm: use fewer columns or rows, a smaller margin or gap, or less text",
			w, h, max(mod, 0), pdfMinModule)
	}
	ox := x + pdfPadMM + (innerW-float64(symW)*mod)/2
	oy := y + pdfPadMM
	pdf.SetFillColor(0, 0, 0)
	rects := func(m *matrix, mx, my int) {
		m.runs(func(cx, cy, n int) {
			pdf.Rect(ox+float64(mx+cx)*mod, oy+float64(my+cy)*mod, float64(n)*mod, mod, "F")
		})
	}
	rects(syms.qr, qrQuiet, qrQuiet)
	if syms.dm != nil {
		rects(syms.dm, dmX, syms.dmY())
	}

	if len(text) > 0 {
		pdf.ClipRect(x, y, w, h, false)
		pdf.SetTextColor(0, 0, 0)
		top := oy + float64(symH)*mod
		for i, line := range text {
			lw := pdf.GetStringWidth(line)
			tx := x + pdfPadMM + max((innerW-lw)/2, 0)
			// baseline at about the ascent below the line's top
			pdf.Text(tx, top+float64(i)*lineH+pt*ptToMM*0.95, line)
		}
		pdf.ClipEnd()
	}
	if pdf.Err() {
		return pdf.Error()
	}
	return nil
}
