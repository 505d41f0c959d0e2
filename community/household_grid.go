package community

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"commonground/apperr"
	"commonground/geo"
)

// Limits of the public household grid.
const (
	// HouseholdGridMinCount is the fewest households a published cell may
	// hold; smaller cells are dropped so that no family can be singled out.
	HouseholdGridMinCount = 5
	// HouseholdGridMinCellKm is the smallest cell: below about half a
	// kilometre a cell of five households points at a few lots.
	HouseholdGridMinCellKm = 0.5
	HouseholdGridMaxCellKm = 500
	// HouseholdGridMaxCells bounds the cells one view may span.
	HouseholdGridMaxCells = 40_000
)

// HouseholdGridCell is one published cell of the public grid: its bounds
// and what the households in it need. It carries no id, point or name.
type HouseholdGridCell struct {
	Bound orb.Bound
	Needs HouseholdNeedsSummary
}

// HouseholdGridCellKm returns the cell size, in kilometres, that suits a web
// map at zoom (0 to 22): about a sixteenth of a map tile, never below
// HouseholdGridMinCellKm.
func HouseholdGridCellKm(zoom int) float64 {
	const equatorKm = 40_075.017
	return max(HouseholdGridMinCellKm, equatorKm/math.Exp2(float64(zoom))/16)
}

// HouseholdGrid counts the households in view that agreed to aggregate
// statistics in square cells of about cellKm, aligned to a fixed grid so
// the same household always falls in the same cell for a given size, and
// drops every cell under HouseholdGridMinCount. Cells are cellKm tall
// everywhere and as wide in kilometres at the view's middle latitude.
func HouseholdGrid(ctx context.Context, points *geo.PointSnapshot[HouseholdPoint], view geo.Bound, cellKm float64) ([]HouseholdGridCell, error) {
	var f apperr.Fields
	if math.IsNaN(cellKm) || cellKm < HouseholdGridMinCellKm || cellKm > HouseholdGridMaxCellKm {
		f.Add("cell_km", "must be between %g and %g", float64(HouseholdGridMinCellKm), float64(HouseholdGridMaxCellKm))
		return nil, f.Err()
	}
	const kmPerDegree = 111.32
	dLat := cellKm / kmPerDegree
	// The width follows the cosine of a latitude rounded to whole degrees,
	// so that a view moved a little keeps the same cells.
	midLat := math.Round((view.South + view.North) / 2)
	dLon := dLat / math.Max(math.Cos(midLat*math.Pi/180), 0.01)
	width := view.East - view.West
	if view.CrossesAntimeridian() {
		width += 360
	}
	if cells := (width/dLon + 1) * ((view.North-view.South)/dLat + 1); cells > HouseholdGridMaxCells {
		f.Add("cell_km", "is too small for this view (%.0f cells, at most %d); zoom in or choose larger cells", cells, HouseholdGridMaxCells)
		return nil, f.Err()
	}
	type key struct{ lon, lat int64 }
	sums := map[key]*HouseholdNeedsSummary{}
	err := points.Search(ctx, view, func(it geo.PointItem[HouseholdPoint]) bool {
		v := it.Value
		if !v.Statistics {
			return true
		}
		k := key{int64(math.Floor(it.Point.Lon() / dLon)), int64(math.Floor(it.Point.Lat() / dLat))}
		s := sums[k]
		if s == nil {
			s = &HouseholdNeedsSummary{}
			sums[k] = s
		}
		s.add(v.Size, v.Bedrooms, v.Accessibility, v.Situation)
		return true
	})
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "the map took too long; zoom in")
	}
	out := make([]HouseholdGridCell, 0, len(sums))
	for k, s := range sums {
		if s.Households < HouseholdGridMinCount {
			continue
		}
		west, south := float64(k.lon)*dLon, float64(k.lat)*dLat
		out = append(out, HouseholdGridCell{
			Bound: orb.Bound{Min: orb.Point{west, south}, Max: orb.Point{west + dLon, south + dLat}},
			Needs: *s,
		})
	}
	sortGridCells(out)
	return out, nil
}

func sortGridCells(cells []HouseholdGridCell) {
	slices.SortFunc(cells, func(a, b HouseholdGridCell) int {
		return cmp.Or(cmp.Compare(a.Bound.Min.Lat(), b.Bound.Min.Lat()), cmp.Compare(a.Bound.Min.Lon(), b.Bound.Min.Lon()))
	})
}
