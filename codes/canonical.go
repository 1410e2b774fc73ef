package codes

import (
	"strings"

	"github.com/zhuisu/zhuisu"
)

// Canonical rewrites a GS1 identifier given in any accepted form (EPC pure-identity or
// class URN, GS1 Digital Link URI on any domain) to its canonical GS1 Digital Link URI on
// https://id.gs1.org. A value that is not a GS1 identifier is returned unchanged with a nil
// error. A value that claims to be a GS1 identifier but is malformed returns an error that
// says what is wrong.
//
// Accepted forms:
//   - EPC URNs: urn:epc:id:sgtin|sscc|sgln|grai|giai|gsrn|gsrnp|gdti|sgcn|ginc|gsin|itip|
//     cpi|upui|pgln, urn:epc:class:lgtin, and urn:epc:idpat patterns whose only wildcard
//     is the last field, which become the Digital Link of the class they match
//     (urn:epc:idpat:sgtin:4012345.012345.* is https://id.gs1.org/01/04012345123456).
//     Patterns with wildcards above the serial, and EPC schemes that are not GS1 keys
//     (gid, usdod, adi, bic, ...), are returned unchanged.
//   - GS1 Digital Link URIs (uncompressed) on any host and under any path prefix, read
//     with LenientGS1: convenience alphas (/gtin/, /ser/ ...), GTIN-8/12/13 (padded to
//     14 digits) and any letter case in the scheme are accepted. An http(s) URI counts as
//     a Digital Link when its path contains "/<primary-key AI>/<value>" with a value that
//     starts with a digit (all GS1 keys do); anything else is returned unchanged.
//   - GS1 element strings ("^01...", FNC1 as "^"), bracketed AI data ("(01)...(21)...")
//     and scanner output with a GS1 symbology identifier ("]d2...", "]Q1https://...").
//     They must carry a primary key.
//
// The canonical URI keeps the primary key and all its key qualifiers in the path, in the
// order GS1 prescribes, and KEEPS the data attributes: every valid AI of the query string
// is written back, percent-encoded, in a query string sorted by AI (e.g.
// "?17=251231&3103=000195"), so that two spellings of the same data give the same
// string. Query parameters that are not AIs (linkType, tracking parameters ...) and
// fragments are dropped. Every value is validated (character set, length, check digit,
// dates) and so are the associations between AIs (GS1 "req"/"ex" rules, applied to the
// data attributes); a failure is a *zhuisu.Error with Code zhuisu.EInvalid whose message
// names the fault, e.g. "GTIN 09521234543214: check digit should be 3, got 4".
func Canonical(s string) (string, error) {
	d, err := parseGS1(s, LenientGS1)
	if err != nil {
		if err == errNotGS1 {
			return s, nil
		}
		return s, asInvalid(err)
	}
	c := d.Canonical()
	if c == s {
		return s, nil
	}
	return c, nil
}

// HashForm returns the constrained canonical Digital Link form that the CBV 2.0 event hash
// uses for s (domain id.gs1.org, no query string, only the finest key with its allowed
// qualifiers). Values that are not GS1 identifiers are returned unchanged.
//
// The finest key keeps at most one qualifier, the first present of: for (01) serial (21),
// then batch/lot (10), then third-party serial (235); for (8006) (21) then (10); (254)
// for (414); (8011) for (8010); (8020) for (415). Other qualifiers ((22), (7040), (8019))
// are dropped. The result is therefore one of 01, 01+21, 01+10, 01+235, 00, 253, 255,
// 401, 402, 414, 414+254, 417, 8003, 8004, 8006, 8006+21, 8006+10, 8010, 8010+8011,
// 8017, 8018 (or 415, 415+8020, 8013).
//
// Inputs are read as Canonical reads them, with two exceptions that follow the reference
// implementation of the event hash (and its test vectors): the query string of a Digital
// Link is ignored rather than validated, and check digits are not verified, so a GTIN
// with a wrong check digit still gets its hash form (Canonical rejects it). Any other
// malformed GS1 identifier, for which Canonical returns an error, is returned unchanged.
// An input that already is in hash form is recognised without allocating.
func HashForm(s string) string {
	var buf [192]byte
	b, ok := appendHashForm(buf[:0], s)
	if !ok || string(b) == s {
		return s
	}
	return string(b)
}

