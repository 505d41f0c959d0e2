package geo

import (
	"cmp"
	"context"
	"math"
	"slices"
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

// stored copies items into the immutable pointers the R-tree holds: one
// backing array in Z-order of the items' centres, so that inserting is
// local in the tree and a later scan walks memory in order. When an id
// repeats, only its last item is kept, as with one Put after another.
func stored[T any](items []Item[T]) []*Item[T] {
	last := make(map[string]int, len(items))
	repeats := false
	for i, it := range items {
		n := len(last)
		last[it.ID] = i
		repeats = repeats || len(last) == n
	}
	type keyed struct {
		key   uint64
		i     int
		bound orb.Bound
	}
	order := make([]keyed, 0, len(last))
	for i := range items {
		if !repeats || last[items[i].ID] == i {
			b := boundOf(items[i].Geometry)
			order = append(order, keyed{zOrder(b.Center()), i, b})
		}
	}
	slices.SortFunc(order, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	backing := make([]Item[T], len(order))
	out := make([]*Item[T], len(order))
	for j, o := range order {
		backing[j] = items[o.i]
		backing[j].Bound = o.bound
		out[j] = &backing[j]
	}
	return out
}

// boundOf is g.Bound() without orb's interface calls for the common
// shapes; a polygon's bound is its outer ring's.
func boundOf(g orb.Geometry) orb.Bound {
	switch g := g.(type) {
	case orb.Point:
		return orb.Bound{Min: g, Max: g}
	case orb.Polygon:
		if len(g) > 0 && len(g[0]) > 0 {
			return ringBound(g[0])
		}
	case orb.MultiPolygon:
		if len(g) > 0 && len(g[0]) > 0 && len(g[0][0]) > 0 {
			b := ringBound(g[0][0])
			for _, p := range g[1:] {
				if len(p) > 0 && len(p[0]) > 0 {
					b = b.Union(ringBound(p[0]))
				}
			}
			return b
		}
	}
	return g.Bound()
}

func ringBound(r orb.Ring) orb.Bound {
	b := orb.Bound{Min: r[0], Max: r[0]}
	for _, p := range r[1:] {
		b.Min[0], b.Min[1] = min(b.Min[0], p[0]), min(b.Min[1], p[1])
		b.Max[0], b.Max[1] = max(b.Max[0], p[0]), max(b.Max[1], p[1])
	}
	return b
}

// zOrder interleaves the bits of a point's longitude and latitude scaled to
// 32 bits each: nearby points get nearby keys.
func zOrder(p orb.Point) uint64 {
	x := uint64((p[0] + 180) / 360 * (1<<32 - 1))
	y := uint64((p[1] + 90) / 180 * (1<<32 - 1))
	return spread(x) | spread(y)<<1
}

func spread(v uint64) uint64 {
	v &= 0xffffffff
	v = (v | v<<16) & 0x0000ffff0000ffff
	v = (v | v<<8) & 0x00ff00ff00ff00ff
	v = (v | v<<4) & 0x0f0f0f0f0f0f0f0f
	v = (v | v<<2) & 0x3333333333333333
	v = (v | v<<1) & 0x5555555555555555
	return v
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
// It searches circles of growing radius, starting at 64 m: once k items
// lie within the radius by exact distance, nothing outside it can beat
// them, so the answer is exact in haversine order, not planar. In towns one
// or two small box searches suffice; the R-tree's best-first walk was
// slower here because it queues every entry of each node it opens.
func (s *Snapshot[T]) Nearest(ctx context.Context, center orb.Point, k int, keep func(*Item[T]) bool) ([]Neighbor[T], error) {
	if k <= 0 || s.tree.Len() == 0 {
		return nil, nil
	}
	lo, hi := s.tree.Bounds()
	all := orb.Bound{Min: lo, Max: hi}
	out := make([]Neighbor[T], 0, 2*k)
	for radius := 64.0; ; radius *= growth(len(out), k) {
		out = out[:0]
		err := s.Within(ctx, center, radius, func(it *Item[T], d float64) bool {
			if keep == nil || keep(it) {
				out = append(out, Neighbor[T]{Item: it, Distance: d})
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		// Stop with k found, or when the circle's box held every item: then
		// there are fewer than k to find.
		if len(out) >= k || covers(CircleBound(center, radius), all) {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Distance != out[j].Distance {
			return out[i].Distance < out[j].Distance
		}
		return out[i].Item.ID < out[j].Item.ID
	})
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}

// growth is how much to widen the search after finding n of k: by the
// square root of what is missing (area grows with the square), with some
// margin, and at least double.
func growth(n, k int) float64 {
	if n == 0 {
		return 4
	}
	return max(2, 1.25*math.Sqrt(float64(k)/float64(n)))
}

// covers reports whether b contains the planar box o.
func covers(b Bound, o orb.Bound) bool {
	for _, part := range b.Parts() {
		if boundWithin(o, part) {
			return true
		}
	}
	return b.West == -180 && b.East == 180 && b.South <= o.Min[1] && b.North >= o.Max[1]
}

func max0(a, b float64) float64 {
	return max(a, b, 0)
}

// DistanceTo returns the geodesic distance in metres from p to the nearest
// point of g: 0 inside a polygon. The nearest point of each edge is found
// in a plane tangent at p (exact for the short edges of parcels) and its
// distance measured with the haversine formula.
func DistanceTo(p orb.Point, g orb.Geometry) float64 {
	n := nearest{p: p, kx: math.Cos(p[1] * rad), d2: math.Inf(1)}
	switch g := g.(type) {
	case orb.Point:
		return Distance(p, g)
	case orb.MultiPoint:
		for _, q := range g {
			n.line([]orb.Point{q})
		}
	case orb.LineString:
		n.line(g)
	case orb.MultiLineString:
		for _, l := range g {
			n.line(l)
		}
	case orb.Polygon:
		if polygonContains(g, p) {
			return 0
		}
		n.polygon(g)
	case orb.MultiPolygon:
		for _, poly := range g {
			if polygonContains(poly, p) {
				return 0
			}
			n.polygon(poly)
		}
	case orb.Bound:
		return DistanceTo(p, g.ToPolygon())
	}
	return n.metres()
}

// nearest tracks the closest point to p found so far in the tangent plane;
// only that one is measured with haversine at the end.
type nearest struct {
	p    orb.Point
	kx   float64
	best orb.Point
	d2   float64
}

func (n *nearest) line(l []orb.Point) {
	if len(l) == 1 {
		if d := planarDist2(n.p, l[0], n.kx); d < n.d2 {
			n.best, n.d2 = l[0], d
		}
	}
	for i := 0; i+1 < len(l); i++ {
		q := nearestOnSegment(n.p, l[i], l[i+1], n.kx)
		if d := planarDist2(n.p, q, n.kx); d < n.d2 {
			n.best, n.d2 = q, d
		}
	}
}

func (n *nearest) polygon(poly orb.Polygon) {
	for _, r := range poly {
		n.line(r)
	}
}

func (n *nearest) metres() float64 {
	if math.IsInf(n.d2, 1) {
		return n.d2
	}
	return Distance(n.p, n.best)
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
