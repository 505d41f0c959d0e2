package community

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"commonground/apperr"
)

// Status is where a membership stands in its lifecycle:
//
//	applied ─review─▶ provisional ─milestones in order─▶ member
//	   │                  │                               │
//	   ├─▶ rejected       ├─▶ withdrawn / exited          ├─▶ withdrawn / exited
//	   └─▶ withdrawn
type Status string

// Membership statuses.
const (
	StatusApplied     Status = "applied"
	StatusProvisional Status = "provisional"
	StatusRejected    Status = "rejected"
	StatusMember      Status = "member"
	StatusWithdrawn   Status = "withdrawn"
	StatusExited      Status = "exited"
)

// Active reports whether a membership in this status still counts: an
// applicant, provisional member or member cannot apply again.
func (s Status) Active() bool {
	return s == StatusApplied || s == StatusProvisional || s == StatusMember
}

// Membership is one household's, person's or organisation's membership of
// a community in one class. Exactly one of HouseholdID, PersonID and
// OrganisationID is set, as the class's eligibility says.
//
// An organisation acts through one account, its representative: the person
// who applied on its behalf. The admin who approves the application
// confirms that they represent it. The representative holds the
// membership: sees it, votes for the organisation and may withdraw it.
type Membership struct {
	ID          string
	CommunityID string
	ClassKey    string
	HouseholdID string
	PersonID    string
	// OrganisationID is OrganisationKey(OrganisationName): two applications
	// naming one organisation in different spellings are the same applicant.
	OrganisationID   string
	OrganisationName string
	RepresentativeID string
	// Region is where the member lives or works, for regional board seats.
	Region    string
	Statement string
	Status    Status
	AppliedBy string
	AppliedAt time.Time
	// ReviewedBy and ReviewNote record the admin's decision on the application.
	ReviewedBy    string
	ReviewedAt    time.Time
	ReviewNote    string
	ProvisionalAt time.Time
	MemberAt      time.Time
	EndedAt       time.Time
	EndedBy       string
	EndReason     string
	Milestones    []MilestoneRecord
	Payments      []Payment
	Refund        *Refund
	// Revision increases with every write, for compare-and-swap updates.
	Revision int64
}

// MilestoneRecord is the evidence that a milestone was met.
type MilestoneRecord struct {
	Key  string
	Note string
	// VerifiedBy is the verifying account, As the capacity it acted in; for
	// a member vote, ProposalID names the admission proposal instead.
	VerifiedBy string
	As         Verifier
	ProposalID string
	At         time.Time
}

// Payment is one instalment paid towards a class's share or fee.
type Payment struct {
	Amount     Money
	RecordedBy string
	Note       string
	At         time.Time
}

// Application is what an applicant submits; who applies (household,
// person, organisation) follows from the class and the principal.
type Application struct {
	// ID is assigned by the caller (a random UUID) so that the domain
	// stays free of I/O.
	ID       string
	ClassKey string
	// OrganisationName names the organisation applying, for organisation
	// classes; the principal applies as its representative.
	OrganisationName string
	Region           string
	Statement        string
}

const maxNoteLength = 2000

// Apply creates an application to community c. existing must hold the
// memberships of c (any status) that concern the applicant; an applicant
// with an active membership is refused with a conflict. The store should
// also hold ApplicantKey unique among active memberships, since two
// concurrent applications both pass this check.
func Apply(c *Community, p Principal, app Application, existing []Membership, now time.Time) (Membership, error) {
	if p.AccountID == "" {
		return Membership{}, apperr.New(apperr.Unauthorized, "sign in first")
	}
	var f apperr.Fields
	if app.ID == "" {
		f.Add("id", "must not be empty")
	}
	cl, ok := c.Bylaws.Class(app.ClassKey)
	if !ok {
		f.Add("classKey", "names no membership class of this community")
	}
	if len(c.Regions) > 0 {
		if _, ok := c.Region(app.Region); !ok {
			f.Add("region", "must be one of the community's regions")
		}
	} else if app.Region != "" {
		f.Add("region", "the community has no regions")
	}
	if len(app.Statement) > maxNoteLength {
		f.Add("statement", "must be at most %d characters", maxNoteLength)
	}
	m := Membership{
		ID: app.ID, CommunityID: c.ID, ClassKey: app.ClassKey, Region: app.Region,
		Statement: app.Statement, Status: StatusApplied, AppliedBy: p.AccountID, AppliedAt: now,
	}
	if ok {
		switch cl.Eligible {
		case EligibleHousehold:
			if p.HouseholdID == "" {
				f.Add("classKey", "this class is for registered households: register your household first")
			}
			m.HouseholdID = p.HouseholdID
		case EligiblePerson:
			m.PersonID = p.AccountID
		case EligibleOrganisation:
			name := strings.Join(strings.Fields(app.OrganisationName), " ")
			key := OrganisationKey(name)
			switch {
			case key == "":
				f.Add("organisationName", "this class is for organisations: name the organisation you represent")
			case utf8.RuneCountInString(name) > maxOrganisationName:
				f.Add("organisationName", "must be at most %d characters", maxOrganisationName)
			}
			m.OrganisationID, m.OrganisationName, m.RepresentativeID = key, name, p.AccountID
		}
		if cl.Eligible != EligibleOrganisation && strings.TrimSpace(app.OrganisationName) != "" {
			f.Add("organisationName", "applies only to organisation classes")
		}
	}
	if err := f.Err(); err != nil {
		return Membership{}, err
	}
	key := m.ApplicantKey()
	for i := range existing {
		e := &existing[i]
		if e.CommunityID == c.ID && e.Status.Active() && e.ApplicantKey() == key {
			if e.Status == StatusMember {
				return Membership{}, apperr.New(apperr.Conflict, "already a member of this community")
			}
			return Membership{}, apperr.New(apperr.Conflict, "already applied to this community")
		}
	}
	return m, nil
}

