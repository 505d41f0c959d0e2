package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"commonground/apperr"
	"commonground/auth"
)

const principalKey = "principal"

// anonymous is the principal of a request without credentials.
var anonymous = &auth.Principal{}

// principal returns who is calling: never nil; an anonymous caller has an
// empty AccountID.
func principal(c *fiber.Ctx) *auth.Principal {
	if p, ok := c.Locals(principalKey).(*auth.Principal); ok {
		return p
	}
	return anonymous
}

// authenticate reads a bearer access token when one is sent. No token means
// an anonymous caller; a token that does not verify, or whose account is
// gone or disabled, is refused with 401 rather than treated as anonymous,
// so a client learns at once that it must sign in again.
func (s *Server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" || s.deps.Auth == nil {
		c.Locals(principalKey, anonymous)
		return c.Next()
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return apperr.New(apperr.Unauthorized, "send the access token as: Authorization: Bearer <token>")
	}
	claims, err := s.deps.Auth.Tokens.Verify(token)
	if err != nil {
		return err
	}
	a, err := s.deps.Auth.Store.FindAccountByID(c.UserContext(), claims.AccountID)
	if err != nil || a.Disabled {
		return apperr.New(apperr.Unauthorized, "sign in to continue")
	}
	c.Locals(principalKey, claims.Principal())
	return c.Next()
}

// requireSignedIn refuses anonymous callers with 401.
func (s *Server) requireSignedIn(c *fiber.Ctx) error {
	if err := auth.RequireAuthenticated(principal(c)); err != nil {
		return err
	}
	return c.Next()
}

// requireRole lets through callers holding any of roles: 401 for anonymous
// callers, 404 for the others, so that a route reserved to stewards does
// not reveal what it manages.
func (s *Server) requireRole(roles ...auth.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := auth.RequireAuthenticated(p); err != nil {
			return err
		}
		for _, r := range roles {
			if p.HasRole(r) {
				return c.Next()
			}
		}
		return apperr.New(apperr.NotFound, "no route matches %s %s", c.Method(), c.Path())
	}
}

// meta is what the identity service records about the request.
func meta(c *fiber.Ctx) auth.Meta {
	return auth.Meta{ClientAddr: strings.Clone(c.IP()), RequestID: requestID(c)}
}

// refreshCookie is the browser's refresh token: HttpOnly so scripts cannot
// read it, Secure and SameSite=Strict, and sent only to the auth routes.
const refreshCookie = "cg_refresh"

func setRefreshCookie(c *fiber.Ctx, token string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name:     refreshCookie,
		Value:    token,
		Path:     "/api/v1/auth",
		Expires:  expires,
		HTTPOnly: true,
		Secure:   true,
		SameSite: fiber.CookieSameSiteStrictMode,
	})
}

func clearRefreshCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name:     refreshCookie,
		Value:    "",
		Path:     "/api/v1/auth",
		Expires:  time.Unix(0, 0),
		MaxAge:   -1,
		HTTPOnly: true,
		Secure:   true,
		SameSite: fiber.CookieSameSiteStrictMode,
	})
}
