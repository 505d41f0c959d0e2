package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"commonground/auth"
	"commonground/community"
)

const day = 24 * time.Hour

// applyAndReview has u apply to a community and admin admit the
// application, returning the provisional membership.
func (e *communityEnv) applyAndReview(t *testing.T, cid string, admin, u user, app map[string]any) membershipOut {
	t.Helper()
	var m membershipOut
	call(t, e.Env, u, "POST", communityPath(cid, "memberships"), app, 201, &m)
	if m.Status != "applied" {
		t.Fatalf("application status = %q, want applied", m.Status)
	}
	call(t, e.Env, admin, "POST", communityPath(cid, "memberships", m.ID, "review"), map[string]any{"approve": true, "note": "welcome"}, 200, &m)
	return m
}

func (e *communityEnv) milestone(t *testing.T, cid, mid string, by user, key string) membershipOut {
	t.Helper()
	var m membershipOut
	call(t, e.Env, by, "POST", communityPath(cid, "memberships", mid, "milestones"), map[string]any{"milestone": key, "note": "seen by " + by.ID}, 200, &m)
	return m
}

func (e *communityEnv) pay(t *testing.T, cid, mid string, by user, minor int64) membershipOut {
	t.Helper()
	var m membershipOut
	call(t, e.Env, by, "POST", communityPath(cid, "memberships", mid, "payments"), map[string]any{"amount": map[string]any{"minor": minor, "currency": "USD"}}, 200, &m)
	return m
}

// propose has by draft a proposal and opener open it, returning it open.
func (e *communityEnv) propose(t *testing.T, cid string, by, opener user, body map[string]any) proposalOut {
	t.Helper()
	var p proposalOut
	call(t, e.Env, by, "POST", communityPath(cid, "proposals"), body, 201, &p)
	call(t, e.Env, opener, "POST", communityPath(cid, "proposals", p.ID, "open"), nil, 200, &p)
	return p
}

func (e *communityEnv) vote(t *testing.T, cid, pid string, u user, body map[string]any, want int) voteOut {
	t.Helper()
	var v voteOut
	call(t, e.Env, u, "POST", communityPath(cid, "proposals", pid, "ballots"), body, want, &v)
	return v
}

func (e *communityEnv) closeVote(t *testing.T, cid, pid string, by user) (resultOut, []string) {
	t.Helper()
	var out struct {
		Result  resultOut `json:"result"`
		Effects []string  `json:"effects"`
	}
	call(t, e.Env, by, "POST", communityPath(cid, "proposals", pid, "close"), nil, 200, &out)
	return out.Result, out.Effects
}

