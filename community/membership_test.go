package community

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMembershipLifecycleResidentOwnedPark(t *testing.T) {
	c := withOrganizer(ResidentOwnedPark("park", adminID, t0))
	applicant := resident(1)
	m, err := Apply(&c, applicant, Application{ID: "m1", ClassKey: "resident"}, nil, t0)
	must(t, err)
	if m.Status != StatusApplied || m.HouseholdID != "hh-1" || m.PersonID != "" {
		t.Fatalf("applied membership = %+v", m)
	}
	existing := []Membership{m}

	// A second application from the same household, by anyone in it.
	sameHousehold := Principal{AccountID: "acct-1b", HouseholdID: "hh-1", Roles: []GlobalRole{RoleResident}}
	_, err = Apply(&c, sameHousehold, Application{ID: "m2", ClassKey: "resident"}, existing, t0)
	wantKind(t, err, "conflict")

	// Review: only a community admin.
	wantKind(t, Review(&c, &m, organizer, true, "", t0), "forbidden")
	must(t, Review(&c, &m, admin, true, "welcome", t0.Add(day)))
	if m.Status != StatusProvisional || !m.ProvisionalAt.Equal(t0.Add(day)) {
		t.Fatalf("after review: %s at %v", m.Status, m.ProvisionalAt)
	}
	wantKind(t, Review(&c, &m, admin, true, "", t0), "conflict")

	// Milestones in order, by verifiers with the right.
	if got := fieldsOf(t, CompleteMilestone(&c, &m, "share", admin, "paid", t0)); !cmp.Equal(got, []string{"milestone"}) {
		t.Errorf("out of order: fields %v", got)
	}
	wantKind(t, CompleteMilestone(&c, &m, "orientation", stranger, "attended", t0), "forbidden")
	wantKind(t, CompleteMilestone(&c, &m, "orientation", applicant, "attended", t0), "forbidden")
	fieldsOf(t, CompleteMilestone(&c, &m, "orientation", organizer, "", t0)) // evidence required
	must(t, CompleteMilestone(&c, &m, "orientation", organizer, "attended 3 March session", t0.Add(2*day)))
	wantKind(t, CompleteMilestone(&c, &m, "orientation", organizer, "again", t0), "conflict")

	// Share: only an admin verifies it, and only once paid in full.
	wantKind(t, CompleteMilestone(&c, &m, "share", organizer, "", t0), "forbidden")
	wantKind(t, CompleteMilestone(&c, &m, "share", admin, "", t0), "unprocessable")
	fieldsOf(t, RecordPayment(&c, &m, admin, usd(5_000), "", t0))           // below one tenth
	fieldsOf(t, RecordPayment(&c, &m, admin, Money{10_000, "EUR"}, "", t0)) // wrong currency
	wantKind(t, RecordPayment(&c, &m, stranger, usd(10_000), "", t0), "forbidden")
	for i := 0; i < 9; i++ {
		must(t, RecordPayment(&c, &m, organizer, usd(10_000), "instalment", t0))
	}
	fieldsOf(t, RecordPayment(&c, &m, admin, usd(20_000), "", t0)) // more than owed
	must(t, RecordPayment(&c, &m, admin, usd(10_000), "last instalment", t0))
	wantKind(t, RecordPayment(&c, &m, admin, usd(10_000), "", t0), "conflict")
	must(t, CompleteMilestone(&c, &m, "share", admin, "", t0.Add(3*day)))

	// 90 days as provisional member.
	wantKind(t, CompleteMilestone(&c, &m, "ninety_days", admin, "", t0.Add(60*day)), "unprocessable")
	must(t, CompleteMilestone(&c, &m, "ninety_days", admin, "", t0.Add(91*day)))
	if m.Status != StatusMember || !m.MemberAt.Equal(t0.Add(91*day)) {
		t.Fatalf("after pathway: %s at %v", m.Status, m.MemberAt)
	}
	gotKeys := []string{}
	for _, r := range m.Milestones {
		gotKeys = append(gotKeys, r.Key+"/"+string(r.As))
	}
	if diff := cmp.Diff(gotKeys, []string{"orientation/community_organizer", "share/community_admin", "ninety_days/community_admin"}); diff != "" {
		t.Errorf("milestones (-got +want):\n%s", diff)
	}

	// An application from a household already a member is refused.
	_, err = Apply(&c, applicant, Application{ID: "m3", ClassKey: "resident"}, []Membership{m}, t0)
	wantKind(t, err, "conflict")

	// Withdrawal: only the holder; the share comes back as paid.
	wantKind(t, Withdraw(&c, &m, stranger, t0.Add(400*day), nil), "forbidden")
	must(t, Withdraw(&c, &m, sameHousehold, t0.Add(400*day), nil))
	if m.Status != StatusWithdrawn || m.Refund == nil || m.Refund.Amount != usd(100_000) {
		t.Fatalf("after withdrawal: %s refund %+v", m.Status, m.Refund)
	}
	wantKind(t, Withdraw(&c, &m, applicant, t0.Add(401*day), nil), "conflict")

	// Having left, the household may apply again.
	_, err = Apply(&c, applicant, Application{ID: "m4", ClassKey: "resident"}, []Membership{m}, t0.Add(500*day))
	must(t, err)
}

