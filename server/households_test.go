package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"commonground/auth"
	"commonground/community"
	"commonground/community/householdgen"
	"commonground/mongodb"
	"commonground/service/servicetest"
)

func init() {
	examplePreparers["POST /api/v1/households"] = func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, tok := env.Account(t)
		return "/api/v1/households", servicetest.Bearer(tok)
	}
	examplePreparers["POST /api/v1/households/import"] = func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, tok := env.Account(t, auth.RoleOrganizer)
		return "/api/v1/households/import", servicetest.Bearer(tok)
	}
	examplePreparers["PATCH /api/v1/households/{id}"] = func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, tok := env.Account(t)
		h := registerHousehold(t, env, tok, householdBody(1, community.ConsentMatching))
		return "/api/v1/households/" + h.ID, servicetest.Bearer(tok)
	}
	examplePreparers["POST /api/v1/households/{id}/not-duplicate"] = func(t *testing.T, env *servicetest.Env) (string, []string) {
		_, tok := env.Account(t, auth.RoleOrganizer)
		h := registerHousehold(t, env, tok, onBehalf(householdBody(1, community.ConsentMatching)))
		// The example names a fixed id: store a household under it and
		// reload, as a restart would.
		other, err := householdgen.Registered(1, 2, householdgen.Options{}, "0190b1a2-0000-7000-8000-000000000002", "acct-example", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		store := mongodb.NewHouseholdStore(env.Service.DB, env.Service.Keyring)
		if err := store.CreateHousehold(context.Background(), other); err != nil {
			t.Fatal(err)
		}
		if err := env.Service.Households.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		return "/api/v1/households/" + h.ID + "/not-duplicate", servicetest.Bearer(tok)
	}
}

type householdOut struct {
	ID       string   `json:"id"`
	Access   string   `json:"access"`
	Withheld []string `json:"withheld"`
	Members  []struct {
		Name         string `json:"name"`
		Relationship string `json:"relationship"`
		AgeBand      string `json:"age_band"`
	} `json:"members"`
	Contact *struct {
		Phone string `json:"phone"`
	} `json:"contact"`
	LostHome struct {
		Lon     *float64 `json:"lon"`
		Lat     *float64 `json:"lat"`
		Address string   `json:"address"`
	} `json:"lost_home"`
	Version int64 `json:"version"`
}

// householdBody is the JSON of synthetic household i with the given
// consents (in Spanish), as a resident's form sends it.
func householdBody(i int, purposes ...community.ConsentPurpose) map[string]any {
	h := householdgen.Household(99, i, householdgen.Options{})
	members := []map[string]any{}
	for _, m := range h.Members {
		members = append(members, map[string]any{"name": m.Name, "relationship": m.Relationship, "age_band": m.AgeBand})
	}
	consents := []map[string]any{}
	for _, p := range purposes {
		t, _ := community.CurrentConsentText(p, community.HouseholdLanguageSpanish)
		consents = append(consents, map[string]any{"purpose": p, "text_version": t.Version})
	}
	return map[string]any{
		"members":   members,
		"language":  "es",
		"contact":   map[string]any{"phone": h.Contact.Phone, "email": h.Contact.Email},
		"lost_home": map[string]any{"lon": h.LostHome.Location.Lon(), "lat": h.LostHome.Location.Lat(), "address": h.LostHome.Address},
		"current":   map[string]any{"situation": "hotel", "zip_code": "97535"},
		"needs":     map[string]any{"bedrooms": 2},
		"fema":      map[string]any{"disaster_number": "DR-4562-OR", "registration_id": "123456789"},
		"notes":     "private note",
		"consents":  consents,
	}
}

func onBehalf(body map[string]any) map[string]any {
	body["registered_by"] = map[string]any{"consent_method": "organizer_in_person"}
	return body
}

func registerHousehold(t *testing.T, env *servicetest.Env, token string, body map[string]any) householdOut {
	t.Helper()
	r := env.Do(t, "POST", "/api/v1/households", body, servicetest.Bearer(token)...)
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var h householdOut
	r.JSON(t, &h)
	return h
}

