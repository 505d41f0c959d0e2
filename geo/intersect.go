package geo

import (
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"commonground/apperr"
)

// Intersection tests between polygons, which orb lacks: two polygons meet
// when an edge of one crosses or touches an edge of the other, or when one
// lies inside the other (a vertex of it is inside the other).

// pointInBound reports whether p is in the closed box b.
func pointInBound(p orb.Point, b orb.Bound) bool {
	return p[0] >= b.Min[0] && p[0] <= b.Max[0] && p[1] >= b.Min[1] && p[1] <= b.Max[1]
}

func boundWithin(inner, outer orb.Bound) bool {
	return inner.Min[0] >= outer.Min[0] && inner.Max[0] <= outer.Max[0] &&
		inner.Min[1] >= outer.Min[1] && inner.Max[1] <= outer.Max[1]
}

// segmentMeetsBound reports whether segment a-b has a point in box b.
func segmentMeetsBound(a, c orb.Point, b orb.Bound) bool {
	if pointInBound(a, b) || pointInBound(c, b) {
		return true
	}
	if max(a[0], c[0]) < b.Min[0] || min(a[0], c[0]) > b.Max[0] ||
		max(a[1], c[1]) < b.Min[1] || min(a[1], c[1]) > b.Max[1] {
		return false
	}
	sw, se := b.Min, orb.Point{b.Max[0], b.Min[1]}
	ne, nw := b.Max, orb.Point{b.Min[0], b.Max[1]}
	return segmentsIntersect(a, c, sw, se) || segmentsIntersect(a, c, se, ne) ||
		segmentsIntersect(a, c, ne, nw) || segmentsIntersect(a, c, nw, sw)
}

// intersectsBound reports whether geometry g (with bound gb) meets box b.
func intersectsBound(g orb.Geometry, gb, b orb.Bound) bool {
	if !gb.Intersects(b) {
		return false
	}
	if boundWithin(gb, b) {
		return true
	}
	switch g := g.(type) {
	case orb.Point:
		return pointInBound(g, b)
	case orb.MultiPoint:
		for _, p := range g {
			if pointInBound(p, b) {
				return true
			}
		}
		return false
	case orb.LineString:
		return linesMeetBound([][]orb.Point{g}, b)
	case orb.MultiLineString:
		for _, l := range g {
			if linesMeetBound([][]orb.Point{l}, b) {
				return true
			}
		}
		return false
	case orb.Polygon:
		return polygonMeetsBound(g, b)
	case orb.MultiPolygon:
		for _, p := range g {
			if polygonMeetsBound(p, b) {
				return true
			}
		}
		return false
	case orb.Bound:
		return true
	}
	return false
}

func linesMeetBound(lines [][]orb.Point, b orb.Bound) bool {
	for _, l := range lines {
		for i := 0; i+1 < len(l); i++ {
			if segmentMeetsBound(l[i], l[i+1], b) {
				return true
			}
		}
		if len(l) == 1 && pointInBound(l[0], b) {
			return true
		}
	}
	return false
}

func polygonMeetsBound(p orb.Polygon, b orb.Bound) bool {
	if len(p) == 0 {
		return false
	}
	for _, r := range p {
		if linesMeetBound([][]orb.Point{r}, b) {
			return true
		}
	}
	// No edge meets the box: the box is wholly inside or outside.
	return polygonContains(p, b.Min)
}

// Intersects reports whether two geometries share a point. Points,
// lines, polygons and their multi forms are supported in any combination.
func Intersects(a, b orb.Geometry) bool {
	if !a.Bound().Intersects(b.Bound()) {
		return false
	}
	pa, pb := polygonsOf(a), polygonsOf(b)
	for _, x := range pa {
		for _, y := range pb {
			if polygonsIntersect(x, y) {
				return true
			}
		}
	}
	return false
}

