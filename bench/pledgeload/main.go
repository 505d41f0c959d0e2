// Command pledgeload drives concurrent pledges at a running Common Ground
// and checks the ledger afterwards. It needs nothing but the standard
// library.
//
//	pledgeload -url http://127.0.0.1:8089 -campaign demo-talent-creekside -clients 64 -duration 20s
//
// Each client sends pledges of random whole-dollar amounts, each with a fresh
// Idempotency-Key; with -twice every request is sent a second time with the
// same key and the two answers must name the same transaction. It prints
// pledges/s and latency percentiles, then checks, through the public API,
// that every acknowledged pledge is in the campaign's ledger and (unless
// -no-total, for runs where the server was killed mid-request) that the
// pledged total grew by exactly the sum of the acknowledged pledges.
//
// With -acked FILE the acknowledged pledges are written to FILE; with
// -check FILE no load is sent and the pledges listed in FILE are looked up
// in the ledger (after a restart).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

type acked struct {
	Key           string `json:"key"`
	TransactionID string `json:"transaction_id"`
	AmountMinor   int64  `json:"amount_minor"`
}

type pledgeResponse struct {
	ID            string `json:"id"`
	TransactionID string `json:"transaction_id"`
	Amount        struct {
		AmountMinor int64 `json:"amount_minor"`
	} `json:"amount"`
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8089", "server base URL")
	campaign := flag.String("campaign", "demo-talent-creekside", "open campaign to pledge to")
	clients := flag.Int("clients", 64, "concurrent clients")
	duration := flag.Duration("duration", 20*time.Second, "how long to send pledges")
	twice := flag.Bool("twice", false, "send every request twice with the same Idempotency-Key")
	ackedFile := flag.String("acked", "", "write acknowledged pledges to this file (JSON lines)")
	check := flag.String("check", "", "only check that the pledges in this file are in the ledger")
	noTotal := flag.Bool("no-total", false, "skip the pledged-total check (the server was killed during the run)")
	flag.Parse()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}}
	if *check != "" {
		os.Exit(checkFile(client, *base, *campaign, *check))
	}
	before, err := pledgedTotal(client, *base, *campaign)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pledgeload:", err)
		os.Exit(1)
	}
	res := load(client, *base, *campaign, *clients, *duration, *twice)
	var sum int64
	for _, a := range res.acked {
		sum += a.AmountMinor
	}
	secs := res.elapsed.Seconds()
	slices.Sort(res.latencies)
	fmt.Printf("clients=%d duration=%s twice=%v\n", *clients, res.elapsed.Round(time.Millisecond), *twice)
	fmt.Printf("acknowledged pledges: %d (%.1f pledges/s), requests: %d, failed requests: %d\n",
		len(res.acked), float64(len(res.acked))/secs, len(res.latencies)+res.failed, res.failed)
	fmt.Printf("latency p50=%s p90=%s p99=%s max=%s\n", pct(res.latencies, 50), pct(res.latencies, 90), pct(res.latencies, 99), pct(res.latencies, 100))
	if res.mismatch > 0 {
		fmt.Printf("FAIL: %d retries answered with a different transaction\n", res.mismatch)
	}
	if *ackedFile != "" {
		if err := writeAcked(*ackedFile, res.acked); err != nil {
			fmt.Fprintln(os.Stderr, "pledgeload:", err)
			os.Exit(1)
		}
	}
	ok := res.mismatch == 0
	if !*noTotal {
		after, err := pledgedTotal(client, *base, *campaign)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pledgeload:", err)
			os.Exit(1)
		}
		if after-before == sum {
			fmt.Printf("pledged total grew by %d minor units = the sum of acknowledged pledges\n", sum)
		} else {
			fmt.Printf("FAIL: pledged total grew by %d minor units, acknowledged pledges sum to %d\n", after-before, sum)
			ok = false
		}
		if missing := missingFromLedger(client, *base, *campaign, res.acked); missing != 0 {
			ok = false
		}
	}
	if !ok {
		os.Exit(1)
	}
}

type result struct {
	acked     []acked
	latencies []time.Duration
	failed    int
	mismatch  int
	elapsed   time.Duration
}

