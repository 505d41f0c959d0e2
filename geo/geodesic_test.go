package geo

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func flat(a, b orb.Point) float64 {
	dx := (b[0] - a[0]) * rad * math.Cos((a[1]+b[1])/2*rad) * EarthRadius
	dy := (b[1] - a[1]) * rad * EarthRadius
	return math.Hypot(dx, dy)
}

func TestDistance(t *testing.T) {
	oneDegree := EarthRadius * math.Pi / 180
	tests := []struct {
		name string
		a, b orb.Point
		want float64
		tol  float64
	}{
		{"one degree of latitude", orb.Point{-122.8, 42.24}, orb.Point{-122.8, 43.24}, oneDegree, 1e-6},
		{"one degree along the equator", orb.Point{0, 0}, orb.Point{1, 0}, oneDegree, 1e-6},
		{"across the antimeridian", orb.Point{179.5, 0}, orb.Point{-179.5, 0}, oneDegree, 1e-6},
		{"same point", orb.Point{-122.8, 42.24}, orb.Point{-122.8, 42.24}, 0, 0},
		{"antipodes", orb.Point{0, 0}, orb.Point{180, 0}, math.Pi * EarthRadius, 1e-6},
		// Phoenix to Talent, Oregon: over 4 km the flat-earth distance at
		// the mean latitude agrees with the great circle to a millimetre.
		{"Phoenix to Talent", orb.Point{-122.8203, 42.2754}, orb.Point{-122.7887, 42.2457}, flat(orb.Point{-122.8203, 42.2754}, orb.Point{-122.7887, 42.2457}), 1e-3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); !near(got, tt.want, tt.tol) {
				t.Errorf("Distance = %.3f, want %.3f ± %g", got, tt.want, tt.tol)
			}
		})
	}
}

func TestArea(t *testing.T) {
	// A longitude/latitude rectangle has the closed form R²·Δλ·(sin φ2 − sin φ1).
	rect := func(w, s, e, n float64) float64 {
		return EarthRadius * EarthRadius * (e - w) * rad * (math.Sin(n*rad) - math.Sin(s*rad))
	}
	box := func(w, s, e, n float64) orb.Ring {
		return orb.Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}
	}
	tests := []struct {
		name string
		g    orb.Geometry
		want float64
	}{
		{"degree square at the equator", orb.Polygon{box(0, 0, 1, 1)}, rect(0, 0, 1, 1)},
		{"clockwise ring gives the same area", orb.Polygon{orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}}, rect(0, 0, 1, 1)},
		{"parcel near Talent", orb.Polygon{box(-122.79, 42.24, -122.788, 42.242)}, rect(-122.79, 42.24, -122.788, 42.242)},
		{"hole subtracted", orb.Polygon{box(0, 0, 2, 2), box(0.5, 0.5, 1, 1)}, rect(0, 0, 2, 2) - rect(0.5, 0.5, 1, 1)},
		{"multipolygon adds", orb.MultiPolygon{{box(0, 0, 1, 1)}, {box(5, 5, 6, 6)}}, rect(0, 0, 1, 1) + rect(5, 5, 6, 6)},
		{"point has none", orb.Point{1, 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Area(tt.g); !near(got, tt.want, 1e-9*tt.want+1e-9) {
				t.Errorf("Area = %.3f, want %.3f", got, tt.want)
			}
		})
	}
	if got := Acres(orb.Polygon{box(-122.79, 42.24, -122.788, 42.242)}); !near(got, rect(-122.79, 42.24, -122.788, 42.242)/4046.8564224, 1e-9) {
		t.Errorf("Acres = %g", got)
	}
}

func TestCircleBound(t *testing.T) {
	tests := []struct {
		name   string
		center orb.Point
		metres float64
		cross  bool
		world  bool
	}{
		{"ordinary", orb.Point{-122.8, 42.24}, 5000, false, false},
		{"across the antimeridian", orb.Point{179.99, -17}, 5000, true, false},
		{"across the antimeridian westwards", orb.Point{-179.99, -17}, 5000, true, false},
		{"around the pole", orb.Point{0, 89.99}, 5000, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := CircleBound(tt.center, tt.metres)
			if b.CrossesAntimeridian() != tt.cross {
				t.Errorf("CircleBound = %+v, crossing = %v, want %v", b, b.CrossesAntimeridian(), tt.cross)
			}
			if got := b.West == -180 && b.East == 180; got != tt.world {
				t.Errorf("CircleBound = %+v spans all longitudes = %v, want %v", b, got, tt.world)
			}
			// Points on the circle in 64 directions must all be in the box.
			for i := 0; i < 64; i++ {
				p := destination(tt.center, tt.metres*0.999999, float64(i)/64*360)
				if !b.Contains(p) {
					t.Fatalf("point %v at %g m is outside %+v", p, Distance(tt.center, p), b)
				}
			}
		})
	}
}

// destination walks metres from p on the great circle with the bearing.
func destination(p orb.Point, metres, bearing float64) orb.Point {
	d := metres / EarthRadius
	lat1, lon1, th := p[1]*rad, p[0]*rad, bearing*rad
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(th))
	lon2 := lon1 + math.Atan2(math.Sin(th)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	lon := math.Mod(lon2/rad+540, 360) - 180
	return orb.Point{lon, lat2 / rad}
}

func TestBoundParts(t *testing.T) {
	b := Bound{West: 170, South: -20, East: -170, North: -10}
	want := []orb.Bound{
		{Min: orb.Point{170, -20}, Max: orb.Point{180, -10}},
		{Min: orb.Point{-180, -20}, Max: orb.Point{-170, -10}},
	}
	if diff := cmp.Diff(b.Parts(), want); diff != "" {
		t.Errorf("Parts (-got +want):\n%s", diff)
	}
	if !b.Contains(orb.Point{175, -15}) || !b.Contains(orb.Point{-175, -15}) || b.Contains(orb.Point{0, -15}) {
		t.Errorf("Contains is wrong across the antimeridian")
	}
	if err := (Bound{West: 0, South: 10, East: 1, North: 5}).Check("bbox"); err == nil {
		t.Errorf("Check accepted south > north")
	}
	if err := (Bound{West: 0, South: 0, East: 200, North: 5}).Check("bbox"); err == nil {
		t.Errorf("Check accepted east 200")
	}
	if err := b.Check("bbox"); err != nil {
		t.Errorf("Check rejected an antimeridian box: %v", err)
	}
}
