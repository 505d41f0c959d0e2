package geo

import (
	"context"
	"math"
	"sort"

	"github.com/paulmach/orb"

	"commonground/apperr"
)

// Public aggregation of household points. A household's location is never
// public: the map shows counts in grid cells, and a cell with fewer than
// MinCellCount households is left out entirely.

// MinCellCount is the smallest count a public cell may show.
const MinCellCount = 5

// MinCellKM and MaxCellKM bound the cell size; below half a kilometre a
// cell of five could point at a street.
const (
	MinCellKM = 0.5
	MaxCellKM = 500.0
)

// maxGridCells caps the cells one request may build (view area over cell
// area), so a tiny cell over a continent is refused instead of computed.
const maxGridCells = 1_000_000

const kmPerDegreeLat = EarthRadius * math.Pi / 180 / 1000

// CellKMForZoom returns the cell size for a web-map zoom level: an eighth
// of a 256-pixel tile's width at the equator (about 32 pixels on screen),
// kept within MinCellKM and MaxCellKM.
func CellKMForZoom(zoom int) float64 {
	km := 40075.016686 / math.Pow(2, float64(zoom)) / 8
	return math.Min(math.Max(km, MinCellKM), MaxCellKM)
}

// Cell is one public grid cell: its box, how many points fell in it and
// the caller's summary of their values. It holds no id and no point.
type Cell[S any] struct {
	Bound   orb.Bound
	Count   int
	Summary S
}

// gridRows lays out a fixed global grid: rows of equal latitude height,
// each row cut into cells about as wide as high at its latitude. The grid
// depends only on the cell size, never on the view, so panning the map
// cannot shift cells to reveal who is where.
type gridRows struct {
	dLat, invDLat, lat0 float64
	row0                int
	dLon                []float64 // per row
	invDLon, lon0       []float64 // per row: 1/dLon and the west edge of its first cell
	col0                []int
	start               []int // index of the row's first cell
	ncols               []int
	ncells              int
}

func newGridRows(part orb.Bound, cellKM float64) (*gridRows, bool) {
	dLat := cellKM / kmPerDegreeLat
	row0 := int(math.Floor(part.Min[1] / dLat))
	row1 := int(math.Floor(part.Max[1] / dLat))
	g := &gridRows{dLat: dLat, invDLat: 1 / dLat, row0: row0, lat0: float64(row0) * dLat}
	for row := row0; row <= row1; row++ {
		mid := (float64(row) + 0.5) * dLat
		dLon := dLat / math.Max(math.Cos(mid*rad), 0.01)
		c0 := int(math.Floor(part.Min[0] / dLon))
		c1 := int(math.Floor(part.Max[0] / dLon))
		g.dLon = append(g.dLon, dLon)
		g.invDLon = append(g.invDLon, 1/dLon)
		g.lon0 = append(g.lon0, float64(c0)*dLon)
		g.col0 = append(g.col0, c0)
		g.start = append(g.start, g.ncells)
		g.ncols = append(g.ncols, c1-c0+1)
		g.ncells += c1 - c0 + 1
		if g.ncells > maxGridCells {
			return nil, false
		}
	}
	return g, true
}

// index returns the cell of p, or -1 if rounding put it outside the part.
// Offsets from the part's first row and column keep the arguments of the
// int conversions positive, so truncation is floor.
func (g *gridRows) index(p orb.Point) int {
	y := (p[1] - g.lat0) * g.invDLat
	if y < 0 {
		return -1
	}
	r := int(y)
	if r >= len(g.dLon) {
		return -1
	}
	x := (p[0] - g.lon0[r]) * g.invDLon[r]
	if x < 0 {
		return -1
	}
	c := int(x)
	if c >= g.ncols[r] {
		return -1
	}
	return g.start[r] + c
}

func (g *gridRows) bound(i int) orb.Bound {
	r := sort.SearchInts(g.start, i+1) - 1
	c := g.col0[r] + i - g.start[r]
	lat := float64(g.row0+r) * g.dLat
	lon := float64(c) * g.dLon[r]
	return orb.Bound{
		Min: orb.Point{math.Max(lon, -180), math.Max(lat, -90)},
		Max: orb.Point{math.Min(lon+g.dLon[r], 180), math.Min(lat+g.dLat, 90)},
	}
}

// Grid counts the points of the snapshot in view into cells of about
// cellKM, folding each point's value into its cell's summary with add,
// which returns false to leave the point out (no consent to statistics,
// for instance). Cells with fewer than MinCellCount counted points are
// dropped. Cells come back row by row from the south-west, the same for
// the same input.
func Grid[T comparable, S any](ctx context.Context, pts *PointSnapshot[T], view Bound, cellKM float64, add func(*S, T) bool) ([]Cell[S], error) {
	var f apperr.Fields
	view.check(&f, "bbox")
	if math.IsNaN(cellKM) || cellKM < MinCellKM || cellKM > MaxCellKM {
		f.Add("cell_km", "must be from %g to %g", MinCellKM, MaxCellKM)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []Cell[S]
	for _, part := range view.Parts() {
		g, ok := newGridRows(part, cellKM)
		if !ok {
			f.Add("cell_km", "is too small for this view; zoom in or use larger cells")
			return nil, f.Err()
		}
		counts := make([]int32, g.ncells)
		sums := make([]S, g.ncells)
		err := pts.eachBucket(ctx, BoundFrom(part), func(part orb.Bound, bk *bucket[T]) bool {
			all := boundWithin(bk.bound, part)
			// A bucket whose cell lies in one grid cell needs no per-point
			// lookup (its top and right edges belong to the next bucket).
			if c := g.index(bk.bound.Min); all && c >= 0 && c == g.index(orb.Point{
				math.Nextafter(bk.bound.Max[0], math.Inf(-1)), math.Nextafter(bk.bound.Max[1], math.Inf(-1)),
			}) {
				for _, v := range bk.vals {
					if add(&sums[c], v) {
						counts[c]++
					}
				}
				return true
			}
			for i, p := range bk.pts {
				if !all && !pointInBound(p, part) {
					continue
				}
				if c := g.index(p); c >= 0 && add(&sums[c], bk.vals[i]) {
					counts[c]++
				}
			}
			return true
		})
		if err != nil {
			return nil, err
		}
		for i, n := range counts {
			if n >= MinCellCount {
				out = append(out, Cell[S]{Bound: g.bound(i), Count: int(n), Summary: sums[i]})
			}
		}
	}
	return out, nil
}
