package community

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"commonground/apperr"
	"github.com/paulmach/orb"
)

// Limits on a household record. They are generous for any real family and
// stop a single request from filling memory.
const (
	HouseholdMaxMembers        = 30
	HouseholdMaxNameLength     = 200  // characters in a name or preferred name
	HouseholdMaxAddressLength  = 500  // characters in the lost home's address
	HouseholdMaxNotesLength    = 4000 // characters in notes
	HouseholdMaxExternalID     = 100  // characters in an external id
	HouseholdMaxBedrooms       = 10
	HouseholdMaxPets           = 50
	HouseholdMaxPreferredAreas = 10
	HouseholdMinAreaRadius     = 100     // metres
	HouseholdMaxAreaRadius     = 200_000 // metres
	HouseholdMaxNotDuplicates  = 1000
)

var (
	// FEMA declaration numbers: DR (major disaster), EM (emergency) or FM
	// (fire management), four or more digits, and the state's code.
	femaDisasterRE = regexp.MustCompile(`^(DR|EM|FM)-[0-9]{4,5}-[A-Z]{2}$`)
	zipRE          = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	// FEMA registration ids are nine digits.
	femaRegistrationRE = regexp.MustCompile(`^[0-9]{9}$`)
)

// Normalize puts the household's free-form fields in their stored form:
// surrounding space trimmed, phone in E.164 when it can be read, email and
// ZIP trimmed, FEMA numbers upper case, repeated list entries dropped. It
// never rejects anything; Validate reports what is still wrong.
func (h *Household) Normalize() {
	h.ExternalID = strings.TrimSpace(h.ExternalID)
	for i := range h.Members {
		m := &h.Members[i]
		m.Name = strings.TrimSpace(m.Name)
		m.PreferredName = strings.TrimSpace(m.PreferredName)
		m.Accessibility = householdDedupe(m.Accessibility)
	}
	h.Contact.Phone = strings.TrimSpace(h.Contact.Phone)
	if p, err := NormalizePhone(h.Contact.Phone); err == nil {
		h.Contact.Phone = p
	}
	h.Contact.Email = strings.ToLower(strings.TrimSpace(h.Contact.Email))
	h.LostHome.Address = strings.TrimSpace(h.LostHome.Address)
	h.Current.ZipCode = strings.TrimSpace(h.Current.ZipCode)
	h.Needs.Accessibility = householdDedupe(h.Needs.Accessibility)
	h.FEMA.DisasterNumber = strings.ToUpper(strings.TrimSpace(h.FEMA.DisasterNumber))
	h.FEMA.RegistrationID = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(h.FEMA.RegistrationID))
	h.Notes = strings.TrimSpace(h.Notes)
	for i := range h.Consents {
		for j := range h.Consents[i].Partners {
			h.Consents[i].Partners[j] = strings.TrimSpace(h.Consents[i].Partners[j])
		}
	}
}

