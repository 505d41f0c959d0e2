package demo

import (
	"context"
	"fmt"
	"time"

	"commonground/apperr"
	"commonground/community"
)

// Communities is the part of the community store the demo drives.
type Communities interface {
	community.CommunityStore
	community.MembershipStore
	community.ProposalStore
}

// demoMember is a founding member of a demo community. Household members
// stand for demo households (by their import's external id); the accounts
// are synthetic ids that nobody signs in with.
type demoMember struct {
	account   string
	class     string
	household string // external id of a demo household, for household classes
	// organisation names the organisation the account represents, for
	// organisation classes.
	organisation string
	region       string
	paid         int64 // US cents paid towards the share, in one instalment
}

type demoCommunity struct {
	id        string
	model     func(id, adminID string, now time.Time) community.Community
	campaigns []string
	parcels   []string
	members   []demoMember
	kind      community.ProposalKind
	text      map[community.Language]community.Text
	options   []community.Option // nil for consensus, which has fixed options
}

// demoCommunities are the three model communities, each with founding
// members and one proposal open for voting. The park and the land trust's
// households are the demo's registered households; the resident accounts
// are the ones the demo campaigns' resident pledges name.
func demoCommunities() []demoCommunity {
	var park, msc []demoMember
	for i := range 6 {
		paid := int64(100_000)
		if i%3 == 2 {
			paid = 40_000 // four of ten instalments so far
		}
		park = append(park, demoMember{account: fmt.Sprintf("demo-resident-%02d", i), class: "resident", household: fmt.Sprintf("demo-%d", i), paid: paid})
	}
	for i, region := range []string{"talent", "talent", "talent", "phoenix", "phoenix", "medford"} {
		msc = append(msc, demoMember{account: fmt.Sprintf("demo-resident-%02d", 20+i), class: "resident", household: fmt.Sprintf("demo-%d", 20+i), region: region, paid: 30_000})
	}
	msc = append(msc,
		demoMember{account: "demo-worker-10", class: "worker", region: "medford", paid: 10_000},
		demoMember{account: "demo-worker-11", class: "worker", region: "ashland", paid: 5_000},
		demoMember{account: "demo-supporter-1", class: "supporter", region: "ashland", paid: 2_500},
		demoMember{account: "demo-supporter-2", class: "supporter", region: "eagle_point", paid: 2_500},
		demoMember{account: "demo-partner-1", class: "organisation", organisation: "Rogue Valley Habitat for Humanity", region: "medford", paid: 50_000},
	)
	var workers []demoMember
	for i := range 4 {
		paid := int64(50_000)
		if i == 3 {
			paid = 10_000
		}
		workers = append(workers, demoMember{account: fmt.Sprintf("demo-worker-%02d", i), class: "worker", paid: paid})
	}
	text := func(en, es string) map[community.Language]community.Text {
		return map[community.Language]community.Text{community.English: {Title: en}, community.Spanish: {Title: es}}
	}
	return []demoCommunity{
		{
			id: "demo-community-bear-creek", model: community.ResidentOwnedPark,
			campaigns: []string{"demo-talent-creekside"}, parcels: []string{"demo-parcel-talent-1"},
			members: park, kind: community.KindLandPurchase, options: community.YesNoOptions(),
			text: text("Buy the 6.1 acres on Creekside Road", "Comprar los 6.1 acres en Creekside Road"),
		},
		{
			id: "demo-community-rebuilders", model: community.WorkerCoop,
			members: workers, kind: community.KindGeneral,
			text: text("Take on the rebuild of twelve pads at Creekside", "Asumir la reconstrucción de doce lotes en Creekside"),
		},
		{
			id: "demo-community-jackson-county", model: community.MultistakeholderCoop,
			campaigns: []string{"demo-phoenix-bearcreek"}, parcels: []string{"demo-parcel-phoenix-1", "demo-parcel-phoenix-2"},
			members: msc, kind: community.KindBudget, options: community.YesNoOptions(),
			text: text("Adopt the first year's operating budget", "Aprobar el presupuesto de operación del primer año"),
		},
	}
}

