package server

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/cors"

	"commonground/apperr"
)

const requestIDKey = "request_id"

// requestID returns the id given to the request by withRequestID.
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// withRequestID takes a well-formed X-Request-Id from the client or makes one,
// and echoes it in the response.
func withRequestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !validRequestID(id) {
		id = fmt.Sprintf("%016x", rand.Uint64())
	} else {
		id = strings.Clone(id)
	}
	c.Locals(requestIDKey, id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// recoverPanics turns a panic into a 500 problem; the stack goes to the log only.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("handler panicked", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = apperr.New(apperr.Internal, "internal error")
		}
	}()
	return c.Next()
}

// observe writes the access log line and the request metrics after the
// handler and the error handler have run.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler write the response now so that the status
		// logged and counted is the one the client gets.
		if herr := s.handleError(c, err); herr != nil {
			s.logger.Error("error handler failed", "err", herr)
		}
	}
	status := c.Response().StatusCode()
	route := routePath(c)
	elapsed := time.Since(start)
	s.metrics.observeRequest(c.Method(), route, status, elapsed)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	s.logger.LogAttrs(context.Background(), level, "request served",
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Method()),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
	)
	return nil
}

// limitInFlight answers 503 at once when too many requests are running, so
// that under overload no request waits past its deadline.
func (s *Server) limitInFlight(c *fiber.Ctx) error {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	s.metrics.inFlight.Set(float64(n))
	if n > s.cfg.MaxInFlight {
		s.metrics.rejected.Inc()
		return &apperr.Error{Kind: apperr.Unavailable, Message: "the server is busy; try again in a moment", RetryAfter: 1}
	}
	return c.Next()
}

// withDeadline gives the request a context that ends at the request timeout;
// handlers pass c.UserContext() down so that no work outlives it.
func (s *Server) withDeadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// importTimeout bounds the routes that take bulk uploads (up to 100 MB of
// GeoJSON or a CSV of 50,000 rows), which need longer than a normal request.
const importTimeout = 5 * time.Minute

// withTimeout gives one route a deadline of its own instead of the server's
// request timeout; it goes in the route's handler list.
func withTimeout(d time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// securityHeaders sets the headers every response carries.
func securityHeaders(c *fiber.Ctx) error {
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'")
	return c.Next()
}

func (s *Server) middleware() {
	s.app.Use(withRequestID, s.observe, s.recoverPanics, securityHeaders, s.limitInFlight, s.withDeadline)
	s.app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	if len(s.cfg.CORSOrigins) > 0 {
		s.app.Use(cors.New(cors.Config{
			AllowOrigins:     strings.Join(s.cfg.CORSOrigins, ","),
			AllowMethods:     "GET,POST,PUT,PATCH,DELETE",
			AllowHeaders:     "Authorization,Content-Type,Idempotency-Key,X-Request-Id",
			ExposeHeaders:    "X-Request-Id,Retry-After,Location",
			AllowCredentials: true,
			MaxAge:           600,
		}))
	}
}
