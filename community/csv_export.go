package community

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"commonground/apperr"
)

// CSVExportOptions configures WriteHouseholdsCSV.
type CSVExportOptions struct {
	Viewer HouseholdViewer
	// Sensitive adds the address, FEMA registration id and notes columns and
	// exact locations. Only a steward may ask for it.
	Sensitive bool
	Now       time.Time
}

// CSVExportResult says what an export wrote, for the audit log.
type CSVExportResult struct {
	Rows int
	// AuditedIDs lists the households whose personal data the export
	// showed to someone other than the household, in file order; the caller
	// writes one audit entry for the export with these ids and Purpose.
	AuditedIDs []string
	Purpose    string
}

// csvExportColumns are the columns of every export; csvSensitiveColumns are
// added for a steward who asks for them.
var (
	csvExportColumns = []string{
		CSVColumnID, CSVColumnExternalID, CSVColumnSize, CSVColumnHeadName, CSVColumnHeadPreferredName,
		CSVColumnHeadAgeBand, CSVColumnHeadAccessibility, CSVColumnOtherMembers, CSVColumnLanguage,
		CSVColumnPhone, CSVColumnEmail, CSVColumnLon, CSVColumnLat, CSVColumnLocationRounded,
		CSVColumnSituation, CSVColumnZipCode, CSVColumnTenureBefore, CSVColumnIncomeBand, CSVColumnBedrooms,
		CSVColumnAccessibilityNeeds, CSVColumnPets, CSVColumnServiceAnimal, CSVColumnInterestedInCoop,
		CSVColumnInterestedInLandTrust, CSVColumnFEMADisasterNumber, CSVColumnInsurance,
		CSVColumnConsentContact, CSVColumnConsentMatching, CSVColumnConsentStatistics, CSVColumnConsentPartners,
		CSVColumnRegisteredBy, CSVColumnCreatedAt, CSVColumnUpdatedAt,
	}
	csvSensitiveColumns = []string{CSVColumnAddress, CSVColumnFEMARegistrationID, CSVColumnNotes}
)

// CSVExportColumns returns the columns of an export, with the sensitive
// ones when sensitive is set.
func CSVExportColumns(sensitive bool) []string {
	cols := append([]string(nil), csvExportColumns...)
	if sensitive {
		cols = append(cols, csvSensitiveColumns...)
	}
	return cols
}

// WriteHouseholdsCSV writes the households opts.Viewer may see, as
// ViewHousehold decides, one row each; the others are left out without a
// trace. A withheld field is an empty cell. Every cell that a spreadsheet
// would read as a formula (starting with =, +, -, @, a tab or a carriage
// return) gets a leading apostrophe, which ParseHouseholdsCSV removes.
//
// It returns Forbidden, before writing anything, when someone other than a
// steward asks for the sensitive columns.
func WriteHouseholdsCSV(w io.Writer, households []*Household, opts CSVExportOptions) (CSVExportResult, error) {
	var res CSVExportResult
	if opts.Sensitive && opts.Viewer.Role != HouseholdViewerSteward {
		return res, apperr.New(apperr.Forbidden, "only a steward may export sensitive household columns")
	}
	cw := csv.NewWriter(w)
	cols := CSVExportColumns(opts.Sensitive)
	if err := cw.Write(cols); err != nil {
		return res, apperr.Wrap(apperr.Internal, err, "the export could not be written")
	}
	res.Purpose = "export"
	if opts.Sensitive {
		res.Purpose = "export+sensitive"
	}
	record := make([]string, len(cols))
	for _, h := range households {
		r, err := ViewHousehold(h, opts.Viewer, HouseholdViewOptions{Sensitive: opts.Sensitive}, opts.Now)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return res, err
		}
		cells := csvViewCells(&r.View, opts.Now)
		for i, c := range cols {
			record[i] = CSVNeutralize(cells[c])
		}
		if err := cw.Write(record); err != nil {
			return res, apperr.Wrap(apperr.Internal, err, "the export could not be written")
		}
		res.Rows++
		if r.Audit {
			res.AuditedIDs = append(res.AuditedIDs, h.ID)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return res, apperr.Wrap(apperr.Internal, err, "the export could not be written")
	}
	return res, nil
}

