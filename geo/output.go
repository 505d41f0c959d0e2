package geo

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// ContentType is the media type of GeoJSON (RFC 7946).
const ContentType = "application/geo+json"

// round6 rounds to 6 decimals, about 0.1 m: RFC 7946 advises against more.
func round6(v float64) float64 {
	r := math.Round(v*1e6) / 1e6
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

// Normalize returns a copy of g as Common Ground emits it: coordinates
// rounded to 6 decimals, outer rings counter-clockwise and holes clockwise
// (the right-hand rule of RFC 7946).
func Normalize(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return orb.Point{round6(g[0]), round6(g[1])}
	case orb.MultiPoint:
		return orb.MultiPoint(roundPoints(g))
	case orb.LineString:
		return orb.LineString(roundPoints(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = orb.LineString(roundPoints(l))
		}
		return out
	case orb.Polygon:
		return normalizePolygon(g)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = normalizePolygon(p)
		}
		return out
	case orb.Bound:
		return normalizePolygon(g.ToPolygon())
	}
	return g
}

func roundPoints(pts []orb.Point) []orb.Point {
	out := make([]orb.Point, len(pts))
	for i, p := range pts {
		out[i] = orb.Point{round6(p[0]), round6(p[1])}
	}
	return out
}

func normalizePolygon(p orb.Polygon) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		rr := orb.Ring(roundPoints(r))
		if (planarRingArea(r) > 0) != (i == 0) {
			for a, b := 0, len(rr)-1; a < b; a, b = a+1, b-1 {
				rr[a], rr[b] = rr[b], rr[a]
			}
		}
		out[i] = rr
	}
	return out
}

// AppendGeometry appends g as normalized GeoJSON (see Normalize) without
// building an intermediate copy.
func AppendGeometry(dst []byte, g orb.Geometry) []byte {
	if g == nil {
		return append(dst, "null"...)
	}
	if b, ok := g.(orb.Bound); ok {
		g = b.ToPolygon()
	}
	dst = append(dst, `{"type":"`...)
	dst = append(dst, g.GeoJSONType()...)
	dst = append(dst, `","coordinates":`...)
	switch g := g.(type) {
	case orb.Point:
		dst = appendPoint(dst, g)
	case orb.MultiPoint:
		dst = appendPoints(dst, g, false)
	case orb.LineString:
		dst = appendPoints(dst, g, false)
	case orb.MultiLineString:
		dst = append(dst, '[')
		for i, l := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPoints(dst, l, false)
		}
		dst = append(dst, ']')
	case orb.Polygon:
		dst = appendPolygon(dst, g)
	case orb.MultiPolygon:
		dst = append(dst, '[')
		for i, p := range g {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendPolygon(dst, p)
		}
		dst = append(dst, ']')
	default:
		dst = append(dst, "[]"...)
	}
	return append(dst, '}')
}

func appendPoint(dst []byte, p orb.Point) []byte {
	dst = append(dst, '[')
	dst = strconv.AppendFloat(dst, round6(p[0]), 'f', -1, 64)
	dst = append(dst, ',')
	dst = strconv.AppendFloat(dst, round6(p[1]), 'f', -1, 64)
	return append(dst, ']')
}

func appendPoints(dst []byte, pts []orb.Point, reverse bool) []byte {
	dst = append(dst, '[')
	for i := range pts {
		if i > 0 {
			dst = append(dst, ',')
		}
		j := i
		if reverse {
			j = len(pts) - 1 - i
		}
		dst = appendPoint(dst, pts[j])
	}
	return append(dst, ']')
}

func appendPolygon(dst []byte, p orb.Polygon) []byte {
	dst = append(dst, '[')
	for i, r := range p {
		if i > 0 {
			dst = append(dst, ',')
		}
		ccw := planarRingArea(r) > 0
		dst = appendPoints(dst, r, ccw != (i == 0))
	}
	return append(dst, ']')
}

// AppendFeature appends f as a GeoJSON Feature with a normalized geometry.
// Properties must be a JSON object or nil (written as null).
func AppendFeature(dst []byte, f Feature) []byte {
	dst = append(dst, `{"type":"Feature"`...)
	if f.ID != "" {
		dst = append(dst, `,"id":`...)
		id, _ := json.Marshal(f.ID) // a string always marshals
		dst = append(dst, id...)
	}
	dst = append(dst, `,"geometry":`...)
	dst = AppendGeometry(dst, f.Geometry)
	dst = append(dst, `,"properties":`...)
	if len(f.Properties) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, f.Properties...)
	}
	return append(dst, '}')
}

// AppendFeatureCollection appends the features as one GeoJSON
// FeatureCollection, ready to send as ContentType.
func AppendFeatureCollection(dst []byte, fs []Feature) []byte {
	dst = append(dst, `{"type":"FeatureCollection","features":[`...)
	for i, f := range fs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendFeature(dst, f)
	}
	return append(dst, "]}"...)
}
