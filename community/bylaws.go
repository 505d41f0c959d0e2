package community

import (
	"fmt"
	"time"

	"commonground/apperr"
)

// Bylaws are a community's rules as data: who may join and on what terms,
// how they become owners, how each kind of decision is taken, what a leaving
// member gets back and how the board is made up. They are versioned; a new
// version is adopted only by a proposal of kind KindBylawsChange.
type Bylaws struct {
	// Version counts from 1; a change must carry the current version + 1.
	Version int
	// AdoptedAt and AdoptedBy (a proposal ID) record how this version came
	// into force; AdoptedBy is empty for the founding bylaws.
	AdoptedAt time.Time
	AdoptedBy string
	Classes   []MembershipClass
	Rules     []DecisionRule
	Exit      ExitRule
	Board     BoardRule
}

// Eligibility says who may hold a membership of a class.
type Eligibility string

// Who may join a class: a registered household, a person, or an
// organisation (a local nonprofit, a credit union) represented by a person.
const (
	EligibleHousehold    Eligibility = "household"
	EligiblePerson       Eligibility = "person"
	EligibleOrganisation Eligibility = "organisation"
)

// VoteBasis says whether a household class casts one vote per household or
// one per adult in it. Person and organisation classes always vote per member.
type VoteBasis string

// Vote bases.
const (
	VotePerHousehold VoteBasis = "per_household"
	VotePerPerson    VoteBasis = "per_person"
)

// Fee is what a class pays to join: an equity share (Refundable, returned on
// exit by the ExitRule) or a fee that is kept. Instalments is how many equal
// payments the class may spread it over (1: all at once).
type Fee struct {
	Amount      Money
	Instalments int
	Refundable  bool
}

// MembershipClass is one kind of member (resident household, worker,
// supporter, organisation) with its own terms and rights.
type MembershipClass struct {
	Key      string
	Name     string
	Eligible Eligibility
	Share    Fee
	// VoteWeight counts in weighted decisions; it is bounded by MaxVoteWeight
	// so that no tally can overflow.
	VoteWeight int
	VoteBasis  VoteBasis
	// BoardSeats are reserved for members of this class.
	BoardSeats int
	// MayPropose lets members of this class put proposals to a vote.
	MayPropose bool
	// Pathway is the ordered list of milestones from provisional member to
	// owner; an empty pathway admits on review.
	Pathway []Milestone
}

// MilestoneKind names a step on the pathway to ownership; the kinds with a
// rule the domain can check (share paid, days served, member vote) are
// checked, the others rest on the verifier's word and evidence note.
type MilestoneKind string

// Milestone kinds.
const (
	MilestoneOrientation      MilestoneKind = "orientation"
	MilestoneConflictTraining MilestoneKind = "conflict_resolution_training"
	MilestoneSharePaid        MilestoneKind = "share_paid"
	MilestoneProvisionalDays  MilestoneKind = "provisional_days"
	MilestoneMemberVote       MilestoneKind = "member_vote"
	MilestoneCustom           MilestoneKind = "custom"
)

// Verifier is a capacity in which someone may confirm a milestone.
type Verifier string

// Verifiers. VerifierMemberVote means the milestone is met only by an
// admission proposal that passed.
const (
	VerifierCommunityAdmin     Verifier = "community_admin"
	VerifierCommunityOrganizer Verifier = "community_organizer"
	VerifierSteward            Verifier = "steward"
	VerifierMemberVote         Verifier = "member_vote"
)

// Milestone is one step of a pathway.
type Milestone struct {
	Key  string
	Kind MilestoneKind
	Name string
	// Days is the time to serve as a provisional member, for
	// MilestoneProvisionalDays only.
	Days       int
	VerifiedBy []Verifier
}

// ProposalKind names a kind of decision; bylaws carry one DecisionRule per
// kind they allow. Communities may define their own kinds besides these.
type ProposalKind string

// Proposal kinds the domain gives meaning to.
const (
	KindGeneral      ProposalKind = "general"
	KindBylawsChange ProposalKind = "bylaws_change"
	KindAdmission    ProposalKind = "admission"
	KindLandPurchase ProposalKind = "land_purchase"
	KindBudget       ProposalKind = "budget"
)

