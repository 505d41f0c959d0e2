package geo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

type needs struct {
	People     int
	Accessible int
}

func addNeeds(s *needs, v household) bool {
	if !v.consent {
		return false
	}
	s.People += v.people
	if v.accessible {
		s.Accessible++
	}
	return true
}

type household struct {
	people     int
	accessible bool
	consent    bool
}

// TestGridMatchesBruteForce recounts each returned cell by scanning every
// point, and checks that cells never count more points than the view has.
func TestGridMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	ix := NewPointIndex[household]()
	type pt struct {
		p orb.Point
		h household
	}
	var all []pt
	var items []PointItem[household]
	for i := 0; i < 30000; i++ {
		p := randomPoint(r)
		h := household{people: 1 + r.IntN(6), accessible: r.IntN(5) == 0, consent: r.IntN(10) != 0}
		all = append(all, pt{p, h})
		items = append(items, PointItem[household]{ID: fmt.Sprintf("h%d", i), Point: p, Value: h})
	}
	ix.Load(items)
	ctx := context.Background()
	for q := 0; q < 40; q++ {
		view := randomBound(r)
		cellKM := 0.5 + r.Float64()*5
		cells, err := Grid(ctx, ix.Snapshot(), view, cellKM, addNeeds)
		if err != nil {
			t.Fatal(err)
		}
		counted := 0
		for _, c := range cells {
			if c.Count < MinCellCount {
				t.Fatalf("cell with %d points was not suppressed", c.Count)
			}
			var want needs
			n := 0
			for _, a := range all {
				// Cells are half-open: west and south edges in.
				in := a.p[0] >= c.Bound.Min[0] && a.p[0] < c.Bound.Max[0] && a.p[1] >= c.Bound.Min[1] && a.p[1] < c.Bound.Max[1]
				if in && view.Contains(a.p) && addNeeds(&want, a.h) {
					n++
				}
			}
			if n != c.Count || want != c.Summary {
				t.Fatalf("cell %v: count %d summary %+v, brute force %d %+v", c.Bound, c.Count, c.Summary, n, want)
			}
			counted += n
		}
		total := 0
		for _, a := range all {
			if view.Contains(a.p) && a.h.consent {
				total++
			}
		}
		if counted > total {
			t.Fatalf("cells count %d points, only %d in view", counted, total)
		}
	}
}

func TestGridIsStableWhenPanning(t *testing.T) {
	ix := NewPointIndex[household]()
	for i := 0; i < 50; i++ {
		ix.Put(fmt.Sprint(i), orb.Point{-122.8 + float64(i%7)*1e-4, 42.25 + float64(i/7)*1e-4}, household{people: 1, consent: true})
	}
	ctx := context.Background()
	a, _ := Grid(ctx, ix.Snapshot(), Bound{West: -123, South: 42, East: -122.5, North: 42.5}, 2, addNeeds)
	b, _ := Grid(ctx, ix.Snapshot(), Bound{West: -122.9, South: 42.1, East: -122.6, North: 42.4}, 2, addNeeds)
	if diff := cmp.Diff(a, b); diff != "" || len(a) == 0 {
		t.Errorf("cells moved when the view moved (-first +second):\n%s", diff)
	}
}

func TestGridSuppressesSmallCells(t *testing.T) {
	ix := NewPointIndex[household]()
	for i := 0; i < 4; i++ {
		ix.Put(fmt.Sprint(i), orb.Point{-122.8, 42.25}, household{people: 3, consent: true})
	}
	cells, err := Grid(context.Background(), ix.Snapshot(), Bound{West: -123, South: 42, East: -122, North: 43}, 1, addNeeds)
	if err != nil || len(cells) != 0 {
		t.Fatalf("four households made %d cells (err %v); want none", len(cells), err)
	}
	ix.Put("5", orb.Point{-122.8, 42.25}, household{people: 3, consent: true})
	cells, _ = Grid(context.Background(), ix.Snapshot(), Bound{West: -123, South: 42, East: -122, North: 43}, 1, addNeeds)
	if len(cells) != 1 || cells[0].Count != 5 || cells[0].Summary.People != 15 {
		t.Fatalf("cells = %+v, want one of 5 households and 15 people", cells)
	}
}

func TestGridRejects(t *testing.T) {
	ix := NewPointIndex[household]()
	tests := []struct {
		name   string
		view   Bound
		cellKM float64
		field  string
	}{
		{"cell too small", Bound{West: -123, South: 42, East: -122, North: 43}, 0.1, "cell_km"},
		{"too many cells", Bound{West: -180, South: -80, East: 180, North: 80}, 0.5, "cell_km"},
		{"bad view", Bound{West: -123, South: 43, East: -122, North: 42}, 1, "bbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Grid(context.Background(), ix.Snapshot(), tt.view, tt.cellKM, addNeeds)
			got := fieldsOf(t, err)
			if len(got) != 1 || got[0].Field != tt.field {
				t.Errorf("fields = %+v, want one for %s", got, tt.field)
			}
		})
	}
}

func TestCellKMForZoom(t *testing.T) {
	for _, tt := range []struct {
		zoom int
		want float64
	}{{0, MaxCellKM}, {10, 40075.016686 / 1024 / 8}, {20, MinCellKM}} {
		if got := CellKMForZoom(tt.zoom); got != tt.want {
			t.Errorf("CellKMForZoom(%d) = %g, want %g", tt.zoom, got, tt.want)
		}
	}
}
