package fundpool

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"commonground/apperr"
)

// TxKind is the financial event a transaction records.
type TxKind string

// The transaction kinds.
const (
	KindPledgeMade      TxKind = "pledge_made"
	KindPledgeReceived  TxKind = "pledge_received"
	KindPledgeCancelled TxKind = "pledge_cancelled" // the pledger withdrew what was outstanding
	KindGrantAwarded    TxKind = "grant_awarded"
	KindGrantReceived   TxKind = "grant_received"
	KindMatchEarned     TxKind = "match_earned"
	KindLoanCommitted   TxKind = "loan_committed"
	KindLoanReceived    TxKind = "loan_received"
	KindDisbursement    TxKind = "disbursement"
	KindRelease         TxKind = "release" // an all-or-nothing campaign failed: the outstanding pledge is void
	KindReversal        TxKind = "reversal"
)

// SourceKind is the kind of a source of money.
type SourceKind string

// The source kinds. Pledges and grants are gifts; loans are financing and are
// always shown apart from gifts.
const (
	SourcePledge SourceKind = "pledge"
	SourceGrant  SourceKind = "grant"
	SourceLoan   SourceKind = "loan"
)

// flow is one allowed movement of money for a kind of transaction: from an
// account of class From to one of class To. Source-keyed classes must carry
// the transaction's source id.
type flow struct {
	From, To Class
}

var flows = map[TxKind][]flow{
	KindPledgeMade:      {{ClassPledgeSource, ClassPledged}},
	KindPledgeReceived:  {{ClassPledged, ClassReceived}},
	KindPledgeCancelled: {{ClassPledged, ClassPledgeSource}},
	KindRelease:         {{ClassPledged, ClassPledgeSource}},
	KindGrantAwarded:    {{ClassGrantSource, ClassAwarded}},
	KindGrantReceived:   {{ClassAwarded, ClassRestricted}},
	KindMatchEarned:     {{ClassMatchSource, ClassAwarded}},
	KindLoanCommitted:   {{ClassLoanSource, ClassCommitted}},
	KindLoanReceived:    {{ClassCommitted, ClassFinancing}},
	KindDisbursement:    {{ClassReceived, ClassDisbursed}, {ClassRestricted, ClassDisbursed}, {ClassFinancing, ClassDisbursed}},
}

var sourceOfKind = map[TxKind]SourceKind{
	KindPledgeMade: SourcePledge, KindPledgeReceived: SourcePledge, KindPledgeCancelled: SourcePledge, KindRelease: SourcePledge,
	KindGrantAwarded: SourceGrant, KindGrantReceived: SourceGrant, KindMatchEarned: SourceGrant,
	KindLoanCommitted: SourceLoan, KindLoanReceived: SourceLoan,
}

// Valid reports whether k is a transaction kind.
func (k TxKind) Valid() bool { return k == KindReversal || flows[k] != nil }

// creates reports whether a transaction of kind k brings a new source into
// the ledger and so must carry the source's full description.
func (k TxKind) creates() bool {
	return k == KindPledgeMade || k == KindGrantAwarded || k == KindLoanCommitted
}

// Posting moves Amount from the Source account to the Destination account.
// An account's balance is what flowed in minus what flowed out, so every
// posting sums to zero by construction and a transaction's postings balance
// per currency.
type Posting struct {
	Source      string
	Destination string
	Amount      Money
}

// MatchRule says how a grant matches resident pledges: for every Per minor
// units received on a resident's pledge the grant adds Match minor units
// (1:1 is Match=1, Per=1; 1:2 is Match=1, Per=2), rounded down, until Cap
// has been matched in total.
type MatchRule struct {
	Match int64
	Per   int64
	Cap   Money
}

// SourceRef names the source of money a transaction concerns. The
// transaction that creates a source (pledge_made, grant_awarded,
// loan_committed) also records what the ledger needs to enforce its rules, so
// that the ledger alone is enough to verify every invariant. Names of people
// never enter the append-only ledger: a pledge is known here by its id.
type SourceRef struct {
	Kind     SourceKind
	ID       string
	Resident bool       // pledges: made by a displaced resident, so matching applies
	Funder   string     // grants: the funder (FEMA); loans: the lender
	Program  string     // grants: the program (Hazard Mitigation Grant Program)
	Uses     []Use      // grants: what the money may pay for
	Match    *MatchRule // grants: an optional matching rule
}

// DisbursementRef records who proposed and who approved a disbursement.
type DisbursementRef struct {
	ID         string
	Use        Use
	Payee      string
	ProposedBy string
	ApprovedBy string
}