func TestApplyRefusals(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	noHousehold := Principal{AccountID: "acct-9", Roles: []GlobalRole{RoleResident}}
	tests := []struct {
		name string
		p    Principal
		app  Application
		want []string
	}{
		{"unknown class", resident(1), Application{ID: "x", ClassKey: "landlord", Region: "talent"}, []string{"classKey"}},
		{"no household", noHousehold, Application{ID: "x", ClassKey: "resident", Region: "talent"}, []string{"classKey"}},
		{"unknown region", resident(1), Application{ID: "x", ClassKey: "resident", Region: "portland"}, []string{"region"}},
		{"organisation not named", resident(1), Application{ID: "x", ClassKey: "organisation", Region: "talent"}, []string{"organisationName"}},
		{"organisation name without a letter", resident(1), Application{ID: "x", ClassKey: "organisation", Region: "talent", OrganisationName: " -- "}, []string{"organisationName"}},
		{"organisation name too long", resident(1), Application{ID: "x", ClassKey: "organisation", Region: "talent", OrganisationName: strings.Repeat("a", 201)}, []string{"organisationName"}},
		{"organisation on a person class", resident(1), Application{ID: "x", ClassKey: "worker", Region: "talent", OrganisationName: "Rogue Credit Union"}, []string{"organisationName"}},
		{"no id", resident(1), Application{ClassKey: "worker", Region: "talent"}, []string{"id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Apply(&c, tt.p, tt.app, nil, t0)
			if diff := cmp.Diff(fieldsOf(t, err), tt.want); diff != "" {
				t.Errorf("fields (-got +want):\n%s", diff)
			}
		})
	}
	_, err := Apply(&c, Principal{}, Application{ID: "x", ClassKey: "worker", Region: "talent"}, nil, t0)
	wantKind(t, err, "unauthorized")
}

func TestPersonAndHouseholdMembershipsAreSeparate(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	p := resident(1)
	hh, err := Apply(&c, p, Application{ID: "a", ClassKey: "resident", Region: "talent"}, nil, t0)
	must(t, err)
	w, err := Apply(&c, p, Application{ID: "b", ClassKey: "worker", Region: "talent"}, []Membership{hh}, t0)
	must(t, err)
	// But one person holds one person-class membership.
	_, err = Apply(&c, p, Application{ID: "c", ClassKey: "supporter", Region: "talent"}, []Membership{hh, w}, t0)
	wantKind(t, err, "conflict")
}

