package community

import (
	"fmt"
	"slices"
	"time"

	"commonground/apperr"
)

// Model is the legal and economic form of a community; it sets expectations
// (a land trust keeps the land, a limited-equity co-op caps resale) while
// the bylaws carry the rules themselves.
type Model string

// Community models.
const (
	ModelHousingCoop            Model = "housing_coop"
	ModelLimitedEquityCoop      Model = "limited_equity_coop"
	ModelCommunityLandTrust     Model = "community_land_trust"
	ModelResidentOwnedCommunity Model = "resident_owned_community"
	ModelMultistakeholderCoop   Model = "multistakeholder_coop"
	ModelWorkerCoop             Model = "worker_coop"
)

// Region is an area a community draws members from; regional board seats
// are apportioned among regions.
type Region struct {
	Key  string
	Name string
}

// Community is a group of people rebuilding together and the rules they
// govern themselves by. Parcels and fund campaigns live in other packages
// and are linked by ID.
type Community struct {
	ID          string
	Name        string
	Model       Model
	Regions     []Region
	ParcelIDs   []string
	CampaignIDs []string
	// Bylaws is the version in force; History holds the earlier versions,
	// oldest first, so that a decision can be read against the rules of its
	// day.
	Bylaws  Bylaws
	History []Bylaws
	// Roles are the community-scoped roles held by accounts.
	Roles     []RoleGrant
	CreatedAt time.Time
	// Revision increases with every write; a store replaces a community only
	// when the revision it read is still current.
	Revision int64
}

// Validate checks a community and its bylaws and returns an Unprocessable
// error naming every bad field.
func (c *Community) Validate() error {
	var f apperr.Fields
	validName(&f, "name", c.Name)
	switch c.Model {
	case ModelHousingCoop, ModelLimitedEquityCoop, ModelCommunityLandTrust,
		ModelResidentOwnedCommunity, ModelMultistakeholderCoop, ModelWorkerCoop:
	default:
		f.Add("model", "is not a known community model")
	}
	seen := map[string]bool{}
	for i, r := range c.Regions {
		p := fmt.Sprintf("regions.%d.", i)
		switch {
		case !validKey(r.Key):
			f.Add(p+"key", keyReason)
		case seen[r.Key]:
			f.Add(p+"key", "duplicates another region")
		}
		seen[r.Key] = true
		validName(&f, p+"name", r.Name)
	}
	validIDs(&f, "parcelIds", c.ParcelIDs)
	validIDs(&f, "campaignIds", c.CampaignIDs)
	for i, g := range c.Roles {
		p := fmt.Sprintf("roles.%d.", i)
		if g.AccountID == "" {
			f.Add(p+"accountId", "must not be empty")
		}
		if g.Role != RoleCommunityAdmin && g.Role != RoleCommunityOrganizer {
			f.Add(p+"role", "must be community_admin or community_organizer")
		}
	}
	if !slices.ContainsFunc(c.Roles, func(g RoleGrant) bool { return g.Role == RoleCommunityAdmin }) {
		f.Add("roles", "a community needs at least one community_admin")
	}
	c.checkBylaws(&f, &c.Bylaws, "bylaws.")
	return f.Err()
}

// NewCommunity founds a community from in (name, model, regions, links and
// founding bylaws) with creator as its first community admin. The founding
// bylaws become version 1.
func NewCommunity(id string, creator Principal, in Community, now time.Time) (Community, error) {
	if err := Authorize(creator, ActionCreateCommunity, nil, nil); err != nil {
		return Community{}, err
	}
	c := Community{
		ID: id, Name: in.Name, Model: in.Model, Regions: in.Regions,
		ParcelIDs: in.ParcelIDs, CampaignIDs: in.CampaignIDs, Bylaws: in.Bylaws,
		Roles:     []RoleGrant{{AccountID: creator.AccountID, Role: RoleCommunityAdmin, GrantedBy: creator.AccountID, GrantedAt: now}},
		CreatedAt: now,
	}
	c.Bylaws.Version, c.Bylaws.AdoptedAt, c.Bylaws.AdoptedBy = 1, now, ""
	if id == "" {
		return Community{}, fieldErr("id", "must not be empty")
	}
	if err := c.Validate(); err != nil {
		return Community{}, err
	}
	return c, nil
}

// CommunityUpdate changes the parts of a community its admins may edit
// directly; a nil field means "leave as is". Bylaws change only by a vote
// (AdoptBylaws), roles by GrantRole and RevokeRole.
type CommunityUpdate struct {
	Name        *string
	Regions     *[]Region
	ParcelIDs   *[]string
	CampaignIDs *[]string
}

// Apply applies u if the result is valid; otherwise c is unchanged and the
// error names every bad field.
func (c *Community) Apply(u CommunityUpdate) error {
	next := *c
	if u.Name != nil {
		next.Name = *u.Name
	}
	if u.Regions != nil {
		next.Regions = *u.Regions
	}
	if u.ParcelIDs != nil {
		next.ParcelIDs = *u.ParcelIDs
	}
	if u.CampaignIDs != nil {
		next.CampaignIDs = *u.CampaignIDs
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*c = next
	return nil
}

// checkBylaws validates bylaws b for community c: on their own, and
// against the community's regions.
func (c *Community) checkBylaws(f *apperr.Fields, b *Bylaws, prefix string) {
	b.validate(f, prefix)
	if b.Board.RegionalSeats > 0 && len(c.Regions) == 0 {
		f.Add(prefix+"board.regionalSeats", "needs at least one region")
	}
}

func validIDs(f *apperr.Fields, field string, ids []string) {
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case id == "" || len(id) > 100:
			f.Add(fmt.Sprintf("%s.%d", field, i), "must be 1 to 100 characters")
		case seen[id]:
			f.Add(fmt.Sprintf("%s.%d", field, i), "is listed twice")
		}
		seen[id] = true
	}
}

// Region returns the region with the given key.
func (c *Community) Region(key string) (Region, bool) {
	for _, r := range c.Regions {
		if r.Key == key {
			return r, true
		}
	}
	return Region{}, false
}

// AdoptBylaws puts into force the bylaws carried by a closed bylaws_change
// proposal that passed. The old version moves to History. A change drafted
// against an older version is refused as a conflict, since it was voted on
// as an edit of rules no longer in force.
func (c *Community) AdoptBylaws(p *Proposal, now time.Time) error {
	if p.CommunityID != c.ID || p.Kind != KindBylawsChange || p.NewBylaws == nil {
		return apperr.New(apperr.Unprocessable, "the proposal does not change this community's bylaws")
	}
	if p.Result == nil || !p.Result.Adopted {
		return apperr.New(apperr.Unprocessable, "the proposal was not adopted")
	}
	if p.NewBylaws.Version != c.Bylaws.Version+1 {
		return apperr.New(apperr.Conflict, "the bylaws changed since this proposal was drafted")
	}
	next := *p.NewBylaws
	next.AdoptedAt = now
	next.AdoptedBy = p.ID
	var f apperr.Fields
	if c.checkBylaws(&f, &next, "newBylaws."); len(f) > 0 {
		return f.Err()
	}
	c.History = append(c.History, c.Bylaws)
	c.Bylaws = next
	return nil
}
