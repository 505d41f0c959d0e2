package fundpool

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// randomLedger drives a keep-what-you-raise campaign through n random
// operations of every kind, appending what the constructors build and
// whatever forged transactions the book accepts.
func randomLedger(t testing.TB, seed uint64, n int) (*Book, Campaign) {
	t.Helper()
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	s := &sim{t: t, r: rand.New(rand.NewPCG(seed, seed*7+1)), b: b, c: c}
	for i := range n {
		s.step(i)
	}
	return b, c
}

type sim struct {
	t       testing.TB
	r       *rand.Rand
	b       *Book
	c       Campaign
	pledges []string
	grants  []string
	loans   []string
	pending []string // receipts whose matches were not posted (a stop in between)
	keys    int
}

func (s *sim) key() string { s.keys++; return fmt.Sprintf("k%d", s.keys) }

func (s *sim) at(i int) time.Time { return t0.Add(time.Duration(i) * 37 * time.Minute) }

func (s *sim) pick(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return ids[s.r.IntN(len(ids))]
}

func (s *sim) amount() Money { return usd(1 + s.r.Int64N(20000)) }

// step performs one random operation. Errors are expected (an amount above
// what is outstanding, a reversal that would overdraw); what matters is that
// an error leaves the book unchanged and that success keeps every invariant.
func (s *sim) step(i int) {
	m := TxMeta{Key: s.key(), At: s.at(i), Memo: "op"}
	var txs []Transaction
	var err error
	forged := false
	one := func(tx Transaction, e error) {
		txs, err = []Transaction{tx}, e
	}
	switch s.r.IntN(14) {
	case 0, 1:
		id := fmt.Sprintf("p%d", len(s.pledges))
		one(MakePledge(s.c, pledge(s.c, id, s.amount().Amount, s.r.IntN(2) == 0), m))
		if err == nil {
			s.pledges = append(s.pledges, id)
		}
	case 2, 3:
		txs, err = ReceivePledge(s.b, s.c, s.pick(s.pledges), s.amount(), m)
		if err == nil && len(txs) > 1 && s.r.IntN(4) == 0 {
			s.pending = append(s.pending, txs[0].ID)
			txs = txs[:1] // the process stopped before posting the matches
		}
	case 4:
		id := fmt.Sprintf("g%d", len(s.grants))
		g := Grant{ID: id, CampaignID: s.c.ID, Funder: []string{"FEMA", "Oregon Community Foundation"}[s.r.IntN(2)],
			Awarded: s.amount(), Uses: []Use{Uses()[s.r.IntN(5)], Uses()[s.r.IntN(5)]}}
		if s.r.IntN(2) == 0 {
			g.Match = &MatchRule{Match: 1 + s.r.Int64N(2), Per: 1 + s.r.Int64N(3), Cap: s.amount()}
		}
		one(AwardGrant(s.c, g, m))
		if err == nil {
			s.grants = append(s.grants, id)
		}
	case 5:
		one(ReceiveGrant(s.b, s.c, s.pick(s.grants), s.amount(), m))
	case 6:
		id := fmt.Sprintf("l%d", len(s.loans))
		one(CommitLoan(s.c, LoanCommitment{ID: id, CampaignID: s.c.ID, Lender: "Rogue CU", Amount: s.amount()}, m))
		if err == nil {
			s.loans = append(s.loans, id)
		}
	case 7:
		one(DrawLoan(s.b, s.c, s.pick(s.loans), s.amount(), m))
	case 8, 9:
		d := Disbursement{ID: m.Key, CampaignID: s.c.ID, Amount: s.amount(), Use: Uses()[s.r.IntN(5)], Payee: "Payee"}
		d.State, d.ProposedBy, d.DecidedBy = DisbursementApproved, "o1", "o2"
		one(Disburse(s.b, s.c, d, m.At))
	case 10:
		all := s.b.All()
		if len(all) > 0 {
			txs, err = ReverseTx(s.b, all[s.r.IntN(len(all))].ID, m)
		}
	case 11:
		if s.r.IntN(2) == 0 {
			one(CancelPledge(s.b, s.c, s.pick(s.pledges), m))
		} else {
			one(ReleasePledge(s.b, s.c, s.pick(s.pledges), m))
		}
	case 12:
		if len(s.pending) > 0 {
			txs, err = Rematch(s.b, s.c, s.pending[0], m.At)
			s.pending = s.pending[1:]
		}
	case 13:
		txs, forged = []Transaction{s.forge(m)}, true
	}
	var before snapshot
	if forged {
		before = snap(s.b, s.c.ID)
	}
	if err != nil {
		return
	}
	for _, tx := range txs {
		if _, _, err := s.b.Append(tx); err != nil {
			if forged {
				assertUnchanged(s.t, before, snap(s.b, s.c.ID))
				return
			}
			s.t.Fatalf("step %d: constructor built a transaction the book refuses: %v\n%+v", i, err, tx)
		}
	}
}

