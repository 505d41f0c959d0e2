package server

import (
	"github.com/gofiber/fiber/v2"

	"commonground/auth"
)

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

	s.communityRoutes(api)
	s.fundRoutes(api)
	s.geoRoutes(api)
	s.householdRoutes(api)

	// The web app answers every other GET: its files, and index.html for
	// its own routes. It comes last so that it never shadows the API.
	if s.deps.WebApp != nil {
		s.app.Get("/*", s.webApp())
	}
}

// householdRoutes are households: a resident registers and manages their
// own; organizers and stewards find, review, export and import them within
// what each household consented to; the public map and the consent texts
// are open to anyone. The static paths come before /households/:id.
func (s *Server) householdRoutes(api fiber.Router) {
	staff := s.requireRole(auth.RoleOrganizer, auth.RoleSteward)
	api.Get("/consent-texts", s.consentTexts)
	api.Get("/map/households", s.householdMap)
	api.Get("/me/household", s.requireSignedIn, s.myHousehold)
	api.Get("/me/household/export", s.requireSignedIn, s.exportMyHousehold)
	api.Post("/me/household/claim", s.requireSignedIn, s.claimHousehold)
	api.Post("/me/household/voter-code", s.requireSignedIn, s.issueVoterCode)
	api.Post("/me/household/voters", s.requireSignedIn, s.joinHouseholdAsVoter)
	api.Delete("/me/household/voters/:accountId", s.requireSignedIn, s.removeHouseholdVoter)
	api.Get("/me/voter-household", s.requireSignedIn, s.myVoterHousehold)
	api.Post("/households", s.requireSignedIn, s.createHousehold)
	api.Get("/households", staff, s.listHouseholds)
	api.Get("/households/duplicates", staff, s.householdDuplicates)
	api.Get("/households/export.csv", staff, s.exportHouseholdsCSV)
	api.Post("/households/import", staff, withTimeout(importTimeout), s.importHouseholds)
	api.Get("/households/:id", s.requireSignedIn, s.getHousehold)
	api.Patch("/households/:id", s.requireSignedIn, s.updateHousehold)
	api.Delete("/households/:id", s.requireSignedIn, s.deleteHousehold)
	api.Post("/households/:id/not-duplicate", staff, s.markNotDuplicate)
	api.Post("/households/:id/claim-code", staff, s.issueClaimCode)
}

// geoRoutes are parcels, hazard zones and matching. Reads of parcels are
// open and filtered by who asks (see parcels.go); writes are organizers' work.
func (s *Server) geoRoutes(api fiber.Router) {
	staff := s.requireRole(auth.RoleOrganizer, auth.RoleSteward)
	api.Get("/parcels", s.listParcels)
	api.Post("/parcels", staff, s.createParcel)
	api.Post("/parcels/import", staff, withTimeout(importTimeout), s.importParcels)
	api.Post("/parcels/search", s.searchParcels)
	api.Get("/parcels/:id", s.getParcel)
	api.Patch("/parcels/:id", staff, s.updateParcel)
	api.Delete("/parcels/:id", staff, s.deleteParcel)
	api.Get("/hazards", s.listHazards)
	api.Post("/hazards/import", staff, withTimeout(importTimeout), s.importHazards)
	api.Delete("/hazards/:id", staff, s.deleteHazard)
	api.Post("/matches", staff, s.match)
}

