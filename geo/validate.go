package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/paulmach/orb"

	"commonground/apperr"
)

// Kinds is a set of GeoJSON geometry types that a caller accepts.
type Kinds uint8

// The geometry types. GeometryCollection is never accepted: nothing in Common
// Ground needs it and it defeats the per-type rules.
const (
	KindPoint Kinds = 1 << iota
	KindMultiPoint
	KindLineString
	KindMultiLineString
	KindPolygon
	KindMultiPolygon

	// Polygonal accepts Polygon and MultiPolygon, what parcels and hazard
	// zones are.
	Polygonal = KindPolygon | KindMultiPolygon
	// AnyKind accepts every type but GeometryCollection.
	AnyKind = KindPoint | KindMultiPoint | KindLineString | KindMultiLineString | Polygonal
)

var kindNames = []struct {
	kind Kinds
	name string
}{
	{KindPoint, "Point"}, {KindMultiPoint, "MultiPoint"}, {KindLineString, "LineString"},
	{KindMultiLineString, "MultiLineString"}, {KindPolygon, "Polygon"}, {KindMultiPolygon, "MultiPolygon"},
}

func kindOf(name string) (Kinds, bool) {
	for _, k := range kindNames {
		if k.name == name {
			return k.kind, true
		}
	}
	return 0, false
}

func (k Kinds) String() string {
	var names []string
	for _, kn := range kindNames {
		if k&kn.kind != 0 {
			names = append(names, kn.name)
		}
	}
	switch len(names) {
	case 0:
		return "nothing"
	case 1:
		return names[0]
	}
	s := ""
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			s += " or "
		default:
			s += ", "
		}
		s += n
	}
	return s
}

// DefaultMaxVertices caps the positions in one feature's geometry unless
// Rules say otherwise; real parcels have tens, detailed hazard perimeters
// tens of thousands.
const DefaultMaxVertices = 100_000

// maxFieldErrors bounds how many problems one geometry reports, so a broken
// feature of a million vertices yields a readable answer.
const maxFieldErrors = 20

// Rules say which geometries a decoder accepts.
type Rules struct {
	// Kinds accepted; zero means Polygonal.
	Kinds Kinds
	// MaxVertices per feature; zero means DefaultMaxVertices.
	MaxVertices int
}

func (r Rules) kinds() Kinds {
	if r.Kinds == 0 {
		return Polygonal
	}
	return r.Kinds
}

func (r Rules) maxVertices() int {
	if r.MaxVertices <= 0 {
		return DefaultMaxVertices
	}
	return r.MaxVertices
}

// Feature is a checked GeoJSON Feature. Properties are left undecoded so the
// caller can decode them into its own type with its own rules.
type Feature struct {
	// ID is the feature's "id" member (a string, or a number in its JSON
	// spelling); empty when absent.
	ID string
	// Geometry is valid under the Rules it was decoded with: Z values are
	// dropped and repeated consecutive positions removed.
	Geometry orb.Geometry
	// Properties is the raw "properties" object, or nil for null or absent.
	Properties json.RawMessage
}

// DecodeGeometry decodes and checks one GeoJSON geometry object. Errors are
// Invalid for JSON that is not an object, otherwise Unprocessable with
// fields named from "geometry" (for example "geometry.coordinates.0" with
// reason "ring is not closed").
func DecodeGeometry(data []byte, rules Rules) (orb.Geometry, error) {
	var f apperr.Fields
	g := decodeGeometry(&f, "geometry", data, rules)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return g, nil
}

// DecodeFeature decodes and checks one GeoJSON Feature. Unknown members
// (such as "crs", which RFC 7946 removed) are ignored.
func DecodeFeature(data []byte, rules Rules) (Feature, error) {
	var f apperr.Fields
	feat := decodeFeature(&f, "", data, rules)
	if err := f.Err(); err != nil {
		return Feature{}, err
	}
	return feat, nil
}

// Validate checks a geometry built in code or loaded from a store against
// the same rules as decoded input; field names start at "geometry". It does
// not modify g.
func Validate(g orb.Geometry, rules Rules) error {
	var f apperr.Fields
	checkGeometry(&f, "geometry", g, rules)
	return f.Err()
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func decodeFeature(f *apperr.Fields, prefix string, data []byte, rules Rules) Feature {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		f.Add(fieldOr(prefix, "feature"), "must be a GeoJSON Feature object")
		return Feature{}
	}
	var typ string
	if err := json.Unmarshal(members["type"], &typ); err != nil || typ != "Feature" {
		f.Add(join(prefix, "type"), `must be "Feature"`)
		return Feature{}
	}
	var feat Feature
	if raw, ok := members["id"]; ok && !isNull(raw) {
		switch {
		case raw[0] == '"':
			_ = json.Unmarshal(raw, &feat.ID)
		case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
			feat.ID = string(raw)
		default:
			f.Add(join(prefix, "id"), "must be a string or a number")
		}
	}
	if raw, ok := members["properties"]; ok && !isNull(raw) {
		if raw[0] != '{' {
			f.Add(join(prefix, "properties"), "must be an object or null")
		} else {
			feat.Properties = raw
		}
	}
	raw, ok := members["geometry"]
	if !ok || isNull(raw) {
		f.Add(join(prefix, "geometry"), "is required")
		return feat
	}
	feat.Geometry = decodeGeometry(f, join(prefix, "geometry"), raw, rules)
	return feat
}

func fieldOr(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// coord decodes one number of a position. Anything that is not a finite
// JSON number ("NaN", "Infinity", null, 1e999) becomes NaN so the checks
// below can name the position instead of failing the whole document.
type coord float64

func (c *coord) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		v = math.NaN()
	}
	*c = coord(v)
	return nil
}

// countPositions counts innermost arrays: an opening bracket followed by
// something other than another bracket. It lets the vertex cap reject a huge
// geometry before decoding it.
func countPositions(raw []byte) int {
	n := 0
	for i := 0; i < len(raw); i++ {
		if raw[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(raw) && (raw[j] == ' ' || raw[j] == '\n' || raw[j] == '\r' || raw[j] == '\t') {
			j++
		}
		if j < len(raw) && raw[j] != '[' && raw[j] != ']' {
			n++
		}
	}
	return n
}

func decodeGeometry(f *apperr.Fields, field string, data []byte, rules Rules) orb.Geometry {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		f.Add(field, "must be a GeoJSON geometry object")
		return nil
	}
	var typ string
	_ = json.Unmarshal(members["type"], &typ)
	kind, known := kindOf(typ)
	switch {
	case typ == "GeometryCollection":
		f.Add(join(field, "type"), "GeometryCollection is not supported; must be %s", rules.kinds())
		return nil
	case !known:
		f.Add(join(field, "type"), "must be a GeoJSON geometry type")
		return nil
	case rules.kinds()&kind == 0:
		f.Add(join(field, "type"), "must be %s, not %s", rules.kinds(), typ)
		return nil
	}
	cfield := join(field, "coordinates")
	raw, ok := members["coordinates"]
	if !ok || isNull(raw) {
		f.Add(cfield, "is required")
		return nil
	}
	if n, limit := countPositions(raw), rules.maxVertices(); n > limit {
		f.Add(cfield, "has %d positions, more than the limit of %d", n, limit)
		return nil
	}
	shape := func(error) orb.Geometry {
		f.Add(cfield, "must be %s", shapeOf(typ))
		return nil
	}
	var g orb.Geometry
	switch kind {
	case KindPoint:
		var c []coord
		if err := json.Unmarshal(raw, &c); err != nil {
			return shape(err)
		}
		if len(c) == 0 {
			f.Add(cfield, "geometry is empty")
			return nil
		}
		p, ok := toPoint(f, cfield, c)
		if !ok {
			return nil
		}
		g = p
	case KindMultiPoint, KindLineString:
		var c [][]coord
		if err := json.Unmarshal(raw, &c); err != nil {
			return shape(err)
		}
		pts, ok := toPoints(f, cfield, c)
		if !ok {
			return nil
		}
		if kind == KindMultiPoint {
			g = orb.MultiPoint(pts)
		} else {
			g = orb.LineString(pts)
		}
	case KindMultiLineString, KindPolygon:
		var c [][][]coord
		if err := json.Unmarshal(raw, &c); err != nil {
			return shape(err)
		}
		lines := make([][]orb.Point, len(c))
		for i := range c {
			if lines[i], ok = toPoints(f, fmt.Sprintf("%s.%d", cfield, i), c[i]); !ok {
				return nil
			}
		}
		if kind == KindPolygon {
			g = toPolygon(lines)
		} else {
			mls := make(orb.MultiLineString, len(lines))
			for i, l := range lines {
				mls[i] = orb.LineString(l)
			}
			g = mls
		}
	case KindMultiPolygon:
		var c [][][][]coord
		if err := json.Unmarshal(raw, &c); err != nil {
			return shape(err)
		}
		mp := make(orb.MultiPolygon, len(c))
		for i := range c {
			lines := make([][]orb.Point, len(c[i]))
			for j := range c[i] {
				if lines[j], ok = toPoints(f, fmt.Sprintf("%s.%d.%d", cfield, i, j), c[i][j]); !ok {
					return nil
				}
			}
			mp[i] = toPolygon(lines)
		}
		g = mp
	}
	return checkGeometry(f, field, g, rules)
}

