package fundpool

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
)

// fema returns a grant of 400.00 USD for land and relocation that matches
// resident pledges 1:1 up to 150.00 USD.
func fema(c Campaign) Grant {
	return Grant{
		ID: "g-fema", CampaignID: c.ID, Funder: "FEMA", Program: "Hazard Mitigation Grant Program",
		AwardID: "HMGP-4562-0042", Awarded: usd(40000),
		Uses:  []Use{UseRelocation, UseLandAcquisition},
		Match: &MatchRule{Match: 1, Per: 1, Cap: usd(15000)},
	}
}

func TestLedgerScenario(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	commit(t, b, must[Transaction](t)(AwardGrant(c, fema(c), meta("grant"))))
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p1", 20000, true), meta("p1"))))
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p2", 30000, false), meta("p2"))))
	commit(t, b, must[Transaction](t)(CommitLoan(c, LoanCommitment{ID: "l1", CampaignID: c.ID, Lender: "Rogue Credit Union", Amount: usd(10000)}, meta("l1"))))

	// A resident pays 100.00: FEMA matches 100.00.
	txs := must[[]Transaction](t)(ReceivePledge(b, c, "p1", usd(10000), meta("r1")))
	if len(txs) != 2 || txs[1].Kind != KindMatchEarned || txs[1].Total() != usd(10000) {
		t.Fatalf("receipt and match = %+v", txs)
	}
	if !strings.Contains(txs[1].Explanation, "FEMA matches 1:1") {
		t.Errorf("explanation = %q", txs[1].Explanation)
	}
	commit(t, b, txs...)
	// The second 100.00 is matched only up to the 150.00 cap.
	txs = must[[]Transaction](t)(ReceivePledge(b, c, "p1", usd(10000), meta("r2")))
	if len(txs) != 2 || txs[1].Total() != usd(5000) || !strings.Contains(txs[1].Explanation, "cut to what the cap left") {
		t.Fatalf("capped match = %+v", txs)
	}
	commit(t, b, txs...)
	// A non-resident's receipt is not matched.
	txs = must[[]Transaction](t)(ReceivePledge(b, c, "p2", usd(5000), meta("r3")))
	if len(txs) != 1 {
		t.Fatalf("non-resident receipt earned matches: %+v", txs)
	}
	commit(t, b, txs...)
	commit(t, b, must[Transaction](t)(ReceiveGrant(b, c, "g-fema", usd(30000), meta("gr1"))))
	commit(t, b, must[Transaction](t)(DrawLoan(b, c, "l1", usd(2000), meta("ld1"))))

	if got, want := b.Balance(RestrictedAccount(c.ID, []Use{UseLandAcquisition, UseRelocation})), usd(30000); got != want {
		t.Errorf("restricted balance = %v, want %v", got, want)
	}
	if got, want := b.Available(c.ID, UseInfrastructure), usd(25000+2000); got != want {
		t.Errorf("available for infrastructure = %v, want %v", got, want)
	}
	if got, want := b.Available(c.ID, UseLandAcquisition), usd(25000+2000+30000); got != want {
		t.Errorf("available for land = %v, want %v", got, want)
	}

	// Land: 350.00 draws 300.00 restricted first, then 50.00 unrestricted.
	org1, org2 := Actor{"o1", RoleOrganizer}, Actor{"o2", RoleOrganizer}
	d := must[Disbursement](t)(ProposeDisbursement(b, c, Disbursement{ID: "d1", CampaignID: c.ID, Amount: usd(35000), Use: UseLandAcquisition, Payee: "Title company"}, org1, t0))
	must[struct{}](t)(struct{}{}, d.Approve(org2, t0))
	dt := must[Transaction](t)(Disburse(b, c, d, t0.Add(2*time.Hour)))
	wantPostings := []Posting{
		{RestrictedAccount(c.ID, []Use{UseLandAcquisition, UseRelocation}), DisbursedAccount(c.ID, UseLandAcquisition), usd(30000)},
		{ReceivedAccount(c.ID), DisbursedAccount(c.ID, UseLandAcquisition), usd(5000)},
	}
	if diff := cmp.Diff(dt.Postings, wantPostings); diff != "" {
		t.Fatalf("disbursement postings (-got +want):\n%s", diff)
	}
	commit(t, b, dt)
	d.MarkPosted(dt)

	p := b.Progress(c)
	checks := []struct {
		name      string
		got, want Money
	}{
		{"pledged", p.Pledged, usd(50000)},
		{"awarded", p.Awarded, usd(40000)},
		{"matched", p.Matched, usd(15000)},
		{"loans", p.Loans, usd(10000)},
		{"gifts", p.Gifts, usd(105000)},
		{"committed", p.Committed, usd(115000)},
		{"received", p.Received, usd(20000 + 5000 + 30000 + 2000)},
		{"available", p.Available, usd(57000 - 35000)},
		{"disbursed", p.Disbursed, usd(35000)},
		{"remaining", p.Remaining, usd(0)},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if p.PercentFunded != 11500 {
		t.Errorf("percent funded = %d basis points, want 11500", p.PercentFunded)
	}
	if p.FundedAt.IsZero() {
		t.Error("FundedAt is zero although the target was reached")
	}
	wantFunders := []FunderTotals{
		{Funder: "FEMA", Kind: SourceGrant, Awarded: usd(40000), Matched: usd(15000), Received: usd(30000)},
		{Funder: "Rogue Credit Union", Kind: SourceLoan, Awarded: usd(10000), Matched: usd(0), Received: usd(2000)},
	}
	if diff := cmp.Diff(p.ByFunder, wantFunders); diff != "" {
		t.Errorf("by funder (-got +want):\n%s", diff)
	}
	wantRestrictions := []RestrictionTotals{
		{Received: usd(25000), Available: usd(20000)},
		{Financing: true, Received: usd(2000), Available: usd(2000)},
		{Uses: []Use{UseLandAcquisition, UseRelocation}, Received: usd(30000), Available: usd(0)},
	}
	if diff := cmp.Diff(p.ByRestriction, wantRestrictions); diff != "" {
		t.Errorf("by restriction (-got +want):\n%s", diff)
	}
	if got, want := p.DisbursedBy, []UseTotal{{UseLandAcquisition, usd(35000)}}; !cmp.Equal(got, want) {
		t.Errorf("disbursed by use = %v, want %v", got, want)
	}
	if len(p.Daily) != 1 || p.Daily[0].CumulativeReceived != p.Received || p.Daily[0].CumulativeDisbursed != p.Disbursed {
		t.Errorf("daily = %+v", p.Daily)
	}
	st, _ := b.PledgeStatus(c.ID, "p2")
	if want := (PledgeStatus{"p2", PledgeReceived, usd(30000), usd(5000), usd(25000)}); st != want {
		t.Errorf("p2 status = %+v, want %+v", st, want)
	}
	if r := b.Verify(); !r.OK() {
		t.Fatalf("verify: %+v", r.Violations)
	}

	// Undoing the first receipt undoes its match first.
	rev := must[[]Transaction](t)(ReverseTx(b, TransactionID(c.ID, "r1"), meta("undo-r1")))
	if len(rev) != 2 || rev[0].Ref != TransactionID(c.ID, "r1/match/g-fema") || rev[1].Ref != TransactionID(c.ID, "r1") {
		t.Fatalf("reversals = %+v", rev)
	}
	wantKind(t, b.Check(rev[1]), apperr.Conflict) // the receipt cannot go before its match
	commit(t, b, rev...)
	if got := b.Progress(c).Matched; got != usd(5000) {
		t.Errorf("matched after reversal = %v, want 50.00 USD", got)
	}
	_, err := ReverseTx(b, TransactionID(c.ID, "r1"), meta("undo-r1-again"))
	wantKind(t, err, apperr.Conflict)
	if r := b.Verify(); !r.OK() {
		t.Fatalf("verify after reversal: %+v", r.Violations)
	}
}

// TestBadInputsLeaveLedgerUnchanged runs each refused operation of the
// fund pool's bad-input list and checks the ledger did not change at all.
func TestBadInputsLeaveLedgerUnchanged(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", AllOrNothing)
	kwyr := openCampaign(t, "c2", KeepWhatYouRaise)
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "p1", 20000, true), meta("p1"))))
	commit(t, b, must[Transaction](t)(MakePledge(kwyr, pledge(kwyr, "p1", 20000, false), meta("p1"))))
	commit(t, b, must[Transaction](t)(AwardGrant(kwyr, Grant{ID: "g1", CampaignID: kwyr.ID, Funder: "FEMA", Awarded: usd(50000), Uses: []Use{UseInfrastructure}}, meta("g1"))))
	commit(t, b, must[[]Transaction](t)(ReceivePledge(b, kwyr, "p1", usd(10000), meta("r1")))...)
	commit(t, b, must[Transaction](t)(ReceiveGrant(b, kwyr, "g1", usd(50000), meta("gr1"))))
	before := snap(b, c.ID, kwyr.ID)

	draft, failed, closed := c, c, c
	draft.Status, failed.Status, closed.Status = StatusDraft, StatusFailed, StatusCompleted
	org1 := Actor{"o1", RoleOrganizer}
	approved := Disbursement{ID: "d1", CampaignID: kwyr.ID, Amount: usd(10001), Use: UseLandAcquisition, Payee: "Seller", State: DisbursementApproved, ProposedBy: "o1", DecidedBy: "o2"}

	tests := []struct {
		name string
		run  func() error
		kind apperr.Kind
	}{
		{"zero amount", func() error { _, err := MakePledge(c, pledge(c, "p9", 0, false), meta("k")); return err }, apperr.Unprocessable},
		{"negative amount", func() error { _, err := MakePledge(c, pledge(c, "p9", -5, false), meta("k")); return err }, apperr.Unprocessable},
		{"amount over 10^15", func() error { _, err := MakePledge(c, pledge(c, "p9", MaxAmount+1, false), meta("k")); return err }, apperr.Unprocessable},
		{"fractional minor units", func() error { _, err := ParseMoney("10.005", "USD"); return err }, apperr.Unprocessable},
		{"other currency", func() error {
			p := pledge(c, "p9", 100, false)
			p.Amount.Currency = "EUR"
			_, err := MakePledge(c, p, meta("k"))
			return err
		}, apperr.Unprocessable},
		{"pledge to draft", func() error { _, err := MakePledge(draft, pledge(draft, "p9", 100, false), meta("k")); return err }, apperr.Conflict},
		{"pledge to failed", func() error { _, err := MakePledge(failed, pledge(failed, "p9", 100, false), meta("k")); return err }, apperr.Conflict},
		{"pledge to closed", func() error { _, err := MakePledge(closed, pledge(closed, "p9", 100, false), meta("k")); return err }, apperr.Conflict},
		{"receipt before an all-or-nothing campaign is funded", func() error { _, err := ReceivePledge(b, c, "p1", usd(100), meta("k")); return err }, apperr.Conflict},
		{"receipt above outstanding", func() error { _, err := ReceivePledge(b, kwyr, "p1", usd(10001), meta("k")); return err }, apperr.Unprocessable},
		{"disbursement above received", func() error {
			_, err := ProposeDisbursement(b, kwyr, Disbursement{ID: "d1", CampaignID: kwyr.ID, Amount: usd(60001), Use: UseInfrastructure, Payee: "Builder"}, org1, t0)
			return err
		}, apperr.Unprocessable},
		{"disbursement for a use the money does not allow", func() error { _, err := Disburse(b, kwyr, approved, t0); return err }, apperr.Unprocessable},
		{"proposer approving their own", func() error {
			d := must[Disbursement](t)(ProposeDisbursement(b, kwyr, Disbursement{ID: "d2", CampaignID: kwyr.ID, Amount: usd(100), Use: UseInfrastructure, Payee: "Builder"}, org1, t0))
			return d.Approve(org1, t0)
		}, apperr.Forbidden},
		{"unapproved disbursement", func() error {
			d := must[Disbursement](t)(ProposeDisbursement(b, kwyr, Disbursement{ID: "d3", CampaignID: kwyr.ID, Amount: usd(100), Use: UseInfrastructure, Payee: "Builder"}, org1, t0))
			_, err := Disburse(b, kwyr, d, t0)
			return err
		}, apperr.Conflict},
		{"self-approved disbursement forged into the ledger", func() error {
			d := Disbursement{ID: "d4", CampaignID: kwyr.ID, Amount: usd(100), Use: UseInfrastructure, Payee: "Builder", State: DisbursementApproved, ProposedBy: "o1", DecidedBy: "o2"}
			tx := must[Transaction](t)(Disburse(b, kwyr, d, t0))
			tx.Disbursement.ApprovedBy = "o1"
			_, _, err := b.Append(tx)
			return err
		}, apperr.Forbidden},
		{"restricted money forged toward another use", func() error {
			tx := newTransaction(kwyr.ID, KindDisbursement, meta("forged"))
			tx.Disbursement = &DisbursementRef{ID: "d5", Use: UseLandAcquisition, ProposedBy: "o1", ApprovedBy: "o2"}
			tx.Postings = []Posting{{RestrictedAccount(kwyr.ID, []Use{UseInfrastructure}), DisbursedAccount(kwyr.ID, UseLandAcquisition), usd(100)}}
			_, _, err := b.Append(tx)
			return err
		}, apperr.Unprocessable},
		{"missing idempotency key", func() error { return ValidateIdempotencyKey("") }, apperr.Invalid},
		{"reused idempotency key", func() error {
			tx := must[Transaction](t)(MakePledge(kwyr, pledge(kwyr, "p2", 500, false), meta("p1")))
			_, _, err := b.Append(tx)
			return err
		}, apperr.Conflict},
		{"budget not summing to target", func() error {
			d := c
			d.Target = usd(1)
			return d.Validate()
		}, apperr.Unprocessable},
		{"pledge recorded twice under another key", func() error {
			tx := must[Transaction](t)(MakePledge(kwyr, pledge(kwyr, "p1", 500, false), meta("again")))
			_, _, err := b.Append(tx)
			return err
		}, apperr.Conflict},
		{"unbalanced forged posting", func() error {
			tx := newTransaction(kwyr.ID, KindPledgeReceived, meta("forged2"))
			tx.Source = SourceRef{Kind: SourcePledge, ID: "p1"}
			tx.Postings = []Posting{{PledgedAccount(kwyr.ID, "p1"), ReceivedAccount(kwyr.ID), usd(10001)}}
			_, _, err := b.Append(tx)
			return err
		}, apperr.Unprocessable},
		{"posting to another campaign", func() error {
			tx := newTransaction(kwyr.ID, KindPledgeReceived, meta("forged3"))
			tx.Source = SourceRef{Kind: SourcePledge, ID: "p1"}
			tx.Postings = []Posting{{PledgedAccount(c.ID, "p1"), ReceivedAccount(kwyr.ID), usd(1)}}
			_, _, err := b.Append(tx)
			return err
		}, apperr.Unprocessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil {
				t.Fatal("accepted")
			}
			wantKind(t, err, tt.kind)
			var e *apperr.Error
			if !errors.As(err, &e) || (e.Message == "" && len(e.Fields) == 0) {
				t.Errorf("error %v gives no reason", err)
			}
			assertUnchanged(t, before, snap(b, c.ID, kwyr.ID))
		})
	}
}

