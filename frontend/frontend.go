// Package frontend holds the Common Ground web app and serves its built files.
//
// The app's sources (TypeScript, Vite) live beside this file; `npm run build`
// writes the output to dist/, which is embedded into the Go binary. A fresh
// clone has only dist/.placeholder (committed, and copied back by every build
// from public/), so the embed compiles and `go test ./...` passes before the
// app has been built; Built reports whether it has.
package frontend

import (
	"bytes"
	"embed"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// files holds the build output. The all: prefix keeps dist/.placeholder,
// which is what makes the pattern valid when the app has not been built.
//
//go:embed all:dist
var files embed.FS

// Dist returns the build output rooted at dist: "index.html", "assets/...".
func Dist() fs.FS {
	sub, err := fs.Sub(files, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path; "dist" is a constant.
		panic(err)
	}
	return sub
}

// Built reports whether the embedded output holds a built app (index.html).
func Built() bool {
	_, err := fs.Stat(Dist(), "index.html")
	return err == nil
}

// Options configures what Handler tells the page.
type Options struct {
	// TileURL is a raster tile template such as
	// "https://tiles.example.org/{z}/{x}/{y}.png" (COMMONGROUND_TILE_URL);
	// empty means the offline vector basemap alone.
	TileURL string
	// TileAttribution is the credit line the tile provider requires
	// (COMMONGROUND_TILE_ATTRIBUTION); it is shown as text, never as HTML.
	TileAttribution string
}

// assetCache is for files whose names carry a content hash: they never change.
const assetCache = "public, max-age=31536000, immutable"

// Handler serves the web app from the embedded files: hashed assets under
// /assets/ with a one-year immutable cache, other files revalidated on every
// use, and index.html (with the page configuration filled in) for any other
// GET of an app route, so that deep links such as /campaigns/42 work.
// Paths under /api/ are never answered with the app: they get 404, so that an
// unknown API route is not mistaken for a page.
//
// The handler is a plain net/http handler; a Fiber app mounts it after its
// API routes with github.com/gofiber/fiber/v2/middleware/adaptor:
//
//	app.Use(adaptor.HTTPHandler(frontend.Handler(frontend.Options{TileURL: cfg.TileURL})))
func Handler(opts Options) http.Handler {
	return newHandler(Dist(), opts)
}

func newHandler(dist fs.FS, opts Options) http.Handler {
	index, err := fs.ReadFile(dist, "index.html")
	if err == nil {
		index = injectConfig(index, opts)
	}
	return &handler{dist: dist, index: index, built: err == nil}
}

type handler struct {
	dist  fs.FS
	index []byte
	built bool
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	name := strings.TrimPrefix(p, "/")
	if name != "" && name != "index.html" && servable(name) {
		if data, err := fs.ReadFile(h.dist, name); err == nil {
			if strings.HasPrefix(name, "assets/") {
				w.Header().Set("Cache-Control", assetCache)
			} else {
				w.Header().Set("Cache-Control", "no-cache")
			}
			if ct := contentType(name); ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			_, _ = w.Write(ifGet(r, data))
			return
		}
	}
	// A missing asset or file with an extension is a 404, not the app: a
	// stale hashed script must fail loudly instead of loading HTML as code.
	if path.Ext(name) != "" && name != "index.html" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	if !h.built {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(ifGet(r, []byte("The Common Ground web app has not been built: run `npm ci && npm run build` in frontend/ (make run does it).\n")))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(ifGet(r, h.index))
}

// webTypes fixes the types of what a Vite build emits, so that they do not
// depend on the machine's /etc/mime.types.
var webTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".webp":  "image/webp",
	".woff2": "font/woff2",
	".ico":   "image/x-icon",
	".txt":   "text/plain; charset=utf-8",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ct, ok := webTypes[ext]; ok {
		return ct
	}
	return mime.TypeByExtension(ext)
}

// servable rejects hidden files (such as .placeholder) and anything with an
// empty or dot segment, which fs.ValidPath would refuse anyway.
func servable(name string) bool {
	if !fs.ValidPath(name) {
		return false
	}
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return false
		}
	}
	return true
}

func ifGet(r *http.Request, body []byte) []byte {
	if r.Method == http.MethodHead {
		return nil
	}
	return body
}

// injectConfig fills the page's commonground-* meta tags, escaped as HTML
// attribute values.
func injectConfig(index []byte, opts Options) []byte {
	out := bytes.Replace(index,
		[]byte(`<meta name="commonground-tile-url" content="">`),
		[]byte(`<meta name="commonground-tile-url" content="`+html.EscapeString(opts.TileURL)+`">`), 1)
	return bytes.Replace(out,
		[]byte(`<meta name="commonground-tile-attribution" content="">`),
		[]byte(`<meta name="commonground-tile-attribution" content="`+html.EscapeString(opts.TileAttribution)+`">`), 1)
}