func shapeOf(typ string) string {
	switch typ {
	case "Point":
		return "a position: [longitude, latitude]"
	case "MultiPoint", "LineString":
		return "an array of positions"
	case "Polygon":
		return "an array of linear rings, each an array of positions"
	case "MultiLineString":
		return "an array of arrays of positions"
	}
	return "an array of polygons, each an array of linear rings"
}

func toPolygon(lines [][]orb.Point) orb.Polygon {
	p := make(orb.Polygon, len(lines))
	for i, l := range lines {
		p[i] = orb.Ring(l)
	}
	return p
}

// toPoint keeps longitude and latitude and drops Z (and anything after it).
func toPoint(f *apperr.Fields, field string, c []coord) (orb.Point, bool) {
	if len(c) < 2 {
		f.Add(field, "position must have a longitude and a latitude")
		return orb.Point{}, false
	}
	return orb.Point{float64(c[0]), float64(c[1])}, true
}

func toPoints(f *apperr.Fields, field string, c [][]coord) ([]orb.Point, bool) {
	pts := make([]orb.Point, len(c))
	for i := range c {
		p, ok := toPoint(f, fmt.Sprintf("%s.%d", field, i), c[i])
		if !ok {
			return nil, false
		}
		pts[i] = p
	}
	return pts, true
}

