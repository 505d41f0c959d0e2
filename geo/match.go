package geo

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"

	"commonground/apperr"
)

// Weights say how much each part of a match score counts. Only the ratios
// matter; a zero weight leaves the part out of the total (it is still
// explained).
type Weights struct {
	Distance      float64
	Capacity      float64
	Affordability float64
	Hazard        float64
	Places        float64
}

// DefaultWeights favours staying close to where the group lived and having
// room for everyone, then money and safety.
var DefaultWeights = Weights{Distance: 3, Capacity: 3, Affordability: 2, Hazard: 2, Places: 1}

// Place is a point the group cares about: a school, a workplace, a transit
// stop.
type Place struct {
	Name   string
	Point  orb.Point
	Weight float64 // relative to the other places; 0 counts as 1
}

// Group is who a match is for.
type Group struct {
	// Homes are the former home locations of the group's households.
	Homes []orb.Point
	// Households is the number of homes the group needs; 0 means len(Homes).
	Households int
	// Budget is the money available for a purchase in minor units of the
	// asking prices' currency, when HasBudget.
	Budget    int64
	HasBudget bool
	Places    []Place
}

// MatchOptions tune Rank; zero fields take the defaults shown.
type MatchOptions struct {
	Weights Weights // DefaultWeights when all zero
	// UnitsPerAcre is the housing density assumed for capacity (8, a
	// manufactured-home park or cottage cluster).
	UnitsPerAcre float64
	// MaxDistance in metres is where the distance score reaches 0 (50 km).
	MaxDistance float64
	// PlaceDistance in metres is where a place's score reaches 0 (10 km).
	PlaceDistance float64
	// ExcludeSeverity drops parcels that meet a hazard of this severity or
	// more with some of their area (4); lower severities only penalise.
	// A negative value excludes nothing.
	ExcludeSeverity int
	// Limit is how many parcels to return (20, at most 1000).
	Limit int
}

// MaxMatchLimit caps MatchOptions.Limit.
const MaxMatchLimit = 1000

func (o MatchOptions) withDefaults() MatchOptions {
	if o.Weights == (Weights{}) {
		o.Weights = DefaultWeights
	}
	if o.UnitsPerAcre <= 0 {
		o.UnitsPerAcre = 8
	}
	if o.MaxDistance <= 0 {
		o.MaxDistance = 50_000
	}
	if o.PlaceDistance <= 0 {
		o.PlaceDistance = 10_000
	}
	if o.ExcludeSeverity == 0 {
		o.ExcludeSeverity = 4
	}
	if o.Limit <= 0 {
		o.Limit = 20
	}
	return o
}

// Check names the options and group fields that are out of range.
func (o MatchOptions) Check(g Group) error {
	var f apperr.Fields
	w := o.Weights
	for _, p := range []struct {
		name string
		v    float64
	}{{"distance", w.Distance}, {"capacity", w.Capacity}, {"affordability", w.Affordability}, {"hazard", w.Hazard}, {"places", w.Places}} {
		if p.v < 0 || math.IsNaN(p.v) || math.IsInf(p.v, 0) {
			f.Add("weights."+p.name, "must be a finite number of at least 0")
		}
	}
	if o.Limit > MaxMatchLimit {
		f.Add("limit", "must be at most %d", MaxMatchLimit)
	}
	if o.UnitsPerAcre < 0 || o.UnitsPerAcre > 200 {
		f.Add("units_per_acre", "must be from 0 to 200")
	}
	if g.Households < 0 {
		f.Add("households", "must not be negative")
	}
	if g.HasBudget && g.Budget < 0 {
		f.Add("budget", "must not be negative")
	}
	for i, p := range g.Homes {
		checkPosition(&f, fmt.Sprintf("homes.%d", i), p)
	}
	for i, p := range g.Places {
		checkPosition(&f, fmt.Sprintf("places.%d.point", i), p.Point)
		if p.Weight < 0 {
			f.Add(fmt.Sprintf("places.%d.weight", i), "must not be negative")
		}
	}
	return f.Err()
}

// ParcelFacts are what matching needs to know about a parcel.
type ParcelFacts struct {
	// Center is the point distances are measured from; the zero value means
	// the centre of the parcel's bounding box.
	Center orb.Point
	Acres  float64
	// AskingPrice in minor units of the budget's currency; 0 when unknown.
	AskingPrice int64
	Screening   Screening
}

