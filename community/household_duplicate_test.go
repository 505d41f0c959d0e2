package community

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

func TestJaroWinklerKnownValues(t *testing.T) {
	// Values from Winkler's papers and the usual references.
	tests := []struct {
		a, b string
		want float64
	}{
		{"MARTHA", "MARHTA", 0.9611},
		{"DWAYNE", "DUANE", 0.84},
		{"DIXON", "DICKSONX", 0.8133},
		{"same", "same", 1},
		{"abc", "xyz", 0},
		{"", "", 1},
		{"a", "", 0},
	}
	for _, tt := range tests {
		got := jaroWinkler([]rune(tt.a), []rune(tt.b))
		if math.Abs(got-tt.want) > 0.0001 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
		}
		if back := jaroWinkler([]rune(tt.b), []rune(tt.a)); back != got {
			t.Errorf("jaroWinkler not symmetric for %q, %q: %v vs %v", tt.a, tt.b, got, back)
		}
	}
	if got := HouseholdNameSimilarity("Rosa Márquez", "márquez,  ROSA"); got != 1 {
		t.Errorf("word order and accents: got %v, want 1", got)
	}
}

// dupFixture returns a minimal household for duplicate tests.
func dupFixture(id, name, phone, email string, lon, lat float64) *Household {
	h := &Household{ID: id, Members: []HouseholdMember{{Name: name, Relationship: HouseholdRelationshipHead}}, Contact: HouseholdContact{Phone: phone, Email: email}}
	if !math.IsNaN(lon) {
		h.LostHome.Location = &orb.Point{lon, lat}
	}
	return h
}

func TestHouseholdDuplicateIndex(t *testing.T) {
	// 0.0003° of latitude is about 33 m; 0.0006° about 67 m.
	nan := math.NaN()
	base := dupFixture("a", "Rosa Márquez", "+15415550100", "rosa@example.org", -122.81, 42.23)
	tests := []struct {
		name string
		h    *Household
		want []HouseholdDuplicate
	}{
		{"same name and phone", dupFixture("b", "ROSA MARQUEZ", "+15415550100", "", nan, 0),
			[]HouseholdDuplicate{{ID: "a", Reasons: []HouseholdDuplicateReason{HouseholdDuplicateNameAndPhone}}}},
		{"same name and email", dupFixture("b", "rosa  marquez", "", "rosa@example.org", nan, 0),
			[]HouseholdDuplicate{{ID: "a", Reasons: []HouseholdDuplicateReason{HouseholdDuplicateNameAndEmail}}}},
		{"same phone, other name", dupFixture("b", "Ana Márquez", "+15415550100", "", nan, 0), nil},
		{"similar name 33 m away", dupFixture("b", "Rosa Marques", "", "", -122.81, 42.2303),
			[]HouseholdDuplicate{{ID: "a", Reasons: []HouseholdDuplicateReason{HouseholdDuplicateNearbyName}}}},
		{"similar name 67 m away", dupFixture("b", "Rosa Marques", "", "", -122.81, 42.2306), nil},
		{"other name 10 m away", dupFixture("b", "Luis Torres", "", "", -122.81, 42.2301), nil},
		{"every reason", dupFixture("b", "Márquez Rosa", "+15415550100", "rosa@example.org", -122.8101, 42.23),
			[]HouseholdDuplicate{{ID: "a", Reasons: []HouseholdDuplicateReason{HouseholdDuplicateNameAndPhone, HouseholdDuplicateNameAndEmail, HouseholdDuplicateNearbyName}}}},
		{"the same household", dupFixture("a", "Rosa Márquez", "+15415550100", "", nan, 0), nil},
		{"a child's name does not count", func() *Household {
			h := dupFixture("b", "Luis Torres", "+15415550100", "", nan, 0)
			h.Members = append(h.Members, HouseholdMember{Name: "Rosa Marquez", Relationship: HouseholdRelationshipChild})
			return h
		}(), nil},
		{"a partner's name counts", func() *Household {
			h := dupFixture("b", "Luis Torres", "+15415550100", "", nan, 0)
			h.Members = append(h.Members, HouseholdMember{Name: "Rosa Marquez", Relationship: HouseholdRelationshipSpouseOrPartner})
			return h
		}(), []HouseholdDuplicate{{ID: "a", Reasons: []HouseholdDuplicateReason{HouseholdDuplicateNameAndPhone}}}},
		{"marked not duplicate", func() *Household {
			h := dupFixture("b", "Rosa Marquez", "+15415550100", "", nan, 0)
			h.NotDuplicateOf = []string{"a"}
			return h
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := NewHouseholdDuplicateIndex()
			x.Add(base)
			got := x.Candidates(tt.h)
			if diff := cmp.Diff(got, tt.want, cmpEmptyNil); diff != "" {
				t.Errorf("Candidates (-got +want):\n%s", diff)
			}
			added := x.Add(tt.h)
			if diff := cmp.Diff(added, got, cmpEmptyNil); diff != "" {
				t.Errorf("Add returned other candidates than Candidates (-got +want):\n%s", diff)
			}
		})
	}
}

