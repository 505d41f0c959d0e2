package fundpool

import (
	"strings"
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
)

func TestCampaignValidateNamesEveryBadField(t *testing.T) {
	c := Campaign{
		ID:        "bad id",
		Title:     Text{Es: strings.Repeat("x", MaxTitleLen+1)},
		ParcelIDs: []string{"p1", "p1", ""},
		Budget: []BudgetLine{
			{Category: "yacht", Amount: usd(100)},
			{Category: BudgetLandPrice, Amount: usd(0)},
			{Category: BudgetReserve, Amount: Money{100, "EUR"}},
		},
		Target: usd(100),
		Mode:   "maybe",
		Status: "limbo",
	}
	got := fieldNames(t, c.Validate())
	want := []string{
		"id", "title.es", "parcel_ids.1", "parcel_ids.2",
		"budget.0.category", "budget.1.amount.amount_minor", "budget.2.amount.currency",
		"deadline", "mode", "status",
	}
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("fields (-got +want):\n%s", d)
	}
}

func TestCampaignBudgetMustSumToTarget(t *testing.T) {
	c := openCampaign(t, "c1", AllOrNothing)
	c.Target = usd(100001)
	if got, want := fieldNames(t, c.Validate()), []string{"budget"}; !cmp.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
	c.Target = usd(100000)
	c.Budget = nil
	if got, want := fieldNames(t, c.Validate()), []string{"budget"}; !cmp.Equal(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestCampaignDefaultsToUSD(t *testing.T) {
	if got := (Campaign{}).Currency(); got != "USD" {
		t.Errorf("Currency() = %q, want USD", got)
	}
}

func TestStatusTransitions(t *testing.T) {
	all := []Status{StatusDraft, StatusOpen, StatusFunded, StatusPurchasing, StatusCompleted, StatusFailed, StatusCancelled}
	allowed := map[[2]Status]bool{
		{StatusDraft, StatusOpen}: true, {StatusDraft, StatusCancelled}: true,
		{StatusOpen, StatusFunded}: true, {StatusOpen, StatusFailed}: true, {StatusOpen, StatusCancelled}: true,
		{StatusFunded, StatusPurchasing}: true, {StatusFunded, StatusCancelled}: true,
		{StatusPurchasing, StatusCompleted}: true, {StatusPurchasing, StatusCancelled}: true,
	}
	for _, from := range all {
		for _, to := range all {
			c := openCampaign(t, "c1", AllOrNothing)
			c.Status = from
			err := c.Transition(to, t0)
			if want := allowed[[2]Status{from, to}]; (err == nil) != want {
				t.Errorf("%s → %s: err = %v, want allowed=%v", from, to, err, want)
			}
			if err != nil {
				wantKind(t, err, apperr.Conflict)
				if c.Status != from {
					t.Errorf("refused %s → %s changed status to %s", from, to, c.Status)
				}
			} else if c.Status != to {
				t.Errorf("%s → %s left status %s", from, to, c.Status)
			}
		}
	}
}

func TestOpenNeedsFutureDeadlineAndValidCampaign(t *testing.T) {
	c := openCampaign(t, "c1", AllOrNothing)
	c.Status = StatusDraft
	if err := c.Transition(StatusOpen, c.Deadline); err == nil {
		t.Fatal("opened a campaign at its deadline")
	}
	c.Budget = nil
	if err := c.Transition(StatusOpen, t0); err == nil {
		t.Fatal("opened an invalid campaign")
	}
	if c.Status != StatusDraft {
		t.Errorf("status = %s after refused opening", c.Status)
	}
}

func TestTransitionStampsTimes(t *testing.T) {
	c := openCampaign(t, "c1", AllOrNothing)
	at := t0.Add(48 * time.Hour)
	must[struct{}](t)(struct{}{}, c.Transition(StatusFunded, at))
	if !c.FundedAt.Equal(at) || c.Version != 2 {
		t.Errorf("FundedAt = %v, Version = %d; want %v, 2", c.FundedAt, c.Version, at)
	}
}

func TestCampaignApply(t *testing.T) {
	c := openCampaign(t, "c1", AllOrNothing)
	c.Status = StatusDraft
	target := usd(5000)
	budget := []BudgetLine{{Category: BudgetLandPrice, Amount: usd(5000)}}
	if err := c.Apply(CampaignUpdate{Target: &target, Budget: &budget}, t0); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if c.Target != target || len(c.Budget) != 1 {
		t.Errorf("Apply did not change target and budget: %+v", c)
	}
	bad := usd(6000)
	before := c
	if err := c.Apply(CampaignUpdate{Target: &bad}, t0); err == nil {
		t.Fatal("Apply accepted a target that the budget does not sum to")
	}
	if !cmp.Equal(c, before) {
		t.Error("refused Apply changed the campaign")
	}
	c.Status = StatusOpen
	wantKind(t, c.Apply(CampaignUpdate{Target: &target}, t0), apperr.Conflict)
	story := Text{En: "We lost our park in the fire.", Es: "Perdimos nuestro parque en el incendio."}
	if err := c.Apply(CampaignUpdate{Story: &story}, t0); err != nil {
		t.Errorf("story correction of an open campaign: %v", err)
	}
}

func TestNewCampaignDefaults(t *testing.T) {
	in := Campaign{
		ID:       "c1",
		Title:    Text{Es: "Terreno para Phoenix"},
		Budget:   []BudgetLine{{Category: BudgetLandPrice, Amount: Money{Amount: 5000}}},
		Target:   Money{Amount: 5000},
		Deadline: t0.Add(time.Hour),
		Mode:     KeepWhatYouRaise,
		Status:   StatusFunded, // ignored: a new campaign is a draft
	}
	c, err := NewCampaign(in, "o1", t0)
	if err != nil {
		t.Fatalf("NewCampaign: %v", err)
	}
	if c.Status != StatusDraft || c.Target != usd(5000) || c.Budget[0].Amount != usd(5000) || c.CreatedBy != "o1" || c.Version != 1 {
		t.Errorf("NewCampaign = %+v", c)
	}
	if in.Budget[0].Amount.Currency != "" {
		t.Error("NewCampaign changed its input's budget")
	}
	in.Mode = ""
	_, err = NewCampaign(in, "o1", t0)
	if got := fieldNames(t, err); !cmp.Equal(got, []string{"mode"}) {
		t.Errorf("fields = %v, want [mode]", got)
	}
}
