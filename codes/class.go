package codes

import "strings"

// ClassOf returns the class-level identifier of an instance-level canonical Digital Link:
// the GTIN of a serialised or lot-level trade item (01/gtin/21/serial, 01/gtin/10/lot →
// 01/gtin), the ITIP of a serialised piece (8006), and the asset type of a GRAI with a
// serial (8003: the first 14 digits). It is what an EPC pattern with a wildcard serial
// (urn:epc:idpat:sgtin:...*) matches. ok is false when s has no coarser class.
//
// s must be in canonical form (see Canonical); ClassOf does not validate it.
func ClassOf(s string) (class string, ok bool) {
	rest, found := strings.CutPrefix(s, CanonicalDLStem)
	if !found {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "/")
	ai, val, _ := strings.Cut(rest, "/")
	switch ai {
	case "01", "8006":
		// The key value is fixed length; anything after it is a qualifier.
		n := 14
		if ai == "8006" {
			n = 18
		}
		if len(val) > n || len(rest) > len(ai)+1+n {
			return CanonicalDLStem + "/" + ai + "/" + rest[len(ai)+1:len(ai)+1+n], true
		}
	case "8003":
		// GRAI: indicator 0, 13-digit asset type with its check digit, optional serial.
		if len(val) > 14 && !strings.Contains(val, "?") {
			return CanonicalDLStem + "/8003/" + val[:14], true
		}
	}
	return "", false
}
