package auth

import (
	"context"
	"time"
)

// Store is what the identity domain needs from storage; the mongodb package
// implements it. Every method returns apperr kinds: NotFound for a missing
// object, Conflict for a uniqueness or precondition failure, Unavailable
// when the database cannot be reached; never database error text.
//
// Each method is one document write or one lookup, so nothing here needs a
// multi-document transaction (the embedded store has none).
type Store interface {
	AccountStore
	RefreshTokenStore
	SigningKeyStore
	AuditStore
}

// AccountStore keeps accounts.
type AccountStore interface {
	// CreateAccount inserts a new account. An account with the same
	// (normalized) email already existing is a Conflict.
	CreateAccount(ctx context.Context, a *Account) error
	// FindAccountByID returns the account or NotFound.
	FindAccountByID(ctx context.Context, id string) (*Account, error)
	// FindAccountByEmail returns the account with this normalized email or
	// NotFound.
	FindAccountByEmail(ctx context.Context, email string) (*Account, error)
	// FindAccounts lists accounts for stewards, ordered by id (creation
	// time), starting after filter.After.
	FindAccounts(ctx context.Context, filter AccountFilter) ([]*Account, error)
	// UpdateAccount applies the non-nil fields of u and returns the updated
	// account, or NotFound.
	UpdateAccount(ctx context.Context, id string, u AccountUpdate) (*Account, error)
}

// AccountFilter selects accounts for GET /api/v1/users. Zero fields do not
// filter.
type AccountFilter struct {
	Role  Role
	After string // cursor: the id of the last account of the previous page
	Limit int
}

// AccountUpdate changes an account; nil fields stay as they are.
type AccountUpdate struct {
	DisplayName  *string
	Locale       *Locale
	Roles        *[]Role
	Disabled     *bool
	PasswordHash *string
	UpdatedAt    time.Time // always set
}

// RefreshTokenStore keeps refresh-token records (see RefreshToken).
type RefreshTokenStore interface {
	// CreateRefreshToken inserts a record; a duplicate hash is a Conflict.
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// FindRefreshToken returns the record with this hash or NotFound.
	FindRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)
	// MarkRefreshTokenRotated sets RotatedAt only if the record is neither
	// rotated nor revoked, atomically (a conditional update), and returns
	// Conflict otherwise: two concurrent refreshes with one token must not
	// both succeed, and the loser is treated as reuse.
	MarkRefreshTokenRotated(ctx context.Context, hash string, at time.Time) error
	// RevokeRefreshFamily sets RevokedAt on every record of the family that
	// is not revoked yet.
	RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error
	// RevokeAccountRefreshTokens revokes every record of the account except
	// those in family keepFamilyID (may be empty): on password change other
	// sessions end, the one that changed it stays.
	RevokeAccountRefreshTokens(ctx context.Context, accountID, keepFamilyID string, at time.Time) error
	// DeleteExpiredRefreshTokens removes records that expired before cutoff;
	// a background job calls it since the embedded store has no TTL index.
	DeleteExpiredRefreshTokens(ctx context.Context, cutoff time.Time) (int, error)
}

// SigningKeyStore keeps the access-token signing keys, sealed (see
// KeySet.Export): the store sees only ciphertext.
type SigningKeyStore interface {
	// LoadSigningKeys returns the sealed key set, or NotFound before the
	// first start has saved one.
	LoadSigningKeys(ctx context.Context) ([]byte, error)
	// SaveSigningKeys replaces the sealed key set.
	SaveSigningKeys(ctx context.Context, sealed []byte) error
}

// AuditStore appends and lists audit events. Events are never updated or
// deleted through it.
type AuditStore interface {
	// AppendAuditEvent inserts e; a duplicate id is a Conflict.
	AppendAuditEvent(ctx context.Context, e *Event) error
	// FindAuditEvents returns up to filter.PageSize() events matching the
	// filter, newest first, older than filter.After.
	FindAuditEvents(ctx context.Context, filter EventFilter) ([]*Event, error)
}
