package community

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// tallyFixture is an open weighted proposal with n voters who all voted.
func tallyFixture(n int) (*Proposal, []Ballot) {
	opts := YesNoOptions()
	p := &Proposal{ID: "p", Status: ProposalOpen, Options: opts, Rule: DecisionRule{Method: MethodWeighted, Quorum: 30 * Percent}}
	ballots := make([]Ballot, n)
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("person:%06d", i)
		w := 1 + i%3
		p.Electorate = append(p.Electorate, Voter{Key: key, Weight: w})
		ballots[i] = Ballot{ID: key, ProposalID: "p", VoterKey: key, Option: opts[(i*7)%3].Key, Weight: w}
	}
	return p, ballots
}

func BenchmarkTally10000(b *testing.B) {
	p, ballots := tallyFixture(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Tally(p, ballots); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTally10000Shuffled tallies ballots in no particular order, the
// worst case for the electorate lookup.
func BenchmarkTally10000Shuffled(b *testing.B) {
	p, ballots := tallyFixture(10_000)
	rng := rand.New(rand.NewPCG(1, 1))
	rng.Shuffle(len(ballots), func(i, j int) { ballots[i], ballots[j] = ballots[j], ballots[i] })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Tally(p, ballots); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBoard10000Members50Regions(b *testing.B) {
	c := MultistakeholderCoop("msc", adminID, time.Unix(0, 0))
	c.Regions = nil
	for r := 0; r < 50; r++ {
		c.Regions = append(c.Regions, Region{Key: fmt.Sprintf("region_%02d", r), Name: fmt.Sprintf("Region %d", r)})
	}
	c.Bylaws.Board.Seats, c.Bylaws.Board.RegionalSeats = 99, 60
	classes := []string{"resident", "worker", "supporter", "organisation"}
	dues := make([]MemberDues, 10_000)
	for i := range dues {
		dues[i] = MemberDues{Region: c.Regions[(i*31)%50].Key, ClassKey: classes[i%4], Amount: usd(int64(2_500 + (i*7919)%30_000))}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ApportionBoard(&c, dues); err != nil {
			b.Fatal(err)
		}
	}
}
