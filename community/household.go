package community

import (
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// Household is one displaced household as registered with Common Ground. Its
// fields follow FEMA's registration form and the HMIS data standard under
// plain names. A Household carries no JSON or bson tags: the server and the
// store convert it to their own structs.
//
// Field paths in validation errors use the snake_case names given in each
// field's comment (for example "members.3.name"), so wire structs should use
// the same names.
type Household struct {
	ID string // "id"; assigned by the caller before the first write
	// OwnerAccountID is the account of the head of household, the one account
	// that sees and changes the whole record. Empty when an organizer
	// registered a family that has no account yet.
	OwnerAccountID string // "owner_account_id"
	// ExternalID identifies the row in an organizer's own list; a CSV import
	// skips rows whose external id is already stored, so importing twice is
	// harmless.
	ExternalID string // "external_id"

	Members        []HouseholdMember // "members"; exactly one has the relationship head
	Pets           HouseholdPets     // "pets"
	Language       HouseholdLanguage // "language"
	Contact        HouseholdContact  // "contact"
	LostHome       HouseholdLostHome // "lost_home"
	Current        HouseholdStay     // "current": where the household stays now
	TenureBefore   HouseholdTenure   // "tenure_before"
	IncomeBand     HouseholdIncomeBand
	Needs          HouseholdNeeds  // "needs"
	PreferredAreas []HouseholdArea // "preferred_areas"
	// InterestedInCoop and InterestedInLandTrust say whether the household
	// would consider the two forms of resident ownership Common Ground serves.
	InterestedInCoop      bool               // "interested_in_coop"
	InterestedInLandTrust bool               // "interested_in_land_trust"
	FEMA                  HouseholdFEMA      // "fema"
	Insurance             HouseholdInsurance // "insurance"
	Notes                 string             // "notes"

	// Consents is the full history of consents, withdrawn ones included, so
	// the household can see what it agreed to and when.
	Consents     []Consent             // "consents"
	RegisteredBy HouseholdRegistration // "registered_by"
	// Claim is the outstanding claim code of a household without an account.
	Claim *HouseholdClaim // "claim"
	// Voters are the other adults of the household who joined with their
	// own accounts, by a code from the owner, to vote in their own right
	// where a community's household class votes per person. They do not
	// see or change the record.
	Voters []HouseholdVoter // "voters"
	// VoterCode is the owner's outstanding code for one more voter.
	VoterCode *HouseholdClaim // "voter_code"
	// NotDuplicateOf lists households an organizer reviewed and found to be
	// different families; the duplicate detector never pairs them again.
	NotDuplicateOf []string // "not_duplicate_of"

	CreatedAt time.Time // "created_at"
	UpdatedAt time.Time // "updated_at"
	// Version counts the writes to the record; stores use it to refuse an
	// update made from a stale copy.
	Version int64 // "version"
}

// HouseholdMember is one person in a household.
type HouseholdMember struct {
	Name          string                       // "name"; required
	PreferredName string                       // "preferred_name"
	Relationship  HouseholdRelationship        // "relationship" to the head of household
	AgeBand       HouseholdAgeBand             // "age_band"; empty means not given
	Accessibility []HouseholdAccessibilityNeed // "accessibility"
}

// HouseholdPets records animals that must be housed with the family, which
// FEMA and most shelters ask about because it decides where a family can stay.
type HouseholdPets struct {
	Count         int  // "count"
	ServiceAnimal bool // "service_animal"
}

// HouseholdContact is how the household can be reached. Phone is stored in
// E.164 form ("+15415550100"); Email in lower case.
type HouseholdContact struct {
	Phone string // "phone"
	Email string // "email"
}

// HouseholdLostHome is the home the household lost. Location is a point the
// resident placed on a map ({lon, lat}); nil when not given. Address is the
// text the resident typed; it is never geocoded.
type HouseholdLostHome struct {
	Location *orb.Point // "lon" and "lat"
	Address  string     // "address"
}

// HouseholdStay is where the household stays now.
type HouseholdStay struct {
	Situation HouseholdSituation // "situation"
	ZipCode   string             // "zip_code"; US ZIP or ZIP+4
}

// HouseholdNeeds is what a new home must offer.
type HouseholdNeeds struct {
	Bedrooms      int                          // "bedrooms"; 0 means a studio
	Accessibility []HouseholdAccessibilityNeed // "accessibility"
}

// HouseholdArea is a place the household would like to live: a point and a
// radius in metres.
type HouseholdArea struct {
	Center       orb.Point // "lon" and "lat"
	RadiusMetres int       // "radius_m"
}

// HouseholdFEMA holds the household's FEMA references. DisasterNumber names
// the declaration (for example "DR-4562-OR"); RegistrationID is the number
// FEMA gave the household's application, which organizers never see.
type HouseholdFEMA struct {
	DisasterNumber string // "disaster_number"
	RegistrationID string // "registration_id"
}

// HouseholdRegistration records who registered the household. When an
// organizer registered it for the family, ConsentMethod says how the family
// agreed to it.
type HouseholdRegistration struct {
	By                 HouseholdRegistrant // "by"
	OrganizerAccountID string              // "organizer_account_id"
	ConsentMethod      ConsentMethod       // "consent_method"
}

// Size is the number of people in the household, derived from its members so
// that the two can never disagree.
func (h *Household) Size() int { return len(h.Members) }

// Head returns the head of household, or false when there is none (only an
// invalid household lacks one).
func (h *Household) Head() (HouseholdMember, bool) {
	for _, m := range h.Members {
		if m.Relationship == HouseholdRelationshipHead {
			return m, true
		}
	}
	return HouseholdMember{}, false
}

// Clone returns a deep copy, so callers holding records in memory can hand
// one out without sharing its slices.
func (h *Household) Clone() *Household {
	c := *h
	c.Members = slices.Clone(h.Members)
	for i := range c.Members {
		c.Members[i].Accessibility = slices.Clone(h.Members[i].Accessibility)
	}
	if h.LostHome.Location != nil {
		p := *h.LostHome.Location
		c.LostHome.Location = &p
	}
	c.Needs.Accessibility = slices.Clone(h.Needs.Accessibility)
	c.PreferredAreas = slices.Clone(h.PreferredAreas)
	c.Consents = slices.Clone(h.Consents)
	for i := range c.Consents {
		c.Consents[i].Partners = slices.Clone(h.Consents[i].Partners)
		if w := h.Consents[i].WithdrawnAt; w != nil {
			t := *w
			c.Consents[i].WithdrawnAt = &t
		}
	}
	c.NotDuplicateOf = slices.Clone(h.NotDuplicateOf)
	if h.Claim != nil {
		cl := *h.Claim
		c.Claim = &cl
	}
	if h.VoterCode != nil {
		vc := *h.VoterCode
		c.VoterCode = &vc
	}
	c.Voters = slices.Clone(h.Voters)
	return &c
}

// Touch records a write at now: it bumps Version and UpdatedAt (and sets
// CreatedAt on the first write).
func (h *Household) Touch(now time.Time) {
	now = now.UTC()
	if h.CreatedAt.IsZero() {
		h.CreatedAt = now
	}
	h.UpdatedAt = now
	h.Version++
}

// NewHousehold prepares a household for its first write: it sets the id,
// owner and registration, normalizes it, stamps the times and checks every
// field. in is not modified. Consents without a GivenAt are stamped with now.
func NewHousehold(id, ownerAccountID string, in *Household, reg HouseholdRegistration, now time.Time) (*Household, error) {
	h := in.Clone()
	h.ID = id
	h.OwnerAccountID = ownerAccountID
	h.RegisteredBy = reg
	h.NotDuplicateOf = nil
	h.CreatedAt, h.UpdatedAt, h.Version = time.Time{}, time.Time{}, 0
	for i := range h.Consents {
		if h.Consents[i].GivenAt.IsZero() {
			h.Consents[i].GivenAt = now.UTC()
		}
	}
	h.Normalize()
	if err := h.Validate(); err != nil {
		return nil, err
	}
	h.Touch(now)
	return h, nil
}

// HouseholdUpdate is a correction to a household, as sent by PATCH: a nil
// field means "leave as it is". Consents change through GiveConsent and
// WithdrawConsent, never here, so that their history is kept.
type HouseholdUpdate struct {
	Members               *[]HouseholdMember
	Pets                  *HouseholdPets
	Language              *HouseholdLanguage
	Contact               *HouseholdContact
	LostHome              *HouseholdLostHome
	Current               *HouseholdStay
	TenureBefore          *HouseholdTenure
	IncomeBand            *HouseholdIncomeBand
	Needs                 *HouseholdNeeds
	PreferredAreas        *[]HouseholdArea
	InterestedInCoop      *bool
	InterestedInLandTrust *bool
	FEMA                  *HouseholdFEMA
	Insurance             *HouseholdInsurance
	Notes                 *string
	ExternalID            *string
}

// ApplyHouseholdUpdate returns a copy of h with u applied, normalized,
// validated and touched at now. h itself is left unchanged, so a rejected
// update leaves nothing half-applied.
func ApplyHouseholdUpdate(h *Household, u HouseholdUpdate, now time.Time) (*Household, error) {
	c := h.Clone()
	householdSet(&c.Members, u.Members)
	householdSet(&c.Pets, u.Pets)
	householdSet(&c.Language, u.Language)
	householdSet(&c.Contact, u.Contact)
	householdSet(&c.LostHome, u.LostHome)
	householdSet(&c.Current, u.Current)
	householdSet(&c.TenureBefore, u.TenureBefore)
	householdSet(&c.IncomeBand, u.IncomeBand)
	householdSet(&c.Needs, u.Needs)
	householdSet(&c.PreferredAreas, u.PreferredAreas)
	householdSet(&c.InterestedInCoop, u.InterestedInCoop)
	householdSet(&c.InterestedInLandTrust, u.InterestedInLandTrust)
	householdSet(&c.FEMA, u.FEMA)
	householdSet(&c.Insurance, u.Insurance)
	householdSet(&c.Notes, u.Notes)
	householdSet(&c.ExternalID, u.ExternalID)
	// Clone again so the result shares nothing with the caller's update.
	c = c.Clone()
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Touch(now)
	return c, nil
}

func householdSet[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
