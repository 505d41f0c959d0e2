package community

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func regionSeats(b Board) map[string]int {
	out := map[string]int{}
	for _, r := range b.Regional.Regions {
		out[r.Region] = r.Seats
	}
	return out
}

func TestApportionBoardMultistakeholder(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	dues := []MemberDues{
		{Region: "phoenix", ClassKey: "resident", Amount: usd(4_200)},
		{Region: "talent", ClassKey: "worker", Amount: usd(2_800)},
		{Region: "medford", ClassKey: "resident", Amount: usd(1_500)},
		{Region: "ashland", ClassKey: "supporter", Amount: usd(1_000)},
		{Region: "eagle_point", ClassKey: "resident", Amount: usd(500)},
		// Organisations' dues do not count towards regional seats.
		{Region: "eagle_point", ClassKey: "organisation", Amount: usd(50_000)},
	}
	b, err := ApportionBoard(&c, dues)
	must(t, err)
	wantSeats := map[string]int{"phoenix": 2, "talent": 1, "medford": 1, "ashland": 1, "eagle_point": 0}
	if diff := cmp.Diff(regionSeats(b), wantSeats); diff != "" {
		t.Errorf("regional seats (-got +want):\n%s", diff)
	}
	wantRows := []RegionSeats{
		{Region: "ashland", Members: 1, Dues: 1_000, Quota: "0.5000", Floor: 0, Remainder: 5_000, Extra: 1, Seats: 1},
		{Region: "eagle_point", Members: 1, Dues: 500, Quota: "0.2500", Floor: 0, Remainder: 2_500, Extra: 0, Seats: 0},
		{Region: "medford", Members: 1, Dues: 1_500, Quota: "0.7500", Floor: 0, Remainder: 7_500, Extra: 1, Seats: 1},
		{Region: "phoenix", Members: 1, Dues: 4_200, Quota: "2.1000", Floor: 2, Remainder: 1_000, Extra: 0, Seats: 2},
		{Region: "talent", Members: 1, Dues: 2_800, Quota: "1.4000", Floor: 1, Remainder: 4_000, Extra: 0, Seats: 1},
	}
	if diff := cmp.Diff(b.Regional.Regions, wantRows); diff != "" {
		t.Errorf("rows (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(b.Regional.Ranking, []string{"medford", "ashland", "talent", "eagle_point", "phoenix"}); diff != "" {
		t.Errorf("ranking (-got +want):\n%s", diff)
	}
	if b.Regional.Leftover != 2 || b.Regional.TotalDues != 10_000 || b.Staff != 2 || b.AtLarge != 0 || b.Seats != 11 {
		t.Errorf("board = %+v", b)
	}
	if got := len(b.Regional.Steps); got != 5+2 {
		t.Errorf("%d steps, want one per region and one per extra seat", got)
	}
}

func TestApportionTiesAreDeterministic(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	c.Bylaws.Board.RegionalSeats, c.Bylaws.Board.StaffSeats = 2, 0
	// Three equal remainders of 2/3: larger dues first, then the region key.
	dues := []MemberDues{
		{Region: "talent", ClassKey: "resident", Amount: usd(100)},
		{Region: "ashland", ClassKey: "resident", Amount: usd(100)},
		{Region: "medford", ClassKey: "resident", Amount: usd(100)},
	}
	b, err := ApportionBoard(&c, dues)
	must(t, err)
	if diff := cmp.Diff(regionSeats(b), map[string]int{"ashland": 1, "medford": 1, "talent": 0, "phoenix": 0, "eagle_point": 0}); diff != "" {
		t.Errorf("seats (-got +want):\n%s", diff)
	}
}

func TestApportionRefusals(t *testing.T) {
	c := MultistakeholderCoop("msc", adminID, t0)
	tests := []struct {
		name string
		dues []MemberDues
	}{
		{"no dues", nil},
		{"mixed currencies", []MemberDues{{Region: "talent", ClassKey: "resident", Amount: usd(1)}, {Region: "talent", ClassKey: "resident", Amount: Money{1, "EUR"}}}},
		{"unknown region", []MemberDues{{Region: "portland", ClassKey: "resident", Amount: usd(1)}}},
		{"negative dues", []MemberDues{{Region: "talent", ClassKey: "resident", Amount: usd(-1)}}},
		{"overflow", []MemberDues{{Region: "talent", ClassKey: "resident", Amount: usd(1 << 62)}, {Region: "talent", ClassKey: "resident", Amount: usd(1 << 62)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ApportionBoard(&c, tt.dues)
			wantKind(t, err, "unprocessable")
		})
	}
}

// bruteHamilton apportions with exact rationals and a plain sort.
func bruteHamilton(seats int, regions []string, dues map[string]int64) map[string]int {
	var total int64
	for _, d := range dues {
		total += d
	}
	type row struct {
		key  string
		dues int64
		rem  *big.Rat
	}
	out := map[string]int{}
	var rows []row
	given := 0
	for _, k := range regions {
		quota := big.NewRat(dues[k]*int64(seats), total)
		floor := new(big.Int).Quo(quota.Num(), quota.Denom())
		out[k] = int(floor.Int64())
		given += out[k]
		rows = append(rows, row{k, dues[k], new(big.Rat).Sub(quota, new(big.Rat).SetInt(floor))})
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		if c := b.rem.Cmp(a.rem); c != 0 {
			return c
		}
		if a.dues != b.dues {
			if a.dues > b.dues {
				return -1
			}
			return 1
		}
		if a.key < b.key {
			return -1
		}
		return 1
	})
	for i := 0; i < seats-given; i++ {
		out[rows[i].key]++
	}
	return out
}

func TestApportionMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 500; i++ {
		c := Community{ID: "c", Bylaws: Bylaws{Board: BoardRule{Seats: 99, RegionalSeats: 1 + rng.IntN(30)}}}
		nRegions := 1 + rng.IntN(12)
		var keys []string
		for r := 0; r < nRegions; r++ {
			k := fmt.Sprintf("r%02d", r)
			keys = append(keys, k)
			c.Regions = append(c.Regions, Region{Key: k, Name: k})
		}
		perRegion := map[string]int64{}
		var dues []MemberDues
		for m := 0; m < 1+rng.IntN(60); m++ {
			k := keys[rng.IntN(nRegions)]
			amount := int64(rng.IntN(4)) * 500 // coarse amounts make ties common
			perRegion[k] += amount
			dues = append(dues, MemberDues{Region: k, ClassKey: "x", Amount: usd(amount)})
		}
		b, err := ApportionBoard(&c, dues)
		var total int64
		for _, d := range perRegion {
			total += d
		}
		if total == 0 {
			wantKind(t, err, "unprocessable")
			continue
		}
		must(t, err)
		want := bruteHamilton(c.Bylaws.Board.RegionalSeats, keys, perRegion)
		if diff := cmp.Diff(regionSeats(b), want); diff != "" {
			t.Fatalf("case %d (-got +want):\n%s", i, diff)
		}
	}
}
