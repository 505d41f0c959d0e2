package community

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"commonground/apperr"
	"github.com/paulmach/orb"
)

// CSVMaxRows is the most data rows one household import may hold; a bigger
// file is refused whole and should be split.
const CSVMaxRows = 50_000

// CSVRowStatus is the outcome of one imported row.
type CSVRowStatus string

// The row outcomes.
const (
	CSVRowAccepted        CSVRowStatus = "accepted"
	CSVRowRejected        CSVRowStatus = "rejected"
	CSVRowAlreadyImported CSVRowStatus = "already_imported"
)

// CSVImportOptions configures ParseHouseholdsCSV.
type CSVImportOptions struct {
	// OrganizerAccountID is the organizer importing the file: the households
	// are registered by them, and the consents in the file are recorded by
	// them.
	OrganizerAccountID string
	Now                time.Time
	// MaxRows overrides CSVMaxRows when positive (for tests).
	MaxRows int
	// Exists reports whether a household with this external id is already
	// stored; such rows are reported as already imported and not returned
	// again, which makes an import idempotent. Nil means none exists.
	Exists func(externalID string) bool
}

// CSVImportRow is the outcome of one data row.
type CSVImportRow struct {
	Line       int // line of the file where the row starts, the header being line 1
	ExternalID string
	Status     CSVRowStatus
	// Problems names each bad column of a rejected row.
	Problems []apperr.FieldError
	// Household is the household to store for an accepted row: normalized,
	// validated, registered by the organizer, with no ID (the caller assigns
	// one) and no owner account.
	Household *Household
}

// CSVImportReport is the per-row report of an import.
type CSVImportReport struct {
	Rows                                []CSVImportRow
	Accepted, Rejected, AlreadyImported int
}

// ParseHouseholdsCSV reads a household CSV file (UTF-8, comma-separated,
// with a header row naming columns from CSVImportColumns in any order) and
// reports on every row. A problem with the file as a whole (not UTF-8, a
// wrong header, a broken quote, more than CSVMaxRows rows) returns an error
// and no rows, so that nothing is stored from a file that was misread.
//
// The file's consent columns take "yes" or "no" (consent_partner_sharing
// takes the partner names instead), need consent_method to say how the
// family agreed (organizer_phone, organizer_in_person or paper_form), and
// refer to the current consent text in the household's language. Language
// defaults to English when its cell is empty.
func ParseHouseholdsCSV(r io.Reader, opts CSVImportOptions) (*CSVImportReport, error) {
	maxRows := CSVMaxRows
	if opts.MaxRows > 0 {
		maxRows = opts.MaxRows
	}
	br := bufio.NewReader(r)
	if err := csvCheckEncoding(br); err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, csvFileError(apperr.Unprocessable, "header", "the file is empty; the first line must name the columns")
	}
	if err != nil {
		return nil, csvParseError(err)
	}
	cols, err := csvHeader(header)
	if err != nil {
		return nil, err
	}
	cr.FieldsPerRecord = len(header)

	rep := &CSVImportReport{}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			return nil, csvParseError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rep.Rows) == maxRows {
			return nil, csvFileError(apperr.Unprocessable, "file", "has more than %d rows; split it into smaller files", maxRows)
		}
		for _, cell := range rec {
			if !utf8.ValidString(cell) {
				return nil, csvFileError(apperr.Invalid, "file", "line %d is not valid UTF-8; save the file as CSV UTF-8", line)
			}
		}
		row := CSVImportRow{Line: line}
		if err != nil {
			row.Status = CSVRowRejected
			row.Problems = []apperr.FieldError{{Field: "row", Reason: fmt.Sprintf("has %d cells, the header has %d", len(rec), len(header))}}
		} else {
			row = csvImportRow(line, rec, cols, seen, opts)
		}
		switch row.Status {
		case CSVRowAccepted:
			rep.Accepted++
			seen[row.ExternalID] = line
		case CSVRowRejected:
			rep.Rejected++
		case CSVRowAlreadyImported:
			rep.AlreadyImported++
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// csvCheckEncoding refuses UTF-16 and UTF-32 files, which spreadsheet
// programs write under names like "Unicode text", and skips a UTF-8 byte
// order mark.
func csvCheckEncoding(br *bufio.Reader) error {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}), bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return csvFileError(apperr.Invalid, "file", "is UTF-16 or UTF-32 text; save it as CSV UTF-8")
	case bytes.IndexByte(head, 0) >= 0:
		return csvFileError(apperr.Invalid, "file", "contains NUL bytes, as UTF-16 text does; save it as CSV UTF-8")
	}
	return nil
}

func csvFileError(kind apperr.Kind, field, format string, args ...any) error {
	reason := fmt.Sprintf(format, args...)
	return &apperr.Error{Kind: kind, Message: "the CSV file cannot be imported: " + field + " " + reason, Fields: []apperr.FieldError{{Field: field, Reason: reason}}}
}

