package server

import (
	"encoding/json"
	"fmt"
	"time"

	"commonground/apperr"
	"commonground/fundpool"
)

// Wire types of the fund pool routes. Money travels as
// {"amount_minor": 1000, "currency": "USD"}: amount_minor is parsed from the
// JSON number's text (json.Number), never through a float. A form may send
// {"amount": "10.00"} instead, a decimal string parsed exactly.

type amountIn struct {
	AmountMinor json.Number `json:"amount_minor,omitempty"`
	Amount      string      `json:"amount,omitempty"`
	Currency    string      `json:"currency,omitempty"`
}

// parse returns the amount in its currency (def when none is given), adding
// a field error under field when it is missing or malformed.
func (m *amountIn) parse(f *apperr.Fields, field, def string) fundpool.Money {
	if m == nil {
		f.Add(field, "must be given")
		return fundpool.Money{}
	}
	cur := m.Currency
	if cur == "" {
		cur = def
	}
	if _, err := fundpool.LookupCurrency(cur); err != nil {
		f.Add(field+".currency", "is not a known ISO 4217 currency")
		return fundpool.Money{}
	}
	var v fundpool.Money
	var err error
	sub := ".amount_minor"
	switch {
	case m.AmountMinor != "" && m.Amount != "":
		f.Add(field, "give amount_minor or amount, not both")
		return fundpool.Money{}
	case m.AmountMinor != "":
		v, err = fundpool.ParseMinor(m.AmountMinor.String(), cur)
	case m.Amount != "":
		sub = ".amount"
		v, err = fundpool.ParseMoney(m.Amount, cur)
	default:
		f.Add(field+".amount_minor", "must be given")
		return fundpool.Money{}
	}
	if err != nil {
		f.Add(field+sub, "%s", errText(err))
		return fundpool.Money{}
	}
	return v
}

func errText(err error) string {
	if ae, ok := err.(*apperr.Error); ok {
		return ae.Message
	}
	return err.Error()
}

type amountOut struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	Display     string `json:"display"`
}

func toAmountOut(m fundpool.Money) amountOut {
	return amountOut{AmountMinor: m.Amount, Currency: m.Currency, Display: m.Display()}
}

type bilingual struct {
	En string `json:"en"`
	Es string `json:"es"`
}

type budgetLineIn struct {
	Category string    `json:"category"`
	Label    string    `json:"label"`
	Amount   *amountIn `json:"amount"`
}

type budgetLineOut struct {
	Category string    `json:"category"`
	Label    string    `json:"label"`
	Amount   amountOut `json:"amount"`
}

type campaignIn struct {
	ID          string         `json:"id"`
	CommunityID string         `json:"community_id"`
	Title       bilingual      `json:"title"`
	Story       bilingual      `json:"story"`
	ParcelIDs   []string       `json:"parcel_ids"`
	Budget      []budgetLineIn `json:"budget"`
	Target      *amountIn      `json:"target"`
	Currency    string         `json:"currency"`
	Deadline    time.Time      `json:"deadline"`
	Mode        string         `json:"mode"`
}

func parseBudget(f *apperr.Fields, in []budgetLineIn, cur string) []fundpool.BudgetLine {
	out := make([]fundpool.BudgetLine, len(in))
	for i, l := range in {
		out[i] = fundpool.BudgetLine{
			Category: fundpool.BudgetCategory(l.Category), Label: l.Label,
			Amount: l.Amount.parse(f, fmt.Sprintf("budget.%d.amount", i), cur),
		}
	}
	return out
}

func (in campaignIn) toDomain() (fundpool.Campaign, error) {
	var f apperr.Fields
	cur := in.Currency
	if cur == "" {
		cur = fundpool.DefaultCurrency
	}
	c := fundpool.Campaign{
		ID: in.ID, CommunityID: in.CommunityID,
		Title: fundpool.Text(in.Title), Story: fundpool.Text(in.Story), ParcelIDs: in.ParcelIDs,
		Budget:   parseBudget(&f, in.Budget, cur),
		Target:   in.Target.parse(&f, "target", cur),
		Deadline: in.Deadline, Mode: fundpool.Mode(in.Mode),
	}
	return c, f.Err()
}

