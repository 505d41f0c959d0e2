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

	// Fund pool: anyone reads campaigns, ledgers and the map and may pledge;
	// organizers run campaigns; a steward may approve disbursements.
	runs := s.requireRole(auth.RoleOrganizer, auth.RoleSteward)
	api.Get("/campaigns", s.listCampaigns)
	api.Post("/campaigns", runs, s.createCampaign)
	api.Get("/campaigns/:id", s.getCampaign)
	api.Patch("/campaigns/:id", runs, s.updateCampaign)
	api.Post("/campaigns/:id/transitions", runs, s.transitionCampaign)
	api.Get("/campaigns/:id/pledges", runs, s.listPledges)
	api.Post("/campaigns/:id/pledges", s.createPledge)
	api.Post("/campaigns/:id/grants", runs, s.createGrant)
	api.Post("/campaigns/:id/loans", runs, s.createLoan)
	api.Post("/campaigns/:id/receipts", runs, s.createReceipt)
	api.Get("/campaigns/:id/disbursements", runs, s.listDisbursements)
	api.Post("/campaigns/:id/disbursements", runs, s.proposeDisbursement)
	api.Post("/campaigns/:id/disbursements/:disbursement_id/approve", runs, s.decideDisbursement(true))
	api.Post("/campaigns/:id/disbursements/:disbursement_id/reject", runs, s.decideDisbursement(false))
	api.Get("/campaigns/:id/ledger", s.campaignLedger)
	api.Get("/campaigns/:id/ledger/verify", runs, s.verifyCampaignLedger)
	api.Get("/map/campaigns", s.campaignMap)
}
