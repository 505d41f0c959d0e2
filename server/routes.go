package server

// routes registers every route of the service, in one place, so that what
// the API offers can be read at a glance. The OpenAPI document lists the
// same routes; TestOpenAPIMatchesRoutes fails when the two disagree.
func (s *Server) routes() {
	s.middleware()

	s.app.Get("/healthz", s.healthz)
	s.app.Get("/readyz", s.readyz)
	s.app.Get("/metrics", s.metrics.handler())

	api := s.app.Group("/api/v1")
	api.Get("/openapi.json", s.openAPI)
}
