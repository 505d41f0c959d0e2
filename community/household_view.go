package community

import (
	"math"
	"slices"
	"time"

	"commonground/apperr"
	"github.com/paulmach/orb"
)

// HouseholdViewerRole is the role of whoever reads a household. The values
// are the role names of the auth package.
type HouseholdViewerRole string

// The roles a viewer can have.
const (
	HouseholdViewerResident  HouseholdViewerRole = "resident"
	HouseholdViewerOrganizer HouseholdViewerRole = "organizer"
	HouseholdViewerSteward   HouseholdViewerRole = "steward"
)

// HouseholdViewer is whoever reads a household: an account and its role. The
// zero value is an anonymous reader.
type HouseholdViewer struct {
	AccountID string
	Role      HouseholdViewerRole
}

// HouseholdViewOptions lets a route ask for more than the default view.
type HouseholdViewOptions struct {
	// Sensitive asks for the exact location, the address, the FEMA
	// registration id and the notes. Only a steward may ask; ViewHousehold
	// answers Forbidden to anyone else who does. Contact details still need
	// the household's contact consent.
	Sensitive bool
}

// HouseholdLocationGrid is the grid, in degrees, that an organizer's or a
// steward's view snaps the lost home's location to: 0.001° is about 111 m
// north-south and about 80 m east-west at the latitude of southern Oregon,
// so the point shows the block, not the lot.
const HouseholdLocationGrid = 0.001

// HouseholdAccess says on what footing a reader sees a household.
type HouseholdAccess string

// The ways a reader sees a household.
const (
	// HouseholdAccessOwner: the household's own account sees everything.
	HouseholdAccessOwner HouseholdAccess = "owner"
	// HouseholdAccessMatching: an organizer or steward sees a household that
	// consented to matching.
	HouseholdAccessMatching HouseholdAccess = "matching"
	// HouseholdAccessSensitive: a steward's sensitive view.
	HouseholdAccessSensitive HouseholdAccess = "sensitive"
)

// HouseholdView is what one reader may see of a household. A nil pointer or
// empty slice means the field is withheld from this reader (or empty), so a
// wire struct built from it with omitempty shows nothing it should not.
type HouseholdView struct {
	ID     string
	Access HouseholdAccess
	// Withheld lists the field paths left out of this view, so a client can
	// tell "not shared" from "not given".
	Withheld []string

	OwnerAccountID *string // owner only
	// Voters are the adults who joined the household with their own
	// accounts (owner only).
	Voters     []HouseholdVoter
	ExternalID string
	Size       int
	Members    []HouseholdMember
	Pets       HouseholdPets
	Language   HouseholdLanguage
	Contact    *HouseholdContact // owner, or with contact consent
	// Location is exact for the owner and a steward's sensitive view, and
	// snapped to HouseholdLocationGrid for the others; LocationRounded says
	// which.
	Location              *orb.Point
	LocationRounded       bool
	Address               *string // owner and sensitive view only
	Current               HouseholdStay
	TenureBefore          HouseholdTenure
	IncomeBand            HouseholdIncomeBand
	Needs                 HouseholdNeeds
	PreferredAreas        []HouseholdArea
	InterestedInCoop      bool
	InterestedInLandTrust bool
	DisasterNumber        string
	FEMARegistrationID    *string // owner and sensitive view only
	Insurance             HouseholdInsurance
	Notes                 *string // owner and sensitive view only
	Consents              []Consent
	RegisteredBy          HouseholdRegistration
	NotDuplicateOf        []string
	CreatedAt             time.Time
	UpdatedAt             time.Time
	Version               int64
}

// HouseholdReading is the outcome of a permitted read.
type HouseholdReading struct {
	View HouseholdView
	// Audit is true when someone other than the household read its personal
	// data; the caller must write an audit entry with Purpose.
	Audit bool
	// Purpose is the ground for the read, for the audit log: "owner",
	// "matching", "matching+contact", with "+sensitive" for a steward's
	// sensitive view.
	Purpose string
}

