package auth

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"commonground/apperr"
)

// LimiterConfig configures a Limiter.
type LimiterConfig struct {
	Max    int           // failures allowed within Window
	Window time.Duration // sliding window
	// Capacity bounds the keys remembered; beyond it the key touched least
	// recently is forgotten. Each key costs about 100 bytes plus Max times.
	Capacity int
	Now      func() time.Time // nil means time.Now
}

// Limiter counts failures per key (an account, a client address) in a
// sliding window and blocks a key that reached Max failures until the oldest
// of them leaves the window. Memory is bounded by Capacity. It is in-memory
// and per process: behind several replicas each counts on its own, which
// multiplies the allowance by the replica count but never blocks wrongly.
// Safe for concurrent use.
type Limiter struct {
	cfg     LimiterConfig
	mu      sync.Mutex
	entries map[string]*list.Element // of *limiterEntry
	lru     list.List                // front: most recently touched
}

type limiterEntry struct {
	key   string
	fails []time.Time // oldest first, at most cfg.Max
}

// NewLimiter returns a Limiter for cfg. Max, Window and Capacity must be
// positive.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.Max < 1 || cfg.Window <= 0 || cfg.Capacity < 1 {
		panic("auth: NewLimiter needs positive Max, Window and Capacity")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{cfg: cfg, entries: make(map[string]*list.Element)}
}

// RetryAfter returns how long key must wait before its next attempt, or 0
// when it may try now.
func (l *Limiter) RetryAfter(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	el, ok := l.entries[key]
	if !ok {
		return 0
	}
	e := el.Value.(*limiterEntry)
	l.expire(e, now)
	if len(e.fails) == 0 {
		l.remove(el)
		return 0
	}
	return l.wait(e, now)
}

// Fail records a failure for key and returns how long key must now wait
// (0 when it has failures to spare).
func (l *Limiter) Fail(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	var e *limiterEntry
	if el, ok := l.entries[key]; ok {
		l.lru.MoveToFront(el)
		e = el.Value.(*limiterEntry)
		l.expire(e, now)
	} else {
		for len(l.entries) >= l.cfg.Capacity {
			l.remove(l.lru.Back())
		}
		e = &limiterEntry{key: key}
		l.entries[key] = l.lru.PushFront(e)
	}
	if len(e.fails) == l.cfg.Max {
		e.fails = append(e.fails[:0], e.fails[1:]...)
	}
	e.fails = append(e.fails, now)
	return l.wait(e, now)
}

// Reset forgets key's failures, after a success.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.entries[key]; ok {
		l.remove(el)
	}
}

// Len returns the number of keys remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

func (l *Limiter) expire(e *limiterEntry, now time.Time) {
	cut := 0
	for cut < len(e.fails) && !now.Before(e.fails[cut].Add(l.cfg.Window)) {
		cut++
	}
	e.fails = append(e.fails[:0], e.fails[cut:]...)
}

func (l *Limiter) wait(e *limiterEntry, now time.Time) time.Duration {
	if len(e.fails) < l.cfg.Max {
		return 0
	}
	return e.fails[0].Add(l.cfg.Window).Sub(now)
}

func (l *Limiter) remove(el *list.Element) {
	delete(l.entries, el.Value.(*limiterEntry).key)
	l.lru.Remove(el)
}

// Login throttling defaults. Per account the limit is tight; per address it
// is looser, because a shelter or a library where many displaced residents
// sign in shares one public address.
var (
	DefaultAccountLimit = LimiterConfig{Max: 5, Window: 15 * time.Minute, Capacity: 100_000}
	DefaultAddressLimit = LimiterConfig{Max: 30, Window: 15 * time.Minute, Capacity: 100_000}
)

// LoginThrottle limits failed logins per account (keyed by normalized email,
// so unknown emails are throttled exactly like real ones) and per client
// address.
type LoginThrottle struct {
	account, address *Limiter
}

// NewLoginThrottle returns a throttle with the given per-account and
// per-address limits.
func NewLoginThrottle(account, address LimiterConfig) *LoginThrottle {
	return &LoginThrottle{account: NewLimiter(account), address: NewLimiter(address)}
}

// Check returns a TooManyRequests error with RetryAfter in whole seconds
// (rounded up) when either the account or the address must wait; call it
// before verifying the password, so a blocked attempt costs no hash.
func (t *LoginThrottle) Check(email, clientAddr string) error {
	return tooMany(max(t.account.RetryAfter(accountKey(email)), t.address.RetryAfter(bounded(clientAddr))))
}

// Failure records a failed login and returns the TooManyRequests error if
// the next attempt must now wait, else nil.
func (t *LoginThrottle) Failure(email, clientAddr string) error {
	return tooMany(max(t.account.Fail(accountKey(email)), t.address.Fail(bounded(clientAddr))))
}

// Success clears the account's failures. The address keeps its count: one
// good password must not reset the allowance of an address trying many
// accounts.
func (t *LoginThrottle) Success(email string) { t.account.Reset(accountKey(email)) }

// accountKey is the limiter key of an email: normalized, and cut to the
// longest valid address so that a client sending megabyte "emails" cannot
// make the limiter hold megabytes per key. (Such emails never match an
// account; they are still throttled.)
func accountKey(email string) string { return bounded(NormalizeEmail(email)) }

func bounded(key string) string {
	if len(key) > MaxEmailLength {
		return strings.Clone(key[:MaxEmailLength])
	}
	return key
}

func tooMany(wait time.Duration) error {
	if wait <= 0 {
		return nil
	}
	e := apperr.New(apperr.TooManyRequests, "too many failed sign-in attempts; try again later")
	e.RetryAfter = int((wait + time.Second - 1) / time.Second)
	return e
}