// CSVNeutralize returns s with a leading apostrophe when a spreadsheet
// would otherwise take it as a formula (OWASP's advice on CSV injection).
func CSVNeutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvViewCells returns the cells of a view, keyed by column; withheld
// fields are absent and so empty.
func csvViewCells(v *HouseholdView, now time.Time) map[string]string {
	c := map[string]string{
		CSVColumnID:                    v.ID,
		CSVColumnExternalID:            v.ExternalID,
		CSVColumnSize:                  strconv.Itoa(v.Size),
		CSVColumnLanguage:              string(v.Language),
		CSVColumnSituation:             string(v.Current.Situation),
		CSVColumnZipCode:               v.Current.ZipCode,
		CSVColumnTenureBefore:          string(v.TenureBefore),
		CSVColumnIncomeBand:            string(v.IncomeBand),
		CSVColumnBedrooms:              strconv.Itoa(v.Needs.Bedrooms),
		CSVColumnAccessibilityNeeds:    csvJoin(v.Needs.Accessibility, ";"),
		CSVColumnPets:                  strconv.Itoa(v.Pets.Count),
		CSVColumnServiceAnimal:         csvYesNo(v.Pets.ServiceAnimal),
		CSVColumnInterestedInCoop:      csvYesNo(v.InterestedInCoop),
		CSVColumnInterestedInLandTrust: csvYesNo(v.InterestedInLandTrust),
		CSVColumnFEMADisasterNumber:    v.DisasterNumber,
		CSVColumnInsurance:             string(v.Insurance),
		CSVColumnLocationRounded:       csvYesNo(v.LocationRounded),
		CSVColumnRegisteredBy:          string(v.RegisteredBy.By),
		CSVColumnCreatedAt:             v.CreatedAt.UTC().Format(time.RFC3339),
		CSVColumnUpdatedAt:             v.UpdatedAt.UTC().Format(time.RFC3339),
	}
	var others []string
	for _, m := range v.Members {
		if m.Relationship == HouseholdRelationshipHead {
			c[CSVColumnHeadName] = m.Name
			c[CSVColumnHeadPreferredName] = m.PreferredName
			c[CSVColumnHeadAgeBand] = string(m.AgeBand)
			c[CSVColumnHeadAccessibility] = csvJoin(m.Accessibility, ";")
			continue
		}
		others = append(others, strings.Join([]string{m.Name, string(m.Relationship), string(m.AgeBand)}, "; "))
	}
	c[CSVColumnOtherMembers] = strings.Join(others, " | ")
	if v.Contact != nil {
		c[CSVColumnPhone], c[CSVColumnEmail] = v.Contact.Phone, v.Contact.Email
	}
	if v.Location != nil {
		c[CSVColumnLon] = strconv.FormatFloat(v.Location.Lon(), 'f', -1, 64)
		c[CSVColumnLat] = strconv.FormatFloat(v.Location.Lat(), 'f', -1, 64)
	}
	h := Household{Consents: v.Consents}
	c[CSVColumnConsentContact] = csvYesNo(h.HasConsent(ConsentContact, now))
	c[CSVColumnConsentMatching] = csvYesNo(h.HasConsent(ConsentMatching, now))
	c[CSVColumnConsentStatistics] = csvYesNo(h.HasConsent(ConsentAggregateStatistics, now))
	if pc, ok := h.ActiveConsent(ConsentPartnerSharing, now); ok {
		c[CSVColumnConsentPartners] = strings.Join(pc.Partners, "; ")
	}
	if v.Address != nil {
		c[CSVColumnAddress] = *v.Address
	}
	if v.FEMARegistrationID != nil {
		c[CSVColumnFEMARegistrationID] = *v.FEMARegistrationID
	}
	if v.Notes != nil {
		c[CSVColumnNotes] = *v.Notes
	}
	return c
}

func csvJoin[T ~string](xs []T, sep string) string {
	return strings.Join(householdStrings(xs), sep)
}

func csvYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