func TestHouseholdRegistrationAndViews(t *testing.T) {
	env := servicetest.Start(t)
	_, resident := env.Account(t)
	orgID, organizer := env.Account(t, auth.RoleOrganizer)
	_, steward := env.Account(t, auth.RoleSteward)

	own := registerHousehold(t, env, resident, householdBody(1, community.ConsentMatching))
	if own.Access != "owner" || own.LostHome.Address == "" || own.Contact == nil || own.Version != 1 {
		t.Fatalf("the household's own view lacks fields: %+v", own)
	}
	env.Do(t, "POST", "/api/v1/households", householdBody(2), servicetest.Bearer(resident)...).WantProblem(t, 409)

	var seen householdOut
	r := env.Do(t, "GET", "/api/v1/households/"+own.ID, nil, servicetest.Bearer(organizer)...)
	r.JSON(t, &seen)
	if r.Status != 200 || seen.Contact != nil || seen.LostHome.Address != "" {
		t.Fatalf("organizer view: %d %s", r.Status, r.Body)
	}
	if *seen.LostHome.Lon != community.RoundHouseholdLocation(orbPoint(own)).Lon() {
		t.Errorf("organizer sees lon %v, want it rounded", *seen.LostHome.Lon)
	}
	var sensitive householdOut
	env.Do(t, "GET", "/api/v1/households/"+own.ID+"?sensitive=true", nil, servicetest.Bearer(steward)...).JSON(t, &sensitive)
	if sensitive.LostHome.Address == "" || *sensitive.LostHome.Lon != *own.LostHome.Lon {
		t.Errorf("steward's sensitive view lacks the address or exact place: %+v", sensitive)
	}

	// Both reads are in the audit log with their purpose.
	events, err := env.Service.Auth.Store.FindAuditEvents(context.Background(), auth.EventFilter{TargetID: own.ID})
	if err != nil {
		t.Fatal(err)
	}
	purposes := map[string]string{}
	for _, e := range events {
		purposes[e.ActorID] = e.Purpose
	}
	if purposes[orgID] != "matching" || len(events) != 2 {
		t.Errorf("audit events for the household: %+v", events)
	}

	// An organizer registers a family on its behalf.
	fam := registerHousehold(t, env, organizer, onBehalf(householdBody(3, community.ConsentMatching, community.ConsentContact)))
	if fam.Contact == nil {
		t.Errorf("organizer does not see the contact the family agreed to share")
	}
	// The resident corrects their record; a stale version is refused.
	env.Do(t, "PATCH", "/api/v1/households/"+own.ID, map[string]any{"version": 7, "notes": "x"}, servicetest.Bearer(resident)...).WantProblem(t, 409)
	var patched householdOut
	env.Do(t, "PATCH", "/api/v1/households/"+own.ID, map[string]any{"version": 1, "current": map[string]any{"situation": "rental"}, "withdraw_consents": []string{"matching"}}, servicetest.Bearer(resident)...).JSON(t, &patched)
	if patched.Version != 2 {
		t.Errorf("version after a correction = %d, want 2", patched.Version)
	}
	// Without matching consent the organizer no longer sees it.
	env.Do(t, "GET", "/api/v1/households/"+own.ID, nil, servicetest.Bearer(organizer)...).WantProblem(t, 404)

	// The data export holds the consent texts agreed to.
	var export struct {
		ConsentTexts []struct{ Text string } `json:"consent_texts"`
	}
	env.Do(t, "GET", "/api/v1/me/household/export", nil, servicetest.Bearer(resident)...).JSON(t, &export)
	if len(export.ConsentTexts) != 1 || !strings.Contains(export.ConsentTexts[0].Text, "Common Ground") {
		t.Errorf("export consent texts: %+v", export.ConsentTexts)
	}

	// Deleting keeps an anonymous remainder only; the household is gone
	// after a restart too.
	if r := env.Do(t, "DELETE", "/api/v1/households/"+own.ID, nil, servicetest.Bearer(resident)...); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	env.Do(t, "GET", "/api/v1/me/household", nil, servicetest.Bearer(resident)...).WantProblem(t, 404)
	fresh := community.NewHouseholds(mongodb.NewHouseholdStore(env.Service.DB, env.Service.Keyring), auth.NewID, nil)
	if err := fresh.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fresh.Len() != 1 || len(fresh.Remainders()) != 1 {
		t.Errorf("after reload: %d households, %d remainders; want 1 and 1", fresh.Len(), len(fresh.Remainders()))
	}
}

// voterCodeStatus is what the head of h gets asking for a voter code: 201
// when another adult could join, 409 when nobody could.
func voterCodeStatus(h householdOut) int {
	for _, m := range h.Members {
		if m.Relationship != "head" && m.AgeBand != "under_5" && m.AgeBand != "5_12" && m.AgeBand != "13_17" {
			return 201
		}
	}
	return 409
}

