package community

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"commonground/apperr"
)

// Language is a BCP 47 language tag the platform serves.
type Language string

// Languages a proposal may be written in. Many of the people Common Ground
// serves speak Spanish first.
const (
	English Language = "en"
	Spanish Language = "es"
)

// Text is a proposal's title and body in one language.
type Text struct {
	Title string
	Body  string
}

// Option is one choice on a ballot. Abstain options count towards quorum
// but not towards the share the leading option needs.
type Option struct {
	Key     string
	Label   map[Language]string
	Abstain bool
}

// Option keys with a fixed meaning. A consensus proposal always offers
// agree, stand aside and block; a yes/no motion is adopted when yes wins.
const (
	OptionAgree      = "agree"
	OptionStandAside = "stand_aside"
	OptionBlock      = "block"
	OptionYes        = "yes"
	OptionNo         = "no"
	OptionAbstain    = "abstain"
)

// ConsensusOptions returns the options of every consensus proposal.
func ConsensusOptions() []Option {
	return []Option{
		{Key: OptionAgree, Label: map[Language]string{English: "Agree", Spanish: "De acuerdo"}},
		{Key: OptionStandAside, Label: map[Language]string{English: "Stand aside", Spanish: "Me hago a un lado"}, Abstain: true},
		{Key: OptionBlock, Label: map[Language]string{English: "Block", Spanish: "Bloquear"}},
	}
}

// YesNoOptions returns the options of a plain motion: yes, no, abstain.
func YesNoOptions() []Option {
	return []Option{
		{Key: OptionYes, Label: map[Language]string{English: "Yes", Spanish: "Sí"}},
		{Key: OptionNo, Label: map[Language]string{English: "No", Spanish: "No"}},
		{Key: OptionAbstain, Label: map[Language]string{English: "Abstain", Spanish: "Abstención"}, Abstain: true},
	}
}

// ProposalStatus is where a proposal stands.
type ProposalStatus string

// Proposal statuses: drafted, open for voting (electorate fixed), closed
// (result fixed).
const (
	ProposalDraft  ProposalStatus = "draft"
	ProposalOpen   ProposalStatus = "open"
	ProposalClosed ProposalStatus = "closed"
)

// Proposal is a question put to a community's members.
type Proposal struct {
	ID          string
	CommunityID string
	Kind        ProposalKind
	Text        map[Language]Text
	Options     []Option
	// Rule and BylawsVersion are copied from the bylaws when the proposal is
	// drafted, so that a bylaws change during the vote does not move the
	// goalposts.
	Rule          DecisionRule
	BylawsVersion int
	// Anonymous proposals keep ballots apart from voters; see Ballot.
	Anonymous  bool
	Opens      time.Time
	Closes     time.Time
	ProposedBy string
	CreatedAt  time.Time
	// NewBylaws is the proposed version, for KindBylawsChange.
	NewBylaws *Bylaws
	// MembershipID is the applicant voted on, for KindAdmission.
	MembershipID string
	Status       ProposalStatus
	// Electorate is fixed when voting opens, sorted by voter key.
	Electorate []Voter
	OpenedAt   time.Time
	ClosedAt   time.Time
	Result     *Result
	Revision   int64
}

// Voter is one entry of an electorate: a household, person or
// organisation with the weight its class gives it.
type Voter struct {
	// Key is "household:ID", "person:ID" or "organisation:ID".
	Key          string
	ClassKey     string
	Weight       int
	MembershipID string
}

// Draft is what a proposer submits.
type Draft struct {
	// ID is assigned by the caller (a random UUID).
	ID           string
	Kind         ProposalKind
	Text         map[Language]Text
	Options      []Option
	Anonymous    bool
	Opens        time.Time
	Closes       time.Time
	NewBylaws    *Bylaws
	MembershipID string
}

const (
	maxTitleLength = 200
	maxBodyLength  = 20000
	maxOptions     = 20
	// MaxElectorate bounds an electorate so that weighted sums stay far
	// inside int64 (MaxElectorate × MaxVoteWeight < 2^31).
	MaxElectorate = 1_000_000
)

