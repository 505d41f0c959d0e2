package geo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

type testParcel struct {
	facts ParcelFacts
	skip  bool
}

func randomMatchSetup(r *rand.Rand, n int) (*Index[testParcel], Group) {
	ix := NewIndex[testParcel]()
	var items []Item[testParcel]
	kinds := []HazardKind{Wildfire, Flood}
	for i := 0; i < n; i++ {
		g := randomPolygon(r)
		f := ParcelFacts{Acres: Acres(g), AskingPrice: int64(r.IntN(5)) * 25_000_000}
		if r.IntN(6) == 0 {
			sev := 1 + r.IntN(5)
			f.Screening = summarize([]Exposure{{HazardID: "h", Kind: kinds[r.IntN(2)], Severity: sev, Share: r.Float64()}})
		}
		items = append(items, Item[testParcel]{ID: fmt.Sprintf("p%04d", i), Geometry: g, Value: testParcel{facts: f, skip: r.IntN(20) == 0}})
	}
	// Two parcels with identical facts and place test the tie order.
	items = append(items, Item[testParcel]{ID: "tie-b", Geometry: items[0].Geometry, Value: items[0].Value})
	items = append(items, Item[testParcel]{ID: "tie-a", Geometry: items[0].Geometry, Value: items[0].Value})
	ix.Load(items)
	var homes []orb.Point
	for i := 0; i < 301; i++ {
		c, _ := randomCenter(r)
		if c[0] > 180 { // keep homes in Oregon for realism
			c = orb.Point{-122.8 + r.NormFloat64()*0.05, 42.26 + r.NormFloat64()*0.05}
		}
		homes = append(homes, c)
	}
	return ix, Group{
		Homes: homes, Households: 120, Budget: 60_000_000, HasBudget: true,
		Places: []Place{{Name: "school", Point: orb.Point{-122.82, 42.27}}, {Name: "work", Point: orb.Point{-122.87, 42.33}, Weight: 2}},
	}
}

func bruteRank(ix *Index[testParcel], g Group, opt MatchOptions) []Match {
	r := newRanker(g, opt.withDefaults())
	var all []Match
	_ = ix.Snapshot().Scan(context.Background(), func(it *Item[testParcel]) bool {
		f := it.Value.facts
		if it.Value.skip || r.excluded(f.Screening) {
			return true
		}
		f.Center = it.Bound.Center()
		all = append(all, r.explain(it.ID, f))
		return true
	})
	sort.Slice(all, func(i, j int) bool { return matchBefore(all[i], all[j]) })
	return all[:min(len(all), r.opt.Limit)]
}

func facts(it *Item[testParcel]) (ParcelFacts, bool) { return it.Value.facts, !it.Value.skip }

func TestRankMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	ix, group := randomMatchSetup(r, 4000)
	ctx := context.Background()
	for _, opt := range []MatchOptions{
		{},
		{Limit: 50, Weights: Weights{Distance: 1}},
		{Limit: 7, Weights: Weights{Distance: 5, Capacity: 1}, MaxDistance: 20_000, ExcludeSeverity: -1},
		{Limit: 1000, UnitsPerAcre: 4, ExcludeSeverity: 2},
	} {
		t.Run(fmt.Sprintf("%+v", opt), func(t *testing.T) {
			got, err := Rank(ctx, ix.Snapshot(), facts, group, opt)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteRank(ix, group, opt)
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("Rank (-got +want):\n%s", diff)
			}
			again, _ := Rank(ctx, ix.Snapshot(), facts, group, opt)
			if diff := cmp.Diff(again, got); diff != "" {
				t.Errorf("Rank is not deterministic:\n%s", diff)
			}
		})
	}
}