// seedCommunities founds the three model communities with the demo
// organizer as their admin, records their founding members and dues, and
// opens one proposal in each. Every record has a fixed id and is written
// only when missing, so a restart adds nothing.
func seedCommunities(ctx context.Context, env Env) error {
	if env.Communities == nil {
		return nil
	}
	now := time.Now().UTC()
	for _, dc := range demoCommunities() {
		if err := seedCommunity(ctx, env, dc, now); err != nil {
			return fmt.Errorf("community %s: %w", dc.id, err)
		}
	}
	return nil
}

func seedCommunity(ctx context.Context, env Env, dc demoCommunity, now time.Time) error {
	admin := community.Principal{AccountID: organizer, Roles: []community.GlobalRole{community.RoleOrganizer}}
	c, err := env.Communities.FindCommunityByID(ctx, dc.id)
	if apperr.Is(err, apperr.NotFound) {
		in := dc.model(dc.id, organizer, now)
		in.CampaignIDs, in.ParcelIDs = dc.campaigns, dc.parcels
		founded, err := community.NewCommunity(dc.id, admin, in, now)
		if err != nil {
			return err
		}
		if err := env.Communities.CreateCommunity(ctx, &founded); err != nil {
			return err
		}
		c = &founded
	} else if err != nil {
		return err
	}

	list, err := env.Communities.FindMemberships(ctx, community.MembershipFilter{CommunityID: c.ID})
	if err != nil {
		return err
	}
	existing := make([]community.Membership, 0, len(list))
	have := map[string]bool{}
	for _, m := range list {
		existing = append(existing, *m)
		have[m.ID] = true
	}
	for i, dm := range dc.members {
		id := fmt.Sprintf("%s-member-%d", c.ID, i)
		if have[id] {
			continue
		}
		holder := community.Principal{AccountID: dm.account}
		if dm.household != "" {
			if env.Households == nil {
				continue
			}
			hid, ok := env.Households.IDByExternalID(dm.household)
			if !ok {
				continue
			}
			holder.HouseholdID = hid
		}
		// Founders join when the community is founded, so that a restart
		// long after still falls within the founding period.
		at := c.CreatedAt
		m, err := community.FoundingMember(c, admin, holder, community.Application{ID: id, ClassKey: dm.class, Region: dm.region, OrganisationName: dm.organisation}, existing, at)
		if err != nil {
			return fmt.Errorf("member %d: %w", i, err)
		}
		if dm.paid > 0 {
			cl, _ := c.Bylaws.Class(dm.class)
			paid := community.Money{Minor: dm.paid, Currency: cl.Share.Amount.Currency}
			if err := community.RecordPayment(c, &m, admin, paid, "dues paid at founding", at); err != nil {
				return fmt.Errorf("member %d: %w", i, err)
			}
		}
		if err := env.Communities.CreateMembership(ctx, &m); err != nil {
			return fmt.Errorf("member %d: %w", i, err)
		}
		existing = append(existing, m)
	}
	return seedProposal(ctx, env.Communities, c, admin, dc, existing, now)
}

// seedProposal drafts the community's demo proposal and opens it at once,
// with the founding members as its electorate.
func seedProposal(ctx context.Context, store Communities, c *community.Community, admin community.Principal, dc demoCommunity, members []community.Membership, now time.Time) error {
	id := c.ID + "-proposal-1"
	if _, err := store.FindProposalByID(ctx, id); err == nil || !apperr.Is(err, apperr.NotFound) {
		return err
	}
	rule, ok := c.Bylaws.Rule(dc.kind)
	if !ok {
		return fmt.Errorf("the bylaws have no rule for %s proposals", dc.kind)
	}
	p, err := community.NewProposal(c, admin, nil, community.Draft{
		ID: id, Kind: dc.kind, Text: dc.text, Options: dc.options, Opens: now, Closes: now.Add(rule.MinWindow),
	}, now)
	if err != nil {
		return err
	}
	// No model class votes per person for a household, so no rosters.
	if err := p.Open(c, members, nil, now); err != nil {
		return err
	}
	return store.CreateProposal(ctx, &p)
}
