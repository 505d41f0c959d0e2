package fundpool_test

import (
	"context"
	"fmt"
	"time"

	"commonground/fundpool"
)

var opened = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// almeda returns an open all-or-nothing campaign to buy land for families
// whose park burned in the Almeda Fire: target 1,000,000.00 USD.
func almeda() fundpool.Campaign {
	usd := func(dollars int64) fundpool.Money { return fundpool.Money{Amount: dollars * 100, Currency: "USD"} }
	c := fundpool.Campaign{
		ID:        "almeda-talent",
		Title:     fundpool.Text{En: "Land for Talent families", Es: "Terreno para las familias de Talent"},
		ParcelIDs: []string{"jackson-391w25"},
		Budget: []fundpool.BudgetLine{
			{Category: fundpool.BudgetLandPrice, Amount: usd(850000)},
			{Category: fundpool.BudgetClosingCosts, Amount: usd(30000)},
			{Category: fundpool.BudgetInfrastructure, Amount: usd(100000)},
			{Category: fundpool.BudgetReserve, Amount: usd(20000)},
		},
		Target:   usd(1000000),
		Deadline: opened.AddDate(0, 3, 0),
		Mode:     fundpool.AllOrNothing,
		Status:   fundpool.StatusDraft,
	}
	if err := c.Transition(fundpool.StatusOpen, opened); err != nil {
		panic(err)
	}
	return c
}

func post(b *fundpool.Book, txs ...fundpool.Transaction) {
	for _, tx := range txs {
		if _, _, err := b.Commit(context.Background(), tx, func(context.Context, []fundpool.Transaction) error { return nil }); err != nil {
			panic(err)
		}
	}
}

func ExampleParseMoney() {
	m, err := fundpool.ParseMoney("1250.50", "USD")
	fmt.Println(m.Amount, m.Currency, err)
	_, err = fundpool.ParseMoney("10.005", "USD")
	fmt.Println(err)
	yen, _ := fundpool.ParseMoney("1250", "JPY")
	fmt.Println(yen.Display())
	// Output:
	// 125050 USD <nil>
	// amount has fractions of a minor unit: USD allows 2 decimal places
	// ¥1,250
}

func ExampleParseMinor() {
	m, _ := fundpool.ParseMinor("100000", "USD") // the text of {"amount_minor": 100000}
	fmt.Println(m.Display())
	_, err := fundpool.ParseMinor("1000.5", "USD")
	fmt.Println(err)
	// Output:
	// $1,000.00
	// amount_minor must be a whole number of minor units
}

func ExampleMoney_Add() {
	a := fundpool.Money{Amount: 9_000_000_000_000_000_000, Currency: "USD"}
	_, err := a.Add(a)
	fmt.Println(err)
	_, err = a.Add(fundpool.Money{Amount: 1, Currency: "MXN"})
	fmt.Println(err)
	// Output:
	// amount is too large
	// currency MXN does not match USD
}

// A resident's payment earns a FEMA match, capped, as its own transaction
// with an explanation.
func ExampleReceivePledge() {
	c := almeda()
	c.Status = fundpool.StatusFunded // an all-or-nothing campaign collects once funded
	b := fundpool.NewBook()
	at := fundpool.TxMeta{Key: "grant-1", At: opened}
	grant, _ := fundpool.AwardGrant(almeda(), fundpool.Grant{
		ID: "hmgp", CampaignID: c.ID, Funder: "FEMA", Program: "Hazard Mitigation Grant Program",
		Awarded: fundpool.Money{Amount: 50_000_000, Currency: "USD"},
		Uses:    []fundpool.Use{fundpool.UseLandAcquisition},
		Match:   &fundpool.MatchRule{Match: 1, Per: 1, Cap: fundpool.Money{Amount: 30_000, Currency: "USD"}},
	}, at)
	pledge, _ := fundpool.MakePledge(almeda(), fundpool.Pledge{
		ID: "p-rosa", CampaignID: c.ID, Amount: fundpool.Money{Amount: 50_000, Currency: "USD"},
		Pledger: fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "Rosa", ResidentID: "h-17"},
	}, fundpool.TxMeta{Key: "pledge-1", At: opened})
	post(b, grant, pledge)

	txs, err := fundpool.ReceivePledge(b, c, "p-rosa", fundpool.Money{Amount: 40_000, Currency: "USD"},
		fundpool.TxMeta{Key: "receipt-1", At: opened.Add(time.Hour)})
	if err != nil {
		panic(err)
	}
	for _, tx := range txs {
		fmt.Println(tx.Kind, tx.Total())
	}
	fmt.Println(txs[1].Explanation)
	// Output:
	// pledge_received 400.00 USD
	// match_earned 300.00 USD
	// FEMA matches 1:1 of the 400.00 USD a resident paid on pledge p-rosa: 300.00 USD earned; 300.00 USD of its 300.00 USD cap now matched (the rule's share of 400.00 USD was cut to what the cap left)
}

