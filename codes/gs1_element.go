package codes

import (
	"strings"

	"github.com/zhuisu/zhuisu"
)

// AIElement is one application identifier with its value, e.g. {AI: "10", Value: "ABC"}.
type AIElement struct {
	AI    string
	Value string
}

// GS1Options choose how strictly GS1 data is read. The zero value is strict: it follows the
// GS1 specifications the way the GS1 Barcode Syntax Engine applies them by default.
type GS1Options struct {
	// ConvenienceAlphas accepts the deprecated Digital Link path names such as /gtin/ for
	// /01/ and /ser/ for /21/.
	ConvenienceAlphas bool
	// ZeroSuppressedGTIN accepts GTIN-8, GTIN-12 and GTIN-13 as the value of (01) in a
	// Digital Link and pads them to 14 digits.
	ZeroSuppressedGTIN bool
	// AnyCaseScheme accepts a Digital Link scheme in any letter case ("Https://");
	// strictly only "http://", "https://" and their upper-case forms are read.
	AnyCaseScheme bool
	// UnknownAIs accepts AIs that are not in the table, when their position in the data
	// leaves no doubt where they end; their values are only checked against CSET 82.
	UnknownAIs bool
	// UnknownAIAttributes lets unknown AIs be Digital Link data attributes.
	UnknownAIAttributes bool
	// SkipAssociations turns off the checks between AIs: mandatory associations (req),
	// exclusions (ex), repeated AIs with different values and the (8030) serial rule.
	SkipAssociations bool

	// ignoreCheckDigits skips the check-digit and check-pair linters (for HashForm, which
	// normalises like the reference event-hash implementation).
	ignoreCheckDigits bool
}

var (
	// StrictGS1 reads GS1 data as the GS1 specifications require.
	StrictGS1 = GS1Options{}
	// LenientGS1 also accepts the deprecated Digital Link forms still printed on products
	// (convenience alphas, GTIN-8/12/13 in the path, any letter case in the scheme). It is
	// what Canonical and HashForm use.
	LenientGS1 = GS1Options{ConvenienceAlphas: true, ZeroSuppressedGTIN: true, AnyCaseScheme: true}
)

// aiVal is an AI element during parsing and validation.
type aiVal struct {
	info *AIInfo
	ai   string
	val  string
	path bool // Digital Link path element (primary key or key qualifier)
}

func gs1Invalidf(format string, args ...any) *zhuisu.Error {
	return zhuisu.Errorf(zhuisu.EInvalid, format, args...)
}

// lintComponents applies info's component format and linters to data, which may extend
// beyond the value (as in an element string). It returns how much it consumed.
func lintComponents(info *AIInfo, data string, skipCsum bool) (int, lintRes) {
	p := 0
	for _, c := range info.Components {
		n := len(data) - p
		if n > c.Max {
			n = c.Max
		}
		if c.Optional && n == 0 {
			continue
		}
		if n < c.Min {
			return p, lintFail(LintTooShort, p, n)
		}
		comp := data[p : p+n]
		if r := lintCharset(c.Charset, comp); r.code != "" {
			r.pos += p
			return p, r
		}
		for _, l := range c.Linters {
			if skipCsum && (l == LintCsum || l == LintCsumAlpha) {
				continue
			}
			if r := lintAI(l, comp); r.code != "" {
				r.pos += p
				return p, r
			}
		}
		p += n
	}
	return p, lintPass
}

// checkAIValue validates a complete AI value: length, no "^", then the components.
func checkAIValue(info *AIInfo, val string) lintRes { return checkAIValueOpt(info, val, false) }

func checkAIValueOpt(info *AIInfo, val string, skipCsum bool) lintRes {
	if r := checkAILength(info, val); r.code != "" {
		return r
	}
	n, r := lintComponents(info, val, skipCsum)
	if r.code == "" && n != len(val) {
		return lintFail(LintTooLong, n, len(val)-n)
	}
	return r
}