// TestResidentOwnedParkEndToEnd runs the manufactured-home park: three
// households apply, pay their share, serve 90 days and become members; a
// motion passes one vote per household; the board is five resident seats;
// a household withdraws and gets its share back as paid.
func TestResidentOwnedParkEndToEnd(t *testing.T) {
	e := startCommunities(t)
	admin := newUser(t, e.Env, auth.RoleOrganizer)
	park := found(t, e.Env, admin, community.ResidentOwnedPark)
	if park.Bylaws.Version != 1 || !cmp.Equal(park.YourRoles, []string{"community_admin"}) {
		t.Fatalf("founded community = %+v", park)
	}

	residents := make([]user, 3)
	homes := make([]string, 3)
	ms := make([]membershipOut, 3)
	for i := range residents {
		residents[i] = newUser(t, e.Env)
		homes[i] = home(t, e.Env, residents[i])
		ms[i] = e.applyAndReview(t, park.ID, admin, residents[i], map[string]any{"classKey": "resident", "householdId": homes[i]})
		if ms[i].Status != "provisional" || ms[i].NextMilestone == nil || ms[i].NextMilestone.Key != "orientation" {
			t.Fatalf("after review: %+v", ms[i])
		}
		e.milestone(t, park.ID, ms[i].ID, admin, "orientation")
		for range 4 {
			e.pay(t, park.ID, ms[i].ID, admin, 25_000)
		}
		e.milestone(t, park.ID, ms[i].ID, admin, "share")
	}
	e.clock.Advance(90 * day)
	for i := range ms {
		ms[i] = e.milestone(t, park.ID, ms[i].ID, admin, "ninety_days")
		if ms[i].Status != "member" || ms[i].Paid.Minor != 100_000 {
			t.Fatalf("after the pathway: status %q paid %d, want member 100000", ms[i].Status, ms[i].Paid.Minor)
		}
	}
	var mine struct {
		Memberships []membershipOut `json:"memberships"`
	}
	call(t, e.Env, residents[0], "GET", "/api/v1/me/memberships", nil, 200, &mine)
	if len(mine.Memberships) != 1 || mine.Memberships[0].ID != ms[0].ID {
		t.Fatalf("GET /me/memberships = %+v, want only %s", mine.Memberships, ms[0].ID)
	}

	p := e.propose(t, park.ID, residents[0], admin, proposalBody("general", e.clock.Now(), 7*day, true))
	call(t, e.Env, residents[0], "GET", communityPath(park.ID, "proposals", p.ID), nil, 200, &p)
	if p.Eligible != 3 || len(p.YourVoters) != 1 || p.YourVoters[0].Key != "household:"+homes[0] {
		t.Fatalf("open proposal = %+v, want 3 household voters", p)
	}
	e.vote(t, park.ID, p.ID, residents[0], map[string]any{"option": "yes"}, 201)
	e.vote(t, park.ID, p.ID, residents[1], map[string]any{"option": "no"}, 201)
	e.vote(t, park.ID, p.ID, residents[2], map[string]any{"option": "no"}, 201)
	if v := e.vote(t, park.ID, p.ID, residents[2], map[string]any{"option": "yes"}, 200); !v.Replaced {
		t.Errorf("changed ballot not reported as replaced: %+v", v)
	}
	call(t, e.Env, admin, "GET", communityPath(park.ID, "proposals", p.ID, "results"), nil, 409, nil)
	e.clock.Advance(7 * day)
	res, _ := e.closeVote(t, park.ID, p.ID, admin)
	if res.Outcome != "passed" || res.Winner != "yes" || res.Ballots != 3 || res.Counts[0].Ballots != 2 {
		t.Fatalf("result = %+v, want yes 2 of 3", res)
	}
	var again resultOut
	call(t, e.Env, residents[1], "GET", communityPath(park.ID, "proposals", p.ID, "results"), nil, 200, &again)
	if !cmp.Equal(again, res) {
		t.Errorf("GET results differs from the close:\n%s", cmp.Diff(again, res))
	}

	var board struct {
		Seats   int `json:"seats"`
		Classes []struct {
			Class string `json:"class"`
			Seats int    `json:"seats"`
		} `json:"classes"`
		AtLarge int `json:"atLarge"`
	}
	call(t, e.Env, user{}, "GET", communityPath(park.ID, "board"), nil, 200, &board)
	if board.Seats != 5 || len(board.Classes) != 1 || board.Classes[0].Seats != 5 || board.AtLarge != 0 {
		t.Errorf("board = %+v, want five resident seats", board)
	}

	var left membershipOut
	call(t, e.Env, residents[1], "POST", communityPath(park.ID, "memberships", ms[1].ID, "withdraw"), nil, 200, &left)
	if left.Status != "withdrawn" || left.Refund == nil || left.Refund.Amount.Minor != 100_000 {
		t.Errorf("withdrawn membership = %+v, want the share back as paid", left)
	}
}

