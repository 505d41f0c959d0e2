package auth

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/apperr"
)

func TestLimiterSlidingWindow(t *testing.T) {
	clk := newClock()
	l := NewLimiter(LimiterConfig{Max: 3, Window: 10 * time.Minute, Capacity: 10, Now: clk.Now})

	// Failures at 0, 1 and 2 minutes: the third blocks until the first
	// leaves the window at 10 minutes.
	for i, want := range []time.Duration{0, 0, 8 * time.Minute} {
		if got := l.Fail("k"); got != want {
			t.Fatalf("Fail #%d = %v, want %v", i+1, got, want)
		}
		clk.Advance(time.Minute)
	}
	// Now at 3 minutes.
	if got := l.RetryAfter("k"); got != 7*time.Minute {
		t.Errorf("RetryAfter = %v, want 7m", got)
	}
	if got := l.RetryAfter("other"); got != 0 {
		t.Errorf("RetryAfter(other key) = %v, want 0", got)
	}
	clk.Advance(7 * time.Minute) // 10 minutes: the first failure expired
	if got := l.RetryAfter("k"); got != 0 {
		t.Errorf("RetryAfter after the window = %v, want 0", got)
	}
	// One more failure at 10 minutes blocks again until the one at 1 minute
	// expires at 11.
	if got := l.Fail("k"); got != time.Minute {
		t.Errorf("Fail after partial expiry = %v, want 1m", got)
	}
	l.Reset("k")
	if got := l.RetryAfter("k"); got != 0 || l.Len() != 0 {
		t.Errorf("after Reset: RetryAfter = %v, Len = %d", got, l.Len())
	}
}

// TestLimiterAgainstBruteForce compares the limiter with a plain list of
// failure times over a pseudo-random sequence of failures and checks.
func TestLimiterAgainstBruteForce(t *testing.T) {
	clk := newClock()
	cfg := LimiterConfig{Max: 4, Window: 5 * time.Minute, Capacity: 100, Now: clk.Now}
	l := NewLimiter(cfg)
	var fails []time.Time
	brute := func() time.Duration {
		var live []time.Time
		for _, f := range fails {
			if clk.Now().Before(f.Add(cfg.Window)) {
				live = append(live, f)
			}
		}
		if len(live) < cfg.Max {
			return 0
		}
		return live[len(live)-cfg.Max].Add(cfg.Window).Sub(clk.Now())
	}
	seed := uint32(12345)
	for step := range 2000 {
		seed = seed*1664525 + 1013904223
		clk.Advance(time.Duration(seed>>20) * time.Millisecond * 100) // 0 to ~7 minutes
		var got time.Duration
		if seed&1 == 0 {
			fails = append(fails, clk.Now())
			got = l.Fail("k")
		} else {
			got = l.RetryAfter("k")
		}
		if want := brute(); got != want {
			t.Fatalf("step %d: got %v, want %v", step, got, want)
		}
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	clk := newClock()
	l := NewLimiter(LimiterConfig{Max: 2, Window: time.Hour, Capacity: 100, Now: clk.Now})
	for i := range 1000 {
		l.Fail(fmt.Sprintf("addr-%d", i))
		if i == 950 {
			l.Fail("addr-0") // an old key touched again moves to the front
		}
		if n := l.Len(); n > 100 {
			t.Fatalf("Len = %d after %d keys, want at most 100", n, i+1)
		}
	}
	// The least recently touched keys were forgotten, the recent ones kept.
	for key, kept := range map[string]bool{"addr-0": true, "addr-999": true, "addr-901": true, "addr-900": false, "addr-500": false} {
		if _, ok := l.entries[key]; ok != kept {
			t.Errorf("%s kept = %v, want %v", key, ok, kept)
		}
	}
}

func TestLimiterConcurrent(t *testing.T) {
	clk := newClock()
	l := NewLimiter(LimiterConfig{Max: 1000, Window: time.Hour, Capacity: 50, Now: clk.Now})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				key := fmt.Sprintf("k%d", (g*7+i)%80)
				l.Fail(key)
				l.RetryAfter(key)
				if i%50 == 0 {
					l.Reset(key)
				}
			}
		})
	}
	wg.Wait()
	if n := l.Len(); n > 50 {
		t.Errorf("Len = %d, want at most 50", n)
	}
}

