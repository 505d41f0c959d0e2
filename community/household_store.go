package community

import (
	"context"
	"sync"

	"commonground/apperr"
)

// HouseholdStore keeps households durably. The mongodb package implements
// it; every method returns apperr errors (NotFound, Conflict, Unavailable,
// Internal) with no database text. Lookups other than by id (by owner, by
// external id, near a point) are served from memory, loaded at start-up with
// LoadHouseholds, because the embedded store scans the collection for any
// filter but the id.
type HouseholdStore interface {
	// CreateHousehold stores a new household. It returns Conflict when the
	// id, or a non-empty external id, is already taken (a unique index, so
	// that two imports racing on one row store it once).
	CreateHousehold(ctx context.Context, h *Household) error
	// HouseholdByID returns the household or NotFound.
	HouseholdByID(ctx context.Context, id string) (*Household, error)
	// UpdateHousehold replaces the stored household with h when the stored
	// Version is h.Version-1, and returns Conflict otherwise, so that an
	// update made from a stale copy is refused instead of lost.
	UpdateHousehold(ctx context.Context, h *Household) error
	// DeleteHousehold erases the household's record and keeps remainder, in
	// a single write, in place of it.
	DeleteHousehold(ctx context.Context, id string, remainder HouseholdRemainder) error
	// LoadHouseholds calls fn with every stored household, one call at a
	// time, and returns the remainders of erased households: one read of
	// everything, for start-up loading. It stops at fn's first error.
	LoadHouseholds(ctx context.Context, fn func(*Household) error) ([]HouseholdRemainder, error)
}

// HouseholdDirectory is the in-memory index of households by id, owner
// account and external id that stands beside a HouseholdStore. It enforces
// one household per owner account and one per external id. It is safe for
// concurrent use; it hands out and keeps clones, so a caller's changes never
// reach it unnoticed.
type HouseholdDirectory struct {
	mu         sync.RWMutex
	byID       map[string]*Household
	byOwner    map[string]string
	byExternal map[string]string
	byCode     map[string]string // claim or voter code hash → id
	byVoter    map[string]string // voter account → id
}

// NewHouseholdDirectory returns an empty directory.
func NewHouseholdDirectory() *HouseholdDirectory {
	return &HouseholdDirectory{byID: map[string]*Household{}, byOwner: map[string]string{}, byExternal: map[string]string{},
		byCode: map[string]string{}, byVoter: map[string]string{}}
}

// Check returns Conflict when h could not be put: its owner account or its
// external id belongs to another household. Call it before writing h to
// the store, then Put after the write.
func (d *HouseholdDirectory) Check(h *Household) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.check(h)
}

func (d *HouseholdDirectory) check(h *Household) error {
	if id, ok := d.byOwner[h.OwnerAccountID]; ok && h.OwnerAccountID != "" && id != h.ID {
		return apperr.New(apperr.Conflict, "this account already has a household")
	}
	if id, ok := d.byVoter[h.OwnerAccountID]; ok && h.OwnerAccountID != "" && id != h.ID {
		return apperr.New(apperr.Conflict, "this account votes with another household: leave it first")
	}
	for _, v := range h.Voters {
		if id, ok := d.byOwner[v.AccountID]; ok && id != h.ID || v.AccountID == h.OwnerAccountID {
			return apperr.New(apperr.Conflict, "this account already has a household")
		}
		if id, ok := d.byVoter[v.AccountID]; ok && id != h.ID {
			return apperr.New(apperr.Conflict, "this account already votes with a household")
		}
	}
	if id, ok := d.byExternal[h.ExternalID]; ok && h.ExternalID != "" && id != h.ID {
		return apperr.New(apperr.Conflict, "a household with this external id already exists")
	}
	return nil
}

// Put adds or replaces h, or returns Conflict as Check does.
func (d *HouseholdDirectory) Put(h *Household) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(h); err != nil {
		return err
	}
	d.remove(h.ID)
	c := h.Clone()
	d.byID[c.ID] = c
	if c.OwnerAccountID != "" {
		d.byOwner[c.OwnerAccountID] = c.ID
	}
	if c.ExternalID != "" {
		d.byExternal[c.ExternalID] = c.ID
	}
	if c.Claim != nil {
		d.byCode[c.Claim.CodeHash] = c.ID
	}
	if c.VoterCode != nil {
		d.byCode[c.VoterCode.CodeHash] = c.ID
	}
	for _, v := range c.Voters {
		d.byVoter[v.AccountID] = c.ID
	}
	return nil
}

