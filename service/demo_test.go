package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"commonground/auth"
	"commonground/community"
	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
	"commonground/service"
)

// demoCommunity is what the demo stored for one community, as read back
// from the database.
type demoCommunity struct {
	ID, Model          string
	Campaigns, Parcels []string
	Members            []demoMember
	Proposals          []demoProposal
	RegionalSeats      int
}

type demoMember struct {
	ID, Class, HouseholdID, PersonID, Status string
	Paid                                     int64
}

type demoProposal struct {
	ID, Kind, Status string
	Electorate       int
}

// seedDemo starts the service with the demo switched on, reads back what
// the communities hold and how many households there are, and stops.
func seedDemo(t *testing.T, cfg service.Config) ([]demoCommunity, int, *service.Service) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("start with the demo: %v", err)
	}
	defer svc.Close(5 * time.Second)
	// A store loaded afresh reads what was written, not what is cached.
	store, err := mongodb.NewCommunityStore(ctx, svc.DB)
	if err != nil {
		t.Fatal(err)
	}
	list, err := store.FindCommunities(ctx, community.CommunityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []demoCommunity
	for _, c := range list {
		dc := demoCommunity{ID: c.ID, Model: string(c.Model), Campaigns: c.CampaignIDs, Parcels: c.ParcelIDs}
		ms, err := store.FindMemberships(ctx, community.MembershipFilter{CommunityID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		members := make([]community.Membership, len(ms))
		for i, m := range ms {
			members[i] = *m
			cl, _ := c.Bylaws.Class(m.ClassKey)
			paid, err := m.Paid(cl.Share.Amount.Currency)
			if err != nil {
				t.Fatal(err)
			}
			dc.Members = append(dc.Members, demoMember{ID: m.ID, Class: m.ClassKey, HouseholdID: m.HouseholdID, PersonID: m.PersonID, Status: string(m.Status), Paid: paid.Minor})
		}
		ps, err := store.FindProposals(ctx, community.ProposalFilter{CommunityID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			dc.Proposals = append(dc.Proposals, demoProposal{ID: p.ID, Kind: string(p.Kind), Status: string(p.Status), Electorate: len(p.Electorate)})
		}
		dues, err := community.DuesFromMemberships(c, members)
		if err != nil {
			t.Fatal(err)
		}
		board, err := community.ApportionBoard(c, dues)
		if err != nil {
			t.Fatalf("board of %s: %v", c.ID, err)
		}
		for _, r := range board.Regional.Regions {
			dc.RegionalSeats += r.Seats
		}
		out = append(out, dc)
	}
	return out, svc.Households.Len(), svc
}

// TestDemoSeedsModelCommunitiesOnce starts the demo twice on one data
// directory: the first start founds the three model communities with their
// members, dues and an open proposal each, linked to demo households and
// campaigns; the second adds nothing.
func TestDemoSeedsModelCommunitiesOnce(t *testing.T) {
	db := mongodbtest.Config(t)
	cfg := service.Config{
		DataDir: t.TempDir(), MongoURI: db.URI, MongoDatabase: db.Database, Demo: true,
		PasswordParams: auth.PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	}
	first, households, svc := seedDemo(t, cfg)

	want := map[string]struct {
		model                string
		campaigns            int
		members, households  int
		kind                 string
		regionalSeats, voter int
	}{
		"demo-community-bear-creek":     {"resident_owned_community", 1, 6, 6, "land_purchase", 0, 6},
		"demo-community-rebuilders":     {"worker_coop", 0, 4, 0, "general", 0, 4},
		"demo-community-jackson-county": {"multistakeholder_coop", 1, 11, 6, "budget", 5, 11},
	}
	if len(first) != len(want) {
		t.Fatalf("seeded %d communities, want %d: %+v", len(first), len(want), first)
	}
	for _, c := range first {
		w, ok := want[c.ID]
		if !ok {
			t.Errorf("unexpected community %s", c.ID)
			continue
		}
		withHousehold := 0
		for _, m := range c.Members {
			if m.Status != "member" || m.Paid <= 0 {
				t.Errorf("%s: member %+v, want a full member who paid dues", c.ID, m)
			}
			if m.HouseholdID != "" {
				withHousehold++
			}
		}
		if c.Model != w.model || len(c.Campaigns) != w.campaigns || len(c.Members) != w.members || withHousehold != w.households {
			t.Errorf("%s = model %s, %d campaigns, %d members (%d households), want %+v", c.ID, c.Model, len(c.Campaigns), len(c.Members), withHousehold, w)
		}
		if len(c.Proposals) != 1 || c.Proposals[0].Kind != w.kind || c.Proposals[0].Status != "open" || c.Proposals[0].Electorate != w.voter {
			t.Errorf("%s proposals = %+v, want one open %s proposal with %d voters", c.ID, c.Proposals, w.kind, w.voter)
		}
		if c.RegionalSeats != w.regionalSeats {
			t.Errorf("%s regional seats = %d, want %d", c.ID, c.RegionalSeats, w.regionalSeats)
		}
	}
	// Household members are demo households, found by their import id.
	for _, c := range first {
		for _, m := range c.Members {
			if m.HouseholdID == "" {
				continue
			}
			if owner, ok := svc.Households.Owner(m.HouseholdID); !ok || owner != "" {
				t.Errorf("%s: member household %s = %q, %v, want an imported demo household", c.ID, m.HouseholdID, owner, ok)
			}
		}
	}

	second, householdsAgain, _ := seedDemo(t, cfg)
	if diff := cmp.Diff(second, first); diff != "" {
		t.Errorf("a second start changed the demo communities (-second +first):\n%s", diff)
	}
	if householdsAgain != households {
		t.Errorf("households = %d after the second start, want %d", householdsAgain, households)
	}
}
