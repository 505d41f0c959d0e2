package community

import (
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestComputeRefund(t *testing.T) {
	share := Fee{Amount: usd(30_000), Instalments: 1, Refundable: true}
	le := ExitRule{Method: RefundLimitedEquity, YearlyRate: 150, Cap: 11_000, Rounding: RoundHalfUp}
	tests := []struct {
		name  string
		rule  ExitRule
		share Fee
		paid  int64
		years int
		idx   *IndexPoints
		want  int64
	}{
		{"as paid", ExitRule{Method: RefundAsPaid, Rounding: RoundDown}, share, 12_345, 5, nil, 12_345},
		{"fee kept", le, Fee{Amount: usd(2_500), Instalments: 1}, 2_500, 5, nil, 0},
		{"under a year", le, share, 30_000, 0, nil, 30_000},
		// 30000 → 30450 → 30906.75 (half up 30907) → 31370.6 (31371)
		{"three years half up", le, share, 30_000, 3, nil, 31_371},
		{"three years down", ExitRule{Method: RefundLimitedEquity, YearlyRate: 150, Cap: 11_000, Rounding: RoundDown}, share, 30_000, 3, nil, 31_369},
		{"capped", le, share, 30_000, 10, nil, 33_000},
		{"index", ExitRule{Method: RefundLimitedEquity, ByIndex: true, Cap: 20_000, Rounding: RoundHalfEven}, share, 30_000, 4, &IndexPoints{AtJoin: 2_980, AtExit: 3_150}, 31_711},
		{"index fell: never below paid", ExitRule{Method: RefundLimitedEquity, ByIndex: true, Cap: 20_000, Rounding: RoundHalfEven}, share, 30_000, 4, &IndexPoints{AtJoin: 3_150, AtExit: 2_980}, 30_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			since := time.Date(2021, 2, 28, 0, 0, 0, 0, time.UTC)
			r, err := ComputeRefund(tt.rule, tt.share, usd(tt.paid), since, since.AddDate(tt.years, 0, 1), tt.idx)
			must(t, err)
			if got := r.Amount.Minor; got != tt.want {
				t.Errorf("refund = %d, want %d (steps %q)", got, tt.want, r.Steps)
			}
		})
	}
}

func TestComputeRefundIndexNeedsValues(t *testing.T) {
	rule := ExitRule{Method: RefundLimitedEquity, ByIndex: true, Cap: 20_000, Rounding: RoundDown}
	_, err := ComputeRefund(rule, Fee{Amount: usd(100), Instalments: 1, Refundable: true}, usd(100), t0, t0, nil)
	wantKind(t, err, "unprocessable")
}

// bigRound rounds n/d by mode using math/big, as an independent check.
func bigRound(n, d *big.Int, mode Rounding) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	twice := new(big.Int).Lsh(r, 1)
	c := twice.Cmp(d)
	switch {
	case r.Sign() == 0, mode == RoundDown:
	case mode == RoundHalfUp && c >= 0:
		q.Add(q, big.NewInt(1))
	case mode == RoundHalfEven && (c > 0 || c == 0 && q.Bit(0) == 1):
		q.Add(q, big.NewInt(1))
	}
	return q
}

func TestComputeRefundMatchesBigArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	modes := []Rounding{RoundDown, RoundHalfUp, RoundHalfEven}
	for i := 0; i < 2000; i++ {
		rule := ExitRule{
			Method: RefundLimitedEquity, YearlyRate: BasisPoints(1 + rng.IntN(2000)),
			Cap: BasisPoints(10_000 + rng.IntN(90_000)), Rounding: modes[rng.IntN(3)],
		}
		paid := rng.Int64N(1 << 40)
		years := rng.IntN(40)
		since := t0.AddDate(-years, 0, 0)
		got, err := ComputeRefund(rule, Fee{Refundable: true}, usd(paid), since, t0, nil)
		must(t, err)

		v := big.NewInt(paid)
		for y := 0; y < years; y++ {
			v = bigRound(new(big.Int).Mul(v, big.NewInt(int64(10_000+rule.YearlyRate))), big.NewInt(10_000), rule.Rounding)
		}
		capV := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(paid), big.NewInt(int64(rule.Cap))), big.NewInt(10_000))
		if v.Cmp(capV) > 0 {
			v = capV
		}
		if diff := cmp.Diff(got.Amount.Minor, v.Int64()); diff != "" || got.Years != years {
			t.Fatalf("paid %d years %d rule %+v: refund %d (years %d), want %d", paid, years, rule, got.Amount.Minor, got.Years, v.Int64())
		}
	}
}

func TestFullYears(t *testing.T) {
	leap := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		until time.Time
		want  int
	}{
		{leap, 0},
		{leap.AddDate(0, 11, 0), 0},
		{time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), 1},
		{time.Date(2028, 2, 29, 11, 0, 0, 0, time.UTC), 3},
		{leap.AddDate(-1, 0, 0), 0},
	}
	for _, tt := range tests {
		if got := fullYears(leap, tt.until); got != tt.want {
			t.Errorf("fullYears(%v) = %d, want %d", tt.until, got, tt.want)
		}
	}
}
