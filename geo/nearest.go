package geo

import (
	"math"
	"sort"
)

// k-nearest search by haversine distance over an R-tree.
//
// The R-tree's best-first walk (Nearby) needs a priority for every box that
// never exceeds the true distance of anything inside it. havBound gives one
// in haversine units, h = sin²(d / 2R):
//
//	h = hav(Δφ) + cos φ1 · cos φ2 · hav(Δλ)
//
// is smallest over a box for the smallest latitude and longitude gaps and
// the smallest cos φ2 in the box's latitude range; sin and cos are replaced
// by Taylor polynomials that bound them from below, so no trigonometry runs
// per box. Items come off the walk with their box's bound; each gets its
// exact distance and waits in a small heap until the walk's bound passes it,
// so results leave in true haversine order. This replaces the planar
// k-nearest of orb's quadtree, which ranks degrees of longitude and latitude
// alike and returned the wrong top 10 in most test queries.

type havQuery struct {
	lon, lat, cosLat float64
}

func newHavQuery(lon, lat float64) havQuery {
	return havQuery{lon: lon, lat: lat, cosLat: math.Cos(lat * rad)}
}

// sinBelow is x - x³/6 ≤ sin x for 0 ≤ x ≤ π/2.
func sinBelow(x float64) float64 { return x - x*x*x/6 }

// cosBelow is 1 - x²/2 + x⁴/24 - x⁶/720 ≤ cos x, clamped at 0.
func cosBelow(x float64) float64 {
	x2 := x * x
	return max(1-x2/2+x2*x2/24-x2*x2*x2/720, 0)
}

// bound returns a lower bound of h for every point of the box.
func (q havQuery) bound(min, max [2]float64) float64 {
	dlat := max0(min[1]-q.lat, q.lat-max[1]) * rad
	var dlon float64
	switch {
	case q.lon < min[0]:
		dlon = math.Min(min[0]-q.lon, q.lon+360-max[0])
	case q.lon > max[0]:
		dlon = math.Min(q.lon-max[0], min[0]+360-q.lon)
	}
	dlon *= rad
	s1, s2 := sinBelow(dlat/2), sinBelow(dlon/2)
	c2 := cosBelow(math.Max(math.Abs(min[1]), math.Abs(max[1])) * rad)
	return s1*s1 + q.cosLat*c2*s2*s2
}

// havOf converts metres to h.
func havOf(metres float64) float64 {
	s := math.Sin(metres / EarthRadius / 2)
	return s * s
}

// candidate is an item with its exact h, waiting to be emitted.
type candidate[V any] struct {
	h  float64
	id string
	v  V
}

// kBest emits candidates in order of h once the walk's lower bound has
// passed them, and knows when k are out.
type kBest[V any] struct {
	k    int
	heap []candidate[V] // min-heap on h
	out  []candidate[V]
	best []float64 // max-heap of the k smallest h pushed so far
}

func newKBest[V any](k int) kBest[V] {
	return kBest[V]{k: k, heap: make([]candidate[V], 0, 2*k), out: make([]candidate[V], 0, 2*k), best: make([]float64, 0, k)}
}

// push adds a candidate unless k others are already known to be closer,
// which keeps the heap small when a whole dense bucket arrives at once.
func (kb *kBest[V]) push(c candidate[V]) {
	if len(kb.best) == kb.k {
		if c.h > kb.best[0] {
			return
		}
		kb.best[0] = c.h
		siftDownMax(kb.best, 0)
	} else {
		kb.best = append(kb.best, c.h)
		for i := len(kb.best) - 1; i > 0; {
			p := (i - 1) / 2
			if kb.best[p] >= kb.best[i] {
				break
			}
			kb.best[p], kb.best[i] = kb.best[i], kb.best[p]
			i = p
		}
	}
	kb.heap = append(kb.heap, c)
	i := len(kb.heap) - 1
	for i > 0 {
		p := (i - 1) / 2
		if kb.heap[p].h <= kb.heap[i].h {
			break
		}
		kb.heap[p], kb.heap[i] = kb.heap[i], kb.heap[p]
		i = p
	}
}

func (kb *kBest[V]) pop() candidate[V] {
	h := kb.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	i := 0
	for {
		l, r, s := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].h < h[s].h {
			s = l
		}
		if r < len(h) && h[r].h < h[s].h {
			s = r
		}
		if s == i {
			break
		}
		h[s], h[i] = h[i], h[s]
		i = s
	}
	kb.heap = h
	return top
}

// advance emits every waiting candidate not farther than the walk's next
// lower bound and reports whether the search is complete: k are out and
// nothing left can tie or beat the k-th.
func (kb *kBest[V]) advance(lower float64) bool {
	for len(kb.heap) > 0 && kb.heap[0].h <= lower {
		kb.out = append(kb.out, kb.pop())
	}
	return len(kb.out) >= kb.k && lower > kb.out[kb.k-1].h
}

// result drains the heap when the walk ran out, orders ties by id and
// keeps k.
func (kb *kBest[V]) result() []candidate[V] {
	for len(kb.heap) > 0 {
		kb.out = append(kb.out, kb.pop())
	}
	sort.SliceStable(kb.out, func(i, j int) bool {
		if kb.out[i].h != kb.out[j].h {
			return kb.out[i].h < kb.out[j].h
		}
		return kb.out[i].id < kb.out[j].id
	})
	if len(kb.out) > kb.k {
		kb.out = kb.out[:kb.k]
	}
	return kb.out
}

func siftDownMax(h []float64, i int) {
	for {
		l, r, s := 2*i+1, 2*i+2, i
		if l < len(h) && h[l] > h[s] {
			s = l
		}
		if r < len(h) && h[r] > h[s] {
			s = r
		}
		if s == i {
			return
		}
		h[s], h[i] = h[i], h[s]
		i = s
	}
}
