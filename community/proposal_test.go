package community

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// box is an in-memory stand-in for a BallotStore, following the write
// order Cast documents.
type box struct {
	ballots        map[string]Ballot
	participations map[string]Participation
}

func newBox() *box {
	return &box{ballots: map[string]Ballot{}, participations: map[string]Participation{}}
}

func (bx *box) vote(p *Proposal, by Principal, v Vote, now time.Time) (Cast, error) {
	l, err := p.Lookup(by, v)
	if err != nil {
		return Cast{}, err
	}
	var prior *Ballot
	if b, ok := bx.ballots[l.BallotID]; ok && l.BallotID != "" {
		prior = &b
	}
	_, participated := bx.participations[l.ParticipationID]
	cast, err := p.Cast(by, v, prior, participated, now, rand.Reader)
	if err != nil {
		return Cast{}, err
	}
	if cast.Participation != nil {
		if _, dup := bx.participations[cast.Participation.ID]; dup {
			return Cast{}, fmt.Errorf("participation %s stored twice", cast.Participation.ID)
		}
		bx.participations[cast.Participation.ID] = *cast.Participation
	}
	stored, exists := bx.ballots[cast.Ballot.ID]
	switch {
	case cast.Replaces && (!exists || stored.Revision != cast.Ballot.Revision):
		return Cast{}, fmt.Errorf("update of ballot %s at a stale revision", cast.Ballot.ID)
	case cast.Replaces:
		cast.Ballot.Revision++
	case exists:
		return Cast{}, fmt.Errorf("ballot %s inserted twice", cast.Ballot.ID)
	}
	bx.ballots[cast.Ballot.ID] = cast.Ballot
	return cast, nil
}

