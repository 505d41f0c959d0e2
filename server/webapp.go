package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// webApp serves the web app. A path under /api/ that no API route matched
// is the API's own problem, never the app's index page: 405 with Allow when
// the path has routes for other methods (a GET of a POST-only route reaches
// this catch-all), 404 otherwise.
func (s *Server) webApp() fiber.Handler {
	h := adaptor.HTTPHandler(s.deps.WebApp)
	return func(c *fiber.Ctx) error {
		if isAPIPath(c.Path()) {
			if len(s.allowedMethods(c.Path())) > 0 {
				return fiber.ErrMethodNotAllowed
			}
			return fiber.ErrNotFound
		}
		return h(c)
	}
}

func isAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }
