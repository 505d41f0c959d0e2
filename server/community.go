package server

import (
	"context"
	"crypto/rand"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"commonground/apperr"
	"commonground/community"
)

// CommunityDeps are what the community routes need.
type CommunityDeps struct {
	Store community.Store
	// Households tells which account owns which household; a household
	// membership is held, voted and withdrawn by the household's owner, and
	// where its class votes per person the adults who joined the household
	// with their own accounts vote too.
	// Nil means no households are known, so household classes admit nobody.
	Households HouseholdFinder
	// Now is the clock; nil means time.Now. Tests move it to cross a
	// provisional period or a voting window.
	Now func() time.Time
	// Random supplies ballot secrets; nil means crypto/rand.
	Random io.Reader
}

// HouseholdFinder tells whose household is whose, and nothing more: the
// community routes never need a household's personal data.
// community.Households and community.HouseholdDirectory implement it.
type HouseholdFinder interface {
	// Owner returns the account that owns household id (empty for a family
	// registered by an organizer); ok is false when there is no such
	// household.
	Owner(id string) (accountID string, ok bool)
	// OwnedBy returns the id of the household accountID owns.
	OwnedBy(accountID string) (id string, ok bool)
	// Voters returns the accounts that vote for household id where a class
	// votes per person: its owner, then the adults who joined it.
	Voters(id string) []string
	// VotesWith returns the id of the household accountID joined as a voter.
	VotesWith(accountID string) (id string, ok bool)
}

func (s *Server) community() (*CommunityDeps, error) {
	d := s.deps.Community
	if d == nil || d.Store == nil {
		return nil, apperr.New(apperr.Unavailable, "communities are not available")
	}
	return d, nil
}

func (d *CommunityDeps) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

func (d *CommunityDeps) random() io.Reader {
	if d.Random != nil {
		return d.Random
	}
	return rand.Reader
}

// communityPrincipal turns the caller into the community package's
// principal: the same account and global roles, plus the household the
// account owns.
func (s *Server) communityPrincipal(c *fiber.Ctx) community.Principal {
	ap := principal(c)
	p := community.Principal{AccountID: ap.AccountID}
	for _, r := range ap.Roles {
		p.Roles = append(p.Roles, community.GlobalRole(r))
	}
	if p.AccountID == "" || s.deps.Community == nil {
		return p
	}
	p.HouseholdID, _ = s.deps.Community.ownedBy(p.AccountID)
	return p
}

// principalIn is the caller acting in community cm: communityPrincipal
// plus the organisations it represents there, for whom it may vote.
func (s *Server) principalIn(c *fiber.Ctx, d *CommunityDeps, cm *community.Community) (community.Principal, error) {
	p := s.communityPrincipal(c)
	if p.AccountID == "" {
		return p, nil
	}
	list, err := d.Store.FindMemberships(c.UserContext(), community.MembershipFilter{CommunityID: cm.ID, Holder: &p})
	if err != nil {
		return p, err
	}
	return p.Representing(list), nil
}

func (d *CommunityDeps) votesWith(accountID string) (string, bool) {
	if d.Households == nil || accountID == "" {
		return "", false
	}
	return d.Households.VotesWith(accountID)
}

func (d *CommunityDeps) ownedBy(accountID string) (string, bool) {
	if d.Households == nil {
		return "", false
	}
	return d.Households.OwnedBy(accountID)
}

// householdOf returns p applying for householdID: a household p's account
// owns. An empty householdID means the household the account owns, if any.
// A household that does not exist and one owned by someone else are both
// NotFound, so that an application cannot probe for other families'
// households.
func (d *CommunityDeps) householdOf(p community.Principal, householdID string) (community.Principal, error) {
	if householdID == "" {
		p.HouseholdID, _ = d.ownedBy(p.AccountID)
		return p, nil
	}
	if d.Households == nil {
		return p, apperr.New(apperr.NotFound, "household not found")
	}
	if owner, ok := d.Households.Owner(householdID); !ok || owner == "" || owner != p.AccountID {
		return p, apperr.New(apperr.NotFound, "household not found")
	}
	p.HouseholdID = householdID
	return p, nil
}

