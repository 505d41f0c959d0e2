package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"commonground/apperr"
	"commonground/seal"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// clock is a settable time source for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	testIssuer   = "https://commonground.test"
	testAudience = "commonground-api"
)

func newTestTokens(t testing.TB, clk *clock, keys *KeySet, cacheSize int) *Tokens {
	t.Helper()
	tk, err := NewTokens(TokenConfig{Issuer: testIssuer, Audience: testAudience, Now: clk.Now, CacheSize: cacheSize}, keys)
	if err != nil {
		t.Fatalf("NewTokens: %v", err)
	}
	return tk
}

// signRaw signs claims with any method and key, setting kid when non-empty:
// the attacker's toolbox.
func signRaw(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("signing test token: %v", err)
	}
	return s
}

func goodClaims(now time.Time) jwtClaims {
	return jwtClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    testIssuer,
			Subject:   "0190c0de-0000-7000-8000-000000000001",
			Audience:  jwt.ClaimStrings{testAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
			ID:        "jti-1",
		},
		Roles: []Role{RoleResident},
	}
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	clk := newClock()
	tk := newTestTokens(t, clk, GenerateKeySet(clk.Now()), 0)
	tok, exp, err := tk.Issue("acct-1", []Role{RoleResident, RoleOrganizer})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if want := clk.Now().Add(AccessTokenTTL); !exp.Equal(want) {
		t.Errorf("expiry = %v, want %v", exp, want)
	}
	if len(tok) > 600 {
		t.Errorf("token is %d bytes; expected a compact token", len(tok))
	}
	clk.Advance(AccessTokenTTL - time.Second)
	got, err := tk.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := &AccessClaims{
		AccountID: "acct-1", Roles: []Role{RoleResident, RoleOrganizer}, ID: got.ID,
		KeyID: tk.Keys().Current().ID, IssuedAt: exp.Add(-AccessTokenTTL), ExpiresAt: exp,
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("claims (-got +want):\n%s", diff)
	}
	if got.ID == "" {
		t.Error("token has no jti")
	}
	if diff := cmp.Diff(got.Principal(), &Principal{AccountID: "acct-1", Roles: []Role{RoleResident, RoleOrganizer}}); diff != "" {
		t.Errorf("Principal (-got +want):\n%s", diff)
	}

	// The header names the algorithm and the key.
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	var h map[string]any
	if err := json.Unmarshal(hdr, &h); err != nil || h["alg"] != "EdDSA" || h["kid"] != tk.Keys().Current().ID {
		t.Errorf("header = %s", hdr)
	}
}

