package server

import (
	"fmt"
	"time"

	"commonground/apperr"
	"commonground/community"
)

// Wire types of the community routes. JSON names follow the field paths
// the community package uses in its validation errors ("bylaws.classes.0.
// voteWeight"), so a problem's field list points into the request body.

type moneyWire struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

func toMoney(w moneyWire) community.Money {
	return community.Money{Minor: w.Minor, Currency: w.Currency}
}
func moneyOut(m community.Money) moneyWire {
	return moneyWire{Minor: m.Minor, Currency: m.Currency}
}

type regionWire struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type feeWire struct {
	Amount      moneyWire `json:"amount"`
	Instalments int       `json:"instalments"`
	Refundable  bool      `json:"refundable"`
}

type milestoneWire struct {
	Key        string   `json:"key"`
	Kind       string   `json:"kind"`
	Name       string   `json:"name"`
	Days       int      `json:"days,omitempty"`
	VerifiedBy []string `json:"verifiedBy"`
}

type classWire struct {
	Key        string          `json:"key"`
	Name       string          `json:"name"`
	Eligible   string          `json:"eligible"`
	Share      feeWire         `json:"share"`
	VoteWeight int             `json:"voteWeight"`
	VoteBasis  string          `json:"voteBasis"`
	BoardSeats int             `json:"boardSeats"`
	MayPropose bool            `json:"mayPropose"`
	Pathway    []milestoneWire `json:"pathway"`
}

// ruleWire carries voting windows as Go durations ("168h").
type ruleWire struct {
	Kind        string `json:"kind"`
	Method      string `json:"method"`
	Quorum      int64  `json:"quorum"`
	MinWindow   string `json:"minWindow"`
	MaxWindow   string `json:"maxWindow"`
	AllowChange bool   `json:"allowChange"`
	Anonymous   bool   `json:"anonymous"`
}

type exitWire struct {
	Method     string `json:"method"`
	YearlyRate int64  `json:"yearlyRate"`
	ByIndex    bool   `json:"byIndex"`
	Cap        int64  `json:"cap"`
	Rounding   string `json:"rounding"`
}

type boardRuleWire struct {
	Seats           int      `json:"seats"`
	RegionalSeats   int      `json:"regionalSeats"`
	StaffSeats      int      `json:"staffSeats"`
	RegionalClasses []string `json:"regionalClasses"`
}

type bylawsWire struct {
	Version   int           `json:"version"`
	AdoptedAt *time.Time    `json:"adoptedAt,omitempty"`
	AdoptedBy string        `json:"adoptedBy,omitempty"`
	Classes   []classWire   `json:"classes"`
	Rules     []ruleWire    `json:"rules"`
	Exit      exitWire      `json:"exit"`
	Board     boardRuleWire `json:"board"`
}

// toBylaws converts wire bylaws, reporting unreadable windows under
// prefix; the domain checks everything else.
func toBylaws(f *apperr.Fields, prefix string, w bylawsWire) community.Bylaws {
	b := community.Bylaws{
		Version: w.Version,
		Exit: community.ExitRule{Method: community.RefundMethod(w.Exit.Method), YearlyRate: community.BasisPoints(w.Exit.YearlyRate),
			ByIndex: w.Exit.ByIndex, Cap: community.BasisPoints(w.Exit.Cap), Rounding: community.Rounding(w.Exit.Rounding)},
		Board: community.BoardRule{Seats: w.Board.Seats, RegionalSeats: w.Board.RegionalSeats, StaffSeats: w.Board.StaffSeats,
			RegionalClasses: w.Board.RegionalClasses},
	}
	for _, cw := range w.Classes {
		c := community.MembershipClass{Key: cw.Key, Name: cw.Name, Eligible: community.Eligibility(cw.Eligible),
			Share:      community.Fee{Amount: toMoney(cw.Share.Amount), Instalments: cw.Share.Instalments, Refundable: cw.Share.Refundable},
			VoteWeight: cw.VoteWeight, VoteBasis: community.VoteBasis(cw.VoteBasis), BoardSeats: cw.BoardSeats, MayPropose: cw.MayPropose}
		for _, mw := range cw.Pathway {
			m := community.Milestone{Key: mw.Key, Kind: community.MilestoneKind(mw.Kind), Name: mw.Name, Days: mw.Days}
			for _, v := range mw.VerifiedBy {
				m.VerifiedBy = append(m.VerifiedBy, community.Verifier(v))
			}
			c.Pathway = append(c.Pathway, m)
		}
		b.Classes = append(b.Classes, c)
	}
	for i, rw := range w.Rules {
		r := community.DecisionRule{Kind: community.ProposalKind(rw.Kind), Method: community.Method(rw.Method),
			Quorum: community.BasisPoints(rw.Quorum), AllowChange: rw.AllowChange, Anonymous: rw.Anonymous}
		r.MinWindow = parseWindow(f, fmt.Sprintf("%srules.%d.minWindow", prefix, i), rw.MinWindow)
		r.MaxWindow = parseWindow(f, fmt.Sprintf("%srules.%d.maxWindow", prefix, i), rw.MaxWindow)
		b.Rules = append(b.Rules, r)
	}
	return b
}

