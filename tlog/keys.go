package tlog

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emmansun/gmsm/sm2"
)

// A Signer signs note texts with one key. The signature lines it makes name the key by
// Name and KeyHash. The method set is that of golang.org/x/mod/sumdb/note.Signer, so a
// hardware signing server can be used by implementing these three methods; the key files
// of this package give in-process signers.
type Signer interface {
	// Name returns the key name (for a log, usually its origin).
	Name() string
	// KeyHash returns the 32-bit key ID: the first 4 bytes, big-endian, of
	// SHA-256(name || "\n" || signature type || public key).
	KeyHash() uint32
	// Sign returns the signature of msg (the note text, including its final newline).
	Sign(msg []byte) ([]byte, error)
}

// A Verifier checks signatures by one key. The method set is that of
// golang.org/x/mod/sumdb/note.Verifier.
type Verifier interface {
	Name() string
	KeyHash() uint32
	// Verify reports whether sig is a valid signature of msg by this key.
	Verify(msg, sig []byte) bool
}

// Signature type identifier bytes of C2SP signed-note.
const (
	// SigTypeEd25519 is the Ed25519 signature of the note text (signed-note 0x01).
	SigTypeEd25519 byte = 0x01
	// SigTypeCosignature is the timestamped Ed25519 witness cosignature of
	// c2sp.org/tlog-cosignature (signed-note 0x04).
	SigTypeCosignature byte = 0x04
	// SigTypeUnassigned is signed-note's 0xff, "reserved for signature types without an
	// identifier byte assigned by this specification", to be followed by a longer
	// identifier. SM2 keys use it, followed by SM2TypeID.
	SigTypeUnassigned byte = 0xff
)

// SM2TypeID is the key type prefix of SM2 keys: the signed-note byte 0xff followed by the
// DER encoding of the object identifier of SM2 signatures with SM3 (sm2sign-with-sm3,
// 1.2.156.10197.1.501, GM/T 0006). signed-note assigns no byte to SM2 and keeps 0xfa to
// 0xfe for its own future use, so we use 0xff with this identifier as it recommends. The
// signature is the ASN.1 DER SM2 signature (GB/T 32918.2, with SM3 and the default user
// ID "1234567812345678") of the note text.
const SM2TypeID = "\xff\x06\x08\x2a\x81\x1c\xcf\x55\x01\x83\x75"

// keyID computes the key ID of a key name and its typed public key (type || key).
func keyID(name string, typedKey []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(typedKey)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// validName reports whether name is a valid note key name: non-empty UTF-8 without
// Unicode spaces or "+".
func validName(name string) bool {
	return name != "" && len(name) <= 255 && utf8.ValidString(name) &&
		strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r < 0x20 || r == 0x7f }) < 0 &&
		!strings.Contains(name, "+")
}

func badName(name string) error {
	return invalid(ErrMalformed, "invalid key name %q: want non-empty UTF-8 without spaces or '+'", truncate(name))
}

// Key texts. A verifier key (vkey), safe to publish:
//
//	<name>+<key ID as 8 hex digits>+<base64(type || public key)>
//
// and a signer key, secret, kept in a file of mode 0600:
//
//	PRIVATE+KEY+<name>+<key ID as 8 hex digits>+<base64(type || private key)>
//
// where type || public key is 0x01 || 32-byte Ed25519 key, 0x04 || 32-byte Ed25519 key
// (a witness cosigner) or SM2TypeID || 65-byte uncompressed SM2 point, and the private key
// is the 32-byte Ed25519 seed or the 32-byte big-endian SM2 scalar.

func formatKey(prefix, name string, id uint32, typedKey []byte) string {
	return fmt.Sprintf("%s%s+%08x+%s", prefix, name, id, base64.StdEncoding.EncodeToString(typedKey))
}

// GenerateEd25519 generates an Ed25519 log key named name; skey is the secret signer key
// text and vkey the public verifier key text.
func GenerateEd25519(name string) (skey, vkey string, err error) {
	return generateEd25519(name, SigTypeEd25519)
}

// GenerateCosigner generates an Ed25519 witness cosigner key (signature type 0x04).
func GenerateCosigner(name string) (skey, vkey string, err error) {
	return generateEd25519(name, SigTypeCosignature)
}

