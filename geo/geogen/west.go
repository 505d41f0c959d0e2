package geogen

import (
	"math"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// Household points for the benchmarks, spread as people live.
//
// The performance goals ask for 1,000,000 displaced-household points. Put
// in one county they would stand about eleven times thicker than Jackson
// County's real households (about 90,000), and every radius or grid query
// would measure that crowding rather than the index. Common Ground serves
// the wildfire- and flood-prone US West, so the points are drawn around
// the real towns of Oregon, Washington, California and Idaho that burn or
// flood (the Almeda, Camp, Tubbs, Thomas, Carr, Labor Day and Eaton fires;
// the Sacramento–San Joaquin, Chehalis, Nooksack and Boise river floods),
// in proportion to their population, with each town as dense as it really
// is:
//
//   - a town's share of points is its share of the listed population
//     (2020 census, rounded; 16.9 million people, about 6.5 million
//     households), so 1,000,000 points stand for about one household in
//     six or seven;
//   - 80 % of a town's points form a Gaussian whose peak density is the
//     town's average density (population over land area, so a spread of
//     sqrt(area / 2π)): dense in San Francisco, sparse in Paradise;
//   - the other 20 % live on its rural and wildland-urban fringe, a
//     Gaussian three times wider plus 5 km, where fires start.
//
// A 5 km circle around a random household then holds about 4,000 points
// on average (a handful in the countryside, 21,000 in central Los
// Angeles), Jackson County about 7,000 and Los Angeles County about
// 270,000, as queries around real addresses would find.

// West is the box the household points are drawn in: Washington, Oregon,
// Idaho and California. Points that fall outside it are drawn again.
var West = geo.Bound{West: -124.8, South: 32.5, East: -111.0, North: 49.0}

// fringeShare is the share of a town's points on its rural fringe.
const fringeShare = 0.2

// westTown builds a Town from its population in thousands and its land
// area in square kilometres: a Gaussian of spread sqrt(area/2π) peaks at
// the town's average density.
func westTown(name string, lon, lat, popK, areaKM2 float64) Town {
	return Town{Name: name, Center: orb.Point{lon, lat}, Weight: popK, Spread: math.Sqrt(areaKM2 / (2 * math.Pi))}
}

// WestTowns are towns of the wildfire- and flood-prone US West with their
// 2020 population (thousands, rounded) and land area (km², rounded).
var WestTowns = []Town{
	// California
	westTown("Los Angeles", -118.2437, 34.0522, 3899, 1214),
	westTown("San Diego", -117.1611, 32.7157, 1387, 842),
	westTown("San Jose", -121.8863, 37.3382, 1013, 458),
	westTown("San Francisco", -122.4194, 37.7749, 874, 121),
	westTown("Fresno", -119.7871, 36.7378, 542, 297),
	westTown("Sacramento", -121.4944, 38.5816, 525, 253),
	westTown("Long Beach", -118.1937, 33.7701, 467, 131),
	westTown("Oakland", -122.2712, 37.8044, 441, 144),
	westTown("Bakersfield", -119.0187, 35.3733, 403, 391),
	westTown("Anaheim", -117.9143, 33.8366, 347, 130),
	westTown("Stockton", -121.2908, 37.9577, 321, 162),
	westTown("Riverside", -117.3962, 33.9533, 315, 210),
	westTown("San Bernardino", -117.2898, 34.1083, 222, 153),
	westTown("Modesto", -120.9969, 37.6391, 218, 113),
	westTown("Santa Rosa", -122.7141, 38.4404, 178, 107),
	westTown("Salinas", -121.6555, 36.6777, 164, 60),
	westTown("Pasadena", -118.1445, 34.1478, 139, 59),
	westTown("Ventura", -119.2290, 34.2746, 111, 54),
	westTown("Chico", -121.8375, 39.7285, 101, 86),
	westTown("Redding", -122.3917, 40.5865, 94, 155),
	westTown("Santa Barbara", -119.6982, 34.4208, 89, 51),
	westTown("Merced", -120.4830, 37.3022, 86, 60),
	westTown("Napa", -122.2869, 38.2975, 79, 47),
	westTown("Yuba City", -121.6169, 39.1404, 70, 39),
	westTown("Santa Cruz", -122.0308, 36.9741, 63, 33),
	westTown("Paradise", -121.6219, 39.7596, 26, 47), // before the 2018 Camp Fire
	westTown("Eureka", -124.1637, 40.8021, 27, 24),
	westTown("South Lake Tahoe", -119.9772, 38.9399, 21, 26),
	westTown("Oroville", -121.5564, 39.5138, 20, 34),
	westTown("Grass Valley", -121.0611, 39.2191, 14, 13),
	westTown("Malibu", -118.7798, 34.0259, 11, 51),
	// Oregon
	westTown("Portland", -122.6784, 45.5152, 653, 345),
	westTown("Eugene", -123.0868, 44.0521, 177, 114),
	westTown("Salem", -123.0351, 44.9429, 176, 125),
	westTown("Gresham", -122.4302, 45.4985, 114, 60),
	westTown("Hillsboro", -122.9898, 45.5229, 106, 66),
	westTown("Bend", -121.3153, 44.0582, 99, 85),
	westTown("Medford", -122.8756, 42.3265, 86, 66),
	westTown("Corvallis", -123.2620, 44.5646, 60, 37),
	westTown("Albany", -123.1059, 44.6365, 56, 46),
	westTown("Grants Pass", -123.3284, 42.4390, 39, 29),
	westTown("Redmond", -121.1739, 44.2726, 33, 45),
	westTown("Roseburg", -123.3417, 43.2165, 24, 27),
	westTown("Klamath Falls", -121.7817, 42.2249, 22, 53),
	westTown("Ashland", -122.7095, 42.1946, 21, 17),
	westTown("Pendleton", -118.7886, 45.6721, 17, 28),
	westTown("Coos Bay", -124.2179, 43.3665, 16, 41),
	westTown("Stayton", -122.7937, 44.8007, 8, 7),
	westTown("Talent", -122.7887, 42.2457, 6, 3),
	westTown("Phoenix", -122.8203, 42.2754, 4.5, 3),
	// Washington
	westTown("Seattle", -122.3321, 47.6062, 737, 217),
	westTown("Spokane", -117.4260, 47.6588, 229, 177),
	westTown("Tacoma", -122.4443, 47.2529, 219, 129),
	westTown("Vancouver", -122.6615, 45.6387, 191, 128),
	westTown("Bellevue", -122.2015, 47.6101, 152, 87),
	westTown("Kent", -122.2348, 47.3809, 137, 88),
	westTown("Everett", -122.2021, 47.9790, 111, 87),
	westTown("Yakima", -120.5059, 46.6021, 97, 72),
	westTown("Bellingham", -122.4787, 48.7519, 91, 72),
	westTown("Kennewick", -119.1372, 46.2112, 84, 72),
	westTown("Wenatchee", -120.3103, 47.4235, 36, 20),
	westTown("Ellensburg", -120.5478, 46.9965, 19, 18),
	westTown("Centralia", -122.9543, 46.7162, 18, 20),
	westTown("Chehalis", -122.9640, 46.6621, 7.4, 15),
	westTown("Omak", -119.5276, 48.4110, 4.9, 9),
	// Idaho
	westTown("Boise", -116.2023, 43.6150, 236, 220),
	westTown("Meridian", -116.3915, 43.6121, 118, 84),
	westTown("Nampa", -116.5635, 43.5407, 100, 86),
	westTown("Idaho Falls", -112.0333, 43.4917, 65, 58),
	westTown("Pocatello", -112.4455, 42.8713, 56, 85),
	westTown("Coeur d'Alene", -116.7805, 47.6777, 55, 41),
	westTown("Twin Falls", -114.4701, 42.5558, 52, 50),
	westTown("Lewiston", -117.0177, 46.4165, 34, 46),
	westTown("Sandpoint", -116.5535, 48.2766, 8.6, 14),
	westTown("Hailey", -114.3153, 43.5196, 9, 10),
	westTown("McCall", -116.0987, 44.9110, 3.7, 29),
}

// Households returns n household locations spread over towns as described
// above: each point picks a town by weight, then lands in its core with
// probability 1 - fringeShare or on its fringe otherwise. Points outside
// area are drawn again.
func (g *Gen) Households(n int, towns []Town, area geo.Bound) []orb.Point {
	total := 0.0
	for _, t := range towns {
		total += t.Weight
	}
	out := make([]orb.Point, 0, n)
	for len(out) < n {
		pick := g.r.Float64() * total
		t := towns[len(towns)-1]
		for _, c := range towns {
			if pick -= c.Weight; pick <= 0 {
				t = c
				break
			}
		}
		spread := t.Spread
		if g.r.Float64() < fringeShare {
			spread = 3*spread + 5
		}
		if p := g.near(t.Center, spread); area.Contains(p) {
			out = append(out, p)
		}
	}
	return out
}

// LosAngelesCounty is Los Angeles County, California, as a box (its
// mainland part): the most crowded county-sized view of the West data.
var LosAngelesCounty = geo.Bound{West: -118.95, South: 33.70, East: -117.65, North: 34.82}
