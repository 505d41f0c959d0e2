// Command householdload measures household registration over HTTP: it
// starts Common Ground with a fresh data directory and the embedded store on
// 127.0.0.1, signs in a steward, has many concurrent clients register
// synthetic households for a fixed time, then prints the throughput and
// latency percentiles and checks that the store holds exactly as many
// households as registrations were answered 201.
//
//	go run ./bench/householdload -clients 64 -duration 20s
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"commonground/community/householdgen"
	"commonground/mongodb"
	"commonground/service"
)

func main() {
	clients := flag.Int("clients", 64, "concurrent clients")
	duration := flag.Duration("duration", 20*time.Second, "how long to send registrations")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		if f, err := os.Create(*cpuprofile); err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*clients, *duration); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "householdload:", err)
		os.Exit(1)
	}
}

func run(clients int, duration time.Duration) error {
	dir, err := os.MkdirTemp("", "commonground-householdload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	const email, password = "load-steward@example.org", "a long and unusual load passphrase 7"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	svc, err := service.Open(ctx, service.Config{
		DataDir: dir, Logger: slog.New(slog.DiscardHandler),
		BootstrapAdminEmail: email, BootstrapAdminPassword: password,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = svc.Serve(ln) }()
	base := "http://" + ln.Addr().String() + "/api/v1"

	token, err := login(base, email, password)
	if err != nil {
		svc.Close(time.Second)
		return err
	}

	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	var (
		next      atomic.Int64
		created   atomic.Int64
		mu        sync.Mutex
		latencies []time.Duration
		failures  = map[int]int{}
		wg        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(duration)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				i := int(next.Add(1))
				body := registration(i)
				t := time.Now()
				status, err := post(client, base+"/households", token, body)
				d := time.Since(t)
				mine = append(mine, d)
				if status == http.StatusCreated {
					created.Add(1)
					continue
				}
				mu.Lock()
				failures[status]++
				mu.Unlock()
				if err != nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	store := mongodb.NewHouseholdStore(svc.DB, svc.Keyring)
	stored, err := store.CountHouseholds(context.Background())
	if cerr := svc.Close(5 * time.Second); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	n := created.Load()
	fmt.Printf("clients=%d duration=%s requests=%d created=%d failures=%v\n", clients, elapsed.Round(time.Millisecond), len(latencies), n, failures)
	fmt.Printf("throughput=%.0f households/s p50=%s p90=%s p99=%s max=%s\n",
		float64(n)/elapsed.Seconds(), pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	fmt.Printf("stored=%d created=%d match=%v\n", stored, n, stored == n)
	if stored != n {
		return fmt.Errorf("the store holds %d households but %d registrations were answered 201", stored, n)
	}
	return nil
}

func login(base, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(base+"/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		return "", fmt.Errorf("sign in as the steward: status %d", resp.StatusCode)
	}
	return out.AccessToken, nil
}

// registration is the JSON of synthetic household i, registered by the
// steward on the family's behalf (so one account can register many).
func registration(i int) []byte {
	h := householdgen.Household(42, i, householdgen.Options{Spread: 0.2})
	members := make([]map[string]any, len(h.Members))
	for j, m := range h.Members {
		members[j] = map[string]any{"name": m.Name, "relationship": m.Relationship, "age_band": m.AgeBand}
	}
	consents := make([]map[string]any, len(h.Consents))
	for j, c := range h.Consents {
		consents[j] = map[string]any{"purpose": c.Purpose, "text_version": c.TextVersion}
	}
	body, _ := json.Marshal(map[string]any{
		"members":       members,
		"language":      h.Language,
		"contact":       map[string]any{"phone": h.Contact.Phone, "email": h.Contact.Email},
		"lost_home":     map[string]any{"lon": h.LostHome.Location.Lon(), "lat": h.LostHome.Location.Lat(), "address": h.LostHome.Address},
		"current":       map[string]any{"situation": h.Current.Situation, "zip_code": h.Current.ZipCode},
		"needs":         map[string]any{"bedrooms": h.Needs.Bedrooms},
		"fema":          map[string]any{"disaster_number": h.FEMA.DisasterNumber},
		"consents":      consents,
		"registered_by": map[string]any{"consent_method": "organizer_phone"},
	})
	return body
}

func post(client *http.Client, url, token string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
