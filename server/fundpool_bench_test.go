package server_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"commonground/fundpool"
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

// BenchmarkCampaignProgressHTTP100k reads a campaign whose ledger holds
// 100,000 transactions: progress comes from the book's running balances,
// so the answer costs the same as for an empty ledger. The transactions go
// straight into the book (this measures the read, not the store).
func BenchmarkCampaignProgressHTTP100k(b *testing.B) {
	f := startFunds(b)
	f.openCampaign(b, "big", "keep_what_you_raise", 1_000_000_000_000)
	funds := f.Service.Funds
	camp, err := funds.Campaign(context.Background(), "big")
	if err != nil {
		b.Fatal(err)
	}
	at := time.Now().Add(-365 * 24 * time.Hour)
	for i := range 100_000 {
		pl := fundpool.Pledge{ID: fmt.Sprint("pl_", i), CampaignID: "big", Amount: fundpool.Money{Amount: int64(100 + i%5000), Currency: "USD"},
			Pledger: fundpool.Pledger{Kind: fundpool.PledgerPerson, Name: "P"}}
		tx, err := fundpool.MakePledge(camp, pl, fundpool.TxMeta{Key: fmt.Sprint("k", i), At: at.Add(time.Duration(i) * 5 * time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := funds.Book().Append(tx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		r := f.Do(b, "GET", "/api/v1/campaigns/big", nil)
		if r.Status != 200 {
			b.Fatalf("GET campaign = %d: %s", r.Status, r.Body)
		}
	}
}
