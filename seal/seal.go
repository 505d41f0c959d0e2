// Package seal encrypts small values at rest (phone numbers, FEMA
// registration ids, signing keys) with AES-256-GCM under a keyring whose keys
// carry ids, so that a new key can be rotated in while values sealed under
// older keys still open.
//
// A sealed value is self-describing:
//
//	version (1 byte, 1) | key id length (1 byte) | key id | nonce (12 bytes) | ciphertext and tag
//
// The version and key id are authenticated together with the caller's
// associated data, so a value cannot be moved to another record or field
// (when the caller binds it with associated data such as "household/ID/phone")
// and its header cannot be altered without Open failing.
//
// seal does no I/O except LoadOrCreateKeyFile, which exists so that the
// embedded default can generate its data key on first start.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a data key in bytes (AES-256).
const KeySize = 32

const (
	version   = 1
	nonceSize = 12
	tagSize   = 16
	// maxIDLen bounds a key id so that its length fits the one-byte prefix.
	maxIDLen = 64
)

// Errors returned by this package. Callers test them with errors.Is; none of
// them carries key material or plaintext.
var (
	// ErrMalformed means the input is not a sealed value: too short,
	// truncated, an unknown version or an impossible key id.
	ErrMalformed = errors.New("seal: malformed sealed value")
	// ErrUnknownKey means the value was sealed under a key id that the
	// keyring does not hold (a retired or a foreign key).
	ErrUnknownKey = errors.New("seal: unknown key id")
	// ErrDecrypt means authentication failed: the ciphertext, its header or
	// the associated data was changed, or the key with that id is not the
	// key that sealed it.
	ErrDecrypt = errors.New("seal: message authentication failed")
	// ErrBadKey means a key is not 32 bytes or not valid base64.
	ErrBadKey = errors.New("seal: invalid data key")
)

// Keyring holds the data keys that can open sealed values, one of which is
// current and seals new values. A Keyring is immutable after construction and
// safe for concurrent use.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
	ids     []string // current first, then the others in the order given
}

// GenerateKey returns a new random data key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k) // crypto/rand.Read never fails since Go 1.24
	return k
}

// KeyID derives the id of a key from the key itself, so that a key given only
// as bytes (for example in COMMONGROUND_DATA_KEY) has a stable id across
// restarts without storing one. The id is a truncated hash under a fixed
// label: it identifies the key without revealing anything useful about it.
func KeyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte("commonground seal key id v1\x00"))
	h.Write(key)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
}

