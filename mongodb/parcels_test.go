package mongodb_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"commonground/apperr"
	"commonground/geo"
	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
)

func square(lon, lat, size float64) orb.Polygon {
	return orb.Polygon{{{lon, lat}, {lon + size, lat}, {lon + size, lat + size}, {lon, lat + size}, {lon, lat}}}
}

// TestParcelsSurviveARestart stores parcels and hazard zones through the
// service, loads them into a fresh service as a restart does, and checks
// that re-importing a source id replaced the parcel instead of adding one.
func TestParcelsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	open := func() *geo.Parcels {
		s := geo.NewParcels(mongodb.NewParcelStore(db)).WithHazards(mongodb.NewHazardStore(db))
		if err := s.Load(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	mk := func(sourceID string, lon float64) *geo.Parcel {
		return &geo.Parcel{Source: "jackson", SourceID: sourceID, APN: "APN-" + sourceID, Owner: "Owner " + sourceID,
			Currency: "USD", Status: geo.StatusIdentified, Utilities: []string{"water"}, AskingPrice: 100_000_00,
			Geometry: square(lon, 42.2, 0.001)}
	}
	if _, err := s.Put(ctx, []*geo.Parcel{mk("1", -122.80), mk("2", -122.79)}); err != nil {
		t.Fatal(err)
	}
	again := mk("1", -122.78)
	again.Address = "1 New Road"
	res, err := s.Put(ctx, []*geo.Parcel{again})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Created || res[0].ID != geo.ParcelID("jackson", "1") {
		t.Fatalf("re-import = %+v, want an update of %s", res[0], geo.ParcelID("jackson", "1"))
	}
	_, err = s.PutHazards(ctx, []*geo.HazardZone{{Hazard: geo.Hazard{Kind: geo.Wildfire, Severity: 5,
		Geometry: square(-122.7805, 42.1995, 0.01)}, Source: "nifc", SourceID: "almeda",
		EffectiveDate: time.Date(2020, 9, 8, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}

	r := open()
	if got, want := r.Len(), 2; got != want {
		t.Fatalf("parcels after restart = %d, want %d", got, want)
	}
	before, _ := s.Get(res[0].ID)
	after, err := r.Get(res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("parcel after restart differs (-before +after):\n%s", diff)
	}
	sc := r.Screening(res[0].ID)
	if len(sc.Kinds) != 1 || sc.Kinds[0].Kind != geo.Wildfire || sc.Kinds[0].Share < 0.99 {
		t.Errorf("screening after restart = %+v, want the whole parcel in the wildfire zone", sc)
	}
	if !r.Screening(geo.ParcelID("jackson", "2")).Clear() {
		t.Errorf("parcel 2 lies outside the zone but was screened as exposed")
	}

	hz := geo.HazardID("nifc", "almeda")
	if err := r.DeleteHazard(ctx, hz); err != nil {
		t.Fatal(err)
	}
	if !r.Screening(res[0].ID).Clear() {
		t.Errorf("screening kept a deleted zone")
	}
	if err := r.Delete(ctx, res[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(ctx, res[0].ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("second delete = %v, want NotFound", err)
	}
	if got := open().Len(); got != 1 {
		t.Fatalf("parcels after delete and restart = %d, want 1", got)
	}
}
