package tlog

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"strconv"
	"strings"

	"github.com/zhuisu/zhuisu"
	"golang.org/x/mod/sumdb/tlog"
)

// InclusionProof proves that the leaf at Index is in the tree of TreeSize leaves: the
// RFC 6962 / RFC 9162 audit path, from the leaf's sibling up to a child of the root.
type InclusionProof struct {
	Index    int64
	TreeSize int64
	Hashes   []Hash
}

// ConsistencyProof proves that the tree of OldSize leaves is a prefix of the tree of
// TreeSize leaves (RFC 6962 / RFC 9162 consistency proof). It is empty when OldSize is 0
// or equal to TreeSize.
type ConsistencyProof struct {
	OldSize  int64
	TreeSize int64
	Hashes   []Hash
}

// maxProofHashes bounds any proof of a tree of fewer than 2^63 leaves.
const maxProofHashes = 2 * 64

// InclusionProofLen returns the number of hashes in the inclusion proof of leaf index in
// a tree of size leaves (0 <= index < size); -1 if the arguments are out of range.
func InclusionProofLen(index, size int64) int {
	if index < 0 || index >= size {
		return -1
	}
	inner := bits.Len64(uint64(index) ^ uint64(size-1))
	return inner + bits.OnesCount64(uint64(index)>>uint(inner))
}

// ConsistencyProofLen returns the number of hashes in the consistency proof from a tree
// of oldSize leaves to one of size leaves (0 <= oldSize <= size); -1 if out of range.
func ConsistencyProofLen(oldSize, size int64) int {
	if oldSize < 0 || oldSize > size {
		return -1
	}
	if oldSize == 0 || oldSize == size {
		return 0
	}
	inner := bits.Len64(uint64(oldSize-1) ^ uint64(size-1))
	border := bits.OnesCount64(uint64(oldSize-1) >> uint(inner))
	shift := bits.TrailingZeros64(uint64(oldSize))
	inner -= shift
	if oldSize == 1<<uint(shift) {
		return inner + border
	}
	return 1 + inner + border
}

// ProveInclusion returns the inclusion proof of leaf index in the tree of treeSize leaves,
// reading the stored hashes it needs through r in one call.
func ProveInclusion(index, treeSize int64, r HashReader) (InclusionProof, error) {
	if index < 0 || treeSize < 0 || index >= treeSize {
		if index < 0 || treeSize < 0 {
			return InclusionProof{}, invalid(ErrMalformed, "no inclusion proof of leaf %d in a tree of size %d", index, treeSize)
		}
		return InclusionProof{}, errorf(zhuisu.ENotFound, ErrNotInTree, "leaf %d is not in the tree of size %d", index, treeSize)
	}
	p, err := tlog.ProveRecord(treeSize, index, r)
	if err != nil {
		return InclusionProof{}, err
	}
	return InclusionProof{Index: index, TreeSize: treeSize, Hashes: p}, nil
}

// ProveConsistency returns the consistency proof from the tree of oldSize leaves to the
// tree of treeSize leaves, reading the stored hashes it needs through r in one call.
func ProveConsistency(oldSize, treeSize int64, r HashReader) (ConsistencyProof, error) {
	if oldSize < 0 || oldSize > treeSize {
		return ConsistencyProof{}, invalid(ErrBadProof, "no consistency proof from size %d to size %d: want 0 <= old size <= size", oldSize, treeSize)
	}
	p := ConsistencyProof{OldSize: oldSize, TreeSize: treeSize, Hashes: []Hash{}}
	if oldSize == 0 || oldSize == treeSize {
		return p, nil
	}
	h, err := tlog.ProveTree(treeSize, oldSize, r)
	if err != nil {
		return ConsistencyProof{}, err
	}
	p.Hashes = h
	return p, nil
}

func (p InclusionProof) check() error {
	if p.Index < 0 || p.TreeSize < 0 || p.Index >= p.TreeSize {
		return invalid(ErrBadProof, "malformed inclusion proof: leaf %d is not in a tree of size %d", p.Index, p.TreeSize)
	}
	if want := InclusionProofLen(p.Index, p.TreeSize); len(p.Hashes) != want {
		return invalid(ErrBadProof, "malformed inclusion proof: %d hashes, want %d for leaf %d of a tree of size %d", len(p.Hashes), want, p.Index, p.TreeSize)
	}
	return nil
}

func (p ConsistencyProof) check() error {
	if p.OldSize < 0 || p.OldSize > p.TreeSize {
		return invalid(ErrBadProof, "malformed consistency proof: from size %d to size %d", p.OldSize, p.TreeSize)
	}
	if want := ConsistencyProofLen(p.OldSize, p.TreeSize); len(p.Hashes) != want {
		return invalid(ErrBadProof, "malformed consistency proof: %d hashes, want %d from size %d to size %d", len(p.Hashes), want, p.OldSize, p.TreeSize)
	}
	return nil
}