// checkAILength checks what parsers check before linting: the length of the value and
// the absence of "^".
func checkAILength(info *AIInfo, val string) lintRes {
	if len(val) < info.minLen {
		return lintFail(LintTooShort, 0, len(val))
	}
	if len(val) > info.maxLen {
		return lintFail(LintTooLong, 0, len(val))
	}
	if i := strings.IndexByte(val, '^'); i >= 0 {
		return lintFail(LintIllegalCaret, i, 1)
	}
	return lintPass
}

// validateAIValue returns nil or the *zhuisu.Error describing why val is not a valid value
// of the AI.
func validateAIValue(info *AIInfo, ai, val string) error {
	if r := checkAIValue(info, val); r.code != "" {
		return aiValueError(info, ai, val, r)
	}
	return nil
}

// aiValueError turns a failed check into a user-facing error. A wrong check digit names
// the key: "GTIN 09521234543214: check digit should be 3, got 4".
func aiValueError(info *AIInfo, ai, val string, r lintRes) *zhuisu.Error {
	le := &AILintError{AI: ai, Value: val, Code: r.code, Pos: r.pos, Len: r.n}
	var msg string
	switch r.code {
	case LintTooShort:
		msg = "AI (" + ai + ") value " + gs1Quote(val) + " is too short (format " + info.Format() + ")"
	case LintTooLong:
		msg = "AI (" + ai + ") value " + gs1Quote(val) + " is too long (format " + info.Format() + ")"
	case LintIllegalCaret:
		msg = "AI (" + ai + ") value contains the reserved character ^"
	case LintIncorrectCheckDigit:
		// The check digit closes the component that failed.
		end := r.pos + 1
		start := 0
		p := 0
		for _, c := range info.Components {
			if p+c.Max >= end {
				start = p
				break
			}
			p += c.Max
		}
		name := keyNameForAI(ai)
		if name == "" {
			name = "AI (" + ai + ")"
		}
		comp := val[start:end]
		msg = name + " " + comp + ": check digit should be " + string(gs1Mod10(comp[:len(comp)-1])) + ", got " + string(comp[len(comp)-1])
	default:
		what := strings.ToLower(strings.ReplaceAll(string(r.code), "_", " "))
		what = strings.Replace(what, "cset82", "CSET 82", 1)
		what = strings.Replace(what, "cset39", "CSET 39", 1)
		what = strings.Replace(what, "cset64", "CSET 64", 1)
		what = strings.Replace(what, "iso", "ISO ", 1)
		msg = "AI (" + ai + ") value " + gs1Quote(val) + ": " + what
		if r.n > 0 && r.pos+r.n <= len(val) && r.n < len(val) {
			msg += " at " + gs1Quote(val[r.pos:r.pos+r.n])
		}
	}
	return &zhuisu.Error{Code: zhuisu.EInvalid, Message: msg, Err: le}
}

func gs1Quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return "\"" + s + "\""
}

// ParseBracketedAI reads GS1 data in the human-readable bracketed form, e.g.
// "(01)09520123456788(10)ABC123"; a literal "(" inside a value is written "\(".
func ParseBracketedAI(s string) ([]AIElement, error) { return StrictGS1.ParseBracketedAI(s) }

// ParseBracketedAI reads bracketed GS1 data, validating every value and, unless
// SkipAssociations is set, the associations between the AIs.
func (o GS1Options) ParseBracketedAI(s string) ([]AIElement, error) {
	vals, err := o.parseBracketed(s)
	if err != nil {
		return nil, err
	}
	if err := o.validate(vals); err != nil {
		return nil, err
	}
	return toElements(vals), nil
}