// Transaction is one financial event: a set of postings that is written once
// and never changed. Mistakes are undone by a reversal.
type Transaction struct {
	ID             string // derived from CampaignID and IdempotencyKey by TransactionID
	CampaignID     string
	Seq            int64 // position in the campaign's ledger, from 1; assigned by Book.Commit
	Kind           TxKind
	Time           time.Time
	IdempotencyKey string
	Memo           string
	Postings       []Posting
	Source         SourceRef
	Disbursement   *DisbursementRef // disbursements only
	// Ref is the transaction this one follows from: the pledge receipt a
	// match_earned matches, or the transaction a reversal undoes.
	Ref string
	// Explanation says, for people, how an amount was computed (a match).
	Explanation string
}

// Limits on transaction text.
const (
	MaxKeyLen  = 200
	MaxMemoLen = 1000
)

// TransactionID derives a transaction's id from its campaign and idempotency
// key. A store that makes the id its unique primary key therefore refuses a
// second transaction with the same key, with no secondary index.
func TransactionID(campaignID, key string) string {
	h := sha256.Sum256([]byte(campaignID + "\x00" + key))
	return "tx_" + hex.EncodeToString(h[:16])
}

// newTransaction fills in the parts every constructor shares.
func newTransaction(campaignID string, kind TxKind, m TxMeta) Transaction {
	return Transaction{
		ID:             TransactionID(campaignID, m.Key),
		CampaignID:     campaignID,
		Kind:           kind,
		Time:           m.At,
		IdempotencyKey: m.Key,
		Memo:           m.Memo,
	}
}

// TxMeta is what every event constructor needs besides its domain inputs.
type TxMeta struct {
	Key  string    // the idempotency key of the request, or one derived from it
	Memo string    // free text shown in the public ledger
	At   time.Time // when the event happened
}

// Reverse returns a transaction that undoes t: the same postings with source
// and destination swapped, in reverse order. It is the only correction the
// ledger allows.
func (t Transaction) Reverse(m TxMeta) Transaction {
	r := newTransaction(t.CampaignID, KindReversal, m)
	r.Source = SourceRef{Kind: t.Source.Kind, ID: t.Source.ID}
	r.Ref = t.ID
	r.Postings = make([]Posting, len(t.Postings))
	for i, p := range t.Postings {
		r.Postings[len(t.Postings)-1-i] = Posting{Source: p.Destination, Destination: p.Source, Amount: p.Amount}
	}
	return r
}

// Total returns the sum of the transaction's posting amounts.
func (t Transaction) Total() Money {
	var sum int64
	for _, p := range t.Postings {
		sum += p.Amount.Amount
	}
	cur := ""
	if len(t.Postings) > 0 {
		cur = t.Postings[0].Amount.Currency
	}
	return Money{Amount: sum, Currency: cur}
}

// sameEvent reports whether o records the same event as t: a retry of the
// same request, built again at another time, is the same event.
func (t Transaction) sameEvent(o Transaction) bool {
	return t.ID == o.ID && t.CampaignID == o.CampaignID && t.Kind == o.Kind && t.Ref == o.Ref &&
		t.Source.Kind == o.Source.Kind && t.Source.ID == o.Source.ID && slices.Equal(t.Postings, o.Postings)
}

// sourceInfo is what the ledger knows of one source of money.
type sourceInfo struct {
	SourceRef
	useSet  string
	created string // id of the transaction that brought the source in
	closed  TxKind // pledge_cancelled or release once a pledge is closed; "" while live
}

// registry resolves the sources of one campaign ("grant:g1" → info).
type registry interface {
	source(kind SourceKind, id string) *sourceInfo
}

// sourceKey identifies a source within its campaign.
type sourceKey struct {
	kind SourceKind
	id   string
}

// checkShape checks the rules a transaction must keep whatever the balances:
// ids and key, kind, currency, and that each posting is a movement its kind
// allows between accounts of its campaign. Reversals are checked against the
// transaction they undo elsewhere. currency is the campaign's currency, or ""
// if the campaign has no transaction yet.
func checkShape(t Transaction, reg registry, currency string) error {
	var f apperr.Fields
	if !validID(t.CampaignID) {
		f.Add("campaign_id", "is not a valid id")
	}
	if t.IdempotencyKey == "" || len(t.IdempotencyKey) > MaxKeyLen || !utf8.ValidString(t.IdempotencyKey) {
		f.Add("idempotency_key", "must be 1 to %d bytes of text", MaxKeyLen)
	} else if t.ID != TransactionID(t.CampaignID, t.IdempotencyKey) {
		f.Add("id", "does not match the idempotency key")
	}
	if !t.Kind.Valid() {
		f.Add("kind", "is not a transaction kind")
	}
	if t.Time.IsZero() {
		f.Add("time", "must be given")
	}
	if utf8.RuneCountInString(t.Memo) > MaxMemoLen || !utf8.ValidString(t.Memo) {
		f.Add("memo", "must be at most %d characters of text", MaxMemoLen)
	}
	if len(f) > 0 {
		return f.Err()
	}
	if want, ok := sourceOfKind[t.Kind]; ok && (t.Source.Kind != want || !validID(t.Source.ID)) {
		f.Add("source", "must name the %s the transaction concerns", want)
		return f.Err()
	}
	info, err := checkSource(t, reg)
	if err != nil {
		return err
	}
	if len(t.Postings) == 0 && !(t.Kind == KindGrantAwarded && t.Source.Match != nil) {
		f.Add("postings", "must not be empty")
	}
	for i, p := range t.Postings {
		checkPosting(&f, "postings."+strconv.Itoa(i), t, p, info, currency)
	}
	return f.Err()
}