var cmpEmptyNil = cmp.Transformer("emptyNil", func(s []HouseholdDuplicate) []HouseholdDuplicate {
	if len(s) == 0 {
		return nil
	}
	return s
})

func TestHouseholdDuplicateLinks(t *testing.T) {
	x := NewHouseholdDuplicateIndex()
	x.Add(dupFixture("a", "Rosa Márquez", "+15415550100", "", -122.81, 42.23))
	x.Add(dupFixture("b", "Rosa Marquez", "+15415550100", "", math.NaN(), 0))
	x.Add(dupFixture("c", "Rosa Marquez", "", "", -122.81, 42.2301))
	x.Add(dupFixture("d", "Luis Torres", "+15415550100", "", math.NaN(), 0))
	pairs := func() []string {
		var out []string
		for _, p := range x.Pairs() {
			out = append(out, p.A+"-"+p.B)
		}
		return out
	}
	if diff := cmp.Diff(pairs(), []string{"a-b", "a-c"}); diff != "" {
		t.Fatalf("pairs (-got +want):\n%s", diff)
	}
	if got := x.DuplicatesOf("a"); len(got) != 2 || got[0].ID != "b" || got[1].ID != "c" {
		t.Errorf("DuplicatesOf(a) = %+v", got)
	}

	x.MarkNotDuplicate("c", "a")
	if diff := cmp.Diff(pairs(), []string{"a-b"}); diff != "" {
		t.Errorf("after not-duplicate (-got +want):\n%s", diff)
	}
	// Re-adding c (an update) must not bring the suppressed pair back.
	x.Add(dupFixture("c", "Rosa Marquez", "", "", -122.81, 42.2301))
	if diff := cmp.Diff(pairs(), []string{"a-b"}); diff != "" {
		t.Errorf("after update (-got +want):\n%s", diff)
	}
	// An update that changes the phone drops the phone link.
	x.Add(dupFixture("b", "Rosa Marquez", "+15415550199", "", math.NaN(), 0))
	if got := pairs(); len(got) != 0 {
		t.Errorf("after phone change: %v", got)
	}
	x.Remove("a")
	x.Remove("a")
	if x.Len() != 3 || len(x.DuplicatesOf("c")) != 0 {
		t.Errorf("after remove: len %d, links of c %v", x.Len(), x.DuplicatesOf("c"))
	}

	h := dupFixture("a", "x", "", "", 0, 0)
	h = MarkHouseholdNotDuplicate(MarkHouseholdNotDuplicate(h, "b"), "b")
	if !slices.Equal(h.NotDuplicateOf, []string{"b"}) {
		t.Errorf("MarkHouseholdNotDuplicate: %v", h.NotDuplicateOf)
	}
}

