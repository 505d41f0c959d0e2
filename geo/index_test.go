package geo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"commonground/apperr"
)

// region is an area random test data is drawn from. The second one sits
// on the antimeridian (Fiji) so boxes and circles that cross it are tested.
type region struct{ west, south, east, north float64 }

var testRegions = []region{
	{-123.3, 41.9, -122.3, 42.9},
	{179, -17.5, 181, -16.5}, // east of 180 wraps to -180..-179
}

func wrapLon(lon float64) float64 {
	if lon > 180 {
		return lon - 360
	}
	return lon
}

func randomCenter(r *rand.Rand) (orb.Point, region) {
	reg := testRegions[r.IntN(len(testRegions))]
	return orb.Point{reg.west + r.Float64()*(reg.east-reg.west), reg.south + r.Float64()*(reg.north-reg.south)}, reg
}

// randomPolygon draws a star-shaped simple polygon that does not
// cross the antimeridian.
func randomPolygon(r *rand.Rand) orb.Polygon {
	c, _ := randomCenter(r)
	size := 0.001 + r.Float64()*0.03
	if c[0] < 180 && c[0]+size > 180 {
		c[0] = 180 - size
	}
	if c[0] > 180 && c[0]-size < 180 {
		c[0] = 180 + size
	}
	n := 3 + r.IntN(10)
	// Jittered even angles keep every gap under π, so the ring is simple.
	angles := make([]float64, n)
	for i := range angles {
		angles[i] = (float64(i) + 0.4*r.Float64()) / float64(n) * 2 * math.Pi
	}
	ring := make(orb.Ring, 0, n+1)
	for _, a := range angles {
		rr := size * (0.3 + 0.7*r.Float64())
		ring = append(ring, orb.Point{wrapLon(c[0] + rr*math.Cos(a)), c[1] + rr*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	if r.IntN(2) == 0 {
		slices.Reverse(ring)
	}
	return orb.Polygon{ring}
}

func randomPoint(r *rand.Rand) orb.Point {
	c, _ := randomCenter(r)
	return orb.Point{wrapLon(c[0]), c[1]}
}

func randomBound(r *rand.Rand) Bound {
	c, _ := randomCenter(r)
	w, h := r.Float64()*0.4, r.Float64()*0.4
	return Bound{West: wrapLon(c[0] - w/2), South: c[1] - h/2, East: wrapLon(c[0] + w/2), North: c[1] + h/2}
}

func ids[T any](items []*Item[T]) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	sort.Strings(out)
	return out
}

func buildRandomIndex(t testing.TB, r *rand.Rand, n int) (*Index[int], map[string]orb.Geometry) {
	t.Helper()
	ix := NewIndex[int]()
	live := map[string]orb.Geometry{}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("p%04d", r.IntN(n)) // repeats exercise replacement
		var g orb.Geometry = randomPolygon(r)
		if r.IntN(10) == 0 {
			g = randomPoint(r)
		}
		if err := Validate(g, Rules{Kinds: AnyKind}); err != nil {
			t.Fatalf("random geometry %v invalid: %+v", g, err.(*apperr.Error).Fields)
		}
		ix.Put(id, g, i)
		live[id] = g
	}
	for id := range live {
		if r.IntN(5) == 0 {
			if !ix.Delete(id) {
				t.Fatalf("Delete(%s) = false", id)
			}
			delete(live, id)
		}
	}
	if ix.Delete("no-such-id") {
		t.Fatalf("Delete of a missing id = true")
	}
	return ix, live
}

func TestIndexMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	ix, live := buildRandomIndex(t, r, 3000)
	snap := ix.Snapshot()
	if got, want := snap.Len(), len(live); got != want {
		t.Fatalf("Len = %d, want %d", got, want)
	}
	collect := func(run func(fn func(*Item[int]) bool) error) []string {
		t.Helper()
		var got []*Item[int]
		if err := run(func(it *Item[int]) bool { got = append(got, it); return true }); err != nil {
			t.Fatal(err)
		}
		return ids(got)
	}
	crossed := 0
	for q := 0; q < 300; q++ {
		b := randomBound(r)
		if b.CrossesAntimeridian() {
			crossed++
		}
		var wantBox, wantExact []string
		for id, g := range live {
			for _, part := range b.Parts() {
				if g.Bound().Intersects(part) {
					wantBox = append(wantBox, id)
					break
				}
			}
			for _, part := range b.Parts() {
				if Intersects(g, part.ToPolygon()) {
					wantExact = append(wantExact, id)
					break
				}
			}
		}
		sort.Strings(wantBox)
		sort.Strings(wantExact)
		gotBox := collect(func(fn func(*Item[int]) bool) error { return snap.Search(ctx, b, fn) })
		if diff := cmp.Diff(gotBox, wantBox, cmpEmpty); diff != "" {
			t.Fatalf("Search(%v) (-got +want):\n%s", b, diff)
		}
		gotExact := collect(func(fn func(*Item[int]) bool) error { return snap.Intersecting(ctx, b, fn) })
		if diff := cmp.Diff(gotExact, wantExact, cmpEmpty); diff != "" {
			t.Fatalf("Intersecting(%v) (-got +want):\n%s", b, diff)
		}

		center := randomPoint(r)
		radius := r.Float64() * 20000
		var wantCircle []string
		for id, g := range live {
			if DistanceTo(center, g) <= radius {
				wantCircle = append(wantCircle, id)
			}
		}
		sort.Strings(wantCircle)
		gotCircle := collect(func(fn func(*Item[int]) bool) error {
			return snap.Within(ctx, center, radius, func(it *Item[int], _ float64) bool { return fn(it) })
		})
		if diff := cmp.Diff(gotCircle, wantCircle, cmpEmpty); diff != "" {
			t.Fatalf("Within(%v, %g) (-got +want):\n%s", center, radius, diff)
		}

		shape := randomPolygon(r)
		for i := range shape[0] { // grow it to catch several items
			shape[0][i] = orb.Point{shape[0][i][0], shape[0][i][1]}
		}
		prep, err := Prepare(shape)
		if err != nil {
			t.Fatal(err)
		}
		var wantShape []string
		for id, g := range live {
			if Intersects(shape, g) {
				wantShape = append(wantShape, id)
			}
		}
		sort.Strings(wantShape)
		gotShape := collect(func(fn func(*Item[int]) bool) error { return snap.IntersectingShape(ctx, prep, fn) })
		if diff := cmp.Diff(gotShape, wantShape, cmpEmpty); diff != "" {
			t.Fatalf("IntersectingShape (-got +want):\n%s", diff)
		}
	}
	if crossed == 0 {
		t.Fatalf("no random box crossed the antimeridian; the test lost its point")
	}
}

var cmpEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

func TestNearestInHaversineOrder(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	ix, live := buildRandomIndex(t, r, 3000)
	snap := ix.Snapshot()
	type hit struct {
		ID       string
		Distance float64
	}
	for q := 0; q < 300; q++ {
		center := randomPoint(r)
		k := 1 + r.IntN(20)
		var keep func(*Item[int]) bool
		if q%3 == 0 {
			keep = func(it *Item[int]) bool { return it.Value%2 == 0 }
		}
		var all []hit
		for id, g := range live {
			if keep != nil {
				it, _ := ix.Get(id)
				if !keep(it) {
					continue
				}
			}
			all = append(all, hit{id, DistanceTo(center, g)})
		}
		sort.Slice(all, func(i, j int) bool {
			if all[i].Distance != all[j].Distance {
				return all[i].Distance < all[j].Distance
			}
			return all[i].ID < all[j].ID
		})
		want := all[:min(k, len(all))]
		ns, err := snap.Nearest(ctx, center, k, keep)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]hit, len(ns))
		for i, n := range ns {
			got[i] = hit{n.Item.ID, n.Distance}
			if i > 0 && got[i].Distance < got[i-1].Distance {
				t.Fatalf("Nearest out of order at %d: %v", i, got)
			}
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Fatalf("Nearest(%v, %d) (-got +want):\n%s", center, k, diff)
		}
	}
}

func TestPointIndexMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	ix := NewPointIndex[int32]()
	live := map[string]orb.Point{}
	for i := 0; i < 20000; i++ {
		id := fmt.Sprintf("h%05d", r.IntN(20000))
		p := randomPoint(r)
		ix.Put(id, p, int32(i))
		live[id] = p
	}
	for id := range live {
		if r.IntN(4) == 0 {
			ix.Delete(id)
			delete(live, id)
		}
	}
	snap := ix.Snapshot()
	if snap.Len() != len(live) || ix.Len() != len(live) {
		t.Fatalf("Len = %d/%d, want %d", snap.Len(), ix.Len(), len(live))
	}
	for q := 0; q < 300; q++ {
		center := randomPoint(r)
		radius := r.Float64() * 30000
		var want []string
		for id, p := range live {
			if Distance(center, p) <= radius {
				want = append(want, id)
			}
		}
		sort.Strings(want)
		var got []string
		if err := snap.Within(ctx, center, radius, func(it PointItem[int32]) bool {
			got = append(got, it.ID)
			if live[it.ID] != it.Point {
				t.Errorf("Within returned %s at %v, stored at %v", it.ID, it.Point, live[it.ID])
			}
			return true
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		if diff := cmp.Diff(got, want, cmpEmpty); diff != "" {
			t.Fatalf("Within(%v, %g) (-got +want):\n%s", center, radius, diff)
		}
		n, _ := snap.CountWithin(ctx, center, radius)
		if n != len(want) {
			t.Fatalf("CountWithin = %d, want %d", n, len(want))
		}

		b := randomBound(r)
		want = want[:0]
		for id, p := range live {
			if b.Contains(p) {
				want = append(want, id)
			}
		}
		sort.Strings(want)
		got = got[:0]
		_ = snap.Search(ctx, b, func(it PointItem[int32]) bool { got = append(got, it.ID); return true })
		sort.Strings(got)
		if diff := cmp.Diff(got, want, cmpEmpty); diff != "" {
			t.Fatalf("Search(%v) (-got +want):\n%s", b, diff)
		}

		k := 1 + r.IntN(20)
		type hit struct {
			ID string
			D  float64
		}
		var all []hit
		for id, p := range live {
			all = append(all, hit{id, Distance(center, p)})
		}
		sort.Slice(all, func(i, j int) bool {
			if all[i].D != all[j].D {
				return all[i].D < all[j].D
			}
			return all[i].ID < all[j].ID
		})
		ns, err := snap.Nearest(ctx, center, k, nil)
		if err != nil {
			t.Fatal(err)
		}
		gotN := make([]hit, len(ns))
		for i, n := range ns {
			gotN[i] = hit{n.ID, n.Distance}
		}
		if diff := cmp.Diff(gotN, all[:k]); diff != "" {
			t.Fatalf("Nearest(%v, %d) (-got +want):\n%s", center, k, diff)
		}
	}
}

// TestSnapshotsUnderConcurrentWrites runs readers against snapshots while a
// writer changes the index; under -race it checks the copy-on-write claim,
// and every reader checks that its snapshot does not change under it.
func TestSnapshotsUnderConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 8))
	ix, _ := buildRandomIndex(t, r, 500)
	pts := NewPointIndex[int]()
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		w := rand.New(rand.NewPCG(9, 10))
		for i := 0; i < 2000; i++ {
			id := fmt.Sprintf("p%04d", w.IntN(600))
			if i%3 == 0 {
				ix.Delete(id)
				pts.Delete(id)
			} else {
				ix.Put(id, randomPolygon(w), i)
				pts.Put(id, randomPoint(w), i)
			}
		}
		close(done)
	}()
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				snap, psnap := ix.Snapshot(), pts.Snapshot()
				count := func() (int, int) {
					n, m := 0, 0
					_ = snap.Search(ctx, WorldBound, func(*Item[int]) bool { n++; return true })
					_ = psnap.Search(ctx, WorldBound, func(PointItem[int]) bool { m++; return true })
					return n, m
				}
				n1, m1 := count()
				_, _ = snap.Nearest(ctx, orb.Point{-122.8, 42.3}, 5, nil)
				_, _ = psnap.Nearest(ctx, orb.Point{-122.8, 42.3}, 5, nil)
				if n2, m2 := count(); n1 != n2 || m1 != m2 || n1 != snap.Len() || m1 != psnap.Len() {
					t.Errorf("snapshot changed under a reader: %d/%d items, %d/%d points", n1, n2, m1, m2)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestScanStopsOnCancelledContext(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ix, _ := buildRandomIndex(t, r, 2000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	err := ix.Snapshot().Scan(ctx, func(*Item[int]) bool { n++; return true })
	if err == nil || n >= ix.Len() {
		t.Fatalf("Scan on a cancelled context visited %d of %d items, err %v", n, ix.Len(), err)
	}
}

func TestNearestWithFewerThanK(t *testing.T) {
	ix := NewIndex[int]()
	ix.Put("a", orb.Point{-122.8, 42.2}, 1)
	ix.Put("b", orb.Point{170, -40}, 2)
	ix.Put("c", orb.Polygon{{{-122.9, 42.3}, {-122.8, 42.3}, {-122.8, 42.4}, {-122.9, 42.3}}}, 3)
	ns, err := ix.Snapshot().Nearest(context.Background(), orb.Point{-122.8, 42.2}, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range ns {
		got = append(got, n.Item.ID)
	}
	if diff := cmp.Diff(got, []string{"a", "c", "b"}); diff != "" {
		t.Errorf("Nearest (-got +want):\n%s", diff)
	}
	empty, _ := NewIndex[int]().Snapshot().Nearest(context.Background(), orb.Point{0, 0}, 3, nil)
	if len(empty) != 0 {
		t.Errorf("Nearest on an empty index = %v", empty)
	}
}

func TestLoadKeepsTheLastOfRepeatedIDs(t *testing.T) {
	pts := NewPointIndex[int]()
	pts.Load([]PointItem[int]{
		{ID: "a", Point: orb.Point{1, 1}, Value: 1},
		{ID: "b", Point: orb.Point{2, 2}, Value: 2},
		{ID: "a", Point: orb.Point{3, 3}, Value: 3},
	})
	var got []PointItem[int]
	_ = pts.Snapshot().Search(context.Background(), WorldBound, func(it PointItem[int]) bool { got = append(got, it); return true })
	sort.Slice(got, func(i, j int) bool { return got[i].ID < got[j].ID })
	want := []PointItem[int]{{ID: "a", Point: orb.Point{3, 3}, Value: 3}, {ID: "b", Point: orb.Point{2, 2}, Value: 2}}
	if diff := cmp.Diff(got, want); diff != "" || pts.Len() != 2 || pts.Snapshot().Len() != 2 {
		t.Errorf("points after Load (-got +want):\n%s", diff)
	}
	// A later Put copies the bucket instead of writing into the shared arrays.
	snap := pts.Snapshot()
	pts.Put("c", orb.Point{3, 3}, 4)
	if n, _ := snap.CountWithin(context.Background(), orb.Point{3, 3}, 1); n != 1 {
		t.Errorf("an old snapshot sees %d points at (3,3), want 1", n)
	}

	ix := NewIndex[int]()
	ix.Load([]Item[int]{
		{ID: "a", Geometry: orb.Point{1, 1}, Value: 1},
		{ID: "a", Geometry: orb.Point{3, 3}, Value: 3},
	})
	if it, ok := ix.Get("a"); !ok || it.Value != 3 || ix.Snapshot().Len() != 1 {
		t.Errorf("Index.Load kept %+v, want the last item", it)
	}
}
