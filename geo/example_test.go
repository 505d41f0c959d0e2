package geo_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"commonground/geo"
)

func ExampleDecodeFeature() {
	input := `{"type":"Feature","properties":{"parcelnumb":"10-001"},
	  "geometry":{"type":"Polygon","coordinates":[[[-122.8,42.2],[-122.79,42.2],[-122.79,42.21],[-122.8,42.2]]]}}`
	f, err := geo.DecodeFeature([]byte(input), geo.Rules{})
	fmt.Println(f.Geometry.GeoJSONType(), err)

	unclosed := `{"type":"Feature","properties":null,
	  "geometry":{"type":"Polygon","coordinates":[[[-122.8,42.2],[-122.79,42.2],[-122.79,42.21],[-122.8,42.21]]]}}`
	_, err = geo.DecodeFeature([]byte(unclosed), geo.Rules{})
	fmt.Println(err)
	// Output:
	// Polygon <nil>
	// the request has invalid fields (1 bad fields)
}

func ExampleFeatureReader() {
	doc := `{"type":"FeatureCollection","features":[
	  {"type":"Feature","id":"a","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
	  {"type":"Feature","id":"b","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}},
	  {"type":"Feature","id":"c","properties":{},"geometry":{"type":"Polygon","coordinates":[[[2,2],[3,2],[3,3],[2,2]]]}}`
	fr := geo.NewFeatureReader(strings.NewReader(doc), geo.Rules{})
	for fr.Next() {
		f, err := fr.Feature()
		if err != nil {
			fmt.Println(fr.Index(), "rejected")
			continue
		}
		fmt.Println(fr.Index(), "accepted", f.ID)
	}
	fmt.Println(fr.Err() != nil)
	// Output:
	// 0 accepted a
	// 1 rejected
	// 2 accepted c
	// true
}

func ExampleAppendFeatureCollection() {
	clockwise := orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}}
	out := geo.AppendFeatureCollection(nil, []geo.Feature{
		{ID: "p1", Geometry: clockwise, Properties: []byte(`{"acres":3.2}`)},
	})
	fmt.Println(string(out))
	// Output:
	// {"type":"FeatureCollection","features":[{"type":"Feature","id":"p1","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]},"properties":{"acres":3.2}}]}
}

func ExampleDistance() {
	phoenix := orb.Point{-122.8203, 42.2754}
	talent := orb.Point{-122.7887, 42.2457}
	fmt.Printf("%.0f m\n", geo.Distance(phoenix, talent))
	// Output: 4203 m
}

func ExampleAcres() {
	// About 200 m by 220 m near Talent, Oregon.
	parcel := orb.Polygon{{{-122.79, 42.24}, {-122.7876, 42.24}, {-122.7876, 42.242}, {-122.79, 42.242}, {-122.79, 42.24}}}
	fmt.Printf("%.2f acres\n", geo.Acres(parcel))
	// Output: 10.86 acres
}

func ExampleSnapshot_Nearest() {
	ix := geo.NewIndex[string]()
	ix.Put("north", orb.Polygon{{{-122.80, 42.30}, {-122.79, 42.30}, {-122.79, 42.31}, {-122.80, 42.30}}}, "identified")
	ix.Put("south", orb.Polygon{{{-122.80, 42.20}, {-122.79, 42.20}, {-122.79, 42.21}, {-122.80, 42.20}}}, "evaluating")
	ix.Put("far", orb.Polygon{{{-123.50, 42.20}, {-123.49, 42.20}, {-123.49, 42.21}, {-123.50, 42.20}}}, "identified")

	near, _ := ix.Snapshot().Nearest(context.Background(), orb.Point{-122.795, 42.24}, 2, nil)
	for _, n := range near {
		fmt.Printf("%s %.0f m\n", n.Item.ID, n.Distance)
	}
	// Output:
	// south 3361 m
	// north 6672 m
}

func ExampleSnapshot_Intersecting() {
	ix := geo.NewIndex[int]()
	ix.Put("fiji-east", orb.Polygon{{{179.1, -17}, {179.2, -17}, {179.2, -16.9}, {179.1, -17}}}, 1)
	ix.Put("fiji-west", orb.Polygon{{{-179.9, -17}, {-179.8, -17}, {-179.8, -16.9}, {-179.9, -17}}}, 2)
	ix.Put("oregon", orb.Polygon{{{-122.8, 42.2}, {-122.7, 42.2}, {-122.7, 42.3}, {-122.8, 42.2}}}, 3)

	// A viewport across the antimeridian: west > east.
	view := geo.Bound{West: 179, South: -18, East: -179, North: -16}
	_ = ix.Snapshot().Intersecting(context.Background(), view, func(it *geo.Item[int]) bool {
		fmt.Println(it.ID)
		return true
	})
	// Unordered output:
	// fiji-east
	// fiji-west
}

