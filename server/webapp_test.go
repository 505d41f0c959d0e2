package server_test

import (
	"strings"
	"testing"

	"commonground/frontend"
	"commonground/service"
	"commonground/service/servicetest"
)

func TestWebAppIsServedBesideTheAPI(t *testing.T) {
	env := servicetest.Start(t, func(c *service.Config) {
		c.WebApp = frontend.Options{TileURL: "https://tiles.example.org/{z}/{x}/{y}.png", TileAttribution: "© Example <tiles>"}
	})
	for _, path := range []string{"/", "/register", "/campaigns/some-id"} {
		r := env.Do(t, "GET", path, nil)
		if frontend.Built() {
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET %s = %d %s", path, r.Status, r.Header.Get("Content-Type"))
			}
			body := string(r.Body)
			if !strings.Contains(body, `content="https://tiles.example.org/{z}/{x}/{y}.png"`) || !strings.Contains(body, "© Example &lt;tiles&gt;") {
				t.Errorf("GET %s: tile settings missing or unescaped in the page", path)
			}
		} else if r.Status != 503 || !strings.Contains(string(r.Body), "npm run build") {
			t.Fatalf("GET %s with the app not built = %d %s, want 503 saying how to build it", path, r.Status, r.Body)
		}
		if r.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s has no Content-Security-Policy", path)
		}
	}
	// The API keeps its own answers under the catch-all.
	env.Do(t, "GET", "/api/v1/no-such-route", nil).WantProblem(t, 404)
	env.Do(t, "POST", "/api/v1/no-such-route", "{}").WantProblem(t, 404)
	if r := env.Do(t, "GET", "/assets/missing-0123.js", nil); r.Status != 404 {
		t.Errorf("a missing asset = %d, want 404", r.Status)
	}
	if r := env.Do(t, "GET", "/readyz", nil); r.Status != 200 || !strings.Contains(string(r.Body), "ready") {
		t.Errorf("the web app shadows /readyz: %d %s", r.Status, r.Body)
	}
}