func TestVerifyRejectsBadTokens(t *testing.T) {
	clk := newClock()
	keys := GenerateKeySet(clk.Now().Add(-time.Hour))
	cur := keys.Current()
	now := clk.Now()
	other := GenerateKeySet(now).Current()

	otherIssuer := goodClaims(now)
	otherIssuer.Issuer = "https://evil.test"
	otherAudience := goodClaims(now)
	otherAudience.Audience = jwt.ClaimStrings{"another-service"}
	expired := goodClaims(now.Add(-AccessTokenTTL - TokenLeeway - time.Second))
	noExp := goodClaims(now)
	noExp.ExpiresAt = nil
	noSub := goodClaims(now)
	noSub.Subject = ""
	future := goodClaims(now.Add(time.Hour))
	badRole := goodClaims(now)
	badRole.Roles = []Role{"root"}
	huge := goodClaims(now)
	huge.ID = strings.Repeat("x", 100<<10)

	good := signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, goodClaims(now))
	parts := strings.Split(good, ".")

	tests := []struct {
		name  string
		token string
		cause error // the reason kept for logs; the client sees only 401
	}{
		{"alg none", signRaw(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, cur.ID, goodClaims(now)), jwt.ErrTokenSignatureInvalid},
		{"alg none without signature", parts[0][:0] + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".", jwt.ErrTokenSignatureInvalid},
		{"HS256 signed with the public key", signRaw(t, jwt.SigningMethodHS256, []byte(cur.Public), cur.ID, goodClaims(now)), jwt.ErrTokenSignatureInvalid},
		{"HS256 signed with the base64 public key", signRaw(t, jwt.SigningMethodHS256, []byte(base64.RawURLEncoding.EncodeToString(cur.Public)), cur.ID, goodClaims(now)), jwt.ErrTokenSignatureInvalid},
		{"unknown kid", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, "no-such-key", goodClaims(now)), errUnknownKid},
		{"no kid", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, "", goodClaims(now)), errNoKid},
		{"our kid, another key", signRaw(t, jwt.SigningMethodEdDSA, other.Private, cur.ID, goodClaims(now)), jwt.ErrTokenSignatureInvalid},
		{"expired", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, expired), jwt.ErrTokenExpired},
		{"no expiry", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, noExp), jwt.ErrTokenRequiredClaimMissing},
		{"issued in the future", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, future), jwt.ErrTokenUsedBeforeIssued},
		{"wrong issuer", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, otherIssuer), jwt.ErrTokenInvalidIssuer},
		{"wrong audience", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, otherAudience), jwt.ErrTokenInvalidAudience},
		{"no subject", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, noSub), errNoSubject},
		{"unknown role", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, badRole), errBadRoles},
		{"tampered payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"someone-else"}`)) + "." + parts[2], jwt.ErrTokenSignatureInvalid},
		{"truncated signature", good[:len(good)-4], jwt.ErrTokenSignatureInvalid},
		{"truncated to two parts", parts[0] + "." + parts[1], jwt.ErrTokenMalformed},
		{"truncated header", good[:10], jwt.ErrTokenMalformed},
		{"empty", "", jwt.ErrTokenMalformed},
		{"100 KB garbage", strings.Repeat("a", 100<<10), errTokenTooLarge},
		{"100 KB validly signed", signRaw(t, jwt.SigningMethodEdDSA, cur.Private, cur.ID, huge), errTokenTooLarge},
		{"one byte over the limit", strings.Repeat("a", MaxTokenBytes+1), errTokenTooLarge},
	}
	for _, cacheSize := range []int{0, 100} {
		tk := newTestTokens(t, clk, keys, cacheSize)
		if _, err := tk.Verify(good); err != nil {
			t.Fatalf("the untampered token does not verify: %v", err)
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tk.Verify(tt.token)
				if got != nil || !apperr.Is(err, apperr.Unauthorized) {
					t.Fatalf("Verify() = %v, %v; want an Unauthorized error", got, err)
				}
				if !errors.Is(err, tt.cause) {
					t.Errorf("Verify() error = %v, want cause %v", err, tt.cause)
				}
				if msg := err.(*apperr.Error).Message; msg != "the access token is invalid or expired" {
					t.Errorf("message %q tells the client more than it needs", msg)
				}
			})
		}
	}
}

func TestRotation(t *testing.T) {
	clk := newClock()
	keys := GenerateKeySet(clk.Now())
	tk := newTestTokens(t, clk, keys, 0)
	oldKey := keys.Current()
	before, _, err := tk.Issue("acct-1", []Role{RoleResident})
	if err != nil {
		t.Fatal(err)
	}

	clk.Advance(time.Minute)
	rotated := keys.Rotate(clk.Now())
	tk.SetKeys(rotated)
	if rotated.Current().ID == oldKey.ID {
		t.Fatal("Rotate kept the same current key")
	}
	if len(rotated.Keys()) != 2 {
		t.Fatalf("after rotation %d keys, want 2", len(rotated.Keys()))
	}
	after, _, _ := tk.Issue("acct-1", []Role{RoleResident})
	if c, err := tk.Verify(after); err != nil || c.KeyID != rotated.Current().ID {
		t.Fatalf("token from the new key: %v, %v", c, err)
	}
	if _, err := tk.Verify(before); err != nil {
		t.Fatalf("token from the retired key within its lifetime: %v", err)
	}

	// Someone holding the retired private key signs a fresh token after the
	// retired key's window closed: refused although the token is unexpired.
	clk.Advance(AccessTokenTTL + TokenLeeway)
	forged := signRaw(t, jwt.SigningMethodEdDSA, oldKey.Private, oldKey.ID, goodClaims(clk.Now()))
	if _, err := tk.Verify(forged); !errors.Is(err, errKeyRetired) {
		t.Errorf("token signed by a retired key past its lifetime: error %v, want errKeyRetired", err)
	}
	// The JWKS no longer lists it, and Prune drops it.
	if jwks := string(rotated.JWKS(clk.Now())); strings.Contains(jwks, oldKey.ID) {
		t.Errorf("JWKS still lists the retired key: %s", jwks)
	}
	pruned := rotated.Prune(clk.Now())
	if _, ok := pruned.Key(oldKey.ID); ok || len(pruned.Keys()) != 1 {
		t.Errorf("Prune kept the expired key: %d keys", len(pruned.Keys()))
	}
	tk.SetKeys(pruned)
	if _, err := tk.Verify(forged); !errors.Is(err, errUnknownKid) {
		t.Errorf("after prune: error %v, want errUnknownKid", err)
	}
	fresh, _, _ := tk.Issue("acct-1", []Role{RoleResident})
	if _, err := tk.Verify(fresh); err != nil {
		t.Errorf("current key's token after prune: %v", err)
	}
}