func ExampleBook_Progress() {
	c := almeda()
	b := fundpool.NewBook()
	for i, dollars := range []int64{250000, 400000, 350000} {
		tx, err := fundpool.MakePledge(c, fundpool.Pledge{
			ID: fmt.Sprintf("p%d", i), CampaignID: c.ID, Amount: fundpool.Money{Amount: dollars * 100, Currency: "USD"},
			Pledger: fundpool.Pledger{Kind: fundpool.PledgerOrganisation, Name: "Rogue Valley Foundation"},
		}, fundpool.TxMeta{Key: fmt.Sprint("pledge-", i), At: opened.AddDate(0, 0, i)})
		if err != nil {
			panic(err)
		}
		post(b, tx)
	}
	p := b.Progress(c)
	fmt.Println(p.Committed.Display(), "of", p.Target.Display())
	fmt.Println(p.PercentFunded, "basis points; funded on", p.FundedAt.Format(time.DateOnly))
	for _, d := range p.Daily {
		fmt.Println(d.Day.Format(time.DateOnly), d.CumulativeCommitted.Display())
	}
	// Output:
	// $1,000,000.00 of $1,000,000.00
	// 10000 basis points; funded on 2026-03-03
	// 2026-03-01 $250,000.00
	// 2026-03-02 $650,000.00
	// 2026-03-03 $1,000,000.00
}

// An all-or-nothing campaign short of its target fails at the deadline and
// every pledge is released, under keys that make a second run a no-op.
func ExampleResolveDeadline() {
	c := almeda()
	b := fundpool.NewBook()
	tx, _ := fundpool.MakePledge(c, fundpool.Pledge{
		ID: "p1", CampaignID: c.ID, Amount: fundpool.Money{Amount: 10_000, Currency: "USD"},
		Pledger: fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "Luis"}, Anonymous: true,
	}, fundpool.TxMeta{Key: "pledge-1", At: opened})
	post(b, tx)

	r := fundpool.ResolveDeadline(b, c, c.Deadline)
	fmt.Println(r.Outcome, len(r.Releases), r.Releases[0].IdempotencyKey)
	post(b, r.Releases...)
	fmt.Println(len(fundpool.ResolveDeadline(b, c, c.Deadline).Releases))
	st, _ := b.PledgeStatus(c.ID, "p1")
	fmt.Println(st.State)
	// Output:
	// failed 1 deadline/almeda-talent/release/p1
	// 0
	// released
}

func ExampleDisbursement_Approve() {
	d := fundpool.Disbursement{ID: "d1", State: fundpool.DisbursementProposed, ProposedBy: "maria"}
	fmt.Println(d.Approve(fundpool.Actor{ID: "maria", Role: fundpool.RoleOrganizer}, opened))
	fmt.Println(d.Approve(fundpool.Actor{ID: "jo", Role: fundpool.RoleSteward}, opened), d.State)
	// Output:
	// a disbursement must be approved by someone other than its proposer
	// <nil> approved
}

func ExampleFingerprint() {
	a := fundpool.Fingerprint("POST", "/api/v1/campaigns/c1/pledges", []byte(`{"amount_minor": 1000, "currency": "USD"}`))
	b := fundpool.Fingerprint("POST", "/api/v1/campaigns/c1/pledges", []byte(`{"currency":"USD","amount_minor":1000}`))
	c := fundpool.Fingerprint("POST", "/api/v1/campaigns/c1/pledges", []byte(`{"currency":"USD","amount_minor":2000}`))
	fmt.Println(a == b, a == c)
	rec := fundpool.IdempotencyRecord{Key: "k1", Fingerprint: a}
	fmt.Println(rec.Replay(b), rec.Replay(c))
	// Output:
	// true false
	// <nil> the Idempotency-Key was already used for a different request
}

func ExampleVerify() {
	c := almeda()
	b := fundpool.NewBook()
	tx, _ := fundpool.MakePledge(c, fundpool.Pledge{
		ID: "p1", CampaignID: c.ID, Amount: fundpool.Money{Amount: 10_000, Currency: "USD"},
		Pledger: fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "Luis"},
	}, fundpool.TxMeta{Key: "pledge-1", At: opened})
	post(b, tx)
	fmt.Println(b.Verify().OK())

	forged := b.All()
	forged[0].Postings = []fundpool.Posting{{
		Source: fundpool.ReceivedAccount(c.ID), Destination: fundpool.DisbursedAccount(c.ID, fundpool.UseRelocation),
		Amount: fundpool.Money{Amount: 10_000, Currency: "USD"},
	}}
	for _, v := range fundpool.Verify(forged).Violations {
		fmt.Println(v.Rule)
	}
	// Output:
	// true
	// shape
	// negative_balance
}
