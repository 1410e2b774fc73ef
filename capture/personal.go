package capture

import "github.com/zhuisu/zhuisu/codes"

// Natural persons (real-name buyers of restricted pesticides or explosives, operators)
// may appear in events only by a pseudonymous reference: every accepted event becomes a
// leaf of the permanent log, so personal data in clear could never be erased. The one
// identifier that can be recognised with certainty is the resident ID number (GB 11643:
// region, birth date and check character all valid), so an event holding one anywhere
// is refused.

// residentIDIn returns the first valid resident ID number in doc (an encoded event), or
// "" when there is none. It looks at runs of exactly 18 characters of 17 digits and a
// final digit or X, not part of a longer run of letters and digits.
func residentIDIn(doc []byte) string {
	isAlnum := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for i := 0; i+18 <= len(doc); i++ {
		if doc[i] < '0' || doc[i] > '9' || i > 0 && isAlnum(doc[i-1]) {
			continue
		}
		j := i
		for j < len(doc) && j-i < 17 && doc[j] >= '0' && doc[j] <= '9' {
			j++
		}
		if j-i != 17 || j >= len(doc) {
			continue
		}
		last := doc[j]
		if !(last >= '0' && last <= '9' || last == 'X' || last == 'x') || j+1 < len(doc) && isAlnum(doc[j+1]) {
			continue
		}
		s := string(doc[i : j+1])
		if _, err := codes.ParseResidentID(s); err == nil {
			return s
		}
	}
	return ""
}
