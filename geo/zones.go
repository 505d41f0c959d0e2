package geo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"sort"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"commonground/apperr"
)

// HazardZone is a stored hazard zone: the Hazard screening uses, where it
// came from and since when it applies.
type HazardZone struct {
	Hazard
	Name     string
	Source   string
	SourceID string
	// EffectiveDate is when the zone took effect (a perimeter's date, a
	// flood map's effective date); zero when unknown.
	EffectiveDate time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// HazardID is the id of the zone with sourceID in source.
func HazardID(source, sourceID string) string {
	h := sha256.Sum256([]byte("hazard\x00" + source + "\x00" + sourceID))
	return "hz_" + hex.EncodeToString(h[:12])
}

// Check names the fields of z that break a rule, under prefix.
func (z *HazardZone) Check(f *apperr.Fields, prefix string) {
	if !z.Kind.Valid() {
		f.Add(join(prefix, "kind"), "must be wildfire, flood, landslide or other")
	}
	if z.Severity < 1 || z.Severity > MaxSeverity {
		f.Add(join(prefix, "severity"), "must be low, moderate, high, very_high or extreme")
	}
	for _, t := range []struct{ name, v string }{{"name", z.Name}, {"source", z.Source}, {"source_id", z.SourceID}} {
		if !utf8.ValidString(t.v) || utf8.RuneCountInString(t.v) > maxParcelText {
			f.Add(join(prefix, t.name), "must be at most %d characters of UTF-8", maxParcelText)
		}
	}
	if z.SourceID != "" && z.Source == "" {
		f.Add(join(prefix, "source"), "is required with source_id")
	}
}

// HazardStore is what Parcels needs to keep hazard zones.
type HazardStore interface {
	LoadHazards(ctx context.Context, fn func(*HazardZone) error) error
	PutHazards(ctx context.Context, created, updated []*HazardZone) error
	DeleteHazard(ctx context.Context, id string) error
}

// screening is the hazard state readers see: the zones, prepared, and the
// screening of every parcel that meets one. It is replaced whole.
type screening struct {
	zones    []*HazardZone // by id
	set      *HazardSet
	byParcel map[string]Screening
}

// hazardState is kept beside the parcel index in Parcels.
type hazardState struct {
	store HazardStore
	cur   atomic.Pointer[screening]
}

// WithHazards makes the service keep hazard zones in store and screen
// every parcel against them. Call it before Load.
func (s *Parcels) WithHazards(store HazardStore) *Parcels {
	s.hz = &hazardState{store: store}
	empty, _ := NewHazardSet(nil)
	s.hz.cur.Store(&screening{set: empty, byParcel: map[string]Screening{}})
	return s
}

// loadHazards reads the zones and screens the loaded parcels.
func (s *Parcels) loadHazards(ctx context.Context) error {
	var zones []*HazardZone
	if err := s.hz.store.LoadHazards(ctx, func(z *HazardZone) error {
		zones = append(zones, z)
		return nil
	}); err != nil {
		return err
	}
	return s.rescreen(ctx, zones)
}

// rescreen builds the hazard set of zones and screens every parcel; the
// caller holds s.mu (or is loading).
func (s *Parcels) rescreen(ctx context.Context, zones []*HazardZone) error {
	sort.Slice(zones, func(i, j int) bool { return zones[i].ID < zones[j].ID })
	hs := make([]Hazard, len(zones))
	for i, z := range zones {
		hs[i] = z.Hazard
	}
	set, err := NewHazardSet(hs)
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "the hazard zones could not be prepared")
	}
	by, err := ScreenAll(ctx, set, s.index.Snapshot())
	if err != nil {
		return err
	}
	s.hz.cur.Store(&screening{zones: zones, set: set, byParcel: by})
	return nil
}

// screenParcels updates the screening of parcels just written; the caller
// holds s.mu.
func (s *Parcels) screenParcels(ps []*Parcel, deleted ...string) {
	if s.hz == nil {
		return
	}
	cur := s.hz.cur.Load()
	by := maps.Clone(cur.byParcel)
	for _, p := range ps {
		if sc := cur.set.Screen(p.Geometry); sc.Clear() {
			delete(by, p.ID)
		} else {
			by[p.ID] = sc
		}
	}
	for _, id := range deleted {
		delete(by, id)
	}
	s.hz.cur.Store(&screening{zones: cur.zones, set: cur.set, byParcel: by})
}

