package auth

import (
	"context"
	"time"

	"commonground/apperr"
	"commonground/seal"
)

// Service runs the identity use cases over a Store: the sequence of checks,
// throttling, hashing, token issue and audit records that each route needs,
// so the HTTP handlers only translate requests and answers. All fields are
// required except Now (nil means time.Now).
type Service struct {
	Store    Store
	Hasher   *Hasher
	Tokens   *Tokens
	Throttle *LoginThrottle
	Now      func() time.Time
}

// Meta is what the HTTP layer knows about a request, for throttling and
// audit records.
type Meta struct {
	ClientAddr string // the client's IP address, as the server determined it
	RequestID  string
}

// Session is what a successful login, registration or refresh hands the
// client: an access token and a refresh token.
type Session struct {
	Account        *Account
	AccessToken    string
	AccessExpires  time.Time
	RefreshToken   string
	RefreshExpires time.Time
	FamilyID       string // the refresh-token family: the session's identity
}

// errLogin is the one answer to a failed login, whether the email is
// unknown, the password wrong or the account disabled, so that the answer
// does not tell which emails have accounts.
var errLogin = apperr.New(apperr.Unauthorized, "the email or password is incorrect")

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// audit appends an event. Security events are not optional: when the
// audit log cannot be written the operation reports the store's error.
func (s *Service) audit(ctx context.Context, kind EventKind, actor, targetKind, targetID, reason string, m Meta) error {
	e := NewEvent(kind, s.now())
	e.ActorID, e.TargetKind, e.TargetID, e.Reason = actor, targetKind, targetID, reason
	e.ClientAddr, e.RequestID = m.ClientAddr, m.RequestID
	if e.Validate() != nil {
		// Request metadata that cannot be stored (an unparsable address,
		// an oversized request id) is dropped rather than losing the event.
		e.ClientAddr, e.RequestID = "", ""
	}
	return s.Store.AppendAuditEvent(ctx, &e)
}

// Register creates a resident account and signs it in.
func (s *Service) Register(ctx context.Context, reg Registration, m Meta) (*Session, error) {
	a, err := NewAccount(reg, s.Hasher, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, EventRegister, a.ID, "account", a.ID, "", m); err != nil {
		return nil, err
	}
	return s.startSession(ctx, a, "")
}

// Login checks an email and password. Every failure answers the same
// Unauthorized error after the same work (one password hash), except a
// throttled attempt, which answers TooManyRequests at once without hashing.
func (s *Service) Login(ctx context.Context, email, password string, m Meta) (*Session, error) {
	email = NormalizeEmail(email)
	if err := s.Throttle.Check(email, m.ClientAddr); err != nil {
		return nil, err
	}
	var a *Account
	if len(email) <= MaxEmailLength && len(password) <= 4*MaxPasswordLength {
		found, err := s.Store.FindAccountByEmail(ctx, email)
		switch {
		case err == nil:
			a = found
		case !apperr.Is(err, apperr.NotFound):
			return nil, err
		}
	}
	if len(password) > 4*MaxPasswordLength {
		password = password[:4*MaxPasswordLength] // no account matched; hash a bounded input
	}
	ok, err := s.Hasher.VerifyAccount(a, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.Throttle.Failure(email, m.ClientAddr)
		target, reason := "", "unknown_account"
		if a != nil {
			target, reason = a.ID, "bad_password"
			if a.Disabled {
				reason = "disabled"
			}
		}
		if err := s.audit(ctx, EventLoginFailed, "", accountKind(target), target, reason, m); err != nil {
			return nil, err
		}
		return nil, errLogin
	}
	s.Throttle.Success(email)
	if s.Hasher.NeedsRehash(a.PasswordHash) {
		// Raise an old hash to the current parameters now that the password
		// is known. A failure leaves the old hash, which still verifies.
		if hash, err := s.Hasher.Hash(password); err == nil {
			if updated, err := s.Store.UpdateAccount(ctx, a.ID, AccountUpdate{PasswordHash: &hash, UpdatedAt: s.now()}); err == nil {
				a = updated
			}
		}
	}
	if err := s.audit(ctx, EventLoginSucceeded, a.ID, "account", a.ID, "", m); err != nil {
		return nil, err
	}
	return s.startSession(ctx, a, "")
}

func accountKind(id string) string {
	if id == "" {
		return ""
	}
	return "account"
}

