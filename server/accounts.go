package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"commonground/apperr"
	"commonground/auth"
)

// accountResponse is an account as its owner or a steward sees it.
type accountResponse struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Locale      string    `json:"locale"`
	Roles       []string  `json:"roles"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toAccountResponse(a *auth.Account) accountResponse {
	roles := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		roles[i] = string(r)
	}
	return accountResponse{ID: a.ID, Email: a.Email, DisplayName: a.DisplayName, Locale: string(a.Locale),
		Roles: roles, Disabled: a.Disabled, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// sessionResponse hands a client its tokens. The refresh token is in the
// body only for API clients; a browser asks for it in a cookie.
type sessionResponse struct {
	Account          accountResponse `json:"account"`
	AccessToken      string          `json:"access_token"`
	TokenType        string          `json:"token_type"`
	ExpiresIn        int             `json:"expires_in"`
	ExpiresAt        time.Time       `json:"expires_at"`
	RefreshToken     string          `json:"refresh_token,omitempty"`
	RefreshExpiresAt time.Time       `json:"refresh_expires_at"`
}

// refreshIn says where the client wants its refresh token: "body" (API
// clients, the default) or "cookie" (browsers).
func checkRefreshIn(v string) error {
	switch v {
	case "", "body", "cookie":
		return nil
	}
	return apperr.Validation([]apperr.FieldError{{Field: "refresh_in", Reason: `must be "body" or "cookie"`}})
}

func (s *Server) sendSession(c *fiber.Ctx, status int, sess *auth.Session, refreshIn string) error {
	resp := sessionResponse{
		Account:          toAccountResponse(sess.Account),
		AccessToken:      sess.AccessToken,
		TokenType:        "Bearer",
		ExpiresIn:        int(time.Until(sess.AccessExpires).Round(time.Second).Seconds()),
		ExpiresAt:        sess.AccessExpires,
		RefreshExpiresAt: sess.RefreshExpires,
	}
	if refreshIn == "cookie" {
		setRefreshCookie(c, sess.RefreshToken, sess.RefreshExpires)
	} else {
		resp.RefreshToken = sess.RefreshToken
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return writeJSON(c, status, resp)
}

type registerRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Locale      string `json:"locale"`
	RefreshIn   string `json:"refresh_in"`
}

func (s *Server) register(c *fiber.Ctx) error {
	var req registerRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if err := checkRefreshIn(req.RefreshIn); err != nil {
		return err
	}
	sess, err := s.deps.Auth.Register(c.UserContext(), auth.Registration{
		Email: req.Email, Password: req.Password, DisplayName: req.DisplayName, Locale: auth.Locale(req.Locale),
	}, meta(c))
	if err != nil {
		return err
	}
	c.Location("/api/v1/me")
	return s.sendSession(c, fiber.StatusCreated, sess, req.RefreshIn)
}

type loginRequest struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	RefreshIn string `json:"refresh_in"`
}

func (s *Server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if err := checkRefreshIn(req.RefreshIn); err != nil {
		return err
	}
	sess, err := s.deps.Auth.Login(c.UserContext(), req.Email, req.Password, meta(c))
	if err != nil {
		return err
	}
	return s.sendSession(c, fiber.StatusOK, sess, req.RefreshIn)
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// refreshToken finds the refresh token in the body (API clients) or the
// cookie (browsers), and says which.
func (s *Server) refreshToken(c *fiber.Ctx) (token, from string, err error) {
	if len(c.Request().Header.ContentType()) > 0 || c.Request().Header.ContentLength() > 0 {
		var req refreshRequest
		if err := s.decodeJSON(c, &req); err != nil {
			return "", "", err
		}
		if req.RefreshToken != "" {
			return req.RefreshToken, "body", nil
		}
	}
	if v := c.Cookies(refreshCookie); v != "" {
		return strings.Clone(v), "cookie", nil
	}
	return "", "", nil
}

func (s *Server) refresh(c *fiber.Ctx) error {
	token, from, err := s.refreshToken(c)
	if err != nil {
		return err
	}
	if token == "" {
		return apperr.New(apperr.Unauthorized, "send the refresh token in the body or its cookie")
	}
	sess, err := s.deps.Auth.Refresh(c.UserContext(), token, meta(c))
	if err != nil {
		if from == "cookie" {
			clearRefreshCookie(c)
		}
		return err
	}
	return s.sendSession(c, fiber.StatusOK, sess, from)
}

func (s *Server) logout(c *fiber.Ctx) error {
	token, _, err := s.refreshToken(c)
	if err != nil {
		return err
	}
	clearRefreshCookie(c)
	if token != "" {
		if err := s.deps.Auth.Logout(c.UserContext(), token); err != nil {
			return err
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) me(c *fiber.Ctx) error {
	a, err := s.deps.Auth.Me(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return writeJSON(c, fiber.StatusOK, toAccountResponse(a))
}

type updateMeRequest struct {
	DisplayName     *string `json:"display_name"`
	Locale          *string `json:"locale"`
	CurrentPassword *string `json:"current_password"`
	NewPassword     *string `json:"new_password"`
	// RefreshToken names the session making the change, which stays signed
	// in; browsers send it in the cookie instead.
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) updateMe(c *fiber.Ctx) error {
	var req updateMeRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	ctx, p := c.UserContext(), principal(c)
	if (req.CurrentPassword == nil) != (req.NewPassword == nil) {
		var f apperr.Fields
		if req.CurrentPassword == nil {
			f.Add("current_password", "is required to change the password")
		} else {
			f.Add("new_password", "is required with current_password")
		}
		return f.Err()
	}
	if req.NewPassword != nil {
		keep := ""
		token := req.RefreshToken
		if token == "" {
			token = strings.Clone(c.Cookies(refreshCookie))
		}
		if token != "" {
			keep = s.deps.Auth.FamilyOf(ctx, token, p.AccountID)
		}
		if err := s.deps.Auth.ChangePassword(ctx, p, *req.CurrentPassword, *req.NewPassword, keep, meta(c)); err != nil {
			return err
		}
	}
	var a *auth.Account
	var err error
	if req.DisplayName != nil || req.Locale != nil {
		u := auth.ProfileUpdate{DisplayName: req.DisplayName}
		if req.Locale != nil {
			l := auth.Locale(*req.Locale)
			u.Locale = &l
		}
		a, err = s.deps.Auth.UpdateProfile(ctx, p, u)
	} else {
		a, err = s.deps.Auth.Me(ctx, p)
	}
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, toAccountResponse(a))
}

func (s *Server) jwks(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/jwk-set+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(s.deps.Auth.Tokens.Keys().JWKS(time.Now()))
}

type accountList struct {
	Accounts   []accountResponse `json:"accounts"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

