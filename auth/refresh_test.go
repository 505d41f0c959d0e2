package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/apperr"
)

// memRefreshStore is the refresh-token part of Store in memory, with the
// same conditional rotation the real store must provide.
type memRefreshStore struct {
	mu   sync.Mutex
	recs map[string]*RefreshToken
	fail error // returned by every call when set
}

func newMemRefreshStore() *memRefreshStore {
	return &memRefreshStore{recs: make(map[string]*RefreshToken)}
}

func (s *memRefreshStore) CreateRefreshToken(_ context.Context, t *RefreshToken) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if _, dup := s.recs[t.Hash]; dup {
		return apperr.New(apperr.Conflict, "duplicate")
	}
	c := *t
	s.recs[t.Hash] = &c
	return nil
}

func (s *memRefreshStore) FindRefreshToken(_ context.Context, hash string) (*RefreshToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	r, ok := s.recs[hash]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "not found")
	}
	c := *r
	return &c, nil
}

func (s *memRefreshStore) MarkRefreshTokenRotated(_ context.Context, hash string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[hash]
	if !ok {
		return apperr.New(apperr.NotFound, "not found")
	}
	if !r.RotatedAt.IsZero() || !r.RevokedAt.IsZero() {
		return apperr.New(apperr.Conflict, "already rotated")
	}
	r.RotatedAt = at
	return nil
}

func (s *memRefreshStore) RevokeRefreshFamily(_ context.Context, familyID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.FamilyID == familyID && r.RevokedAt.IsZero() {
			r.RevokedAt = at
		}
	}
	return nil
}

func (s *memRefreshStore) RevokeAccountRefreshTokens(_ context.Context, accountID, keep string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.AccountID == accountID && r.FamilyID != keep && r.RevokedAt.IsZero() {
			r.RevokedAt = at
		}
	}
	return nil
}

func (s *memRefreshStore) DeleteExpiredRefreshTokens(_ context.Context, cutoff time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for h, r := range s.recs {
		if r.ExpiresAt.Before(cutoff) {
			delete(s.recs, h)
			n++
		}
	}
	return n, nil
}

var _ RefreshTokenStore = (*memRefreshStore)(nil)

func TestNewRefreshToken(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tok, rec := NewRefreshToken("acct-1", "", now)
	if len(tok) != 43 || strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not 256 bits of unpadded base64url", tok)
	}
	if h, err := HashRefreshToken(tok); err != nil || h != rec.Hash {
		t.Errorf("HashRefreshToken(token) = %q, %v; want the record's hash %q", h, err, rec.Hash)
	}
	if strings.Contains(rec.Hash, tok) || rec.Hash == tok {
		t.Error("the record holds the token itself")
	}
	if rec.FamilyID == "" || rec.AccountID != "acct-1" || !rec.IssuedAt.Equal(now) || !rec.ExpiresAt.Equal(now.Add(30*24*time.Hour)) {
		t.Errorf("record = %+v", rec)
	}
	tok2, rec2 := NewRefreshToken("acct-1", rec.FamilyID, now)
	if tok2 == tok || rec2.Hash == rec.Hash || rec2.FamilyID != rec.FamilyID {
		t.Error("a successor must be a new token in the same family")
	}
	for _, bad := range []string{"", tok[:42], tok + "A", strings.Repeat("!", 43), tok[:42] + "=", `{"$gt":""}`} {
		if _, err := HashRefreshToken(bad); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("HashRefreshToken(%q) error = %v, want Unauthorized", bad, err)
		}
	}
}

func TestDecideRefresh(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	live := RefreshToken{IssuedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)}
	with := func(f func(*RefreshToken)) *RefreshToken { r := live; f(&r); return &r }
	tests := []struct {
		name string
		rec  *RefreshToken
		want RefreshOutcome
	}{
		{"unknown", nil, RefreshInvalid},
		{"live", &live, RefreshRotate},
		{"expired", with(func(r *RefreshToken) { r.ExpiresAt = now }), RefreshInvalid},
		{"revoked", with(func(r *RefreshToken) { r.RevokedAt = now.Add(-time.Minute) }), RefreshInvalid},
		{"rotated", with(func(r *RefreshToken) { r.RotatedAt = now.Add(-time.Minute) }), RefreshReuse},
		{"rotated and revoked", with(func(r *RefreshToken) { r.RotatedAt, r.RevokedAt = now, now }), RefreshInvalid},
		{"rotated, expired", with(func(r *RefreshToken) { r.RotatedAt, r.ExpiresAt = now, now }), RefreshInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecideRefresh(tt.rec, now)
			if got != tt.want {
				t.Errorf("DecideRefresh() = %v, want %v", got, tt.want)
			}
			if wantErr := tt.want != RefreshRotate; (err != nil) != wantErr || (err != nil && !apperr.Is(err, apperr.Unauthorized)) {
				t.Errorf("DecideRefresh() error = %v", err)
			}
		})
	}
}

