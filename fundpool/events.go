package fundpool

import (
	"fmt"
	"sort"
	"time"

	"commonground/apperr"
)

// The constructors below build the transaction of each financial event from
// domain inputs and check it against the campaign and the current balances,
// so that the caller gets an error naming the problem. They do not change the
// book: pass what they return to Book.Commit (or Book.Append), which checks
// every rule again under its lock.

// MakePledge builds the pledge_made transaction of a pledge to an open campaign.
func MakePledge(c Campaign, p Pledge, m TxMeta) (Transaction, error) {
	if err := p.Validate(c); err != nil {
		return Transaction{}, err
	}
	if err := c.beforeDeadline(m.At); err != nil {
		return Transaction{}, err
	}
	t := newTransaction(c.ID, KindPledgeMade, m)
	t.Source = SourceRef{Kind: SourcePledge, ID: p.ID, Resident: p.Pledger.ResidentID != ""}
	t.Postings = []Posting{{account(c.ID, ClassPledgeSource, p.ID), PledgedAccount(c.ID, p.ID), p.Amount}}
	return t, nil
}

// ReceivePledge builds the pledge_received transaction for amount paid on a
// pledge (all or part of what is outstanding), followed by one match_earned
// transaction for each grant whose matching rule applies, in grant id order.
// Each match earns its rule's share of amount, rounded down, up to what is
// left of its cap, and explains how; its key is m.Key + "/match/" + grant id,
// so a retried receipt yields the same matches.
func ReceivePledge(b *Book, c Campaign, pledgeID string, amount Money, m TxMeta) ([]Transaction, error) {
	receipt, err := receive(b, c, KindPledgeReceived, pledgeID, amount, m, func(*sourceInfo) string {
		return ReceivedAccount(c.ID)
	})
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[c.ID]
	return append([]Transaction{receipt}, b.matchesFor(l, c, receipt, l.source(SourcePledge, pledgeID), m)...), nil
}

// Rematch builds the match_earned transactions still missing for pledge
// receipt receiptID: those a process that stopped after posting the receipt
// never posted. It returns nothing when every match is in the ledger.
func Rematch(b *Book, c Campaign, receiptID string, at time.Time) ([]Transaction, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	receipt := b.txs[receiptID]
	if receipt == nil || receipt.CampaignID != c.ID || receipt.Kind != KindPledgeReceived {
		return nil, apperr.New(apperr.NotFound, "pledge receipt %s not found", receiptID)
	}
	if b.reversedBy[receiptID] != "" {
		return nil, nil
	}
	l := b.campaigns[c.ID]
	return b.matchesFor(l, c, *receipt, l.source(SourcePledge, receipt.Source.ID), TxMeta{Key: receipt.IdempotencyKey, Memo: receipt.Memo, At: at}), nil
}

// matchesFor builds the matches receipt earns from each grant with a
// matching rule in force, in grant id order, skipping those already posted.
// The caller holds the read lock.
func (b *Book) matchesFor(l *campaignLedger, c Campaign, receipt Transaction, p *sourceInfo, m TxMeta) []Transaction {
	if !p.Resident {
		return nil
	}
	amount := receipt.Total()
	grants := append([]*sourceInfo(nil), l.grants...)
	sort.Slice(grants, func(i, j int) bool { return grants[i].ID < grants[j].ID })
	var out []Transaction
	for _, g := range grants {
		r := g.Match
		key := m.Key + "/match/" + g.ID
		if r == nil || b.reversedBy[g.created] != "" || b.txs[TransactionID(c.ID, key)] != nil {
			continue
		}
		share, _ := mulDivInt64(amount.Amount, r.Match, r.Per)
		matched := -l.balances[account(c.ID, ClassMatchSource, g.ID)]
		earn := min(share, r.Cap.Amount-matched)
		if earn <= 0 {
			continue
		}
		mt := newTransaction(c.ID, KindMatchEarned, TxMeta{Key: key, Memo: m.Memo, At: m.At})
		mt.Source = SourceRef{Kind: SourceGrant, ID: g.ID}
		mt.Ref = receipt.ID
		earned := Money{earn, amount.Currency}
		mt.Postings = []Posting{{account(c.ID, ClassMatchSource, g.ID), account(c.ID, ClassAwarded, g.ID), earned}}
		mt.Explanation = fmt.Sprintf("%s matches %d:%d of the %s a resident paid on pledge %s: %s earned; %s of its %s cap now matched",
			g.Funder, r.Match, r.Per, amount, p.ID, earned, Money{matched + earn, amount.Currency}, r.Cap)
		if share > earn {
			mt.Explanation += fmt.Sprintf(" (the rule's share of %s was cut to what the cap left)", Money{share, amount.Currency})
		}
		out = append(out, mt)
	}
	return out
}

