package community

import "time"

// The three model communities below are configured like the real forms
// they are named after. Demo data and tests start from them; each returns a
// fresh value, so callers may change it freely.

const day = 24 * time.Hour

func usd(minor int64) Money { return Money{Minor: minor, Currency: "USD"} }

func verifiers(v ...Verifier) []Verifier { return v }

// ResidentOwnedPark returns a resident-owned manufactured-home community:
// one class of resident households, one vote per household, an equal $1,000
// share refunded as paid, payable in up to ten instalments, and a board of
// five residents. adminID is the account of its first community admin.
func ResidentOwnedPark(id, adminID string, now time.Time) Community {
	staff := verifiers(VerifierCommunityAdmin, VerifierCommunityOrganizer)
	return Community{
		ID:    id,
		Name:  "Bear Creek Residents' Cooperative",
		Model: ModelResidentOwnedCommunity,
		Roles: []RoleGrant{{AccountID: adminID, Role: RoleCommunityAdmin, GrantedAt: now}},
		Bylaws: Bylaws{
			Version:   1,
			AdoptedAt: now,
			Classes: []MembershipClass{{
				Key: "resident", Name: "Resident household", Eligible: EligibleHousehold,
				Share:      Fee{Amount: usd(100_000), Instalments: 10, Refundable: true},
				VoteWeight: 1, VoteBasis: VotePerHousehold, BoardSeats: 5, MayPropose: true,
				Pathway: []Milestone{
					{Key: "orientation", Kind: MilestoneOrientation, Name: "Cooperative orientation", VerifiedBy: staff},
					{Key: "share", Kind: MilestoneSharePaid, Name: "Share paid in full", VerifiedBy: verifiers(VerifierCommunityAdmin)},
					{Key: "ninety_days", Kind: MilestoneProvisionalDays, Name: "90 days as a provisional member", Days: 90, VerifiedBy: staff},
				},
			}},
			Rules: []DecisionRule{
				{Kind: KindGeneral, Method: MethodMajority, Quorum: 50 * Percent, MinWindow: 7 * day, MaxWindow: 21 * day, AllowChange: true},
				{Kind: KindLandPurchase, Method: MethodTwoThirds, Quorum: 60 * Percent, MinWindow: 14 * day, MaxWindow: 30 * day, AllowChange: true},
				{Kind: KindBylawsChange, Method: MethodTwoThirds, Quorum: 60 * Percent, MinWindow: 14 * day, MaxWindow: 30 * day, Anonymous: true},
			},
			Exit:  ExitRule{Method: RefundAsPaid, Rounding: RoundDown},
			Board: BoardRule{Seats: 5},
		},
		CreatedAt: now,
	}
}

// WorkerCoop returns a worker cooperative rebuilding homes: one class of
// worker-owners, one person one vote, decisions by consensus, admission by
// a consensus vote of the members after orientation, conflict-resolution
// training and 180 days, a $500 share refunded as paid, and a board of
// three elected at large.
func WorkerCoop(id, adminID string, now time.Time) Community {
	staff := verifiers(VerifierCommunityAdmin, VerifierCommunityOrganizer)
	consensus := func(kind ProposalKind, quorum BasisPoints) DecisionRule {
		return DecisionRule{Kind: kind, Method: MethodConsensus, Quorum: quorum, MinWindow: 3 * day, MaxWindow: 14 * day, AllowChange: true}
	}
	return Community{
		ID:    id,
		Name:  "Rogue Valley Rebuilders Cooperative",
		Model: ModelWorkerCoop,
		Roles: []RoleGrant{{AccountID: adminID, Role: RoleCommunityAdmin, GrantedAt: now}},
		Bylaws: Bylaws{
			Version:   1,
			AdoptedAt: now,
			Classes: []MembershipClass{{
				Key: "worker", Name: "Worker-owner", Eligible: EligiblePerson,
				Share:      Fee{Amount: usd(50_000), Instalments: 5, Refundable: true},
				VoteWeight: 1, VoteBasis: VotePerPerson, MayPropose: true,
				Pathway: []Milestone{
					{Key: "orientation", Kind: MilestoneOrientation, Name: "Orientation", VerifiedBy: staff},
					{Key: "conflict_training", Kind: MilestoneConflictTraining, Name: "Conflict-resolution training", VerifiedBy: staff},
					{Key: "candidacy", Kind: MilestoneProvisionalDays, Name: "180 days as a candidate member", Days: 180, VerifiedBy: staff},
					{Key: "members_agree", Kind: MilestoneMemberVote, Name: "The members agree", VerifiedBy: verifiers(VerifierMemberVote)},
				},
			}},
			Rules: []DecisionRule{
				consensus(KindGeneral, 75*Percent),
				consensus(KindAdmission, 6667),
				consensus(KindBylawsChange, 90*Percent),
			},
			Exit:  ExitRule{Method: RefundAsPaid, Rounding: RoundDown},
			Board: BoardRule{Seats: 3},
		},
		CreatedAt: now,
	}
}