func generateEd25519(name string, typ byte) (skey, vkey string, err error) {
	if !validName(name) {
		return "", "", badName(name)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	typedPub := append([]byte{typ}, pub...)
	id := keyID(name, typedPub)
	return formatKey("PRIVATE+KEY+", name, id, append([]byte{typ}, priv.Seed()...)), formatKey("", name, id, typedPub), nil
}

// GenerateSM2 generates an SM2 log key (SM3 hashing) named name.
func GenerateSM2(name string) (skey, vkey string, err error) {
	if !validName(name) {
		return "", "", badName(name)
	}
	priv, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	point, err := sm2PublicBytes(&priv.PublicKey)
	if err != nil {
		return "", "", err
	}
	typedPub := append([]byte(SM2TypeID), point...)
	id := keyID(name, typedPub)
	k, err := priv.ECDH()
	if err != nil {
		return "", "", err
	}
	scalar := k.Bytes()
	return formatKey("PRIVATE+KEY+", name, id, append([]byte(SM2TypeID), scalar...)), formatKey("", name, id, typedPub), nil
}

// sm2PublicBytes returns the 65-byte uncompressed point of an SM2 public key.
func sm2PublicBytes(pub *ecdsa.PublicKey) ([]byte, error) {
	k, err := sm2.PublicKeyToECDH(pub)
	if err != nil {
		return nil, invalid(ErrMalformed, "invalid SM2 public key")
	}
	return k.Bytes(), nil
}

// Ed25519VerifierKey returns the vkey of an Ed25519 log public key, for a key held
// elsewhere (a hardware signing server).
func Ed25519VerifierKey(name string, pub ed25519.PublicKey) (string, error) {
	return ed25519VKey(name, pub, SigTypeEd25519)
}

// CosignerVerifierKey returns the vkey of an Ed25519 witness cosigner public key.
func CosignerVerifierKey(name string, pub ed25519.PublicKey) (string, error) {
	return ed25519VKey(name, pub, SigTypeCosignature)
}

func ed25519VKey(name string, pub ed25519.PublicKey, typ byte) (string, error) {
	if !validName(name) {
		return "", badName(name)
	}
	if len(pub) != ed25519.PublicKeySize {
		return "", invalid(ErrMalformed, "Ed25519 public key is %d bytes, want 32", len(pub))
	}
	typed := append([]byte{typ}, pub...)
	return formatKey("", name, keyID(name, typed), typed), nil
}

// SM2VerifierKey returns the vkey of an SM2 public key.
func SM2VerifierKey(name string, pub *ecdsa.PublicKey) (string, error) {
	if !validName(name) {
		return "", badName(name)
	}
	if pub == nil || !sm2.IsSM2PublicKey(pub) {
		return "", invalid(ErrMalformed, "not an SM2 public key")
	}
	point, err := sm2PublicBytes(pub)
	if err != nil {
		return "", err
	}
	typed := append([]byte(SM2TypeID), point...)
	return formatKey("", name, keyID(name, typed), typed), nil
}

// splitKey splits "<name>+<hex id>+<base64>" into its parts.
func splitKey(s string) (name string, id uint32, key []byte, ok bool) {
	name, rest, ok1 := strings.Cut(s, "+")
	hex, b64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || !validName(name) || len(hex) != 8 || strings.ToLower(hex) != hex {
		return "", 0, nil, false
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return "", 0, nil, false
	}
	key, err = base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || len(key) == 0 || base64.StdEncoding.EncodeToString(key) != b64 {
		return "", 0, nil, false
	}
	return name, uint32(v), key, true
}

// ParseVerifierKey parses a verifier key (vkey) text: an Ed25519 log key (type 0x01), an
// SM2 log key (SM2TypeID) or an Ed25519 witness cosigner key (type 0x04). The key ID must
// match the name and key. Surrounding white space (a key file's final newline) is ignored.
func ParseVerifierKey(vkey string) (Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	name, id, key, ok := splitKey(vkey)
	if !ok {
		return nil, invalid(ErrMalformed, "malformed verifier key: want <name>+<8 hex digits>+<base64 key>")
	}
	if keyID(name, key) != id {
		return nil, invalid(ErrMalformed, "verifier key %s: key ID %08x does not match the name and key", name, id)
	}
	switch {
	case key[0] == SigTypeEd25519 && len(key) == 1+ed25519.PublicKeySize:
		return &ed25519Verifier{name: name, id: id, pub: ed25519.PublicKey(key[1:])}, nil
	case key[0] == SigTypeCosignature && len(key) == 1+ed25519.PublicKeySize:
		return &cosignatureVerifier{name: name, id: id, pub: ed25519.PublicKey(key[1:])}, nil
	case strings.HasPrefix(string(key), SM2TypeID):
		pub, err := sm2.NewPublicKey(key[len(SM2TypeID):])
		if err != nil {
			return nil, invalid(ErrMalformed, "verifier key %s: invalid SM2 public key", name)
		}
		return &sm2Verifier{name: name, id: id, pub: pub}, nil
	}
	return nil, invalid(ErrMalformed, "verifier key %s: unknown key type or wrong key length", name)
}

// ParseSignerKey parses a signer key text (as written by GenerateEd25519, GenerateSM2 or
// GenerateCosigner). The key ID must match the public key derived from the private one,
// which catches a damaged key file. For a cosigner key the result is a *Cosigner.
func ParseSignerKey(skey string) (Signer, error) {
	skey = strings.TrimSpace(skey)
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	if !ok {
		return nil, invalid(ErrMalformed, "malformed signer key: want PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>")
	}
	name, id, key, ok := splitKey(rest)
	if !ok {
		return nil, invalid(ErrMalformed, "malformed signer key: want PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>")
	}
	mismatch := func() error {
		return invalid(ErrMalformed, "signer key %s: key ID %08x does not match the key", name, id)
	}
	switch {
	case (key[0] == SigTypeEd25519 || key[0] == SigTypeCosignature) && len(key) == 1+ed25519.SeedSize:
		priv := ed25519.NewKeyFromSeed(key[1:])
		pub := priv.Public().(ed25519.PublicKey)
		if keyID(name, append([]byte{key[0]}, pub...)) != id {
			return nil, mismatch()
		}
		sign := func(msg []byte) ([]byte, error) { return ed25519.Sign(priv, msg), nil }
		if key[0] == SigTypeCosignature {
			return NewCosigner(name, pub, sign)
		}
		return &keySigner{name: name, id: id, sign: sign}, nil
	case strings.HasPrefix(string(key), SM2TypeID) && len(key) == len(SM2TypeID)+32:
		priv, err := sm2.NewPrivateKey(key[len(SM2TypeID):])
		if err != nil {
			return nil, invalid(ErrMalformed, "signer key %s: invalid SM2 private key", name)
		}
		point, err := sm2PublicBytes(&priv.PublicKey)
		if err != nil || keyID(name, append([]byte(SM2TypeID), point...)) != id {
			return nil, mismatch()
		}
		sign := func(msg []byte) ([]byte, error) {
			return priv.Sign(rand.Reader, msg, sm2.DefaultSM2SignerOpts)
		}
		return &keySigner{name: name, id: id, sign: sign}, nil
	}
	return nil, invalid(ErrMalformed, "signer key %s: unknown key type or wrong key length", name)
}

// VerifierKeyOf returns the verifier key (vkey) that goes with a signer key text, so a
// node that only kept its private key file can publish its public key.
func VerifierKeyOf(skey string) (string, error) {
	s, err := ParseSignerKey(skey)
	if err != nil {
		return "", err
	}
	_, _, key, _ := splitKey(strings.TrimPrefix(strings.TrimSpace(skey), "PRIVATE+KEY+"))
	switch {
	case key[0] == SigTypeEd25519 || key[0] == SigTypeCosignature:
		pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
		return ed25519VKey(s.Name(), pub, key[0])
	default:
		priv, err := sm2.NewPrivateKey(key[len(SM2TypeID):])
		if err != nil {
			return "", err
		}
		return SM2VerifierKey(s.Name(), &priv.PublicKey)
	}
}

type keySigner struct {
	name string
	id   uint32
	sign func([]byte) ([]byte, error)
}

func (s *keySigner) Name() string                    { return s.name }
func (s *keySigner) KeyHash() uint32                 { return s.id }
func (s *keySigner) Sign(msg []byte) ([]byte, error) { return s.sign(msg) }

type ed25519Verifier struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
}