// CancelPledge builds the pledge_cancelled transaction voiding what is
// outstanding on a pledge; what was already received stays received.
func CancelPledge(b *Book, c Campaign, pledgeID string, m TxMeta) (Transaction, error) {
	return closePledge(b, c, pledgeID, KindPledgeCancelled, m)
}

// ReleasePledge builds the release transaction voiding what is outstanding on
// a pledge to a failed all-or-nothing campaign.
func ReleasePledge(b *Book, c Campaign, pledgeID string, m TxMeta) (Transaction, error) {
	return closePledge(b, c, pledgeID, KindRelease, m)
}

func closePledge(b *Book, c Campaign, pledgeID string, kind TxKind, m TxMeta) (Transaction, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[c.ID]
	p := l.source(SourcePledge, pledgeID)
	if p == nil {
		return Transaction{}, apperr.New(apperr.NotFound, "pledge %s is not in this campaign's ledger", pledgeID)
	}
	if p.closed != "" {
		return Transaction{}, apperr.New(apperr.Conflict, "pledge %s is already %s", pledgeID, closedState(p.closed))
	}
	out := l.balances[PledgedAccount(c.ID, pledgeID)]
	if out == 0 {
		return Transaction{}, apperr.New(apperr.Conflict, "pledge %s has nothing outstanding", pledgeID)
	}
	return voidPledge(l, pledgeID, kind, out, m), nil
}

// voidPledge builds the transaction of kind (pledge_cancelled or release)
// returning out, what pledge pledgeID has outstanding, to its pledger.
func voidPledge(l *campaignLedger, pledgeID string, kind TxKind, out int64, m TxMeta) Transaction {
	t := newTransaction(l.id, kind, m)
	t.Source = SourceRef{Kind: SourcePledge, ID: pledgeID}
	t.Postings = []Posting{{PledgedAccount(l.id, pledgeID), account(l.id, ClassPledgeSource, pledgeID), Money{out, l.currency}}}
	return t
}

// AwardGrant builds the grant_awarded transaction recording a grant, its
// allowed uses and its matching rule in the ledger.
func AwardGrant(c Campaign, g Grant, m TxMeta) (Transaction, error) {
	if err := g.Validate(c); err != nil {
		return Transaction{}, err
	}
	if err := c.beforeDeadline(m.At); err != nil {
		return Transaction{}, err
	}
	t := newTransaction(c.ID, KindGrantAwarded, m)
	t.Source = SourceRef{Kind: SourceGrant, ID: g.ID, Funder: g.Funder, Program: g.Program, Uses: append([]Use(nil), g.Uses...)}
	if g.Match != nil {
		r := *g.Match
		t.Source.Match = &r
	}
	if g.Awarded.Amount > 0 {
		t.Postings = []Posting{{account(c.ID, ClassGrantSource, g.ID), account(c.ID, ClassAwarded, g.ID), g.Awarded}}
	}
	return t, nil
}

// ReceiveGrant builds the grant_received transaction for money a funder paid:
// at most what was awarded or matched and not yet received, held restricted
// to the grant's uses.
func ReceiveGrant(b *Book, c Campaign, grantID string, amount Money, m TxMeta) (Transaction, error) {
	return receive(b, c, KindGrantReceived, grantID, amount, m, func(g *sourceInfo) string {
		return account(c.ID, ClassRestricted, g.useSet)
	})
}

