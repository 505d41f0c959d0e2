package fundpool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"commonground/apperr"
)

// Pool runs the fund pool's workflows over a Store and the in-memory Book:
// it writes each record and transaction in the order that lets a retry, or
// a restart after a crash, finish what was started without counting anything
// twice. Every method that records money takes an idempotency key; the same
// key with the same inputs returns the first result.
type Pool struct {
	store Store
	book  *Book
	now   func() time.Time
}

// OpenPool loads the ledger from store into a Book, tells it every
// campaign's target, and repairs what a crash may have left half done
// (matches not yet posted after their receipt, approved disbursements not yet
// posted, campaigns whose deadline was resolved only in part). now is the
// clock; nil means time.Now.
func OpenPool(ctx context.Context, store Store, now func() time.Time) (*Pool, error) {
	if now == nil {
		now = time.Now
	}
	var txs []Transaction
	if err := store.LoadTransactions(ctx, func(t Transaction) error {
		txs = append(txs, t)
		return nil
	}); err != nil {
		return nil, err
	}
	book, err := LoadBook(txs)
	if err != nil {
		return nil, err
	}
	p := &Pool{store: store, book: book, now: now}
	campaigns, _, err := store.FindCampaigns(ctx, CampaignFilter{})
	if err != nil {
		return nil, err
	}
	for _, c := range campaigns {
		book.SetTarget(c.ID, c.Target)
	}
	if err := p.repair(ctx, campaigns, txs); err != nil {
		return nil, err
	}
	return p, nil
}

