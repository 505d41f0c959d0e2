package geo

import (
	"context"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

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

// cellsPerDegree sets the bucket grid: 1/64 degree is about 1.7 km of
// latitude (1.3 km of longitude in Oregon). Households live a few dozen
// to a few hundred per square kilometre, so a bucket holds tens to a few
// hundred points and a 5 km circle touches about fifty buckets, most of
// them wholly inside or outside it. Finer buckets (1/256 degree) made the
// walk over buckets cost more than the points in them: a radius query or
// a county grid took twice as long on households spread as people live.
const cellsPerDegree = 64

// bucket holds the points of one grid cell in parallel slices, so a radius
// test is a tight loop over unit vectors and a cell wholly inside a circle
// or box is taken without testing its points. Buckets are immutable once
// published; a write replaces the bucket.
type bucket[T comparable] struct {
	bound   orb.Bound
	corners [4]unit
	ids     []string
	pts     []orb.Point
	us      []unit
	vals    []T
}

func (b *bucket[T]) with(it PointItem[T]) *bucket[T] {
	n := &bucket[T]{
		bound:   b.bound,
		corners: b.corners,
		ids:     append(slices.Clip(b.ids), it.ID),
		pts:     append(slices.Clip(b.pts), it.Point),
		us:      append(slices.Clip(b.us), toUnit(it.Point)),
		vals:    append(slices.Clip(b.vals), it.Value),
	}
	return n
}

func (b *bucket[T]) without(id string) *bucket[T] {
	i := slices.Index(b.ids, id)
	if i < 0 {
		return b
	}
	return &bucket[T]{
		bound:   b.bound,
		corners: b.corners,
		ids:     slices.Delete(slices.Clone(b.ids), i, i+1),
		pts:     slices.Delete(slices.Clone(b.pts), i, i+1),
		us:      slices.Delete(slices.Clone(b.us), i, i+1),
		vals:    slices.Delete(slices.Clone(b.vals), i, i+1),
	}
}

func (b *bucket[T]) item(i int) PointItem[T] {
	return PointItem[T]{ID: b.ids[i], Point: b.pts[i], Value: b.vals[i]}
}

type cellKey struct{ lon, lat int32 }

func cellOf(p orb.Point) cellKey {
	lon := int32(math.Floor(p[0] * cellsPerDegree))
	lat := int32(math.Floor(p[1] * cellsPerDegree))
	// Points on 180 or 90 belong to the last cell, not a new one.
	lon = min(lon, 180*cellsPerDegree-1)
	lat = min(lat, 90*cellsPerDegree-1)
	return cellKey{lon, lat}
}

func newBucket[T comparable](k cellKey) *bucket[T] {
	b := orb.Bound{
		Min: orb.Point{float64(k.lon) / cellsPerDegree, float64(k.lat) / cellsPerDegree},
		Max: orb.Point{float64(k.lon+1) / cellsPerDegree, float64(k.lat+1) / cellsPerDegree},
	}
	return &bucket[T]{bound: b, corners: [4]unit{
		toUnit(b.Min), toUnit(b.Max), toUnit(orb.Point{b.Min[0], b.Max[1]}), toUnit(orb.Point{b.Max[0], b.Min[1]}),
	}}
}

// PointIndex is an in-memory index of points keyed by id (household
// locations). Points are grouped into grid-cell buckets held in an R-tree;
// writers are serialized and replace whole buckets, readers work on
// copy-on-write snapshots as with Index and never wait for a writer.
type PointIndex[T comparable] struct {
	mu      sync.Mutex // serializes writers
	tree    rtree.RTreeG[*bucket[T]]
	buckets map[cellKey]*bucket[T]
	snap    atomic.Pointer[PointSnapshot[T]]

	idmu sync.RWMutex
	ids  map[string]PointItem[T]
}

// PointSnapshot is a read-only view of a PointIndex at one moment.
type PointSnapshot[T comparable] struct {
	tree *rtree.RTreeG[*bucket[T]]
	n    int
}

// NewPointIndex returns an empty index.
func NewPointIndex[T comparable]() *PointIndex[T] {
	ix := &PointIndex[T]{buckets: map[cellKey]*bucket[T]{}, ids: map[string]PointItem[T]{}}
	ix.snap.Store(&PointSnapshot[T]{tree: &rtree.RTreeG[*bucket[T]]{}})
	return ix
}

// Snapshot returns the current read-only view; it costs one atomic load.
func (ix *PointIndex[T]) Snapshot() *PointSnapshot[T] { return ix.snap.Load() }

// Get returns the point stored under id.
func (ix *PointIndex[T]) Get(id string) (PointItem[T], bool) {
	ix.idmu.RLock()
	defer ix.idmu.RUnlock()
	it, ok := ix.ids[id]
	return it, ok
}

// Len returns the number of points.
func (ix *PointIndex[T]) Len() int {
	ix.idmu.RLock()
	defer ix.idmu.RUnlock()
	return len(ix.ids)
}

// Put inserts or replaces the point under id. It copies the one bucket it
// changes, a few thousand entries at most.
func (ix *PointIndex[T]) Put(id string, p orb.Point, v T) {
	ix.PutMany([]PointItem[T]{{ID: id, Point: p, Value: v}})
}

// PutMany inserts or replaces several points and publishes once.
func (ix *PointIndex[T]) PutMany(items []PointItem[T]) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, it := range items {
		ix.remove(it.ID)
		k := cellOf(it.Point)
		old := ix.buckets[k]
		if old == nil {
			old = newBucket[T](k)
		}
		ix.setBucket(k, old, old.with(it))
		ix.idmu.Lock()
		ix.ids[it.ID] = it
		ix.idmu.Unlock()
	}
	ix.publish()
}