func TestAppendRetryIsIdempotent(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	tx := must[Transaction](t)(MakePledge(c, pledge(c, "p1", 500, false), meta("k1")))
	commit(t, b, tx)
	retry := tx
	retry.Time = tx.Time.Add(time.Minute) // built again later by a retried request
	got, added, err := b.Append(retry)
	if err != nil || added || !got.Time.Equal(tx.Time) {
		t.Fatalf("retry: added=%v err=%v time=%v", added, err, got.Time)
	}
	if n := len(b.All()); n != 1 {
		t.Fatalf("book holds %d transactions, want 1", n)
	}
}

func TestCommitPersistsBeforeApplying(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	tx := must[Transaction](t)(MakePledge(c, pledge(c, "p1", 500, false), meta("k1")))
	boom := apperr.New(apperr.Unavailable, "the database is unavailable")
	if _, _, err := b.Commit(context.Background(), tx, func(context.Context, []Transaction) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Commit with failing store = %v", err)
	}
	if n := len(b.All()); n != 0 {
		t.Fatalf("book holds %d transactions after a failed store", n)
	}
	var stored []Transaction
	persist := func(_ context.Context, ts []Transaction) error { stored = append(stored, ts...); return nil }
	got, added, err := b.Commit(context.Background(), tx, persist)
	if err != nil || !added || got.Seq != 1 || len(stored) != 1 || stored[0].Seq != 1 {
		t.Fatalf("Commit = %+v, %v, %v; stored %d", got, added, err, len(stored))
	}
	if _, added, err := b.Commit(context.Background(), tx, persist); err != nil || added || len(stored) != 1 {
		t.Fatalf("retried Commit: added=%v err=%v stored=%d", added, err, len(stored))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tx2 := must[Transaction](t)(MakePledge(c, pledge(c, "p2", 500, false), meta("k2")))
	wantKind(t, func() error { _, _, err := b.Commit(ctx, tx2, persist); return err }(), apperr.Unavailable)
}

func TestLoadBookRebuildsTheSameBalances(t *testing.T) {
	b, c := randomLedger(t, 7, 400)
	all := b.All()
	// Shuffle by reversing: LoadBook must sort by campaign and Seq.
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	loaded, err := LoadBook(all)
	if err != nil {
		t.Fatalf("LoadBook: %v", err)
	}
	if diff := cmp.Diff(loaded.Accounts(c.ID), b.Accounts(c.ID)); diff != "" {
		t.Errorf("balances differ (-loaded +original):\n%s", diff)
	}
	if diff := cmp.Diff(loaded.Progress(c), b.Progress(c)); diff != "" {
		t.Errorf("progress differs (-loaded +original):\n%s", diff)
	}
}

func TestTransactionsPagination(t *testing.T) {
	b, c := randomLedger(t, 8, 50)
	all := b.Transactions(c.ID, 0, 1000)
	var paged []Transaction
	for after := int64(0); ; {
		page := b.Transactions(c.ID, after, 7)
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1].Seq
	}
	if diff := cmp.Diff(paged, all); diff != "" || len(all) != len(b.All()) {
		t.Errorf("pages differ from the whole ledger:\n%s", diff)
	}
}