// MatchPart explains one part of a score.
type MatchPart struct {
	Name   string  // distance, capacity, affordability, hazard, places
	Value  float64 // what was measured: metres, homes, price/budget, penalty, metres
	Score  float64 // 0 to 1
	Weight float64
	Reason string
}

// Match is a ranked parcel.
type Match struct {
	ParcelID string
	Score    float64 // weighted mean of the parts' scores, 0 to 1
	Parts    []MatchPart
}

// Rank scores every parcel of the snapshot for the group and returns the
// best, highest score first, ties by parcel id, with the reason for every
// part. facts returns a parcel's facts, or false to leave it out (a parcel
// already rejected, for instance). The same input gives the same ranking.
//
// The distance part is the median great-circle distance from the parcel to
// the group's former homes. Computing it exactly for 200,000 parcels and
// 3,000 homes would take 600 million distances, so Rank uses that a median
// of distances moves by at most as much as the point it is measured from:
// it computes exact medians at the centres of a 0.05° grid, bounds each
// parcel's median by its distance from its cell's centre, and refines the
// parcel with the best upper bound (finer grids, then its exact median)
// until the best are exact. The answer is exact; only the work is saved.
func Rank[T any](ctx context.Context, parcels *Snapshot[T], facts func(*Item[T]) (ParcelFacts, bool), g Group, opt MatchOptions) ([]Match, error) {
	if err := opt.Check(g); err != nil {
		return nil, err
	}
	r := newRanker(g, opt.withDefaults())
	limit := r.opt.Limit
	// The limit-th best lower bound seen so far is a score the answer
	// surely reaches: a parcel whose upper bound is below it can never be
	// in the answer, so it is dropped as soon as it is scored instead of
	// being kept for a selection over every parcel.
	floor := newFloor(limit)
	var cands []rankCand[T]
	err := parcels.Scan(ctx, func(it *Item[T]) bool {
		f, ok := factsOf(r, facts, it)
		if !ok {
			return true
		}
		pu := toUnit(f.Center)
		c := rankCand[T]{it: it, center: f.Center, fixed: r.fixedScore(f, pu), hi: math.Inf(1)}
		bound(r, &c, 0, pu)
		floor.push(c.lo)
		if c.hi >= floor.value() {
			cands = append(cands, c)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	open := cands[:0]
	for _, c := range cands {
		if c.hi >= floor.value() {
			open = append(open, c)
		}
	}
	cands = open
	// Best first: the candidate with the highest upper bound is refined
	// (finer grid, then exact median) until it is exact; an exact candidate
	// on top beats or ties everything left, so it is the next result.
	h := rankHeap[T](cands)
	h.init()
	var best []Match
	for steps := 0; len(h) > 0 && len(best) < limit; steps++ {
		if steps%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c := h[0]
		if c.level < len(medianCells) {
			bound(r, &h[0], c.level+1, toUnit(c.center))
			h.fix(0)
			continue
		}
		h.pop()
		f, _ := factsOf(r, facts, c.it)
		best = append(best, r.explain(c.it.ID, f))
	}
	return best, nil
}

// rankCand is a parcel in the running, its score known within [lo, hi].
type rankCand[T any] struct {
	it     *Item[T]
	center orb.Point
	fixed  float64 // weighted score of every part but distance
	level  int     // index into medianCells, or len(medianCells) when exact
	lo, hi float64
}

// scoreFloor keeps the k largest lower bounds pushed so far in a min-heap;
// its value is the k-th largest, or -Inf while fewer than k were pushed.
type scoreFloor struct {
	k int
	h []float64
}

func newFloor(k int) scoreFloor { return scoreFloor{k: k, h: make([]float64, 0, k)} }

func (f *scoreFloor) value() float64 {
	if len(f.h) < f.k {
		return math.Inf(-1)
	}
	return f.h[0]
}

func (f *scoreFloor) push(v float64) {
	if len(f.h) < f.k {
		f.h = append(f.h, v)
		for i := len(f.h) - 1; i > 0; {
			p := (i - 1) / 2
			if f.h[p] <= f.h[i] {
				break
			}
			f.h[p], f.h[i] = f.h[i], f.h[p]
			i = p
		}
		return
	}
	if v <= f.h[0] {
		return
	}
	f.h[0] = v
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(f.h) && f.h[l] < f.h[m] {
			m = l
		}
		if r < len(f.h) && f.h[r] < f.h[m] {
			m = r
		}
		if m == i {
			return
		}
		f.h[m], f.h[i] = f.h[i], f.h[m]
		i = m
	}
}

// rankHeap orders candidates by upper bound, inexact before exact on a tie
// (refining may reveal an equal score with a smaller id), then by id.
type rankHeap[T any] []rankCand[T]

func (h rankHeap[T]) less(i, j int) bool {
	a, b := &h[i], &h[j]
	if a.hi != b.hi {
		return a.hi > b.hi
	}
	ae, be := a.level == len(medianCells), b.level == len(medianCells)
	if ae != be {
		return be
	}
	return a.it.ID < b.it.ID
}

func (h rankHeap[T]) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.fix(i)
	}
}