// TestWorkerCoopEndToEnd runs the worker cooperative: two founders, a
// candidate who meets orientation, training and 180 days, then is admitted
// by a consensus vote of the members, one person one vote, with a stand
// aside recorded.
func TestWorkerCoopEndToEnd(t *testing.T) {
	e := startCommunities(t)
	admin := newUser(t, e.Env, auth.RoleOrganizer)
	coop := found(t, e.Env, admin, community.WorkerCoop)
	founders := []user{newUser(t, e.Env), newUser(t, e.Env)}
	for _, f := range founders {
		var m membershipOut
		call(t, e.Env, admin, "POST", communityPath(coop.ID, "founding-members"), map[string]any{"accountId": f.ID, "classKey": "worker"}, 201, &m)
		if m.Status != "member" || m.PersonID != f.ID {
			t.Fatalf("founding member = %+v", m)
		}
	}
	candidate := newUser(t, e.Env)
	m := e.applyAndReview(t, coop.ID, admin, candidate, map[string]any{"classKey": "worker", "statement": "I frame houses."})
	e.milestone(t, coop.ID, m.ID, admin, "orientation")
	e.milestone(t, coop.ID, m.ID, admin, "conflict_training")
	e.clock.Advance(180 * day)
	m = e.milestone(t, coop.ID, m.ID, admin, "candidacy")
	if m.NextMilestone == nil || m.NextMilestone.Key != "members_agree" {
		t.Fatalf("next milestone = %+v, want members_agree", m.NextMilestone)
	}

	body := proposalBody("admission", e.clock.Now(), 3*day, false)
	body["membershipId"] = m.ID
	p := e.propose(t, coop.ID, founders[0], admin, body)
	if p.Eligible != 2 {
		t.Fatalf("electorate = %d, want the two founders", p.Eligible)
	}
	e.vote(t, coop.ID, p.ID, candidate, map[string]any{"option": "agree"}, 403)
	e.vote(t, coop.ID, p.ID, founders[0], map[string]any{"option": "agree"}, 201)
	e.vote(t, coop.ID, p.ID, founders[1], map[string]any{"option": "stand_aside"}, 201)
	e.clock.Advance(3 * day)
	res, effects := e.closeVote(t, coop.ID, p.ID, admin)
	if res.Outcome != "passed" || !res.Adopted || res.Agrees != 1 || res.StandAsides != 1 || res.Blocks != 0 {
		t.Fatalf("result = %+v, want consensus with one stand-aside", res)
	}
	if len(effects) != 1 {
		t.Errorf("effects = %q, want the milestone completed", effects)
	}
	call(t, e.Env, candidate, "GET", communityPath(coop.ID, "memberships", m.ID), nil, 200, &m)
	last := m.Milestones[len(m.Milestones)-1]
	if m.Status != "member" || last.As != "member_vote" || last.ProposalID != p.ID {
		t.Fatalf("after the vote: status %q, last milestone %+v", m.Status, last)
	}
	// Closing again changes nothing and says so.
	if _, effects := e.closeVote(t, coop.ID, p.ID, admin); len(effects) != 1 || effects[0] != "admission vote already recorded" {
		t.Errorf("second close effects = %q", effects)
	}

	var board struct {
		Seats, AtLarge int
	}
	call(t, e.Env, user{}, "GET", communityPath(coop.ID, "board"), nil, 200, &board)
	if board.Seats != 3 || board.AtLarge != 3 {
		t.Errorf("board = %+v, want three seats at large", board)
	}
}

