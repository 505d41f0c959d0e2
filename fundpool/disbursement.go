package fundpool

import (
	"time"

	"commonground/apperr"
)

// Role is what an account may do in a campaign.
type Role string

// The roles that matter to money.
const (
	RoleResident  Role = "resident"
	RoleOrganizer Role = "organizer"
	RoleSteward   Role = "steward"
)

// Actor is who is acting: an account id and its role.
type Actor struct {
	ID   string
	Role Role
}

// DisbursementState is where a disbursement is in its workflow.
type DisbursementState string

// The disbursement states: proposed, then approved or rejected; an approved
// disbursement is posted once its transaction is in the ledger.
const (
	DisbursementProposed DisbursementState = "proposed"
	DisbursementApproved DisbursementState = "approved"
	DisbursementRejected DisbursementState = "rejected"
	DisbursementPosted   DisbursementState = "posted"
)

// Disbursement is a payment out of a campaign toward the purchase. One
// organizer proposes it; a different organizer or a steward approves it; only
// then is it posted to the ledger.
type Disbursement struct {
	ID            string
	CampaignID    string
	Amount        Money
	Use           Use
	Payee         string
	Memo          string
	State         DisbursementState
	ProposedBy    string
	ProposedAt    time.Time
	DecidedBy     string // who approved or rejected it
	DecidedAt     time.Time
	TransactionID string // set once posted
	PostedAt      time.Time
}

// ProposeDisbursement checks a proposed disbursement (amount, use, payee, and
// that the campaign holds that much money allowed for the use now) and
// returns it in state proposed. Only organizers propose.
func ProposeDisbursement(b *Book, c Campaign, d Disbursement, by Actor, at time.Time) (Disbursement, error) {
	if by.Role != RoleOrganizer || by.ID == "" {
		return Disbursement{}, apperr.New(apperr.Forbidden, "only an organizer may propose a disbursement")
	}
	var f apperr.Fields
	checkOwner(&f, d.ID, d.CampaignID, c)
	checkAmountIn(&f, "amount", d.Amount, c)
	if !d.Use.Valid() {
		f.Add("use", "is not a use of money")
	}
	checkName(&f, "payee", d.Payee, true)
	if len([]rune(d.Memo)) > MaxMemoLen {
		f.Add("memo", "must be at most %d characters", MaxMemoLen)
	}
	if err := f.Err(); err != nil {
		return Disbursement{}, err
	}
	if err := c.acceptsMoney(); err != nil {
		return Disbursement{}, err
	}
	if err := checkAvailable(b, c, d); err != nil {
		return Disbursement{}, err
	}
	d.State, d.ProposedBy, d.ProposedAt = DisbursementProposed, by.ID, at
	d.DecidedBy, d.DecidedAt, d.TransactionID = "", time.Time{}, ""
	return d, nil
}

func checkAvailable(b *Book, c Campaign, d Disbursement) error {
	if avail := b.Available(c.ID, d.Use); avail.Amount < d.Amount.Amount {
		var f apperr.Fields
		f.Add("amount", "is more than the %s received and allowed for %s", avail, d.Use)
		return f.Err()
	}
	return nil
}

// Approve approves a proposed disbursement. The proposer may never approve
// their own; another organizer or a steward may.
func (d *Disbursement) Approve(by Actor, at time.Time) error {
	if err := d.decide(by); err != nil {
		return err
	}
	d.State, d.DecidedBy, d.DecidedAt = DisbursementApproved, by.ID, at
	return nil
}

// Reject rejects a proposed disbursement; the proposer may withdraw their own.
func (d *Disbursement) Reject(by Actor, at time.Time) error {
	if by.ID != d.ProposedBy {
		if err := d.decide(by); err != nil {
			return err
		}
	} else if d.State != DisbursementProposed {
		return apperr.New(apperr.Conflict, "disbursement is %s, not proposed", d.State)
	}
	d.State, d.DecidedBy, d.DecidedAt = DisbursementRejected, by.ID, at
	return nil
}

func (d *Disbursement) decide(by Actor) error {
	if d.State != DisbursementProposed {
		return apperr.New(apperr.Conflict, "disbursement is %s, not proposed", d.State)
	}
	if by.Role != RoleOrganizer && by.Role != RoleSteward {
		return apperr.New(apperr.Forbidden, "only an organizer or a steward may decide on a disbursement")
	}
	if by.ID == "" || by.ID == d.ProposedBy {
		return apperr.New(apperr.Forbidden, "a disbursement must be approved by someone other than its proposer")
	}
	return nil
}

// Disburse builds the disbursement transaction of an approved disbursement,
// drawing on the money allowed for its use: first money restricted to the
// fewest uses, then unrestricted money, then loan money. Its key is derived
// from the disbursement's id, so posting it twice posts it once.
func Disburse(b *Book, c Campaign, d Disbursement, at time.Time) (Transaction, error) {
	if d.State != DisbursementApproved {
		return Transaction{}, apperr.New(apperr.Conflict, "disbursement is %s; only an approved one is posted", d.State)
	}
	if err := c.acceptsMoney(); err != nil {
		return Transaction{}, err
	}
	t := newTransaction(c.ID, KindDisbursement, TxMeta{Key: "disbursement/" + d.ID, Memo: d.Memo, At: at})
	t.Disbursement = &DisbursementRef{ID: d.ID, Use: d.Use, Payee: d.Payee, ProposedBy: d.ProposedBy, ApprovedBy: d.DecidedBy}
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[c.ID]
	left := d.Amount.Amount
	if l != nil {
		for _, h := range l.spendable(d.Use) {
			take := min(left, h.amount)
			t.Postings = append(t.Postings, Posting{h.account, DisbursedAccount(c.ID, d.Use), Money{take, l.currency}})
			if left -= take; left == 0 {
				break
			}
		}
	}
	if left > 0 {
		var f apperr.Fields
		f.Add("amount", "is more than the %s received and allowed for %s", Money{d.Amount.Amount - left, d.Amount.Currency}, d.Use)
		return Transaction{}, f.Err()
	}
	return t, nil
}

// MarkPosted records that the disbursement's transaction is in the ledger.
func (d *Disbursement) MarkPosted(t Transaction) {
	d.State, d.TransactionID, d.PostedAt = DisbursementPosted, t.ID, t.Time
}