func TestFundedAtFollowsTarget(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", AllOrNothing)
	b.SetTarget(c.ID, c.Target)
	p1 := must[Transaction](t)(MakePledge(c, pledge(c, "p1", 60000, false), TxMeta{Key: "p1", At: t0.Add(time.Hour)}))
	p2 := must[Transaction](t)(MakePledge(c, pledge(c, "p2", 40000, false), TxMeta{Key: "p2", At: t0.Add(2 * time.Hour)}))
	commit(t, b, p1, p2)
	if got := b.Progress(c).FundedAt; !got.Equal(p2.Time) {
		t.Fatalf("FundedAt = %v, want %v", got, p2.Time)
	}
	cancel := must[Transaction](t)(CancelPledge(b, c, "p2", TxMeta{Key: "cancel-p2", At: t0.Add(3 * time.Hour)}))
	commit(t, b, cancel)
	if got := b.Progress(c).FundedAt; !got.IsZero() {
		t.Fatalf("FundedAt = %v after falling below target", got)
	}
	// A target the book was not told about is found by replaying once.
	c.Target = usd(50000)
	if got := b.Progress(c).FundedAt; !got.Equal(p1.Time) {
		t.Fatalf("FundedAt for new target = %v, want %v", got, p1.Time)
	}
	st, _ := b.PledgeStatus(c.ID, "p2")
	if st.State != PledgeCancelled || st.Outstanding.Amount != 0 {
		t.Errorf("cancelled pledge status = %+v", st)
	}
}