const maxOrganisationName = 200

// OrganisationKey identifies an organisation by its name: letters and
// digits in lower case, every other run of characters one hyphen, so that
// "Rogue Valley Habitat, Inc." and "rogue valley habitat inc" are one
// organisation. It is empty when the name has no letter or digit.
func OrganisationKey(name string) string {
	var b strings.Builder
	gap := false
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			gap = b.Len() > 0
			continue
		}
		if gap {
			b.WriteByte('-')
			gap = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// ApplicantKey identifies who holds a membership within its community: at
// most one active membership per key.
func (m *Membership) ApplicantKey() string {
	switch {
	case m.HouseholdID != "":
		return m.CommunityID + "/household/" + m.HouseholdID
	case m.OrganisationID != "":
		return m.CommunityID + "/organisation/" + m.OrganisationID
	default:
		return m.CommunityID + "/person/" + m.PersonID
	}
}

func (m *Membership) class(c *Community) (*MembershipClass, error) {
	if m.CommunityID != c.ID {
		return nil, apperr.New(apperr.NotFound, "membership not found")
	}
	cl, ok := c.Bylaws.Class(m.ClassKey)
	if !ok {
		return nil, apperr.New(apperr.Conflict, "the membership's class no longer exists in the bylaws")
	}
	return cl, nil
}

func statusConflict(m *Membership, doing string) error {
	return apperr.New(apperr.Conflict, "cannot %s a membership that is %s", doing, m.Status)
}

// Review decides an application: a community admin admits the applicant as
// a provisional member, or rejects it. A class with no pathway admits
// straight to member.
func Review(c *Community, m *Membership, admin Principal, approve bool, note string, now time.Time) error {
	cl, err := m.class(c)
	if err != nil {
		return err
	}
	if !c.HasRole(admin.AccountID, RoleCommunityAdmin) {
		return forbidden()
	}
	if m.Status != StatusApplied {
		return statusConflict(m, "review")
	}
	if len(note) > maxNoteLength {
		return fieldErr("note", "must be at most 2000 characters")
	}
	m.ReviewedBy, m.ReviewedAt, m.ReviewNote = admin.AccountID, now, note
	if !approve {
		m.Status, m.EndedAt, m.EndedBy = StatusRejected, now, admin.AccountID
		return nil
	}
	m.Status, m.ProvisionalAt = StatusProvisional, now
	m.promoteIfDone(cl, now)
	return nil
}

func fieldErr(field, reason string) error {
	var f apperr.Fields
	f.Add(field, "%s", reason)
	return f.Err()
}

func (m *Membership) promoteIfDone(cl *MembershipClass, now time.Time) {
	if m.Status == StatusProvisional && len(m.Milestones) >= len(cl.Pathway) {
		m.Status, m.MemberAt = StatusMember, now
	}
}

// Paid returns the total paid towards the share.
func (m *Membership) Paid(currency string) (Money, error) {
	total := Money{Currency: currency}
	for _, p := range m.Payments {
		var err error
		if total, err = total.Add(p.Amount); err != nil {
			return Money{}, err
		}
	}
	return total, nil
}

// RecordPayment records an instalment towards the class share. Instalments
// are at least the share divided by the allowed number of instalments
// (rounded up), except the last, and never exceed what is still owed.
func RecordPayment(c *Community, m *Membership, by Principal, amount Money, note string, now time.Time) error {
	cl, err := m.class(c)
	if err != nil {
		return err
	}
	if !c.HasRole(by.AccountID, RoleCommunityAdmin) && !c.HasRole(by.AccountID, RoleCommunityOrganizer) {
		return forbidden()
	}
	if m.Status != StatusProvisional && m.Status != StatusMember {
		return statusConflict(m, "record a payment for")
	}
	share := cl.Share.Amount
	var f apperr.Fields
	if amount.Currency != share.Currency {
		f.Add("amount.currency", "must be %s", share.Currency)
	}
	if amount.Minor <= 0 {
		f.Add("amount.minor", "must be positive")
	}
	if len(note) > maxNoteLength {
		f.Add("note", "must be at most %d characters", maxNoteLength)
	}
	if err := f.Err(); err != nil {
		return err
	}
	paid, err := m.Paid(share.Currency)
	if err != nil {
		return err
	}
	owed := share.Minor - paid.Minor
	minimum := (share.Minor + int64(cl.Share.Instalments) - 1) / int64(cl.Share.Instalments)
	switch {
	case owed <= 0:
		return apperr.New(apperr.Conflict, "the share is already paid in full")
	case amount.Minor > owed:
		return fieldErr("amount.minor", "exceeds the amount still owed")
	case amount.Minor < minimum && amount.Minor != owed:
		return fieldErr("amount.minor", "an instalment must be at least the share divided by the allowed instalments")
	}
	m.Payments = append(m.Payments, Payment{Amount: amount, RecordedBy: by.AccountID, Note: note, At: now})
	return nil
}

// NextMilestone returns the milestone a provisional member must meet next.
func (m *Membership) NextMilestone(c *Community) (Milestone, bool) {
	cl, err := m.class(c)
	if err != nil || m.Status != StatusProvisional || len(m.Milestones) >= len(cl.Pathway) {
		return Milestone{}, false
	}
	return cl.Pathway[len(m.Milestones)], true
}

// nextMilestone returns the milestone key must be the next one of, or the
// error that says why it cannot be completed now.
func (m *Membership) nextMilestone(c *Community, key string) (*MembershipClass, Milestone, error) {
	cl, err := m.class(c)
	if err != nil {
		return nil, Milestone{}, err
	}
	if m.Status != StatusProvisional {
		return nil, Milestone{}, statusConflict(m, "complete a milestone of")
	}
	i := slices.IndexFunc(cl.Pathway, func(ms Milestone) bool { return ms.Key == key })
	switch {
	case i < 0:
		return nil, Milestone{}, fieldErr("milestone", "names no milestone of this class's pathway")
	case i < len(m.Milestones):
		return nil, Milestone{}, apperr.New(apperr.Conflict, "this milestone is already complete")
	case i > len(m.Milestones):
		return nil, Milestone{}, fieldErr("milestone", "complete "+cl.Pathway[len(m.Milestones)].Key+" first: milestones are met in order")
	}
	return cl, cl.Pathway[i], nil
}

// CompleteMilestone records that the next milestone on m's pathway was met,
// verified by v with an evidence note. The verifier must hold one of the
// capacities the milestone names and may not verify their own membership;
// milestones are met in order; share_paid needs the share paid in full and
// provisional_days the days served. Completing the last milestone makes the
// provisional member a member.
func CompleteMilestone(c *Community, m *Membership, key string, v Principal, note string, now time.Time) error {
	cl, ms, err := m.nextMilestone(c, key)
	if err != nil {
		return err
	}
	if ms.Kind == MilestoneMemberVote {
		return apperr.New(apperr.Forbidden, "this milestone is met only by a member vote")
	}
	var as Verifier
	for _, capacity := range c.VerifiersOf(v) {
		if slices.Contains(ms.VerifiedBy, capacity) {
			as = capacity
			break
		}
	}
	if as == "" || v.Owns(m) {
		return apperr.New(apperr.Forbidden, "you may not verify this milestone")
	}
	switch ms.Kind {
	case MilestoneSharePaid:
		paid, err := m.Paid(cl.Share.Amount.Currency)
		if err != nil {
			return err
		}
		if paid.Minor < cl.Share.Amount.Minor {
			return apperr.New(apperr.Unprocessable, "the share is not paid in full")
		}
	case MilestoneProvisionalDays:
		if now.Before(m.ProvisionalAt.AddDate(0, 0, ms.Days)) {
			return apperr.New(apperr.Unprocessable, "the provisional period has not ended")
		}
	default:
		if note == "" {
			return fieldErr("note", "an evidence note is required")
		}
	}
	if len(note) > maxNoteLength {
		return fieldErr("note", "must be at most 2000 characters")
	}
	m.Milestones = append(m.Milestones, MilestoneRecord{Key: key, Note: note, VerifiedBy: v.AccountID, As: as, At: now})
	m.promoteIfDone(cl, now)
	return nil
}

// CompleteMilestoneByVote records a member_vote milestone met by an
// admission proposal about m that was adopted.
func CompleteMilestoneByVote(c *Community, m *Membership, key string, p *Proposal, now time.Time) error {
	cl, ms, err := m.nextMilestone(c, key)
	if err != nil {
		return err
	}
	if ms.Kind != MilestoneMemberVote {
		return fieldErr("milestone", "is not met by a member vote")
	}
	if p.CommunityID != c.ID || p.Kind != KindAdmission || p.MembershipID != m.ID {
		return fieldErr("proposalId", "is not an admission proposal for this membership")
	}
	if p.Result == nil || !p.Result.Adopted {
		return apperr.New(apperr.Unprocessable, "the admission proposal was not adopted")
	}
	m.Milestones = append(m.Milestones, MilestoneRecord{Key: key, As: VerifierMemberVote, ProposalID: p.ID, At: now})
	m.promoteIfDone(cl, now)
	return nil
}

// Withdraw ends a membership at the member's own request and computes the
// refund; an applicant simply withdraws the application.
func Withdraw(c *Community, m *Membership, by Principal, now time.Time, idx *IndexPoints) error {
	if !by.Owns(m) {
		return forbidden()
	}
	return m.end(c, StatusWithdrawn, by.AccountID, "", now, idx)
}

// Exit ends a membership by decision of a community admin (for instance
// after a vote or a breach of the occupancy agreement) and computes the
// refund. The reason is required: it is the member's record of why.
func Exit(c *Community, m *Membership, admin Principal, reason string, now time.Time, idx *IndexPoints) error {
	if !c.HasRole(admin.AccountID, RoleCommunityAdmin) {
		return forbidden()
	}
	if reason == "" || len(reason) > maxNoteLength {
		return fieldErr("reason", "must be 1 to 2000 characters")
	}
	if m.Status == StatusApplied {
		return statusConflict(m, "exit")
	}
	return m.end(c, StatusExited, admin.AccountID, reason, now, idx)
}

func (m *Membership) end(c *Community, to Status, by, reason string, now time.Time, idx *IndexPoints) error {
	cl, err := m.class(c)
	if err != nil {
		return err
	}
	if !m.Status.Active() {
		return statusConflict(m, "end")
	}
	paid, err := m.Paid(cl.Share.Amount.Currency)
	if err != nil {
		return err
	}
	rule := c.Bylaws.Exit
	since := m.MemberAt
	if m.Status != StatusMember {
		// A provisional member never owned: the share comes back as paid.
		rule = ExitRule{Method: RefundAsPaid, Rounding: RoundDown}
		since = m.ProvisionalAt
	}
	refund, err := ComputeRefund(rule, cl.Share, paid, since, now, idx)
	if err != nil {
		return err
	}
	m.Status, m.EndedAt, m.EndedBy, m.EndReason, m.Refund = to, now, by, reason, &refund
	return nil
}

// ChangeRepresentative hands an organisation's membership to another
// account, when the organisation names a new person to act for it: a
// community admin records the change, as they confirmed the first
// representative. The new representative holds the membership from now on;
// the old one no longer votes for the organisation.
func ChangeRepresentative(c *Community, m *Membership, admin Principal, accountID string) error {
	if !c.HasRole(admin.AccountID, RoleCommunityAdmin) {
		return forbidden()
	}
	if _, err := m.class(c); err != nil {
		return err
	}
	if m.OrganisationID == "" {
		return apperr.New(apperr.Conflict, "only an organisation's membership has a representative")
	}
	if !m.Status.Active() {
		return statusConflict(m, "change the representative of")
	}
	switch {
	case accountID == "":
		return fieldErr("accountId", "must name the new representative's account")
	case accountID == m.RepresentativeID:
		return fieldErr("accountId", "already represents the organisation")
	}
	m.RepresentativeID = accountID
	return nil
}

// FoundingPeriod is how long after a community is created its admins may
// record founding members. A new community has nobody to hold a member
// vote or to vouch for milestones; its founders join on its creation.
const FoundingPeriod = 90 * 24 * time.Hour

// FoundingMember records the holder as a full member from the start,
// without review or pathway, as one of the founders a community admin
// names while the community is being set up (within FoundingPeriod of its
// creation). The application is checked as Apply checks it; payments are
// recorded afterwards as for any member.
func FoundingMember(c *Community, admin, holder Principal, app Application, existing []Membership, now time.Time) (Membership, error) {
	if !c.HasRole(admin.AccountID, RoleCommunityAdmin) {
		return Membership{}, forbidden()
	}
	if now.Sub(c.CreatedAt) > FoundingPeriod {
		return Membership{}, apperr.New(apperr.Conflict, "the founding period has ended: new members join through the pathway")
	}
	m, err := Apply(c, holder, app, existing, now)
	if err != nil {
		return Membership{}, err
	}
	m.Status, m.ReviewedBy, m.ReviewedAt, m.ReviewNote = StatusMember, admin.AccountID, now, "founding member"
	m.ProvisionalAt, m.MemberAt = now, now
	return m, nil
}
