package demo_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"commonground/demo"
	"commonground/service"
	"commonground/service/servicetest"
)

// TestDemoMap starts the service with the demo and checks what a visitor
// of the map sees: the campaign parcels with their outline, the fire
// perimeter and the floodway; seeding again adds nothing.
func TestDemoMap(t *testing.T) {
	env := servicetest.Start(t, func(c *service.Config) { c.Demo = true })
	parcels := env.Service.Parcels
	if n := parcels.Len(); n != 2000 {
		t.Fatalf("demo parcels = %d, want 2000", n)
	}
	var fc struct {
		Features []struct {
			ID       string          `json:"id"`
			Geometry json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	r := env.Do(t, "GET", "/api/v1/hazards", nil)
	r.JSON(t, &fc)
	if r.Status != 200 || len(fc.Features) != 2 {
		t.Fatalf("GET /hazards = %d with %d zones, want the perimeter and the floodway", r.Status, len(fc.Features))
	}
	r = env.Do(t, "GET", "/api/v1/parcels?bbox=-123,42,-122,43", nil)
	r.JSON(t, &fc)
	if len(fc.Features) != 1 || fc.Features[0].ID != "demo-parcel-talent-1" {
		t.Fatalf("the public sees %d parcels, want only the one under contract", len(fc.Features))
	}
	r = env.Do(t, "GET", "/api/v1/map/campaigns", nil)
	if r.Status != 200 || strings.Count(string(r.Body), `"Polygon"`) < 2 {
		t.Fatalf("campaign map = %d %s, want the campaign parcels' outlines", r.Status, r.Body)
	}
	if err := demo.Seed(context.Background(), demo.Env{Funds: env.Service.Funds, Parcels: parcels}, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if n := parcels.Len(); n != 2000 {
		t.Fatalf("after seeding again: %d parcels, want 2000", n)
	}
}
