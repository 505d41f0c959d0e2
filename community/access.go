package community

import (
	"slices"
	"time"

	"commonground/apperr"
)

// GlobalRole is a platform-wide role held by an account. The values match
// the account roles of the identity layer; the server converts them when it
// builds a Principal.
type GlobalRole string

// Global roles.
const (
	RoleResident  GlobalRole = "resident"
	RoleOrganizer GlobalRole = "organizer"
	RoleSteward   GlobalRole = "steward"
)

// CommunityRole is a role an account holds in one community only.
type CommunityRole string

// Community roles. Admins review applications and run the community's
// records; organizers help: they verify milestones, record payments and
// run votes.
const (
	RoleCommunityAdmin     CommunityRole = "community_admin"
	RoleCommunityOrganizer CommunityRole = "community_organizer"
)

// RoleGrant records that an account holds a community role. Grants live in
// the community document so that one write changes them.
type RoleGrant struct {
	AccountID string
	Role      CommunityRole
	GrantedBy string
	GrantedAt time.Time
}

// Principal is who is acting: an account, the household it belongs to, the
// organisations it represents in the community at hand (their
// OrganisationKeys, from the memberships it holds as representative) and
// its global roles. The zero Principal is an anonymous visitor.
type Principal struct {
	AccountID       string
	HouseholdID     string
	OrganisationIDs []string
	Roles           []GlobalRole
}

// Has reports whether p holds the global role r.
func (p Principal) Has(r GlobalRole) bool { return slices.Contains(p.Roles, r) }

// RolesOf returns the community roles an account holds in c.
func (c *Community) RolesOf(accountID string) []CommunityRole {
	var out []CommunityRole
	if accountID == "" {
		return nil
	}
	for _, g := range c.Roles {
		if g.AccountID == accountID {
			out = append(out, g.Role)
		}
	}
	return out
}

// HasRole reports whether an account holds role r in c.
func (c *Community) HasRole(accountID string, r CommunityRole) bool {
	return slices.Contains(c.RolesOf(accountID), r)
}

// GrantRole gives an account a community role; granting a role already held
// is a conflict so that a repeated request is visible.
func (c *Community) GrantRole(accountID string, r CommunityRole, by string, now time.Time) error {
	if accountID == "" {
		return apperr.New(apperr.Unprocessable, "an account is required")
	}
	if r != RoleCommunityAdmin && r != RoleCommunityOrganizer {
		return apperr.New(apperr.Unprocessable, "unknown community role %q", r)
	}
	if c.HasRole(accountID, r) {
		return apperr.New(apperr.Conflict, "the account already holds this role")
	}
	c.Roles = append(c.Roles, RoleGrant{AccountID: accountID, Role: r, GrantedBy: by, GrantedAt: now})
	return nil
}

// RevokeRole removes a community role. The last community admin cannot be
// removed: a community without one could not admit anybody.
func (c *Community) RevokeRole(accountID string, r CommunityRole) error {
	i := slices.IndexFunc(c.Roles, func(g RoleGrant) bool { return g.AccountID == accountID && g.Role == r })
	if i < 0 {
		return apperr.New(apperr.NotFound, "the account does not hold this role")
	}
	if r == RoleCommunityAdmin {
		admins := 0
		for _, g := range c.Roles {
			if g.Role == RoleCommunityAdmin {
				admins++
			}
		}
		if admins == 1 {
			return apperr.New(apperr.Conflict, "a community needs at least one admin")
		}
	}
	c.Roles = slices.Delete(slices.Clone(c.Roles), i, i+1)
	return nil
}

// VerifiersOf returns the capacities in which p may verify milestones in c.
func (c *Community) VerifiersOf(p Principal) []Verifier {
	var out []Verifier
	if p.AccountID == "" {
		return nil
	}
	if c.HasRole(p.AccountID, RoleCommunityAdmin) {
		out = append(out, VerifierCommunityAdmin)
	}
	if c.HasRole(p.AccountID, RoleCommunityOrganizer) {
		out = append(out, VerifierCommunityOrganizer)
	}
	if p.Has(RoleSteward) {
		out = append(out, VerifierSteward)
	}
	return out
}

// Owns reports whether m is p's own membership: its household's, its own
// as a person, or an organisation's it applied for as representative.
func (p Principal) Owns(m *Membership) bool {
	if p.AccountID == "" || m == nil {
		return false
	}
	switch {
	case m.HouseholdID != "":
		return m.HouseholdID == p.HouseholdID
	case m.OrganisationID != "":
		return m.RepresentativeID == p.AccountID
	default:
		return m.PersonID == p.AccountID
	}
}

