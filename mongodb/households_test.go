package mongodb_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/bson"

	"commonground/apperr"
	"commonground/community"
	"commonground/community/householdgen"
	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
	"commonground/seal"
)

var householdNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newHouseholdStore(t *testing.T) (*mongodb.DB, *mongodb.HouseholdStore) {
	t.Helper()
	db := mongodbtest.Open(t)
	ring, err := seal.NewKeyring(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return db, mongodb.NewHouseholdStore(db, ring)
}

func testHousehold(t *testing.T, i int) *community.Household {
	t.Helper()
	h, err := householdgen.Registered(1, i, householdgen.Options{}, fmt.Sprintf("hh-%d", i), fmt.Sprintf("acct-%d", i), householdNow)
	if err != nil {
		t.Fatal(err)
	}
	h.FEMA.RegistrationID = "123456789"
	h.Notes = "needs a ramp"
	if i == 2 {
		h.Voters = []community.HouseholdVoter{{AccountID: "acct-adult", LinkedAt: householdNow}}
		h.VoterCode = &community.HouseholdClaim{CodeHash: "v0te", IssuedBy: h.OwnerAccountID, IssuedAt: householdNow, Expires: householdNow.Add(community.ClaimCodeTTL)}
	}
	if i == 3 {
		h.OwnerAccountID = ""
		h.Claim = &community.HouseholdClaim{CodeHash: "c0de", IssuedBy: "acct-organizer", IssuedAt: householdNow, Expires: householdNow.Add(community.ClaimCodeTTL)}
	}
	if i%2 == 0 && len(h.Consents) > 0 {
		w := householdNow.Add(time.Hour)
		h.Consents[0].WithdrawnAt = &w
	}
	return h
}

func TestHouseholdRoundTripAndSealing(t *testing.T) {
	db, store := newHouseholdStore(t)
	ctx := context.Background()
	for i := range 4 {
		h := testHousehold(t, i)
		if err := store.CreateHousehold(ctx, h); err != nil {
			t.Fatal(err)
		}
		got, err := store.HouseholdByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, h); diff != "" {
			t.Errorf("household %d after a round trip (-got +want):\n%s", i, diff)
		}
	}
	// Nothing sensitive is readable in the raw document.
	var raw bson.M
	if err := db.Collection("households").FindOne(ctx, bson.D{{Key: "_id", Value: "hh-1"}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(raw)
	h := testHousehold(t, 1)
	for _, secret := range []string{h.Contact.Phone, h.Contact.Email, "123456789", "needs a ramp", h.LostHome.Address, "2026-03-02"} {
		if strings.Contains(text, secret) {
			t.Errorf("the stored document shows %q in clear", secret)
		}
	}
	// A sealed record moved to another household does not open.
	err := db.Collection("households").FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: "hh-2"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "record", Value: raw["record"]}}}}).Err()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.HouseholdByID(ctx, "hh-2"); apperr.KindOf(err) != apperr.Internal {
		t.Errorf("a moved sealed record opened: err = %v", err)
	}
}

func TestHouseholdConflicts(t *testing.T) {
	_, store := newHouseholdStore(t)
	ctx := context.Background()
	a, b := testHousehold(t, 1), testHousehold(t, 3)
	a.ExternalID, b.ExternalID = "row-7", "row-7"
	if err := store.CreateHousehold(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateHousehold(ctx, a); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("same id twice: err = %v, want a conflict", err)
	}
	if err := store.CreateHousehold(ctx, b); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("same external id twice: err = %v, want a conflict", err)
	}
	// Households without an external id never collide with each other.
	c, d := testHousehold(t, 5), testHousehold(t, 7)
	for _, h := range []*community.Household{c, d} {
		if err := store.CreateHousehold(ctx, h); err != nil {
			t.Fatalf("create without external id: %v", err)
		}
	}

	u := a.Clone()
	u.Notes = "moved to a hotel"
	u.Version++
	if err := store.UpdateHousehold(ctx, u); err != nil {
		t.Fatalf("update from the current version: %v", err)
	}
	stale := a.Clone()
	stale.Version++
	if err := store.UpdateHousehold(ctx, stale); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("update from a stale copy: err = %v, want a conflict", err)
	}
	missing := testHousehold(t, 9)
	missing.Version++
	if err := store.UpdateHousehold(ctx, missing); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("update of a missing household: err = %v, want not found", err)
	}
	got, err := store.HouseholdByID(ctx, a.ID)
	if err != nil || got.Notes != "moved to a hotel" || got.Version != a.Version+1 {
		t.Errorf("after update: %+v, %v", got, err)
	}
}

func TestHouseholdDeleteKeepsRemainder(t *testing.T) {
	_, store := newHouseholdStore(t)
	ctx := context.Background()
	a, b := testHousehold(t, 1), testHousehold(t, 3)
	a.ExternalID = "row-1"
	for _, h := range []*community.Household{a, b} {
		if err := store.CreateHousehold(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	rem := community.EraseHousehold(a, householdNow)
	if err := store.DeleteHousehold(ctx, a.ID, rem); err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteHousehold(ctx, a.ID, rem); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("second delete: err = %v, want not found", err)
	}
	if _, err := store.HouseholdByID(ctx, a.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("read after delete: err = %v, want not found", err)
	}
	var ids []string
	if err := store.EachHousehold(ctx, func(h *community.Household) error { ids = append(ids, h.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids, []string{b.ID}); diff != "" {
		t.Errorf("households after delete (-got +want):\n%s", diff)
	}
	rems, err := store.HouseholdRemainders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rems, []community.HouseholdRemainder{rem}); diff != "" {
		t.Errorf("remainders (-got +want):\n%s", diff)
	}
	// The erased household's external id is free again.
	c := testHousehold(t, 5)
	c.ExternalID = "row-1"
	if err := store.CreateHousehold(ctx, c); err != nil {
		t.Errorf("reuse of an erased household's external id: %v", err)
	}
}

// TestHouseholdGroupCommit sends many creates at once, some sharing an
// external id: each answer must match what was stored.
func TestHouseholdGroupCommit(t *testing.T) {
	_, store := newHouseholdStore(t)
	ctx := context.Background()
	const n = 60
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		h := testHousehold(t, i)
		h.ExternalID = fmt.Sprintf("row-%d", i%20) // three households per external id
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = store.CreateHousehold(ctx, h)
		}()
	}
	wg.Wait()
	ok := map[string]int{}
	for i, err := range errs {
		switch apperr.KindOf(err) {
		case "":
			ok[fmt.Sprintf("row-%d", i%20)]++
		case apperr.Conflict:
		default:
			t.Fatalf("create %d: %v", i, err)
		}
	}
	stored := map[string]int{}
	if err := store.EachHousehold(ctx, func(h *community.Household) error { stored[h.ExternalID]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stored, ok); diff != "" || len(ok) != 20 {
		t.Errorf("stored per external id differs from the successful answers (-stored +answered):\n%s", diff)
	}
}
