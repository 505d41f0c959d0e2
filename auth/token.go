package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"commonground/apperr"
	"github.com/golang-jwt/jwt/v5"
)

// Access token rules.
const (
	// AccessTokenTTL is how long an access token is valid. Short, because an
	// access token cannot be revoked: a disabled account or a role change
	// takes effect at the next refresh.
	AccessTokenTTL = 15 * time.Minute
	// TokenLeeway tolerates clock skew between the servers that issue and
	// verify tokens.
	TokenLeeway = 30 * time.Second
	// MaxTokenBytes bounds a token before any parsing: a real one is about
	// 400 bytes; anything near this is an attack or a bug.
	MaxTokenBytes = 8 << 10
)

// AccessClaims is what a verified access token says.
type AccessClaims struct {
	AccountID string // the "sub" claim
	Roles     []Role
	ID        string // the "jti" claim
	KeyID     string // the "kid" header
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Principal returns the principal the token's bearer acts as. Community
// roles are not in the token; the community package adds them.
func (c *AccessClaims) Principal() *Principal {
	return &Principal{AccountID: c.AccountID, Roles: slices.Clone(c.Roles)}
}

// jwtClaims is the JSON payload of an access token.
type jwtClaims struct {
	jwt.RegisteredClaims
	Roles []Role `json:"roles"`
}

// TokenConfig configures Tokens.
type TokenConfig struct {
	Issuer   string // the "iss" claim, such as "https://commonground.example.org"
	Audience string // the "aud" claim, such as "commonground-api"
	// Now returns the current time; nil means time.Now. Tests inject a clock.
	Now func() time.Time
	// CacheSize is how many verified tokens to remember so that a token
	// presented again skips the signature check (see Verify); 0 disables the
	// cache.
	CacheSize int
}

// Tokens issues and verifies access tokens. Safe for concurrent use; the key
// set can be replaced while it runs (SetKeys).
type Tokens struct {
	cfg    TokenConfig
	keys   atomic.Pointer[KeySet]
	parser *jwt.Parser

	mu    sync.RWMutex
	cache map[string]*AccessClaims
}

// NewTokens returns a Tokens that signs with keys.Current() and verifies
// with every key in keys that still verifies.
func NewTokens(cfg TokenConfig, keys *KeySet) (*Tokens, error) {
	if cfg.Issuer == "" || cfg.Audience == "" || keys == nil {
		return nil, apperr.New(apperr.Internal, "token issuer, audience and keys are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t := &Tokens{cfg: cfg}
	// The one parser: EdDSA only (so "none" and HS256 signed with the public
	// key are refused before any key is used), our issuer and audience, an
	// expiry that must be present, iat not in the future.
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(TokenLeeway),
		jwt.WithTimeFunc(cfg.Now),
	)
	t.SetKeys(keys)
	return t, nil
}

// Keys returns the key set in use.
func (t *Tokens) Keys() *KeySet { return t.keys.Load() }

// SetKeys installs a new key set (after Rotate, Prune or loading from the
// store) and forgets every cached verification, so a key removed from the
// set stops verifying at once.
func (t *Tokens) SetKeys(keys *KeySet) {
	t.mu.Lock()
	t.keys.Store(keys)
	t.cache = make(map[string]*AccessClaims)
	t.mu.Unlock()
}

// Issue returns a signed access token for the account with the given id and
// roles, valid for AccessTokenTTL, and when it expires.
func (t *Tokens) Issue(accountID string, roles []Role) (string, time.Time, error) {
	if accountID == "" {
		return "", time.Time{}, apperr.New(apperr.Internal, "access token needs an account id")
	}
	key := t.keys.Load().Current()
	now := t.cfg.Now().UTC().Truncate(time.Second)
	exp := now.Add(AccessTokenTTL)
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwtClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.cfg.Issuer,
			Subject:   accountID,
			Audience:  jwt.ClaimStrings{t.cfg.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        rand.Text(),
		},
		Roles: roles,
	})
	tok.Header["kid"] = key.ID
	s, err := tok.SignedString(key.Private)
	if err != nil {
		return "", time.Time{}, apperr.Wrap(apperr.Internal, err, "could not sign access token")
	}
	return s, exp, nil
}

