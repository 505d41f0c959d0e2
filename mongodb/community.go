package mongodb

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"commonground/apperr"
	"commonground/community"
)

// Collections of the community store.
const (
	communitiesCollection    = "communities"
	membershipsCollection    = "memberships"
	membershipKeysCollection = "membership_keys"
	proposalsCollection      = "proposals"
	ballotsCollection        = "ballots"
	participationsCollection = "participations"
)

func init() {
	collections = append(collections, communitiesCollection, membershipsCollection, membershipKeysCollection,
		proposalsCollection, ballotsCollection, participationsCollection)
}

// CommunityStore keeps communities, memberships, proposals, ballots and
// participation records. Single documents are read and written by _id;
// the lists are served from memory, loaded at start and kept in step with
// every successful write.
type CommunityStore struct {
	db *DB

	mu             sync.RWMutex
	communities    map[string]*community.Community
	memberships    map[string]*community.Membership
	proposals      map[string]*community.Proposal
	ballots        map[string]map[string]community.Ballot // proposal id → ballot id → ballot
	participations map[string]community.Participation
}

var _ community.Store = (*CommunityStore)(nil)

// NewCommunityStore loads every community record into memory.
func NewCommunityStore(ctx context.Context, db *DB) (*CommunityStore, error) {
	s := &CommunityStore{
		db:             db,
		communities:    map[string]*community.Community{},
		memberships:    map[string]*community.Membership{},
		proposals:      map[string]*community.Proposal{},
		ballots:        map[string]map[string]community.Ballot{},
		participations: map[string]community.Participation{},
	}
	err := loadAll(ctx, db, communitiesCollection, func(d *communityDoc) {
		s.communities[d.ID] = fromCommunityDoc(d)
	})
	if err == nil {
		err = loadAll(ctx, db, membershipsCollection, func(d *membershipDoc) {
			s.memberships[d.ID] = fromMembershipDoc(d)
		})
	}
	if err == nil {
		err = loadAll(ctx, db, proposalsCollection, func(d *proposalDoc) {
			s.proposals[d.ID] = fromProposalDoc(d)
		})
	}
	if err == nil {
		err = loadAll(ctx, db, ballotsCollection, func(d *ballotDoc) {
			s.putBallot(fromBallotDoc(d))
		})
	}
	if err == nil {
		err = loadAll(ctx, db, participationsCollection, func(d *participationDoc) {
			s.participations[d.ID] = fromParticipationDoc(d)
		})
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// loadAll decodes every document of a collection, for start-up loading.
func loadAll[D any](ctx context.Context, db *DB, coll string, fn func(*D)) error {
	return db.Read(ctx, coll, "load", func(ctx context.Context) error {
		cur, err := db.Collection(coll).Find(ctx, bson.D{})
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var d D
			if err := cur.Decode(&d); err != nil {
				return err
			}
			fn(&d)
		}
		return cur.Err()
	})
}

// insert writes a new document.
func (s *CommunityStore) insert(ctx context.Context, coll string, doc any) error {
	return s.db.Write(ctx, coll, "insert", func(ctx context.Context) error {
		_, err := s.db.Collection(coll).InsertOne(ctx, doc)
		return err
	})
}

// replace writes doc over the document id if its stored revision is still
// rev: a conditional single-document update, so a stale copy never
// overwrites a newer one. A miss is NotFound or Conflict.
func (s *CommunityStore) replace(ctx context.Context, coll, id string, rev int64, doc any) error {
	matched, err := s.db.replaceIf(ctx, coll, "replace", id, doc, fieldIs("revision", rev))
	if err != nil || matched {
		return err
	}
	var probe struct {
		ID string `bson:"_id"`
	}
	err = s.db.Read(ctx, coll, "find_by_id", func(ctx context.Context) error {
		return s.db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&probe)
	})
	if apperr.KindOf(err) == apperr.NotFound {
		return apperr.New(apperr.NotFound, "%s not found", singular(coll))
	}
	if err != nil {
		return err
	}
	return apperr.New(apperr.Conflict, "the %s changed since it was read: reload and try again", singular(coll))
}

func singular(coll string) string {
	switch coll {
	case communitiesCollection:
		return "community"
	case membershipsCollection:
		return "membership"
	case proposalsCollection:
		return "proposal"
	case ballotsCollection:
		return "ballot"
	}
	return "record"
}

func conflictAs(err error, msg string) error {
	if apperr.KindOf(err) == apperr.Conflict {
		return apperr.Wrap(apperr.Conflict, err, "%s", msg)
	}
	return err
}

