package server

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"

	"commonground/apperr"
	"commonground/auth"
	"commonground/community"
	"commonground/geo"
)

// Body limits of the household routes. A registration is small, but the
// limit sits above a megabyte so that an oversized name reaches validation
// and is refused naming its field, not cut off as a too-large body.
const (
	householdBodyLimit   = 2 << 20
	householdImportLimit = 32 << 20
)

// ---- wire types ----

type householdMemberWire struct {
	Name          string   `json:"name"`
	PreferredName string   `json:"preferred_name,omitempty"`
	Relationship  string   `json:"relationship"`
	AgeBand       string   `json:"age_band,omitempty"`
	Accessibility []string `json:"accessibility,omitempty"`
}

type householdPetsWire struct {
	Count         int  `json:"count"`
	ServiceAnimal bool `json:"service_animal"`
}

type householdContactWire struct {
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

type householdLostHomeWire struct {
	Lon     *float64 `json:"lon,omitempty"`
	Lat     *float64 `json:"lat,omitempty"`
	Address string   `json:"address,omitempty"`
}

type householdStayWire struct {
	Situation string `json:"situation,omitempty"`
	ZipCode   string `json:"zip_code,omitempty"`
}

type householdNeedsWire struct {
	Bedrooms      int      `json:"bedrooms"`
	Accessibility []string `json:"accessibility,omitempty"`
}

type householdAreaWire struct {
	Lon     float64 `json:"lon"`
	Lat     float64 `json:"lat"`
	RadiusM int     `json:"radius_m"`
}

type householdFEMAWire struct {
	DisasterNumber string `json:"disaster_number,omitempty"`
	RegistrationID string `json:"registration_id,omitempty"`
}

type consentGrantWire struct {
	Purpose     string   `json:"purpose"`
	TextVersion string   `json:"text_version"`
	Partners    []string `json:"partners,omitempty"`
}

type householdRegisteredByWire struct {
	ConsentMethod string `json:"consent_method"`
}

// householdRequest is the body of POST /households.
type householdRequest struct {
	ExternalID            string                     `json:"external_id,omitempty"`
	Members               []householdMemberWire      `json:"members"`
	Pets                  householdPetsWire          `json:"pets"`
	Language              string                     `json:"language"`
	Contact               householdContactWire       `json:"contact"`
	LostHome              householdLostHomeWire      `json:"lost_home"`
	Current               householdStayWire          `json:"current"`
	TenureBefore          string                     `json:"tenure_before,omitempty"`
	IncomeBand            string                     `json:"income_band,omitempty"`
	Needs                 householdNeedsWire         `json:"needs"`
	PreferredAreas        []householdAreaWire        `json:"preferred_areas,omitempty"`
	InterestedInCoop      bool                       `json:"interested_in_coop"`
	InterestedInLandTrust bool                       `json:"interested_in_land_trust"`
	FEMA                  householdFEMAWire          `json:"fema"`
	Insurance             string                     `json:"insurance,omitempty"`
	Notes                 string                     `json:"notes,omitempty"`
	Consents              []consentGrantWire         `json:"consents,omitempty"`
	RegisteredBy          *householdRegisteredByWire `json:"registered_by,omitempty"`
}

// householdPatch is the body of PATCH /households/{id}: absent fields stay
// as they are.
type householdPatch struct {
	Version               int64                  `json:"version,omitempty"`
	ExternalID            *string                `json:"external_id,omitempty"`
	Members               *[]householdMemberWire `json:"members,omitempty"`
	Pets                  *householdPetsWire     `json:"pets,omitempty"`
	Language              *string                `json:"language,omitempty"`
	Contact               *householdContactWire  `json:"contact,omitempty"`
	LostHome              *householdLostHomeWire `json:"lost_home,omitempty"`
	Current               *householdStayWire     `json:"current,omitempty"`
	TenureBefore          *string                `json:"tenure_before,omitempty"`
	IncomeBand            *string                `json:"income_band,omitempty"`
	Needs                 *householdNeedsWire    `json:"needs,omitempty"`
	PreferredAreas        *[]householdAreaWire   `json:"preferred_areas,omitempty"`
	InterestedInCoop      *bool                  `json:"interested_in_coop,omitempty"`
	InterestedInLandTrust *bool                  `json:"interested_in_land_trust,omitempty"`
	FEMA                  *householdFEMAWire     `json:"fema,omitempty"`
	Insurance             *string                `json:"insurance,omitempty"`
	Notes                 *string                `json:"notes,omitempty"`
	// Consents gives (or renews) consents; WithdrawConsents withdraws the
	// consents in force for the named purposes.
	Consents         []consentGrantWire `json:"consents,omitempty"`
	WithdrawConsents []string           `json:"withdraw_consents,omitempty"`
}

type consentWire struct {
	Purpose     string     `json:"purpose"`
	TextVersion string     `json:"text_version"`
	Partners    []string   `json:"partners,omitempty"`
	GivenAt     time.Time  `json:"given_at"`
	Method      string     `json:"method"`
	RecordedBy  string     `json:"recorded_by,omitempty"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	InForce     bool       `json:"in_force"`
}

type householdRegistrationWire struct {
	By                 string `json:"by"`
	OrganizerAccountID string `json:"organizer_account_id,omitempty"`
	ConsentMethod      string `json:"consent_method,omitempty"`
}

// householdResponse is a household as one reader may see it: withheld
// fields are absent and named in withheld.
type householdResponse struct {
	ID                    string                    `json:"id"`
	Access                string                    `json:"access"`
	Withheld              []string                  `json:"withheld"`
	OwnerAccountID        *string                   `json:"owner_account_id,omitempty"`
	Voters                []householdVoterWire      `json:"voters,omitempty"`
	ExternalID            string                    `json:"external_id,omitempty"`
	Size                  int                       `json:"size"`
	Members               []householdMemberWire     `json:"members"`
	Pets                  householdPetsWire         `json:"pets"`
	Language              string                    `json:"language"`
	Contact               *householdContactWire     `json:"contact,omitempty"`
	LostHome              householdLostHomeWire     `json:"lost_home"`
	LocationRounded       bool                      `json:"location_rounded"`
	Current               householdStayWire         `json:"current"`
	TenureBefore          string                    `json:"tenure_before,omitempty"`
	IncomeBand            string                    `json:"income_band,omitempty"`
	Needs                 householdNeedsWire        `json:"needs"`
	PreferredAreas        []householdAreaWire       `json:"preferred_areas"`
	InterestedInCoop      bool                      `json:"interested_in_coop"`
	InterestedInLandTrust bool                      `json:"interested_in_land_trust"`
	FEMA                  householdFEMAWire         `json:"fema"`
	Insurance             string                    `json:"insurance,omitempty"`
	Notes                 *string                   `json:"notes,omitempty"`
	Consents              []consentWire             `json:"consents"`
	RegisteredBy          householdRegistrationWire `json:"registered_by"`
	NotDuplicateOf        []string                  `json:"not_duplicate_of"`
	PossibleDuplicate     *bool                     `json:"possible_duplicate,omitempty"`
	CreatedAt             time.Time                 `json:"created_at"`
	UpdatedAt             time.Time                 `json:"updated_at"`
	Version               int64                     `json:"version"`
}

// ---- conversions ----

func toStrings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func fromStrings[T ~string](xs []string) []T {
	if xs == nil {
		return nil
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

func toMembers(ws []householdMemberWire) []community.HouseholdMember {
	out := make([]community.HouseholdMember, len(ws))
	for i, w := range ws {
		out[i] = community.HouseholdMember{
			Name: w.Name, PreferredName: w.PreferredName, Relationship: community.HouseholdRelationship(w.Relationship),
			AgeBand: community.HouseholdAgeBand(w.AgeBand), Accessibility: fromStrings[community.HouseholdAccessibilityNeed](w.Accessibility),
		}
	}
	return out
}

func fromMembers(ms []community.HouseholdMember) []householdMemberWire {
	out := make([]householdMemberWire, len(ms))
	for i, m := range ms {
		out[i] = householdMemberWire{
			Name: m.Name, PreferredName: m.PreferredName, Relationship: string(m.Relationship),
			AgeBand: string(m.AgeBand), Accessibility: toStrings(m.Accessibility),
		}
	}
	return out
}

// toLostHome checks that lon and lat come together; the domain checks
// their ranges.
func toLostHome(f *apperr.Fields, w householdLostHomeWire) community.HouseholdLostHome {
	l := community.HouseholdLostHome{Address: w.Address}
	switch {
	case w.Lon != nil && w.Lat != nil:
		l.Location = &orb.Point{*w.Lon, *w.Lat}
	case w.Lon != nil:
		f.Add("lost_home.lat", "must be given with lon")
	case w.Lat != nil:
		f.Add("lost_home.lon", "must be given with lat")
	}
	return l
}

func toAreas(ws []householdAreaWire) []community.HouseholdArea {
	out := make([]community.HouseholdArea, len(ws))
	for i, w := range ws {
		out[i] = community.HouseholdArea{Center: orb.Point{w.Lon, w.Lat}, RadiusMetres: w.RadiusM}
	}
	return out
}

func toNeeds(w householdNeedsWire) community.HouseholdNeeds {
	return community.HouseholdNeeds{Bedrooms: w.Bedrooms, Accessibility: fromStrings[community.HouseholdAccessibilityNeed](w.Accessibility)}
}

func toConsents(ws []consentGrantWire) []community.Consent {
	out := make([]community.Consent, len(ws))
	for i, w := range ws {
		out[i] = community.Consent{Purpose: community.ConsentPurpose(w.Purpose), TextVersion: w.TextVersion, Partners: w.Partners}
	}
	return out
}

func (r *householdRequest) household() (*community.Household, error) {
	var f apperr.Fields
	h := &community.Household{
		ExternalID:            r.ExternalID,
		Members:               toMembers(r.Members),
		Pets:                  community.HouseholdPets{Count: r.Pets.Count, ServiceAnimal: r.Pets.ServiceAnimal},
		Language:              community.HouseholdLanguage(r.Language),
		Contact:               community.HouseholdContact{Phone: r.Contact.Phone, Email: r.Contact.Email},
		LostHome:              toLostHome(&f, r.LostHome),
		Current:               community.HouseholdStay{Situation: community.HouseholdSituation(r.Current.Situation), ZipCode: r.Current.ZipCode},
		TenureBefore:          community.HouseholdTenure(r.TenureBefore),
		IncomeBand:            community.HouseholdIncomeBand(r.IncomeBand),
		Needs:                 toNeeds(r.Needs),
		PreferredAreas:        toAreas(r.PreferredAreas),
		InterestedInCoop:      r.InterestedInCoop,
		InterestedInLandTrust: r.InterestedInLandTrust,
		FEMA:                  community.HouseholdFEMA{DisasterNumber: r.FEMA.DisasterNumber, RegistrationID: r.FEMA.RegistrationID},
		Insurance:             community.HouseholdInsurance(r.Insurance),
		Notes:                 r.Notes,
		Consents:              toConsents(r.Consents),
	}
	return h, f.Err()
}

func (p *householdPatch) update() (community.HouseholdUpdate, community.HouseholdConsentChanges, error) {
	var f apperr.Fields
	u := community.HouseholdUpdate{
		ExternalID: p.ExternalID, Notes: p.Notes,
		InterestedInCoop: p.InterestedInCoop, InterestedInLandTrust: p.InterestedInLandTrust,
	}
	if p.Members != nil {
		m := toMembers(*p.Members)
		u.Members = &m
	}
	if p.Pets != nil {
		u.Pets = &community.HouseholdPets{Count: p.Pets.Count, ServiceAnimal: p.Pets.ServiceAnimal}
	}
	if p.Language != nil {
		l := community.HouseholdLanguage(*p.Language)
		u.Language = &l
	}
	if p.Contact != nil {
		u.Contact = &community.HouseholdContact{Phone: p.Contact.Phone, Email: p.Contact.Email}
	}
	if p.LostHome != nil {
		l := toLostHome(&f, *p.LostHome)
		u.LostHome = &l
	}
	if p.Current != nil {
		u.Current = &community.HouseholdStay{Situation: community.HouseholdSituation(p.Current.Situation), ZipCode: p.Current.ZipCode}
	}
	if p.TenureBefore != nil {
		t := community.HouseholdTenure(*p.TenureBefore)
		u.TenureBefore = &t
	}
	if p.IncomeBand != nil {
		b := community.HouseholdIncomeBand(*p.IncomeBand)
		u.IncomeBand = &b
	}
	if p.Needs != nil {
		n := toNeeds(*p.Needs)
		u.Needs = &n
	}
	if p.PreferredAreas != nil {
		a := toAreas(*p.PreferredAreas)
		u.PreferredAreas = &a
	}
	if p.FEMA != nil {
		u.FEMA = &community.HouseholdFEMA{DisasterNumber: p.FEMA.DisasterNumber, RegistrationID: p.FEMA.RegistrationID}
	}
	if p.Insurance != nil {
		i := community.HouseholdInsurance(*p.Insurance)
		u.Insurance = &i
	}
	cc := community.HouseholdConsentChanges{Give: toConsents(p.Consents)}
	for i, w := range p.WithdrawConsents {
		purpose := community.ConsentPurpose(w)
		if !purpose.Valid() {
			f.Add("withdraw_consents."+strconv.Itoa(i), "must be a consent purpose: contact, matching, partner_sharing or aggregate_statistics")
		}
		cc.Withdraw = append(cc.Withdraw, purpose)
	}
	return u, cc, f.Err()
}

func toConsentWires(cs []community.Consent, now time.Time) []consentWire {
	out := make([]consentWire, len(cs))
	for i, c := range cs {
		out[i] = consentWire{
			Purpose: string(c.Purpose), TextVersion: c.TextVersion, Partners: c.Partners, GivenAt: c.GivenAt,
			Method: string(c.Method), RecordedBy: c.RecordedBy, WithdrawnAt: c.WithdrawnAt, InForce: c.Active(now),
		}
	}
	return out
}

// householdVoterWire is an adult who joined the household to vote.
type householdVoterWire struct {
	AccountID string    `json:"account_id"`
	LinkedAt  time.Time `json:"linked_at"`
}

func toHouseholdResponse(v community.HouseholdView, now time.Time) householdResponse {
	r := householdResponse{
		ID: v.ID, Access: string(v.Access), Withheld: v.Withheld, OwnerAccountID: v.OwnerAccountID,
		Voters:     toVoterWires(v.Voters),
		ExternalID: v.ExternalID, Size: v.Size, Members: fromMembers(v.Members),
		Pets:     householdPetsWire{Count: v.Pets.Count, ServiceAnimal: v.Pets.ServiceAnimal},
		Language: string(v.Language), LocationRounded: v.LocationRounded,
		Current:      householdStayWire{Situation: string(v.Current.Situation), ZipCode: v.Current.ZipCode},
		TenureBefore: string(v.TenureBefore), IncomeBand: string(v.IncomeBand),
		Needs:            householdNeedsWire{Bedrooms: v.Needs.Bedrooms, Accessibility: toStrings(v.Needs.Accessibility)},
		InterestedInCoop: v.InterestedInCoop, InterestedInLandTrust: v.InterestedInLandTrust,
		FEMA:      householdFEMAWire{DisasterNumber: v.DisasterNumber},
		Insurance: string(v.Insurance), Notes: v.Notes,
		Consents: toConsentWires(v.Consents, now),
		RegisteredBy: householdRegistrationWire{
			By: string(v.RegisteredBy.By), OrganizerAccountID: v.RegisteredBy.OrganizerAccountID, ConsentMethod: string(v.RegisteredBy.ConsentMethod),
		},
		NotDuplicateOf: v.NotDuplicateOf, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Version: v.Version,
	}
	if r.Withheld == nil {
		r.Withheld = []string{}
	}
	if r.NotDuplicateOf == nil {
		r.NotDuplicateOf = []string{}
	}
	if v.Contact != nil {
		r.Contact = &householdContactWire{Phone: v.Contact.Phone, Email: v.Contact.Email}
	}
	if v.Location != nil {
		lon, lat := v.Location.Lon(), v.Location.Lat()
		r.LostHome.Lon, r.LostHome.Lat = &lon, &lat
	}
	if v.Address != nil {
		r.LostHome.Address = *v.Address
	}
	if v.FEMARegistrationID != nil {
		r.FEMA.RegistrationID = *v.FEMARegistrationID
	}
	r.PreferredAreas = make([]householdAreaWire, len(v.PreferredAreas))
	for i, a := range v.PreferredAreas {
		r.PreferredAreas[i] = householdAreaWire{Lon: a.Center.Lon(), Lat: a.Center.Lat(), RadiusM: a.RadiusMetres}
	}
	return r
}

// ownerResponse is the household as its own account sees it.
func ownerResponse(h *community.Household, now time.Time) (householdResponse, error) {
	r, err := community.ViewHousehold(h, community.HouseholdViewer{AccountID: h.OwnerAccountID}, community.HouseholdViewOptions{}, now)
	if err != nil || h.OwnerAccountID == "" {
		// A household registered for a family is seen by the organizer who
		// wrote it through the organizer's view.
		return householdResponse{}, err
	}
	return toHouseholdResponse(r.View, now), nil
}

// ---- handlers ----

// householdViewer turns the caller into the viewer the household domain
// decides on: their account and their most powerful role.
func householdViewer(c *fiber.Ctx) community.HouseholdViewer {
	p := principal(c)
	v := community.HouseholdViewer{AccountID: p.AccountID}
	switch {
	case p.HasRole(auth.RoleSteward):
		v.Role = community.HouseholdViewerSteward
	case p.HasRole(auth.RoleOrganizer):
		v.Role = community.HouseholdViewerOrganizer
	case p.Authenticated():
		v.Role = community.HouseholdViewerResident
	}
	return v
}

// auditHouseholdRead writes the audit entry for a read of another
// household's personal data; the read fails when the entry cannot be
// written, so that no unaudited read ever reaches a client.
func (s *Server) auditHouseholdRead(c *fiber.Ctx, kind auth.EventKind, householdID, purpose string) error {
	return s.auditHousehold(c, kind, householdID, purpose)
}

// auditHouseholdEvent writes an audit entry for a change to a household's
// ownership, once the change is made. When the entry cannot be written the
// request fails: a claim code is then never shown, and a claim stands but
// its caller sees the error and reloads.
func (s *Server) auditHouseholdEvent(c *fiber.Ctx, kind auth.EventKind, householdID string) error {
	return s.auditHousehold(c, kind, householdID, "")
}

func (s *Server) auditHousehold(c *fiber.Ctx, kind auth.EventKind, householdID, purpose string) error {
	e := auth.NewEvent(kind, time.Now())
	e.ActorID, e.TargetKind, e.TargetID, e.Purpose = principal(c).AccountID, "household", householdID, purpose
	m := meta(c)
	e.ClientAddr, e.RequestID = m.ClientAddr, m.RequestID
	if e.Validate() != nil {
		e.ClientAddr, e.RequestID = "", ""
	}
	return s.deps.Auth.Store.AppendAuditEvent(c.UserContext(), &e)
}

func (s *Server) createHousehold(c *fiber.Ctx) error {
	var req householdRequest
	if err := decodeJSONLimit(c, &req, householdBodyLimit); err != nil {
		return err
	}
	in, err := req.household()
	if err != nil {
		return err
	}
	reg := community.HouseholdRegistrationRequest{Household: in}
	if req.RegisteredBy != nil {
		reg.OnBehalf = community.ConsentMethod(req.RegisteredBy.ConsentMethod)
		if reg.OnBehalf == "" {
			var f apperr.Fields
			f.Add("registered_by.consent_method", "must say how the family agreed: organizer_phone, organizer_in_person or paper_form")
			return f.Err()
		}
	}
	viewer := householdViewer(c)
	h, dups, err := s.deps.Households.Register(c.UserContext(), viewer, reg)
	if err != nil {
		return err
	}
	now := time.Now()
	var resp householdResponse
	if h.OwnerAccountID != "" {
		resp, err = ownerResponse(h, now)
		if err != nil {
			return err
		}
	} else {
		// The organizer sees what they wrote, without the fields that only
		// the household and a steward's sensitive view show.
		r, err := community.ViewHousehold(h, viewer, community.HouseholdViewOptions{}, now)
		if err != nil {
			// Without a matching consent the organizer may not read the
			// household back; the id is all they get.
			return writeJSON(c, fiber.StatusCreated, fiber.Map{"id": h.ID, "access": "none"})
		}
		resp = toHouseholdResponse(r.View, now)
		dup := len(dups) > 0
		resp.PossibleDuplicate = &dup
	}
	c.Location("/api/v1/households/" + h.ID)
	return writeJSON(c, fiber.StatusCreated, resp)
}

func (s *Server) getHousehold(c *fiber.Ctx) error {
	sensitive, err := boolQuery(c, "sensitive")
	if err != nil {
		return err
	}
	id := strings.Clone(c.Params("id"))
	r, err := s.deps.Households.Get(householdViewer(c), id, community.HouseholdViewOptions{Sensitive: sensitive})
	if err != nil {
		return err
	}
	if r.Audit {
		if err := s.auditHouseholdRead(c, auth.EventPersonalDataRead, id, r.Purpose); err != nil {
			return err
		}
	}
	return writeJSON(c, fiber.StatusOK, toHouseholdResponse(r.View, time.Now()))
}

func (s *Server) updateHousehold(c *fiber.Ctx) error {
	var req householdPatch
	if err := decodeJSONLimit(c, &req, householdBodyLimit); err != nil {
		return err
	}
	u, cc, err := req.update()
	if err != nil {
		return err
	}
	id := strings.Clone(c.Params("id"))
	viewer := householdViewer(c)
	h, err := s.deps.Households.Update(c.UserContext(), viewer, id, req.Version, u, cc)
	if err != nil {
		return err
	}
	if h.OwnerAccountID == viewer.AccountID {
		resp, err := ownerResponse(h, time.Now())
		if err != nil {
			return err
		}
		return writeJSON(c, fiber.StatusOK, resp)
	}
	return s.getHousehold(c)
}

func (s *Server) deleteHousehold(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	if err := s.deps.Households.Delete(c.UserContext(), householdViewer(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) myHousehold(c *fiber.Ctx) error {
	h, err := s.deps.Households.Mine(householdViewer(c))
	if err != nil {
		return err
	}
	resp, err := ownerResponse(h, time.Now())
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, resp)
}

type claimCodeResponse struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// issueClaimCode gives an organizer a one-time code to hand to a family
// they registered, so that the family can take the record over with an
// account of its own.
func (s *Server) issueClaimCode(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	code, expires, err := s.deps.Households.IssueClaimCode(c.UserContext(), householdViewer(c), id)
	if err != nil {
		return err
	}
	if err := s.auditHouseholdEvent(c, auth.EventClaimCodeIssued, id); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return writeJSON(c, fiber.StatusCreated, claimCodeResponse{ID: id, Code: code, ExpiresAt: expires})
}

func toVoterWires(vs []community.HouseholdVoter) []householdVoterWire {
	var out []householdVoterWire
	for _, v := range vs {
		out = append(out, householdVoterWire{AccountID: v.AccountID, LinkedAt: v.LinkedAt})
	}
	return out
}

// issueVoterCode gives the household's owner a one-time code for another
// adult of the household, who joins with it to vote in their own right.
func (s *Server) issueVoterCode(c *fiber.Ctx) error {
	id, code, expires, err := s.deps.Households.IssueVoterCode(c.UserContext(), householdViewer(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return writeJSON(c, fiber.StatusCreated, claimCodeResponse{ID: id, Code: code, ExpiresAt: expires})
}

type voterJoined struct {
	HouseholdID string    `json:"household_id"`
	AccountID   string    `json:"account_id"`
	LinkedAt    time.Time `json:"linked_at"`
}

// joinHouseholdAsVoter links the caller's account to the household whose
// voter code it holds.
func (s *Server) joinHouseholdAsVoter(c *fiber.Ctx) error {
	var req claimRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	id, v, err := s.deps.Households.JoinAsVoter(c.UserContext(), householdViewer(c), req.Code)
	if err != nil {
		return err
	}
	if err := s.auditHouseholdEvent(c, auth.EventHouseholdVoterJoined, id); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusCreated, voterJoined{HouseholdID: id, AccountID: v.AccountID, LinkedAt: v.LinkedAt})
}

// myVoterHousehold answers which household the caller votes with.
func (s *Server) myVoterHousehold(c *fiber.Ctx) error {
	id, v, ok := s.deps.Households.VoterOf(principal(c).AccountID)
	if !ok {
		return apperr.New(apperr.NotFound, "this account does not vote with a household")
	}
	return writeJSON(c, fiber.StatusOK, voterJoined{HouseholdID: id, AccountID: v.AccountID, LinkedAt: v.LinkedAt})
}

// removeHouseholdVoter unlinks a voter: the owner removes one, or a voter
// leaves.
func (s *Server) removeHouseholdVoter(c *fiber.Ctx) error {
	if err := s.deps.Households.RemoveVoter(c.UserContext(), householdViewer(c), strings.Clone(c.Params("accountId"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type claimRequest struct {
	Code string `json:"code"`
}

// claimHousehold makes the caller's account the owner of the household a
// claim code was issued for, and answers as GET /me/household does.
func (s *Server) claimHousehold(c *fiber.Ctx) error {
	var req claimRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	h, err := s.deps.Households.Claim(c.UserContext(), householdViewer(c), req.Code)
	if err != nil {
		return err
	}
	if err := s.auditHouseholdEvent(c, auth.EventHouseholdClaimed, h.ID); err != nil {
		return err
	}
	resp, err := ownerResponse(h, time.Now())
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, resp)
}

type consentTextWire struct {
	Purpose  string `json:"purpose"`
	Language string `json:"language"`
	Version  string `json:"version"`
	Text     string `json:"text"`
}

type householdDuplicateWire struct {
	ID      string   `json:"id"`
	Reasons []string `json:"reasons"`
}

type householdExportWire struct {
	ExportedAt         time.Time                `json:"exported_at"`
	Household          householdResponse        `json:"household"`
	ConsentTexts       []consentTextWire        `json:"consent_texts"`
	PossibleDuplicates []householdDuplicateWire `json:"possible_duplicates"`
}

func toConsentTextWire(t community.ConsentText) consentTextWire {
	return consentTextWire{Purpose: string(t.Purpose), Language: string(t.Language), Version: t.Version, Text: t.Text}
}

func (s *Server) exportMyHousehold(c *fiber.Ctx) error {
	x, err := s.deps.Households.ExportMine(householdViewer(c))
	if err != nil {
		return err
	}
	hr, err := ownerResponse(x.Household, x.ExportedAt)
	if err != nil {
		return err
	}
	out := householdExportWire{ExportedAt: x.ExportedAt, Household: hr, ConsentTexts: []consentTextWire{}, PossibleDuplicates: []householdDuplicateWire{}}
	for _, t := range x.ConsentTexts {
		out.ConsentTexts = append(out.ConsentTexts, toConsentTextWire(t))
	}
	for _, d := range x.PossibleDuplicates {
		out.PossibleDuplicates = append(out.PossibleDuplicates, householdDuplicateWire{ID: d.ID, Reasons: toStrings(d.Reasons)})
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="my-household.json"`)
	return writeJSON(c, fiber.StatusOK, out)
}

