package codes

import (
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu"
)

// FuzzParseDigitalLink feeds arbitrary strings to the Digital Link readers. They must not
// panic; a malformed identifier must be an EInvalid error; and a canonical form, once
// produced, must be stable: parsing it strictly gives it back, Canonical leaves it as it
// is, its element string rebuilds it, and its hash form is the input's hash form.
func FuzzParseDigitalLink(f *testing.F) {
	for _, s := range []string{
		"https://id.gs1.org/01/09520123456788/21/12345",
		"https://example.com/shop/gtin/9520123456788/cpv/2A/lot/L%2F1/ser/S?17=251231&3103=000195&linkType=all#x",
		"https://id.gs1.org/8006/040123451234560102/22/AB/21/443322",
		"https://id.gs1.org/414/9520123456788/254/32a%2Fb?7040=1A2B",
		"http://example.de/01/97803",
		"HTTPS://a/00/006141411234567890?99=A+B&&x",
		"(01)09520123456788(17)251231(21)ABC",
		"^010952012345678810ABC^17251231",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = StrictGS1.ParseDigitalLink(s)
		_, _ = ParseDigitalLink(s)
		h := HashForm(s)
		c, err := Canonical(s)
		if err != nil {
			if zhuisu.ErrorCode(err) != zhuisu.EInvalid {
				t.Fatalf("Canonical(%q) error %v is not EInvalid", s, err)
			}
			return
		}
		if _, err := parseGS1(s, LenientGS1); err == errNotGS1 {
			if c != s {
				t.Fatalf("Canonical(%q) = %q for a value that is not GS1", s, c)
			}
			return
		}
		if !strings.HasPrefix(c, CanonicalDLStem+"/") {
			t.Fatalf("Canonical(%q) = %q, not on %s", s, c, CanonicalDLStem)
		}
		d, err := StrictGS1.ParseDigitalLink(c)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse strictly: %v", c, s, err)
		}
		if got := d.Canonical(); got != c {
			t.Fatalf("canonical %q parses and prints as %q", c, got)
		}
		if c2, err := Canonical(c); err != nil || c2 != c {
			t.Fatalf("Canonical(%q) = %q, %v; want it unchanged", c, c2, err)
		}
		if hc := HashForm(c); hc != h {
			t.Fatalf("HashForm(%q) = %q but HashForm of its canonical form %q is %q", s, h, c, hc)
		}
		o := GS1Options{SkipAssociations: true}
		els, err := o.ParseElementString(d.ElementString())
		if err != nil {
			t.Fatalf("element string %q of %q does not parse: %v", d.ElementString(), c, err)
		}
		d2, err := o.NewDigitalLink(els)
		if err != nil || d2.Canonical() != c {
			t.Fatalf("Digital Link rebuilt from %q is %v, %v; want %q", d.ElementString(), d2, err, c)
		}
	})
}

// FuzzParseEPCURN feeds arbitrary strings to the EPC URN reader. It must not panic; a URN
// it converts gives the same Digital Link through Canonical and HashForm, and converting
// that Digital Link back with the URN's own company-prefix length gives a URN that
// converts to the same Digital Link again.
func FuzzParseEPCURN(f *testing.F) {
	for _, s := range []string{
		"urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
		"urn:epc:id:sscc:4012345.0000000011",
		"urn:epc:id:sgln:4012345.00005.122",
		"urn:epc:id:grai:4012345.00022.334455",
		"urn:epc:id:gdti:987659999999..9",
		"urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
		"urn:epc:id:itip:4012345.011111.01.02.987",
		"urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7SDB",
		"urn:epc:class:lgtin:4012345.012345.Lot987",
		"urn:epc:idpat:sgtin:4012345.012345.*",
		"urn:epc:id:pgln:999999999999.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dl, err := EPCToDigitalLink(s)
		if d, perr := ParseEPCURN(s); (perr == nil) != (err == nil) || perr == nil && d.Canonical() != dl {
			t.Fatalf("ParseEPCURN(%q) = %v, %v; EPCToDigitalLink = %q, %v", s, d, perr, dl, err)
		}
		c, cerr := Canonical(s)
		h := HashForm(s)
		if err != nil {
			if zhuisu.ErrorCode(err) != zhuisu.EInvalid {
				t.Fatalf("EPCToDigitalLink(%q) error %v is not EInvalid", s, err)
			}
			if cerr == nil && c != s && len(s) >= 4 && strings.EqualFold(s[:4], "urn:") {
				t.Fatalf("EPCToDigitalLink(%q) failed (%v) but Canonical gives %q", s, err, c)
			}
			return
		}
		if cerr != nil || c != dl || h != dl {
			t.Fatalf("%q: EPCToDigitalLink %q, Canonical %q (%v), HashForm %q", s, dl, c, cerr, h)
		}
		if c2, err := Canonical(dl); err != nil || c2 != dl {
			t.Fatalf("Canonical(%q) = %q, %v; want it unchanged", dl, c2, err)
		}
		_, _, body, _ := splitEPCURN(s)
		gcp := strings.IndexByte(body, '.')
		urn, err := DigitalLinkToEPC(dl, gcp)
		if err != nil {
			t.Fatalf("DigitalLinkToEPC(%q, %d): %v", dl, gcp, err)
		}
		if dl2, err := EPCToDigitalLink(urn); err != nil || dl2 != dl {
			t.Fatalf("%q → %q → %q → %q, %v", s, dl, urn, dl2, err)
		}
	})
}

func BenchmarkHashForm(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"canonical_gtin_serial", "https://id.gs1.org/01/09520123456788/21/ABC123"},
		{"canonical_sscc", "https://id.gs1.org/00/006141411234567890"},
		{"epc_sgtin", "urn:epc:id:sgtin:0614141.812345.6789"},
		{"epc_sgln", "urn:epc:id:sgln:0614141.12345.400"},
		{"dl_other_host_query", "https://brand.example.com/01/09520123456788/10/L1/21/S1?17=251231"},
		{"dl_convenience_alphas", "http://example.com/gtin/9520123456788/ser/XYZ"},
		{"not_gs1", "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				HashForm(bc.in)
			}
		})
	}
}

func BenchmarkCanonical(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"canonical_gtin_serial", "https://id.gs1.org/01/09520123456788/21/ABC123"},
		{"epc_sgtin", "urn:epc:id:sgtin:0614141.812345.6789"},
		{"dl_with_attributes", "https://brand.example.com/01/09520123456788/10/L1?3103=000195&17=251231"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Canonical(bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
