package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"net/url"
	"time"

	"github.com/zhuisu/zhuisu"
)

// TOTP as RFC 6238 defines it with the parameters every authenticator app supports:
// HMAC-SHA-1, 30-second steps from the Unix epoch, 6 digits. A code of the step before or
// after the current one is accepted too (RFC 6238 §5.2: clock drift and typing time).
const (
	totpStep      = 30 * time.Second
	totpDigits    = 6
	totpWindow    = 1
	totpSecretLen = 20 // 160 bits, the HMAC-SHA-1 output size (RFC 4226 §4 R6)
	totpIssuer    = "Zhuisu"
)

// hotp is RFC 4226 §5.3: HMAC-SHA-1 of the big-endian counter, dynamically truncated to a
// 31-bit number, modulo 10^digits.
func hotp(key []byte, counter uint64, digits int) uint32 {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return bin % mod
}

// totpStepAt is the time step T of RFC 6238 §4.2 at t.
func totpStepAt(t time.Time) int64 { return t.Unix() / int64(totpStep/time.Second) }

// formatCode writes a code with leading zeros.
func formatCode(v uint32, digits int) string {
	b := make([]byte, digits)
	for i := digits - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b)
}

// TOTPCode is the code of key at t (what an authenticator app shows).
func TOTPCode(key []byte, t time.Time) string {
	return formatCode(hotp(key, uint64(totpStepAt(t)), totpDigits), totpDigits)
}

// matchTOTP returns the step whose code equals code within the window around now, if it
// is later than lastStep (a code, and every earlier one, is used once). It checks every
// step of the window so its time does not depend on which one matched.
func matchTOTP(key []byte, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != totpDigits {
		return 0, false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	cur := totpStepAt(now)
	var found int64
	ok := false
	for d := int64(-totpWindow); d <= totpWindow; d++ {
		step := cur + d
		if step <= lastStep || step < 0 {
			continue
		}
		if hmac.Equal([]byte(formatCode(hotp(key, uint64(step), totpDigits), totpDigits)), []byte(code)) && !ok {
			found, ok = step, true
		}
	}
	return found, ok
}

// newTOTPKey returns a fresh random TOTP key.
func newTOTPKey() ([]byte, error) {
	key := make([]byte, totpSecretLen)
	if _, err := rand.Read(key); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "generate TOTP key")
	}
	return key, nil
}

// TOTPURI is the otpauth:// URI authenticator apps enrol from (usually as a QR code), in
// the Key Uri Format that Google Authenticator defined and other apps follow.
func TOTPURI(account string, key []byte) string {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key)
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", totpIssuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", "6")
	q.Set("period", "30")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + account, RawQuery: q.Encode()}
	return u.String()
}

// seal encrypts a TOTP key with AES-256-GCM under the node's key, binding it to the user
// ID so a sealed key copied onto another user's row does not open.
func seal(nodeKey, plain []byte, userID string) ([]byte, error) {
	aead, err := totpAEAD(nodeKey)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "generate nonce")
	}
	return aead.Seal(nonce, nonce, plain, []byte(userID)), nil
}

func unseal(nodeKey, sealed []byte, userID string) ([]byte, error) {
	aead, err := totpAEAD(nodeKey)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, zhuisu.Errorf(zhuisu.EInternal, "sealed TOTP key of user %s is too short", userID)
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(userID))
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "the TOTP key of user %s does not open with this node's key", userID)
	}
	return plain, nil
}

func totpAEAD(nodeKey []byte) (cipher.AEAD, error) {
	if len(nodeKey) != 32 {
		return nil, zhuisu.Errorf(zhuisu.EInternal, "no 32-byte TOTP key is configured")
	}
	block, err := aes.NewCipher(nodeKey)
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "TOTP key")
	}
	return cipher.NewGCM(block)
}