func appendHashForm(b []byte, s string) ([]byte, bool) {
	if len(s) > 8 && (s[0] == 'u' || s[0] == 'U') {
		b, err := appendEPCAsDL(b, s)
		return b, err == nil
	}
	if dlScheme(s, true) > 0 {
		var d dlParsed
		if err := hashGS1.parseDL(s, true, &d); err != nil {
			return b, false
		}
		b = append(b, CanonicalDLStem...)
		k := &d.path[0]
		b = appendDLPair(b, k.ai, k.val)
		for _, want := range hashQualifiers(k.ai) {
			for i := 1; i < d.np; i++ {
				if d.path[i].ai == want {
					return appendDLPair(b, want, d.path[i].val), true
				}
			}
		}
		return b, true
	}
	if !mayBeGS1Data(s) {
		return b, false
	}
	d, err := parseGS1(s, hashGS1)
	if err != nil {
		return b, false
	}
	return append(b, d.HashForm()...), true
}

// hashGS1 reads identifiers for HashForm: leniently, and without check-digit checks, as
// the CBV reference implementation of the event hash normalises.
var hashGS1 = GS1Options{ConvenienceAlphas: true, ZeroSuppressedGTIN: true, AnyCaseScheme: true, ignoreCheckDigits: true}

func appendDLPair(b []byte, ai, val string) []byte {
	b = append(b, '/')
	b = append(b, ai...)
	b = append(b, '/')
	return appendDLEscaped(b, val, false)
}

// errNotGS1 says that a string is not a GS1 identifier in any form this package reads.
var errNotGS1 = &zhuisu.Error{Code: zhuisu.EInvalid, Message: "not a GS1 identifier"}

// mayBeGS1Data reports whether s looks like bracketed AI data, an element string or
// scanner output with a known symbology identifier.
func mayBeGS1Data(s string) bool {
	switch {
	case len(s) >= 4 && s[0] == '(' && gs1IsDigit(s[1]) && gs1IsDigit(s[2]):
		return true
	case len(s) >= 3 && gs1IsFNC1(s[0]) && gs1IsDigit(s[1]) && gs1IsDigit(s[2]):
		return true
	case len(s) >= 3 && s[0] == ']':
		_, ok := symbologyIDs[s[1:3]]
		return ok
	}
	return false
}

// parseGS1 reads a GS1 identifier in any accepted form. It returns errNotGS1 when s is
// not one.
func parseGS1(s string, o GS1Options) (*DigitalLink, error) {
	switch {
	case len(s) > 8 && strings.EqualFold(s[:8], "urn:epc:"):
		var buf [160]byte
		b, err := appendEPCAsDL(buf[:0], s)
		switch err {
		case nil:
		case errNotEPC, errEPCWide:
			return nil, errNotGS1
		default:
			return nil, err
		}
		var d dlParsed
		if err := o.parseDL(string(b), false, &d); err != nil {
			return nil, err
		}
		return d.toDigitalLink(), nil
	case dlScheme(s, true) > 0:
		var d dlParsed
		if err := o.parseDL(s, false, &d); err != nil {
			if err == errNotDL {
				return nil, errNotGS1
			}
			return nil, err
		}
		return d.toDigitalLink(), nil
	case !mayBeGS1Data(s):
		return nil, errNotGS1
	}
	var els []AIElement
	switch {
	case s[0] == '(':
		e, err := o.ParseBracketedAI(s)
		if err != nil {
			return nil, err
		}
		els = e
	case s[0] == ']':
		sd, err := o.ParseScanData(s)
		if err != nil {
			return nil, err
		}
		if sd.DigitalLink != nil {
			return sd.DigitalLink, nil
		}
		els = sd.Elements
	default:
		e, err := o.ParseElementString(s)
		if err != nil {
			return nil, err
		}
		els = e
	}
	d, err := o.NewDigitalLink(els)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// asInvalid makes sure a failure reaches callers as a *zhuisu.Error with Code EInvalid.
func asInvalid(err error) error {
	if ze, ok := err.(*zhuisu.Error); ok && ze.Code == zhuisu.EInvalid {
		return ze
	}
	return zhuisu.Wrap(err, zhuisu.EInvalid, "invalid GS1 identifier")
}
