package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAppendParcelPropsMatchesMarshal checks the hand-written encoder
// against encoding/json on the same values, tricky strings included.
func TestAppendParcelPropsMatchesMarshal(t *testing.T) {
	at := time.Date(2026, 12, 6, 21, 33, 1, 423_000_000, time.UTC)
	dist := 12.5
	cases := []struct {
		out  parcelOut
		dist *float64
	}{
		{out: parcelOut{ID: "pcl_1", ComputedAcres: 1.25, Currency: "USD", Status: "identified", HazardFree: true, Hazards: []hazardShare{}, CreatedAt: at, UpdatedAt: at}},
		{out: parcelOut{ID: "pcl_2", Source: "assessor \"north\"", SourceID: `a\b`, APN: "1-2-3", CountyFIPS: "41029",
			Address: "Calle Peña 5, Talent\n<OR> & co", Owner: "O'Brien\tLLC\x01", OwnerType: "company", LandUse: "vacant",
			Zoning: "R-3", DeededAcres: 6.1, ComputedAcres: 6.0123, LandValue: 41_000_000, ImprovementValue: 1, AskingPrice: 52_000_000,
			Currency: "USD", Utilities: []string{"water", "sewer"}, Notes: "línea 1\r\nlínea 2 \u2028", Status: "rejected",
			RejectedReason: "floodway", Hazards: []hazardShare{{Kind: "flood", Share: 0.4231, Severity: "high"}, {Kind: "wildfire", Share: 1, Severity: "extreme"}},
			CreatedAt: at, UpdatedAt: at.Add(time.Hour)}, dist: &dist},
	}
	for _, tc := range cases {
		want := tc.out
		want.DistanceM = tc.dist
		wantJSON, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		gotJSON := appendParcelProps(nil, tc.out, tc.dist)
		var got, exp map[string]any
		if err := json.Unmarshal(gotJSON, &got); err != nil {
			t.Fatalf("appendParcelProps wrote invalid JSON %s: %v", gotJSON, err)
		}
		if err := json.Unmarshal(wantJSON, &exp); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, exp); diff != "" {
			t.Errorf("%s: hand-written properties differ from encoding/json (-got +want):\n%s", tc.out.ID, diff)
		}
	}
}
