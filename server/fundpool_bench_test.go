package server_test

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkPledgeHTTP measures one anonymous pledge through the whole stack:
// key check, body, campaign lookup, ledger rules, the store's writes on the
// embedded server and the response.
func BenchmarkPledgeHTTP(b *testing.B) {
	f := startFunds(b)
	f.openCampaign(b, "bench", "keep_what_you_raise", 1_000_000_000_000)
	body := `{"pledger":{"kind":"person","name":"Bench"},"amount":{"amount_minor":2500,"currency":"USD"}}`
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		r := f.Do(b, "POST", "/api/v1/campaigns/bench/pledges", body, as("", fmt.Sprint("bench-", i))...)
		if r.Status != 201 {
			b.Fatalf("pledge = %d: %s", r.Status, r.Body)
		}
	}
}

// BenchmarkPledgeHTTPParallel sends pledges from 64 clients at once per
// core, as the pledge load does: what it measures is how pledges share the
// store's serialized writes.
func BenchmarkPledgeHTTPParallel(b *testing.B) {
	f := startFunds(b)
	f.openCampaign(b, "bench", "keep_what_you_raise", 1_000_000_000_000)
	body := `{"pledger":{"kind":"person","name":"Bench"},"amount":{"amount_minor":2500,"currency":"USD"}}`
	var seq atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := f.Do(b, "POST", "/api/v1/campaigns/bench/pledges", body, as("", fmt.Sprint("bench-", seq.Add(1)))...)
			if r.Status != 201 {
				b.Errorf("pledge = %d: %s", r.Status, r.Body)
				return
			}
		}
	})
}
