package geogen

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"commonground/geo"
)

func TestDeterministic(t *testing.T) {
	a := JacksonCounty(7, 300, 100)
	b := JacksonCounty(7, 300, 100)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different scenario:\n%s", diff)
	}
	c := JacksonCounty(8, 300, 100)
	if cmp.Equal(a.Parcels, c.Parcels) {
		t.Fatalf("different seeds gave the same parcels")
	}
}

func TestScenarioIsValid(t *testing.T) {
	s := JacksonCounty(1, 2000, 3000)
	if len(s.Parcels) != 2000 || len(s.Homes) != 3000 || len(s.Hazards) != 2 {
		t.Fatalf("got %d parcels, %d homes, %d hazards", len(s.Parcels), len(s.Homes), len(s.Hazards))
	}
	ix := geo.NewIndex[int]()
	for i, p := range s.Parcels {
		if err := geo.Validate(p.Geometry, geo.Rules{}); err != nil {
			t.Fatalf("parcel %s: %v", p.ID, err)
		}
		if p.Acres <= 0 {
			t.Fatalf("parcel %s has %g acres", p.ID, p.Acres)
		}
		// Parcels tile the land: none overlaps one already placed.
		b := p.Geometry.Bound()
		snap := ix.Snapshot()
		_ = snap.Search(t.Context(), geo.BoundFrom(b), func(it *geo.Item[int]) bool {
			if geo.Intersects(it.Geometry, p.Geometry) {
				t.Fatalf("parcels %s and %s overlap", it.ID, p.ID)
			}
			return true
		})
		ix.Put(p.ID, p.Geometry, i)
	}
	hs, err := geo.NewHazardSet(s.Hazards)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range s.Hazards {
		if err := geo.Validate(h.Geometry, geo.Rules{}); err != nil {
			t.Fatalf("hazard %s: %v", h.ID, err)
		}
	}
	screened, err := geo.ScreenAll(t.Context(), hs, ix.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	// The story needs parcels in harm's way and parcels clear of it.
	if len(screened) < 50 || len(screened) > len(s.Parcels)/2 {
		t.Errorf("%d of %d parcels meet a hazard", len(screened), len(s.Parcels))
	}
	for _, p := range s.Homes {
		if !geo.WorldBound.Contains(p) || geo.Distance(p, BearCreek[4]) > 20_000 {
			t.Fatalf("home %v is not near Phoenix and Talent", p)
		}
	}
}

func TestBenchmarkShapes(t *testing.T) {
	g := New(3)
	for _, h := range g.Hazards(50, 64, County) {
		if err := geo.Validate(h.Geometry, geo.Rules{}); err != nil {
			t.Fatalf("hazard %s: %v", h.ID, err)
		}
		if got := len(h.Geometry.(orb.Polygon)[0]); got != 65 {
			t.Fatalf("hazard %s has %d positions, want 64 vertices and the closing one", h.ID, got)
		}
	}
	parcels := g.Parcels(5000, Towns, County)
	if len(parcels) != 5000 {
		t.Fatalf("got %d parcels, want 5000", len(parcels))
	}
	for _, p := range g.Points(5000, Towns, County) {
		if !County.Contains(p) {
			t.Fatalf("point %v outside the county", p)
		}
	}
}

func TestHouseholdsLiveInTowns(t *testing.T) {
	const n = 200_000
	pts := New(5).Households(n, WestTowns, West)
	if diff := cmp.Diff(pts[:100], New(5).Households(100, WestTowns, West)); diff != "" {
		t.Fatalf("same seed, different points:\n%s", diff)
	}
	jackson := 0
	for _, p := range pts {
		if !West.Contains(p) {
			t.Fatalf("point %v outside the West", p)
		}
		if County.Contains(p) {
			jackson++
		}
	}
	// Jackson County has about 90,000 households and 1 % of the listed
	// towns' people; scaled to the benchmarks' 1,000,000 points it must
	// hold its share, not the crowd it held when every point was there.
	scaled := jackson * (1_000_000 / n)
	if scaled < 3_000 || scaled > 20_000 {
		t.Errorf("Jackson County holds %d of 1,000,000 points", scaled)
	}
}
