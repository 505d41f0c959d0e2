package community

import (
	"fmt"
	"time"

	"commonground/apperr"
)

// IndexPoints are the values of a published index (a consumer price index,
// an area median income) when the member joined and when they leave, for a
// limited-equity formula that follows an index. They are integers as
// published, scaled as the publisher scales them.
type IndexPoints struct {
	AtJoin int64
	AtExit int64
}

// Refund is what a leaving member is paid back, with the computation shown
// so that the member and the board can check it.
type Refund struct {
	Paid Money
	// Method is the exit rule applied, or "" when nothing is refundable.
	Method RefundMethod
	// Years is the number of full years held, for a fixed-rate formula.
	Years int
	// Formula is the amount the formula gives before the cap.
	Formula Money
	// Cap is the most the bylaws allow; zero when uncapped.
	Cap    Money
	Amount Money
	// Steps explain the computation line by line.
	Steps []string
}

// maxRefundYears bounds the compounding loop; no membership lasts longer.
const maxRefundYears = 200

// fullYears counts the whole years from since to until, by calendar date,
// so a member who joined on 29 February completes a year on 28 February.
func fullYears(since, until time.Time) int {
	if !until.After(since) {
		return 0
	}
	y := until.Year() - since.Year()
	if since.AddDate(y, 0, 0).After(until) {
		y--
	}
	return max(y, 0)
}

// ComputeRefund applies an exit rule to the amount a member paid towards a
// share. A share that is not refundable returns nothing. Under a
// limited-equity rule the share grows from since (when the member became
// an owner) to until, at YearlyRate compounded per full year, rounded each
// year as the bylaws say, or with the index; it never falls below what was
// paid and never exceeds Cap times what was paid.
func ComputeRefund(rule ExitRule, share Fee, paid Money, since, until time.Time, idx *IndexPoints) (Refund, error) {
	r := Refund{Paid: paid, Amount: Money{Currency: paid.Currency}}
	if paid.Minor < 0 {
		return Refund{}, apperr.New(apperr.Unprocessable, "the amount paid must not be negative")
	}
	if !share.Refundable || paid.Minor == 0 {
		r.Steps = append(r.Steps, "the fee is not refundable or nothing was paid: refund 0")
		return r, nil
	}
	r.Method = rule.Method
	switch rule.Method {
	case RefundAsPaid:
		r.Formula, r.Amount = paid, paid
		r.Steps = append(r.Steps, fmt.Sprintf("refund as paid: %d", paid.Minor))
		return r, nil
	case RefundLimitedEquity:
	default:
		return Refund{}, apperr.New(apperr.Unprocessable, "unknown refund method %q", rule.Method)
	}
	v := paid.Minor
	if rule.ByIndex {
		if idx == nil || idx.AtJoin <= 0 || idx.AtExit <= 0 {
			return Refund{}, apperr.New(apperr.Unprocessable, "index values at joining and at exit are required")
		}
		w, ok := mulDiv(v, idx.AtExit, idx.AtJoin, rule.Rounding)
		if !ok {
			return Refund{}, apperr.New(apperr.Unprocessable, "refund overflows")
		}
		r.Steps = append(r.Steps, fmt.Sprintf("index: %d × %d / %d = %d (rounded %s)", v, idx.AtExit, idx.AtJoin, w, rule.Rounding))
		v = w
	} else {
		r.Years = min(fullYears(since, until), maxRefundYears)
		for y := 1; y <= r.Years; y++ {
			w, ok := mulDiv(v, int64(Whole+rule.YearlyRate), int64(Whole), rule.Rounding)
			if !ok {
				return Refund{}, apperr.New(apperr.Unprocessable, "refund overflows")
			}
			r.Steps = append(r.Steps, fmt.Sprintf("year %d: %d × %d / 10000 = %d (rounded %s)", y, v, Whole+rule.YearlyRate, w, rule.Rounding))
			v = w
		}
		if r.Years == 0 {
			r.Steps = append(r.Steps, "held less than a full year: no growth")
		}
	}
	if v < paid.Minor {
		r.Steps = append(r.Steps, fmt.Sprintf("never below the amount paid: %d", paid.Minor))
		v = paid.Minor
	}
	r.Formula = Money{Minor: v, Currency: paid.Currency}
	capMinor, ok := mulDiv(paid.Minor, int64(rule.Cap), int64(Whole), RoundDown)
	if !ok {
		return Refund{}, apperr.New(apperr.Unprocessable, "refund cap overflows")
	}
	r.Cap = Money{Minor: capMinor, Currency: paid.Currency}
	if v > capMinor {
		r.Steps = append(r.Steps, fmt.Sprintf("capped at %d × %d / 10000 = %d", paid.Minor, rule.Cap, capMinor))
		v = capMinor
	}
	r.Amount = Money{Minor: v, Currency: paid.Currency}
	return r, nil
}