// polygonsOf views any geometry as polygons; a point or a line becomes a
// degenerate polygon (one "ring" that is the line), which the edge and
// vertex tests below handle correctly.
func polygonsOf(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Point:
		return []orb.Polygon{{orb.Ring{g}}}
	case orb.MultiPoint:
		out := make([]orb.Polygon, len(g))
		for i, p := range g {
			out[i] = orb.Polygon{orb.Ring{p}}
		}
		return out
	case orb.LineString:
		return []orb.Polygon{{orb.Ring(g)}}
	case orb.MultiLineString:
		out := make([]orb.Polygon, len(g))
		for i, l := range g {
			out[i] = orb.Polygon{orb.Ring(l)}
		}
		return out
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	case orb.Bound:
		return []orb.Polygon{g.ToPolygon()}
	}
	return nil
}

func isArea(p orb.Polygon) bool { return len(p) > 0 && len(p[0]) >= 4 && p[0][0] == p[0][len(p[0])-1] }

func polygonsIntersect(a, b orb.Polygon) bool {
	if len(a) == 0 || len(b) == 0 || len(a[0]) == 0 || len(b[0]) == 0 {
		return false
	}
	if !a.Bound().Intersects(b.Bound()) {
		return false
	}
	for _, ra := range a {
		for _, rb := range b {
			if ringsMeet(ra, rb) {
				return true
			}
		}
	}
	// No boundaries meet: one is inside the other or they are apart.
	if isArea(b) && polygonContains(b, a[0][0]) {
		return true
	}
	return isArea(a) && polygonContains(a, b[0][0])
}

func ringsMeet(a, b orb.Ring) bool {
	if len(a) == 1 || len(b) == 1 {
		if len(a) == 1 && len(b) == 1 {
			return a[0] == b[0]
		}
		if len(a) == 1 {
			a, b = b, a
		}
		p := b[0]
		for i := 0; i+1 < len(a); i++ {
			if orient(a[i], a[i+1], p) == 0 && onSegment(a[i], a[i+1], p) {
				return true
			}
		}
		return false
	}
	for i := 0; i+1 < len(a); i++ {
		for j := 0; j+1 < len(b); j++ {
			if segmentsIntersect(a[i], a[i+1], b[j], b[j+1]) {
				return true
			}
		}
	}
	return false
}

// Prepared is a Polygon or MultiPolygon made ready for many tests against
// it (a hazard zone, a search shape): rings oriented (shells
// counter-clockwise, holes clockwise) and an R-tree over its edges, so a
// point or edge test touches only nearby edges.
type Prepared struct {
	geom  orb.MultiPolygon
	bound orb.Bound
	segs  []segment
	edges rtree.RTreeG[int32]
	area  float64 // planar, squared degrees
}

type segment struct{ a, b orb.Point }

// linearBelow is the edge count under which a linear scan beats the R-tree.
const linearBelow = 32

// Prepare builds a Prepared from a Polygon or MultiPolygon (orb.Bound is
// accepted too); other geometries are Invalid.
func Prepare(g orb.Geometry) (*Prepared, error) {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	case orb.Bound:
		mp = orb.MultiPolygon{g.ToPolygon()}
	default:
		return nil, apperr.New(apperr.Invalid, "a shape must be a Polygon or MultiPolygon")
	}
	p := &Prepared{geom: make(orb.MultiPolygon, len(mp)), bound: mp.Bound()}
	for i, poly := range mp {
		out := make(orb.Polygon, len(poly))
		for j, r := range poly {
			rr := append(orb.Ring(nil), r...)
			if a := planarRingArea(rr); (a > 0) != (j == 0) {
				for x, y := 0, len(rr)-1; x < y; x, y = x+1, y-1 {
					rr[x], rr[y] = rr[y], rr[x]
				}
			}
			p.area += planarRingArea(rr)
			for k := 0; k+1 < len(rr); k++ {
				s := segment{rr[k], rr[k+1]}
				b := orb.Bound{Min: orb.Point{min(s.a[0], s.b[0]), min(s.a[1], s.b[1])}, Max: orb.Point{max(s.a[0], s.b[0]), max(s.a[1], s.b[1])}}
				p.edges.Insert(b.Min, b.Max, int32(len(p.segs)))
				p.segs = append(p.segs, s)
			}
			out[j] = rr
		}
		p.geom[i] = out
	}
	return p, nil
}

