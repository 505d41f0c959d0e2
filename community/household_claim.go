package community

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"time"

	"commonground/apperr"
)

// HouseholdClaim is an outstanding claim code for a household an organizer
// registered for a family without an account. The organizer hands the code
// to the family; whoever signs in with it becomes the household's owner, as
// if they had registered it themselves. Only the code's hash is kept.
type HouseholdClaim struct {
	CodeHash string    // "claim.code_hash": hex SHA-256 of the normalized code
	IssuedBy string    // "claim.issued_by"
	IssuedAt time.Time // "claim.issued_at"
	Expires  time.Time // "claim.expires"
}

// ClaimCodeTTL is how long a claim code can be used.
const ClaimCodeTTL = 14 * 24 * time.Hour

// claimAlphabet is Crockford's base 32: no I, L, O or U, so that a code
// read aloud or copied from paper is hard to get wrong.
const claimAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// claimCodeLength is the number of characters in a code: 60 random bits.
const claimCodeLength = 12

// newClaimCode returns a random code grouped in fours, such as
// "7K3M-Q9XD-2HBT".
func newClaimCode(random io.Reader) (string, error) {
	var raw [claimCodeLength]byte
	if _, err := io.ReadFull(random, raw[:]); err != nil {
		return "", apperr.Wrap(apperr.Internal, err, "could not make a claim code")
	}
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(claimAlphabet[r&31])
	}
	return b.String(), nil
}

// claimCodeHash normalizes a code as typed (any case, with or without
// hyphens and spaces, O for 0 and I or L for 1) and hashes it. It returns
// "" when what is left cannot be a code.
func claimCodeHash(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(claimAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != claimCodeLength {
		return ""
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// IssueClaimCode makes a new claim code for household id, which must have no
// account of its own, replacing any earlier code. The caller is the
// organizer who registered the household, a steward, or another organizer
// who can see it. The code is returned once; only its hash is stored.
func (s *Households) IssueClaimCode(ctx context.Context, viewer HouseholdViewer, id string) (code string, expires time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.dir.ByID(id)
	if !ok || !viewer.staff() {
		return "", time.Time{}, apperr.New(apperr.NotFound, "household not found")
	}
	// The organizer who registered the family, and stewards, may make a
	// code whatever the family consented to: the code shows nothing of the
	// household. Other organizers need to be able to see it.
	if h.RegisteredBy.OrganizerAccountID != viewer.AccountID && viewer.Role != HouseholdViewerSteward {
		if _, err := ViewHousehold(h, viewer, HouseholdViewOptions{}, s.now()); err != nil {
			return "", time.Time{}, err
		}
	}
	if h.OwnerAccountID != "" {
		return "", time.Time{}, apperr.New(apperr.Conflict, "the household already has its own account")
	}
	if code, err = newClaimCode(s.random()); err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	c := h.Clone()
	c.Claim = &HouseholdClaim{CodeHash: claimCodeHash(code), IssuedBy: viewer.AccountID, IssuedAt: now, Expires: now.Add(ClaimCodeTTL)}
	c.UpdatedAt, c.Version = now, h.Version+1
	if err := s.store.UpdateHousehold(ctx, c); err != nil {
		return "", time.Time{}, err
	}
	s.index(c)
	return code, c.Claim.Expires, nil
}

// Claim makes viewer's account the owner of the household the code was
// issued for. An account that already has a household cannot claim another;
// a wrong, used or expired code is refused naming the code field, and
// changes nothing.
func (s *Households) Claim(ctx context.Context, viewer HouseholdViewer, code string) (*Household, error) {
	if viewer.AccountID == "" {
		return nil, apperr.New(apperr.Unauthorized, "sign in to claim your household")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.dir.ByOwner(viewer.AccountID); ok {
		return nil, apperr.New(apperr.Conflict, "this account already has a household")
	}
	hash := claimCodeHash(code)
	h, ok := s.dir.ByClaimHash(hash)
	now := s.now()
	if hash == "" || !ok || h.OwnerAccountID != "" || h.Claim == nil || !now.Before(h.Claim.Expires) {
		var f apperr.Fields
		f.Add("code", "is not a valid code, or it has expired: ask the organizer who registered your household for a new one")
		return nil, f.Err()
	}
	c := h.Clone()
	c.OwnerAccountID, c.Claim = viewer.AccountID, nil
	c.UpdatedAt, c.Version = now, h.Version+1
	if err := s.dir.Check(c); err != nil {
		return nil, err
	}
	if err := s.store.UpdateHousehold(ctx, c); err != nil {
		return nil, err
	}
	s.index(c)
	return c.Clone(), nil
}