func TestLoginThrottle(t *testing.T) {
	clk := newClock()
	acct, addr := DefaultAccountLimit, DefaultAddressLimit
	acct.Now, addr.Now = clk.Now, clk.Now
	addr.Max = 8
	th := NewLoginThrottle(acct, addr)

	// Four failures for Maria: still allowed. The fifth blocks for 15 min.
	for i := range 4 {
		if err := th.Failure("Maria@Example.org", "192.0.2.1"); err != nil {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	err := th.Failure(" maria@example.org", "192.0.2.1")
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.TooManyRequests || e.RetryAfter != 15*60 {
		t.Fatalf("fifth failure = %#v, want TooManyRequests with RetryAfter 900", err)
	}
	// The block applies to the account from any address, normalized.
	if err := th.Check("MARIA@example.org", "198.51.100.7"); !apperr.Is(err, apperr.TooManyRequests) {
		t.Errorf("Check from another address = %v, want TooManyRequests", err)
	}
	// Another account from the same shelter address is still allowed...
	if err := th.Check("jose@example.org", "192.0.2.1"); err != nil {
		t.Errorf("another account, same address: %v", err)
	}
	// ...until the address as a whole reaches its limit.
	for range 3 {
		th.Failure("jose@example.org", "192.0.2.1")
	}
	if err := th.Check("ana@example.org", "192.0.2.1"); !apperr.Is(err, apperr.TooManyRequests) {
		t.Errorf("address over its limit: %v, want TooManyRequests", err)
	}
	// Retry-After rounds up to whole seconds.
	clk.Advance(15*time.Minute - 1500*time.Millisecond)
	err = th.Check("maria@example.org", "203.0.113.9")
	if !errors.As(err, &e) || e.RetryAfter != 2 {
		t.Errorf("Check 1.5 s before the end = %#v, want RetryAfter 2", err)
	}
	clk.Advance(2 * time.Second)
	if err := th.Check("maria@example.org", "203.0.113.9"); err != nil {
		t.Errorf("after the window: %v", err)
	}

	// Success clears the account, not the address.
	th.Failure("lucia@example.org", "203.0.113.50")
	th.Success("lucia@example.org")
	if n := th.account.Len(); n != 1 { // jose's stale entry, not yet touched
		t.Errorf("account keys after success = %d, want 1", n)
	}
	if th.address.RetryAfter("203.0.113.50") != 0 || th.address.Len() != 2 {
		t.Errorf("Success touched the address limiter")
	}
}

func BenchmarkLimiterFail(b *testing.B) {
	l := NewLimiter(LimiterConfig{Max: 5, Window: 15 * time.Minute, Capacity: 10_000})
	keys := make([]string, 20_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("198.51.%d.%d", i/256, i%256)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Fail(keys[i%len(keys)])
		i++
	}
}

func TestLoginThrottleBoundsKeys(t *testing.T) {
	clk := newClock()
	acct := LimiterConfig{Max: 2, Window: time.Hour, Capacity: 10, Now: clk.Now}
	th := NewLoginThrottle(acct, acct)
	huge := strings.Repeat("a", 1<<20) + "@example.org"
	th.Failure(huge, strings.Repeat("1", 1<<20))
	th.Failure(huge+"x", "2")
	for key := range th.account.entries {
		if len(key) > MaxEmailLength {
			t.Errorf("account key of %d bytes kept", len(key))
		}
	}
	for key := range th.address.entries {
		if len(key) > MaxEmailLength {
			t.Errorf("address key of %d bytes kept", len(key))
		}
	}
	// Huge emails sharing a prefix are throttled together.
	if err := th.Check(huge+"y", "3"); !apperr.Is(err, apperr.TooManyRequests) {
		t.Errorf("huge email after two failures: %v, want TooManyRequests", err)
	}
}