func householdDedupe[T comparable](xs []T) []T {
	if len(xs) < 2 {
		return xs
	}
	out := xs[:0:0]
	for _, x := range xs {
		dup := false
		for _, y := range out {
			if x == y {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// Validate checks every field of a normalized household and returns an
// apperr Unprocessable error naming each bad field (for example
// "members.3.name"), or nil. Names may contain any printable text, HTML
// included: it is stored as text and escaped by whoever renders it.
func (h *Household) Validate() error {
	var f apperr.Fields
	householdCheckText(&f, householdField{name: "external_id"}, h.ExternalID, HouseholdMaxExternalID, false)

	switch n := len(h.Members); {
	case n == 0:
		f.Add("members", "must include the head of household")
	case n > HouseholdMaxMembers:
		f.Add("members", "must have at most %d members", HouseholdMaxMembers)
	default:
		heads := 0
		for i, m := range h.Members {
			p := householdField{prefix: "members", index: i}
			householdCheckText(&f, p.with("name"), m.Name, HouseholdMaxNameLength, true)
			householdCheckText(&f, p.with("preferred_name"), m.PreferredName, HouseholdMaxNameLength, false)
			if !m.Relationship.Valid() {
				f.Add(p.with("relationship").String(), "must be one of %v", householdRelationships)
			}
			if m.Relationship == HouseholdRelationshipHead {
				heads++
			}
			if m.AgeBand != "" && !m.AgeBand.Valid() {
				f.Add(p.with("age_band").String(), "must be one of %v", householdAgeBands)
			}
			householdCheckNeeds(&f, p.with("accessibility"), m.Accessibility)
		}
		if heads != 1 {
			f.Add("members", "must have exactly one head of household, has %d", heads)
		}
	}

	if h.Pets.Count < 0 || h.Pets.Count > HouseholdMaxPets {
		f.Add("pets.count", "must be between 0 and %d", HouseholdMaxPets)
	}
	if !h.Language.Valid() {
		f.Add("language", "must be one of %v", householdLanguages)
	}
	if p := h.Contact.Phone; p != "" && !householdIsE164(p) {
		if e164, err := NormalizePhone(p); err != nil {
			f.Add("contact.phone", "%s", err.Error())
		} else if e164 != p {
			f.Add("contact.phone", "must be in E.164 form such as %s", e164)
		}
	}
	if e := h.Contact.Email; e != "" && !householdValidEmail(e) {
		f.Add("contact.email", "must be an email address such as name@example.org")
	}
	if loc := h.LostHome.Location; loc != nil {
		householdCheckPoint(&f, householdField{name: "lost_home"}, *loc)
	}
	householdCheckText(&f, householdField{name: "lost_home.address"}, h.LostHome.Address, HouseholdMaxAddressLength, false)
	if s := h.Current.Situation; s != "" && !s.Valid() {
		f.Add("current.situation", "must be one of %v", householdSituations)
	}
	if z := h.Current.ZipCode; z != "" && !zipRE.MatchString(z) {
		f.Add("current.zip_code", "must be a US ZIP code such as 97535 or 97535-1234")
	}
	if t := h.TenureBefore; t != "" && !t.Valid() {
		f.Add("tenure_before", "must be one of %v", householdTenures)
	}
	if b := h.IncomeBand; b != "" && !b.Valid() {
		f.Add("income_band", "must be one of %v", householdIncomeBands)
	}
	if b := h.Needs.Bedrooms; b < 0 || b > HouseholdMaxBedrooms {
		f.Add("needs.bedrooms", "must be between 0 and %d", HouseholdMaxBedrooms)
	}
	householdCheckNeeds(&f, householdField{name: "needs.accessibility"}, h.Needs.Accessibility)
	if len(h.PreferredAreas) > HouseholdMaxPreferredAreas {
		f.Add("preferred_areas", "must have at most %d areas", HouseholdMaxPreferredAreas)
	} else {
		for i, a := range h.PreferredAreas {
			p := householdField{prefix: "preferred_areas", index: i}
			householdCheckPoint(&f, p, a.Center)
			if a.RadiusMetres < HouseholdMinAreaRadius || a.RadiusMetres > HouseholdMaxAreaRadius {
				f.Add(p.with("radius_m").String(), "must be between %d and %d metres", HouseholdMinAreaRadius, HouseholdMaxAreaRadius)
			}
		}
	}
	if d := h.FEMA.DisasterNumber; d != "" && !femaDisasterRE.MatchString(d) {
		f.Add("fema.disaster_number", "must look like DR-4562-OR")
	}
	if r := h.FEMA.RegistrationID; r != "" && !femaRegistrationRE.MatchString(r) {
		f.Add("fema.registration_id", "must be the 9-digit FEMA registration number")
	}
	if i := h.Insurance; i != "" && !i.Valid() {
		f.Add("insurance", "must be one of %v", householdInsurances)
	}
	householdCheckText(&f, householdField{name: "notes"}, h.Notes, HouseholdMaxNotesLength, false)

	if len(h.Consents) > ConsentMaxRecords {
		f.Add("consents", "must have at most %d records", ConsentMaxRecords)
	} else {
		var inForceBuf [8]ConsentPurpose
		inForce := inForceBuf[:0]
		for i, c := range h.Consents {
			p := householdField{prefix: "consents", index: i}
			validateConsent(&f, p, c)
			if c.WithdrawnAt == nil {
				if slices.Contains(inForce, c.Purpose) {
					f.Add(p.with("purpose").String(), "a consent for %s is already in force", c.Purpose)
				}
				inForce = append(inForce, c.Purpose)
			}
		}
	}

	r := h.RegisteredBy
	switch r.By {
	case HouseholdRegisteredBySelf:
		if h.OwnerAccountID == "" {
			f.Add("owner_account_id", "must be set when the household registered itself")
		}
		if r.OrganizerAccountID != "" {
			f.Add("registered_by.organizer_account_id", "must be empty when the household registered itself")
		}
		if r.ConsentMethod != "" && r.ConsentMethod != ConsentSelfOnline {
			f.Add("registered_by.consent_method", "must be self_online when the household registered itself")
		}
	case HouseholdRegisteredByOrganizer:
		if r.OrganizerAccountID == "" {
			f.Add("registered_by.organizer_account_id", "must name the organizer")
		}
		if !r.ConsentMethod.byOrganizer() {
			f.Add("registered_by.consent_method", "must be one of organizer_phone, organizer_in_person, paper_form")
		}
	default:
		f.Add("registered_by.by", "must be one of %v", householdRegistrants)
	}
	if len(h.NotDuplicateOf) > HouseholdMaxNotDuplicates {
		f.Add("not_duplicate_of", "must have at most %d entries", HouseholdMaxNotDuplicates)
	}
	return f.Err()
}

// householdCheckText checks that s is valid UTF-8 without control characters (line
// breaks and tabs allowed in long texts) and at most max characters long.
func householdCheckText(f *apperr.Fields, field householdField, s string, max int, required bool) {
	if s == "" {
		if required {
			f.Add(field.String(), "must not be empty")
		}
		return
	}
	// Compare bytes first so that a huge value is rejected without a scan.
	if len(s) > 4*max || utf8.RuneCountInString(s) > max {
		f.Add(field.String(), "must be at most %d characters", max)
		return
	}
	if !utf8.ValidString(s) {
		f.Add(field.String(), "must be valid UTF-8 text")
		return
	}
	multiline := max > HouseholdMaxNameLength
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			f.Add(field.String(), "must not contain control characters")
			return
		}
	}
}

func householdCheckNeeds(f *apperr.Fields, field householdField, needs []HouseholdAccessibilityNeed) {
	if len(needs) > len(householdAccessNeeds) {
		f.Add(field.String(), "must list each need at most once")
		return
	}
	for i, n := range needs {
		if !n.Valid() {
			f.Add(field.String()+"."+householdItoa(i), "must be one of %v", householdAccessNeeds)
		}
	}
}

// householdCheckPoint checks a {lon, lat} point; field names the object holding it.
func householdCheckPoint(f *apperr.Fields, field householdField, p orb.Point) {
	lon, lat := p.Lon(), p.Lat()
	if math.IsNaN(lon) || math.IsInf(lon, 0) || lon < -180 || lon > 180 {
		f.Add(field.with("lon").String(), "must be a number between -180 and 180")
	}
	if math.IsNaN(lat) || math.IsInf(lat, 0) || lat < -90 || lat > 90 {
		f.Add(field.with("lat").String(), "must be a number between -90 and 90")
	}
}

// householdField is a field path such as "members.3.name", kept in parts
// and joined only when a problem is reported, so that checking a valid
// record builds no strings.
type householdField struct {
	prefix string // "members"; empty for a plain name
	index  int
	name   string // "name", or the whole path when prefix is empty
	sub    string // a further name below name, such as "lon"
}

// with returns the path of a field below f.
func (f householdField) with(name string) householdField {
	switch {
	case f.prefix != "" && f.name == "":
		f.name = name
	case f.sub == "":
		f.sub = name
	default:
		f.sub += "." + name
	}
	return f
}

func (f householdField) String() string {
	s := f.name
	if f.prefix != "" {
		s = f.prefix + "." + householdItoa(f.index)
		if f.name != "" {
			s += "." + f.name
		}
	}
	if f.sub != "" {
		s += "." + f.sub
	}
	return s
}

// householdValidEmail accepts the addresses people type into a form:
// local@domain.tld with the local part made of letters, digits and
// !#$%&'*+/=?^_`{|}~.- (no quoted forms, no leading, trailing or double dots)
// and a domain of at least two labels of letters, digits and inner hyphens.
// Letters may be non-ASCII, for internationalized addresses.
func householdValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if len(s) > 254 || at < 1 || at > 64 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 0x7f && unicode.IsLetter(r) || strings.ContainsRune("!#$%&'*+/=?^_`{|}~.-", r)) {
			return false
		}
	}
	labels := 0
	for label := range strings.SplitSeq(domain, ".") {
		labels++
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r > 0x7f && unicode.IsLetter(r)) {
				return false
			}
		}
	}
	return labels >= 2
}

