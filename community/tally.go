package community

import (
	"slices"

	"commonground/apperr"
)

// Outcome is how a proposal ended.
type Outcome string

// Outcomes.
const (
	OutcomePassed   Outcome = "passed"
	OutcomeFailed   Outcome = "failed"    // the leading option fell short of the threshold
	OutcomeNoQuorum Outcome = "no_quorum" // too few voters took part
	OutcomeTied     Outcome = "tied"      // two options lead with the same count
	OutcomeBlocked  Outcome = "blocked"   // consensus: at least one block
)

// OptionCount is the count for one option.
type OptionCount struct {
	Option  string
	Ballots int
	Weight  int64
}

// Result is a tally. Counts follow the proposal's option order, so equal
// inputs give equal results.
type Result struct {
	ProposalID string
	Method     Method
	// Eligible and EligibleWeight describe the electorate fixed at opening;
	// Ballots and BallotWeight who took part.
	Eligible       int
	EligibleWeight int64
	Ballots        int
	BallotWeight   int64
	Quorum         BasisPoints
	QuorumMet      bool
	Counts         []OptionCount
	// Counted and CountedWeight leave out abstentions and stand-asides:
	// they are the base of the majority or two-thirds threshold.
	Counted       int
	CountedWeight int64
	// Agrees, Blocks and StandAsides are the consensus counts.
	Agrees      int
	Blocks      int
	StandAsides int
	Winner      string
	Outcome     Outcome
	Passed      bool
	// Adopted is true when the motion carried: a consensus passed, yes won
	// a yes/no motion, or (for a choice among alternatives) one was chosen.
	Adopted bool
}

// Tally counts the ballots of an open or closed proposal against its
// electorate. A ballot with an unknown option, a voter outside the
// electorate, a weight other than the voter's, or a second ballot by one
// voter means the stored ballots are corrupt, and Tally refuses them rather
// than count them. It runs in O(ballots × log electorate) with no
// allocation per ballot, and is deterministic.
func Tally(p *Proposal, ballots []Ballot) (Result, error) {
	r := Result{ProposalID: p.ID, Method: p.Rule.Method, Quorum: p.Rule.Quorum, Eligible: len(p.Electorate)}
	if p.Status == ProposalDraft {
		return Result{}, apperr.New(apperr.Conflict, "voting has not opened")
	}
	for _, v := range p.Electorate {
		r.EligibleWeight += int64(v.Weight)
	}
	r.Counts = make([]OptionCount, len(p.Options))
	for i, o := range p.Options {
		r.Counts[i].Option = o.Key
	}
	if len(ballots) > len(p.Electorate) {
		return Result{}, apperr.New(apperr.Internal, "more ballots than voters")
	}
	var voted []bool
	if !p.Anonymous {
		voted = make([]bool, len(p.Electorate))
	}
	// Stores list named ballots by ID, which sorts them like the
	// electorate; next lets that common case skip the binary search.
	next := 0
	for i := range ballots {
		b := &ballots[i]
		oi := optionIndex(p.Options, b.Option)
		if oi < 0 || b.ProposalID != p.ID || b.Weight < 1 || b.Weight > MaxVoteWeight {
			return Result{}, apperr.New(apperr.Internal, "a stored ballot is not valid for this proposal")
		}
		if !p.Anonymous {
			vi := next
			if vi >= len(p.Electorate) || p.Electorate[vi].Key != b.VoterKey {
				vi = p.voterIndex(b.VoterKey)
			}
			next = vi + 1
			if vi < 0 || voted[vi] || p.Electorate[vi].Weight != b.Weight {
				return Result{}, apperr.New(apperr.Internal, "a stored ballot does not match the electorate")
			}
			voted[vi] = true
		} else if b.VoterKey != "" {
			return Result{}, apperr.New(apperr.Internal, "an anonymous ballot names its voter")
		}
		r.Counts[oi].Ballots++
		r.Counts[oi].Weight += int64(b.Weight)
	}
	r.decide(p)
	return r, nil
}

// optionIndex finds an option by key; proposals have at most 20 options,
// so a scan beats a map.
func optionIndex(opts []Option, key string) int {
	for i := range opts {
		if opts[i].Key == key {
			return i
		}
	}
	return -1
}

func (r *Result) decide(p *Proposal) {
	weighted := p.Rule.Method == MethodWeighted
	for i, c := range r.Counts {
		r.Ballots += c.Ballots
		r.BallotWeight += c.Weight
		if !p.Options[i].Abstain {
			r.Counted += c.Ballots
			r.CountedWeight += c.Weight
		}
		switch c.Option {
		case OptionAgree:
			r.Agrees = c.Ballots
		case OptionBlock:
			r.Blocks = c.Ballots
		case OptionStandAside:
			r.StandAsides = c.Ballots
		}
	}
	if weighted {
		r.QuorumMet = atLeastShare(r.BallotWeight, r.EligibleWeight, r.Quorum)
	} else {
		r.QuorumMet = atLeastShare(int64(r.Ballots), int64(r.Eligible), r.Quorum)
	}
	r.Outcome = OutcomeFailed
	switch {
	case !r.QuorumMet || r.Ballots == 0:
		r.Outcome = OutcomeNoQuorum
	case p.Rule.Method == MethodConsensus:
		switch {
		case r.Blocks > 0:
			r.Outcome = OutcomeBlocked
		case r.Agrees > 0:
			r.Outcome, r.Winner = OutcomePassed, OptionAgree
		}
	default:
		measure := func(c OptionCount) int64 {
			if weighted {
				return c.Weight
			}
			return int64(c.Ballots)
		}
		base := int64(r.Counted)
		if weighted {
			base = r.CountedWeight
		}
		lead, leaders := int64(-1), 0
		winner := ""
		for i, c := range r.Counts {
			if p.Options[i].Abstain {
				continue
			}
			switch m := measure(c); {
			case m > lead:
				lead, leaders, winner = m, 1, c.Option
			case m == lead:
				leaders++
			}
		}
		var reached bool
		if p.Rule.Method == MethodTwoThirds {
			reached = lead*3 >= base*2
		} else {
			reached = lead*2 > base
		}
		switch {
		case leaders > 1 && lead > 0:
			r.Outcome = OutcomeTied
		case lead > 0 && reached:
			r.Outcome, r.Winner = OutcomePassed, winner
		}
	}
	r.Passed = r.Outcome == OutcomePassed
	hasYes := slices.ContainsFunc(p.Options, func(o Option) bool { return o.Key == OptionYes })
	r.Adopted = r.Passed && (!hasYes || r.Winner == OptionYes)
}