// Geometry returns the oriented geometry as a MultiPolygon.
func (p *Prepared) Geometry() orb.MultiPolygon { return p.geom }

// Bound returns the bounding box.
func (p *Prepared) Bound() orb.Bound { return p.bound }

// eachSegment calls fn with the edges whose boxes meet box b.
func (p *Prepared) eachSegment(b orb.Bound, fn func(s segment) bool) {
	if len(p.segs) < linearBelow {
		for _, s := range p.segs {
			if max(s.a[0], s.b[0]) < b.Min[0] || min(s.a[0], s.b[0]) > b.Max[0] ||
				max(s.a[1], s.b[1]) < b.Min[1] || min(s.a[1], s.b[1]) > b.Max[1] {
				continue
			}
			if !fn(s) {
				return
			}
		}
		return
	}
	p.edges.Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool { return fn(p.segs[i]) })
}

// ContainsPoint reports whether pt is inside (even-odd over all rings, so
// holes are outside); points exactly on an edge may go either way.
func (p *Prepared) ContainsPoint(pt orb.Point) bool {
	if !pointInBound(pt, p.bound) {
		return false
	}
	in := false
	ray := orb.Bound{Min: pt, Max: orb.Point{p.bound.Max[0], pt[1]}}
	p.eachSegment(ray, func(s segment) bool {
		a, b := s.a, s.b
		if (a[1] > pt[1]) != (b[1] > pt[1]) &&
			pt[0] < (b[0]-a[0])*(pt[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
		return true
	})
	return in
}

// onBoundary reports whether pt lies exactly on an edge, and whether that
// edge runs in the direction from a to b.
func (p *Prepared) onBoundary(pt, a, b orb.Point) (on, sameDir bool) {
	p.eachSegment(orb.Bound{Min: pt, Max: pt}, func(s segment) bool {
		if orient(s.a, s.b, pt) == 0 && onSegment(s.a, s.b, pt) {
			on = true
			sameDir = (s.b[0]-s.a[0])*(b[0]-a[0])+(s.b[1]-s.a[1])*(b[1]-a[1]) > 0
			return false
		}
		return true
	})
	return on, sameDir
}

// IntersectsBound reports whether the shape meets box b.
func (p *Prepared) IntersectsBound(b orb.Bound) bool {
	if !p.bound.Intersects(b) {
		return false
	}
	hit := false
	p.eachSegment(b, func(s segment) bool {
		hit = segmentMeetsBound(s.a, s.b, b)
		return !hit
	})
	return hit || p.ContainsPoint(b.Min) || boundWithin(p.bound, b)
}

// Intersects reports whether g shares a point with the shape.
func (p *Prepared) Intersects(g orb.Geometry) bool { return p.intersects(g, boundOf(g)) }

// apart tells, for a polygonal g with bound gb, whether no edge of the
// shape comes near g's box. Then their boundaries cannot meet and the
// shape cannot lie inside g (its edges would be in g's box): the box, and
// g with it, is wholly inside the shape or wholly outside, and its corner
// says which. Screening meets this case for almost every parcel, since
// hazard zones are far larger than parcels; it costs one search of the
// shape's edges and one point test, and reads nothing of g but its bound.
// A degenerate g (no proper ring) inside the shape is left to the general
// computation, since its share is not simply 1.
func (p *Prepared) apart(g orb.Geometry, gb orb.Bound) (apart, inside bool) {
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
	default:
		return false, false
	}
	near := false
	p.eachSegment(gb, func(segment) bool {
		near = true
		return false
	})
	if near {
		return false, false
	}
	if !p.ContainsPoint(gb.Min) {
		return true, false
	}
	switch g := g.(type) {
	case orb.Polygon:
		return isArea(g), true
	case orb.MultiPolygon:
		for _, poly := range g {
			if !isArea(poly) {
				return false, false
			}
		}
		return len(g) > 0, true
	}
	return false, false
}

func (p *Prepared) intersects(g orb.Geometry, gb orb.Bound) bool {
	if !p.bound.Intersects(gb) {
		return false
	}
	if apart, inside := p.apart(g, gb); apart {
		return inside
	}
	return p.meetsByEdges(g)
}

// meetsByEdges is the general test: an edge of g meets an edge of the
// shape, or one lies inside the other.
func (p *Prepared) meetsByEdges(g orb.Geometry) bool {
	polys := polygonsOf(g)
	for _, poly := range polys {
		for _, r := range poly {
			if len(r) == 1 {
				if p.ContainsPoint(r[0]) || p.touches(r[0]) {
					return true
				}
				continue
			}
			for i := 0; i+1 < len(r); i++ {
				a, c := r[i], r[i+1]
				sb := orb.Bound{Min: orb.Point{min(a[0], c[0]), min(a[1], c[1])}, Max: orb.Point{max(a[0], c[0]), max(a[1], c[1])}}
				hit := false
				p.eachSegment(sb, func(s segment) bool {
					hit = segmentsIntersect(a, c, s.a, s.b)
					return !hit
				})
				if hit {
					return true
				}
			}
		}
		// No edges meet: g inside the shape, the shape inside g, or apart.
		if len(poly) > 0 && len(poly[0]) > 0 && p.ContainsPoint(poly[0][0]) {
			return true
		}
		if isArea(poly) {
			for _, sp := range p.geom {
				if polygonContains(poly, sp[0][0]) {
					return true
				}
			}
		}
	}
	return false
}

func (p *Prepared) touches(pt orb.Point) bool {
	on, _ := p.onBoundary(pt, pt, pt)
	return on
}

// OverlapShare returns the share (0 to 1) of polygonal g's area that lies
// inside the shape. Other geometries have no area and give 0.
//
// The area of an intersection is computed exactly (up to floating point)
// from its boundary with Green's theorem: the boundary of A∩B is made of the
// pieces of A's edges inside B and of B's edges inside A, and the shoelace
// sum over those pieces is the area, whatever their order. This handles
// concave shapes and holes on both sides, which Sutherland–Hodgman (convex
// clip windows only) does not, and needs no vertex-linking step, which is
// where Greiner–Hormann and Weiler–Atherton get fragile on degenerate
// input. Edges that run along each other are counted once, when they run
// the same way. Areas are taken in longitude/latitude; the cos(latitude)
// scale cancels in the ratio, leaving an error far below 0.1 % at parcel
// sizes.
func (p *Prepared) OverlapShare(g orb.Geometry) float64 { return p.overlapShare(g, boundOf(g)) }

func (p *Prepared) overlapShare(g orb.Geometry, gb orb.Bound) float64 {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return 0
	}
	if !p.bound.Intersects(gb) {
		return 0
	}
	if apart, inside := p.apart(g, gb); apart {
		if inside {
			return 1
		}
		return 0
	}
	return p.shareByEdges(polys, gb)
}