func (v *ed25519Verifier) Name() string    { return v.name }
func (v *ed25519Verifier) KeyHash() uint32 { return v.id }
func (v *ed25519Verifier) Verify(msg, sig []byte) bool {
	return len(sig) == ed25519.SignatureSize && ed25519.Verify(v.pub, msg, sig)
}

type sm2Verifier struct {
	name string
	id   uint32
	pub  *ecdsa.PublicKey
}

func (v *sm2Verifier) Name() string    { return v.name }
func (v *sm2Verifier) KeyHash() uint32 { return v.id }
func (v *sm2Verifier) Verify(msg, sig []byte) bool {
	return len(sig) <= 80 && sm2.VerifyASN1WithSM2(v.pub, nil, msg, sig)
}

// Cosignatures (c2sp.org/tlog-cosignature, Ed25519 v1). The signature is
// timestamp (8 bytes, big-endian seconds since the Epoch) || Ed25519 signature of
//
//	"cosignature/v1\ntime <timestamp>\n" || checkpoint note text

const cosignatureSize = 8 + ed25519.SignatureSize

func cosignedMessage(text []byte, ts uint64) []byte {
	m := make([]byte, 0, 32+len(text))
	m = append(m, "cosignature/v1\ntime "...)
	m = strconv.AppendUint(m, ts, 10)
	m = append(m, '\n')
	return append(m, text...)
}

