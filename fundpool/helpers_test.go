package fundpool

import (
	"context"
	"errors"
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func usd(minor int64) Money { return Money{Amount: minor, Currency: "USD"} }

// openCampaign returns a valid open campaign of the given mode with a
// target of 1,000.00 USD.
func openCampaign(t testing.TB, id string, mode Mode) Campaign {
	t.Helper()
	c := Campaign{
		ID:        id,
		Title:     Text{En: "Land for Talent families", Es: "Terreno para las familias de Talent"},
		ParcelIDs: []string{"parcel-1"},
		Budget: []BudgetLine{
			{Category: BudgetLandPrice, Amount: usd(80000)},
			{Category: BudgetClosingCosts, Amount: usd(5000)},
			{Category: BudgetInfrastructure, Amount: usd(10000)},
			{Category: BudgetReserve, Amount: usd(5000)},
		},
		Target:   usd(100000),
		Deadline: t0.Add(30 * 24 * time.Hour),
		Mode:     mode,
		Status:   StatusDraft,
	}
	if err := c.Transition(StatusOpen, t0); err != nil {
		t.Fatalf("open campaign: %v", err)
	}
	return c
}

// commit appends every transaction to b, failing the test on error.
func commit(t testing.TB, b *Book, txs ...Transaction) {
	t.Helper()
	for _, tx := range txs {
		if _, _, err := b.Append(tx); err != nil {
			t.Fatalf("append %s %s: %v", tx.Kind, tx.IdempotencyKey, err)
		}
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func meta(key string) TxMeta { return TxMeta{Key: key, At: t0.Add(time.Hour)} }

func pledge(c Campaign, id string, minor int64, resident bool) Pledge {
	p := Pledge{ID: id, CampaignID: c.ID, Pledger: Pledger{Kind: PledgerPerson, Name: "Ana " + id}, Amount: usd(minor)}
	if resident {
		p.Pledger.ResidentID = "res-" + id
	}
	return p
}

// fieldNames returns the fields named by an Unprocessable error.
func fieldNames(t testing.TB, err error) []string {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.Unprocessable {
		t.Fatalf("error %v is not Unprocessable", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func wantKind(t testing.TB, err error, kind apperr.Kind) {
	t.Helper()
	if got := apperr.KindOf(err); got != kind {
		t.Fatalf("error %v has kind %q, want %q", err, got, kind)
	}
}

// snapshot captures everything observable about a book, to show that a
// refused operation left it byte for byte unchanged.
type snapshot struct {
	All      []Transaction
	Accounts map[string][]AccountBalance
}

func snap(b *Book, campaigns ...string) snapshot {
	s := snapshot{All: b.All(), Accounts: map[string][]AccountBalance{}}
	for _, c := range campaigns {
		s.Accounts[c] = b.Accounts(c)
	}
	return s
}

func assertUnchanged(t testing.TB, before, after snapshot) {
	t.Helper()
	if d := cmp.Diff(before, after); d != "" {
		t.Fatalf("book changed (-before +after):\n%s", d)
	}
}

func persistNothing(context.Context, []Transaction) error { return nil }