func TestBookConcurrentUse(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				id := "p" + string(rune('a'+w)) + itoa(i)
				tx, err := MakePledge(c, pledge(c, id, 100, false), meta(id))
				if err != nil {
					t.Error(err)
					return
				}
				if _, _, err := b.Commit(context.Background(), tx, persistNothing); err != nil {
					t.Error(err)
					return
				}
				_ = b.Progress(c)
			}
		})
	}
	wg.Wait()
	p := b.Progress(c)
	if p.Pledged != usd(8*50*100) || p.Transactions != 400 {
		t.Fatalf("pledged %v in %d transactions, want 400.00 USD in 400", p.Pledged, p.Transactions)
	}
	seqs := map[int64]bool{}
	for _, tx := range b.All() {
		seqs[tx.Seq] = true
	}
	if len(seqs) != 400 {
		t.Errorf("%d distinct Seq values, want 400", len(seqs))
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var s []byte
	for ; i > 0; i /= 10 {
		s = append([]byte{byte('0' + i%10)}, s...)
	}
	return string(s)
}

func TestAccountNames(t *testing.T) {
	valid := []string{
		"campaign:c1:source:pledge:p1", "campaign:c1:pledged:p1", "campaign:c1:received", "campaign:c1:financing",
		"campaign:c1:restricted:land_acquisition+relocation", "campaign:c1:disbursed:infrastructure",
		"campaign:c1:awarded:g1", "campaign:c1:committed:l1", "campaign:c1:source:match:g1",
	}
	for _, name := range valid {
		a, err := ParseAccount(name)
		if err != nil || a.String() != name {
			t.Errorf("ParseAccount(%q) = %+v, %v", name, a, err)
		}
	}
	invalid := []string{
		"", "campaign:c1", "campaign:c1:received:x", "campaign:c1:pledged", "campaign:c1:pledged:",
		"campaign:c1:restricted:relocation+land_acquisition", "campaign:c1:restricted:boats",
		"campaign:c1:disbursed:boats", "campaign:c:1:received", "world:received", "campaign:c1:source:gift:x",
		"campaign:c1:financingx",
	}
	for _, name := range invalid {
		if _, err := ParseAccount(name); err == nil {
			t.Errorf("ParseAccount(%q) accepted", name)
		}
	}
}

