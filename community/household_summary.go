package community

import "time"

// HouseholdBedroomBuckets is the number of bedroom counts a needs summary
// tells apart: 0 (studio) to 4, and 5 or more in the last bucket.
const HouseholdBedroomBuckets = 6

// HouseholdNeedsSummary counts what a group of households needs, for the
// public map grid and public figures. It holds counts only; adding two
// summaries adds their counts. Only households with an aggregate statistics
// consent in force are counted.
type HouseholdNeedsSummary struct {
	Households int
	People     int
	// Bedrooms[i] counts households needing i bedrooms; the last bucket
	// holds 5 or more.
	Bedrooms [HouseholdBedroomBuckets]int
	// Accessibility counts households with any accessibility need, of a
	// member or of the home.
	Accessibility int
	Situations    HouseholdSituationCounts
}

// HouseholdSituationCounts counts households by where they stay now;
// Unknown counts those that did not say.
type HouseholdSituationCounts struct {
	Shelter, Hotel, FamilyOrFriends, Vehicle, Rental, Other, Unknown int
}

// Add counts h when it has agreed to aggregate statistics at now, and
// reports whether it did.
func (s *HouseholdNeedsSummary) Add(h *Household, now time.Time) bool {
	if !h.HasConsent(ConsentAggregateStatistics, now) {
		return false
	}
	s.add(h.Size(), h.Needs.Bedrooms, householdNeedsAccessibility(h), h.Current.Situation)
	return true
}

// AddRemainder counts an erased household's remainder when the household had
// agreed to aggregate statistics, and reports whether it did.
func (s *HouseholdNeedsSummary) AddRemainder(r HouseholdRemainder) bool {
	if !r.CountInStatistics {
		return false
	}
	s.add(r.Size, r.Bedrooms, r.AccessibilityNeeded, r.Situation)
	return true
}

func (s *HouseholdNeedsSummary) add(size, bedrooms int, access bool, situation HouseholdSituation) {
	s.Households++
	s.People += size
	s.Bedrooms[min(max(bedrooms, 0), HouseholdBedroomBuckets-1)]++
	if access {
		s.Accessibility++
	}
	c := &s.Situations
	switch situation {
	case HouseholdSituationShelter:
		c.Shelter++
	case HouseholdSituationHotel:
		c.Hotel++
	case HouseholdSituationFamilyOrFriends:
		c.FamilyOrFriends++
	case HouseholdSituationVehicle:
		c.Vehicle++
	case HouseholdSituationRental:
		c.Rental++
	case HouseholdSituationOther:
		c.Other++
	default:
		c.Unknown++
	}
}

// Merge adds the counts of o to s, for combining grid cells.
func (s *HouseholdNeedsSummary) Merge(o HouseholdNeedsSummary) {
	s.Households += o.Households
	s.People += o.People
	for i := range s.Bedrooms {
		s.Bedrooms[i] += o.Bedrooms[i]
	}
	s.Accessibility += o.Accessibility
	c := &s.Situations
	c.Shelter += o.Situations.Shelter
	c.Hotel += o.Situations.Hotel
	c.FamilyOrFriends += o.Situations.FamilyOrFriends
	c.Vehicle += o.Situations.Vehicle
	c.Rental += o.Situations.Rental
	c.Other += o.Situations.Other
	c.Unknown += o.Situations.Unknown
}

// SummarizeHouseholdNeeds counts the households that agreed to aggregate
// statistics at now.
func SummarizeHouseholdNeeds(households []*Household, now time.Time) HouseholdNeedsSummary {
	var s HouseholdNeedsSummary
	for _, h := range households {
		s.Add(h, now)
	}
	return s
}
