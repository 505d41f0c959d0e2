// Package servicetest starts a whole Common Ground service for HTTP tests:
// a real listener on loopback and a fresh database of the test's own on the
// embedded server.
package servicetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"commonground/auth"
	"commonground/mongodb/mongodbtest"
	"commonground/service"
)

// Env is a running service and a client for it.
type Env struct {
	URL     string
	Service *service.Service
	Client  *http.Client
}

// Option adjusts the configuration before the service starts.
type Option func(*service.Config)

// Start starts a service for the test and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	db := mongodbtest.Config(t)
	cfg := service.Config{
		DataDir:       t.TempDir(),
		MongoURI:      db.URI,
		MongoDatabase: db.Database,
		// Cheap hashing keeps tests fast; production uses the defaults.
		PasswordParams: auth.PasswordParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("start the service: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = svc.Serve(ln) }()
	t.Cleanup(func() { _ = svc.Close(5 * time.Second) })
	return &Env{
		URL:     "http://" + ln.Addr().String(),
		Service: svc,
		Client:  &http.Client{Timeout: 30 * time.Second},
	}
}

var accountSeq atomic.Int64

// Password is the password of every account made by Account.
const Password = "a long and unusual passphrase 7"

// Account creates an account holding roles (every account is a resident)
// and returns its id and a fresh access token for it.
func (e *Env) Account(t testing.TB, roles ...auth.Role) (id, token string) {
	t.Helper()
	ctx := context.Background()
	n := accountSeq.Add(1)
	sess, err := e.Service.Auth.Register(ctx, auth.Registration{
		Email:       fmt.Sprintf("person%d@example.org", n),
		Password:    Password,
		DisplayName: fmt.Sprintf("Test Person %d", n),
	}, auth.Meta{})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	all, err := auth.NormalizeRoles(append([]auth.Role{auth.RoleResident}, roles...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Auth.Store.UpdateAccount(ctx, sess.Account.ID, auth.AccountUpdate{Roles: &all, UpdatedAt: time.Now()}); err != nil {
		t.Fatalf("set roles: %v", err)
	}
	token, _, err = e.Service.Auth.Tokens.Issue(sess.Account.ID, all)
	if err != nil {
		t.Fatal(err)
	}
	return sess.Account.ID, token
}

// Bearer returns the header pair that sends token.
func Bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode response body %q: %v", r.Body, err)
	}
}

// Do sends a request. A body that is a string or []byte is sent as is with
// Content-Type application/json unless headers say otherwise; any other
// non-nil body is encoded as JSON. headers are name, value pairs.
func (e *Env) Do(t testing.TB, method, path string, body any, headers ...string) *Response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	case io.Reader:
		r = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// Problem is the problem document of an error response.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// WantProblem checks that r is a problem response with the given status and
// returns it decoded.
func (r *Response) WantProblem(t testing.TB, status int) Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	if p.Status != status || p.Title == "" || p.Type == "" || p.RequestID == "" {
		t.Fatalf("incomplete problem document: %s", r.Body)
	}
	if p.RequestID != r.Header.Get("X-Request-Id") {
		t.Fatalf("problem request_id %q differs from X-Request-Id %q", p.RequestID, r.Header.Get("X-Request-Id"))
	}
	return p
}

// HasField reports whether the problem names field.
func (p Problem) HasField(field string) bool {
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}
