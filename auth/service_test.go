package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/apperr"
	"commonground/seal"
	"github.com/google/go-cmp/cmp"
)

// memStore is Store in memory for the service tests. The real store is
// tested against the embedded database in the mongodb package.
type memStore struct {
	*memRefreshStore
	mu       sync.Mutex
	accounts map[string]*Account
	events   []*Event
	keys     []byte
}

var _ Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{memRefreshStore: newMemRefreshStore(), accounts: make(map[string]*Account)}
}

func (s *memStore) CreateAccount(_ context.Context, a *Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.accounts {
		if b.Email == a.Email {
			return apperr.New(apperr.Conflict, "an account with this email exists")
		}
	}
	c := *a
	s.accounts[a.ID] = &c
	return nil
}

func (s *memStore) FindAccountByID(_ context.Context, id string) (*Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[id]; ok {
		c := *a
		return &c, nil
	}
	return nil, apperr.New(apperr.NotFound, "account not found")
}

func (s *memStore) FindAccountByEmail(_ context.Context, email string) (*Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		if a.Email == email {
			c := *a
			return &c, nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "account not found")
}

func (s *memStore) FindAccounts(_ context.Context, f AccountFilter) ([]*Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Account
	for _, a := range s.accounts {
		if (f.Role == "" || a.HasRole(f.Role)) && a.ID > f.After {
			c := *a
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *Account) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (s *memStore) UpdateAccount(_ context.Context, id string, u AccountUpdate) (*Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "account not found")
	}
	if u.DisplayName != nil {
		a.DisplayName = *u.DisplayName
	}
	if u.Locale != nil {
		a.Locale = *u.Locale
	}
	if u.Roles != nil {
		a.Roles = slices.Clone(*u.Roles)
	}
	if u.Disabled != nil {
		a.Disabled = *u.Disabled
	}
	if u.PasswordHash != nil {
		a.PasswordHash = *u.PasswordHash
	}
	a.UpdatedAt = u.UpdatedAt
	c := *a
	return &c, nil
}

func (s *memStore) LoadSigningKeys(context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		return nil, apperr.New(apperr.NotFound, "no signing keys")
	}
	return s.keys, nil
}

func (s *memStore) SaveSigningKeys(_ context.Context, sealed []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = sealed
	return nil
}

func (s *memStore) AppendAuditEvent(_ context.Context, e *Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *e
	s.events = append(s.events, &c)
	return nil
}