func TestRankExplains(t *testing.T) {
	ix := NewIndex[testParcel]()
	near := orb.Polygon{box(-122.800, 42.270, -122.798, 42.272)}
	burned := orb.Polygon{box(-122.790, 42.270, -122.788, 42.272)}
	ix.Put("near", near, testParcel{facts: ParcelFacts{Acres: 10, AskingPrice: 150_000_000}})
	ix.Put("burned", burned, testParcel{facts: ParcelFacts{Acres: 10, AskingPrice: 50_000_000,
		Screening: summarize([]Exposure{{HazardID: "almeda", Kind: Wildfire, Severity: 5, Share: 0.4}})}})
	group := Group{Homes: []orb.Point{{-122.799, 42.271}}, Households: 100, Budget: 100_000_000, HasBudget: true}
	got, err := Rank(context.Background(), ix.Snapshot(), facts, group, MatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ParcelID != "near" {
		t.Fatalf("Rank = %+v, want only the parcel outside the severe wildfire zone", got)
	}
	var reasons []string
	for _, p := range got[0].Parts {
		reasons = append(reasons, p.Name+": "+p.Reason)
	}
	want := []string{
		"distance: the median distance from the group's former homes is 0.0 km",
		"capacity: room for about 80 homes (10.0 acres at 8 per acre) for 100 households",
		"affordability: the asking price is 50 % above the money available",
		"hazard: no known hazard zone",
		"places: no places of interest given",
	}
	if diff := cmp.Diff(reasons, want); diff != "" {
		t.Errorf("reasons (-got +want):\n%s", diff)
	}
	got, _ = Rank(context.Background(), ix.Snapshot(), facts, group, MatchOptions{ExcludeSeverity: -1})
	if len(got) != 2 || got[1].Parts[3].Reason != "40 % in wildfire zones (severity up to 5)" {
		t.Errorf("with no exclusion, Rank = %+v", got)
	}
}

func TestRankRejectsBadOptions(t *testing.T) {
	ix := NewIndex[testParcel]()
	_, err := Rank(context.Background(), ix.Snapshot(), facts,
		Group{Homes: []orb.Point{{200, 0}}, Budget: -1, HasBudget: true},
		MatchOptions{Limit: 5000, Weights: Weights{Distance: -1}})
	got := fieldsOf(t, err)
	var names []string
	for _, f := range got {
		names = append(names, f.Field)
	}
	want := []string{"weights.distance", "limit", "budget", "homes.0"}
	if diff := cmp.Diff(names, want); diff != "" {
		t.Errorf("fields (-got +want):\n%s", diff)
	}
}

func TestSelectKth(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	for q := 0; q < 500; q++ {
		n := 1 + r.IntN(3000)
		a := make([]uint64, n)
		for i := range a {
			switch q % 3 {
			case 0:
				a[i] = uint64(r.IntN(50)) // many duplicates
			case 1:
				a[i] = math.Float64bits(r.Float64() * 1e-4) // squared chords
			default:
				a[i] = r.Uint64()
			}
		}
		sorted := slices.Clone(a)
		slices.Sort(sorted)
		k := r.IntN(n)
		if got := selectKth(a, k); got != sorted[k] {
			t.Fatalf("selectKth(%d) = %d, want %d", k, got, sorted[k])
		}
		slices.Sort(a)
		if !slices.Equal(a, sorted) {
			t.Fatalf("selectKth lost or changed values")
		}
	}
}

// TestMedianAgainstSorting checks the median distance, odd and even
// counts, repeated homes included, against sorting the distances.
func TestMedianAgainstSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for q := 0; q < 200; q++ {
		homes := make([]orb.Point, 1+r.IntN(400))
		for i := range homes {
			if i > 0 && r.IntN(4) == 0 {
				homes[i] = homes[r.IntN(i)]
				continue
			}
			homes[i] = orb.Point{-122.8 + r.NormFloat64()*0.05, 42.26 + r.NormFloat64()*0.05}
		}
		rk := newRanker(Group{Homes: homes}, MatchOptions{}.withDefaults())
		p := orb.Point{-122.8 + r.NormFloat64()*0.1, 42.26 + r.NormFloat64()*0.1}
		ds := make([]float64, len(homes))
		for i, h := range homes {
			ds[i] = metresForChord2(toUnit(h).chord2(toUnit(p)))
		}
		slices.Sort(ds)
		n := len(ds)
		want := ds[n/2]
		if n%2 == 0 {
			want = (ds[n/2-1] + ds[n/2]) / 2
		}
		if got := rk.median(p); got != want {
			t.Fatalf("case %d (%d homes): median = %.9f, want %.9f", q, n, got, want)
		}
	}
}