// Verify checks that p proves the leaf with hash leafHash (LeafHash of the event hash) at
// p.Index of the tree with the given root. A proof with the wrong number of hashes fails
// with ErrBadProof, one that does not lead to root with ErrProofFailed; both EInvalid.
func (p InclusionProof) Verify(leafHash, root Hash) error {
	if err := p.check(); err != nil {
		return err
	}
	if tlog.CheckRecord(p.Hashes, p.TreeSize, root, p.Index, leafHash) != nil {
		return invalid(ErrProofFailed, "inclusion proof does not verify: leaf %s is not at index %d of the tree of size %d with root %s", leafHash, p.Index, p.TreeSize, root)
	}
	return nil
}

// Verify checks that p proves the tree of p.OldSize leaves with root oldRoot to be a
// prefix of the tree of p.TreeSize leaves with root newRoot. Errors as for
// InclusionProof.Verify. From size 0, oldRoot must be EmptyRoot; between equal sizes
// the roots must be equal.
func (p ConsistencyProof) Verify(oldRoot, newRoot Hash) error {
	if err := p.check(); err != nil {
		return err
	}
	fail := func() error {
		return invalid(ErrProofFailed, "consistency proof does not verify: the tree of size %d with root %s is not a prefix of the tree of size %d with root %s", p.OldSize, oldRoot, p.TreeSize, newRoot)
	}
	switch {
	case p.OldSize == 0:
		if oldRoot != EmptyRoot {
			return fail()
		}
		return nil
	case tlog.CheckTree(p.Hashes, p.TreeSize, newRoot, p.OldSize, oldRoot) != nil:
		return fail()
	}
	return nil
}

// VerifyInclusion is p.Verify(leafHash, root).
func VerifyInclusion(p InclusionProof, leafHash, root Hash) error { return p.Verify(leafHash, root) }

// VerifyConsistency is p.Verify(oldRoot, newRoot).
func VerifyConsistency(p ConsistencyProof, oldRoot, newRoot Hash) error {
	return p.Verify(oldRoot, newRoot)
}

// Text forms. Every line ends in a newline; there are no blank lines; hashes are one per
// line in standard base64, in proof order:
//
//	inclusion-proof/v1          consistency-proof/v1
//	index <leaf index>          old <old size>
//	size <tree size>            size <tree size>
//	<hash>                      <hash>
//	...                         ...
const (
	inclusionHeader   = "inclusion-proof/v1"
	consistencyHeader = "consistency-proof/v1"
)

// maxProofText bounds the text and JSON forms accepted by the parsers.
const maxProofText = 16 << 10

// MarshalText returns the text form of p.
func (p InclusionProof) MarshalText() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return formatProof(inclusionHeader, "index", p.Index, p.TreeSize, p.Hashes), nil
}

// MarshalText returns the text form of p.
func (p ConsistencyProof) MarshalText() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return formatProof(consistencyHeader, "old", p.OldSize, p.TreeSize, p.Hashes), nil
}

func formatProof(header, key string, first, size int64, hashes []Hash) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\n" + key + " " + strconv.FormatInt(first, 10) + "\nsize " + strconv.FormatInt(size, 10) + "\n")
	for _, h := range hashes {
		b.WriteString(h.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// UnmarshalText parses the text form, rejecting anything but exactly the expected lines
// and number of hashes.
func (p *InclusionProof) UnmarshalText(text []byte) error {
	first, size, hashes, err := parseProof(text, inclusionHeader, "index", "inclusion")
	if err != nil {
		return err
	}
	q := InclusionProof{Index: first, TreeSize: size, Hashes: hashes}
	if err := q.check(); err != nil {
		return err
	}
	*p = q
	return nil
}

// UnmarshalText parses the text form, rejecting anything but exactly the expected lines
// and number of hashes.
func (p *ConsistencyProof) UnmarshalText(text []byte) error {
	first, size, hashes, err := parseProof(text, consistencyHeader, "old", "consistency")
	if err != nil {
		return err
	}
	q := ConsistencyProof{OldSize: first, TreeSize: size, Hashes: hashes}
	if err := q.check(); err != nil {
		return err
	}
	*p = q
	return nil
}

// ParseInclusionProof parses the text form of an inclusion proof.
func ParseInclusionProof(text []byte) (InclusionProof, error) {
	var p InclusionProof
	err := p.UnmarshalText(text)
	return p, err
}

// ParseConsistencyProof parses the text form of a consistency proof.
func ParseConsistencyProof(text []byte) (ConsistencyProof, error) {
	var p ConsistencyProof
	err := p.UnmarshalText(text)
	return p, err
}

func parseProof(text []byte, header, key, what string) (first, size int64, hashes []Hash, err error) {
	bad := func(why string) error {
		return invalid(ErrBadProof, "malformed %s proof: %s", what, why)
	}
	if len(text) > maxProofText {
		return 0, 0, nil, bad("too long")
	}
	s := string(text)
	if !strings.HasSuffix(s, "\n") {
		return 0, 0, nil, bad("truncated: the last line does not end in a newline")
	}
	lines := strings.Split(s[:len(s)-1], "\n")
	if len(lines) < 3 || lines[0] != header {
		return 0, 0, nil, bad("want a first line " + strconv.Quote(header) + ", a " + strconv.Quote(key) + " line and a \"size\" line")
	}
	var ok bool
	if v, found := strings.CutPrefix(lines[1], key+" "); !found {
		return 0, 0, nil, bad("want a second line " + strconv.Quote(key+" <number>"))
	} else if first, ok = parseDecimal(v); !ok {
		return 0, 0, nil, bad(strconv.Quote(key) + " is not a decimal number without leading zeros")
	}
	if v, found := strings.CutPrefix(lines[2], "size "); !found {
		return 0, 0, nil, bad(`want a third line "size <number>"`)
	} else if size, ok = parseDecimal(v); !ok {
		return 0, 0, nil, bad(`"size" is not a decimal number without leading zeros`)
	}
	if len(lines)-3 > maxProofHashes {
		return 0, 0, nil, bad("too many hashes")
	}
	hashes = make([]Hash, 0, len(lines)-3)
	for i, l := range lines[3:] {
		h, ok := parseHash(l)
		if !ok {
			return 0, 0, nil, bad("line " + strconv.Itoa(i+4) + " is not a hash in standard base64")
		}
		hashes = append(hashes, h)
	}
	return first, size, hashes, nil
}

// JSON forms: {"index":5,"tree_size":10,"hashes":["<base64>",...]} and
// {"old_size":5,"tree_size":10,"hashes":[...]}. Every field is required, no other field
// is allowed, and "hashes" is an array (empty for a proof of no hashes).

type inclusionJSON struct {
	Index    *int64    `json:"index"`
	TreeSize *int64    `json:"tree_size"`
	Hashes   *[]string `json:"hashes"`
}

type consistencyJSON struct {
	OldSize  *int64    `json:"old_size"`
	TreeSize *int64    `json:"tree_size"`
	Hashes   *[]string `json:"hashes"`
}

func hashStrings(hs []Hash) *[]string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = h.String()
	}
	return &s
}

