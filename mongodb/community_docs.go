package mongodb

import (
	"time"

	"commonground/community"
)

// The bson documents of the community store and their converters. Domain
// types carry no tags; these mirror them field by field so that renaming a
// domain field never silently changes what is stored.

type moneyDoc struct {
	Minor    int64  `bson:"minor"`
	Currency string `bson:"currency"`
}

func toMoneyDoc(m community.Money) moneyDoc { return moneyDoc{Minor: m.Minor, Currency: m.Currency} }
func fromMoneyDoc(d moneyDoc) community.Money {
	return community.Money{Minor: d.Minor, Currency: d.Currency}
}

type regionDoc struct {
	Key  string `bson:"key"`
	Name string `bson:"name"`
}

type roleGrantDoc struct {
	AccountID string    `bson:"account_id"`
	Role      string    `bson:"role"`
	GrantedBy string    `bson:"granted_by,omitempty"`
	GrantedAt time.Time `bson:"granted_at"`
}

type milestoneDoc struct {
	Key        string   `bson:"key"`
	Kind       string   `bson:"kind"`
	Name       string   `bson:"name"`
	Days       int      `bson:"days,omitempty"`
	VerifiedBy []string `bson:"verified_by"`
}

type classDoc struct {
	Key              string         `bson:"key"`
	Name             string         `bson:"name"`
	Eligible         string         `bson:"eligible"`
	Share            moneyDoc       `bson:"share"`
	ShareInstalments int            `bson:"share_instalments"`
	ShareRefundable  bool           `bson:"share_refundable"`
	VoteWeight       int            `bson:"vote_weight"`
	VoteBasis        string         `bson:"vote_basis"`
	BoardSeats       int            `bson:"board_seats"`
	MayPropose       bool           `bson:"may_propose"`
	Pathway          []milestoneDoc `bson:"pathway"`
}

type ruleDoc struct {
	Kind        string `bson:"kind"`
	Method      string `bson:"method"`
	Quorum      int64  `bson:"quorum"`
	MinWindowNS int64  `bson:"min_window_ns"`
	MaxWindowNS int64  `bson:"max_window_ns"`
	AllowChange bool   `bson:"allow_change"`
	Anonymous   bool   `bson:"anonymous"`
}

type exitDoc struct {
	Method     string `bson:"method"`
	YearlyRate int64  `bson:"yearly_rate"`
	ByIndex    bool   `bson:"by_index"`
	Cap        int64  `bson:"cap"`
	Rounding   string `bson:"rounding"`
}

type boardRuleDoc struct {
	Seats           int      `bson:"seats"`
	RegionalSeats   int      `bson:"regional_seats"`
	StaffSeats      int      `bson:"staff_seats"`
	RegionalClasses []string `bson:"regional_classes"`
}

type bylawsDoc struct {
	Version   int          `bson:"version"`
	AdoptedAt time.Time    `bson:"adopted_at"`
	AdoptedBy string       `bson:"adopted_by,omitempty"`
	Classes   []classDoc   `bson:"classes"`
	Rules     []ruleDoc    `bson:"rules"`
	Exit      exitDoc      `bson:"exit"`
	Board     boardRuleDoc `bson:"board"`
}

func toBylawsDoc(b *community.Bylaws) bylawsDoc {
	d := bylawsDoc{
		Version: b.Version, AdoptedAt: b.AdoptedAt, AdoptedBy: b.AdoptedBy,
		Classes: make([]classDoc, len(b.Classes)), Rules: make([]ruleDoc, len(b.Rules)),
		Exit: exitDoc{Method: string(b.Exit.Method), YearlyRate: int64(b.Exit.YearlyRate), ByIndex: b.Exit.ByIndex,
			Cap: int64(b.Exit.Cap), Rounding: string(b.Exit.Rounding)},
		Board: boardRuleDoc{Seats: b.Board.Seats, RegionalSeats: b.Board.RegionalSeats, StaffSeats: b.Board.StaffSeats,
			RegionalClasses: stringsOrEmpty(b.Board.RegionalClasses)},
	}
	for i, c := range b.Classes {
		cd := classDoc{Key: c.Key, Name: c.Name, Eligible: string(c.Eligible), Share: toMoneyDoc(c.Share.Amount),
			ShareInstalments: c.Share.Instalments, ShareRefundable: c.Share.Refundable, VoteWeight: c.VoteWeight,
			VoteBasis: string(c.VoteBasis), BoardSeats: c.BoardSeats, MayPropose: c.MayPropose,
			Pathway: make([]milestoneDoc, len(c.Pathway))}
		for j, m := range c.Pathway {
			md := milestoneDoc{Key: m.Key, Kind: string(m.Kind), Name: m.Name, Days: m.Days, VerifiedBy: make([]string, len(m.VerifiedBy))}
			for k, v := range m.VerifiedBy {
				md.VerifiedBy[k] = string(v)
			}
			cd.Pathway[j] = md
		}
		d.Classes[i] = cd
	}
	for i, r := range b.Rules {
		d.Rules[i] = ruleDoc{Kind: string(r.Kind), Method: string(r.Method), Quorum: int64(r.Quorum),
			MinWindowNS: int64(r.MinWindow), MaxWindowNS: int64(r.MaxWindow), AllowChange: r.AllowChange, Anonymous: r.Anonymous}
	}
	return d
}