// shareByEdges is the general computation of OverlapShare over the
// boundary of the intersection, for areas polys with bound gb.
func (p *Prepared) shareByEdges(polys []orb.Polygon, gb orb.Bound) float64 {
	origin := gb.Min
	var total, inter float64
	var ts []float64
	for _, poly := range polys {
		for ri, r := range poly {
			a := planarRingArea(r)
			ccw := a > 0
			if ri == 0 {
				total += abs(a)
			} else {
				total -= abs(a)
			}
			wantCCW := ri == 0
			n := len(r)
			for i := 0; i+1 < n; i++ {
				a, c := r[i], r[i+1]
				if ccw != wantCCW {
					a, c = r[n-1-i], r[n-2-i]
				}
				ts = p.splitParams(a, c, ts[:0])
				for k := 0; k+1 < len(ts); k++ {
					if ts[k+1]-ts[k] <= 0 {
						continue
					}
					q0, q1 := lerp(a, c, ts[k]), lerp(a, c, ts[k+1])
					m := lerp(a, c, (ts[k]+ts[k+1])/2)
					on, same := p.onBoundary(m, a, c)
					if (on && same) || (!on && p.ContainsPoint(m)) {
						inter += cross(q0, q1, origin)
					}
				}
			}
		}
	}
	if total <= 0 {
		return 0
	}
	// The shape's edges inside g.
	p.eachSegment(gb, func(s segment) bool {
		ts = ts[:0]
		ts = append(ts, 0, 1)
		for _, poly := range polys {
			for _, r := range poly {
				for i := 0; i+1 < len(r); i++ {
					ts = appendCross(ts, s.a, s.b, r[i], r[i+1])
				}
			}
		}
		sort.Float64s(ts)
		for k := 0; k+1 < len(ts); k++ {
			if ts[k+1]-ts[k] <= 0 {
				continue
			}
			m := lerp(s.a, s.b, (ts[k]+ts[k+1])/2)
			if onPolygonsBoundary(polys, m) || !polygonsContain(polys, m) {
				continue
			}
			inter += cross(lerp(s.a, s.b, ts[k]), lerp(s.a, s.b, ts[k+1]), origin)
		}
		return true
	})
	share := inter / 2 / total
	switch {
	case share < 0:
		return 0
	case share > 1:
		return 1
	}
	return share
}