// startSession issues an access token and a refresh token in family (a new
// family when empty).
func (s *Service) startSession(ctx context.Context, a *Account, family string) (*Session, error) {
	tok, rec := NewRefreshToken(a.ID, family, s.now())
	if err := s.Store.CreateRefreshToken(ctx, &rec); err != nil {
		return nil, err
	}
	return s.session(a, tok, rec)
}

func (s *Service) session(a *Account, refresh string, rec RefreshToken) (*Session, error) {
	access, exp, err := s.Tokens.Issue(a.ID, a.Roles)
	if err != nil {
		return nil, err
	}
	return &Session{
		Account: a, AccessToken: access, AccessExpires: exp,
		RefreshToken: refresh, RefreshExpires: rec.ExpiresAt, FamilyID: rec.FamilyID,
	}, nil
}

// Refresh exchanges a refresh token for a new session in the same family,
// with the account's current roles. Reuse of a rotated token revokes the
// family and is audited; a disabled or deleted account ends the family.
func (s *Service) Refresh(ctx context.Context, refreshToken string, m Meta) (*Session, error) {
	res, err := Refresh(ctx, s.Store, refreshToken, s.now())
	if res.Outcome == RefreshReuse {
		if aerr := s.audit(ctx, EventRefreshReuse, res.AccountID, "account", res.AccountID, "", m); aerr != nil {
			return nil, aerr
		}
	}
	if err != nil {
		return nil, err
	}
	a, err := s.Store.FindAccountByID(ctx, res.AccountID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && a.Disabled) {
		if err := s.Store.RevokeRefreshFamily(ctx, res.FamilyID, s.now()); err != nil {
			return nil, err
		}
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, err
	}
	return s.session(a, res.Token, res.Record)
}

// Logout ends the session of a refresh token by revoking its family. An
// unknown or malformed token is not an error: the session is over either way.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	hash, err := HashRefreshToken(refreshToken)
	if err != nil {
		return nil
	}
	rec, err := s.Store.FindRefreshToken(ctx, hash)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.Store.RevokeRefreshFamily(ctx, rec.FamilyID, s.now())
}

// Me returns the caller's own account.
func (s *Service) Me(ctx context.Context, p *Principal) (*Account, error) {
	if err := RequireAuthenticated(p); err != nil {
		return nil, err
	}
	a, err := s.Store.FindAccountByID(ctx, p.AccountID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && a.Disabled) {
		// The token outlived its account: ask the client to sign in again.
		return nil, apperr.New(apperr.Unauthorized, "sign in to continue")
	}
	return a, err
}

// UpdateProfile changes the caller's display name or locale.
func (s *Service) UpdateProfile(ctx context.Context, p *Principal, u ProfileUpdate) (*Account, error) {
	a, err := s.Me(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := u.Apply(a, s.now()); err != nil {
		return nil, err
	}
	return s.Store.UpdateAccount(ctx, a.ID, AccountUpdate{DisplayName: &a.DisplayName, Locale: &a.Locale, UpdatedAt: a.UpdatedAt})
}

// ChangePassword sets a new password after checking the current one, and
// ends every other session of the account (the session in keepFamily, the
// one making the change, stays). A wrong current password counts as a failed
// login for throttling. Field errors name "current_password" and
// "new_password".
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, next, keepFamily string, m Meta) error {
	a, err := s.Me(ctx, p)
	if err != nil {
		return err
	}
	if err := s.Throttle.Check(a.Email, m.ClientAddr); err != nil {
		return err
	}
	ok, err := s.Hasher.VerifyAccount(a, current)
	if err != nil {
		return err
	}
	var f apperr.Fields
	if !ok {
		s.Throttle.Failure(a.Email, m.ClientAddr)
		f.Add("current_password", "is not correct")
	}
	checkPassword(&f, "new_password", next)
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(next)
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := s.Store.UpdateAccount(ctx, a.ID, AccountUpdate{PasswordHash: &hash, UpdatedAt: now}); err != nil {
		return err
	}
	if err := s.Store.RevokeAccountRefreshTokens(ctx, a.ID, keepFamily, now); err != nil {
		return err
	}
	return s.audit(ctx, EventPasswordChanged, a.ID, "account", a.ID, "", m)
}

