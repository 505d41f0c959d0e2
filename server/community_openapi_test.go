package server_test

import (
	"context"
	"testing"
	"time"

	"commonground/auth"
	"commonground/community"
	"commonground/service/servicetest"
)

// The community routes' example preparers: each founds a multistakeholder
// cooperative (it has the resident class and the talent region the
// examples name) and makes what the route's example acts on.
func init() {
	signedIn := func(path string, roles ...auth.Role) func(t *testing.T, env *servicetest.Env) (string, []string) {
		return func(t *testing.T, env *servicetest.Env) (string, []string) {
			u := newUser(t, env, roles...)
			return path, u.auth()
		}
	}
	asAdmin := func(rest ...any) func(t *testing.T, env *servicetest.Env) (string, []string) {
		return func(t *testing.T, env *servicetest.Env) (string, []string) {
			admin := newUser(t, env, auth.RoleOrganizer)
			c := found(t, env, admin, community.MultistakeholderCoop)
			return communityPath(c.ID, rest...), admin.auth()
		}
	}
	// onMembership prepares a membership (provisional unless applied is
	// set) and acts as the admin, or as the holder.
	onMembership := func(action string, provisional, asHolder bool) func(t *testing.T, env *servicetest.Env) (string, []string) {
		return func(t *testing.T, env *servicetest.Env) (string, []string) {
			admin := newUser(t, env, auth.RoleOrganizer)
			c := found(t, env, admin, community.MultistakeholderCoop)
			holder := newUser(t, env)
			var m membershipOut
			call(t, env, holder, "POST", communityPath(c.ID, "memberships"), map[string]any{"classKey": "resident", "householdId": home(t, env, holder), "region": "talent"}, 201, &m)
			if provisional {
				call(t, env, admin, "POST", communityPath(c.ID, "memberships", m.ID, "review"), map[string]any{"approve": true}, 200, nil)
			}
			if asHolder {
				return communityPath(c.ID, "memberships", m.ID, action), holder.auth()
			}
			return communityPath(c.ID, "memberships", m.ID, action), admin.auth()
		}
	}
	add := map[string]func(t *testing.T, env *servicetest.Env) (string, []string){
		"POST /api/v1/communities":                       signedIn("/api/v1/communities", auth.RoleOrganizer),
		"PATCH /api/v1/communities/{id}":                 asAdmin(),
		"POST /api/v1/communities/{id}/founding-members": asAdmin("founding-members"),
		"POST /api/v1/communities/{id}/memberships": func(t *testing.T, env *servicetest.Env) (string, []string) {
			// The example names no household: the applicant's own is taken.
			p, _ := asAdmin("memberships")(t, env)
			applicant := newUser(t, env)
			home(t, env, applicant)
			return p, applicant.auth()
		},
		"POST /api/v1/communities/{id}/memberships/{mid}/review":     onMembership("review", false, false),
		"POST /api/v1/communities/{id}/memberships/{mid}/payments":   onMembership("payments", true, false),
		"POST /api/v1/communities/{id}/memberships/{mid}/milestones": onMembership("milestones", true, false),
		"POST /api/v1/communities/{id}/memberships/{mid}/exit":       onMembership("exit", true, false),
		"POST /api/v1/communities/{id}/memberships/{mid}/withdraw":   onMembership("withdraw", true, true),
		"POST /api/v1/communities/{id}/memberships/{mid}/representative": func(t *testing.T, env *servicetest.Env) (string, []string) {
			// An organisation's membership, and the account the example names.
			admin := newUser(t, env, auth.RoleOrganizer)
			c := found(t, env, admin, community.MultistakeholderCoop)
			rep := newUser(t, env)
			var m membershipOut
			call(t, env, rep, "POST", communityPath(c.ID, "memberships"), map[string]any{"classKey": "organisation", "organisationName": "Rogue Credit Union", "region": "medford"}, 201, &m)
			now := time.Now().UTC()
			err := env.Service.Auth.Store.CreateAccount(context.Background(), &auth.Account{ID: "0190b1a2-0000-7000-8000-0000000000a1",
				Email: "new.representative@example.org", DisplayName: "New Representative", Locale: auth.LocaleEnglish,
				Roles: []auth.Role{auth.RoleResident}, PasswordHash: "unusable", CreatedAt: now, UpdatedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			return communityPath(c.ID, "memberships", m.ID, "representative"), admin.auth()
		},
		"POST /api/v1/communities/{id}/proposals": asAdmin("proposals"),
		"POST /api/v1/communities/{id}/roles":     asAdmin("roles"),
		"POST /api/v1/communities/{id}/proposals/{pid}/ballots": func(t *testing.T, env *servicetest.Env) (string, []string) {
			// The example service runs on the real clock: open now.
			admin := newUser(t, env, auth.RoleOrganizer)
			c := found(t, env, admin, community.MultistakeholderCoop)
			call(t, env, admin, "POST", communityPath(c.ID, "founding-members"), map[string]any{"accountId": admin.ID, "classKey": "worker", "region": "talent"}, 201, nil)
			var p proposalOut
			call(t, env, admin, "POST", communityPath(c.ID, "proposals"), proposalBody("general", time.Now().Add(-30*time.Second), 8*day, true), 201, &p)
			call(t, env, admin, "POST", communityPath(c.ID, "proposals", p.ID, "open"), nil, 200, nil)
			return communityPath(c.ID, "proposals", p.ID, "ballots"), admin.auth()
		},
	}
	for k, v := range add {
		examplePreparers[k] = v
	}
}
