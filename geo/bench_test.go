package geo_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/geo/geogen"
)

// The benchmark sizes of Common Ground's performance goals: 1,000,000
// household points, 200,000 parcels, 50 hazard zones of 64 vertices, all
// generated in code. Parcels and hazards lie around Jackson County, Oregon;
// household points are spread over the towns of the US West as people live
// there (see geogen.Households), so a 5 km circle or a county view holds
// what it would in real use. The data is built once and shared by every
// benchmark.
const (
	benchPoints   = 1_000_000
	benchParcels  = 200_000
	benchHazards  = 50
	benchVertices = 64
)

type benchFixture struct {
	parcels   []geogen.Parcel
	items     []geo.Item[int]
	parcelIx  *geo.Index[int]
	points    []orb.Point
	pointIx   *geo.PointIndex[int32]
	hazards   []geo.Hazard
	hazardSet *geo.HazardSet
	matchIx   *geo.Index[geo.ParcelFacts] // parcels with their facts inline, as the service keeps them
	homes     []orb.Point                 // 3,000 former homes in Phoenix and Talent
	queries   []orb.Point                 // random parcel centres
	around    []orb.Point                 // random household points, where radius queries start
	viewports []geo.Bound                 // ~100 parcels each
}

var (
	fixtureOnce sync.Once
	fixture     benchFixture
)

func loadFixture(b *testing.B) *benchFixture {
	b.Helper()
	fixtureOnce.Do(func() {
		f := &fixture
		g := geogen.New(2026)
		f.parcels = g.Parcels(benchParcels, geogen.Towns, geogen.County)
		f.items = make([]geo.Item[int], len(f.parcels))
		for i, p := range f.parcels {
			f.items[i] = geo.Item[int]{ID: p.ID, Geometry: p.Geometry, Value: i}
		}
		f.parcelIx = geo.NewIndex[int]()
		f.parcelIx.Load(f.items)

		f.points = g.Households(benchPoints, geogen.WestTowns, geogen.West)
		pitems := make([]geo.PointItem[int32], len(f.points))
		for i, p := range f.points {
			pitems[i] = geo.PointItem[int32]{ID: fmt.Sprintf("household-%07d", i), Point: p, Value: int32(1 + i%6)}
		}
		f.pointIx = geo.NewPointIndex[int32]()
		f.pointIx.Load(pitems)

		f.hazards = g.Hazards(benchHazards, benchVertices, geogen.County)
		hs, err := geo.NewHazardSet(f.hazards)
		if err != nil {
			b.Fatal(err)
		}
		f.hazardSet = hs
		screened, err := geo.ScreenAll(context.Background(), hs, f.parcelIx.Snapshot())
		if err != nil {
			b.Fatal(err)
		}
		withFacts := make([]geo.Item[geo.ParcelFacts], len(f.parcels))
		for i, p := range f.parcels {
			withFacts[i] = geo.Item[geo.ParcelFacts]{ID: p.ID, Geometry: p.Geometry,
				Value: geo.ParcelFacts{Acres: p.Acres, AskingPrice: p.AskingPrice, Screening: screened[p.ID]}}
		}
		f.matchIx = geo.NewIndex[geo.ParcelFacts]()
		f.matchIx.Load(withFacts)
		f.homes = geogen.JacksonCounty(2026, 0, 3000).Homes

		r := rand.New(rand.NewPCG(1, 1))
		for i := 0; i < 256; i++ {
			f.queries = append(f.queries, f.parcels[r.IntN(len(f.parcels))].Geometry.Bound().Center())
			f.around = append(f.around, f.points[r.IntN(len(f.points))])
		}
		// Viewports sized so each holds about 100 parcels: grow a square
		// around a query point until it does.
		snap := f.parcelIx.Snapshot()
		for _, c := range f.queries[:64] {
			for half := 0.0005; ; half *= 1.1 {
				v := geo.Bound{West: c[0] - half, South: c[1] - half, East: c[0] + half, North: c[1] + half}
				n := 0
				_ = snap.Search(context.Background(), v, func(*geo.Item[int]) bool { n++; return true })
				if n >= 100 {
					f.viewports = append(f.viewports, v)
					break
				}
			}
		}
	})
	return &fixture
}

func BenchmarkBuildParcelIndex(b *testing.B) {
	f := loadFixture(b)
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		ix := geo.NewIndex[int]()
		ix.Load(f.items)
	}
	cpu.report()
}

func BenchmarkNearestParcels10(b *testing.B) {
	f := loadFixture(b)
	snap := f.parcelIx.Snapshot()
	ctx := context.Background()
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		ns, err := snap.Nearest(ctx, f.queries[i%len(f.queries)], 10, nil)
		if err != nil || len(ns) != 10 {
			b.Fatalf("Nearest: %d, %v", len(ns), err)
		}
	}
	cpu.report()
}

