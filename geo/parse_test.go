package geo

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"commonground/apperr"
)

func TestParseBound(t *testing.T) {
	tests := []struct {
		in   string
		want Bound
		errs []apperr.FieldError
	}{
		{"-123,42,-122.5,42.5", Bound{West: -123, South: 42, East: -122.5, North: 42.5}, nil},
		{"179, -18, -179, -16", Bound{West: 179, South: -18, East: -179, North: -16}, nil},
		{"-123,42,-122.5", Bound{}, []apperr.FieldError{{Field: "bbox", Reason: "must be west,south,east,north in degrees"}}},
		{"a,b,c,d", Bound{}, []apperr.FieldError{{Field: "bbox", Reason: "must be west,south,east,north in degrees"}}},
		{"NaN,0,1,1", Bound{}, []apperr.FieldError{{Field: "bbox", Reason: "coordinates must be finite numbers"}}},
		{"0,50,1,40", Bound{}, []apperr.FieldError{{Field: "bbox", Reason: "south must not be greater than north"}}},
		{"0,0,200,1", Bound{}, []apperr.FieldError{{Field: "bbox", Reason: "longitude must be within [-180, 180]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBound("bbox", tt.in)
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParseBound (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(fieldsOf(t, err), tt.errs); diff != "" {
				t.Errorf("errors (-got +want):\n%s", diff)
			}
		})
	}
}

func TestParsePoint(t *testing.T) {
	got, err := ParsePoint("near", "-122.8,42.24")
	if err != nil || got != (orb.Point{-122.8, 42.24}) {
		t.Errorf("ParsePoint = %v, %v", got, err)
	}
	for _, in := range []string{"42.24,-122.8,1", "x,1", "-122.8,95"} {
		if _, err := ParsePoint("near", in); len(fieldsOf(t, err)) != 1 {
			t.Errorf("ParsePoint(%q) = %v, want one field error", in, err)
		}
	}
}
