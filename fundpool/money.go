package fundpool

import (
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"commonground/apperr"
)

// MaxAmount is the largest absolute amount, in minor units, that one input
// money value may carry (10^15: ten trillion dollars). Inputs above it are
// refused, which leaves int64 sums of thousands of such values far from
// overflow; arithmetic is still overflow checked.
const MaxAmount int64 = 1_000_000_000_000_000

// DefaultCurrency is the currency a campaign uses when none is given.
const DefaultCurrency = "USD"

// Currency is an ISO 4217 currency and the number of digits of its minor unit.
type Currency struct {
	Code   string // ISO 4217 alphabetic code, upper case
	Digits int    // minor-unit digits: 2 for USD (cents), 0 for JPY
	Symbol string // shown before the amount by Display
	Name   string // English name
}

// currencies is the table of currencies Common Ground accepts. It is small on
// purpose: every currency here has been checked against ISO 4217's minor-unit
// column, and adding one is a one-line change.
var currencies = map[string]Currency{
	"USD": {"USD", 2, "$", "US dollar"},
	"EUR": {"EUR", 2, "€", "euro"},
	"MXN": {"MXN", 2, "MX$", "Mexican peso"},
	"CAD": {"CAD", 2, "CA$", "Canadian dollar"},
	"GBP": {"GBP", 2, "£", "pound sterling"},
	"JPY": {"JPY", 0, "¥", "yen"},
	"AUD": {"AUD", 2, "A$", "Australian dollar"},
	"CHF": {"CHF", 2, "CHF ", "Swiss franc"},
	"GTQ": {"GTQ", 2, "Q", "quetzal"},
	"HNL": {"HNL", 2, "L", "lempira"},
	"PHP": {"PHP", 2, "₱", "Philippine peso"},
	"KRW": {"KRW", 0, "₩", "won"},
	"CLP": {"CLP", 0, "CLP$", "Chilean peso"},
	"BHD": {"BHD", 3, "BD ", "Bahraini dinar"},
	"KWD": {"KWD", 3, "KD ", "Kuwaiti dinar"},
}

// LookupCurrency returns the currency with the given ISO 4217 code. The code
// must be upper case, as ISO 4217 writes it.
func LookupCurrency(code string) (Currency, error) {
	c, ok := currencies[code]
	if !ok {
		return Currency{}, apperr.New(apperr.Unprocessable, "unknown currency %q", code)
	}
	return c, nil
}

