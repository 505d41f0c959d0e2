package auth

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"commonground/apperr"
	"github.com/trustelem/zxcvbn/frequency"
)

// cheapParams keep unit tests fast; the real cost is measured by
// BenchmarkPasswordHash and checked by TestDefaultParamsCost.
var cheapParams = PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newTestHasher(t testing.TB, p PasswordParams) *Hasher {
	t.Helper()
	h, err := NewHasher(p)
	if err != nil {
		t.Fatalf("NewHasher: %v", err)
	}
	return h
}

func TestHashVerify(t *testing.T) {
	h := newTestHasher(t, cheapParams)
	const pw = "correct horse battery staple"
	enc, err := h.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(enc) {
		t.Errorf("Hash() = %q, want PHC argon2id format", enc)
	}
	if again, _ := h.Hash(pw); again == enc {
		t.Error("two hashes of one password are equal: salt not random")
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{
		{pw, true},
		{"correct horse battery staplE", false},
		{pw + " ", false},
		{"", false},
	} {
		got, err := h.Verify(tt.pw, enc)
		if err != nil || got != tt.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tt.pw, got, err, tt.want)
		}
	}
}

// TestVerifyUsesStoredParams: a hash made with old parameters still
// verifies after the parameters are raised, and NeedsRehash says so.
func TestVerifyUsesStoredParams(t *testing.T) {
	old := newTestHasher(t, cheapParams)
	enc, _ := old.Hash("a long enough passphrase")
	raised := cheapParams
	raised.Memory, raised.Time = 128, 2
	h := newTestHasher(t, raised)
	if ok, err := h.Verify("a long enough passphrase", enc); !ok || err != nil {
		t.Fatalf("Verify with raised params = %v, %v", ok, err)
	}
	if !h.NeedsRehash(enc) {
		t.Error("NeedsRehash(old hash) = false, want true")
	}
	fresh, _ := h.Hash("a long enough passphrase")
	if h.NeedsRehash(fresh) {
		t.Error("NeedsRehash(current hash) = true, want false")
	}
	if !h.NeedsRehash("garbage") {
		t.Error("NeedsRehash(garbage) = false, want true")
	}
}

func TestVerifyMalformedHash(t *testing.T) {
	h := newTestHasher(t, cheapParams)
	good, _ := h.Hash("a long enough passphrase")
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for _, enc := range []string{
		"",
		"$argon2id$",
		strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "v=19", "v=16", 1),
		with(3, "m=64,t=1"),
		with(3, "m=64,t=1,p=1,x=2"),
		with(3, "t=1,m=64,p=1"),
		with(3, "m=-1,t=1,p=1"),
		with(3, "m=64,t=0,p=1"),
		with(3, "m=64,t=1,p=0"),
		with(3, "m=4,t=1,p=1"),
		with(3, fmt.Sprintf("m=%d,t=1,p=1", 1<<22)), // 4 GiB: refused, not allocated
		with(3, "m=64,t=1000,p=1"),
		with(4, "!!!"),
		with(4, "c2FsdA"), // 4-byte salt
		with(5, ""),
		good + "$",
	} {
		ok, err := h.Verify("a long enough passphrase", enc)
		if ok || !apperr.Is(err, apperr.Internal) {
			t.Errorf("Verify(hash %q) = %v, %v; want false and an Internal error", enc, ok, err)
		}
	}
}

func TestVerifyAccount(t *testing.T) {
	h := newTestHasher(t, cheapParams)
	enc, _ := h.Hash("a long enough passphrase")
	active := &Account{PasswordHash: enc}
	disabled := &Account{PasswordHash: enc, Disabled: true}
	tests := []struct {
		name string
		acct *Account
		pw   string
		want bool
	}{
		{"right password", active, "a long enough passphrase", true},
		{"wrong password", active, "another long passphrase", false},
		{"unknown email", nil, "a long enough passphrase", false},
		{"disabled account", disabled, "a long enough passphrase", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.VerifyAccount(tt.acct, tt.pw)
			if err != nil || got != tt.want {
				t.Errorf("VerifyAccount() = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestUnknownEmailCostsAHash compares the time of a login for an unknown
// email with one for a wrong password, with the real parameters: both must
// spend one full hash. The bound is loose because the machine is shared.
func TestUnknownEmailCostsAHash(t *testing.T) {
	h := newTestHasher(t, DefaultPasswordParams)
	enc, _ := h.Hash("a long enough passphrase")
	acct := &Account{PasswordHash: enc}
	measure := func(a *Account) time.Duration {
		best := time.Hour
		for range 3 {
			start := time.Now()
			h.VerifyAccount(a, "a wrong passphrase here")
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := measure(acct), measure(nil)
	if unknown < known/2 || unknown > known*2 {
		t.Errorf("unknown email took %v, wrong password %v: timing differs", unknown, known)
	}
}

func TestNewHasherRejectsWeakParams(t *testing.T) {
	for _, p := range []PasswordParams{
		{},
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		{Memory: 2 << 20, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	} {
		if _, err := NewHasher(p); err == nil {
			t.Errorf("NewHasher(%+v) succeeded", p)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	// A long entry from the shipped list, so the test follows the list.
	var listed string
	for _, p := range frequency.FrequencyLists["passwords"] {
		if len(p) >= MinPasswordLength {
			listed = p
			break
		}
	}
	if listed == "" {
		t.Fatal("the zxcvbn password list has no entry of 12 or more characters")
	}
	tests := []struct {
		name, pw string
		ok       bool
	}{
		{"long passphrase", "river stones under the old bridge", true},
		{"exactly 12", "k7#pQ2!vL9xz", true},
		{"11 characters", "k7#pQ2!vL9x", false},
		{"12 accented characters", "ñandúñandúña", true},
		{"11 characters in 22 bytes", "ñññññññññññ", false},
		{"empty", "", false},
		{"too long", strings.Repeat("a", MaxPasswordLength+1), false},
		{"common, listed", listed, false},
		{"common, upper case", strings.ToUpper(listed), false},
		{"common, mixed case", "QwertyUIOP123", false},
		{"common keyboard walk", "1qaz2wsx3edc", false},
		{"invalid UTF-8", "abcdefghijk\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.pw)
			if got := err == nil; got != tt.ok {
				t.Fatalf("CheckPassword(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
			}
			if err != nil {
				var e *apperr.Error
				if !errors.As(err, &e) || e.Kind != apperr.Unprocessable || len(e.Fields) != 1 || e.Fields[0].Field != "password" {
					t.Errorf("error = %#v, want one Unprocessable field error on password", err)
				}
			}
		})
	}
}

func BenchmarkPasswordHash(b *testing.B) {
	h := newTestHasher(b, DefaultPasswordParams)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash("river stones under the old bridge"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPasswordVerify(b *testing.B) {
	h := newTestHasher(b, DefaultPasswordParams)
	enc, _ := h.Hash("river stones under the old bridge")
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := h.Verify("river stones under the old bridge", enc); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
