package community

import (
	"slices"
	"time"
)

// HouseholdDataExport is everything Common Ground holds about a household,
// for the household's own copy of its data: the full record and the exact
// text of every consent it gave, so it can read what it agreed to.
type HouseholdDataExport struct {
	ExportedAt time.Time
	Household  *Household
	// ConsentTexts holds the text of each consent version the household
	// agreed to, in the order first given.
	ConsentTexts []ConsentText
	// PossibleDuplicates lists households an organizer may review as the same
	// family, passed in by the caller from its duplicate index.
	PossibleDuplicates []HouseholdDuplicate
}

// ExportHouseholdData assembles the household's copy of its data. It shares
// no memory with h.
func ExportHouseholdData(h *Household, duplicates []HouseholdDuplicate, now time.Time) HouseholdDataExport {
	out := HouseholdDataExport{ExportedAt: now.UTC(), Household: h.Clone(), PossibleDuplicates: slices.Clone(duplicates)}
	seen := map[string]bool{}
	for _, c := range h.Consents {
		if seen[c.TextVersion] {
			continue
		}
		seen[c.TextVersion] = true
		if t, ok := LookupConsentText(c.TextVersion); ok {
			out.ConsentTexts = append(out.ConsentTexts, t)
		}
	}
	return out
}

// HouseholdRemainder is what Common Ground keeps of an erased household: a
// few coarse facts for anonymous counts (how many households, of what size,
// needing what, have left), with no name, contact, place, id or exact time.
type HouseholdRemainder struct {
	ErasedMonth         string // "2006-01": the month, not the day, so it cannot be matched to a request
	Size                int
	Bedrooms            int
	AccessibilityNeeded bool
	Situation           HouseholdSituation
	DisasterNumber      string
	// CountInStatistics is true when the household had agreed to aggregate
	// statistics; only then does the remainder count in public figures.
	CountInStatistics bool
}

// EraseHousehold returns the anonymous remainder of h to keep once its
// record is deleted. The caller deletes the record (HouseholdStore's
// DeleteHousehold takes the remainder) and drops it from its in-memory
// indexes.
func EraseHousehold(h *Household, now time.Time) HouseholdRemainder {
	return HouseholdRemainder{
		ErasedMonth:         now.UTC().Format("2006-01"),
		Size:                h.Size(),
		Bedrooms:            h.Needs.Bedrooms,
		AccessibilityNeeded: householdNeedsAccessibility(h),
		Situation:           h.Current.Situation,
		DisasterNumber:      h.FEMA.DisasterNumber,
		CountInStatistics:   h.HasConsent(ConsentAggregateStatistics, now),
	}
}

func householdNeedsAccessibility(h *Household) bool {
	if len(h.Needs.Accessibility) > 0 {
		return true
	}
	for _, m := range h.Members {
		if len(m.Accessibility) > 0 {
			return true
		}
	}
	return false
}
