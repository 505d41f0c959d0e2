package community

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"
)

// Duplicate rules. Two households are likely the same family when
//   - the normalized names of a head or partner are equal (in any word
//     order) and they share a phone number or an email address, or
//   - their lost homes are within HouseholdDuplicateDistance metres and the
//     names of a head or partner are similar: Jaro-Winkler similarity of the
//     normalized names, in the given word order or with words sorted, at least
//     HouseholdSimilarNameThreshold.
//
// The threshold 0.90 was chosen so that spelling variants a form or an
// organizer produces ("Hernandez"/"Hernández"/"Hernandes", "Rosa Marquez"/
// "Marquez Rosa", a dropped middle name's initial) match, while different
// people rarely do: "Jose Garcia"/"Luis Garcia" score 0.89 and
// "Rosa Lopez"/"Ana Lopez" 0.73, below the line, while "Maria Lopez"/"Mario
// Lopez" score 0.96 and are flagged, which review sorts out. Flags only go to
// an organizer for review; nothing is ever merged.
const (
	HouseholdDuplicateDistance    = 50.0 // metres
	HouseholdSimilarNameThreshold = 0.90
)

// HouseholdDuplicateReason says why two households look like one family.
type HouseholdDuplicateReason string

// The duplicate reasons.
const (
	HouseholdDuplicateNameAndPhone HouseholdDuplicateReason = "name_and_phone"
	HouseholdDuplicateNameAndEmail HouseholdDuplicateReason = "name_and_email"
	HouseholdDuplicateNearbyName   HouseholdDuplicateReason = "nearby_similar_name"
)

// HouseholdDuplicate is another household that looks like the same family.
type HouseholdDuplicate struct {
	ID      string
	Reasons []HouseholdDuplicateReason
}

// HouseholdDuplicatePair is a pair of households flagged for review, A < B.
type HouseholdDuplicatePair struct {
	A, B    string
	Reasons []HouseholdDuplicateReason
}

// HouseholdDuplicateIndex finds likely duplicates among households held in
// memory. It indexes households by phone, by email and by a grid of about
// 100 m over the lost homes, so finding the candidates for one household
// looks at a handful of others, not all of them. It links flagged pairs and
// remembers pairs an organizer marked as not duplicates. It is safe for
// concurrent use.
type HouseholdDuplicateIndex struct {
	mu      sync.RWMutex
	entries map[string]*householdDupEntry
	byPhone map[string][]*householdDupEntry
	byEmail map[string][]*householdDupEntry
	// byCell keeps each point beside its entry, so that the distance test
	// reads one contiguous slice and follows a pointer only for the few
	// households within reach.
	byCell map[householdCell][]householdCellEntry
	notDup map[[2]string]struct{}
	links  map[string]map[string][]HouseholdDuplicateReason
}

type householdDupEntry struct {
	id     string
	names  []householdDupName
	phone  string
	email  string
	loc    orb.Point
	hasLoc bool
}

type householdDupName struct {
	plain  []rune // normalized
	sorted []rune // normalized, words sorted
}

type householdCellEntry struct {
	loc orb.Point
	e   *householdDupEntry
}

// householdCell is a cell of a grid of HouseholdLocationGrid degrees.
type householdCell struct{ lon, lat int32 }

const householdCellsAround = 360 / HouseholdLocationGrid

// NewHouseholdDuplicateIndex returns an empty index.
func NewHouseholdDuplicateIndex() *HouseholdDuplicateIndex {
	return &HouseholdDuplicateIndex{
		entries: map[string]*householdDupEntry{},
		byPhone: map[string][]*householdDupEntry{},
		byEmail: map[string][]*householdDupEntry{},
		byCell:  map[householdCell][]householdCellEntry{},
		notDup:  map[[2]string]struct{}{},
		links:   map[string]map[string][]HouseholdDuplicateReason{},
	}
}