// repair posts the matches of every standing receipt that are missing and
// every approved disbursement that was not posted.
func (p *Pool) repair(ctx context.Context, campaigns []Campaign, txs []Transaction) error {
	byID := make(map[string]Campaign, len(campaigns))
	for _, c := range campaigns {
		byID[c.ID] = c
	}
	for _, t := range txs {
		if t.Kind != KindPledgeReceived {
			continue
		}
		c, ok := byID[t.CampaignID]
		if !ok {
			continue
		}
		matches, err := Rematch(p.book, c, t.ID, t.Time)
		if err != nil {
			return err
		}
		if _, err := p.commit(ctx, matches...); err != nil {
			return err
		}
	}
	for _, c := range campaigns {
		ds, err := p.store.FindDisbursements(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.State == DisbursementApproved {
				if _, err := p.post(ctx, c, d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Book returns the in-memory ledger, for progress and reports.
func (p *Pool) Book() *Book { return p.book }

// commit stores and appends each transaction in order, returning them as
// the book holds them (a retry returns the first).
func (p *Pool) commit(ctx context.Context, txs ...Transaction) ([]Transaction, error) {
	out := make([]Transaction, 0, len(txs))
	for _, t := range txs {
		got, _, err := p.book.Commit(ctx, t, p.persist)
		if err != nil {
			return out, err
		}
		out = append(out, got)
	}
	return out, nil
}

// persist stores a group of transactions for the book. A transaction that
// is already stored as the same event (a group that failed after storing
// part of itself, retried one by one) counts as stored.
func (p *Pool) persist(ctx context.Context, txs []Transaction) error {
	err := p.store.AppendTransactions(ctx, txs)
	if err == nil || len(txs) != 1 || apperr.KindOf(err) != apperr.Conflict {
		return err
	}
	if old, ferr := p.store.FindTransactionByID(ctx, txs[0].ID); ferr == nil && old.sameEvent(txs[0]) {
		return nil
	}
	return err
}

// RecordID derives the id of a record (a pledge, a grant, a disbursement)
// from its campaign and the idempotency key of the request that made it, so
// a retry names the same record.
func RecordID(prefix, campaignID, key string) string {
	h := sha256.Sum256([]byte(campaignID + "\x00" + key))
	return prefix + hex.EncodeToString(h[:12])
}

// Campaign returns a campaign.
func (p *Pool) Campaign(ctx context.Context, id string) (Campaign, error) {
	return p.store.FindCampaignByID(ctx, id)
}

// Campaigns returns the campaigns matching f and how many match in all.
func (p *Pool) Campaigns(ctx context.Context, f CampaignFilter) ([]Campaign, int, error) {
	return p.store.FindCampaigns(ctx, f)
}

// CreateCampaign stores c as a new draft by organizer by.
func (p *Pool) CreateCampaign(ctx context.Context, by Actor, c Campaign) (Campaign, error) {
	c, err := NewCampaign(c, by.ID, p.now())
	if err != nil {
		return Campaign{}, err
	}
	if err := p.store.CreateCampaign(ctx, c); err != nil {
		return Campaign{}, err
	}
	return c, nil
}

// UpdateCampaign applies u to campaign id if its version is still version.
func (p *Pool) UpdateCampaign(ctx context.Context, id string, version int64, u CampaignUpdate) (Campaign, error) {
	c, err := p.store.FindCampaignByID(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	if version != c.Version {
		return Campaign{}, apperr.New(apperr.Conflict, "the campaign is at version %d, not %d; reload and try again", c.Version, version)
	}
	if err := c.Apply(u, p.now()); err != nil {
		return Campaign{}, err
	}
	if err := p.store.UpdateCampaign(ctx, c); err != nil {
		return Campaign{}, err
	}
	p.book.SetTarget(c.ID, c.Target)
	return c, nil
}

// TransitionCampaign moves campaign id to status to. Funded needs the target
// reached (MarkFunded). Failing or cancelling first voids every outstanding
// pledge (released or cancelled), then changes the status, so that a crash
// in between leaves a campaign that the same request finishes.
func (p *Pool) TransitionCampaign(ctx context.Context, id string, to Status) (Campaign, error) {
	c, err := p.store.FindCampaignByID(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	at := p.now()
	switch to {
	case StatusFunded:
		err = MarkFunded(p.book, &c, at)
	case StatusFailed, StatusCancelled:
		if !c.Status.CanTransition(to) {
			return Campaign{}, apperr.New(apperr.Conflict, "a %s campaign cannot become %s", c.Status, to)
		}
		if err := p.voidPledges(ctx, c, to, at); err != nil {
			return Campaign{}, err
		}
		err = c.Transition(to, at)
	default:
		err = c.Transition(to, at)
	}
	if err != nil {
		return Campaign{}, err
	}
	if err := p.store.UpdateCampaign(ctx, c); err != nil {
		return Campaign{}, err
	}
	p.book.SetTarget(c.ID, c.Target)
	return c, nil
}

func (p *Pool) voidPledges(ctx context.Context, c Campaign, to Status, at time.Time) error {
	for _, s := range p.book.Pledges(c.ID) {
		if s.Outstanding.Amount == 0 || s.State == PledgeCancelled || s.State == PledgeReleased {
			continue
		}
		m := TxMeta{Key: "campaign/" + c.ID + "/" + string(to) + "/" + s.PledgeID, At: at, Memo: "the campaign was " + string(to)}
		var t Transaction
		var err error
		if to == StatusCancelled {
			t, err = CancelPledge(p.book, c, s.PledgeID, m)
		} else {
			t, err = ReleasePledge(p.book, c, s.PledgeID, m)
		}
		if err != nil {
			return err
		}
		if _, err := p.commit(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// Pledge records a pledge to an open campaign under idempotency key key:
// the pledge record first, then its pledge_made transaction. Its id derives
// from the key, so a retry finds the record and the transaction it made.
func (p *Pool) Pledge(ctx context.Context, key string, pl Pledge) (Pledge, Transaction, error) {
	c, err := p.store.FindCampaignByID(ctx, pl.CampaignID)
	if err != nil {
		return Pledge{}, Transaction{}, err
	}
	pl.ID = RecordID("pl_", c.ID, key)
	pl.CreatedAt = p.now()
	t, err := MakePledge(c, pl, TxMeta{Key: key, At: pl.CreatedAt})
	if err != nil {
		return Pledge{}, Transaction{}, err
	}
	got, err := p.recordThenCommit(ctx, t, func() error { return p.store.CreatePledge(ctx, pl) }, func() (bool, error) {
		old, err := p.store.FindPledgeByID(ctx, pl.ID)
		same := err == nil && samePledge(old, pl)
		pl = old
		return same, err
	})
	if err != nil {
		return Pledge{}, Transaction{}, err
	}
	return pl, got, nil
}

// recordThenCommit stores a source's record (create) and then commits its
// transaction t. A record already stored under the id (a retry, or a
// request that stopped after storing it) must describe the same source
// (same), or the key was reused for a different request.
func (p *Pool) recordThenCommit(ctx context.Context, t Transaction, create func() error, same func() (bool, error)) (Transaction, error) {
	if err := p.book.Check(t); err != nil {
		return Transaction{}, err
	}
	if err := create(); err != nil {
		if apperr.KindOf(err) != apperr.Conflict {
			return Transaction{}, err
		}
		ok, err := same()
		if err != nil {
			return Transaction{}, err
		}
		if !ok {
			return Transaction{}, errKeyReused()
		}
	}
	got, err := p.commit(ctx, t)
	if err != nil {
		return Transaction{}, err
	}
	return got[0], nil
}

func errKeyReused() error {
	return apperr.New(apperr.Conflict, "the Idempotency-Key was already used for a different request")
}

func samePledge(a, b Pledge) bool {
	return a.CampaignID == b.CampaignID && a.Pledger == b.Pledger && a.Amount == b.Amount &&
		a.Anonymous == b.Anonymous && slices.EqualFunc(a.Schedule, b.Schedule, func(x, y Instalment) bool {
		return x.Due.Equal(y.Due) && x.Amount == y.Amount
	})
}

// AwardGrant records a grant (its record, then its grant_awarded transaction).
func (p *Pool) AwardGrant(ctx context.Context, key string, g Grant) (Grant, Transaction, error) {
	c, err := p.store.FindCampaignByID(ctx, g.CampaignID)
	if err != nil {
		return Grant{}, Transaction{}, err
	}
	g.ID = RecordID("gr_", c.ID, key)
	g.AwardedAt = p.now()
	t, err := AwardGrant(c, g, TxMeta{Key: key, At: g.AwardedAt, Memo: g.Program})
	if err != nil {
		return Grant{}, Transaction{}, err
	}
	got, err := p.recordThenCommit(ctx, t, func() error { return p.store.CreateGrant(ctx, g) }, func() (bool, error) {
		old, err := p.store.FindGrantByID(ctx, g.ID)
		same := err == nil && old.Funder == g.Funder && old.Awarded == g.Awarded && slices.Equal(old.Uses, g.Uses)
		g = old
		return same, err
	})
	if err != nil {
		return Grant{}, Transaction{}, err
	}
	return g, got, nil
}

// CommitLoan records a lender's commitment (its record, then its transaction).
func (p *Pool) CommitLoan(ctx context.Context, key string, l LoanCommitment) (LoanCommitment, Transaction, error) {
	c, err := p.store.FindCampaignByID(ctx, l.CampaignID)
	if err != nil {
		return LoanCommitment{}, Transaction{}, err
	}
	l.ID = RecordID("ln_", c.ID, key)
	l.CommittedAt = p.now()
	t, err := CommitLoan(c, l, TxMeta{Key: key, At: l.CommittedAt})
	if err != nil {
		return LoanCommitment{}, Transaction{}, err
	}
	// The ledger holds the loan's amount and lender; a retry with a
	// different loan is refused by the transaction's own key.
	got, err := p.recordThenCommit(ctx, t, func() error { return p.store.CreateLoan(ctx, l) }, func() (bool, error) { return true, nil })
	if err != nil {
		return LoanCommitment{}, Transaction{}, err
	}
	return l, got, nil
}

// Receive records money that came in on a source of campaign campaignID:
// a pledge payment (followed by the matches it earns), a grant payment, or a
// loan draw. A retry of a receipt already in the ledger returns it (and posts
// any match still missing) rather than checking the balance again.
func (p *Pool) Receive(ctx context.Context, key, campaignID string, kind SourceKind, sourceID string, amount Money) ([]Transaction, error) {
	c, err := p.store.FindCampaignByID(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if old, ok := p.book.Transaction(TransactionID(c.ID, key)); ok {
		if old.Source.Kind != kind || old.Source.ID != sourceID || old.Total() != amount {
			return nil, errKeyReused()
		}
		matches, err := Rematch(p.book, c, old.ID, old.Time)
		if err != nil && apperr.KindOf(err) != apperr.NotFound {
			return nil, err
		}
		got, err := p.commit(ctx, matches...)
		return append([]Transaction{old}, got...), err
	}
	m := TxMeta{Key: key, At: p.now()}
	var txs []Transaction
	switch kind {
	case SourcePledge:
		txs, err = ReceivePledge(p.book, c, sourceID, amount, m)
	case SourceGrant:
		var t Transaction
		t, err = ReceiveGrant(p.book, c, sourceID, amount, m)
		txs = []Transaction{t}
	case SourceLoan:
		var t Transaction
		t, err = DrawLoan(p.book, c, sourceID, amount, m)
		txs = []Transaction{t}
	default:
		var f apperr.Fields
		f.Add("source_kind", "must be pledge, grant or loan")
		err = f.Err()
	}
	if err != nil {
		return nil, err
	}
	return p.commit(ctx, txs...)
}

// CancelPledge voids what is outstanding on a pledge; memo says who
// cancelled it, for the public ledger. What was received stays received.
func (p *Pool) CancelPledge(ctx context.Context, key, campaignID, pledgeID, memo string) (Transaction, error) {
	c, err := p.store.FindCampaignByID(ctx, campaignID)
	if err != nil {
		return Transaction{}, err
	}
	if old, ok := p.book.Transaction(TransactionID(c.ID, key)); ok {
		if old.Kind != KindPledgeCancelled || old.Source.ID != pledgeID {
			return Transaction{}, errKeyReused()
		}
		return old, nil
	}
	t, err := CancelPledge(p.book, c, pledgeID, TxMeta{Key: key, At: p.now(), Memo: memo})
	if err != nil {
		return Transaction{}, err
	}
	got, err := p.commit(ctx, t)
	if err != nil {
		return Transaction{}, err
	}
	return got[0], nil
}

// Reverse undoes transaction txID of campaign campaignID by reversing
// transactions, never by an edit; reason is required and shown in the
// ledger. Reversing a pledge receipt first reverses the matches it earned.
// It returns the reversals, the one of txID last. A retry (the same key)
// finishes a reversal a crash cut short and returns what it posted.
func (p *Pool) Reverse(ctx context.Context, key, campaignID, txID, reason string) ([]Transaction, error) {
	c, err := p.store.FindCampaignByID(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxMemoLen {
		var f apperr.Fields
		f.Add("reason", "must say why, in 1 to %d characters", MaxMemoLen)
		return nil, f.Err()
	}
	if orig, ok := p.book.Transaction(txID); !ok || orig.CampaignID != c.ID {
		return nil, apperr.New(apperr.NotFound, "transaction %s not found", txID)
	}
	if old, ok := p.book.Transaction(TransactionID(c.ID, key)); ok {
		if old.Kind != KindReversal || old.Ref != txID {
			return nil, errKeyReused()
		}
		return []Transaction{old}, nil
	}
	txs, err := ReverseTx(p.book, txID, TxMeta{Key: key, At: p.now(), Memo: reason})
	if err != nil {
		return nil, err
	}
	return p.commit(ctx, txs...)
}

// ProposeDisbursement records a proposal by organizer by.
func (p *Pool) ProposeDisbursement(ctx context.Context, key string, by Actor, d Disbursement) (Disbursement, error) {
	c, err := p.store.FindCampaignByID(ctx, d.CampaignID)
	if err != nil {
		return Disbursement{}, err
	}
	d.ID = RecordID("db_", c.ID, key)
	if old, err := p.store.FindDisbursementByID(ctx, d.ID); err == nil {
		if old.Amount != d.Amount || old.Use != d.Use || old.Payee != d.Payee || old.ProposedBy != by.ID {
			return Disbursement{}, errKeyReused()
		}
		return old, nil
	}
	d, err = ProposeDisbursement(p.book, c, d, by, p.now())
	if err != nil {
		return Disbursement{}, err
	}
	if err := p.store.CreateDisbursement(ctx, d); err != nil {
		return Disbursement{}, err
	}
	return d, nil
}

// Disbursements returns a campaign's disbursements.
func (p *Pool) Disbursements(ctx context.Context, campaignID string) ([]Disbursement, error) {
	return p.store.FindDisbursements(ctx, campaignID)
}

// DecideDisbursement approves (and then posts) or rejects a proposed
// disbursement of campaign campaignID. Approving one already approved but
// not yet posted posts it.
func (p *Pool) DecideDisbursement(ctx context.Context, by Actor, campaignID, id string, approve bool) (Disbursement, error) {
	c, err := p.store.FindCampaignByID(ctx, campaignID)
	if err != nil {
		return Disbursement{}, err
	}
	d, err := p.store.FindDisbursementByID(ctx, id)
	if err != nil || d.CampaignID != c.ID {
		return Disbursement{}, apperr.New(apperr.NotFound, "disbursement not found")
	}
	if approve && d.State == DisbursementApproved && d.DecidedBy == by.ID {
		return p.post(ctx, c, d)
	}
	from := d.State
	if approve {
		err = d.Approve(by, p.now())
	} else {
		err = d.Reject(by, p.now())
	}
	if err != nil {
		return Disbursement{}, err
	}
	if approve {
		// Check that the money is still there before recording the approval.
		if _, err := Disburse(p.book, c, d, p.now()); err != nil {
			return Disbursement{}, err
		}
	}
	if err := p.store.UpdateDisbursement(ctx, d, from); err != nil {
		return Disbursement{}, err
	}
	if !approve {
		return d, nil
	}
	return p.post(ctx, c, d)
}

// post posts an approved disbursement and marks it posted.
func (p *Pool) post(ctx context.Context, c Campaign, d Disbursement) (Disbursement, error) {
	t, err := Disburse(p.book, c, d, p.now())
	if err != nil {
		return Disbursement{}, err
	}
	got, err := p.commit(ctx, t)
	if err != nil {
		return Disbursement{}, err
	}
	d.MarkPosted(got[0])
	if err := p.store.UpdateDisbursement(ctx, d, DisbursementApproved); err != nil {
		return Disbursement{}, err
	}
	return d, nil
}

// PledgeByID returns a pledge record.
func (p *Pool) PledgeByID(ctx context.Context, id string) (Pledge, error) {
	return p.store.FindPledgeByID(ctx, id)
}

// Pledges returns a campaign's pledge records.
func (p *Pool) Pledges(ctx context.Context, campaignID string) ([]Pledge, error) {
	return p.store.FindPledges(ctx, campaignID)
}

// Grants returns a campaign's grant records.
func (p *Pool) Grants(ctx context.Context, campaignID string) ([]Grant, error) {
	return p.store.FindGrants(ctx, campaignID)
}

// Verify checks a campaign's ledger independently of the book.
func (p *Pool) Verify(campaignID string) Report {
	return Verify(p.book.Transactions(campaignID, 0, int(^uint(0)>>1)))
}

// ResolveDeadlines resolves every campaign whose deadline has passed:
// releases first, then the status. It returns how many campaigns changed
// status. Run it at start and periodically; running it twice, or after a
// crash between the releases and the status, resolves each campaign once.
func (p *Pool) ResolveDeadlines(ctx context.Context) (int, error) {
	cs, _, err := p.store.FindCampaigns(ctx, CampaignFilter{Status: []Status{StatusOpen, StatusFailed}})
	if err != nil {
		return 0, err
	}
	now := p.now()
	var n int
	var errs []error
	for _, c := range cs {
		r := ResolveDeadline(p.book, c, now)
		if !r.Due {
			continue
		}
		if _, err := p.commit(ctx, r.Releases...); err != nil {
			errs = append(errs, err)
			continue
		}
		if c.Status == r.Outcome {
			continue
		}
		if err := c.Transition(r.Outcome, now); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := p.store.UpdateCampaign(ctx, c); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// ExpireKeys forgets idempotency records older than keep.
func (p *Pool) ExpireKeys(ctx context.Context, keep time.Duration) (int, error) {
	return p.store.DeleteIdempotencyBefore(ctx, p.now().Add(-keep))
}

// Recall returns the first response to a keyed request.
func (p *Pool) Recall(ctx context.Context, scope, key string) (IdempotencyRecord, error) {
	return p.store.FindIdempotency(ctx, scope, key)
}

// Remember stores the first response to a keyed request.
func (p *Pool) Remember(ctx context.Context, r IdempotencyRecord) error {
	r.CreatedAt = p.now()
	return p.store.SaveIdempotency(ctx, r)
}