func parseWindow(f *apperr.Fields, field, s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		f.Add(field, "must be a duration such as 72h")
	}
	return d
}

func bylawsOut(b *community.Bylaws) bylawsWire {
	w := bylawsWire{Version: b.Version, AdoptedBy: b.AdoptedBy, Classes: []classWire{}, Rules: []ruleWire{},
		Exit: exitWire{Method: string(b.Exit.Method), YearlyRate: int64(b.Exit.YearlyRate), ByIndex: b.Exit.ByIndex,
			Cap: int64(b.Exit.Cap), Rounding: string(b.Exit.Rounding)},
		Board: boardRuleWire{Seats: b.Board.Seats, RegionalSeats: b.Board.RegionalSeats, StaffSeats: b.Board.StaffSeats,
			RegionalClasses: nonNil(b.Board.RegionalClasses)}}
	if !b.AdoptedAt.IsZero() {
		t := b.AdoptedAt
		w.AdoptedAt = &t
	}
	for _, c := range b.Classes {
		cw := classWire{Key: c.Key, Name: c.Name, Eligible: string(c.Eligible),
			Share:      feeWire{Amount: moneyOut(c.Share.Amount), Instalments: c.Share.Instalments, Refundable: c.Share.Refundable},
			VoteWeight: c.VoteWeight, VoteBasis: string(c.VoteBasis), BoardSeats: c.BoardSeats, MayPropose: c.MayPropose,
			Pathway: []milestoneWire{}}
		for _, m := range c.Pathway {
			mw := milestoneWire{Key: m.Key, Kind: string(m.Kind), Name: m.Name, Days: m.Days, VerifiedBy: []string{}}
			for _, v := range m.VerifiedBy {
				mw.VerifiedBy = append(mw.VerifiedBy, string(v))
			}
			cw.Pathway = append(cw.Pathway, mw)
		}
		w.Classes = append(w.Classes, cw)
	}
	for _, r := range b.Rules {
		w.Rules = append(w.Rules, ruleOut(r))
	}
	return w
}

func ruleOut(r community.DecisionRule) ruleWire {
	return ruleWire{Kind: string(r.Kind), Method: string(r.Method), Quorum: int64(r.Quorum),
		MinWindow: r.MinWindow.String(), MaxWindow: r.MaxWindow.String(), AllowChange: r.AllowChange, Anonymous: r.Anonymous}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// communityRequest founds a community.
type communityRequest struct {
	Name        string       `json:"name"`
	Model       string       `json:"model"`
	Regions     []regionWire `json:"regions"`
	ParcelIDs   []string     `json:"parcelIds"`
	CampaignIDs []string     `json:"campaignIds"`
	Bylaws      bylawsWire   `json:"bylaws"`
}

// communityPatch changes what admins may edit directly; absent fields stay.
type communityPatch struct {
	Name        *string       `json:"name"`
	Regions     *[]regionWire `json:"regions"`
	ParcelIDs   *[]string     `json:"parcelIds"`
	CampaignIDs *[]string     `json:"campaignIds"`
}

func toRegions(ws []regionWire) []community.Region {
	out := make([]community.Region, len(ws))
	for i, w := range ws {
		out[i] = community.Region(w)
	}
	return out
}

type communityResponse struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Model       string       `json:"model"`
	Regions     []regionWire `json:"regions"`
	ParcelIDs   []string     `json:"parcelIds"`
	CampaignIDs []string     `json:"campaignIds"`
	Bylaws      bylawsWire   `json:"bylaws"`
	CreatedAt   time.Time    `json:"createdAt"`
	Revision    int64        `json:"revision"`
	// YourRoles are the caller's community roles here.
	YourRoles []string `json:"yourRoles"`
}

