package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"commonground/apperr"
	"commonground/fundpool"
)

// FundPool is the part of the fund pool the demo drives.
type FundPool interface {
	Campaign(ctx context.Context, id string) (fundpool.Campaign, error)
	CreateCampaign(ctx context.Context, by fundpool.Actor, c fundpool.Campaign) (fundpool.Campaign, error)
	TransitionCampaign(ctx context.Context, id string, to fundpool.Status) (fundpool.Campaign, error)
	Pledge(ctx context.Context, key string, p fundpool.Pledge) (fundpool.Pledge, fundpool.Transaction, error)
	AwardGrant(ctx context.Context, key string, g fundpool.Grant) (fundpool.Grant, fundpool.Transaction, error)
	CommitLoan(ctx context.Context, key string, l fundpool.LoanCommitment) (fundpool.LoanCommitment, fundpool.Transaction, error)
	Receive(ctx context.Context, key, campaignID string, kind fundpool.SourceKind, sourceID string, amount fundpool.Money) ([]fundpool.Transaction, error)
}

// organizer is the demo's organizer account id.
const organizer = "demo-organizer"

func usd(dollars int64) fundpool.Money { return fundpool.Money{Amount: dollars * 100, Currency: "USD"} }

// The demo pledgers' names: common in the Rogue Valley's parks, all synthetic.
var firstNames = []string{"María", "José", "Ana", "Luis", "Rosa", "Carmen", "Jesús", "Guadalupe", "Linda", "Robert", "Karen", "Tom", "Sandra", "Miguel", "Teresa", "Dale"}
var lastNames = []string{"García", "Hernández", "López", "Martínez", "Ramírez", "Miller", "Johnson", "Reyes", "Cruz", "Smith", "Flores", "Ortiz"}

type demoCampaign struct {
	c        fundpool.Campaign
	pledges  int
	resident int // how many of the pledges are residents'
	grants   []fundpool.Grant
	loan     *fundpool.LoanCommitment
	fund     bool // mark funded and record receipts
}

func demoCampaigns(now time.Time) []demoCampaign {
	talent := fundpool.Campaign{
		ID:    "demo-talent-creekside",
		Title: fundpool.Text{En: "Creekside land for Talent park families", Es: "Terreno junto al arroyo para las familias del parque de Talent"},
		Story: fundpool.Text{
			En: "Forty households lost their homes when the Almeda Fire burned our park. Together we are buying 6 acres to rebuild as a resident-owned co-op.",
			Es: "Cuarenta familias perdimos nuestras casas cuando el incendio Almeda quemó nuestro parque. Juntos compramos 6 acres para reconstruir como cooperativa de residentes.",
		},
		ParcelIDs: []string{"demo-parcel-talent-1"},
		Budget: []fundpool.BudgetLine{
			{Category: fundpool.BudgetLandPrice, Label: "6.1 acres on Creekside Road", Amount: usd(900_000)},
			{Category: fundpool.BudgetClosingCosts, Label: "Title, survey and escrow", Amount: usd(35_000)},
			{Category: fundpool.BudgetInfrastructure, Label: "Water, sewer and power to 40 pads", Amount: usd(215_000)},
			{Category: fundpool.BudgetReserve, Amount: usd(50_000)},
		},
		Target:   usd(1_200_000),
		Deadline: now.AddDate(0, 2, 0),
		Mode:     fundpool.AllOrNothing,
	}
	phoenix := fundpool.Campaign{
		ID:    "demo-phoenix-bearcreek",
		Title: fundpool.Text{En: "Bear Creek community land trust, Phoenix", Es: "Fideicomiso de tierras comunitario Bear Creek, Phoenix"},
		Story: fundpool.Text{
			En: "A land trust that keeps 24 homes affordable for the families of two Phoenix parks, for good.",
			Es: "Un fideicomiso de tierras que mantiene 24 casas asequibles para las familias de dos parques de Phoenix, para siempre.",
		},
		ParcelIDs: []string{"demo-parcel-phoenix-1", "demo-parcel-phoenix-2"},
		Budget: []fundpool.BudgetLine{
			{Category: fundpool.BudgetLandPrice, Amount: usd(380_000)},
			{Category: fundpool.BudgetClosingCosts, Amount: usd(20_000)},
			{Category: fundpool.BudgetRelocation, Label: "Moving families from temporary housing", Amount: usd(50_000)},
		},
		Target:   usd(450_000),
		Deadline: now.AddDate(0, 1, 0),
		Mode:     fundpool.KeepWhatYouRaise,
	}
	return []demoCampaign{
		{
			c: talent, pledges: 30, resident: 22,
			grants: []fundpool.Grant{{
				Funder: "FEMA", Program: "Hazard Mitigation Grant Program", AwardID: "DEMO-HMGP-4562-OR-0042",
				Awarded: usd(600_000), Uses: []fundpool.Use{fundpool.UseLandAcquisition, fundpool.UseInfrastructure},
				Match:           &fundpool.MatchRule{Match: 1, Per: 1, Cap: usd(100_000)},
				ReportingDuties: "Quarterly financial report to Oregon Emergency Management; closeout report within 90 days of purchase.",
			}},
			loan: &fundpool.LoanCommitment{Lender: "Rogue Valley Community Loan Fund", Amount: usd(150_000), Terms: "3% over 20 years, secured by the land"},
		},
		{
			c: phoenix, pledges: 18, resident: 12, fund: true,
			grants: []fundpool.Grant{{
				Funder: "FEMA", Program: "Individuals and Households Program (relocation)", AwardID: "DEMO-IHP-4562-0117",
				Awarded: usd(45_000), Uses: []fundpool.Use{fundpool.UseRelocation},
			}, {
				Funder: "Oregon Community Foundation", Program: "Wildfire recovery matching fund",
				Uses:  []fundpool.Use{fundpool.UseLandAcquisition},
				Match: &fundpool.MatchRule{Match: 1, Per: 2, Cap: usd(40_000)},
			}},
		},
	}
}