func (o GS1Options) parseBracketed(s string) ([]aiVal, error) {
	if s == "" {
		return nil, gs1Invalidf("GS1 data is empty")
	}
	var vals []aiVal
	p := 0
	for p < len(s) {
		if s[p] != '(' {
			return nil, gs1Invalidf("bracketed GS1 data %s: expected \"(\" at position %d", gs1Quote(s), p)
		}
		r := strings.IndexByte(s[p+1:], ')')
		if r < 0 {
			return nil, gs1Invalidf("bracketed GS1 data %s: unterminated AI", gs1Quote(s))
		}
		ai := s[p+1 : p+1+r]
		info := lookupAIExact(ai, o.UnknownAIs)
		if info == nil {
			return nil, gs1Invalidf("unrecognised AI (%s)", ai)
		}
		p += r + 2
		if p >= len(s) {
			return nil, gs1Invalidf("AI (%s) has no value", ai)
		}
		// The value runs to the next "(" that is not escaped as "\(".
		var b strings.Builder
		escaped := false
		q := p
		for {
			i := strings.IndexByte(s[q:], '(')
			if i < 0 {
				q = len(s)
				break
			}
			q += i
			if s[q-1] != '\\' {
				break
			}
			b.WriteString(s[p : q-1])
			b.WriteByte('(')
			escaped = true
			q++
			p = q
		}
		val := s[p:q]
		if escaped {
			b.WriteString(val)
			val = b.String()
		}
		if r := checkAILength(info, val); r.code != "" {
			return nil, aiValueError(info, ai, val, r)
		}
		vals = append(vals, aiVal{info: info, ai: ai, val: val})
		p = q
	}
	return vals, nil
}

// ParseElementString reads GS1 element strings as a scanner delivers them: a leading "^"
// stands for FNC1 in first position, and "^" or the GS character (0x1D) separates a
// variable-length value from the next AI. Example: "^010952012345678810ABC^17251231".
func ParseElementString(s string) ([]AIElement, error) { return StrictGS1.ParseElementString(s) }

// ParseElementString reads element strings with these options.
func (o GS1Options) ParseElementString(s string) ([]AIElement, error) {
	vals, err := o.parseElementString(s)
	if err != nil {
		return nil, err
	}
	if err := o.validateAssociations(vals); err != nil {
		return nil, err
	}
	return toElements(vals), nil
}

func gs1IsFNC1(c byte) bool { return c == '^' || c == 0x1D }

// parseElementString splits and lints an element string (associations are not checked).
func (o GS1Options) parseElementString(s string) ([]aiVal, error) {
	if s == "" || !gs1IsFNC1(s[0]) {
		return nil, gs1Invalidf("GS1 element string must start with FNC1 (^)")
	}
	if len(s) == 1 {
		return nil, gs1Invalidf("GS1 element string is empty")
	}
	var vals []aiVal
	p := 1
	for p < len(s) {
		info, l := lookupAIPrefix(s[p:], o.UnknownAIs)
		if info == nil {
			rest := s[p:]
			if len(rest) > 8 {
				rest = rest[:8] + "..."
			}
			return nil, gs1Invalidf("no known AI at the start of %s", gs1Quote(rest))
		}
		ai := s[p : p+l]
		p += l
		r := p
		for r < len(s) && !gs1IsFNC1(s[r]) {
			r++
		}
		if r == p {
			return nil, gs1Invalidf("AI (%s) has no value", ai)
		}
		n, res := lintComponents(info, s[p:r], o.ignoreCheckDigits)
		if res.code != "" {
			return nil, aiValueError(info, ai, s[p:r], res)
		}
		val := s[p : p+n]
		p += n
		if !info.Fixed && p < len(s) && !gs1IsFNC1(s[p]) {
			return nil, gs1Invalidf("AI (%s) value is too long (format %s)", ai, info.Format())
		}
		if p < len(s) && gs1IsFNC1(s[p]) {
			p++
		}
		vals = append(vals, aiVal{info: info, ai: ai, val: val})
	}
	return vals, nil
}

// FormatElementString writes elements as an element string with "^" for FNC1: a leading
// FNC1 and one after every variable-length value that is not the last.
func FormatElementString(els []AIElement) string { return formatElementString(els, '^', true) }

// FormatScanElementString writes elements the way a scanner transmits them after the
// symbology identifier: no leading FNC1 and the GS character (0x1D) as separator.
func FormatScanElementString(els []AIElement) string { return formatElementString(els, 0x1D, false) }

