package tlog

import (
	"bytes"
	"crypto/ed25519"
	"encoding/asn1"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu"
	"golang.org/x/mod/sumdb/note"
)

// Fixed test keys (never used anywhere else), so that the fuzz seed corpus holds notes
// that verify.
const (
	testOrigin   = "example.org/zhuisu-test"
	testEdSKey   = "PRIVATE+KEY+example.org/zhuisu-test+cdc5eb27+AeRTl17LATSrz5Y7gUeZvL9FSjbTfFMPqBDiXqXf5SuP"
	testEdVKey   = "example.org/zhuisu-test+cdc5eb27+ATWSMFuzbFUqfR1zFa1YZA0+SNJOJ4QbYRU5TJt4TpSL"
	testSM2SKey  = "PRIVATE+KEY+example.org/zhuisu-test+7e75cc15+/wYIKoEcz1UBg3UtDR97f5XtN0mGL4BvJcHvL7AAWZcBZRkw/ALQGKW23w=="
	testSM2VKey  = "example.org/zhuisu-test+7e75cc15+/wYIKoEcz1UBg3UEJHVhGCVlIofN2hQmMu93utCJrRgPg2u+TEaEvaC+RLHjrDVoHa9sfMcxxk4UAN4o6/emD4uzXwRx67sYKMXvCQ=="
	testWitSKey  = "PRIVATE+KEY+example.org/zhuisu-test+01d7c2d3+BL80AfICHnfTvm4IgcKdAnyCngSO4Y6LA/vUvonkorMO"
	testWitVKey  = "example.org/zhuisu-test+01d7c2d3+BKOQ3XemDThBctFo6AcWmV+KPv0aLyN0Rnc0Eu+yLp1+"
	testRootB64  = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
	testTreeSize = 20852163
)

func mustSigner(t testing.TB, skey string) Signer {
	t.Helper()
	s, err := ParseSignerKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustVerifier(t testing.TB, vkey string) Verifier {
	t.Helper()
	v, err := ParseVerifierKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func testRoot(t testing.TB) Hash {
	h, err := ParseHash(testRootB64)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSM2TypeIDIsTheDEROfSM2WithSM3(t *testing.T) {
	der, err := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 501})
	if err != nil {
		t.Fatal(err)
	}
	if SM2TypeID != "\xff"+string(der) {
		t.Fatalf("SM2TypeID = %x, want ff || %x", SM2TypeID, der)
	}
}

func TestGeneratedKeysSignAndVerify(t *testing.T) {
	for _, c := range []struct {
		name string
		gen  func(string) (string, string, error)
	}{{"Ed25519", GenerateEd25519}, {"SM2", GenerateSM2}, {"cosigner", GenerateCosigner}} {
		t.Run(c.name+" key pair round trips", func(t *testing.T) {
			skey, vkey, err := c.gen("node.example/log")
			if err != nil {
				t.Fatal(err)
			}
			s := mustSigner(t, skey+"\n")
			v := mustVerifier(t, vkey+"\n")
			if s.Name() != "node.example/log" || v.Name() != s.Name() || v.KeyHash() != s.KeyHash() {
				t.Fatalf("signer %s+%08x, verifier %s+%08x", s.Name(), s.KeyHash(), v.Name(), v.KeyHash())
			}
			msg := []byte("node.example/log\n1\n" + EmptyRoot.String() + "\n")
			sig, err := s.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Verify(msg, sig) {
				t.Fatal("signature does not verify")
			}
			if v.Verify(append(msg, 'x'), sig) {
				t.Fatal("signature verifies another message")
			}
			got, err := VerifierKeyOf(skey)
			if err != nil || got != vkey {
				t.Fatalf("VerifierKeyOf = %q, %v; want %q", got, err, vkey)
			}
			// The key ID is SHA-256(name || "\n" || type || public key)[:4].
			_, _, key, _ := splitKey(vkey)
			if keyID("node.example/log", key) != v.KeyHash() {
				t.Fatal("key ID is not computed as signed-note recommends")
			}
		})
	}
	if _, _, err := GenerateEd25519("bad name"); err == nil {
		t.Fatal("a key name with a space was accepted")
	}
	if _, _, err := GenerateSM2("a+b"); err == nil {
		t.Fatal("a key name with + was accepted")
	}
}

func TestGoSumdbKeysInteroperate(t *testing.T) {
	// The example of golang.org/x/mod/sumdb/note: our parsers read its keys, and notes
	// signed by us open with x/mod's own verifier.
	skey := "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
	vkey := "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
	msg := "If you think cryptography is the answer to your problem,\n" +
		"then you don't know what your problem is.\n" +
		"\n" +
		"— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
	v := mustVerifier(t, vkey)
	if _, err := openNote([]byte(msg), []Verifier{v}); err != nil {
		t.Fatalf("x/mod's example note does not open: %v", err)
	}
	s := mustSigner(t, skey)
	signed, err := Checkpoint{Origin: "PeterNeumann", Size: 3, Root: EmptyRoot}.Sign(s)
	if err != nil {
		t.Fatal(err)
	}
	xv, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(signed, note.VerifierList(xv)); err != nil {
		t.Fatalf("x/mod cannot open our note: %v", err)
	}
}

func TestDamagedKeysAreRejected(t *testing.T) {
	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] ^= 1
		return string(b)
	}
	for _, c := range []struct{ name, key string }{
		{"signer key with another key ID is rejected", strings.Replace(testEdSKey, "cdc5eb27", "cdc5eb28", 1)},
		{"signer key with upper-case key ID is rejected", strings.Replace(testSM2SKey, "7e75cc15", "7E75CC15", 1)},
		{"signer key with a changed seed is rejected", flip(testEdSKey, len(testEdSKey)-3)},
		{"signer key with another name is rejected", strings.Replace(testSM2SKey, "zhuisu-test", "zhuisu-tesu", 1)},
		{"signer key without PRIVATE+KEY is rejected", strings.TrimPrefix(testEdSKey, "PRIVATE+KEY+")},
		{"verifier key used as signer key is rejected", "PRIVATE+KEY+" + testEdVKey},
		{"truncated signer key is rejected", testSM2SKey[:len(testSM2SKey)-8]},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSignerKey(c.key)
			wantErr(t, err, zhuisu.EInvalid, ErrMalformed)
		})
	}
	for _, c := range []struct{ name, key string }{
		{"verifier key with another key ID is rejected", strings.Replace(testEdVKey, "cdc5eb27", "cdc5eb26", 1)},
		{"verifier key with a changed public key is rejected", flip(testSM2VKey, len(testSM2VKey)-5)},
		{"signer key used as verifier key is rejected", testEdSKey},
		{"verifier key without key ID is rejected", "example.org/zhuisu-test+ATWSMFuzbFUqfR1zFa1YZA0+SNJOJ4QbYRU5TJt4TpSL"},
		{"verifier key with non-canonical base64 is rejected", strings.Replace(testEdVKey, "TpSL", "TpSM", 1)},
		{"empty verifier key is rejected", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseVerifierKey(c.key)
			wantErr(t, err, zhuisu.EInvalid, ErrMalformed)
		})
	}
}