// fix restores the heap after h[i] got worse (its bound only shrinks).
func (h rankHeap[T]) fix(i int) {
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h.less(l, m) {
			m = l
		}
		if r < len(h) && h.less(r, m) {
			m = r
		}
		if m == i {
			return
		}
		h[m], h[i] = h[i], h[m]
		i = m
	}
}

func (h *rankHeap[T]) pop() {
	s := *h
	s[0] = s[len(s)-1]
	*h = s[:len(s)-1]
	h.fix(0)
}

// matchBefore is the result order: score down, then parcel id up.
func matchBefore(a, b Match) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.ParcelID < b.ParcelID
}

// medianCells are the grid steps, in degrees, of the exact medians that
// bound the others: coarse for the first pass over every parcel, finer for
// the few still in the running.
var medianCells = []float64{0.05, 0.01, 0.002}

type ranker struct {
	g       Group
	opt     MatchOptions
	w       Weights
	total   float64
	homes   []unit
	placeUs []unit
	// placeWeights are the places' weights (0 counted as 1) and their sum;
	// placeChord2 is the squared chord of PlaceDistance.
	placeWeights   []float64
	placeWeightSum float64
	placeChord2    float64
	need           int
	cells          []map[[2]int32]cellMedian // per level of medianCells
	scratch        []uint64
}

func newRanker(g Group, opt MatchOptions) *ranker {
	r := &ranker{g: g, opt: opt, w: opt.Weights}
	for range medianCells {
		r.cells = append(r.cells, map[[2]int32]cellMedian{})
	}
	r.total = r.w.Distance + r.w.Capacity + r.w.Affordability + r.w.Hazard + r.w.Places
	if r.total == 0 {
		r.total = 1
	}
	r.homes = make([]unit, len(g.Homes))
	for i, p := range g.Homes {
		r.homes[i] = toUnit(p)
	}
	for _, p := range g.Places {
		r.placeUs = append(r.placeUs, toUnit(p.Point))
		w := p.Weight
		if w == 0 {
			w = 1
		}
		r.placeWeights = append(r.placeWeights, w)
		r.placeWeightSum += w
	}
	r.placeChord2 = chord2For(opt.PlaceDistance)
	r.need = g.Households
	if r.need == 0 {
		r.need = len(g.Homes)
	}
	r.scratch = make([]uint64, len(r.homes))
	return r
}

func (r *ranker) excluded(s Screening) bool {
	if r.opt.ExcludeSeverity < 0 {
		return false
	}
	for _, e := range s.Hazards {
		if e.Severity >= r.opt.ExcludeSeverity && e.Share > 0 {
			return true
		}
	}
	return false
}

// median returns the exact median distance in metres from p to the homes.
// Squared chords order like distances, and non-negative floats order like
// their bits, so the middle is found by a radix selection over the bits:
// a few passes of counting, with none of quickselect's unpredictable
// branches (it took three quarters of the time of a median).
func (r *ranker) median(p orb.Point) float64 {
	pu := toUnit(p)
	for i, h := range r.homes {
		r.scratch[i] = math.Float64bits(h.chord2(pu))
	}
	n := len(r.scratch)
	if n%2 == 1 {
		return metresForChord2(math.Float64frombits(selectKth(r.scratch, n/2)))
	}
	// The upper middle follows the lower: the lower again if it repeats,
	// else the smallest value above it. selectKth reorders only the
	// window it narrows down to, so one pass over the values remains.
	lo := selectKth(r.scratch, n/2-1)
	atMost, hi := 0, uint64(math.MaxUint64)
	for _, v := range r.scratch {
		if v <= lo {
			atMost++
		} else {
			hi = min(hi, v)
		}
	}
	if atMost > n/2 {
		hi = lo
	}
	return (metresForChord2(math.Float64frombits(lo)) + metresForChord2(math.Float64frombits(hi))) / 2
}

