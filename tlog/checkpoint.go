package tlog

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// A Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin line, the tree
// size and the root hash, and optional extension lines.
//
//	<origin>
//	<size in decimal>
//	<root hash in base64>
//	[<extension line>...]
//
// Signed, it is a C2SP signed note: the body, a blank line, and one or more lines
// "— <key name> <base64(key ID || signature)>".
type Checkpoint struct {
	Origin     string
	Size       int64
	Root       Hash
	Extensions []string
}

// maxNoteSize bounds the signed notes this package opens (C2SP asks verifiers to accept
// at least 16 signatures; even post-quantum ones fit many times over).
const maxNoteSize = 1 << 20

// validLine reports whether s may be a line of a checkpoint: non-empty UTF-8 without
// control characters (signed-note forbids all but newline).
func validLine(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// Text returns the checkpoint body, each line ending in a newline.
func (c Checkpoint) Text() ([]byte, error) {
	if !validLine(c.Origin) {
		return nil, invalid(ErrMalformed, "invalid checkpoint origin %q: want a non-empty line of UTF-8 without control characters", truncate(c.Origin))
	}
	if c.Size < 0 {
		return nil, invalid(ErrMalformed, "invalid checkpoint size %d", c.Size)
	}
	var b bytes.Buffer
	b.WriteString(c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + c.Root.String() + "\n")
	for _, e := range c.Extensions {
		if !validLine(e) {
			return nil, invalid(ErrMalformed, "invalid checkpoint extension line %q", truncate(e))
		}
		b.WriteString(e + "\n")
	}
	return b.Bytes(), nil
}

// ParseCheckpoint parses a checkpoint body (the note text, without signatures). It accepts
// only the canonical form, so that Text gives back the same bytes.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	bad := func(why string) (Checkpoint, error) {
		return Checkpoint{}, invalid(ErrMalformed, "malformed checkpoint: %s", why)
	}
	if len(text) > maxNoteSize {
		return bad("too long")
	}
	s := string(text)
	if !strings.HasSuffix(s, "\n") {
		return bad("the last line does not end in a newline")
	}
	lines := strings.Split(s[:len(s)-1], "\n")
	if len(lines) < 3 {
		return bad("want an origin line, a size line and a root hash line")
	}
	for i, l := range lines {
		if !validLine(l) {
			return bad("line " + strconv.Itoa(i+1) + " is empty or has control characters")
		}
	}
	size, ok := parseDecimal(lines[1])
	if !ok {
		return bad("the size line is not a decimal number without leading zeros")
	}
	root, ok := parseHash(lines[2])
	if !ok {
		return bad("the root hash line is not the standard base64 of 32 bytes")
	}
	c := Checkpoint{Origin: lines[0], Size: size, Root: root}
	if len(lines) > 3 {
		c.Extensions = lines[3:]
	}
	return c, nil
}

// Sign returns the signed note of the checkpoint signed by each signer in turn.
func (c Checkpoint) Sign(signers ...Signer) ([]byte, error) {
	text, err := c.Text()
	if err != nil {
		return nil, err
	}
	if len(signers) == 0 {
		return nil, invalid(ErrMalformed, "no signer for the checkpoint")
	}
	ns := make([]note.Signer, len(signers))
	for i, s := range signers {
		if s == nil || !validName(s.Name()) {
			return nil, invalid(ErrMalformed, "invalid signer key name")
		}
		ns[i] = s
	}
	return note.Sign(&note.Note{Text: string(text)}, ns...)
}

// SignCheckpoint returns the signed checkpoint of the tree of the given size and root of
// the log origin, signed by signer (whose key name is normally the origin).
func SignCheckpoint(origin string, size int64, root Hash, signer Signer) ([]byte, error) {
	return Checkpoint{Origin: origin, Size: size, Root: root}.Sign(signer)
}

// OpenCheckpoint checks a signed checkpoint of the log origin and returns it. At least one
// signature must be by one of the verifiers and verify; signatures by other keys (such as
// witness cosignatures) are ignored, but a failing signature by a known key rejects the
// note. The checkpoint's origin line must equal origin. Every error has code EInvalid
// and one of the causes ErrMalformed, ErrUnknownKey, ErrBadSignature, ErrWrongOrigin.
func OpenCheckpoint(msg []byte, origin string, verifiers ...Verifier) (Checkpoint, error) {
	n, err := openNote(msg, verifiers)
	if err != nil {
		return Checkpoint{}, err
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != origin {
		return Checkpoint{}, invalid(ErrWrongOrigin, "checkpoint is for origin %q, want %q", truncate(c.Origin), origin)
	}
	return c, nil
}

// A Cosignature is a verified witness cosignature.
type Cosignature struct {
	Name    string
	KeyHash uint32
	// Time is the time the witness stamped on the cosignature.
	Time time.Time
}

// VerifyCosignatures returns the valid cosignatures of a signed checkpoint by the given
// witness cosigner keys (vkeys of type 0x04), in note order; other signatures are ignored.
// A failing signature by one of those keys is an error (EInvalid, ErrBadSignature).
// A client that wants a quorum of witnesses counts the result.
func VerifyCosignatures(msg []byte, witnesses ...Verifier) ([]Cosignature, error) {
	n, err := openNote(msg, witnesses)
	if errors.Is(err, ErrUnknownKey) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]Cosignature, 0, len(n.Sigs))
	for _, s := range n.Sigs {
		raw, err := base64.StdEncoding.DecodeString(s.Base64)
		if err != nil || len(raw) < 4 {
			return nil, invalid(ErrMalformed, "malformed cosignature by %s", s.Name)
		}
		t, err := CosignatureTime(raw[4:])
		if err != nil {
			return nil, err
		}
		out = append(out, Cosignature{Name: s.Name, KeyHash: s.Hash, Time: t})
	}
	return out, nil
}