// ViewHousehold decides what viewer sees of h at now:
//   - the household's own account (OwnerAccountID) sees everything;
//   - an organizer sees a household with a matching consent in force, its
//     location snapped to HouseholdLocationGrid, without the address, notes or
//     FEMA registration id, and its contact details only with a contact
//     consent in force;
//   - a steward sees what an organizer sees, plus the sensitive fields when
//     opts.Sensitive is set;
//   - anyone else sees nothing: the error is NotFound, so that a route answers
//     404 and does not reveal that the household exists.
//
// It returns Forbidden when a non-steward asks for the sensitive view.
func ViewHousehold(h *Household, viewer HouseholdViewer, opts HouseholdViewOptions, now time.Time) (HouseholdReading, error) {
	owner := viewer.AccountID != "" && viewer.AccountID == h.OwnerAccountID
	staff := viewer.Role == HouseholdViewerOrganizer || viewer.Role == HouseholdViewerSteward
	if opts.Sensitive && viewer.Role != HouseholdViewerSteward {
		return HouseholdReading{}, apperr.New(apperr.Forbidden, "only a steward may see sensitive household fields")
	}
	if owner {
		return HouseholdReading{View: householdFullView(h), Purpose: string(HouseholdAccessOwner)}, nil
	}
	if !staff || !h.HasConsent(ConsentMatching, now) {
		return HouseholdReading{}, apperr.New(apperr.NotFound, "household not found")
	}
	v := householdFullView(h)
	v.Access = HouseholdAccessMatching
	v.OwnerAccountID, v.Voters = nil, nil
	v.Withheld = append(v.Withheld, "owner_account_id", "voters")
	purpose := string(ConsentMatching)
	if h.HasConsent(ConsentContact, now) {
		purpose += "+" + string(ConsentContact)
	} else {
		v.Contact = nil
		v.Withheld = append(v.Withheld, "contact")
	}
	if opts.Sensitive {
		v.Access = HouseholdAccessSensitive
		purpose += "+sensitive"
	} else {
		if v.Location != nil {
			p := RoundHouseholdLocation(*v.Location)
			v.Location, v.LocationRounded = &p, true
		}
		v.Address, v.FEMARegistrationID, v.Notes = nil, nil, nil
		v.Withheld = append(v.Withheld, "lost_home.address", "fema.registration_id", "notes")
	}
	return HouseholdReading{View: v, Audit: true, Purpose: purpose}, nil
}

// householdFullView copies everything in h into a view; ViewHousehold then removes
// what the reader may not see, so a field added later is withheld by adding
// it in one place.
func householdFullView(h *Household) HouseholdView {
	c := h.Clone()
	v := HouseholdView{
		ID:                    c.ID,
		Access:                HouseholdAccessOwner,
		OwnerAccountID:        &c.OwnerAccountID,
		Voters:                c.Voters,
		ExternalID:            c.ExternalID,
		Size:                  c.Size(),
		Members:               c.Members,
		Pets:                  c.Pets,
		Language:              c.Language,
		Contact:               &c.Contact,
		Location:              c.LostHome.Location,
		Address:               &c.LostHome.Address,
		Current:               c.Current,
		TenureBefore:          c.TenureBefore,
		IncomeBand:            c.IncomeBand,
		Needs:                 c.Needs,
		PreferredAreas:        c.PreferredAreas,
		InterestedInCoop:      c.InterestedInCoop,
		InterestedInLandTrust: c.InterestedInLandTrust,
		DisasterNumber:        c.FEMA.DisasterNumber,
		FEMARegistrationID:    &c.FEMA.RegistrationID,
		Insurance:             c.Insurance,
		Notes:                 &c.Notes,
		Consents:              c.Consents,
		RegisteredBy:          c.RegisteredBy,
		NotDuplicateOf:        slices.Clone(c.NotDuplicateOf),
		CreatedAt:             c.CreatedAt,
		UpdatedAt:             c.UpdatedAt,
		Version:               c.Version,
	}
	return v
}

// RoundHouseholdLocation snaps p to the nearest point of the
// HouseholdLocationGrid.
func RoundHouseholdLocation(p orb.Point) orb.Point {
	const cells = 1 / HouseholdLocationGrid
	return orb.Point{math.Round(p.Lon()*cells) / cells, math.Round(p.Lat()*cells) / cells}
}
