package codes

import "testing"

func TestClassOf(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"serial to GTIN", "https://id.gs1.org/01/09521234543213/21/ABC1", "https://id.gs1.org/01/09521234543213", true},
		{"lot to GTIN", "https://id.gs1.org/01/09521234543213/10/LOT9", "https://id.gs1.org/01/09521234543213", true},
		{"GTIN with data attributes to GTIN", "https://id.gs1.org/01/09521234543213?17=261231", "https://id.gs1.org/01/09521234543213", true},
		{"GTIN alone has no coarser class", "https://id.gs1.org/01/09521234543213", "", false},
		{"ITIP piece to ITIP", "https://id.gs1.org/8006/095212345432130102/21/7", "https://id.gs1.org/8006/095212345432130102", true},
		{"GRAI with serial to asset type", "https://id.gs1.org/8003/00614141123452400", "https://id.gs1.org/8003/00614141123452", true},
		{"GRAI without serial", "https://id.gs1.org/8003/00614141123452", "", false},
		{"SSCC has no class", "https://id.gs1.org/00/340123451111111111", "", false},
		{"not a canonical Digital Link", "https://example.com/01/09521234543213/21/1", "", false},
		{"URN", "urn:epc:id:sgtin:0614141.107346.2017", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ClassOf(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("ClassOf(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
