// Package demo seeds a synthetic dataset for trying Common Ground: a Jackson
// County, Oregon scenario after the 2020 Almeda Fire. Every name, amount and
// award id here is made up.
//
// Each domain adds a Seeder to Seeders. Seeders run in order at start when
// the demo is switched on (COMMONGROUND_DEMO=true, `make demo`) and must be
// idempotent: fixed ids and idempotency keys, so that starting the demo again
// on the same data directory adds nothing twice.
package demo

import (
	"context"
	"fmt"
	"log/slog"
)

// Env is what seeders may use; a domain adds its service here.
type Env struct {
	Funds      FundPool
	Households Households
	// Parcels keeps parcels and hazard zones; nil skips the map data.
	Parcels     Parcels
	Communities Communities
}

// Seeder adds one domain's demo data.
type Seeder struct {
	Name string
	Seed func(ctx context.Context, env Env) error
}

// Seeders run in this order; later ones may rely on earlier ones.
var Seeders = []Seeder{
	{Name: "parcels and hazard zones", Seed: seedParcels},
	{Name: "fund pool campaigns", Seed: seedCampaigns},
	{Name: "households", Seed: seedHouseholds},
	{Name: "communities", Seed: seedCommunities},
}

// Seed runs every seeder.
func Seed(ctx context.Context, env Env, logger *slog.Logger) error {
	for _, s := range Seeders {
		if err := s.Seed(ctx, env); err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		logger.Info("seeded demo data", "seeder", s.Name)
	}
	return nil
}
