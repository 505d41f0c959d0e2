package mongodb

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"commonground/apperr"
	"commonground/auth"
)

const (
	accountsCollection    = "accounts"
	refreshCollection     = "refresh_tokens"
	signingKeysCollection = "signing_keys"
	auditCollection       = "audit_events"
	signingKeysID         = "access_token_keys"
)

func init() {
	collections = append(collections, accountsCollection, refreshCollection, signingKeysCollection, auditCollection)
	indexes = append(indexes, IndexSet{Collection: accountsCollection, Indexes: []mongo.IndexModel{{
		Keys:    bson.D{{Key: "email", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("email_unique"),
	}}})
}

// AuthStore keeps accounts, refresh tokens, signing keys and the audit log.
//
// Accounts and audit events are also held in memory: the embedded server
// scans a collection for any lookup but by _id, so the email lookup at login,
// the steward's account list and the audit log's filters are served from
// memory, loaded at start and updated after every successful write.
type AuthStore struct {
	db *DB

	mu       sync.RWMutex
	accounts map[string]*auth.Account // by id
	byEmail  map[string]string        // normalized email -> id
	audit    []*auth.Event            // ascending id (time) order
}

var _ auth.Store = (*AuthStore)(nil)

type accountDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	DisplayName  string    `bson:"display_name"`
	Locale       string    `bson:"locale"`
	Roles        []string  `bson:"roles"`
	PasswordHash string    `bson:"password_hash"`
	Disabled     bool      `bson:"disabled"`
	CreatedAt    time.Time `bson:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at"`
}

func toAccountDoc(a *auth.Account) accountDoc {
	roles := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		roles[i] = string(r)
	}
	return accountDoc{ID: a.ID, Email: a.Email, DisplayName: a.DisplayName, Locale: string(a.Locale), Roles: roles,
		PasswordHash: a.PasswordHash, Disabled: a.Disabled, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
}

func fromAccountDoc(d accountDoc) *auth.Account {
	roles := make([]auth.Role, len(d.Roles))
	for i, r := range d.Roles {
		roles[i] = auth.Role(r)
	}
	return &auth.Account{ID: d.ID, Email: d.Email, DisplayName: d.DisplayName, Locale: auth.Locale(d.Locale), Roles: roles,
		PasswordHash: d.PasswordHash, Disabled: d.Disabled, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

// NewAuthStore loads accounts and the audit log into memory.
func NewAuthStore(ctx context.Context, db *DB) (*AuthStore, error) {
	s := &AuthStore{db: db, accounts: map[string]*auth.Account{}, byEmail: map[string]string{}}
	err := db.Read(ctx, accountsCollection, "load", func(ctx context.Context) error {
		cur, err := db.Collection(accountsCollection).Find(ctx, bson.D{})
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var d accountDoc
			if err := cur.Decode(&d); err != nil {
				return err
			}
			a := fromAccountDoc(d)
			s.accounts[a.ID] = a
			s.byEmail[a.Email] = a.ID
		}
		return cur.Err()
	})
	if err != nil {
		return nil, err
	}
	err = db.Read(ctx, auditCollection, "load", func(ctx context.Context) error {
		cur, err := db.Collection(auditCollection).Find(ctx, bson.D{})
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var d auditDoc
			if err := cur.Decode(&d); err != nil {
				return err
			}
			s.audit = append(s.audit, fromAuditDoc(d))
		}
		return cur.Err()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(s.audit, func(a, b *auth.Event) int { return cmp.Compare(a.ID, b.ID) })
	return s, nil
}

func cloneAccount(a *auth.Account) *auth.Account {
	c := *a
	c.Roles = slices.Clone(a.Roles)
	return &c
}

// CreateAccount inserts a; a taken email is a Conflict.
func (s *AuthStore) CreateAccount(ctx context.Context, a *auth.Account) error {
	s.mu.RLock()
	_, taken := s.byEmail[a.Email]
	s.mu.RUnlock()
	if taken {
		return apperr.New(apperr.Conflict, "an account with this email already exists")
	}
	err := s.db.Write(ctx, accountsCollection, "insert", func(ctx context.Context) error {
		_, err := s.db.Collection(accountsCollection).InsertOne(ctx, toAccountDoc(a))
		return err
	})
	if apperr.Is(err, apperr.Conflict) {
		return apperr.Wrap(apperr.Conflict, err, "an account with this email already exists")
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.accounts[a.ID] = cloneAccount(a)
	s.byEmail[a.Email] = a.ID
	s.mu.Unlock()
	return nil
}

// FindAccountByID returns a copy of the account or NotFound.
func (s *AuthStore) FindAccountByID(_ context.Context, id string) (*auth.Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[id]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "account not found")
	}
	return cloneAccount(a), nil
}

// FindAccountByEmail returns a copy of the account with this normalized
// email or NotFound.
func (s *AuthStore) FindAccountByEmail(_ context.Context, email string) (*auth.Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byEmail[email]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "account not found")
	}
	return cloneAccount(s.accounts[id]), nil
}