// TestMultistakeholderCoopEndToEnd runs the multistakeholder cooperative:
// founders in every class and region pay dues; a household goes through
// the pathway; a budget passes by class-weighted vote; a secret two-thirds
// ballot adopts new bylaws; and the board's regional seats follow the dues,
// as the domain's apportionment computes them.
func TestMultistakeholderCoopEndToEnd(t *testing.T) {
	e := startCommunities(t)
	admin := newUser(t, e.Env, auth.RoleOrganizer)
	msc := found(t, e.Env, admin, community.MultistakeholderCoop)
	type founder struct {
		class, region string
		household     bool
		dues          int64
	}
	plan := []founder{
		{"resident", "talent", true, 30_000}, {"resident", "talent", true, 30_000}, {"resident", "phoenix", true, 30_000},
		{"resident", "medford", true, 15_000}, {"worker", "medford", false, 10_000}, {"worker", "ashland", false, 5_000},
		{"supporter", "eagle_point", false, 2_500}, {"supporter", "ashland", false, 2_500},
	}
	var founders []user
	var dues []community.MemberDues
	for _, f := range plan {
		u := newUser(t, e.Env)
		founders = append(founders, u)
		body := map[string]any{"accountId": u.ID, "classKey": f.class, "region": f.region}
		if f.household {
			body["householdId"] = home(t, e.Env, u)
		}
		var m membershipOut
		call(t, e.Env, admin, "POST", communityPath(msc.ID, "founding-members"), body, 201, &m)
		e.pay(t, msc.ID, m.ID, admin, f.dues)
		dues = append(dues, community.MemberDues{Region: f.region, ClassKey: f.class, Amount: community.Money{Minor: f.dues, Currency: "USD"}})
	}

	newcomer := newUser(t, e.Env)
	home(t, e.Env, newcomer) // applies without naming it: the newcomer's own household
	m := e.applyAndReview(t, msc.ID, admin, newcomer, map[string]any{"classKey": "resident", "region": "eagle_point"})
	e.milestone(t, msc.ID, m.ID, admin, "orientation")
	e.milestone(t, msc.ID, m.ID, admin, "conflict_training")
	e.pay(t, msc.ID, m.ID, admin, 30_000)
	if m = e.milestone(t, msc.ID, m.ID, admin, "share"); m.Status != "member" {
		t.Fatalf("newcomer status = %q, want member", m.Status)
	}
	dues = append(dues, community.MemberDues{Region: "eagle_point", ClassKey: "resident", Amount: community.Money{Minor: 30_000, Currency: "USD"}})

	// A class-weighted budget: residents weigh 2, the others 1.
	p := e.propose(t, msc.ID, founders[0], admin, proposalBody("budget", e.clock.Now(), 7*day, true))
	if p.Eligible != 9 {
		t.Fatalf("electorate = %d, want 9", p.Eligible)
	}
	for i, option := range []string{"yes", "yes", "no", "yes", "no", "no", "no", "abstain"} {
		e.vote(t, msc.ID, p.ID, founders[i], map[string]any{"option": option}, 201)
	}
	e.vote(t, msc.ID, p.ID, newcomer, map[string]any{"option": "yes"}, 201)
	e.clock.Advance(7 * day)
	res, _ := e.closeVote(t, msc.ID, p.ID, admin)
	// Four ballots each way, but yes is four households × 2 = 8 and no is
	// one household (2) + two workers + one supporter = 5.
	if res.Outcome != "passed" || res.Winner != "yes" || res.Counts[0].Ballots != 4 || res.Counts[1].Ballots != 4 ||
		res.Counts[0].Weight != 8 || res.Counts[1].Weight != 5 {
		t.Fatalf("weighted result = %+v", res)
	}

	// New bylaws by secret ballot: one more staff seat.
	next := community.MultistakeholderCoop("", admin.ID, time.Time{}).Bylaws
	next.Version = 2
	next.Board.Seats, next.Board.StaffSeats = 12, 3
	body := proposalBody("bylaws_change", e.clock.Now(), 14*day, true)
	body["newBylaws"] = bylawsBody(next)
	p = e.propose(t, msc.ID, admin, admin, body)
	if !p.Anonymous {
		t.Fatal("bylaws change is not a secret ballot")
	}
	var secrets []string
	for i, option := range []string{"yes", "yes", "yes", "no", "yes", "yes"} {
		v := e.vote(t, msc.ID, p.ID, founders[i], map[string]any{"option": option}, 201)
		if v.Secret == "" || v.VoterKey != "" {
			t.Fatalf("secret ballot receipt = %+v, want a secret and no voter", v)
		}
		secrets = append(secrets, v.Secret)
	}
	// The bylaws allow one ballot: neither a second one nor a change by
	// secret is taken.
	e.vote(t, msc.ID, p.ID, founders[0], map[string]any{"option": "no"}, 409)
	e.vote(t, msc.ID, p.ID, founders[0], map[string]any{"option": "no", "secret": secrets[0]}, 409)
	e.clock.Advance(14 * day)
	res, effects := e.closeVote(t, msc.ID, p.ID, admin)
	if res.Outcome != "passed" || !res.Adopted || res.Ballots != 6 || res.Counts[0].Ballots != 5 {
		t.Fatalf("bylaws vote = %+v", res)
	}
	if len(effects) != 1 {
		t.Errorf("effects = %q", effects)
	}
	var bylaws struct {
		Current struct {
			Version   int    `json:"version"`
			AdoptedBy string `json:"adoptedBy"`
			Board     struct {
				StaffSeats int `json:"staffSeats"`
			} `json:"board"`
		} `json:"current"`
		History []json.RawMessage `json:"history"`
	}
	call(t, e.Env, user{}, "GET", communityPath(msc.ID, "bylaws"), nil, 200, &bylaws)
	if bylaws.Current.Version != 2 || bylaws.Current.AdoptedBy != p.ID || bylaws.Current.Board.StaffSeats != 3 || len(bylaws.History) != 1 {
		t.Fatalf("bylaws after the vote = %+v", bylaws)
	}

	var board struct {
		Seats    int `json:"seats"`
		Staff    int `json:"staff"`
		AtLarge  int `json:"atLarge"`
		Regional struct {
			TotalDues int64 `json:"totalDues"`
			Regions   []struct {
				Region string `json:"region"`
				Seats  int    `json:"seats"`
			} `json:"regions"`
			Steps []string `json:"steps"`
		} `json:"regional"`
	}
	call(t, e.Env, user{}, "GET", communityPath(msc.ID, "board"), nil, 200, &board)
	c := community.MultistakeholderCoop("msc", admin.ID, time.Time{})
	c.Bylaws = next
	want, err := community.ApportionBoard(&c, dues)
	if err != nil {
		t.Fatal(err)
	}
	if board.Seats != 12 || board.Staff != 3 || board.AtLarge != want.AtLarge || board.Regional.TotalDues != want.Regional.TotalDues {
		t.Errorf("board = %+v, want %+v", board, want)
	}
	total := 0
	for i, r := range board.Regional.Regions {
		if r.Region != want.Regional.Regions[i].Region || r.Seats != want.Regional.Regions[i].Seats {
			t.Errorf("region %d = %+v, want %+v", i, r, want.Regional.Regions[i])
		}
		total += r.Seats
	}
	if total != 5 || len(board.Regional.Steps) == 0 {
		t.Errorf("regional seats = %d with %d steps, want 5 shown step by step", total, len(board.Regional.Steps))
	}
}