// errBadToken is the one answer to every rejected token: the client learns
// only that it must sign in again. The cause is kept for logs.
func errBadToken(cause error) error {
	return apperr.Wrap(apperr.Unauthorized, cause, "the access token is invalid or expired")
}

var (
	errTokenTooLarge = errors.New("token larger than MaxTokenBytes")
	errNoKid         = errors.New("token has no kid header")
	errUnknownKid    = errors.New("token kid is not a known signing key")
	errKeyRetired    = errors.New("token signing key is past its verification window")
	errNoSubject     = errors.New("token has no subject")
	errBadRoles      = errors.New("token has an unknown role")
)

// Verify checks an access token and returns its claims, or an Unauthorized
// error. Tokens over MaxTokenBytes are refused before parsing.
//
// A signature check costs tens of microseconds, so with a cache configured a
// token that verified before is answered from memory: the claims of a token
// string never change, and the expiry and key window are checked again on
// every hit. Replacing the key set empties the cache. The returned claims
// may be shared between callers: read them, do not modify them.
func (t *Tokens) Verify(token string) (*AccessClaims, error) {
	if len(token) > MaxTokenBytes {
		return nil, errBadToken(errTokenTooLarge)
	}
	if t.cfg.CacheSize > 0 {
		t.mu.RLock()
		c, ok := t.cache[token]
		keys := t.keys.Load()
		t.mu.RUnlock()
		if ok {
			now := t.cfg.Now()
			k, known := keys.Key(c.KeyID)
			if known && k.VerifiesAt(now) && now.Before(c.ExpiresAt.Add(TokenLeeway)) {
				return c, nil
			}
			return nil, errBadToken(jwt.ErrTokenExpired)
		}
	}
	c, err := t.verify(token)
	if err != nil {
		return nil, errBadToken(err)
	}
	if t.cfg.CacheSize > 0 {
		t.remember(token, c)
	}
	return c, nil
}

func (t *Tokens) verify(token string) (*AccessClaims, error) {
	keys := t.keys.Load()
	var claims jwtClaims
	var kid string
	_, err := t.parser.ParseWithClaims(token, &claims, func(tok *jwt.Token) (any, error) {
		kid, _ = tok.Header["kid"].(string)
		if kid == "" {
			return nil, errNoKid
		}
		k, ok := keys.Key(kid)
		if !ok {
			return nil, errUnknownKid
		}
		if !k.VerifiesAt(t.cfg.Now()) {
			return nil, errKeyRetired
		}
		return k.Public, nil
	})
	if err != nil {
		return nil, err
	}
	if claims.Subject == "" {
		return nil, errNoSubject
	}
	for _, r := range claims.Roles {
		if !r.Valid() {
			return nil, fmt.Errorf("%w %q", errBadRoles, r)
		}
	}
	c := &AccessClaims{
		AccountID: claims.Subject,
		Roles:     claims.Roles,
		ID:        claims.ID,
		KeyID:     kid,
		ExpiresAt: claims.ExpiresAt.Time,
	}
	if claims.IssuedAt != nil {
		c.IssuedAt = claims.IssuedAt.Time
	}
	return c, nil
}

// remember caches verified claims. When the cache is full it drops an
// arbitrary eighth of it (map iteration order is random), which bounds
// memory without bookkeeping on the hot path.
func (t *Tokens) remember(token string, c *AccessClaims) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.cache) >= t.cfg.CacheSize {
		drop := max(1, t.cfg.CacheSize/8)
		for k := range t.cache {
			delete(t.cache, k)
			if drop--; drop == 0 {
				break
			}
		}
	}
	// Clone: the caller's string may alias a request buffer that Fiber
	// reuses after the handler returns; a map key must never change.
	t.cache[strings.Clone(token)] = c
}
