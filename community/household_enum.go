package community

import "slices"

// HouseholdRelationship is a member's relationship to the head of household,
// after HMIS element 3.15 in plain words.
type HouseholdRelationship string

// The relationships to the head of household.
const (
	HouseholdRelationshipHead            HouseholdRelationship = "head"
	HouseholdRelationshipSpouseOrPartner HouseholdRelationship = "spouse_or_partner"
	HouseholdRelationshipChild           HouseholdRelationship = "child"
	HouseholdRelationshipOtherRelative   HouseholdRelationship = "other_relative"
	HouseholdRelationshipUnrelated       HouseholdRelationship = "unrelated"
)

// HouseholdAgeBand is a member's age range, the bands HMIS reports use. An
// age band instead of a birth date keeps a date of birth out of the record.
type HouseholdAgeBand string

// The age bands.
const (
	HouseholdAgeUnder5 HouseholdAgeBand = "under_5"
	HouseholdAge5To12  HouseholdAgeBand = "5_12"
	HouseholdAge13To17 HouseholdAgeBand = "13_17"
	HouseholdAge18To24 HouseholdAgeBand = "18_24"
	HouseholdAge25To34 HouseholdAgeBand = "25_34"
	HouseholdAge35To44 HouseholdAgeBand = "35_44"
	HouseholdAge45To54 HouseholdAgeBand = "45_54"
	HouseholdAge55To61 HouseholdAgeBand = "55_61"
	HouseholdAge62Plus HouseholdAgeBand = "62_plus"
)

// HouseholdAccessibilityNeed is one accessibility need of a member or of the
// home the household needs.
type HouseholdAccessibilityNeed string

// The accessibility needs.
const (
	HouseholdAccessWheelchair       HouseholdAccessibilityNeed = "wheelchair"
	HouseholdAccessMobility         HouseholdAccessibilityNeed = "mobility"
	HouseholdAccessVision           HouseholdAccessibilityNeed = "vision"
	HouseholdAccessHearing          HouseholdAccessibilityNeed = "hearing"
	HouseholdAccessCognitive        HouseholdAccessibilityNeed = "cognitive"
	HouseholdAccessMedicalEquipment HouseholdAccessibilityNeed = "medical_equipment"
	HouseholdAccessOther            HouseholdAccessibilityNeed = "other"
)

// HouseholdLanguage is the language the household prefers to be addressed in.
type HouseholdLanguage string

// The languages Common Ground speaks.
const (
	HouseholdLanguageEnglish HouseholdLanguage = "en"
	HouseholdLanguageSpanish HouseholdLanguage = "es"
)

// HouseholdSituation is where a household stays now.
type HouseholdSituation string

// The current situations.
const (
	HouseholdSituationShelter         HouseholdSituation = "shelter"
	HouseholdSituationHotel           HouseholdSituation = "hotel"
	HouseholdSituationFamilyOrFriends HouseholdSituation = "family_or_friends"
	HouseholdSituationVehicle         HouseholdSituation = "vehicle"
	HouseholdSituationRental          HouseholdSituation = "rental"
	HouseholdSituationOther           HouseholdSituation = "other"
)

// HouseholdTenure is how the household held its home before the disaster.
// OwnerOnRentedLot is the usual case in a manufactured-home park: the family
// owned the home and rented the land under it.
type HouseholdTenure string

// The tenures.
const (
	HouseholdTenureOwner            HouseholdTenure = "owner"
	HouseholdTenureRenter           HouseholdTenure = "renter"
	HouseholdTenureOwnerOnRentedLot HouseholdTenure = "owner_on_rented_lot"
)

// HouseholdIncomeBand is household income as a share of the area median
// income (AMI), the bands HUD programmes use.
type HouseholdIncomeBand string

// The income bands, in percent of AMI.
const (
	HouseholdIncomeBelow30  HouseholdIncomeBand = "below_30"
	HouseholdIncome30To50   HouseholdIncomeBand = "30_50"
	HouseholdIncome50To80   HouseholdIncomeBand = "50_80"
	HouseholdIncome80To120  HouseholdIncomeBand = "80_120"
	HouseholdIncomeAbove120 HouseholdIncomeBand = "above_120"
)

// HouseholdInsurance is whether the lost home was insured.
type HouseholdInsurance string

// The insurance statuses.
const (
	HouseholdInsured          HouseholdInsurance = "insured"
	HouseholdUnderinsured     HouseholdInsurance = "underinsured"
	HouseholdUninsured        HouseholdInsurance = "uninsured"
	HouseholdInsuranceUnknown HouseholdInsurance = "unknown"
)

