package community

import (
	"math"
	"math/bits"

	"commonground/apperr"
)

// Money is an amount in minor units (cents for USD) of one ISO 4217
// currency. Money is never a float: shares and refunds are paid back to the
// cent, and every sum is checked for overflow.
type Money struct {
	Minor    int64
	Currency string
}

// validCurrency reports whether code looks like an ISO 4217 alphabetic code:
// three upper-case ASCII letters. The list of codes itself changes over time,
// so the shape is what the domain checks.
func validCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// Add returns m+o; it refuses mixed currencies and overflow.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, apperr.New(apperr.Unprocessable, "cannot add %s to %s", o.Currency, m.Currency)
	}
	s, ok := addInt64(m.Minor, o.Minor)
	if !ok {
		return Money{}, apperr.New(apperr.Unprocessable, "amount overflows")
	}
	return Money{Minor: s, Currency: m.Currency}, nil
}

// addInt64 returns a+b and whether it fitted in an int64.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// BasisPoints is a ratio in hundredths of a percent: 10000 is 100%. Quorums,
// thresholds and yearly rates are ratios, and keeping them as integers keeps
// every comparison exact.
type BasisPoints int64

// Percent is one percent in basis points, so a quorum of "half" can be
// written 50 * Percent.
const Percent BasisPoints = 100

// Whole is 100% in basis points.
const Whole BasisPoints = 10000

// atLeastShare reports whether part/total >= bp/10000 without division or
// overflow (the products are 128-bit).
func atLeastShare(part, total int64, bp BasisPoints) bool {
	if total <= 0 {
		return bp <= 0
	}
	lh, ll := bits.Mul64(uint64(part), uint64(Whole))
	rh, rl := bits.Mul64(uint64(total), uint64(bp))
	return lh > rh || (lh == rh && ll >= rl)
}

// mulDiv returns a*b/c rounded by mode, for non-negative a, b and positive c,
// and whether the result fits in an int64. The product is exact in 128 bits.
func mulDiv(a, b, c int64, mode Rounding) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, uint64(c))
	// Checked before rounding so that q+1 cannot wrap.
	if q >= math.MaxInt64 {
		return 0, false
	}
	return int64(roundQuotient(q, r, uint64(c), mode)), true
}

// Rounding says how a computed amount that falls between two minor units is
// rounded. Bylaws name it because "to the cent" is a rule members vote on.
type Rounding string

// Rounding modes. Down favours the community (a refund never exceeds the
// formula), HalfUp is what most people expect, HalfEven avoids drift.
const (
	RoundDown     Rounding = "down"
	RoundHalfUp   Rounding = "half_up"
	RoundHalfEven Rounding = "half_even"
)

// roundQuotient rounds q + r/c according to mode.
func roundQuotient(q, r, c uint64, mode Rounding) uint64 {
	if r == 0 {
		return q
	}
	// Compare 2r with c without overflow: r < c, so r >= c-r means 2r >= c.
	twice := r >= c-r
	exactHalf := r == c-r
	switch mode {
	case RoundHalfUp:
		if twice {
			return q + 1
		}
	case RoundHalfEven:
		if twice && (!exactHalf || q%2 == 1) {
			return q + 1
		}
	}
	return q
}