// FindAccounts lists accounts in id order after the cursor.
func (s *AuthStore) FindAccounts(_ context.Context, f auth.AccountFilter) ([]*auth.Account, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, 0, len(s.accounts))
	for id, a := range s.accounts {
		if id <= f.After && f.After != "" {
			continue
		}
		if f.Role != "" && !a.HasRole(f.Role) {
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]*auth.Account, len(ids))
	for i, id := range ids {
		out[i] = cloneAccount(s.accounts[id])
	}
	return out, nil
}

// UpdateAccount applies the non-nil fields of u.
func (s *AuthStore) UpdateAccount(ctx context.Context, id string, u auth.AccountUpdate) (*auth.Account, error) {
	set := bson.D{{Key: "updated_at", Value: u.UpdatedAt.UTC()}}
	if u.DisplayName != nil {
		set = append(set, bson.E{Key: "display_name", Value: *u.DisplayName})
	}
	if u.Locale != nil {
		set = append(set, bson.E{Key: "locale", Value: string(*u.Locale)})
	}
	if u.Roles != nil {
		roles := make([]string, len(*u.Roles))
		for i, r := range *u.Roles {
			roles[i] = string(r)
		}
		set = append(set, bson.E{Key: "roles", Value: roles})
	}
	if u.Disabled != nil {
		set = append(set, bson.E{Key: "disabled", Value: *u.Disabled})
	}
	if u.PasswordHash != nil {
		set = append(set, bson.E{Key: "password_hash", Value: *u.PasswordHash})
	}
	var doc accountDoc
	err := s.db.Write(ctx, accountsCollection, "update", func(ctx context.Context) error {
		return s.db.Collection(accountsCollection).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
			bson.D{{Key: "$set", Value: set}}, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc)
	})
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "account not found")
	}
	if err != nil {
		return nil, err
	}
	a := fromAccountDoc(doc)
	s.mu.Lock()
	s.accounts[a.ID] = a
	s.mu.Unlock()
	return cloneAccount(a), nil
}

type refreshDoc struct {
	Hash      string    `bson:"_id"`
	FamilyID  string    `bson:"family_id"`
	AccountID string    `bson:"account_id"`
	IssuedAt  time.Time `bson:"issued_at"`
	ExpiresAt time.Time `bson:"expires_at"`
	RotatedAt time.Time `bson:"rotated_at"`
	RevokedAt time.Time `bson:"revoked_at"`
}

// CreateRefreshToken stores a refresh-token record keyed by its hash.
func (s *AuthStore) CreateRefreshToken(ctx context.Context, t *auth.RefreshToken) error {
	return s.db.Write(ctx, refreshCollection, "insert", func(ctx context.Context) error {
		_, err := s.db.Collection(refreshCollection).InsertOne(ctx, refreshDoc{
			Hash: t.Hash, FamilyID: t.FamilyID, AccountID: t.AccountID, IssuedAt: t.IssuedAt.UTC(),
			ExpiresAt: t.ExpiresAt.UTC(), RotatedAt: t.RotatedAt.UTC(), RevokedAt: t.RevokedAt.UTC(),
		})
		return err
	})
}

// FindRefreshToken returns the record with this hash or NotFound.
func (s *AuthStore) FindRefreshToken(ctx context.Context, hash string) (*auth.RefreshToken, error) {
	var d refreshDoc
	err := s.db.Read(ctx, refreshCollection, "find", func(ctx context.Context) error {
		return s.db.Collection(refreshCollection).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d)
	})
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "refresh token not found")
	}
	if err != nil {
		return nil, err
	}
	return &auth.RefreshToken{Hash: d.Hash, FamilyID: d.FamilyID, AccountID: d.AccountID, IssuedAt: d.IssuedAt.UTC(),
		ExpiresAt: d.ExpiresAt.UTC(), RotatedAt: zeroTime(d.RotatedAt), RevokedAt: zeroTime(d.RevokedAt)}, nil
}

// zeroTime maps the stored zero time back to Go's zero time.
func zeroTime(t time.Time) time.Time {
	if t.Unix() <= (time.Time{}).Unix() {
		return time.Time{}
	}
	return t.UTC()
}

var mongoZeroTime = time.Time{}.UTC()

// MarkRefreshTokenRotated sets RotatedAt if the token is neither rotated nor
// revoked, in one conditional update; otherwise Conflict.
func (s *AuthStore) MarkRefreshTokenRotated(ctx context.Context, hash string, at time.Time) error {
	matched, err := s.db.updateIf(ctx, refreshCollection, "rotate", hash,
		bson.D{{Key: "$set", Value: bson.D{{Key: "rotated_at", Value: at.UTC()}}}},
		fieldIs("rotated_at", mongoZeroTime), fieldIs("revoked_at", mongoZeroTime))
	if err != nil {
		return err
	}
	if !matched {
		return apperr.New(apperr.Conflict, "refresh token already used")
	}
	return nil
}

// RevokeRefreshFamily revokes every live record of the family.
func (s *AuthStore) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	return s.revoke(ctx, bson.D{{Key: "family_id", Value: familyID}, {Key: "revoked_at", Value: mongoZeroTime}}, at)
}

