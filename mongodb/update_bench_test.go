package mongodb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"commonground/community/householdgen"
	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
	"commonground/seal"
)

// BenchmarkUpdateHousehold measures one correction of one household among
// 5,000 stored: a compare-and-swap on its version. The embedded store reads
// every document of a collection for any filter but {_id: X}, so the check
// must not be part of the filter.
func BenchmarkUpdateHousehold(b *testing.B) {
	ctx := context.Background()
	db := mongodbtest.Open(b)
	ring, err := seal.NewKeyring(seal.GenerateKey())
	if err != nil {
		b.Fatal(err)
	}
	store := mongodb.NewHouseholdStore(db, ring)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	const n = 5000
	for i := range n {
		h, err := householdgen.Registered(1, i, householdgen.Options{}, fmt.Sprintf("hh-%d", i), fmt.Sprintf("acct-%d", i), now)
		if err != nil {
			b.Fatal(err)
		}
		if err := store.CreateHousehold(ctx, h); err != nil {
			b.Fatal(err)
		}
	}
	h, err := store.HouseholdByID(ctx, "hh-2500")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		h.Notes = fmt.Sprint("correction ", i)
		h.Version++
		if err := store.UpdateHousehold(ctx, h); err != nil {
			b.Fatal(err)
		}
	}
}
