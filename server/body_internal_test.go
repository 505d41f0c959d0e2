package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

type echoMember struct {
	Name string `json:"name"`
	Age  int    `json:"age"`
}

type echoRequest struct {
	Title   string       `json:"title"`
	Count   int          `json:"count"`
	Members []echoMember `json:"members"`
}

// startWithEcho serves a server that has one extra route decoding an
// echoRequest, so the body rules can be tested through HTTP before any
// domain route exists.
func startWithEcho(t *testing.T, cfg Config) string {
	t.Helper()
	s := New(cfg, Deps{})
	s.app.Post("/api/v1/test-echo", func(c *fiber.Ctx) error {
		var req echoRequest
		if err := s.decodeJSON(c, &req); err != nil {
			return err
		}
		return writeJSON(c, fiber.StatusOK, req)
	})
	s.app.Get("/api/v1/test-panic", func(c *fiber.Ctx) error { panic("boom") })
	s.app.Get("/api/v1/test-slow", func(c *fiber.Ctx) error {
		<-c.UserContext().Done()
		return c.UserContext().Err()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Shutdown(time.Second) })
	return "http://" + ln.Addr().String()
}

type result struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, url, contentType string, body io.Reader) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(data)}
}

func TestJSONBodyRules(t *testing.T) {
	base := startWithEcho(t, Config{})
	url := base + "/api/v1/test-echo"
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantInBody  []string
	}{
		{"valid", "application/json", `{"title":"a","count":2,"members":[{"name":"Ana","age":40}]}`, 200, []string{`"title":"a"`}},
		{"truncated", "application/json", `{"title":"a","count":`, 400, []string{"ends early"}},
		{"syntax error names offset", "application/json", `{"title": "a",, }`, 400, []string{"byte offset 15"}},
		{"nested 10000 deep", "application/json", deep, 400, []string{"nests deeper than 32"}},
		{"NUL byte", "application/json", "{\"title\":\"a\x00\"}", 400, []string{"malformed JSON at byte offset"}},
		{"unknown fields all named", "application/json", `{"title":"a","colour":"red","members":[{"name":"x","nick":"y"}]}`, 400, []string{`"field":"colour"`, `"field":"members.0.nick"`}},
		{"wrong type", "application/json", `{"title":"a","count":"two"}`, 400, []string{`"field":"count"`, "must be an integer"}},
		{"trailing data", "application/json", `{"title":"a"} {"title":"b"}`, 400, []string{"data after the JSON value"}},
		{"empty body", "application/json", ``, 400, []string{"empty"}},
		{"wrong content type", "text/plain", `{"title":"a"}`, 415, []string{"text/plain"}},
		{"no content type", "", `{"title":"a"}`, 415, []string{"unsupported_media_type"}},
		{"json suffix accepted", "application/merge-patch+json", `{"title":"a"}`, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := post(t, url, tt.contentType, strings.NewReader(tt.body))
			if got.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tt.wantStatus, got.body)
			}
			if tt.wantStatus >= 400 && got.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type = %q", got.header.Get("Content-Type"))
			}
			for _, w := range tt.wantInBody {
				if !strings.Contains(got.body, w) {
					t.Errorf("body %s does not contain %s", got.body, w)
				}
			}
		})
	}
}

func TestBodyOverLimit(t *testing.T) {
	base := startWithEcho(t, Config{})

	t.Run("50 MiB with Content-Length", func(t *testing.T) {
		// Only the first 64 KiB, what the server reads ahead before any
		// handler runs, are sent: the answer comes without the rest.
		head := fmt.Sprintf("POST /api/v1/test-echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 50<<20)
		status, body := rawRequest(t, base, head+strings.Repeat(" ", 64<<10))
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "1 MiB") {
			t.Fatalf("status %d body %s, want 413 naming the limit", status, body)
		}
	})
	t.Run("chunked over the limit", func(t *testing.T) {
		// One chunk of exactly limit+1 bytes and no final chunk: the server
		// reads all that was sent, finds it over the limit and answers.
		const n = 1<<20 + 1
		req := fmt.Sprintf("POST /api/v1/test-echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", n, strings.Repeat("a", n))
		status, body := rawRequest(t, base, req)
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d body %s, want 413", status, body)
		}
	})
}

// rawRequest writes a request as given (possibly incomplete) on a new
// connection and reads the response.
func rawRequest(t *testing.T, base, request string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatalf("write request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestPanicBecomesProblem(t *testing.T) {
	base := startWithEcho(t, Config{})
	resp, err := http.Get(base + "/api/v1/test-panic")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || strings.Contains(string(body), "boom") {
		t.Fatalf("status %d body %s: want 500 without the panic text", resp.StatusCode, body)
	}
}

func TestRequestDeadline(t *testing.T) {
	base := startWithEcho(t, Config{RequestTimeout: 200 * time.Millisecond})
	start := time.Now()
	resp, err := http.Get(base + "/api/v1/test-slow")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("request took %v past a 200ms deadline", elapsed)
	}
	if resp.StatusCode != 500 && resp.StatusCode != 503 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestMatchRoute(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/api/v1/parcels/:id", "/api/v1/parcels/p1", true},
		{"/api/v1/parcels/:id", "/api/v1/parcels", false},
		{"/api/v1/parcels/:id", "/api/v1/parcels/p1/x", false},
		{"/healthz", "/healthz", true},
		{"/*", "/anything/here", true},
	}
	for _, tt := range tests {
		if got := matchRoute(tt.pattern, tt.path); got != tt.want {
			t.Errorf("matchRoute(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}
