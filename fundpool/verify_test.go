package fundpool

import (
	"testing"
)

// validLedger returns the transactions of a small campaign that keeps every
// invariant: a resident pledge matched by a grant, a grant receipt, a
// disbursement and a reversal.
func validLedger(t *testing.T) (*Book, Campaign) {
	t.Helper()
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	commit(t, b, must[Transaction](t)(AwardGrant(c, fema(c), meta("grant"))))
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p1", 20000, true), meta("p1"))))
	commit(t, b, must[[]Transaction](t)(ReceivePledge(b, c, "p1", usd(10000), meta("r1")))...)
	commit(t, b, must[Transaction](t)(ReceiveGrant(b, c, "g-fema", usd(20000), meta("gr1"))))
	d := Disbursement{ID: "d1", CampaignID: c.ID, Amount: usd(25000), Use: UseLandAcquisition, Payee: "Seller",
		State: DisbursementApproved, ProposedBy: "o1", DecidedBy: "o2"}
	commit(t, b, must[Transaction](t)(Disburse(b, c, d, t0)))
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p2", 500, false), meta("p2"))))
	commit(t, b, must[[]Transaction](t)(ReverseTx(b, TransactionID(c.ID, "p2"), meta("undo-p2")))...)
	return b, c
}

func byKey(txs []Transaction, key string) int {
	for i, tx := range txs {
		if tx.IdempotencyKey == key {
			return i
		}
	}
	panic("no transaction with key " + key)
}

func TestVerifyFindsEachViolation(t *testing.T) {
	b, c := validLedger(t)
	if r := b.Verify(); !r.OK() || r.Transactions != 8 {
		t.Fatalf("valid ledger: %+v", r)
	}
	tests := []struct {
		name    string
		corrupt func([]Transaction) []Transaction
		want    Rule
	}{
		{"duplicate id", func(txs []Transaction) []Transaction {
			return append(txs, txs[byKey(txs, "p1")])
		}, RuleDuplicate},
		{"spending before receiving", func(txs []Transaction) []Transaction {
			i, j := byKey(txs, "gr1"), byKey(txs, "disbursement/d1")
			txs[i].Seq, txs[j].Seq = txs[j].Seq, txs[i].Seq
			return txs
		}, RuleNegative},
		{"restricted money paid for another use", func(txs []Transaction) []Transaction {
			i := byKey(txs, "disbursement/d1")
			txs[i].Postings = []Posting{{RestrictedAccount(c.ID, []Use{UseLandAcquisition, UseRelocation}), DisbursedAccount(c.ID, UseInfrastructure), usd(100)}}
			txs[i].Disbursement.Use = UseInfrastructure
			return txs
		}, RuleRestriction},
		{"grant money restricted to the wrong uses", func(txs []Transaction) []Transaction {
			i := byKey(txs, "gr1")
			txs[i].Postings[0].Destination = RestrictedAccount(c.ID, []Use{UseAdministration})
			return txs
		}, RuleRestriction},
		{"match above its ratio", func(txs []Transaction) []Transaction {
			i := byKey(txs, "r1/match/g-fema")
			txs[i].Postings[0].Amount = usd(10001)
			return txs
		}, RuleMatch},
		{"match above its cap", func(txs []Transaction) []Transaction {
			i := byKey(txs, "grant")
			m := *txs[i].Source.Match
			m.Cap = usd(9999)
			txs[i].Source.Match = &m
			return txs
		}, RuleMatch},
		{"reversed twice", func(txs []Transaction) []Transaction {
			r := txs[byKey(txs, "undo-p2")]
			r.IdempotencyKey = "undo-p2-again"
			r.ID = TransactionID(c.ID, r.IdempotencyKey)
			r.Seq = 100
			return append(txs, r)
		}, RuleReversal},
		{"reversal of nothing", func(txs []Transaction) []Transaction {
			txs[byKey(txs, "undo-p2")].Ref = "tx_missing"
			return txs
		}, RuleReversal},
		{"reversal that is no mirror", func(txs []Transaction) []Transaction {
			txs[byKey(txs, "undo-p2")].Postings[0].Amount = usd(499)
			return txs
		}, RuleReversal},
		{"self-approved disbursement", func(txs []Transaction) []Transaction {
			txs[byKey(txs, "disbursement/d1")].Disbursement.ApprovedBy = "o1"
			return txs
		}, RuleApproval},
		{"posting outside the chart of accounts", func(txs []Transaction) []Transaction {
			txs[byKey(txs, "p1")].Postings[0].Destination = "campaign:c1:piggybank"
			return txs
		}, RuleShape},
		{"id not derived from its key", func(txs []Transaction) []Transaction {
			txs[byKey(txs, "p1")].IdempotencyKey = "p1-edited"
			return txs
		}, RuleShape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			txs := deepCopy(b.All())
			r := Verify(tt.corrupt(txs))
			if !hasRule(r, tt.want) {
				t.Fatalf("violations %+v do not include %s", r.Violations, tt.want)
			}
		})
	}
}

func deepCopy(txs []Transaction) []Transaction {
	out := make([]Transaction, len(txs))
	for i, tx := range txs {
		tx.Postings = append([]Posting(nil), tx.Postings...)
		if tx.Disbursement != nil {
			d := *tx.Disbursement
			tx.Disbursement = &d
		}
		out[i] = tx
	}
	return out
}

func hasRule(r Report, rule Rule) bool {
	for _, v := range r.Violations {
		if v.Rule == rule {
			return true
		}
	}
	return false
}

func TestVerifyFindsBookDrift(t *testing.T) {
	b, c := validLedger(t)
	b.mu.Lock()
	b.campaigns[c.ID].balances[ReceivedAccount(c.ID)]++
	b.mu.Unlock()
	r := b.Verify()
	if !hasRule(r, RuleBalance) {
		t.Fatalf("drift not found: %+v", r.Violations)
	}
	b.mu.Lock()
	b.campaigns[c.ID].balances[ReceivedAccount(c.ID)]--
	b.campaigns[c.ID].classes[ClassReceived]++
	b.mu.Unlock()
	if r := b.Verify(); !hasRule(r, RuleBalance) {
		t.Fatalf("class drift not found: %+v", r.Violations)
	}
}
