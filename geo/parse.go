package geo

import (
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"commonground/apperr"
)

// ParseBound reads a "west,south,east,north" query value (the order of
// RFC 7946 bbox) into a checked Bound; west greater than east crosses the
// antimeridian. Errors are Unprocessable and name field.
func ParseBound(field, s string) (Bound, error) {
	v, err := parseFloats(field, s, 4, "must be west,south,east,north in degrees")
	if err != nil {
		return Bound{}, err
	}
	b := Bound{West: v[0], South: v[1], East: v[2], North: v[3]}
	if err := b.Check(field); err != nil {
		return Bound{}, err
	}
	return b, nil
}

// ParsePoint reads a "lon,lat" query value into a checked point.
func ParsePoint(field, s string) (orb.Point, error) {
	v, err := parseFloats(field, s, 2, "must be longitude,latitude in degrees")
	if err != nil {
		return orb.Point{}, err
	}
	var f apperr.Fields
	p := orb.Point{v[0], v[1]}
	checkPosition(&f, field, p)
	return p, f.Err()
}

func parseFloats(field, s string, n int, reason string) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, fieldErr(field, reason)
	}
	out := make([]float64, n)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fieldErr(field, reason)
		}
		out[i] = v
	}
	return out, nil
}

func fieldErr(field, reason string) error {
	var f apperr.Fields
	f.Add(field, "%s", reason)
	return f.Err()
}