func TestCacheRechecksExpiryAndKeys(t *testing.T) {
	clk := newClock()
	keys := GenerateKeySet(clk.Now())
	tk := newTestTokens(t, clk, keys, 4)
	tok, _, _ := tk.Issue("acct-1", []Role{RoleResident})
	if _, err := tk.Verify(tok); err != nil {
		t.Fatal(err)
	}
	clk.Advance(AccessTokenTTL + TokenLeeway)
	if _, err := tk.Verify(tok); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("cached token past expiry: %v, want Unauthorized", err)
	}

	// A key removed from the set stops verifying at once, cached or not.
	tok2, _, _ := tk.Issue("acct-2", []Role{RoleResident})
	if _, err := tk.Verify(tok2); err != nil {
		t.Fatal(err)
	}
	tk.SetKeys(GenerateKeySet(clk.Now()))
	if _, err := tk.Verify(tok2); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("token of a removed key: %v, want Unauthorized", err)
	}

	// The cache stays within its size.
	for i := range 50 {
		s, _, _ := tk.Issue("acct-"+string(rune('a'+i%26)), nil)
		if _, err := tk.Verify(s); err != nil {
			t.Fatal(err)
		}
	}
	tk.mu.RLock()
	n := len(tk.cache)
	tk.mu.RUnlock()
	if n > 4 {
		t.Errorf("cache holds %d tokens, want at most 4", n)
	}
}

func TestVerifyConcurrentWithRotation(t *testing.T) {
	clk := newClock()
	tk := newTestTokens(t, clk, GenerateKeySet(clk.Now()), 64)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				s, _, err := tk.Issue("acct-1", []Role{RoleResident})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := tk.Verify(s); err != nil {
					t.Errorf("Verify during rotation: %v", err)
					return
				}
			}
		})
	}
	for range 10 {
		tk.SetKeys(tk.Keys().Rotate(clk.Now()))
	}
	wg.Wait()
}

