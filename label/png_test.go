package label

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPNGRoundTrip renders each test label as PNG, decodes the PNG, reads
// the QR code (from the whole label, and cropped) and the DataMatrix
// (cropped to it and its quiet zone), and compares with what went in.
func TestPNGRoundTrip(t *testing.T) {
	for i, l := range testLabels {
		for _, scale := range []int{3, 8} {
			t.Run(fmt.Sprintf("label%d/scale%d", i, scale), func(t *testing.T) {
				var buf bytes.Buffer
				if err := PNG(&buf, l, scale); err != nil {
					t.Fatalf("PNG: %v", err)
				}
				img := decodePNG(t, buf.Bytes())
				_, lay, err := renderImage(l, scale)
				if err != nil {
					t.Fatal(err)
				}
				if !lay.qr.In(img.Bounds()) || !lay.dm.In(img.Bounds()) {
					t.Fatalf("layout %+v outside image %v", lay, img.Bounds())
				}

				if got := readQR(t, img).GetText(); got != l.URI {
					t.Errorf("QR (whole label) = %q, want %q", got, l.URI)
				}
				if got := readQR(t, crop(t, img, lay.qr)).GetText(); got != l.URI {
					t.Errorf("QR (cropped) = %q, want %q", got, l.URI)
				}
				if l.Element == "" {
					if !lay.dm.Empty() {
						t.Errorf("DataMatrix drawn at %v for a label without Element", lay.dm)
					}
					return
				}
				checkGS1DataMatrix(t, readDataMatrix(t, crop(t, img, lay.dm)), l.Element)
			})
		}
	}
}

// TestPNGText checks that text lines enlarge the image and put ink under
// the symbols, and that the image stays within what the symbols and text
// need.
func TestPNGText(t *testing.T) {
	bare := testLabels[0]
	bare.Text = nil
	a, _, err := renderImage(bare, 4)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := renderImage(testLabels[0], 4)
	if err != nil {
		t.Fatal(err)
	}
	if b.Bounds().Dy() <= a.Bounds().Dy() {
		t.Fatalf("two text lines did not add height: %v vs %v", b.Bounds(), a.Bounds())
	}
	below := image.Rect(0, a.Bounds().Dy(), b.Bounds().Dx(), b.Bounds().Dy())
	dark := 0
	for y := below.Min.Y; y < below.Max.Y; y++ {
		for x := below.Min.X; x < below.Max.X; x++ {
			if b.GrayAt(x, y).Y < 128 {
				dark++
			}
		}
	}
	if dark < 200 {
		t.Errorf("only %d dark pixels in the text area %v", dark, below)
	}
	// nothing drawn in the quiet zone left of the QR code, text included
	for y := 0; y < b.Bounds().Dy(); y++ {
		for x := 0; x < qrQuiet*4; x++ {
			if b.GrayAt(x, y).Y < 128 {
				t.Fatalf("ink at (%d,%d), inside the left quiet zone", x, y)
			}
		}
	}
}

func TestPNGErrors(t *testing.T) {
	var buf bytes.Buffer
	cases := []struct {
		name  string
		l     Label
		scale int
		want  string
	}{
		{"no URI", Label{Element: "0109521234543213"}, 4, "empty URI"},
		{"scale", testLabels[0], 0, "scale"},
		{"bracketed", Label{URI: "x", Element: "(01)09521234543213"}, 4, "must start with an application identifier"},
		{"leading GS", Label{URI: "x", Element: gs + "0109521234543213"}, 4, "must start with an application identifier"},
		{"trailing GS", Label{URI: "x", Element: "10ABC" + gs}, 4, "GS at byte 5"},
		{"non-ASCII", Label{URI: "x", Element: "10批次"}, 4, "outside the GS1 character sets"},
		{"space", Label{URI: "x", Element: "10A B"}, 4, "outside the GS1 character sets"},
	}
	for _, c := range cases {
		err := PNG(&buf, c.l, c.scale)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// TestPNGWriteSamples writes the test labels to $LABEL_SAMPLES, when set,
// for looking at them.
func TestPNGWriteSamples(t *testing.T) {
	dir := os.Getenv("LABEL_SAMPLES")
	if dir == "" {
		t.Skip("set LABEL_SAMPLES to a directory to write sample labels there")
	}
	for i, l := range testLabels {
		var buf bytes.Buffer
		if err := PNG(&buf, l, 6); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("label%d.png", i)), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if err := SVG(&buf, l); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("label%d.svg", i)), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
