package fundpool

import (
	"fmt"
	"time"
	"unicode/utf8"

	"commonground/apperr"
)

// PledgerKind says whether a pledge comes from a person or an organisation.
type PledgerKind string

// The pledger kinds.
const (
	PledgerPerson       PledgerKind = "person"
	PledgerOrganisation PledgerKind = "organisation"
)

// Pledger is who made a pledge. Organizers always see the name; the public
// sees "Anonymous" when the pledge asks for it.
type Pledger struct {
	Kind PledgerKind
	Name string
	// AccountID links the pledge to a signed-in account; ResidentID to a
	// displaced household's member. Only resident pledges are matched.
	AccountID  string
	ResidentID string
}

// Instalment is one payment of a pledge's schedule.
type Instalment struct {
	Due    time.Time
	Amount Money
}

// PledgeState is where a pledge stands. It is derived from the ledger
// (Book.PledgeStatus), never stored apart from it.
type PledgeState string

// The pledge states. A pledge partly received stays "received" with
// Outstanding above zero until it is paid in full, cancelled or released.
const (
	PledgePledged   PledgeState = "pledged"
	PledgeReceived  PledgeState = "received"
	PledgeCancelled PledgeState = "cancelled"
	PledgeReleased  PledgeState = "released"
)

// Pledge is a promise of money to a campaign.
type Pledge struct {
	ID         string
	CampaignID string
	Pledger    Pledger
	Amount     Money
	Schedule   []Instalment // optional; its amounts sum to Amount, due dates ascending
	Anonymous  bool
	CreatedAt  time.Time
}

// Limits on source fields.
const (
	MaxNameLen        = 200
	MaxInstalments    = 120
	MaxReportingNotes = 4000
)

// AnonymousName is shown in public in place of an anonymous pledger's name.
const AnonymousName = "Anonymous"

// PublicName returns the pledger's name as the public ledger shows it.
func (p Pledge) PublicName() string {
	if p.Anonymous {
		return AnonymousName
	}
	return p.Pledger.Name
}

// Validate checks the pledge against its campaign: a positive amount in the
// campaign's currency, a well-formed schedule and an open campaign (Conflict
// if it is not open). Field errors name every bad field.
func (p Pledge) Validate(c Campaign) error {
	var f apperr.Fields
	checkOwner(&f, p.ID, p.CampaignID, c)
	switch p.Pledger.Kind {
	case PledgerPerson, PledgerOrganisation:
	default:
		f.Add("pledger.kind", "must be %s or %s", PledgerPerson, PledgerOrganisation)
	}
	checkName(&f, "pledger.name", p.Pledger.Name, true)
	if p.Pledger.ResidentID != "" {
		checkID(&f, "pledger.resident_id", p.Pledger.ResidentID)
	}
	checkAmountIn(&f, "amount", p.Amount, c)
	if len(p.Schedule) > MaxInstalments {
		f.Add("schedule", "must have at most %d instalments", MaxInstalments)
	} else if len(p.Schedule) > 0 {
		sum := Money{Currency: p.Amount.Currency}
		for i, in := range p.Schedule {
			field := fmt.Sprintf("schedule.%d", i)
			checkAmountIn(&f, field+".amount", in.Amount, c)
			if in.Due.IsZero() {
				f.Add(field+".due", "must be given")
			} else if i > 0 && !in.Due.After(p.Schedule[i-1].Due) {
				f.Add(field+".due", "must come after the previous instalment")
			}
			sum.Amount += in.Amount.Amount // each at most MaxAmount; no overflow in 120 lines
		}
		if sum.Amount != p.Amount.Amount {
			f.Add("schedule", "instalments sum to %s but the pledge is %s", sum, p.Amount)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	return c.acceptsPledges()
}

// checkOwner checks the id of a record and that it belongs to campaign c.
func checkOwner(f *apperr.Fields, id, campaignID string, c Campaign) {
	checkID(f, "id", id)
	if campaignID != c.ID {
		f.Add("campaign_id", "must be the campaign's id")
	}
}

// checkAmountIn adds field errors unless m is positive and in c's currency.
func checkAmountIn(f *apperr.Fields, field string, m Money, c Campaign) {
	if m.Currency != c.Currency() {
		f.Add(field+".currency", "must be %s, the campaign's currency", c.Currency())
		m.Currency = c.Currency()
	}
	m.CheckPositive(f, field)
}

func checkName(f *apperr.Fields, field, name string, required bool) {
	switch {
	case required && name == "":
		f.Add(field, "must not be empty")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLen:
		f.Add(field, "must be at most %d characters of text", MaxNameLen)
	}
}

// Grant is money awarded by a funder, restricted to some uses.
type Grant struct {
	ID              string
	CampaignID      string
	Funder          string // "FEMA"
	Program         string // "Hazard Mitigation Grant Program"
	AwardID         string // the funder's reference
	Awarded         Money  // may be zero only for a grant that only matches
	Uses            []Use
	Match           *MatchRule
	ReportingDuties string // what the funder asks to be told, and when
	AwardedAt       time.Time
}

// Validate checks the grant against its campaign and returns field errors
// naming every bad field, or a Conflict if the campaign is not open.
func (g Grant) Validate(c Campaign) error {
	var f apperr.Fields
	checkOwner(&f, g.ID, g.CampaignID, c)
	checkName(&f, "funder", g.Funder, true)
	checkName(&f, "program", g.Program, false)
	checkName(&f, "award_id", g.AwardID, false)
	if g.Match == nil || g.Awarded.Amount != 0 {
		checkAmountIn(&f, "awarded", g.Awarded, c)
	}
	if len(g.Uses) == 0 {
		f.Add("uses", "must list at least one use")
	}
	for i, u := range g.Uses {
		if !u.Valid() {
			f.Add(fmt.Sprintf("uses.%d", i), "is not a use of money")
		}
	}
	if m := g.Match; m != nil {
		if m.Match <= 0 || m.Per <= 0 || m.Match > 100 || m.Per > 100 {
			f.Add("match.ratio", "must be two whole numbers from 1 to 100")
		}
		checkAmountIn(&f, "match.cap", m.Cap, c)
	}
	if utf8.RuneCountInString(g.ReportingDuties) > MaxReportingNotes {
		f.Add("reporting_duties", "must be at most %d characters", MaxReportingNotes)
	}
	if err := f.Err(); err != nil {
		return err
	}
	return c.acceptsPledges()
}

// LoanCommitment is money a community lender has committed to lend. It is
// financing: counted toward the target, always shown apart from gifts.
type LoanCommitment struct {
	ID          string
	CampaignID  string
	Lender      string
	Amount      Money
	Terms       string // rate, term, security, in words
	CommittedAt time.Time
}

// Validate checks the loan commitment against its campaign.
func (l LoanCommitment) Validate(c Campaign) error {
	var f apperr.Fields
	checkOwner(&f, l.ID, l.CampaignID, c)
	checkName(&f, "lender", l.Lender, true)
	checkAmountIn(&f, "amount", l.Amount, c)
	if utf8.RuneCountInString(l.Terms) > MaxReportingNotes {
		f.Add("terms", "must be at most %d characters", MaxReportingNotes)
	}
	if err := f.Err(); err != nil {
		return err
	}
	return c.acceptsPledges()
}
