package geo

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"commonground/apperr"
)

// ParcelStore is what Parcels needs from a database.
type ParcelStore interface {
	// LoadParcels calls fn with every stored parcel.
	LoadParcels(ctx context.Context, fn func(*Parcel) error) error
	// PutParcels inserts the created parcels (new ids) and replaces the
	// updated ones by ID.
	PutParcels(ctx context.Context, created, updated []*Parcel) error
	// DeleteParcel removes the parcel; NotFound when there is none.
	DeleteParcel(ctx context.Context, id string) error
}

// Parcels keeps candidate parcels in a store and in an in-memory spatial
// index that answers every list, map and matching query; the store is read
// once, at Load. Writes go to the store first, then to the index, under
// one lock so that the two never disagree; readers use index snapshots
// and never wait for a writer.
type Parcels struct {
	store ParcelStore
	index *Index[*Parcel]
	mu    sync.Mutex // serializes writers
	hz    *hazardState
	// Now is the clock; tests may replace it before use.
	Now func() time.Time
}

// NewParcels returns an empty service over store; call Load before use.
func NewParcels(store ParcelStore) *Parcels {
	return &Parcels{store: store, index: NewIndex[*Parcel](), Now: time.Now}
}

// Load reads every parcel from the store into the index.
func (s *Parcels) Load(ctx context.Context) error {
	var items []Item[*Parcel]
	err := s.store.LoadParcels(ctx, func(p *Parcel) error {
		items = append(items, Item[*Parcel]{ID: p.ID, Geometry: p.Geometry, Value: p})
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index.Load(items)
	if s.hz != nil {
		return s.loadHazards(ctx)
	}
	return nil
}

// Len returns the number of parcels.
func (s *Parcels) Len() int { return s.index.Len() }

// Snapshot returns a read-only view of the parcel index, for queries the
// service does not offer itself (hazard screening, matching).
func (s *Parcels) Snapshot() *Snapshot[*Parcel] { return s.index.Snapshot() }

// Get returns the parcel with id. The result must not be modified.
func (s *Parcels) Get(id string) (*Parcel, error) {
	it, ok := s.index.Get(id)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "no parcel has id %s", id)
	}
	return it.Value, nil
}

// PutResult says what Put did with one parcel.
type PutResult struct {
	ID      string
	Created bool // false: an existing parcel was updated
}

// Put stores new or re-imported parcels. A parcel with Source and SourceID
// gets the id ParcelID(Source, SourceID), so a re-import replaces the
// earlier version; one without gets id if set, else a fresh id. A
// re-import keeps what organizers recorded (status, rejection reason,
// notes, asking price, creation time) unless the new version sets it.
// Every parcel must have passed Check and carry a valid geometry; Acres is
// computed here.
func (s *Parcels) Put(ctx context.Context, ps []*Parcel) ([]PutResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]PutResult, len(ps))
	stored := make([]*Parcel, len(ps))
	seen := make(map[string]int, len(ps))
	for i, in := range ps {
		p := *in
		p.Utilities = slices.Clone(in.Utilities)
		switch {
		case p.SourceID != "":
			p.ID = ParcelID(p.Source, p.SourceID)
		case p.ID == "":
			p.ID = newID("pcl_")
		}
		p.Acres = Acres(p.Geometry)
		p.CreatedAt, p.UpdatedAt = now, now
		prev, had := s.index.Get(p.ID)
		if j, dup := seen[p.ID]; dup {
			prev, had = &Item[*Parcel]{Value: stored[j]}, true
		}
		if had {
			keepRecorded(&p, prev.Value)
		}
		out[i] = PutResult{ID: p.ID, Created: !had}
		stored[i] = &p
		seen[p.ID] = i
	}
	var created, updated []*Parcel
	for i, p := range stored {
		if out[i].Created && seen[p.ID] == i {
			created = append(created, p)
		} else if seen[p.ID] == i {
			updated = append(updated, p)
		}
	}
	if err := s.store.PutParcels(ctx, created, updated); err != nil {
		return nil, err
	}
	items := make([]Item[*Parcel], len(stored))
	for i, p := range stored {
		items[i] = Item[*Parcel]{ID: p.ID, Geometry: p.Geometry, Value: p}
	}
	s.index.PutMany(items)
	s.screenParcels(stored)
	return out, nil
}

// keepRecorded carries the organizer's fields of the stored version into a
// re-imported one that leaves them unset.
func keepRecorded(p, prev *Parcel) {
	p.CreatedAt = prev.CreatedAt
	if p.Status == StatusIdentified && prev.Status != StatusIdentified && p.RejectedReason == "" {
		p.Status, p.RejectedReason = prev.Status, prev.RejectedReason
	}
	if p.Notes == "" {
		p.Notes = prev.Notes
	}
	if p.AskingPrice == 0 {
		p.AskingPrice = prev.AskingPrice
	}
}

// Update applies u to the parcel with id and returns the new version.
func (s *Parcels) Update(ctx context.Context, id string, u ParcelUpdate) (*Parcel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.index.Get(id)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "no parcel has id %s", id)
	}
	p, err := u.apply(it.Value, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.store.PutParcels(ctx, nil, []*Parcel{p}); err != nil {
		return nil, err
	}
	s.index.Put(p.ID, p.Geometry, p)
	s.screenParcels([]*Parcel{p})
	return p, nil
}