func (bx *box) list() []Ballot {
	out := make([]Ballot, 0, len(bx.ballots))
	for _, b := range bx.ballots {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b Ballot) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func text(title string) map[Language]Text {
	return map[Language]Text{English: {Title: title}, Spanish: {Title: title + " (es)"}}
}

func draft(kind ProposalKind, days int) Draft {
	return Draft{ID: "p-" + string(kind), Kind: kind, Text: text("Buy the Talent parcel"), Options: YesNoOptions(),
		Opens: t0.Add(time.Hour), Closes: t0.Add(time.Hour + time.Duration(days)*day)}
}

func TestNewProposalValidation(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	badBylaws := MultistakeholderCoop("msc", adminID, t0).Bylaws
	badBylaws.Version = 3
	badBylaws.Board.StaffSeats = 9
	tests := []struct {
		name   string
		change func(d *Draft)
		want   []string
	}{
		{"no options", func(d *Draft) { d.Options = nil }, []string{"options"}},
		{"one option and an abstention", func(d *Draft) { d.Options = YesNoOptions()[:1]; d.Options = append(d.Options, YesNoOptions()[2]) }, []string{"options"}},
		{"unknown kind", func(d *Draft) { d.Kind = "coup" }, []string{"kind"}},
		{"window too short", func(d *Draft) { d.Closes = d.Opens.Add(day) }, []string{"closes"}},
		{"opens in the past", func(d *Draft) { d.Opens = t0.Add(-day) }, []string{"opens"}},
		{"no text", func(d *Draft) { d.Text = nil }, []string{"text"}},
		{"unknown language and empty title", func(d *Draft) {
			d.Text = map[Language]Text{"fr": {Title: " "}}
		}, []string{"text.fr", "text.fr.title", "options.0.label.fr", "options.1.label.fr", "options.2.label.fr"}},
		{"duplicate option", func(d *Draft) { d.Options = append(YesNoOptions(), YesNoOptions()[0]) }, []string{"options.3.key"}},
		{"bylaws change without bylaws", func(d *Draft) { d.Kind = KindBylawsChange; d.Closes = d.Opens.Add(14 * day) }, []string{"newBylaws"}},
		{"bylaws change with bad bylaws", func(d *Draft) {
			d.Kind, d.Closes, d.NewBylaws = KindBylawsChange, d.Opens.Add(14*day), &badBylaws
		}, []string{"newBylaws.version", "newBylaws.board.seats"}},
		{"bylaws on a general proposal", func(d *Draft) { d.NewBylaws = &badBylaws }, []string{"newBylaws"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := draft(KindGeneral, 7)
			tt.change(&d)
			_, err := NewProposal(&c, admin, nil, d, t0)
			if diff := cmp.Diff(fieldsOf(t, err), tt.want); diff != "" {
				t.Errorf("fields (-got +want):\n%s", diff)
			}
		})
	}

	w := WorkerCoop("wc", adminID, t0)
	d := draft(KindGeneral, 7)
	_, err := NewProposal(&w, admin, nil, d, t0)
	if diff := cmp.Diff(fieldsOf(t, err), []string{"options"}); diff != "" {
		t.Errorf("consensus proposal with yes/no options (-got +want):\n%s", diff)
	}
	d.Options = nil
	p, err := NewProposal(&w, admin, nil, d, t0)
	must(t, err)
	if !sameKeys(p.Options, ConsensusOptions()) {
		t.Errorf("consensus options = %+v", p.Options)
	}
	_, err = NewProposal(&w, stranger, nil, d, t0)
	wantKind(t, err, "forbidden")
}

func openPark(t *testing.T, n int, rule func(r *DecisionRule)) (*Community, []Membership, *Proposal) {
	t.Helper()
	c := ResidentOwnedPark("park", adminID, t0)
	rule(&c.Bylaws.Rules[0])
	members := seedMembers(&c, "resident", n, func(int) int64 { return 100_000 })
	p, err := NewProposal(&c, admin, nil, draft(KindGeneral, 7), t0)
	must(t, err)
	must(t, p.Open(&c, members, nil, p.Opens))
	return &c, members, &p
}

func TestNamedBallots(t *testing.T) {
	_, members, p := openPark(t, 5, func(r *DecisionRule) {})
	during := p.Opens.Add(time.Hour)
	bx := newBox()

	_, err := bx.vote(p, stranger, Vote{Option: OptionYes}, during)
	wantKind(t, err, "forbidden")
	_, err = bx.vote(p, holder(&members[0]), Vote{Option: "maybe"}, during)
	fieldsOf(t, err)
	_, err = bx.vote(p, holder(&members[0]), Vote{Option: OptionYes}, p.Opens.Add(-time.Minute))
	wantKind(t, err, "conflict")

	cast, err := bx.vote(p, holder(&members[0]), Vote{Option: OptionNo}, during)
	must(t, err)
	if cast.Replaces || cast.Ballot.VoterKey != "household:resident-hh-0" || cast.Secret != "" {
		t.Errorf("first cast = %+v", cast)
	}
	// Another adult of the same household changes the household's ballot.
	sameHousehold := Principal{AccountID: "acct-other", HouseholdID: members[0].HouseholdID}
	cast, err = bx.vote(p, sameHousehold, Vote{Option: OptionYes}, during)
	must(t, err)
	if !cast.Replaces || cast.Ballot.Revision != 1 {
		t.Errorf("changed cast = %+v", cast)
	}
	for _, m := range members[1:3] {
		_, err := bx.vote(p, holder(&m), Vote{Option: OptionYes}, during)
		must(t, err)
	}
	_, err = bx.vote(p, holder(&members[3]), Vote{Option: OptionNo}, p.Closes)
	wantKind(t, err, "conflict") // after close

	_, err = p.Close(bx.list(), p.Closes.Add(-time.Second))
	wantKind(t, err, "conflict")
	r, err := p.Close(bx.list(), p.Closes)
	must(t, err)
	want := Result{
		ProposalID: p.ID, Method: MethodMajority, Eligible: 5, EligibleWeight: 5, Ballots: 3, BallotWeight: 3,
		Quorum: 5000, QuorumMet: true,
		Counts:  []OptionCount{{OptionYes, 3, 3}, {OptionNo, 0, 0}, {OptionAbstain, 0, 0}},
		Counted: 3, CountedWeight: 3, Winner: OptionYes, Outcome: OutcomePassed, Passed: true, Adopted: true,
	}
	if diff := cmp.Diff(r, want); diff != "" {
		t.Errorf("result (-got +want):\n%s", diff)
	}
	_, err = bx.vote(p, holder(&members[4]), Vote{Option: OptionNo}, during)
	wantKind(t, err, "conflict") // closed
}

func TestSecondBallotRefusedWhereBylawsForbidChange(t *testing.T) {
	_, members, p := openPark(t, 3, func(r *DecisionRule) { r.AllowChange = false })
	bx := newBox()
	during := p.Opens.Add(time.Hour)
	_, err := bx.vote(p, holder(&members[0]), Vote{Option: OptionYes}, during)
	must(t, err)
	before := bx.list()
	_, err = bx.vote(p, holder(&members[0]), Vote{Option: OptionNo}, during)
	wantKind(t, err, "conflict")
	if diff := cmp.Diff(bx.list(), before); diff != "" {
		t.Errorf("ballots changed (-got +want):\n%s", diff)
	}
}

func TestElectorateIsFixedWhenVotingOpens(t *testing.T) {
	c, members, p := openPark(t, 3, func(r *DecisionRule) {})
	late := seedMembers(c, "resident", 4, func(int) int64 { return 0 })[3]
	late.ID = "late"
	_, err := newBox().vote(p, holder(&late), Vote{Option: OptionYes}, p.Opens.Add(time.Hour))
	wantKind(t, err, "forbidden")
	wantKind(t, p.Open(c, append(members, late), nil, p.Opens), "conflict")
	if len(p.Electorate) != 3 {
		t.Errorf("electorate = %d voters, want 3", len(p.Electorate))
	}
}

func TestElectoratePerPersonAndOnce(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	c.Bylaws.Classes[0].VoteBasis = VotePerPerson
	hh := seedMembers(&c, "resident", 1, func(int) int64 { return 0 })
	workers := seedMembers(&c, "worker", 2, func(int) int64 { return 0 })
	applicant := seedMembers(&c, "supporter", 1, func(int) int64 { return 0 })[0]
	applicant.Status = StatusApplied
	// worker-p-0 also lives in the household: one vote, with the larger weight.
	rosters := map[string][]string{hh[0].HouseholdID: {"ana", "worker-p-0"}}
	p, err := NewProposal(&c, admin, nil, draft(KindBudget, 7), t0)
	must(t, err)
	must(t, p.Open(&c, slices.Concat(hh, workers, []Membership{applicant}), rosters, p.Opens))
	var got []string
	for _, v := range p.Electorate {
		got = append(got, v.Key+"/"+v.ClassKey)
	}
	want := []string{"person:ana/resident", "person:worker-p-0/resident", "person:worker-p-1/worker"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("electorate (-got +want):\n%s", diff)
	}
}

func TestAnonymousBallots(t *testing.T) {
	_, members, p := openPark(t, 4, func(r *DecisionRule) { r.Anonymous = true })
	bx := newBox()
	during := p.Opens.Add(time.Hour)
	voter := holder(&members[0])

	first, err := bx.vote(p, voter, Vote{Option: OptionNo}, during)
	must(t, err)
	b := first.Ballot
	if first.Secret == "" || first.Participation == nil || b.VoterKey != "" || !b.CastAt.IsZero() ||
		strings.Contains(b.ID, members[0].HouseholdID) || strings.Contains(b.ID, members[0].ID) {
		t.Fatalf("anonymous cast = %+v", first)
	}
	if first.Participation.VoterKey != "household:"+members[0].HouseholdID || first.Participation.ID == b.ID {
		t.Errorf("participation = %+v", first.Participation)
	}

	// Without the secret the voter cannot vote again nor find the ballot.
	_, err = bx.vote(p, voter, Vote{Option: OptionYes}, during)
	if diff := cmp.Diff(fieldsOf(t, err), []string{"secret"}); diff != "" {
		t.Error(diff)
	}
	_, err = bx.vote(p, voter, Vote{Option: OptionYes, Secret: "guess"}, during)
	wantKind(t, err, "forbidden")
	// Someone who has not voted cannot use a stolen secret either.
	_, err = bx.vote(p, holder(&members[1]), Vote{Option: OptionYes, Secret: first.Secret}, during)
	wantKind(t, err, "forbidden")

	changed, err := bx.vote(p, voter, Vote{Option: OptionYes, Secret: first.Secret}, during)
	must(t, err)
	if !changed.Replaces || changed.Ballot.ID != b.ID || changed.Ballot.Option != OptionYes || changed.Secret != "" || changed.Participation != nil {
		t.Errorf("changed = %+v", changed)
	}
	for _, m := range members[1:3] {
		_, err := bx.vote(p, holder(&m), Vote{Option: OptionNo}, during)
		must(t, err)
	}
	if len(bx.ballots) != 3 || len(bx.participations) != 3 {
		t.Fatalf("%d ballots, %d participations", len(bx.ballots), len(bx.participations))
	}
	r, err := p.Close(bx.list(), p.Closes)
	must(t, err)
	if r.Counts[0].Ballots != 1 || r.Counts[1].Ballots != 2 || r.Winner != OptionNo || r.Adopted {
		t.Errorf("result = %+v", r)
	}
}

func TestAnonymousSecondBallotRefusedWithoutChange(t *testing.T) {
	_, members, p := openPark(t, 2, func(r *DecisionRule) { r.Anonymous, r.AllowChange = true, false })
	bx := newBox()
	during := p.Opens.Add(time.Hour)
	first, err := bx.vote(p, holder(&members[0]), Vote{Option: OptionNo}, during)
	must(t, err)
	_, err = bx.vote(p, holder(&members[0]), Vote{Option: OptionYes}, during)
	wantKind(t, err, "conflict")
	_, err = bx.vote(p, holder(&members[0]), Vote{Option: OptionYes, Secret: first.Secret}, during)
	wantKind(t, err, "conflict")
}

func TestVoterWithSeveralEntriesMustChoose(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	hh := seedMembers(&c, "resident", 1, func(int) int64 { return 0 })
	w := seedMembers(&c, "worker", 1, func(int) int64 { return 0 })
	p, err := NewProposal(&c, admin, nil, draft(KindBudget, 7), t0)
	must(t, err)
	must(t, p.Open(&c, slices.Concat(hh, w), nil, p.Opens))
	both := Principal{AccountID: w[0].PersonID, HouseholdID: hh[0].HouseholdID}
	bx := newBox()
	_, err = bx.vote(&p, both, Vote{Option: OptionYes}, p.Opens)
	fieldsOf(t, err)
	_, err = bx.vote(&p, both, Vote{Option: OptionYes, VoterKey: "household:" + hh[0].HouseholdID}, p.Opens)
	must(t, err)
	_, err = bx.vote(&p, both, Vote{Option: OptionNo, VoterKey: "person:" + w[0].PersonID}, p.Opens)
	must(t, err)
	_, err = bx.vote(&p, both, Vote{Option: OptionNo, VoterKey: "person:someone-else"}, p.Opens)
	wantKind(t, err, "forbidden")
}
