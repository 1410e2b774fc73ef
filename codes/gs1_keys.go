package codes

import (
	"github.com/zhuisu/zhuisu"
)

// GS1Key names a GS1 identification key.
type GS1Key string

// The GS1 identification keys the platform accepts, with the AI that carries each.
const (
	KeyGTIN  GS1Key = "GTIN"  // (01) trade item: GTIN-8, GTIN-12, GTIN-13 or GTIN-14
	KeySSCC  GS1Key = "SSCC"  // (00) logistic unit
	KeyGLN   GS1Key = "GLN"   // (414) physical location
	KeyPGLN  GS1Key = "PGLN"  // (417) party
	KeyGRAI  GS1Key = "GRAI"  // (8003) returnable asset
	KeyGIAI  GS1Key = "GIAI"  // (8004) individual asset
	KeyGSRN  GS1Key = "GSRN"  // (8018) service relation, recipient
	KeyGSRNP GS1Key = "GSRNP" // (8017) service relation, provider
	KeyGDTI  GS1Key = "GDTI"  // (253) document type
	KeyGCN   GS1Key = "GCN"   // (255) coupon
	KeyGINC  GS1Key = "GINC"  // (401) consignment
	KeyGSIN  GS1Key = "GSIN"  // (402) shipment
	KeyITIP  GS1Key = "ITIP"  // (8006) piece of a trade item
	KeyCPID  GS1Key = "CPID"  // (8010) component or part
	KeyGMN   GS1Key = "GMN"   // (8013) model number
	KeyUPUI  GS1Key = "UPUI"  // (01)+(235) unit pack: GTIN with third-party serial
)

var keyAI = map[GS1Key]string{
	KeyGTIN: "01", KeySSCC: "00", KeyGLN: "414", KeyPGLN: "417", KeyGRAI: "8003", KeyGIAI: "8004",
	KeyGSRN: "8018", KeyGSRNP: "8017", KeyGDTI: "253", KeyGCN: "255", KeyGINC: "401",
	KeyGSIN: "402", KeyITIP: "8006", KeyCPID: "8010", KeyGMN: "8013", KeyUPUI: "01",
}

// AI returns the application identifier that carries the key ("" for an unknown key).
// For UPUI it is the GTIN's (01); the third-party serial travels in (235).
func (k GS1Key) AI() string { return keyAI[k] }

// keyNameForAI names the key a check-digit-bearing AI holds, for error messages.
func keyNameForAI(ai string) string {
	switch ai {
	case "00":
		return "SSCC"
	case "01", "02", "03", "8006", "8026":
		return "GTIN"
	case "253":
		return "GDTI"
	case "255":
		return "GCN"
	case "402":
		return "GSIN"
	case "410", "411", "412", "413", "414", "415", "416", "417":
		return "GLN"
	case "8003":
		return "GRAI"
	case "8017", "8018":
		return "GSRN"
	case "8013", "8014":
		return "GMN"
	}
	return ""
}

// GS1CheckDigit computes the GS1 mod-10 check digit for digits, the key without its check
// digit (e.g. the first 13 digits of a GTIN-14). It returns the digit as a byte '0'..'9'.
func GS1CheckDigit(digits string) (byte, error) {
	if !gs1AllDigits(digits) {
		return 0, zhuisu.Errorf(zhuisu.EInvalid, "check digit of %q: only digits can carry a GS1 check digit", digits)
	}
	return gs1Mod10(digits), nil
}

// ValidGS1CheckDigit reports whether s is all digits and its last digit is the GS1 mod-10
// check digit of the others.
func ValidGS1CheckDigit(s string) bool {
	return len(s) >= 2 && gs1AllDigits(s) && gs1Mod10(s[:len(s)-1]) == s[len(s)-1]
}

// checkDigitError describes a wrong check digit, e.g.
// "GTIN 09521234543214: check digit should be 3, got 4".
func checkDigitError(name, s string) *zhuisu.Error {
	want := gs1Mod10(s[:len(s)-1])
	return &zhuisu.Error{
		Code:    zhuisu.EInvalid,
		Message: name + " " + s + ": check digit should be " + string(want) + ", got " + string(s[len(s)-1]),
		Err:     &AILintError{AI: keyAI[GS1Key(name)], Value: s, Code: LintIncorrectCheckDigit, Pos: len(s) - 1, Len: 1},
	}
}

// NormalizeGTIN validates a GTIN-8, GTIN-12, GTIN-13 or GTIN-14 and returns it as the
// 14-digit GTIN that AI (01) carries (left-padded with zeros).
func NormalizeGTIN(s string) (string, error) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", zhuisu.Errorf(zhuisu.EInvalid, "GTIN %s: must be 8, 12, 13 or 14 digits, not %d", s, len(s))
	}
	if !gs1AllDigits(s) {
		return "", zhuisu.Errorf(zhuisu.EInvalid, "GTIN %s: must be digits only", s)
	}
	if !ValidGS1CheckDigit(s) {
		return "", checkDigitError("GTIN", s)
	}
	return "00000000000000"[:14-len(s)] + s, nil
}

// ValidateGS1Key checks a key value: its length, character set, check digit and the other
// rules of the AI that carries it. A GTIN may be given as GTIN-8, -12, -13 or -14. A UPUI
// is given as its 14-digit GTIN immediately followed by the third-party serial (TPX).
func ValidateGS1Key(k GS1Key, value string) error {
	switch k {
	case KeyGTIN:
		_, err := NormalizeGTIN(value)
		return err
	case KeyUPUI:
		if len(value) < 15 {
			return zhuisu.Errorf(zhuisu.EInvalid, "UPUI %s: must be a GTIN-14 followed by a third-party serial", value)
		}
		if _, err := NormalizeGTIN(value[:14]); err != nil {
			return err
		}
		return validateAIValue(aiByCode("235"), "235", value[14:])
	}
	ai, ok := keyAI[k]
	if !ok {
		return zhuisu.Errorf(zhuisu.EInvalid, "%q is not a GS1 key this package knows", string(k))
	}
	return validateAIValue(aiByCode(ai), ai, value)
}

// KeyForAI returns the key a primary-key AI carries, e.g. KeySSCC for "00".
func KeyForAI(ai string) (GS1Key, bool) {
	for k, a := range keyAI {
		if a == ai && k != KeyUPUI {
			return k, true
		}
	}
	return "", false
}