type campaignPatch struct {
	Version   int64          `json:"version"`
	Title     *bilingual     `json:"title"`
	Story     *bilingual     `json:"story"`
	ParcelIDs *[]string      `json:"parcel_ids"`
	Budget    []budgetLineIn `json:"budget"`
	Target    *amountIn      `json:"target"`
	Deadline  *time.Time     `json:"deadline"`
	Mode      *string        `json:"mode"`
}

func (in campaignPatch) toDomain(cur string) (fundpool.CampaignUpdate, error) {
	var f apperr.Fields
	var u fundpool.CampaignUpdate
	if in.Version <= 0 {
		f.Add("version", "must be the version of the campaign you read")
	}
	if in.Title != nil {
		t := fundpool.Text(*in.Title)
		u.Title = &t
	}
	if in.Story != nil {
		t := fundpool.Text(*in.Story)
		u.Story = &t
	}
	u.ParcelIDs = in.ParcelIDs
	if in.Budget != nil {
		b := parseBudget(&f, in.Budget, cur)
		u.Budget = &b
	}
	if in.Target != nil {
		t := in.Target.parse(&f, "target", cur)
		u.Target = &t
	}
	u.Deadline = in.Deadline
	if in.Mode != nil {
		m := fundpool.Mode(*in.Mode)
		u.Mode = &m
	}
	return u, f.Err()
}

type campaignOut struct {
	ID          string          `json:"id"`
	CommunityID string          `json:"community_id,omitempty"`
	Title       bilingual       `json:"title"`
	Story       bilingual       `json:"story"`
	ParcelIDs   []string        `json:"parcel_ids"`
	Budget      []budgetLineOut `json:"budget"`
	Target      amountOut       `json:"target"`
	Currency    string          `json:"currency"`
	Deadline    time.Time       `json:"deadline"`
	Mode        string          `json:"mode"`
	Status      string          `json:"status"`
	CreatedAt   time.Time       `json:"created_at"`
	OpenedAt    *time.Time      `json:"opened_at"`
	FundedAt    *time.Time      `json:"funded_at"`
	ClosedAt    *time.Time      `json:"closed_at"`
	Version     int64           `json:"version"`
	Progress    *progressOut    `json:"progress,omitempty"`
}

func toCampaignOut(c fundpool.Campaign) campaignOut {
	out := campaignOut{
		ID: c.ID, CommunityID: c.CommunityID, Title: bilingual(c.Title), Story: bilingual(c.Story),
		ParcelIDs: c.ParcelIDs, Target: toAmountOut(c.Target), Currency: c.Currency(),
		Deadline: c.Deadline, Mode: string(c.Mode), Status: string(c.Status), CreatedAt: c.CreatedAt,
		OpenedAt: optTime(c.OpenedAt), FundedAt: optTime(c.FundedAt), ClosedAt: optTime(c.ClosedAt),
		Version: c.Version, Budget: make([]budgetLineOut, len(c.Budget)),
	}
	if out.ParcelIDs == nil {
		out.ParcelIDs = []string{}
	}
	for i, l := range c.Budget {
		out.Budget[i] = budgetLineOut{string(l.Category), l.Label, toAmountOut(l.Amount)}
	}
	return out
}

type restrictionOut struct {
	Uses      []string  `json:"uses"`
	Financing bool      `json:"financing"`
	Received  amountOut `json:"received"`
	Available amountOut `json:"available"`
}

type useTotalOut struct {
	Use    string    `json:"use"`
	Amount amountOut `json:"amount"`
}

type sourceTotalOut struct {
	Kind      string    `json:"kind"`
	Count     int       `json:"count"`
	Committed amountOut `json:"committed"`
	Received  amountOut `json:"received"`
}

type funderTotalOut struct {
	Funder   string    `json:"funder"`
	Kind     string    `json:"kind"`
	Awarded  amountOut `json:"awarded"`
	Matched  amountOut `json:"matched"`
	Received amountOut `json:"received"`
}