func communityOut(c *community.Community, accountID string) communityResponse {
	r := communityResponse{ID: c.ID, Name: c.Name, Model: string(c.Model), Regions: []regionWire{},
		ParcelIDs: nonNil(c.ParcelIDs), CampaignIDs: nonNil(c.CampaignIDs), Bylaws: bylawsOut(&c.Bylaws),
		CreatedAt: c.CreatedAt, Revision: c.Revision, YourRoles: []string{}}
	for _, reg := range c.Regions {
		r.Regions = append(r.Regions, regionWire(reg))
	}
	for _, role := range c.RolesOf(accountID) {
		r.YourRoles = append(r.YourRoles, string(role))
	}
	return r
}

type communitySummary struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Model         string `json:"model"`
	BylawsVersion int    `json:"bylawsVersion"`
}

type communityList struct {
	Communities []communitySummary `json:"communities"`
}

type bylawsResponse struct {
	Current bylawsWire   `json:"current"`
	History []bylawsWire `json:"history"`
}

type roleGrantWire struct {
	AccountID string     `json:"accountId"`
	Role      string     `json:"role"`
	GrantedBy string     `json:"grantedBy,omitempty"`
	GrantedAt *time.Time `json:"grantedAt,omitempty"`
}

type roleRequest struct {
	AccountID string `json:"accountId"`
	Role      string `json:"role"`
}

type roleList struct {
	Roles []roleGrantWire `json:"roles"`
}

func rolesOut(c *community.Community) roleList {
	out := roleList{Roles: []roleGrantWire{}}
	for _, g := range c.Roles {
		w := roleGrantWire{AccountID: g.AccountID, Role: string(g.Role), GrantedBy: g.GrantedBy}
		if !g.GrantedAt.IsZero() {
			t := g.GrantedAt
			w.GrantedAt = &t
		}
		out.Roles = append(out.Roles, w)
	}
	return out
}

// applicationRequest applies for a membership. HouseholdID names the
// caller's household for household classes; empty means the household the
// caller's account owns. OrganisationName names the organisation the caller
// applies for, as its representative, in organisation classes.
type applicationRequest struct {
	ClassKey         string `json:"classKey"`
	HouseholdID      string `json:"householdId"`
	OrganisationName string `json:"organisationName"`
	Region           string `json:"region"`
	Statement        string `json:"statement"`
}

// foundingMemberRequest names a founding member: the account, and for
// household classes the household that account owns (empty: found by the
// account); in organisation classes the account is the organisation's
// representative.
type foundingMemberRequest struct {
	AccountID string `json:"accountId"`
	applicationRequest
}

type reviewRequest struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

type paymentRequest struct {
	Amount moneyWire `json:"amount"`
	Note   string    `json:"note"`
}

// milestoneRequest completes the next milestone: verified by the caller
// with an evidence note, or, for a member_vote milestone, by the adopted
// admission proposal it names.
type milestoneRequest struct {
	Milestone  string `json:"milestone"`
	Note       string `json:"note"`
	ProposalID string `json:"proposalId"`
}

type indexWire struct {
	AtJoin int64 `json:"atJoin"`
	AtExit int64 `json:"atExit"`
}

type withdrawRequest struct {
	Index *indexWire `json:"index"`
}

// representativeRequest names an organisation's new representative.
type representativeRequest struct {
	AccountID string `json:"accountId"`
}

type exitRequest struct {
	Reason string     `json:"reason"`
	Index  *indexWire `json:"index"`
}

func toIndex(w *indexWire) *community.IndexPoints {
	if w == nil {
		return nil
	}
	return &community.IndexPoints{AtJoin: w.AtJoin, AtExit: w.AtExit}
}

type milestoneRecordWire struct {
	Key        string    `json:"key"`
	Note       string    `json:"note,omitempty"`
	VerifiedBy string    `json:"verifiedBy,omitempty"`
	As         string    `json:"as"`
	ProposalID string    `json:"proposalId,omitempty"`
	At         time.Time `json:"at"`
}

type paymentWire struct {
	Amount     moneyWire `json:"amount"`
	RecordedBy string    `json:"recordedBy"`
	Note       string    `json:"note,omitempty"`
	At         time.Time `json:"at"`
}

type refundWire struct {
	Paid    moneyWire `json:"paid"`
	Method  string    `json:"method"`
	Years   int       `json:"years"`
	Formula moneyWire `json:"formula"`
	Cap     moneyWire `json:"cap"`
	Amount  moneyWire `json:"amount"`
	Steps   []string  `json:"steps"`
}

