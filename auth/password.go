package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/zhuisu/zhuisu"
	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters of new password hashes. Each hash keeps
// its own parameters, so raising them later does not lock anyone out.
type Argon2Params struct {
	Time    uint32 // passes over memory
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 is the second recommended option of RFC 9106 §4 scaled to one pass:
// 64 MiB, 1 pass, 2 lanes. BenchmarkHashPassword measures one hash on this machine.
var DefaultArgon2 = Argon2Params{Time: 1, Memory: 64 * 1024, Threads: 2}

const (
	argonSaltLen = 16
	argonKeyLen  = 32
	// Password limits: long enough to resist guessing, short enough that hashing a
	// hostile input costs no more than hashing a real one.
	MinPasswordLen = 10
	MaxPasswordLen = 256
	// Stored parameters beyond these are refused rather than run: a tampered row must
	// not make one sign-in allocate gigabytes.
	maxArgonMemory = 1 << 20 // KiB (1 GiB)
	maxArgonTime   = 16
)

// HashPassword returns the PHC string of an argon2id hash of password:
// $argon2id$v=19$m=65536,t=1,p=2$<salt>$<hash>, both base64 without padding.
func HashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", zhuisu.Wrap(err, zhuisu.EInternal, "generate salt")
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string encoded, comparing in
// constant time. A malformed string is an internal error, never a match.
func VerifyPassword(password, encoded string) (bool, error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func parsePHC(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	bad := func(why string) error {
		return zhuisu.Errorf(zhuisu.EInternal, "stored password hash is malformed: %s", why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, bad("not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, bad("unsupported version " + parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, bad("parameters " + parts[3])
	}
	if p.Memory == 0 || p.Memory > maxArgonMemory || p.Time == 0 || p.Time > maxArgonTime || p.Threads == 0 {
		return p, nil, nil, bad("parameters out of range " + parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, bad("salt")
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, bad("hash")
	}
	return p, salt, key, nil
}

// CheckPassword says why a new password is not acceptable, or nil.
func CheckPassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "password", Message: "the password is not valid UTF-8"}
	case n < MinPasswordLen:
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "password", Message: fmt.Sprintf("the password has %d characters; at least %d are needed", n, MinPasswordLen)}
	case len(password) > MaxPasswordLen:
		return &zhuisu.Error{Code: zhuisu.EInvalid, Field: "password", Message: fmt.Sprintf("the password is longer than %d bytes", MaxPasswordLen)}
	}
	return nil
}

// oneTimePassword generates a password for a new or reset account: 26 base32
// characters, 128 bits from the system's random source.
func oneTimePassword() string { return rand.Text() }
