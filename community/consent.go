package community

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"commonground/apperr"
)

// ConsentPurpose is one use of a household's data that the household may
// agree to separately. Registration never requires any of them.
type ConsentPurpose string

// The consent purposes.
const (
	// ConsentContact lets organizers phone, text or email the household.
	ConsentContact ConsentPurpose = "contact"
	// ConsentMatching lets organizers see the household to match it with
	// parcels and communities.
	ConsentMatching ConsentPurpose = "matching"
	// ConsentPartnerSharing lets Common Ground share the record with the
	// partner organisations named in the consent.
	ConsentPartnerSharing ConsentPurpose = "partner_sharing"
	// ConsentAggregateStatistics lets the household be counted, anonymously,
	// in public figures and the public map grid.
	ConsentAggregateStatistics ConsentPurpose = "aggregate_statistics"
)

// ConsentMethod is how a consent was given.
type ConsentMethod string

// The consent methods.
const (
	ConsentSelfOnline        ConsentMethod = "self_online"
	ConsentOrganizerPhone    ConsentMethod = "organizer_phone"
	ConsentOrganizerInPerson ConsentMethod = "organizer_in_person"
	ConsentPaperForm         ConsentMethod = "paper_form"
)

var (
	consentPurposes = []ConsentPurpose{ConsentContact, ConsentMatching, ConsentPartnerSharing, ConsentAggregateStatistics}
	consentMethods  = []ConsentMethod{ConsentSelfOnline, ConsentOrganizerPhone, ConsentOrganizerInPerson, ConsentPaperForm}
)

// Valid reports whether p is a known purpose.
func (p ConsentPurpose) Valid() bool { return slices.Contains(consentPurposes, p) }

// Valid reports whether m is a known method.
func (m ConsentMethod) Valid() bool { return slices.Contains(consentMethods, m) }

// byOrganizer reports whether an organizer took the consent for the family.
func (m ConsentMethod) byOrganizer() bool {
	return m == ConsentOrganizerPhone || m == ConsentOrganizerInPerson || m == ConsentPaperForm
}

// Limits on consents.
const (
	ConsentMaxPartners      = 20  // partner organisations named in one consent
	ConsentMaxPartnerLength = 200 // characters in a partner's name
	ConsentMaxRecords       = 200 // consent records, withdrawn ones included
)

// Consent is a household's agreement to one purpose, tied to the exact text
// it was shown.
type Consent struct {
	Purpose ConsentPurpose // "purpose"
	// TextVersion is the hex SHA-256 of the consent text agreed to; it names
	// the language too.
	TextVersion string // "text_version"
	// Partners names the partner organisations a partner_sharing consent
	// covers; empty for the other purposes.
	Partners []string      // "partners"
	GivenAt  time.Time     // "given_at"
	Method   ConsentMethod // "method"
	// RecordedBy is the organizer account that recorded a consent given by
	// phone, in person or on paper; empty when the resident gave it online.
	RecordedBy  string     // "recorded_by"
	WithdrawnAt *time.Time // "withdrawn_at"; nil while in force
}

// Active reports whether the consent is in force at t.
func (c Consent) Active(t time.Time) bool {
	return !c.GivenAt.After(t) && (c.WithdrawnAt == nil || c.WithdrawnAt.After(t))
}

// ConsentText is one published wording of a consent purpose in one language.
type ConsentText struct {
	Purpose  ConsentPurpose
	Language HouseholdLanguage
	// Version is the hex SHA-256 of Text.
	Version string
	Text    string
	// Current is false for a retired wording: consents given to it stay
	// valid, but forms show the current one.
	Current bool
}

var (
	consentTextsByVersion = map[string]ConsentText{}
	consentTextsCurrent   []ConsentText
)

func init() {
	for _, p := range consentTextsPublished {
		sum := sha256.Sum256([]byte(p.text))
		t := ConsentText{Purpose: p.purpose, Language: p.lang, Version: hex.EncodeToString(sum[:]), Text: p.text, Current: !p.retired}
		if _, dup := consentTextsByVersion[t.Version]; dup {
			panic("community: consent text published twice: " + string(p.purpose))
		}
		consentTextsByVersion[t.Version] = t
		if t.Current {
			consentTextsCurrent = append(consentTextsCurrent, t)
		}
	}
	for _, p := range consentPurposes {
		for _, l := range householdLanguages {
			if _, ok := CurrentConsentText(p, l); !ok {
				panic("community: no current consent text for " + string(p) + " in " + string(l))
			}
		}
	}
}

// ConsentTexts returns the current consent texts, every purpose in every
// language, for a registration form.
func ConsentTexts() []ConsentText { return slices.Clone(consentTextsCurrent) }

// CurrentConsentText returns the current wording of purpose in lang.
func CurrentConsentText(purpose ConsentPurpose, lang HouseholdLanguage) (ConsentText, bool) {
	for _, t := range consentTextsCurrent {
		if t.Purpose == purpose && t.Language == lang {
			return t, true
		}
	}
	return ConsentText{}, false
}

