package codes

import (
	"sort"
	"strconv"
	"strings"
)

//go:generate sh -c "go run gen_aitable.go -in $ZHUISU_CONFORMANCE/digital-link/gs1-syntax-dictionary/gs1-syntax-dictionary.txt -out gs1_aitable.go"

// AIInfo describes one GS1 application identifier (AI): what its value looks like, how it
// is carried in element strings, and what role it plays in a GS1 Digital Link URI. The
// table of AIs (see LookupAI) is generated from the GS1 Barcode Syntax Dictionary.
type AIInfo struct {
	AI    string // the AI digits, e.g. "01"
	Title string // short data title, e.g. "GTIN"
	// Fixed is true for AIs of pre-defined length: in an element string no FNC1 separator
	// follows their value.
	Fixed bool
	// DataAttr is true when the AI may appear as a Digital Link data attribute (query
	// parameter).
	DataAttr bool
	// Components is the format of the value: each component is consumed in turn.
	Components []AIComponent
	// PrimaryKey is true for Digital Link primary keys (path root).
	PrimaryKey bool
	// Qualifiers lists the alternative ordered key-qualifier sequences of a primary key:
	// any in-order subset of one alternative may follow the key in a Digital Link path.
	// For (01) it is {{"22","10","21"},{"235"}}.
	Qualifiers [][]string
	// Req lists mandatory associations: every requirement must be met by the other AIs
	// carried with this one.
	Req []AIRequirement
	// Ex lists AIs or patterns (digits with trailing "n" wildcards, e.g. "310n", "31nn")
	// that must not appear together with this AI.
	Ex []string

	unknown        bool // vivified for an AI that is not in the table
	minLen, maxLen int
}

// AIComponent is one part of an AI value format: Charset 'N' (digits), 'X' (GS1 CSET 82),
// 'Y' (CSET 39) or 'Z' (CSET 64, base64url), between Min and Max characters, validated in
// addition by the listed linters.
type AIComponent struct {
	Charset  byte
	Min, Max int
	Optional bool
	Linters  []AILinter
}

// AIRequirement is one mandatory association: it is met when every AI of at least one of
// its groups is present. Entries may be patterns such as "31nn".
type AIRequirement [][]string

// MinLength and MaxLength bound the length of a value of the AI.
func (a *AIInfo) MinLength() int { return a.minLen }

// MaxLength is the longest value the AI accepts.
func (a *AIInfo) MaxLength() int { return a.maxLen }

// Unknown reports whether the AI is not in the table but was accepted because unknown AIs
// were permitted.
func (a *AIInfo) Unknown() bool { return a.unknown }

// Format renders the value format the way the GS1 General Specifications write it, e.g.
// "N14" or "N13 [X..17]".
func (a *AIInfo) Format() string {
	var b strings.Builder
	for i, c := range a.Components {
		if i > 0 {
			b.WriteByte(' ')
		}
		if c.Optional {
			b.WriteByte('[')
		}
		b.WriteByte(c.Charset)
		if c.Min != c.Max {
			b.WriteString("..")
		}
		b.WriteString(gs1Itoa(c.Max))
		if c.Optional {
			b.WriteByte(']')
		}
	}
	return b.String()
}

var (
	// aiIndex maps an AI (see aiSlot) to its position in aiTable plus one; 0 = unknown.
	aiIndex [11100]uint16
	// aiLenByPrefix maps the first two digits of an AI to the AI's length (all AIs that
	// share two leading digits have the same length); 0 where no AI is allocated.
	aiLenByPrefix [100]uint8
	aiList        []*AIInfo
)

// valLenByPrefix is the GS1 General Specifications table of element strings with a
// pre-defined value length, by the first two digits of the AI. It decides the length of
// an unknown AI's value, as the table of AIs cannot. 0 means variable length.
var valLenByPrefix = [100]uint8{
	0: 18, 1: 14, 2: 14, 3: 14, 4: 16,
	11: 6, 12: 6, 13: 6, 14: 6, 15: 6, 16: 6, 17: 6, 18: 6, 19: 6, 20: 2,
	31: 6, 32: 6, 33: 6, 34: 6, 35: 6, 36: 6,
	41: 13,
}

func init() {
	aiList = make([]*AIInfo, len(aiTable))
	for i := range aiTable {
		a := &aiTable[i]
		for _, c := range a.Components {
			if !c.Optional {
				a.minLen += c.Min
			}
			a.maxLen += c.Max
		}
		aiIndex[aiSlot(a.AI)] = uint16(i + 1)
		aiList[i] = a
		p := (a.AI[0]-'0')*10 + a.AI[1] - '0'
		aiLenByPrefix[p] = uint8(len(a.AI))
	}
}

// aiSlot numbers the AIs of 2, 3 and 4 digits 0-99, 100-1099 and 1100-11099; -1 for
// anything else.
func aiSlot(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return -1
		}
		v = v*10 + int(c)
	}
	switch len(s) {
	case 2:
		return v
	case 3:
		return 100 + v
	case 4:
		return 1100 + v
	}
	return -1
}

// aiByCode returns the table entry of an AI, or nil.
func aiByCode(ai string) *AIInfo {
	i := aiSlot(ai)
	if i < 0 || aiIndex[i] == 0 {
		return nil
	}
	return &aiTable[aiIndex[i]-1]
}

