package fundpool

import (
	"slices"
	"sort"
	"time"
)

// Progress is where a campaign stands, computed from the book's running
// balances in time proportional to its grants, loans, restrictions and days,
// never to its transactions.
type Progress struct {
	CampaignID string
	Target     Money
	Pledged    Money // live pledges, whether received yet or not
	Awarded    Money // grant awards
	Matched    Money // earned by matching rules
	Loans      Money // loan commitments: financing, not gifts
	Gifts      Money // Pledged + Awarded + Matched
	Committed  Money // Gifts + Loans: what counts toward the target
	Received   Money // all money that came in, disbursed or not
	Available  Money // money held now
	Disbursed  Money
	Remaining  Money // what the target still lacks, never below zero
	// PercentFunded is Committed as basis points of Target (10000 = 100%),
	// rounded down; it may pass 10000.
	PercentFunded int64
	// FundedAt is when Committed last reached Target; zero if it has not.
	FundedAt time.Time

	ByRestriction []RestrictionTotals // unrestricted, loan money, then each use set
	DisbursedBy   []UseTotal          // by use, in Uses order
	BySource      []SourceTotals      // pledges, grants, loans
	ByFunder      []FunderTotals      // grants and loans by funder or lender, sorted
	Daily         []DayProgress       // one entry per UTC day with activity
	Transactions  int
}

// RestrictionTotals is money by what it may pay for. Uses is empty for
// unrestricted money; Financing marks loan money.
type RestrictionTotals struct {
	Uses      []Use
	Financing bool
	Received  Money // everything that came in under this restriction
	Available Money // what is held now
}

// UseTotal is an amount paid out for one use.
type UseTotal struct {
	Use    Use
	Amount Money
}

// SourceTotals sums one kind of source.
type SourceTotals struct {
	Kind      SourceKind
	Count     int
	Committed Money
	Received  Money
}

// FunderTotals sums the grants of one funder, or the loans of one lender.
type FunderTotals struct {
	Funder   string
	Kind     SourceKind // grant or loan
	Awarded  Money      // award or loan commitment
	Matched  Money
	Received Money
}

// DayProgress is what changed on one UTC day, and the running totals at its end.
type DayProgress struct {
	Day                 time.Time // midnight UTC
	Committed           Money     // change that day
	Received            Money
	Disbursed           Money
	CumulativeCommitted Money
	CumulativeReceived  Money
	CumulativeDisbursed Money
}

// Progress reports campaign c's progress.
func (b *Book) Progress(c Campaign) Progress {
	b.mu.RLock()
	l := b.campaigns[c.ID]
	if l == nil || !l.targetSet || l.target != c.Target.Amount {
		b.mu.RUnlock()
		b.SetTarget(c.ID, c.Target)
		b.mu.RLock()
		l = b.campaigns[c.ID]
	}
	defer b.mu.RUnlock()
	cur := c.Currency()
	m := func(v int64) Money { return Money{v, cur} }
	cl := &l.classes
	pledged, awarded, matched, loans := -cl[ClassPledgeSource], -cl[ClassGrantSource], -cl[ClassMatchSource], -cl[ClassLoanSource]
	pledgeIn := pledged - cl[ClassPledged]
	grantIn := awarded + matched - cl[ClassAwarded]
	loanIn := loans - cl[ClassCommitted]
	committed := l.committed()
	p := Progress{
		CampaignID: c.ID, Target: c.Target,
		Pledged: m(pledged), Awarded: m(awarded), Matched: m(matched), Loans: m(loans),
		Gifts: m(pledged + awarded + matched), Committed: m(committed),
		Received:     m(pledgeIn + grantIn + loanIn),
		Available:    m(cl[ClassReceived] + cl[ClassRestricted] + cl[ClassFinancing]),
		Disbursed:    m(cl[ClassDisbursed]),
		Remaining:    m(max(0, c.Target.Amount-committed)),
		FundedAt:     l.fundedAt,
		Transactions: len(l.txs),
	}
	if c.Target.Amount > 0 && committed > 0 {
		p.PercentFunded, _ = mulDivInt64(committed, 10000, c.Target.Amount)
	}
	p.BySource = []SourceTotals{
		{SourcePledge, len(l.pledges), m(pledged), m(pledgeIn)},
		{SourceGrant, len(l.grants), m(awarded + matched), m(grantIn)},
		{SourceLoan, len(l.loans), m(loans), m(loanIn)},
	}
	p.ByRestriction = l.byRestriction(m)
	for _, u := range Uses() {
		if v := l.balances[DisbursedAccount(l.id, u)]; v != 0 {
			p.DisbursedBy = append(p.DisbursedBy, UseTotal{u, m(v)})
		}
	}
	p.ByFunder = l.byFunder(m)
	p.Daily = make([]DayProgress, len(l.days))
	var cc, cr, cd int64
	for i, d := range l.days {
		cc, cr, cd = cc+d.committed, cr+d.received, cd+d.disbursed
		p.Daily[i] = DayProgress{
			Day:       time.Unix(d.day*86400, 0).UTC(),
			Committed: m(d.committed), Received: m(d.received), Disbursed: m(d.disbursed),
			CumulativeCommitted: m(cc), CumulativeReceived: m(cr), CumulativeDisbursed: m(cd),
		}
	}
	return p
}

