package auth

import (
	"crypto/sha256"
	"testing"
	"time"
)

// RFC 4226 Appendix D: the HOTP values of the secret "12345678901234567890" for counters
// 0 to 9.
func TestHOTPMatchesRFC4226Vectors(t *testing.T) {
	key := []byte("12345678901234567890")
	want := []uint32{755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489}
	for c, w := range want {
		if got := hotp(key, uint64(c), 6); got != w {
			t.Errorf("counter %d: got %06d want %06d", c, got, w)
		}
	}
}

// RFC 6238 Appendix B, the SHA-1 rows (8 digits), and their last six digits, which is
// what the platform's 6-digit codes are.
func TestTOTPMatchesRFC6238SHA1Vectors(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		at := time.Unix(tc.unix, 0)
		if got := formatCode(hotp(key, uint64(totpStepAt(at)), 8), 8); got != tc.want {
			t.Errorf("T=%d: got %s want %s", tc.unix, got, tc.want)
		}
		if got := TOTPCode(key, at); got != tc.want[2:] {
			t.Errorf("T=%d 6 digits: got %s want %s", tc.unix, got, tc.want[2:])
		}
	}
}

func TestTOTPAcceptsOneStepEitherSideAndNoFurther(t *testing.T) {
	key := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	for _, tc := range []struct {
		name   string
		offset time.Duration
		ok     bool
	}{
		{"current step", 0, true},
		{"previous step", -30 * time.Second, true},
		{"next step", 30 * time.Second, true},
		{"two steps back", -60 * time.Second, false},
		{"two steps ahead", 60 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := TOTPCode(key, now.Add(tc.offset))
			step, ok := matchTOTP(key, code, now, 0)
			if ok != tc.ok {
				t.Fatalf("code of %v: accepted=%v, want %v", tc.offset, ok, tc.ok)
			}
			if ok && step != totpStepAt(now.Add(tc.offset)) {
				t.Fatalf("matched step %d, want %d", step, totpStepAt(now.Add(tc.offset)))
			}
		})
	}
}

func TestTOTPRefusesACodeOfAStepAlreadyUsed(t *testing.T) {
	key := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	code := TOTPCode(key, now)
	step, ok := matchTOTP(key, code, now, 0)
	if !ok {
		t.Fatal("first use refused")
	}
	if _, ok := matchTOTP(key, code, now, step); ok {
		t.Fatal("the same code was accepted twice")
	}
	if _, ok := matchTOTP(key, TOTPCode(key, now.Add(-30*time.Second)), now, step); ok {
		t.Fatal("an earlier step's code was accepted after a later one")
	}
	if _, ok := matchTOTP(key, TOTPCode(key, now.Add(30*time.Second)), now, step); !ok {
		t.Fatal("the next step's code was refused")
	}
}

func TestSealedTOTPKeyOpensOnlyForItsUser(t *testing.T) {
	node := make([]byte, 32)
	sealed, err := seal(node, []byte("secret key"), "user-a")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := unseal(node, sealed, "user-a"); err != nil || string(got) != "secret key" {
		t.Fatalf("unseal: %q, %v", got, err)
	}
	if _, err := unseal(node, sealed, "user-b"); err == nil {
		t.Fatal("a key sealed for user-a opened for user-b")
	}
}

func TestVerifyPasswordMatchesOnlyTheRightPassword(t *testing.T) {
	p := Argon2Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	h, err := HashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := VerifyPassword("correct horse battery", h); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := VerifyPassword("correct horse batterY", h); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", h[:len(h)-4] + "!!!!",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
		if ok, err := VerifyPassword("correct horse battery", bad); ok || err == nil {
			t.Errorf("malformed %q: ok=%v err=%v, want an error", bad, ok, err)
		}
	}
}

// BenchmarkHashPassword measures one argon2id hash at the default parameters (what a
// sign-in costs), beside a SHA-256 token check as the baseline of the same run.
func BenchmarkHashPassword(b *testing.B) {
	b.Run("argon2id-default", func(b *testing.B) {
		for b.Loop() {
			if _, err := HashPassword("correct horse battery", DefaultArgon2); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sha256-token-baseline", func(b *testing.B) {
		secret := []byte(tokenPrefix + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")
		for b.Loop() {
			sha256.Sum256(secret)
		}
	})
}