func TestOrganisationMembershipIsHeldByItsRepresentative(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	rep := resident(1)
	m, err := Apply(&c, rep, Application{ID: "o", ClassKey: "organisation", Region: "talent", OrganisationName: "  Rogue Valley Habitat,  Inc. "}, nil, t0)
	must(t, err)
	if m.OrganisationName != "Rogue Valley Habitat, Inc." || m.OrganisationID != "rogue-valley-habitat-inc" || m.RepresentativeID != rep.AccountID || m.HouseholdID != "" || m.PersonID != "" {
		t.Fatalf("membership = %+v", m)
	}
	if !rep.Owns(&m) || resident(2).Owns(&m) {
		t.Error("only the representative holds the organisation's membership")
	}
	// Another spelling of the same organisation, by someone else, is the
	// same applicant.
	_, err = Apply(&c, resident(2), Application{ID: "o2", ClassKey: "organisation", Region: "talent", OrganisationName: "rogue valley habitat inc"}, []Membership{m}, t0)
	wantKind(t, err, "conflict")
	// The representative's own memberships are separate.
	_, err = Apply(&c, rep, Application{ID: "w", ClassKey: "worker", Region: "talent"}, []Membership{m}, t0)
	must(t, err)

	if got := rep.Representing([]*Membership{&m}).OrganisationIDs; !slices.Equal(got, []string{"rogue-valley-habitat-inc"}) {
		t.Errorf("Representing = %v", got)
	}
	if got := resident(2).Representing([]*Membership{&m}).OrganisationIDs; got != nil {
		t.Errorf("Representing for someone else = %v", got)
	}
	wantKind(t, Withdraw(&c, &m, resident(2), t0.Add(day), nil), "forbidden")
	must(t, Withdraw(&c, &m, rep, t0.Add(day), nil))
	if got := rep.Representing([]*Membership{&m}).OrganisationIDs; got != nil {
		t.Errorf("Representing after withdrawing = %v, want none", got)
	}
}