// openNote checks a signed note strictly and verifies it with x/mod's note.Open.
// Beyond note.Open, every signature line must use canonical base64, so that no byte of
// an accepted note can be changed without rejecting it.
func openNote(msg []byte, verifiers []Verifier) (*note.Note, error) {
	if err := checkNoteFraming(msg); err != nil {
		return nil, err
	}
	list := make([]note.Verifier, 0, len(verifiers))
	for _, v := range verifiers {
		if v != nil {
			list = append(list, v)
		}
	}
	n, err := note.Open(msg, note.VerifierList(list...))
	if err == nil {
		// note.Open verifies only the first signature of each known key and skips the
		// repeats; signed-note says every signature by a known key must verify.
		if err := verifyRepeats(msg, n, list); err != nil {
			return nil, err
		}
		return n, nil
	}
	var unverified *note.UnverifiedNoteError
	var badSig *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		var names []string
		for _, s := range unverified.Note.UnverifiedSigs {
			names = append(names, s.Name+"+"+hex8(s.Hash))
		}
		return nil, invalid(ErrUnknownKey, "the note is not signed by any known key (signed by: %s)", truncate(strings.Join(names, ", ")))
	case errors.As(err, &badSig):
		return nil, invalid(ErrBadSignature, "invalid signature by key %s+%s", badSig.Name, hex8(badSig.Hash))
	}
	return nil, invalid(ErrMalformed, "malformed signed note: %v", err)
}

// verifyRepeats verifies the signature lines by known keys that repeat an earlier one.
func verifyRepeats(msg []byte, n *note.Note, known []note.Verifier) error {
	sigs := msg[len(n.Text)+1:]
	seen := map[string]bool{}
	for _, line := range strings.Split(string(sigs[:len(sigs)-1]), "\n") {
		name, b64, _ := strings.Cut(strings.TrimPrefix(line, "— "), " ")
		raw, _ := base64.StdEncoding.DecodeString(b64)
		id := binary.BigEndian.Uint32(raw)
		key := name + "+" + hex8(id)
		if !seen[key] {
			seen[key] = true
			continue
		}
		for _, v := range known {
			if v.Name() == name && v.KeyHash() == id && !v.Verify([]byte(n.Text), raw[4:]) {
				return invalid(ErrBadSignature, "invalid signature by key %s", key)
			}
		}
	}
	return nil
}

// checkNoteFraming checks the signed-note framing of msg: size, UTF-8, the blank line
// before the signatures and the form of every signature line, with canonical base64.
func checkNoteFraming(msg []byte) error {
	malformed := func(why string) error {
		return invalid(ErrMalformed, "malformed signed note: %s", why)
	}
	if len(msg) > maxNoteSize {
		return malformed("too long")
	}
	if !utf8.Valid(msg) {
		return malformed("not UTF-8")
	}
	split := bytes.LastIndex(msg, []byte("\n\n"))
	if split < 0 {
		return malformed("no blank line before the signatures")
	}
	sigs := msg[split+2:]
	if len(sigs) == 0 || sigs[len(sigs)-1] != '\n' {
		return malformed("no signature lines, or the last does not end in a newline")
	}
	for _, line := range strings.Split(string(sigs[:len(sigs)-1]), "\n") {
		rest, ok := strings.CutPrefix(line, "— ")
		if !ok {
			return malformed(`a signature line does not start with "— "`)
		}
		name, b64, ok := strings.Cut(rest, " ")
		raw, err := base64.StdEncoding.Strict().DecodeString(b64)
		if !ok || !validName(name) || err != nil || len(raw) < 5 || base64.StdEncoding.EncodeToString(raw) != b64 {
			return malformed("a signature line is not \"— <key name> <base64 signature>\"")
		}
	}
	return nil
}

func hex8(v uint32) string {
	s := strconv.FormatUint(uint64(v), 16)
	return strings.Repeat("0", 8-len(s)) + s
}
