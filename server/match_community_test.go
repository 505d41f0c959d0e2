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