type householdListWire struct {
	Items []householdResponse `json:"items"`
	Next  string              `json:"next,omitempty"`
}

func (s *Server) listHouseholds(c *fiber.Ctx) error {
	f, err := householdFilterFrom(c)
	if err != nil {
		return err
	}
	page, err := s.deps.Households.List(c.UserContext(), householdViewer(c), f)
	if err != nil {
		return err
	}
	now := time.Now()
	out := householdListWire{Items: make([]householdResponse, 0, len(page.Items)), Next: page.Next}
	for _, it := range page.Items {
		if err := s.auditHouseholdRead(c, auth.EventPersonalDataRead, it.View.ID, it.Purpose); err != nil {
			return err
		}
		r := toHouseholdResponse(it.View, now)
		dup := it.PossibleDuplicate
		r.PossibleDuplicate = &dup
		out.Items = append(out.Items, r)
	}
	return writeJSON(c, fiber.StatusOK, out)
}

// householdFilterFrom reads the list's query parameters, naming each bad one.
func householdFilterFrom(c *fiber.Ctx) (community.HouseholdFilter, error) {
	var f community.HouseholdFilter
	var fs apperr.Fields
	if v := c.Query("near"); v != "" {
		p, ok := parsePoint(v)
		if !ok {
			fs.Add("near", "must be lon,lat with lon in [-180, 180] and lat in [-90, 90]")
		} else {
			f.Near = &p
		}
		r, err := strconv.ParseFloat(c.Query("radius_m"), 64)
		if err != nil || math.IsNaN(r) || r <= 0 || r > 500_000 {
			fs.Add("radius_m", "must be a distance in metres between 1 and 500000 when near is given")
		}
		f.RadiusMetres = r
	} else if c.Query("radius_m") != "" {
		fs.Add("near", "must be given with radius_m")
	}
	if v := c.Query("bbox"); v != "" {
		b, err := parseBBox(v)
		if err != nil {
			return f, err
		}
		f.Bound = &b
	}
	intParam := func(name string, lo, hi int) int {
		v := c.Query(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			fs.Add(name, "must be a whole number from %d to %d", lo, hi)
		}
		return n
	}
	f.MinSize = intParam("min_size", 1, community.HouseholdMaxMembers)
	f.MaxSize = intParam("max_size", 1, community.HouseholdMaxMembers)
	f.MinBedrooms = intParam("min_bedrooms", 0, community.HouseholdMaxBedrooms)
	f.Limit = intParam("limit", 1, community.HouseholdMaxPage)
	if v, err := boolQuery(c, "accessibility"); err != nil {
		fs.Add("accessibility", "must be true or false")
	} else {
		f.Accessibility = v
	}
	if v := c.Query("situation"); v != "" {
		f.Situation = community.HouseholdSituation(v)
		if !f.Situation.Valid() {
			fs.Add("situation", "must be one of shelter, hotel, family_or_friends, vehicle, rental, other")
		}
	}
	if v := c.Query("consent"); v != "" {
		f.Consent = community.ConsentPurpose(v)
		if !f.Consent.Valid() {
			fs.Add("consent", "must be one of contact, matching, partner_sharing, aggregate_statistics")
		}
	}
	if v := c.Query("possible_duplicate"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fs.Add("possible_duplicate", "must be true or false")
		}
		f.PossibleDuplicate = &b
	}
	f.After = strings.Clone(c.Query("after"))
	return f, fs.Err()
}