func (s *Server) loadCommunity(c *fiber.Ctx) (*CommunityDeps, *community.Community, error) {
	d, err := s.community()
	if err != nil {
		return nil, nil, err
	}
	cm, err := d.Store.FindCommunityByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, nil, err
	}
	return d, cm, nil
}

func (s *Server) createCommunity(c *fiber.Ctx) error {
	d, err := s.community()
	if err != nil {
		return err
	}
	var req communityRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	var f apperr.Fields
	in := community.Community{Name: req.Name, Model: community.Model(req.Model), Regions: toRegions(req.Regions),
		ParcelIDs: req.ParcelIDs, CampaignIDs: req.CampaignIDs, Bylaws: toBylaws(&f, "bylaws.", req.Bylaws)}
	p := s.communityPrincipal(c)
	if err := community.Authorize(p, community.ActionCreateCommunity, nil, nil); err != nil {
		return err
	}
	if err := f.Err(); err != nil {
		return err
	}
	cm, err := community.NewCommunity(uuid.NewString(), p, in, d.now())
	if err != nil {
		return err
	}
	if err := d.Store.CreateCommunity(c.UserContext(), &cm); err != nil {
		return err
	}
	c.Location("/api/v1/communities/" + cm.ID)
	return writeJSON(c, fiber.StatusCreated, communityOut(&cm, p.AccountID))
}

func (s *Server) listCommunities(c *fiber.Ctx) error {
	d, err := s.community()
	if err != nil {
		return err
	}
	f := community.CommunityFilter{Model: community.Model(strings.Clone(c.Query("model")))}
	list, err := d.Store.FindCommunities(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := communityList{Communities: []communitySummary{}}
	for _, cm := range list {
		out.Communities = append(out.Communities, communitySummary{ID: cm.ID, Name: cm.Name, Model: string(cm.Model), BylawsVersion: cm.Bylaws.Version})
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) getCommunity(c *fiber.Ctx) error {
	_, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	p := s.communityPrincipal(c)
	if err := community.Authorize(p, community.ActionViewCommunity, cm, nil); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, communityOut(cm, p.AccountID))
}

func (s *Server) updateCommunity(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	var req communityPatch
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	p := s.communityPrincipal(c)
	if err := community.Authorize(p, community.ActionEditCommunity, cm, nil); err != nil {
		return err
	}
	u := community.CommunityUpdate{Name: req.Name, ParcelIDs: req.ParcelIDs, CampaignIDs: req.CampaignIDs}
	if req.Regions != nil {
		r := toRegions(*req.Regions)
		u.Regions = &r
	}
	if err := cm.Apply(u); err != nil {
		return err
	}
	if err := d.Store.UpdateCommunity(c.UserContext(), cm); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, communityOut(cm, p.AccountID))
}

func (s *Server) getBylaws(c *fiber.Ctx) error {
	_, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	if err := community.Authorize(s.communityPrincipal(c), community.ActionViewCommunity, cm, nil); err != nil {
		return err
	}
	out := bylawsResponse{Current: bylawsOut(&cm.Bylaws), History: []bylawsWire{}}
	for i := range cm.History {
		out.History = append(out.History, bylawsOut(&cm.History[i]))
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) listRoles(c *fiber.Ctx) error {
	_, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	// Whoever sees the member list sees who runs the community.
	if err := community.Authorize(s.communityPrincipal(c), community.ActionListMemberships, cm, nil); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, rolesOut(cm))
}

func (s *Server) grantRole(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	var req roleRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	p := s.communityPrincipal(c)
	if err := community.Authorize(p, community.ActionManageRoles, cm, nil); err != nil {
		return err
	}
	if err := cm.GrantRole(req.AccountID, community.CommunityRole(req.Role), p.AccountID, d.now()); err != nil {
		return err
	}
	if err := d.Store.UpdateCommunity(c.UserContext(), cm); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusCreated, rolesOut(cm))
}