func fromBylawsDoc(d bylawsDoc) community.Bylaws {
	b := community.Bylaws{
		Version: d.Version, AdoptedAt: d.AdoptedAt.UTC(), AdoptedBy: d.AdoptedBy,
		Exit: community.ExitRule{Method: community.RefundMethod(d.Exit.Method), YearlyRate: community.BasisPoints(d.Exit.YearlyRate),
			ByIndex: d.Exit.ByIndex, Cap: community.BasisPoints(d.Exit.Cap), Rounding: community.Rounding(d.Exit.Rounding)},
		Board: community.BoardRule{Seats: d.Board.Seats, RegionalSeats: d.Board.RegionalSeats, StaffSeats: d.Board.StaffSeats,
			RegionalClasses: nilIfEmpty(d.Board.RegionalClasses)},
	}
	for _, cd := range d.Classes {
		c := community.MembershipClass{Key: cd.Key, Name: cd.Name, Eligible: community.Eligibility(cd.Eligible),
			Share:      community.Fee{Amount: fromMoneyDoc(cd.Share), Instalments: cd.ShareInstalments, Refundable: cd.ShareRefundable},
			VoteWeight: cd.VoteWeight, VoteBasis: community.VoteBasis(cd.VoteBasis), BoardSeats: cd.BoardSeats, MayPropose: cd.MayPropose}
		for _, md := range cd.Pathway {
			m := community.Milestone{Key: md.Key, Kind: community.MilestoneKind(md.Kind), Name: md.Name, Days: md.Days}
			for _, v := range md.VerifiedBy {
				m.VerifiedBy = append(m.VerifiedBy, community.Verifier(v))
			}
			c.Pathway = append(c.Pathway, m)
		}
		b.Classes = append(b.Classes, c)
	}
	for _, r := range d.Rules {
		b.Rules = append(b.Rules, community.DecisionRule{Kind: community.ProposalKind(r.Kind), Method: community.Method(r.Method),
			Quorum: community.BasisPoints(r.Quorum), MinWindow: time.Duration(r.MinWindowNS), MaxWindow: time.Duration(r.MaxWindowNS),
			AllowChange: r.AllowChange, Anonymous: r.Anonymous})
	}
	return b
}

// stringsOrEmpty stores an empty array rather than null, so that a
// document reads back the same whichever way it was written.
func stringsOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

type communityDoc struct {
	ID          string         `bson:"_id"`
	Name        string         `bson:"name"`
	Model       string         `bson:"model"`
	Regions     []regionDoc    `bson:"regions"`
	ParcelIDs   []string       `bson:"parcel_ids"`
	CampaignIDs []string       `bson:"campaign_ids"`
	Bylaws      bylawsDoc      `bson:"bylaws"`
	History     []bylawsDoc    `bson:"history"`
	Roles       []roleGrantDoc `bson:"roles"`
	CreatedAt   time.Time      `bson:"created_at"`
	Revision    int64          `bson:"revision"`
}

func toCommunityDoc(c *community.Community) communityDoc {
	d := communityDoc{ID: c.ID, Name: c.Name, Model: string(c.Model), Regions: make([]regionDoc, len(c.Regions)),
		ParcelIDs: stringsOrEmpty(c.ParcelIDs), CampaignIDs: stringsOrEmpty(c.CampaignIDs), Bylaws: toBylawsDoc(&c.Bylaws),
		History: make([]bylawsDoc, len(c.History)), Roles: make([]roleGrantDoc, len(c.Roles)),
		CreatedAt: c.CreatedAt, Revision: c.Revision}
	for i, r := range c.Regions {
		d.Regions[i] = regionDoc(r)
	}
	for i := range c.History {
		d.History[i] = toBylawsDoc(&c.History[i])
	}
	for i, g := range c.Roles {
		d.Roles[i] = roleGrantDoc{AccountID: g.AccountID, Role: string(g.Role), GrantedBy: g.GrantedBy, GrantedAt: g.GrantedAt}
	}
	return d
}