// NormalizePhone returns the phone number s in E.164 form ("+15415550100").
// Spaces, dots, dashes and parentheses are ignored; a 10-digit number, or 11
// digits starting with 1, is taken as a North American number (+1); other
// numbers need a leading + or 00 and their country code. The error message
// is safe to show a user.
func NormalizePhone(s string) (string, error) {
	if householdIsE164(s) {
		return s, nil
	}
	if len(s) > 40 {
		return "", apperr.New(apperr.Unprocessable, "is too long for a phone number")
	}
	var digits strings.Builder
	plus := false
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", apperr.New(apperr.Unprocessable, "must contain only digits, spaces, dashes, dots, parentheses and a leading +")
		}
	}
	d := digits.String()
	if !plus && strings.HasPrefix(d, "00") {
		plus, d = true, d[2:]
	}
	if !plus {
		switch {
		case len(d) == 10:
			d = "1" + d
		case len(d) == 11 && d[0] == '1':
		default:
			return "", apperr.New(apperr.Unprocessable, "must be a 10-digit US number or start with + and the country code")
		}
	}
	if d == "" || d[0] == '0' || len(d) < 8 || len(d) > 15 {
		return "", apperr.New(apperr.Unprocessable, "must have a country code and 8 to 15 digits")
	}
	if !householdIsE164("+" + d) {
		return "", apperr.New(apperr.Unprocessable, "is not a valid North American number")
	}
	return "+" + d, nil
}

// householdIsE164 reports whether s is already a phone number in the form
// NormalizePhone returns: "+", a country code not starting with 0, 8 to 15
// digits in all, and for North America (+1) ten digits whose area code and
// exchange do not start with 0 or 1.
func householdIsE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	d := s[1:]
	return d[0] != '1' || (len(d) == 11 && d[1] >= '2' && d[4] >= '2')
}

func householdItoa(i int) string { return strconv.Itoa(i) }