// MarshalJSON returns the JSON form of p.
func (p InclusionProof) MarshalJSON() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return json.Marshal(inclusionJSON{&p.Index, &p.TreeSize, hashStrings(p.Hashes)})
}

// MarshalJSON returns the JSON form of p.
func (p ConsistencyProof) MarshalJSON() ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	return json.Marshal(consistencyJSON{&p.OldSize, &p.TreeSize, hashStrings(p.Hashes)})
}

// UnmarshalJSON parses the JSON form strictly.
func (p *InclusionProof) UnmarshalJSON(data []byte) error {
	var j inclusionJSON
	if err := strictJSON(data, &j, "inclusion"); err != nil {
		return err
	}
	if j.Index == nil || j.TreeSize == nil || j.Hashes == nil {
		return invalid(ErrBadProof, `malformed inclusion proof: "index", "tree_size" and "hashes" are required`)
	}
	hashes, err := parseHashList(*j.Hashes, "inclusion")
	if err != nil {
		return err
	}
	q := InclusionProof{Index: *j.Index, TreeSize: *j.TreeSize, Hashes: hashes}
	if err := q.check(); err != nil {
		return err
	}
	*p = q
	return nil
}

// UnmarshalJSON parses the JSON form strictly.
func (p *ConsistencyProof) UnmarshalJSON(data []byte) error {
	var j consistencyJSON
	if err := strictJSON(data, &j, "consistency"); err != nil {
		return err
	}
	if j.OldSize == nil || j.TreeSize == nil || j.Hashes == nil {
		return invalid(ErrBadProof, `malformed consistency proof: "old_size", "tree_size" and "hashes" are required`)
	}
	hashes, err := parseHashList(*j.Hashes, "consistency")
	if err != nil {
		return err
	}
	q := ConsistencyProof{OldSize: *j.OldSize, TreeSize: *j.TreeSize, Hashes: hashes}
	if err := q.check(); err != nil {
		return err
	}
	*p = q
	return nil
}

func strictJSON(data []byte, v any, what string) error {
	if len(data) > maxProofText {
		return invalid(ErrBadProof, "malformed %s proof: too long", what)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return invalid(ErrBadProof, "malformed %s proof: %v", what, err)
	}
	if len(bytes.TrimSpace(data[d.InputOffset():])) != 0 {
		return invalid(ErrBadProof, "malformed %s proof: data after the JSON object", what)
	}
	return nil
}

func parseHashList(list []string, what string) ([]Hash, error) {
	if len(list) > maxProofHashes {
		return nil, invalid(ErrBadProof, "malformed %s proof: too many hashes", what)
	}
	hashes := make([]Hash, len(list))
	for i, s := range list {
		h, ok := parseHash(s)
		if !ok {
			return nil, invalid(ErrBadProof, "malformed %s proof: hash %d is not standard base64 of 32 bytes", what, i)
		}
		hashes[i] = h
	}
	return hashes, nil
}