// Delete removes the point under id and reports whether there was one.
func (ix *PointIndex[T]) Delete(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if !ix.remove(id) {
		return false
	}
	ix.publish()
	return true
}

// Load replaces the whole content (the start-up rebuild), building each
// bucket once.
func (ix *PointIndex[T]) Load(items []PointItem[T]) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	last := make(map[string]int, len(items))
	for i, it := range items {
		last[it.ID] = i // the last one wins, as with Put
	}
	ids := make(map[string]PointItem[T], len(last))
	// Lay the points out in one set of arrays in Z-order of their cells,
	// buckets being clipped windows on them: a scan then reads memory in
	// order instead of chasing a pointer per bucket.
	live := make([]PointItem[T], 0, len(last))
	for i, it := range items {
		if last[it.ID] == i {
			live = append(live, it)
			ids[it.ID] = it
		}
	}
	keys := make([]uint64, len(live))
	for i, it := range live {
		k := cellOf(it.Point)
		keys[i] = spread(uint64(uint32(k.lon))) | spread(uint64(uint32(k.lat)))<<1
	}
	sort.Sort(byCell[T]{keys, live})
	all := struct {
		ids  []string
		pts  []orb.Point
		us   []unit
		vals []T
	}{make([]string, len(live)), make([]orb.Point, len(live)), make([]unit, len(live)), make([]T, len(live))}
	for i, it := range live {
		all.ids[i], all.pts[i], all.us[i], all.vals[i] = it.ID, it.Point, toUnit(it.Point), it.Value
	}
	buckets := map[cellKey]*bucket[T]{}
	for i := 0; i < len(live); {
		k := cellOf(live[i].Point)
		j := i + 1
		for j < len(live) && cellOf(live[j].Point) == k {
			j++
		}
		b := newBucket[T](k)
		b.ids = slices.Clip(all.ids[i:j])
		b.pts = slices.Clip(all.pts[i:j])
		b.us = slices.Clip(all.us[i:j])
		b.vals = slices.Clip(all.vals[i:j])
		buckets[k] = b
		i = j
	}
	ix.tree = rtree.RTreeG[*bucket[T]]{}
	for i := 0; i < len(live); {
		b := buckets[cellOf(live[i].Point)]
		ix.tree.Insert(b.bound.Min, b.bound.Max, b)
		i += len(b.ids)
	}
	ix.buckets = buckets
	ix.idmu.Lock()
	ix.ids = ids
	ix.idmu.Unlock()
	ix.publish()
}

