package community_test

import (
	"crypto/rand"
	"fmt"
	"time"

	"commonground/community"
)

// check stops an example at the first unexpected error.
func check(err error) {
	if err != nil {
		panic(err)
	}
}

func person(id string) community.Principal {
	return community.Principal{AccountID: id, Roles: []community.GlobalRole{community.RoleResident}}
}

func household(account, householdID string) community.Principal {
	p := person(account)
	p.HouseholdID = householdID
	return p
}

// ballots is the smallest ballot store an example needs.
type ballots struct {
	byID           map[string]community.Ballot
	participations map[string]bool
}

func (bs *ballots) vote(p *community.Proposal, by community.Principal, option string, now time.Time) {
	if bs.byID == nil {
		bs.byID, bs.participations = map[string]community.Ballot{}, map[string]bool{}
	}
	v := community.Vote{Option: option}
	l, err := p.Lookup(by, v)
	check(err)
	var prior *community.Ballot
	if b, ok := bs.byID[l.BallotID]; ok {
		prior = &b
	}
	cast, err := p.Cast(by, v, prior, bs.participations[l.ParticipationID], now, rand.Reader)
	check(err)
	if cast.Participation != nil {
		bs.participations[cast.Participation.ID] = true
	}
	bs.byID[cast.Ballot.ID] = cast.Ballot
}

func (bs *ballots) all() []community.Ballot {
	var out []community.Ballot
	for _, b := range bs.byID {
		out = append(out, b)
	}
	return out
}

// castBy is one voter's choice in an example.
type castBy struct {
	who    community.Principal
	option string
}

// decide opens p, casts the votes as the voting opens, closes it and
// returns the result and the stored ballots.
func decide(c *community.Community, p *community.Proposal, members []community.Membership, votes ...castBy) (community.Result, []community.Ballot) {
	check(p.Open(c, members, nil, p.Opens))
	var box ballots
	for _, v := range votes {
		box.vote(p, v.who, v.option, p.Opens)
	}
	r, err := p.Close(box.all(), p.Closes)
	check(err)
	return r, box.all()
}