// BenchmarkCastBallotHTTP measures a vote through the whole stack (token,
// lookup, cast, conditional write on the embedded store): 50 member
// households change their ballots on an open motion in turn.
func BenchmarkCastBallotHTTP(b *testing.B) {
	e := startCommunities(b)
	env, clk := e.Env, e.clock
	admin := newUser(b, env, auth.RoleOrganizer)
	park := found(b, env, admin, community.ResidentOwnedPark)
	members := make([]user, 50)
	for i := range members {
		members[i] = newUser(b, env)
		call(b, env, admin, "POST", communityPath(park.ID, "founding-members"),
			map[string]any{"accountId": members[i].ID, "householdId": home(b, env, members[i]), "classKey": "resident"}, 201, nil)
	}
	var p proposalOut
	call(b, env, admin, "POST", communityPath(park.ID, "proposals"), proposalBody("general", clk.Now(), 7*day, true), 201, &p)
	call(b, env, admin, "POST", communityPath(park.ID, "proposals", p.ID, "open"), nil, 200, nil)
	path := communityPath(park.ID, "proposals", p.ID, "ballots")
	options := []string{"yes", "no"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := env.Do(b, "POST", path, map[string]any{"option": options[i%2]}, members[i%len(members)].auth()...)
		if r.Status != 201 && r.Status != 200 {
			b.Fatalf("vote = %d: %s", r.Status, r.Body)
		}
	}
}

