package community

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomVote builds an open proposal with a random electorate and random
// ballots from part of it.
func randomVote(rng *rand.Rand, method Method, anonymous bool) (*Proposal, []Ballot) {
	opts := YesNoOptions()
	if method == MethodConsensus {
		opts = ConsensusOptions()
	} else if rng.IntN(2) == 0 {
		opts = append(opts, Option{Key: "later"})
	}
	p := &Proposal{ID: "p", Status: ProposalOpen, Options: opts, Anonymous: anonymous,
		Rule: DecisionRule{Method: method, Quorum: BasisPoints(rng.IntN(10_001))}}
	n := 1 + rng.IntN(40)
	for i := 0; i < n; i++ {
		p.Electorate = append(p.Electorate, Voter{Key: fmt.Sprintf("person:%03d", i), Weight: 1 + rng.IntN(3)})
	}
	var ballots []Ballot
	for _, v := range p.Electorate {
		if rng.IntN(3) == 0 {
			continue
		}
		// Few options and few voters make ties and blocks common.
		b := Ballot{ID: "b-" + v.Key, ProposalID: "p", VoterKey: v.Key, Option: opts[rng.IntN(len(opts))].Key, Weight: v.Weight}
		if method == MethodConsensus && rng.IntN(8) != 0 && b.Option == OptionBlock {
			b.Option = OptionAgree
		}
		if anonymous {
			b.VoterKey = ""
		}
		ballots = append(ballots, b)
	}
	return p, ballots
}

// bruteOutcome decides a vote the slow, obvious way with exact rationals.
func bruteOutcome(p *Proposal, ballots []Ballot) (Outcome, string) {
	weighted := p.Rule.Method == MethodWeighted
	measure := func(b Ballot) int64 {
		if weighted {
			return int64(b.Weight)
		}
		return 1
	}
	var took, eligible, base int64
	for _, v := range p.Electorate {
		if weighted {
			eligible += int64(v.Weight)
		} else {
			eligible++
		}
	}
	per := map[string]int64{}
	heads := map[string]int{}
	abstain := map[string]bool{}
	for _, o := range p.Options {
		abstain[o.Key] = o.Abstain
	}
	for _, b := range ballots {
		took += measure(b)
		per[b.Option] += measure(b)
		heads[b.Option]++
		if !abstain[b.Option] {
			base += measure(b)
		}
	}
	quorum := big.NewRat(int64(p.Rule.Quorum), 10_000)
	if len(ballots) == 0 || big.NewRat(took, max(eligible, 1)).Cmp(quorum) < 0 {
		return OutcomeNoQuorum, ""
	}
	if p.Rule.Method == MethodConsensus {
		switch {
		case heads[OptionBlock] > 0:
			return OutcomeBlocked, ""
		case heads[OptionAgree] > 0:
			return OutcomePassed, OptionAgree
		}
		return OutcomeFailed, ""
	}
	var best []string
	for _, o := range p.Options {
		if o.Abstain {
			continue
		}
		if len(best) == 0 || per[o.Key] > per[best[0]] {
			best = []string{o.Key}
		} else if per[o.Key] == per[best[0]] {
			best = append(best, o.Key)
		}
	}
	if base == 0 {
		return OutcomeFailed, "" // everyone abstained
	}
	if len(best) > 1 {
		return OutcomeTied, ""
	}
	share := big.NewRat(per[best[0]], base)
	need := big.NewRat(1, 2)
	if p.Rule.Method == MethodTwoThirds {
		need = big.NewRat(2, 3)
	}
	if c := share.Cmp(need); c > 0 || (c == 0 && p.Rule.Method == MethodTwoThirds) {
		return OutcomePassed, best[0]
	}
	return OutcomeFailed, ""
}

func TestTallyMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	methods := []Method{MethodConsensus, MethodMajority, MethodTwoThirds, MethodWeighted}
	seen := map[Outcome]int{}
	for i := 0; i < 4000; i++ {
		p, ballots := randomVote(rng, methods[i%4], i%3 == 0)
		r, err := Tally(p, ballots)
		must(t, err)
		outcome, winner := bruteOutcome(p, ballots)
		seen[outcome]++
		if r.Outcome != outcome || r.Winner != winner || r.Ballots != len(ballots) {
			t.Fatalf("case %d (%s): got %s/%q, want %s/%q\nproposal %+v\nballots %+v", i, p.Rule.Method, r.Outcome, r.Winner, outcome, winner, p, ballots)
		}
	}
	for _, o := range []Outcome{OutcomePassed, OutcomeFailed, OutcomeNoQuorum, OutcomeTied, OutcomeBlocked} {
		if seen[o] == 0 {
			t.Errorf("outcome %s never generated: the property test misses a branch", o)
		}
	}
}

func TestTallyIsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	p, ballots := randomVote(rng, MethodWeighted, false)
	want, err := Tally(p, ballots)
	must(t, err)
	for i := 0; i < 20; i++ {
		rng.Shuffle(len(ballots), func(a, b int) { ballots[a], ballots[b] = ballots[b], ballots[a] })
		got, err := Tally(p, ballots)
		must(t, err)
		if diff := cmp.Diff(got, want); diff != "" {
			t.Fatalf("shuffled tally differs (-got +want):\n%s", diff)
		}
	}
}

func TestConsensusRecordsBlocksAndStandAsides(t *testing.T) {
	p := &Proposal{ID: "p", Status: ProposalOpen, Options: ConsensusOptions(), Rule: DecisionRule{Method: MethodConsensus, Quorum: 75 * Percent}}
	for _, k := range []string{"a", "b", "c", "d"} {
		p.Electorate = append(p.Electorate, Voter{Key: "person:" + k, Weight: 1})
	}
	ballot := func(k, opt string) Ballot {
		return Ballot{ProposalID: "p", VoterKey: "person:" + k, Option: opt, Weight: 1}
	}
	tests := []struct {
		name    string
		ballots []Ballot
		want    Outcome
		agrees  int
		asides  int
		blocks  int
	}{
		{"stand-asides do not stop consensus", []Ballot{ballot("a", OptionAgree), ballot("b", OptionStandAside), ballot("c", OptionStandAside)}, OutcomePassed, 1, 2, 0},
		{"one block stops it", []Ballot{ballot("a", OptionAgree), ballot("b", OptionAgree), ballot("c", OptionAgree), ballot("d", OptionBlock)}, OutcomeBlocked, 3, 0, 1},
		{"no quorum", []Ballot{ballot("a", OptionAgree), ballot("b", OptionAgree)}, OutcomeNoQuorum, 2, 0, 0},
		{"all stand aside", []Ballot{ballot("a", OptionStandAside), ballot("b", OptionStandAside), ballot("c", OptionStandAside)}, OutcomeFailed, 0, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Tally(p, tt.ballots)
			must(t, err)
			if r.Outcome != tt.want || r.Agrees != tt.agrees || r.StandAsides != tt.asides || r.Blocks != tt.blocks {
				t.Errorf("got %s agree %d aside %d block %d", r.Outcome, r.Agrees, r.StandAsides, r.Blocks)
			}
		})
	}
}

func TestTallyRefusesCorruptBallots(t *testing.T) {
	p := &Proposal{ID: "p", Status: ProposalOpen, Options: YesNoOptions(), Rule: DecisionRule{Method: MethodMajority},
		Electorate: []Voter{{Key: "person:a", Weight: 1}, {Key: "person:b", Weight: 2}}}
	ok := Ballot{ProposalID: "p", VoterKey: "person:a", Option: OptionYes, Weight: 1}
	tests := []struct {
		name    string
		ballots []Ballot
	}{
		{"unknown option", []Ballot{{ProposalID: "p", VoterKey: "person:a", Option: "maybe", Weight: 1}}},
		{"not in electorate", []Ballot{{ProposalID: "p", VoterKey: "person:z", Option: OptionYes, Weight: 1}}},
		{"twice", []Ballot{ok, ok}},
		{"wrong weight", []Ballot{{ProposalID: "p", VoterKey: "person:b", Option: OptionYes, Weight: 1}}},
		{"other proposal", []Ballot{{ProposalID: "q", VoterKey: "person:a", Option: OptionYes, Weight: 1}}},
		{"more ballots than voters", []Ballot{ok, ok, ok}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Tally(p, tt.ballots)
			wantKind(t, err, "internal")
		})
	}
	p.Anonymous = true
	_, err := Tally(p, []Ballot{ok})
	wantKind(t, err, "internal") // an anonymous ballot naming its voter
}
