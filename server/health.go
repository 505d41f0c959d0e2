package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"commonground/apperr"
)

type statusResponse struct {
	Status string `json:"status"`
}

// healthz says the process is alive; it touches nothing else.
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return writeJSON(c, fiber.StatusOK, statusResponse{Status: "ok"})
}

// readyz says whether the service can do its work: the database answers
// within a second.
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.deps.DB == nil {
		return apperr.New(apperr.Unavailable, "no database is configured")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), time.Second)
	defer cancel()
	if err := s.deps.DB.Ping(ctx); err != nil {
		return &apperr.Error{Kind: apperr.Unavailable, Message: "the database is not answering", RetryAfter: 1, Err: err}
	}
	return writeJSON(c, fiber.StatusOK, statusResponse{Status: "ready"})
}