// receive builds the transaction of kind moving amount from what source id
// has outstanding to the account to names.
func receive(b *Book, c Campaign, kind TxKind, id string, amount Money, m TxMeta, to func(*sourceInfo) string) (Transaction, error) {
	if err := checkIncoming(c, amount); err != nil {
		return Transaction{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[c.ID]
	sk := sourceOfKind[kind]
	from := map[SourceKind]Class{SourcePledge: ClassPledged, SourceGrant: ClassAwarded, SourceLoan: ClassCommitted}[sk]
	info := l.source(sk, id)
	if err := checkOutstanding(l, info, sk, id, from, amount); err != nil {
		return Transaction{}, err
	}
	t := newTransaction(c.ID, kind, m)
	t.Source = SourceRef{Kind: sk, ID: id}
	t.Postings = []Posting{{account(c.ID, from, id), to(info), amount}}
	return t, nil
}

// CommitLoan builds the loan_committed transaction of a lender's commitment.
func CommitLoan(c Campaign, loan LoanCommitment, m TxMeta) (Transaction, error) {
	if err := loan.Validate(c); err != nil {
		return Transaction{}, err
	}
	if err := c.beforeDeadline(m.At); err != nil {
		return Transaction{}, err
	}
	t := newTransaction(c.ID, KindLoanCommitted, m)
	t.Source = SourceRef{Kind: SourceLoan, ID: loan.ID, Funder: loan.Lender}
	t.Postings = []Posting{{account(c.ID, ClassLoanSource, loan.ID), account(c.ID, ClassCommitted, loan.ID), loan.Amount}}
	return t, nil
}

// DrawLoan builds the loan_received transaction for money drawn on a loan.
func DrawLoan(b *Book, c Campaign, loanID string, amount Money, m TxMeta) (Transaction, error) {
	return receive(b, c, KindLoanReceived, loanID, amount, m, func(*sourceInfo) string {
		return account(c.ID, ClassFinancing, "")
	})
}

// ReverseTx builds the reversal of transaction id. Reversing a pledge
// receipt first reverses the matches it earned, so the result lists those
// reversals (keys m.Key + "/match/" + grant id) before the receipt's.
func ReverseTx(b *Book, id string, m TxMeta) ([]Transaction, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	orig := b.txs[id]
	if orig == nil {
		return nil, apperr.New(apperr.NotFound, "transaction %s not found", id)
	}
	l := b.campaigns[orig.CampaignID]
	if err := b.checkReversal(orig.Reverse(m), l, true); err != nil {
		return nil, err
	}
	var out []Transaction
	for _, mid := range l.matches[id] {
		if b.reversedBy[mid] != "" {
			continue
		}
		match := b.txs[mid]
		out = append(out, match.Reverse(TxMeta{Key: m.Key + "/match/" + match.Source.ID, Memo: m.Memo, At: m.At}))
	}
	out = append(out, orig.Reverse(m))
	for _, r := range out {
		if err := b.checkBalances(r, l); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkIncoming checks that money may come in to c now and that amount is a
// positive amount of its currency.
func checkIncoming(c Campaign, amount Money) error {
	var f apperr.Fields
	checkAmountIn(&f, "amount", amount, c)
	if err := f.Err(); err != nil {
		return err
	}
	return c.acceptsMoney()
}

// checkOutstanding checks that source info exists and has at least amount
// outstanding in its account of class cls.
func checkOutstanding(l *campaignLedger, info *sourceInfo, kind SourceKind, id string, cls Class, amount Money) error {
	if info == nil {
		return apperr.New(apperr.NotFound, "%s %s is not in this campaign's ledger", kind, id)
	}
	if info.closed != "" {
		return apperr.New(apperr.Conflict, "%s %s is %s", kind, id, closedState(info.closed))
	}
	out := l.balances[account(l.id, cls, id)]
	if amount.Amount > out {
		var f apperr.Fields
		f.Add("amount", "is more than the %s outstanding on %s %s", Money{out, l.currency}, kind, id)
		return f.Err()
	}
	return nil
}