// forge builds a transaction by hand that may or may not break a rule: a
// valid one with one field changed at random.
func (s *sim) forge(m TxMeta) Transaction {
	m.Memo = "forged"
	all := s.b.All()
	if len(all) == 0 {
		return Transaction{}
	}
	tx := all[s.r.IntN(len(all))]
	tx.ID, tx.IdempotencyKey, tx.Memo, tx.Seq = TransactionID(s.c.ID, m.Key), m.Key, m.Memo, 0
	tx.Postings = append([]Posting(nil), tx.Postings...)
	if len(tx.Postings) == 0 {
		return tx
	}
	p := &tx.Postings[s.r.IntN(len(tx.Postings))]
	switch s.r.IntN(5) {
	case 0:
		p.Amount.Amount = s.r.Int64N(50000) - 100
	case 1:
		p.Source, p.Destination = p.Destination, p.Source
	case 2:
		p.Destination = DisbursedAccount(s.c.ID, Uses()[s.r.IntN(5)])
	case 3:
		p.Source = RestrictedAccount(s.c.ID, []Use{Uses()[s.r.IntN(5)]})
	case 4:
		tx.Kind = []TxKind{KindDisbursement, KindMatchEarned, KindReversal, KindGrantReceived}[s.r.IntN(4)]
	}
	return tx
}

// bruteForce recomputes balances and progress totals from the postings alone.
type bruteForce struct {
	balances                         map[string]int64
	pledged, awarded, matched, loans int64
	received, available, disbursed   int64
	matchedBy                        map[string]int64
}

func recompute(txs []Transaction) bruteForce {
	bf := bruteForce{balances: map[string]int64{}, matchedBy: map[string]int64{}}
	for _, tx := range txs {
		for _, p := range tx.Postings {
			bf.balances[p.Source] -= p.Amount.Amount
			bf.balances[p.Destination] += p.Amount.Amount
		}
	}
	for name, bal := range bf.balances {
		a, _ := ParseAccount(name)
		switch a.Class {
		case ClassPledgeSource:
			bf.pledged -= bal
			bf.received -= bal
		case ClassGrantSource:
			bf.awarded -= bal
			bf.received -= bal
		case ClassMatchSource:
			bf.matched -= bal
			bf.received -= bal
			bf.matchedBy[a.Key] -= bal
		case ClassLoanSource:
			bf.loans -= bal
			bf.received -= bal
		case ClassPledged, ClassAwarded, ClassCommitted:
			bf.received -= bal
		case ClassReceived, ClassRestricted, ClassFinancing:
			bf.available += bal
		case ClassDisbursed:
			bf.disbursed += bal
		}
	}
	return bf
}

func TestLedgerProperty(t *testing.T) {
	seeds, steps := 12, 250
	if testing.Short() {
		seeds = 3
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			b := NewBook()
			c := openCampaign(t, "c1", KeepWhatYouRaise)
			s := &sim{t: t, r: rand.New(rand.NewPCG(seed, 99)), b: b, c: c}
			for i := range steps {
				s.step(i)
				if i%10 == 9 || i == steps-1 {
					checkAgainstBruteForce(t, b, c, s.grants)
				}
			}
		})
	}
}

func checkAgainstBruteForce(t *testing.T, b *Book, c Campaign, grants []string) {
	t.Helper()
	all := b.All()
	bf := recompute(all)
	got := map[string]int64{}
	for _, ab := range b.Accounts(c.ID) {
		got[ab.Account] = ab.Balance.Amount
		a, _ := ParseAccount(ab.Account)
		if ab.Balance.Amount < 0 && !a.Class.isSource() {
			t.Fatalf("account %s is negative: %v", ab.Account, ab.Balance)
		}
	}
	if diff := cmp.Diff(got, bf.balances); diff != "" {
		t.Fatalf("book balances differ from brute force (-book +brute):\n%s", diff)
	}
	p := b.Progress(c)
	gotTotals := []int64{p.Pledged.Amount, p.Awarded.Amount, p.Matched.Amount, p.Loans.Amount, p.Received.Amount, p.Available.Amount, p.Disbursed.Amount}
	wantTotals := []int64{bf.pledged, bf.awarded, bf.matched, bf.loans, bf.received, bf.available, bf.disbursed}
	if diff := cmp.Diff(gotTotals, wantTotals); diff != "" {
		t.Fatalf("progress differs from brute force (-book +brute):\n%s", diff)
	}
	if n := len(p.Daily); n > 0 && p.Daily[n-1].CumulativeReceived != p.Received {
		t.Fatalf("daily series ends at %v received, want %v", p.Daily[n-1].CumulativeReceived, p.Received)
	}
	for _, g := range grants {
		for _, tx := range all {
			if tx.Kind == KindGrantAwarded && tx.Source.ID == g && tx.Source.Match != nil && bf.matchedBy[g] > tx.Source.Match.Cap.Amount {
				t.Fatalf("grant %s matched %d over its cap %v", g, bf.matchedBy[g], tx.Source.Match.Cap)
			}
		}
	}
	if r := b.Verify(); !r.OK() {
		t.Fatalf("verify: %+v", r.Violations)
	}
}