func TestCheckpointsRoundTripSignedByEd25519AndSM2(t *testing.T) {
	root := testRoot(t)
	for _, c := range []struct{ name, skey, vkey string }{{"Ed25519", testEdSKey, testEdVKey}, {"SM2", testSM2SKey, testSM2VKey}} {
		t.Run(c.name+" checkpoint opens", func(t *testing.T) {
			msg, err := SignCheckpoint(testOrigin, testTreeSize, root, mustSigner(t, c.skey))
			if err != nil {
				t.Fatal(err)
			}
			wantPrefix := testOrigin + "\n20852163\n" + testRootB64 + "\n\n— " + testOrigin + " "
			if !strings.HasPrefix(string(msg), wantPrefix) {
				t.Fatalf("note = %q, want prefix %q", msg, wantPrefix)
			}
			cp, err := OpenCheckpoint(msg, testOrigin, mustVerifier(t, c.vkey))
			if err != nil {
				t.Fatal(err)
			}
			if cp.Origin != testOrigin || cp.Size != testTreeSize || cp.Root != root || cp.Extensions != nil {
				t.Fatalf("opened %+v", cp)
			}
		})
	}
	t.Run("extension lines and two signatures round trip", func(t *testing.T) {
		c := Checkpoint{Origin: testOrigin, Size: 0, Root: EmptyRoot, Extensions: []string{"ext one", "— two"}}
		msg, err := c.Sign(mustSigner(t, testEdSKey), mustSigner(t, testSM2SKey))
		if err != nil {
			t.Fatal(err)
		}
		for _, vkey := range []string{testEdVKey, testSM2VKey} {
			got, err := OpenCheckpoint(msg, testOrigin, mustVerifier(t, vkey))
			if err != nil {
				t.Fatal(err)
			}
			if got.Size != 0 || got.Root != EmptyRoot || len(got.Extensions) != 2 || got.Extensions[1] != "— two" {
				t.Fatalf("opened %+v", got)
			}
		}
	})
}

