package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// webApp serves the web app. A path under /api/ that no API route matched
// is the API's own 404 problem, never the app's index page.
func (s *Server) webApp() fiber.Handler {
	h := adaptor.HTTPHandler(s.deps.WebApp)
	return func(c *fiber.Ctx) error {
		if isAPIPath(c.Path()) {
			return fiber.ErrNotFound
		}
		return h(c)
	}
}

func isAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }
