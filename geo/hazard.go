package geo

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"commonground/apperr"
)

// HazardKind names what a hazard zone threatens.
type HazardKind string

// The hazard kinds Common Ground screens for.
const (
	Wildfire  HazardKind = "wildfire"
	Flood     HazardKind = "flood"
	Landslide HazardKind = "landslide"
	Other     HazardKind = "other"
)

// Valid reports whether k is one of the known kinds.
func (k HazardKind) Valid() bool {
	switch k {
	case Wildfire, Flood, Landslide, Other:
		return true
	}
	return false
}

// MaxSeverity is the top of the severity scale (1 lowest to 5 highest).
const MaxSeverity = 5

// Hazard is a hazard zone as screening needs it: a polygonal area, its kind
// and severity from 1 to MaxSeverity.
type Hazard struct {
	ID       string
	Kind     HazardKind
	Severity int
	Geometry orb.Geometry // Polygon or MultiPolygon
}

// Exposure is one hazard zone a parcel meets, with the share (0 to 1) of the
// parcel's area inside it. A parcel that only touches a zone has share 0.
type Exposure struct {
	HazardID string
	Kind     HazardKind
	Severity int
	Share    float64
}

// KindExposure sums a parcel's exposures of one kind. Share adds the shares
// of that kind's zones, capped at 1: exact when zones of a kind do not
// overlap (they rarely do within one source), an upper bound when they do.
type KindExposure struct {
	Kind        HazardKind
	Share       float64
	MaxSeverity int
}

// Screening is what a parcel carries about hazards: every zone it meets,
// ordered by hazard id, and a summary per kind, ordered by kind.
type Screening struct {
	Hazards []Exposure
	Kinds   []KindExposure
}

// Clear reports whether the parcel meets no hazard zone at all.
func (s Screening) Clear() bool { return len(s.Hazards) == 0 }

func summarize(exps []Exposure) Screening {
	sort.Slice(exps, func(i, j int) bool { return exps[i].HazardID < exps[j].HazardID })
	var kinds []KindExposure
	for _, e := range exps {
		i := slices.IndexFunc(kinds, func(k KindExposure) bool { return k.Kind == e.Kind })
		if i < 0 {
			kinds = append(kinds, KindExposure{Kind: e.Kind})
			i = len(kinds) - 1
		}
		kinds[i].Share = min(1, kinds[i].Share+e.Share)
		kinds[i].MaxSeverity = max(kinds[i].MaxSeverity, e.Severity)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i].Kind < kinds[j].Kind })
	return Screening{Hazards: exps, Kinds: kinds}
}

// HazardSet is an immutable set of prepared hazard zones with an R-tree
// over their bounds. Build a new one when zones are imported or deleted,
// then re-screen with ScreenAll.
type HazardSet struct {
	hazards []Hazard
	shapes  []*Prepared
	tree    rtree.RTreeG[int]
}

// NewHazardSet prepares the zones. A zone that is not a Polygon or
// MultiPolygon, or has an unknown kind or a severity outside 1 to
// MaxSeverity, is an Unprocessable error naming it by position.
func NewHazardSet(hazards []Hazard) (*HazardSet, error) {
	hs := &HazardSet{hazards: slices.Clone(hazards), shapes: make([]*Prepared, len(hazards))}
	var f apperr.Fields
	for i, h := range hs.hazards {
		field := fmt.Sprintf("hazards.%d", i)
		if !h.Kind.Valid() {
			f.Add(field+".kind", "must be wildfire, flood, landslide or other")
		}
		if h.Severity < 1 || h.Severity > MaxSeverity {
			f.Add(field+".severity", "must be from 1 to %d", MaxSeverity)
		}
		p, err := Prepare(h.Geometry)
		if err != nil {
			f.Add(field+".geometry", "must be a Polygon or MultiPolygon")
			continue
		}
		hs.shapes[i] = p
		b := p.Bound()
		hs.tree.Insert(b.Min, b.Max, i)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return hs, nil
}

// Len returns the number of zones.
func (hs *HazardSet) Len() int { return len(hs.hazards) }

// Hazards returns the zones; the slice must not be modified.
func (hs *HazardSet) Hazards() []Hazard { return hs.hazards }

// Search calls fn for every zone whose bounding box meets b.
func (hs *HazardSet) Search(b Bound, fn func(Hazard) bool) {
	searchParts(&hs.tree, b, func(_ [2]float64, i int) bool { return fn(hs.hazards[i]) })
}

// exposure screens g, with bound gb, against zone i.
func (hs *HazardSet) exposure(i int, g orb.Geometry, gb orb.Bound) (Exposure, bool) {
	p := hs.shapes[i]
	if !p.intersects(g, gb) {
		return Exposure{}, false
	}
	h := hs.hazards[i]
	return Exposure{HazardID: h.ID, Kind: h.Kind, Severity: h.Severity, Share: p.overlapShare(g, gb)}, true
}

// Screen returns the zones g meets and the share of g's area in each.
func (hs *HazardSet) Screen(g orb.Geometry) Screening {
	var exps []Exposure
	b := boundOf(g)
	hs.tree.Search(b.Min, b.Max, func(_, _ [2]float64, i int) bool {
		if e, ok := hs.exposure(i, g, b); ok {
			exps = append(exps, e)
		}
		return true
	})
	return summarize(exps)
}

// ScreenAll screens every item of the parcel snapshot against every zone
// and returns the screenings of the parcels that meet at least one; all
// others are clear. Each zone searches the parcel index for candidates by
// its bounding box, so the work grows with the parcels near hazards, not
// with all of them; zones are spread over the available CPUs.
func ScreenAll[T any](ctx context.Context, hs *HazardSet, parcels *Snapshot[T]) (map[string]Screening, error) {
	workers := min(runtime.GOMAXPROCS(0), len(hs.hazards))
	type hit struct {
		id string
		e  Exposure
	}
	results := make([][]hit, workers)
	errs := make([]error, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(hs.hazards) {
					return
				}
				err := parcels.Search(ctx, BoundFrom(hs.shapes[i].Bound()), func(it *Item[T]) bool {
					if e, ok := hs.exposure(i, it.Geometry, it.Bound); ok {
						results[w] = append(results[w], hit{it.ID, e})
					}
					return true
				})
				if err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	hits := 0
	for _, r := range results {
		hits += len(r)
	}
	byParcel := make(map[string][]Exposure, hits)
	for _, r := range results {
		for _, h := range r {
			byParcel[h.id] = append(byParcel[h.id], h.e)
		}
	}
	out := make(map[string]Screening, len(byParcel))
	for id, exps := range byParcel {
		out[id] = summarize(exps)
	}
	return out, nil
}
