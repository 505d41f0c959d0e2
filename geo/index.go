package geo

import (
	"context"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// ctxEvery is how many items a long scan visits between checks of its
// context, as tile38 does with its deadline.
const ctxEvery = 256

// Item is one entry of an Index: a geometry under an id with a value the
// caller attaches (parcel facts, hazard kind). Items are immutable once
// stored; Put replaces the whole item.
type Item[T any] struct {
	ID       string
	Geometry orb.Geometry
	Bound    orb.Bound
	Value    T
}

// Index is an in-memory spatial index of geometries keyed by id, over an
// R-tree of their bounds. Writers are serialized; spatial readers work on
// immutable snapshots (the R-tree's copy-on-write Copy), so they never wait
// for a writer and a long query sees one consistent state. Lookups by id take
// a read lock that writers hold only for a map assignment.
type Index[T any] struct {
	c *cowIndex[*Item[T], *Item[T]]
}

// Snapshot is a read-only view of an Index at one moment. It is safe for
// concurrent use and stays valid however the Index changes afterwards.
type Snapshot[T any] struct {
	tree *rtree.RTreeG[*Item[T]]
}

// NewIndex returns an empty index.
func NewIndex[T any]() *Index[T] {
	return &Index[T]{c: newCowIndex(
		func(it *Item[T]) string { return it.ID },
		func(it *Item[T]) (orb.Bound, *Item[T]) { return it.Bound, it })}
}

// Snapshot returns the current read-only view; it costs one atomic load.
func (ix *Index[T]) Snapshot() *Snapshot[T] { return &Snapshot[T]{tree: ix.c.snapshot()} }

// Get returns the item stored under id.
func (ix *Index[T]) Get(id string) (*Item[T], bool) { return ix.c.get(id) }

// Len returns the number of items.
func (ix *Index[T]) Len() int { return ix.c.len() }

// Put inserts the item under id or replaces the one stored there. The
// geometry should have passed Validate.
func (ix *Index[T]) Put(id string, g orb.Geometry, v T) {
	ix.PutMany([]Item[T]{{ID: id, Geometry: g, Value: v}})
}

// PutMany inserts or replaces several items and publishes one snapshot,
// much cheaper than one Put each for an import. Bound is computed.
func (ix *Index[T]) PutMany(items []Item[T]) { ix.c.putMany(false, stored(items)) }

// Load replaces the whole content with items (the start-up rebuild from
// the store) and publishes one snapshot at the end.
func (ix *Index[T]) Load(items []Item[T]) { ix.c.putMany(true, stored(items)) }

// Delete removes the item under id and reports whether there was one.
func (ix *Index[T]) Delete(id string) bool { return ix.c.delete(id) }

// stored copies items into the immutable pointers the R-tree holds.
func stored[T any](items []Item[T]) []*Item[T] {
	out := make([]*Item[T], len(items))
	for i, it := range items {
		it.Bound = it.Geometry.Bound()
		out[i] = &it
	}
	return out
}

// Len returns the number of items.
func (s *Snapshot[T]) Len() int { return s.tree.Len() }

// stepper checks the context every ctxEvery steps.
type stepper struct {
	ctx context.Context
	n   int
	err error
}

func (st *stepper) ok() bool {
	st.n++
	if st.n%ctxEvery == 0 {
		st.err = st.ctx.Err()
	}
	return st.err == nil
}

// Scan calls fn for every item, in no particular order, until fn returns
// false or ctx is done.
func (s *Snapshot[T]) Scan(ctx context.Context, fn func(*Item[T]) bool) error {
	st := stepper{ctx: ctx}
	s.tree.Scan(func(_, _ [2]float64, it *Item[T]) bool {
		return st.ok() && fn(it)
	})
	return st.err
}

// Search calls fn for every item whose bounding box meets b (b may cross the
// antimeridian), until fn returns false or ctx is done.
func (s *Snapshot[T]) Search(ctx context.Context, b Bound, fn func(*Item[T]) bool) error {
	st := stepper{ctx: ctx}
	searchParts(s.tree, b, func(_ [2]float64, it *Item[T]) bool { return st.ok() && fn(it) })
	return st.err
}

// Intersecting calls fn for every item whose geometry (not just its box)
// meets b, the exact test a map viewport needs.
func (s *Snapshot[T]) Intersecting(ctx context.Context, b Bound, fn func(*Item[T]) bool) error {
	parts := b.Parts()
	return s.Search(ctx, b, func(it *Item[T]) bool {
		for _, part := range parts {
			if intersectsBound(it.Geometry, it.Bound, part) {
				return fn(it)
			}
		}
		return true
	})
}

// IntersectingShape calls fn for every item whose geometry meets the
// prepared shape (a search polygon drawn on the map).
func (s *Snapshot[T]) IntersectingShape(ctx context.Context, shape *Prepared, fn func(*Item[T]) bool) error {
	return s.Search(ctx, BoundFrom(shape.Bound()), func(it *Item[T]) bool {
		if shape.Intersects(it.Geometry) {
			return fn(it)
		}
		return true
	})
}

// Within calls fn with every item whose geometry comes within metres of
// center, and its distance (see DistanceTo): a box search in the R-tree,
// then the exact test.
func (s *Snapshot[T]) Within(ctx context.Context, center orb.Point, metres float64, fn func(it *Item[T], dist float64) bool) error {
	return s.Search(ctx, CircleBound(center, metres), func(it *Item[T]) bool {
		if d := DistanceTo(center, it.Geometry); d <= metres {
			return fn(it, d)
		}
		return true
	})
}

// Neighbor is an item found by Nearest with its distance in metres.
type Neighbor[T any] struct {
	Item     *Item[T]
	Distance float64
}

// Nearest returns the k items closest to center by DistanceTo, nearest
// first, ties broken by id; keep, when not nil, filters candidates.
//
// The R-tree walks boxes in order of a planar distance scaled by
// cos(latitude), which only approximates geodesic order; the k items it
// yields first bound the k-th true distance from above, and a Within
// search to that bound followed by an exact sort gives the true answer.
func (s *Snapshot[T]) Nearest(ctx context.Context, center orb.Point, k int, keep func(*Item[T]) bool) ([]Neighbor[T], error) {
	if k <= 0 || s.tree.Len() == 0 {
		return nil, nil
	}
	st := stepper{ctx: ctx}
	kx := math.Cos(center[1] * rad)
	lon, lat := center[0], center[1]
	found, bound := 0, 0.0
	s.tree.Nearby(func(min, max [2]float64, _ *Item[T], _ bool) float64 {
		dx := max0(min[0]-lon, lon-max[0]) * kx
		dy := max0(min[1]-lat, lat-max[1])
		return dx*dx + dy*dy
	}, func(_, _ [2]float64, it *Item[T], _ float64) bool {
		if !st.ok() {
			return false
		}
		if keep != nil && !keep(it) {
			return true
		}
		if d := DistanceTo(center, it.Geometry); d > bound {
			bound = d
		}
		found++
		return found < k
	})
	if st.err != nil {
		return nil, st.err
	}
	out := make([]Neighbor[T], 0, k+k/2)
	err := s.Within(ctx, center, bound, func(it *Item[T], d float64) bool {
		if keep == nil || keep(it) {
			out = append(out, Neighbor[T]{Item: it, Distance: d})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	sortNeighbors(out)
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}

func sortNeighbors[T any](ns []Neighbor[T]) {
	sort.Slice(ns, func(i, j int) bool {
		if ns[i].Distance != ns[j].Distance {
			return ns[i].Distance < ns[j].Distance
		}
		return ns[i].Item.ID < ns[j].Item.ID
	})
}

func max0(a, b float64) float64 {
	return max(a, b, 0)
}

// DistanceTo returns the geodesic distance in metres from p to the nearest
// point of g: 0 inside a polygon. The nearest point of each edge is found
// in a plane tangent at p (exact for the short edges of parcels) and its
// distance measured with the haversine formula.
func DistanceTo(p orb.Point, g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Point:
		return Distance(p, g)
	case orb.MultiPoint:
		best := math.Inf(1)
		for _, q := range g {
			best = min(best, Distance(p, q))
		}
		return best
	case orb.LineString:
		return nearestOnLines(p, [][]orb.Point{g})
	case orb.MultiLineString:
		lines := make([][]orb.Point, len(g))
		for i, l := range g {
			lines[i] = l
		}
		return nearestOnLines(p, lines)
	case orb.Polygon:
		if polygonContains(g, p) {
			return 0
		}
		return nearestOnPolygon(p, g)
	case orb.MultiPolygon:
		best := math.Inf(1)
		for _, poly := range g {
			if polygonContains(poly, p) {
				return 0
			}
			best = min(best, nearestOnPolygon(p, poly))
		}
		return best
	case orb.Bound:
		return DistanceTo(p, g.ToPolygon())
	}
	return math.Inf(1)
}

func nearestOnPolygon(p orb.Point, poly orb.Polygon) float64 {
	lines := make([][]orb.Point, len(poly))
	for i, r := range poly {
		lines[i] = r
	}
	return nearestOnLines(p, lines)
}

// nearestOnLines finds the closest point in the tangent plane, then measures
// only that one with haversine.
func nearestOnLines(p orb.Point, lines [][]orb.Point) float64 {
	kx := math.Cos(p[1] * rad)
	best, bestD := orb.Point{}, math.Inf(1)
	for _, l := range lines {
		if len(l) == 1 {
			if d := planarDist2(p, l[0], kx); d < bestD {
				best, bestD = l[0], d
			}
		}
		for i := 0; i+1 < len(l); i++ {
			q := nearestOnSegment(p, l[i], l[i+1], kx)
			if d := planarDist2(p, q, kx); d < bestD {
				best, bestD = q, d
			}
		}
	}
	if math.IsInf(bestD, 1) {
		return bestD
	}
	return Distance(p, best)
}

func planarDist2(p, q orb.Point, kx float64) float64 {
	dx, dy := (q[0]-p[0])*kx, q[1]-p[1]
	return dx*dx + dy*dy
}

func nearestOnSegment(p, a, b orb.Point, kx float64) orb.Point {
	ax, ay := (a[0]-p[0])*kx, a[1]-p[1]
	bx, by := (b[0]-p[0])*kx, b[1]-p[1]
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return a
	}
	t := -(ax*dx + ay*dy) / l2
	switch {
	case t <= 0:
		return a
	case t >= 1:
		return b
	}
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}