// fundRoutes are the fund pool's: anyone reads campaigns, ledgers and the
// map and may pledge; organizers run campaigns; a steward may approve
// disbursements.
func (s *Server) fundRoutes(api fiber.Router) {
	runs := s.requireRole(auth.RoleOrganizer, auth.RoleSteward)
	api.Get("/campaigns", s.listCampaigns)
	api.Post("/campaigns", runs, s.createCampaign)
	api.Get("/campaigns/:id", s.getCampaign)
	api.Patch("/campaigns/:id", runs, s.updateCampaign)
	api.Post("/campaigns/:id/transitions", runs, s.transitionCampaign)
	api.Get("/campaigns/:id/pledges", runs, s.listPledges)
	api.Post("/campaigns/:id/pledges", s.createPledge)
	api.Post("/campaigns/:id/pledges/:pledge_id/cancel", s.requireSignedIn, s.cancelPledge)
	api.Get("/campaigns/:id/pledge-form", s.pledgeForm)
	api.Post("/campaigns/:id/grants", runs, s.createGrant)
	api.Post("/campaigns/:id/loans", runs, s.createLoan)
	api.Post("/campaigns/:id/receipts", runs, s.createReceipt)
	api.Get("/campaigns/:id/disbursements", runs, s.listDisbursements)
	api.Post("/campaigns/:id/disbursements", runs, s.proposeDisbursement)
	api.Post("/campaigns/:id/disbursements/:disbursement_id/approve", runs, s.decideDisbursement(true))
	api.Post("/campaigns/:id/disbursements/:disbursement_id/reject", runs, s.decideDisbursement(false))
	api.Get("/campaigns/:id/ledger", s.campaignLedger)
	api.Get("/campaigns/:id/ledger/verify", runs, s.verifyCampaignLedger)
	api.Post("/campaigns/:id/ledger/:transaction_id/reversal", runs, s.reverseTransaction)
	api.Get("/map/campaigns", s.campaignMap)
}

// communityRoutes are communities, their bylaws and roles, membership
// from application to exit, proposals and votes, and the board. Reading a
// community or its board is public; everything else needs an account, and
// the community package decides per object who may do what.
func (s *Server) communityRoutes(api fiber.Router) {
	api.Get("/me/memberships", s.requireSignedIn, s.myMemberships)

	api.Get("/communities", s.listCommunities)
	api.Post("/communities", s.requireSignedIn, s.createCommunity)
	api.Get("/communities/:id", s.getCommunity)
	api.Patch("/communities/:id", s.requireSignedIn, s.updateCommunity)
	api.Get("/communities/:id/bylaws", s.getBylaws)
	api.Get("/communities/:id/board", s.getBoard)

	api.Get("/communities/:id/roles", s.requireSignedIn, s.listRoles)
	api.Post("/communities/:id/roles", s.requireSignedIn, s.grantRole)
	api.Delete("/communities/:id/roles/:accountId/:role", s.requireSignedIn, s.revokeRole)

	api.Get("/communities/:id/memberships", s.requireSignedIn, s.listMemberships)
	api.Post("/communities/:id/memberships", s.requireSignedIn, s.apply)
	api.Post("/communities/:id/founding-members", s.requireSignedIn, s.addFoundingMember)
	api.Get("/communities/:id/memberships/:mid", s.requireSignedIn, s.getMembership)
	api.Post("/communities/:id/memberships/:mid/review", s.requireSignedIn, s.reviewMembership)
	api.Post("/communities/:id/memberships/:mid/payments", s.requireSignedIn, s.recordPayment)
	api.Post("/communities/:id/memberships/:mid/milestones", s.requireSignedIn, s.completeMilestone)
	api.Post("/communities/:id/memberships/:mid/withdraw", s.requireSignedIn, s.withdrawMembership)
	api.Post("/communities/:id/memberships/:mid/exit", s.requireSignedIn, s.exitMembership)
	api.Post("/communities/:id/memberships/:mid/representative", s.requireSignedIn, s.changeRepresentative)

	api.Get("/communities/:id/proposals", s.requireSignedIn, s.listProposals)
	api.Post("/communities/:id/proposals", s.requireSignedIn, s.createProposal)
	api.Get("/communities/:id/proposals/:pid", s.requireSignedIn, s.getProposal)
	api.Post("/communities/:id/proposals/:pid/open", s.requireSignedIn, s.openProposal)
	api.Post("/communities/:id/proposals/:pid/ballots", s.requireSignedIn, s.castBallot)
	api.Post("/communities/:id/proposals/:pid/close", s.requireSignedIn, s.closeProposal)
	api.Get("/communities/:id/proposals/:pid/results", s.requireSignedIn, s.getResults)
}
