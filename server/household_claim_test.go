package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
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
	// The example's code is stored as a claim on a household registered
	// for a family, and reloaded, as a restart would.
	examplePreparers["POST /api/v1/me/household/claim"] = func(t *testing.T, env *servicetest.Env) (string, []string) {
		h, err := community.NewHousehold("0190b1a2-0000-7000-8000-0000000000c1", "", householdgen.Household(1, 3, householdgen.Options{}),
			community.HouseholdRegistration{By: community.HouseholdRegisteredByOrganizer, OrganizerAccountID: "acct-example", ConsentMethod: community.ConsentOrganizerInPerson}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte("7K3MQ9XD2HBT"))
		h.Claim = &community.HouseholdClaim{CodeHash: hex.EncodeToString(sum[:]), IssuedBy: "acct-example", IssuedAt: time.Now(), Expires: time.Now().Add(time.Hour)}
		if err := mongodb.NewHouseholdStore(env.Service.DB, env.Service.Keyring).CreateHousehold(context.Background(), h); err != nil {
			t.Fatal(err)
		}
		if err := env.Service.Households.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, tok := env.Account(t)
		return "/api/v1/me/household/claim", servicetest.Bearer(tok)
	}
}

func init() {
	// A household whose head has given the example's voter code.
	examplePreparers["POST /api/v1/me/household/voters"] = func(t *testing.T, env *servicetest.Env) (string, []string) {
		headID, _ := env.Account(t)
		in := householdgen.Household(1, 4, householdgen.Options{})
		in.Members = []community.HouseholdMember{
			{Name: "Rosa Díaz", Relationship: community.HouseholdRelationshipHead},
			{Name: "Tomás Díaz", Relationship: community.HouseholdRelationshipSpouseOrPartner},
		}
		h, err := community.NewHousehold("0190b1a2-0000-7000-8000-0000000000c2", headID, in, community.HouseholdRegistration{By: community.HouseholdRegisteredBySelf, ConsentMethod: community.ConsentSelfOnline}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte("4WQD8HNRPX2C"))
		h.VoterCode = &community.HouseholdClaim{CodeHash: hex.EncodeToString(sum[:]), IssuedBy: headID, IssuedAt: time.Now(), Expires: time.Now().Add(time.Hour)}
		if err := mongodb.NewHouseholdStore(env.Service.DB, env.Service.Keyring).CreateHousehold(context.Background(), h); err != nil {
			t.Fatal(err)
		}
		if err := env.Service.Households.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, tok := env.Account(t)
		return "/api/v1/me/household/voters", servicetest.Bearer(tok)
	}
}

var claimCodeShape = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