func (s *Server) revokeRole(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	p := s.communityPrincipal(c)
	if err := community.Authorize(p, community.ActionManageRoles, cm, nil); err != nil {
		return err
	}
	if err := cm.RevokeRole(c.Params("accountId"), community.CommunityRole(c.Params("role"))); err != nil {
		return err
	}
	if err := d.Store.UpdateCommunity(c.UserContext(), cm); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, rolesOut(cm))
}

func (app applicationRequest) toApplication() community.Application {
	return community.Application{ID: uuid.NewString(), ClassKey: app.ClassKey, OrganisationName: app.OrganisationName,
		Region: app.Region, Statement: app.Statement}
}

func (s *Server) apply(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	var req applicationRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	p := s.communityPrincipal(c)
	if err := community.Authorize(p, community.ActionApply, cm, nil); err != nil {
		return err
	}
	if p, err = d.householdOf(p, req.HouseholdID); err != nil {
		return err
	}
	m, err := s.admit(c, d, cm, func(existing []community.Membership) (community.Membership, error) {
		return community.Apply(cm, p, req.toApplication(), existing, d.now())
	})
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusCreated, membershipOut(cm, m))
}

// admit creates a membership made by build from the community's existing
// memberships.
func (s *Server) admit(c *fiber.Ctx, d *CommunityDeps, cm *community.Community, build func([]community.Membership) (community.Membership, error)) (*community.Membership, error) {
	list, err := d.Store.FindMemberships(c.UserContext(), community.MembershipFilter{CommunityID: cm.ID})
	if err != nil {
		return nil, err
	}
	existing := make([]community.Membership, len(list))
	for i, m := range list {
		existing[i] = *m
	}
	m, err := build(existing)
	if err != nil {
		return nil, err
	}
	if err := d.Store.CreateMembership(c.UserContext(), &m); err != nil {
		return nil, err
	}
	c.Location("/api/v1/communities/" + cm.ID + "/memberships/" + m.ID)
	return &m, nil
}

func (s *Server) addFoundingMember(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	var req foundingMemberRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	p := s.communityPrincipal(c)
	if err := community.Authorize(p, community.ActionReview, cm, &community.Membership{CommunityID: cm.ID}); err != nil {
		return err
	}
	if req.AccountID == "" {
		var f apperr.Fields
		f.Add("accountId", "must name the founding member's account")
		return f.Err()
	}
	holder, err := d.householdOf(community.Principal{AccountID: req.AccountID}, req.HouseholdID)
	if err != nil {
		return err
	}
	m, err := s.admit(c, d, cm, func(existing []community.Membership) (community.Membership, error) {
		return community.FoundingMember(cm, p, holder, req.toApplication(), existing, d.now())
	})
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusCreated, membershipOut(cm, m))
}

