package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"time"

	"commonground/apperr"
	"commonground/seal"
)

// SigningKey is one Ed25519 key that signs access tokens. A key signs while
// it is current; once a newer key is rotated in it is retired and only
// verifies, until every token it could have signed has expired.
type SigningKey struct {
	ID        string // the JWT "kid"
	Private   ed25519.PrivateKey
	Public    ed25519.PublicKey
	CreatedAt time.Time
	RetiredAt time.Time // zero while the key is current
}

// VerifiesAt reports whether tokens signed by k are still accepted at now: a
// retired key verifies for one token lifetime plus the leeway after
// retirement, because a token it signed the instant before can live that
// long.
func (k SigningKey) VerifiesAt(now time.Time) bool {
	return k.RetiredAt.IsZero() || now.Before(k.RetiredAt.Add(AccessTokenTTL+TokenLeeway))
}

func newSigningKey(now time.Time) SigningKey {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader) // crypto/rand does not fail
	id := make([]byte, 12)
	rand.Read(id)
	return SigningKey{
		ID:        base64.RawURLEncoding.EncodeToString(id),
		Private:   priv,
		Public:    pub,
		CreatedAt: now.UTC(),
	}
}

// KeySet is the set of signing keys: exactly one current key, which signs,
// and retired keys that still verify. A KeySet is immutable: Rotate and
// Prune return a new one, which Tokens.SetKeys installs atomically.
type KeySet struct {
	keys []SigningKey // current first, then retired keys, newest first
}

// GenerateKeySet returns a key set with one new current key, for the first
// start of a deployment.
func GenerateKeySet(now time.Time) *KeySet {
	return &KeySet{keys: []SigningKey{newSigningKey(now)}}
}

// Current returns the key that signs new tokens.
func (s *KeySet) Current() SigningKey { return s.keys[0] }

// Keys returns every key in the set, the current one first.
func (s *KeySet) Keys() []SigningKey { return slices.Clone(s.keys) }

// Key returns the key with id kid.
func (s *KeySet) Key(kid string) (SigningKey, bool) {
	for _, k := range s.keys {
		if k.ID == kid {
			return k, true
		}
	}
	return SigningKey{}, false
}

// Rotate returns a new set in which a freshly generated key is current, the
// previous current key is retired at now (it keeps verifying tokens already
// issued), and keys whose verification window has closed are dropped.
// Rotate regularly (for example monthly) and at once if a key may have
// leaked; to cut off a leaked key immediately, Prune with a time far enough
// ahead instead of waiting.
func (s *KeySet) Rotate(now time.Time) *KeySet {
	keys := make([]SigningKey, 0, len(s.keys)+1)
	keys = append(keys, newSigningKey(now))
	for _, k := range s.keys {
		if k.RetiredAt.IsZero() {
			k.RetiredAt = now.UTC()
		}
		keys = append(keys, k)
	}
	return (&KeySet{keys: keys}).Prune(now)
}

// Prune returns the set without the retired keys that no longer verify at
// now. The current key always stays.
func (s *KeySet) Prune(now time.Time) *KeySet {
	keys := slices.DeleteFunc(slices.Clone(s.keys), func(k SigningKey) bool {
		return !k.RetiredAt.IsZero() && !k.VerifiesAt(now)
	})
	return &KeySet{keys: keys}
}

// keySetAD binds the sealed key set to its purpose, so a sealed household
// field can never be passed off as signing keys or the other way round.
var keySetAD = []byte("commonground/auth/signing-keys/v1")

// storedKeySet and storedKey are the plaintext inside a sealed key set.
type storedKeySet struct {
	Version int         `json:"version"`
	Keys    []storedKey `json:"keys"`
}

type storedKey struct {
	ID        string    `json:"id"`
	Seed      []byte    `json:"seed"` // the 32-byte Ed25519 seed
	CreatedAt time.Time `json:"created_at"`
	RetiredAt time.Time `json:"retired_at,omitzero"`
}

// Export returns the key set sealed under ring's current key, private keys
// included, for the store to keep at rest. Only ImportKeySet with a ring
// holding that key can read it.
func (s *KeySet) Export(ring *seal.Keyring) []byte {
	doc := storedKeySet{Version: 1}
	for _, k := range s.keys {
		doc.Keys = append(doc.Keys, storedKey{ID: k.ID, Seed: k.Private.Seed(), CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt})
	}
	plain, _ := json.Marshal(doc) // only bytes, strings and times: cannot fail
	return ring.Seal(plain, keySetAD)
}

// ImportKeySet opens a key set made by Export. It fails with an Internal
// error when the data key is wrong or the data was altered, and when the set
// is not well formed (no keys, not exactly one current key, a bad seed).
func ImportKeySet(ring *seal.Keyring, sealed []byte) (*KeySet, error) {
	plain, err := ring.Open(sealed, keySetAD)
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "signing keys cannot be opened with the data key")
	}
	var doc storedKeySet
	if err := json.Unmarshal(plain, &doc); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "stored signing keys are malformed")
	}
	if doc.Version != 1 || len(doc.Keys) == 0 {
		return nil, apperr.New(apperr.Internal, "stored signing keys are malformed")
	}
	s := &KeySet{}
	current := 0
	for i, sk := range doc.Keys {
		if len(sk.Seed) != ed25519.SeedSize || sk.ID == "" {
			return nil, apperr.New(apperr.Internal, "stored signing key %d is malformed", i)
		}
		priv := ed25519.NewKeyFromSeed(sk.Seed)
		k := SigningKey{ID: sk.ID, Private: priv, Public: priv.Public().(ed25519.PublicKey), CreatedAt: sk.CreatedAt, RetiredAt: sk.RetiredAt}
		if k.RetiredAt.IsZero() {
			current++
		}
		s.keys = append(s.keys, k)
	}
	if current != 1 || !s.keys[0].RetiredAt.IsZero() {
		return nil, apperr.New(apperr.Internal, "stored signing keys do not have exactly one current key first")
	}
	return s, nil
}

// jwk is one public key in a JWKS document (RFC 7517, RFC 8037).
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// JWKS returns the JSON Web Key Set of the public keys that verify at now,
// for GET /api/v1/auth/jwks.json, so other services can verify access tokens
// without a shared secret.
func (s *KeySet) JWKS(now time.Time) []byte {
	doc := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for _, k := range s.keys {
		if k.VerifiesAt(now) {
			doc.Keys = append(doc.Keys, jwk{
				Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(k.Public),
				Kid: k.ID, Use: "sig", Alg: "EdDSA",
			})
		}
	}
	b, _ := json.Marshal(doc) // strings only: cannot fail
	return b
}
