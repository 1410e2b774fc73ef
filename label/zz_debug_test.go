package label

import (
	"testing"

	"github.com/boombuler/barcode/datamatrix"
	dmdec "github.com/makiuchi-d/gozxing/datamatrix/decoder"
)

func TestZZDebug144(t *testing.T) {
	element := gs1Element(2122)
	content, _ := gs1DataMatrixContent(element)
	bc, _ := datamatrix.Encode(content)
	m := toMatrix(bc)
	data := asciiCodewords(element, 1558)
	want := expectedDataMatrix(t, data)
	_, err := dmdec.NewDecoder().DecodeBoolMap(want)
	t.Logf("zxing-built 144 decodes: err=%v", err)
	got := m.rows()
	diff := 0
	for y := range want {
		for x := range want[y] {
			if want[y][x] != got[y][x] {
				diff++
			}
		}
	}
	t.Logf("%dx%d, %d differing modules", m.w, m.h, diff)
}