// factsOf asks for a parcel's facts, fills in the default centre and
// leaves out excluded parcels.
func factsOf[T any](r *ranker, facts func(*Item[T]) (ParcelFacts, bool), it *Item[T]) (ParcelFacts, bool) {
	f, ok := facts(it)
	if f.Center == (orb.Point{}) {
		f.Center = it.Bound.Center()
	}
	return f, ok && !r.excluded(f.Screening)
}

// bound sets c's score bounds at a level: the median distance is known at
// the centre of c's grid cell, and a median of distances moves no more
// than the point it is measured from, so c's median is within its
// distance to that centre. At the last level the median is exact and
// lo = hi is the score.
func bound[T any](r *ranker, c *rankCand[T], level int, pu unit) {
	c.level = level
	if len(r.homes) == 0 {
		c.lo = c.fixed / r.total
		c.hi = c.lo
		c.level = len(medianCells)
		return
	}
	if level == len(medianCells) {
		c.lo = r.score(c.fixed, r.median(c.center))
		c.hi = c.lo
		return
	}
	step := medianCells[level]
	k := [2]int32{int32(math.Floor(c.center[0] / step)), int32(math.Floor(c.center[1] / step))}
	cm, ok := r.cells[level][k]
	if !ok {
		centre := orb.Point{(float64(k[0]) + 0.5) * step, (float64(k[1]) + 0.5) * step}
		cm = cellMedian{u: toUnit(centre), median: r.median(centre)}
		r.cells[level][k] = cm
	}
	// A hair of slack covers rounding in the two median computations.
	slack := metresAbove(pu.chord2(cm.u))*(1+1e-9) + 1e-6
	c.lo = r.score(c.fixed, cm.median+slack)
	c.hi = min(r.score(c.fixed, max(cm.median-slack, 0)), c.hi)
}

// score is the total for a median distance; bounds and exact scores use
// this one expression, so an exact score always lies within its bounds.
func (r *ranker) score(fixed, median float64) float64 {
	return (fixed + r.w.Distance*r.distanceScore(median)) / r.total
}

type cellMedian struct {
	u      unit
	median float64
}

func (r *ranker) distanceScore(m float64) float64 {
	return clamp01(1 - m/r.opt.MaxDistance)
}

func (r *ranker) capacity(f ParcelFacts) (homes, score float64) {
	homes = math.Floor(f.Acres * r.opt.UnitsPerAcre)
	if r.need == 0 {
		return homes, 1
	}
	return homes, math.Min(1, homes/float64(r.need))
}

func (r *ranker) affordability(f ParcelFacts) (ratio, score float64) {
	switch {
	case f.AskingPrice <= 0 || !r.g.HasBudget:
		return 0, 0.5
	case r.g.Budget == 0:
		return math.Inf(1), 0
	}
	// Integer comparison decides affordable; the ratio only grades.
	ratio = float64(f.AskingPrice) / float64(r.g.Budget)
	if f.AskingPrice <= r.g.Budget {
		return ratio, 1
	}
	return ratio, 1 / ratio
}

func (r *ranker) affordabilityReason(f ParcelFacts, ratio float64) string {
	switch {
	case f.AskingPrice <= 0:
		return "no asking price is known"
	case !r.g.HasBudget:
		return "the group's budget is not known"
	case r.g.Budget == 0:
		return "the group has no money available yet"
	case f.AskingPrice <= r.g.Budget:
		return fmt.Sprintf("the asking price is %.0f %% of the money available", ratio*100)
	}
	return fmt.Sprintf("the asking price is %.0f %% above the money available", (ratio-1)*100)
}

func (r *ranker) hazard(s Screening) (penalty, score float64) {
	for _, e := range s.Hazards {
		penalty += e.Share * float64(e.Severity) / MaxSeverity
	}
	return penalty, clamp01(1 - penalty)
}

func hazardReason(s Screening) string {
	if len(s.Kinds) == 0 {
		return "no known hazard zone"
	}
	parts := make([]string, 0, len(s.Kinds))
	for _, k := range s.Kinds {
		parts = append(parts, fmt.Sprintf("%.0f %% in %s zones (severity up to %d)", k.Share*100, k.Kind, k.MaxSeverity))
	}
	return strings.Join(parts, ", ")
}

// placeDistances measures from the parcel to each place.
func (r *ranker) placeDistances(pu unit, each func(i int, d float64)) {
	for i, u := range r.placeUs {
		each(i, metresForChord2(pu.chord2(u)))
	}
}

