// Command householdstartup measures how long Common Ground takes at start to
// load its households from the embedded store into memory (the directory,
// the duplicate index and the spatial index). It fills a fresh embedded
// store with synthetic households, then loads them with a new service, the
// way a restart does, and prints the time.
//
//	go run ./bench/householdstartup -households 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"

	"commonground/community"
	"commonground/community/householdgen"
	"commonground/mongodb"
	"commonground/seal"
)

func main() {
	n := flag.Int("households", 100_000, "households to store and load")
	runs := flag.Int("runs", 3, "loads to time; the median is reported")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the loads to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*n, *runs); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "householdstartup:", err)
		os.Exit(1)
	}
}

func run(n, runs int) error {
	dir, err := os.MkdirTemp("", "commonground-householdstartup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir})
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	ring, err := seal.LoadOrCreateKeyFile(filepath.Join(dir, "data.key"))
	if err != nil {
		return err
	}
	store := mongodb.NewHouseholdStore(db, ring)

	t := time.Now()
	if err := fill(ctx, store, n); err != nil {
		return err
	}
	fmt.Printf("stored %d households in %s\n", n, time.Since(t).Round(time.Millisecond))

	var times []time.Duration
	for range runs {
		svc := community.NewHouseholds(store, nil, nil)
		t, cpu := time.Now(), cpuTime()
		if err := svc.Load(ctx); err != nil {
			return err
		}
		d := time.Since(t)
		if svc.Len() != n {
			return fmt.Errorf("loaded %d households, want %d", svc.Len(), n)
		}
		times = append(times, d)
		// The CPU time (this process, the embedded store included) says
		// what a load costs whatever else the machine is running.
		fmt.Printf("loaded %d households in %s (%s of CPU)\n", n, d.Round(time.Millisecond), (cpuTime() - cpu).Round(time.Millisecond))
	}
	for i := range times {
		for j := i + 1; j < len(times); j++ {
			if times[j] < times[i] {
				times[i], times[j] = times[j], times[i]
			}
		}
	}
	fmt.Printf("median load of %d households: %s\n", n, times[len(times)/2].Round(time.Millisecond))
	return nil
}

// cpuTime returns the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fill stores n synthetic households, generated and sealed on every core.
func fill(ctx context.Context, store *mongodb.HouseholdStore, n int) error {
	now := time.Now()
	const batch = 1000
	errs := make(chan error, 1)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			hs := make([]*community.Household, 0, hi-lo)
			for i := lo; i < hi; i++ {
				h, err := householdgen.Registered(7, i, householdgen.Options{Spread: 0.3}, uuid.Must(uuid.NewV7()).String(), fmt.Sprintf("acct-%d", i), now)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
				hs = append(hs, h)
			}
			if err := store.CreateHouseholds(ctx, hs); err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}