func (s *Server) listMemberships(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	if err := community.Authorize(s.communityPrincipal(c), community.ActionListMemberships, cm, nil); err != nil {
		return err
	}
	f := community.MembershipFilter{CommunityID: cm.ID}
	if st := c.Query("status"); st != "" {
		f.Statuses = []community.Status{community.Status(strings.Clone(st))}
	}
	list, err := d.Store.FindMemberships(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := membershipList{Memberships: []membershipResponse{}}
	for _, m := range list {
		out.Memberships = append(out.Memberships, membershipOut(cm, m))
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func (s *Server) myMemberships(c *fiber.Ctx) error {
	d, err := s.community()
	if err != nil {
		return err
	}
	p := s.communityPrincipal(c)
	list, err := d.Store.FindMemberships(c.UserContext(), community.MembershipFilter{Holder: &p})
	if err != nil {
		return err
	}
	// An adult who joined a household to vote sees its memberships too,
	// without holding them.
	if hid, ok := d.votesWith(p.AccountID); ok {
		more, err := d.Store.FindMemberships(c.UserContext(), community.MembershipFilter{Holder: &community.Principal{AccountID: p.AccountID, HouseholdID: hid}})
		if err != nil {
			return err
		}
		list = append(list, more...)
	}
	out := membershipList{Memberships: []membershipResponse{}}
	for _, m := range list {
		cm, err := d.Store.FindCommunityByID(c.UserContext(), m.CommunityID)
		if err != nil {
			cm = nil
		}
		out.Memberships = append(out.Memberships, membershipOut(cm, m))
	}
	return writeJSON(c, fiber.StatusOK, out)
}

// loadMembership loads the community and membership the path names, and
// checks that the caller may do action a to it. A caller who may not even
// see the membership gets NotFound, as if it did not exist.
func (s *Server) loadMembership(c *fiber.Ctx, a community.Action) (*CommunityDeps, *community.Community, *community.Membership, community.Principal, error) {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return nil, nil, nil, community.Principal{}, err
	}
	p := s.communityPrincipal(c)
	m, err := d.Store.FindMembershipByID(c.UserContext(), c.Params("mid"))
	if err == nil && m.CommunityID != cm.ID {
		err = apperr.New(apperr.NotFound, "membership not found")
	}
	if err != nil {
		return nil, nil, nil, p, err
	}
	if err := community.Authorize(p, community.ActionViewMembership, cm, m); apperr.KindOf(err) == apperr.Forbidden {
		return nil, nil, nil, p, apperr.New(apperr.NotFound, "membership not found")
	} else if err != nil {
		return nil, nil, nil, p, err
	}
	if a != community.ActionViewMembership {
		if err := community.Authorize(p, a, cm, m); err != nil {
			return nil, nil, nil, p, err
		}
	}
	return d, cm, m, p, nil
}

func (s *Server) getMembership(c *fiber.Ctx) error {
	_, cm, m, _, err := s.loadMembership(c, community.ActionViewMembership)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, membershipOut(cm, m))
}

// changeMembership runs one lifecycle step on a membership and stores it.
func (s *Server) changeMembership(c *fiber.Ctx, a community.Action, req any, step func(d *CommunityDeps, cm *community.Community, m *community.Membership, p community.Principal) error) error {
	if req != nil {
		if err := s.decodeJSON(c, req); err != nil {
			return err
		}
	}
	d, cm, m, p, err := s.loadMembership(c, a)
	if err != nil {
		return err
	}
	if err := step(d, cm, m, p); err != nil {
		return err
	}
	if err := d.Store.UpdateMembership(c.UserContext(), m); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, membershipOut(cm, m))
}

func (s *Server) reviewMembership(c *fiber.Ctx) error {
	var req reviewRequest
	return s.changeMembership(c, community.ActionReview, &req, func(d *CommunityDeps, cm *community.Community, m *community.Membership, p community.Principal) error {
		return community.Review(cm, m, p, req.Approve, req.Note, d.now())
	})
}

func (s *Server) recordPayment(c *fiber.Ctx) error {
	var req paymentRequest
	return s.changeMembership(c, community.ActionRecordPayment, &req, func(d *CommunityDeps, cm *community.Community, m *community.Membership, p community.Principal) error {
		return community.RecordPayment(cm, m, p, toMoney(req.Amount), req.Note, d.now())
	})
}

func (s *Server) completeMilestone(c *fiber.Ctx) error {
	var req milestoneRequest
	return s.changeMembership(c, community.ActionVerifyMilestone, &req, func(d *CommunityDeps, cm *community.Community, m *community.Membership, p community.Principal) error {
		if req.ProposalID == "" {
			return community.CompleteMilestone(cm, m, req.Milestone, p, req.Note, d.now())
		}
		prop, err := d.Store.FindProposalByID(c.UserContext(), req.ProposalID)
		if apperr.KindOf(err) == apperr.NotFound {
			var f apperr.Fields
			f.Add("proposalId", "names no proposal")
			return f.Err()
		} else if err != nil {
			return err
		}
		return community.CompleteMilestoneByVote(cm, m, req.Milestone, prop, d.now())
	})
}

// withdrawMembership takes an optional body: index values are needed only
// when the refund follows an index.
func (s *Server) withdrawMembership(c *fiber.Ctx) error {
	var req withdrawRequest
	var body any
	if len(c.Request().Header.ContentType()) > 0 {
		body = &req
	}
	return s.changeMembership(c, community.ActionWithdraw, body, func(d *CommunityDeps, cm *community.Community, m *community.Membership, p community.Principal) error {
		return community.Withdraw(cm, m, p, d.now(), toIndex(req.Index))
	})
}