func (s *Server) listUsers(c *fiber.Ctx) error {
	var f auth.AccountFilter
	var bad apperr.Fields
	if r := c.Query("role"); r != "" {
		f.Role = auth.Role(strings.Clone(r))
		if !f.Role.Valid() {
			bad.Add("role", "must be resident, organizer or steward")
		}
	}
	f.After = strings.Clone(c.Query("after"))
	f.Limit = queryLimit(c, &bad, 100, 500)
	if err := bad.Err(); err != nil {
		return err
	}
	accounts, err := s.deps.Auth.ListAccounts(c.UserContext(), principal(c), f)
	if err != nil {
		return err
	}
	out := accountList{Accounts: make([]accountResponse, len(accounts))}
	for i, a := range accounts {
		out.Accounts[i] = toAccountResponse(a)
	}
	if len(accounts) == f.Limit {
		out.NextCursor = accounts[len(accounts)-1].ID
	}
	return writeJSON(c, fiber.StatusOK, out)
}

// queryLimit reads the limit query parameter: def when absent, at most max.
func queryLimit(c *fiber.Ctx, bad *apperr.Fields, def, max int) int {
	v := c.Query("limit")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		bad.Add("limit", "must be a whole number from 1 to %d", max)
		return def
	}
	return n
}

type rolesRequest struct {
	Roles []string `json:"roles"`
}

func (s *Server) setRoles(c *fiber.Ctx) error {
	var req rolesRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Roles == nil {
		return apperr.Validation([]apperr.FieldError{{Field: "roles", Reason: "is required"}})
	}
	roles := make([]auth.Role, len(req.Roles))
	for i, r := range req.Roles {
		roles[i] = auth.Role(r)
	}
	a, err := s.deps.Auth.SetRoles(c.UserContext(), principal(c), strings.Clone(c.Params("id")), roles, meta(c))
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, toAccountResponse(a))
}

type disabledRequest struct {
	Disabled *bool `json:"disabled"`
}

func (s *Server) setDisabled(c *fiber.Ctx) error {
	var req disabledRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Disabled == nil {
		return apperr.Validation([]apperr.FieldError{{Field: "disabled", Reason: "is required"}})
	}
	a, err := s.deps.Auth.SetDisabled(c.UserContext(), principal(c), strings.Clone(c.Params("id")), *req.Disabled, meta(c))
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, toAccountResponse(a))
}

type auditEventResponse struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Time       time.Time `json:"time"`
	ActorID    string    `json:"actor_id,omitempty"`
	TargetKind string    `json:"target_kind,omitempty"`
	TargetID   string    `json:"target_id,omitempty"`
	Purpose    string    `json:"purpose,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	ClientAddr string    `json:"client_addr,omitempty"`
	RequestID  string    `json:"request_id,omitempty"`
}

type auditList struct {
	Events     []auditEventResponse `json:"events"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

func (s *Server) auditLog(c *fiber.Ctx) error {
	var f auth.EventFilter
	var bad apperr.Fields
	f.Kind = auth.EventKind(strings.Clone(c.Query("kind")))
	f.ActorID = strings.Clone(c.Query("actor_id"))
	f.TargetID = strings.Clone(c.Query("target_id"))
	f.After = strings.Clone(c.Query("after"))
	f.Since = queryTime(c, &bad, "since")
	f.Until = queryTime(c, &bad, "until")
	f.Limit = queryLimit(c, &bad, auth.DefaultEventPage, auth.MaxEventPage)
	if err := bad.Err(); err != nil {
		return err
	}
	events, err := s.deps.Auth.AuditLog(c.UserContext(), principal(c), f)
	if err != nil {
		return err
	}
	out := auditList{Events: make([]auditEventResponse, len(events))}
	for i, e := range events {
		out.Events[i] = auditEventResponse{ID: e.ID, Kind: string(e.Kind), Time: e.Time, ActorID: e.ActorID,
			TargetKind: e.TargetKind, TargetID: e.TargetID, Purpose: e.Purpose, Reason: e.Reason,
			ClientAddr: e.ClientAddr, RequestID: e.RequestID}
	}
	if len(events) == f.PageSize() {
		out.NextCursor = events[len(events)-1].ID
	}
	return writeJSON(c, fiber.StatusOK, out)
}

func queryTime(c *fiber.Ctx, bad *apperr.Fields, name string) time.Time {
	v := c.Query(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		bad.Add(name, "must be an RFC 3339 time such as 2026-01-31T12:00:00Z")
	}
	return t
}
