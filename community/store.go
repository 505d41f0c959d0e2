package community

import "context"

// Store is what the community domain needs from storage. Every write
// changes one document, so that no operation needs a transaction; lookups
// go by ID; the Find…s lists are served from memory by the implementation.
//
// Updates are compare-and-swap on Revision: Update… replaces the stored
// document only if its revision equals the argument's, then increments the
// argument's Revision; otherwise it returns a Conflict error. Find…ByID
// returns a NotFound error when there is no such document.
type Store interface {
	CommunityStore
	MembershipStore
	ProposalStore
	BallotStore
}

// CommunityStore stores communities, with their bylaws history and
// community roles in the same document.
type CommunityStore interface {
	CreateCommunity(ctx context.Context, c *Community) error
	UpdateCommunity(ctx context.Context, c *Community) error
	FindCommunityByID(ctx context.Context, id string) (*Community, error)
	FindCommunities(ctx context.Context, f CommunityFilter) ([]*Community, error)
}

// CommunityFilter selects communities; empty fields match all. Results are
// sorted by name, then ID.
type CommunityFilter struct {
	Model Model
	// AccountID selects communities where the account holds a community role.
	AccountID string
}

// MembershipStore stores memberships. CreateMembership must refuse, with a
// Conflict, a membership whose ApplicantKey is held by another active
// membership (the check in Apply cannot see a concurrent application).
type MembershipStore interface {
	CreateMembership(ctx context.Context, m *Membership) error
	UpdateMembership(ctx context.Context, m *Membership) error
	FindMembershipByID(ctx context.Context, id string) (*Membership, error)
	FindMemberships(ctx context.Context, f MembershipFilter) ([]*Membership, error)
}

// MembershipFilter selects memberships; empty fields match all. Results
// are sorted by application time, then ID.
type MembershipFilter struct {
	CommunityID string
	Statuses    []Status
	// Holder selects the memberships the principal owns (see
	// Principal.Owns): its household's, its own, its organisations'.
	Holder *Principal
}

// ProposalStore stores proposals, with their electorate and result.
type ProposalStore interface {
	CreateProposal(ctx context.Context, p *Proposal) error
	UpdateProposal(ctx context.Context, p *Proposal) error
	FindProposalByID(ctx context.Context, id string) (*Proposal, error)
	FindProposals(ctx context.Context, f ProposalFilter) ([]*Proposal, error)
}

// ProposalFilter selects proposals; empty fields match all. Results are
// sorted by opening time, then ID.
type ProposalFilter struct {
	CommunityID string
	Statuses    []ProposalStatus
}

// BallotStore stores ballots and, for anonymous proposals, participation
// records. To keep anonymous ballots unlinkable it must not give them
// time-ordered IDs or timestamps of its own, and FindBallots returns them
// sorted by ID, never in the order they were written. Whoever can read the
// database's own write order (a replication log, a SQLite row id) could
// still pair a participation with the ballot written just after it; an
// implementation that must resist that delays and shuffles anonymous
// ballot writes.
type BallotStore interface {
	// CreateBallot inserts a ballot, returning a Conflict if one with the
	// same ID exists.
	CreateBallot(ctx context.Context, b *Ballot) error
	// UpdateBallot replaces a ballot, compare-and-swap on Revision.
	UpdateBallot(ctx context.Context, b *Ballot) error
	FindBallotByID(ctx context.Context, id string) (*Ballot, error)
	FindBallots(ctx context.Context, proposalID string) ([]Ballot, error)
	// CreateParticipation inserts a participation record, returning a
	// Conflict if one with the same ID exists.
	CreateParticipation(ctx context.Context, p *Participation) error
	FindParticipationByID(ctx context.Context, id string) (*Participation, error)
}