// TestHouseholdClaim runs a family an organizer registered through taking
// the record over: the organizer makes a code, the family signs up and
// claims with it, and from then on the household is theirs. It joins a
// community through them, and the organizer can no longer change it.
func TestHouseholdClaim(t *testing.T) {
	e := startCommunities(t)
	env := e.Env
	organizer := newUser(t, env, auth.RoleOrganizer)
	family, resident, latecomer := newUser(t, env), newUser(t, env), newUser(t, env)
	home(t, env, resident)
	steward := newUser(t, env, auth.RoleSteward)

	var fam householdOut
	call(t, env, organizer, "POST", "/api/v1/households", onBehalf(householdBody(41, community.ConsentMatching, community.ConsentContact)), 201, &fam)
	codePath := "/api/v1/households/" + fam.ID + "/claim-code"

	// Only staff make codes; residents do not even see the route.
	call(t, env, family, "POST", codePath, nil, 404, nil)
	call(t, env, user{}, "POST", codePath, nil, 401, nil)
	call(t, env, organizer, "POST", "/api/v1/households/no-such-household/claim-code", nil, 404, nil)

	type codeOut struct {
		ID        string    `json:"id"`
		Code      string    `json:"code"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	var first, code codeOut
	call(t, env, organizer, "POST", codePath, nil, 201, &first)
	r := call(t, env, organizer, "POST", codePath, nil, 201, &code)
	if !claimCodeShape.MatchString(code.Code) || code.ID != fam.ID || !code.ExpiresAt.Equal(e.clock.Now().Add(14*day)) {
		t.Fatalf("claim code = %+v", code)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", r.Header.Get("Cache-Control"))
	}
	if first.Code == code.Code {
		t.Fatal("two codes are the same")
	}

	claim := "/api/v1/me/household/claim"
	// A second code replaces the first.
	if p := env.Do(t, "POST", claim, map[string]any{"code": first.Code}, family.auth()...).WantProblem(t, 422); !p.HasField("code") {
		t.Errorf("a replaced code: problem %+v does not name code", p)
	}
	for _, bad := range []any{"", "7K3M-Q9XD-2HB", strings.Repeat("Z", 12), "ÉÉÉÉ-ÉÉÉÉ-ÉÉÉÉ"} {
		if p := env.Do(t, "POST", claim, map[string]any{"code": bad}, family.auth()...).WantProblem(t, 422); !p.HasField("code") {
			t.Errorf("code %q: problem %+v does not name code", bad, p)
		}
	}
	env.Do(t, "POST", claim, map[string]any{"code": 12}, family.auth()...).WantProblem(t, 400)
	env.Do(t, "POST", claim, map[string]any{"code": code.Code}).WantProblem(t, 401)
	// An account with a household of its own cannot take another.
	env.Do(t, "POST", claim, map[string]any{"code": code.Code}, resident.auth()...).WantProblem(t, 409)
	env.Do(t, "GET", "/api/v1/me/household", nil, family.auth()...).WantProblem(t, 404)

	// Typed back in lower case without hyphens, the code works once.
	typed := strings.ToLower(strings.ReplaceAll(code.Code, "-", " "))
	var mine householdOut
	call(t, env, family, "POST", claim, map[string]any{"code": typed}, 200, &mine)
	if mine.ID != fam.ID || mine.Access != "owner" || mine.Contact == nil {
		t.Fatalf("claimed household = %+v", mine)
	}
	call(t, env, family, "GET", "/api/v1/me/household", nil, 200, &mine)
	if mine.ID != fam.ID {
		t.Fatalf("my household after claiming = %s, want %s", mine.ID, fam.ID)
	}
	env.Do(t, "POST", claim, map[string]any{"code": code.Code}, latecomer.auth()...).WantProblem(t, 422)

	// The household is the family's now: the organizer can neither make a
	// new code nor change it; the family can.
	env.Do(t, "POST", codePath, nil, organizer.auth()...).WantProblem(t, 409)
	env.Do(t, "PATCH", "/api/v1/households/"+fam.ID, map[string]any{"notes": "x"}, organizer.auth()...).WantProblem(t, 403)
	call(t, env, family, "PATCH", "/api/v1/households/"+fam.ID, map[string]any{"notes": "we have a phone now"}, 200, nil)

	// And it joins a community through the family's account.
	admin := newUser(t, env, auth.RoleOrganizer)
	park := found(t, env, admin, community.ResidentOwnedPark)
	var m membershipOut
	call(t, env, family, "POST", communityPath(park.ID, "memberships"), map[string]any{"classKey": "resident"}, 201, &m)
	if m.HouseholdID != fam.ID {
		t.Errorf("membership is for household %q, want %q", m.HouseholdID, fam.ID)
	}

	// Both steps are audited.
	var audit struct {
		Events []struct {
			Kind     string `json:"kind"`
			ActorID  string `json:"actor_id"`
			TargetID string `json:"target_id"`
		} `json:"events"`
	}
	call(t, env, steward, "GET", "/api/v1/audit?target_id="+fam.ID, nil, 200, &audit)
	kinds := map[string]string{}
	for _, ev := range audit.Events {
		kinds[ev.Kind] = ev.ActorID
	}
	if kinds["claim_code_issued"] != organizer.ID || kinds["household_claimed"] != family.ID {
		t.Errorf("audit events = %+v", audit.Events)
	}
}

// TestHouseholdClaimCodeExpires checks who may make a code for a family
// that consented to nothing, that a code is refused after 14 days, and
// that a new one can be made.
func TestHouseholdClaimCodeExpires(t *testing.T) {
	e := startCommunities(t)
	organizer, family := newUser(t, e.Env, auth.RoleOrganizer), newUser(t, e.Env)
	other, steward := newUser(t, e.Env, auth.RoleOrganizer), newUser(t, e.Env, auth.RoleSteward)
	var fam householdOut
	call(t, e.Env, organizer, "POST", "/api/v1/households", onBehalf(householdBody(42)), 201, &fam)
	if fam.Access != "none" {
		t.Fatalf("without consent the organizer reads back %+v", fam)
	}
	// The registering organizer and a steward may make a code; another
	// organizer does not even learn that the household exists.
	var code struct {
		Code string `json:"code"`
	}
	e.Env.Do(t, "POST", "/api/v1/households/"+fam.ID+"/claim-code", nil, other.auth()...).WantProblem(t, 404)
	call(t, e.Env, steward, "POST", "/api/v1/households/"+fam.ID+"/claim-code", nil, 201, &code)
	call(t, e.Env, organizer, "POST", "/api/v1/households/"+fam.ID+"/claim-code", nil, 201, &code)
	e.clock.Advance(14 * day)
	e.Env.Do(t, "POST", "/api/v1/me/household/claim", map[string]any{"code": code.Code}, family.auth()...).WantProblem(t, 422)
	call(t, e.Env, organizer, "POST", "/api/v1/households/"+fam.ID+"/claim-code", nil, 201, &code)
	call(t, e.Env, family, "POST", "/api/v1/me/household/claim", map[string]any{"code": code.Code}, 200, nil)
}

// TestHouseholdVotersVotePerPerson runs a housing co-op whose household
// class votes per person: the head of a household of three gives a code to
// another adult, who joins with their own account and votes in their own
// right; they see the household's membership but neither the household's
// record nor the right to withdraw it.
func TestHouseholdVotersVotePerPerson(t *testing.T) {
	e := startCommunities(t)
	env := e.Env
	head, adult, other, single := newUser(t, env), newUser(t, env), newUser(t, env), newUser(t, env)
	body := householdBody(43)
	body["members"] = []map[string]any{
		{"name": "Rosa Díaz", "relationship": "head", "age_band": "35_44"},
		{"name": "Tomás Díaz", "relationship": "spouse_or_partner", "age_band": "35_44"},
		{"name": "Inés Díaz", "relationship": "child", "age_band": "under_5"},
	}
	var hh householdOut
	call(t, env, head, "POST", "/api/v1/households", body, 201, &hh)

	codePath, joinPath := "/api/v1/me/household/voter-code", "/api/v1/me/household/voters"
	env.Do(t, "POST", codePath, nil).WantProblem(t, 401)
	env.Do(t, "POST", codePath, nil, other.auth()...).WantProblem(t, 404) // no household
	var code struct {
		ID   string `json:"id"`
		Code string `json:"code"`
	}
	call(t, env, head, "POST", codePath, nil, 201, &code)
	if code.ID != hh.ID || !claimCodeShape.MatchString(code.Code) {
		t.Fatalf("voter code = %+v", code)
	}
	// A claim code is not a voter code, nor the other way round.
	if p := env.Do(t, "POST", joinPath, map[string]any{"code": "ZZZZ-ZZZZ-ZZZZ"}, adult.auth()...).WantProblem(t, 422); !p.HasField("code") {
		t.Errorf("problem %+v does not name code", p)
	}
	env.Do(t, "POST", "/api/v1/me/household/claim", map[string]any{"code": code.Code}, adult.auth()...).WantProblem(t, 422)
	// The head cannot join their own household.
	env.Do(t, "POST", joinPath, map[string]any{"code": code.Code}, head.auth()...).WantProblem(t, 409)

	// The head may take a voter off again.
	call(t, env, other, "POST", joinPath, map[string]any{"code": code.Code}, 201, nil)
	env.Do(t, "POST", joinPath, map[string]any{"code": code.Code}, adult.auth()...).WantProblem(t, 422) // used
	env.Do(t, "DELETE", joinPath+"/"+adult.ID, nil, head.auth()...).WantProblem(t, 404)
	call(t, env, head, "DELETE", joinPath+"/"+other.ID, nil, 204, nil)

	var joined struct {
		HouseholdID string `json:"household_id"`
		AccountID   string `json:"account_id"`
	}
	call(t, env, adult, "POST", joinPath, map[string]any{"code": mustCode(t, env, head)}, 201, &joined)
	if joined.HouseholdID != hh.ID || joined.AccountID != adult.ID {
		t.Fatalf("joined = %+v", joined)
	}
	env.Do(t, "POST", joinPath, map[string]any{"code": "ZZZZ-ZZZZ-ZZZZ"}, adult.auth()...).WantProblem(t, 409) // joined already
	call(t, env, adult, "GET", "/api/v1/me/voter-household", nil, 200, &joined)
	env.Do(t, "GET", "/api/v1/me/voter-household", nil, other.auth()...).WantProblem(t, 404)
	// The voter does not see the household's record, and cannot register
	// another household while joined to this one.
	env.Do(t, "GET", "/api/v1/me/household", nil, adult.auth()...).WantProblem(t, 404)
	env.Do(t, "GET", "/api/v1/households/"+hh.ID, nil, adult.auth()...).WantProblem(t, 404)
	env.Do(t, "POST", "/api/v1/households", householdBody(44), adult.auth()...).WantProblem(t, 409)
	var mine struct {
		Voters []struct {
			AccountID string `json:"account_id"`
		} `json:"voters"`
	}
	call(t, env, head, "GET", "/api/v1/me/household", nil, 200, &mine)
	if len(mine.Voters) != 1 || mine.Voters[0].AccountID != adult.ID {
		t.Fatalf("the head sees voters %+v", mine.Voters)
	}
	// Two adults and a child: nobody else may join, and the adult who
	// joined cannot be taken out of the household while they vote.
	env.Do(t, "POST", codePath, nil, head.auth()...).WantProblem(t, 409)
	if p := env.Do(t, "PATCH", "/api/v1/households/"+hh.ID, map[string]any{"members": []map[string]any{
		{"name": "Rosa Díaz", "relationship": "head", "age_band": "35_44"},
		{"name": "Inés Díaz", "relationship": "child", "age_band": "under_5"},
	}}, head.auth()...).WantProblem(t, 409); !strings.Contains(p.Detail, "vote with their own accounts") {
		t.Errorf("removing a voting adult: %q", p.Detail)
	}
	alone := householdBody(46)
	alone["members"] = []map[string]any{{"name": "Ana Ruiz", "relationship": "head"}}
	call(t, env, single, "POST", "/api/v1/households", alone, 201, nil)
	env.Do(t, "POST", codePath, nil, single.auth()...).WantProblem(t, 409) // nobody else in it

	// A co-op whose resident households vote per person.
	admin := newUser(t, env, auth.RoleOrganizer)
	c := community.ResidentOwnedPark("", admin.ID, time.Time{})
	c.Bylaws.Classes[0].VoteBasis = community.VotePerPerson
	var coop communityOut
	call(t, env, admin, "POST", "/api/v1/communities", communityBody(c), 201, &coop)
	var m membershipOut
	call(t, env, admin, "POST", communityPath(coop.ID, "founding-members"), map[string]any{"accountId": head.ID, "classKey": "resident"}, 201, &m)
	var theirs struct {
		Memberships []membershipOut `json:"memberships"`
	}
	call(t, env, adult, "GET", "/api/v1/me/memberships", nil, 200, &theirs)
	if len(theirs.Memberships) != 1 || theirs.Memberships[0].ID != m.ID {
		t.Fatalf("the voter's memberships = %+v", theirs.Memberships)
	}
	call(t, env, adult, "POST", communityPath(coop.ID, "memberships", m.ID, "withdraw"), nil, 404, nil)

	p := e.propose(t, coop.ID, head, admin, proposalBody("general", e.clock.Now(), 7*day, true))
	if p.Eligible != 2 {
		t.Fatalf("electorate = %d, want the head and the adult who joined", p.Eligible)
	}
	if v := e.vote(t, coop.ID, p.ID, adult, map[string]any{"option": "no"}, 201); v.VoterKey != "person:"+adult.ID {
		t.Fatalf("the adult voted as %q", v.VoterKey)
	}
	e.vote(t, coop.ID, p.ID, head, map[string]any{"option": "yes"}, 201)
	e.vote(t, coop.ID, p.ID, other, map[string]any{"option": "yes"}, 403) // removed before voting opened

	// Leaving: a voter may leave on their own; then they are out of the
	// household and may register their own.
	env.Do(t, "DELETE", joinPath+"/"+head.ID, nil, adult.auth()...).WantProblem(t, 404)
	call(t, env, adult, "DELETE", joinPath+"/"+adult.ID, nil, 204, nil)
	env.Do(t, "GET", "/api/v1/me/voter-household", nil, adult.auth()...).WantProblem(t, 404)
	call(t, env, adult, "POST", "/api/v1/households", householdBody(45), 201, nil)
	e.clock.Advance(7 * day)
	if res, _ := e.closeVote(t, coop.ID, p.ID, admin); res.Ballots != 2 {
		t.Fatalf("ballots = %d, want 2: a ballot cast stands", res.Ballots)
	}
}

// mustCode makes a fresh voter code as the head of a household.
func mustCode(t *testing.T, env *servicetest.Env, head user) string {
	t.Helper()
	var code struct {
		Code string `json:"code"`
	}
	call(t, env, head, "POST", "/api/v1/me/household/voter-code", nil, 201, &code)
	return code.Code
}
