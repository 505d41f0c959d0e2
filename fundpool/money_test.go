package fundpool

import (
	"math"
	"math/rand/v2"
	"testing"

	"commonground/apperr"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in, cur string
		want    int64
		wantErr bool
	}{
		{"10.00", "USD", 1000, false},
		{"10", "USD", 1000, false},
		{"10.5", "USD", 1050, false},
		{"0.01", "USD", 1, false},
		{"-3.25", "USD", -325, false},
		{"10.000", "USD", 1000, false},
		{"007.10", "EUR", 710, false},
		{"1250", "JPY", 1250, false},
		{"1.234", "BHD", 1234, false},
		{"10000000000000.00", "USD", MaxAmount, false},
		{"10.005", "USD", 0, true},
		{"10.001", "USD", 0, true},
		{"10.5", "JPY", 0, true},
		{"10000000000000.01", "USD", 0, true},
		{"99999999999999999999999", "USD", 0, true},
		{"", "USD", 0, true},
		{"10.", "USD", 0, true},
		{".5", "USD", 0, true},
		{"1e3", "USD", 0, true},
		{"+10", "USD", 0, true},
		{"1,000.00", "USD", 0, true},
		{" 10", "USD", 0, true},
		{"NaN", "USD", 0, true},
		{"10", "usd", 0, true},
		{"10", "XXX", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in+"_"+tt.cur, func(t *testing.T) {
			got, err := ParseMoney(tt.in, tt.cur)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseMoney(%q, %q) = %v, want an error", tt.in, tt.cur, got)
				}
				wantKind(t, err, apperr.Unprocessable)
				return
			}
			if err != nil || got != (Money{tt.want, tt.cur}) {
				t.Fatalf("ParseMoney(%q, %q) = %v, %v; want %d", tt.in, tt.cur, got, err, tt.want)
			}
		})
	}
}

