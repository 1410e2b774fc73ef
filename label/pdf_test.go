package label

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sheetLabels returns n labels with Chinese text, serial numbers 1..n.
func sheetLabels(n int) []Label {
	out := make([]Label, n)
	for i := range out {
		serial := fmt.Sprintf("SN%04d", i+1)
		out[i] = Label{
			URI:     "https://id.zhuisu.cn/01/09521234543213/10/L2603/21/" + serial + "?17=261231",
			Element: "0109521234543213" + "10L2603" + gs + "17261231" + "21" + serial,
			Text:    []string{"(01)09521234543213(10)L2603(21)" + serial, fmt.Sprintf("福建红茶 批次 L2603 第%d号", i+1)},
		}
	}
	return out
}

var pageObj = regexp.MustCompile(`/Type\s*/Page\b`)

// TestPDFSheet lays out 30 labels with Chinese text at 3×5 per A4 page:
// two pages, the CJK font embedded. When poppler-utils is installed it also
// extracts the text (pdftotext) and rasterises the first page (pdftoppm) to
// decode the first label's QR code and DataMatrix.
func TestPDFSheet(t *testing.T) {
	needCJKFont(t)
	labels := sheetLabels(30)
	sheet := Sheet{Paper: "A4", Columns: 3, Rows: 5, MarginMM: 10, GapMM: 4}
	var buf bytes.Buffer
	if err := PDF(&buf, labels, sheet); err != nil {
		t.Fatalf("PDF: %v", err)
	}
	pdf := buf.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("output starts with %q, not %%PDF-", pdf[:min(8, len(pdf))])
	}
	if n := len(pageObj.FindAll(pdf, -1)); n != 2 {
		t.Errorf("%d /Type /Page objects, want 2", n)
	}
	if !bytes.Contains(pdf, []byte("/MediaBox [0 0 595.28 841.89]")) {
		t.Error("no A4 MediaBox (595.28 × 841.89 pt)")
	}
	for _, want := range []string{"/FontFile2", "/Subtype /CIDFontType2", "/ToUnicode"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("no %s: the TrueType font is not embedded", want)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("LABEL_SAMPLES"); out != "" {
		_ = os.WriteFile(filepath.Join(out, "sheet.pdf"), pdf, 0o644)
	}

	t.Run("pdftotext", func(t *testing.T) {
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext not installed (apt-get install poppler-utils)")
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := string(out)
		if n := strings.Count(text, "\f"); n != 2 {
			t.Errorf("pdftotext found %d pages, want 2", n)
		}
		for _, l := range []Label{labels[0], labels[14], labels[15], labels[29]} {
			for _, line := range l.Text {
				if !strings.Contains(text, line) {
					t.Errorf("pdftotext output lacks %q", line)
				}
			}
		}
	})

	t.Run("pdftoppm", func(t *testing.T) {
		if _, err := exec.LookPath("pdftoppm"); err != nil {
			t.Skip("pdftoppm not installed (apt-get install poppler-utils)")
		}
		const dpi = 300
		prefix := filepath.Join(dir, "page")
		if out, err := exec.Command("pdftoppm", "-png", "-r", fmt.Sprint(dpi), "-f", "1", "-l", "2", file, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		pages, _ := filepath.Glob(prefix + "*.png")
		if len(pages) != 2 {
			t.Fatalf("pdftoppm made %d pages, want 2", len(pages))
		}
		cellW := (210 - 2*sheet.MarginMM - 2*sheet.GapMM) / 3
		cellH := (297 - 2*sheet.MarginMM - 4*sheet.GapMM) / 5
		px := func(mm float64) int { return int(mm / 25.4 * dpi) }
		for _, c := range []struct {
			page     string
			col, row int
			label    Label
		}{
			{pages[0], 0, 0, labels[0]},
			{pages[0], 2, 4, labels[14]},
			{pages[1], 1, 2, labels[22]},
		} {
			b, err := os.ReadFile(c.page)
			if err != nil {
				t.Fatal(err)
			}
			img := decodePNG(t, b)
			x := sheet.MarginMM + float64(c.col)*(cellW+sheet.GapMM)
			y := sheet.MarginMM + float64(c.row)*(cellH+sheet.GapMM)
			cell := image.Rect(px(x), px(y), px(x+cellW), px(y+cellH))
			// the QR code is on the left of the cell, the DataMatrix on the right
			left := image.Rect(cell.Min.X, cell.Min.Y, cell.Min.X+cell.Dx()*3/5, cell.Max.Y)
			right := image.Rect(cell.Min.X+cell.Dx()*3/5, cell.Min.Y, cell.Max.X, cell.Min.Y+cell.Dy()*3/4)
			if got := readQR(t, crop(t, img, left)).GetText(); got != c.label.URI {
				t.Errorf("page %s cell %d,%d: QR = %q, want %q", filepath.Base(c.page), c.col, c.row, got, c.label.URI)
			}
			checkGS1DataMatrix(t, readDataMatrix(t, crop(t, img, right)), c.label.Element)
		}
	})
}

// TestPDFNoCJKFont: Chinese text and no font is the documented error;
// ASCII text needs no font and uses Helvetica.
func TestPDFNoCJKFont(t *testing.T) {
	withoutCJKFont(t)
	sheet := Sheet{Columns: 2, Rows: 4, MarginMM: 8, GapMM: 3}
	err := PDF(&bytes.Buffer{}, sheetLabels(3), sheet)
	if !errors.Is(err, ErrNoCJKFont) {
		t.Fatalf("err = %v, want ErrNoCJKFont", err)
	}
	if err.Error() != "no CJK TrueType font found: install fonts-wqy-microhei or pass a font path" {
		t.Errorf("message = %q", err)
	}

	ascii := sheetLabels(9)
	for i := range ascii {
		ascii[i].Text = ascii[i].Text[:1]
	}
	var buf bytes.Buffer
	if err := PDF(&buf, ascii, sheet); err != nil {
		t.Fatalf("ASCII labels without a CJK font: %v", err)
	}
	pdf := buf.Bytes()
	if n := len(pageObj.FindAll(pdf, -1)); n != 2 {
		t.Errorf("9 labels at 2×4: %d pages, want 2", n)
	}
	if !bytes.Contains(pdf, []byte("/BaseFont /Helvetica")) || bytes.Contains(pdf, []byte("/FontFile2")) {
		t.Error("ASCII-only sheet should use the core font Helvetica and embed nothing")
	}
}

// TestPDFFontPath: an explicit FontPath is used even when FindCJKFont finds
// nothing, and a bad one is reported.
func TestPDFFontPath(t *testing.T) {
	p := needCJKFont(t)
	withoutCJKFont(t)
	var buf bytes.Buffer
	if err := PDF(&buf, sheetLabels(2), Sheet{Columns: 2, Rows: 2, FontPath: p}); err != nil {
		t.Fatalf("PDF with FontPath %s: %v", p, err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("/FontFile2")) {
		t.Error("font from FontPath not embedded")
	}

	bad := filepath.Join(t.TempDir(), "bad.ttf")
	if err := os.WriteFile(bad, []byte("not a font, not at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := PDF(&bytes.Buffer{}, sheetLabels(1), Sheet{Columns: 1, Rows: 1, FontPath: bad})
	if err == nil || !strings.Contains(err.Error(), "not a TrueType font") {
		t.Errorf("bad FontPath: err = %v", err)
	}
}

func TestPDFErrors(t *testing.T) {
	withoutCJKFont(t)
	ascii := []Label{{URI: "https://id.zhuisu.cn/01/09521234543213", Element: "0109521234543213", Text: []string{"GTIN 09521234543213"}}}
	for _, c := range []struct {
		name   string
		labels []Label
		sheet  Sheet
		want   string
	}{
		{"no labels", nil, Sheet{Columns: 1, Rows: 1}, "no labels"},
		{"no columns", ascii, Sheet{Rows: 1}, "at least one column"},
		{"paper", ascii, Sheet{Paper: "B5", Columns: 1, Rows: 1}, "unknown paper"},
		{"margins", ascii, Sheet{Columns: 1, Rows: 1, MarginMM: 120}, "do not fit"},
		{"tiny cells", ascii, Sheet{Columns: 30, Rows: 40}, "per module"},
		{"bad label", []Label{ascii[0], {URI: ""}}, Sheet{Columns: 1, Rows: 1}, "label 1: label: empty URI"},
	} {
		err := PDF(&bytes.Buffer{}, c.labels, c.sheet)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}
