package server_test

import (
	"bytes"
	"testing"
	"time"

	"commonground/auth"
	"commonground/community"
)

// TestCommunityHouseholdApplications checks that a household membership is
// tied to a registered household and its owner: nobody applies for a
// household that does not exist, that someone else owns, or that has no
// account of its own, and a refused application changes nothing.
func TestCommunityHouseholdApplications(t *testing.T) {
	e := startCommunities(t)
	admin := newUser(t, e.Env, auth.RoleOrganizer)
	park := found(t, e.Env, admin, community.ResidentOwnedPark).ID
	alice, bob, carol := newUser(t, e.Env), newUser(t, e.Env), newUser(t, e.Env)
	aliceHome, bobHome := home(t, e.Env, alice), home(t, e.Env, bob)
	organizer := newUser(t, e.Env, auth.RoleOrganizer)
	var family struct {
		ID string `json:"id"`
	}
	// A family an organizer registered has no account to speak for it.
	call(t, e.Env, organizer, "POST", "/api/v1/households", onBehalf(householdBody(int(households.Add(1)))), 201, &family)

	snapshot := func(t *testing.T) []byte {
		t.Helper()
		var out bytes.Buffer
		out.Write(call(t, e.Env, admin, "GET", communityPath(park, "memberships"), nil, 200, nil).Body)
		for _, u := range []user{alice, bob, carol, organizer} {
			out.Write(call(t, e.Env, u, "GET", "/api/v1/me/memberships", nil, 200, nil).Body)
		}
		return out.Bytes()
	}
	refusals := []struct {
		name   string
		as     user
		path   string
		body   map[string]any
		status int
		field  string
	}{
		{"someone else's household", bob, communityPath(park, "memberships"),
			map[string]any{"classKey": "resident", "householdId": aliceHome}, 404, ""},
		{"a household that does not exist", alice, communityPath(park, "memberships"),
			map[string]any{"classKey": "resident", "householdId": "no-such-household"}, 404, ""},
		{"a family without an account", organizer, communityPath(park, "memberships"),
			map[string]any{"classKey": "resident", "householdId": family.ID}, 404, ""},
		{"a person without a household", carol, communityPath(park, "memberships"),
			map[string]any{"classKey": "resident"}, 422, "classKey"},
		{"a founder with someone else's household", admin, communityPath(park, "founding-members"),
			map[string]any{"accountId": bob.ID, "classKey": "resident", "householdId": aliceHome}, 404, ""},
		{"a founder without a household", admin, communityPath(park, "founding-members"),
			map[string]any{"accountId": carol.ID, "classKey": "resident"}, 422, "classKey"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t)
			p := e.Do(t, "POST", tt.path, tt.body, tt.as.auth()...).WantProblem(t, tt.status)
			if tt.field != "" && !p.HasField(tt.field) {
				t.Errorf("problem does not name %s: %+v", tt.field, p.Errors)
			}
			if after := snapshot(t); !bytes.Equal(after, before) {
				t.Errorf("a refused application changed stored data:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	// Without a household id the applicant's own household applies; a
	// founder's household is the named account's.
	var applied, founder membershipOut
	call(t, e.Env, alice, "POST", communityPath(park, "memberships"), map[string]any{"classKey": "resident"}, 201, &applied)
	call(t, e.Env, admin, "POST", communityPath(park, "founding-members"), map[string]any{"accountId": bob.ID, "classKey": "resident"}, 201, &founder)
	if applied.HouseholdID != aliceHome || founder.HouseholdID != bobHome {
		t.Fatalf("households = %q and %q, want %q and %q", applied.HouseholdID, founder.HouseholdID, aliceHome, bobHome)
	}
	// The same household cannot apply twice, named or not.
	e.Do(t, "POST", communityPath(park, "memberships"), map[string]any{"classKey": "resident", "householdId": aliceHome}, alice.auth()...).WantProblem(t, 409)
	// The owner sees and withdraws the household's application; others do not see it.
	call(t, e.Env, bob, "GET", communityPath(park, "memberships", applied.ID), nil, 404, nil)
	call(t, e.Env, alice, "GET", communityPath(park, "memberships", applied.ID), nil, 200, nil)
}

// TestCommunityHouseholdVoters checks who votes for a member household: its
// owner's account, as one household voter where the class votes per
// household, and in person where the class votes per person.
func TestCommunityHouseholdVoters(t *testing.T) {
	perPerson := func(id, adminID string, now time.Time) community.Community {
		c := community.ResidentOwnedPark(id, adminID, now)
		c.Bylaws.Classes[0].VoteBasis = community.VotePerPerson
		return c
	}
	tests := []struct {
		name  string
		model model
		want  func(owner user, household string) string
	}{
		{"per household", community.ResidentOwnedPark, func(_ user, h string) string { return "household:" + h }},
		{"per person", perPerson, func(owner user, _ string) string { return "person:" + owner.ID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startCommunities(t)
			admin := newUser(t, e.Env, auth.RoleOrganizer)
			cid := found(t, e.Env, admin, tt.model).ID
			owner, stranger := newUser(t, e.Env), newUser(t, e.Env)
			h := home(t, e.Env, owner)
			home(t, e.Env, stranger)
			call(t, e.Env, admin, "POST", communityPath(cid, "founding-members"), map[string]any{"accountId": owner.ID, "classKey": "resident"}, 201, nil)
			p := e.propose(t, cid, admin, admin, proposalBody("general", e.clock.Now(), 7*day, true))

			var seen proposalOut
			call(t, e.Env, owner, "GET", communityPath(cid, "proposals", p.ID), nil, 200, &seen)
			if seen.Eligible != 1 || len(seen.YourVoters) != 1 || seen.YourVoters[0].Key != tt.want(owner, h) {
				t.Fatalf("owner's view = %+v, want one voter %s", seen, tt.want(owner, h))
			}
			call(t, e.Env, stranger, "GET", communityPath(cid, "proposals", p.ID), nil, 200, &seen)
			if len(seen.YourVoters) != 0 {
				t.Fatalf("a stranger may vote for %+v", seen.YourVoters)
			}
			e.vote(t, cid, p.ID, stranger, map[string]any{"option": "yes"}, 403)
			if v := e.vote(t, cid, p.ID, owner, map[string]any{"option": "yes"}, 201); v.VoterKey != tt.want(owner, h) {
				t.Errorf("ballot voter = %q, want %q", v.VoterKey, tt.want(owner, h))
			}
		})
	}
}