func csvParseError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		what := "is malformed"
		switch {
		case errors.Is(pe.Err, csv.ErrQuote):
			what = fmt.Sprintf("has a quote that is never closed or is followed by other text (column %d)", pe.Column)
		case errors.Is(pe.Err, csv.ErrBareQuote):
			what = fmt.Sprintf("has a quote inside an unquoted cell (column %d); put the cell in double quotes and double the quote", pe.Column)
		}
		return csvFileError(apperr.Invalid, "file", "line %d %s", pe.StartLine, what)
	}
	return apperr.Wrap(apperr.Invalid, err, "the CSV file cannot be read")
}

// csvHeader maps each known column name to its index and names every
// missing, unknown or repeated column.
func csvHeader(header []string) (map[string]int, error) {
	var f apperr.Fields
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(csvImportColumns, name):
			f.Add("header."+strconv.Itoa(i+1), "unknown column %q", h)
		case csvHas(cols, name):
			f.Add("header."+strconv.Itoa(i+1), "column %q appears twice", name)
		default:
			cols[name] = i
		}
	}
	for _, req := range csvImportColumns[:csvRequiredColumns] {
		if !csvHas(cols, req) {
			f.Add("header", "missing column %q", req)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return cols, nil
}

func csvHas(cols map[string]int, name string) bool {
	_, ok := cols[name]
	return ok
}

// csvImportRow turns one record into a household, or names what is wrong.
func csvImportRow(line int, rec []string, cols map[string]int, seen map[string]int, opts CSVImportOptions) CSVImportRow {
	get := func(col string) string {
		i, ok := cols[col]
		if !ok {
			return ""
		}
		return csvUnneutralize(strings.TrimSpace(rec[i]))
	}
	row := CSVImportRow{Line: line, ExternalID: get(CSVColumnExternalID)}
	var f apperr.Fields
	switch prev, dup := seen[row.ExternalID]; {
	case row.ExternalID == "":
		f.Add(CSVColumnExternalID, "must not be empty")
	case dup:
		f.Add(CSVColumnExternalID, "repeats the row on line %d", prev)
	case opts.Exists != nil && opts.Exists(row.ExternalID):
		row.Status = CSVRowAlreadyImported
		return row
	}

	h := &Household{ExternalID: row.ExternalID, Language: HouseholdLanguage(get(CSVColumnLanguage))}
	if h.Language == "" {
		h.Language = HouseholdLanguageEnglish
	}
	head := HouseholdMember{
		Name:          get(CSVColumnHeadName),
		PreferredName: get(CSVColumnHeadPreferredName),
		Relationship:  HouseholdRelationshipHead,
		AgeBand:       HouseholdAgeBand(get(CSVColumnHeadAgeBand)),
		Accessibility: csvList[HouseholdAccessibilityNeed](get(CSVColumnHeadAccessibility)),
	}
	h.Members = append(h.Members, head)
	if others := get(CSVColumnOtherMembers); others != "" {
		for i, entry := range strings.Split(others, "|") {
			parts := strings.Split(entry, ";")
			if len(parts) > 3 {
				f.Add(CSVColumnOtherMembers, "member %d has more than name; relationship; age band", i+1)
				continue
			}
			m := HouseholdMember{Name: strings.TrimSpace(parts[0]), Relationship: HouseholdRelationshipOtherRelative}
			if len(parts) > 1 && strings.TrimSpace(parts[1]) != "" {
				m.Relationship = HouseholdRelationship(strings.TrimSpace(parts[1]))
			}
			if len(parts) > 2 {
				m.AgeBand = HouseholdAgeBand(strings.TrimSpace(parts[2]))
			}
			h.Members = append(h.Members, m)
		}
	}
	h.Contact = HouseholdContact{Phone: get(CSVColumnPhone), Email: get(CSVColumnEmail)}
	lon, lat := get(CSVColumnLon), get(CSVColumnLat)
	if lon != "" || lat != "" {
		lonV, errLon := strconv.ParseFloat(lon, 64)
		latV, errLat := strconv.ParseFloat(lat, 64)
		if errLon != nil || math.IsNaN(lonV) {
			f.Add(CSVColumnLon, "must be a number between -180 and 180")
		}
		if errLat != nil || math.IsNaN(latV) {
			f.Add(CSVColumnLat, "must be a number between -90 and 90")
		}
		if errLon == nil && errLat == nil {
			h.LostHome.Location = &orb.Point{lonV, latV}
		}
	}
	h.LostHome.Address = get(CSVColumnAddress)
	h.Current = HouseholdStay{Situation: HouseholdSituation(get(CSVColumnSituation)), ZipCode: get(CSVColumnZipCode)}
	h.TenureBefore = HouseholdTenure(get(CSVColumnTenureBefore))
	h.IncomeBand = HouseholdIncomeBand(get(CSVColumnIncomeBand))
	h.Needs.Bedrooms = csvInt(&f, CSVColumnBedrooms, get(CSVColumnBedrooms))
	h.Needs.Accessibility = csvList[HouseholdAccessibilityNeed](get(CSVColumnAccessibilityNeeds))
	h.Pets.Count = csvInt(&f, CSVColumnPets, get(CSVColumnPets))
	h.Pets.ServiceAnimal = csvBool(&f, CSVColumnServiceAnimal, get(CSVColumnServiceAnimal))
	h.InterestedInCoop = csvBool(&f, CSVColumnInterestedInCoop, get(CSVColumnInterestedInCoop))
	h.InterestedInLandTrust = csvBool(&f, CSVColumnInterestedInLandTrust, get(CSVColumnInterestedInLandTrust))
	h.FEMA = HouseholdFEMA{DisasterNumber: get(CSVColumnFEMADisasterNumber), RegistrationID: get(CSVColumnFEMARegistrationID)}
	h.Insurance = HouseholdInsurance(get(CSVColumnInsurance))
	h.Notes = get(CSVColumnNotes)

	method := ConsentMethod(get(CSVColumnConsentMethod))
	for _, c := range []struct {
		col     string
		purpose ConsentPurpose
	}{{CSVColumnConsentContact, ConsentContact}, {CSVColumnConsentMatching, ConsentMatching}, {CSVColumnConsentStatistics, ConsentAggregateStatistics}} {
		if csvBool(&f, c.col, get(c.col)) {
			h.Consents = append(h.Consents, csvConsent(c.purpose, h.Language, method, opts))
		}
	}
	if partners := csvList[string](get(CSVColumnConsentPartners)); len(partners) > 0 {
		c := csvConsent(ConsentPartnerSharing, h.Language, method, opts)
		c.Partners = partners
		h.Consents = append(h.Consents, c)
	}
	if len(h.Consents) > 0 && !method.byOrganizer() {
		f.Add(CSVColumnConsentMethod, "must be organizer_phone, organizer_in_person or paper_form when the row gives a consent")
	}

	reg := HouseholdRegistration{By: HouseholdRegisteredByOrganizer, OrganizerAccountID: opts.OrganizerAccountID, ConsentMethod: method}
	if !method.byOrganizer() {
		// Registration itself needs a method; without consents the organizer
		// entered the family from a paper list.
		reg.ConsentMethod = ConsentPaperForm
	}
	// Validate even when a cell could not be read, so that the report names
	// every problem of the row at once.
	nh, err := NewHousehold("", "", h, reg, opts.Now)
	if err == nil && len(f) == 0 {
		row.Status, row.Household = CSVRowAccepted, nh
		return row
	}
	var ae *apperr.Error
	if err != nil && (!errors.As(err, &ae) || len(ae.Fields) == 0) {
		f.Add("row", "cannot be read")
	} else if err != nil {
		// One problem per column: a cell that could not be read already has
		// the more precise reason.
		named := map[string]bool{}
		for _, fe := range f {
			named[fe.Field] = true
		}
		for _, fe := range ae.Fields {
			col := csvColumnOf(fe.Field)
			if strings.Contains(fe.Field, ".partners") {
				col = CSVColumnConsentPartners
			}
			if !named[col] {
				named[col] = true
				f.Add(col, "%s", fe.Reason)
			}
		}
	}
	row.Status, row.Problems = CSVRowRejected, f
	return row
}

func csvConsent(purpose ConsentPurpose, lang HouseholdLanguage, method ConsentMethod, opts CSVImportOptions) Consent {
	c := Consent{Purpose: purpose, Method: method, RecordedBy: opts.OrganizerAccountID, GivenAt: opts.Now.UTC()}
	if t, ok := CurrentConsentText(purpose, lang); ok {
		c.TextVersion = t.Version
	} else if t, ok := CurrentConsentText(purpose, HouseholdLanguageEnglish); ok {
		// An unknown language is reported on its own column; refer to the
		// English text so the row names one problem, not two.
		c.TextVersion = t.Version
	}
	return c
}

// csvUnneutralize undoes the apostrophe an export (or a careful spreadsheet
// user) puts before a cell that a spreadsheet would take as a formula, so
// "'+15415550100" reads as the phone number it is.
func csvUnneutralize(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

func csvList[T ~string](s string) []T {
	var out []T
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, T(p))
		}
	}
	return out
}

func csvInt(f *apperr.Fields, col, s string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.Add(col, "must be a whole number")
	}
	return n
}

func csvBool(f *apperr.Fields, col, s string) bool {
	switch strings.ToLower(s) {
	case "", "no", "n", "false", "0":
		return false
	case "yes", "y", "true", "1", "si", "sí":
		return true
	}
	f.Add(col, "must be yes or no")
	return false
}