// Currencies returns every accepted currency, sorted by code.
func Currencies() []Currency {
	out := make([]Currency, 0, len(currencies))
	for _, c := range currencies {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Money is an exact amount of one currency: Amount counts minor units (cents
// for USD, yen for JPY). It never holds a float.
//
// On the wire Common Ground writes money as
// {"amount_minor": 1000, "currency": "USD"}: amount_minor is a JSON integer of
// minor units (parse it with ParseMinor from the number's text, never through
// float64). A form may instead send a decimal string, parsed by ParseMoney.
type Money struct {
	Amount   int64
	Currency string
}

// NewMoney returns amount minor units of currency, checking that the currency
// is known and the amount within ±MaxAmount.
func NewMoney(amount int64, currency string) (Money, error) {
	if _, err := LookupCurrency(currency); err != nil {
		return Money{}, err
	}
	if amount > MaxAmount || amount < -MaxAmount {
		return Money{}, apperr.New(apperr.Unprocessable, "amount must be at most %d minor units", MaxAmount)
	}
	return Money{Amount: amount, Currency: currency}, nil
}

// ParseMinor parses the text of a JSON number as an integer count of minor
// units of currency. Fractions ("10.5"), exponents ("1e3") and anything
// beyond ±MaxAmount are refused, so a float never stands in for money.
func ParseMinor(s, currency string) (Money, error) {
	if _, err := LookupCurrency(currency); err != nil {
		return Money{}, err
	}
	neg, digits := cutSign(s)
	if digits == "" || strings.IndexFunc(digits, notDigit) >= 0 {
		return Money{}, apperr.New(apperr.Unprocessable, "amount_minor must be a whole number of minor units")
	}
	n, err := accumulate(0, digits)
	if err != nil {
		return Money{}, err
	}
	if neg {
		n = -n
	}
	return Money{Amount: n, Currency: currency}, nil
}

// ParseMoney parses a decimal string such as "10.00" or "1250" as an exact
// amount of currency. It refuses more decimal places than the currency's
// minor unit holds unless they are zeros ("10.005" USD is refused, "10.000"
// is ten dollars), signs other than a leading minus, separators, exponents
// and amounts beyond ±MaxAmount.
func ParseMoney(s, currency string) (Money, error) {
	cur, err := LookupCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	neg, body := cutSign(s)
	whole, frac, hasDot := strings.Cut(body, ".")
	if whole == "" || (hasDot && frac == "") ||
		strings.IndexFunc(whole, notDigit) >= 0 || strings.IndexFunc(frac, notDigit) >= 0 {
		return Money{}, apperr.New(apperr.Unprocessable, "amount must be a decimal number such as 10.00")
	}
	if len(frac) > cur.Digits {
		if strings.Trim(frac[cur.Digits:], "0") != "" {
			return Money{}, apperr.New(apperr.Unprocessable,
				"amount has fractions of a minor unit: %s allows %d decimal places", cur.Code, cur.Digits)
		}
		frac = frac[:cur.Digits]
	}
	frac += strings.Repeat("0", cur.Digits-len(frac))
	n, err := accumulate(0, whole+frac)
	if err != nil {
		return Money{}, err
	}
	if neg {
		n = -n
	}
	return Money{Amount: n, Currency: cur.Code}, nil
}

func cutSign(s string) (neg bool, rest string) {
	if strings.HasPrefix(s, "-") {
		return true, s[1:]
	}
	return false, s
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

// accumulate appends decimal digits to n, refusing anything above MaxAmount.
func accumulate(n int64, digits string) (int64, error) {
	for i := 0; i < len(digits); i++ {
		n = n*10 + int64(digits[i]-'0')
		if n > MaxAmount {
			return 0, apperr.New(apperr.Unprocessable, "amount must be at most %d minor units", MaxAmount)
		}
	}
	return n, nil
}

// errOverflow is returned when a sum or product would not fit in int64.
func errOverflow() error {
	return apperr.New(apperr.Unprocessable, "amount is too large")
}

func (m Money) sameCurrency(o Money) error {
	if m.Currency != o.Currency {
		return apperr.New(apperr.Unprocessable, "currency %s does not match %s", o.Currency, m.Currency)
	}
	return nil
}

// Add returns m+o. The currencies must match and the sum must fit in int64.
func (m Money) Add(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	s, ok := addInt64(m.Amount, o.Amount)
	if !ok {
		return Money{}, errOverflow()
	}
	return Money{Amount: s, Currency: m.Currency}, nil
}

// Sub returns m-o. The currencies must match and the difference must fit in int64.
func (m Money) Sub(o Money) (Money, error) {
	if o.Amount == math.MinInt64 {
		return Money{}, errOverflow()
	}
	return m.Add(Money{Amount: -o.Amount, Currency: o.Currency})
}

// Mul returns m×n, checking for overflow.
func (m Money) Mul(n int64) (Money, error) {
	p, ok := mulInt64(m.Amount, n)
	if !ok {
		return Money{}, errOverflow()
	}
	return Money{Amount: p, Currency: m.Currency}, nil
}

// MulDiv returns m×num÷den rounded toward zero, computed in 128 bits so the
// product cannot overflow. Matching rules use it: a 1:2 match of 3 cents
// earns 1 cent, never 1.5. den must be positive.
func (m Money) MulDiv(num, den int64) (Money, error) {
	if den <= 0 {
		return Money{}, apperr.New(apperr.Internal, "ratio denominator must be positive")
	}
	q, ok := mulDivInt64(m.Amount, num, den)
	if !ok {
		return Money{}, errOverflow()
	}
	return Money{Amount: q, Currency: m.Currency}, nil
}

// Neg returns -m.
func (m Money) Neg() Money { return Money{Amount: -m.Amount, Currency: m.Currency} }

// Sign returns -1, 0 or +1.
func (m Money) Sign() int {
	switch {
	case m.Amount < 0:
		return -1
	case m.Amount > 0:
		return 1
	}
	return 0
}

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.Amount == 0 }

// CheckPositive adds a field error to f unless m is a positive amount of a
// known currency within MaxAmount. Every amount a person enters (a pledge, a
// grant award, a disbursement, a budget line) goes through it.
func (m Money) CheckPositive(f *apperr.Fields, field string) {
	if _, err := LookupCurrency(m.Currency); err != nil {
		f.Add(field+".currency", "unknown currency %q", m.Currency)
		return
	}
	switch {
	case m.Amount <= 0:
		f.Add(field+".amount_minor", "must be positive")
	case m.Amount > MaxAmount:
		f.Add(field+".amount_minor", "must be at most %d minor units", MaxAmount)
	}
}

// Decimal returns the amount as a plain decimal string with exactly the
// currency's minor-unit digits: "10.00", "-0.05", "1250" for JPY. It is the
// inverse of ParseMoney.
func (m Money) Decimal() string {
	digits := 2
	if c, ok := currencies[m.Currency]; ok {
		digits = c.Digits
	}
	return formatDecimal(m.Amount, digits, "")
}

// String returns "10.00 USD".
func (m Money) String() string { return m.Decimal() + " " + m.Currency }

// Display returns the amount for people to read, with the currency symbol and
// thousands grouped by commas: "$1,234.56", "¥1,235", "-MX$5.00".
func (m Money) Display() string {
	c, ok := currencies[m.Currency]
	if !ok {
		return m.String()
	}
	s := formatDecimal(m.Amount, c.Digits, ",")
	if strings.HasPrefix(s, "-") {
		return "-" + c.Symbol + s[1:]
	}
	return c.Symbol + s
}

func formatDecimal(amount int64, digits int, group string) string {
	neg := amount < 0
	var u uint64
	if neg {
		u = uint64(-(amount + 1)) + 1 // safe for MinInt64
	} else {
		u = uint64(amount)
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	if group != "" {
		var b strings.Builder
		for i, r := range whole {
			if i > 0 && (len(whole)-i)%3 == 0 {
				b.WriteString(group)
			}
			b.WriteRune(r)
		}
		whole = b.String()
	}
	out := whole
	if digits > 0 {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

func mulInt64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// mulDivInt64 returns a×num÷den rounded toward zero, using a 128-bit product.
func mulDivInt64(a, num, den int64) (int64, bool) {
	neg := (a < 0) != (num < 0)
	ua, un := absU(a), absU(num)
	hi, lo := bits.Mul64(ua, un)
	if hi >= uint64(den) {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, uint64(den))
	if q > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(q), true
	}
	return int64(q), true
}

func absU(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}