// checkGeometry checks g and returns a cleaned copy (repeated consecutive
// positions removed), or nil after adding field errors.
func checkGeometry(f *apperr.Fields, field string, g orb.Geometry, rules Rules) orb.Geometry {
	before := len(*f)
	cfield := join(field, "coordinates")
	if g == nil {
		f.Add(field, "is required")
		return nil
	}
	kind, _ := kindOf(g.GeoJSONType())
	if rules.kinds()&kind == 0 {
		f.Add(join(field, "type"), "must be %s, not %s", rules.kinds(), g.GeoJSONType())
		return nil
	}
	if n, limit := countVertices(g), rules.maxVertices(); n > limit {
		f.Add(cfield, "has %d positions, more than the limit of %d", n, limit)
		return nil
	}
	var out orb.Geometry
	switch g := g.(type) {
	case orb.Point:
		checkPosition(f, cfield, g)
		out = g
	case orb.MultiPoint:
		if len(g) == 0 {
			f.Add(cfield, "geometry is empty")
		}
		for i, p := range g {
			checkPosition(f, fmt.Sprintf("%s.%d", cfield, i), p)
		}
		out = g
	case orb.LineString:
		out = checkLine(f, cfield, g)
	case orb.MultiLineString:
		if len(g) == 0 {
			f.Add(cfield, "geometry is empty")
		}
		mls := make(orb.MultiLineString, len(g))
		for i, l := range g {
			mls[i] = checkLine(f, fmt.Sprintf("%s.%d", cfield, i), l)
		}
		out = mls
	case orb.Polygon:
		out = checkPolygon(f, cfield, g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			f.Add(cfield, "geometry is empty")
		}
		mp := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			mp[i] = checkPolygon(f, fmt.Sprintf("%s.%d", cfield, i), p)
		}
		out = mp
	}
	if len(*f) > before {
		if len(*f)-before > maxFieldErrors {
			*f = append((*f)[:before+maxFieldErrors], apperr.FieldError{Field: cfield, Reason: "has more problems than are listed"})
		}
		return nil
	}
	return out
}

func countVertices(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.MultiLineString:
		n := 0
		for _, l := range g {
			n += len(l)
		}
		return n
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += countVertices(p)
		}
		return n
	}
	return 0
}

func checkPosition(f *apperr.Fields, field string, p orb.Point) bool {
	lon, lat := p[0], p[1]
	switch {
	case math.IsNaN(lon) || math.IsInf(lon, 0) || math.IsNaN(lat) || math.IsInf(lat, 0):
		f.Add(field, "longitude and latitude must be finite numbers")
	case lon < -180 || lon > 180:
		f.Add(field, "longitude %g is outside [-180, 180]", lon)
	case lat < -90 || lat > 90:
		f.Add(field, "latitude %g is outside [-90, 90]", lat)
	default:
		return true
	}
	return false
}

func checkPositions(f *apperr.Fields, field string, pts []orb.Point) bool {
	ok := true
	for i, p := range pts {
		if !checkPosition(f, fmt.Sprintf("%s.%d", field, i), p) {
			ok = false
			if len(*f) > maxFieldErrors {
				return false
			}
		}
	}
	return ok
}

