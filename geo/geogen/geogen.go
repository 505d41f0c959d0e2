// Package geogen generates deterministic synthetic geography for Common
// Ground's demo, tests and benchmarks: parcels, hazard zones and household
// locations around Jackson County, Oregon. Everything is computed from a
// seed; nothing is read from disk, so no bulk data lives in the repository.
// The names, owners and prices are fake.
package geogen

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// Town is a place parcels and households cluster around.
type Town struct {
	Name   string
	Center orb.Point
	// Weight is the town's share of clustered points, relative to others.
	Weight float64
	// Spread is the standard deviation of the cluster in kilometres.
	Spread float64
}

// County is Jackson County, Oregon, as a box.
var County = geo.Bound{West: -123.23, South: 41.99, East: -122.28, North: 42.89}

// Towns of Jackson County, weighted roughly by population.
var Towns = []Town{
	{"Medford", orb.Point{-122.8756, 42.3265}, 85, 3.5},
	{"Ashland", orb.Point{-122.7095, 42.1946}, 21, 2},
	{"Central Point", orb.Point{-122.9164, 42.3760}, 19, 1.8},
	{"Eagle Point", orb.Point{-122.8028, 42.4726}, 10, 1.5},
	{"Talent", orb.Point{-122.7887, 42.2457}, 6.5, 1.2},
	{"Phoenix", orb.Point{-122.8203, 42.2754}, 4.5, 1},
	{"Jacksonville", orb.Point{-122.9670, 42.3135}, 3, 1},
	{"Shady Cove", orb.Point{-122.8120, 42.6107}, 3, 1.2},
	{"Rogue River", orb.Point{-123.1720, 42.4357}, 2.5, 1},
	{"Gold Hill", orb.Point{-123.0506, 42.4318}, 1.3, 0.8},
	{"Butte Falls", orb.Point{-122.5653, 42.5432}, 0.5, 0.6},
}

const kmPerDegree = geo.EarthRadius * math.Pi / 180 / 1000

// Gen draws from one seeded stream; the same seed gives the same data.
type Gen struct{ r *rand.Rand }

// New returns a generator for seed.
func New(seed uint64) *Gen { return &Gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

// near returns a point drawn around c with a spread in kilometres.
func (g *Gen) near(c orb.Point, spreadKM float64) orb.Point {
	dx, dy := g.r.NormFloat64()*spreadKM, g.r.NormFloat64()*spreadKM
	return orb.Point{
		c[0] + dx/(kmPerDegree*math.Cos(c[1]*math.Pi/180)),
		c[1] + dy/kmPerDegree,
	}
}

func (g *Gen) inBound(b geo.Bound) orb.Point {
	return orb.Point{b.West + g.r.Float64()*(b.East-b.West), b.South + g.r.Float64()*(b.North-b.South)}
}

// place draws a point: clustered around towns with probability clustered,
// otherwise uniform over area; clustered points falling outside area are
// drawn again.
func (g *Gen) place(towns []Town, area geo.Bound, clustered float64) orb.Point {
	total := 0.0
	for _, t := range towns {
		total += t.Weight
	}
	for {
		if g.r.Float64() >= clustered || len(towns) == 0 {
			return g.inBound(area)
		}
		pick := g.r.Float64() * total
		for _, t := range towns {
			if pick -= t.Weight; pick <= 0 {
				if p := g.near(t.Center, t.Spread); area.Contains(p) {
					return p
				}
				break
			}
		}
	}
}

// Points returns n household locations: 70 % clustered around the towns,
// the rest spread over area.
func (g *Gen) Points(n int, towns []Town, area geo.Bound) []orb.Point {
	out := make([]orb.Point, n)
	for i := range out {
		out[i] = g.place(towns, area, 0.7)
	}
	return out
}

// Parcel is a synthetic candidate parcel with the facts matching needs.
type Parcel struct {
	ID       string
	APN      string
	Address  string
	LandUse  string
	Zoning   string
	Geometry orb.Polygon
	// Acres is the geodesic area.
	Acres float64
	// AskingPrice in US cents; 0 when the parcel is not listed.
	AskingPrice int64
}

var landUses = []struct{ use, zone string }{
	{"vacant residential", "R-1"}, {"manufactured home park", "R-3"}, {"agricultural", "EFU"},
	{"vacant commercial", "C-1"}, {"rural residential", "RR-5"}, {"multi-family", "R-2"},
}

// density is the relative number of parcels per square degree at p:
// a floor for rural land plus a Gaussian bump per town.
func density(p orb.Point, towns []Town) float64 {
	d := 0.02
	for _, t := range towns {
		kx := kmPerDegree * math.Cos(t.Center[1]*math.Pi/180)
		dx, dy := (p[0]-t.Center[0])*kx, (p[1]-t.Center[1])*kmPerDegree
		d += t.Weight / (t.Spread * t.Spread) * math.Exp(-(dx*dx+dy*dy)/(2*t.Spread*t.Spread))
	}
	return d
}

type cell struct {
	b      orb.Bound
	weight float64
}

// cellHeap is a max-heap of cells by weight.
type cellHeap []cell

func (h *cellHeap) push(c cell) {
	*h = append(*h, c)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p].weight >= s[i].weight {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *cellHeap) pop() cell {
	s := *h
	top := s[0]
	s[0] = s[len(s)-1]
	s = s[:len(s)-1]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].weight > s[m].weight {
			m = l
		}
		if r < len(s) && s[r].weight > s[m].weight {
			m = r
		}
		if m == i {
			break
		}
		s[m], s[i] = s[i], s[m]
		i = m
	}
	*h = s
	return top
}

