package codes

// Resident identity card number (公民身份号码, GB 11643-1999). It is personal data: this
// package validates it only so that it can be masked, and nothing it returns carries the
// number in full.

import "unicode/utf8"

// cnIDWeights are the weights of positions 1-17 (2^(18-i) mod 11); cnIDChecks maps the
// weighted sum mod 11 to the check character.
var cnIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const cnIDChecks = "10X98765432"

// cnIDShaped reports whether s has the shape of an 18-character resident ID number:
// 17 digits and a digit or X.
func cnIDShaped(s string) bool {
	return len(s) == 18 && cnDigits(s[:17]) && (cnIsDigit(s[17]) || s[17] == 'X' || s[17] == 'x')
}

// cnIDCheck is the MOD 11-2 check character of the first 17 digits.
func cnIDCheck(s string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(s[i]-'0') * cnIDWeights[i]
	}
	return cnIDChecks[sum%11]
}

// cnIDProvince looks up a province; it adds to the 34 province-level codes the prefix of the residence permits
// of Taiwan residents (830000); those of Hong Kong and Macao residents use 81 and 82.
func cnIDProvince(p string) (string, bool) {
	if p == "83" {
		return "台湾居民居住证", true
	}
	n, ok := cnProvinces[p]
	return n, ok
}

// cnIDCtx names a resident ID number in messages by its masked form only, whatever its
// length.
func cnIDCtx(s string) cnCtx {
	return cnCtx{name: "resident ID number", shown: cnShow(MaskResidentID(s))}
}

// MaskResidentID masks a resident ID number for display. Of an input of 12 or more
// characters it keeps the first four (province and prefecture) and the last four (the end
// of the sequence number and the check character) and replaces every character between
// with '*': "350102199001011234" → "3501**********1234". An input shorter than 12
// characters is replaced entirely by '*'. A final lower-case x is written X. The result
// has as many characters as the input and never contains it (except the empty string).
func MaskResidentID(s string) string {
	n := utf8.RuneCountInString(s)
	out := make([]rune, 0, n)
	i := 0
	for _, r := range s {
		if n < 12 || (i >= 4 && i < n-4) {
			r = '*'
		} else if r == 'x' && i == n-1 {
			r = 'X'
		}
		out = append(out, r)
		i++
	}
	return string(out)
}

// ParseResidentID validates an 18-character resident ID number (GB 11643-1999): six digits
// of the region where it was first issued (its province must exist; 83 for the residence
// permits of Taiwan residents is accepted), the date of birth yyyyMMdd (a real date, years
// 1800-2099), a three-digit sequence number and the MOD 11-2 check character (0-9 or X,
// x accepted).
//
// It exists to mask: no field of the Code carries the number in full. Input and Human are
// MaskResidentID's form, Parts hold the province and the masked number, and Canonical is
// the placeholder urn:zhuisu:code:cn.id:masked, which identifies nobody: a resident ID is
// never a trace code, and a record that must refer to a person uses a pseudonymous
// reference. Error messages carry the masked form only, and do not repeat the birth date.
// 15-digit first-generation numbers are rejected.
func ParseResidentID(s string) (*Code, error) { return cnResult(cnParseResidentID(s)) }

func cnParseResidentID(s string) (*Code, *cnFail) {
	ctx := cnIDCtx(s)
	if len(s) == 15 && cnDigits(s) {
		return nil, ctx.fail(cnDepthShape, "a 15-digit first-generation number; only 18-character numbers (GB 11643-1999) are accepted")
	}
	if utf8.RuneCountInString(s) != 18 {
		return nil, ctx.length(s, "18 characters")
	}
	for i := 0; i < 18; i++ {
		c := s[i]
		if !cnIsDigit(c) && !(i == 17 && (c == 'X' || c == 'x')) {
			want := "a digit"
			if i == 17 {
				want = "a digit or X"
			}
			// the character itself is not personal; the rest of the number stays masked
			return nil, ctx.fail(cnDepthShape, "character at position %d is not %s", i+1, want)
		}
	}
	// The depths rank the failure for ParseChinese: an 18-digit string whose province
	// does not exist is hardly an ID; one with a province and a broken date of birth is as
	// likely a mistyped ID as a USCC with a broken region is a USCC, and ties go to the ID,
	// whose error is masked.
	prov, ok := cnIDProvince(s[:2])
	if !ok {
		return nil, ctx.fail(cnDepthField, "province code %s (positions 1-2) does not exist (GB/T 2260)", s[:2])
	}
	if bad := cnDate(s[6:14], 1800, 2099); bad != "" {
		return nil, ctx.fail(cnDepthRegion, "date of birth (positions 7-14) is not a real date in 1800-2099")
	}
	if want := cnIDCheck(s); cnUpper(s[17:]) != string(want) {
		return nil, ctx.fail(cnDepthCheck, "check character (position 18) does not match the MOD 11-2 check of positions 1-17")
	}
	m := MaskResidentID(s)
	return &Code{
		Scheme:     cnSchemeID,
		SchemeName: "居民身份证号码 Resident identity card number (GB 11643-1999), masked",
		Input:      m,
		Canonical:  cnMaskedIDCanonical,
		Human:      m,
		Parts: []Part{
			{Name: "province", Value: s[:2], Meaning: prov},
			{Name: "masked", Value: m, Meaning: "已脱敏：仅保留前4位和后4位 masked, first and last four kept"},
		},
	}, nil
}