// RevokeAccountRefreshTokens revokes every live record of the account but
// those of keepFamilyID.
func (s *AuthStore) RevokeAccountRefreshTokens(ctx context.Context, accountID, keepFamilyID string, at time.Time) error {
	filter := bson.D{{Key: "account_id", Value: accountID}, {Key: "revoked_at", Value: mongoZeroTime}}
	if keepFamilyID != "" {
		filter = append(filter, bson.E{Key: "family_id", Value: bson.D{{Key: "$ne", Value: keepFamilyID}}})
	}
	return s.revoke(ctx, filter, at)
}

func (s *AuthStore) revoke(ctx context.Context, filter bson.D, at time.Time) error {
	return s.db.Write(ctx, refreshCollection, "revoke", func(ctx context.Context) error {
		_, err := s.db.Collection(refreshCollection).UpdateMany(ctx, filter,
			bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: at.UTC()}}}})
		return err
	})
}

// DeleteExpiredRefreshTokens removes records that expired before cutoff.
func (s *AuthStore) DeleteExpiredRefreshTokens(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := s.db.Write(ctx, refreshCollection, "delete_expired", func(ctx context.Context) error {
		res, err := s.db.Collection(refreshCollection).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}}})
		if err == nil {
			n = res.DeletedCount
		}
		return err
	})
	return int(n), err
}

type signingKeysDoc struct {
	ID     string    `bson:"_id"`
	Sealed []byte    `bson:"sealed"`
	Saved  time.Time `bson:"saved_at"`
}

// LoadSigningKeys returns the sealed key set or NotFound.
func (s *AuthStore) LoadSigningKeys(ctx context.Context) ([]byte, error) {
	var d signingKeysDoc
	err := s.db.Read(ctx, signingKeysCollection, "find", func(ctx context.Context) error {
		return s.db.Collection(signingKeysCollection).FindOne(ctx, bson.D{{Key: "_id", Value: signingKeysID}}).Decode(&d)
	})
	if err != nil {
		return nil, err
	}
	return d.Sealed, nil
}

// SaveSigningKeys replaces the sealed key set.
func (s *AuthStore) SaveSigningKeys(ctx context.Context, sealed []byte) error {
	return s.db.Write(ctx, signingKeysCollection, "replace", func(ctx context.Context) error {
		_, err := s.db.Collection(signingKeysCollection).ReplaceOne(ctx, bson.D{{Key: "_id", Value: signingKeysID}},
			signingKeysDoc{ID: signingKeysID, Sealed: sealed, Saved: time.Now().UTC()}, options.Replace().SetUpsert(true))
		return err
	})
}

type auditDoc struct {
	ID         string    `bson:"_id"`
	Kind       string    `bson:"kind"`
	Time       time.Time `bson:"time"`
	ActorID    string    `bson:"actor_id,omitempty"`
	TargetKind string    `bson:"target_kind,omitempty"`
	TargetID   string    `bson:"target_id,omitempty"`
	Purpose    string    `bson:"purpose,omitempty"`
	Reason     string    `bson:"reason,omitempty"`
	ClientAddr string    `bson:"client_addr,omitempty"`
	RequestID  string    `bson:"request_id,omitempty"`
}

func fromAuditDoc(d auditDoc) *auth.Event {
	return &auth.Event{ID: d.ID, Kind: auth.EventKind(d.Kind), Time: d.Time.UTC(), ActorID: d.ActorID, TargetKind: d.TargetKind,
		TargetID: d.TargetID, Purpose: d.Purpose, Reason: d.Reason, ClientAddr: d.ClientAddr, RequestID: d.RequestID}
}

// AppendAuditEvent inserts e.
func (s *AuthStore) AppendAuditEvent(ctx context.Context, e *auth.Event) error {
	err := s.db.Write(ctx, auditCollection, "insert", func(ctx context.Context) error {
		_, err := s.db.Collection(auditCollection).InsertOne(ctx, auditDoc{ID: e.ID, Kind: string(e.Kind), Time: e.Time.UTC(),
			ActorID: e.ActorID, TargetKind: e.TargetKind, TargetID: e.TargetID, Purpose: e.Purpose, Reason: e.Reason,
			ClientAddr: e.ClientAddr, RequestID: e.RequestID})
		return err
	})
	if err != nil {
		return err
	}
	c := *e
	s.mu.Lock()
	// Ids sort by time; an event is nearly always the newest.
	i, _ := slices.BinarySearchFunc(s.audit, c.ID, func(a *auth.Event, id string) int { return cmp.Compare(a.ID, id) })
	s.audit = slices.Insert(s.audit, i, &c)
	s.mu.Unlock()
	return nil
}

// FindAuditEvents returns matching events newest first, older than the cursor.
func (s *AuthStore) FindAuditEvents(_ context.Context, f auth.EventFilter) ([]*auth.Event, error) {
	limit := f.PageSize()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*auth.Event
	for i := len(s.audit) - 1; i >= 0 && len(out) < limit; i-- {
		e := s.audit[i]
		if f.After != "" && e.ID >= f.After {
			continue
		}
		if !f.Matches(e) {
			continue
		}
		c := *e
		out = append(out, &c)
	}
	return out, nil
}