// changeRepresentative hands an organisation's membership to another
// account, which must exist and be active.
func (s *Server) changeRepresentative(c *fiber.Ctx) error {
	var req representativeRequest
	return s.changeMembership(c, community.ActionChangeRep, &req, func(d *CommunityDeps, cm *community.Community, m *community.Membership, p community.Principal) error {
		if req.AccountID != "" {
			a, err := s.deps.Auth.Store.FindAccountByID(c.UserContext(), req.AccountID)
			if apperr.Is(err, apperr.NotFound) || err == nil && a.Disabled {
				return apperr.Validation([]apperr.FieldError{{Field: "accountId", Reason: "names no active account"}})
			}
			if err != nil {
				return err
			}
		}
		return community.ChangeRepresentative(cm, m, p, req.AccountID)
	})
}

func (s *Server) exitMembership(c *fiber.Ctx) error {
	var req exitRequest
	return s.changeMembership(c, community.ActionExitMember, &req, func(d *CommunityDeps, cm *community.Community, m *community.Membership, p community.Principal) error {
		return community.Exit(cm, m, p, req.Reason, d.now(), toIndex(req.Index))
	})
}

// ownMembership returns p's full membership of cm that may propose, or
// nil: a member proposes in that capacity, an admin or organizer without.
func ownMembership(ctx context.Context, d *CommunityDeps, cm *community.Community, p community.Principal) (*community.Membership, error) {
	list, err := d.Store.FindMemberships(ctx, community.MembershipFilter{CommunityID: cm.ID, Statuses: []community.Status{community.StatusMember}, Holder: &p})
	if err != nil {
		return nil, err
	}
	var found *community.Membership
	for _, m := range list {
		if cl, ok := cm.Bylaws.Class(m.ClassKey); ok && cl.MayPropose {
			return m, nil
		}
		found = m
	}
	return found, nil
}

func (s *Server) createProposal(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	var req proposalRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.principalIn(c, d, cm)
	if err != nil {
		return err
	}
	own, err := ownMembership(c.UserContext(), d, cm, p)
	if err != nil {
		return err
	}
	if err := community.Authorize(p, community.ActionPropose, cm, own); err != nil {
		return err
	}
	var f apperr.Fields
	draft := toDraft(&f, uuid.NewString(), req)
	if err := f.Err(); err != nil {
		return err
	}
	if draft.MembershipID != "" {
		if m, err := d.Store.FindMembershipByID(c.UserContext(), draft.MembershipID); err != nil || m.CommunityID != cm.ID {
			f.Add("membershipId", "names no membership of this community")
			return f.Err()
		}
	}
	prop, err := community.NewProposal(cm, p, own, draft, d.now())
	if err != nil {
		return err
	}
	if err := d.Store.CreateProposal(c.UserContext(), &prop); err != nil {
		return err
	}
	c.Location("/api/v1/communities/" + cm.ID + "/proposals/" + prop.ID)
	return writeJSON(c, fiber.StatusCreated, proposalOut(&prop, p))
}

func (s *Server) listProposals(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	p, err := s.principalIn(c, d, cm)
	if err != nil {
		return err
	}
	if err := community.Authorize(p, community.ActionViewProposal, cm, nil); err != nil {
		return err
	}
	f := community.ProposalFilter{CommunityID: cm.ID}
	if st := c.Query("status"); st != "" {
		f.Statuses = []community.ProposalStatus{community.ProposalStatus(strings.Clone(st))}
	}
	list, err := d.Store.FindProposals(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := proposalList{Proposals: []proposalResponse{}}
	for _, prop := range list {
		out.Proposals = append(out.Proposals, proposalOut(prop, p))
	}
	return writeJSON(c, fiber.StatusOK, out)
}

// loadProposal loads the community and proposal the path names and checks
// that the caller may do action a.
func (s *Server) loadProposal(c *fiber.Ctx, a community.Action) (*CommunityDeps, *community.Community, *community.Proposal, community.Principal, error) {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return nil, nil, nil, community.Principal{}, err
	}
	p, err := s.principalIn(c, d, cm)
	if err != nil {
		return nil, nil, nil, p, err
	}
	if err := community.Authorize(p, a, cm, nil); err != nil {
		return nil, nil, nil, p, err
	}
	prop, err := d.Store.FindProposalByID(c.UserContext(), c.Params("pid"))
	if err == nil && prop.CommunityID != cm.ID {
		err = apperr.New(apperr.NotFound, "proposal not found")
	}
	if err != nil {
		return nil, nil, nil, p, err
	}
	return d, cm, prop, p, nil
}