func TestKeySetExportImport(t *testing.T) {
	clk := newClock()
	ring, err := seal.NewKeyring(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	keys := GenerateKeySet(clk.Now()).Rotate(clk.Now().Add(time.Minute))
	sealed := keys.Export(ring)
	if strings.Contains(string(sealed), keys.Current().ID) {
		t.Error("exported key set is not encrypted")
	}
	got, err := ImportKeySet(ring, sealed)
	if err != nil {
		t.Fatalf("ImportKeySet: %v", err)
	}
	if diff := cmp.Diff(got.Keys(), keys.Keys()); diff != "" {
		t.Errorf("imported keys differ (-got +want):\n%s", diff)
	}

	// A token signed before export verifies with the imported set.
	tk := newTestTokens(t, clk, keys, 0)
	tok, _, _ := tk.Issue("acct-1", nil)
	if _, err := newTestTokens(t, clk, got, 0).Verify(tok); err != nil {
		t.Errorf("imported set cannot verify: %v", err)
	}

	otherRing, _ := seal.NewKeyring(seal.GenerateKey())
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	for name, in := range map[string][]byte{
		"wrong data key": nil, "tampered": tampered, "truncated": sealed[:20], "empty": {},
	} {
		r := ring
		if name == "wrong data key" {
			r, in = otherRing, sealed
		}
		if _, err := ImportKeySet(r, in); !apperr.Is(err, apperr.Internal) {
			t.Errorf("%s: ImportKeySet error = %v, want Internal", name, err)
		}
	}

	// Well-sealed but malformed contents are refused too.
	for name, doc := range map[string]string{
		"no keys":        `{"version":1,"keys":[]}`,
		"short seed":     `{"version":1,"keys":[{"id":"k","seed":"AAAA","created_at":"2026-01-01T00:00:00Z"}]}`,
		"no current key": `{"version":1,"keys":[{"id":"k","seed":"` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `","created_at":"2026-01-01T00:00:00Z","retired_at":"2026-01-02T00:00:00Z"}]}`,
		"other version":  `{"version":2,"keys":[]}`,
		"not json":       `{`,
	} {
		if _, err := ImportKeySet(ring, ring.Seal([]byte(doc), keySetAD)); !apperr.Is(err, apperr.Internal) {
			t.Errorf("%s: ImportKeySet error = %v, want Internal", name, err)
		}
	}
}

func TestJWKS(t *testing.T) {
	clk := newClock()
	keys := GenerateKeySet(clk.Now()).Rotate(clk.Now())
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(keys.JWKS(clk.Now()), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 2 {
		t.Fatalf("JWKS has %d keys, want 2", len(doc.Keys))
	}
	for i, k := range keys.Keys() {
		want := map[string]string{
			"kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA", "kid": k.ID,
			"x": base64.RawURLEncoding.EncodeToString(k.Public),
		}
		if diff := cmp.Diff(doc.Keys[i], want); diff != "" {
			t.Errorf("key %d (-got +want):\n%s", i, diff)
		}
		if _, hasD := doc.Keys[i]["d"]; hasD {
			t.Error("JWKS leaks a private key")
		}
	}
	// The published x verifies a token: a third party can use it.
	tk := newTestTokens(t, clk, keys, 0)
	tok, _, _ := tk.Issue("acct-1", nil)
	x, _ := base64.RawURLEncoding.DecodeString(doc.Keys[0]["x"])
	parts := strings.Split(tok, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if !ed25519.Verify(ed25519.PublicKey(x), []byte(parts[0]+"."+parts[1]), sig) {
		t.Error("the JWKS key does not verify the token")
	}
}

func TestNewTokensNeedsConfig(t *testing.T) {
	keys := GenerateKeySet(time.Now())
	for _, cfg := range []TokenConfig{{Audience: "a"}, {Issuer: "i"}} {
		if _, err := NewTokens(cfg, keys); err == nil {
			t.Errorf("NewTokens(%+v) succeeded", cfg)
		}
	}
	if _, err := NewTokens(TokenConfig{Issuer: "i", Audience: "a"}, nil); err == nil {
		t.Error("NewTokens without keys succeeded")
	}
}

func BenchmarkTokenIssue(b *testing.B) {
	clk := newClock()
	tk := newTestTokens(b, clk, GenerateKeySet(clk.Now()), 0)
	roles := []Role{RoleResident, RoleOrganizer}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := tk.Issue("0190c0de-0000-7000-8000-000000000001", roles); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenVerify measures a full check: parse, Ed25519 signature,
// claims. Each iteration verifies a different token so nothing is cached.
func BenchmarkTokenVerify(b *testing.B) {
	clk := newClock()
	tk := newTestTokens(b, clk, GenerateKeySet(clk.Now()), 0)
	toks := issueMany(b, tk, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := tk.Verify(toks[i%len(toks)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkTokenVerifyCached measures the common case of a client presenting
// the same token on many requests, with 1,024 distinct live tokens.
func BenchmarkTokenVerifyCached(b *testing.B) {
	clk := newClock()
	tk := newTestTokens(b, clk, GenerateKeySet(clk.Now()), 10_000)
	toks := issueMany(b, tk, 1024)
	for _, s := range toks {
		if _, err := tk.Verify(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := tk.Verify(toks[i%len(toks)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func issueMany(b *testing.B, tk *Tokens, n int) []string {
	b.Helper()
	toks := make([]string, n)
	for i := range toks {
		s, _, err := tk.Issue(rand.Text(), []Role{RoleResident})
		if err != nil {
			b.Fatal(err)
		}
		toks[i] = s
	}
	return toks
}

// TestCacheKeepsItsOwnCopy: a token string that aliases a buffer the HTTP
// layer reuses (as Fiber's are) must not change a cached entry.
func TestCacheKeepsItsOwnCopy(t *testing.T) {
	clk := newClock()
	tk := newTestTokens(t, clk, GenerateKeySet(clk.Now()), 10)
	good, _, _ := tk.Issue("acct-1", []Role{RoleResident})
	buf := []byte(good)
	aliased := unsafe.String(&buf[0], len(buf))
	if _, err := tk.Verify(aliased); err != nil {
		t.Fatal(err)
	}
	copy(buf, strings.Repeat("x", len(buf))) // the buffer is reused
	if _, err := tk.Verify(good); err != nil {
		t.Errorf("cached token no longer found after its buffer was reused: %v", err)
	}
	if _, err := tk.Verify(string(buf)); err == nil {
		t.Error("garbage in the reused buffer verifies")
	}
}
