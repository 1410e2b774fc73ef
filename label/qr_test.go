package label

import (
	"fmt"
	"strings"
	"testing"

	qrdec "github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// TestQRVersions encodes URIs from a few characters to the capacity of a
// version 40 QR code at level M, in the modes the encoder picks (numeric,
// alphanumeric, byte with UTF-8), and decodes each symbol with ZXing's
// decoder, which also checks the Reed-Solomon codewords and format bits.
func TestQRVersions(t *testing.T) {
	versions := map[int]bool{}
	for _, c := range []struct {
		base     string
		capacity int // version 40-M
	}{
		{"09521234543213", 5596},                      // numeric
		{"HTTPS://ID.ZHUISU.CN/01/", 3391},            // alphanumeric
		{"https://trace.zhuisu.cn/溯源/福建红茶?批次=", 2331}, // byte, UTF-8
	} {
		for n := len(c.base); n <= c.capacity; n = min(n*3/2, max(c.capacity, n+1)) {
			uri := (c.base + strings.Repeat("0123456789", n/10+1))[:n]
			s, err := encode(Label{URI: uri})
			if err != nil {
				t.Fatalf("encode %d bytes: %v", len(uri), err)
			}
			v := (s.qr.w - 17) / 4
			versions[v] = true
			res, err := qrdec.NewDecoder().DecodeBoolMapWithoutHint(s.qr.rows())
			if err != nil {
				t.Fatalf("version %d (%d bytes) does not decode: %v", v, len(uri), err)
			}
			if res.GetText() != uri {
				t.Errorf("version %d: got %q, want %q", v, res.GetText(), uri)
			}
			if res.GetECLevel() != "M" {
				t.Errorf("version %d: error correction level %s, want M", v, res.GetECLevel())
			}
		}
	}
	if !versions[1] || !versions[40] {
		t.Errorf("versions covered: %v; want 1 through 40", fmt.Sprint(versions))
	}
}