func householdPairKey(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

func newHouseholdDupEntry(h *Household) *householdDupEntry {
	e := &householdDupEntry{id: h.ID, phone: h.Contact.Phone, email: strings.ToLower(h.Contact.Email)}
	for _, m := range h.Members {
		if m.Relationship != HouseholdRelationshipHead && m.Relationship != HouseholdRelationshipSpouseOrPartner {
			continue
		}
		n := NormalizeHouseholdName(m.Name)
		if n == "" {
			continue
		}
		words := strings.Fields(n)
		slices.Sort(words)
		e.names = append(e.names, householdDupName{plain: []rune(n), sorted: []rune(strings.Join(words, " "))})
	}
	if l := h.LostHome.Location; l != nil && !math.IsNaN(l.Lon()) && !math.IsNaN(l.Lat()) {
		e.loc, e.hasLoc = *l, true
	}
	return e
}

func householdCellOf(p orb.Point) householdCell {
	lon := int64(math.Floor(p.Lon() / HouseholdLocationGrid))
	lon = ((lon % householdCellsAround) + householdCellsAround) % householdCellsAround
	return householdCell{lon: int32(lon), lat: int32(math.Floor(p.Lat() / HouseholdLocationGrid))}
}

// Add indexes h (replacing an earlier version with the same ID), records its
// NotDuplicateOf marks, links it to its likely duplicates and returns them.
func (x *HouseholdDuplicateIndex) Add(h *Household) []HouseholdDuplicate {
	e := newHouseholdDupEntry(h)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(h.ID)
	for _, other := range h.NotDuplicateOf {
		x.notDup[householdPairKey(h.ID, other)] = struct{}{}
	}
	found := x.candidates(e)
	x.entries[e.id] = e
	if e.phone != "" {
		x.byPhone[e.phone] = append(x.byPhone[e.phone], e)
	}
	if e.email != "" {
		x.byEmail[e.email] = append(x.byEmail[e.email], e)
	}
	if e.hasLoc {
		c := householdCellOf(e.loc)
		x.byCell[c] = append(x.byCell[c], householdCellEntry{loc: e.loc, e: e})
	}
	for _, d := range found {
		x.link(e.id, d.ID, d.Reasons)
		x.link(d.ID, e.id, d.Reasons)
	}
	return found
}

func (x *HouseholdDuplicateIndex) link(a, b string, r []HouseholdDuplicateReason) {
	m := x.links[a]
	if m == nil {
		m = map[string][]HouseholdDuplicateReason{}
		x.links[a] = m
	}
	m[b] = r
}

// Candidates returns the indexed households that look like h, without
// indexing h: the check to run before a registration is stored. h itself
// (same ID) and pairs marked not duplicate are left out.
func (x *HouseholdDuplicateIndex) Candidates(h *Household) []HouseholdDuplicate {
	e := newHouseholdDupEntry(h)
	x.mu.RLock()
	defer x.mu.RUnlock()
	var notDup map[[2]string]struct{}
	if len(h.NotDuplicateOf) > 0 {
		notDup = map[[2]string]struct{}{}
		for _, o := range h.NotDuplicateOf {
			notDup[householdPairKey(h.ID, o)] = struct{}{}
		}
	}
	found := x.candidates(e)
	return slices.DeleteFunc(found, func(d HouseholdDuplicate) bool {
		_, ok := notDup[householdPairKey(h.ID, d.ID)]
		return ok
	})
}

// candidates finds the likely duplicates of e among the indexed entries;
// x.mu must be held.
func (x *HouseholdDuplicateIndex) candidates(e *householdDupEntry) []HouseholdDuplicate {
	reasons := map[string][]HouseholdDuplicateReason{}
	check := func(others []*householdDupEntry, reason HouseholdDuplicateReason, match func(o *householdDupEntry) bool) {
		for _, o := range others {
			if o.id == e.id || !match(o) {
				continue
			}
			if _, ok := x.notDup[householdPairKey(e.id, o.id)]; ok {
				continue
			}
			reasons[o.id] = append(reasons[o.id], reason)
		}
	}
	if len(e.names) > 0 {
		if e.phone != "" {
			check(x.byPhone[e.phone], HouseholdDuplicateNameAndPhone, func(o *householdDupEntry) bool { return householdSameName(e, o) })
		}
		if e.email != "" {
			check(x.byEmail[e.email], HouseholdDuplicateNameAndEmail, func(o *householdDupEntry) bool { return householdSameName(e, o) })
		}
		if e.hasLoc {
			var near []*householdDupEntry
			x.eachNear(e.loc, func(cell []householdCellEntry) {
				for _, c := range cell {
					if householdDistance(e.loc, c.loc) <= HouseholdDuplicateDistance {
						near = append(near, c.e)
					}
				}
			})
			check(near, HouseholdDuplicateNearbyName, func(o *householdDupEntry) bool { return householdSimilarName(e, o) })
		}
	}
	out := make([]HouseholdDuplicate, 0, len(reasons))
	for id, r := range reasons {
		out = append(out, HouseholdDuplicate{ID: id, Reasons: r})
	}
	slices.SortFunc(out, func(a, b HouseholdDuplicate) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// eachNear calls fn with the entries of every grid cell that may hold a point
// within HouseholdDuplicateDistance of p.
func (x *HouseholdDuplicateIndex) eachNear(p orb.Point, fn func(cell []householdCellEntry)) {
	const metresPerDegree = 111_320.0
	dLat := HouseholdDuplicateDistance / metresPerDegree
	cos := math.Cos(p.Lat() * math.Pi / 180)
	lo := householdCellOf(orb.Point{p.Lon(), p.Lat() - dLat})
	hi := householdCellOf(orb.Point{p.Lon(), p.Lat() + dLat})
	// Near the poles a 50 m circle spans many longitude cells; past a few
	// hundred, visiting every cell that holds anything is cheaper.
	cellsLon := 0.0
	if cos > 1e-9 {
		cellsLon = HouseholdDuplicateDistance / (metresPerDegree * cos) / HouseholdLocationGrid
	}
	if cos <= 1e-9 || cellsLon > 200 {
		for c, ids := range x.byCell {
			if c.lat >= lo.lat && c.lat <= hi.lat {
				fn(ids)
			}
		}
		return
	}
	dLon := cellsLon * HouseholdLocationGrid
	west := householdCellOf(orb.Point{p.Lon() - dLon, p.Lat()}).lon
	n := int32(math.Ceil(2*cellsLon)) + 1
	for lat := lo.lat; lat <= hi.lat; lat++ {
		for i := int32(0); i <= n; i++ {
			lon := (west + i) % householdCellsAround
			if ids, ok := x.byCell[householdCell{lon: lon, lat: lat}]; ok {
				fn(ids)
			}
		}
	}
}

// Remove drops the household with the given id and its links.
func (x *HouseholdDuplicateIndex) Remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.remove(id)
}

func (x *HouseholdDuplicateIndex) remove(id string) {
	e, ok := x.entries[id]
	if !ok {
		return
	}
	delete(x.entries, id)
	if e.phone != "" {
		householdDropID(x.byPhone, e.phone, id)
	}
	if e.email != "" {
		householdDropID(x.byEmail, e.email, id)
	}
	if e.hasLoc {
		c := householdCellOf(e.loc)
		if rest := slices.DeleteFunc(x.byCell[c], func(ce householdCellEntry) bool { return ce.e.id == id }); len(rest) > 0 {
			x.byCell[c] = rest
		} else {
			delete(x.byCell, c)
		}
	}
	for other := range x.links[id] {
		delete(x.links[other], id)
		if len(x.links[other]) == 0 {
			delete(x.links, other)
		}
	}
	delete(x.links, id)
}

func householdDropID[K comparable](m map[K][]*householdDupEntry, k K, id string) {
	if ids := slices.DeleteFunc(m[k], func(e *householdDupEntry) bool { return e.id == id }); len(ids) > 0 {
		m[k] = ids
	} else {
		delete(m, k)
	}
}

// MarkNotDuplicate records an organizer's decision that a and b are
// different families and unlinks them. The caller also stores the decision
// in the household (NotDuplicateOf) so that it survives a restart.
func (x *HouseholdDuplicateIndex) MarkNotDuplicate(a, b string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.notDup[householdPairKey(a, b)] = struct{}{}
	delete(x.links[a], b)
	delete(x.links[b], a)
}

// DuplicatesOf returns the households linked to id as likely duplicates.
func (x *HouseholdDuplicateIndex) DuplicatesOf(id string) []HouseholdDuplicate {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]HouseholdDuplicate, 0, len(x.links[id]))
	for other, r := range x.links[id] {
		out = append(out, HouseholdDuplicate{ID: other, Reasons: slices.Clone(r)})
	}
	slices.SortFunc(out, func(a, b HouseholdDuplicate) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Pairs returns every linked pair, ordered by A then B, for the review list.
func (x *HouseholdDuplicateIndex) Pairs() []HouseholdDuplicatePair {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []HouseholdDuplicatePair
	for a, m := range x.links {
		for b, r := range m {
			if a < b {
				out = append(out, HouseholdDuplicatePair{A: a, B: b, Reasons: slices.Clone(r)})
			}
		}
	}
	slices.SortFunc(out, func(p, q HouseholdDuplicatePair) int {
		return cmp.Or(cmp.Compare(p.A, q.A), cmp.Compare(p.B, q.B))
	})
	return out
}

// Len returns the number of indexed households.
func (x *HouseholdDuplicateIndex) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.entries)
}

