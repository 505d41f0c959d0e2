package mongodb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.mongodb.org/mongo-driver/bson"

	"commonground/apperr"
	"commonground/community"
	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
)

var communityT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func openCommunityStore(t *testing.T, db *mongodb.DB) *mongodb.CommunityStore {
	t.Helper()
	s, err := mongodb.NewCommunityStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	if got := apperr.KindOf(err); got != kind {
		t.Fatalf("error = %v (kind %q), want kind %q", err, got, kind)
	}
}

// TestCommunityStoreRoundTrip writes every record kind and reads it back,
// from memory and after a reload from the database.
func TestCommunityStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	s := openCommunityStore(t, db)

	models := []community.Community{
		community.ResidentOwnedPark("park", "acct-admin", communityT0),
		community.WorkerCoop("coop", "acct-admin", communityT0),
		community.MultistakeholderCoop("msc", "acct-admin", communityT0),
	}
	for i := range models {
		models[i].ParcelIDs = []string{"parcel-1"}
		if err := s.CreateCommunity(ctx, &models[i]); err != nil {
			t.Fatal(err)
		}
	}
	wantKind(t, s.CreateCommunity(ctx, &models[0]), apperr.Conflict)

	m := community.Membership{ID: "m1", CommunityID: "msc", ClassKey: "resident", HouseholdID: "hh-1", Region: "talent",
		Status: community.StatusProvisional, AppliedBy: "acct-1", AppliedAt: communityT0, ProvisionalAt: communityT0,
		Milestones: []community.MilestoneRecord{{Key: "orientation", Note: "attended", VerifiedBy: "acct-admin", As: community.VerifierCommunityAdmin, At: communityT0}},
		Payments:   []community.Payment{{Amount: community.Money{Minor: 2500, Currency: "USD"}, RecordedBy: "acct-admin", At: communityT0}},
		Refund:     &community.Refund{Paid: community.Money{Minor: 2500, Currency: "USD"}, Method: community.RefundAsPaid, Steps: []string{"refund as paid: 2500"}}}
	if err := s.CreateMembership(ctx, &m); err != nil {
		t.Fatal(err)
	}
	bylaws := models[2].Bylaws
	bylaws.Version = 2
	p := community.Proposal{ID: "p1", CommunityID: "msc", Kind: community.KindBylawsChange,
		Text:    map[community.Language]community.Text{community.English: {Title: "Change", Body: "text"}, community.Spanish: {Title: "Cambio"}},
		Options: community.YesNoOptions(), Rule: bylaws.Rules[3], BylawsVersion: 1, Anonymous: true,
		Opens: communityT0, Closes: communityT0.Add(20 * 24 * time.Hour), ProposedBy: "acct-admin", CreatedAt: communityT0,
		NewBylaws: &bylaws, Status: community.ProposalClosed, OpenedAt: communityT0,
		Electorate: []community.Voter{{Key: "household:hh-1", ClassKey: "resident", Weight: 2, MembershipID: "m1"}},
		Result: &community.Result{ProposalID: "p1", Method: community.MethodTwoThirds, Eligible: 1, EligibleWeight: 2, Ballots: 1, BallotWeight: 2,
			Counts:  []community.OptionCount{{Option: "yes", Ballots: 1, Weight: 2}, {Option: "no"}, {Option: "abstain"}},
			Outcome: community.OutcomePassed, Winner: "yes", Passed: true, Adopted: true, QuorumMet: true, Quorum: 4000}}
	if err := s.CreateProposal(ctx, &p); err != nil {
		t.Fatal(err)
	}
	b := community.Ballot{ID: "p1/anon/ff", ProposalID: "p1", Option: "yes", Weight: 2}
	if err := s.CreateBallot(ctx, &b); err != nil {
		t.Fatal(err)
	}
	part := community.Participation{ID: "p1/household:hh-1", ProposalID: "p1", VoterKey: "household:hh-1", At: communityT0}
	if err := s.CreateParticipation(ctx, &part); err != nil {
		t.Fatal(err)
	}

	for _, store := range []*mongodb.CommunityStore{s, openCommunityStore(t, db)} {
		for i := range models {
			got, err := store.FindCommunityByID(ctx, models[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, &models[i], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("community %s (-got +want):\n%s", models[i].ID, diff)
			}
		}
		gotM, err := store.FindMembershipByID(ctx, "m1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(gotM, &m, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("membership (-got +want):\n%s", diff)
		}
		gotP, err := store.FindProposalByID(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(gotP, &p, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("proposal (-got +want):\n%s", diff)
		}
		gotB, err := store.FindBallots(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(gotB, []community.Ballot{b}, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ballots (-got +want):\n%s", diff)
		}
		gotPart, err := store.FindParticipationByID(ctx, part.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(gotPart, &part, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("participation (-got +want):\n%s", diff)
		}
		list, err := store.FindCommunities(ctx, community.CommunityFilter{Model: community.ModelWorkerCoop})
		if err != nil || len(list) != 1 || list[0].ID != "coop" {
			t.Errorf("FindCommunities(worker_coop) = %v, %v", list, err)
		}
	}
}

// TestCommunityStoreUpdatesAreCompareAndSwap checks that an update from a
// stale copy is refused and changes nothing.
func TestCommunityStoreUpdatesAreCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	s := openCommunityStore(t, db)
	c := community.WorkerCoop("coop", "acct-admin", communityT0)
	if err := s.CreateCommunity(ctx, &c); err != nil {
		t.Fatal(err)
	}
	a, _ := s.FindCommunityByID(ctx, "coop")
	b, _ := s.FindCommunityByID(ctx, "coop")
	a.Name = "First"
	if err := s.UpdateCommunity(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Revision != 1 {
		t.Errorf("revision after update = %d, want 1", a.Revision)
	}
	b.Name = "Second"
	wantKind(t, s.UpdateCommunity(ctx, b), apperr.Conflict)
	missing := community.WorkerCoop("nope", "acct-admin", communityT0)
	wantKind(t, s.UpdateCommunity(ctx, &missing), apperr.NotFound)
	got, _ := openCommunityStore(t, db).FindCommunityByID(ctx, "coop")
	if got.Name != "First" || got.Revision != 1 {
		t.Errorf("stored community = %q rev %d, want First rev 1", got.Name, got.Revision)
	}
}

// TestCommunityStoreOneActiveMembershipPerApplicant races applications by
// one household and checks that exactly one is stored, and that the
// household may apply again once that membership has ended.
func TestCommunityStoreOneActiveMembershipPerApplicant(t *testing.T) {
	ctx := context.Background()
	s := openCommunityStore(t, mongodbtest.Open(t))
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := community.Membership{ID: fmt.Sprintf("m%d", i), CommunityID: "park", ClassKey: "resident", HouseholdID: "hh-1",
				Status: community.StatusApplied, AppliedBy: "acct-1", AppliedAt: communityT0}
			errs[i] = s.CreateMembership(ctx, &m)
		}()
	}
	wg.Wait()
	won := ""
	for i, err := range errs {
		switch apperr.KindOf(err) {
		case "":
			if won != "" {
				t.Fatalf("two applications stored: %s and m%d", won, i)
			}
			won = fmt.Sprintf("m%d", i)
		case apperr.Conflict:
		default:
			t.Fatalf("application m%d: %v", i, err)
		}
	}
	list, _ := s.FindMemberships(ctx, community.MembershipFilter{CommunityID: "park"})
	if len(list) != 1 || list[0].ID != won {
		t.Fatalf("stored memberships = %d, want only %s", len(list), won)
	}

	again := community.Membership{ID: "again", CommunityID: "park", ClassKey: "resident", HouseholdID: "hh-1",
		Status: community.StatusApplied, AppliedBy: "acct-1", AppliedAt: communityT0}
	wantKind(t, s.CreateMembership(ctx, &again), apperr.Conflict)
	m := list[0]
	m.Status = community.StatusWithdrawn
	if err := s.UpdateMembership(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMembership(ctx, &again); err != nil {
		t.Fatalf("apply again after withdrawing: %v", err)
	}
	other := community.Membership{ID: "other", CommunityID: "coop", ClassKey: "resident", HouseholdID: "hh-1",
		Status: community.StatusApplied, AppliedBy: "acct-1", AppliedAt: communityT0}
	if err := s.CreateMembership(ctx, &other); err != nil {
		t.Fatalf("apply to another community: %v", err)
	}
}

// TestCommunityStoreApplicantKeyLeftByCrash checks that a key whose
// membership was never written blocks a second application only while the
// first may still be being saved.
func TestCommunityStoreApplicantKeyLeftByCrash(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	s := openCommunityStore(t, db)
	apply := func(id, household string) error {
		m := community.Membership{ID: id, CommunityID: "park", ClassKey: "resident", HouseholdID: household,
			Status: community.StatusApplied, AppliedBy: "acct-" + household, AppliedAt: communityT0}
		return s.CreateMembership(ctx, &m)
	}
	keyOf := func(household string) string {
		m := community.Membership{CommunityID: "park", HouseholdID: household}
		return m.ApplicantKey()
	}
	for _, k := range []struct {
		household string
		age       time.Duration
	}{{"hh-fresh", time.Second}, {"hh-old", 2 * time.Minute}} {
		_, err := db.Collection("membership_keys").InsertOne(ctx, bson.D{
			{Key: "_id", Value: keyOf(k.household)}, {Key: "membership_id", Value: "lost-" + k.household},
			{Key: "held_at", Value: time.Now().Add(-k.age).UTC()}})
		if err != nil {
			t.Fatal(err)
		}
	}
	wantKind(t, apply("m-fresh", "hh-fresh"), apperr.Conflict)
	if err := apply("m-old", "hh-old"); err != nil {
		t.Fatalf("apply over a key left by a crash: %v", err)
	}
	wantKind(t, apply("m-old-again", "hh-old"), apperr.Conflict)
}

// TestCommunityStoreBallotsSortedByID checks that ballots come back in ID
// order whatever order they were written in, and that an anonymous ballot
// is stored without a time.
func TestCommunityStoreBallotsSortedByID(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	s := openCommunityStore(t, db)
	for _, id := range []string{"p/anon/c", "p/anon/a", "p/anon/b"} {
		b := community.Ballot{ID: id, ProposalID: "p", Option: "yes", Weight: 1}
		if err := s.CreateBallot(ctx, &b); err != nil {
			t.Fatal(err)
		}
	}
	dup := community.Ballot{ID: "p/anon/a", ProposalID: "p", Option: "no", Weight: 1}
	wantKind(t, s.CreateBallot(ctx, &dup), apperr.Conflict)
	b, _ := s.FindBallotByID(ctx, "p/anon/b")
	b.Option = "no"
	if err := s.UpdateBallot(ctx, b); err != nil {
		t.Fatal(err)
	}
	stale := *b
	stale.Revision = 0
	wantKind(t, s.UpdateBallot(ctx, &stale), apperr.Conflict)
	for _, store := range []*mongodb.CommunityStore{s, openCommunityStore(t, db)} {
		got, _ := store.FindBallots(ctx, "p")
		want := []community.Ballot{
			{ID: "p/anon/a", ProposalID: "p", Option: "yes", Weight: 1},
			{ID: "p/anon/b", ProposalID: "p", Option: "no", Weight: 1, Revision: 1},
			{ID: "p/anon/c", ProposalID: "p", Option: "yes", Weight: 1},
		}
		if diff := cmp.Diff(got, want, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ballots (-got +want):\n%s", diff)
		}
	}
	raw, err := db.Collection("ballots").FindOne(ctx, map[string]string{"_id": "p/anon/a"}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.LookupErr("cast_at"); err == nil {
		t.Errorf("anonymous ballot stored with a time: %s", raw)
	}
}
