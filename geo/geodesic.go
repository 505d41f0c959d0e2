package geo

import (
	"math"

	"commonground/apperr"

	"github.com/paulmach/orb"
)

// EarthRadius is the mean radius of the Earth in metres (IUGG R1). Distances
// and areas are computed on a sphere of this radius; against the WGS 84
// ellipsoid the error is at most about 0.5 % for distances and areas.
const EarthRadius = 6371008.8

// SquareMetresPerAcre converts areas: one international acre.
const SquareMetresPerAcre = 4046.8564224

const rad = math.Pi / 180

// Distance returns the great-circle distance in metres between a and b,
// computed with the haversine formula (well conditioned for small distances).
func Distance(a, b orb.Point) float64 {
	lat1, lat2 := a[1]*rad, b[1]*rad
	sdLat := math.Sin((lat2 - lat1) / 2)
	sdLon := math.Sin((b[0] - a[0]) * rad / 2)
	h := sdLat*sdLat + math.Cos(lat1)*math.Cos(lat2)*sdLon*sdLon
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadius * math.Asin(math.Sqrt(h))
}

// unit is a point on the unit sphere. The squared chord between two unit
// vectors is 4·h where h is the haversine of their angular distance, so
// comparing chords is the haversine test without any trigonometry per point.
type unit struct{ x, y, z float64 }

func toUnit(p orb.Point) unit {
	// Sincos shares the argument reduction: half the cost of four calls.
	sLon, cLon := math.Sincos(p[0] * rad)
	sLat, cLat := math.Sincos(p[1] * rad)
	return unit{cLat * cLon, cLat * sLon, sLat}
}

func (u unit) chord2(v unit) float64 {
	dx, dy, dz := u.x-v.x, u.y-v.y, u.z-v.z
	return dx*dx + dy*dy + dz*dz
}

// chord2For returns the squared chord of a great-circle distance of metres.
func chord2For(metres float64) float64 {
	if metres >= math.Pi*EarthRadius {
		return 4
	}
	s := math.Sin(metres / EarthRadius / 2)
	return 4 * s * s
}

// metresForChord2 inverts chord2For.
func metresForChord2(c2 float64) float64 {
	h := c2 / 4
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadius * math.Asin(math.Sqrt(h))
}

// metresAbove is an upper bound of metresForChord2 without trigonometry:
// asin x = x + x³/6 + 3x⁵/40 + … has coefficients of at most 1/6 after the
// first, so asin x ≤ x + x³/(6(1-x²)). Bounds that need only be safe use
// it; at a few kilometres it exceeds the exact value by under 1e-12.
func metresAbove(c2 float64) float64 {
	x := math.Sqrt(c2) / 2
	if x >= 0.5 {
		return metresForChord2(c2) * (1 + 1e-12)
	}
	return 2 * EarthRadius * (x + x*x*x/(6*(1-x*x)))
}

// Area returns the area of a Polygon or MultiPolygon in square metres on the
// sphere (holes subtracted); other geometries have no area and return 0.
//
// It uses the line-integral formula of Chamberlain and Duquette ("Some
// algorithms for polygons on a sphere", JPL 2007), which equals the spherical
// excess for edges drawn as rhumb-like segments; for parcels and hazard zones
// (edges of metres to a few kilometres) the difference from the spherical
// excess of great-circle edges is far below 0.01 %, and the sphere-versus-
// ellipsoid error (at most about 0.5 %) dominates.
func Area(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		return polygonArea(g)
	case orb.MultiPolygon:
		var a float64
		for _, p := range g {
			a += polygonArea(p)
		}
		return a
	}
	return 0
}

// Acres returns the area of g in international acres.
func Acres(g orb.Geometry) float64 { return Area(g) / SquareMetresPerAcre }

func polygonArea(p orb.Polygon) float64 {
	if len(p) == 0 {
		return 0
	}
	a := math.Abs(ringArea(p[0]))
	for _, h := range p[1:] {
		a -= math.Abs(ringArea(h))
	}
	if a < 0 {
		return 0
	}
	return a
}