// A Cosigner makes C2SP tlog-cosignature v1 Ed25519 cosignatures (signature type 0x04).
// Its raw Ed25519 signing function may be a hardware signing server.
type Cosigner struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
	sign func([]byte) ([]byte, error)
	// Now gives the timestamp of the signatures made through Sign; nil means time.Now.
	Now func() time.Time
}

// NewCosigner returns a Cosigner named name for the Ed25519 public key pub, whose raw
// Ed25519 signatures sign makes.
func NewCosigner(name string, pub ed25519.PublicKey, sign func(msg []byte) ([]byte, error)) (*Cosigner, error) {
	if !validName(name) {
		return nil, badName(name)
	}
	if len(pub) != ed25519.PublicKeySize || sign == nil {
		return nil, invalid(ErrMalformed, "cosigner %s: want a 32-byte Ed25519 public key and a signing function", name)
	}
	return &Cosigner{name: name, id: keyID(name, append([]byte{SigTypeCosignature}, pub...)), pub: pub, sign: sign}, nil
}

// Name returns the cosigner's key name.
func (c *Cosigner) Name() string { return c.name }

// KeyHash returns the cosigner's key ID (computed with signature type 0x04).
func (c *Cosigner) KeyHash() uint32 { return c.id }

// VerifierKey returns the cosigner's vkey.
func (c *Cosigner) VerifierKey() string {
	return formatKey("", c.name, c.id, append([]byte{SigTypeCosignature}, c.pub...))
}

// Sign cosigns the note text msg at the time given by c.Now, so that a Cosigner can be
// used as a Signer of a note.
func (c *Cosigner) Sign(msg []byte) ([]byte, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	return c.CosignAt(msg, now())
}

// CosignAt returns the cosignature (timestamp || Ed25519 signature) of the checkpoint
// note text at time t, truncated to the second.
func (c *Cosigner) CosignAt(text []byte, t time.Time) ([]byte, error) {
	sec := t.Unix()
	if sec < 0 {
		return nil, invalid(ErrMalformed, "cosignature time %v is before 1970", t)
	}
	sig, err := c.sign(cosignedMessage(text, uint64(sec)))
	if err != nil {
		return nil, err
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("tlog: cosigner %s: signing function returned %d bytes, want 64", c.name, len(sig))
	}
	out := make([]byte, 8, cosignatureSize)
	binary.BigEndian.PutUint64(out, uint64(sec))
	return append(out, sig...), nil
}

// SignatureLine returns the note signature line of the cosignature of text at time t:
// "— <name> <base64(key ID || timestamp || signature)>\n".
func (c *Cosigner) SignatureLine(text []byte, t time.Time) ([]byte, error) {
	sig, err := c.CosignAt(text, t)
	if err != nil {
		return nil, err
	}
	return signatureLine(c.name, c.id, sig), nil
}

func signatureLine(name string, id uint32, sig []byte) []byte {
	raw := make([]byte, 4, 4+len(sig))
	binary.BigEndian.PutUint32(raw, id)
	raw = append(raw, sig...)
	return []byte("— " + name + " " + base64.StdEncoding.EncodeToString(raw) + "\n")
}

type cosignatureVerifier struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
}

func (v *cosignatureVerifier) Name() string    { return v.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.id }
func (v *cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != cosignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig)
	if ts > 1<<63-1 {
		return false
	}
	return ed25519.Verify(v.pub, cosignedMessage(msg, ts), sig[8:])
}

// CosignatureTime returns the timestamp of a cosignature (as returned by CosignAt).
func CosignatureTime(sig []byte) (time.Time, error) {
	if len(sig) != cosignatureSize {
		return time.Time{}, invalid(ErrMalformed, "cosignature is %d bytes, want 72", len(sig))
	}
	ts := binary.BigEndian.Uint64(sig)
	if ts > 1<<63-1 {
		return time.Time{}, invalid(ErrMalformed, "cosignature timestamp out of range")
	}
	return time.Unix(int64(ts), 0).UTC(), nil
}
