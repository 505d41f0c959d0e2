package geo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"
)

func box(w, s, e, n float64) orb.Ring {
	return orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}
}

func TestOverlapShareExact(t *testing.T) {
	hazard := orb.Polygon{box(0, 0, 2, 2)}
	tests := []struct {
		name   string
		hazard orb.Geometry
		parcel orb.Geometry
		want   float64
	}{
		{"inside", hazard, orb.Polygon{box(0.5, 0.5, 1, 1)}, 1},
		{"outside", hazard, orb.Polygon{box(3, 3, 4, 4)}, 0},
		{"half across the east edge", hazard, orb.Polygon{box(1.5, 0.5, 2.5, 1.5)}, 0.5},
		{"quarter over a corner", hazard, orb.Polygon{box(1.5, 1.5, 2.5, 2.5)}, 0.25},
		{"parcel clockwise", hazard, orb.Polygon{{{1.5, 0.5}, {1.5, 1.5}, {2.5, 1.5}, {2.5, 0.5}, {1.5, 0.5}}}, 0.5},
		{"hazard bigger on both sides", orb.Polygon{box(0.25, -1, 0.75, 3)}, orb.Polygon{box(0, 0, 1, 1)}, 0.5},
		{"hazard wholly inside the parcel", orb.Polygon{box(0.25, 0.25, 0.75, 0.75)}, orb.Polygon{box(0, 0, 1, 1)}, 0.25},
		{"sharing an edge, inside", hazard, orb.Polygon{box(0, 0, 1, 1)}, 1},
		{"sharing an edge, outside", hazard, orb.Polygon{box(2, 0, 3, 1)}, 0},
		{"identical", hazard, hazard, 1},
		{"in the hazard's hole", orb.Polygon{box(0, 0, 4, 4), box(1, 1, 3, 3)}, orb.Polygon{box(1.5, 1.5, 2.5, 2.5)}, 0},
		{"half in the hazard's hole", orb.Polygon{box(0, 0, 4, 4), box(1, 1, 3, 3)}, orb.Polygon{box(2.5, 1.5, 3.5, 2.5)}, 0.5},
		{"parcel with a hole", hazard, orb.Polygon{box(1, 0, 3, 2), box(1.25, 0.5, 1.75, 1.5)}, (2 - 0.5) / (4 - 0.5)},
		{"concave hazard (an L)", orb.Polygon{{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}}, orb.Polygon{box(0.5, 0.5, 1.5, 1.5)}, 0.75},
		{"multipolygon hazard", orb.MultiPolygon{{box(0, 0, 1, 1)}, {box(1, 1, 2, 2)}}, orb.Polygon{box(0.5, 0.5, 1.5, 1.5)}, 0.5},
		{"point has no area", hazard, orb.Point{1, 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Prepare(tt.hazard)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.OverlapShare(tt.parcel); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("OverlapShare = %.15f, want %g", got, tt.want)
			}
		})
	}
}

// TestOverlapShareAgainstSampling compares random concave polygons with a
// Monte Carlo estimate; the tolerance is five standard errors.
func TestOverlapShareAgainstSampling(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for q := 0; q < 60; q++ {
		a := randomPolygon(r)
		b := randomPolygon(r)
		// Move b next to a so that most pairs overlap.
		ca, cb := a.Bound().Center(), b.Bound().Center()
		off := orb.Point{ca[0] - cb[0] + (r.Float64()-0.5)*0.02, ca[1] - cb[1] + (r.Float64()-0.5)*0.02}
		for i := range b[0] {
			b[0][i] = orb.Point{b[0][i][0] + off[0], b[0][i][1] + off[1]}
		}
		p, err := Prepare(b)
		if err != nil {
			t.Fatal(err)
		}
		got := p.OverlapShare(a)
		const n = 20000
		in, total := 0, 0
		ab := a.Bound()
		for total < n {
			pt := orb.Point{ab.Min[0] + r.Float64()*(ab.Max[0]-ab.Min[0]), ab.Min[1] + r.Float64()*(ab.Max[1]-ab.Min[1])}
			if !polygonContains(a, pt) {
				continue
			}
			total++
			if polygonContains(b, pt) {
				in++
			}
		}
		want := float64(in) / n
		tol := 5*math.Sqrt(want*(1-want)/n) + 1e-3
		if math.Abs(got-want) > tol {
			t.Errorf("case %d: OverlapShare = %.4f, sampling says %.4f ± %.4f", q, got, want, tol)
		}
		if (got > 0) && !Intersects(a, b) {
			t.Errorf("case %d: share %.4f but Intersects = false", q, got)
		}
	}
}

