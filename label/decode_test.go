package label

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	dmenc "github.com/makiuchi-d/gozxing/datamatrix/encoder"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Test helpers: decoding with github.com/makiuchi-d/gozxing, a port of
// ZXing that shares no code with github.com/boombuler/barcode.

const gs = "\x1d"

// testLabels are the labels the PNG, SVG and PDF tests render.
var testLabels = []Label{
	{ // GS1 Digital Link with lot, expiry and serial; lot is variable-length, so GS follows it
		URI:     "https://id.zhuisu.cn/01/09521234543213/10/L2603/21/ABC123?17=261231",
		Element: "0109521234543213" + "10L2603" + gs + "17261231" + "21ABC123",
		Text:    []string{"(01)09521234543213(10)L2603(17)261231(21)ABC123", "福建红茶 批次 L2603"},
	},
	{ // Chinese sector URL, no DataMatrix
		URI:  "https://trace.zhuisu.cn/溯源/福建红茶?批次=L2603&产地=福建省安溪县",
		Text: []string{"福建红茶 批次 L2603", "扫码溯源"},
	},
	{ // odd digit runs on both sides of each separator, and punctuation from set 82
		URI:     "https://id.zhuisu.cn/01/09521234543213/21/12345",
		Element: "0109521234543213" + "2112345" + gs + "10A-b/7%2" + gs + "240" + "x_y'z",
		Text:    []string{"(01)09521234543213(21)12345(10)A-b/7%2(240)x_y'z"},
	},
	{ // uppercase URL: the QR encoder may pick alphanumeric mode
		URI:     "HTTPS://ID.ZHUISU.CN/01/09521234543213/21/X1",
		Element: "0109521234543213" + "21X1",
	},
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG: % x", b[:min(8, len(b))])
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	return img
}

func crop(t *testing.T, img image.Image, r image.Rectangle) image.Image {
	t.Helper()
	s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		t.Fatalf("%T cannot be cropped", img)
	}
	return s.SubImage(r)
}

func bitmap(t *testing.T, img image.Image) *gozxing.BinaryBitmap {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("NewBinaryBitmapFromImage: %v", err)
	}
	return bmp
}

// readQR decodes a QR code without hints, as a phone would, with the
// character set guessed from the bytes.
func readQR(t *testing.T, img image.Image) *gozxing.Result {
	t.Helper()
	res, err := qrcode.NewQRCodeReader().Decode(bitmap(t, img), nil)
	if err != nil {
		t.Fatalf("QR decode: %v", err)
	}
	return res
}

func readDataMatrix(t *testing.T, img image.Image) *gozxing.Result {
	t.Helper()
	res, err := datamatrix.NewDataMatrixReader().Decode(bitmap(t, img), nil)
	if err != nil {
		t.Fatalf("DataMatrix decode: %v", err)
	}
	return res
}

// checkGS1DataMatrix checks a decoded GS1 DataMatrix against the element
// string: ZXing reports FNC1 as GS, the leading one included, and the
// symbology identifier ]d2 for FNC1 in first position; the raw codewords
// must start with 232 and hold 232 (not 30, which is GS as data) for each
// separator, and be exactly the ASCII encodation of the element string.
func checkGS1DataMatrix(t *testing.T, res *gozxing.Result, element string) {
	t.Helper()
	if got, want := res.GetText(), gs+element; got != want {
		t.Errorf("DataMatrix text = %q, want %q", got, want)
	}
	if id := res.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER]; id != "]d2" {
		t.Errorf("symbology identifier = %v, want ]d2 (GS1 DataMatrix)", id)
	}
	raw := res.GetRawBytes()
	want := asciiCodewords(element, len(raw))
	if !bytes.Equal(raw, want) {
		t.Errorf("data codewords\n got % d\nwant % d", raw, want)
	}
	if len(raw) == 0 || raw[0] != 232 {
		t.Errorf("first codeword is not FNC1 (232): % d", raw)
	}
}

// asciiCodewords is an independent statement of ECC 200 ASCII encodation
// of a GS1 element string (ISO/IEC 16022 5.2.3, 5.2.4.1, 5.2.6): FNC1 (232)
// first, GS as FNC1, two digits as 130+value, another character as c+1,
// then the pad 129 and pseudo-randomised pads up to n codewords.
func asciiCodewords(element string, n int) []byte {
	cw := []byte{232}
	for i := 0; i < len(element); i++ {
		c := element[i]
		switch {
		case c == 0x1d:
			cw = append(cw, 232)
		case isDigit(c) && i+1 < len(element) && isDigit(element[i+1]):
			cw = append(cw, 130+(c-'0')*10+(element[i+1]-'0'))
			i++
		default:
			cw = append(cw, c+1)
		}
	}
	if len(cw) < n {
		cw = append(cw, 129)
	}
	for len(cw) < n {
		pos := len(cw) + 1
		v := 129 + (149*pos)%253 + 1
		if v > 254 {
			v -= 254
		}
		cw = append(cw, byte(v))
	}
	return cw
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// expectedDataMatrix builds the ECC 200 symbol for the given data
// codewords with ZXing's encoder (Reed-Solomon, module placement) and adds
// finder and clock patterns as ZXing's writer does. Comparing it bit for
// bit with the symbol under test checks error correction and placement
// exactly, which a decoder that corrects errors could not.
func expectedDataMatrix(t *testing.T, data []byte) [][]bool {
	t.Helper()
	info, err := dmenc.SymbolInfo_Lookup(len(data), dmenc.SymbolShapeHint_FORCE_SQUARE, nil, nil, true)
	if err != nil {
		t.Fatalf("SymbolInfo_Lookup(%d): %v", len(data), err)
	}
	if info.GetDataCapacity() != len(data) {
		t.Fatalf("%d data codewords do not fill a square symbol (capacity %d)", len(data), info.GetDataCapacity())
	}
	cws, err := dmenc.ErrorCorrection_EncodeECC200(data, info)
	if err != nil {
		t.Fatalf("EncodeECC200: %v", err)
	}
	p := dmenc.NewDefaultPlacement(cws, info.GetSymbolDataWidth(), info.GetSymbolDataHeight())
	p.Place()
	mw, mh := info.GetMatrixWidth(), info.GetMatrixHeight()
	out := make([][]bool, info.GetSymbolHeight())
	for i := range out {
		out[i] = make([]bool, info.GetSymbolWidth())
	}
	for y := 0; y < info.GetSymbolHeight(); y++ {
		for x := 0; x < info.GetSymbolWidth(); x++ {
			rx, ry := x%(mw+2), y%(mh+2)
			switch {
			case rx == 0 || ry == mh+1: // solid L: left and bottom of each region
				out[y][x] = true
			case ry == 0: // clock track on top
				out[y][x] = x%2 == 0
			case rx == mw+1: // clock track on the right
				out[y][x] = y%2 == 1
			default:
				out[y][x] = p.GetBit(x/(mw+2)*mw+rx-1, y/(mh+2)*mh+ry-1)
			}
		}
	}
	return out
}

func matrixString(rows [][]bool) string {
	var b strings.Builder
	for _, r := range rows {
		for _, d := range r {
			if d {
				b.WriteString("#")
			} else {
				b.WriteString(".")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (m *matrix) rows() [][]bool {
	out := make([][]bool, m.h)
	for y := range out {
		out[y] = m.dark[y*m.w : (y+1)*m.w]
	}
	return out
}