// LookupConsentText returns the text with the given version, current or
// retired.
func LookupConsentText(version string) (ConsentText, bool) {
	t, ok := consentTextsByVersion[version]
	return t, ok
}

// ActiveConsent returns the consent in force for purpose at now.
func (h *Household) ActiveConsent(purpose ConsentPurpose, now time.Time) (Consent, bool) {
	for i := len(h.Consents) - 1; i >= 0; i-- {
		if c := h.Consents[i]; c.Purpose == purpose && c.Active(now) {
			return c, true
		}
	}
	return Consent{}, false
}

// HasConsent reports whether a consent for purpose is in force at now.
func (h *Household) HasConsent(purpose ConsentPurpose, now time.Time) bool {
	_, ok := h.ActiveConsent(purpose, now)
	return ok
}

// SharesWith reports whether the household lets Common Ground share its
// record with the named partner organisation at now. Names compare after
// normalization, so case and accents do not matter.
func (h *Household) SharesWith(partner string, now time.Time) bool {
	c, ok := h.ActiveConsent(ConsentPartnerSharing, now)
	if !ok {
		return false
	}
	want := NormalizeHouseholdName(partner)
	for _, p := range c.Partners {
		if NormalizeHouseholdName(p) == want {
			return true
		}
	}
	return false
}

// GiveConsent returns a copy of h with c recorded at now. A consent already
// in force for the same purpose is withdrawn at now, so that the latest
// agreement (for example a new list of partners) is the one in force and the
// history keeps both. c.GivenAt is set to now when zero.
func GiveConsent(h *Household, c Consent, now time.Time) (*Household, error) {
	now = now.UTC()
	if c.GivenAt.IsZero() {
		c.GivenAt = now
	}
	c.WithdrawnAt = nil
	var f apperr.Fields
	validateConsent(&f, householdField{name: "consent"}, c)
	if c.GivenAt.After(now) {
		f.Add("consent.given_at", "must not be in the future")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	out := h.Clone()
	for i := range out.Consents {
		if out.Consents[i].Purpose == c.Purpose && out.Consents[i].WithdrawnAt == nil {
			out.Consents[i].WithdrawnAt = &now
		}
	}
	c.Partners = slices.Clone(c.Partners)
	out.Consents = append(out.Consents, c)
	if err := out.Validate(); err != nil {
		return nil, err
	}
	out.Touch(now)
	return out, nil
}

// WithdrawConsent returns a copy of h with every consent for purpose that is
// not yet withdrawn marked withdrawn at now, and whether anything changed.
// Withdrawing twice is harmless: the second call changes nothing.
func WithdrawConsent(h *Household, purpose ConsentPurpose, now time.Time) (*Household, bool, error) {
	if !purpose.Valid() {
		var f apperr.Fields
		f.Add("purpose", "must be one of %v", consentPurposes)
		return nil, false, f.Err()
	}
	now = now.UTC()
	out := h.Clone()
	changed := false
	for i := range out.Consents {
		if out.Consents[i].Purpose == purpose && out.Consents[i].WithdrawnAt == nil {
			out.Consents[i].WithdrawnAt = &now
			changed = true
		}
	}
	if changed {
		out.Touch(now)
	}
	return out, changed, nil
}

// validateConsent checks one consent record; path prefixes its field names.
func validateConsent(f *apperr.Fields, path householdField, c Consent) {
	if !c.Purpose.Valid() {
		f.Add(path.with("purpose").String(), "must be one of %v", consentPurposes)
	} else if t, ok := LookupConsentText(c.TextVersion); !ok {
		f.Add(path.with("text_version").String(), "is not a published consent text")
	} else if t.Purpose != c.Purpose {
		f.Add(path.with("text_version").String(), "is the text of %s, not of %s", t.Purpose, c.Purpose)
	}
	if !c.Method.Valid() {
		f.Add(path.with("method").String(), "must be one of %v", consentMethods)
	} else if c.Method.byOrganizer() && c.RecordedBy == "" {
		f.Add(path.with("recorded_by").String(), "must name the organizer who recorded the consent")
	}
	if c.GivenAt.IsZero() {
		f.Add(path.with("given_at").String(), "must be set")
	}
	if c.WithdrawnAt != nil && c.WithdrawnAt.Before(c.GivenAt) {
		f.Add(path.with("withdrawn_at").String(), "must not be before given_at")
	}
	if c.Purpose == ConsentPartnerSharing {
		if len(c.Partners) == 0 {
			f.Add(path.with("partners").String(), "must name at least one partner organisation")
		}
		if len(c.Partners) > ConsentMaxPartners {
			f.Add(path.with("partners").String(), "must name at most %d partner organisations", ConsentMaxPartners)
		} else {
			for i, p := range c.Partners {
				householdCheckText(f, path.with("partners").with(householdItoa(i)), p, ConsentMaxPartnerLength, true)
			}
		}
	} else if len(c.Partners) > 0 {
		f.Add(path.with("partners").String(), "only a partner_sharing consent names partners")
	}
}
