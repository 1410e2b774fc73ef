package label

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	dmdec "github.com/makiuchi-d/gozxing/datamatrix/decoder"
	qrdec "github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// parsedSVG is what the test reads back from an SVG label.
type parsedSVG struct {
	rects map[string][][4]int // group id -> x, y, width, height
	texts []string
	root  xml.StartElement
}

// parseSVG parses the document with encoding/xml (so it must be well
// formed) and collects the rects per group and the text of <text> elements.
func parseSVG(t *testing.T, b []byte) parsedSVG {
	t.Helper()
	p := parsedSVG{rects: map[string][][4]int{}}
	d := xml.NewDecoder(bytes.NewReader(b))
	group, inText, depth := "", false, 0
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, b)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			attr := map[string]string{}
			for _, a := range e.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch e.Name.Local {
			case "svg":
				if depth == 1 {
					p.root = e
				}
			case "g":
				group = attr["id"]
			case "rect":
				if group == "" {
					continue
				}
				var r [4]int
				for i, k := range []string{"x", "y", "width", "height"} {
					v, err := strconv.Atoi(attr[k])
					if err != nil {
						t.Fatalf("rect %s=%q: %v", k, attr[k], err)
					}
					r[i] = v
				}
				p.rects[group] = append(p.rects[group], r)
			case "text":
				inText = true
				text.Reset()
			}
		case xml.CharData:
			if inText {
				text.Write(e)
			}
		case xml.EndElement:
			depth--
			switch e.Name.Local {
			case "g":
				group = ""
			case "text":
				inText = false
				p.texts = append(p.texts, text.String())
			}
		}
	}
	if p.root.Name.Local != "svg" || p.root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root element is %v, want svg in the SVG namespace", p.root.Name)
	}
	return p
}

// grid turns rects back into a module grid, with the symbol's top-left
// module at the smallest x and y.
func grid(t *testing.T, rects [][4]int) [][]bool {
	t.Helper()
	if len(rects) == 0 {
		t.Fatal("no rects")
	}
	x0, y0, x1, y1 := rects[0][0], rects[0][1], 0, 0
	for _, r := range rects {
		x0, y0 = min(x0, r[0]), min(y0, r[1])
		x1, y1 = max(x1, r[0]+r[2]), max(y1, r[1]+r[3])
	}
	g := make([][]bool, y1-y0)
	for i := range g {
		g[i] = make([]bool, x1-x0)
	}
	for _, r := range rects {
		for y := r[1]; y < r[1]+r[3]; y++ {
			for x := r[0]; x < r[0]+r[2]; x++ {
				g[y-y0][x-x0] = true
			}
		}
	}
	return g
}

// TestSVGRoundTrip parses each SVG label, rebuilds the QR code and the
// DataMatrix from their <rect> elements, decodes them with ZXing's
// decoders and compares with the label; the <text> elements must give back
// the lines.
func TestSVGRoundTrip(t *testing.T) {
	for i, l := range testLabels {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var buf bytes.Buffer
			if err := SVG(&buf, l); err != nil {
				t.Fatal(err)
			}
			p := parseSVG(t, buf.Bytes())

			res, err := qrdec.NewDecoder().DecodeBoolMapWithoutHint(grid(t, p.rects["qr"]))
			if err != nil {
				t.Fatalf("QR from SVG rects: %v", err)
			}
			if res.GetText() != l.URI {
				t.Errorf("QR = %q, want %q", res.GetText(), l.URI)
			}
			if l.Element == "" {
				if len(p.rects["datamatrix"]) > 0 {
					t.Error("DataMatrix drawn for a label without Element")
				}
			} else {
				res, err := dmdec.NewDecoder().DecodeBoolMap(grid(t, p.rects["datamatrix"]))
				if err != nil {
					t.Fatalf("DataMatrix from SVG rects: %v", err)
				}
				checkDecoded(t, res, l.Element)
			}
			if !equalLines(p.texts, l.Text) {
				t.Errorf("texts = %q, want %q", p.texts, l.Text)
			}
		})
	}
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSVGEscapes puts markup, ampersands, quotes and a control character in
// the text: the document must stay well-formed, contain no live <script>,
// and give the lines back (the control character as U+FFFD).
func TestSVGEscapes(t *testing.T) {
	l := Label{
		URI: "https://trace.zhuisu.cn/?a=1&b=<2>",
		Text: []string{
			`<script>alert("x")</script>`,
			`福建 & "红茶" <b>'L2603'</b>`,
			"bell\x07]]>",
		},
	}
	var buf bytes.Buffer
	if err := SVG(&buf, l); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script", "</script", "<b>", "\x07"} {
		if strings.Contains(out, bad) {
			t.Errorf("SVG contains %q unescaped:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("escaped script text not found:\n%s", out)
	}
	p := parseSVG(t, buf.Bytes())
	want := []string{l.Text[0], l.Text[1], "bell\uFFFD]]>"}
	if !equalLines(p.texts, want) {
		t.Errorf("texts = %q, want %q", p.texts, want)
	}
	for _, a := range p.root.Attr {
		if a.Name.Local == "viewBox" && !strings.HasPrefix(a.Value, "0 0 ") {
			t.Errorf("viewBox = %q", a.Value)
		}
	}
}