// CreateCommunity stores a new community.
func (s *CommunityStore) CreateCommunity(ctx context.Context, c *community.Community) error {
	if err := s.insert(ctx, communitiesCollection, toCommunityDoc(c)); err != nil {
		return conflictAs(err, "a community with this id already exists")
	}
	s.mu.Lock()
	s.communities[c.ID] = cloneCommunity(c)
	s.mu.Unlock()
	return nil
}

// UpdateCommunity replaces a community, compare-and-swap on Revision.
func (s *CommunityStore) UpdateCommunity(ctx context.Context, c *community.Community) error {
	next := *c
	next.Revision++
	if err := s.replace(ctx, communitiesCollection, c.ID, c.Revision, toCommunityDoc(&next)); err != nil {
		return err
	}
	c.Revision = next.Revision
	s.mu.Lock()
	if old := s.communities[c.ID]; old == nil || old.Revision < c.Revision {
		s.communities[c.ID] = cloneCommunity(c)
	}
	s.mu.Unlock()
	return nil
}

// FindCommunityByID returns a copy of a community.
func (s *CommunityStore) FindCommunityByID(_ context.Context, id string) (*community.Community, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.communities[id]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "community not found")
	}
	return cloneCommunity(c), nil
}

// FindCommunities lists communities sorted by name, then ID.
func (s *CommunityStore) FindCommunities(_ context.Context, f community.CommunityFilter) ([]*community.Community, error) {
	s.mu.RLock()
	out := []*community.Community{}
	for _, c := range s.communities {
		if f.Model != "" && c.Model != f.Model {
			continue
		}
		if f.AccountID != "" && len(c.RolesOf(f.AccountID)) == 0 {
			continue
		}
		out = append(out, cloneCommunity(c))
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b *community.Community) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// CreateMembership stores a new membership. While it is active its
// applicant key is held by a document whose _id is the key, inserted
// first: of two concurrent applications by one household, one insert
// fails and that application is refused.
func (s *CommunityStore) CreateMembership(ctx context.Context, m *community.Membership) error {
	if m.Status.Active() {
		if err := s.holdKey(ctx, m); err != nil {
			return err
		}
	}
	if err := s.insert(ctx, membershipsCollection, toMembershipDoc(m)); err != nil {
		if m.Status.Active() {
			// Best effort: a key left behind is released by the next
			// application, which finds its membership missing.
			_ = s.releaseKey(context.WithoutCancel(ctx), m)
		}
		return conflictAs(err, "a membership with this id already exists")
	}
	s.mu.Lock()
	s.memberships[m.ID] = cloneMembership(m)
	s.mu.Unlock()
	return nil
}

// pendingKeyGrace is how long a key whose membership is not yet written
// counts as an application being saved. The key is inserted just before
// its membership, so an older key without one was left by a crash.
const pendingKeyGrace = time.Minute

// holdKey inserts m's applicant key. A key held by a membership that has
// since ended, or that a crash left without its membership, is stale: it
// is released and the insert retried once.
func (s *CommunityStore) holdKey(ctx context.Context, m *community.Membership) error {
	key := membershipKeyDoc{ID: m.ApplicantKey(), MembershipID: m.ID, HeldAt: time.Now().UTC()}
	for attempt := 0; ; attempt++ {
		err := s.insert(ctx, membershipKeysCollection, key)
		if apperr.KindOf(err) != apperr.Conflict {
			return err
		}
		var held membershipKeyDoc
		err = s.db.Read(ctx, membershipKeysCollection, "find_by_id", func(ctx context.Context) error {
			return s.db.Collection(membershipKeysCollection).FindOne(ctx, bson.D{{Key: "_id", Value: key.ID}}).Decode(&held)
		})
		switch apperr.KindOf(err) {
		case "":
		case apperr.NotFound:
			// Released since the insert failed: try again.
			if attempt == 0 {
				continue
			}
			return apperr.New(apperr.Conflict, "already applied to this community")
		default:
			return err
		}
		holder, err := s.findMembershipDoc(ctx, held.MembershipID)
		if err != nil && apperr.KindOf(err) != apperr.NotFound {
			return err
		}
		switch {
		case holder != nil && community.Status(holder.Status) == community.StatusMember:
			return apperr.New(apperr.Conflict, "already a member of this community")
		case holder != nil && community.Status(holder.Status).Active():
			return apperr.New(apperr.Conflict, "already applied to this community")
		case holder == nil && time.Since(held.HeldAt) < pendingKeyGrace:
			return apperr.New(apperr.Conflict, "an application to this community is being saved for this applicant")
		case attempt > 0:
			return apperr.New(apperr.Conflict, "already applied to this community")
		}
		if err := s.deleteKey(ctx, key.ID, held.MembershipID); err != nil {
			return err
		}
	}
}

func (s *CommunityStore) findMembershipDoc(ctx context.Context, id string) (*membershipDoc, error) {
	if id == "" {
		return nil, apperr.New(apperr.NotFound, "membership not found")
	}
	var d membershipDoc
	err := s.db.Read(ctx, membershipsCollection, "find_by_id", func(ctx context.Context) error {
		return s.db.Collection(membershipsCollection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// releaseKey frees m's applicant key if m holds it.
func (s *CommunityStore) releaseKey(ctx context.Context, m *community.Membership) error {
	return s.deleteKey(ctx, m.ApplicantKey(), m.ID)
}

func (s *CommunityStore) deleteKey(ctx context.Context, key, membershipID string) error {
	_, err := s.db.deleteIf(ctx, membershipKeysCollection, "delete", key, fieldIs("membership_id", membershipID))
	return err
}

// UpdateMembership replaces a membership, compare-and-swap on Revision.
// When the membership ends, its applicant key is released so the holder
// may apply again.
func (s *CommunityStore) UpdateMembership(ctx context.Context, m *community.Membership) error {
	next := *m
	next.Revision++
	if err := s.replace(ctx, membershipsCollection, m.ID, m.Revision, toMembershipDoc(&next)); err != nil {
		return err
	}
	m.Revision = next.Revision
	s.mu.Lock()
	if old := s.memberships[m.ID]; old == nil || old.Revision < m.Revision {
		s.memberships[m.ID] = cloneMembership(m)
	}
	s.mu.Unlock()
	if !m.Status.Active() {
		// The membership is already ended; a failure here only leaves a
		// stale key, which holdKey recognises and releases.
		if err := s.releaseKey(ctx, m); err != nil {
			s.db.logger.Warn("could not release an applicant key", "membership_id", m.ID, "err", err)
		}
	}
	return nil
}

// FindMembershipByID returns a copy of a membership.
func (s *CommunityStore) FindMembershipByID(_ context.Context, id string) (*community.Membership, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.memberships[id]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "membership not found")
	}
	return cloneMembership(m), nil
}

// FindMemberships lists memberships sorted by application time, then ID.
func (s *CommunityStore) FindMemberships(_ context.Context, f community.MembershipFilter) ([]*community.Membership, error) {
	s.mu.RLock()
	out := []*community.Membership{}
	for _, m := range s.memberships {
		if f.CommunityID != "" && m.CommunityID != f.CommunityID {
			continue
		}
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, m.Status) {
			continue
		}
		if f.Holder != nil && !f.Holder.Owns(m) {
			continue
		}
		out = append(out, cloneMembership(m))
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b *community.Membership) int {
		return cmp.Or(a.AppliedAt.Compare(b.AppliedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// CreateProposal stores a new proposal.
func (s *CommunityStore) CreateProposal(ctx context.Context, p *community.Proposal) error {
	if err := s.insert(ctx, proposalsCollection, toProposalDoc(p)); err != nil {
		return conflictAs(err, "a proposal with this id already exists")
	}
	s.mu.Lock()
	s.proposals[p.ID] = cloneProposal(p)
	s.mu.Unlock()
	return nil
}

// UpdateProposal replaces a proposal, compare-and-swap on Revision.
func (s *CommunityStore) UpdateProposal(ctx context.Context, p *community.Proposal) error {
	next := *p
	next.Revision++
	if err := s.replace(ctx, proposalsCollection, p.ID, p.Revision, toProposalDoc(&next)); err != nil {
		return err
	}
	p.Revision = next.Revision
	s.mu.Lock()
	if old := s.proposals[p.ID]; old == nil || old.Revision < p.Revision {
		s.proposals[p.ID] = cloneProposal(p)
	}
	s.mu.Unlock()
	return nil
}

// FindProposalByID returns a copy of a proposal.
func (s *CommunityStore) FindProposalByID(_ context.Context, id string) (*community.Proposal, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.proposals[id]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "proposal not found")
	}
	return cloneProposal(p), nil
}

// FindProposals lists proposals sorted by opening time, then ID.
func (s *CommunityStore) FindProposals(_ context.Context, f community.ProposalFilter) ([]*community.Proposal, error) {
	s.mu.RLock()
	out := []*community.Proposal{}
	for _, p := range s.proposals {
		if f.CommunityID != "" && p.CommunityID != f.CommunityID {
			continue
		}
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, p.Status) {
			continue
		}
		out = append(out, cloneProposal(p))
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b *community.Proposal) int {
		return cmp.Or(a.Opens.Compare(b.Opens), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (s *CommunityStore) putBallot(b community.Ballot) {
	m := s.ballots[b.ProposalID]
	if m == nil {
		m = map[string]community.Ballot{}
		s.ballots[b.ProposalID] = m
	}
	if old, ok := m[b.ID]; ok && old.Revision > b.Revision {
		return
	}
	m[b.ID] = b
}

// CreateBallot inserts a ballot; a second ballot with the same ID is a
// Conflict.
func (s *CommunityStore) CreateBallot(ctx context.Context, b *community.Ballot) error {
	if err := s.insert(ctx, ballotsCollection, toBallotDoc(b)); err != nil {
		return conflictAs(err, "this ballot was already cast")
	}
	s.mu.Lock()
	s.putBallot(*b)
	s.mu.Unlock()
	return nil
}

// UpdateBallot replaces a ballot, compare-and-swap on Revision.
func (s *CommunityStore) UpdateBallot(ctx context.Context, b *community.Ballot) error {
	next := *b
	next.Revision++
	if err := s.replace(ctx, ballotsCollection, b.ID, b.Revision, toBallotDoc(&next)); err != nil {
		return err
	}
	b.Revision = next.Revision
	s.mu.Lock()
	s.putBallot(*b)
	s.mu.Unlock()
	return nil
}

// FindBallotByID returns a ballot.
func (s *CommunityStore) FindBallotByID(_ context.Context, id string) (*community.Ballot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, m := range s.ballots {
		if b, ok := m[id]; ok {
			return &b, nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "ballot not found")
}

// FindBallots returns a proposal's ballots sorted by ID, never in the order
// they were cast, so that anonymous ballots cannot be paired with the
// participation records written beside them.
func (s *CommunityStore) FindBallots(_ context.Context, proposalID string) ([]community.Ballot, error) {
	s.mu.RLock()
	m := s.ballots[proposalID]
	out := make([]community.Ballot, 0, len(m))
	for _, b := range m {
		out = append(out, b)
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b community.Ballot) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// CreateParticipation inserts a participation record; a second one for the
// same voter is a Conflict.
func (s *CommunityStore) CreateParticipation(ctx context.Context, p *community.Participation) error {
	if err := s.insert(ctx, participationsCollection, toParticipationDoc(p)); err != nil {
		return conflictAs(err, "you have already voted")
	}
	s.mu.Lock()
	s.participations[p.ID] = *p
	s.mu.Unlock()
	return nil
}

// FindParticipationByID returns a participation record.
func (s *CommunityStore) FindParticipationByID(_ context.Context, id string) (*community.Participation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.participations[id]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "participation not found")
	}
	return &p, nil
}

// The clones below keep the in-memory copies private: callers change what
// they get back freely. They copy every slice a caller could append to or
// edit in place.

func cloneCommunity(c *community.Community) *community.Community {
	out := *c
	out.Regions = slices.Clone(c.Regions)
	out.ParcelIDs = slices.Clone(c.ParcelIDs)
	out.CampaignIDs = slices.Clone(c.CampaignIDs)
	out.Bylaws = cloneBylaws(c.Bylaws)
	out.History = make([]community.Bylaws, len(c.History))
	for i, b := range c.History {
		out.History[i] = cloneBylaws(b)
	}
	out.Roles = slices.Clone(c.Roles)
	return &out
}

func cloneBylaws(b community.Bylaws) community.Bylaws {
	out := b
	out.Classes = slices.Clone(b.Classes)
	for i := range out.Classes {
		out.Classes[i].Pathway = slices.Clone(out.Classes[i].Pathway)
		for j := range out.Classes[i].Pathway {
			out.Classes[i].Pathway[j].VerifiedBy = slices.Clone(out.Classes[i].Pathway[j].VerifiedBy)
		}
	}
	out.Rules = slices.Clone(b.Rules)
	out.Board.RegionalClasses = slices.Clone(b.Board.RegionalClasses)
	return out
}

func cloneMembership(m *community.Membership) *community.Membership {
	out := *m
	out.Milestones = slices.Clone(m.Milestones)
	out.Payments = slices.Clone(m.Payments)
	if m.Refund != nil {
		r := *m.Refund
		r.Steps = slices.Clone(r.Steps)
		out.Refund = &r
	}
	return &out
}

func cloneProposal(p *community.Proposal) *community.Proposal {
	out := *p
	out.Text = cloneMap(p.Text)
	out.Options = slices.Clone(p.Options)
	for i := range out.Options {
		out.Options[i].Label = cloneMap(out.Options[i].Label)
	}
	if p.NewBylaws != nil {
		b := cloneBylaws(*p.NewBylaws)
		out.NewBylaws = &b
	}
	// The electorate is never edited after opening; sharing it saves a
	// copy of up to a million voters on every read.
	if p.Result != nil {
		r := *p.Result
		r.Counts = slices.Clone(r.Counts)
		out.Result = &r
	}
	return &out
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