func ExamplePointSnapshot_Within() {
	homes := geo.NewPointIndex[int]() // value: household size
	homes.Put("h1", orb.Point{-122.8203, 42.2754}, 3)
	homes.Put("h2", orb.Point{-122.7887, 42.2457}, 5)
	homes.Put("h3", orb.Point{-122.8700, 42.3265}, 2)

	people := 0
	_ = homes.Snapshot().Within(context.Background(), orb.Point{-122.81, 42.26}, 5000, func(h geo.PointItem[int]) bool {
		people += h.Value
		return true
	})
	fmt.Println(people)
	// Output: 8
}

func ExampleNewHazardSet() {
	hazards, _ := geo.NewHazardSet([]geo.Hazard{
		{ID: "almeda", Kind: geo.Wildfire, Severity: 5,
			Geometry: orb.Polygon{{{-122.82, 42.26}, {-122.80, 42.26}, {-122.80, 42.28}, {-122.82, 42.28}, {-122.82, 42.26}}}},
	})
	// A parcel half inside the perimeter.
	parcel := orb.Polygon{{{-122.801, 42.27}, {-122.799, 42.27}, {-122.799, 42.271}, {-122.801, 42.271}, {-122.801, 42.27}}}
	s := hazards.Screen(parcel)
	for _, k := range s.Kinds {
		fmt.Printf("%s %.2f\n", k.Kind, k.Share)
	}
	// Output: wildfire 0.50
}

func ExampleScreenAll() {
	parcels := geo.NewIndex[int]()
	parcels.Put("inside", orb.Polygon{{{0.1, 0.1}, {0.2, 0.1}, {0.2, 0.2}, {0.1, 0.1}}}, 0)
	parcels.Put("outside", orb.Polygon{{{5, 5}, {6, 5}, {6, 6}, {5, 5}}}, 0)
	hazards, _ := geo.NewHazardSet([]geo.Hazard{
		{ID: "flood", Kind: geo.Flood, Severity: 2, Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}},
	})
	screened, _ := geo.ScreenAll(context.Background(), hazards, parcels.Snapshot())
	fmt.Println(len(screened), screened["inside"].Kinds[0].Kind, screened["outside"].Clear())
	// Output: 1 flood true
}

func ExampleRank() {
	parcels := geo.NewIndex[geo.ParcelFacts]()
	parcels.Put("close-small", orb.Polygon{{{-122.816, 42.272}, {-122.815, 42.272}, {-122.815, 42.273}, {-122.816, 42.272}}},
		geo.ParcelFacts{Acres: 2, AskingPrice: 40_000_000})
	parcels.Put("far-big", orb.Polygon{{{-122.95, 42.45}, {-122.94, 42.45}, {-122.94, 42.46}, {-122.95, 42.45}}},
		geo.ParcelFacts{Acres: 30, AskingPrice: 90_000_000})
	group := geo.Group{
		Homes:      []orb.Point{{-122.8150, 42.2700}, {-122.7850, 42.2420}, {-122.8160, 42.2710}},
		Households: 40,
		Budget:     100_000_000, HasBudget: true, // $1,000,000.00 in cents
	}
	facts := func(it *geo.Item[geo.ParcelFacts]) (geo.ParcelFacts, bool) { return it.Value, true }
	matches, _ := geo.Rank(context.Background(), parcels.Snapshot(), facts, group, geo.MatchOptions{})
	for _, m := range matches {
		fmt.Printf("%s %.2f\n", m.ParcelID, m.Score)
		for _, p := range m.Parts[:2] {
			fmt.Printf("  %s: %s\n", p.Name, p.Reason)
		}
	}
	// Output:
	// far-big 0.87
	//   distance: the median distance from the group's former homes is 23.2 km
	//   capacity: room for about 240 homes (30.0 acres at 8 per acre) for 40 households
	// close-small 0.83
	//   distance: the median distance from the group's former homes is 0.3 km
	//   capacity: room for about 16 homes (2.0 acres at 8 per acre) for 40 households
}

func ExampleGrid() {
	type needs struct{ People int }
	homes := geo.NewPointIndex[int]() // value: household size
	for i := 0; i < 7; i++ {
		homes.Put(fmt.Sprint("h", i), orb.Point{-122.8150 + float64(i)*1e-4, 42.2700}, 2+i%3)
	}
	homes.Put("alone", orb.Point{-122.60, 42.10}, 4) // a cell of one: never shown

	cells, _ := geo.Grid(context.Background(), homes.Snapshot(), jacksonCounty, 2,
		func(s *needs, size int) bool { s.People += size; return true })
	for _, c := range cells {
		fmt.Println(c.Count, c.Summary.People)
	}
	// Output: 7 20
}

var jacksonCounty = geo.Bound{West: -123.23, South: 41.99, East: -122.28, North: 42.89}