// checkSource checks the source a transaction names: a new one must not
// exist yet and must be fully described; any other must exist.
func checkSource(t Transaction, reg registry) (*sourceInfo, error) {
	want, ok := sourceOfKind[t.Kind]
	if !ok {
		return nil, nil
	}
	info := reg.source(want, t.Source.ID)
	if !t.Kind.creates() {
		if info == nil {
			return nil, apperr.New(apperr.Unprocessable, "%s %s is not in this campaign's ledger", want, t.Source.ID)
		}
		return info, nil
	}
	if info != nil {
		return nil, apperr.New(apperr.Conflict, "%s %s is already in the ledger", want, t.Source.ID)
	}
	var f apperr.Fields
	if t.Kind == KindGrantAwarded {
		if useSet(t.Source.Uses) == "" {
			f.Add("source.uses", "must list at least one known use")
		}
		if m := t.Source.Match; m != nil && (m.Match <= 0 || m.Per <= 0 || m.Cap.Amount <= 0) {
			f.Add("source.match", "must have a positive ratio and cap")
		}
	}
	return &sourceInfo{SourceRef: t.Source, useSet: useSet(t.Source.Uses)}, f.Err()
}

func checkPosting(f *apperr.Fields, field string, t Transaction, p Posting, info *sourceInfo, currency string) {
	if p.Amount.Amount <= 0 || p.Amount.Amount > MaxAmount {
		f.Add(field+".amount", "must be positive and at most %d minor units", MaxAmount)
	}
	if _, err := LookupCurrency(p.Amount.Currency); err != nil || (currency != "" && p.Amount.Currency != currency) {
		f.Add(field+".amount.currency", "must be the campaign's currency")
	}
	src, ok1 := parseAccount(p.Source)
	dst, ok2 := parseAccount(p.Destination)
	if !ok1 || !ok2 || src.Campaign != t.CampaignID || dst.Campaign != t.CampaignID {
		f.Add(field, "must move money between accounts of campaign %s", t.CampaignID)
		return
	}
	if t.Kind == KindReversal {
		return
	}
	if !slices.Contains(flows[t.Kind], flow{src.Class, dst.Class}) {
		f.Add(field, "a %s cannot move money from %s to %s", t.Kind, src.Class, dst.Class)
		return
	}
	for _, a := range [2]Account{src, dst} {
		keyed := a.Class.isSource() || a.Class.isOutstanding()
		if keyed && a.Key != t.Source.ID {
			f.Add(field, "account %s does not belong to %s %s", a, t.Source.Kind, t.Source.ID)
		}
	}
	switch t.Kind {
	case KindGrantReceived:
		if dst.Key != info.useSet {
			f.Add(field+".destination", "grant %s money must be restricted to %s", info.ID, info.useSet)
		}
	case KindDisbursement:
		d := t.Disbursement
		if d == nil || dst.Key != string(d.Use) {
			f.Add(field+".destination", "must be the disbursement's use")
		} else if src.Class == ClassRestricted && !setAllows(src.Key, d.Use) {
			f.Add(field+".source", "money restricted to %s cannot pay for %s", src.Key, d.Use)
		}
	}
}

// checkApproval checks that a disbursement was approved by someone other than
// its proposer.
func checkApproval(t Transaction) error {
	if t.Kind != KindDisbursement {
		return nil
	}
	d := t.Disbursement
	if d == nil || d.ProposedBy == "" || d.ApprovedBy == "" || d.ProposedBy == d.ApprovedBy {
		return apperr.New(apperr.Forbidden, "a disbursement needs approval by someone other than its proposer")
	}
	return nil
}

// checkReversal checks that r undoes orig exactly and may do so.
func checkReversal(r Transaction, orig *Transaction, reversedBy string) error {
	switch {
	case orig == nil || orig.CampaignID != r.CampaignID:
		return apperr.New(apperr.Unprocessable, "reversal refers to a transaction not in this campaign's ledger")
	case orig.Kind == KindReversal:
		return apperr.New(apperr.Conflict, "a reversal cannot be reversed; record the event again")
	case reversedBy != "":
		return apperr.New(apperr.Conflict, "transaction %s was already reversed by %s", orig.ID, reversedBy)
	}
	want := orig.Reverse(TxMeta{})
	if !slices.Equal(r.Postings, want.Postings) || r.Source.Kind != orig.Source.Kind || r.Source.ID != orig.Source.ID {
		return apperr.New(apperr.Unprocessable, "a reversal must swap the source and destination of every posting of %s", orig.ID)
	}
	return nil
}