// LookupAI returns the table entry of an AI, e.g. LookupAI("01").
func LookupAI(ai string) (*AIInfo, bool) {
	a := aiByCode(ai)
	return a, a != nil
}

// AllAIs returns every AI of the table in lexical order. The entries are shared: do not
// modify them.
func AllAIs() []*AIInfo { return aiList }

// AITableRelease names the GS1 Barcode Syntax Dictionary release the AI table follows.
func AITableRelease() string { return aiTableRelease }

// unknownAIs holds the vivified entries for unknown AIs, by AI length and value length.
var unknownAIs = map[[2]int]*AIInfo{}

func unknownAI(aiLen, valLen int) *AIInfo {
	k := [2]int{aiLen, valLen}
	if a, ok := unknownAIs[k]; ok {
		return a
	}
	a := &AIInfo{AI: strings.Repeat("X", aiLen), Title: "UNKNOWN", unknown: true}
	if valLen > 0 {
		a.Fixed = true
		a.Components = []AIComponent{{Charset: 'X', Min: valLen, Max: valLen}}
	} else {
		a.Components = []AIComponent{{Charset: 'X', Min: 1, Max: 90}}
	}
	a.minLen, a.maxLen = a.Components[0].Min, a.Components[0].Max
	unknownAIs[k] = a
	return a
}

func init() {
	// Pre-create every vivified entry so that unknownAI never writes the map after init.
	for l := 2; l <= 4; l++ {
		for _, v := range []int{0, 2, 6, 13, 14, 16, 18} {
			unknownAI(l, v)
		}
	}
	unknownAI(0, 0)
}

// lookupAIExact finds the entry for an AI given with its exact digits (as in bracketed
// form or a Digital Link path). With unknown permitted, an AI that is not in the table is
// vivified unless it conflicts with the table: it must be 2 to 4 digits, of the length its
// two-digit prefix dictates (where that is known), and neither a prefix of a known AI nor
// prefixed by one.
func lookupAIExact(ai string, unknown bool) *AIInfo {
	if a := aiByCode(ai); a != nil {
		return a
	}
	if len(ai) < 2 || len(ai) > 4 || !gs1AllDigits(ai) {
		return nil
	}
	// A known AI that is a prefix of ai, or ai a prefix of a known AI, makes ai invalid.
	for l := 2; l < len(ai); l++ {
		if aiByCode(ai[:l]) != nil {
			return nil
		}
	}
	i := sort.Search(len(aiList), func(i int) bool { return aiList[i].AI >= ai })
	if i < len(aiList) && strings.HasPrefix(aiList[i].AI, ai) {
		return nil
	}
	if !unknown {
		return nil
	}
	p := int(ai[0]-'0')*10 + int(ai[1]-'0')
	l := int(aiLenByPrefix[p])
	if l != 0 && l != len(ai) {
		return nil
	}
	if l == 0 {
		return unknownAI(0, 0)
	}
	return unknownAI(l, int(valLenByPrefix[p]))
}

// lookupAIPrefix finds the AI at the start of data (an element string without brackets).
// It returns the entry and the length of the AI, or nil when no AI can be determined.
// Unknown AIs are vivified only when their length is known from their prefix.
func lookupAIPrefix(data string, unknown bool) (*AIInfo, int) {
	if len(data) < 2 || !gs1IsDigit(data[0]) || !gs1IsDigit(data[1]) {
		return nil, 0
	}
	p := int(data[0]-'0')*10 + int(data[1]-'0')
	l := int(aiLenByPrefix[p])
	if l == 0 || len(data) < l {
		return nil, 0
	}
	a := lookupAIExact(data[:l], unknown)
	if a == nil || (a.unknown && a.AI == "") {
		return nil, 0
	}
	return a, l
}

// isKeyQualifierSeq reports whether seq (primary key first) is a valid Digital Link path
// sequence: the key followed by an in-order subset of one of its qualifier alternatives.
func isKeyQualifierSeq(seq []string) bool {
	if len(seq) == 0 {
		return false
	}
	k := aiByCode(seq[0])
	if k == nil || !k.PrimaryKey {
		return false
	}
	if len(seq) == 1 {
		return true
	}
	for _, alt := range k.Qualifiers {
		if inOrderSubset(seq[1:], alt) {
			return true
		}
	}
	return false
}

// inOrderSubset reports whether every element of s appears in alt, in alt's order.
func inOrderSubset(s, alt []string) bool {
	j := 0
	for _, q := range s {
		for j < len(alt) && alt[j] != q {
			j++
		}
		if j == len(alt) {
			return false
		}
		j++
	}
	return true
}

// matchAIPattern reports whether ai matches a pattern from the table's association rules:
// digits, possibly ending in "n" wildcards that stand for one digit each.
func matchAIPattern(pattern, ai string) bool {
	if len(pattern) != len(ai) {
		return false
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == 'n' {
			if !gs1IsDigit(ai[i]) {
				return false
			}
			continue
		}
		if pattern[i] != ai[i] {
			return false
		}
	}
	return true
}

func gs1IsDigit(c byte) bool { return c >= '0' && c <= '9' }

func gs1AllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !gs1IsDigit(s[i]) {
			return false
		}
	}
	return true
}

func gs1Itoa(n int) string { return strconv.Itoa(n) }