func TestParseMinor(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"1000", 1000, false},
		{"-5", -5, false},
		{"0", 0, false},
		{"1000000000000000", MaxAmount, false},
		{"1000000000000001", 0, true},
		{"10.5", 0, true},
		{"1000.0", 0, true},
		{"1e3", 0, true},
		{"", 0, true},
		{"-", 0, true},
		{"0x10", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseMinor(tt.in, "USD")
		if (err != nil) != tt.wantErr || (!tt.wantErr && got.Amount != tt.want) {
			t.Errorf("ParseMinor(%q) = %v, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDecimalRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, cur := range Currencies() {
		for range 2000 {
			m := Money{r.Int64N(2*MaxAmount+1) - MaxAmount, cur.Code}
			got, err := ParseMoney(m.Decimal(), cur.Code)
			if err != nil || got != m {
				t.Fatalf("ParseMoney(%q) = %v, %v; want %v", m.Decimal(), got, err, m)
			}
		}
	}
}

func TestArithmeticOverflow(t *testing.T) {
	big := Money{math.MaxInt64, "USD"}
	small := Money{math.MinInt64, "USD"}
	checks := []struct {
		name string
		fn   func() (Money, error)
		want int64
		ok   bool
	}{
		{"add", func() (Money, error) { return usd(5).Add(usd(7)) }, 12, true},
		{"add overflow", func() (Money, error) { return big.Add(usd(1)) }, 0, false},
		{"add underflow", func() (Money, error) { return small.Add(usd(-1)) }, 0, false},
		{"sub", func() (Money, error) { return usd(5).Sub(usd(7)) }, -2, true},
		{"sub min", func() (Money, error) { return usd(0).Sub(small) }, 0, false},
		{"sub overflow", func() (Money, error) { return small.Sub(usd(1)) }, 0, false},
		{"mul", func() (Money, error) { return usd(-7).Mul(6) }, -42, true},
		{"mul overflow", func() (Money, error) { return big.Mul(2) }, 0, false},
		{"mul min by -1", func() (Money, error) { return small.Mul(-1) }, 0, false},
		{"currency mismatch", func() (Money, error) { return usd(1).Add(Money{1, "EUR"}) }, 0, false},
		{"muldiv 1:2 rounds down", func() (Money, error) { return usd(3).MulDiv(1, 2) }, 1, true},
		{"muldiv 128-bit", func() (Money, error) { return big.MulDiv(10, 20) }, math.MaxInt64 / 2, true},
		{"muldiv overflow", func() (Money, error) { return big.MulDiv(3, 2) }, 0, false},
		{"muldiv negative toward zero", func() (Money, error) { return usd(-3).MulDiv(1, 2) }, -1, true},
		{"muldiv bad denominator", func() (Money, error) { return usd(3).MulDiv(1, 0) }, 0, false},
	}
	for _, c := range checks {
		got, err := c.fn()
		if (err == nil) != c.ok || (c.ok && got.Amount != c.want) {
			t.Errorf("%s = %v, %v; want %d ok=%v", c.name, got, err, c.want, c.ok)
		}
	}
}

func TestMulDivAgainstBigArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		a, num, den := r.Int64N(MaxAmount), r.Int64N(1000), 1+r.Int64N(1000)
		got, ok := mulDivInt64(a, num, den)
		// a < 2^50 and num < 2^10, so a*num fits in int64 here.
		if want := a * num / den; !ok || got != want {
			t.Fatalf("mulDivInt64(%d, %d, %d) = %d, %v; want %d", a, num, den, got, ok, want)
		}
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		m                Money
		decimal, display string
	}{
		{usd(123456), "1234.56", "$1,234.56"},
		{usd(5), "0.05", "$0.05"},
		{usd(-500), "-5.00", "-$5.00"},
		{Money{1234567, "JPY"}, "1234567", "¥1,234,567"},
		{Money{100000000, "MXN"}, "1000000.00", "MX$1,000,000.00"},
		{Money{1, "KWD"}, "0.001", "KD 0.001"},
		{Money{math.MinInt64, "USD"}, "-92233720368547758.08", "-$92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := tt.m.Decimal(); got != tt.decimal {
			t.Errorf("%#v.Decimal() = %q, want %q", tt.m, got, tt.decimal)
		}
		if got := tt.m.Display(); got != tt.display {
			t.Errorf("%#v.Display() = %q, want %q", tt.m, got, tt.display)
		}
	}
	if got, want := usd(1000).String(), "10.00 USD"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestCheckPositive(t *testing.T) {
	tests := []struct {
		m    Money
		want []string
	}{
		{usd(1), nil},
		{usd(0), []string{"amount.amount_minor"}},
		{usd(-1), []string{"amount.amount_minor"}},
		{usd(MaxAmount + 1), []string{"amount.amount_minor"}},
		{Money{5, "ZZZ"}, []string{"amount.currency"}},
	}
	for _, tt := range tests {
		var f apperr.Fields
		tt.m.CheckPositive(&f, "amount")
		var got []string
		for _, fe := range f {
			got = append(got, fe.Field)
		}
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("CheckPositive(%v) fields = %v, want %v", tt.m, got, tt.want)
		}
	}
}

func TestCurrencyTable(t *testing.T) {
	want := map[string]int{"USD": 2, "EUR": 2, "MXN": 2, "CAD": 2, "GBP": 2, "JPY": 0, "KRW": 0, "BHD": 3}
	for code, digits := range want {
		c, err := LookupCurrency(code)
		if err != nil || c.Digits != digits {
			t.Errorf("LookupCurrency(%s) = %+v, %v; want %d digits", code, c, err, digits)
		}
	}
	all := Currencies()
	for i := 1; i < len(all); i++ {
		if all[i-1].Code >= all[i].Code {
			t.Fatalf("Currencies() not sorted at %d: %s, %s", i, all[i-1].Code, all[i].Code)
		}
	}
	if _, err := NewMoney(MaxAmount+1, "USD"); err == nil {
		t.Error("NewMoney above MaxAmount succeeded")
	}
	if _, err := NewMoney(5, "XYZ"); err == nil {
		t.Error("NewMoney with unknown currency succeeded")
	}
}
