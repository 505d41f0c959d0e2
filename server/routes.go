package server

import "commonground/auth"

// routes registers every route of the service, in one place, so that what
// the API offers can be read at a glance. The OpenAPI document lists the
// same routes; TestOpenAPIMatchesRoutes fails when the two disagree.
func (s *Server) routes() {
	s.middleware()

	s.app.Get("/healthz", s.healthz)
	s.app.Get("/readyz", s.readyz)
	s.app.Get("/metrics", s.metrics.handler())

	api := s.app.Group("/api/v1", s.authenticate)
	api.Get("/openapi.json", s.openAPI)

	// Identity: accounts, sessions, roles, audit.
	api.Post("/auth/register", s.register)
	api.Post("/auth/login", s.login)
	api.Post("/auth/refresh", s.refresh)
	api.Post("/auth/logout", s.logout)
	api.Get("/auth/jwks.json", s.jwks)
	api.Get("/me", s.requireSignedIn, s.me)
	api.Patch("/me", s.requireSignedIn, s.updateMe)
	api.Get("/users", s.requireRole(auth.RoleSteward), s.listUsers)
	api.Put("/users/:id/roles", s.requireRole(auth.RoleSteward), s.setRoles)
	api.Put("/users/:id/disabled", s.requireRole(auth.RoleSteward), s.setDisabled)
	api.Get("/audit", s.requireRole(auth.RoleSteward), s.auditLog)

	// Geo: parcels, hazard zones, matching. Reads of parcels are open and
	// filtered by who asks (see parcels.go); writes are organizers' work.
	staff := s.requireRole(auth.RoleOrganizer, auth.RoleSteward)
	api.Get("/parcels", s.listParcels)
	api.Post("/parcels", staff, s.createParcel)
	api.Post("/parcels/import", staff, s.importParcels)
	api.Post("/parcels/search", s.searchParcels)
	api.Get("/parcels/:id", s.getParcel)
	api.Patch("/parcels/:id", staff, s.updateParcel)
	api.Delete("/parcels/:id", staff, s.deleteParcel)
	api.Get("/hazards", s.listHazards)
	api.Post("/hazards/import", staff, s.importHazards)
	api.Delete("/hazards/:id", staff, s.deleteHazard)
	api.Post("/matches", staff, s.match)
}