func orbPoint(h householdOut) [2]float64 { return [2]float64{*h.LostHome.Lon, *h.LostHome.Lat} }

func TestHouseholdBadInput(t *testing.T) {
	env := servicetest.Start(t)
	_, resident := env.Account(t)
	_, organizer := env.Account(t, auth.RoleOrganizer)
	with := func(change func(b map[string]any)) map[string]any {
		b := householdBody(5, community.ConsentMatching)
		change(b)
		return b
	}
	members := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"name": fmt.Sprintf("Sample %d", i), "relationship": "child"}
		}
		out[0]["relationship"] = "head"
		return out
	}
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"lon out of range", with(func(b map[string]any) { b["lost_home"] = map[string]any{"lon": 200.0, "lat": 42.0} }), 422, "lost_home.lon"},
		{"lat out of range", with(func(b map[string]any) { b["lost_home"] = map[string]any{"lon": -122.0, "lat": -91.0} }), 422, "lost_home.lat"},
		{"lat as a string", with(func(b map[string]any) { b["lost_home"] = map[string]any{"lon": -122.0, "lat": "42.1"} }), 400, "lost_home.lat"},
		{"lon as a string", with(func(b map[string]any) { b["lost_home"] = map[string]any{"lon": "-122", "lat": 42.1} }), 400, "lost_home.lon"},
		{"NaN as a string", with(func(b map[string]any) { b["lost_home"] = map[string]any{"lon": "NaN", "lat": 42.1} }), 400, "lost_home.lon"},
		{"lon without lat", with(func(b map[string]any) { b["lost_home"] = map[string]any{"lon": -122.0} }), 422, "lost_home.lat"},
		{"10,000 members", with(func(b map[string]any) { b["members"] = members(10_000) }), 422, "members"},
		{"1 MB name", with(func(b map[string]any) {
			m := members(1)
			m[0]["name"] = strings.Repeat("a", 1<<20)
			b["members"] = m
		}), 422, "members.0.name"},
		{"invalid phone", with(func(b map[string]any) { b["contact"] = map[string]any{"phone": "call me maybe"} }), 422, "contact.phone"},
		{"invalid email", with(func(b map[string]any) { b["contact"] = map[string]any{"email": "rosa@"} }), 422, "contact.email"},
		{"unknown consent purpose", with(func(b map[string]any) {
			b["consents"] = []map[string]any{{"purpose": "marketing", "text_version": "x"}}
		}), 422, "consents.0.purpose"},
		{"consent text version that does not exist", with(func(b map[string]any) {
			b["consents"] = []map[string]any{{"purpose": "matching", "text_version": strings.Repeat("0", 64)}}
		}), 422, "consents.0.text_version"},
		{"unknown field", with(func(b map[string]any) { b["favourite_colour"] = "blue" }), 400, "favourite_colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := env.Do(t, "POST", "/api/v1/households", tt.body, servicetest.Bearer(resident)...).WantProblem(t, tt.status)
			if !p.HasField(tt.field) {
				t.Errorf("problem does not name %s: %+v", tt.field, p.Errors)
			}
		})
	}
	raw := env.Do(t, "POST", "/api/v1/households", `{"members":[{"name":"A","relationship":"head"}],"language":"en","lost_home":{"lon":NaN,"lat":1}}`, servicetest.Bearer(resident)...)
	raw.WantProblem(t, 400)
	if n := env.Service.Households.Len(); n != 0 {
		t.Fatalf("%d households stored after refused requests", n)
	}

	// HTML in a name is stored as text and returned escaped.
	script := `<script>alert("x")</script><b>Rosa</b>`
	r := env.Do(t, "POST", "/api/v1/households", with(func(b map[string]any) {
		m := members(1)
		m[0]["name"] = script
		b["members"] = m
	}), servicetest.Bearer(resident)...)
	if r.Status != 201 || strings.Contains(string(r.Body), "<script>") || !strings.Contains(string(r.Body), `\u003cscript\u003e`) {
		t.Fatalf("HTML name: %d %s", r.Status, r.Body)
	}
	var h householdOut
	env.Do(t, "GET", "/api/v1/me/household", nil, servicetest.Bearer(resident)...).JSON(t, &h)
	if h.Members[0].Name != script {
		t.Errorf("stored name = %q, want the text as sent", h.Members[0].Name)
	}

	// CSV imports: a problem with the file stores nothing.
	before := env.Service.Households.Len()
	var big strings.Builder
	big.WriteString("external_id,head_name\n")
	for i := range 100_000 {
		fmt.Fprintf(&big, "row-%d,Sample %d\n", i, i)
	}
	utf16 := []byte{0xFF, 0xFE}
	for _, c := range "external_id,head_name\nr1,Ana\n" {
		utf16 = append(utf16, byte(c), 0)
	}
	csvTests := []struct {
		name   string
		body   []byte
		status int
		field  string
	}{
		{"broken quote", []byte("external_id,head_name\nr1,\"Ana\nr2,Luis\n"), 400, "file"},
		{"wrong header", []byte("id,name\nr1,Ana\n"), 422, "header"},
		{"100,000 rows", []byte(big.String()), 422, "file"},
		{"UTF-16", utf16, 400, "file"},
	}
	for _, tt := range csvTests {
		t.Run("csv "+tt.name, func(t *testing.T) {
			p := env.Do(t, "POST", "/api/v1/households/import", tt.body, append(servicetest.Bearer(organizer), "Content-Type", "text/csv")...).WantProblem(t, tt.status)
			if !p.HasField(tt.field) {
				t.Errorf("problem does not name %s: %+v", tt.field, p.Errors)
			}
		})
	}
	if n := env.Service.Households.Len(); n != before {
		t.Fatalf("%d households stored by refused imports", n-before)
	}
}