func (s *memStore) FindAuditEvents(_ context.Context, f EventFilter) ([]*Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Event
	for _, e := range slices.Backward(s.events) {
		if f.Matches(e) && (f.After == "" || e.ID < f.After) && len(out) < f.PageSize() {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *memStore) kinds() []EventKind {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []EventKind
	for _, e := range s.events {
		out = append(out, e.Kind)
	}
	return out
}

const testPassword = "river stones under the old bridge"

func newTestService(t *testing.T) (*Service, *memStore, *clock) {
	t.Helper()
	clk := newClock()
	store := newMemStore()
	ring, err := seal.NewKeyring(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := LoadOrCreateKeys(context.Background(), store, ring, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	acct, addr := DefaultAccountLimit, DefaultAddressLimit
	acct.Now, addr.Now = clk.Now, clk.Now
	return &Service{
		Store:    store,
		Hasher:   newTestHasher(t, cheapParams),
		Tokens:   newTestTokens(t, clk, keys, 100),
		Throttle: NewLoginThrottle(acct, addr),
		Now:      clk.Now,
	}, store, clk
}

var meta = Meta{ClientAddr: "192.0.2.10", RequestID: "req-1"}

func register(t *testing.T, s *Service, email string) *Session {
	t.Helper()
	sess, err := s.Register(context.Background(), Registration{Email: email, Password: testPassword, DisplayName: "Test"}, meta)
	if err != nil {
		t.Fatalf("Register(%s): %v", email, err)
	}
	return sess
}

func TestServiceRegisterAndLogin(t *testing.T) {
	ctx := context.Background()
	s, store, _ := newTestService(t)
	sess := register(t, s, "Maria@Example.org")
	if c, err := s.Tokens.Verify(sess.AccessToken); err != nil || c.AccountID != sess.Account.ID {
		t.Fatalf("access token from registration: %v, %v", c, err)
	}
	if _, err := s.Register(ctx, Registration{Email: "maria@example.org", Password: testPassword, DisplayName: "X"}, meta); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second registration with the same email: %v, want Conflict", err)
	}

	got, err := s.Login(ctx, " MARIA@example.org", testPassword, meta)
	if err != nil || got.Account.ID != sess.Account.ID || got.FamilyID == sess.FamilyID {
		t.Fatalf("Login = %+v, %v; want a new session of the same account", got, err)
	}
	wrong, errWrong := s.Login(ctx, "maria@example.org", "not the password at all", meta)
	unknown, errUnknown := s.Login(ctx, "nobody@example.org", testPassword, meta)
	if wrong != nil || unknown != nil || errWrong.Error() != errUnknown.Error() || !apperr.Is(errWrong, apperr.Unauthorized) {
		t.Errorf("wrong password: %v; unknown email: %v; want the same Unauthorized answer", errWrong, errUnknown)
	}
	want := []EventKind{EventRegister, EventLoginSucceeded, EventLoginFailed, EventLoginFailed}
	if diff := cmp.Diff(store.kinds(), want); diff != "" {
		t.Errorf("audit kinds (-got +want):\n%s", diff)
	}
	for _, e := range store.events {
		if strings.Contains(e.TargetID+e.ActorID+e.Reason, "@") {
			t.Errorf("audit event holds an email: %+v", e)
		}
	}
}

func TestServiceLoginThrottled(t *testing.T) {
	ctx := context.Background()
	s, _, clk := newTestService(t)
	register(t, s, "maria@example.org")
	for range 5 {
		if _, err := s.Login(ctx, "maria@example.org", "wrong password here", meta); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("failed login: %v", err)
		}
	}
	// Even the right password waits now.
	_, err := s.Login(ctx, "maria@example.org", testPassword, meta)
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.TooManyRequests || e.RetryAfter <= 0 {
		t.Fatalf("sixth attempt: %v, want TooManyRequests with Retry-After", err)
	}
	clk.Advance(15 * time.Minute)
	if _, err := s.Login(ctx, "maria@example.org", testPassword, meta); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestServiceDisabledAccount(t *testing.T) {
	ctx := context.Background()
	s, store, _ := newTestService(t)
	sess := register(t, s, "maria@example.org")
	stewardP := &Principal{AccountID: NewID(), Roles: []Role{RoleResident, RoleSteward}}

	if _, err := s.SetDisabled(ctx, sess.Account.Principal(), sess.Account.ID, true, meta); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("resident disabling an account: %v, want NotFound", err)
	}
	if _, err := s.SetDisabled(ctx, stewardP, sess.Account.ID, true, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, "maria@example.org", testPassword, meta); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("login of a disabled account: %v, want Unauthorized", err)
	}
	if _, err := s.Refresh(ctx, sess.RefreshToken, meta); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("refresh of a disabled account: %v, want Unauthorized", err)
	}
	if _, err := s.Me(ctx, sess.Account.Principal()); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("Me of a disabled account: %v, want Unauthorized", err)
	}
	if last := store.events[len(store.events)-1]; last.Kind != EventLoginFailed || last.Reason != "disabled" {
		t.Errorf("last audit event = %+v, want login_failed/disabled", last)
	}
}

func TestServiceRefreshAndLogout(t *testing.T) {
	ctx := context.Background()
	s, store, clk := newTestService(t)
	sess := register(t, s, "maria@example.org")

	// A steward promotes her; the next refresh carries the new role.
	stewardP := &Principal{AccountID: NewID(), Roles: []Role{RoleResident, RoleSteward}}
	if _, err := s.SetRoles(ctx, stewardP, sess.Account.ID, []Role{RoleOrganizer}, meta); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	next, err := s.Refresh(ctx, sess.RefreshToken, meta)
	if err != nil || next.FamilyID != sess.FamilyID || next.RefreshToken == sess.RefreshToken {
		t.Fatalf("Refresh = %+v, %v", next, err)
	}
	c, err := s.Tokens.Verify(next.AccessToken)
	if err != nil || !slices.Equal(c.Roles, []Role{RoleResident, RoleOrganizer}) {
		t.Fatalf("refreshed token roles = %v, %v", c, err)
	}

	// The old refresh token again: reuse, audited, family gone.
	if _, err := s.Refresh(ctx, sess.RefreshToken, meta); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("reuse: %v", err)
	}
	if _, err := s.Refresh(ctx, next.RefreshToken, meta); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("newest token after reuse: %v", err)
	}
	if !slices.Contains(store.kinds(), EventRefreshReuse) {
		t.Errorf("reuse not audited: %v", store.kinds())
	}

	// Logout ends a fresh session; logging out twice or with garbage is fine.
	fresh, err := s.Login(ctx, "maria@example.org", testPassword, meta)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{fresh.RefreshToken, fresh.RefreshToken, "garbage"} {
		if err := s.Logout(ctx, tok); err != nil {
			t.Errorf("Logout: %v", err)
		}
	}
	if _, err := s.Refresh(ctx, fresh.RefreshToken, meta); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("refresh after logout: %v", err)
	}
}