// Remove drops the household with the given id.
func (d *HouseholdDirectory) Remove(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.remove(id)
}

func (d *HouseholdDirectory) remove(id string) {
	old, ok := d.byID[id]
	if !ok {
		return
	}
	delete(d.byID, id)
	if d.byOwner[old.OwnerAccountID] == id {
		delete(d.byOwner, old.OwnerAccountID)
	}
	if d.byExternal[old.ExternalID] == id {
		delete(d.byExternal, old.ExternalID)
	}
	for _, c := range []*HouseholdClaim{old.Claim, old.VoterCode} {
		if c != nil && d.byCode[c.CodeHash] == id {
			delete(d.byCode, c.CodeHash)
		}
	}
	for _, v := range old.Voters {
		if d.byVoter[v.AccountID] == id {
			delete(d.byVoter, v.AccountID)
		}
	}
}

// ByCodeHash returns a copy of the household whose outstanding claim or
// voter code has the given hash.
func (d *HouseholdDirectory) ByCodeHash(hash string) (*Household, bool) {
	if hash == "" {
		return nil, false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.byCode[hash]
	if !ok {
		return nil, false
	}
	return householdCloneOK(d.byID[id])
}

// ByVoter returns a copy of the household accountID votes with.
func (d *HouseholdDirectory) ByVoter(accountID string) (*Household, bool) {
	if accountID == "" {
		return nil, false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.byVoter[accountID]
	if !ok {
		return nil, false
	}
	return householdCloneOK(d.byID[id])
}

// VotesWith returns the id of the household accountID joined as a voter.
func (d *HouseholdDirectory) VotesWith(accountID string) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.byVoter[accountID]
	return id, ok && accountID != ""
}

// Voters returns the accounts that vote for household id where a class
// votes per person: its owner, then the adults it linked.
func (d *HouseholdDirectory) Voters(id string) []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	h, ok := d.byID[id]
	if !ok || h.OwnerAccountID == "" {
		return nil
	}
	out := []string{h.OwnerAccountID}
	for _, v := range h.Voters {
		out = append(out, v.AccountID)
	}
	return out
}

// ByID returns a copy of the household with the given id.
func (d *HouseholdDirectory) ByID(id string) (*Household, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return householdCloneOK(d.byID[id])
}

// ByOwner returns a copy of the household whose owner is accountID: the
// answer to "my household".
func (d *HouseholdDirectory) ByOwner(accountID string) (*Household, bool) {
	if accountID == "" {
		return nil, false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return householdCloneOK(d.byID[d.byOwner[accountID]])
}

// Owner returns the account that owns household id, empty for a household
// an organizer registered for a family without an account; ok is false
// when there is no such household. Unlike ByID it copies no personal data,
// for callers that need only to know whose household it is.
func (d *HouseholdDirectory) Owner(id string) (accountID string, ok bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	h, ok := d.byID[id]
	if !ok {
		return "", false
	}
	return h.OwnerAccountID, true
}

// OwnedBy returns the id of the household whose owner is accountID.
func (d *HouseholdDirectory) OwnedBy(accountID string) (id string, ok bool) {
	if accountID == "" {
		return "", false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok = d.byOwner[accountID]
	return id, ok
}

// IDByExternalID returns the id of the household imported with externalID.
func (d *HouseholdDirectory) IDByExternalID(externalID string) (id string, ok bool) {
	if externalID == "" {
		return "", false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok = d.byExternal[externalID]
	return id, ok
}

// HasExternalID reports whether a household with this external id exists;
// it fits CSVImportOptions.Exists.
func (d *HouseholdDirectory) HasExternalID(externalID string) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, ok := d.byExternal[externalID]
	return ok
}

// Len returns the number of households.
func (d *HouseholdDirectory) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.byID)
}

// All returns copies of every household, in no particular order.
func (d *HouseholdDirectory) All() []*Household {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]*Household, 0, len(d.byID))
	for _, h := range d.byID {
		out = append(out, h.Clone())
	}
	return out
}

func householdCloneOK(h *Household) (*Household, bool) {
	if h == nil {
		return nil, false
	}
	return h.Clone(), true
}
