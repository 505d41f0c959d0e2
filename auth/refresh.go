package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"commonground/apperr"
)

// RefreshTokenTTL is how long a refresh token is valid. Each use rotates
// it, so an active session lasts indefinitely and an idle one ends after 30
// days.
const RefreshTokenTTL = 30 * 24 * time.Hour

// refreshTokenBytes is the entropy of a refresh token: 256 bits.
const refreshTokenBytes = 32

// RefreshToken is the stored record of one refresh token. The token itself
// is given to the client once and never stored: Hash is its SHA-256, which
// is enough because the token is 256 random bits (no salt or slow hash is
// needed to resist guessing).
//
// Tokens descend from one login in a family. Each refresh marks the
// presented token rotated and issues a new one in the same family. A rotated
// token presented again means it was copied: the whole family is revoked,
// the legitimate holder included, and they sign in again.
type RefreshToken struct {
	Hash      string // base64url SHA-256 of the token; the store's key
	FamilyID  string
	AccountID string
	IssuedAt  time.Time
	ExpiresAt time.Time
	RotatedAt time.Time // set when the token was exchanged for its successor
	RevokedAt time.Time // set on logout, password change, or reuse in its family
}

// NewRefreshToken returns a new token for accountID in family familyID (a new
// family when empty, that is at login) and the record to store for it.
func NewRefreshToken(accountID, familyID string, now time.Time) (token string, rec RefreshToken) {
	b := make([]byte, refreshTokenBytes)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	if familyID == "" {
		familyID = NewID()
	}
	now = now.UTC()
	return token, RefreshToken{
		Hash:      hashToken(b),
		FamilyID:  familyID,
		AccountID: accountID,
		IssuedAt:  now,
		ExpiresAt: now.Add(RefreshTokenTTL),
	}
}

// HashRefreshToken returns the hash under which the token presented by a
// client is stored, or an Unauthorized error when it cannot be a refresh
// token (wrong length or alphabet), so that garbage never reaches the store.
func HashRefreshToken(token string) (string, error) {
	if len(token) != base64.RawURLEncoding.EncodedLen(refreshTokenBytes) {
		return "", errBadRefresh
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return "", errBadRefresh
	}
	return hashToken(b), nil
}

func hashToken(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

var errBadRefresh = apperr.New(apperr.Unauthorized, "the refresh token is invalid or expired")

// RefreshOutcome is what to do with a presented refresh token.
type RefreshOutcome int

// The outcomes of presenting a refresh token.
const (
	// RefreshRotate: the token is good. Mark it rotated (conditionally: the
	// store must refuse if it was rotated meanwhile, and that refusal is a
	// reuse) and issue a successor in the same family.
	RefreshRotate RefreshOutcome = iota + 1
	// RefreshInvalid: unknown, expired or revoked. Refuse; nothing to change.
	RefreshInvalid
	// RefreshReuse: the token was already rotated, so two parties hold
	// tokens of this family. Revoke the family, audit refresh_reuse, refuse.
	RefreshReuse
)

// String returns the outcome's name, for logs and tests.
func (o RefreshOutcome) String() string {
	switch o {
	case RefreshRotate:
		return "rotate"
	case RefreshInvalid:
		return "invalid"
	case RefreshReuse:
		return "reuse"
	}
	return "unknown"
}

// DecideRefresh decides what presenting the token stored as rec means at
// now. rec is nil when no token has the presented hash. A revoked token is
// invalid even if it was also rotated: its family is already revoked.
//
// With err non-nil the caller refuses with that (Unauthorized) error after
// acting on the outcome.
func DecideRefresh(rec *RefreshToken, now time.Time) (RefreshOutcome, error) {
	switch {
	case rec == nil, !rec.RevokedAt.IsZero(), !now.Before(rec.ExpiresAt):
		return RefreshInvalid, errBadRefresh
	case !rec.RotatedAt.IsZero():
		return RefreshReuse, errBadRefresh
	}
	return RefreshRotate, nil
}

// RefreshResult is the outcome of Refresh.
type RefreshResult struct {
	Outcome RefreshOutcome
	// Token and Record are the successor to hand out and its stored record,
	// set when Outcome is RefreshRotate.
	Token  string
	Record RefreshToken
	// AccountID and FamilyID identify the session, set for RefreshRotate
	// and RefreshReuse (the caller audits refresh_reuse with them).
	AccountID, FamilyID string
}

// Refresh exchanges a presented refresh token for its successor using
// store: it hashes the token, decides, and for a reuse revokes the family.
// Two concurrent refreshes with one token race on MarkRefreshTokenRotated;
// the loser is treated as reuse, so a stolen token used at the same moment
// as the real one still ends the session. On any error other than a store
// failure the error is Unauthorized and the caller answers 401; the caller
// then issues an access token for AccountID after checking that the account
// still exists and is not disabled.
func Refresh(ctx context.Context, store RefreshTokenStore, presented string, now time.Time) (RefreshResult, error) {
	hash, err := HashRefreshToken(presented)
	if err != nil {
		return RefreshResult{Outcome: RefreshInvalid}, err
	}
	rec, err := store.FindRefreshToken(ctx, hash)
	if apperr.Is(err, apperr.NotFound) {
		rec, err = nil, nil
	}
	if err != nil {
		return RefreshResult{}, err
	}
	outcome, refusal := DecideRefresh(rec, now)
	res := RefreshResult{Outcome: outcome}
	if rec != nil {
		res.AccountID, res.FamilyID = rec.AccountID, rec.FamilyID
	}
	if outcome == RefreshRotate {
		err := store.MarkRefreshTokenRotated(ctx, hash, now)
		switch {
		case apperr.Is(err, apperr.Conflict):
			res.Outcome, refusal = RefreshReuse, errBadRefresh
		case err != nil:
			return RefreshResult{}, err
		}
	}
	if res.Outcome == RefreshReuse {
		if err := store.RevokeRefreshFamily(ctx, rec.FamilyID, now); err != nil {
			return RefreshResult{}, err
		}
		return res, refusal
	}
	if refusal != nil {
		return res, refusal
	}
	res.Token, res.Record = NewRefreshToken(rec.AccountID, rec.FamilyID, now)
	if err := store.CreateRefreshToken(ctx, &res.Record); err != nil {
		return RefreshResult{}, err
	}
	return res, nil
}
