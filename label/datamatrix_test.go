package label

import (
	"fmt"
	"strings"
	"testing"

	"github.com/boombuler/barcode/datamatrix"
	"github.com/makiuchi-d/gozxing/common"
	dmdec "github.com/makiuchi-d/gozxing/datamatrix/decoder"
)

// TestGS1DataMatrixContent checks the conversion to the encoder's GS1 input.
func TestGS1DataMatrixContent(t *testing.T) {
	got, err := gs1DataMatrixContent("0109521234543213" + "10L2603" + gs + "17261231")
	if err != nil {
		t.Fatal(err)
	}
	want := "\xe8" + "0109521234543213" + "10L2603" + "\xe8" + "17261231"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestDataMatrixSymbols encodes GS1 element strings of many lengths, so
// that every square symbol size from 10×10 to 132×132 is used (one to six
// regions per side, one to eight interleaved Reed-Solomon blocks), and for
// each one
//   - compares the symbol bit for bit with the one ZXing's encoder builds
//     from independently computed codewords (ECC and placement), and
//   - decodes it with ZXing's decoder and compares the text, the FNC1
//     handling and the raw codewords.
func TestDataMatrixSymbols(t *testing.T) {
	sizes := map[int]bool{}
	elements := []string{"10A", "10AB12", "10ABCD12", "10ABCD" + gs + "21X"}
	for n := 16; n <= 2000; n = n * 9 / 8 {
		if e := gs1Element(n); e != elements[len(elements)-1] {
			elements = append(elements, e)
		}
	}
	for _, element := range elements {
		t.Run(fmt.Sprintf("len%d", len(element)), func(t *testing.T) {
			content, err := gs1DataMatrixContent(element)
			if err != nil {
				t.Fatal(err)
			}
			bc, err := datamatrix.Encode(content)
			if err != nil {
				t.Fatal(err)
			}
			m := toMatrix(bc)
			sizes[m.w] = true
			res, err := dmdec.NewDecoder().DecodeBoolMap(m.rows())
			if err != nil {
				t.Fatalf("%d×%d symbol does not decode: %v", m.w, m.h, err)
			}
			checkDecoded(t, res, element)

			data := asciiCodewords(element, len(res.GetRawBytes()))
			want := expectedDataMatrix(t, data)
			if got := m.rows(); matrixString(got) != matrixString(want) {
				t.Errorf("%d×%d symbol differs from ZXing's for the same codewords\n got:\n%s\nwant:\n%s",
					m.w, m.h, matrixString(got), matrixString(want))
			}
		})
	}
	for _, s := range []int{10, 12, 14, 16, 18, 20, 22, 24, 26, 32, 36, 40, 44, 48, 52, 64, 72, 80, 88, 96, 104, 120, 132} {
		if !sizes[s] {
			t.Errorf("no test symbol of size %d×%d", s, s)
		}
	}
}

func checkDecoded(t *testing.T, res *common.DecoderResult, element string) {
	t.Helper()
	if got, want := res.GetText(), gs+element; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if res.GetSymbologyModifier() != 2 {
		t.Errorf("symbology modifier = %d, want 2 (]d2: FNC1 first, GS1)", res.GetSymbologyModifier())
	}
	raw := res.GetRawBytes()
	if want := asciiCodewords(element, len(raw)); string(raw) != string(want) {
		t.Errorf("codewords\n got % d\nwant % d", raw, want)
	}
}

// gs1Element returns a GS1-like element string of about n characters:
// a GTIN, then alternating variable-length lot and serial fields joined by
// GS, with letters and odd digit runs.
func gs1Element(n int) string {
	var b strings.Builder
	b.WriteString("0109521234543213")
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteString(gs)
		}
		if i%2 == 0 {
			fmt.Fprintf(&b, "10L%d", 2603+i)
		} else {
			fmt.Fprintf(&b, "21%dAb-%d", i*7919, i)
		}
	}
	return b.String()
}

// TestDataMatrixTooLong: the 144×144 size that boombuler/barcode builds
// does not follow ISO/IEC 16022's interleaving, so encode refuses it.
func TestDataMatrixTooLong(t *testing.T) {
	element := gs1Element(2200)
	content, err := gs1DataMatrixContent(element)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := datamatrix.Encode(content)
	if err != nil {
		t.Fatal(err)
	}
	if w := bc.Bounds().Dx(); w != 144 {
		t.Fatalf("test element gives a %d×%d symbol, want 144×144", w, w)
	}
	_, err = encode(Label{URI: "https://example.com/", Element: element})
	if err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("encode with a 144×144 DataMatrix: err = %v, want 'too long'", err)
	}
}
