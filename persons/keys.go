package persons

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/emmansun/gmsm/sm4"
	"github.com/zhuisu/zhuisu"
)

// Ciphers that seal persons.
const (
	CipherAES = "aes-256-gcm"
	CipherSM4 = "sm4-gcm" // GB/T 32907 block cipher in GCM mode, for national-cryptography deployments
)

// keySize is the size of the master key in the key file.
const keySize = 32

// LoadKey reads the master key from path, creating the file with a new random key (mode
// 0600, directory 0700) when it does not exist. A file others may read is refused: the
// key is what keeps the personal data in the database unreadable.
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		fi, serr := os.Stat(path)
		if serr != nil {
			return nil, zhuisu.Wrap(serr, zhuisu.EUnavailable, "person key %s", path)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, zhuisu.Errorf(zhuisu.EInvalid, "person key %s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
		if len(b) != keySize {
			return nil, zhuisu.Errorf(zhuisu.EInvalid, "person key %s holds %d bytes, want %d", path, len(b), keySize)
		}
		return b, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "read person key %s", path)
	}
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "generate person key")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "create directory for %s", path)
	}
	// O_EXCL: two processes starting at once must not each write their own key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadKey(path)
	}
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "write person key %s", path)
	}
	_, werr := f.Write(key)
	serr := f.Sync()
	if err := errors.Join(werr, serr, f.Close()); err != nil {
		os.Remove(path)
		return nil, zhuisu.Wrap(err, zhuisu.EUnavailable, "write person key %s", path)
	}
	return key, nil
}

// keys are the working keys derived from the master key: one seals, one hashes ID
// numbers for lookup, so that neither use weakens the other.
type keys struct {
	seal   []byte
	lookup []byte
	id     string // names the master key, stored with each sealed row
}

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

func deriveKeys(master []byte) keys {
	return keys{
		seal:   derive(master, "zhuisu person seal v1"),
		lookup: derive(master, "zhuisu person lookup v1"),
		id:     hex.EncodeToString(derive(master, "zhuisu person key id v1")[:8]),
	}
}

// aead returns the AEAD of a cipher name under k.
func (k keys) aead(name string) (cipher.AEAD, error) {
	var b cipher.Block
	var err error
	switch name {
	case CipherAES:
		b, err = aes.NewCipher(k.seal)
	case CipherSM4:
		b, err = sm4.NewCipher(k.seal[:16])
	default:
		return nil, zhuisu.Errorf(zhuisu.EInvalid, "unknown person cipher %q: want %s or %s", name, CipherAES, CipherSM4)
	}
	if err != nil {
		return nil, zhuisu.Wrap(err, zhuisu.EInternal, "person cipher")
	}
	return cipher.NewGCM(b)
}

// lookupHash is the keyed hash a person is found by.
func (k keys) lookupHash(idType, number string) []byte {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(idType))
	m.Write([]byte{0})
	m.Write([]byte(number))
	return m.Sum(nil)
}
