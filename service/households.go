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
func openHouseholds(ctx context.Context, db *mongodb.DB, ring *seal.Keyring, now func() time.Time) (*community.Households, error) {
	h := community.NewHouseholds(mongodb.NewHouseholdStore(db, ring), auth.NewID, now)
	if err := h.Load(ctx); err != nil {
		return nil, fmt.Errorf("load households: %w", err)
	}
	return h, nil
}