func printResult(r community.Result) {
	fmt.Printf("%s: %d of %d voted (weight %d of %d), quorum met %v", r.Outcome, r.Ballots, r.Eligible, r.BallotWeight, r.EligibleWeight, r.QuorumMet)
	if r.Method == community.MethodConsensus {
		fmt.Printf(", %d agree, %d stand aside, %d block", r.Agrees, r.StandAsides, r.Blocks)
	} else {
		for _, c := range r.Counts {
			fmt.Printf(", %s %d/%d", c.Option, c.Ballots, c.Weight)
		}
	}
	fmt.Println()
}

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// A resident-owned manufactured-home park: one vote per household, an
// equal share refunded as paid.
func ExampleResidentOwnedPark() {
	admin := person("acct-admin")
	c := community.ResidentOwnedPark("bear-creek", admin.AccountID, start)
	check(c.GrantRole("acct-org", community.RoleCommunityOrganizer, admin.AccountID, start))
	organizer := person("acct-org")

	var members []community.Membership
	for i := 1; i <= 3; i++ {
		p := household(fmt.Sprintf("acct-%d", i), fmt.Sprintf("hh-%d", i))
		m, err := community.Apply(&c, p, community.Application{ID: fmt.Sprintf("m-%d", i), ClassKey: "resident"}, members, start)
		check(err)
		check(community.Review(&c, &m, admin, true, "", start.Add(day)))
		check(community.CompleteMilestone(&c, &m, "orientation", organizer, "attended the March orientation", start.Add(2*day)))
		check(community.RecordPayment(&c, &m, organizer, community.Money{Minor: 100_000, Currency: "USD"}, "FEMA assistance", start.Add(3*day)))
		check(community.CompleteMilestone(&c, &m, "share", admin, "receipt 2026-0"+fmt.Sprint(i), start.Add(3*day)))
		check(community.CompleteMilestone(&c, &m, "ninety_days", organizer, "", start.Add(92*day)))
		members = append(members, m)
	}
	fmt.Println("statuses:", members[0].Status, members[1].Status, members[2].Status)

	// A second adult of household 1 cannot apply for it again.
	_, err := community.Apply(&c, household("acct-1b", "hh-1"), community.Application{ID: "m-4", ClassKey: "resident"}, members, start.Add(93*day))
	fmt.Println("second application:", err)

	p, err := community.NewProposal(&c, household("acct-1", "hh-1"), &members[0], community.Draft{
		ID: "buy-talent", Kind: community.KindLandPurchase, Options: community.YesNoOptions(),
		Text: map[community.Language]community.Text{
			community.English: {Title: "Buy the Talent parcel"},
			community.Spanish: {Title: "Comprar el terreno de Talent"},
		},
		Opens: start.Add(100 * day), Closes: start.Add(114 * day),
	}, start.Add(95*day))
	check(err)
	r, _ := decide(&c, &p, members,
		castBy{household("acct-1", "hh-1"), community.OptionYes},
		castBy{household("acct-2", "hh-2"), community.OptionYes},
		castBy{household("acct-3", "hh-3"), community.OptionNo})
	printResult(r)

	b, err := community.ApportionBoard(&c, nil)
	check(err)
	fmt.Printf("board: %d seats, %d for %s, %d at large\n", b.Seats, b.Classes[0].Seats, b.Classes[0].Class, b.AtLarge)

	check(community.Withdraw(&c, &members[2], household("acct-3", "hh-3"), start.Add(400*day), nil))
	fmt.Println("refund on withdrawal:", members[2].Refund.Amount.Minor, members[2].Refund.Amount.Currency)
	// Output:
	// statuses: member member member
	// second application: already a member of this community
	// passed: 3 of 3 voted (weight 3 of 3), quorum met true, yes 2/2, no 1/1, abstain 0/0
	// board: 5 seats, 5 for resident, 0 at large
	// refund on withdrawal: 100000 USD
}

// A worker co-op: consensus, one person one vote, admission by the
// members' consensus at the end of the pathway.
func ExampleWorkerCoop() {
	admin := person("acct-admin")
	c := community.WorkerCoop("rebuilders", admin.AccountID, start)
	var members []community.Membership
	for _, id := range []string{"rosa", "tom", "lee"} {
		m, err := community.FoundingMember(&c, admin, person(id), community.Application{ID: "m-" + id, ClassKey: "worker"}, members, start)
		check(err)
		members = append(members, m)
	}

	ana := person("ana")
	m, err := community.Apply(&c, ana, community.Application{ID: "m-ana", ClassKey: "worker", Statement: "carpenter, lost my home in Talent"}, members, start.Add(day))
	check(err)
	check(community.Review(&c, &m, admin, true, "", start.Add(2*day)))
	err = community.CompleteMilestone(&c, &m, "conflict_training", admin, "done", start.Add(3*day))
	fmt.Println("out of order:", err)
	check(community.CompleteMilestone(&c, &m, "orientation", admin, "attended", start.Add(3*day)))
	check(community.CompleteMilestone(&c, &m, "conflict_training", admin, "two-day course", start.Add(10*day)))
	check(community.CompleteMilestone(&c, &m, "candidacy", admin, "", start.Add(183*day)))
	err = community.CompleteMilestone(&c, &m, "members_agree", admin, "", start.Add(183*day))
	fmt.Println("admin instead of a vote:", err)

	p, err := community.NewProposal(&c, person("rosa"), &members[0], community.Draft{
		ID: "admit-ana", Kind: community.KindAdmission, MembershipID: m.ID,
		Text:  map[community.Language]community.Text{community.English: {Title: "Admit Ana as a worker-owner"}},
		Opens: start.Add(184 * day), Closes: start.Add(191 * day),
	}, start.Add(183*day))
	check(err)
	r, _ := decide(&c, &p, members,
		castBy{person("rosa"), community.OptionAgree},
		castBy{person("tom"), community.OptionAgree},
		castBy{person("lee"), community.OptionStandAside})
	printResult(r)
	check(community.CompleteMilestoneByVote(&c, &m, "members_agree", &p, p.Closes))
	fmt.Println("ana:", m.Status)
	members = append(members, m)

	q, err := community.NewProposal(&c, ana, &m, community.Draft{
		ID: "saturdays", Kind: community.KindGeneral,
		Text:  map[community.Language]community.Text{community.English: {Title: "Work Saturdays in July"}},
		Opens: start.Add(200 * day), Closes: start.Add(205 * day),
	}, start.Add(199*day))
	check(err)
	r, _ = decide(&c, &q, members,
		castBy{ana, community.OptionAgree},
		castBy{person("rosa"), community.OptionAgree},
		castBy{person("tom"), community.OptionBlock},
		castBy{person("lee"), community.OptionAgree})
	printResult(r)

	b, err := community.ApportionBoard(&c, nil)
	check(err)
	fmt.Printf("board: %d seats, %d at large\n", b.Seats, b.AtLarge)
	// Output:
	// out of order: the request has invalid fields (1 bad fields)
	// admin instead of a vote: this milestone is met only by a member vote
	// passed: 3 of 3 voted (weight 3 of 3), quorum met true, 2 agree, 1 stand aside, 0 block
	// ana: member
	// blocked: 4 of 4 voted (weight 4 of 4), quorum met true, 3 agree, 0 stand aside, 1 block
	// board: 3 seats, 3 at large
}