func TestHouseholdImportIsIdempotentAndExportNeutralizes(t *testing.T) {
	env := servicetest.Start(t)
	_, organizer := env.Account(t, auth.RoleOrganizer)
	_, steward := env.Account(t, auth.RoleSteward)
	file := "external_id,head_name,phone,lon,lat,situation,consent_matching,consent_contact,consent_method\n" +
		"r1,\"=HYPERLINK(\"\"http://x\"\")\",541-555-0101,-122.82,42.27,hotel,yes,yes,paper_form\n" +
		"r2,Sample Two,not a phone,-122.82,42.27,hotel,yes,no,paper_form\n" +
		"r3,Sample Three,,,,shelter,no,no,\n"
	send := func() (rep struct {
		Accepted, Rejected int
		AlreadyImported    int `json:"already_imported"`
		Rows               []struct {
			Status   string
			Problems []struct{ Field string }
		}
	}) {
		r := env.Do(t, "POST", "/api/v1/households/import", file, append(servicetest.Bearer(organizer), "Content-Type", "text/csv")...)
		if r.Status != 200 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &rep)
		return rep
	}
	first := send()
	if first.Accepted != 2 || first.Rejected != 1 || first.Rows[1].Problems[0].Field != "phone" {
		t.Fatalf("first import: %+v", first)
	}
	second := send()
	if second.Accepted != 0 || second.AlreadyImported != 2 || env.Service.Households.Len() != 2 {
		t.Fatalf("second import: %+v, %d stored", second, env.Service.Households.Len())
	}
	r := env.Do(t, "GET", "/api/v1/households/export.csv", nil, servicetest.Bearer(organizer)...)
	body := string(r.Body)
	if r.Status != 200 || !strings.Contains(body, `'=HYPERLINK`) || strings.Contains(body, "fema_registration_id") {
		t.Fatalf("organizer export: %d %s", r.Status, body)
	}
	// Only the household with matching consent is exported, once.
	if n := strings.Count(body, "\n"); n != 2 {
		t.Errorf("export has %d lines, want a header and one row", n)
	}
	env.Do(t, "GET", "/api/v1/households/export.csv?sensitive=true", nil, servicetest.Bearer(organizer)...).WantProblem(t, 403)
	s := env.Do(t, "GET", "/api/v1/households/export.csv?sensitive=true", nil, servicetest.Bearer(steward)...)
	if s.Status != 200 || !strings.Contains(string(s.Body), "fema_registration_id") {
		t.Fatalf("steward sensitive export: %d %s", s.Status, s.Body)
	}
	events, err := env.Service.Auth.Store.FindAuditEvents(context.Background(), auth.EventFilter{Kind: auth.EventExport})
	if err != nil || len(events) != 2 || events[0].Purpose != "export+sensitive" {
		t.Errorf("export audit events: %+v %v", events, err)
	}
}

