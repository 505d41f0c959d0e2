package geo

import (
	"context"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// PointItem is one point of a PointIndex: an id, a location and a small
// comparable value (household size and needs, for instance) that queries
// and aggregation read without another lookup.
type PointItem[T comparable] struct {
	ID    string
	Point orb.Point
	Value T
}

// pointEntry is what the R-tree stores: the item plus its unit vector, so
// the exact distance test is three multiplications instead of trigonometry.
type pointEntry[T comparable] struct {
	u   unit
	id  string
	val T
}

// PointIndex is an in-memory index of points keyed by id (household
// locations), with the same concurrency rules as Index: serialized writers,
// readers on copy-on-write snapshots.
type PointIndex[T comparable] struct {
	c *cowIndex[PointItem[T], pointEntry[T]]
}

// PointSnapshot is a read-only view of a PointIndex at one moment.
type PointSnapshot[T comparable] struct {
	tree *rtree.RTreeG[pointEntry[T]]
}

// NewPointIndex returns an empty index.
func NewPointIndex[T comparable]() *PointIndex[T] {
	return &PointIndex[T]{c: newCowIndex(
		func(it PointItem[T]) string { return it.ID },
		func(it PointItem[T]) (orb.Bound, pointEntry[T]) {
			return orb.Bound{Min: it.Point, Max: it.Point}, pointEntry[T]{u: toUnit(it.Point), id: it.ID, val: it.Value}
		})}
}

// Snapshot returns the current read-only view.
func (ix *PointIndex[T]) Snapshot() *PointSnapshot[T] {
	return &PointSnapshot[T]{tree: ix.c.snapshot()}
}

// Get returns the point stored under id.
func (ix *PointIndex[T]) Get(id string) (PointItem[T], bool) { return ix.c.get(id) }

// Len returns the number of points.
func (ix *PointIndex[T]) Len() int { return ix.c.len() }

// Put inserts or replaces the point under id.
func (ix *PointIndex[T]) Put(id string, p orb.Point, v T) {
	ix.c.putMany(false, []PointItem[T]{{ID: id, Point: p, Value: v}})
}

// PutMany inserts or replaces several points and publishes once.
func (ix *PointIndex[T]) PutMany(items []PointItem[T]) { ix.c.putMany(false, items) }

// Load replaces the whole content (the start-up rebuild).
func (ix *PointIndex[T]) Load(items []PointItem[T]) { ix.c.putMany(true, items) }

// Delete removes the point under id and reports whether there was one.
func (ix *PointIndex[T]) Delete(id string) bool { return ix.c.delete(id) }

// Len returns the number of points.
func (s *PointSnapshot[T]) Len() int { return s.tree.Len() }

func itemOf[T comparable](min [2]float64, e pointEntry[T]) PointItem[T] {
	return PointItem[T]{ID: e.id, Point: min, Value: e.val}
}

// Search calls fn for every point in b (which may cross the antimeridian)
// until fn returns false or ctx is done.
func (s *PointSnapshot[T]) Search(ctx context.Context, b Bound, fn func(PointItem[T]) bool) error {
	st := stepper{ctx: ctx}
	searchParts(s.tree, b, func(min [2]float64, e pointEntry[T]) bool {
		return st.ok() && fn(itemOf(min, e))
	})
	return st.err
}

// Within calls fn for every point within metres of center by haversine
// distance (compared as chords of the unit sphere, the same quantity), until
// fn returns false or ctx is done.
func (s *PointSnapshot[T]) Within(ctx context.Context, center orb.Point, metres float64, fn func(PointItem[T]) bool) error {
	cu, limit := toUnit(center), chord2For(metres)
	st := stepper{ctx: ctx}
	searchParts(s.tree, CircleBound(center, metres), func(min [2]float64, e pointEntry[T]) bool {
		return e.u.chord2(cu) > limit || (st.ok() && fn(itemOf(min, e)))
	})
	return st.err
}

// CountWithin returns how many points lie within metres of center.
func (s *PointSnapshot[T]) CountWithin(ctx context.Context, center orb.Point, metres float64) (int, error) {
	n := 0
	err := s.Within(ctx, center, metres, func(PointItem[T]) bool { n++; return true })
	return n, err
}

// PointNeighbor is a point found by Nearest with its distance in metres.
type PointNeighbor[T comparable] struct {
	PointItem[T]
	Distance float64
}

// Nearest returns the k points closest to center in haversine order, ties
// broken by id; keep, when not nil, filters candidates. It works as
// Snapshot.Nearest does: an approximate R-tree walk bounds the k-th
// distance, an exact search within that bound gives the answer.
func (s *PointSnapshot[T]) Nearest(ctx context.Context, center orb.Point, k int, keep func(PointItem[T]) bool) ([]PointNeighbor[T], error) {
	if k <= 0 || s.tree.Len() == 0 {
		return nil, nil
	}
	st := stepper{ctx: ctx}
	cu := toUnit(center)
	kx := math.Cos(center[1] * rad)
	lon, lat := center[0], center[1]
	found, bound := 0, 0.0
	s.tree.Nearby(func(min, max [2]float64, _ pointEntry[T], _ bool) float64 {
		dx := max0(min[0]-lon, lon-max[0]) * kx
		dy := max0(min[1]-lat, lat-max[1])
		return dx*dx + dy*dy
	}, func(min, _ [2]float64, e pointEntry[T], _ float64) bool {
		if !st.ok() {
			return false
		}
		if keep != nil && !keep(itemOf(min, e)) {
			return true
		}
		bound = max(bound, e.u.chord2(cu))
		found++
		return found < k
	})
	if st.err != nil {
		return nil, st.err
	}
	out := make([]PointNeighbor[T], 0, k+k/2)
	err := s.Within(ctx, center, metresForChord2(bound)*(1+1e-9)+1e-6, func(it PointItem[T]) bool {
		if keep == nil || keep(it) {
			out = append(out, PointNeighbor[T]{PointItem: it, Distance: Distance(center, it.Point)})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Distance != out[j].Distance {
			return out[i].Distance < out[j].Distance
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}