type dayOut struct {
	Day                 string    `json:"day"`
	Committed           amountOut `json:"committed"`
	Received            amountOut `json:"received"`
	Disbursed           amountOut `json:"disbursed"`
	CumulativeCommitted amountOut `json:"cumulative_committed"`
	CumulativeReceived  amountOut `json:"cumulative_received"`
	CumulativeDisbursed amountOut `json:"cumulative_disbursed"`
}

type progressOut struct {
	Target        amountOut        `json:"target"`
	Pledged       amountOut        `json:"pledged"`
	Awarded       amountOut        `json:"awarded"`
	Matched       amountOut        `json:"matched"`
	Loans         amountOut        `json:"loans"`
	Gifts         amountOut        `json:"gifts"`
	Committed     amountOut        `json:"committed"`
	Received      amountOut        `json:"received"`
	Available     amountOut        `json:"available"`
	Disbursed     amountOut        `json:"disbursed"`
	Remaining     amountOut        `json:"remaining"`
	PercentFunded string           `json:"percent_funded"`
	BasisPoints   int64            `json:"percent_funded_basis_points"`
	FundedAt      *time.Time       `json:"funded_at"`
	ByRestriction []restrictionOut `json:"by_restriction"`
	DisbursedBy   []useTotalOut    `json:"disbursed_by_use"`
	BySource      []sourceTotalOut `json:"by_source"`
	ByFunder      []funderTotalOut `json:"by_funder"`
	Daily         []dayOut         `json:"daily"`
	Transactions  int              `json:"transactions"`
}

// percent writes basis points as a percentage with two decimals, exactly.
func percent(bp int64) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

func toProgressOut(p fundpool.Progress) *progressOut {
	out := &progressOut{
		Target: toAmountOut(p.Target), Pledged: toAmountOut(p.Pledged), Awarded: toAmountOut(p.Awarded),
		Matched: toAmountOut(p.Matched), Loans: toAmountOut(p.Loans), Gifts: toAmountOut(p.Gifts),
		Committed: toAmountOut(p.Committed), Received: toAmountOut(p.Received), Available: toAmountOut(p.Available),
		Disbursed: toAmountOut(p.Disbursed), Remaining: toAmountOut(p.Remaining),
		PercentFunded: percent(p.PercentFunded), BasisPoints: p.PercentFunded, FundedAt: optTime(p.FundedAt),
		ByRestriction: []restrictionOut{}, DisbursedBy: []useTotalOut{}, BySource: []sourceTotalOut{},
		ByFunder: []funderTotalOut{}, Daily: []dayOut{}, Transactions: p.Transactions,
	}
	for _, r := range p.ByRestriction {
		uses := make([]string, len(r.Uses))
		for i, u := range r.Uses {
			uses[i] = string(u)
		}
		out.ByRestriction = append(out.ByRestriction, restrictionOut{uses, r.Financing, toAmountOut(r.Received), toAmountOut(r.Available)})
	}
	for _, u := range p.DisbursedBy {
		out.DisbursedBy = append(out.DisbursedBy, useTotalOut{string(u.Use), toAmountOut(u.Amount)})
	}
	for _, s := range p.BySource {
		out.BySource = append(out.BySource, sourceTotalOut{string(s.Kind), s.Count, toAmountOut(s.Committed), toAmountOut(s.Received)})
	}
	for _, f := range p.ByFunder {
		out.ByFunder = append(out.ByFunder, funderTotalOut{f.Funder, string(f.Kind), toAmountOut(f.Awarded), toAmountOut(f.Matched), toAmountOut(f.Received)})
	}
	for _, d := range p.Daily {
		out.Daily = append(out.Daily, dayOut{
			Day: d.Day.Format(time.DateOnly), Committed: toAmountOut(d.Committed), Received: toAmountOut(d.Received),
			Disbursed: toAmountOut(d.Disbursed), CumulativeCommitted: toAmountOut(d.CumulativeCommitted),
			CumulativeReceived: toAmountOut(d.CumulativeReceived), CumulativeDisbursed: toAmountOut(d.CumulativeDisbursed),
		})
	}
	return out
}