func load(client *http.Client, base, campaign string, clients int, d time.Duration, twice bool) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	start := time.Now()
	url := base + "/api/v1/campaigns/" + campaign + "/pledges"
	run := fmt.Sprintf("%x", rand.Uint64())
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), rand.Uint64()))
			for i := 0; ctx.Err() == nil; i++ {
				key := fmt.Sprintf("load-%s-%d-%d", run, w, i)
				amount := int64(100 * (1 + rng.IntN(500)))
				body := fmt.Sprintf(`{"pledger":{"kind":"person","name":"Load client %d"},"amount":{"amount_minor":%d,"currency":"USD"},"anonymous":%v}`, w, amount, i%4 == 0)
				first, lat, err := pledge(client, url, key, body)
				mu.Lock()
				if err != nil {
					res.failed++
				} else {
					res.latencies = append(res.latencies, lat)
				}
				mu.Unlock()
				if twice {
					second, lat2, err2 := pledge(client, url, key, body)
					mu.Lock()
					if err2 != nil {
						res.failed++
					} else {
						res.latencies = append(res.latencies, lat2)
						if err == nil && second.TransactionID != first.TransactionID {
							res.mismatch++
						}
						if err != nil {
							first, err = second, nil
						}
					}
					mu.Unlock()
				}
				if err == nil {
					mu.Lock()
					res.acked = append(res.acked, acked{key, first.TransactionID, first.Amount.AmountMinor})
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// pledge sends one pledge; any answer but 2xx counts as an error.
func pledge(client *http.Client, url, key, body string) (pledgeResponse, time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		return pledgeResponse{}, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return pledgeResponse{}, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	lat := time.Since(start)
	if err != nil {
		return pledgeResponse{}, 0, err
	}
	if resp.StatusCode/100 != 2 {
		return pledgeResponse{}, 0, fmt.Errorf("status %d: %s", resp.StatusCode, data)
	}
	var p pledgeResponse
	if err := json.Unmarshal(data, &p); err != nil {
		return pledgeResponse{}, 0, err
	}
	if p.TransactionID == "" {
		return pledgeResponse{}, 0, errors.New("no transaction id in the response")
	}
	return p, lat, nil
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := (len(ds)*p + 99) / 100
	return ds[min(max(i-1, 0), len(ds)-1)].Round(100 * time.Microsecond)
}

func getJSON(client *http.Client, url string, v any) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func pledgedTotal(client *http.Client, base, campaign string) (int64, error) {
	var c struct {
		Progress struct {
			Pledged struct {
				AmountMinor int64 `json:"amount_minor"`
			} `json:"pledged"`
		} `json:"progress"`
	}
	err := getJSON(client, base+"/api/v1/campaigns/"+campaign, &c)
	return c.Progress.Pledged.AmountMinor, err
}

// ledgerAmounts reads the whole public ledger: transaction id → total.
func ledgerAmounts(client *http.Client, base, campaign string) (map[string]int64, error) {
	out := map[string]int64{}
	cursor := ""
	for {
		var page struct {
			Items []struct {
				ID    string `json:"id"`
				Total struct {
					AmountMinor int64 `json:"amount_minor"`
				} `json:"total"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		url := base + "/api/v1/campaigns/" + campaign + "/ledger?limit=1000"
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		if err := getJSON(client, url, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			out[it.ID] = it.Total.AmountMinor
		}
		if page.NextCursor == nil {
			return out, nil
		}
		cursor = *page.NextCursor
	}
}

func missingFromLedger(client *http.Client, base, campaign string, as []acked) int {
	ledger, err := ledgerAmounts(client, base, campaign)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pledgeload:", err)
		return len(as)
	}
	missing := 0
	for _, a := range as {
		if amt, ok := ledger[a.TransactionID]; !ok || amt != a.AmountMinor {
			missing++
		}
	}
	if missing == 0 {
		fmt.Printf("all %d acknowledged pledges are in the ledger with their amounts\n", len(as))
	} else {
		fmt.Printf("FAIL: %d of %d acknowledged pledges are missing from the ledger or differ\n", missing, len(as))
	}
	return missing
}

func writeAcked(path string, as []acked) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, a := range as {
		if err := enc.Encode(a); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func checkFile(client *http.Client, base, campaign, path string) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pledgeload:", err)
		return 1
	}
	defer f.Close()
	var as []acked
	dec := json.NewDecoder(f)
	for {
		var a acked
		if err := dec.Decode(&a); err == io.EOF {
			break
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "pledgeload:", err)
			return 1
		}
		as = append(as, a)
	}
	if missingFromLedger(client, base, campaign, as) != 0 {
		return 1
	}
	return 0
}
