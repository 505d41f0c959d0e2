package community

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewCommunity(t *testing.T) {
	in := MultistakeholderCoop("", "ignored", t0)
	in.Bylaws.Version = 7
	c, err := NewCommunity("jc", admin, in, t0)
	must(t, err)
	if c.Bylaws.Version != 1 || len(c.Roles) != 1 || c.Roles[0].AccountID != admin.AccountID || c.Roles[0].Role != RoleCommunityAdmin {
		t.Fatalf("community = version %d roles %+v", c.Bylaws.Version, c.Roles)
	}
	_, err = NewCommunity("jc", stranger, in, t0)
	wantKind(t, err, "forbidden")

	in.Name, in.Model = "", "commune"
	_, err = NewCommunity("jc", admin, in, t0)
	if diff := cmp.Diff(fieldsOf(t, err), []string{"name", "model"}); diff != "" {
		t.Errorf("fields (-got +want):\n%s", diff)
	}
}

func TestCommunityNeedsAnAdmin(t *testing.T) {
	c := ResidentOwnedPark("park", adminID, t0)
	c.Roles = []RoleGrant{{AccountID: "x", Role: RoleCommunityOrganizer}}
	if diff := cmp.Diff(fieldsOf(t, c.Validate()), []string{"roles"}); diff != "" {
		t.Error(diff)
	}
}

func TestCommunityApply(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	name := "Jackson County Homes"
	parcels := []string{"parcel-1", "parcel-2"}
	must(t, c.Apply(CommunityUpdate{Name: &name, ParcelIDs: &parcels}))
	if c.Name != name || !cmp.Equal(c.ParcelIDs, parcels) || len(c.Regions) != 5 {
		t.Fatalf("after update: %q %v %d regions", c.Name, c.ParcelIDs, len(c.Regions))
	}
	before := c
	noRegions := []Region{}
	dup := []string{"p", "p"}
	err := c.Apply(CommunityUpdate{Regions: &noRegions, CampaignIDs: &dup})
	if diff := cmp.Diff(fieldsOf(t, err), []string{"campaignIds.1", "bylaws.board.regionalSeats"}); diff != "" {
		t.Errorf("fields (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(c, before); diff != "" {
		t.Errorf("community changed by a refused update (-got +want):\n%s", diff)
	}
}