func boolQuery(c *fiber.Ctx, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		var f apperr.Fields
		f.Add(name, "must be true or false")
		return false, f.Err()
	}
	return b, nil
}

func parsePoint(v string) (orb.Point, bool) {
	xs, ok := parseFloats(v, 2)
	if !ok || xs[0] < -180 || xs[0] > 180 || xs[1] < -90 || xs[1] > 90 {
		return orb.Point{}, false
	}
	return orb.Point{xs[0], xs[1]}, true
}

type duplicatePairWire struct {
	A       string   `json:"a"`
	B       string   `json:"b"`
	Reasons []string `json:"reasons"`
}

func (s *Server) householdDuplicates(c *fiber.Ctx) error {
	pairs, err := s.deps.Households.Duplicates(householdViewer(c))
	if err != nil {
		return err
	}
	out := make([]duplicatePairWire, len(pairs))
	for i, p := range pairs {
		out[i] = duplicatePairWire{A: p.A, B: p.B, Reasons: toStrings(p.Reasons)}
	}
	return writeJSON(c, fiber.StatusOK, fiber.Map{"pairs": out})
}

type notDuplicateRequest struct {
	OtherID string `json:"other_id"`
}

func (s *Server) markNotDuplicate(c *fiber.Ctx) error {
	var req notDuplicateRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	id := strings.Clone(c.Params("id"))
	h, err := s.deps.Households.MarkNotDuplicate(c.UserContext(), householdViewer(c), id, req.OtherID)
	if err != nil {
		return err
	}
	nd := h.NotDuplicateOf
	if nd == nil {
		nd = []string{}
	}
	return writeJSON(c, fiber.StatusOK, fiber.Map{"id": h.ID, "not_duplicate_of": nd, "version": h.Version})
}