// EncodeKey returns the base64 (standard, padded) text of a key, the form
// that ParseKeys and key files accept.
func EncodeKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// ParseKeys decodes a list of base64 keys separated by commas, spaces or
// newlines: the form of COMMONGROUND_DATA_KEY and of a key file. The first
// key is meant to be the current one; to rotate, put a new key first and keep
// the old ones after it until everything has been resealed. Standard and URL
// base64, padded or not, are accepted.
func ParseKeys(text string) ([][]byte, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	if len(fields) == 0 {
		return nil, fmt.Errorf("%w: no key given", ErrBadKey)
	}
	keys := make([][]byte, 0, len(fields))
	for i, f := range fields {
		k, err := decodeBase64(f)
		if err != nil {
			return nil, fmt.Errorf("%w: key %d is not base64", ErrBadKey, i+1)
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("%w: key %d has %d bytes, want %d", ErrBadKey, i+1, len(k), KeySize)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// NewKeyring returns a keyring whose current key is current and which can
// also open values sealed under any of older.
func NewKeyring(current []byte, older ...[]byte) (*Keyring, error) {
	r := &Keyring{aeads: make(map[string]cipher.AEAD, 1+len(older))}
	for i, k := range append([][]byte{current}, older...) {
		if len(k) != KeySize {
			return nil, fmt.Errorf("%w: key %d has %d bytes, want %d", ErrBadKey, i+1, len(k), KeySize)
		}
		id := KeyID(k)
		if _, dup := r.aeads[id]; dup {
			continue
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
		}
		r.aeads[id] = aead
		r.ids = append(r.ids, id)
	}
	r.current = r.ids[0]
	return r, nil
}

// ParseKeyring builds a keyring from the text form that ParseKeys accepts:
// the first key is current.
func ParseKeyring(text string) (*Keyring, error) {
	keys, err := ParseKeys(text)
	if err != nil {
		return nil, err
	}
	return NewKeyring(keys[0], keys[1:]...)
}

// CurrentID returns the id of the key that seals new values.
func (r *Keyring) CurrentID() string { return r.current }

// IDs returns the ids of all keys in the ring, the current one first.
func (r *Keyring) IDs() []string { return append([]string(nil), r.ids...) }

// Seal encrypts plaintext under the current key. associatedData is
// authenticated but not stored: the same bytes must be given to Open.
// Bind each value to where it lives (for example "household/ID/phone") so
// that a sealed value copied elsewhere does not open.
func (r *Keyring) Seal(plaintext, associatedData []byte) []byte {
	id := r.current
	hdrLen := 2 + len(id)
	out := make([]byte, hdrLen+nonceSize, hdrLen+nonceSize+len(plaintext)+tagSize)
	out[0] = version
	out[1] = byte(len(id))
	copy(out[2:], id)
	nonce := out[hdrLen : hdrLen+nonceSize]
	rand.Read(nonce)
	return r.aeads[id].Seal(out, nonce, plaintext, additional(out[:hdrLen], associatedData))
}

// Open decrypts a value made by Seal with the key named in its header.
// It returns ErrMalformed, ErrUnknownKey or ErrDecrypt (test with errors.Is)
// and never panics on any input.
func (r *Keyring) Open(sealed, associatedData []byte) ([]byte, error) {
	id, hdrLen, err := parseHeader(sealed)
	if err != nil {
		return nil, err
	}
	aead, ok := r.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKey, id)
	}
	nonce := sealed[hdrLen : hdrLen+nonceSize]
	pt, err := aead.Open(nil, nonce, sealed[hdrLen+nonceSize:], additional(sealed[:hdrLen], associatedData))
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// SealedKeyID returns the id of the key a value was sealed under.
func SealedKeyID(sealed []byte) (string, error) {
	id, _, err := parseHeader(sealed)
	return id, err
}

// NeedsReseal reports whether a sealed value was made under a key other than
// the current one, so that a background job can re-encrypt it before the old
// key is dropped from the ring. A malformed value reports false.
func (r *Keyring) NeedsReseal(sealed []byte) bool {
	id, err := SealedKeyID(sealed)
	return err == nil && id != r.current
}

// SealString is Seal for values stored as text: the result is unpadded
// base64url and safe in JSON, BSON strings and URLs.
func (r *Keyring) SealString(plaintext string, associatedData []byte) string {
	return base64.RawURLEncoding.EncodeToString(r.Seal([]byte(plaintext), associatedData))
}

// OpenString reverses SealString. Text that is not base64url is ErrMalformed.
func (r *Keyring) OpenString(sealed string, associatedData []byte) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return "", ErrMalformed
	}
	pt, err := r.Open(b, associatedData)
	return string(pt), err
}

func parseHeader(sealed []byte) (id string, hdrLen int, err error) {
	if len(sealed) < 2 {
		return "", 0, fmt.Errorf("%w: too short", ErrMalformed)
	}
	if sealed[0] != version {
		return "", 0, fmt.Errorf("%w: unknown version %d", ErrMalformed, sealed[0])
	}
	n := int(sealed[1])
	if n == 0 || n > maxIDLen {
		return "", 0, fmt.Errorf("%w: bad key id length", ErrMalformed)
	}
	hdrLen = 2 + n
	if len(sealed) < hdrLen+nonceSize+tagSize {
		return "", 0, fmt.Errorf("%w: truncated", ErrMalformed)
	}
	return string(sealed[2:hdrLen]), hdrLen, nil
}

// additional authenticates the header together with the caller's data. The
// header has its own length prefix, so header and data cannot be re-split.
func additional(header, associatedData []byte) []byte {
	return bytes.Join([][]byte{header, associatedData}, nil)
}
