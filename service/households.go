package service

import (
	"context"
	"fmt"
	"time"

	"commonground/auth"
	"commonground/community"
	"commonground/mongodb"
	"commonground/seal"
)

// openHouseholds builds the household service on its store and loads every
// household into memory.
func openHouseholds(ctx context.Context, db *mongodb.DB, ring *seal.Keyring, now func() time.Time) (*community.Households, *mongodb.HouseholdStore, error) {
	store := mongodb.NewHouseholdStore(db, ring)
	h := community.NewHouseholds(store, auth.NewID, now)
	if err := h.Load(ctx); err != nil {
		return nil, nil, fmt.Errorf("load households: %w", err)
	}
	return h, store, nil
}

// compactHouseholdsEvery is how often the running service checks whether
// enough households changed to write a new start-up snapshot.
const compactHouseholdsEvery = 15 * time.Minute

// startHouseholdJobs keeps the households' start-up snapshot recent.
func (s *Service) startHouseholdJobs(ctx context.Context, store *mongodb.HouseholdStore) {
	s.every(ctx, compactHouseholdsEvery, "write a household snapshot", func(ctx context.Context) error {
		wrote, err := store.Compact(ctx)
		if wrote {
			s.logger.Info("wrote a household snapshot")
		}
		return err
	})
}
