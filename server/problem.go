package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"commonground/apperr"
)

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
}

// problemTypeBase prefixes every problem type; the suffix is the error kind.
const problemTypeBase = "urn:commonground:problem:"

var kindStatus = map[apperr.Kind]int{
	apperr.Internal:        http.StatusInternalServerError,
	apperr.Invalid:         http.StatusBadRequest,
	apperr.Unprocessable:   http.StatusUnprocessableEntity,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Unauthorized:    http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.Unavailable:     http.StatusServiceUnavailable,
	apperr.TooLarge:        http.StatusRequestEntityTooLarge,
	apperr.TooManyRequests: http.StatusTooManyRequests,
}

// statusKind maps the HTTP errors Fiber raises itself to error kinds.
var statusKind = map[int]apperr.Kind{
	http.StatusBadRequest:            apperr.Invalid,
	http.StatusNotFound:              apperr.NotFound,
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: apperr.TooLarge,
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusRequestTimeout:        "timeout",
	http.StatusServiceUnavailable:    apperr.Unavailable,
	http.StatusTooManyRequests:       apperr.TooManyRequests,
}

// handleError is the one place where errors become responses.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	p := Problem{
		Instance:  string([]byte(c.OriginalURL())),
		RequestID: requestID(c),
	}
	var ae *apperr.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &ae):
		p.Status = kindStatus[ae.Kind]
		if p.Status == 0 {
			p.Status = http.StatusInternalServerError
		}
		p.Type = problemTypeBase + string(ae.Kind)
		p.Detail = ae.Message
		p.Errors = ae.Fields
		if ae.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ae.RetryAfter))
		}
		if ae.Kind == apperr.Unauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="commonground"`)
		}
		if p.Status == http.StatusInternalServerError {
			p.Detail = "an unexpected error occurred; it has been logged with the request id"
			s.logger.Error("request failed", "request_id", p.RequestID, "route", routePath(c), "err", err)
		} else if ae.Err != nil {
			s.logger.Warn("request refused", "request_id", p.RequestID, "route", routePath(c), "kind", string(ae.Kind), "err", ae.Err)
		}
	case errors.As(err, &fe):
		if fe.Code == http.StatusMethodNotAllowed && len(s.allowedMethods(c.Path())) == 0 {
			// Only the web app's catch-all matched the path: for the API
			// that is an unknown route, not a wrong method.
			fe = fiber.ErrNotFound
		}
		p.Status = fe.Code
		kind, ok := statusKind[fe.Code]
		if !ok {
			kind = apperr.Kind(strings.ToLower(strings.ReplaceAll(http.StatusText(fe.Code), " ", "_")))
		}
		p.Type = problemTypeBase + string(kind)
		p.Detail = fiberDetail(c, fe)
		if fe.Code == http.StatusMethodNotAllowed {
			c.Set(fiber.HeaderAllow, strings.Join(s.allowedMethods(c.Path()), ", "))
		}
		if fe.Code >= 500 {
			s.logger.Error("request failed", "request_id", p.RequestID, "err", err)
		}
	default:
		p.Status = http.StatusInternalServerError
		p.Type = problemTypeBase + string(apperr.Internal)
		p.Detail = "an unexpected error occurred; it has been logged with the request id"
		s.logger.Error("request failed", "request_id", p.RequestID, "route", routePath(c), "err", err)
	}
	p.Title = http.StatusText(p.Status)
	return writeProblem(c, p)
}

func writeProblem(c *fiber.Ctx, p Problem) error {
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Set(fiber.HeaderCacheControl, "no-store")
	body, err := jsonMarshal(p)
	if err != nil {
		return c.SendString(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
	}
	return c.Send(body)
}

func fiberDetail(c *fiber.Ctx, fe *fiber.Error) string {
	switch fe.Code {
	case http.StatusNotFound:
		return fmt.Sprintf("no route matches %s %s", c.Method(), c.Path())
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf("%s is not allowed on %s", c.Method(), c.Path())
	case http.StatusRequestEntityTooLarge:
		return "the request body is too large"
	case http.StatusBadRequest:
		// Fiber's own 400s come from request parsing and quote the request.
		return "the request could not be parsed as HTTP"
	}
	return strings.ToLower(fe.Message)
}

// allowedMethods lists the methods registered for routes matching path.
func (s *Server) allowedMethods(path string) []string {
	var methods []string
	for _, r := range s.app.GetRoutes(true) {
		if r.Path == "/*" && isAPIPath(path) {
			continue // the web app's catch-all serves no API path
		}
		if matchRoute(r.Path, path) && !slices.Contains(methods, r.Method) {
			methods = append(methods, r.Method)
		}
	}
	slices.Sort(methods)
	return methods
}

// matchRoute reports whether a concrete path matches a Fiber route pattern
// with :params and a trailing *.
func matchRoute(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		if p == "*" || strings.HasPrefix(p, "*") {
			return true
		}
		if i >= len(xs) {
			return false
		}
		if strings.HasPrefix(p, ":") {
			if xs[i] == "" {
				return false
			}
			continue
		}
		if p != xs[i] {
			return false
		}
	}
	return len(ps) == len(xs)
}

// routePath is the template of the route that answered, for logs and
// metric labels; "unmatched" when only middleware ran.
func routePath(c *fiber.Ctx) string {
	// A middleware route's path is a prefix of the request's, so it does
	// not match the whole path.
	if r := c.Route(); r != nil && r.Path != "" && r.Path != "/" && matchRoute(r.Path, c.Path()) &&
		!(r.Path == "/*" && isAPIPath(c.Path())) {
		return r.Path
	}
	return "unmatched"
}