// Delete removes the parcel with id.
func (s *Parcels) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.index.Get(id); !ok {
		return apperr.New(apperr.NotFound, "no parcel has id %s", id)
	}
	if err := s.store.DeleteParcel(ctx, id); err != nil {
		return err
	}
	s.index.Delete(id)
	s.screenParcels(nil, id)
	return nil
}

// ParcelFilter narrows a parcel query; zero fields do not filter.
type ParcelFilter struct {
	Statuses []ParcelStatus
	MinAcres float64
	MaxAcres float64 // 0: no upper bound
	MinPrice int64
	MaxPrice int64 // 0: no upper bound; parcels without a price pass only when MinPrice and MaxPrice are 0
	// Keep, when set, is one more test (who may see the parcel, whether
	// it is clear of hazards).
	Keep func(*Parcel) bool
}

// Check names the filter fields that make no sense.
func (f ParcelFilter) Check() error {
	var fs apperr.Fields
	for _, s := range f.Statuses {
		if !s.Valid() {
			fs.Add("status", "must be a list of identified, evaluating, negotiating, under_contract, acquired, rejected")
			break
		}
	}
	if f.MinAcres < 0 || f.MaxAcres < 0 || (f.MaxAcres > 0 && f.MaxAcres < f.MinAcres) {
		fs.Add("acres", "min_acres and max_acres must be at least 0 and in order")
	}
	if f.MinPrice < 0 || f.MaxPrice < 0 || (f.MaxPrice > 0 && f.MaxPrice < f.MinPrice) {
		fs.Add("price", "min_price and max_price must be at least 0 and in order")
	}
	return fs.Err()
}

func (f ParcelFilter) keep(p *Parcel) bool {
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, p.Status) {
		return false
	}
	if p.Acres < f.MinAcres || (f.MaxAcres > 0 && p.Acres > f.MaxAcres) {
		return false
	}
	if f.MinPrice > 0 || f.MaxPrice > 0 {
		if p.AskingPrice == 0 || p.AskingPrice < f.MinPrice || (f.MaxPrice > 0 && p.AskingPrice > f.MaxPrice) {
			return false
		}
	}
	return f.Keep == nil || f.Keep(p)
}

// InBound returns up to limit parcels whose geometry meets b (which may
// cross the antimeridian) and pass the filter, ordered by id, and whether
// more matched than limit allowed.
func (s *Parcels) InBound(ctx context.Context, b Bound, f ParcelFilter, limit int) ([]*Parcel, bool, error) {
	if err := b.Check("bbox"); err != nil {
		return nil, false, err
	}
	var c collector
	if err := s.index.Snapshot().Intersecting(ctx, b, c.add(f, limit)); err != nil {
		return nil, false, err
	}
	return c.sorted(), c.more, nil
}

// collector gathers up to limit parcels passing a filter.
type collector struct {
	out  []*Parcel
	more bool
}

func (c *collector) add(f ParcelFilter, limit int) func(*Item[*Parcel]) bool {
	return func(it *Item[*Parcel]) bool {
		if !f.keep(it.Value) {
			return true
		}
		if len(c.out) == limit {
			c.more = true
			return false
		}
		c.out = append(c.out, it.Value)
		return true
	}
}

func (c *collector) sorted() []*Parcel {
	sortParcels(c.out)
	return c.out
}

// InShape returns up to limit parcels whose geometry meets the Polygon or
// MultiPolygon shape, ordered by id, and whether there were more.
func (s *Parcels) InShape(ctx context.Context, shape orb.Geometry, f ParcelFilter, limit int) ([]*Parcel, bool, error) {
	prep, err := Prepare(shape)
	if err != nil {
		return nil, false, err
	}
	var c collector
	if err := s.index.Snapshot().IntersectingShape(ctx, prep, c.add(f, limit)); err != nil {
		return nil, false, err
	}
	return c.sorted(), c.more, nil
}

// Nearest returns the k parcels closest to center that pass the filter,
// nearest first by geodesic distance (0 for a parcel that contains center).
func (s *Parcels) Nearest(ctx context.Context, center orb.Point, k int, f ParcelFilter) ([]Neighbor[*Parcel], error) {
	var fs apperr.Fields
	if checkPosition(&fs, "near", center); fs.Err() != nil {
		return nil, fs.Err()
	}
	return s.index.Snapshot().Nearest(ctx, center, k, func(it *Item[*Parcel]) bool { return f.keep(it.Value) })
}

func sortParcels(ps []*Parcel) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
}

// Match ranks the parcels for group (see Rank): rejected and acquired
// parcels are left out, the rest carry their acres, asking price and
// screening.
func (s *Parcels) Match(ctx context.Context, g Group, opt MatchOptions) ([]Match, error) {
	var by map[string]Screening
	if s.hz != nil {
		by = s.hz.cur.Load().byParcel
	}
	return Rank(ctx, s.index.Snapshot(), func(it *Item[*Parcel]) (ParcelFacts, bool) {
		p := it.Value
		if p.Status == StatusRejected || p.Status == StatusAcquired {
			return ParcelFacts{}, false
		}
		return ParcelFacts{Acres: p.Acres, AskingPrice: p.AskingPrice, Screening: by[p.ID]}, true
	}, g, opt)
}

// now is the clock to the millisecond, the precision stores keep.
func (s *Parcels) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }
