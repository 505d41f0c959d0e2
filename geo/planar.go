package geo

import (
	"github.com/paulmach/orb"
)

// Planar predicates on longitude/latitude treated as plane coordinates. For
// the sizes Common Ground handles (parcels, hazard zones, viewports) edges
// are short enough that the difference from great-circle edges does not
// matter; geometries never cross the antimeridian (validation rejects them).

// orient returns twice the signed area of triangle a, b, c: positive when
// c lies left of a→b.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether p, known to be collinear with a-b, lies on it.
func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// segmentsIntersect reports whether closed segments a-b and c-d share a point.
func segmentsIntersect(a, b, c, d orb.Point) bool {
	o1, o2 := sign(orient(a, b, c)), sign(orient(a, b, d))
	o3, o4 := sign(orient(c, d, a)), sign(orient(c, d, b))
	if o1 != o2 && o3 != o4 {
		return true
	}
	if o1 == 0 && onSegment(a, b, c) {
		return true
	}
	if o2 == 0 && onSegment(a, b, d) {
		return true
	}
	if o3 == 0 && onSegment(c, d, a) {
		return true
	}
	if o4 == 0 && onSegment(c, d, b) {
		return true
	}
	return false
}

// segmentsCross reports a proper crossing: the segments meet in one point
// interior to both.
func segmentsCross(a, b, c, d orb.Point) bool {
	o1, o2 := sign(orient(a, b, c)), sign(orient(a, b, d))
	o3, o4 := sign(orient(c, d, a)), sign(orient(c, d, b))
	return o1*o2 < 0 && o3*o4 < 0
}

// segmentParam returns t such that a + t·(b-a) is where line a-b meets line
// c-d, and false when they are parallel.
func segmentParam(a, b, c, d orb.Point) (float64, bool) {
	rx, ry := b[0]-a[0], b[1]-a[1]
	sx, sy := d[0]-c[0], d[1]-c[1]
	den := rx*sy - ry*sx
	if den == 0 {
		return 0, false
	}
	return ((c[0]-a[0])*sy - (c[1]-a[1])*sx) / den, true
}

// ringContains reports whether p is inside ring r by the even-odd crossing
// rule; points exactly on the boundary may go either way.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	n := len(r)
	if n == 0 {
		return false
	}
	j := n - 1
	for i := 0; i < n; i++ {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) &&
			p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
		j = i
	}
	return in
}

// onRingBoundary reports whether p lies exactly on an edge of r.
func onRingBoundary(r orb.Ring, p orb.Point) bool {
	for i := 0; i+1 < len(r); i++ {
		if orient(r[i], r[i+1], p) == 0 && onSegment(r[i], r[i+1], p) {
			return true
		}
	}
	return false
}

// polygonContains reports whether p is inside the shell of poly and outside
// its holes.
func polygonContains(poly orb.Polygon, p orb.Point) bool {
	if len(poly) == 0 || !ringContains(poly[0], p) {
		return false
	}
	for _, h := range poly[1:] {
		if ringContains(h, p) {
			return false
		}
	}
	return true
}

// planarRingArea is the signed shoelace area in squared degrees, positive for
// counter-clockwise rings; it is used for orientation and area ratios.
func planarRingArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}