// Method is how ballots turn into an outcome.
type Method string

// Decision methods. Consensus passes with quorum and no block; the other
// methods need the leading option to reach a share of the votes cast
// (abstentions and stand-asides excluded): more than half by head, two
// thirds by head, or more than half of the class-weighted votes.
const (
	MethodConsensus Method = "consensus"
	MethodMajority  Method = "simple_majority"
	MethodTwoThirds Method = "two_thirds"
	MethodWeighted  Method = "weighted"
)

// DecisionRule is how one kind of proposal is decided.
type DecisionRule struct {
	Kind   ProposalKind
	Method Method
	// Quorum is the share of the electorate (by weight, for MethodWeighted)
	// that must cast a ballot.
	Quorum BasisPoints
	// MinWindow and MaxWindow bound how long voting stays open.
	MinWindow, MaxWindow time.Duration
	// AllowChange lets a voter replace their ballot until voting closes.
	AllowChange bool
	// Anonymous makes every proposal of this kind a secret ballot.
	Anonymous bool
}

// RefundMethod says how a refundable share is paid back on exit.
type RefundMethod string

// Refund methods.
const (
	RefundAsPaid        RefundMethod = "as_paid"
	RefundLimitedEquity RefundMethod = "limited_equity"
)

// ExitRule says what a leaving member gets back. A limited-equity formula
// keeps homes affordable for the next household: the share grows by a fixed
// yearly rate (compounded per full year held) or with an index, and never
// beyond Cap times what was paid.
type ExitRule struct {
	Method     RefundMethod
	YearlyRate BasisPoints
	ByIndex    bool
	Cap        BasisPoints
	Rounding   Rounding
}

// BoardRule is how the board is made up: seats reserved per class (in the
// classes), RegionalSeats apportioned by dues paid in each region, and
// StaffSeats appointed by staff. Seats left over are elected at large.
type BoardRule struct {
	Seats         int
	RegionalSeats int
	StaffSeats    int
	// RegionalClasses are the classes whose dues count for regional seats;
	// empty means all classes.
	RegionalClasses []string
}

// Limits that keep every sum in a tally or an apportionment far inside int64.
const (
	MaxVoteWeight   = 1000
	MaxInstalments  = 120
	MaxBoardSeats   = 99
	MaxClasses      = 20
	MaxMilestones   = 30
	maxKeyLength    = 40
	maxNameLength   = 200
	maxWindowLength = 90 * 24 * time.Hour
)

// Class returns the class with the given key.
func (b *Bylaws) Class(key string) (*MembershipClass, bool) {
	for i := range b.Classes {
		if b.Classes[i].Key == key {
			return &b.Classes[i], true
		}
	}
	return nil, false
}

// Rule returns the decision rule for a proposal kind.
func (b *Bylaws) Rule(kind ProposalKind) (*DecisionRule, bool) {
	for i := range b.Rules {
		if b.Rules[i].Kind == kind {
			return &b.Rules[i], true
		}
	}
	return nil, false
}

// Validate checks the bylaws on their own and returns an Unprocessable
// error naming every bad field. Community.Validate also checks them against
// the community (regions for regional seats).
func (b *Bylaws) Validate() error {
	var f apperr.Fields
	b.validate(&f, "")
	return f.Err()
}