// MarkHouseholdNotDuplicate returns a copy of h that records other as a
// different family, ready to store. Marking twice changes nothing.
func MarkHouseholdNotDuplicate(h *Household, other string) *Household {
	c := h.Clone()
	if other != h.ID && !slices.Contains(c.NotDuplicateOf, other) {
		c.NotDuplicateOf = append(c.NotDuplicateOf, other)
	}
	return c
}

func householdSameName(a, b *householdDupEntry) bool {
	for _, n := range a.names {
		for _, m := range b.names {
			if slices.Equal(n.sorted, m.sorted) {
				return true
			}
		}
	}
	return false
}

func householdSimilarName(a, b *householdDupEntry) bool {
	for _, n := range a.names {
		for _, m := range b.names {
			if jaroWinkler(n.plain, m.plain) >= HouseholdSimilarNameThreshold ||
				jaroWinkler(n.sorted, m.sorted) >= HouseholdSimilarNameThreshold {
				return true
			}
		}
	}
	return false
}

// HouseholdNameSimilarity returns the Jaro-Winkler similarity (0 to 1) of two
// names after NormalizeHouseholdName, the better of the given word order and
// sorted words.
func HouseholdNameSimilarity(a, b string) float64 {
	ea := newHouseholdDupEntry(&Household{Members: []HouseholdMember{{Name: a, Relationship: HouseholdRelationshipHead}}})
	eb := newHouseholdDupEntry(&Household{Members: []HouseholdMember{{Name: b, Relationship: HouseholdRelationshipHead}}})
	if len(ea.names) == 0 || len(eb.names) == 0 {
		return 0
	}
	return max(jaroWinkler(ea.names[0].plain, eb.names[0].plain), jaroWinkler(ea.names[0].sorted, eb.names[0].sorted))
}