func TestIntersects(t *testing.T) {
	base := orb.Polygon{box(0, 0, 2, 2)}
	donut := orb.Polygon{box(0, 0, 4, 4), box(1, 1, 3, 3)}
	tests := []struct {
		name string
		a, b orb.Geometry
		want bool
	}{
		{"overlapping", base, orb.Polygon{box(1, 1, 3, 3)}, true},
		{"contained", base, orb.Polygon{box(0.5, 0.5, 1, 1)}, true},
		{"containing", orb.Polygon{box(0.5, 0.5, 1, 1)}, base, true},
		{"touching at a corner", base, orb.Polygon{box(2, 2, 3, 3)}, true},
		{"apart", base, orb.Polygon{box(2.1, 0, 3, 1)}, false},
		{"crossing without vertices inside", orb.Polygon{box(1, -1, 2, 3)}, orb.Polygon{box(0, 1, 3, 2)}, true},
		{"in a hole", donut, orb.Polygon{box(1.5, 1.5, 2.5, 2.5)}, false},
		{"point inside", base, orb.Point{1, 1}, true},
		{"point outside", base, orb.Point{3, 1}, false},
		{"point in a hole", donut, orb.Point{2, 2}, false},
		{"line through", base, orb.LineString{{-1, 1}, {3, 1}}, true},
		{"line beside", base, orb.LineString{{-1, 3}, {3, 3}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Intersects(tt.a, tt.b); got != tt.want {
				t.Errorf("Intersects = %v, want %v", got, tt.want)
			}
			if got := Intersects(tt.b, tt.a); got != tt.want {
				t.Errorf("Intersects reversed = %v, want %v", got, tt.want)
			}
			if pa, err := Prepare(tt.a); err == nil {
				if got := pa.Intersects(tt.b); got != tt.want {
					t.Errorf("Prepared.Intersects = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestPreparedRejectsNonPolygons(t *testing.T) {
	if _, err := Prepare(orb.Point{1, 2}); err == nil {
		t.Fatal("Prepare(Point) succeeded")
	}
}

func TestScreen(t *testing.T) {
	hs, err := NewHazardSet([]Hazard{
		{ID: "fire", Kind: Wildfire, Severity: 5, Geometry: orb.Polygon{box(0, 0, 2, 2)}},
		{ID: "fire-2", Kind: Wildfire, Severity: 2, Geometry: orb.Polygon{box(2, 0, 4, 2)}},
		{ID: "flood", Kind: Flood, Severity: 3, Geometry: orb.Polygon{box(1, -1, 1.5, 3)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := hs.Screen(orb.Polygon{box(1, 0, 3, 1)})
	want := Screening{
		Hazards: []Exposure{
			{HazardID: "fire", Kind: Wildfire, Severity: 5, Share: 0.5},
			{HazardID: "fire-2", Kind: Wildfire, Severity: 2, Share: 0.5},
			{HazardID: "flood", Kind: Flood, Severity: 3, Share: 0.25},
		},
		Kinds: []KindExposure{{Kind: Flood, Share: 0.25, MaxSeverity: 3}, {Kind: Wildfire, Share: 1, MaxSeverity: 5}},
	}
	if diff := cmp.Diff(got, want, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("Screen (-got +want):\n%s", diff)
	}
	if clear := hs.Screen(orb.Polygon{box(10, 10, 11, 11)}); !clear.Clear() {
		t.Errorf("Screen far away = %+v, want clear", clear)
	}
}

func TestNewHazardSetRejects(t *testing.T) {
	_, err := NewHazardSet([]Hazard{
		{ID: "a", Kind: "meteor", Severity: 9, Geometry: orb.Point{0, 0}},
	})
	got := fieldsOf(t, err)
	if len(got) != 3 {
		t.Errorf("fields = %+v, want kind, severity and geometry", got)
	}
}

func TestScreenAllMatchesScreen(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	ix, live := buildRandomIndex(t, r, 3000)
	var hazards []Hazard
	kinds := []HazardKind{Wildfire, Flood, Landslide, Other}
	for i := 0; i < 30; i++ {
		g := randomPolygon(r)
		for j := range g[0] { // hazards larger than parcels
			c := g[0][0]
			g[0][j] = orb.Point{c[0] + (g[0][j][0]-c[0])*4, c[1] + (g[0][j][1]-c[1])*4}
		}
		if Validate(g, Rules{}) != nil {
			continue
		}
		hazards = append(hazards, Hazard{ID: fmt.Sprintf("h%02d", i), Kind: kinds[i%4], Severity: 1 + i%5, Geometry: g})
	}
	hs, err := NewHazardSet(hazards)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ScreenAll(context.Background(), hs, ix.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Screening{}
	for id, g := range live {
		if s := hs.Screen(g); !s.Clear() {
			want[id] = s
		}
	}
	if len(want) < 20 {
		t.Fatalf("only %d parcels meet a hazard; the test lost its point", len(want))
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("ScreenAll (-got +want):\n%s", diff)
	}
}

// TestApartShortcutAgreesWithEdges checks the screening shortcut (a parcel
// with no zone edge near its box is wholly inside or outside) against the
// general edge computation, for small parcels scattered over and around
// zones with many edges, holes and several parts.
func TestApartShortcutAgreesWithEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	star := func(c orb.Point, radius float64, n int, ccw bool) orb.Ring {
		ring := make(orb.Ring, 0, n+1)
		for i := 0; i < n; i++ {
			a := (float64(i) + 0.4*r.Float64()) / float64(n) * 2 * math.Pi
			rr := radius * (0.6 + 0.4*r.Float64())
			ring = append(ring, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
		}
		if !ccw {
			slices.Reverse(ring)
		}
		return append(ring, ring[0])
	}
	shortcuts := 0
	for z := 0; z < 20; z++ {
		c := orb.Point{-122.8 + r.Float64(), 42.2 + r.Float64()}
		zone := orb.MultiPolygon{
			{star(c, 0.05, 64, true), star(c, 0.015, 8, false)}, // a zone with a hole
			{star(orb.Point{c[0] + 0.12, c[1]}, 0.02, 40, true)},
		}
		p, err := Prepare(zone)
		if err != nil {
			t.Fatal(err)
		}
		for q := 0; q < 300; q++ {
			pc := orb.Point{c[0] - 0.08 + r.Float64()*0.24, c[1] - 0.08 + r.Float64()*0.16}
			var parcel orb.Geometry = orb.Polygon{star(pc, 0.001+r.Float64()*0.004, 4+r.IntN(4), r.IntN(2) == 0)}
			if q%5 == 0 {
				parcel = orb.MultiPolygon{parcel.(orb.Polygon), {star(orb.Point{pc[0] + 0.01, pc[1]}, 0.002, 5, true)}}
			}
			gb := boundOf(parcel)
			if apart, _ := p.apart(parcel, gb); apart {
				shortcuts++
			}
			if got, want := p.intersects(parcel, gb), p.meetsByEdges(parcel); got != want {
				t.Fatalf("zone %d parcel %d: intersects = %v, by edges %v", z, q, got, want)
			}
			// The general computation rounds to about 1e-8 on parcels this
			// small at these longitudes; the shortcut's 0 and 1 are exact.
			got, want := p.overlapShare(parcel, gb), p.shareByEdges(polygonsOf(parcel), gb)
			if math.Abs(got-want) > 1e-6 {
				t.Fatalf("zone %d parcel %d: share = %.12f, by edges %.12f", z, q, got, want)
			}
		}
	}
	if shortcuts < 1000 {
		t.Fatalf("only %d of 6000 parcels took the shortcut; the test lost its point", shortcuts)
	}
}