// SetRoles replaces another account's roles (stewards only; anyone else
// gets NotFound). Access tokens carry roles, so the change reaches the
// account's requests at its next refresh, within AccessTokenTTL.
func (s *Service) SetRoles(ctx context.Context, p *Principal, accountID string, roles []Role, m Meta) (*Account, error) {
	if err := CanChangeRoles(p, accountID); err != nil {
		return nil, err
	}
	roles, err := NormalizeRoles(roles)
	if err != nil {
		return nil, err
	}
	a, err := s.Store.UpdateAccount(ctx, accountID, AccountUpdate{Roles: &roles, UpdatedAt: s.now()})
	if err != nil {
		return nil, err
	}
	return a, s.audit(ctx, EventRoleChanged, p.AccountID, "account", accountID, "", m)
}

// SetDisabled disables or re-enables another account (stewards only).
// Disabling ends all its sessions at once; its access tokens lapse within
// AccessTokenTTL, and Me refuses them meanwhile.
func (s *Service) SetDisabled(ctx context.Context, p *Principal, accountID string, disabled bool, m Meta) (*Account, error) {
	if err := CanDisableAccount(p, accountID); err != nil {
		return nil, err
	}
	now := s.now()
	a, err := s.Store.UpdateAccount(ctx, accountID, AccountUpdate{Disabled: &disabled, UpdatedAt: now})
	if err != nil {
		return nil, err
	}
	if disabled {
		if err := s.Store.RevokeAccountRefreshTokens(ctx, accountID, "", now); err != nil {
			return nil, err
		}
		return a, s.audit(ctx, EventAccountDisabled, p.AccountID, "account", accountID, "", m)
	}
	return a, nil
}

// ListAccounts lists accounts for stewards.
func (s *Service) ListAccounts(ctx context.Context, p *Principal, f AccountFilter) ([]*Account, error) {
	if err := RequireRole(p, RoleSteward); err != nil {
		return nil, err
	}
	return s.Store.FindAccounts(ctx, f)
}

// AuditLog lists audit events for stewards.
func (s *Service) AuditLog(ctx context.Context, p *Principal, f EventFilter) ([]*Event, error) {
	if err := RequireRole(p, RoleSteward); err != nil {
		return nil, err
	}
	return s.Store.FindAuditEvents(ctx, f)
}

// Bootstrap creates the first steward from configuration
// (COMMONGROUND_BOOTSTRAP_ADMIN_EMAIL and _PASSWORD) when no account has that
// email, and reports whether it did. An existing account is left exactly as
// it is: configuration never silently changes a live account's roles or
// password.
func (s *Service) Bootstrap(ctx context.Context, email, password string) (bool, error) {
	_, err := s.Store.FindAccountByEmail(ctx, NormalizeEmail(email))
	if err == nil {
		return false, nil
	}
	if !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	a, err := NewAccount(Registration{Email: email, Password: password, DisplayName: "Steward", Locale: LocaleEnglish}, s.Hasher, s.now())
	if err != nil {
		return false, err
	}
	a.Roles = []Role{RoleResident, RoleSteward}
	if err := s.Store.CreateAccount(ctx, a); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return false, nil // another instance created it first
		}
		return false, err
	}
	return true, s.audit(ctx, EventRegister, "", "account", a.ID, "bootstrap", Meta{})
}

// LoadOrCreateKeys returns the signing keys kept in store, opened with
// ring, generating and saving a first key set when there is none. Retired
// keys past their window are pruned on load.
//
// Two instances starting at once on an empty store may both generate; the
// later save wins, and the first instance should reload (or restart) before
// serving: run one instance for the first start.
func LoadOrCreateKeys(ctx context.Context, store SigningKeyStore, ring *seal.Keyring, now time.Time) (*KeySet, error) {
	sealed, err := store.LoadSigningKeys(ctx)
	if err == nil {
		ks, err := ImportKeySet(ring, sealed)
		if err != nil {
			return nil, err
		}
		return ks.Prune(now), nil
	}
	if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	ks := GenerateKeySet(now)
	if err := store.SaveSigningKeys(ctx, ks.Export(ring)); err != nil {
		return nil, err
	}
	return ks, nil
}

// FamilyOf returns the session family of a refresh token held by accountID,
// or "" when the token is unknown, malformed or someone else's. A password
// change keeps that session signed in and ends the others.
func (s *Service) FamilyOf(ctx context.Context, refreshToken, accountID string) string {
	hash, err := HashRefreshToken(refreshToken)
	if err != nil {
		return ""
	}
	rec, err := s.Store.FindRefreshToken(ctx, hash)
	if err != nil || rec.AccountID != accountID {
		return ""
	}
	return rec.FamilyID
}
