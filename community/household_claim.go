package community

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
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
	// household. Other organizers need to be able to see it, and so does
	// anyone told that a household already has an account.
	registrar := h.OwnerAccountID == "" && (h.RegisteredBy.OrganizerAccountID == viewer.AccountID || viewer.Role == HouseholdViewerSteward)
	if !registrar {
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
	if err := s.commit(ctx, c); err != nil {
		return "", time.Time{}, err
	}
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
	if _, ok := s.dir.ByVoter(viewer.AccountID); ok {
		return nil, apperr.New(apperr.Conflict, "this account votes with another household: leave it first")
	}
	h, ok := s.dir.ByCodeHash(hash)
	now := s.now()
	if hash == "" || !ok || h.OwnerAccountID != "" || h.Claim == nil || h.Claim.CodeHash != hash || !now.Before(h.Claim.Expires) {
		var f apperr.Fields
		f.Add("code", "is not a valid code, or it has expired: ask the organizer who registered your household for a new one")
		return nil, f.Err()
	}
	c := h.Clone()
	c.OwnerAccountID, c.Claim = viewer.AccountID, nil
	c.UpdatedAt, c.Version = now, h.Version+1
	if err := s.commit(ctx, c); err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

// HouseholdVoter is an adult of the household with an account of their own.
type HouseholdVoter struct {
	AccountID string    // "voters.N.account_id"
	LinkedAt  time.Time // "voters.N.linked_at"
}

// IssueVoterCode makes a one-time code with which one more adult of the
// owner's household joins it as a voter, replacing any earlier code. A
// household has at most as many voters as adults besides its head (a member
// whose age band is not given counts as an adult).
func (s *Households) IssueVoterCode(ctx context.Context, viewer HouseholdViewer) (householdID, code string, expires time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.Mine(viewer)
	if err != nil {
		return "", "", time.Time{}, err
	}
	if len(h.Voters) >= adultsBesidesHead(h) {
		return "", "", time.Time{}, apperr.New(apperr.Conflict, "every adult of the household besides its head already votes with an account: add the person to the household first")
	}
	if code, err = newClaimCode(s.random()); err != nil {
		return "", "", time.Time{}, err
	}
	now := s.now()
	c := h.Clone()
	c.VoterCode = &HouseholdClaim{CodeHash: claimCodeHash(code), IssuedBy: viewer.AccountID, IssuedAt: now, Expires: now.Add(ClaimCodeTTL)}
	c.UpdatedAt, c.Version = now, h.Version+1
	if err := s.commit(ctx, c); err != nil {
		return "", "", time.Time{}, err
	}
	return c.ID, code, c.VoterCode.Expires, nil
}

// adultsBesidesHead counts the members who may vote besides the head.
func adultsBesidesHead(h *Household) int {
	n := 0
	for _, m := range h.Members {
		switch {
		case m.Relationship == HouseholdRelationshipHead:
		case m.AgeBand == HouseholdAgeUnder5 || m.AgeBand == HouseholdAge5To12 || m.AgeBand == HouseholdAge13To17:
		default:
			n++
		}
	}
	return n
}

// JoinAsVoter links viewer's account to the household whose voter code it
// holds. An account that has a household, or already votes with one, cannot
// join another; a wrong, used or expired code is refused naming the code
// field, and changes nothing.
func (s *Households) JoinAsVoter(ctx context.Context, viewer HouseholdViewer, code string) (householdID string, v HouseholdVoter, err error) {
	if viewer.AccountID == "" {
		return "", v, apperr.New(apperr.Unauthorized, "sign in to join your household")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.dir.ByOwner(viewer.AccountID); ok {
		return "", v, apperr.New(apperr.Conflict, "this account already has a household")
	}
	if _, ok := s.dir.ByVoter(viewer.AccountID); ok {
		return "", v, apperr.New(apperr.Conflict, "this account already votes with a household")
	}
	hash := claimCodeHash(code)
	h, ok := s.dir.ByCodeHash(hash)
	now := s.now()
	if hash == "" || !ok || h.VoterCode == nil || h.VoterCode.CodeHash != hash || !now.Before(h.VoterCode.Expires) {
		var f apperr.Fields
		f.Add("code", "is not a valid code, or it has expired: ask the person who registered your household for a new one")
		return "", v, f.Err()
	}
	if len(h.Voters) >= adultsBesidesHead(h) {
		return "", v, apperr.New(apperr.Conflict, "every adult of the household besides its head already votes with an account")
	}
	v = HouseholdVoter{AccountID: viewer.AccountID, LinkedAt: now}
	c := h.Clone()
	c.Voters, c.VoterCode = append(c.Voters, v), nil
	c.UpdatedAt, c.Version = now, h.Version+1
	if err := s.commit(ctx, c); err != nil {
		return "", HouseholdVoter{}, err
	}
	return c.ID, v, nil
}

// RemoveVoter unlinks accountID from a household: the owner may remove any
// of its voters, and a voter may leave. Ballots already cast stand.
func (s *Households) RemoveVoter(ctx context.Context, viewer HouseholdViewer, accountID string) error {
	if viewer.AccountID == "" {
		return apperr.New(apperr.Unauthorized, "sign in first")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.dir.ByOwner(viewer.AccountID)
	if !ok && viewer.AccountID == accountID {
		h, ok = s.dir.ByVoter(accountID)
	}
	if !ok {
		return apperr.New(apperr.NotFound, "this account has no household")
	}
	i := slices.IndexFunc(h.Voters, func(v HouseholdVoter) bool { return v.AccountID == accountID })
	if i < 0 {
		return apperr.New(apperr.NotFound, "the account does not vote with this household")
	}
	c := h.Clone()
	c.Voters = slices.Delete(c.Voters, i, i+1)
	c.UpdatedAt, c.Version = s.now(), h.Version+1
	return s.commit(ctx, c)
}

// Voters returns the accounts that vote for household id where a class
// votes per person: its owner, then the adults who joined it.
func (s *Households) Voters(id string) []string { return s.dir.Voters(id) }

// VoterOf returns the household accountID joined as a voter, and the link.
func (s *Households) VoterOf(accountID string) (householdID string, v HouseholdVoter, ok bool) {
	h, ok := s.dir.ByVoter(accountID)
	if !ok {
		return "", v, false
	}
	i := slices.IndexFunc(h.Voters, func(v HouseholdVoter) bool { return v.AccountID == accountID })
	if i < 0 {
		return "", v, false
	}
	return h.ID, h.Voters[i], true
}

// VotesWith returns the id of the household accountID joined as a voter.
func (s *Households) VotesWith(accountID string) (string, bool) { return s.dir.VotesWith(accountID) }