// remove must run under mu.
func (ix *PointIndex[T]) remove(id string) bool {
	ix.idmu.RLock()
	old, ok := ix.ids[id]
	ix.idmu.RUnlock()
	if !ok {
		return false
	}
	k := cellOf(old.Point)
	b := ix.buckets[k]
	ix.setBucket(k, b, b.without(id))
	ix.idmu.Lock()
	delete(ix.ids, id)
	ix.idmu.Unlock()
	return true
}

func (ix *PointIndex[T]) setBucket(k cellKey, old, b *bucket[T]) {
	if _, ok := ix.buckets[k]; ok {
		ix.tree.Delete(old.bound.Min, old.bound.Max, old)
	}
	if len(b.ids) == 0 {
		delete(ix.buckets, k)
		return
	}
	ix.tree.Insert(b.bound.Min, b.bound.Max, b)
	ix.buckets[k] = b
}

func (ix *PointIndex[T]) publish() {
	ix.idmu.RLock()
	n := len(ix.ids)
	ix.idmu.RUnlock()
	ix.snap.Store(&PointSnapshot[T]{tree: ix.tree.Copy(), n: n})
}

// Len returns the number of points.
func (s *PointSnapshot[T]) Len() int { return s.n }

// eachBucket calls fn with the buckets meeting b, checking ctx between
// buckets (a bucket is at most a few thousand points).
func (s *PointSnapshot[T]) eachBucket(ctx context.Context, b Bound, fn func(part orb.Bound, bk *bucket[T]) bool) error {
	var err error
	for _, part := range b.Parts() {
		stopped := false
		s.tree.Search(part.Min, part.Max, func(_, _ [2]float64, bk *bucket[T]) bool {
			if err = ctx.Err(); err != nil || !fn(part, bk) {
				stopped = true
				return false
			}
			return true
		})
		if stopped {
			break
		}
	}
	return err
}

// Search calls fn for every point in b (which may cross the antimeridian)
// until fn returns false or ctx is done.
func (s *PointSnapshot[T]) Search(ctx context.Context, b Bound, fn func(PointItem[T]) bool) error {
	return s.eachBucket(ctx, b, func(part orb.Bound, bk *bucket[T]) bool {
		all := boundWithin(bk.bound, part)
		for i, p := range bk.pts {
			if (all || pointInBound(p, part)) && !fn(bk.item(i)) {
				return false
			}
		}
		return true
	})
}

// circle is a radius test prepared once per query.
type circle struct {
	center unit
	q      havQuery
	limit  float64 // squared chord of the radius
	inner  float64 // squared chord a cell's corners must be within to hold only inside points
	outer  float64 // haversine h beyond which a cell holds no inside point
}

func newCircle(center orb.Point, metres float64) circle {
	// The edges of a cell along parallels bow poleward of the great circle
	// through their corners by L²·tan(lat)/8R, at most 3 cm for this cell
	// size; a margin of 1 m makes the whole-cell shortcut safe.
	return circle{
		center: toUnit(center), q: newHavQuery(center[0], center[1]),
		limit: chord2For(metres), inner: chord2For(max(metres-1, 0)), outer: havOf(metres),
	}
}

// misses reports whether no point of the bucket's cell can be inside: a
// lower bound of the distance to the cell is beyond the radius.
func (c circle) misses(b orb.Bound) bool { return c.q.bound(b.Min, b.Max) > c.outer }

// holds reports whether every point of the bucket's cell is inside the
// circle: its four corners are.
func (c circle) holds(corners *[4]unit) bool {
	for _, u := range corners {
		if u.chord2(c.center) > c.inner {
			return false
		}
	}
	return true
}

