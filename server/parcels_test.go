package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/auth"
	"commonground/community"
	"commonground/geo"
	"commonground/service/servicetest"
)

// emitted collects every GeoJSON document the geo tests receive, so that
// TestEmittedGeoJSONIsValid can check them all with check-geojson.
var emitted struct {
	sync.Mutex
	docs map[string][]byte
}

// geoJSON checks that r is GeoJSON, keeps it for the validity check and
// decodes it.
func geoJSON(t *testing.T, r *servicetest.Response, want int) featureCollection {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status = %d, want %d; body %s", r.Status, want, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Fatalf("Content-Type = %q, want application/geo+json", ct)
	}
	emitted.Lock()
	if emitted.docs == nil {
		emitted.docs = map[string][]byte{}
	}
	emitted.docs[fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "_"), len(emitted.docs))] = r.Body
	emitted.Unlock()
	var fc featureCollection
	if strings.Contains(string(r.Body), `"FeatureCollection"`) {
		r.JSON(t, &fc)
	} else {
		var f feature
		r.JSON(t, &f)
		fc.Features = []feature{f}
	}
	return fc
}

type feature struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		ID             string   `json:"id"`
		Owner          string   `json:"owner"`
		Notes          string   `json:"notes"`
		Status         string   `json:"status"`
		RejectedReason string   `json:"rejected_reason"`
		ComputedAcres  float64  `json:"computed_acres"`
		AskingPrice    int64    `json:"asking_price"`
		Address        string   `json:"address"`
		HazardFree     bool     `json:"hazard_free"`
		DistanceM      *float64 `json:"distance_m"`
		Hazards        []struct {
			Kind     string  `json:"kind"`
			Share    float64 `json:"share"`
			Severity string  `json:"severity"`
		} `json:"hazards"`
		Kind     string `json:"kind"`
		Severity string `json:"severity"`
	} `json:"properties"`
}

type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

func (fc featureCollection) ids() []string {
	out := make([]string, len(fc.Features))
	for i, f := range fc.Features {
		out[i] = f.ID
	}
	return out
}

// square is a closed ring of a box size degrees wide at lon, lat, as JSON.
func square(lon, lat, size float64) string {
	return fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]",
		lon, lat, lon+size, lat, lon+size, lat+size, lon, lat+size, lon, lat)
}

