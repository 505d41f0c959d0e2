package geo

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"commonground/apperr"
)

func fieldsOf(t *testing.T, err error) []apperr.FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *apperr.Error", err)
	}
	if e.Kind != apperr.Unprocessable {
		t.Fatalf("error kind = %s, want %s", e.Kind, apperr.Unprocessable)
	}
	return e.Fields
}

func feature(geometry string) string {
	return `{"type":"Feature","properties":{"name":"x"},"geometry":` + geometry + `}`
}

const square = `[[-122.8,42.2],[-122.79,42.2],[-122.79,42.21],[-122.8,42.21],[-122.8,42.2]]`

func TestDecodeFeatureRejects(t *testing.T) {
	tests := []struct {
		name  string
		input string
		rules Rules
		want  []apperr.FieldError
	}{
		{"unclosed ring", feature(`{"type":"Polygon","coordinates":[[[-122.8,42.2],[-122.79,42.2],[-122.79,42.21],[-122.8,42.21]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.0", Reason: "ring is not closed: the last position must equal the first"}}},
		{"ring of 3 positions", feature(`{"type":"Polygon","coordinates":[[[-122.8,42.2],[-122.79,42.2],[-122.8,42.2]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.0", Reason: "ring has 3 positions; a linear ring needs at least 4"}}},
		{"longitude 200", feature(`{"type":"Polygon","coordinates":[[[-122.8,42.2],[200,42.2],[-122.79,42.21],[-122.8,42.2]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.0.1", Reason: "longitude 200 is outside [-180, 180]"}}},
		{"latitude -95", feature(`{"type":"Polygon","coordinates":[[[-122.8,42.2],[-122.79,-95],[-122.79,42.21],[-122.8,42.2]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.0.1", Reason: "latitude -95 is outside [-90, 90]"}}},
		{"swapped coordinates", feature(`{"type":"Point","coordinates":[42.24,-122.8]}`), Rules{Kinds: KindPoint},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "latitude -122.8 is outside [-90, 90]"}}},
		{"NaN string", feature(`{"type":"Polygon","coordinates":[[[-122.8,42.2],["NaN",42.2],[-122.79,42.21],[-122.8,42.2]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.0.1", Reason: "longitude and latitude must be finite numbers"}}},
		{"infinity", feature(`{"type":"Point","coordinates":[1e999,42]}`), Rules{Kinds: KindPoint},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "longitude and latitude must be finite numbers"}}},
		{"null coordinate", feature(`{"type":"Point","coordinates":[null,42]}`), Rules{Kinds: KindPoint},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "longitude and latitude must be finite numbers"}}},
		{"bow-tie", feature(`{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.0", Reason: "ring intersects itself near position 0"}}},
		{"spike folds back", feature(`{"type":"Polygon","coordinates":[[[0,0],[2,0],[1,0],[1,1],[0,0]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.0", Reason: "ring intersects itself near position 0"}}},
		{"hole outside shell", feature(`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[5,5],[6,5],[6,6],[5,5]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.1", Reason: "hole is not inside its outer ring"}}},
		{"hole crosses shell", feature(`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[3,1],[5,1],[5,2],[3,1]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.1", Reason: "ring crosses ring 0"}}},
		{"point where polygon required", feature(`{"type":"Point","coordinates":[-122.8,42.2]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.type", Reason: "must be Polygon or MultiPolygon, not Point"}}},
		{"empty polygon", feature(`{"type":"Polygon","coordinates":[]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "geometry is empty"}}},
		{"empty ring", feature(`{"type":"Polygon","coordinates":[[]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.0", Reason: "ring is empty"}}},
		{"empty multipolygon", feature(`{"type":"MultiPolygon","coordinates":[]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "geometry is empty"}}},
		{"null geometry", feature(`null`), Rules{},
			[]apperr.FieldError{{Field: "geometry", Reason: "is required"}}},
		{"geometry collection", feature(`{"type":"GeometryCollection","geometries":[]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.type", Reason: "GeometryCollection is not supported; must be Polygon or MultiPolygon"}}},
		{"unknown type", feature(`{"type":"Circle","coordinates":[0,0]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.type", Reason: "must be a GeoJSON geometry type"}}},
		{"wrong nesting", feature(`{"type":"Polygon","coordinates":[[0,0],[1,1]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "must be an array of linear rings, each an array of positions"}}},
		{"position of one number", feature(`{"type":"Point","coordinates":[5]}`), Rules{Kinds: KindPoint},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "position must have a longitude and a latitude"}}},
		{"second polygon of a multipolygon", feature(`{"type":"MultiPolygon","coordinates":[[` + square + `],[[[0,0],[1,0],[1,1],[0,0.5]]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates.1.0", Reason: "ring is not closed: the last position must equal the first"}}},
		{"vertex cap", feature(`{"type":"Polygon","coordinates":[` + square + `]}`), Rules{MaxVertices: 4},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "has 5 positions, more than the limit of 4"}}},
		{"across the antimeridian uncut", feature(`{"type":"Polygon","coordinates":[[[179,0],[-179,0],[-179,1],[179,1],[179,0]]]}`), Rules{},
			[]apperr.FieldError{{Field: "geometry.coordinates", Reason: "polygon spans more than 180 degrees of longitude; split it at the antimeridian (RFC 7946, 3.1.9)"}}},
		{"not a feature", `{"type":"Polygon","coordinates":[` + square + `]}`, Rules{},
			[]apperr.FieldError{{Field: "type", Reason: `must be "Feature"`}}},
		{"properties not an object", `{"type":"Feature","properties":[1],"geometry":{"type":"Polygon","coordinates":[` + square + `]}}`, Rules{},
			[]apperr.FieldError{{Field: "properties", Reason: "must be an object or null"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeFeature([]byte(tt.input), tt.rules)
			if diff := cmp.Diff(fieldsOf(t, err), tt.want); diff != "" {
				t.Errorf("DecodeFeature fields (-got +want):\n%s", diff)
			}
		})
	}
}

func TestDecodeFeatureMillionVertices(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[[`)
	const n = 1_000_000
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "[%d.5,1]", i%170)
	}
	sb.WriteString(`]]}}`)
	_, err := DecodeFeature([]byte(sb.String()), Rules{})
	want := []apperr.FieldError{{Field: "geometry.coordinates", Reason: "has 1000000 positions, more than the limit of 100000"}}
	if diff := cmp.Diff(fieldsOf(t, err), want); diff != "" {
		t.Errorf("fields (-got +want):\n%s", diff)
	}
}

func TestDecodeFeatureAccepts(t *testing.T) {
	tests := []struct {
		name  string
		input string
		rules Rules
		want  Feature
	}{
		{"Z dropped and crs ignored",
			`{"type":"Feature","id":7,"crs":{"type":"name","properties":{"name":"EPSG:4326"}},"properties":{"a":1},
			  "geometry":{"type":"Polygon","crs":{},"coordinates":[[[0,0,100],[1,0,101],[1,1,102],[0,1,103],[0,0,100]]]}}`,
			Rules{},
			Feature{ID: "7", Properties: []byte(`{"a":1}`), Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}},
		{"repeated positions removed, clockwise kept as given",
			`{"type":"Feature","id":"p-1","properties":null,"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1],[0,1],[1,1],[1,0],[0,0]]]}}`,
			Rules{},
			Feature{ID: "p-1", Geometry: orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}}}},
		{"hole inside shell and touching it at a vertex",
			`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[0,0],[2,1],[1,2],[0,0]]]}}`,
			Rules{},
			Feature{Geometry: orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{0, 0}, {2, 1}, {1, 2}, {0, 0}}}}},
		{"point accepted when asked for",
			`{"type":"Feature","geometry":{"type":"Point","coordinates":[-122.8,42.24,12]}}`,
			Rules{Kinds: KindPoint},
			Feature{Geometry: orb.Point{-122.8, 42.24}}},
		{"multipolygon",
			`{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[` + square + `],[[[0,0],[1,0],[1,1],[0,0]]]]}}`,
			Rules{},
			Feature{Geometry: orb.MultiPolygon{
				{{{-122.8, 42.2}, {-122.79, 42.2}, {-122.79, 42.21}, {-122.8, 42.21}, {-122.8, 42.2}}},
				{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeFeature([]byte(tt.input), tt.rules)
			if err != nil {
				t.Fatalf("DecodeFeature: %v", err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("DecodeFeature (-got +want):\n%s", diff)
			}
			if err := Validate(got.Geometry, tt.rules); err != nil {
				t.Errorf("Validate(decoded) = %v", err)
			}
		})
	}
}

type readResult struct {
	Index  int
	ID     string
	Fields []apperr.FieldError
}

func readAll(t *testing.T, doc string) ([]readResult, []apperr.FieldError) {
	t.Helper()
	fr := NewFeatureReader(strings.NewReader(doc), Rules{})
	var got []readResult
	for fr.Next() {
		f, err := fr.Feature()
		got = append(got, readResult{Index: fr.Index(), ID: f.ID, Fields: fieldsOf(t, err)})
	}
	return got, fieldsOf(t, fr.Err())
}

func TestFeatureReader(t *testing.T) {
	good := func(id string) string {
		return `{"type":"Feature","id":"` + id + `","properties":{},"geometry":{"type":"Polygon","coordinates":[` + square + `]}}`
	}
	bad := `{"type":"Feature","id":"bad","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}`
	full := `{"type":"FeatureCollection","crs":{"type":"name"},"bbox":[0,0,1,1],"features":[` +
		good("a") + "," + bad + "," + good("c") + `],"name":"parcels"}`
	tests := []struct {
		name      string
		doc       string
		want      []readResult
		wantFatal []apperr.FieldError
	}{
		{"one bad feature among good ones", full, []readResult{
			{Index: 0, ID: "a"},
			{Index: 1, Fields: []apperr.FieldError{{Field: "features.1.geometry.coordinates.0", Reason: "ring intersects itself near position 0"}}},
			{Index: 2, ID: "c"},
		}, nil},
		{"truncated halfway", full[:len(full)/2+40], []readResult{{Index: 0, ID: "a"}},
			[]apperr.FieldError{{Field: "features.1", Reason: "the document ends before this feature is complete"}}},
		{"truncated after the last feature", `{"type":"FeatureCollection","features":[` + good("a"), []readResult{{Index: 0, ID: "a"}},
			[]apperr.FieldError{{Field: "features.1", Reason: "the document ends before this feature is complete"}}},
		{"type after features", `{"features":[` + good("a") + `],"type":"FeatureCollection"}`, []readResult{{Index: 0, ID: "a"}}, nil},
		{"wrong type", `{"type":"Feature","features":[]}`, nil,
			[]apperr.FieldError{{Field: "type", Reason: `must be "FeatureCollection"`}}},
		{"no features", `{"type":"FeatureCollection"}`, nil,
			[]apperr.FieldError{{Field: "features", Reason: "is required"}}},
		{"not an object", `[1,2]`, nil,
			[]apperr.FieldError{{Field: "type", Reason: "the document must be a GeoJSON FeatureCollection object"}}},
		{"garbage inside", `{"type":"FeatureCollection","features":[` + good("a") + `,{"type":x}]}`, []readResult{{Index: 0, ID: "a"}},
			[]apperr.FieldError{{Field: "features.1", Reason: "is not valid JSON at byte 209"}}},
		{"empty collection", `{"type":"FeatureCollection","features":[]}`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fatal := readAll(t, tt.doc)
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("features (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(fatal, tt.wantFatal); diff != "" {
				t.Errorf("Err fields (-got +want):\n%s", diff)
			}
		})
	}
}

func TestValidateBuiltGeometry(t *testing.T) {
	bowtie := orb.Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}
	got := fieldsOf(t, Validate(bowtie, Rules{}))
	want := []apperr.FieldError{{Field: "geometry.coordinates.0", Reason: "ring intersects itself near position 0"}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Validate (-got +want):\n%s", diff)
	}
}

func TestManyBadPositionsAreCapped(t *testing.T) {
	r := orb.Ring{}
	for i := 0; i < 100; i++ {
		r = append(r, orb.Point{float64(200 + i), 0})
	}
	r = append(r, r[0])
	got := fieldsOf(t, Validate(orb.Polygon{r}, Rules{}))
	if len(got) > maxFieldErrors+1 {
		t.Errorf("got %d field errors, want at most %d", len(got), maxFieldErrors+1)
	}
}