func fromCommunityDoc(d *communityDoc) *community.Community {
	c := &community.Community{ID: d.ID, Name: d.Name, Model: community.Model(d.Model),
		ParcelIDs: nilIfEmpty(d.ParcelIDs), CampaignIDs: nilIfEmpty(d.CampaignIDs), Bylaws: fromBylawsDoc(d.Bylaws),
		CreatedAt: d.CreatedAt.UTC(), Revision: d.Revision}
	for _, r := range d.Regions {
		c.Regions = append(c.Regions, community.Region(r))
	}
	for _, h := range d.History {
		c.History = append(c.History, fromBylawsDoc(h))
	}
	for _, g := range d.Roles {
		c.Roles = append(c.Roles, community.RoleGrant{AccountID: g.AccountID, Role: community.CommunityRole(g.Role),
			GrantedBy: g.GrantedBy, GrantedAt: g.GrantedAt.UTC()})
	}
	return c
}

type milestoneRecordDoc struct {
	Key        string    `bson:"key"`
	Note       string    `bson:"note,omitempty"`
	VerifiedBy string    `bson:"verified_by,omitempty"`
	As         string    `bson:"as"`
	ProposalID string    `bson:"proposal_id,omitempty"`
	At         time.Time `bson:"at"`
}

type paymentDoc struct {
	Amount     moneyDoc  `bson:"amount"`
	RecordedBy string    `bson:"recorded_by"`
	Note       string    `bson:"note,omitempty"`
	At         time.Time `bson:"at"`
}

type refundDoc struct {
	Paid    moneyDoc `bson:"paid"`
	Method  string   `bson:"method"`
	Years   int      `bson:"years"`
	Formula moneyDoc `bson:"formula"`
	Cap     moneyDoc `bson:"cap"`
	Amount  moneyDoc `bson:"amount"`
	Steps   []string `bson:"steps"`
}

type membershipDoc struct {
	ID             string               `bson:"_id"`
	CommunityID    string               `bson:"community_id"`
	ClassKey       string               `bson:"class_key"`
	HouseholdID    string               `bson:"household_id,omitempty"`
	PersonID       string               `bson:"person_id,omitempty"`
	OrganisationID string               `bson:"organisation_id,omitempty"`
	Organisation   string               `bson:"organisation_name,omitempty"`
	Representative string               `bson:"representative_id,omitempty"`
	Region         string               `bson:"region,omitempty"`
	Statement      string               `bson:"statement,omitempty"`
	Status         string               `bson:"status"`
	AppliedBy      string               `bson:"applied_by"`
	AppliedAt      time.Time            `bson:"applied_at"`
	ReviewedBy     string               `bson:"reviewed_by,omitempty"`
	ReviewedAt     *time.Time           `bson:"reviewed_at,omitempty"`
	ReviewNote     string               `bson:"review_note,omitempty"`
	ProvisionalAt  *time.Time           `bson:"provisional_at,omitempty"`
	MemberAt       *time.Time           `bson:"member_at,omitempty"`
	EndedAt        *time.Time           `bson:"ended_at,omitempty"`
	EndedBy        string               `bson:"ended_by,omitempty"`
	EndReason      string               `bson:"end_reason,omitempty"`
	Milestones     []milestoneRecordDoc `bson:"milestones"`
	Payments       []paymentDoc         `bson:"payments"`
	Refund         *refundDoc           `bson:"refund,omitempty"`
	Revision       int64                `bson:"revision"`
}

