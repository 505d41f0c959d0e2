package server_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/mongodb"
	"commonground/service"
	"commonground/service/servicetest"
)

func TestHealthAndReadiness(t *testing.T) {
	env := servicetest.Start(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		r := env.Do(t, "GET", path, nil)
		if r.Status != 200 {
			t.Errorf("GET %s = %d %s", path, r.Status, r.Body)
		}
		if r.Header.Get("X-Request-Id") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s misses request id or security headers: %v", path, r.Header)
		}
	}
}

func TestRequestIDIsEchoed(t *testing.T) {
	env := servicetest.Start(t)
	r := env.Do(t, "GET", "/healthz", nil, "X-Request-Id", "client-chosen-42")
	if got := r.Header.Get("X-Request-Id"); got != "client-chosen-42" {
		t.Errorf("X-Request-Id = %q, want the client's", got)
	}
	r = env.Do(t, "GET", "/healthz", nil, "X-Request-Id", "bad id with spaces\"")
	if got := r.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Errorf("a malformed client id was echoed: %q", got)
	}
}

func TestUnknownRouteAndWrongMethod(t *testing.T) {
	env := servicetest.Start(t)
	p := env.Do(t, "GET", "/api/v1/no-such-thing", nil).WantProblem(t, 404)
	if !strings.Contains(p.Detail, "/api/v1/no-such-thing") {
		t.Errorf("detail %q does not name the path", p.Detail)
	}
	r := env.Do(t, "DELETE", "/readyz", nil)
	r.WantProblem(t, 405)
	if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") {
		t.Errorf("Allow = %q, want GET listed", allow)
	}
	// A GET of an API route that takes only POST is a wrong method too,
	// although the web app answers every other GET. An unknown API path
	// stays 404 whatever the method.
	r = env.Do(t, "GET", "/api/v1/auth/login", nil)
	r.WantProblem(t, 405)
	if allow := r.Header.Get("Allow"); allow != "POST" {
		t.Errorf("Allow for GET /api/v1/auth/login = %q, want POST", allow)
	}
	env.Do(t, "DELETE", "/api/v1/no-such-thing", nil).WantProblem(t, 404)
}

func TestMetrics(t *testing.T) {
	env := servicetest.Start(t)
	env.Do(t, "GET", "/readyz", nil)
	env.Do(t, "GET", "/api/v1/nothing-here", nil)
	r := env.Do(t, "GET", "/metrics", nil)
	body := string(r.Body)
	for _, want := range []string{
		`commonground_http_requests_total{method="GET",route="/readyz",status="200"}`,
		`commonground_http_request_duration_seconds_bucket{method="GET",route="/readyz",status="200"`,
		`commonground_http_requests_total{method="GET",route="unmatched",status="404"}`,
		`commonground_store_operation_duration_seconds_count{collection="none",op="ping",outcome="ok"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestResponsesAreCompressed(t *testing.T) {
	env := servicetest.Start(t)
	req, _ := http.NewRequest("GET", env.URL+"/api/v1/openapi.json", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(data), `"openapi"`) {
		t.Fatalf("gzip body did not decode to the document: %v", err)
	}
}

func TestCORSIsOffUnlessConfigured(t *testing.T) {
	env := servicetest.Start(t)
	r := env.Do(t, "GET", "/healthz", nil, "Origin", "https://evil.example")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("CORS header %q sent with CORS off", got)
	}
	env = servicetest.Start(t, func(c *service.Config) { c.HTTP.CORSOrigins = []string{"https://app.example"} })
	r = env.Do(t, "GET", "/healthz", nil, "Origin", "https://app.example")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example" {
		t.Errorf("Access-Control-Allow-Origin = %q with the origin configured", got)
	}
}

// TestOverloadAnswersFast opens 1,000 connections at once against a server
// that runs at most 8 requests at a time: every request is answered, the
// ones beyond capacity with a 503, and none waits past the deadline.
func TestOverloadAnswersFast(t *testing.T) {
	env := servicetest.Start(t, func(c *service.Config) {
		c.HTTP.MaxInFlight = 8
		c.HTTP.RequestTimeout = 2 * time.Second
	})
	const clients = 1000
	tr := &http.Transport{MaxConnsPerHost: clients, MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	defer tr.CloseIdleConnections()
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	var slowest time.Duration
	var failures []error
	start := make(chan struct{})
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t0 := time.Now()
			resp, err := client.Get(env.URL + "/readyz")
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if d > slowest {
				slowest = d
			}
			if err != nil {
				failures = append(failures, err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			counts[resp.StatusCode]++
			if resp.StatusCode == 503 && resp.Header.Get("Retry-After") == "" {
				failures = append(failures, fmt.Errorf("503 without Retry-After"))
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d requests failed, first: %v", len(failures), failures[0])
	}
	if counts[200]+counts[503] != clients {
		t.Fatalf("statuses %v, want only 200 and 503", counts)
	}
	if counts[200] == 0 {
		t.Fatalf("no request succeeded: %v", counts)
	}
	// The bound covers the request deadline (2 s) plus accepting 1,000
	// connections and scheduling 1,000 client goroutines in the same,
	// possibly race-instrumented, process on a small machine.
	if slowest > 10*time.Second {
		t.Fatalf("slowest request took %v", slowest)
	}
	t.Logf("statuses %v, slowest %v", counts, slowest)
}

// TestDatabaseGoesAwayAndReturns stops the database under a running service:
// readiness turns 503, and turns 200 again when the database is back,
// without restarting the service.
func TestDatabaseGoesAwayAndReturns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx := context.Background()
	uri, stop, err := mongodb.StartEmbedded(ctx, dir, addr)
	if err != nil {
		t.Fatal(err)
	}
	env := servicetest.Start(t, func(c *service.Config) { c.MongoURI = uri })
	if r := env.Do(t, "GET", "/readyz", nil); r.Status != 200 {
		t.Fatalf("readyz before = %d", r.Status)
	}

	stop()
	t0 := time.Now()
	p := env.Do(t, "GET", "/readyz", nil).WantProblem(t, 503)
	if took := time.Since(t0); took > 3*time.Second {
		t.Errorf("readyz took %v with the database down", took)
	}
	if strings.Contains(strings.ToLower(p.Detail), "sql") || strings.Contains(p.Detail, "127.0.0.1") {
		t.Errorf("problem leaks database detail: %q", p.Detail)
	}

	_, stop, err = mongodb.StartEmbedded(ctx, dir, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := env.Do(t, "GET", "/readyz", nil)
		if r.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still %d 15s after the database returned", r.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
