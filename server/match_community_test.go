package server_test

import (
	"context"
	"testing"

	"commonground/auth"
	"commonground/community"
	"commonground/geo"
	"commonground/service/servicetest"
)

// TestMatchByCommunity ranks parcels for a community's households: those
// that agreed to matching give their former homes (each read audited), the
// others count only toward the homes the land must hold.
func TestMatchByCommunity(t *testing.T) {
	env := startGeo(t)
	admin := newUser(t, env.Env, auth.RoleOrganizer)
	park := found(t, env.Env, admin, community.ResidentOwnedPark).ID

	ana, ben := newUser(t, env.Env), newUser(t, env.Env)
	var consented, private struct {
		ID       string `json:"id"`
		LostHome struct {
			Lon *float64 `json:"lon"`
			Lat *float64 `json:"lat"`
		} `json:"lost_home"`
	}
	call(t, env.Env, ana, "POST", "/api/v1/households", householdBody(int(households.Add(1)), community.ConsentMatching), 201, &consented)
	call(t, env.Env, ben, "POST", "/api/v1/households", householdBody(int(households.Add(1))), 201, &private)
	call(t, env.Env, ana, "POST", communityPath(park, "memberships"), map[string]any{"classKey": "resident"}, 201, nil)
	call(t, env.Env, ben, "POST", communityPath(park, "memberships"), map[string]any{"classKey": "resident"}, 201, nil)

	lon, lat := *consented.LostHome.Lon, *consented.LostHome.Lat
	env.importParcels(t, collection(polygonFeature("near-ana", "", square(lon, lat, 0.002)), good("far-away", -122.0)))

	r := env.Do(t, "POST", "/api/v1/matches", map[string]any{"community_id": park, "limit": 2}, env.organizer...)
	var resp struct {
		Results []struct {
			ParcelID string `json:"parcel_id"`
			Parts    []struct {
				Part   string `json:"part"`
				Detail string `json:"detail"`
			} `json:"parts"`
		} `json:"results"`
	}
	r.JSON(t, &resp)
	if r.Status != 200 || len(resp.Results) != 2 || resp.Results[0].ParcelID != geo.ParcelID("test", "near-ana") {
		t.Fatalf("match by community = %d %s, want the parcel at the consenting household's lost home first", r.Status, r.Body)
	}

	ctx := context.Background()
	read, err := env.Service.Auth.Store.FindAuditEvents(ctx, auth.EventFilter{TargetID: consented.ID, Kind: auth.EventPersonalDataRead})
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != 1 || read[0].Purpose != "matching" {
		t.Errorf("audit of the consenting household: %+v, want one read for matching", read)
	}
	notRead, err := env.Service.Auth.Store.FindAuditEvents(ctx, auth.EventFilter{TargetID: private.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(notRead) != 0 {
		t.Errorf("the household without matching consent was read: %+v", notRead)
	}

	// A community none of whose households agreed to matching names why.
	empty := found(t, env.Env, admin, community.ResidentOwnedPark).ID
	carl := newUser(t, env.Env)
	call(t, env.Env, carl, "POST", "/api/v1/households", householdBody(int(households.Add(1))), 201, nil)
	call(t, env.Env, carl, "POST", communityPath(empty, "memberships"), map[string]any{"classKey": "resident"}, 201, nil)
	p := env.Do(t, "POST", "/api/v1/matches", map[string]any{"community_id": empty}, env.organizer...).WantProblem(t, 422)
	if !p.HasField("community_id") {
		t.Fatalf("problem %+v does not name community_id", p.Errors)
	}
	// Residents may not run matching at all.
	_, resident := env.Account(t)
	env.Do(t, "POST", "/api/v1/matches", map[string]any{"community_id": park}, servicetest.Bearer(resident)...).WantProblem(t, 404)
}

// TestMatchAffordabilityFromFundPool judges a community's parcels against
// what its open campaigns have pledged and been awarded for land, unless
// the request sends a budget: a grant that may not pay for land, a closed
// campaign and a campaign of another community do not count.
func TestMatchAffordabilityFromFundPool(t *testing.T) {
	env := startGeo(t)
	f := &fundEnv{Env: env.Env}
	f.orgID, f.org = env.Account(t, auth.RoleOrganizer)
	admin := user{ID: f.orgID, Token: f.org}
	park := found(t, env.Env, admin, community.ResidentOwnedPark).ID

	ana := newUser(t, env.Env)
	var home struct {
		LostHome struct {
			Lon *float64 `json:"lon"`
			Lat *float64 `json:"lat"`
		} `json:"lost_home"`
	}
	call(t, env.Env, ana, "POST", "/api/v1/households", householdBody(int(households.Add(1)), community.ConsentMatching), 201, &home)
	call(t, env.Env, ana, "POST", communityPath(park, "memberships"), map[string]any{"classKey": "resident"}, 201, nil)
	lon, lat := *home.LostHome.Lon, *home.LostHome.Lat
	env.importParcels(t, collection(
		polygonFeature("cheap", `"asking_price":25000000,"deeded_acres":5`, square(lon, lat, 0.002)),
		polygonFeature("dear", `"asking_price":90000000,"deeded_acres":5`, square(lon+0.003, lat, 0.002))))

	// $150,000 pledged and $120,000 awarded for land; $500,000 for
	// construction only; another campaign cancelled, a third not linked.
	f.openCampaign(t, "park-land", "keep_what_you_raise", 40_000_000)
	f.post(t, f.org, "/api/v1/campaigns/park-land/pledges", pledgeBody("Ana", 15_000_000, false), 201)
	f.post(t, f.org, "/api/v1/campaigns/park-land/grants", map[string]any{"funder": "FEMA", "awarded": money(12_000_000), "uses": []string{"land_acquisition", "relocation"}}, 201)
	f.post(t, f.org, "/api/v1/campaigns/park-land/grants", map[string]any{"funder": "Oregon Housing", "awarded": money(50_000_000), "uses": []string{"housing_construction"}}, 201)
	f.openCampaign(t, "park-old", "keep_what_you_raise", 10_000_000)
	f.post(t, f.org, "/api/v1/campaigns/park-old/pledges", pledgeBody("Ben", 9_000_000, false), 201)
	f.transition(t, "park-old", "cancelled", 200)
	f.openCampaign(t, "elsewhere", "keep_what_you_raise", 10_000_000)
	f.post(t, f.org, "/api/v1/campaigns/elsewhere/pledges", pledgeBody("Cy", 9_000_000, false), 201)
	call(t, env.Env, admin, "PATCH", communityPath(park), map[string]any{"campaignIds": []string{"park-land", "park-old", "no-such-campaign"}}, 200, nil)

	type matchOut struct {
		Budget *struct {
			Minor       int64    `json:"minor"`
			Currency    string   `json:"currency"`
			Source      string   `json:"source"`
			CampaignIDs []string `json:"campaign_ids"`
		} `json:"budget"`
		Results []struct {
			ParcelID string `json:"parcel_id"`
			Parts    []struct {
				Part  string  `json:"part"`
				Score float64 `json:"score"`
			} `json:"parts"`
		} `json:"results"`
	}
	afford := func(out matchOut, parcel string) float64 {
		for _, r := range out.Results {
			if r.ParcelID == geo.ParcelID("test", parcel) {
				for _, p := range r.Parts {
					if p.Part == "affordability" {
						return p.Score
					}
				}
			}
		}
		t.Fatalf("no affordability for %s in %+v", parcel, out.Results)
		return 0
	}
	var out matchOut
	call(t, env.Env, admin, "POST", "/api/v1/matches", map[string]any{"community_id": park}, 200, &out)
	if out.Budget == nil || out.Budget.Source != "fund_pool" || out.Budget.Minor != 27_000_000 || out.Budget.Currency != "USD" ||
		len(out.Budget.CampaignIDs) != 1 || out.Budget.CampaignIDs[0] != "park-land" {
		t.Fatalf("budget = %+v, want $270,000 from park-land", out.Budget)
	}
	if cheap, dear := afford(out, "cheap"), afford(out, "dear"); cheap != 1 || dear >= cheap {
		t.Errorf("affordability: cheap %v, dear %v; want the $250,000 parcel within the pool and the $900,000 one not", cheap, dear)
	}

	// A budget sent with the request wins.
	call(t, env.Env, admin, "POST", "/api/v1/matches", map[string]any{"community_id": park, "budget": 100_000_000}, 200, &out)
	if out.Budget == nil || out.Budget.Source != "request" || out.Budget.Minor != 100_000_000 || afford(out, "dear") != 1 {
		t.Fatalf("with a budget sent: %+v", out.Budget)
	}
	// Without linked campaigns affordability is left neutral, and no budget
	// is claimed.
	call(t, env.Env, admin, "PATCH", communityPath(park), map[string]any{"campaignIds": []string{}}, 200, nil)
	var neutral matchOut
	call(t, env.Env, admin, "POST", "/api/v1/matches", map[string]any{"community_id": park}, 200, &neutral)
	if neutral.Budget != nil || afford(neutral, "cheap") != afford(neutral, "dear") {
		t.Fatalf("without campaigns: budget %+v, affordability %v and %v", neutral.Budget, afford(neutral, "cheap"), afford(neutral, "dear"))
	}
}