func BenchmarkViewport100Parcels(b *testing.B) {
	f := loadFixture(b)
	snap := f.parcelIx.Snapshot()
	ctx := context.Background()
	out := make([]*geo.Item[int], 0, 256)
	total := 0
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		out = out[:0]
		_ = snap.Search(ctx, f.viewports[i%len(f.viewports)], func(it *geo.Item[int]) bool {
			out = append(out, it)
			return true
		})
		total += len(out)
	}
	cpu.report()
	b.ReportMetric(float64(total)/float64(b.N), "parcels/op")
}

// BenchmarkViewport1DegreeExact asks a 1° viewport with the exact polygon
// test and the first page of 500 parcels, as the map API does.
func BenchmarkViewport1DegreeExact(b *testing.B) {
	f := loadFixture(b)
	snap := f.parcelIx.Snapshot()
	ctx := context.Background()
	out := make([]*geo.Item[int], 0, 512)
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		c := f.queries[i%len(f.queries)]
		v := geo.Bound{West: c[0] - 0.5, South: c[1] - 0.5, East: c[0] + 0.5, North: c[1] + 0.5}
		out = out[:0]
		_ = snap.Intersecting(ctx, v, func(it *geo.Item[int]) bool {
			out = append(out, it)
			return len(out) < 500
		})
		if len(out) != 500 {
			b.Fatalf("got %d parcels", len(out))
		}
	}
	cpu.report()
}

func BenchmarkRadius5kmHouseholds(b *testing.B) {
	f := loadFixture(b)
	snap := f.pointIx.Snapshot()
	ctx := context.Background()
	ids := make([]string, 0, 1<<16)
	total := 0
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		var err error
		ids, err = snap.AppendWithin(ctx, ids[:0], f.around[i%len(f.around)], 5000)
		if err != nil {
			b.Fatal(err)
		}
		total += len(ids)
	}
	cpu.report()
	b.ReportMetric(float64(total)/float64(b.N), "points/op")
}

func BenchmarkRadius5kmHouseholdsCount(b *testing.B) {
	f := loadFixture(b)
	snap := f.pointIx.Snapshot()
	ctx := context.Background()
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		if _, err := snap.CountWithin(ctx, f.around[i%len(f.around)], 5000); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report()
}

func BenchmarkRescreenAll(b *testing.B) {
	f := loadFixture(b)
	snap := f.parcelIx.Snapshot()
	ctx := context.Background()
	hits := 0
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		m, err := geo.ScreenAll(ctx, f.hazardSet, snap)
		if err != nil {
			b.Fatal(err)
		}
		hits = len(m)
	}
	cpu.report()
	b.ReportMetric(float64(hits), "exposed-parcels")
}

func BenchmarkMatch3000Households(b *testing.B) {
	f := loadFixture(b)
	snap := f.matchIx.Snapshot()
	ctx := context.Background()
	group := geo.Group{
		Homes: f.homes, Budget: 2_500_000_000, HasBudget: true, // $25 million
		Places: []geo.Place{
			{Name: "Phoenix Elementary", Point: orb.Point{-122.8170, 42.2770}},
			{Name: "Rogue Valley Transit, Front St", Point: orb.Point{-122.8720, 42.3260}},
		},
	}
	facts := func(it *geo.Item[geo.ParcelFacts]) (geo.ParcelFacts, bool) { return it.Value, true }
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		ms, err := geo.Rank(ctx, snap, facts, group, geo.MatchOptions{Limit: 50})
		if err != nil || len(ms) != 50 {
			b.Fatalf("Rank: %d, %v", len(ms), err)
		}
	}
	cpu.report()
}

type benchNeeds struct{ people, accessible int32 }

// BenchmarkGridCounty builds the public grid of 1 km cells for a county
// view: Jackson County, where the Common Ground story happens, and Los
// Angeles County, the most crowded county-sized view in the data.
func BenchmarkGridCounty(b *testing.B) {
	f := loadFixture(b)
	snap := f.pointIx.Snapshot()
	ctx := context.Background()
	add := func(s *benchNeeds, size int32) bool {
		s.people += size
		if size > 4 {
			s.accessible++
		}
		return true
	}
	for _, view := range []struct {
		name  string
		bound geo.Bound
	}{{"jackson", geogen.County}, {"los-angeles", geogen.LosAngelesCounty}} {
		b.Run(view.name, func(b *testing.B) {
			cells, points := 0, 0
			b.ReportAllocs()
			cpu := startCPU(b)
			for i := 0; i < b.N; i++ {
				cs, err := geo.Grid(ctx, snap, view.bound, 1, add)
				if err != nil {
					b.Fatal(err)
				}
				cells, points = len(cs), 0
				for _, c := range cs {
					points += c.Count
				}
			}
			cpu.report()
			b.ReportMetric(float64(cells), "cells")
			b.ReportMetric(float64(points), "points")
		})
	}
}