func polygonFeature(sourceID, props, rings string) string {
	if props != "" {
		props = "," + props
	}
	return fmt.Sprintf(`{"type":"Feature","properties":{"source":"test","source_id":%q%s},"geometry":{"type":"Polygon","coordinates":[%s]}}`,
		sourceID, props, rings)
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

type importResult struct {
	Accepted int `json:"accepted"`
	Updated  int `json:"updated"`
	Rejected int `json:"rejected"`
	Features []struct {
		Index  int    `json:"index"`
		Status string `json:"status"`
		ID     string `json:"id"`
		Reason string `json:"reason"`
		Errors []struct {
			Field  string `json:"field"`
			Reason string `json:"reason"`
		} `json:"errors"`
	} `json:"features"`
}

type geoEnv struct {
	*servicetest.Env
	organizer []string // bearer header of an organizer
}

func startGeo(t *testing.T) geoEnv {
	t.Helper()
	env := servicetest.Start(t)
	_, token := env.Account(t, auth.RoleOrganizer)
	return geoEnv{Env: env, organizer: servicetest.Bearer(token)}
}

func (e geoEnv) importParcels(t *testing.T, body string) *servicetest.Response {
	t.Helper()
	return e.Do(t, "POST", "/api/v1/parcels/import", body, append([]string{"Content-Type", "application/geo+json"}, e.organizer...)...)
}

func (e geoEnv) parcelExists(t *testing.T, sourceID string) bool {
	t.Helper()
	r := e.Do(t, "GET", "/api/v1/parcels/"+geo.ParcelID("test", sourceID), nil, e.organizer...)
	switch r.Status {
	case 200:
		geoJSON(t, r, 200)
		return true
	case 404:
		return false
	}
	t.Fatalf("GET parcel %s = %d %s", sourceID, r.Status, r.Body)
	return false
}

func good(id string, lon float64) string { return polygonFeature(id, "", square(lon, 42.25, 0.002)) }

// TestImportBadFeatures sends each bad input of the geo rules twice: alone
// (422 naming features.0 and the reason, nothing stored) and between two
// good features (200 with a report naming index 1 and the reason; the good
// ones stored, the bad one not).
func TestImportBadFeatures(t *testing.T) {
	env := startGeo(t)
	const lon, lat = -122.80, 42.25
	million := func() string {
		var b strings.Builder
		b.WriteString("[")
		for i := range 1_000_000 {
			fmt.Fprintf(&b, "[%.6f,%.6f],", lon+float64(i%1000)*1e-6, lat+float64(i/1000)*1e-6)
		}
		fmt.Fprintf(&b, "[%g,%g]]", lon, lat)
		return b.String()
	}
	cases := []struct {
		name    string
		feature string // %s is the source id
		field   string // the field named, after "features.N."
		reason  string
	}{
		{"unclosed ring", polygonFeature("%s", "", "[[-122.8,42.25],[-122.79,42.25],[-122.79,42.26],[-122.8,42.26]]"),
			"geometry.coordinates.0", "not closed"},
		{"ring of 3 positions", polygonFeature("%s", "", "[[-122.8,42.25],[-122.79,42.25],[-122.8,42.25]]"),
			"geometry.coordinates.0", "3 positions"},
		{"longitude 200", polygonFeature("%s", "", "[[200,42.25],[-122.79,42.25],[-122.79,42.26],[200,42.25]]"),
			"geometry.coordinates.0.0", "longitude 200"},
		{"latitude -95", polygonFeature("%s", "", "[[-122.8,-95],[-122.79,42.25],[-122.79,42.26],[-122.8,-95]]"),
			"geometry.coordinates.0.0", "latitude -95"},
		{"NaN as a string", polygonFeature("%s", "", `[["NaN",42.25],[-122.79,42.25],[-122.79,42.26],["NaN",42.25]]`),
			"geometry.coordinates.0.0", "finite"},
		{"Infinity (1e999)", polygonFeature("%s", "", "[[1e999,42.25],[-122.79,42.25],[-122.79,42.26],[1e999,42.25]]"),
			"geometry.coordinates.0.0", "finite"},
		{"swapped coordinates", polygonFeature("%s", "", "[[42.25,-122.8],[42.25,-122.79],[42.26,-122.79],[42.25,-122.8]]"),
			"geometry.coordinates.0.0", "latitude -122.8"},
		{"bow-tie", polygonFeature("%s", "", "[[-122.8,42.25],[-122.79,42.26],[-122.79,42.25],[-122.8,42.26],[-122.8,42.25]]"),
			"geometry.coordinates.0", "intersects itself"},
		{"hole outside its shell", polygonFeature("%s", "", square(lon, lat, 0.01)+","+square(lon+0.02, lat, 0.001)),
			"geometry.coordinates.1", "not inside"},
		{"1,000,000 vertices", polygonFeature("%s", "", million()), "geometry.coordinates", "more than the limit of 100000"},
		{"Point where a Polygon is required", `{"type":"Feature","properties":{"source":"test","source_id":"%s"},"geometry":{"type":"Point","coordinates":[-122.8,42.25]}}`,
			"geometry.type", "must be Polygon or MultiPolygon, not Point"},
		{"empty geometry", `{"type":"Feature","properties":{"source":"test","source_id":"%s"},"geometry":{"type":"Polygon","coordinates":[]}}`,
			"geometry.coordinates", "empty"},
		{"null geometry", `{"type":"Feature","properties":{"source":"test","source_id":"%s"},"geometry":null}`,
			"geometry", "required"},
		{"bad property", polygonFeature("%s", `"status":"sold"`, square(lon, lat, 0.001)), "properties.status", "must be identified"},
		{"property of the wrong type", polygonFeature("%s", `"asking_price":"a lot"`, square(lon, lat, 0.001)), "properties.asking_price", "must be an integer"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(tc.feature, "%s", fmt.Sprintf("bad-%d", i), 1)

			p := env.importParcels(t, collection(bad)).WantProblem(t, 422)
			if !p.HasField("features.0."+tc.field) || !strings.Contains(string(mustJSON(t, p.Errors)), tc.reason) {
				t.Fatalf("alone: problem %+v does not name features.0.%s with %q", p.Errors, tc.field, tc.reason)
			}
			if env.parcelExists(t, fmt.Sprintf("bad-%d", i)) {
				t.Fatalf("the bad feature was stored")
			}

			g0, g2 := fmt.Sprintf("good-%d-a", i), fmt.Sprintf("good-%d-b", i)
			r := env.importParcels(t, collection(good(g0, lon), bad, good(g2, lon+0.01)))
			if r.Status != 200 {
				t.Fatalf("mixed import = %d %s, want 200", r.Status, r.Body)
			}
			var rep importResult
			r.JSON(t, &rep)
			if rep.Accepted != 2 || rep.Rejected != 1 || len(rep.Features) != 3 {
				t.Fatalf("report = %+v, want 2 accepted and 1 rejected", rep)
			}
			line := rep.Features[1]
			if line.Index != 1 || line.Status != "rejected" || !strings.Contains(line.Reason, "features.1."+tc.field) || !strings.Contains(line.Reason, tc.reason) {
				t.Fatalf("report line %+v does not reject index 1 naming %s with %q", line, tc.field, tc.reason)
			}
			if !env.parcelExists(t, g0) || !env.parcelExists(t, g2) {
				t.Fatalf("the good features were not stored")
			}
			if env.parcelExists(t, fmt.Sprintf("bad-%d", i)) {
				t.Fatalf("the bad feature was stored")
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestImportAcceptsCRSAndDropsZ: a crs member (removed by RFC 7946) is
// ignored and a third coordinate is dropped.
func TestImportAcceptsCRSAndDropsZ(t *testing.T) {
	env := startGeo(t)
	doc := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4269"}},"features":[
	  {"type":"Feature","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"properties":{"source":"test","source_id":"z"},
	   "geometry":{"type":"Polygon","coordinates":[[[-122.8,42.25,410.5],[-122.79,42.25,411],[-122.79,42.26,409],[-122.8,42.25,410.5]]]}}]}`
	r := env.importParcels(t, doc)
	if r.Status != 200 {
		t.Fatalf("import = %d %s", r.Status, r.Body)
	}
	fc := geoJSON(t, env.Do(t, "GET", "/api/v1/parcels/"+geo.ParcelID("test", "z"), nil, env.organizer...), 200)
	var rings [][][]float64
	if err := json.Unmarshal(fc.Features[0].Geometry.Coordinates, &rings); err != nil {
		t.Fatal(err)
	}
	for _, pos := range rings[0] {
		if len(pos) != 2 {
			t.Fatalf("position %v kept its Z value", pos)
		}
	}
}

// TestImportTruncated: a collection cut halfway through its third feature
// is a 422 naming features.2; the two complete features are stored.
func TestImportTruncated(t *testing.T) {
	env := startGeo(t)
	full := collection(good("t0", -122.80), good("t1", -122.79), good("t2", -122.78))
	cut := full[:strings.Index(full, `"t2"`)+10]
	p := env.importParcels(t, cut).WantProblem(t, 422)
	if !p.HasField("features.2") || !strings.Contains(string(mustJSON(t, p.Errors)), "ends before") {
		t.Fatalf("problem %+v does not name features.2 as cut off", p.Errors)
	}
	if !env.parcelExists(t, "t0") || !env.parcelExists(t, "t1") || env.parcelExists(t, "t2") {
		t.Fatalf("want t0 and t1 stored, t2 not")
	}
	// Bare NaN is not JSON at all: the document breaks at that feature.
	p = env.importParcels(t, collection(good("n0", -122.80), polygonFeature("n1", "", "[[NaN,42.25],[-122.79,42.25],[-122.79,42.26],[NaN,42.25]]"))).WantProblem(t, 422)
	if !p.HasField("features.1") || !env.parcelExists(t, "n0") || env.parcelExists(t, "n1") {
		t.Fatalf("bare NaN: problem %+v; want features.1 named, n0 stored, n1 not", p.Errors)
	}
}

// TestImportTooLarge declares a 2 GB body and sends none of it: the answer
// is 413 before anything is read.
func TestImportTooLarge(t *testing.T) {
	env := startGeo(t)
	for _, path := range []string{"/api/v1/parcels/import", "/api/v1/hazards/import"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		// The headers and a first slice only, as a client streaming a
		// huge file would: the answer must come before the rest is read.
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: test\r\nContent-Type: application/geo+json\r\n%s: %s\r\nContent-Length: %d\r\n\r\n",
			path, env.organizer[0], env.organizer[1], int64(2)<<30)
		conn.Write([]byte(strings.Repeat(" ", 256<<10)))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: read response: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != 413 || !strings.Contains(string(body), "100 MiB") {
			t.Fatalf("%s: 2 GB declared = %d %s, want 413 naming the limit", path, resp.StatusCode, body)
		}
	}
}

// TestReimportUpdates: the same source ids update the parcels and keep
// what organizers recorded.
func TestReimportUpdates(t *testing.T) {
	env := startGeo(t)
	r := env.importParcels(t, collection(good("r0", -122.80), good("r1", -122.79)))
	if r.Status != 200 {
		t.Fatalf("import = %d %s", r.Status, r.Body)
	}
	id := geo.ParcelID("test", "r0")
	if r := env.Do(t, "PATCH", "/api/v1/parcels/"+id, `{"status":"evaluating","notes":"call the owner"}`, env.organizer...); r.Status != 200 {
		t.Fatalf("patch = %d %s", r.Status, r.Body)
	}
	r = env.importParcels(t, collection(polygonFeature("r0", `"address":"1 Main St"`, square(-122.80, 42.25, 0.003)), good("r1", -122.79)))
	var rep importResult
	r.JSON(t, &rep)
	if r.Status != 200 || rep.Accepted != 0 || rep.Updated != 2 {
		t.Fatalf("re-import = %d %s, want 2 updated", r.Status, r.Body)
	}
	fc := geoJSON(t, env.Do(t, "GET", "/api/v1/parcels?bbox=-123,42,-122,43", nil, env.organizer...), 200)
	if len(fc.Features) != 2 {
		t.Fatalf("parcels after re-import = %v, want 2", fc.ids())
	}
	got := fc.Features[slices.Index(fc.ids(), id)].Properties
	if got.Address != "1 Main St" || got.Status != "evaluating" || got.Notes != "call the owner" {
		t.Fatalf("re-imported parcel = %+v, want the new address and the recorded status and notes", got)
	}
}

// TestParcelLifecycle creates, reads, moves through the pipeline and
// deletes a parcel.
func TestParcelLifecycle(t *testing.T) {
	env := startGeo(t)
	body := polygonFeature("life", `"parcelnumb":"1-2-3","owner":"Rogue Land LLC","asking_price":45000000,"deeded_acres":4.5`, square(-122.80, 42.25, 0.005))
	r := env.Do(t, "POST", "/api/v1/parcels", body, append([]string{"Content-Type", "application/geo+json"}, env.organizer...)...)
	fc := geoJSON(t, r, 201)
	id := fc.Features[0].ID
	if id != geo.ParcelID("test", "life") || r.Header.Get("Location") != "/api/v1/parcels/"+id {
		t.Fatalf("id %s, Location %s", id, r.Header.Get("Location"))
	}
	if p := fc.Features[0].Properties; p.Status != "identified" || p.Owner != "Rogue Land LLC" || p.ComputedAcres < 10 || !p.HazardFree {
		t.Fatalf("created parcel properties = %+v", p)
	}
	// Sending the same source id again updates.
	geoJSON(t, env.Do(t, "POST", "/api/v1/parcels", body, env.organizer...), 200)

	steps := []struct {
		patch  string
		status int
		field  string
	}{
		{`{"status":"evaluating"}`, 200, ""},
		{`{"status":"negotiating"}`, 200, ""},
		{`{"status":"acquired","asking_price":-1}`, 422, "asking_price"},
		{`{"status":"rejected"}`, 422, "rejected_reason"},
		{`{"status":"rejected","rejected_reason":"in the floodway"}`, 200, ""},
		{`{"status":"under_contract"}`, 422, "status"},
		{`{"status":"identified"}`, 200, ""},
		{`{"status":"under_contract"}`, 200, ""},
		{`{"status":"acquired"}`, 200, ""},
		{`{"status":"evaluating"}`, 422, "status"},
		{`{"status":"bought"}`, 422, "status"},
		{`{"colour":"red"}`, 400, "colour"},
	}
	for _, st := range steps {
		r := env.Do(t, "PATCH", "/api/v1/parcels/"+id, st.patch, env.organizer...)
		if st.status == 200 {
			geoJSON(t, r, 200)
			continue
		}
		if p := r.WantProblem(t, st.status); !p.HasField(st.field) {
			t.Fatalf("PATCH %s: problem %+v does not name %s", st.patch, p.Errors, st.field)
		}
	}
	fc = geoJSON(t, env.Do(t, "GET", "/api/v1/parcels/"+id, nil, env.organizer...), 200)
	if p := fc.Features[0].Properties; p.Status != "acquired" || p.RejectedReason != "" {
		t.Fatalf("after the pipeline: %+v", p)
	}
	if r := env.Do(t, "DELETE", "/api/v1/parcels/"+id, nil, env.organizer...); r.Status != 204 {
		t.Fatalf("delete = %d %s", r.Status, r.Body)
	}
	env.Do(t, "GET", "/api/v1/parcels/"+id, nil, env.organizer...).WantProblem(t, 404)
	env.Do(t, "DELETE", "/api/v1/parcels/"+id, nil, env.organizer...).WantProblem(t, 404)
	env.Do(t, "PATCH", "/api/v1/parcels/"+id, `{"notes":"x"}`, env.organizer...).WantProblem(t, 404)
	p := env.Do(t, "POST", "/api/v1/parcels", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}`, env.organizer...).WantProblem(t, 422)
	if !p.HasField("geometry.coordinates.0") {
		t.Fatalf("single bad feature: %+v", p.Errors)
	}
}

// TestParcelQueries covers the viewport with filters, a viewport across
// the antimeridian, nearest in geodesic order and search inside a shape.
func TestParcelQueries(t *testing.T) {
	env := startGeo(t)
	r := env.importParcels(t, collection(
		polygonFeature("a", `"asking_price":10000000`, square(-122.80, 42.25, 0.002)),
		polygonFeature("b", `"asking_price":90000000`, square(-122.79, 42.25, 0.004)),
		polygonFeature("c", `"status":"evaluating"`, square(-122.70, 42.30, 0.002)),
		polygonFeature("east", "", square(179.95, -16.8, 0.01)),
		polygonFeature("west", "", square(-179.99, -16.8, 0.01)),
	))
	if r.Status != 200 {
		t.Fatalf("import = %d %s", r.Status, r.Body)
	}
	id := func(s string) string { return geo.ParcelID("test", s) }
	sorted := func(ids ...string) []string {
		out := make([]string, len(ids))
		for i, s := range ids {
			out[i] = id(s)
		}
		slices.Sort(out)
		return out
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"bbox=-123,42,-122,43", sorted("a", "b", "c")},
		{"bbox=-123,42,-122,43&status=evaluating", sorted("c")},
		{"bbox=-123,42,-122,43&status=identified,evaluating&max_price=50000000", sorted("a")},
		{"bbox=-123,42,-122,43&min_price=50000000", sorted("b")},
		{"bbox=-123,42,-122,43&min_acres=20", sorted("b")},
		{"bbox=-123,42,-122,43&limit=1", sorted("a")},
		{"bbox=179.9,-17,-179.9,-16", sorted("east", "west")},
		{"bbox=179.9,-17,179.99,-16", sorted("east")},
		{"bbox=0,0,1,1", []string{}},
	}
	for _, tc := range cases {
		fc := geoJSON(t, env.Do(t, "GET", "/api/v1/parcels?"+tc.query, nil, env.organizer...), 200)
		if got := fc.ids(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
		}
	}

	fc := geoJSON(t, env.Do(t, "GET", "/api/v1/parcels?near=-122.799,42.251&k=3", nil, env.organizer...), 200)
	if got, want := fc.ids(), []string{id("a"), id("b"), id("c")}; !slices.Equal(got, want) {
		t.Fatalf("near: got %v, want %v", got, want)
	}
	prev := -1.0
	for _, f := range fc.Features {
		if f.Properties.DistanceM == nil || *f.Properties.DistanceM < prev {
			t.Fatalf("near: distance_m missing or out of order: %+v", fc.Features)
		}
		prev = *f.Properties.DistanceM
	}
	if *fc.Features[0].Properties.DistanceM != 0 {
		t.Errorf("near: a point inside parcel a is %v m from it, want 0", *fc.Features[0].Properties.DistanceM)
	}

	shape := `{"type":"Polygon","coordinates":[` + square(-122.81, 42.24, 0.025) + `]}`
	fc = geoJSON(t, env.Do(t, "POST", "/api/v1/parcels/search?limit=10", shape, env.organizer...), 200)
	if got, want := fc.ids(), sorted("a", "b"); !slices.Equal(got, want) {
		t.Fatalf("search: got %v, want %v", got, want)
	}

	bad := []struct {
		method, path, body, field string
	}{
		{"GET", "/api/v1/parcels", "", "bbox"},
		{"GET", "/api/v1/parcels?bbox=1,2,3", "", "bbox"},
		{"GET", "/api/v1/parcels?bbox=-200,0,0,1", "", "bbox"},
		{"GET", "/api/v1/parcels?bbox=0,10,1,5", "", "bbox"},
		{"GET", "/api/v1/parcels?bbox=0,0,1,1&status=sold", "", "status"},
		{"GET", "/api/v1/parcels?bbox=0,0,1,1&limit=0", "", "limit"},
		{"GET", "/api/v1/parcels?bbox=0,0,1,1&min_acres=x", "", "min_acres"},
		{"GET", "/api/v1/parcels?bbox=0,0,1,1&hazard_free=maybe", "", "hazard_free"},
		{"GET", "/api/v1/parcels?near=0,95", "", "near"},
		{"GET", "/api/v1/parcels?near=0,0&k=100000", "", "k"},
		{"POST", "/api/v1/parcels/search", `{"type":"Point","coordinates":[0,0]}`, "geometry.type"},
	}
	for _, b := range bad {
		var body any
		if b.body != "" {
			body = b.body
		}
		if p := env.Do(t, b.method, b.path, body, env.organizer...).WantProblem(t, 422); !p.HasField(b.field) {
			t.Errorf("%s %s: problem %+v does not name %s", b.method, b.path, p.Errors, b.field)
		}
	}
}

// TestHazardScreening imports a wildfire zone over one parcel, checks the
// screening and the hazard_free filter, then deletes the zone.
func TestHazardScreening(t *testing.T) {
	env := startGeo(t)
	env.importParcels(t, collection(good("in", -122.80), good("half", -122.7910), good("out", -122.70)))
	zones := `{"type":"FeatureCollection","features":[
	  {"type":"Feature","id":"almeda","properties":{"kind":"wildfire","severity":"extreme","source":"test-fire","effective_date":"2020-09-08"},
	   "geometry":{"type":"Polygon","coordinates":[` + square(-122.805, 42.24, 0.015) + `]}},
	  {"type":"Feature","properties":{"kind":"meteor","severity":"high"},"geometry":{"type":"Polygon","coordinates":[` + square(0, 0, 1) + `]}}]}`
	r := env.Do(t, "POST", "/api/v1/hazards/import", zones, env.organizer...)
	var rep importResult
	r.JSON(t, &rep)
	if r.Status != 200 || rep.Accepted != 1 || rep.Rejected != 1 || !strings.Contains(rep.Features[1].Reason, "features.1.properties.kind") {
		t.Fatalf("hazard import = %d %s", r.Status, r.Body)
	}
	fc := geoJSON(t, env.Do(t, "GET", "/api/v1/parcels?bbox=-123,42,-122,43", nil, env.organizer...), 200)
	shares := map[string]float64{}
	for _, f := range fc.Features {
		for _, h := range f.Properties.Hazards {
			if h.Kind == "wildfire" && h.Severity == "extreme" {
				shares[f.ID] = h.Share
			}
		}
		if f.Properties.HazardFree != (len(f.Properties.Hazards) == 0) {
			t.Errorf("%s: hazard_free disagrees with hazards", f.ID)
		}
	}
	if s := shares[geo.ParcelID("test", "in")]; s != 1 {
		t.Errorf("share of the parcel inside = %v, want 1", s)
	}
	if s := shares[geo.ParcelID("test", "half")]; s < 0.4 || s > 0.6 {
		t.Errorf("share of the parcel half inside = %v, want about 0.5", s)
	}
	if _, ok := shares[geo.ParcelID("test", "out")]; ok {
		t.Errorf("the parcel outside was screened as exposed")
	}
	fc = geoJSON(t, env.Do(t, "GET", "/api/v1/parcels?bbox=-123,42,-122,43&hazard_free=true", nil, env.organizer...), 200)
	if got := fc.ids(); !slices.Equal(got, []string{geo.ParcelID("test", "out")}) {
		t.Errorf("hazard_free: got %v", got)
	}
	hz := geoJSON(t, env.Do(t, "GET", "/api/v1/hazards?bbox=-123,42,-122,43", nil), 200)
	if len(hz.Features) != 1 || hz.Features[0].Properties.Kind != "wildfire" {
		t.Fatalf("hazards = %+v", hz.Features)
	}
	if fc := geoJSON(t, env.Do(t, "GET", "/api/v1/hazards?bbox=0,0,1,1", nil), 200); len(fc.Features) != 0 {
		t.Errorf("hazards far away = %v", fc.ids())
	}
	if r := env.Do(t, "DELETE", "/api/v1/hazards/"+hz.Features[0].ID, nil, env.organizer...); r.Status != 204 {
		t.Fatalf("delete hazard = %d %s", r.Status, r.Body)
	}
	env.Do(t, "DELETE", "/api/v1/hazards/"+hz.Features[0].ID, nil, env.organizer...).WantProblem(t, 404)
	fc = geoJSON(t, env.Do(t, "GET", "/api/v1/parcels?bbox=-123,42,-122,43&hazard_free=true", nil, env.organizer...), 200)
	if len(fc.Features) != 3 {
		t.Errorf("after deleting the zone, hazard-free parcels = %v, want all 3", fc.ids())
	}
	p := env.Do(t, "POST", "/api/v1/hazards/import", collection(`{"type":"Feature","properties":{"kind":"flood","severity":9},"geometry":{"type":"Polygon","coordinates":[`+square(0, 0, 1)+`]}}`), env.organizer...).WantProblem(t, 422)
	if !p.HasField("features.0.properties.severity") {
		t.Errorf("bad severity: %+v", p.Errors)
	}
}

// TestMatch ranks parcels for a group's former homes: deterministic, close
// parcels first, a parcel in a severe hazard zone excluded by default.
func TestMatch(t *testing.T) {
	env := startGeo(t)
	env.importParcels(t, collection(
		polygonFeature("near", `"asking_price":20000000`, square(-122.81, 42.27, 0.01)),
		polygonFeature("far", `"asking_price":20000000`, square(-122.50, 42.50, 0.01)),
		polygonFeature("burned", `"asking_price":20000000`, square(-122.83, 42.265, 0.005)),
	))
	env.Do(t, "POST", "/api/v1/hazards/import", collection(`{"type":"Feature","properties":{"kind":"wildfire","severity":"extreme"},"geometry":{"type":"Polygon","coordinates":[`+square(-122.831, 42.264, 0.007)+`]}}`), env.organizer...)
	req := `{"homes":[{"lon":-122.815,"lat":42.27},{"lon":-122.79,"lat":42.245},{"lon":-122.82,"lat":42.28}],"households":30,"budget":30000000,"limit":5,
	  "points":[{"lon":-122.80,"lat":42.26,"label":"school"}]}`
	var first string
	for range 2 {
		r := env.Do(t, "POST", "/api/v1/matches", req, env.organizer...)
		if r.Status != 200 {
			t.Fatalf("match = %d %s", r.Status, r.Body)
		}
		if first == "" {
			first = string(r.Body)
		} else if string(r.Body) != first {
			t.Fatalf("the same request ranked differently:\n%s\n%s", first, r.Body)
		}
	}
	var resp struct {
		Results []struct {
			ParcelID string  `json:"parcel_id"`
			Score    float64 `json:"score"`
			Parts    []struct {
				Part   string `json:"part"`
				Detail string `json:"detail"`
			} `json:"parts"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(first), &resp); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range resp.Results {
		got = append(got, m.ParcelID)
		parts := map[string]bool{}
		for _, p := range m.Parts {
			if p.Detail == "" {
				t.Errorf("%s: part %s has no reason", m.ParcelID, p.Part)
			}
			parts[p.Part] = true
		}
		for _, want := range []string{"distance", "capacity", "affordability", "hazard", "points"} {
			if !parts[want] {
				t.Errorf("%s: no %s part in %+v", m.ParcelID, want, m.Parts)
			}
		}
	}
	if want := []string{geo.ParcelID("test", "near"), geo.ParcelID("test", "far")}; !slices.Equal(got, want) {
		t.Fatalf("ranking = %v, want %v (burned excluded)", got, want)
	}
	for _, b := range []struct{ body, field string }{
		{`{"homes":[]}`, "homes"},
		{`{"homes":[{"lon":0,"lat":95}]}`, "homes.0"},
		{`{"household_ids":["h1"]}`, "household_ids.0"},
		{`{"homes":[{"lon":0,"lat":0}],"limit":5000}`, "limit"},
		{`{"homes":[{"lon":0,"lat":0}],"weights":{"distance":-1}}`, "weights.distance"},
	} {
		if p := env.Do(t, "POST", "/api/v1/matches", b.body, env.organizer...).WantProblem(t, 422); !p.HasField(b.field) {
			t.Errorf("%s: problem %+v does not name %s", b.body, p.Errors, b.field)
		}
	}
}

// TestGeoAccess runs every geo route as each kind of caller: writes and
// matching are for organizers and stewards; residents and the public see
// only parcels under contract or acquired, without owner fields.
func TestGeoAccess(t *testing.T) {
	env := startGeo(t)
	env.importParcels(t, collection(
		polygonFeature("open", `"owner":"Seller","notes":"motivated","status":"under_contract"`, square(-122.80, 42.25, 0.002)),
		polygonFeature("hidden", `"owner":"Other"`, square(-122.79, 42.25, 0.002)),
	))
	open, hidden := geo.ParcelID("test", "open"), geo.ParcelID("test", "hidden")
	_, resident := env.Account(t)
	_, steward := env.Account(t, auth.RoleSteward)
	callers := []struct {
		name    string
		headers []string
		staff   bool
		writeAs int // status of a write when refused
	}{
		{"anonymous", nil, false, 401},
		{"resident", servicetest.Bearer(resident), false, 404},
		{"organizer", env.organizer, true, 0},
		{"steward", servicetest.Bearer(steward), true, 0},
	}
	for _, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			fc := geoJSON(t, env.Do(t, "GET", "/api/v1/parcels?bbox=-123,42,-122,43", nil, c.headers...), 200)
			want := []string{open}
			if c.staff {
				want = []string{hidden, open}
				slices.Sort(want)
			}
			if got := fc.ids(); !slices.Equal(got, want) {
				t.Errorf("viewport: got %v, want %v", got, want)
			}
			for _, f := range fc.Features {
				if f.ID == open && ((f.Properties.Owner == "Seller") != c.staff || (f.Properties.Notes == "motivated") != c.staff) {
					t.Errorf("%s: owner %q notes %q; want them shown to staff only", f.ID, f.Properties.Owner, f.Properties.Notes)
				}
			}
			geoJSON(t, env.Do(t, "GET", "/api/v1/parcels/"+open, nil, c.headers...), 200)
			if r := env.Do(t, "GET", "/api/v1/parcels/"+hidden, nil, c.headers...); c.staff {
				geoJSON(t, r, 200)
			} else {
				r.WantProblem(t, 404)
			}
			fc = geoJSON(t, env.Do(t, "GET", "/api/v1/parcels?near=-122.79,42.25&k=5", nil, c.headers...), 200)
			if len(fc.Features) != len(want) {
				t.Errorf("near: got %v, want %d parcels", fc.ids(), len(want))
			}
			geoJSON(t, env.Do(t, "GET", "/api/v1/hazards", nil, c.headers...), 200)
		})
	}
	// Writes after every read, so the reads above see the same parcels.
	for _, c := range callers {
		t.Run(c.name+" writes", func(t *testing.T) {

			writes := []struct{ method, path, body string }{
				{"POST", "/api/v1/parcels", polygonFeature("w-"+c.name, "", square(-122.7, 42.3, 0.001))},
				{"POST", "/api/v1/parcels/import", collection(good("wi-"+c.name, -122.6))},
				{"PATCH", "/api/v1/parcels/" + open, `{"notes":"seen by ` + c.name + `"}`},
				{"POST", "/api/v1/hazards/import", collection(`{"type":"Feature","properties":{"kind":"flood","severity":"low"},"geometry":{"type":"Polygon","coordinates":[` + square(10, 10, 1) + `]}}`)},
				{"POST", "/api/v1/matches", `{"homes":[{"lon":-122.8,"lat":42.25}]}`},
			}
			for _, w := range writes {
				r := env.Do(t, w.method, w.path, w.body, c.headers...)
				if c.staff {
					if r.Status >= 300 {
						t.Errorf("%s %s = %d %s", w.method, w.path, r.Status, r.Body)
					}
					continue
				}
				r.WantProblem(t, c.writeAs)
			}
			if !c.staff {
				env.Do(t, "DELETE", "/api/v1/parcels/"+open, nil, c.headers...).WantProblem(t, c.writeAs)
				env.Do(t, "DELETE", "/api/v1/hazards/x", nil, c.headers...).WantProblem(t, c.writeAs)
			}
		})
	}
}

// TestEmittedGeoJSONIsValid runs @placemarkio/check-geojson over every
// GeoJSON document the other geo tests received. It needs Node and npm;
// without them it fails, as the API's promise is checked nowhere else.
func TestEmittedGeoJSONIsValid(t *testing.T) {
	emitted.Lock()
	docs := emitted.docs
	emitted.Unlock()
	if len(docs) == 0 {
		// Run on its own (go test -run): produce documents first.
		TestParcelQueries(t)
		TestHazardScreening(t)
		emitted.Lock()
		docs = emitted.docs
		emitted.Unlock()
	}
	if len(docs) < 5 {
		t.Fatalf("only %d GeoJSON documents were collected", len(docs))
	}
	checker := installCheckGeoJSON(t)
	dir := t.TempDir()
	var files []string
	for name, body := range docs {
		f := filepath.Join(dir, name+".geojson")
		if err := os.WriteFile(f, body, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	slices.Sort(files)
	script := `const {getIssues} = require(process.argv[1]); const fs = require("fs"); let bad = 0;
for (const f of process.argv.slice(2)) { const issues = getIssues(fs.readFileSync(f, "utf8"));
  if (issues.length) { bad++; console.log(f + ": " + JSON.stringify(issues).slice(0, 500)); } }
console.log("checked " + (process.argv.length - 2) + " documents"); process.exit(bad ? 1 : 0);`
	out, err := exec.Command("node", append([]string{"-e", script, checker}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("check-geojson found problems (%v):\n%s", err, out)
	}
	t.Logf("%s", out)
}

// installCheckGeoJSON installs the checker once into the user's cache and
// returns the path of its module.
func installCheckGeoJSON(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required to check the emitted GeoJSON with @placemarkio/check-geojson: %v", tool, err)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "commonground", "check-geojson-0.1.14")
	module := filepath.Join(dir, "node_modules", "@placemarkio", "check-geojson")
	if _, err := os.Stat(filepath.Join(module, "package.json")); err == nil {
		return module
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "--no-save", "@placemarkio/check-geojson@0.1.14")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("install @placemarkio/check-geojson@0.1.14: %v\n%s", err, out)
	}
	return module
}

// TestMatchByHouseholdIDs ranks parcels for households named by id: only
// households that agreed to matching count, and each read is audited.
func TestMatchByHouseholdIDs(t *testing.T) {
	env := startGeo(t)
	_, orgToken := env.Account(t, auth.RoleOrganizer)
	consented := registerHousehold(t, env.Env, orgToken, onBehalf(householdBody(1, community.ConsentMatching)))
	private := registerHousehold(t, env.Env, orgToken, onBehalf(householdBody(2)))
	home := orbPoint(consented)
	env.importParcels(t, collection(polygonFeature("home", "", square(home[0], home[1], 0.002)), good("elsewhere", -122.0)))

	req := map[string]any{"household_ids": []string{consented.ID}, "limit": 2}
	r := env.Do(t, "POST", "/api/v1/matches", req, env.organizer...)
	var resp struct {
		Results []struct {
			ParcelID string `json:"parcel_id"`
		} `json:"results"`
	}
	r.JSON(t, &resp)
	if r.Status != 200 || len(resp.Results) != 2 || resp.Results[0].ParcelID != geo.ParcelID("test", "home") {
		t.Fatalf("match by household = %d %s, want the parcel at its lost home first", r.Status, r.Body)
	}
	events, err := env.Service.Auth.Store.FindAuditEvents(context.Background(), auth.EventFilter{TargetID: consented.ID, Kind: auth.EventPersonalDataRead})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Purpose != "matching" {
		t.Errorf("audit events of the match's read: %+v, want one for matching", events)
	}
	p := env.Do(t, "POST", "/api/v1/matches", map[string]any{"household_ids": []string{consented.ID, private.ID, "nope"}}, env.organizer...).WantProblem(t, 422)
	if p.HasField("household_ids.0") || !p.HasField("household_ids.1") || !p.HasField("household_ids.2") {
		t.Fatalf("problem %+v: want households 1 (no matching consent) and 2 (unknown) named, not 0", p.Errors)
	}
	p = env.Do(t, "POST", "/api/v1/matches", map[string]any{"community_id": "c1"}, env.organizer...).WantProblem(t, 422)
	if !p.HasField("community_id") {
		t.Fatalf("community_id: %+v", p.Errors)
	}
}