// Screening returns the hazard zones the parcel meets and the share of its
// area in each; empty when it is clear.
func (s *Parcels) Screening(id string) Screening {
	if s.hz == nil {
		return Screening{}
	}
	return s.hz.cur.Load().byParcel[id]
}

// HazardFree is a ParcelFilter.Keep test: the parcel meets no hazard zone.
func (s *Parcels) HazardFree(p *Parcel) bool { return s.Screening(p.ID).Clear() }

// PutHazards stores new or re-imported zones (a zone with Source and
// SourceID gets id HazardID(Source, SourceID)) and re-screens every
// parcel. Every zone must have passed Check and NewHazardSet's rules.
func (s *Parcels) PutHazards(ctx context.Context, zs []*HazardZone) ([]PutResult, error) {
	if s.hz == nil {
		return nil, apperr.New(apperr.Unavailable, "hazard zones are not kept by this service")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	cur := s.hz.cur.Load()
	byID := make(map[string]*HazardZone, len(cur.zones)+len(zs))
	for _, z := range cur.zones {
		byID[z.ID] = z
	}
	out := make([]PutResult, len(zs))
	stored := make([]*HazardZone, len(zs))
	for i, in := range zs {
		z := *in
		switch {
		case z.SourceID != "":
			z.ID = HazardID(z.Source, z.SourceID)
		case z.ID == "":
			z.ID = newID("hz_")
		}
		z.CreatedAt, z.UpdatedAt = now, now
		prev, had := byID[z.ID]
		if had {
			z.CreatedAt = prev.CreatedAt
		}
		out[i] = PutResult{ID: z.ID, Created: !had}
		stored[i] = &z
		byID[z.ID] = &z
	}
	var created, updated []*HazardZone
	for i, z := range stored {
		if byID[z.ID] != z { // a later zone in zs has the same id
			continue
		}
		if out[i].Created {
			created = append(created, z)
		} else {
			updated = append(updated, z)
		}
	}
	if err := s.hz.store.PutHazards(ctx, created, updated); err != nil {
		return nil, err
	}
	zones := make([]*HazardZone, 0, len(byID))
	for _, z := range byID {
		zones = append(zones, z)
	}
	return out, s.rescreen(context.WithoutCancel(ctx), zones)
}

// DeleteHazard removes the zone with id and re-screens every parcel.
func (s *Parcels) DeleteHazard(ctx context.Context, id string) error {
	if s.hz == nil {
		return apperr.New(apperr.NotFound, "no hazard zone has id %s", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.hz.cur.Load()
	zones := make([]*HazardZone, 0, len(cur.zones))
	found := false
	for _, z := range cur.zones {
		if z.ID == id {
			found = true
			continue
		}
		zones = append(zones, z)
	}
	if !found {
		return apperr.New(apperr.NotFound, "no hazard zone has id %s", id)
	}
	if err := s.hz.store.DeleteHazard(ctx, id); err != nil {
		return err
	}
	return s.rescreen(context.WithoutCancel(ctx), zones)
}

// HazardZone returns the zone with id.
func (s *Parcels) HazardZone(id string) (*HazardZone, error) {
	if s.hz != nil {
		for _, z := range s.hz.cur.Load().zones {
			if z.ID == id {
				return z, nil
			}
		}
	}
	return nil, apperr.New(apperr.NotFound, "no hazard zone has id %s", id)
}

// HazardsIn returns the zones whose bounding box meets b, ordered by id.
func (s *Parcels) HazardsIn(b Bound) ([]*HazardZone, error) {
	if err := b.Check("bbox"); err != nil {
		return nil, err
	}
	if s.hz == nil {
		return nil, nil
	}
	cur := s.hz.cur.Load()
	byID := make(map[string]*HazardZone, len(cur.zones))
	for _, z := range cur.zones {
		byID[z.ID] = z
	}
	var out []*HazardZone
	cur.set.Search(b, func(h Hazard) bool {
		out = append(out, byID[h.ID])
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