// MultistakeholderCoop returns a multistakeholder housing cooperative in
// Jackson County: resident households (weight 2, limited-equity share),
// workers, supporters and partner organisations, each with their own
// terms; an eleven-seat board with seats for classes, five regional seats
// apportioned by the dues paid in each region, and two seats appointed by
// staff. Budgets are decided by class-weighted vote, bylaws changes by a
// secret two-thirds ballot.
func MultistakeholderCoop(id, adminID string, now time.Time) Community {
	staff := verifiers(VerifierCommunityAdmin, VerifierCommunityOrganizer)
	return Community{
		ID:    id,
		Name:  "Jackson County Homes Cooperative",
		Model: ModelMultistakeholderCoop,
		Regions: []Region{
			{Key: "ashland", Name: "Ashland"},
			{Key: "eagle_point", Name: "Eagle Point"},
			{Key: "medford", Name: "Medford"},
			{Key: "phoenix", Name: "Phoenix"},
			{Key: "talent", Name: "Talent"},
		},
		Roles: []RoleGrant{{AccountID: adminID, Role: RoleCommunityAdmin, GrantedAt: now}},
		Bylaws: Bylaws{
			Version:   1,
			AdoptedAt: now,
			Classes: []MembershipClass{
				{
					Key: "resident", Name: "Resident household", Eligible: EligibleHousehold,
					Share:      Fee{Amount: usd(30_000), Instalments: 12, Refundable: true},
					VoteWeight: 2, VoteBasis: VotePerHousehold, BoardSeats: 2, MayPropose: true,
					Pathway: []Milestone{
						{Key: "orientation", Kind: MilestoneOrientation, Name: "Orientation", VerifiedBy: staff},
						{Key: "conflict_training", Kind: MilestoneConflictTraining, Name: "Conflict-resolution training", VerifiedBy: staff},
						{Key: "share", Kind: MilestoneSharePaid, Name: "Share paid in full", VerifiedBy: verifiers(VerifierCommunityAdmin)},
					},
				},
				{
					Key: "worker", Name: "Worker", Eligible: EligiblePerson,
					Share:      Fee{Amount: usd(10_000), Instalments: 4, Refundable: true},
					VoteWeight: 1, VoteBasis: VotePerPerson, BoardSeats: 1, MayPropose: true,
					Pathway: []Milestone{
						{Key: "orientation", Kind: MilestoneOrientation, Name: "Orientation", VerifiedBy: staff},
						{Key: "thirty_days", Kind: MilestoneProvisionalDays, Name: "30 days as a provisional member", Days: 30, VerifiedBy: staff},
					},
				},
				{
					Key: "supporter", Name: "Community supporter", Eligible: EligiblePerson,
					Share:      Fee{Amount: usd(2_500), Instalments: 1},
					VoteWeight: 1, VoteBasis: VotePerPerson,
				},
				{
					Key: "organisation", Name: "Partner organisation", Eligible: EligibleOrganisation,
					Share:      Fee{Amount: usd(50_000), Instalments: 1},
					VoteWeight: 1, VoteBasis: VotePerPerson, BoardSeats: 1, MayPropose: true,
					Pathway: []Milestone{
						{Key: "agreement", Kind: MilestoneCustom, Name: "Partnership agreement signed", VerifiedBy: verifiers(VerifierCommunityAdmin, VerifierSteward)},
					},
				},
			},
			Rules: []DecisionRule{
				{Kind: KindGeneral, Method: MethodMajority, Quorum: 25 * Percent, MinWindow: 7 * day, MaxWindow: 21 * day, AllowChange: true},
				{Kind: KindBudget, Method: MethodWeighted, Quorum: 30 * Percent, MinWindow: 7 * day, MaxWindow: 21 * day, AllowChange: true},
				{Kind: KindLandPurchase, Method: MethodWeighted, Quorum: 40 * Percent, MinWindow: 14 * day, MaxWindow: 30 * day, AllowChange: true},
				{Kind: KindBylawsChange, Method: MethodTwoThirds, Quorum: 40 * Percent, MinWindow: 14 * day, MaxWindow: 30 * day, Anonymous: true},
			},
			Exit: ExitRule{Method: RefundLimitedEquity, YearlyRate: 150, Cap: 15_000, Rounding: RoundHalfEven},
			Board: BoardRule{
				Seats: 11, RegionalSeats: 5, StaffSeats: 2,
				RegionalClasses: []string{"resident", "worker", "supporter"},
			},
		},
		CreatedAt: now,
	}
}
