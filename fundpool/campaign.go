package fundpool

import (
	"fmt"
	"time"
	"unicode/utf8"

	"commonground/apperr"
)

// Text is a piece of text in the two languages Common Ground serves: many of
// the displaced households speak Spanish.
type Text struct {
	En string
	Es string
}

// Mode says what happens to pledges when a campaign's deadline passes.
type Mode string

// The campaign modes.
const (
	// AllOrNothing collects pledges only if the target is reached by the
	// deadline; otherwise every outstanding pledge is released.
	AllOrNothing Mode = "all_or_nothing"
	// KeepWhatYouRaise keeps whatever was raised by the deadline.
	KeepWhatYouRaise Mode = "keep_what_you_raise"
)

// Status is where a campaign is in its life.
type Status string

// The campaign statuses. Completed, Failed and Cancelled are final.
const (
	StatusDraft      Status = "draft"
	StatusOpen       Status = "open"
	StatusFunded     Status = "funded"
	StatusPurchasing Status = "purchasing"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
)

// transitions lists, for each status, the statuses it may move to.
// A funded or purchasing campaign may still be cancelled (the land deal fell
// through); money already received is then handled by disbursement records,
// never by editing the ledger.
var transitions = map[Status][]Status{
	StatusDraft:      {StatusOpen, StatusCancelled},
	StatusOpen:       {StatusFunded, StatusFailed, StatusCancelled},
	StatusFunded:     {StatusPurchasing, StatusCancelled},
	StatusPurchasing: {StatusCompleted, StatusCancelled},
}