func TestServiceChangePassword(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newTestService(t)
	first := register(t, s, "maria@example.org")
	second, err := s.Login(ctx, "maria@example.org", testPassword, meta)
	if err != nil {
		t.Fatal(err)
	}
	p := first.Account.Principal()

	err = s.ChangePassword(ctx, p, "wrong current password", "short", first.FamilyID, meta)
	if diff := cmp.Diff(fieldsOf(t, err), []string{"current_password", "new_password"}); diff != "" {
		t.Errorf("bad fields (-got +want):\n%s", diff)
	}
	const newPassword = "a brand new passphrase for maria"
	if err := s.ChangePassword(ctx, p, testPassword, newPassword, first.FamilyID, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refresh(ctx, second.RefreshToken, meta); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("other session after password change: %v, want Unauthorized", err)
	}
	if _, err := s.Refresh(ctx, first.RefreshToken, meta); err != nil {
		t.Errorf("the session that changed the password: %v", err)
	}
	if _, err := s.Login(ctx, "maria@example.org", testPassword, meta); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("old password still works: %v", err)
	}
	if _, err := s.Login(ctx, "maria@example.org", newPassword, meta); err != nil {
		t.Errorf("new password: %v", err)
	}
}

func TestServiceRehashOnLogin(t *testing.T) {
	ctx := context.Background()
	s, store, _ := newTestService(t)
	sess := register(t, s, "maria@example.org")
	raised := cheapParams
	raised.Time = 2
	s.Hasher = newTestHasher(t, raised)
	if _, err := s.Login(ctx, "maria@example.org", testPassword, meta); err != nil {
		t.Fatal(err)
	}
	a, _ := store.FindAccountByID(ctx, sess.Account.ID)
	if !strings.Contains(a.PasswordHash, "t=2") || s.Hasher.NeedsRehash(a.PasswordHash) {
		t.Errorf("hash not raised on login: %s", a.PasswordHash)
	}
}

func TestServiceStewardOnly(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newTestService(t)
	ok, err := s.Bootstrap(ctx, "Admin@Example.org", testPassword)
	if err != nil || !ok {
		t.Fatalf("Bootstrap = %v, %v", ok, err)
	}
	if again, err := s.Bootstrap(ctx, "admin@example.org", "another passphrase entirely"); err != nil || again {
		t.Fatalf("second Bootstrap = %v, %v; want no change", again, err)
	}
	admin, err := s.Login(ctx, "admin@example.org", testPassword, meta)
	if err != nil || !admin.Account.HasRole(RoleSteward) {
		t.Fatalf("bootstrap steward login = %+v, %v", admin, err)
	}
	maria := register(t, s, "maria@example.org")

	stewardP, residentP := admin.Account.Principal(), maria.Account.Principal()
	if _, err := s.ListAccounts(ctx, residentP, AccountFilter{}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("resident listing accounts: %v, want Forbidden", err)
	}
	if list, err := s.ListAccounts(ctx, stewardP, AccountFilter{}); err != nil || len(list) != 2 {
		t.Errorf("steward listing accounts: %d, %v", len(list), err)
	}
	if _, err := s.AuditLog(ctx, residentP, EventFilter{}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("resident reading audit: %v, want Forbidden", err)
	}
	if _, err := s.SetRoles(ctx, residentP, admin.Account.ID, nil, meta); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("role change by a resident: %v, want NotFound", err)
	}
	if _, err := s.SetRoles(ctx, stewardP, NewID(), []Role{RoleOrganizer}, meta); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("role change of a missing account: %v, want NotFound", err)
	}
	events, err := s.AuditLog(ctx, stewardP, EventFilter{Kind: EventRegister})
	if err != nil || len(events) != 2 || events[1].Reason != "bootstrap" {
		t.Errorf("register events = %+v, %v", events, err)
	}
}

func TestLoadOrCreateKeys(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	ring, _ := seal.NewKeyring(seal.GenerateKey())
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	first, err := LoadOrCreateKeys(ctx, store, ring, now)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateKeys(ctx, store, ring, now.Add(time.Hour))
	if err != nil || again.Current().ID != first.Current().ID {
		t.Fatalf("reload gave key %v, %v; want the stored one", again, err)
	}
	otherRing, _ := seal.NewKeyring(seal.GenerateKey())
	if _, err := LoadOrCreateKeys(ctx, store, otherRing, now); !apperr.Is(err, apperr.Internal) {
		t.Errorf("wrong data key: %v, want Internal", err)
	}
}

func TestServiceLoginOversizedInput(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newTestService(t)
	register(t, s, "maria@example.org")
	for _, tt := range []struct{ email, password string }{
		{strings.Repeat("m", 1<<20) + "@example.org", testPassword},
		{"maria@example.org", strings.Repeat("p", 1<<20)},
		{`{"$gt": ""}`, testPassword},
	} {
		if _, err := s.Login(ctx, tt.email, tt.password, meta); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("Login(%d-byte email, %d-byte password) = %v, want Unauthorized", len(tt.email), len(tt.password), err)
		}
	}
}