type transitionIn struct {
	Status string `json:"status"`
}

type pledgerIn struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

type instalmentIn struct {
	Due    time.Time `json:"due"`
	Amount *amountIn `json:"amount"`
}

type pledgeIn struct {
	Pledger   pledgerIn      `json:"pledger"`
	Amount    *amountIn      `json:"amount"`
	Schedule  []instalmentIn `json:"schedule"`
	Anonymous bool           `json:"anonymous"`
}

type pledgeOut struct {
	ID            string    `json:"id"`
	CampaignID    string    `json:"campaign_id"`
	Name          string    `json:"name"`
	Kind          string    `json:"kind"`
	Anonymous     bool      `json:"anonymous"`
	Linked        bool      `json:"linked_to_account"`
	Amount        amountOut `json:"amount"`
	State         string    `json:"state"`
	Received      amountOut `json:"received"`
	Outstanding   amountOut `json:"outstanding"`
	TransactionID string    `json:"transaction_id,omitempty"`
	// Notice repeats, in the response, what the pledge form must say.
	Notice string `json:"notice,omitempty"`
}

// anonymousNotice is what every anonymous pledger is told, plainly.
const anonymousNotice = "your name is hidden on public pages; the campaign's organizers still see it"

// anonymousNotices and linkedNotices are what the pledge form says, in the
// languages the web app speaks.
var (
	anonymousNotices = bilingual{
		En: "If you pledge anonymously, your name is hidden on public pages and in the public ledger, which show \"Anonymous\". The campaign's organizers still see your name.",
		Es: "Si promete de forma anónima, su nombre no aparece en las páginas públicas ni en el registro público, que muestran \"Anónimo\". Los organizadores de la campaña sí ven su nombre.",
	}
	linkedNotices = bilingual{
		En: "If you are signed in, your pledge is linked to your account, so that you can cancel it later and, as a resident, have it matched.",
		Es: "Si inició sesión, su promesa queda vinculada a su cuenta, para que pueda cancelarla más tarde y, como residente, recibir fondos de contrapartida.",
	}
)

// pledgeFormOut is what the pledge form shows before anyone pledges.
type pledgeFormOut struct {
	CampaignID     string `json:"campaign_id"`
	Currency       string `json:"currency"`
	AcceptsPledges bool   `json:"accepts_pledges"`
	// Refusal says why the campaign does not accept pledges now.
	Refusal         *string   `json:"refusal"`
	MinAmount       amountOut `json:"min_amount"`
	MaxAmount       amountOut `json:"max_amount"`
	AnonymousNotice bilingual `json:"anonymous_notice"`
	LinkedNotice    bilingual `json:"linked_notice"`
}

type reversalIn struct {
	Reason string `json:"reason"`
}

type grantIn struct {
	Funder          string     `json:"funder"`
	Program         string     `json:"program"`
	AwardID         string     `json:"award_id"`
	Awarded         *amountIn  `json:"awarded"`
	Uses            []string   `json:"uses"`
	Match           *matchWire `json:"match"`
	ReportingDuties string     `json:"reporting_duties"`
}

type matchWire struct {
	Match int64     `json:"match"`
	Per   int64     `json:"per"`
	Cap   *amountIn `json:"cap"`
}

type grantOut struct {
	ID              string    `json:"id"`
	CampaignID      string    `json:"campaign_id"`
	Funder          string    `json:"funder"`
	Program         string    `json:"program"`
	AwardID         string    `json:"award_id"`
	Awarded         amountOut `json:"awarded"`
	Uses            []string  `json:"uses"`
	Match           *matchOut `json:"match"`
	ReportingDuties string    `json:"reporting_duties"`
	TransactionID   string    `json:"transaction_id"`
}

type matchOut struct {
	Match int64     `json:"match"`
	Per   int64     `json:"per"`
	Cap   amountOut `json:"cap"`
}

