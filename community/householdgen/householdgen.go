// Package householdgen makes synthetic households for demos, load tests and
// benchmarks: valid records around Phoenix and Talent, Oregon, with names
// that are plainly fake ("Sample Rivera", "Demo Testwood") so that nobody
// mistakes demo data for a real family.
package householdgen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"commonground/community"
)

// Towns are the two places the Almeda Fire hit hardest, {lon, lat}.
var Towns = []orb.Point{{-122.8197, 42.2751}, {-122.7884, 42.2457}}

var (
	first = []string{"Sample", "Demo", "Example", "Fictional", "Placeholder", "Mock", "Synthetic", "Pretend"}
	last  = []string{"Rivera", "Testwood", "García-Demo", "Sampleton", "López-Example", "Fakeworth", "Márquez-Mock", "Dataperson", "Hernández-Demo", "Nobody"}

	ageBands   = []community.HouseholdAgeBand{community.HouseholdAgeUnder5, community.HouseholdAge5To12, community.HouseholdAge13To17, community.HouseholdAge25To34, community.HouseholdAge35To44, community.HouseholdAge55To61, community.HouseholdAge62Plus}
	situations = []community.HouseholdSituation{community.HouseholdSituationShelter, community.HouseholdSituationHotel, community.HouseholdSituationFamilyOrFriends, community.HouseholdSituationVehicle, community.HouseholdSituationRental, community.HouseholdSituationOther}
	tenures    = []community.HouseholdTenure{community.HouseholdTenureOwner, community.HouseholdTenureRenter, community.HouseholdTenureOwnerOnRentedLot}
	incomes    = []community.HouseholdIncomeBand{community.HouseholdIncomeBelow30, community.HouseholdIncome30To50, community.HouseholdIncome50To80, community.HouseholdIncome80To120}
	needs      = []community.HouseholdAccessibilityNeed{community.HouseholdAccessWheelchair, community.HouseholdAccessMobility, community.HouseholdAccessVision, community.HouseholdAccessHearing}
)

// Options shape a generated population.
type Options struct {
	// Spread is how far from a town a home may lie, in degrees (default 0.03,
	// about 3 km).
	Spread float64
	// ConsentShare is the share of households, out of 10, that give each
	// optional consent (default 8); the rest give none, as many real
	// households do.
	ConsentShare int
}

// Household returns synthetic household number i of the population seeded
// with seed, as a resident would submit it: no id, owner, registration or
// times, consents given online to the current English or Spanish texts.
func Household(seed uint64, i int, opts Options) *community.Household {
	if opts.Spread == 0 {
		opts.Spread = 0.03
	}
	if opts.ConsentShare == 0 {
		opts.ConsentShare = 8
	}
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	town := Towns[r.IntN(len(Towns))]
	loc := orb.Point{town.Lon() + (r.Float64()-0.5)*2*opts.Spread, town.Lat() + (r.Float64()-0.5)*2*opts.Spread}
	size := 1 + r.IntN(5)
	family := last[r.IntN(len(last))]
	members := make([]community.HouseholdMember, size)
	for j := range members {
		members[j] = community.HouseholdMember{
			Name:         fmt.Sprintf("%s %s %d", first[r.IntN(len(first))], family, i),
			Relationship: community.HouseholdRelationshipChild,
			AgeBand:      ageBands[r.IntN(len(ageBands))],
		}
	}
	members[0].Relationship = community.HouseholdRelationshipHead
	members[0].AgeBand = community.HouseholdAge35To44
	if size > 2 {
		members[1].Relationship = community.HouseholdRelationshipSpouseOrPartner
		members[1].AgeBand = community.HouseholdAge35To44
	}
	lang := community.HouseholdLanguageEnglish
	if r.IntN(2) == 0 {
		lang = community.HouseholdLanguageSpanish
	}
	h := &community.Household{
		Members:  members,
		Pets:     community.HouseholdPets{Count: r.IntN(3)},
		Language: lang,
		// Each household has its own number, so that the duplicate check
		// meets the spread of a real population; example.org never
		// delivers mail.
		Contact:      community.HouseholdContact{Phone: fmt.Sprintf("+1541%07d", 2_000_000+i%8_000_000), Email: fmt.Sprintf("household%d@example.org", i)},
		LostHome:     community.HouseholdLostHome{Location: &loc, Address: fmt.Sprintf("Space %d, Example Mobile Home Park", 1+r.IntN(200))},
		Current:      community.HouseholdStay{Situation: situations[r.IntN(len(situations))], ZipCode: "97535"},
		TenureBefore: tenures[r.IntN(len(tenures))],
		IncomeBand:   incomes[r.IntN(len(incomes))],
		Needs:        community.HouseholdNeeds{Bedrooms: 1 + r.IntN(4)},
		FEMA:         community.HouseholdFEMA{DisasterNumber: "DR-4562-OR"},
		Insurance:    community.HouseholdUninsured,
	}
	h.InterestedInCoop = r.IntN(2) == 0
	h.InterestedInLandTrust = r.IntN(2) == 0
	if r.IntN(4) == 0 {
		h.Needs.Accessibility = []community.HouseholdAccessibilityNeed{needs[r.IntN(len(needs))]}
	}
	for _, p := range []community.ConsentPurpose{community.ConsentMatching, community.ConsentContact, community.ConsentAggregateStatistics} {
		if r.IntN(10) < opts.ConsentShare {
			h.Consents = append(h.Consents, Consent(p, lang))
		}
	}
	return h
}

// Consent returns a consent to the current text of purpose in lang, given
// online by the resident (GivenAt left for registration to stamp).
func Consent(purpose community.ConsentPurpose, lang community.HouseholdLanguage) community.Consent {
	t, ok := community.CurrentConsentText(purpose, lang)
	if !ok {
		panic("householdgen: no current consent text for " + string(purpose))
	}
	return community.Consent{Purpose: purpose, TextVersion: t.Version, Method: community.ConsentSelfOnline}
}

// Registered returns household i prepared as stored: with id, owner and
// times, as if the resident owner had registered it at now.
func Registered(seed uint64, i int, opts Options, id, owner string, now time.Time) (*community.Household, error) {
	return community.NewHousehold(id, owner, Household(seed, i, opts), community.HouseholdRegistration{By: community.HouseholdRegisteredBySelf}, now)
}