// splitParams returns 0, 1 and the parameters along a→c where the shape's
// edges meet it, sorted.
func (p *Prepared) splitParams(a, c orb.Point, ts []float64) []float64 {
	ts = append(ts, 0, 1)
	sb := orb.Bound{Min: orb.Point{min(a[0], c[0]), min(a[1], c[1])}, Max: orb.Point{max(a[0], c[0]), max(a[1], c[1])}}
	p.eachSegment(sb, func(s segment) bool {
		ts = appendCross(ts, a, c, s.a, s.b)
		return true
	})
	sort.Float64s(ts)
	return ts
}

// appendCross appends where segment a-b meets segment c-d, as parameters
// along a-b: one for a crossing or touch, and for collinear overlap the
// endpoints of c-d that fall inside a-b.
func appendCross(ts []float64, a, b, c, d orb.Point) []float64 {
	if !segmentsIntersect(a, b, c, d) {
		return ts
	}
	if t, ok := segmentParam(a, b, c, d); ok {
		return append(ts, clamp01(t))
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return ts
	}
	for _, e := range [2]orb.Point{c, d} {
		if t := ((e[0]-a[0])*dx + (e[1]-a[1])*dy) / l2; t > 0 && t < 1 {
			ts = append(ts, t)
		}
	}
	return ts
}

func clamp01(t float64) float64 { return min(max(t, 0), 1) }

func lerp(a, b orb.Point, t float64) orb.Point {
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// cross is the shoelace term of edge a→b relative to origin o.
func cross(a, b, o orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (b[0]-o[0])*(a[1]-o[1])
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func polygonsContain(polys []orb.Polygon, p orb.Point) bool {
	for _, poly := range polys {
		if polygonContains(poly, p) {
			return true
		}
	}
	return false
}

func onPolygonsBoundary(polys []orb.Polygon, p orb.Point) bool {
	for _, poly := range polys {
		for _, r := range poly {
			if onRingBoundary(r, p) {
				return true
			}
		}
	}
	return false
}