// lots tiles area into at least n cells that do not overlap, small where
// the density is high: the cell with the most expected parcels is split in
// four until there are enough.
func lots(n int, towns []Town, area geo.Bound) []orb.Bound {
	weigh := func(b orb.Bound) cell {
		return cell{b, density(b.Center(), towns) * (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1])}
	}
	h := cellHeap{}
	h.push(weigh(orb.Bound{Min: orb.Point{area.West, area.South}, Max: orb.Point{area.East, area.North}}))
	for len(h) < n {
		c := h.pop()
		mid := c.b.Center()
		for _, q := range []orb.Bound{
			{Min: c.b.Min, Max: mid},
			{Min: orb.Point{mid[0], c.b.Min[1]}, Max: orb.Point{c.b.Max[0], mid[1]}},
			{Min: orb.Point{c.b.Min[0], mid[1]}, Max: orb.Point{mid[0], c.b.Max[1]}},
			{Min: mid, Max: c.b.Max},
		} {
			h.push(weigh(q))
		}
	}
	out := make([]orb.Bound, len(h))
	for i, c := range h {
		out[i] = c.b
	}
	return out
}

// lotPolygon draws a quadrilateral inside cell b: each corner is pulled in
// by 5 to 15 % of the cell, leaving room for streets, so neighbouring
// parcels never overlap.
func (g *Gen) lotPolygon(b orb.Bound) orb.Polygon {
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	in := func() (float64, float64) { return w * (0.05 + 0.1*g.r.Float64()), h * (0.05 + 0.1*g.r.Float64()) }
	x0, y0 := in()
	x1, y1 := in()
	x2, y2 := in()
	x3, y3 := in()
	return orb.Polygon{{
		{b.Min[0] + x0, b.Min[1] + y0},
		{b.Max[0] - x1, b.Min[1] + y1},
		{b.Max[0] - x2, b.Max[1] - y2},
		{b.Min[0] + x3, b.Max[1] - y3},
		{b.Min[0] + x0, b.Min[1] + y0},
	}}
}

// Parcels returns n parcels tiling area like assessor data: small lots in
// the towns, large rural ones between them, none overlapping. The same
// seed and arguments give the same parcels.
func (g *Gen) Parcels(n int, towns []Town, area geo.Bound) []Parcel {
	cells := lots(n, towns, area)
	// Drop random extra cells (public land, roads) down to n, keeping order
	// deterministic.
	for len(cells) > n {
		i := g.r.IntN(len(cells))
		cells[i] = cells[len(cells)-1]
		cells = cells[:len(cells)-1]
	}
	out := make([]Parcel, n)
	for i, c := range cells {
		poly := g.lotPolygon(c)
		lu := landUses[g.r.IntN(len(landUses))]
		acres := geo.Acres(poly)
		var price int64
		if g.r.IntN(4) != 0 { // a quarter are not listed
			perAcre := 20_000 + g.r.Float64()*380_000 // dollars
			price = int64(acres*perAcre) * 100
		}
		out[i] = Parcel{
			ID:          fmt.Sprintf("parcel-%06d", i),
			APN:         fmt.Sprintf("1-%04d-%02d-%05d", g.r.IntN(10000), g.r.IntN(100), i),
			Address:     fmt.Sprintf("%d Example Rd", 100+g.r.IntN(9900)),
			LandUse:     lu.use,
			Zoning:      lu.zone,
			Geometry:    poly,
			Acres:       acres,
			AskingPrice: price,
		}
	}
	return out
}