// ringArea is signed: positive for counter-clockwise rings.
func ringArea(r orb.Ring) float64 {
	n := len(r)
	if n < 4 {
		return 0
	}
	var sum float64
	for i := 0; i < n-1; i++ {
		p1, p2 := r[i], r[i+1]
		sum += (p2[0] - p1[0]) * rad * (2 + math.Sin(p1[1]*rad) + math.Sin(p2[1]*rad))
	}
	return sum * EarthRadius * EarthRadius / 2
}

// Bound is a longitude/latitude box. West greater than East means the box
// crosses the antimeridian: it runs from West eastwards through 180 to East.
type Bound struct {
	West, South, East, North float64
}

// WorldBound covers every longitude and latitude.
var WorldBound = Bound{West: -180, South: -90, East: 180, North: 90}

// BoundFrom converts a planar orb.Bound (which never crosses the antimeridian).
func BoundFrom(b orb.Bound) Bound {
	return Bound{West: b.Min[0], South: b.Min[1], East: b.Max[0], North: b.Max[1]}
}

// Check reports what is wrong with b, naming field (for example "bbox"), or
// nil when the box is usable.
func (b Bound) Check(field string) error {
	var f apperr.Fields
	b.check(&f, field)
	return f.Err()
}

func (b Bound) check(f *apperr.Fields, field string) {
	for _, v := range []float64{b.West, b.South, b.East, b.North} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			f.Add(field, "coordinates must be finite numbers")
			return
		}
	}
	if b.West < -180 || b.West > 180 || b.East < -180 || b.East > 180 {
		f.Add(field, "longitude must be within [-180, 180]")
	}
	if b.South < -90 || b.South > 90 || b.North < -90 || b.North > 90 {
		f.Add(field, "latitude must be within [-90, 90]")
	}
	if b.South > b.North {
		f.Add(field, "south must not be greater than north")
	}
}

// CrossesAntimeridian reports whether the box runs through longitude 180.
func (b Bound) CrossesAntimeridian() bool { return b.West > b.East }

// Parts returns b as one or two planar boxes: two when it crosses the
// antimeridian, split at 180 and -180.
func (b Bound) Parts() []orb.Bound {
	if !b.CrossesAntimeridian() {
		return []orb.Bound{{Min: orb.Point{b.West, b.South}, Max: orb.Point{b.East, b.North}}}
	}
	return []orb.Bound{
		{Min: orb.Point{b.West, b.South}, Max: orb.Point{180, b.North}},
		{Min: orb.Point{-180, b.South}, Max: orb.Point{b.East, b.North}},
	}
}

// Contains reports whether p lies in the box (edges included).
func (b Bound) Contains(p orb.Point) bool {
	if p[1] < b.South || p[1] > b.North {
		return false
	}
	if b.CrossesAntimeridian() {
		return p[0] >= b.West || p[0] <= b.East
	}
	return p[0] >= b.West && p[0] <= b.East
}

// Intersects reports whether the planar box o overlaps b.
func (b Bound) Intersects(o orb.Bound) bool {
	for _, part := range b.Parts() {
		if part.Intersects(o) {
			return true
		}
	}
	return false
}

// CircleBound returns a box that contains every point within metres of
// center on the sphere. Near a pole it spans all longitudes; across the
// antimeridian it comes back with West > East.
func CircleBound(center orb.Point, metres float64) Bound {
	if metres < 0 {
		metres = 0
	}
	dLat := metres/EarthRadius/rad*(1+1e-9) + 1e-12
	south, north := center[1]-dLat, center[1]+dLat
	if south <= -90 || north >= 90 {
		return Bound{West: -180, South: math.Max(south, -90), East: 180, North: math.Min(north, 90)}
	}
	// Half-width in longitude of a spherical cap: asin(sin(r)/cos(lat)).
	s := math.Sin(metres/EarthRadius) / math.Cos(center[1]*rad)
	if s >= 1 {
		return Bound{West: -180, South: south, East: 180, North: north}
	}
	dLon := math.Asin(s) / rad
	// Widen by a hair so that points exactly on the circle are never lost to
	// rounding in the box test; the exact distance filter follows anyway.
	dLon = dLon*(1+1e-9) + 1e-12
	west, east := center[0]-dLon, center[0]+dLon
	if dLon >= 180 {
		return Bound{West: -180, South: south, East: 180, North: north}
	}
	if west < -180 {
		west += 360
	}
	if east > 180 {
		east -= 360
	}
	return Bound{West: west, South: south, East: east, North: north}
}