// CanTransition reports whether a campaign in status s may move to status to.
func (s Status) CanTransition(to Status) bool {
	for _, t := range transitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusOpen, StatusFunded, StatusPurchasing, StatusCompleted, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// BudgetCategory names a line of a campaign's budget.
type BudgetCategory string

// The budget categories.
const (
	BudgetLandPrice           BudgetCategory = "land_price"
	BudgetClosingCosts        BudgetCategory = "closing_costs"
	BudgetInfrastructure      BudgetCategory = "infrastructure"
	BudgetHousingConstruction BudgetCategory = "housing_construction"
	BudgetRelocation          BudgetCategory = "relocation"
	BudgetAdministration      BudgetCategory = "administration"
	BudgetReserve             BudgetCategory = "reserve"
	BudgetOther               BudgetCategory = "other"
)

func (c BudgetCategory) valid() bool {
	switch c {
	case BudgetLandPrice, BudgetClosingCosts, BudgetInfrastructure, BudgetHousingConstruction,
		BudgetRelocation, BudgetAdministration, BudgetReserve, BudgetOther:
		return true
	}
	return false
}

// BudgetLine is one item of a campaign's budget.
type BudgetLine struct {
	Category BudgetCategory
	Label    string // free text such as "Survey and title insurance"
	Amount   Money
}

// Campaign is a fund pool toward one collective purchase of land.
type Campaign struct {
	ID          string
	CommunityID string // the community buying, when it exists
	Title       Text
	Story       Text
	ParcelIDs   []string
	Budget      []BudgetLine
	Target      Money // equals the sum of Budget
	Deadline    time.Time
	Mode        Mode
	Status      Status
	CreatedBy   string // account id of the organizer
	CreatedAt   time.Time
	UpdatedAt   time.Time
	OpenedAt    time.Time
	FundedAt    time.Time // when the campaign moved to funded
	ClosedAt    time.Time // when it reached a final status
	// Version counts updates, so a store can refuse a write based on a stale read.
	Version int64
}

// Limits on campaign fields: generous for people, small enough that one
// document stays well inside a database's size limit.
const (
	MaxTitleLen    = 200
	MaxStoryLen    = 20000
	MaxParcels     = 50
	MaxBudgetLines = 50
	MaxLabelLen    = 200
	MaxIDLen       = 64
)

// Currency returns the campaign's currency: its target's, or DefaultCurrency.
func (c Campaign) Currency() string {
	if c.Target.Currency == "" {
		return DefaultCurrency
	}
	return c.Target.Currency
}

// Validate checks every rule a campaign must keep and returns one
// Unprocessable error naming every bad field, or nil.
func (c Campaign) Validate() error {
	var f apperr.Fields
	checkID(&f, "id", c.ID)
	if c.Title.En == "" && c.Title.Es == "" {
		f.Add("title", "must be given in English or Spanish")
	}
	checkText(&f, "title", c.Title, MaxTitleLen)
	checkText(&f, "story", c.Story, MaxStoryLen)
	if len(c.ParcelIDs) > MaxParcels {
		f.Add("parcel_ids", "must list at most %d parcels", MaxParcels)
	}
	seen := make(map[string]bool, len(c.ParcelIDs))
	for i, p := range c.ParcelIDs {
		field := fmt.Sprintf("parcel_ids.%d", i)
		checkID(&f, field, p)
		if seen[p] {
			f.Add(field, "is listed twice")
		}
		seen[p] = true
	}
	c.validateBudget(&f)
	if c.Deadline.IsZero() {
		f.Add("deadline", "must be given")
	}
	if c.Mode != AllOrNothing && c.Mode != KeepWhatYouRaise {
		f.Add("mode", "must be %s or %s", AllOrNothing, KeepWhatYouRaise)
	}
	if !c.Status.Valid() {
		f.Add("status", "is not a campaign status")
	}
	return f.Err()
}

func (c Campaign) validateBudget(f *apperr.Fields) {
	cur := c.Currency()
	c.Target.CheckPositive(f, "target")
	if len(c.Budget) == 0 {
		f.Add("budget", "must have at least one line")
	}
	if len(c.Budget) > MaxBudgetLines {
		f.Add("budget", "must have at most %d lines", MaxBudgetLines)
	}
	sum := Money{Currency: cur}
	sumOK := true
	for i, line := range c.Budget {
		field := fmt.Sprintf("budget.%d", i)
		if !line.Category.valid() {
			f.Add(field+".category", "is not a budget category")
		}
		if utf8.RuneCountInString(line.Label) > MaxLabelLen {
			f.Add(field+".label", "must be at most %d characters", MaxLabelLen)
		}
		n := len(*f)
		checkAmountIn(f, field+".amount", line.Amount, c)
		if len(*f) > n {
			sumOK = false
			continue
		}
		s, err := sum.Add(line.Amount)
		if err != nil {
			f.Add(field+".amount", "makes the budget too large")
			sumOK = false
			continue
		}
		sum = s
	}
	if sumOK && len(c.Budget) > 0 && sum != c.Target {
		f.Add("budget", "lines sum to %s but the target is %s", sum, c.Target)
	}
}

func checkText(f *apperr.Fields, field string, t Text, limit int) {
	for _, ls := range [2][2]string{{"en", t.En}, {"es", t.Es}} {
		lang, s := ls[0], ls[1]
		if !utf8.ValidString(s) {
			f.Add(field+"."+lang, "must be valid UTF-8")
		} else if utf8.RuneCountInString(s) > limit {
			f.Add(field+"."+lang, "must be at most %d characters", limit)
		}
	}
}

// checkID adds a field error unless id is a usable identifier: 1 to MaxIDLen
// letters, digits, '-' or '_'. Ledger account names embed ids, so ':' and
// other separators are refused.
func checkID(f *apperr.Fields, field, id string) {
	if !validID(id) {
		f.Add(field, "must be 1 to %d letters, digits, '-' or '_'", MaxIDLen)
	}
}

func validID(id string) bool {
	if id == "" || len(id) > MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// NewCampaign returns c as a new draft created by organizer by at time at:
// the currency defaults to DefaultCurrency for the target and any budget
// line that names none, and the result is validated.
func NewCampaign(c Campaign, by string, at time.Time) (Campaign, error) {
	if c.Target.Currency == "" {
		c.Target.Currency = DefaultCurrency
	}
	c.Budget = append([]BudgetLine(nil), c.Budget...)
	for i := range c.Budget {
		if c.Budget[i].Amount.Currency == "" {
			c.Budget[i].Amount.Currency = c.Target.Currency
		}
	}
	c.Status, c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version = StatusDraft, by, at, at, 1
	c.OpenedAt, c.FundedAt, c.ClosedAt = time.Time{}, time.Time{}, time.Time{}
	if err := c.Validate(); err != nil {
		return Campaign{}, err
	}
	return c, nil
}

// Transition moves the campaign to status to at time at, refusing moves the
// status machine does not allow with a Conflict error. Opening needs a valid
// campaign whose deadline is still ahead.
func (c *Campaign) Transition(to Status, at time.Time) error {
	if !c.Status.CanTransition(to) {
		return apperr.New(apperr.Conflict, "a %s campaign cannot become %s", c.Status, to)
	}
	if to == StatusOpen {
		if err := c.Validate(); err != nil {
			return err
		}
		if !c.Deadline.After(at) {
			var f apperr.Fields
			f.Add("deadline", "must be in the future to open the campaign")
			return f.Err()
		}
		c.OpenedAt = at
	}
	switch to {
	case StatusFunded:
		c.FundedAt = at
	case StatusCompleted, StatusFailed, StatusCancelled:
		c.ClosedAt = at
	}
	c.Status = to
	c.UpdatedAt = at
	c.Version++
	return nil
}

// CampaignUpdate changes a draft campaign; a nil field means "leave as is".
type CampaignUpdate struct {
	Title     *Text
	Story     *Text
	ParcelIDs *[]string
	Budget    *[]BudgetLine
	Target    *Money
	Deadline  *time.Time
	Mode      *Mode
}

// Apply applies u to the campaign and validates the result. Money terms
// (budget, target, mode, deadline) change only while the campaign is a draft,
// because pledgers committed to them; title and story may be corrected any
// time before the campaign is closed.
func (c *Campaign) Apply(u CampaignUpdate, at time.Time) error {
	next := *c
	moneyTerms := u.ParcelIDs != nil || u.Budget != nil || u.Target != nil || u.Deadline != nil || u.Mode != nil
	if moneyTerms && c.Status != StatusDraft {
		return apperr.New(apperr.Conflict, "budget, target, parcels, deadline and mode change only while the campaign is a draft")
	}
	if c.Status == StatusCompleted || c.Status == StatusFailed || c.Status == StatusCancelled {
		return apperr.New(apperr.Conflict, "a %s campaign cannot be changed", c.Status)
	}
	if u.Title != nil {
		next.Title = *u.Title
	}
	if u.Story != nil {
		next.Story = *u.Story
	}
	if u.ParcelIDs != nil {
		next.ParcelIDs = append([]string(nil), (*u.ParcelIDs)...)
	}
	if u.Budget != nil {
		next.Budget = append([]BudgetLine(nil), (*u.Budget)...)
	}
	if u.Target != nil {
		next.Target = *u.Target
	}
	if u.Deadline != nil {
		next.Deadline = *u.Deadline
	}
	if u.Mode != nil {
		next.Mode = *u.Mode
	}
	if err := next.Validate(); err != nil {
		return err
	}
	next.UpdatedAt = at
	next.Version++
	*c = next
	return nil
}

// acceptsPledges returns a Conflict error unless new pledges, grants and
// loans may be recorded: only while the campaign is open.
func (c Campaign) acceptsPledges() error {
	if c.Status != StatusOpen {
		return apperr.New(apperr.Conflict, "campaign is %s and does not accept new pledges", c.Status)
	}
	return nil
}

// PledgeRefusal says why campaign c would refuse a pledge made at time at,
// in words safe to show on the pledge form; "" means it accepts pledges.
func (c Campaign) PledgeRefusal(at time.Time) string {
	err := c.acceptsPledges()
	if err == nil {
		err = c.beforeDeadline(at)
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// beforeDeadline returns a Conflict unless at is before the deadline: a
// promise made later could not count toward the target in time, even if the
// deadline job has not yet closed the campaign.
func (c Campaign) beforeDeadline(at time.Time) error {
	if !at.Before(c.Deadline) {
		return apperr.New(apperr.Conflict, "the campaign's deadline has passed")
	}
	return nil
}

// acceptsMoney returns a Conflict error unless money may be received or paid
// out. An all-or-nothing campaign collects only once funded, so nothing ever
// has to be paid back when it fails; a keep-what-you-raise campaign collects
// while open as well.
func (c Campaign) acceptsMoney() error {
	switch c.Status {
	case StatusFunded, StatusPurchasing:
		return nil
	case StatusOpen:
		if c.Mode == KeepWhatYouRaise {
			return nil
		}
		return apperr.New(apperr.Conflict, "an all-or-nothing campaign collects money only once funded")
	}
	return apperr.New(apperr.Conflict, "campaign is %s and does not move money", c.Status)
}
