package community

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestModelCommunitiesAreValid(t *testing.T) {
	for _, c := range []Community{
		ResidentOwnedPark("c1", adminID, t0),
		WorkerCoop("c2", adminID, t0),
		MultistakeholderCoop("c3", adminID, t0),
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: Validate() = %v", c.Name, err)
		}
	}
}

func TestFreeClassIsValid(t *testing.T) {
	c := MultistakeholderCoop("c3", adminID, t0)
	c.Bylaws.Classes[2].Share = Fee{Amount: usd(0), Instalments: 1}
	if err := c.Validate(); err != nil {
		t.Fatalf("free supporter class: %v", err)
	}
	m := seedMembers(&c, "supporter", 1, func(int) int64 { return 0 })[0]
	must(t, Withdraw(&c, &m, holder(&m), t0, nil))
	if m.Refund.Amount.Minor != 0 {
		t.Errorf("refund = %+v", m.Refund)
	}
}

func TestBylawsValidationNamesEveryBadField(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Community)
		want   []string
	}{
		{"class weight overflows", func(c *Community) {
			c.Bylaws.Classes[0].VoteWeight = math.MaxInt64
			c.Bylaws.Classes[1].VoteWeight = 0
		}, []string{"bylaws.classes.0.voteWeight", "bylaws.classes.1.voteWeight"}},
		{"seats exceed the board", func(c *Community) {
			c.Bylaws.Board.StaffSeats = 6
		}, []string{"bylaws.board.seats"}},
		{"unknown references", func(c *Community) {
			c.Bylaws.Board.RegionalClasses = []string{"resident", "tenant"}
			c.Bylaws.Classes[0].Pathway[0].VerifiedBy = []Verifier{"mayor"}
			c.Bylaws.Classes[1].Pathway = append(c.Bylaws.Classes[1].Pathway,
				Milestone{Key: "vote", Kind: MilestoneMemberVote, Name: "Vote", VerifiedBy: []Verifier{VerifierMemberVote}})
		}, []string{"bylaws.classes.0.pathway.0.verifiedBy.0", "bylaws.classes.1.pathway.2.kind", "bylaws.board.regionalClasses.1"}},
		{"duplicate keys", func(c *Community) {
			c.Bylaws.Classes[1].Key = "resident"
			c.Bylaws.Rules[1].Kind = KindGeneral
			c.Regions[1].Key = "ashland"
		}, []string{"regions.1.key", "bylaws.classes.1.key", "bylaws.rules.1.kind", "bylaws.board.regionalClasses.1"}},
		{"money and instalments", func(c *Community) {
			c.Bylaws.Classes[0].Share.Amount = Money{Minor: -1, Currency: "usd"}
			c.Bylaws.Classes[1].Share.Instalments = 0
		}, []string{"bylaws.classes.0.share.amount.currency", "bylaws.classes.0.share.amount.minor", "bylaws.classes.1.share.instalments"}},
		{"rules and exit", func(c *Community) {
			c.Bylaws.Rules[0].Quorum = 10001
			c.Bylaws.Rules[0].Method = "dictator"
			c.Bylaws.Rules[1].MaxWindow = 0
			c.Bylaws.Exit.Cap = 5000
		}, []string{"bylaws.rules.0.method", "bylaws.rules.0.quorum", "bylaws.rules.1.maxWindow", "bylaws.exit.cap"}},
		{"exit as paid takes no formula", func(c *Community) {
			c.Bylaws.Exit = ExitRule{Method: RefundAsPaid, YearlyRate: 100, Rounding: "nearest"}
		}, []string{"bylaws.exit.rounding", "bylaws.exit.method"}},
		{"index with a rate", func(c *Community) {
			c.Bylaws.Exit.ByIndex = true
		}, []string{"bylaws.exit.yearlyRate"}},
		{"board out of range", func(c *Community) {
			c.Bylaws.Board.RegionalSeats = 100
		}, []string{"bylaws.board.regionalSeats"}},
		{"regional classes without regional seats", func(c *Community) {
			c.Bylaws.Board.RegionalSeats = 0
		}, []string{"bylaws.board.regionalClasses"}},
		{"milestones", func(c *Community) {
			p := c.Bylaws.Classes[1].Pathway
			p[0].Key, p[0].Days, p[0].VerifiedBy = "thirty_days", 3, nil
			p[1].Days = 0
			c.Bylaws.Classes[2].Pathway = []Milestone{{Key: "pay", Kind: MilestoneSharePaid, Name: "Pay", VerifiedBy: []Verifier{VerifierMemberVote}}}
			c.Bylaws.Classes[2].Share.Amount.Minor = 0
		}, []string{
			"bylaws.classes.1.pathway.0.days", "bylaws.classes.1.pathway.0.verifiedBy",
			"bylaws.classes.1.pathway.1.key", "bylaws.classes.1.pathway.1.days",
			"bylaws.classes.2.pathway.0.kind", "bylaws.classes.2.pathway.0.verifiedBy.0",
		}},
		{"per household vote for a person class", func(c *Community) {
			c.Bylaws.Classes[1].VoteBasis = VotePerHousehold
		}, []string{"bylaws.classes.1.voteBasis"}},
		{"regional seats without regions", func(c *Community) {
			c.Regions = nil
		}, []string{"bylaws.board.regionalSeats"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := MultistakeholderCoop("c3", adminID, t0)
			tt.change(&c)
			got := fieldsOf(t, c.Validate())
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("fields (-got +want):\n%s", diff)
			}
		})
	}
}

func TestBylawsValidateOnTheirOwn(t *testing.T) {
	b := WorkerCoop("c2", adminID, t0).Bylaws
	must(t, b.Validate())
	b.Version = 0
	b.Classes = nil
	if diff := cmp.Diff(fieldsOf(t, b.Validate()), []string{"version", "classes"}); diff != "" {
		t.Error(diff)
	}
}

func TestAdoptBylaws(t *testing.T) {
	c := ResidentOwnedPark("c1", adminID, t0)
	next := ResidentOwnedPark("c1", adminID, t0).Bylaws
	next.Version = 2
	next.Classes[0].Share.Instalments = 20
	p := &Proposal{ID: "p1", CommunityID: "c1", Kind: KindBylawsChange, NewBylaws: &next, Result: &Result{Adopted: true}}

	stale := *p
	stale.Result = &Result{Adopted: false}
	wantKind(t, c.AdoptBylaws(&stale, t0), "unprocessable")

	must(t, c.AdoptBylaws(p, t0.Add(day)))
	if c.Bylaws.Version != 2 || c.Bylaws.AdoptedBy != "p1" || len(c.History) != 1 || c.History[0].Version != 1 {
		t.Fatalf("after adoption: version %d by %q, history %d", c.Bylaws.Version, c.Bylaws.AdoptedBy, len(c.History))
	}
	// The same change again was drafted against version 1: a conflict.
	wantKind(t, c.AdoptBylaws(p, t0.Add(2*day)), "conflict")
}