// placeScore is the weighted mean of the places' scores. A place beyond
// PlaceDistance scores 0 and needs no distance: its chord is compared with
// the chord of PlaceDistance, which saves the arcsine for most parcels.
func (r *ranker) placeScore(pu unit) float64 {
	if len(r.placeUs) == 0 {
		return 1
	}
	var sum float64
	for i, u := range r.placeUs {
		if c2 := pu.chord2(u); c2 < r.placeChord2 {
			sum += r.placeWeights[i] * clamp01(1-metresForChord2(c2)/r.opt.PlaceDistance)
		}
	}
	return sum / r.placeWeightSum
}

// placeMean is the mean distance to the places, for the explanation.
func (r *ranker) placeMean(pu unit) float64 {
	if len(r.placeUs) == 0 {
		return 0
	}
	var dsum float64
	r.placeDistances(pu, func(_ int, d float64) { dsum += d })
	return dsum / float64(len(r.placeUs))
}

func (r *ranker) placeReason(pu unit) string {
	if len(r.placeUs) == 0 {
		return "no places of interest given"
	}
	parts := make([]string, 0, len(r.placeUs))
	r.placeDistances(pu, func(i int, d float64) {
		parts = append(parts, fmt.Sprintf("%.1f km to %s", d/1000, r.g.Places[i].Name))
	})
	return strings.Join(parts, ", ")
}

// fixedScore is the weighted sum of every part but distance.
func (r *ranker) fixedScore(f ParcelFacts, pu unit) float64 {
	_, cs := r.capacity(f)
	_, as := r.affordability(f)
	_, hs := r.hazard(f.Screening)
	ps := r.placeScore(pu)
	return r.w.Capacity*cs + r.w.Affordability*as + r.w.Hazard*hs + r.w.Places*ps
}

// explain scores a parcel exactly and says why.
func (r *ranker) explain(id string, f ParcelFacts) Match {
	pu := toUnit(f.Center)
	parts := make([]MatchPart, 0, 5)
	if len(r.homes) == 0 {
		parts = append(parts, MatchPart{Name: "distance", Weight: r.w.Distance, Reason: "no former homes are known for the group"})
	} else {
		m := r.median(f.Center)
		parts = append(parts, MatchPart{Name: "distance", Value: m, Score: r.distanceScore(m), Weight: r.w.Distance,
			Reason: fmt.Sprintf("the median distance from the group's former homes is %.1f km", m/1000)})
	}
	homes, cs := r.capacity(f)
	parts = append(parts, MatchPart{Name: "capacity", Value: homes, Score: cs, Weight: r.w.Capacity,
		Reason: fmt.Sprintf("room for about %.0f homes (%.1f acres at %g per acre) for %d households", homes, f.Acres, r.opt.UnitsPerAcre, r.need)})
	ratio, as := r.affordability(f)
	parts = append(parts, MatchPart{Name: "affordability", Value: ratio, Score: as, Weight: r.w.Affordability, Reason: r.affordabilityReason(f, ratio)})
	pen, hs := r.hazard(f.Screening)
	parts = append(parts, MatchPart{Name: "hazard", Value: pen, Score: hs, Weight: r.w.Hazard, Reason: hazardReason(f.Screening)})
	mean, ps := r.placeMean(pu), r.placeScore(pu)
	parts = append(parts, MatchPart{Name: "places", Value: mean, Score: ps, Weight: r.w.Places, Reason: r.placeReason(pu)})
	score := r.fixedScore(f, pu) / r.total
	if len(r.homes) > 0 {
		score = r.score(r.fixedScore(f, pu), parts[0].Value)
	}
	return Match{ParcelID: id, Score: score, Parts: parts}
}

// selectKth returns the k-th smallest (from 0) of a, by a most
// significant byte first radix selection: count the values per byte,
// keep the byte's bucket that holds the k-th, and go on with the next
// byte. The values it keeps are moved to the front of a, so a keeps its
// values but not their order.
func selectKth(a []uint64, k int) uint64 {
	for shift := 56; ; shift -= 8 {
		var count [256]int32
		for _, v := range a {
			count[(v>>shift)&0xff]++
		}
		b := 0
		for ; k >= int(count[b]); b++ {
			k -= int(count[b])
		}
		if shift == 0 || int(count[b]) == 1 {
			for _, v := range a {
				if (v>>shift)&0xff == uint64(b) && (shift == 0 || k == 0) {
					return v
				}
			}
		}
		if int(count[b]) == len(a) {
			continue
		}
		m := 0
		for i, v := range a {
			if (v>>shift)&0xff == uint64(b) {
				a[m], a[i] = v, a[m]
				m++
			}
		}
		a = a[:m]
	}
}