func formatElementString(els []AIElement, sep byte, lead bool) string {
	var b strings.Builder
	if lead {
		b.WriteByte(sep)
	}
	for i, e := range els {
		b.WriteString(e.AI)
		b.WriteString(e.Value)
		if i < len(els)-1 && !aiIsFixed(e.AI) {
			b.WriteByte(sep)
		}
	}
	return b.String()
}

func aiIsFixed(ai string) bool {
	if a := lookupAIExact(ai, true); a != nil {
		return a.Fixed
	}
	return false
}

// FormatBracketedAI writes elements in the human-readable form "(01)...(10)...", writing a
// "(" inside a value as "\(".
func FormatBracketedAI(els []AIElement) string {
	var b strings.Builder
	for _, e := range els {
		b.WriteByte('(')
		b.WriteString(e.AI)
		b.WriteByte(')')
		b.WriteString(strings.ReplaceAll(e.Value, "(", "\\("))
	}
	return b.String()
}

// ValidateElements checks each value against its AI and, unless SkipAssociations is set,
// the associations between the AIs.
func (o GS1Options) ValidateElements(els []AIElement) error {
	vals := make([]aiVal, len(els))
	for i, e := range els {
		info := lookupAIExact(e.AI, o.UnknownAIs)
		if info == nil {
			return gs1Invalidf("unrecognised AI (%s)", e.AI)
		}
		vals[i] = aiVal{info: info, ai: e.AI, val: e.Value}
	}
	return o.validate(vals)
}

// ValidateElements checks elements strictly (see GS1Options.ValidateElements).
func ValidateElements(els []AIElement) error { return StrictGS1.ValidateElements(els) }

// validate lints every value, then checks the associations.
func (o GS1Options) validate(vals []aiVal) error {
	for _, v := range vals {
		if r := checkAIValue(v.info, v.val); r.code != "" {
			return aiValueError(v.info, v.ai, v.val, r)
		}
	}
	return o.validateAssociations(vals)
}

// validateAssociations applies the rules between AIs: exclusions (ex), repeated AIs,
// mandatory associations (req) and the serial-component rule for (8030). Digital Link path
// elements are exempt from req: their association is the key-qualifier rule.
func (o GS1Options) validateAssociations(vals []aiVal) error {
	if o.SkipAssociations {
		return nil
	}
	for _, v := range vals {
		for _, pat := range v.info.Ex {
			for _, w := range vals {
				if w.ai != v.ai && matchAIPattern(pat, w.ai) {
					return gs1Invalidf("AIs (%s) and (%s) must not be used together", v.ai, w.ai)
				}
			}
		}
	}
	for i, v := range vals {
		for _, w := range vals[i+1:] {
			if w.ai == v.ai && w.val != v.val {
				return gs1Invalidf("AI (%s) appears more than once with different values", v.ai)
			}
		}
	}
	for _, v := range vals {
		if v.path {
			continue
		}
		for _, req := range v.info.Req {
			if !reqMet(req, v.ai, vals) {
				return gs1Invalidf("AI (%s) requires %s", v.ai, describeReq(req))
			}
		}
	}
	if gs1Present(vals, "8030", "") {
		for _, v := range vals {
			if (v.ai == "253" || v.ai == "255" || v.ai == "8003") && len(v.val) == v.info.minLen {
				return gs1Invalidf("AI (%s) needs its serial component when a digital signature (8030) is present", v.ai)
			}
		}
	}
	return nil
}

func gs1Present(vals []aiVal, pat, self string) bool {
	for _, w := range vals {
		if w.ai != self && matchAIPattern(pat, w.ai) {
			return true
		}
	}
	return false
}

func reqMet(req AIRequirement, self string, vals []aiVal) bool {
	for _, group := range req {
		ok := true
		for _, pat := range group {
			if !gs1Present(vals, pat, self) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func describeReq(req AIRequirement) string {
	parts := make([]string, len(req))
	for i, g := range req {
		parts[i] = "(" + strings.Join(g, ")+(") + ")"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "one of " + strings.Join(parts, ", ")
}

func toElements(vals []aiVal) []AIElement {
	els := make([]AIElement, len(vals))
	for i, v := range vals {
		els[i] = AIElement{AI: v.ai, Value: v.val}
	}
	return els
}