// optTime stores the zero time as an absent field.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func fromOptTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func toMembershipDoc(m *community.Membership) membershipDoc {
	d := membershipDoc{ID: m.ID, CommunityID: m.CommunityID, ClassKey: m.ClassKey, HouseholdID: m.HouseholdID,
		PersonID: m.PersonID, OrganisationID: m.OrganisationID,
		Organisation: m.OrganisationName, Representative: m.RepresentativeID, Region: m.Region, Statement: m.Statement,
		Status: string(m.Status), AppliedBy: m.AppliedBy, AppliedAt: m.AppliedAt, ReviewedBy: m.ReviewedBy,
		ReviewedAt: optTime(m.ReviewedAt), ReviewNote: m.ReviewNote, ProvisionalAt: optTime(m.ProvisionalAt),
		MemberAt: optTime(m.MemberAt), EndedAt: optTime(m.EndedAt), EndedBy: m.EndedBy, EndReason: m.EndReason,
		Milestones: make([]milestoneRecordDoc, len(m.Milestones)), Payments: make([]paymentDoc, len(m.Payments)),
		Revision: m.Revision}
	for i, r := range m.Milestones {
		d.Milestones[i] = milestoneRecordDoc{Key: r.Key, Note: r.Note, VerifiedBy: r.VerifiedBy, As: string(r.As), ProposalID: r.ProposalID, At: r.At}
	}
	for i, p := range m.Payments {
		d.Payments[i] = paymentDoc{Amount: toMoneyDoc(p.Amount), RecordedBy: p.RecordedBy, Note: p.Note, At: p.At}
	}
	if r := m.Refund; r != nil {
		d.Refund = &refundDoc{Paid: toMoneyDoc(r.Paid), Method: string(r.Method), Years: r.Years, Formula: toMoneyDoc(r.Formula),
			Cap: toMoneyDoc(r.Cap), Amount: toMoneyDoc(r.Amount), Steps: stringsOrEmpty(r.Steps)}
	}
	return d
}

func fromMembershipDoc(d *membershipDoc) *community.Membership {
	m := &community.Membership{ID: d.ID, CommunityID: d.CommunityID, ClassKey: d.ClassKey, HouseholdID: d.HouseholdID,
		PersonID: d.PersonID, OrganisationID: d.OrganisationID,
		OrganisationName: d.Organisation, RepresentativeID: d.Representative, Region: d.Region, Statement: d.Statement,
		Status: community.Status(d.Status), AppliedBy: d.AppliedBy, AppliedAt: d.AppliedAt.UTC(), ReviewedBy: d.ReviewedBy,
		ReviewedAt: fromOptTime(d.ReviewedAt), ReviewNote: d.ReviewNote, ProvisionalAt: fromOptTime(d.ProvisionalAt),
		MemberAt: fromOptTime(d.MemberAt), EndedAt: fromOptTime(d.EndedAt), EndedBy: d.EndedBy, EndReason: d.EndReason,
		Revision: d.Revision}
	for _, r := range d.Milestones {
		m.Milestones = append(m.Milestones, community.MilestoneRecord{Key: r.Key, Note: r.Note, VerifiedBy: r.VerifiedBy,
			As: community.Verifier(r.As), ProposalID: r.ProposalID, At: r.At.UTC()})
	}
	for _, p := range d.Payments {
		m.Payments = append(m.Payments, community.Payment{Amount: fromMoneyDoc(p.Amount), RecordedBy: p.RecordedBy, Note: p.Note, At: p.At.UTC()})
	}
	if r := d.Refund; r != nil {
		m.Refund = &community.Refund{Paid: fromMoneyDoc(r.Paid), Method: community.RefundMethod(r.Method), Years: r.Years,
			Formula: fromMoneyDoc(r.Formula), Cap: fromMoneyDoc(r.Cap), Amount: fromMoneyDoc(r.Amount), Steps: nilIfEmpty(r.Steps)}
	}
	return m
}

// membershipKeyDoc holds an applicant key while its membership is active:
// its _id is the key, so the unique _id refuses a second active membership
// even when two applications race. HeldAt tells an application still
// being saved from one a crash left without its membership.
type membershipKeyDoc struct {
	ID           string    `bson:"_id"`
	MembershipID string    `bson:"membership_id"`
	HeldAt       time.Time `bson:"held_at,omitempty"`
}

type textDoc struct {
	Language string `bson:"language"`
	Title    string `bson:"title"`
	Body     string `bson:"body"`
}

type labelDoc struct {
	Language string `bson:"language"`
	Label    string `bson:"label"`
}

type optionDoc struct {
	Key     string     `bson:"key"`
	Labels  []labelDoc `bson:"labels"`
	Abstain bool       `bson:"abstain"`
}

type voterDoc struct {
	Key          string `bson:"key"`
	ClassKey     string `bson:"class_key"`
	Weight       int    `bson:"weight"`
	MembershipID string `bson:"membership_id"`
}

type optionCountDoc struct {
	Option  string `bson:"option"`
	Ballots int    `bson:"ballots"`
	Weight  int64  `bson:"weight"`
}