// dedupe drops repeated consecutive positions, which real parcel data has
// and which would otherwise look like zero-length edges.
func dedupe(pts []orb.Point) []orb.Point {
	out := make([]orb.Point, 0, len(pts))
	for i, p := range pts {
		if i > 0 && p == pts[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

func checkLine(f *apperr.Fields, field string, l orb.LineString) orb.LineString {
	if len(l) == 0 {
		f.Add(field, "geometry is empty")
		return nil
	}
	if !checkPositions(f, field, l) {
		return nil
	}
	out := dedupe(l)
	if len(out) < 2 {
		f.Add(field, "line needs at least 2 distinct positions")
		return nil
	}
	return orb.LineString(out)
}

func checkPolygon(f *apperr.Fields, field string, p orb.Polygon) orb.Polygon {
	if len(p) == 0 {
		f.Add(field, "geometry is empty")
		return nil
	}
	before := len(*f)
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		rfield := fmt.Sprintf("%s.%d", field, i)
		switch {
		case len(r) == 0:
			f.Add(rfield, "ring is empty")
			continue
		case !checkPositions(f, rfield, r):
			continue
		case len(r) < 4:
			f.Add(rfield, "ring has %d positions; a linear ring needs at least 4", len(r))
			continue
		case r[0] != r[len(r)-1]:
			f.Add(rfield, "ring is not closed: the last position must equal the first")
			continue
		}
		d := orb.Ring(dedupe(r))
		if len(d) < 4 {
			f.Add(rfield, "ring has fewer than 3 distinct positions")
			continue
		}
		out[i] = d
	}
	if len(*f) > before {
		return nil
	}
	b := out.Bound()
	if b.Max[0]-b.Min[0] > 180 {
		f.Add(field, "polygon spans more than 180 degrees of longitude; split it at the antimeridian (RFC 7946, 3.1.9)")
		return nil
	}
	if ring, bad := findCrossing(out); bad != "" {
		f.Add(fmt.Sprintf("%s.%d", field, ring), "%s", bad)
		return nil
	}
	for i, r := range out {
		if planarRingArea(r) == 0 {
			f.Add(fmt.Sprintf("%s.%d", field, i), "ring has no area")
			return nil
		}
	}
	for i, h := range out[1:] {
		if !holeInside(out[0], h) {
			f.Add(fmt.Sprintf("%s.%d", field, i+1), "hole is not inside its outer ring")
			return nil
		}
	}
	return out
}

// holeInside reports whether hole h, which crosses no edge of shell, lies in
// it: the first hole vertex not on the shell's boundary decides.
func holeInside(shell, h orb.Ring) bool {
	for _, p := range h {
		if onRingBoundary(shell, p) {
			continue
		}
		return ringContains(shell, p)
	}
	// Every hole vertex is on the shell: test an edge midpoint instead.
	for i := 0; i+1 < len(h); i++ {
		m := orb.Point{(h[i][0] + h[i+1][0]) / 2, (h[i][1] + h[i+1][1]) / 2}
		if !onRingBoundary(shell, m) {
			return ringContains(shell, m)
		}
	}
	return false
}

type ringEdge struct {
	a, b                           orb.Point
	ring, idx                      int
	minLon, maxLon, minLat, maxLat float64
}

// findCrossing looks for a self-intersecting ring or two rings that cross,
// sweeping edges sorted by west edge so that only edges whose boxes overlap
// are compared. It returns the ring to blame and a reason, or "" when the
// polygon is simple.
func findCrossing(p orb.Polygon) (ring int, reason string) {
	n := 0
	for _, r := range p {
		n += len(r) - 1
	}
	edges := make([]ringEdge, 0, n)
	for ri, r := range p {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			edges = append(edges, ringEdge{
				a: a, b: b, ring: ri, idx: i,
				minLon: min(a[0], b[0]), maxLon: max(a[0], b[0]),
				minLat: min(a[1], b[1]), maxLat: max(a[1], b[1]),
			})
		}
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].minLon < edges[j].minLon })
	for i := range edges {
		e := &edges[i]
		for j := i + 1; j < len(edges) && edges[j].minLon <= e.maxLon; j++ {
			o := &edges[j]
			if o.minLat > e.maxLat || o.maxLat < e.minLat {
				continue
			}
			if e.ring != o.ring {
				if segmentsCross(e.a, e.b, o.a, o.b) {
					r := max(e.ring, o.ring)
					return r, fmt.Sprintf("ring crosses ring %d", min(e.ring, o.ring))
				}
				continue
			}
			if bad := sameRingConflict(e, o, len(p[e.ring])-1); bad {
				return e.ring, fmt.Sprintf("ring intersects itself near position %d", min(e.idx, o.idx))
			}
		}
	}
	return 0, ""
}

// sameRingConflict tests two edges of one ring of m edges. Neighbours share
// a vertex and conflict only when they fold back over each other.
func sameRingConflict(e, o *ringEdge, m int) bool {
	i, j := e.idx, o.idx
	if i > j {
		i, j = j, i
		e, o = o, e
	}
	switch {
	case j == i+1: // e.b == o.a
		return orient(e.a, e.b, o.b) == 0 && (onSegment(e.a, e.b, o.b) || onSegment(o.a, o.b, e.a))
	case i == 0 && j == m-1: // o.b == e.a
		return orient(o.a, o.b, e.b) == 0 && (onSegment(o.a, o.b, e.b) || onSegment(e.a, e.b, o.a))
	}
	return segmentsIntersect(e.a, e.b, o.a, o.b)
}