type loanIn struct {
	Lender string    `json:"lender"`
	Amount *amountIn `json:"amount"`
	Terms  string    `json:"terms"`
}

type loanOut struct {
	ID            string    `json:"id"`
	CampaignID    string    `json:"campaign_id"`
	Lender        string    `json:"lender"`
	Amount        amountOut `json:"amount"`
	Terms         string    `json:"terms"`
	TransactionID string    `json:"transaction_id"`
}

type receiptIn struct {
	SourceKind string    `json:"source_kind"`
	SourceID   string    `json:"source_id"`
	Amount     *amountIn `json:"amount"`
}

type receiptOut struct {
	Transactions []ledgerEntryOut `json:"transactions"`
}

type disbursementIn struct {
	Amount *amountIn `json:"amount"`
	Use    string    `json:"use"`
	Payee  string    `json:"payee"`
	Memo   string    `json:"memo"`
}

type disbursementOut struct {
	ID            string     `json:"id"`
	CampaignID    string     `json:"campaign_id"`
	Amount        amountOut  `json:"amount"`
	Use           string     `json:"use"`
	Payee         string     `json:"payee"`
	Memo          string     `json:"memo"`
	State         string     `json:"state"`
	ProposedBy    string     `json:"proposed_by"`
	ProposedAt    time.Time  `json:"proposed_at"`
	DecidedBy     string     `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at"`
	TransactionID string     `json:"transaction_id,omitempty"`
}

func toDisbursementOut(d fundpool.Disbursement) disbursementOut {
	return disbursementOut{
		ID: d.ID, CampaignID: d.CampaignID, Amount: toAmountOut(d.Amount), Use: string(d.Use), Payee: d.Payee,
		Memo: d.Memo, State: string(d.State), ProposedBy: d.ProposedBy, ProposedAt: d.ProposedAt,
		DecidedBy: d.DecidedBy, DecidedAt: optTime(d.DecidedAt), TransactionID: d.TransactionID,
	}
}

type postingOut struct {
	Source      string    `json:"source"`
	Destination string    `json:"destination"`
	Amount      amountOut `json:"amount"`
}

type ledgerSourceOut struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Program string `json:"program,omitempty"`
}

type ledgerDisbursementOut struct {
	ID         string `json:"id"`
	Use        string `json:"use"`
	Payee      string `json:"payee"`
	ProposedBy string `json:"proposed_by,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
}

type ledgerEntryOut struct {
	Seq          int64                  `json:"seq"`
	ID           string                 `json:"id"`
	Kind         string                 `json:"kind"`
	Time         time.Time              `json:"time"`
	Memo         string                 `json:"memo,omitempty"`
	Source       *ledgerSourceOut       `json:"source,omitempty"`
	Postings     []postingOut           `json:"postings"`
	Total        amountOut              `json:"total"`
	Ref          string                 `json:"ref,omitempty"`
	Explanation  string                 `json:"explanation,omitempty"`
	Disbursement *ledgerDisbursementOut `json:"disbursement,omitempty"`
	ReversedBy   string                 `json:"reversed_by,omitempty"`
}

type ledgerPageOut struct {
	Items      []ledgerEntryOut `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

type violationOut struct {
	TransactionID string `json:"transaction_id,omitempty"`
	Account       string `json:"account,omitempty"`
	Rule          string `json:"rule"`
	Message       string `json:"message"`
}

type verifyOut struct {
	OK           bool           `json:"ok"`
	Transactions int            `json:"transactions"`
	Accounts     int            `json:"accounts"`
	Violations   []violationOut `json:"violations"`
}

func toVerifyOut(r fundpool.Report) verifyOut {
	out := verifyOut{OK: r.OK(), Transactions: r.Transactions, Accounts: r.Accounts, Violations: []violationOut{}}
	for _, v := range r.Violations {
		out.Violations = append(out.Violations, violationOut{v.TransactionID, v.Account, string(v.Rule), v.Message})
	}
	return out
}

type campaignListOut struct {
	Items []campaignOut `json:"items"`
	Total int           `json:"total"`
}