type resultDoc struct {
	Method         string           `bson:"method"`
	Eligible       int              `bson:"eligible"`
	EligibleWeight int64            `bson:"eligible_weight"`
	Ballots        int              `bson:"ballots"`
	BallotWeight   int64            `bson:"ballot_weight"`
	Quorum         int64            `bson:"quorum"`
	QuorumMet      bool             `bson:"quorum_met"`
	Counts         []optionCountDoc `bson:"counts"`
	Counted        int              `bson:"counted"`
	CountedWeight  int64            `bson:"counted_weight"`
	Agrees         int              `bson:"agrees"`
	Blocks         int              `bson:"blocks"`
	StandAsides    int              `bson:"stand_asides"`
	Winner         string           `bson:"winner,omitempty"`
	Outcome        string           `bson:"outcome"`
	Passed         bool             `bson:"passed"`
	Adopted        bool             `bson:"adopted"`
}

type proposalDoc struct {
	ID            string      `bson:"_id"`
	CommunityID   string      `bson:"community_id"`
	Kind          string      `bson:"kind"`
	Texts         []textDoc   `bson:"texts"`
	Options       []optionDoc `bson:"options"`
	Rule          ruleDoc     `bson:"rule"`
	BylawsVersion int         `bson:"bylaws_version"`
	Anonymous     bool        `bson:"anonymous"`
	Opens         time.Time   `bson:"opens"`
	Closes        time.Time   `bson:"closes"`
	ProposedBy    string      `bson:"proposed_by"`
	CreatedAt     time.Time   `bson:"created_at"`
	NewBylaws     *bylawsDoc  `bson:"new_bylaws,omitempty"`
	MembershipID  string      `bson:"membership_id,omitempty"`
	Status        string      `bson:"status"`
	Electorate    []voterDoc  `bson:"electorate"`
	OpenedAt      *time.Time  `bson:"opened_at,omitempty"`
	ClosedAt      *time.Time  `bson:"closed_at,omitempty"`
	Result        *resultDoc  `bson:"result,omitempty"`
	Revision      int64       `bson:"revision"`
}

func toProposalDoc(p *community.Proposal) proposalDoc {
	r := p.Rule
	d := proposalDoc{ID: p.ID, CommunityID: p.CommunityID, Kind: string(p.Kind), Options: make([]optionDoc, len(p.Options)),
		Rule: ruleDoc{Kind: string(r.Kind), Method: string(r.Method), Quorum: int64(r.Quorum), MinWindowNS: int64(r.MinWindow),
			MaxWindowNS: int64(r.MaxWindow), AllowChange: r.AllowChange, Anonymous: r.Anonymous},
		BylawsVersion: p.BylawsVersion, Anonymous: p.Anonymous, Opens: p.Opens, Closes: p.Closes, ProposedBy: p.ProposedBy,
		CreatedAt: p.CreatedAt, MembershipID: p.MembershipID, Status: string(p.Status), Electorate: make([]voterDoc, len(p.Electorate)),
		OpenedAt: optTime(p.OpenedAt), ClosedAt: optTime(p.ClosedAt), Revision: p.Revision}
	for _, lang := range sortedKeys(p.Text) {
		t := p.Text[lang]
		d.Texts = append(d.Texts, textDoc{Language: string(lang), Title: t.Title, Body: t.Body})
	}
	for i, o := range p.Options {
		od := optionDoc{Key: o.Key, Abstain: o.Abstain, Labels: []labelDoc{}}
		for _, lang := range sortedKeys(o.Label) {
			od.Labels = append(od.Labels, labelDoc{Language: string(lang), Label: o.Label[lang]})
		}
		d.Options[i] = od
	}
	if p.NewBylaws != nil {
		b := toBylawsDoc(p.NewBylaws)
		d.NewBylaws = &b
	}
	for i, v := range p.Electorate {
		d.Electorate[i] = voterDoc(v)
	}
	if res := p.Result; res != nil {
		rd := &resultDoc{Method: string(res.Method), Eligible: res.Eligible, EligibleWeight: res.EligibleWeight, Ballots: res.Ballots,
			BallotWeight: res.BallotWeight, Quorum: int64(res.Quorum), QuorumMet: res.QuorumMet, Counts: make([]optionCountDoc, len(res.Counts)),
			Counted: res.Counted, CountedWeight: res.CountedWeight, Agrees: res.Agrees, Blocks: res.Blocks, StandAsides: res.StandAsides,
			Winner: res.Winner, Outcome: string(res.Outcome), Passed: res.Passed, Adopted: res.Adopted}
		for i, c := range res.Counts {
			rd.Counts[i] = optionCountDoc(c)
		}
		d.Result = rd
	}
	return d
}