func TestNoPromisesAfterTheDeadline(t *testing.T) {
	c := openCampaign(t, "c1", AllOrNothing)
	late := TxMeta{Key: "late", At: c.Deadline}
	_, err := MakePledge(c, pledge(c, "p1", 100, false), late)
	wantKind(t, err, apperr.Conflict)
	_, err = AwardGrant(c, fema(c), late)
	wantKind(t, err, apperr.Conflict)
	_, err = CommitLoan(c, LoanCommitment{ID: "l1", CampaignID: c.ID, Lender: "CU", Amount: usd(100)}, late)
	wantKind(t, err, apperr.Conflict)
}

// TestCommitGroups sends pledges and receipts from many goroutines through a
// slow store: pledges share writes, every other kind is stored alone, the
// store holds exactly what the book holds, in Seq order, and a group whose
// write fails is retried one by one so that only the refused transaction
// fails.
func TestCommitGroups(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	var mu sync.Mutex
	var stored []Transaction
	var groups []int
	persist := func(_ context.Context, txs []Transaction) error {
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		for _, tx := range txs {
			if tx.IdempotencyKey == "refused" {
				return apperr.New(apperr.Unavailable, "the database is unavailable")
			}
		}
		groups = append(groups, len(txs))
		for _, tx := range txs {
			if len(txs) > 1 && !tx.Kind.creates() {
				t.Errorf("a %s was stored in a group of %d", tx.Kind, len(txs))
			}
		}
		stored = append(stored, txs...)
		return nil
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 20 {
				id := "p" + itoa(w) + "-" + itoa(i)
				key := id
				if w == 0 && i == 7 {
					key = "refused"
				}
				tx := must[Transaction](t)(MakePledge(c, pledge(c, id, 100, false), meta(key)))
				_, _, err := b.Commit(context.Background(), tx, persist)
				if key == "refused" {
					wantKind(t, err, apperr.Unavailable)
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				if i%5 == 0 {
					rs := must[[]Transaction](t)(ReceivePledge(b, c, id, usd(40), meta(id+"/r")))
					for _, r := range rs {
						if _, _, err := b.Commit(context.Background(), r, persist); err != nil {
							t.Error(err)
						}
					}
				}
			}
		})
	}
	wg.Wait()
	all := b.All()
	if want := 16*20 - 1 + 16*4; len(all) != want || len(stored) != want {
		t.Fatalf("book holds %d, store %d transactions; want %d", len(all), len(stored), want)
	}
	for i, tx := range all {
		if tx.Seq != int64(i+1) || stored[i].ID != tx.ID || stored[i].Seq != tx.Seq {
			t.Fatalf("transaction %d: book %s seq %d, store %s seq %d", i, tx.ID, tx.Seq, stored[i].ID, stored[i].Seq)
		}
	}
	grouped := 0
	for _, n := range groups {
		if n > 1 {
			grouped++
		}
	}
	if grouped == 0 {
		t.Errorf("no two of %d concurrent pledges shared a write: groups %v", len(all), groups)
	}
	if r := Verify(all); !r.OK() {
		t.Errorf("verify: %+v", r.Violations)
	}
}

