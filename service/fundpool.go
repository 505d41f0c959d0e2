package service

import (
	"context"
	"fmt"
	"time"

	"commonground/fundpool"
	"commonground/mongodb"
)

// idempotencyKeep is how long the first response to a keyed request is kept
// for retries: a day covers any client's retry loop.
const idempotencyKeep = 24 * time.Hour

// openFunds loads the fund pool: campaigns and sources into memory, the
// ledger into a Book, with repairs of anything a crash left half done.
func openFunds(ctx context.Context, db *mongodb.DB) (*fundpool.Pool, error) {
	store := mongodb.NewPoolStore(db)
	if err := store.Load(ctx); err != nil {
		return nil, fmt.Errorf("load campaigns: %w", err)
	}
	pool, err := fundpool.OpenPool(ctx, store, nil)
	if err != nil {
		return nil, fmt.Errorf("load the ledger: %w", err)
	}
	return pool, nil
}

// startFundJobs resolves campaigns whose deadline passed (at start, then
// every tick) and forgets idempotency records older than a day.
func (s *Service) startFundJobs(ctx context.Context, tick time.Duration) {
	if tick <= 0 {
		tick = 10 * time.Second
	}
	s.every(ctx, tick, "resolve campaign deadlines", func(ctx context.Context) error {
		n, err := s.Funds.ResolveDeadlines(ctx)
		if n > 0 {
			s.logger.Info("resolved campaign deadlines", "campaigns", n)
		}
		return err
	})
	s.every(ctx, time.Hour, "delete old idempotency records", func(ctx context.Context) error {
		_, err := s.Funds.ExpireKeys(ctx, idempotencyKeep)
		return err
	})
}
