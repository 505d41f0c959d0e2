// Command webseed fills a fresh data directory with the load the web app's
// budget is measured against: open campaigns, each on its own parcel, some
// with a pledge, and synthetic households. It writes through the service and
// store packages, not HTTP, because registering 10,000 households one
// request at a time would take minutes; the server is started on the
// directory afterwards and loads everything as it does at any start.
//
//	go run ./bench/webseed -data-dir /tmp/cg -campaigns 500 -households 10000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"commonground/community"
	"commonground/community/householdgen"
	"commonground/fundpool"
	"commonground/geo"
	"commonground/mongodb"
	"commonground/service"
)

func main() {
	dir := flag.String("data-dir", "", "data directory to fill (created when missing)")
	campaigns := flag.Int("campaigns", 500, "open campaigns to create, each on its own parcel")
	households := flag.Int("households", 10_000, "synthetic households to store")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "webseed: -data-dir is required")
		os.Exit(2)
	}
	start := time.Now()
	if err := run(context.Background(), *dir, *campaigns, *households); err != nil {
		fmt.Fprintln(os.Stderr, "webseed:", err)
		os.Exit(1)
	}
	fmt.Printf("seeded %d campaigns and %d households in %s\n", *campaigns, *households, time.Since(start).Round(time.Millisecond))
}

func run(ctx context.Context, dir string, campaigns, households int) error {
	svc, err := service.Open(ctx, service.Config{DataDir: dir})
	if err != nil {
		return err
	}
	defer svc.Close(5 * time.Second)
	if err := seedCampaigns(ctx, svc, campaigns); err != nil {
		return err
	}
	return seedHouseholds(ctx, mongodb.NewHouseholdStore(svc.DB, svc.Keyring), households)
}

// seedCampaigns puts n parcels in one batch, then opens a campaign on each.
// pledgeEvery: one campaign in pledgeEvery is opened through the pool and
// gets a pledge, so the map shows rings with progress.
const pledgeEvery = 25

func seedCampaigns(ctx context.Context, svc *service.Service, n int) error {
	ps := make([]*geo.Parcel, n)
	for i := range ps {
		// A grid of small squares over the Rogue Valley, 25 to a row.
		lon := -122.95 + float64(i%25)*0.012
		lat := 42.15 + float64(i/25)*0.012
		const d = 0.002
		ps[i] = &geo.Parcel{
			Source: "webseed", SourceID: fmt.Sprint(i), Address: fmt.Sprintf("%d Seed Lane", 100+i),
			Status:   geo.StatusIdentified,
			Geometry: orb.Polygon{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}},
		}
	}
	res, err := svc.Parcels.Put(ctx, ps)
	if err != nil {
		return fmt.Errorf("parcels: %w", err)
	}
	by := fundpool.Actor{ID: "webseed", Role: fundpool.RoleOrganizer}
	usd := func(dollars int64) fundpool.Money { return fundpool.Money{Amount: dollars * 100, Currency: "USD"} }
	now := time.Now()
	deadline := now.AddDate(1, 0, 0)
	// Most campaigns are built and opened by the fund pool's own rules and
	// stored with one insert each. Opening through the pool would replace
	// the stored campaign with a filter on its version, which the embedded
	// store answers by scanning every campaign: 500 of them would take
	// most of a minute. One campaign in pledgeEvery goes the whole way
	// through the pool, with a pledge.
	direct := mongodb.NewPoolStore(svc.DB)
	for i := range n {
		land := usd(int64(200_000 + 1_000*(i%300)))
		c := fundpool.Campaign{
			ID:        fmt.Sprintf("webseed-%03d", i),
			Title:     fundpool.Text{En: fmt.Sprintf("Seed Lane homes %d", i), Es: fmt.Sprintf("Viviendas Seed Lane %d", i)},
			ParcelIDs: []string{res[i].ID},
			Budget:    []fundpool.BudgetLine{{Category: fundpool.BudgetLandPrice, Amount: land}},
			Target:    land,
			Deadline:  deadline,
			Mode:      fundpool.KeepWhatYouRaise,
		}
		if i%pledgeEvery != 0 {
			c, err := fundpool.NewCampaign(c, by.ID, now)
			if err == nil {
				err = c.Transition(fundpool.StatusOpen, now)
			}
			if err == nil {
				err = direct.CreateCampaign(ctx, c)
			}
			if err != nil {
				return fmt.Errorf("campaign %d: %w", i, err)
			}
			continue
		}
		if _, err := svc.Funds.CreateCampaign(ctx, by, c); err != nil {
			return fmt.Errorf("campaign %d: %w", i, err)
		}
		if _, err := svc.Funds.TransitionCampaign(ctx, c.ID, fundpool.StatusOpen); err != nil {
			return fmt.Errorf("open campaign %d: %w", i, err)
		}
		p := fundpool.Pledge{
			CampaignID: c.ID,
			Pledger:    fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "Seed Pledger"},
			Amount:     usd(int64(1_000 * (1 + i%150))),
		}
		if _, _, err := svc.Funds.Pledge(ctx, "webseed/"+c.ID, p); err != nil {
			return fmt.Errorf("pledge to campaign %d: %w", i, err)
		}
	}
	return nil
}

// seedHouseholds stores n synthetic households in batches of 1,000, two
// batches at a time (the machine has two cores).
func seedHouseholds(ctx context.Context, store *mongodb.HouseholdStore, n int) error {
	now := time.Now()
	const batch = 1000
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, 2)
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := func() error {
				hs := make([]*community.Household, 0, hi-lo)
				for i := lo; i < hi; i++ {
					h, err := householdgen.Registered(8, i, householdgen.Options{Spread: 0.05}, uuid.Must(uuid.NewV7()).String(), fmt.Sprintf("webseed-acct-%d", i), now)
					if err != nil {
						return err
					}
					hs = append(hs, h)
				}
				return store.CreateHouseholds(ctx, hs)
			}()
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("households: %w", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}