// TestRefreshReuseRevokesFamily plays the attack the family exists for: a
// token is copied, one party refreshes, the other presents the old token.
func TestRefreshReuseRevokesFamily(t *testing.T) {
	ctx := context.Background()
	store := newMemRefreshStore()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	t0, rec := NewRefreshToken("acct-1", "", now)
	if err := store.CreateRefreshToken(ctx, &rec); err != nil {
		t.Fatal(err)
	}
	// Another session of the same account, which must survive.
	other, otherRec := NewRefreshToken("acct-1", "", now)
	store.CreateRefreshToken(ctx, &otherRec)

	now = now.Add(time.Minute)
	r1, err := Refresh(ctx, store, t0, now)
	if err != nil || r1.Outcome != RefreshRotate || r1.Token == "" || r1.Record.FamilyID != rec.FamilyID || r1.AccountID != "acct-1" {
		t.Fatalf("first refresh = %+v, %v", r1, err)
	}
	now = now.Add(time.Minute)
	r2, err := Refresh(ctx, store, r1.Token, now)
	if err != nil || r2.Outcome != RefreshRotate {
		t.Fatalf("second refresh = %+v, %v", r2, err)
	}

	// The thief presents the first token again.
	reuse, err := Refresh(ctx, store, t0, now)
	if !apperr.Is(err, apperr.Unauthorized) || reuse.Outcome != RefreshReuse || reuse.FamilyID != rec.FamilyID || reuse.AccountID != "acct-1" {
		t.Fatalf("reuse = %+v, %v; want RefreshReuse and Unauthorized", reuse, err)
	}
	// Now the newest token of the family fails too.
	if res, err := Refresh(ctx, store, r2.Token, now); !apperr.Is(err, apperr.Unauthorized) || res.Outcome != RefreshInvalid {
		t.Fatalf("newest token after reuse = %+v, %v; want invalid", res, err)
	}
	// The other session is untouched.
	if res, err := Refresh(ctx, store, other, now); err != nil || res.Outcome != RefreshRotate {
		t.Fatalf("other session after reuse = %+v, %v", res, err)
	}
}

// TestRefreshConcurrentUse: of two refreshes racing with one token, at most
// one wins, and the loser revokes the family.
func TestRefreshConcurrentUse(t *testing.T) {
	ctx := context.Background()
	store := newMemRefreshStore()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tok, rec := NewRefreshToken("acct-1", "", now)
	store.CreateRefreshToken(ctx, &rec)

	const n = 8
	results := make([]RefreshOutcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, _ := Refresh(ctx, store, tok, now)
			results[i] = res.Outcome
		})
	}
	wg.Wait()
	rotated := 0
	for _, o := range results {
		if o == RefreshRotate {
			rotated++
		}
	}
	if rotated > 1 {
		t.Fatalf("%d concurrent refreshes with one token succeeded: %v", rotated, results)
	}
	for _, r := range store.recs {
		if r.RevokedAt.IsZero() {
			t.Errorf("after a race the family still has a live token: %+v", r)
		}
	}
}

func TestRefreshRefusesGarbageAndStoreFailure(t *testing.T) {
	ctx := context.Background()
	store := newMemRefreshStore()
	now := time.Now()
	for _, tok := range []string{"", "short", strings.Repeat("A", 43)} {
		if res, err := Refresh(ctx, store, tok, now); !apperr.Is(err, apperr.Unauthorized) || res.Token != "" {
			t.Errorf("Refresh(%q) = %+v, %v", tok, res, err)
		}
	}
	tok, rec := NewRefreshToken("acct-1", "", now)
	store.CreateRefreshToken(ctx, &rec)
	down := apperr.New(apperr.Unavailable, "database unavailable")
	store.fail = down
	if _, err := Refresh(ctx, store, tok, now); !errors.Is(err, down) {
		t.Errorf("store failure: error %v, want the store's Unavailable", err)
	}
}