func (l *campaignLedger) byRestriction(m func(int64) Money) []RestrictionTotals {
	var out []RestrictionTotals
	for name, in := range l.inflow {
		a, _ := parseAccount(name)
		rt := RestrictionTotals{Financing: a.Class == ClassFinancing, Received: m(in), Available: m(l.balances[name])}
		if a.Class == ClassRestricted {
			rt.Uses = parseUseSet(a.Key)
		}
		out = append(out, rt)
	}
	rank := func(r RestrictionTotals) int {
		switch {
		case r.Financing:
			return 1
		case len(r.Uses) > 0:
			return 2
		}
		return 0
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		return useSet(out[i].Uses) < useSet(out[j].Uses)
	})
	return out
}

func (l *campaignLedger) byFunder(m func(int64) Money) []FunderTotals {
	type key struct {
		funder string
		kind   SourceKind
	}
	sums := make(map[key]*FunderTotals)
	add := func(info *sourceInfo, awarded, matched, outstanding int64) {
		k := key{info.Funder, info.Kind}
		ft := sums[k]
		if ft == nil {
			ft = &FunderTotals{Funder: info.Funder, Kind: info.Kind, Awarded: m(0), Matched: m(0), Received: m(0)}
			sums[k] = ft
		}
		ft.Awarded.Amount += awarded
		ft.Matched.Amount += matched
		ft.Received.Amount += awarded + matched - outstanding
	}
	for _, g := range l.grants {
		add(g, -l.balances[account(l.id, ClassGrantSource, g.ID)], -l.balances[account(l.id, ClassMatchSource, g.ID)],
			l.balances[account(l.id, ClassAwarded, g.ID)])
	}
	for _, n := range l.loans {
		add(n, -l.balances[account(l.id, ClassLoanSource, n.ID)], 0, l.balances[account(l.id, ClassCommitted, n.ID)])
	}
	out := make([]FunderTotals, 0, len(sums))
	for _, ft := range sums {
		out = append(out, *ft)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Funder < out[j].Funder
	})
	return out
}

// PledgeStatus is where one pledge stands, derived from the ledger.
type PledgeStatus struct {
	PledgeID    string
	State       PledgeState
	Pledged     Money // live amount: what was promised less what was voided
	Received    Money
	Outstanding Money
}

// PledgeStatus returns the status of pledge pledgeID of campaign campaignID.
func (b *Book) PledgeStatus(campaignID, pledgeID string) (PledgeStatus, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[campaignID]
	info := l.source(SourcePledge, pledgeID)
	if info == nil {
		return PledgeStatus{}, false
	}
	return l.pledgeStatus(info), true
}

func (l *campaignLedger) pledgeStatus(info *sourceInfo) PledgeStatus {
	live := -l.balances[account(l.id, ClassPledgeSource, info.ID)]
	out := l.balances[PledgedAccount(l.id, info.ID)]
	s := PledgeStatus{
		PledgeID: info.ID, State: PledgePledged,
		Pledged: Money{live, l.currency}, Received: Money{live - out, l.currency}, Outstanding: Money{out, l.currency},
	}
	switch {
	case info.closed != "":
		s.State = closedState(info.closed)
	case live-out > 0:
		s.State = PledgeReceived
	}
	return s
}

// Pledges returns the status of every pledge of a campaign, in ledger order.
func (b *Book) Pledges(campaignID string) []PledgeStatus {
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[campaignID]
	if l == nil {
		return nil
	}
	out := make([]PledgeStatus, len(l.pledges))
	for i, p := range l.pledges {
		out[i] = l.pledgeStatus(p)
	}
	return out
}

// ForLand returns what a campaign has pledged and been awarded that may pay
// for land: its gifts (live pledges, grant awards and matched money) less
// the awards of grants that may not pay for land acquisition and the money
// matched by their funders. Loans are financing and are left out. It errs
// low: money it cannot place is not counted.
func ForLand(p Progress, grants []Grant) Money {
	notLand := map[string]bool{}
	out := p.Gifts.Amount
	for _, g := range grants {
		if !slices.Contains(g.Uses, UseLandAcquisition) {
			notLand[g.Funder] = true
			out -= g.Awarded.Amount
		}
	}
	for _, f := range p.ByFunder {
		if f.Kind == SourceGrant && notLand[f.Funder] {
			out -= f.Matched.Amount
		}
	}
	return Money{Amount: max(0, out), Currency: p.Gifts.Currency}
}