func TestHouseholdMapDropsSmallCells(t *testing.T) {
	env := servicetest.Start(t)
	_, organizer := env.Account(t, auth.RoleOrganizer)
	// Six households in one place agree to statistics; four elsewhere do
	// too, and three in the first place do not.
	next := 100
	register := func(lon, lat float64, n int, purposes ...community.ConsentPurpose) {
		for i := range n {
			b := onBehalf(householdBody(next, purposes...))
			next++
			b["lost_home"] = map[string]any{"lon": lon + float64(i)*1e-4, "lat": lat}
			registerHousehold(t, env, organizer, b)
		}
	}
	register(-122.8197, 42.2751, 6, community.ConsentAggregateStatistics, community.ConsentMatching)
	register(-122.7000, 42.1000, 4, community.ConsentAggregateStatistics, community.ConsentMatching)
	register(-122.8196, 42.2752, 3, community.ConsentMatching)
	r := env.Do(t, "GET", "/api/v1/map/households?cell_km=2&bbox=-123,42,-122,43", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("map: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var fc struct {
		Features []struct {
			ID         any `json:"id"`
			Properties struct {
				Households int `json:"households"`
			} `json:"properties"`
		} `json:"features"`
	}
	r.JSON(t, &fc)
	if len(fc.Features) != 1 || fc.Features[0].Properties.Households != 6 || fc.Features[0].ID != nil {
		t.Fatalf("grid cells: %s", r.Body)
	}
	if strings.Contains(string(r.Body), "-122.8197") {
		t.Errorf("a household's point appears in the public grid")
	}
	env.Do(t, "GET", "/api/v1/map/households?cell_km=0.01", nil).WantProblem(t, 422)
	env.Do(t, "GET", "/api/v1/map/households?zoom=99", nil).WantProblem(t, 422)
	env.Do(t, "GET", "/api/v1/map/households?bbox=1,2,3", nil).WantProblem(t, 422)
}

// TestHouseholdAccess calls every household route as each kind of caller.
func TestHouseholdAccess(t *testing.T) {
	env := servicetest.Start(t)
	_, tokA := env.Account(t)
	_, tokB := env.Account(t)
	_, tokOrg := env.Account(t, auth.RoleOrganizer)
	_, tokSteward := env.Account(t, auth.RoleSteward)
	// A consented to matching and contact; B to nothing; C was registered
	// by an organizer for a family with matching consent.
	hA := registerHousehold(t, env, tokA, householdBody(1, community.ConsentMatching, community.ConsentContact))
	hB := registerHousehold(t, env, tokB, householdBody(2))
	hC := registerHousehold(t, env, tokOrg, onBehalf(householdBody(3, community.ConsentMatching)))
	tokens := map[string]string{"resident A": tokA, "resident B": tokB, "organizer": tokOrg, "steward": tokSteward}
	callers := []string{"anonymous", "resident A", "resident B", "organizer", "steward"}
	csvFile := "external_id,head_name\naccess-1,Sample Access\n"

	type want map[string]int
	tests := []struct {
		method, path string
		body         any
		want         want
		order        []string // callers in this order when it matters
	}{
		{"GET", "/api/v1/households/" + hA.ID, nil, want{"anonymous": 401, "resident A": 200, "resident B": 404, "organizer": 200, "steward": 200}, nil},
		{"GET", "/api/v1/households/" + hB.ID, nil, want{"anonymous": 401, "resident A": 404, "resident B": 200, "organizer": 404, "steward": 404}, nil},
		{"GET", "/api/v1/households/" + hA.ID + "?sensitive=true", nil, want{"anonymous": 401, "resident A": 403, "resident B": 403, "organizer": 403, "steward": 200}, nil},
		{"GET", "/api/v1/households/no-such-household", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 404, "steward": 404}, nil},
		{"PATCH", "/api/v1/households/" + hA.ID, map[string]any{"notes": "corrected"}, want{"anonymous": 401, "resident A": 200, "resident B": 404, "organizer": 403, "steward": 403}, nil},
		{"PATCH", "/api/v1/households/" + hB.ID, map[string]any{"notes": "corrected"}, want{"anonymous": 401, "resident A": 404, "resident B": 200, "organizer": 404, "steward": 404}, nil},
		{"PATCH", "/api/v1/households/" + hC.ID, map[string]any{"notes": "corrected"}, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 200, "steward": 200}, nil},
		{"GET", "/api/v1/me/household", nil, want{"anonymous": 401, "resident A": 200, "resident B": 200, "organizer": 404, "steward": 404}, nil},
		{"GET", "/api/v1/me/household/export", nil, want{"anonymous": 401, "resident A": 200, "resident B": 200, "organizer": 404, "steward": 404}, nil},
		{"GET", "/api/v1/households", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 200, "steward": 200}, nil},
		{"GET", "/api/v1/households/duplicates", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 200, "steward": 200}, nil},
		{"GET", "/api/v1/households/export.csv", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 200, "steward": 200}, nil},
		{"GET", "/api/v1/households/export.csv?sensitive=true", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 403, "steward": 200}, nil},
		{"POST", "/api/v1/households/import", csvFile, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 200, "steward": 200}, nil},
		{"POST", "/api/v1/households/" + hA.ID + "/not-duplicate", map[string]any{"other_id": hC.ID}, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 200, "steward": 200}, nil},
		{"POST", "/api/v1/households/" + hA.ID + "/not-duplicate", map[string]any{"other_id": hB.ID}, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 422, "steward": 422}, nil},
		{"POST", "/api/v1/households/" + hB.ID + "/not-duplicate", map[string]any{"other_id": hA.ID}, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 404, "steward": 404}, nil},
		{"GET", "/api/v1/map/households?zoom=12&bbox=-123,42,-122,43", nil, want{"anonymous": 200, "resident A": 200, "resident B": 200, "organizer": 200, "steward": 200}, nil},
		{"GET", "/api/v1/consent-texts?language=es", nil, want{"anonymous": 200, "resident A": 200, "resident B": 200, "organizer": 200, "steward": 200}, nil},
		{"POST", "/api/v1/households/" + hC.ID + "/claim-code", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 201, "steward": 201}, nil},
		{"POST", "/api/v1/households/" + hA.ID + "/claim-code", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 409, "steward": 409}, nil},
		{"POST", "/api/v1/households/" + hB.ID + "/claim-code", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 404, "steward": 404}, nil},
		{"POST", "/api/v1/me/household/claim", map[string]any{"code": "ZZZZ-ZZZZ-ZZZZ"}, want{"anonymous": 401, "resident A": 409, "resident B": 409, "organizer": 422, "steward": 422}, nil},
		{"POST", "/api/v1/me/household/voter-code", nil, want{"anonymous": 401, "resident A": voterCodeStatus(hA), "resident B": voterCodeStatus(hB), "organizer": 404, "steward": 404}, nil},
		{"POST", "/api/v1/me/household/voters", map[string]any{"code": "ZZZZ-ZZZZ-ZZZZ"}, want{"anonymous": 401, "resident A": 409, "resident B": 409, "organizer": 422, "steward": 422}, nil},
		{"DELETE", "/api/v1/me/household/voters/acct-nobody", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 404, "steward": 404}, nil},
		{"GET", "/api/v1/me/voter-household", nil, want{"anonymous": 401, "resident A": 404, "resident B": 404, "organizer": 404, "steward": 404}, nil},
		// Registration last: it changes what the others see.
		{"POST", "/api/v1/households", householdBody(9), want{"anonymous": 401, "resident A": 409, "resident B": 409, "organizer": 201, "steward": 201}, nil},
		{"DELETE", "/api/v1/households/" + hA.ID, nil, want{"anonymous": 401, "resident B": 404, "organizer": 403, "resident A": 204, "steward": 404},
			[]string{"anonymous", "resident B", "organizer", "resident A", "steward"}},
	}
	for _, tt := range tests {
		order := callers
		if tt.order != nil {
			order = tt.order
		}
		for _, who := range order {
			status, ok := tt.want[who]
			if !ok {
				t.Fatalf("%s %s: no expectation for %s", tt.method, tt.path, who)
			}
			var headers []string
			if tok := tokens[who]; tok != "" {
				headers = servicetest.Bearer(tok)
			}
			body := tt.body
			if s, isCSV := body.(string); isCSV {
				headers = append(headers, "Content-Type", "text/csv")
				body = []byte(s)
			}
			r := env.Do(t, tt.method, tt.path, body, headers...)
			if r.Status != status {
				t.Errorf("%s %s as %s = %d, want %d; %s", tt.method, tt.path, who, r.Status, status, r.Body)
			}
		}
	}
	// The organizer's list holds the consenting households only.
	var list struct {
		Items []householdOut `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/households?limit=500", nil, servicetest.Bearer(tokOrg)...).JSON(t, &list)
	for _, h := range list.Items {
		if h.ID == hB.ID {
			t.Errorf("the organizer's list shows a household without matching consent")
		}
	}
}
