package community

import (
	"context"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// HouseholdGridCell is one published cell of the public household grid:
// its bounds and what the households in it need. It carries no id, point or
// name; cells under geo.MinCellCount households are never published.
type HouseholdGridCell struct {
	Bound orb.Bound
	Needs HouseholdNeedsSummary
}

// HouseholdGrid counts the households in view that agreed to aggregate
// statistics in the geo package's fixed public grid of cells of about
// cellKm, and returns the cells of at least geo.MinCellCount households
// with their needs. It answers Unprocessable for a bad view or cell size.
func HouseholdGrid(ctx context.Context, points *geo.PointSnapshot[HouseholdPoint], view geo.Bound, cellKm float64) ([]HouseholdGridCell, error) {
	cells, err := geo.Grid(ctx, points, view, cellKm, func(s *HouseholdNeedsSummary, v HouseholdPoint) bool {
		if !v.Statistics {
			return false
		}
		s.add(v.Size, v.Bedrooms, v.Accessibility, v.Situation)
		return true
	})
	if err != nil {
		return nil, err
	}
	out := make([]HouseholdGridCell, len(cells))
	for i, c := range cells {
		out[i] = HouseholdGridCell{Bound: c.Bound, Needs: c.Summary}
	}
	return out, nil
}
