package fundpool

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchLedger builds a keep-what-you-raise campaign with about n
// transactions spread over a year: pledges, receipts with matches, grant
// receipts and disbursements, generated in code.
func benchLedger(tb testing.TB, n int) (*Book, Campaign) {
	tb.Helper()
	b := NewBook()
	c := openCampaign(tb, "bench", KeepWhatYouRaise)
	c.Target = usd(1 << 50) // never funded, so every pledge is accepted
	c.Budget = []BudgetLine{{Category: BudgetLandPrice, Amount: c.Target}}
	c.Deadline = t0.AddDate(2, 0, 0)
	step := 365 * 24 * time.Hour / time.Duration(n)
	add := func(txs ...Transaction) {
		for _, tx := range txs {
			if _, _, err := b.Append(tx); err != nil {
				tb.Fatalf("append: %v", err)
			}
		}
	}
	grant := Grant{ID: "fema", CampaignID: c.ID, Funder: "FEMA", Awarded: usd(1 << 40), Uses: []Use{UseLandAcquisition},
		Match: &MatchRule{Match: 1, Per: 1, Cap: usd(1 << 40)}}
	add(must[Transaction](tb)(AwardGrant(c, grant, TxMeta{Key: "fema", At: t0})))
	for i := 0; len(b.campaigns[c.ID].txs) < n; i++ {
		m := TxMeta{Key: fmt.Sprint("k", i), At: t0.Add(time.Duration(len(b.campaigns[c.ID].txs)) * step)}
		id := fmt.Sprint("p", i)
		add(must[Transaction](tb)(MakePledge(c, pledge(c, id, 10000, i%2 == 0), m)))
		m.Key += "r"
		add(must[[]Transaction](tb)(ReceivePledge(b, c, id, usd(6000), m))...)
		if i%10 == 0 {
			m.Key += "g"
			add(must[Transaction](tb)(ReceiveGrant(b, c, "fema", usd(5000), m)))
			d := Disbursement{ID: fmt.Sprint("d", i), CampaignID: c.ID, Amount: usd(8000), Use: UseLandAcquisition,
				Payee: "Seller", State: DisbursementApproved, ProposedBy: "o1", DecidedBy: "o2"}
			add(must[Transaction](tb)(Disburse(b, c, d, m.At)))
		}
	}
	return b, c
}

// TestBenchLedger keeps the benchmarks' generator working: benchmarks do
// not run with the tests.
func TestBenchLedger(t *testing.T) {
	b, c := benchLedger(t, 500)
	p := b.Progress(c)
	if p.Transactions < 500 || p.Matched.Amount == 0 || p.Disbursed.Amount == 0 || len(p.Daily) < 100 {
		t.Fatalf("bench ledger progress = %+v", p)
	}
	if r := b.Verify(); !r.OK() {
		t.Fatalf("verify: %+v", r.Violations)
	}
}

func BenchmarkProgress100k(b *testing.B) {
	book, c := benchLedger(b, 100_000)
	book.SetTarget(c.ID, c.Target)
	b.ReportAllocs()
	for b.Loop() {
		p := book.Progress(c)
		if p.Transactions < 100_000 {
			b.Fatalf("only %d transactions", p.Transactions)
		}
	}
}

func BenchmarkAppendPledge(b *testing.B) {
	book := NewBook()
	c := openCampaign(b, "c1", KeepWhatYouRaise)
	txs := make([]Transaction, 0, 1<<16)
	for i := range cap(txs) {
		txs = append(txs, must[Transaction](b)(MakePledge(c, pledge(c, fmt.Sprint("p", i), 1000, false), meta(fmt.Sprint("k", i)))))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(txs) {
			b.StopTimer()
			book, i = NewBook(), 0
			b.StartTimer()
		}
		if _, _, err := book.Commit(context.Background(), txs[i], persistNothing); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkReceivePledgeWithMatch(b *testing.B) {
	book, c := benchLedger(b, 1000)
	id := "big"
	commit(b, book, must[Transaction](b)(MakePledge(c, pledge(c, id, MaxAmount, true), meta(id))))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		txs, err := ReceivePledge(book, c, id, usd(1), meta(fmt.Sprint("r", i)))
		if err != nil {
			b.Fatal(err)
		}
		for _, tx := range txs {
			if _, _, err := book.Append(tx); err != nil {
				b.Fatal(err)
			}
		}
		i++
	}
}

func BenchmarkLoadBook10k(b *testing.B) {
	book, _ := benchLedger(b, 10_000)
	all := book.All()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadBook(all); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify10k(b *testing.B) {
	book, _ := benchLedger(b, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		if r := book.Verify(); !r.OK() {
			b.Fatal(r.Violations[0])
		}
	}
}

func BenchmarkParseMoney(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMoney("1234567.89", "USD"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerprint(b *testing.B) {
	body := []byte(`{"pledger":{"kind":"person","name":"Rosa Hernández"},"amount":{"amount_minor":25000,"currency":"USD"},"anonymous":true}`)
	b.ReportAllocs()
	for b.Loop() {
		_ = Fingerprint("POST", "/api/v1/campaigns/almeda-talent/pledges", body)
	}
}