type membershipResponse struct {
	ID               string                `json:"id"`
	CommunityID      string                `json:"communityId"`
	ClassKey         string                `json:"classKey"`
	HouseholdID      string                `json:"householdId,omitempty"`
	PersonID         string                `json:"personId,omitempty"`
	OrganisationID   string                `json:"organisationId,omitempty"`
	OrganisationName string                `json:"organisationName,omitempty"`
	RepresentativeID string                `json:"representativeId,omitempty"`
	Region           string                `json:"region,omitempty"`
	Statement        string                `json:"statement,omitempty"`
	Status           string                `json:"status"`
	AppliedBy        string                `json:"appliedBy"`
	AppliedAt        time.Time             `json:"appliedAt"`
	ReviewedBy       string                `json:"reviewedBy,omitempty"`
	ReviewedAt       *time.Time            `json:"reviewedAt,omitempty"`
	ReviewNote       string                `json:"reviewNote,omitempty"`
	ProvisionalAt    *time.Time            `json:"provisionalAt,omitempty"`
	MemberAt         *time.Time            `json:"memberAt,omitempty"`
	EndedAt          *time.Time            `json:"endedAt,omitempty"`
	EndedBy          string                `json:"endedBy,omitempty"`
	EndReason        string                `json:"endReason,omitempty"`
	Milestones       []milestoneRecordWire `json:"milestones"`
	NextMilestone    *milestoneWire        `json:"nextMilestone,omitempty"`
	Payments         []paymentWire         `json:"payments"`
	Paid             moneyWire             `json:"paid"`
	Refund           *refundWire           `json:"refund,omitempty"`
	Revision         int64                 `json:"revision"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func membershipOut(c *community.Community, m *community.Membership) membershipResponse {
	r := membershipResponse{ID: m.ID, CommunityID: m.CommunityID, ClassKey: m.ClassKey, HouseholdID: m.HouseholdID,
		PersonID: m.PersonID, OrganisationID: m.OrganisationID, OrganisationName: m.OrganisationName,
		RepresentativeID: m.RepresentativeID, Region: m.Region, Statement: m.Statement,
		Status: string(m.Status), AppliedBy: m.AppliedBy, AppliedAt: m.AppliedAt, ReviewedBy: m.ReviewedBy,
		ReviewedAt: optTime(m.ReviewedAt), ReviewNote: m.ReviewNote, ProvisionalAt: optTime(m.ProvisionalAt),
		MemberAt: optTime(m.MemberAt), EndedAt: optTime(m.EndedAt), EndedBy: m.EndedBy, EndReason: m.EndReason,
		Milestones: []milestoneRecordWire{}, Payments: []paymentWire{}, Revision: m.Revision}
	for _, rec := range m.Milestones {
		r.Milestones = append(r.Milestones, milestoneRecordWire{Key: rec.Key, Note: rec.Note, VerifiedBy: rec.VerifiedBy,
			As: string(rec.As), ProposalID: rec.ProposalID, At: rec.At})
	}
	currency := ""
	if c != nil {
		if next, ok := m.NextMilestone(c); ok {
			w := milestoneWire{Key: next.Key, Kind: string(next.Kind), Name: next.Name, Days: next.Days, VerifiedBy: []string{}}
			for _, v := range next.VerifiedBy {
				w.VerifiedBy = append(w.VerifiedBy, string(v))
			}
			r.NextMilestone = &w
		}
		if cl, ok := c.Bylaws.Class(m.ClassKey); ok {
			currency = cl.Share.Amount.Currency
		}
	}
	for _, p := range m.Payments {
		r.Payments = append(r.Payments, paymentWire{Amount: moneyOut(p.Amount), RecordedBy: p.RecordedBy, Note: p.Note, At: p.At})
		currency = p.Amount.Currency
	}
	if paid, err := m.Paid(currency); err == nil {
		r.Paid = moneyOut(paid)
	}
	if f := m.Refund; f != nil {
		r.Refund = &refundWire{Paid: moneyOut(f.Paid), Method: string(f.Method), Years: f.Years, Formula: moneyOut(f.Formula),
			Cap: moneyOut(f.Cap), Amount: moneyOut(f.Amount), Steps: nonNil(f.Steps)}
	}
	return r
}

type membershipList struct {
	Memberships []membershipResponse `json:"memberships"`
}

type textWire struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

type optionWire struct {
	Key     string            `json:"key"`
	Label   map[string]string `json:"label"`
	Abstain bool              `json:"abstain"`
}

// proposalRequest drafts a proposal. Options may be left out of a
// consensus proposal: it always offers agree, stand_aside and block.
type proposalRequest struct {
	Kind         string              `json:"kind"`
	Text         map[string]textWire `json:"text"`
	Options      []optionWire        `json:"options"`
	Anonymous    bool                `json:"anonymous"`
	Opens        time.Time           `json:"opens"`
	Closes       time.Time           `json:"closes"`
	NewBylaws    *bylawsWire         `json:"newBylaws"`
	MembershipID string              `json:"membershipId"`
}

func toDraft(f *apperr.Fields, id string, w proposalRequest) community.Draft {
	d := community.Draft{ID: id, Kind: community.ProposalKind(w.Kind), Text: map[community.Language]community.Text{},
		Anonymous: w.Anonymous, Opens: w.Opens, Closes: w.Closes, MembershipID: w.MembershipID}
	for lang, t := range w.Text {
		d.Text[community.Language(lang)] = community.Text(t)
	}
	for _, o := range w.Options {
		opt := community.Option{Key: o.Key, Abstain: o.Abstain, Label: map[community.Language]string{}}
		for lang, l := range o.Label {
			opt.Label[community.Language(lang)] = l
		}
		d.Options = append(d.Options, opt)
	}
	if w.NewBylaws != nil {
		b := toBylaws(f, "newBylaws.", *w.NewBylaws)
		d.NewBylaws = &b
	}
	return d
}

type optionCountWire struct {
	Option  string `json:"option"`
	Ballots int    `json:"ballots"`
	Weight  int64  `json:"weight"`
}

type resultWire struct {
	Method         string            `json:"method"`
	Eligible       int               `json:"eligible"`
	EligibleWeight int64             `json:"eligibleWeight"`
	Ballots        int               `json:"ballots"`
	BallotWeight   int64             `json:"ballotWeight"`
	Quorum         int64             `json:"quorum"`
	QuorumMet      bool              `json:"quorumMet"`
	Counts         []optionCountWire `json:"counts"`
	Counted        int               `json:"counted"`
	CountedWeight  int64             `json:"countedWeight"`
	Agrees         int               `json:"agrees"`
	Blocks         int               `json:"blocks"`
	StandAsides    int               `json:"standAsides"`
	Winner         string            `json:"winner,omitempty"`
	Outcome        string            `json:"outcome"`
	Passed         bool              `json:"passed"`
	Adopted        bool              `json:"adopted"`
}

func resultOut(r *community.Result) *resultWire {
	if r == nil {
		return nil
	}
	w := &resultWire{Method: string(r.Method), Eligible: r.Eligible, EligibleWeight: r.EligibleWeight, Ballots: r.Ballots,
		BallotWeight: r.BallotWeight, Quorum: int64(r.Quorum), QuorumMet: r.QuorumMet, Counts: []optionCountWire{},
		Counted: r.Counted, CountedWeight: r.CountedWeight, Agrees: r.Agrees, Blocks: r.Blocks, StandAsides: r.StandAsides,
		Winner: r.Winner, Outcome: string(r.Outcome), Passed: r.Passed, Adopted: r.Adopted}
	for _, c := range r.Counts {
		w.Counts = append(w.Counts, optionCountWire(c))
	}
	return w
}

type voterWire struct {
	Key      string `json:"key"`
	ClassKey string `json:"classKey"`
	Weight   int    `json:"weight"`
}

// proposalResponse shows a proposal. The electorate is given as its size
// and the caller's own entries: who may vote is members' business, not
// every reader's.
type proposalResponse struct {
	ID            string              `json:"id"`
	CommunityID   string              `json:"communityId"`
	Kind          string              `json:"kind"`
	Text          map[string]textWire `json:"text"`
	Options       []optionWire        `json:"options"`
	Rule          ruleWire            `json:"rule"`
	BylawsVersion int                 `json:"bylawsVersion"`
	Anonymous     bool                `json:"anonymous"`
	Opens         time.Time           `json:"opens"`
	Closes        time.Time           `json:"closes"`
	ProposedBy    string              `json:"proposedBy"`
	CreatedAt     time.Time           `json:"createdAt"`
	NewBylaws     *bylawsWire         `json:"newBylaws,omitempty"`
	MembershipID  string              `json:"membershipId,omitempty"`
	Status        string              `json:"status"`
	Eligible      int                 `json:"eligible"`
	YourVoters    []voterWire         `json:"yourVoters"`
	OpenedAt      *time.Time          `json:"openedAt,omitempty"`
	ClosedAt      *time.Time          `json:"closedAt,omitempty"`
	Result        *resultWire         `json:"result,omitempty"`
	Revision      int64               `json:"revision"`
}

func proposalOut(p *community.Proposal, by community.Principal) proposalResponse {
	r := proposalResponse{ID: p.ID, CommunityID: p.CommunityID, Kind: string(p.Kind), Text: map[string]textWire{},
		Options: []optionWire{}, Rule: ruleOut(p.Rule), BylawsVersion: p.BylawsVersion, Anonymous: p.Anonymous,
		Opens: p.Opens, Closes: p.Closes, ProposedBy: p.ProposedBy, CreatedAt: p.CreatedAt, MembershipID: p.MembershipID,
		Status: string(p.Status), Eligible: len(p.Electorate), YourVoters: []voterWire{}, OpenedAt: optTime(p.OpenedAt),
		ClosedAt: optTime(p.ClosedAt), Result: resultOut(p.Result), Revision: p.Revision}
	for lang, t := range p.Text {
		r.Text[string(lang)] = textWire(t)
	}
	for _, o := range p.Options {
		w := optionWire{Key: o.Key, Abstain: o.Abstain, Label: map[string]string{}}
		for lang, l := range o.Label {
			w.Label[string(lang)] = l
		}
		r.Options = append(r.Options, w)
	}
	if p.NewBylaws != nil {
		b := bylawsOut(p.NewBylaws)
		r.NewBylaws = &b
	}
	for _, v := range p.VotersFor(by) {
		r.YourVoters = append(r.YourVoters, voterWire{Key: v.Key, ClassKey: v.ClassKey, Weight: v.Weight})
	}
	return r
}

type proposalList struct {
	Proposals []proposalResponse `json:"proposals"`
}

// voteRequest casts or changes a ballot.
type voteRequest struct {
	Option   string `json:"option"`
	VoterKey string `json:"voterKey"`
	Secret   string `json:"secret"`
}

// voteResponse confirms a ballot. Secret is returned once, with the first
// ballot on an anonymous proposal: it is stored nowhere and is needed to
// change that ballot.
type voteResponse struct {
	ProposalID string `json:"proposalId"`
	Option     string `json:"option"`
	VoterKey   string `json:"voterKey,omitempty"`
	Replaced   bool   `json:"replaced"`
	Secret     string `json:"secret,omitempty"`
}

// closeResponse is the result of closing a vote and what it put into
// force (adopted bylaws, a completed admission milestone).
type closeResponse struct {
	Result  *resultWire `json:"result"`
	Effects []string    `json:"effects"`
}

type apportionmentLine struct {
	Region    string `json:"region"`
	Members   int    `json:"members"`
	Dues      int64  `json:"dues"`
	Quota     string `json:"quota"`
	Floor     int    `json:"floor"`
	Remainder int64  `json:"remainder"`
	Extra     int    `json:"extra"`
	Seats     int    `json:"seats"`
}

type apportionmentWire struct {
	Seats     int                 `json:"seats"`
	Currency  string              `json:"currency"`
	TotalDues int64               `json:"totalDues"`
	Regions   []apportionmentLine `json:"regions"`
	Ranking   []string            `json:"ranking"`
	Leftover  int                 `json:"leftover"`
	Steps     []string            `json:"steps"`
}

type classSeatsWire struct {
	Class string `json:"class"`
	Seats int    `json:"seats"`
}

type boardResponse struct {
	Seats    int               `json:"seats"`
	Classes  []classSeatsWire  `json:"classes"`
	Regional apportionmentWire `json:"regional"`
	Staff    int               `json:"staff"`
	AtLarge  int               `json:"atLarge"`
}

func boardOut(b community.Board) boardResponse {
	r := boardResponse{Seats: b.Seats, Classes: []classSeatsWire{}, Staff: b.Staff, AtLarge: b.AtLarge,
		Regional: apportionmentWire{Seats: b.Regional.Seats, Currency: b.Regional.Currency, TotalDues: b.Regional.TotalDues,
			Regions: []apportionmentLine{}, Ranking: nonNil(b.Regional.Ranking), Leftover: b.Regional.Leftover, Steps: nonNil(b.Regional.Steps)}}
	for _, c := range b.Classes {
		r.Classes = append(r.Classes, classSeatsWire(c))
	}
	for _, l := range b.Regional.Regions {
		r.Regional.Regions = append(r.Regional.Regions, apportionmentLine(l))
	}
	return r
}