// NewProposal checks a draft against the bylaws in force and returns the
// proposal. by must be allowed to propose (see Authorize; own is by's own
// membership, or nil). Every bad field is reported at once.
func NewProposal(c *Community, by Principal, own *Membership, d Draft, now time.Time) (Proposal, error) {
	if err := Authorize(by, ActionPropose, c, own); err != nil {
		return Proposal{}, err
	}
	var f apperr.Fields
	if d.ID == "" {
		f.Add("id", "must not be empty")
	}
	rule, ok := c.Bylaws.Rule(d.Kind)
	if !ok {
		f.Add("kind", "the bylaws have no decision rule for this kind")
		rule = &DecisionRule{}
	}
	if len(d.Text) == 0 {
		f.Add("text", "must be given in at least one language")
	}
	for _, lang := range sortedLanguages(d.Text) {
		t := d.Text[lang]
		p := "text." + string(lang)
		if lang != English && lang != Spanish {
			f.Add(p, "language must be en or es")
		}
		if strings.TrimSpace(t.Title) == "" || len(t.Title) > maxTitleLength {
			f.Add(p+".title", "must be 1 to %d characters", maxTitleLength)
		}
		if len(t.Body) > maxBodyLength {
			f.Add(p+".body", "must be at most %d characters", maxBodyLength)
		}
	}
	opts := d.Options
	if ok && rule.Method == MethodConsensus {
		if len(opts) == 0 {
			opts = ConsensusOptions()
		} else if !sameKeys(opts, ConsensusOptions()) {
			f.Add("options", "a consensus proposal offers exactly agree, stand_aside and block")
		}
	} else {
		validateOptions(&f, opts, d.Text)
		if ok && (d.Kind == KindBylawsChange || d.Kind == KindAdmission) &&
			!slices.ContainsFunc(opts, func(o Option) bool { return o.Key == OptionYes }) {
			f.Add("options", "a %s proposal needs a yes option", d.Kind)
		}
	}
	if d.Opens.IsZero() || d.Opens.Before(now.Add(-time.Minute)) {
		f.Add("opens", "must not be in the past")
	}
	if w := d.Closes.Sub(d.Opens); ok && (w < rule.MinWindow || w > rule.MaxWindow) {
		f.Add("closes", "the voting window must last between %s and %s", rule.MinWindow, rule.MaxWindow)
	}
	switch {
	case d.Kind == KindBylawsChange && d.NewBylaws == nil:
		f.Add("newBylaws", "a bylaws change must carry the new bylaws")
	case d.Kind == KindBylawsChange:
		if d.NewBylaws.Version != c.Bylaws.Version+1 {
			f.Add("newBylaws.version", "must be %d, the version after the bylaws in force", c.Bylaws.Version+1)
		}
		c.checkBylaws(&f, d.NewBylaws, "newBylaws.")
	case d.NewBylaws != nil:
		f.Add("newBylaws", "only a bylaws_change proposal carries bylaws")
	}
	switch {
	case d.Kind == KindAdmission && d.MembershipID == "":
		f.Add("membershipId", "an admission proposal names the membership voted on")
	case d.Kind != KindAdmission && d.MembershipID != "":
		f.Add("membershipId", "only an admission proposal names a membership")
	}
	if err := f.Err(); err != nil {
		return Proposal{}, err
	}
	p := Proposal{
		ID: d.ID, CommunityID: c.ID, Kind: d.Kind, Text: d.Text, Options: opts,
		Rule: *rule, BylawsVersion: c.Bylaws.Version, Anonymous: d.Anonymous || rule.Anonymous,
		Opens: d.Opens, Closes: d.Closes, ProposedBy: by.AccountID, CreatedAt: now,
		NewBylaws: d.NewBylaws, MembershipID: d.MembershipID, Status: ProposalDraft,
	}
	return p, nil
}

