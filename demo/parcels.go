package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/paulmach/orb"

	"commonground/apperr"
	"commonground/geo"
	"commonground/geo/geogen"
)

// Parcels is the part of the geo service the demo drives.
type Parcels interface {
	Get(id string) (*geo.Parcel, error)
	Put(ctx context.Context, ps []*geo.Parcel) ([]geo.PutResult, error)
	PutHazards(ctx context.Context, zs []*geo.HazardZone) ([]geo.PutResult, error)
}

// demoParcels is how many candidate parcels the demo map shows.
const demoParcels = 2000

// campaignParcels are the parcels the demo campaigns raise money for: the
// generated parcel of about the right size nearest each place gets the id
// the campaign names.
var campaignParcels = []struct {
	id         string
	near       orb.Point
	minAcres   float64
	status     geo.ParcelStatus
	address    string
	askDollars int64
}{
	{"demo-parcel-talent-1", orb.Point{-122.7990, 42.2350}, 4, geo.StatusUnderContract, "Creekside Rd, Talent, OR", 900_000},
	{"demo-parcel-phoenix-1", orb.Point{-122.8320, 42.2700}, 3, geo.StatusNegotiating, "Bear Creek Dr, Phoenix, OR", 650_000},
	{"demo-parcel-phoenix-2", orb.Point{-122.8350, 42.2620}, 2, geo.StatusNegotiating, "Colver Rd, Phoenix, OR", 420_000},
}

var ownerNames = []string{"Rogue Valley Holdings LLC", "Bear Creek Orchards Inc", "M. and L. Hansen", "Jackson County", "Siskiyou Land Co", "R. Delgado Family Trust", "Talent Irrigation District", "Medford Investors LLC"}

// seedParcels loads the Jackson County scenario of geogen: parcels around
// Phoenix and Talent, the Almeda Fire perimeter and the Bear Creek
// floodway. It does nothing when the campaign parcels are already there.
func seedParcels(ctx context.Context, env Env) error {
	if env.Parcels == nil {
		return nil
	}
	if _, err := env.Parcels.Get(campaignParcels[0].id); err == nil {
		return nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	sc := geogen.JacksonCounty(2020, demoParcels, 0)
	r := rand.New(rand.NewPCG(2020, 9))
	ps := make([]*geo.Parcel, len(sc.Parcels))
	for i, g := range sc.Parcels {
		p := &geo.Parcel{
			Source: "demo", SourceID: g.ID, APN: g.APN, CountyFIPS: "41029", Address: g.Address + ", Jackson County, OR",
			Owner: ownerNames[r.IntN(len(ownerNames))], OwnerType: "private", LandUse: g.LandUse, Zoning: g.Zoning,
			DeededAcres: float64(int(g.Acres*10)) / 10, AskingPrice: g.AskingPrice, Currency: "USD",
			Utilities: []string{"power"}, Status: geo.StatusIdentified, Geometry: g.Geometry,
		}
		switch n := r.IntN(20); {
		case n == 0:
			p.Status, p.RejectedReason = geo.StatusRejected, "zoning does not allow manufactured homes"
		case n < 4:
			p.Status = geo.StatusEvaluating
		}
		if r.IntN(2) == 0 {
			p.Utilities = append(p.Utilities, "water", "sewer")
		}
		ps[i] = p
	}
	taken := map[int]bool{}
	for _, cp := range campaignParcels {
		best := -1
		for i, p := range ps {
			if taken[i] || geo.Acres(p.Geometry) < cp.minAcres {
				continue
			}
			if best < 0 || geo.DistanceTo(cp.near, p.Geometry) < geo.DistanceTo(cp.near, ps[best].Geometry) {
				best = i
			}
		}
		if best < 0 {
			return fmt.Errorf("no generated parcel fits campaign parcel %s", cp.id)
		}
		taken[best] = true
		p := ps[best]
		p.ID, p.Source, p.SourceID = cp.id, "", ""
		p.Status, p.RejectedReason, p.Address = cp.status, "", cp.address
		p.AskingPrice = cp.askDollars * 100
		p.Notes = "Seller agreed to hold the price while the campaign raises the down payment."
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	if _, err := env.Parcels.Put(ctx, ps); err != nil {
		return err
	}
	zones := make([]*geo.HazardZone, len(sc.Hazards))
	names := map[string]string{"almeda-perimeter": "Almeda Fire perimeter, September 2020 (synthetic)", "bear-creek-floodway": "Bear Creek floodway (synthetic)"}
	for i, h := range sc.Hazards {
		zones[i] = &geo.HazardZone{Hazard: h, Name: names[h.ID], Source: "demo", SourceID: h.ID,
			EffectiveDate: time.Date(2020, 9, 8, 0, 0, 0, 0, time.UTC)}
	}
	_, err := env.Parcels.PutHazards(ctx, zones)
	return err
}
