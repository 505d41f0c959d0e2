package community

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

var (
	householdTestFirst = []string{"Rosa", "María", "José", "Ana", "Luis", "Carmen", "Juan", "Elena", "Pedro", "Lucía", "Sam", "Alex", "Jordan", "Casey", "Robin", "Taylor"}
	householdTestLast  = []string{"Márquez", "García", "López", "Hernández", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Example", "Sample", "Testwood", "Placeholder"}
)

// householdTestPopulation makes n valid synthetic households around Phoenix
// and Talent, Oregon, deterministically from seed. spread sets how far
// from the two towns homes lie, in degrees, and phones how many distinct
// phone numbers exist, so tests can force collisions.
func householdTestPopulation(tb testing.TB, n int, seed uint64, spread float64, phones int) []*Household {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	towns := []orb.Point{{-122.8197, 42.2751}, {-122.7884, 42.2457}}
	situations := householdSituations
	matching := householdTestConsent(tb, ConsentMatching)
	contact := householdTestConsent(tb, ConsentContact)
	stats := householdTestConsent(tb, ConsentAggregateStatistics)
	out := make([]*Household, n)
	for i := range out {
		town := towns[r.IntN(len(towns))]
		loc := orb.Point{town.Lon() + (r.Float64()-0.5)*spread, town.Lat() + (r.Float64()-0.5)*spread}
		size := 1 + r.IntN(5)
		last := householdTestLast[r.IntN(len(householdTestLast))]
		members := make([]HouseholdMember, size)
		for j := range members {
			members[j] = HouseholdMember{
				Name:         householdTestFirst[r.IntN(len(householdTestFirst))] + " " + last,
				Relationship: HouseholdRelationshipChild,
				AgeBand:      householdAgeBands[r.IntN(len(householdAgeBands))],
			}
		}
		members[0].Relationship = HouseholdRelationshipHead
		if size > 2 {
			members[1].Relationship = HouseholdRelationshipSpouseOrPartner
		}
		h := &Household{
			ID:             fmt.Sprintf("h%06d", i),
			OwnerAccountID: fmt.Sprintf("acct-%06d", i),
			Members:        members,
			Language:       householdLanguages[r.IntN(2)],
			Contact: HouseholdContact{
				Phone: fmt.Sprintf("+1541%07d", 2_000_000+r.IntN(phones)),
				Email: fmt.Sprintf("family%d@example.org", r.IntN(phones)),
			},
			LostHome:     HouseholdLostHome{Location: &loc, Address: fmt.Sprintf("Space %d, Example Park", r.IntN(200))},
			Current:      HouseholdStay{Situation: situations[r.IntN(len(situations))], ZipCode: "97535"},
			TenureBefore: householdTenures[r.IntN(len(householdTenures))],
			IncomeBand:   householdIncomeBands[r.IntN(len(householdIncomeBands))],
			Needs:        HouseholdNeeds{Bedrooms: 1 + r.IntN(4)},
			FEMA:         HouseholdFEMA{DisasterNumber: "DR-4562-OR", RegistrationID: fmt.Sprintf("%09d", r.IntN(1e9))},
			RegisteredBy: HouseholdRegistration{By: HouseholdRegisteredBySelf},
			CreatedAt:    householdTestNow,
			UpdatedAt:    householdTestNow,
			Version:      1,
		}
		if r.IntN(4) == 0 {
			h.Needs.Accessibility = []HouseholdAccessibilityNeed{householdAccessNeeds[r.IntN(len(householdAccessNeeds))]}
		}
		if r.IntN(10) < 7 {
			h.Consents = append(h.Consents, matching)
		}
		if r.IntN(10) < 5 {
			h.Consents = append(h.Consents, contact)
		}
		if r.IntN(10) < 8 {
			h.Consents = append(h.Consents, stats)
		}
		out[i] = h
	}
	return out
}

func TestHouseholdTestPopulationIsValid(t *testing.T) {
	for _, h := range householdTestPopulation(t, 500, 7, 0.05, 1_000_000) {
		if err := h.Validate(); err != nil {
			t.Fatalf("%s: %v", h.ID, err)
		}
	}
}
