package mongodb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"commonground/apperr"
	"commonground/fundpool"
	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
)

func usd(minor int64) fundpool.Money { return fundpool.Money{Amount: minor, Currency: "USD"} }

// clock is a settable time source for the pool.
type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time   { return time.Unix(0, c.now.Load()).UTC() }
func (c *clock) Set(t time.Time)  { c.now.Store(t.UnixNano()) }
func newClock(t time.Time) *clock { c := &clock{}; c.Set(t); return c }
func openStore(t *testing.T, db *mongodb.DB) *mongodb.PoolStore {
	t.Helper()
	s := mongodb.NewPoolStore(db)
	if err := s.Load(context.Background()); err != nil {
		t.Fatalf("load: %v", err)
	}
	return s
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newCampaign(id string, mode fundpool.Mode) fundpool.Campaign {
	return fundpool.Campaign{
		ID:       id,
		Title:    fundpool.Text{En: "Land for Talent families", Es: "Terreno para las familias de Talent"},
		Budget:   []fundpool.BudgetLine{{Category: fundpool.BudgetLandPrice, Amount: usd(100000)}},
		Target:   usd(100000),
		Deadline: t0.Add(48 * time.Hour),
		Mode:     mode,
	}
}

var organizer = fundpool.Actor{ID: "org-1", Role: fundpool.RoleOrganizer}

func openCampaign(t *testing.T, pool *fundpool.Pool, id string, mode fundpool.Mode) fundpool.Campaign {
	t.Helper()
	ctx := context.Background()
	c, err := pool.CreateCampaign(ctx, organizer, newCampaign(id, mode))
	if err == nil {
		c, err = pool.TransitionCampaign(ctx, c.ID, fundpool.StatusOpen)
	}
	if err != nil {
		t.Fatalf("open campaign %s: %v", id, err)
	}
	return c
}

// TestPoolStoreRoundTrip stores one of every record and reads them back from
// a fresh store over the same database, as a restart does.
func TestPoolStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	clk := newClock(t0)
	pool, err := fundpool.OpenPool(ctx, openStore(t, db), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	c := openCampaign(t, pool, "talent", fundpool.KeepWhatYouRaise)
	pl, _, err := pool.Pledge(ctx, "k1", fundpool.Pledge{CampaignID: c.ID, Amount: usd(5000), Anonymous: true,
		Pledger:  fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "Rosa", ResidentID: "r1"},
		Schedule: []fundpool.Instalment{{Due: t0.Add(time.Hour), Amount: usd(2000)}, {Due: t0.Add(2 * time.Hour), Amount: usd(3000)}}})
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := pool.AwardGrant(ctx, "k2", fundpool.Grant{CampaignID: c.ID, Funder: "FEMA", Program: "HMGP", Awarded: usd(20000),
		Uses: []fundpool.Use{fundpool.UseLandAcquisition}, Match: &fundpool.MatchRule{Match: 1, Per: 1, Cap: usd(1000)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pool.CommitLoan(ctx, "k3", fundpool.LoanCommitment{CampaignID: c.ID, Lender: "RVCLF", Amount: usd(7000)}); err != nil {
		t.Fatal(err)
	}
	txs, err := pool.Receive(ctx, "k4", c.ID, fundpool.SourcePledge, pl.ID, usd(2000))
	if err != nil || len(txs) != 2 {
		t.Fatalf("receive: %d transactions, %v; want the receipt and a match", len(txs), err)
	}
	if _, err := pool.Receive(ctx, "k5", c.ID, fundpool.SourceGrant, g.ID, usd(10000)); err != nil {
		t.Fatal(err)
	}
	d, err := pool.ProposeDisbursement(ctx, "k6", organizer, fundpool.Disbursement{CampaignID: c.ID, Amount: usd(9000), Use: fundpool.UseLandAcquisition, Payee: "Title Co"})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = pool.DecideDisbursement(ctx, fundpool.Actor{ID: "steward-1", Role: fundpool.RoleSteward}, c.ID, d.ID, true); err != nil || d.State != fundpool.DisbursementPosted {
		t.Fatalf("approve: %+v %v", d, err)
	}
	wantProgress := pool.Book().Progress(c)
	wantTxs := pool.Book().All()

	restarted, err := fundpool.OpenPool(ctx, openStore(t, db), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := restarted.Campaign(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c2, c); diff != "" {
		t.Errorf("campaign after restart (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(restarted.Book().All(), wantTxs); diff != "" {
		t.Errorf("ledger after restart (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(restarted.Book().Progress(c2), wantProgress); diff != "" {
		t.Errorf("progress after restart (-got +want):\n%s", diff)
	}
	pl2, err := restarted.PledgeByID(ctx, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pl2, pl); diff != "" {
		t.Errorf("pledge after restart (-got +want):\n%s", diff)
	}
	ds, err := restarted.Disbursements(ctx, c.ID)
	if err != nil || len(ds) != 1 || ds[0] != d {
		t.Errorf("disbursements after restart = %+v, %v; want [%+v]", ds, err, d)
	}
	if r := restarted.Verify(c.ID); !r.OK() {
		t.Errorf("ledger does not verify: %+v", r.Violations)
	}
}

func TestPoolStoreRefusesDuplicates(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, mongodbtest.Open(t))
	c, err := fundpool.NewCampaign(newCampaign("dup", fundpool.AllOrNothing), "org", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCampaign(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCampaign(ctx, c); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second campaign with the id: %v, want Conflict", err)
	}
	stale := c
	stale.Version = c.Version + 5
	if err := s.UpdateCampaign(ctx, stale); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("update from a stale version: %v, want Conflict", err)
	}
	tx := fundpool.Transaction{ID: fundpool.TransactionID("dup", "k"), CampaignID: "dup", Kind: fundpool.KindPledgeMade, IdempotencyKey: "k", Time: t0}
	if err := s.AppendTransactions(ctx, []fundpool.Transaction{tx}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendTransactions(ctx, []fundpool.Transaction{tx}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second transaction with the id: %v, want Conflict", err)
	}
	rec := fundpool.IdempotencyRecord{Scope: "public", Key: "k", Fingerprint: "f", Status: 201, Body: []byte(`{}`), CreatedAt: t0}
	if _, err := s.FindIdempotency(ctx, "public", "k"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("unknown key: %v, want NotFound", err)
	}
	if err := s.SaveIdempotency(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveIdempotency(ctx, rec); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second record with the key: %v, want Conflict", err)
	}
	got, err := s.FindIdempotency(ctx, "public", "k")
	if err != nil || got.Fingerprint != "f" || string(got.Body) != "{}" {
		t.Errorf("FindIdempotency = %+v, %v", got, err)
	}
	if n, err := s.DeleteIdempotencyBefore(ctx, t0.Add(time.Second)); err != nil || n != 1 {
		t.Errorf("DeleteIdempotencyBefore = %d, %v; want 1", n, err)
	}
	if _, err := s.FindIdempotency(ctx, "public", "k"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("expired key: %v, want NotFound", err)
	}
}

// failingUpdates makes UpdateCampaign fail, as a crash between the
// deadline's releases and the status change would leave things.
type failingUpdates struct {
	*mongodb.PoolStore
}

func (failingUpdates) UpdateCampaign(context.Context, fundpool.Campaign) error {
	return apperr.New(apperr.Unavailable, "the process stopped")
}

// TestDeadlineResolvesOnceAcrossRestart stops the deadline job between the
// releases and the status change, restarts, and checks that the campaign
// ends failed with each pledge released exactly once.
func TestDeadlineResolvesOnceAcrossRestart(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	clk := newClock(t0)
	pool, err := fundpool.OpenPool(ctx, openStore(t, db), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	c := openCampaign(t, pool, "aon", fundpool.AllOrNothing)
	for _, key := range []string{"a", "b", "c"} {
		if _, _, err := pool.Pledge(ctx, key, fundpool.Pledge{CampaignID: c.ID, Amount: usd(1000),
			Pledger: fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "P " + key}}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(c.Deadline.Add(time.Minute))

	crashing, err := fundpool.OpenPool(ctx, failingUpdates{openStore(t, db)}, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := crashing.ResolveDeadlines(ctx); err == nil || n != 0 {
		t.Fatalf("resolution with a failing store = %d, %v; want an error", n, err)
	}

	for range 2 { // a restart, then the next tick
		restarted, err := fundpool.OpenPool(ctx, openStore(t, db), clk.Now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := restarted.ResolveDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := restarted.Campaign(ctx, c.ID)
		if err != nil || got.Status != fundpool.StatusFailed {
			t.Fatalf("campaign after resolution: %s, %v; want failed", got.Status, err)
		}
		releases := 0
		for _, tx := range restarted.Book().All() {
			if tx.Kind == fundpool.KindRelease {
				releases++
			}
		}
		if releases != 3 {
			t.Errorf("releases = %d, want 3 (one per pledge)", releases)
		}
		if p := restarted.Book().Progress(got); p.Pledged.Amount != 0 {
			t.Errorf("live pledges after failure = %s, want 0", p.Pledged)
		}
		if r := restarted.Verify(c.ID); !r.OK() {
			t.Errorf("ledger does not verify: %+v", r.Violations)
		}
	}
}

// TestGroupedInserts creates pledge records and idempotency records from
// many goroutines at once: each caller gets its own answer (a Conflict for a
// record that exists, even when its group's other records are new), and a
// store opened afresh finds exactly the records acknowledged, reading from
// the database what it no longer holds in memory.
func TestGroupedInserts(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	s := openStore(t, db)
	const n = 60
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range 2 * n {
		wg.Go(func() {
			// Records i and i+n share an id: one of each pair is refused.
			p := fundpool.Pledge{ID: fmt.Sprint("pl_", i%n), CampaignID: "grouped", Amount: usd(int64(100 + i%n)),
				Pledger: fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "A"}, CreatedAt: t0}
			errs[i] = s.CreatePledge(ctx, p)
			rec := fundpool.IdempotencyRecord{Scope: "public", Key: fmt.Sprint("k", i), Fingerprint: "f", Status: 201, Body: []byte(fmt.Sprint(i)), CreatedAt: t0}
			if err := s.SaveIdempotency(ctx, rec); err != nil {
				t.Errorf("save record %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		a, b := errs[i], errs[i+n]
		if (a == nil) == (b == nil) || apperr.KindOf(errors.Join(a, b)) != apperr.Conflict {
			t.Errorf("pledge %d twice: %v and %v; want one stored and one Conflict", i, a, b)
		}
	}
	fresh := openStore(t, db)
	ps, _ := fresh.FindPledges(ctx, "grouped")
	if len(ps) != n {
		t.Errorf("%d pledges stored, want %d", len(ps), n)
	}
	for i := range 2 * n {
		got, err := fresh.FindIdempotency(ctx, "public", fmt.Sprint("k", i))
		if err != nil || string(got.Body) != fmt.Sprint(i) {
			t.Errorf("record %d = %q, %v", i, got.Body, err)
		}
	}
}