func sortedLanguages(m map[Language]Text) []Language {
	out := make([]Language, 0, len(m))
	for l := range m {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

func sameKeys(a, b []Option) bool {
	return slices.EqualFunc(a, b, func(x, y Option) bool { return x.Key == y.Key && x.Abstain == y.Abstain })
}

func validateOptions(f *apperr.Fields, opts []Option, text map[Language]Text) {
	voting := 0
	for _, o := range opts {
		if !o.Abstain {
			voting++
		}
	}
	if len(opts) > maxOptions || voting < 2 {
		f.Add("options", "must offer 2 to %d options, at least two of them not abstentions", maxOptions)
	}
	seen := map[string]bool{}
	for i, o := range opts {
		p := fmt.Sprintf("options.%d.", i)
		switch {
		case !validKey(o.Key):
			f.Add(p+"key", keyReason)
		case seen[o.Key]:
			f.Add(p+"key", "duplicates another option")
		}
		seen[o.Key] = true
		for _, lang := range sortedLanguages(text) {
			if l := o.Label[lang]; strings.TrimSpace(l) == "" || len(l) > maxTitleLength {
				f.Add(p+"label."+string(lang), "must be 1 to %d characters in every language of the text", maxTitleLength)
			}
		}
	}
}

// VoterKey returns the electorate key of a membership's holder.
func VoterKey(m *Membership) string {
	switch {
	case m.HouseholdID != "":
		return "household:" + m.HouseholdID
	case m.OrganisationID != "":
		return "organisation:" + m.OrganisationID
	default:
		return "person:" + m.PersonID
	}
}

// Open starts voting and fixes the electorate: every full member of the
// community at this moment, one voter per household or per person as its
// class says. rosters maps a household ID to the account IDs of its adult
// members, for household classes that vote per person. A person who would
// vote twice (in their own right and as a household member) votes once,
// with the larger weight.
func (p *Proposal) Open(c *Community, members []Membership, rosters map[string][]string, now time.Time) error {
	if p.CommunityID != c.ID {
		return apperr.New(apperr.NotFound, "proposal not found")
	}
	if p.Status != ProposalDraft {
		return apperr.New(apperr.Conflict, "voting has already opened")
	}
	if now.Before(p.Opens) || !now.Before(p.Closes) {
		return apperr.New(apperr.Conflict, "voting opens only within the proposal's window")
	}
	byKey := map[string]Voter{}
	add := func(v Voter) {
		if old, dup := byKey[v.Key]; dup && (old.Weight > v.Weight || old.Weight == v.Weight && old.ClassKey <= v.ClassKey) {
			return
		}
		byKey[v.Key] = v
	}
	for i := range members {
		m := &members[i]
		if m.CommunityID != c.ID || m.Status != StatusMember {
			continue
		}
		cl, ok := c.Bylaws.Class(m.ClassKey)
		if !ok {
			continue
		}
		v := Voter{ClassKey: cl.Key, Weight: cl.VoteWeight, MembershipID: m.ID}
		if cl.Eligible == EligibleHousehold && cl.VoteBasis == VotePerPerson {
			for _, person := range rosters[m.HouseholdID] {
				v.Key = "person:" + person
				add(v)
			}
			continue
		}
		v.Key = VoterKey(m)
		add(v)
	}
	if len(byKey) > MaxElectorate {
		return apperr.New(apperr.Unprocessable, "the electorate exceeds %d voters", MaxElectorate)
	}
	electorate := make([]Voter, 0, len(byKey))
	for _, v := range byKey {
		electorate = append(electorate, v)
	}
	slices.SortFunc(electorate, func(a, b Voter) int { return strings.Compare(a.Key, b.Key) })
	p.Electorate, p.Status, p.OpenedAt = electorate, ProposalOpen, now
	return nil
}

// voterIndex returns the electorate position of key, or -1.
func (p *Proposal) voterIndex(key string) int {
	i, ok := slices.BinarySearchFunc(p.Electorate, key, func(v Voter, k string) int { return strings.Compare(v.Key, k) })
	if !ok {
		return -1
	}
	return i
}

// VotersFor returns the electorate entries that principal may vote for:
// its household, itself, and the organisations it represents.
func (p *Proposal) VotersFor(by Principal) []Voter {
	if by.AccountID == "" {
		return nil
	}
	keys := []string{"person:" + by.AccountID}
	if by.HouseholdID != "" {
		keys = append(keys, "household:"+by.HouseholdID)
	}
	for _, o := range by.OrganisationIDs {
		keys = append(keys, "organisation:"+o)
	}
	var out []Voter
	for _, k := range keys {
		if i := p.voterIndex(k); i >= 0 {
			out = append(out, p.Electorate[i])
		}
	}
	return out
}

// Vote is what a voter submits.
type Vote struct {
	// VoterKey chooses whom the principal votes for when it may vote for
	// more than one electorate entry; otherwise it may be empty.
	VoterKey string
	Option   string
	// Secret is the ballot secret returned by the first ballot on an
	// anonymous proposal; it is required to change that ballot.
	Secret string
}

// Ballot is a vote as stored. On an anonymous proposal a ballot carries no
// voter key and no time, and its ID is a hash of a random secret that only
// the voter holds: the store cannot link it to a voter, and the voter (and
// nobody without the secret) can find it again to change it. Who voted is
// recorded apart, in a Participation. Weight stays on the ballot because a
// weighted tally needs it; where classes have different weights it tells
// the class, never the voter.
type Ballot struct {
	ID         string
	ProposalID string
	// VoterKey and CastAt are empty on anonymous proposals.
	VoterKey string
	Option   string
	Weight   int
	CastAt   time.Time
	// Revision is the stored revision the write is based on; the store
	// increments it on update.
	Revision int64
}

// Participation records that a voter cast a ballot on an anonymous
// proposal, and nothing about what they chose. Its ID is derived from the
// proposal and voter, so a unique insert refuses a second first ballot.
type Participation struct {
	ID         string
	ProposalID string
	VoterKey   string
	At         time.Time
}

// Cast is what casting a ballot produces for the caller to write.
//
// For an anonymous proposal's first ballot the caller inserts Participation
// first (a unique insert; a Conflict means the voter already voted), then
// inserts Ballot, and returns Secret to the voter once; it is stored
// nowhere. If the ballot insert fails after the participation was stored,
// inserting the same Ballot again is safe: its ID is fixed by the secret,
// and a Conflict on retry means the first insert landed.
//
// Otherwise the caller inserts Ballot when Replaces is false (a Conflict
// means a concurrent first ballot by the same voter won) and updates it,
// compare-and-swap on Revision, when Replaces is true.
type Cast struct {
	Ballot        Ballot
	Participation *Participation
	Secret        string
	Replaces      bool
}

// ParticipationID is the ID of the participation record of a voter.
func ParticipationID(proposalID, voterKey string) string {
	return proposalID + "/" + voterKey
}

// BallotID is the ID of a named ballot (non-anonymous proposals).
func BallotID(proposalID, voterKey string) string {
	return proposalID + "/" + voterKey
}

// AnonymousBallotID is the ID of an anonymous ballot: a hash of the
// proposal and the voter's secret. It reveals nothing about the voter.
func AnonymousBallotID(proposalID, secret string) string {
	sum := sha256.Sum256([]byte(proposalID + "\x00" + secret))
	return proposalID + "/anon/" + hex.EncodeToString(sum[:])
}

// Lookup says which stored records Cast needs to see.
type Lookup struct {
	// BallotID is the ballot to load (nil in Cast if absent); empty for a
	// first anonymous ballot.
	BallotID string
	// ParticipationID is the participation record whose existence Cast
	// needs, for anonymous proposals; empty otherwise.
	ParticipationID string
}

// Lookup resolves the voter and returns the records the caller must load
// before calling Cast.
func (p *Proposal) Lookup(by Principal, v Vote) (Lookup, error) {
	voter, err := p.voter(by, v.VoterKey)
	if err != nil {
		return Lookup{}, err
	}
	if !p.Anonymous {
		return Lookup{BallotID: BallotID(p.ID, voter.Key)}, nil
	}
	l := Lookup{ParticipationID: ParticipationID(p.ID, voter.Key)}
	if v.Secret != "" {
		l.BallotID = AnonymousBallotID(p.ID, v.Secret)
	}
	return l, nil
}

func (p *Proposal) voter(by Principal, key string) (Voter, error) {
	voters := p.VotersFor(by)
	if key != "" {
		i := slices.IndexFunc(voters, func(v Voter) bool { return v.Key == key })
		if i < 0 {
			return Voter{}, apperr.New(apperr.Forbidden, "you are not in this proposal's electorate")
		}
		return voters[i], nil
	}
	switch len(voters) {
	case 0:
		return Voter{}, apperr.New(apperr.Forbidden, "you are not in this proposal's electorate")
	case 1:
		return voters[0], nil
	}
	return Voter{}, fieldErr("voterKey", "you may vote for more than one member: say which")
}

// Cast checks a vote and returns the records to write. prior is the stored
// ballot named by Lookup.BallotID (nil if none); participated says whether
// the participation record named by Lookup.ParticipationID exists. random
// supplies the secret of a first anonymous ballot (crypto/rand.Reader).
func (p *Proposal) Cast(by Principal, v Vote, prior *Ballot, participated bool, now time.Time, random io.Reader) (Cast, error) {
	if p.Status != ProposalOpen {
		return Cast{}, apperr.New(apperr.Conflict, "the proposal is not open for voting")
	}
	if now.Before(p.Opens) || !now.Before(p.Closes) {
		return Cast{}, apperr.New(apperr.Conflict, "voting is closed")
	}
	voter, err := p.voter(by, v.VoterKey)
	if err != nil {
		return Cast{}, err
	}
	if !slices.ContainsFunc(p.Options, func(o Option) bool { return o.Key == v.Option }) {
		return Cast{}, fieldErr("option", "is not an option of this proposal")
	}
	if !p.Anonymous {
		b := Ballot{ID: BallotID(p.ID, voter.Key), ProposalID: p.ID, VoterKey: voter.Key, Option: v.Option, Weight: voter.Weight, CastAt: now}
		if prior == nil {
			return Cast{Ballot: b}, nil
		}
		if prior.ID != b.ID {
			return Cast{}, apperr.New(apperr.Internal, "stored ballot does not match the voter")
		}
		if !p.Rule.AllowChange {
			return Cast{}, apperr.New(apperr.Conflict, "you have already voted and the bylaws do not allow changing a ballot")
		}
		b.Revision = prior.Revision
		return Cast{Ballot: b, Replaces: true}, nil
	}
	if v.Secret == "" {
		if participated {
			if p.Rule.AllowChange {
				return Cast{}, fieldErr("secret", "you have already voted: give your ballot secret to change the ballot")
			}
			return Cast{}, apperr.New(apperr.Conflict, "you have already voted and the bylaws do not allow changing a ballot")
		}
		secret, err := newSecret(random)
		if err != nil {
			return Cast{}, err
		}
		return Cast{
			Ballot:        Ballot{ID: AnonymousBallotID(p.ID, secret), ProposalID: p.ID, Option: v.Option, Weight: voter.Weight},
			Participation: &Participation{ID: ParticipationID(p.ID, voter.Key), ProposalID: p.ID, VoterKey: voter.Key, At: now},
			Secret:        secret,
		}, nil
	}
	if !participated || prior == nil || prior.ID != AnonymousBallotID(p.ID, v.Secret) {
		return Cast{}, apperr.New(apperr.Forbidden, "the ballot secret matches no ballot of yours")
	}
	if !p.Rule.AllowChange {
		return Cast{}, apperr.New(apperr.Conflict, "you have already voted and the bylaws do not allow changing a ballot")
	}
	// The weight stays the ballot's own: the secret, not the presenter,
	// says whose ballot this is.
	b := *prior
	b.Option = v.Option
	return Cast{Ballot: b, Replaces: true}, nil
}

func newSecret(random io.Reader) (string, error) {
	var buf [32]byte
	if _, err := io.ReadFull(random, buf[:]); err != nil {
		return "", apperr.Wrap(apperr.Internal, err, "could not draw a ballot secret")
	}
	return base64.RawURLEncoding.EncodeToString(buf[:]), nil
}

// Close ends voting, tallies the ballots and fixes the result. Voting
// closes at the end of the window, not before, so that nobody loses their
// chance to vote.
func (p *Proposal) Close(ballots []Ballot, now time.Time) (Result, error) {
	if p.Status != ProposalOpen {
		return Result{}, apperr.New(apperr.Conflict, "the proposal is not open for voting")
	}
	if now.Before(p.Closes) {
		return Result{}, apperr.New(apperr.Conflict, "voting is still open")
	}
	r, err := Tally(p, ballots)
	if err != nil {
		return Result{}, err
	}
	p.Status, p.ClosedAt, p.Result = ProposalClosed, now, &r
	return r, nil
}
