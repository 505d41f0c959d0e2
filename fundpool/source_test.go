package fundpool

import (
	"strings"
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
)

func TestPledgeValidateNamesEveryBadField(t *testing.T) {
	c := openCampaign(t, "c1", AllOrNothing)
	p := Pledge{
		ID:         "p:1",
		CampaignID: "other",
		Pledger:    Pledger{Kind: "robot", Name: "", ResidentID: "bad id"},
		Amount:     usd(1000),
		Schedule: []Instalment{
			{Due: t0.Add(48 * time.Hour), Amount: usd(600)},
			{Due: t0.Add(24 * time.Hour), Amount: Money{300, "EUR"}},
			{Amount: usd(0)},
		},
	}
	got := fieldNames(t, p.Validate(c))
	want := []string{
		"id", "campaign_id", "pledger.kind", "pledger.name", "pledger.resident_id",
		"schedule.1.amount.currency", "schedule.1.due", "schedule.2.amount.amount_minor", "schedule.2.due", "schedule",
	}
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("fields (-got +want):\n%s", d)
	}
	good := pledge(c, "p1", 1000, false)
	good.Schedule = []Instalment{{Due: t0, Amount: usd(400)}, {Due: t0.Add(time.Hour), Amount: usd(600)}}
	if err := good.Validate(c); err != nil {
		t.Errorf("valid pledge with schedule: %v", err)
	}
}

func TestPublicName(t *testing.T) {
	p := Pledge{Pledger: Pledger{Name: "Rosa Hernández"}}
	if got := p.PublicName(); got != "Rosa Hernández" {
		t.Errorf("PublicName() = %q", got)
	}
	p.Anonymous = true
	if got := p.PublicName(); got != AnonymousName {
		t.Errorf("anonymous PublicName() = %q", got)
	}
}

func TestGrantAndLoanValidate(t *testing.T) {
	c := openCampaign(t, "c1", AllOrNothing)
	g := Grant{ID: "g1", CampaignID: c.ID, Funder: strings.Repeat("F", MaxNameLen+1), Awarded: usd(100),
		Uses: []Use{"yachts"}, Match: &MatchRule{Match: 0, Per: 1, Cap: usd(0)}}
	want := []string{"funder", "uses.0", "match.ratio", "match.cap.amount_minor"}
	if d := cmp.Diff(fieldNames(t, g.Validate(c)), want); d != "" {
		t.Errorf("grant fields (-got +want):\n%s", d)
	}
	l := LoanCommitment{ID: "l1", CampaignID: c.ID, Amount: Money{100, "CAD"}}
	want = []string{"lender", "amount.currency"}
	if d := cmp.Diff(fieldNames(t, l.Validate(c)), want); d != "" {
		t.Errorf("loan fields (-got +want):\n%s", d)
	}
}

func TestForgedMatchesAreRefused(t *testing.T) {
	b := NewBook()
	c := openCampaign(t, "c1", KeepWhatYouRaise)
	commit(t, b, must[Transaction](t)(AwardGrant(c, fema(c), meta("grant"))))
	commit(t, b, must[Transaction](t)(AwardGrant(c, Grant{ID: "plain", CampaignID: c.ID, Funder: "State", Awarded: usd(100), Uses: []Use{UseRelocation}}, meta("plain"))))
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "res", 5000, true), meta("res"))))
	commit(t, b, must[Transaction](t)(MakePledge(c, pledge(c, "non", 5000, false), meta("non"))))
	resTxs := must[[]Transaction](t)(ReceivePledge(b, c, "res", usd(1000), meta("r-res")))
	commit(t, b, resTxs[0]) // the receipt alone; its match is forged below
	nonTx := must[[]Transaction](t)(ReceivePledge(b, c, "non", usd(1000), meta("r-non")))
	commit(t, b, nonTx...)

	forge := func(grant, ref string, amount int64) Transaction {
		tx := newTransaction(c.ID, KindMatchEarned, meta("forged-"+grant+ref))
		tx.Source = SourceRef{Kind: SourceGrant, ID: grant}
		tx.Ref = ref
		tx.Postings = []Posting{{account(c.ID, ClassMatchSource, grant), account(c.ID, ClassAwarded, grant), usd(amount)}}
		return tx
	}
	before := snap(b, c.ID)
	for name, tx := range map[string]Transaction{
		"non-resident pledge":  forge("g-fema", nonTx[0].ID, 1000),
		"above the ratio":      forge("g-fema", resTxs[0].ID, 1001),
		"grant without a rule": forge("plain", resTxs[0].ID, 10),
		"not a receipt":        forge("g-fema", TransactionID(c.ID, "res"), 10),
		"missing receipt":      forge("g-fema", "tx_nothing", 10),
	} {
		if _, _, err := b.Append(tx); apperr.KindOf(err) != apperr.Unprocessable {
			t.Errorf("%s: Append = %v, want Unprocessable", name, err)
		}
	}
	assertUnchanged(t, before, snap(b, c.ID))
	commit(t, b, forge("g-fema", resTxs[0].ID, 1000))
}

func TestBookLookups(t *testing.T) {
	b, c := validLedger(t)
	p2 := TransactionID(c.ID, "p2")
	tx, ok := b.Transaction(p2)
	if !ok || tx.Kind != KindPledgeMade {
		t.Fatalf("Transaction(%s) = %+v, %v", p2, tx, ok)
	}
	if got, want := b.ReversedBy(p2), TransactionID(c.ID, "undo-p2"); got != want {
		t.Errorf("ReversedBy = %q, want %q", got, want)
	}
	if _, ok := b.Transaction("tx_none"); ok {
		t.Error("found a transaction that does not exist")
	}
	want := []PledgeStatus{
		{"p1", PledgeReceived, usd(20000), usd(10000), usd(10000)},
		{"p2", PledgeCancelled, usd(0), usd(0), usd(0)},
	}
	if d := cmp.Diff(b.Pledges(c.ID), want); d != "" {
		t.Errorf("Pledges (-got +want):\n%s", d)
	}
	if b.Pledges("none") != nil || b.Accounts("none") != nil {
		t.Error("lookups of an unknown campaign returned data")
	}
}

func TestMoneySign(t *testing.T) {
	for _, tt := range []struct {
		m    Money
		sign int
	}{{usd(-3), -1}, {usd(0), 0}, {usd(3), 1}} {
		if tt.m.Sign() != tt.sign || tt.m.IsZero() != (tt.sign == 0) || tt.m.Neg().Sign() != -tt.sign {
			t.Errorf("%v: Sign %d IsZero %v Neg %v", tt.m, tt.m.Sign(), tt.m.IsZero(), tt.m.Neg())
		}
	}
}