// jaroWinkler is the Jaro similarity with Winkler's bonus for a common
// prefix of up to four characters (scaling factor 0.1).
func jaroWinkler(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	window := max(len(b)/2-1, 0)
	// Short names (nearly all) use stack buffers; long ones allocate.
	var aBuf, bBuf [64]bool
	var aMatch, bMatch []bool
	if len(a) > len(aBuf) || len(b) > len(bBuf) {
		aMatch, bMatch = make([]bool, len(a)), make([]bool, len(b))
	} else {
		aMatch, bMatch = aBuf[:len(a)], bBuf[:len(b)]
	}
	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for j := lo; j < hi; j++ {
			if !bMatch[j] && b[j] == r {
				aMatch[i], bMatch[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, j := 0, 0
	for i := range a {
		if !aMatch[i] {
			continue
		}
		for !bMatch[j] {
			j++
		}
		if a[i] != b[j] {
			transpositions++
		}
		j++
	}
	m := float64(matches)
	jaro := (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transpositions)/2)/m) / 3
	prefix := 0
	for prefix < 4 && prefix < len(a) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// householdDistance is the great-circle distance in metres (haversine, mean
// Earth radius).
func householdDistance(p, q orb.Point) float64 {
	const earthRadius = 6_371_008.8
	const rad = math.Pi / 180
	dLat := (q.Lat() - p.Lat()) * rad
	dLon := (q.Lon() - p.Lon()) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(p.Lat()*rad)*math.Cos(q.Lat()*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Sqrt(min(1, s)))
}
