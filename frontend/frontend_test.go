package frontend

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestDistHoldsPlaceholder(t *testing.T) {
	// The placeholder is what keeps the embed valid on a fresh clone; a
	// build copies it back, so it must be there in both states.
	if _, err := fs.Stat(Dist(), ".placeholder"); err != nil {
		t.Fatalf("dist/.placeholder: %v", err)
	}
	_, err := fs.Stat(Dist(), "index.html")
	if got, want := Built(), err == nil; got != want {
		t.Errorf("Built() = %v, want %v", got, want)
	}
}

func TestEmbeddedHandler(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(Options{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/register", nil))
	want := http.StatusServiceUnavailable
	if Built() {
		want = http.StatusOK
	}
	if got := rec.Code; got != want {
		t.Errorf("GET /register: status %d, want %d", got, want)
	}
}

const testIndex = `<!doctype html><html><head>` +
	`<meta name="commonground-tile-url" content="">` +
	`<meta name="commonground-tile-attribution" content="">` +
	`<script type="module" src="/assets/index-abc123.js"></script></head><body></body></html>`

func builtFS() fs.FS {
	return fstest.MapFS{
		"index.html":             {Data: []byte(testIndex)},
		"assets/index-abc123.js": {Data: []byte("console.log(1)")},
		"favicon.svg":            {Data: []byte("<svg/>")},
		".placeholder":           {Data: []byte("placeholder")},
	}
}

func TestHandler(t *testing.T) {
	opts := Options{TileURL: "https://tiles.example.org/{z}/{x}/{y}.png", TileAttribution: `© <b>Tiles</b> & "friends"`}
	tests := []struct {
		name, method, path string
		fsys               fs.FS
		wantStatus         int
		wantCache          string
		wantType           string
		wantBody           string // substring; "" means an empty body
	}{
		{"root is the app", "GET", "/", builtFS(), 200, "no-cache", "text/html; charset=utf-8", `content="https://tiles.example.org/{z}/{x}/{y}.png"`},
		{"attribution escaped", "GET", "/", builtFS(), 200, "no-cache", "text/html; charset=utf-8", `content="© &lt;b&gt;Tiles&lt;/b&gt; &amp; &#34;friends&#34;"`},
		{"deep link falls back to index", "GET", "/campaigns/42", builtFS(), 200, "no-cache", "text/html; charset=utf-8", "<!doctype html>"},
		{"index.html by name", "GET", "/index.html", builtFS(), 200, "no-cache", "text/html; charset=utf-8", "<!doctype html>"},
		{"hashed asset cached a year", "GET", "/assets/index-abc123.js", builtFS(), 200, assetCache, "text/javascript; charset=utf-8", "console.log(1)"},
		{"other file revalidated", "GET", "/favicon.svg", builtFS(), 200, "no-cache", "image/svg+xml", "<svg/>"},
		{"missing asset is 404 not html", "GET", "/assets/index-old.js", builtFS(), 404, "", "text/plain; charset=utf-8", "not found"},
		{"hidden file not served", "GET", "/.placeholder", builtFS(), 404, "", "text/plain; charset=utf-8", "not found"},
		{"api path never the app", "GET", "/api/v1/unknown", builtFS(), 404, "", "text/plain; charset=utf-8", "not found"},
		{"api root never the app", "GET", "/api", builtFS(), 404, "", "text/plain; charset=utf-8", "not found"},
		{"dot segments cleaned", "GET", "/x/../assets/index-abc123.js", builtFS(), 200, assetCache, "text/javascript; charset=utf-8", "console.log(1)"},
		{"head has no body", "HEAD", "/", builtFS(), 200, "no-cache", "text/html; charset=utf-8", ""},
		{"post refused", "POST", "/", builtFS(), 405, "", "text/plain; charset=utf-8", "Method Not Allowed"},
		{"not built says so", "GET", "/", fstest.MapFS{".placeholder": {Data: []byte("p")}}, 503, "no-cache", "text/plain; charset=utf-8", "npm run build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			newHandler(tt.fsys, opts).ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if got := res.StatusCode; got != tt.wantStatus {
				t.Errorf("status = %d, want %d", got, tt.wantStatus)
			}
			if got := res.Header.Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			if got := res.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if tt.wantBody == "" {
				if len(body) != 0 {
					t.Errorf("body = %q, want empty", body)
				}
			} else if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body = %q, want it to contain %q", body, tt.wantBody)
			}
		})
	}
}