func fromProposalDoc(d *proposalDoc) *community.Proposal {
	r := d.Rule
	p := &community.Proposal{ID: d.ID, CommunityID: d.CommunityID, Kind: community.ProposalKind(d.Kind), Text: map[community.Language]community.Text{},
		Rule: community.DecisionRule{Kind: community.ProposalKind(r.Kind), Method: community.Method(r.Method), Quorum: community.BasisPoints(r.Quorum),
			MinWindow: time.Duration(r.MinWindowNS), MaxWindow: time.Duration(r.MaxWindowNS), AllowChange: r.AllowChange, Anonymous: r.Anonymous},
		BylawsVersion: d.BylawsVersion, Anonymous: d.Anonymous, Opens: d.Opens.UTC(), Closes: d.Closes.UTC(), ProposedBy: d.ProposedBy,
		CreatedAt: d.CreatedAt.UTC(), MembershipID: d.MembershipID, Status: community.ProposalStatus(d.Status),
		OpenedAt: fromOptTime(d.OpenedAt), ClosedAt: fromOptTime(d.ClosedAt), Revision: d.Revision}
	for _, t := range d.Texts {
		p.Text[community.Language(t.Language)] = community.Text{Title: t.Title, Body: t.Body}
	}
	for _, od := range d.Options {
		o := community.Option{Key: od.Key, Abstain: od.Abstain, Label: map[community.Language]string{}}
		for _, l := range od.Labels {
			o.Label[community.Language(l.Language)] = l.Label
		}
		p.Options = append(p.Options, o)
	}
	if d.NewBylaws != nil {
		b := fromBylawsDoc(*d.NewBylaws)
		p.NewBylaws = &b
	}
	for _, v := range d.Electorate {
		p.Electorate = append(p.Electorate, community.Voter(v))
	}
	if rd := d.Result; rd != nil {
		res := &community.Result{ProposalID: d.ID, Method: community.Method(rd.Method), Eligible: rd.Eligible, EligibleWeight: rd.EligibleWeight,
			Ballots: rd.Ballots, BallotWeight: rd.BallotWeight, Quorum: community.BasisPoints(rd.Quorum), QuorumMet: rd.QuorumMet,
			Counted: rd.Counted, CountedWeight: rd.CountedWeight, Agrees: rd.Agrees, Blocks: rd.Blocks, StandAsides: rd.StandAsides,
			Winner: rd.Winner, Outcome: community.Outcome(rd.Outcome), Passed: rd.Passed, Adopted: rd.Adopted}
		for _, c := range rd.Counts {
			res.Counts = append(res.Counts, community.OptionCount(c))
		}
		p.Result = res
	}
	return p
}

// ballotDoc is a stored ballot. On an anonymous proposal voter_key and
// cast_at are absent, and the _id is a hash of the voter's secret.
type ballotDoc struct {
	ID         string     `bson:"_id"`
	ProposalID string     `bson:"proposal_id"`
	VoterKey   string     `bson:"voter_key,omitempty"`
	Option     string     `bson:"option"`
	Weight     int        `bson:"weight"`
	CastAt     *time.Time `bson:"cast_at,omitempty"`
	Revision   int64      `bson:"revision"`
}

func toBallotDoc(b *community.Ballot) ballotDoc {
	return ballotDoc{ID: b.ID, ProposalID: b.ProposalID, VoterKey: b.VoterKey, Option: b.Option, Weight: b.Weight,
		CastAt: optTime(b.CastAt), Revision: b.Revision}
}

func fromBallotDoc(d *ballotDoc) community.Ballot {
	return community.Ballot{ID: d.ID, ProposalID: d.ProposalID, VoterKey: d.VoterKey, Option: d.Option, Weight: d.Weight,
		CastAt: fromOptTime(d.CastAt), Revision: d.Revision}
}

type participationDoc struct {
	ID         string    `bson:"_id"`
	ProposalID string    `bson:"proposal_id"`
	VoterKey   string    `bson:"voter_key"`
	At         time.Time `bson:"at"`
}

func toParticipationDoc(p *community.Participation) participationDoc { return participationDoc(*p) }

func fromParticipationDoc(d *participationDoc) community.Participation {
	p := community.Participation(*d)
	p.At = p.At.UTC()
	return p
}