func TestChangingAnyByteOfASignedCheckpointIsRejected(t *testing.T) {
	root := testRoot(t)
	for _, c := range []struct{ name, skey, vkey string }{{"Ed25519", testEdSKey, testEdVKey}, {"SM2", testSM2SKey, testSM2VKey}} {
		msg, err := Checkpoint{Origin: testOrigin, Size: testTreeSize, Root: root, Extensions: []string{"x"}}.Sign(mustSigner(t, c.skey))
		if err != nil {
			t.Fatal(err)
		}
		v := mustVerifier(t, c.vkey)
		if _, err := OpenCheckpoint(msg, testOrigin, v); err != nil {
			t.Fatal(err)
		}
		t.Run(c.name+" note with any byte changed is rejected", func(t *testing.T) {
			for i := range msg {
				for _, mask := range []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80} {
					bad := bytes.Clone(msg)
					bad[i] ^= mask
					if _, err := OpenCheckpoint(bad, testOrigin, v); err == nil {
						t.Fatalf("byte %d ^ %#x (%q -> %q) was accepted", i, mask, msg[i], bad[i])
					} else if zhuisu.ErrorCode(err) != zhuisu.EInvalid {
						t.Fatalf("byte %d: error %v is not EInvalid", i, err)
					}
				}
			}
			for i := 1; i < len(msg); i++ {
				if _, err := OpenCheckpoint(msg[:i], testOrigin, v); err == nil {
					t.Fatalf("note truncated to %d bytes was accepted", i)
				}
			}
			if _, err := OpenCheckpoint(append(bytes.Clone(msg), '\n'), testOrigin, v); err == nil {
				t.Fatal("note with an extra newline was accepted")
			}
		})
	}
}

func TestCheckpointsNotSignedByTheLogAreRejected(t *testing.T) {
	root := testRoot(t)
	ed := mustSigner(t, testEdSKey)
	good, err := SignCheckpoint(testOrigin, 10, root, ed)
	if err != nil {
		t.Fatal(err)
	}
	// A different key under the same name: its key ID differs, so the note's signature is
	// from an unknown key.
	otherSKey, otherVKey, err := GenerateEd25519(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	byOther, err := SignCheckpoint(testOrigin, 10, root, mustSigner(t, otherSKey))
	if err != nil {
		t.Fatal(err)
	}
	// The same name and key ID but another public key (an impostor verifier).
	pub := ed25519.PublicKey(bytes.Repeat([]byte{7}, 32))
	impostor := &ed25519Verifier{name: testOrigin, id: ed.KeyHash(), pub: pub}
	// A valid signature followed by a signature line of a known key that fails.
	_, sig, _ := strings.Cut(string(good), "\n\n")
	name, b64, _ := strings.Cut(strings.TrimPrefix(strings.TrimSuffix(sig, "\n"), "— "), " ")
	raw, _ := base64.StdEncoding.DecodeString(b64)
	raw[len(raw)-1] ^= 1
	otherOrigin, err := SignCheckpoint("example.org/other-log", 10, root, ed)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		msg       []byte
		origin    string
		verifiers []Verifier
		cause     error
	}{
		{"note opened with no keys is rejected", good, testOrigin, nil, ErrUnknownKey},
		{"note signed by an unknown key is rejected", good, testOrigin, []Verifier{mustVerifier(t, otherVKey)}, ErrUnknownKey},
		{"note signed by another key of the same name is rejected", byOther, testOrigin, []Verifier{mustVerifier(t, testEdVKey)}, ErrUnknownKey},
		{"note signed by an SM2 key of the same name is not taken for the Ed25519 key", mustSign(t, testSM2SKey, root), testOrigin, []Verifier{mustVerifier(t, testEdVKey)}, ErrUnknownKey},
		{"note whose key ID matches a verifier with another key is rejected", good, testOrigin, []Verifier{impostor}, ErrBadSignature},
		{"note with a failing signature by a known key is rejected", []byte(string(good) + "— " + name + " " + base64.StdEncoding.EncodeToString(raw) + "\n"), testOrigin, []Verifier{mustVerifier(t, testEdVKey)}, ErrBadSignature},
		{"checkpoint of another origin is rejected", otherOrigin, testOrigin, []Verifier{mustVerifier(t, testEdVKey)}, ErrWrongOrigin},
		{"checkpoint asked for under another origin is rejected", good, "example.org/other-log", []Verifier{mustVerifier(t, testEdVKey)}, ErrWrongOrigin},
		{"cosigner key does not stand for the log key", good, testOrigin, []Verifier{mustVerifier(t, testWitVKey)}, ErrUnknownKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := OpenCheckpoint(c.msg, c.origin, c.verifiers...)
			wantErr(t, err, zhuisu.EInvalid, c.cause)
		})
	}
	t.Run("note with an extra signature by an unknown key still opens", func(t *testing.T) {
		msg, err := Checkpoint{Origin: testOrigin, Size: 10, Root: root}.Sign(mustSigner(t, otherSKey), ed)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := OpenCheckpoint(msg, testOrigin, mustVerifier(t, testEdVKey)); err != nil {
			t.Fatal(err)
		}
	})
}

