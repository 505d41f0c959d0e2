package fundpool

import (
	"context"
	"time"
)

// LedgerStore keeps the append-only ledger: one record per transaction,
// never updated or deleted.
type LedgerStore interface {
	// AppendTransactions stores txs in order, in one write where the
	// store can, so that the book's grouped commits cost one write per
	// group. Each id derives from its campaign and idempotency key
	// (TransactionID), so storing it under that id as the primary key
	// refuses a second transaction with the same key: that must come back
	// as an apperr Conflict. After an error any prefix of txs may be stored.
	AppendTransactions(ctx context.Context, txs []Transaction) error
	// FindTransactionByID returns a transaction, or an apperr NotFound.
	FindTransactionByID(ctx context.Context, id string) (Transaction, error)
	// LoadTransactions calls fn with every stored transaction, in any order
	// (LoadBook sorts them), stopping at the first error fn returns.
	LoadTransactions(ctx context.Context, fn func(Transaction) error) error
}

// CampaignFilter selects campaigns; zero fields match everything.
type CampaignFilter struct {
	Status      []Status
	CommunityID string
	ParcelID    string
	Offset      int
	Limit       int
}

// CampaignStore keeps campaigns.
type CampaignStore interface {
	// CreateCampaign stores a new campaign; an existing id is a Conflict.
	CreateCampaign(ctx context.Context, c Campaign) error
	// FindCampaignByID returns a campaign, or an apperr NotFound.
	FindCampaignByID(ctx context.Context, id string) (Campaign, error)
	// FindCampaigns returns the campaigns matching f, sorted by id, and how
	// many match in all.
	FindCampaigns(ctx context.Context, f CampaignFilter) ([]Campaign, int, error)
	// UpdateCampaign replaces a campaign whose stored Version is
	// c.Version-1 (the caller's change increments it); any other stored
	// version is a Conflict, so two organizers cannot overwrite each other.
	UpdateCampaign(ctx context.Context, c Campaign) error
}

// SourceStore keeps who is behind each source of money: names, schedules,
// award references and reporting duties that the ledger does not hold.
type SourceStore interface {
	CreatePledge(ctx context.Context, p Pledge) error // existing id: Conflict
	FindPledgeByID(ctx context.Context, id string) (Pledge, error)
	FindPledges(ctx context.Context, campaignID string) ([]Pledge, error)
	CreateGrant(ctx context.Context, g Grant) error // existing id: Conflict
	FindGrantByID(ctx context.Context, id string) (Grant, error)
	FindGrants(ctx context.Context, campaignID string) ([]Grant, error)
	CreateLoan(ctx context.Context, l LoanCommitment) error // existing id: Conflict
	FindLoans(ctx context.Context, campaignID string) ([]LoanCommitment, error)
}

// DisbursementStore keeps disbursements through their workflow.
type DisbursementStore interface {
	CreateDisbursement(ctx context.Context, d Disbursement) error // existing id: Conflict
	FindDisbursementByID(ctx context.Context, id string) (Disbursement, error)
	FindDisbursements(ctx context.Context, campaignID string) ([]Disbursement, error)
	// UpdateDisbursement replaces d if its stored state is from; otherwise
	// Conflict, so two approvers cannot both decide.
	UpdateDisbursement(ctx context.Context, d Disbursement, from DisbursementState) error
}

// IdempotencyStore keeps the first response to each keyed request.
type IdempotencyStore interface {
	// FindIdempotency returns the record of (scope, key), or an apperr NotFound.
	FindIdempotency(ctx context.Context, scope, key string) (IdempotencyRecord, error)
	// SaveIdempotency stores r; an existing (scope, key) is a Conflict.
	SaveIdempotency(ctx context.Context, r IdempotencyRecord) error
	// DeleteIdempotencyBefore removes records created before t; the store
	// has no TTL index to rely on.
	DeleteIdempotencyBefore(ctx context.Context, t time.Time) (int, error)
}

// Store is everything the fund pool keeps. The mongodb package implements it.
type Store interface {
	LedgerStore
	CampaignStore
	SourceStore
	DisbursementStore
	IdempotencyStore
}