// TestHouseholdDuplicateIndexMatchesBruteForce compares the index with a scan
// of every pair under the same rules, over crowded random households that
// include the antimeridian and the poles.
func TestHouseholdDuplicateIndexMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	centres := []orb.Point{{-122.81, 42.23}, {179.9999, 10}, {-179.9999, 10.0002}, {12, 89.9995}, {40, -89.9999}, {0, 0}}
	names := []string{"Rosa Marquez", "Rosa Marques", "Marquez Rosa", "Ana Lopez", "Ana Lopes", "Luis Torres"}
	var all []*Household
	for i := range 600 {
		c := centres[r.IntN(len(centres))]
		lat := max(-90, min(90, c.Lat()+(r.Float64()-0.5)*0.002))
		h := dupFixture(fmt.Sprintf("h%03d", i), names[r.IntN(len(names))], fmt.Sprintf("+1541555%04d", r.IntN(40)), fmt.Sprintf("f%d@example.org", r.IntN(40)), c.Lon()+(r.Float64()-0.5)*0.002, lat)
		if r.IntN(5) == 0 {
			h.LostHome.Location = nil
		}
		if r.IntN(3) == 0 {
			h.Contact.Phone = ""
		}
		all = append(all, h)
	}
	x := NewHouseholdDuplicateIndex()
	for i, h := range all {
		got := x.Add(h)
		var want []HouseholdDuplicate
		e := newHouseholdDupEntry(h)
		for _, o := range all[:i] {
			oe := newHouseholdDupEntry(o)
			var reasons []HouseholdDuplicateReason
			if e.phone != "" && e.phone == oe.phone && householdSameName(e, oe) {
				reasons = append(reasons, HouseholdDuplicateNameAndPhone)
			}
			if e.email != "" && e.email == oe.email && householdSameName(e, oe) {
				reasons = append(reasons, HouseholdDuplicateNameAndEmail)
			}
			if e.hasLoc && oe.hasLoc && householdDistance(e.loc, oe.loc) <= HouseholdDuplicateDistance && householdSimilarName(e, oe) {
				reasons = append(reasons, HouseholdDuplicateNearbyName)
			}
			if reasons != nil {
				want = append(want, HouseholdDuplicate{ID: o.ID, Reasons: reasons})
			}
		}
		if diff := cmp.Diff(got, want, cmpEmptyNil); diff != "" {
			t.Fatalf("household %d: index differs from brute force (-got +want):\n%s", i, diff)
		}
	}
	if len(x.Pairs()) == 0 {
		t.Fatalf("the random population produced no pairs; the test checks nothing")
	}
}

func TestHouseholdDistance(t *testing.T) {
	// One degree of latitude is about 111.2 km everywhere.
	if d := householdDistance(orb.Point{0, 0}, orb.Point{0, 1}); math.Abs(d-111_195) > 10 {
		t.Errorf("one degree: %v m", d)
	}
	if d := householdDistance(orb.Point{179.9999, 0}, orb.Point{-179.9999, 0}); d > 25 {
		t.Errorf("across the antimeridian: %v m", d)
	}
}

func BenchmarkHouseholdDuplicateCandidates(b *testing.B) {
	pop := householdTestPopulation(b, 100_000, 1, 0.08, 90_000)
	x := NewHouseholdDuplicateIndex()
	for _, h := range pop {
		x.Add(h)
	}
	queries := householdTestPopulation(b, 1000, 2, 0.08, 90_000)
	for i, q := range queries {
		q.ID = fmt.Sprintf("q%d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	found := 0
	for i := 0; b.Loop(); i++ {
		found += len(x.Candidates(queries[i%len(queries)]))
	}
	b.ReportMetric(float64(found)/float64(b.N), "candidates/op")
}

func BenchmarkHouseholdDuplicateAdd(b *testing.B) {
	pop := householdTestPopulation(b, 100_000, 1, 0.08, 90_000)
	b.ReportAllocs()
	b.ResetTimer()
	var x *HouseholdDuplicateIndex
	for i := 0; b.Loop(); i++ {
		if i%len(pop) == 0 {
			x = NewHouseholdDuplicateIndex()
		}
		x.Add(pop[i%len(pop)])
	}
}