// TestOrganisationMembershipEndToEnd runs a partner organisation through the
// multistakeholder co-op: its representative applies for it, the admin's
// approval confirms the representation, the representative alone sees the
// membership, votes for the organisation and withdraws it; then another
// representative may apply for it again.
func TestOrganisationMembershipEndToEnd(t *testing.T) {
	e := startCommunities(t)
	admin := newUser(t, e.Env, auth.RoleOrganizer)
	msc := found(t, e.Env, admin, community.MultistakeholderCoop)
	rep, colleague, stranger := newUser(t, e.Env), newUser(t, e.Env), newUser(t, e.Env)
	memberships := communityPath(msc.ID, "memberships")

	// Refused applications name the field and store nothing.
	for _, body := range []map[string]any{
		{"classKey": "organisation", "region": "medford"},
		{"classKey": "organisation", "region": "medford", "organisationName": "  !!  "},
		{"classKey": "organisation", "region": "medford", "organisationName": strings.Repeat("x", 201)},
		{"classKey": "worker", "region": "medford", "organisationName": "Rogue Credit Union"},
	} {
		p := e.Do(t, "POST", memberships, body, rep.auth()...).WantProblem(t, 422)
		if !p.HasField("organisationName") {
			t.Errorf("problem %+v does not name organisationName", p)
		}
	}
	var mine struct {
		Memberships []membershipOut `json:"memberships"`
	}
	call(t, e.Env, rep, "GET", "/api/v1/me/memberships", nil, 200, &mine)
	if len(mine.Memberships) != 0 {
		t.Fatalf("refused applications stored: %+v", mine.Memberships)
	}

	var m membershipOut
	call(t, e.Env, rep, "POST", memberships, map[string]any{"classKey": "organisation", "region": "medford",
		"organisationName": " Rogue  Credit Union, Inc. "}, 201, &m)
	if m.Organisation != "Rogue Credit Union, Inc." || m.OrgKey != "rogue-credit-union-inc" || m.Representing != rep.ID ||
		m.PersonID != "" || m.HouseholdID != "" || m.Status != "applied" {
		t.Fatalf("organisation application = %+v", m)
	}
	// The same organisation spelt otherwise, by a colleague, is the same
	// applicant.
	call(t, e.Env, colleague, "POST", memberships, map[string]any{"classKey": "organisation", "region": "medford",
		"organisationName": "rogue credit union inc"}, 409, nil)
	// Only the representative and the community's admins see it.
	call(t, e.Env, rep, "GET", "/api/v1/me/memberships", nil, 200, &mine)
	if len(mine.Memberships) != 1 || mine.Memberships[0].ID != m.ID {
		t.Fatalf("representative's memberships = %+v", mine.Memberships)
	}
	call(t, e.Env, colleague, "GET", "/api/v1/me/memberships", nil, 200, &mine)
	if len(mine.Memberships) != 0 {
		t.Fatalf("colleague sees %+v", mine.Memberships)
	}
	call(t, e.Env, stranger, "GET", communityPath(msc.ID, "memberships", m.ID), nil, 404, nil)
	call(t, e.Env, rep, "GET", communityPath(msc.ID, "memberships", m.ID), nil, 200, nil)

	call(t, e.Env, admin, "POST", communityPath(msc.ID, "memberships", m.ID, "review"), map[string]any{"approve": true, "note": "MOU on file"}, 200, &m)
	e.pay(t, msc.ID, m.ID, admin, 50_000)
	if m = e.milestone(t, msc.ID, m.ID, admin, "agreement"); m.Status != "member" {
		t.Fatalf("after the agreement: %+v", m)
	}

	// A founding resident and the organisation vote; the organisation's
	// vote is its representative's to cast.
	resident := newUser(t, e.Env)
	call(t, e.Env, admin, "POST", communityPath(msc.ID, "founding-members"),
		map[string]any{"accountId": resident.ID, "householdId": home(t, e.Env, resident), "classKey": "resident", "region": "talent"}, 201, nil)
	p := e.propose(t, msc.ID, resident, admin, proposalBody("general", e.clock.Now(), 7*day, true))
	if p.Eligible != 2 {
		t.Fatalf("electorate = %d, want 2", p.Eligible)
	}
	var seen proposalOut
	call(t, e.Env, rep, "GET", communityPath(msc.ID, "proposals", p.ID), nil, 200, &seen)
	if len(seen.YourVoters) != 1 || seen.YourVoters[0].Key != "organisation:rogue-credit-union-inc" {
		t.Fatalf("representative may vote for %+v", seen.YourVoters)
	}
	e.vote(t, msc.ID, p.ID, colleague, map[string]any{"option": "no"}, 403)
	if v := e.vote(t, msc.ID, p.ID, rep, map[string]any{"option": "no"}, 201); v.VoterKey != "organisation:rogue-credit-union-inc" {
		t.Fatalf("organisation's ballot = %+v", v)
	}
	e.vote(t, msc.ID, p.ID, resident, map[string]any{"option": "yes"}, 201)
	e.clock.Advance(7 * day)
	if res, _ := e.closeVote(t, msc.ID, p.ID, admin); res.Ballots != 2 || res.Outcome != "tied" || res.Counts[1].Ballots != 1 {
		t.Fatalf("result = %+v, want one ballot each way, tied", res)
	}

	// Only the representative withdraws it; then the organisation may apply
	// again through someone else.
	call(t, e.Env, colleague, "POST", communityPath(msc.ID, "memberships", m.ID, "withdraw"), nil, 404, nil)
	call(t, e.Env, rep, "POST", communityPath(msc.ID, "memberships", m.ID, "withdraw"), nil, 200, &m)
	if m.Status != "withdrawn" || m.Refund == nil {
		t.Fatalf("after withdrawing: %+v", m)
	}
	call(t, e.Env, colleague, "POST", memberships, map[string]any{"classKey": "organisation", "region": "medford",
		"organisationName": "Rogue Credit Union Inc"}, 201, &m)
	if m.Representing != colleague.ID {
		t.Fatalf("new representative = %q", m.Representing)
	}

	// The organisation names someone else to act for it; a community admin
	// records the change. Only an admin may, only to an active account.
	successor := newUser(t, e.Env)
	repPath := communityPath(msc.ID, "memberships", m.ID, "representative")
	call(t, e.Env, colleague, "POST", repPath, map[string]any{"accountId": successor.ID}, 403, nil) // the representative cannot hand it on
	call(t, e.Env, stranger, "POST", repPath, map[string]any{"accountId": successor.ID}, 404, nil)
	if p := e.Do(t, "POST", repPath, map[string]any{"accountId": "no-such-account"}, admin.auth()...).WantProblem(t, 422); !p.HasField("accountId") {
		t.Errorf("problem %+v does not name accountId", p)
	}
	e.Do(t, "POST", repPath, map[string]any{"accountId": colleague.ID}, admin.auth()...).WantProblem(t, 422) // already them
	call(t, e.Env, admin, "POST", repPath, map[string]any{"accountId": successor.ID}, 200, &m)
	if m.Representing != successor.ID {
		t.Fatalf("representative after the change = %q", m.Representing)
	}
	call(t, e.Env, colleague, "GET", communityPath(msc.ID, "memberships", m.ID), nil, 404, nil)
	call(t, e.Env, successor, "GET", communityPath(msc.ID, "memberships", m.ID), nil, 200, nil)
	// A household's membership has no representative to change.
	var theirs struct {
		Memberships []membershipOut `json:"memberships"`
	}
	call(t, e.Env, resident, "GET", "/api/v1/me/memberships", nil, 200, &theirs)
	e.Do(t, "POST", communityPath(msc.ID, "memberships", theirs.Memberships[0].ID, "representative"), map[string]any{"accountId": successor.ID}, admin.auth()...).WantProblem(t, 409)

	// A founding organisation is recorded with its representative's account.
	founder := newUser(t, e.Env)
	call(t, e.Env, admin, "POST", communityPath(msc.ID, "founding-members"), map[string]any{"accountId": founder.ID,
		"classKey": "organisation", "region": "ashland", "organisationName": "Ashland Habitat"}, 201, &m)
	if m.Status != "member" || m.Representing != founder.ID || m.Organisation != "Ashland Habitat" {
		t.Fatalf("founding organisation = %+v", m)
	}
}