// blob returns a star-shaped polygon of the given vertex count around c
// with a mean radius in kilometres; radii vary smoothly so it looks like a
// perimeter rather than a star.
func (g *Gen) blob(c orb.Point, radiusKM float64, vertices int) orb.Polygon {
	kx := kmPerDegree * math.Cos(c[1]*math.Pi/180)
	phase1, phase2 := g.r.Float64()*2*math.Pi, g.r.Float64()*2*math.Pi
	ring := make(orb.Ring, 0, vertices+1)
	for i := 0; i < vertices; i++ {
		a := float64(i) / float64(vertices) * 2 * math.Pi
		r := radiusKM * (1 + 0.3*math.Sin(3*a+phase1) + 0.15*math.Sin(7*a+phase2) + 0.05*(g.r.Float64()-0.5))
		ring = append(ring, orb.Point{c[0] + r*math.Cos(a)/kx, c[1] + r*math.Sin(a)/kmPerDegree})
	}
	return orb.Polygon{append(ring, ring[0])}
}

// Hazards returns n hazard zones of the given vertex count spread over
// area, 1 to 6 km across, of mixed kinds and severities.
func (g *Gen) Hazards(n, vertices int, area geo.Bound) []geo.Hazard {
	kinds := []geo.HazardKind{geo.Wildfire, geo.Wildfire, geo.Flood, geo.Landslide, geo.Other}
	out := make([]geo.Hazard, n)
	for i := range out {
		c := g.inBound(area)
		out[i] = geo.Hazard{
			ID:       fmt.Sprintf("hazard-%03d", i),
			Kind:     kinds[g.r.IntN(len(kinds))],
			Severity: 1 + g.r.IntN(geo.MaxSeverity),
			Geometry: g.blob(c, 0.5+g.r.Float64()*2.5, vertices),
		}
	}
	return out
}

// corridor returns a polygon of the given width in metres around a
// polyline: the centre line offset to each side and joined into one ring.
func corridor(line []orb.Point, widthM float64) orb.Polygon {
	half := widthM / 2 / 1000
	left := make([]orb.Point, len(line))
	right := make([]orb.Point, len(line))
	for i, p := range line {
		a, b := line[max(i-1, 0)], line[min(i+1, len(line)-1)]
		kx := kmPerDegree * math.Cos(p[1]*math.Pi/180)
		dx, dy := (b[0]-a[0])*kx, (b[1]-a[1])*kmPerDegree
		l := math.Hypot(dx, dy)
		nx, ny := -dy/l*half, dx/l*half
		left[i] = orb.Point{p[0] + nx/kx, p[1] + ny/kmPerDegree}
		right[i] = orb.Point{p[0] - nx/kx, p[1] - ny/kmPerDegree}
	}
	ring := orb.Ring(left)
	for i := len(right) - 1; i >= 0; i-- {
		ring = append(ring, right[i])
	}
	return orb.Polygon{append(ring, left[0])}
}

// BearCreek approximates the course of Bear Creek from Ashland north-west
// through Talent and Phoenix to Medford and Central Point.
var BearCreek = []orb.Point{
	{-122.6900, 42.1850}, {-122.7300, 42.2150}, {-122.7700, 42.2350}, {-122.7900, 42.2480},
	{-122.8080, 42.2620}, {-122.8250, 42.2800}, {-122.8450, 42.3000}, {-122.8650, 42.3200},
	{-122.8850, 42.3400}, {-122.9050, 42.3650}, {-122.9300, 42.3900},
}

// Scenario is the demo: the Almeda Fire story around Phoenix and Talent.
type Scenario struct {
	Parcels []Parcel
	Hazards []geo.Hazard
	// Homes are the former home locations of displaced households,
	// clustered in the burned parks of Phoenix and Talent.
	Homes []orb.Point
}

// JacksonCounty builds the demo scenario: parcels around Phoenix and
// Talent, a wildfire perimeter along the Bear Creek corridor (shaped after
// the 2020 Almeda Fire, not traced from it), a flood zone along Bear Creek,
// and the former homes of the given number of displaced households.
func JacksonCounty(seed uint64, parcels, homes int) Scenario {
	g := New(seed)
	local := []Town{
		{"Phoenix", orb.Point{-122.8203, 42.2754}, 1, 1.5},
		{"Talent", orb.Point{-122.7887, 42.2457}, 1, 1.5},
		{"Medford", orb.Point{-122.8756, 42.3265}, 1, 3},
	}
	area := geo.Bound{West: -122.95, South: 42.18, East: -122.68, North: 42.40}
	s := Scenario{Parcels: g.Parcels(parcels, local, area)}
	s.Hazards = []geo.Hazard{
		{ID: "almeda-perimeter", Kind: geo.Wildfire, Severity: 5, Geometry: corridor(BearCreek[:9], 1400)},
		{ID: "bear-creek-floodway", Kind: geo.Flood, Severity: 3, Geometry: corridor(BearCreek, 300)},
	}
	parks := []Town{
		{"Phoenix parks", orb.Point{-122.8150, 42.2700}, 1, 0.5},
		{"Talent parks", orb.Point{-122.7850, 42.2420}, 1, 0.5},
	}
	s.Homes = g.Points(homes, parks, area)
	return s
}
