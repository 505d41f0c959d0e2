package community

import (
	"strings"
)

// CSV columns shared by the household import and export. Lists inside a cell
// (accessibility needs, partner organisations) are separated by ";". The
// other_members cell lists the members besides the head, separated by "|",
// each as "name; relationship; age band" (relationship and age band may be
// left out); accessibility needs of other members are not carried in CSV.
const (
	CSVColumnExternalID            = "external_id"
	CSVColumnHeadName              = "head_name"
	CSVColumnHeadPreferredName     = "head_preferred_name"
	CSVColumnHeadAgeBand           = "head_age_band"
	CSVColumnHeadAccessibility     = "head_accessibility"
	CSVColumnOtherMembers          = "other_members"
	CSVColumnLanguage              = "language"
	CSVColumnPhone                 = "phone"
	CSVColumnEmail                 = "email"
	CSVColumnLon                   = "lon"
	CSVColumnLat                   = "lat"
	CSVColumnAddress               = "address"
	CSVColumnSituation             = "situation"
	CSVColumnZipCode               = "zip_code"
	CSVColumnTenureBefore          = "tenure_before"
	CSVColumnIncomeBand            = "income_band"
	CSVColumnBedrooms              = "bedrooms"
	CSVColumnAccessibilityNeeds    = "accessibility_needs"
	CSVColumnPets                  = "pets"
	CSVColumnServiceAnimal         = "service_animal"
	CSVColumnInterestedInCoop      = "interested_in_coop"
	CSVColumnInterestedInLandTrust = "interested_in_land_trust"
	CSVColumnFEMADisasterNumber    = "fema_disaster_number"
	CSVColumnFEMARegistrationID    = "fema_registration_id"
	CSVColumnInsurance             = "insurance"
	CSVColumnNotes                 = "notes"
	CSVColumnConsentContact        = "consent_contact"
	CSVColumnConsentMatching       = "consent_matching"
	CSVColumnConsentStatistics     = "consent_aggregate_statistics"
	CSVColumnConsentPartners       = "consent_partner_sharing"
	CSVColumnConsentMethod         = "consent_method"
)

// Columns that only an export has.
const (
	CSVColumnID              = "id"
	CSVColumnSize            = "size"
	CSVColumnLocationRounded = "location_rounded"
	CSVColumnRegisteredBy    = "registered_by"
	CSVColumnCreatedAt       = "created_at"
	CSVColumnUpdatedAt       = "updated_at"
)

// csvImportColumns lists the columns an import accepts; the first two are
// required.
var csvImportColumns = []string{
	CSVColumnExternalID, CSVColumnHeadName,
	CSVColumnHeadPreferredName, CSVColumnHeadAgeBand, CSVColumnHeadAccessibility, CSVColumnOtherMembers,
	CSVColumnLanguage, CSVColumnPhone, CSVColumnEmail, CSVColumnLon, CSVColumnLat, CSVColumnAddress,
	CSVColumnSituation, CSVColumnZipCode, CSVColumnTenureBefore, CSVColumnIncomeBand, CSVColumnBedrooms,
	CSVColumnAccessibilityNeeds, CSVColumnPets, CSVColumnServiceAnimal, CSVColumnInterestedInCoop,
	CSVColumnInterestedInLandTrust, CSVColumnFEMADisasterNumber, CSVColumnFEMARegistrationID,
	CSVColumnInsurance, CSVColumnNotes, CSVColumnConsentContact, CSVColumnConsentMatching,
	CSVColumnConsentStatistics, CSVColumnConsentPartners, CSVColumnConsentMethod,
}

const csvRequiredColumns = 2

// CSVImportColumns returns the columns a household import accepts, the
// required ones (external_id, head_name) first.
func CSVImportColumns() []string { return append([]string(nil), csvImportColumns...) }

// csvColumnOf maps a household validation field path to the CSV column that
// carries it, so a rejected row names the column an organizer can fix.
func csvColumnOf(field string) string {
	switch {
	case strings.HasPrefix(field, "members.0."):
		switch strings.TrimPrefix(field, "members.0.") {
		case "name":
			return CSVColumnHeadName
		case "preferred_name":
			return CSVColumnHeadPreferredName
		case "age_band":
			return CSVColumnHeadAgeBand
		}
		if strings.HasPrefix(field, "members.0.accessibility") {
			return CSVColumnHeadAccessibility
		}
		return CSVColumnOtherMembers
	case field == "members" || strings.HasPrefix(field, "members."):
		return CSVColumnOtherMembers
	case strings.HasPrefix(field, "needs.accessibility"):
		return CSVColumnAccessibilityNeeds
	case strings.HasPrefix(field, "consents"):
		return CSVColumnConsentMethod
	}
	if c, ok := map[string]string{
		"external_id":          CSVColumnExternalID,
		"language":             CSVColumnLanguage,
		"contact.phone":        CSVColumnPhone,
		"contact.email":        CSVColumnEmail,
		"lost_home.lon":        CSVColumnLon,
		"lost_home.lat":        CSVColumnLat,
		"lost_home.address":    CSVColumnAddress,
		"current.situation":    CSVColumnSituation,
		"current.zip_code":     CSVColumnZipCode,
		"tenure_before":        CSVColumnTenureBefore,
		"income_band":          CSVColumnIncomeBand,
		"needs.bedrooms":       CSVColumnBedrooms,
		"pets.count":           CSVColumnPets,
		"fema.disaster_number": CSVColumnFEMADisasterNumber,
		"fema.registration_id": CSVColumnFEMARegistrationID,
		"insurance":            CSVColumnInsurance,
		"notes":                CSVColumnNotes,
	}[field]; ok {
		return c
	}
	return field
}