// validKey reports whether s is a short lower-case identifier, the shape
// of every key that other records refer to.
func validKey(s string) bool {
	if s == "" || len(s) > maxKeyLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

const keyReason = "must be 1 to 40 characters of a-z, 0-9, _ or -"

func validName(f *apperr.Fields, field, s string) {
	if s == "" || len(s) > maxNameLength {
		f.Add(field, "must be 1 to %d characters", maxNameLength)
	}
}

func (b *Bylaws) validate(f *apperr.Fields, prefix string) {
	if b.Version < 1 {
		f.Add(prefix+"version", "must be at least 1")
	}
	if len(b.Classes) == 0 || len(b.Classes) > MaxClasses {
		f.Add(prefix+"classes", "must have 1 to %d membership classes", MaxClasses)
	}
	classSeats := 0
	seen := map[string]bool{}
	for i := range b.Classes {
		c := &b.Classes[i]
		p := fmt.Sprintf("%sclasses.%d.", prefix, i)
		switch {
		case !validKey(c.Key):
			f.Add(p+"key", keyReason)
		case seen[c.Key]:
			f.Add(p+"key", "duplicates another class")
		}
		seen[c.Key] = true
		validName(f, p+"name", c.Name)
		switch c.Eligible {
		case EligibleHousehold, EligiblePerson, EligibleOrganisation:
		default:
			f.Add(p+"eligible", "must be household, person or organisation")
		}
		switch {
		case c.VoteBasis == VotePerPerson:
		case c.VoteBasis == VotePerHousehold && c.Eligible == EligibleHousehold:
		case c.VoteBasis == VotePerHousehold:
			f.Add(p+"voteBasis", "per_household needs a household class")
		default:
			f.Add(p+"voteBasis", "must be per_household or per_person")
		}
		if c.VoteWeight < 1 || c.VoteWeight > MaxVoteWeight {
			f.Add(p+"voteWeight", "must be between 1 and %d so that weighted sums cannot overflow", MaxVoteWeight)
		}
		validateFee(f, p+"share.", c.Share)
		if c.BoardSeats < 0 || c.BoardSeats > MaxBoardSeats {
			f.Add(p+"boardSeats", "must be between 0 and %d", MaxBoardSeats)
		} else {
			classSeats += c.BoardSeats
		}
		b.validatePathway(f, p+"pathway", c)
	}
	seenKind := map[ProposalKind]bool{}
	for i, r := range b.Rules {
		p := fmt.Sprintf("%srules.%d.", prefix, i)
		switch {
		case !validKey(string(r.Kind)):
			f.Add(p+"kind", keyReason)
		case seenKind[r.Kind]:
			f.Add(p+"kind", "duplicates another rule")
		}
		seenKind[r.Kind] = true
		switch r.Method {
		case MethodConsensus, MethodMajority, MethodTwoThirds, MethodWeighted:
		default:
			f.Add(p+"method", "must be consensus, simple_majority, two_thirds or weighted")
		}
		if r.Quorum < 0 || r.Quorum > Whole {
			f.Add(p+"quorum", "must be between 0 and 10000 basis points")
		}
		if r.MinWindow <= 0 || r.MinWindow > maxWindowLength {
			f.Add(p+"minWindow", "must be positive and at most 90 days")
		}
		if r.MaxWindow < r.MinWindow || r.MaxWindow > maxWindowLength {
			f.Add(p+"maxWindow", "must be at least minWindow and at most 90 days")
		}
	}
	b.validateExit(f, prefix+"exit.")
	b.validateBoard(f, prefix+"board.", classSeats, seen)
}

func validateFee(f *apperr.Fields, p string, fee Fee) {
	if !validCurrency(fee.Amount.Currency) {
		f.Add(p+"amount.currency", "must be an ISO 4217 code such as USD")
	}
	if fee.Amount.Minor < 0 {
		f.Add(p+"amount.minor", "must not be negative")
	}
	if fee.Instalments < 1 || fee.Instalments > MaxInstalments {
		f.Add(p+"instalments", "must be between 1 and %d", MaxInstalments)
	} else if fee.Amount.Minor > 0 && fee.Amount.Minor < int64(fee.Instalments) {
		f.Add(p+"instalments", "must not exceed the amount in minor units")
	}
}

func (b *Bylaws) validatePathway(f *apperr.Fields, p string, c *MembershipClass) {
	if len(c.Pathway) > MaxMilestones {
		f.Add(p, "must have at most %d milestones", MaxMilestones)
	}
	seen := map[string]bool{}
	for j, m := range c.Pathway {
		q := fmt.Sprintf("%s.%d.", p, j)
		switch {
		case !validKey(m.Key):
			f.Add(q+"key", keyReason)
		case seen[m.Key]:
			f.Add(q+"key", "duplicates another milestone")
		}
		seen[m.Key] = true
		validName(f, q+"name", m.Name)
		switch m.Kind {
		case MilestoneOrientation, MilestoneConflictTraining, MilestoneCustom:
		case MilestoneSharePaid:
			if c.Share.Amount.Minor == 0 {
				f.Add(q+"kind", "share_paid needs a class share above zero")
			}
		case MilestoneProvisionalDays:
			if m.Days < 1 || m.Days > 3660 {
				f.Add(q+"days", "must be between 1 and 3660")
			}
		case MilestoneMemberVote:
			if _, ok := b.Rule(KindAdmission); !ok {
				f.Add(q+"kind", "member_vote needs a decision rule for kind admission")
			}
		default:
			f.Add(q+"kind", "is not a known milestone kind")
		}
		if m.Kind != MilestoneProvisionalDays && m.Days != 0 {
			f.Add(q+"days", "applies only to provisional_days")
		}
		if len(m.VerifiedBy) == 0 {
			f.Add(q+"verifiedBy", "must name at least one verifier")
		}
		for k, v := range m.VerifiedBy {
			switch v {
			case VerifierCommunityAdmin, VerifierCommunityOrganizer, VerifierSteward:
				if m.Kind == MilestoneMemberVote {
					f.Add(fmt.Sprintf("%sverifiedBy.%d", q, k), "a member_vote milestone is verified by the vote alone")
				}
			case VerifierMemberVote:
				if m.Kind != MilestoneMemberVote {
					f.Add(fmt.Sprintf("%sverifiedBy.%d", q, k), "member_vote verifies only member_vote milestones")
				}
			default:
				f.Add(fmt.Sprintf("%sverifiedBy.%d", q, k), "is not a known verifier")
			}
		}
	}
}

func (b *Bylaws) validateExit(f *apperr.Fields, p string) {
	e := b.Exit
	switch e.Rounding {
	case RoundDown, RoundHalfUp, RoundHalfEven:
	default:
		f.Add(p+"rounding", "must be down, half_up or half_even")
	}
	switch e.Method {
	case RefundAsPaid:
		if e.YearlyRate != 0 || e.ByIndex || e.Cap != 0 {
			f.Add(p+"method", "as_paid takes no rate, index or cap")
		}
	case RefundLimitedEquity:
		if e.ByIndex && e.YearlyRate != 0 {
			f.Add(p+"yearlyRate", "must be zero when the refund follows an index")
		}
		if !e.ByIndex && (e.YearlyRate <= 0 || e.YearlyRate > 20*Percent) {
			f.Add(p+"yearlyRate", "must be between 1 and 2000 basis points")
		}
		if e.Cap < Whole || e.Cap > 10*Whole {
			f.Add(p+"cap", "must be between 10000 and 100000 basis points of the share paid")
		}
	default:
		f.Add(p+"method", "must be as_paid or limited_equity")
	}
}

func (b *Bylaws) validateBoard(f *apperr.Fields, p string, classSeats int, classes map[string]bool) {
	bd := b.Board
	if bd.Seats < 0 || bd.Seats > MaxBoardSeats {
		f.Add(p+"seats", "must be between 0 and %d", MaxBoardSeats)
		return
	}
	if bd.RegionalSeats < 0 || bd.RegionalSeats > MaxBoardSeats {
		f.Add(p+"regionalSeats", "must be between 0 and %d", MaxBoardSeats)
		return
	}
	if bd.StaffSeats < 0 || bd.StaffSeats > MaxBoardSeats {
		f.Add(p+"staffSeats", "must be between 0 and %d", MaxBoardSeats)
		return
	}
	if sum := classSeats + bd.RegionalSeats + bd.StaffSeats; sum > bd.Seats {
		f.Add(p+"seats", "class, regional and staff seats add up to %d, more than the board's %d", sum, bd.Seats)
	}
	for i, k := range bd.RegionalClasses {
		if !classes[k] {
			f.Add(fmt.Sprintf("%sregionalClasses.%d", p, i), "names no membership class")
		}
	}
	if len(bd.RegionalClasses) > 0 && bd.RegionalSeats == 0 {
		f.Add(p+"regionalClasses", "needs regional seats")
	}
}