func seedCampaigns(ctx context.Context, env Env) error {
	if env.Funds == nil {
		return nil
	}
	now := time.Now().UTC()
	for _, dc := range demoCampaigns(now) {
		if _, err := env.Funds.Campaign(ctx, dc.c.ID); err == nil {
			continue // seeded on an earlier start
		}
		if err := seedCampaign(ctx, env.Funds, dc); err != nil {
			return fmt.Errorf("campaign %s: %w", dc.c.ID, err)
		}
	}
	return nil
}

func seedCampaign(ctx context.Context, f FundPool, dc demoCampaign) error {
	by := fundpool.Actor{ID: organizer, Role: fundpool.RoleOrganizer}
	if _, err := f.CreateCampaign(ctx, by, dc.c); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	if _, err := f.TransitionCampaign(ctx, dc.c.ID, fundpool.StatusOpen); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	var grantIDs []string
	for i, g := range dc.grants {
		g.CampaignID = dc.c.ID
		if g.Awarded.Currency == "" {
			g.Awarded.Currency = "USD"
		}
		got, _, err := f.AwardGrant(ctx, fmt.Sprintf("demo/%s/grant/%d", dc.c.ID, i), g)
		if err != nil {
			return err
		}
		grantIDs = append(grantIDs, got.ID)
	}
	if dc.loan != nil {
		l := *dc.loan
		l.CampaignID = dc.c.ID
		if _, _, err := f.CommitLoan(ctx, "demo/"+dc.c.ID+"/loan", l); err != nil {
			return err
		}
	}
	// A fixed seed per campaign: the same names and amounts on every machine.
	rng := rand.New(rand.NewPCG(uint64(len(dc.c.ID)), 2020))
	var pledgeIDs []string
	var amounts []fundpool.Money
	for i := range dc.pledges {
		name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		p := fundpool.Pledge{
			CampaignID: dc.c.ID,
			Pledger:    fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: name},
			Amount:     usd(int64(25 * (1 + rng.IntN(80)))),
			Anonymous:  rng.IntN(4) == 0,
		}
		if i < dc.resident {
			p.Pledger.ResidentID = fmt.Sprintf("demo-resident-%02d", i)
		} else if i%5 == 0 {
			p.Pledger = fundpool.Pledger{Kind: fundpool.PledgerOrganisation, Name: "Talent Phoenix Mutual Aid " + fmt.Sprint(i)}
			p.Amount = usd(int64(1000 * (1 + rng.IntN(10))))
		}
		got, _, err := f.Pledge(ctx, fmt.Sprintf("demo/%s/pledge/%d", dc.c.ID, i), p)
		if err != nil {
			return err
		}
		pledgeIDs = append(pledgeIDs, got.ID)
		amounts = append(amounts, got.Amount)
	}
	if !dc.fund {
		return nil
	}
	// A keep-what-you-raise campaign collects while open: most pledgers
	// have paid, which earns the foundation's match, and FEMA paid its award.
	for i, id := range pledgeIDs {
		if i%3 == 2 {
			continue
		}
		if _, err := f.Receive(ctx, fmt.Sprintf("demo/%s/receipt/%d", dc.c.ID, i), dc.c.ID, fundpool.SourcePledge, id, amounts[i]); err != nil {
			return err
		}
	}
	if len(grantIDs) > 0 && dc.grants[0].Awarded.Amount > 0 {
		if _, err := f.Receive(ctx, "demo/"+dc.c.ID+"/grant-receipt/0", dc.c.ID, fundpool.SourceGrant, grantIDs[0], dc.grants[0].Awarded); err != nil {
			return err
		}
	}
	return nil
}