// A multistakeholder co-op: classes with different weights, regional board
// seats in proportion to dues, staff-appointed seats, and a secret ballot
// on a bylaws change.
func ExampleMultistakeholderCoop() {
	admin := person("acct-admin")
	steward := community.Principal{AccountID: "acct-steward", Roles: []community.GlobalRole{community.RoleSteward}}
	c := community.MultistakeholderCoop("jc-homes", admin.AccountID, start)
	usd := func(minor int64) community.Money { return community.Money{Minor: minor, Currency: "USD"} }

	type founder struct {
		who    community.Principal
		class  string
		region string
		paid   int64
	}
	founders := []founder{
		{household("a1", "hh-1"), "resident", "phoenix", 30_000},
		{household("a2", "hh-2"), "resident", "phoenix", 30_000},
		{household("a3", "hh-3"), "resident", "talent", 30_000},
		{household("a4", "hh-4"), "resident", "talent", 15_000},
		{household("a5", "hh-5"), "resident", "medford", 30_000},
		{person("w1"), "worker", "ashland", 10_000},
		{person("w2"), "worker", "eagle_point", 10_000},
	}
	var members []community.Membership
	for i, f := range founders {
		m, err := community.FoundingMember(&c, admin, f.who, community.Application{ID: fmt.Sprint("f-", i), ClassKey: f.class, Region: f.region}, members, start)
		check(err)
		check(community.RecordPayment(&c, &m, admin, usd(f.paid), "", start))
		members = append(members, m)
	}

	// A partner organisation joins once a steward confirms its agreement.
	// Its representative applies on its behalf; approving the application
	// confirms that they represent it.
	rep := person("r1")
	org, err := community.Apply(&c, rep, community.Application{ID: "org-1", ClassKey: "organisation", OrganisationName: "Rogue Credit Union", Region: "medford"}, members, start.Add(day))
	check(err)
	check(community.Review(&c, &org, admin, true, "", start.Add(2*day)))
	check(community.CompleteMilestone(&c, &org, "agreement", steward, "signed MOU on file", start.Add(3*day)))
	check(community.RecordPayment(&c, &org, admin, usd(50_000), "", start.Add(3*day)))
	members = append(members, org)
	fmt.Println("organisation:", org.OrganisationName, org.Status)
	rep = rep.Representing([]*community.Membership{&org})

	p, err := community.NewProposal(&c, household("a1", "hh-1"), &members[0], community.Draft{
		ID: "budget-2026", Kind: community.KindBudget, Options: community.YesNoOptions(),
		Text:  map[community.Language]community.Text{community.Spanish: {Title: "Presupuesto 2026"}},
		Opens: start.Add(10 * day), Closes: start.Add(17 * day),
	}, start.Add(9*day))
	check(err)
	r, _ := decide(&c, &p, members,
		castBy{household("a1", "hh-1"), community.OptionYes},
		castBy{household("a3", "hh-3"), community.OptionYes},
		castBy{person("w1"), community.OptionNo},
		castBy{person("w2"), community.OptionNo},
		castBy{rep, community.OptionNo})
	// Two resident households (weight 2) outweigh three single votes.
	printResult(r)

	next := community.MultistakeholderCoop("jc-homes", admin.AccountID, start).Bylaws
	next.Version = 2
	next.Board.StaffSeats = 1
	change, err := community.NewProposal(&c, household("a2", "hh-2"), &members[1], community.Draft{
		ID: "bylaws-2", Kind: community.KindBylawsChange, Options: community.YesNoOptions(), NewBylaws: &next,
		Text:  map[community.Language]community.Text{community.English: {Title: "One staff seat, not two"}},
		Opens: start.Add(20 * day), Closes: start.Add(34 * day),
	}, start.Add(19*day))
	check(err)
	r, stored := decide(&c, &change, members,
		castBy{household("a1", "hh-1"), community.OptionYes},
		castBy{household("a2", "hh-2"), community.OptionYes},
		castBy{household("a5", "hh-5"), community.OptionYes},
		castBy{person("w1"), community.OptionYes},
		castBy{person("w2"), community.OptionNo})
	printResult(r)
	anonymous := true
	for _, b := range stored {
		anonymous = anonymous && b.VoterKey == "" && b.CastAt.IsZero()
	}
	fmt.Println("ballots name no voter:", anonymous)
	check(c.AdoptBylaws(&change, change.Closes))

	dues, err := community.DuesFromMemberships(&c, members)
	check(err)
	b, err := community.ApportionBoard(&c, dues)
	check(err)
	fmt.Printf("bylaws v%d board: %d seats: ", c.Bylaws.Version, b.Seats)
	for _, cs := range b.Classes {
		fmt.Printf("%s %d, ", cs.Class, cs.Seats)
	}
	fmt.Printf("regional %d, staff %d, at large %d\n", b.Regional.Seats, b.Staff, b.AtLarge)
	for _, step := range b.Regional.Steps {
		fmt.Println(" ", step)
	}
	// Output:
	// organisation: Rogue Credit Union member
	// passed: 5 of 8 voted (weight 7 of 13), quorum met true, yes 2/4, no 3/3, abstain 0/0
	// passed: 5 of 8 voted (weight 8 of 13), quorum met true, yes 4/7, no 1/1, abstain 0/0
	// ballots name no voter: true
	// bylaws v2 board: 11 seats: resident 2, worker 1, supporter 0, organisation 1, regional 5, staff 1, at large 1
	//   ashland: quota 5 × 10000 / 155000 = 0.3225, floor 0, remainder 50000/155000
	//   eagle_point: quota 5 × 10000 / 155000 = 0.3225, floor 0, remainder 50000/155000
	//   medford: quota 5 × 30000 / 155000 = 0.9677, floor 0, remainder 150000/155000
	//   phoenix: quota 5 × 60000 / 155000 = 1.9354, floor 1, remainder 145000/155000
	//   talent: quota 5 × 45000 / 155000 = 1.4516, floor 1, remainder 70000/155000
	//   extra seat 1 of 3 to medford (remainder 150000/155000, dues 30000)
	//   extra seat 2 of 3 to phoenix (remainder 145000/155000, dues 60000)
	//   extra seat 3 of 3 to talent (remainder 70000/155000, dues 45000)
}