// Representing returns p with the organisations whose active memberships
// among ms it holds as representative, so that it may vote for them. ms
// should be the memberships of the one community p is acting in. A
// representative whose membership ended no longer speaks for the
// organisation, even when someone else has since applied for it.
func (p Principal) Representing(ms []*Membership) Principal {
	var orgs []string
	for _, m := range ms {
		if m.OrganisationID != "" && p.AccountID != "" && m.RepresentativeID == p.AccountID && m.Status.Active() && !slices.Contains(orgs, m.OrganisationID) {
			orgs = append(orgs, m.OrganisationID)
		}
	}
	p.OrganisationIDs = orgs
	return p
}

// Action is something a principal may try to do to a community, a
// membership or a proposal.
type Action string

// Actions checked by Authorize.
const (
	ActionViewCommunity   Action = "community.view"
	ActionCreateCommunity Action = "community.create"
	ActionEditCommunity   Action = "community.edit"
	ActionManageRoles     Action = "community.manage_roles"
	ActionViewBoard       Action = "community.view_board"
	ActionListMemberships Action = "membership.list"
	ActionApply           Action = "membership.apply"
	ActionViewMembership  Action = "membership.view"
	ActionReview          Action = "membership.review"
	ActionVerifyMilestone Action = "membership.verify_milestone"
	ActionRecordPayment   Action = "membership.record_payment"
	ActionWithdraw        Action = "membership.withdraw"
	ActionExitMember      Action = "membership.exit"
	ActionChangeRep       Action = "membership.change_representative"
	ActionPropose         Action = "proposal.create"
	ActionViewProposal    Action = "proposal.view"
	ActionOpenVoting      Action = "proposal.open"
	ActionCloseVoting     Action = "proposal.close"
	ActionVote            Action = "proposal.vote"
)

// Authorize answers whether principal p may do action a on community c and,
// for membership actions, membership m (for ActionPropose, m is p's own
// membership, or nil when p proposes as a community admin or organizer). It
// combines p's global roles with its roles in c and returns nil, or an
// Unauthorized, Forbidden or NotFound error.
//
// A vote is authorized for any signed-in principal here; whether they are
// in the electorate is checked when the ballot is cast, against the
// snapshot taken when voting opened.
func Authorize(p Principal, a Action, c *Community, m *Membership) error {
	switch a {
	case ActionViewCommunity, ActionViewBoard:
		if c == nil {
			return apperr.New(apperr.NotFound, "community not found")
		}
		return nil // communities and their boards are public
	}
	if p.AccountID == "" {
		return apperr.New(apperr.Unauthorized, "sign in first")
	}
	if a == ActionCreateCommunity {
		if p.Has(RoleOrganizer) || p.Has(RoleSteward) {
			return nil
		}
		return forbidden()
	}
	if c == nil {
		return apperr.New(apperr.NotFound, "community not found")
	}
	if m != nil && m.CommunityID != c.ID {
		return apperr.New(apperr.NotFound, "membership not found")
	}
	admin := c.HasRole(p.AccountID, RoleCommunityAdmin)
	organizer := c.HasRole(p.AccountID, RoleCommunityOrganizer)
	steward := p.Has(RoleSteward)
	allowed := false
	switch a {
	case ActionEditCommunity, ActionManageRoles:
		allowed = admin || steward
	case ActionListMemberships:
		allowed = admin || organizer || steward
	case ActionApply:
		allowed = p.Has(RoleResident) || p.Has(RoleOrganizer)
	case ActionViewMembership:
		allowed = m != nil && (p.Owns(m) || admin || organizer || steward)
	case ActionReview, ActionExitMember, ActionChangeRep:
		allowed = m != nil && admin
	case ActionVerifyMilestone:
		allowed = m != nil && len(c.VerifiersOf(p)) > 0 && !p.Owns(m)
	case ActionRecordPayment:
		allowed = m != nil && (admin || organizer)
	case ActionWithdraw:
		allowed = m != nil && p.Owns(m)
	case ActionPropose:
		allowed = admin || organizer || mayPropose(p, c, m)
	case ActionViewProposal, ActionVote:
		allowed = true
	case ActionOpenVoting, ActionCloseVoting:
		allowed = admin || organizer
	}
	if !allowed {
		return forbidden()
	}
	return nil
}

func forbidden() error {
	return apperr.New(apperr.Forbidden, "you may not do this in this community")
}

func mayPropose(p Principal, c *Community, m *Membership) bool {
	if m == nil || m.Status != StatusMember || !p.Owns(m) {
		return false
	}
	cl, ok := c.Bylaws.Class(m.ClassKey)
	return ok && cl.MayPropose
}
