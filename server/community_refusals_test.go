package server_test

import (
	"bytes"
	"testing"

	"commonground/auth"
	"commonground/community"
)

// refusalFixture is a resident-owned park with two full members, a
// provisional member, an open motion, and a worker co-op beside it.
type refusalFixture struct {
	e           *communityEnv
	admin       user
	organizer   user // community_organizer of the park
	members     []user
	homes       []string // the members' households
	stranger    user
	provisional membershipOut
	applicant   user
	park        communityOut
	motion      proposalOut
}

func newRefusalFixture(t *testing.T) *refusalFixture {
	t.Helper()
	e := startCommunities(t)
	f := &refusalFixture{e: e, admin: newUser(t, e.Env, auth.RoleOrganizer), stranger: newUser(t, e.Env), applicant: newUser(t, e.Env)}
	f.park = found(t, e.Env, f.admin, community.ResidentOwnedPark)
	f.organizer = newUser(t, e.Env)
	call(t, e.Env, f.admin, "POST", communityPath(f.park.ID, "roles"), map[string]any{"accountId": f.organizer.ID, "role": "community_organizer"}, 201, nil)
	for i := range 2 {
		u := newUser(t, e.Env)
		f.members = append(f.members, u)
		f.homes = append(f.homes, home(t, e.Env, u))
		call(t, e.Env, f.admin, "POST", communityPath(f.park.ID, "founding-members"),
			map[string]any{"accountId": u.ID, "householdId": f.homes[i], "classKey": "resident"}, 201, nil)
	}
	f.provisional = e.applyAndReview(t, f.park.ID, f.admin, f.applicant, map[string]any{"classKey": "resident", "householdId": home(t, e.Env, f.applicant)})
	f.motion = e.propose(t, f.park.ID, f.admin, f.admin, proposalBody("general", e.clock.Now(), 7*day, true))
	return f
}

// snapshot reads back everything a refused request might have changed.
func (f *refusalFixture) snapshot(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, path := range []string{
		"/api/v1/communities",
		communityPath(f.park.ID),
		communityPath(f.park.ID, "memberships"),
		communityPath(f.park.ID, "proposals"),
	} {
		out.Write(call(t, f.e.Env, f.admin, "GET", path, nil, 200, nil).Body)
	}
	return out.Bytes()
}