func mustSign(t *testing.T, skey string, root Hash) []byte {
	t.Helper()
	msg, err := SignCheckpoint(testOrigin, 10, root, mustSigner(t, skey))
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestMalformedCheckpointBodiesAreRejected(t *testing.T) {
	good := testOrigin + "\n10\n" + testRootB64 + "\n"
	if c, err := ParseCheckpoint([]byte(good)); err != nil || c.Size != 10 {
		t.Fatalf("ParseCheckpoint(good) = %+v, %v", c, err)
	}
	for _, c := range []struct{ name, text string }{
		{"body without final newline is rejected", strings.TrimSuffix(good, "\n")},
		{"body without root is rejected", testOrigin + "\n10\n"},
		{"empty origin is rejected", "\n10\n" + testRootB64 + "\n"},
		{"size with leading zero is rejected", testOrigin + "\n010\n" + testRootB64 + "\n"},
		{"negative size is rejected", testOrigin + "\n-1\n" + testRootB64 + "\n"},
		{"size with spaces is rejected", testOrigin + "\n 10\n" + testRootB64 + "\n"},
		{"root of 31 bytes is rejected", testOrigin + "\n10\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n"},
		{"non-canonical root is rejected", testOrigin + "\n10\n" + nonCanonicalBase64(testRootB64) + "\n"},
		{"empty extension line is rejected", good + "\n"},
		{"control character is rejected", testOrigin + "\n10\n" + testRootB64 + "\nx\ty\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCheckpoint([]byte(c.text))
			wantErr(t, err, zhuisu.EInvalid, ErrMalformed)
		})
	}
	if _, err := SignCheckpoint("bad\norigin", 1, EmptyRoot, mustSigner(t, testEdSKey)); err == nil {
		t.Fatal("an origin with a newline was signed")
	}
	if _, err := SignCheckpoint(testOrigin, -1, EmptyRoot, mustSigner(t, testEdSKey)); err == nil {
		t.Fatal("a negative size was signed")
	}
}

func TestCosignaturesFollowTlogCosignatureV1(t *testing.T) {
	c := mustSigner(t, testWitSKey).(*Cosigner)
	if c.VerifierKey() != testWitVKey {
		t.Fatalf("VerifierKey = %s, want %s", c.VerifierKey(), testWitVKey)
	}
	body := []byte(testOrigin + "\n20852163\n" + testRootB64 + "\n")
	at := time.Unix(1679315147, 0)
	sig, err := c.CosignAt(body, at)
	if err != nil {
		t.Fatal(err)
	}
	// timestamp || Ed25519(pub, "cosignature/v1\ntime 1679315147\n" || body)
	_, _, key, _ := splitKey(testWitVKey)
	signed := append([]byte("cosignature/v1\ntime 1679315147\n"), body...)
	if len(sig) != 72 || !ed25519.Verify(key[1:], signed, sig[8:]) {
		t.Fatal("cosignature is not an Ed25519 signature of the cosignature/v1 message")
	}
	if got, _ := CosignatureTime(sig); !got.Equal(at) {
		t.Fatalf("CosignatureTime = %v, want %v", got, at)
	}
	msg, err := SignCheckpoint(testOrigin, testTreeSize, testRoot(t), mustSigner(t, testEdSKey))
	if err != nil {
		t.Fatal(err)
	}
	line, err := c.SignatureLine(body, at)
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := AddSignatures(msg, line)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCheckpoint(cosigned, testOrigin, mustVerifier(t, testEdVKey)); err != nil {
		t.Fatalf("the log signature no longer verifies after cosigning: %v", err)
	}
	got, err := VerifyCosignatures(cosigned, mustVerifier(t, testWitVKey))
	if err != nil || len(got) != 1 || got[0].Name != testOrigin || !got[0].Time.Equal(at) {
		t.Fatalf("VerifyCosignatures = %+v, %v", got, err)
	}
	if got, err := VerifyCosignatures(msg, mustVerifier(t, testWitVKey)); err != nil || len(got) != 0 {
		t.Fatalf("an uncosigned checkpoint has cosignatures %+v, %v", got, err)
	}
	// A cosignature over another body fails as a known key's bad signature.
	other, _ := c.SignatureLine([]byte(testOrigin+"\n1\n"+testRootB64+"\n"), at)
	forged, _ := AddSignatures(msg, other)
	_, err = VerifyCosignatures(forged, mustVerifier(t, testWitVKey))
	wantErr(t, err, zhuisu.EInvalid, ErrBadSignature)
	if _, err := AddSignatures(msg, []byte("not a signature\n")); err == nil {
		t.Fatal("AddSignatures accepted a line that is not a signature")
	}
	if _, err := c.CosignAt(body, time.Unix(-1, 0)); err == nil {
		t.Fatal("a cosignature before 1970 was made")
	}
}