func TestForLand(t *testing.T) {
	p := Progress{
		Gifts: usd(100_000), // pledges 30,000 + awards 55,000 + matched 15,000
		ByFunder: []FunderTotals{
			{Funder: "FEMA", Kind: SourceGrant, Awarded: usd(40000), Matched: usd(15000)},
			{Funder: "Oregon Housing", Kind: SourceGrant, Awarded: usd(15000), Matched: usd(0)},
			{Funder: "Rogue Credit Union", Kind: SourceLoan, Awarded: usd(10000)},
		},
	}
	grants := []Grant{
		{Funder: "FEMA", Awarded: usd(40000), Uses: []Use{UseLandAcquisition, UseRelocation}},
		{Funder: "Oregon Housing", Awarded: usd(15000), Uses: []Use{UseHousingConstruction}},
	}
	if got := ForLand(p, grants); got != usd(85_000) {
		t.Errorf("ForLand = %v, want 85,000: everything but the construction grant", got)
	}
	grants[0].Uses = []Use{UseRelocation}
	if got := ForLand(p, grants); got != usd(30_000) {
		t.Errorf("ForLand without land grants = %v, want the pledges alone", got)
	}
	if got := ForLand(Progress{Gifts: usd(10)}, []Grant{{Awarded: usd(50), Uses: []Use{UseAdministration}}}); got != usd(0) {
		t.Errorf("ForLand = %v, want never below zero", got)
	}
}
