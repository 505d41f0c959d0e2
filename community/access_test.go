package community

import (
	"testing"

	"commonground/apperr"
)

func TestAuthorize(t *testing.T) {
	c := withOrganizer(MultistakeholderCoop("msc", adminID, t0))
	other := MultistakeholderCoop("other", "acct-other-admin", t0)
	members := seedMembers(&c, "resident", 2, func(int) int64 { return 0 })
	own := &members[0]
	ownerP := holder(own)
	supporter := seedMembers(&c, "supporter", 1, func(int) int64 { return 0 })[0]
	applicant := members[1]
	applicant.Status = StatusApplied
	foreign := seedMembers(&other, "resident", 1, func(int) int64 { return 0 })[0]

	ok, unauth, forb, nf := apperr.Kind(""), apperr.Unauthorized, apperr.Forbidden, apperr.NotFound
	tests := []struct {
		name string
		p    Principal
		a    Action
		c    *Community
		m    *Membership
		want apperr.Kind
	}{
		{"anyone views a community", Principal{}, ActionViewCommunity, &c, nil, ok},
		{"anyone views the board", Principal{}, ActionViewBoard, &c, nil, ok},
		{"view of no community", Principal{}, ActionViewCommunity, nil, nil, nf},
		{"anonymous cannot apply", Principal{}, ActionApply, &c, nil, unauth},
		{"resident applies", stranger, ActionApply, &c, nil, ok},
		{"steward alone does not apply", steward, ActionApply, &c, nil, forb},
		{"organizer creates", admin, ActionCreateCommunity, nil, nil, ok},
		{"steward creates", steward, ActionCreateCommunity, nil, nil, ok},
		{"resident cannot create", stranger, ActionCreateCommunity, nil, nil, forb},
		{"community admin edits", admin, ActionEditCommunity, &c, nil, ok},
		{"global organizer without community role cannot edit", Principal{AccountID: "x", Roles: []GlobalRole{RoleOrganizer}}, ActionEditCommunity, &c, nil, forb},
		{"community admin of another community cannot edit", Principal{AccountID: "acct-other-admin"}, ActionEditCommunity, &c, nil, forb},
		{"steward edits", steward, ActionEditCommunity, &c, nil, ok},
		{"community organizer cannot edit", organizer, ActionEditCommunity, &c, nil, forb},
		{"community organizer cannot manage roles", organizer, ActionManageRoles, &c, nil, forb},
		{"steward manages roles", steward, ActionManageRoles, &c, nil, ok},
		{"community organizer lists members", organizer, ActionListMemberships, &c, nil, ok},
		{"resident cannot list members", stranger, ActionListMemberships, &c, nil, forb},
		{"holder views own membership", ownerP, ActionViewMembership, &c, own, ok},
		{"other household cannot view", stranger, ActionViewMembership, &c, own, forb},
		{"organizer views membership", organizer, ActionViewMembership, &c, own, ok},
		{"membership of another community", admin, ActionViewMembership, &c, &foreign, nf},
		{"admin reviews", admin, ActionReview, &c, &applicant, ok},
		{"organizer cannot review", organizer, ActionReview, &c, &applicant, forb},
		{"steward cannot review", steward, ActionReview, &c, &applicant, forb},
		{"organizer verifies milestones", organizer, ActionVerifyMilestone, &c, own, ok},
		{"steward verifies milestones", steward, ActionVerifyMilestone, &c, own, ok},
		{"holder cannot verify own milestone", ownerP, ActionVerifyMilestone, &c, own, forb},
		{"organizer records payment", organizer, ActionRecordPayment, &c, own, ok},
		{"steward cannot record payment", steward, ActionRecordPayment, &c, own, forb},
		{"holder withdraws", ownerP, ActionWithdraw, &c, own, ok},
		{"admin cannot withdraw for member", admin, ActionWithdraw, &c, own, forb},
		{"admin exits member", admin, ActionExitMember, &c, own, ok},
		{"admin changes an organisation's representative", admin, ActionChangeRep, &c, own, ok},
		{"holder cannot hand the membership on", ownerP, ActionChangeRep, &c, own, forb},
		{"organizer cannot change the representative", organizer, ActionChangeRep, &c, own, forb},
		{"steward cannot change the representative", steward, ActionChangeRep, &c, own, forb},
		{"member of a proposing class proposes", ownerP, ActionPropose, &c, own, ok},
		{"supporter class may not propose", holder(&supporter), ActionPropose, &c, &supporter, forb},
		{"applicant may not propose", holder(&applicant), ActionPropose, &c, &applicant, forb},
		{"someone else's membership does not let you propose", stranger, ActionPropose, &c, own, forb},
		{"organizer proposes", organizer, ActionPropose, &c, nil, ok},
		{"organizer opens voting", organizer, ActionOpenVoting, &c, nil, ok},
		{"member cannot close voting", ownerP, ActionCloseVoting, &c, nil, forb},
		{"signed-in principal may try to vote", stranger, ActionVote, &c, nil, ok},
		{"anonymous cannot vote", Principal{}, ActionVote, &c, nil, unauth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.KindOf(Authorize(tt.p, tt.a, tt.c, tt.m)); got != tt.want {
				t.Errorf("Authorize() kind = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCommunityRoles(t *testing.T) {
	c := ResidentOwnedPark("park", adminID, t0)
	must(t, c.GrantRole("acct-2", RoleCommunityOrganizer, adminID, t0))
	wantKind(t, c.GrantRole("acct-2", RoleCommunityOrganizer, adminID, t0), apperr.Conflict)
	wantKind(t, c.GrantRole("acct-2", "mayor", adminID, t0), apperr.Unprocessable)
	if got := c.VerifiersOf(Principal{AccountID: "acct-2", Roles: []GlobalRole{RoleSteward}}); len(got) != 2 ||
		got[0] != VerifierCommunityOrganizer || got[1] != VerifierSteward {
		t.Errorf("VerifiersOf = %v", got)
	}
	wantKind(t, c.RevokeRole(adminID, RoleCommunityAdmin), apperr.Conflict) // the last admin
	must(t, c.GrantRole("acct-2", RoleCommunityAdmin, adminID, t0))
	must(t, c.RevokeRole(adminID, RoleCommunityAdmin))
	wantKind(t, c.RevokeRole(adminID, RoleCommunityAdmin), apperr.NotFound)
	if c.HasRole(adminID, RoleCommunityAdmin) || !c.HasRole("acct-2", RoleCommunityAdmin) {
		t.Errorf("roles after revoke: %+v", c.Roles)
	}
}