func TestOrganisationKey(t *testing.T) {
	for in, want := range map[string]string{
		"Rogue Credit Union":         "rogue-credit-union",
		"  rogue   credit-union!! ":  "rogue-credit-union",
		"Asociación Latina de Ayuda": "asociación-latina-de-ayuda",
		"4-H Club #12":               "4-h-club-12",
		"--":                         "",
	} {
		if got := OrganisationKey(in); got != want {
			t.Errorf("OrganisationKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExitWithLimitedEquityRefund(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	m := seedMembers(&c, "resident", 1, func(int) int64 { return 30_000 })[0]
	wantKind(t, Exit(&c, &m, stranger, "moved away", t0, nil), "forbidden")
	fieldsOf(t, Exit(&c, &m, admin, "", t0, nil))
	must(t, Exit(&c, &m, admin, "left the area", t0.AddDate(4, 0, 0), nil))
	// 30000 × 1.015^4 with half-even rounding each year: 30450, 30906.75→30907, 31370.605→31371, 31841.565→31842.
	if m.Status != StatusExited || m.Refund.Amount != usd(31_842) || m.Refund.Years != 4 {
		t.Fatalf("after exit: %s refund %+v", m.Status, m.Refund)
	}
}

func TestProvisionalMemberGetsShareBackAsPaid(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	m := seedMembers(&c, "resident", 1, func(int) int64 { return 12_000 })[0]
	m.Status, m.MemberAt = StatusProvisional, t0.AddDate(-5, 0, 0)
	must(t, Withdraw(&c, &m, holder(&m), t0, nil))
	if m.Refund.Amount != usd(12_000) || m.Refund.Method != RefundAsPaid {
		t.Fatalf("refund %+v", m.Refund)
	}
}

func TestAdmissionByVote(t *testing.T) {
	c := WorkerCoop("wc", adminID, t0)
	m := seedMembers(&c, "worker", 1, func(int) int64 { return 0 })[0]
	m.Status, m.MemberAt = StatusProvisional, t0.Add(-time.Hour)
	if next, ok := m.NextMilestone(&c); !ok || next.Key != "orientation" {
		t.Fatalf("NextMilestone = %v %v", next.Key, ok)
	}
	adopted := &Proposal{ID: "v", CommunityID: "wc", Kind: KindAdmission, MembershipID: m.ID, Result: &Result{Adopted: true}}
	fieldsOf(t, CompleteMilestoneByVote(&c, &m, "orientation", adopted, t0)) // not a vote milestone
	for _, key := range []string{"orientation", "conflict_training"} {
		must(t, CompleteMilestone(&c, &m, key, admin, "done", t0))
	}
	must(t, CompleteMilestone(&c, &m, "candidacy", admin, "", t0.AddDate(1, 0, 0)))
	other := *adopted
	other.MembershipID = "someone-else"
	fieldsOf(t, CompleteMilestoneByVote(&c, &m, "members_agree", &other, t0))
	rejected := *adopted
	rejected.Result = &Result{Outcome: OutcomeBlocked}
	wantKind(t, CompleteMilestoneByVote(&c, &m, "members_agree", &rejected, t0), "unprocessable")
	must(t, CompleteMilestoneByVote(&c, &m, "members_agree", adopted, t0.AddDate(1, 0, 1)))
	if _, ok := m.NextMilestone(&c); ok || m.Status != StatusMember || m.Milestones[3].ProposalID != "v" {
		t.Fatalf("after vote: %s %+v", m.Status, m.Milestones)
	}
}

func TestFoundingMember(t *testing.T) {
	c := WorkerCoop("wc", adminID, t0)
	app := Application{ID: "f1", ClassKey: "worker"}
	m, err := FoundingMember(&c, admin, stranger, app, nil, t0.Add(day))
	must(t, err)
	if m.Status != StatusMember || m.PersonID != stranger.AccountID {
		t.Fatalf("founder = %+v", m)
	}
	_, err = FoundingMember(&c, admin, stranger, app, []Membership{m}, t0.Add(day))
	wantKind(t, err, "conflict")
	_, err = FoundingMember(&c, organizer, resident(2), app, nil, t0.Add(day))
	wantKind(t, err, "forbidden")
	_, err = FoundingMember(&c, admin, resident(2), app, nil, t0.Add(FoundingPeriod+time.Second))
	wantKind(t, err, "conflict")
}

// TestRefusedChangesLeaveMembershipUntouched checks that every refusal
// happens before anything is written to the membership.
func TestRefusedChangesLeaveMembershipUntouched(t *testing.T) {
	c := withOrganizer(ResidentOwnedPark("park", adminID, t0))
	base, err := Apply(&c, resident(1), Application{ID: "m1", ClassKey: "resident"}, nil, t0)
	must(t, err)
	must(t, Review(&c, &base, admin, true, "", t0))
	must(t, CompleteMilestone(&c, &base, "orientation", organizer, "attended", t0))
	tests := []struct {
		name string
		do   func(m *Membership) error
	}{
		{"skip a milestone", func(m *Membership) error { return CompleteMilestone(&c, m, "ninety_days", admin, "", t0.Add(100*day)) }},
		{"verifier without the right", func(m *Membership) error { return CompleteMilestone(&c, m, "share", organizer, "", t0) }},
		{"share not paid", func(m *Membership) error { return CompleteMilestone(&c, m, "share", admin, "", t0) }},
		{"overpayment", func(m *Membership) error { return RecordPayment(&c, m, admin, usd(100_001), "", t0) }},
		{"review twice", func(m *Membership) error { return Review(&c, m, admin, false, "", t0) }},
		{"exit without reason", func(m *Membership) error { return Exit(&c, m, admin, "", t0, nil) }},
		{"withdraw by another", func(m *Membership) error { return Withdraw(&c, m, stranger, t0, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base
			m.Milestones = slices.Clone(base.Milestones)
			if err := tt.do(&m); err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(m, base); diff != "" {
				t.Errorf("membership changed (-got +want):\n%s", diff)
			}
		})
	}
}