func (s *Server) exportHouseholdsCSV(c *fiber.Ctx) error {
	sensitive, err := boolQuery(c, "sensitive")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	res, err := s.deps.Households.ExportCSV(&buf, householdViewer(c), sensitive)
	if err != nil {
		return err
	}
	// Audit before a byte is sent: an export that cannot be recorded is
	// not made.
	for _, id := range res.AuditedIDs {
		if err := s.auditHouseholdRead(c, auth.EventExport, id, res.Purpose); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="households.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

type importProblemWire struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

type importRowWire struct {
	Line        int                 `json:"line"`
	ExternalID  string              `json:"external_id,omitempty"`
	Status      string              `json:"status"`
	HouseholdID string              `json:"household_id,omitempty"`
	Problems    []importProblemWire `json:"problems,omitempty"`
}

type importReportWire struct {
	Accepted        int             `json:"accepted"`
	Rejected        int             `json:"rejected"`
	AlreadyImported int             `json:"already_imported"`
	Rows            []importRowWire `json:"rows"`
}

func (s *Server) importHouseholds(c *fiber.Ctx) error {
	if err := requireMediaType(c, "text/csv"); err != nil {
		return err
	}
	body, err := bodyReader(c, householdImportLimit)
	if err != nil {
		return err
	}
	rep, err := s.deps.Households.Import(c.UserContext(), householdViewer(c), body)
	if err != nil {
		// A refused file may be left partly unread; the connection cannot
		// carry another request after it.
		c.Context().SetConnectionClose()
		return err
	}
	out := importReportWire{Accepted: rep.Accepted, Rejected: rep.Rejected, AlreadyImported: rep.AlreadyImported, Rows: make([]importRowWire, len(rep.Rows))}
	for i, r := range rep.Rows {
		w := importRowWire{Line: r.Line, ExternalID: r.ExternalID, Status: string(r.Status), HouseholdID: r.HouseholdID}
		for _, p := range r.Problems {
			w.Problems = append(w.Problems, importProblemWire{Field: p.Field, Reason: p.Reason})
		}
		out.Rows[i] = w
	}
	return writeJSON(c, fiber.StatusOK, out)
}

// householdGridProperties are a public grid cell's counts.
type householdGridProperties struct {
	Households    int            `json:"households"`
	People        int            `json:"people"`
	Bedrooms      map[string]int `json:"bedrooms_needed"`
	Accessibility int            `json:"accessibility"`
	Situations    map[string]int `json:"situations"`
	CellKm        float64        `json:"cell_km"`
}

func (s *Server) householdMap(c *fiber.Ctx) error {
	var fs apperr.Fields
	view := geo.Bound{West: -180, South: -85, East: 180, North: 85}
	if v := c.Query("bbox"); v != "" {
		b, err := parseBBox(v)
		if err != nil {
			return err
		}
		view = b
	}
	cellKm := geo.CellKMForZoom(10)
	switch z, km := c.Query("zoom"), c.Query("cell_km"); {
	case z != "" && km != "":
		fs.Add("cell_km", "give zoom or cell_km, not both")
	case z != "":
		n, err := strconv.Atoi(z)
		if err != nil || n < 0 || n > 22 {
			fs.Add("zoom", "must be a whole number from 0 to 22")
		}
		cellKm = geo.CellKMForZoom(n)
	case km != "":
		v, err := strconv.ParseFloat(km, 64)
		if err != nil {
			fs.Add("cell_km", "must be a number of kilometres")
		}
		cellKm = v
	}
	if err := fs.Err(); err != nil {
		return err
	}
	cells, err := community.HouseholdGrid(c.UserContext(), s.deps.Households.Points(), view, cellKm)
	if err != nil {
		return err
	}
	features := make([]geo.Feature, len(cells))
	for i, cell := range cells {
		n := cell.Needs
		props := householdGridProperties{
			Households: n.Households, People: n.People, Accessibility: n.Accessibility, CellKm: cellKm,
			Bedrooms: map[string]int{"0": n.Bedrooms[0], "1": n.Bedrooms[1], "2": n.Bedrooms[2], "3": n.Bedrooms[3], "4": n.Bedrooms[4], "5_or_more": n.Bedrooms[5]},
			Situations: map[string]int{
				"shelter": n.Situations.Shelter, "hotel": n.Situations.Hotel, "family_or_friends": n.Situations.FamilyOrFriends,
				"vehicle": n.Situations.Vehicle, "rental": n.Situations.Rental, "other": n.Situations.Other, "unknown": n.Situations.Unknown,
			},
		}
		raw, err := json.Marshal(props)
		if err != nil {
			return err
		}
		features[i] = geo.Feature{Geometry: cell.Bound.ToPolygon(), Properties: raw}
	}
	c.Set(fiber.HeaderContentType, "application/geo+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.Send(geo.AppendFeatureCollection(nil, features))
}

func (s *Server) consentTexts(c *fiber.Ctx) error {
	lang := c.Query("language")
	if lang != "" && !community.HouseholdLanguage(lang).Valid() {
		var f apperr.Fields
		f.Add("language", "must be en or es")
		return f.Err()
	}
	out := []consentTextWire{}
	for _, t := range community.ConsentTexts() {
		if lang == "" || string(t.Language) == lang {
			out = append(out, toConsentTextWire(t))
		}
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return writeJSON(c, fiber.StatusOK, fiber.Map{"texts": out})
}