// Within calls fn for every point within metres of center by haversine
// distance (compared as chords of the unit sphere, the same quantity), until
// fn returns false or ctx is done. Buckets wholly inside the circle are
// taken without testing each point.
func (s *PointSnapshot[T]) Within(ctx context.Context, center orb.Point, metres float64, fn func(PointItem[T]) bool) error {
	c := newCircle(center, metres)
	return s.eachBucket(ctx, CircleBound(center, metres), func(_ orb.Bound, bk *bucket[T]) bool {
		if c.misses(bk.bound) {
			return true
		}
		if c.holds(&bk.corners) {
			for i := range bk.ids {
				if !fn(bk.item(i)) {
					return false
				}
			}
			return true
		}
		for i, u := range bk.us {
			if u.chord2(c.center) <= c.limit && !fn(bk.item(i)) {
				return false
			}
		}
		return true
	})
}

// AppendWithin appends the ids of the points within metres of center to
// dst, the allocation-free form of Within for listings and benchmarks.
func (s *PointSnapshot[T]) AppendWithin(ctx context.Context, dst []string, center orb.Point, metres float64) ([]string, error) {
	c := newCircle(center, metres)
	err := s.eachBucket(ctx, CircleBound(center, metres), func(_ orb.Bound, bk *bucket[T]) bool {
		if c.misses(bk.bound) {
			return true
		}
		if c.holds(&bk.corners) {
			dst = append(dst, bk.ids...)
			return true
		}
		for i, u := range bk.us {
			if u.chord2(c.center) <= c.limit {
				dst = append(dst, bk.ids[i])
			}
		}
		return true
	})
	return dst, err
}

// CountWithin returns how many points lie within metres of center.
func (s *PointSnapshot[T]) CountWithin(ctx context.Context, center orb.Point, metres float64) (int, error) {
	c := newCircle(center, metres)
	n := 0
	err := s.eachBucket(ctx, CircleBound(center, metres), func(_ orb.Bound, bk *bucket[T]) bool {
		if c.misses(bk.bound) {
			return true
		}
		if c.holds(&bk.corners) {
			n += len(bk.ids)
			return true
		}
		for _, u := range bk.us {
			if u.chord2(c.center) <= c.limit {
				n++
			}
		}
		return true
	})
	return n, err
}

// PointNeighbor is a point found by Nearest with its distance in metres.
type PointNeighbor[T comparable] struct {
	PointItem[T]
	Distance float64
}

// Nearest returns the k points closest to center in haversine order, ties
// broken by id; keep, when not nil, filters candidates. Buckets are walked
// best-first by a lower bound of the haversine distance to their cell (see
// havQuery); a point's exact h is a quarter of its squared chord, so no
// trigonometry runs per point.
func (s *PointSnapshot[T]) Nearest(ctx context.Context, center orb.Point, k int, keep func(PointItem[T]) bool) ([]PointNeighbor[T], error) {
	if k <= 0 || s.n == 0 {
		return nil, nil
	}
	cu := toUnit(center)
	q := newHavQuery(center[0], center[1])
	kb := newKBest[PointItem[T]](k)
	var err error
	s.tree.Nearby(func(min, max [2]float64, _ *bucket[T], _ bool) float64 {
		return q.bound(min, max)
	}, func(_, _ [2]float64, bk *bucket[T], lower float64) bool {
		if err = ctx.Err(); err != nil || kb.advance(lower) {
			return false
		}
		for i, u := range bk.us {
			if keep == nil || keep(bk.item(i)) {
				kb.push(candidate[PointItem[T]]{h: u.chord2(cu) / 4, id: bk.ids[i], v: bk.item(i)})
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	res := kb.result()
	out := make([]PointNeighbor[T], len(res))
	for i, c := range res {
		out[i] = PointNeighbor[T]{PointItem: c.v, Distance: Distance(center, c.v.Point)}
	}
	return out, nil
}

type byCell[T comparable] struct {
	keys  []uint64
	items []PointItem[T]
}

func (b byCell[T]) Len() int           { return len(b.keys) }
func (b byCell[T]) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byCell[T]) Swap(i, j int) {
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
	b.items[i], b.items[j] = b.items[j], b.items[i]
}
