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