func (s *Server) getProposal(c *fiber.Ctx) error {
	_, _, prop, p, err := s.loadProposal(c, community.ActionViewProposal)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, proposalOut(prop, p))
}

func (s *Server) openProposal(c *fiber.Ctx) error {
	d, cm, prop, p, err := s.loadProposal(c, community.ActionOpenVoting)
	if err != nil {
		return err
	}
	list, err := d.Store.FindMemberships(c.UserContext(), community.MembershipFilter{CommunityID: cm.ID, Statuses: []community.Status{community.StatusMember}})
	if err != nil {
		return err
	}
	members := make([]community.Membership, len(list))
	rosters := map[string][]string{}
	for i, m := range list {
		members[i] = *m
		if cl, ok := cm.Bylaws.Class(m.ClassKey); ok && m.HouseholdID != "" && cl.VoteBasis == community.VotePerPerson {
			rosters[m.HouseholdID] = d.roster(m.HouseholdID)
		}
	}
	if err := prop.Open(cm, members, rosters, d.now()); err != nil {
		return err
	}
	if err := d.Store.UpdateProposal(c.UserContext(), prop); err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, proposalOut(prop, p))
}

// roster returns the accounts that vote for a household of a class that
// votes per person: its owner and the adults who joined it with their own
// accounts. Members without an account cannot vote by themselves; a
// household without an owner, or no longer registered, casts no vote.
func (d *CommunityDeps) roster(householdID string) []string {
	if d.Households == nil {
		return nil
	}
	return d.Households.Voters(householdID)
}

func (s *Server) castBallot(c *fiber.Ctx) error {
	var req voteRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	d, _, prop, p, err := s.loadProposal(c, community.ActionVote)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	vote := community.Vote{VoterKey: req.VoterKey, Option: req.Option, Secret: req.Secret}
	look, err := prop.Lookup(p, vote)
	if err != nil {
		return err
	}
	var prior *community.Ballot
	if look.BallotID != "" {
		if prior, err = d.Store.FindBallotByID(ctx, look.BallotID); apperr.KindOf(err) == apperr.NotFound {
			prior = nil
		} else if err != nil {
			return err
		}
	}
	participated := false
	if look.ParticipationID != "" {
		_, err := d.Store.FindParticipationByID(ctx, look.ParticipationID)
		switch apperr.KindOf(err) {
		case "":
			participated = true
		case apperr.NotFound:
		default:
			return err
		}
	}
	cast, err := prop.Cast(p, vote, prior, participated, d.now(), d.random())
	if err != nil {
		return err
	}
	switch {
	case cast.Participation != nil:
		if err := d.Store.CreateParticipation(ctx, cast.Participation); err != nil {
			return conflictMessage(err, "you have already voted")
		}
		// The ballot's id is fixed by its secret, so a retry after a
		// failed insert cannot make a second ballot.
		err := d.Store.CreateBallot(ctx, &cast.Ballot)
		if err != nil && apperr.KindOf(err) != apperr.Conflict {
			err = d.Store.CreateBallot(context.WithoutCancel(ctx), &cast.Ballot)
		}
		if err != nil && apperr.KindOf(err) != apperr.Conflict {
			return err
		}
	case cast.Replaces:
		if err := d.Store.UpdateBallot(ctx, &cast.Ballot); err != nil {
			return err
		}
	default:
		if err := d.Store.CreateBallot(ctx, &cast.Ballot); err != nil {
			return conflictMessage(err, "you have already voted")
		}
	}
	status := fiber.StatusCreated
	if cast.Replaces {
		status = fiber.StatusOK
	}
	return writeJSON(c, status, voteResponse{ProposalID: prop.ID, Option: cast.Ballot.Option, VoterKey: cast.Ballot.VoterKey,
		Replaced: cast.Replaces, Secret: cast.Secret})
}

