// Package server is Common Ground's HTTP API: a Fiber v2 application under
// /api/v1 with its middleware, handlers, error mapping and OpenAPI document.
//
// Handlers decode and validate wire types, call the domain packages through
// the interfaces in Deps, and return errors; one error handler turns every
// error into an RFC 9457 problem response. The server never keeps Fiber's
// request buffers past a handler: bodies are read into fresh slices and
// strings taken from the request are copied.
package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"commonground/auth"
	"commonground/community"
	"commonground/fundpool"
	"commonground/geo"
)

// Config tunes the HTTP layer.
type Config struct {
	// RequestTimeout bounds every request; handlers get it as their
	// context's deadline. Default 10 s.
	RequestTimeout time.Duration
	// BodyLimit is the largest JSON body a route accepts unless the route
	// sets its own. Default 1 MiB.
	BodyLimit int64
	// MaxInFlight is how many requests run at once; more get a fast 503.
	// Default 1024.
	MaxInFlight int64
	// CORSOrigins lists origins allowed to call the API from a browser;
	// empty turns CORS off.
	CORSOrigins []string
	// Logger receives the access log and handled errors.
	Logger *slog.Logger
}

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are the services the handlers call.
type Deps struct {
	// DB answers the readiness check.
	DB Pinger
	// Metrics collects request and store metrics; nil creates a fresh one.
	Metrics *Metrics
	// Auth runs accounts, sessions, roles and the audit log.
	Auth *auth.Service
	// WebApp serves the web app's files; nil serves none.
	WebApp http.Handler
	// Community runs communities, memberships, proposals and boards.
	Community *CommunityDeps
	// Funds runs the fund pool: campaigns, sources of money and the ledger.
	Funds *fundpool.Pool
	// Parcels locates parcels for the campaign map; nil maps campaigns
	// without geometry.
	Parcels ParcelLocator
	// Households runs household registration, consent, duplicates and the
	// public household grid.
	Households *community.Households
	// Geo keeps parcels and hazard zones and answers map queries and
	// matching; when Parcels is nil it also locates campaign parcels.
	Geo *geo.Parcels
}

// Server is the HTTP API.
type Server struct {
	app      *fiber.App
	cfg      Config
	deps     Deps
	logger   *slog.Logger
	metrics  *Metrics
	inFlight atomic.Int64
	geoms    geometryCache
	// flights tracks requests with an Idempotency-Key while they run.
	flights keyedFlights
}

// New builds the application and registers every route.
func New(cfg Config, deps Deps) *Server {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 1024
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Metrics == nil {
		deps.Metrics = NewMetrics()
	}
	if deps.Parcels == nil && deps.Geo != nil {
		deps.Parcels = geoLocator{deps.Geo}
	}
	s := &Server{cfg: cfg, deps: deps, logger: cfg.Logger, metrics: deps.Metrics}
	s.app = fiber.New(fiber.Config{
		AppName:               "commonground",
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		// Bodies are streamed so that each route enforces its own limit and
		// an import can be decoded without holding it all; this is only the
		// size read ahead before a handler runs.
		StreamRequestBody: true,
		BodyLimit:         64 << 10,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Large enough that an oversized header (a 100 KB token) reaches
		// the handlers and gets a proper answer instead of a bare 431.
		ReadBufferSize: 128 << 10,
		// Handlers copy what they keep; Immutable would copy every string.
		Immutable: false,
	})
	s.routes()
	return s
}

// App returns the Fiber application, for tests that drive it directly.
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits up to timeout for requests
// in flight to finish.
func (s *Server) Shutdown(timeout time.Duration) error {
	err := s.app.ShutdownWithTimeout(timeout)
	s.flights.wait() // responses still being remembered, before the store closes
	return err
}