// HouseholdRegistrant says who registered a household.
type HouseholdRegistrant string

// The registrants.
const (
	HouseholdRegisteredBySelf      HouseholdRegistrant = "self"
	HouseholdRegisteredByOrganizer HouseholdRegistrant = "organizer"
)

var (
	householdRelationships = []HouseholdRelationship{HouseholdRelationshipHead, HouseholdRelationshipSpouseOrPartner, HouseholdRelationshipChild, HouseholdRelationshipOtherRelative, HouseholdRelationshipUnrelated}
	householdAgeBands      = []HouseholdAgeBand{HouseholdAgeUnder5, HouseholdAge5To12, HouseholdAge13To17, HouseholdAge18To24, HouseholdAge25To34, HouseholdAge35To44, HouseholdAge45To54, HouseholdAge55To61, HouseholdAge62Plus}
	householdAccessNeeds   = []HouseholdAccessibilityNeed{HouseholdAccessWheelchair, HouseholdAccessMobility, HouseholdAccessVision, HouseholdAccessHearing, HouseholdAccessCognitive, HouseholdAccessMedicalEquipment, HouseholdAccessOther}
	householdLanguages     = []HouseholdLanguage{HouseholdLanguageEnglish, HouseholdLanguageSpanish}
	householdSituations    = []HouseholdSituation{HouseholdSituationShelter, HouseholdSituationHotel, HouseholdSituationFamilyOrFriends, HouseholdSituationVehicle, HouseholdSituationRental, HouseholdSituationOther}
	householdTenures       = []HouseholdTenure{HouseholdTenureOwner, HouseholdTenureRenter, HouseholdTenureOwnerOnRentedLot}
	householdIncomeBands   = []HouseholdIncomeBand{HouseholdIncomeBelow30, HouseholdIncome30To50, HouseholdIncome50To80, HouseholdIncome80To120, HouseholdIncomeAbove120}
	householdInsurances    = []HouseholdInsurance{HouseholdInsured, HouseholdUnderinsured, HouseholdUninsured, HouseholdInsuranceUnknown}
	householdRegistrants   = []HouseholdRegistrant{HouseholdRegisteredBySelf, HouseholdRegisteredByOrganizer}
)

// HouseholdEnumValues lists the accepted values of every household enum,
// keyed by the field name used in validation errors, for API documents and
// form builders. The caller owns the returned map.
func HouseholdEnumValues() map[string][]string {
	return map[string][]string{
		"relationship":     householdStrings(householdRelationships),
		"age_band":         householdStrings(householdAgeBands),
		"accessibility":    householdStrings(householdAccessNeeds),
		"language":         householdStrings(householdLanguages),
		"situation":        householdStrings(householdSituations),
		"tenure_before":    householdStrings(householdTenures),
		"income_band":      householdStrings(householdIncomeBands),
		"insurance":        householdStrings(householdInsurances),
		"registered_by.by": householdStrings(householdRegistrants),
		"consent_purpose":  householdStrings(consentPurposes),
		"consent_method":   householdStrings(consentMethods),
	}
}

func householdStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Valid reports whether r is a known relationship.
func (r HouseholdRelationship) Valid() bool { return slices.Contains(householdRelationships, r) }

// Valid reports whether a is a known age band.
func (a HouseholdAgeBand) Valid() bool { return slices.Contains(householdAgeBands, a) }

// Valid reports whether n is a known accessibility need.
func (n HouseholdAccessibilityNeed) Valid() bool { return slices.Contains(householdAccessNeeds, n) }

// Valid reports whether l is a supported language.
func (l HouseholdLanguage) Valid() bool { return slices.Contains(householdLanguages, l) }

// Valid reports whether s is a known situation.
func (s HouseholdSituation) Valid() bool { return slices.Contains(householdSituations, s) }

// Valid reports whether t is a known tenure.
func (t HouseholdTenure) Valid() bool { return slices.Contains(householdTenures, t) }

// Valid reports whether b is a known income band.
func (b HouseholdIncomeBand) Valid() bool { return slices.Contains(householdIncomeBands, b) }

// Valid reports whether i is a known insurance status.
func (i HouseholdInsurance) Valid() bool { return slices.Contains(householdInsurances, i) }

// Valid reports whether r is a known registrant.
func (r HouseholdRegistrant) Valid() bool { return slices.Contains(householdRegistrants, r) }