// TestCommunityRefusals sends every bad input the community routes must
// refuse: each gets a problem response and changes nothing.
func TestCommunityRefusals(t *testing.T) {
	f := newRefusalFixture(t)
	park := f.park.ID
	weights := community.ResidentOwnedPark("", "", f.e.clock.Now())
	weights.Bylaws.Classes[0].VoteWeight = 1 << 40
	seats := community.MultistakeholderCoop("", "", f.e.clock.Now())
	seats.Bylaws.Board.StaffSeats = 9
	noOptions := proposalBody("general", f.e.clock.Now(), 7*day, false)
	noOptions["options"] = []any{}

	tests := []struct {
		name   string
		as     user
		method string
		path   string
		body   any
		status int
		fields []string
	}{
		{"vote by someone not eligible", f.applicant, "POST", communityPath(park, "proposals", f.motion.ID, "ballots"), map[string]any{"option": "yes"}, 403, nil},
		{"vote by a stranger", f.stranger, "POST", communityPath(park, "proposals", f.motion.ID, "ballots"), map[string]any{"option": "yes"}, 403, nil},
		{"vote for an option the proposal lacks", f.members[0], "POST", communityPath(park, "proposals", f.motion.ID, "ballots"), map[string]any{"option": "maybe"}, 422, []string{"option"}},
		{"proposal with no options", f.admin, "POST", communityPath(park, "proposals"), noOptions, 422, []string{"options"}},
		{"organizer verifies orientation, as the bylaws allow", f.organizer, "POST", communityPath(park, "memberships", f.provisional.ID, "milestones"),
			map[string]any{"milestone": "orientation", "note": "attended"}, 200, nil}, // a control: the rows below are about the share
		{"milestone verified by the holder", f.applicant, "POST", communityPath(park, "memberships", f.provisional.ID, "milestones"),
			map[string]any{"milestone": "share", "note": "I paid"}, 403, nil},
		{"milestone verified by someone without the right", f.organizer, "POST", communityPath(park, "memberships", f.provisional.ID, "milestones"),
			map[string]any{"milestone": "share", "note": "paid"}, 403, nil},
		{"milestone out of order", f.admin, "POST", communityPath(park, "memberships", f.provisional.ID, "milestones"),
			map[string]any{"milestone": "ninety_days", "note": "early"}, 422, []string{"milestone"}},
		{"class weights that overflow", f.admin, "POST", "/api/v1/communities", communityBody(weights), 422, []string{"bylaws.classes.0.voteWeight"}},
		{"class weight beyond any integer", f.admin, "POST", "/api/v1/communities",
			`{"name":"x","model":"worker_coop","bylaws":{"version":1,"classes":[{"voteWeight":1e40}]}}`, 400, nil},
		{"seats exceeding the board", f.admin, "POST", "/api/v1/communities", communityBody(seats), 422, []string{"bylaws.board.seats"}},
		{"application from a household already a member", f.members[0], "POST", communityPath(park, "memberships"),
			map[string]any{"classKey": "resident", "householdId": f.homes[0]}, 409, nil},
		{"application from a household already applying", f.applicant, "POST", communityPath(park, "memberships"),
			map[string]any{"classKey": "resident"}, 409, nil},
		{"unknown field", f.admin, "POST", communityPath(park, "proposals"), map[string]any{"kind": "general", "quorum": 1}, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t)
			r := f.e.Do(t, tt.method, tt.path, tt.body, tt.as.auth()...)
			if tt.status == 200 {
				if r.Status != 200 {
					t.Fatalf("control request = %d: %s", r.Status, r.Body)
				}
				return
			}
			p := r.WantProblem(t, tt.status)
			for _, field := range tt.fields {
				if !p.HasField(field) {
					t.Errorf("problem does not name %s: %+v", field, p.Errors)
				}
			}
			if after := f.snapshot(t); !bytes.Equal(after, before) {
				t.Errorf("a refused request changed stored data:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	t.Run("second ballot where the bylaws allow one", func(t *testing.T) {
		// The park's bylaws changes are secret ballots that cannot be changed.
		next := community.ResidentOwnedPark("", "", f.e.clock.Now()).Bylaws
		next.Version = 2
		next.Classes[0].Name = "Resident household (amended)"
		body := proposalBody("bylaws_change", f.e.clock.Now(), 14*day, true)
		body["newBylaws"] = bylawsBody(next)
		p := f.e.propose(t, park, f.admin, f.admin, body)
		first := f.e.vote(t, park, p.ID, f.members[0], map[string]any{"option": "yes"}, 201)
		before := f.snapshot(t)
		f.e.Do(t, "POST", communityPath(park, "proposals", p.ID, "ballots"), map[string]any{"option": "no"}, f.members[0].auth()...).WantProblem(t, 409)
		f.e.Do(t, "POST", communityPath(park, "proposals", p.ID, "ballots"), map[string]any{"option": "no", "secret": first.Secret}, f.members[0].auth()...).WantProblem(t, 409)
		f.e.Do(t, "POST", communityPath(park, "proposals", p.ID, "ballots"), map[string]any{"option": "no", "secret": "guessed"}, f.members[1].auth()...).WantProblem(t, 403)
		if after := f.snapshot(t); !bytes.Equal(after, before) {
			t.Errorf("a refused ballot changed stored data")
		}
		f.e.clock.Advance(14 * day)
		res, _ := f.e.closeVote(t, park, p.ID, f.admin)
		if res.Ballots != 1 || res.Counts[0].Ballots != 1 {
			t.Errorf("tally = %+v, want the one first ballot", res)
		}
	})

	t.Run("vote after close", func(t *testing.T) {
		// Past the motion's window, whichever subtests ran before.
		f.e.clock.Advance(7 * day)
		f.e.Do(t, "POST", communityPath(park, "proposals", f.motion.ID, "ballots"), map[string]any{"option": "yes"}, f.members[0].auth()...).WantProblem(t, 409)
		f.e.closeVote(t, park, f.motion.ID, f.admin)
		f.e.Do(t, "POST", communityPath(park, "proposals", f.motion.ID, "ballots"), map[string]any{"option": "yes"}, f.members[1].auth()...).WantProblem(t, 409)
		var res resultOut
		call(t, f.e.Env, f.admin, "GET", communityPath(park, "proposals", f.motion.ID, "results"), nil, 200, &res)
		if res.Ballots != 0 || res.Outcome != "no_quorum" {
			t.Errorf("result = %+v, want no ballots counted", res)
		}
	})
}
