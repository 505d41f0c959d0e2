package server_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"commonground/auth"
	"commonground/community"
)

// TestCommunityAccess checks who may do what, combining global roles
// (resident, organizer, steward) with community roles (community admin,
// community organizer) and membership. Rows that change something act on
// a fresh object made for them.
func TestCommunityAccess(t *testing.T) {
	e := startCommunities(t)
	admin := newUser(t, e.Env, auth.RoleOrganizer)
	park := found(t, e.Env, admin, community.ResidentOwnedPark).ID
	people := map[string]user{
		"anonymous":           {},
		"resident":            newUser(t, e.Env),
		"organizer":           newUser(t, e.Env, auth.RoleOrganizer),
		"steward":             newUser(t, e.Env, auth.RoleSteward),
		"community admin":     admin,
		"community organizer": newUser(t, e.Env),
		"member":              newUser(t, e.Env),
		"holder":              newUser(t, e.Env),
	}
	call(t, e.Env, admin, "POST", communityPath(park, "roles"), map[string]any{"accountId": people["community organizer"].ID, "role": "community_organizer"}, 201, nil)
	call(t, e.Env, admin, "POST", communityPath(park, "founding-members"), map[string]any{"accountId": people["member"].ID, "householdId": home(t, e.Env, people["member"]), "classKey": "resident"}, 201, nil)

	holderHome := home(t, e.Env, people["holder"])
	seq := 0
	// application makes a fresh application by the holder; provisional
	// admits it as well.
	application := func(t *testing.T, provisional bool) string {
		t.Helper()
		seq++
		var m membershipOut
		holder := people["holder"]
		// Each row's application ends the previous one, so the holder may
		// apply again.
		var mine struct{ Memberships []membershipOut }
		call(t, e.Env, holder, "GET", "/api/v1/me/memberships", nil, 200, &mine)
		for _, old := range mine.Memberships {
			if old.Status == "applied" || old.Status == "provisional" {
				call(t, e.Env, holder, "POST", communityPath(park, "memberships", old.ID, "withdraw"), nil, 200, nil)
			}
		}
		call(t, e.Env, holder, "POST", communityPath(park, "memberships"), map[string]any{"classKey": "resident", "householdId": holderHome}, 201, &m)
		if provisional {
			call(t, e.Env, admin, "POST", communityPath(park, "memberships", m.ID, "review"), map[string]any{"approve": true}, 200, nil)
		}
		return m.ID
	}
	draft := func(t *testing.T) string {
		t.Helper()
		var p proposalOut
		call(t, e.Env, admin, "POST", communityPath(park, "proposals"), proposalBody("general", e.clock.Now(), 7*day, true), 201, &p)
		return p.ID
	}
	membership := func(action string, provisional bool) func(t *testing.T) string {
		return func(t *testing.T) string {
			p := communityPath(park, "memberships", application(t, provisional))
			if action != "" {
				p += "/" + action
			}
			return p
		}
	}
	fixed := func(p string) func(*testing.T) string { return func(*testing.T) string { return p } }

	newCommunity := communityBody(community.WorkerCoop("", "", e.clock.Now()))
	type row struct {
		action string
		method string
		path   func(t *testing.T) string
		body   any
		want   map[string]int
	}
	rows := []row{
		{"found a community", "POST", fixed("/api/v1/communities"), newCommunity,
			map[string]int{"anonymous": 401, "resident": 403, "member": 403, "organizer": 201, "steward": 201}},
		{"view a community", "GET", fixed(communityPath(park)), nil,
			map[string]int{"anonymous": 200, "resident": 200}},
		{"view the board", "GET", fixed(communityPath(park, "board")), nil,
			map[string]int{"anonymous": 200, "resident": 200}},
		{"edit a community", "PATCH", fixed(communityPath(park)), map[string]any{"name": "Bear Creek Residents' Co-op"},
			map[string]int{"anonymous": 401, "resident": 403, "organizer": 403, "member": 403, "community organizer": 403, "community admin": 200, "steward": 200}},
		{"list roles", "GET", fixed(communityPath(park, "roles")), nil,
			map[string]int{"anonymous": 401, "resident": 403, "member": 403, "community organizer": 200, "community admin": 200, "steward": 200}},
		{"grant a role", "POST", fixed(communityPath(park, "roles")), nil,
			map[string]int{"anonymous": 401, "organizer": 403, "community organizer": 403, "community admin": 201, "steward": 201}},
		{"list memberships", "GET", fixed(communityPath(park, "memberships")), nil,
			map[string]int{"anonymous": 401, "resident": 403, "organizer": 403, "member": 403, "community organizer": 200, "community admin": 200, "steward": 200}},
		{"view a membership", "GET", membership("", false), nil,
			map[string]int{"anonymous": 401, "resident": 404, "organizer": 404, "member": 404, "holder": 200, "community organizer": 200, "community admin": 200, "steward": 200}},
		{"review an application", "POST", membership("review", false), map[string]any{"approve": true},
			map[string]int{"anonymous": 401, "resident": 404, "holder": 403, "community organizer": 403, "steward": 403, "community admin": 200}},
		{"record a payment", "POST", membership("payments", true), map[string]any{"amount": map[string]any{"minor": 10_000, "currency": "USD"}},
			map[string]int{"anonymous": 401, "resident": 404, "holder": 403, "steward": 403, "community organizer": 200, "community admin": 200}},
		{"verify a milestone", "POST", membership("milestones", true), map[string]any{"milestone": "orientation", "note": "attended"},
			map[string]int{"anonymous": 401, "resident": 404, "holder": 403, "steward": 403, "community organizer": 200, "community admin": 200}},
		{"withdraw", "POST", membership("withdraw", true), nil,
			map[string]int{"anonymous": 401, "resident": 404, "community admin": 403, "holder": 200}},
		{"exit a member", "POST", membership("exit", true), map[string]any{"reason": "breach of the occupancy agreement"},
			map[string]int{"anonymous": 401, "holder": 403, "community organizer": 403, "steward": 403, "community admin": 200}},
		{"propose", "POST", fixed(communityPath(park, "proposals")), proposalBody("general", e.clock.Now(), 7*day, true),
			map[string]int{"anonymous": 401, "resident": 403, "organizer": 403, "steward": 403, "member": 201, "community organizer": 201, "community admin": 201}},
		{"list proposals", "GET", fixed(communityPath(park, "proposals")), nil,
			map[string]int{"anonymous": 401, "resident": 200, "member": 200}},
		{"open voting", "POST", func(t *testing.T) string { return communityPath(park, "proposals", draft(t), "open") }, nil,
			map[string]int{"anonymous": 401, "resident": 403, "member": 403, "steward": 403, "community organizer": 200, "community admin": 200}},
		{"my memberships", "GET", fixed("/api/v1/me/memberships"), nil,
			map[string]int{"anonymous": 401, "resident": 200}},
	}
	for _, r := range rows {
		// In a fixed order, so that a failure replays the same requests.
		for _, who := range slices.Sorted(maps.Keys(r.want)) {
			want := r.want[who]
			t.Run(fmt.Sprintf("%s/%s", r.action, who), func(t *testing.T) {
				body := r.body
				if r.action == "grant a role" {
					body = map[string]any{"accountId": fmt.Sprintf("acct-granted-%d", seq), "role": "community_organizer"}
					seq++
				}
				resp := e.Do(t, r.method, r.path(t), body, people[who].auth()...)
				if resp.Status != want {
					t.Fatalf("%s as %s = %d, want %d: %s", r.action, who, resp.Status, want, resp.Body)
				}
				if want >= 400 {
					resp.WantProblem(t, want)
				}
			})
		}
	}
}