func conflictMessage(err error, msg string) error {
	if apperr.KindOf(err) == apperr.Conflict {
		return apperr.Wrap(apperr.Conflict, err, "%s", msg)
	}
	return err
}

// closeProposal closes voting and puts an adopted decision into force:
// new bylaws, or the member_vote milestone of an admission. Closing a
// closed proposal again retries whatever did not take effect.
func (s *Server) closeProposal(c *fiber.Ctx) error {
	d, cm, prop, _, err := s.loadProposal(c, community.ActionCloseVoting)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if prop.Status != community.ProposalClosed {
		ballots, err := d.Store.FindBallots(ctx, prop.ID)
		if err != nil {
			return err
		}
		if _, err := prop.Close(ballots, d.now()); err != nil {
			return err
		}
		if err := d.Store.UpdateProposal(ctx, prop); err != nil {
			return err
		}
	}
	effects, err := s.putIntoForce(ctx, d, cm, prop)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, closeResponse{Result: resultOut(prop.Result), Effects: effects})
}

func (s *Server) putIntoForce(ctx context.Context, d *CommunityDeps, cm *community.Community, prop *community.Proposal) ([]string, error) {
	effects := []string{}
	if prop.Result == nil || !prop.Result.Adopted {
		return effects, nil
	}
	now := d.now()
	switch prop.Kind {
	case community.KindBylawsChange:
		if cm.Bylaws.AdoptedBy == prop.ID {
			return append(effects, "bylaws version already in force"), nil
		}
		if err := cm.AdoptBylaws(prop, now); err != nil {
			return nil, err
		}
		if err := d.Store.UpdateCommunity(ctx, cm); err != nil {
			return nil, err
		}
		effects = append(effects, "bylaws version "+strconv.Itoa(cm.Bylaws.Version)+" in force")
	case community.KindAdmission:
		m, err := d.Store.FindMembershipByID(ctx, prop.MembershipID)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(m.Milestones, func(r community.MilestoneRecord) bool { return r.ProposalID == prop.ID }) {
			return append(effects, "admission vote already recorded"), nil
		}
		next, ok := m.NextMilestone(cm)
		if !ok || next.Kind != community.MilestoneMemberVote {
			// The vote stays on record; the milestone is completed with
			// this proposal once the milestones before it are met.
			return append(effects, "admission adopted; its member_vote milestone is not next on the pathway yet"), nil
		}
		if err := community.CompleteMilestoneByVote(cm, m, next.Key, prop, now); err != nil {
			return nil, err
		}
		if err := d.Store.UpdateMembership(ctx, m); err != nil {
			return nil, err
		}
		effects = append(effects, "milestone "+next.Key+" completed; membership is "+string(m.Status))
	}
	return effects, nil
}

func (s *Server) getResults(c *fiber.Ctx) error {
	_, _, prop, _, err := s.loadProposal(c, community.ActionViewProposal)
	if err != nil {
		return err
	}
	if prop.Result == nil {
		return apperr.New(apperr.Conflict, "results are published when voting closes")
	}
	return writeJSON(c, fiber.StatusOK, resultOut(prop.Result))
}

func (s *Server) getBoard(c *fiber.Ctx) error {
	d, cm, err := s.loadCommunity(c)
	if err != nil {
		return err
	}
	if err := community.Authorize(s.communityPrincipal(c), community.ActionViewBoard, cm, nil); err != nil {
		return err
	}
	list, err := d.Store.FindMemberships(c.UserContext(), community.MembershipFilter{CommunityID: cm.ID, Statuses: []community.Status{community.StatusMember}})
	if err != nil {
		return err
	}
	members := make([]community.Membership, len(list))
	for i, m := range list {
		members[i] = *m
	}
	dues, err := community.DuesFromMemberships(cm, members)
	if err != nil {
		return err
	}
	b, err := community.ApportionBoard(cm, dues)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, boardOut(b))
}
