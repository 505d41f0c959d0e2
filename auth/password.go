package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"commonground/apperr"
	"github.com/trustelem/zxcvbn/frequency"
	"golang.org/x/crypto/argon2"
)

// Password length limits, in characters. The upper bound keeps a request
// from making the hash chew on megabytes; passphrases fit easily.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// PasswordParams are argon2id parameters. They are written into every
// encoded hash, so raising them later only affects new hashes, and
// NeedsRehash tells the login path when to re-hash an old one.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultPasswordParams take about 50 ms per hash on Common Ground's 2-core
// reference machine (see BenchmarkPasswordHash). One thread: on a small
// server concurrent logins already fill the cores, so parallelism inside one
// hash only adds contention; memory and passes carry the cost instead.
// 32 MiB is above OWASP's 19 MiB floor for argon2id.
var DefaultPasswordParams = PasswordParams{Memory: 32 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Upper bounds accepted when decoding a stored hash, so that a corrupted or
// planted hash cannot make one login allocate gigabytes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	maxKeyLen    = 128
	maxSaltLen   = 64
)

// Hasher hashes and verifies passwords with argon2id. It bounds how many
// hashes run at once (each holds Params.Memory), so a burst of logins queues
// instead of exhausting memory. Safe for concurrent use.
type Hasher struct {
	params PasswordParams
	sem    chan struct{}
	dummy  string
}

// NewHasher returns a Hasher for p. It computes one hash up front: the dummy
// that VerifyAccount checks unknown emails against.
func NewHasher(p PasswordParams) (*Hasher, error) {
	if p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB || p.Time < 1 || p.Time > maxTime ||
		p.Threads < 1 || p.SaltLen < 8 || p.SaltLen > maxSaltLen || p.KeyLen < 16 || p.KeyLen > maxKeyLen {
		return nil, apperr.New(apperr.Internal, "invalid password hashing parameters")
	}
	h := &Hasher{params: p, sem: make(chan struct{}, 2*runtime.GOMAXPROCS(0))}
	dummy, err := h.Hash(rand.Text())
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Params returns the parameters new hashes use.
func (h *Hasher) Params() PasswordParams { return h.params }

// Hash returns the PHC-format encoding of an argon2id hash of password with
// a fresh random salt:
//
//	$argon2id$v=19$m=32768,t=2,p=1$<salt>$<hash>   (unpadded standard base64)
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	rand.Read(salt)
	key := h.derive([]byte(password), salt, h.params)
	return encodeHash(h.params, salt, key), nil
}

func (h *Hasher) derive(password, salt []byte, p PasswordParams) []byte {
	h.sem <- struct{}{}
	defer func() { <-h.sem }()
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// Verify reports whether password matches the encoded hash, comparing in
// constant time. A hash that cannot be decoded is an Internal error: it means
// the stored data is corrupt, never that the password is wrong.
func (h *Hasher) Verify(password, encoded string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := h.derive([]byte(password), salt, p)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// VerifyAccount checks a login attempt. For a nil account (unknown email) it
// still verifies password against a dummy hash with the same parameters and
// reports false, so that an unknown email and a wrong password take the same
// time and an attacker cannot probe which emails have accounts. A disabled
// account is checked the same way and reported false.
func (h *Hasher) VerifyAccount(a *Account, password string) (bool, error) {
	if a == nil {
		_, err := h.Verify(password, h.dummy)
		return false, err
	}
	ok, err := h.Verify(password, a.PasswordHash)
	return ok && !a.Disabled, err
}

// NeedsRehash reports whether encoded was made with parameters other than
// the current ones (or cannot be decoded), so that a successful login can
// store a fresh hash.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, salt, key, err := decodeHash(encoded)
	return err != nil || p.Memory != h.params.Memory || p.Time != h.params.Time ||
		p.Threads != h.params.Threads || uint32(len(salt)) != h.params.SaltLen || uint32(len(key)) != h.params.KeyLen
}

func encodeHash(p PasswordParams, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = apperr.New(apperr.Internal, "stored password hash is malformed")

func decodeHash(encoded string) (p PasswordParams, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, errBadHash
	}
	var m, t, threads uint64
	var err0 error
	for i, kv := range strings.Split(parts[3], ",") {
		name := [...]string{"m=", "t=", "p="}
		dst := [...]*uint64{&m, &t, &threads}
		if i >= len(name) || !strings.HasPrefix(kv, name[i]) {
			return p, nil, nil, errBadHash
		}
		if *dst[i], err0 = strconv.ParseUint(kv[2:], 10, 32); err0 != nil {
			return p, nil, nil, errBadHash
		}
	}
	if t < 1 || t > maxTime || threads < 1 || threads > 255 || m < 8*threads || m > maxMemoryKiB {
		return p, nil, nil, errBadHash
	}
	p.Memory, p.Time = uint32(m), uint32(t)
	p.Threads = uint8(threads)
	salt, err1 := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > maxSaltLen || len(key) < 16 || len(key) > maxKeyLen {
		return p, nil, nil, errBadHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// commonPasswords is the set of passwords from zxcvbn's frequency list (the
// most common passwords seen in breaches, as shipped by the zxcvbn Go port)
// that are long enough to pass the length rule: shorter ones are rejected by
// length already. Built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{})
	for _, p := range frequency.FrequencyLists["passwords"] {
		if utf8.RuneCountInString(p) >= MinPasswordLength {
			set[strings.ToLower(p)] = struct{}{}
		}
	}
	return set
})

// IsCommonPassword reports whether password, ignoring case, is on the
// common-password list.
func IsCommonPassword(password string) bool {
	_, ok := commonPasswords()[strings.ToLower(password)]
	return ok
}

// CheckPassword applies the password rule (at least MinPasswordLength
// characters, at most MaxPasswordLength, not a common password) and returns
// an Unprocessable error naming field "password".
func CheckPassword(password string) error {
	var f apperr.Fields
	checkPassword(&f, "password", password)
	return f.Err()
}

func checkPassword(f *apperr.Fields, field, password string) {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		f.Add(field, "must be valid UTF-8")
	case n < MinPasswordLength:
		f.Add(field, "must be at least %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		f.Add(field, "must be at most %d characters", MaxPasswordLength)
	case IsCommonPassword(password):
		f.Add(field, "is too common; choose a longer phrase that only you would use")
	}
}
