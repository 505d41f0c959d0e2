package mongodb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"commonground/apperr"
	"commonground/geo"
)

const parcelsCollection = "parcels"

// writeBatch is how many documents one bulk write carries: large enough
// that an import of 200,000 parcels is a few hundred round trips, small
// enough to stay far below the 48 MB message limit.
const writeBatch = 500

func init() {
	collections = append(collections, parcelsCollection)
}

// ParcelStore keeps parcels, one document each, geometry as WKB bytes (the
// embedded server cannot store the nested arrays of GeoJSON coordinates).
// The id is geo.ParcelID of source and source id, so a re-import replaces
// the document instead of adding one. Queries are served by geo.Parcels
// from memory; this store only loads and writes.
type ParcelStore struct{ db *DB }

var _ geo.ParcelStore = (*ParcelStore)(nil)

// NewParcelStore returns the store of parcels in db.
func NewParcelStore(db *DB) *ParcelStore { return &ParcelStore{db: db} }

// parcelDoc is a parcel as stored: the id, the geometry as WKB and every
// other field as one JSON string. Few top-level fields matter because the
// whole collection is read at every start: on the embedded server a
// document of 3 fields loads about three times faster than one of 20
// (2,000 parcels: 0.1 s against 0.3-0.5 s), which is what brings 200,000
// parcels under 15 s. Nothing queries the fields; geo.Parcels serves every
// query from memory.
type parcelDoc struct {
	ID       string `bson:"_id"`
	Attrs    string `bson:"attrs"`
	Geometry []byte `bson:"geometry_wkb"`
}

// parcelAttrs is the JSON in parcelDoc.Attrs.
type parcelAttrs struct {
	Source           string    `json:"source,omitempty"`
	SourceID         string    `json:"source_id,omitempty"`
	APN              string    `json:"apn,omitempty"`
	CountyFIPS       string    `json:"county_fips,omitempty"`
	Address          string    `json:"address,omitempty"`
	Owner            string    `json:"owner,omitempty"`
	OwnerType        string    `json:"owner_type,omitempty"`
	LandUse          string    `json:"land_use,omitempty"`
	Zoning           string    `json:"zoning,omitempty"`
	DeededAcres      float64   `json:"deeded_acres,omitempty"`
	Acres            float64   `json:"acres"`
	LandValue        int64     `json:"land_value,omitempty"`
	ImprovementValue int64     `json:"improvement_value,omitempty"`
	AskingPrice      int64     `json:"asking_price,omitempty"`
	Currency         string    `json:"currency"`
	Utilities        []string  `json:"utilities,omitempty"`
	Notes            string    `json:"notes,omitempty"`
	Status           string    `json:"status"`
	RejectedReason   string    `json:"rejected_reason,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func toParcelDoc(p *geo.Parcel) (parcelDoc, error) {
	g, err := wkb.Marshal(p.Geometry)
	if err != nil {
		return parcelDoc{}, fmt.Errorf("encode parcel %s geometry: %w", p.ID, err)
	}
	attrs, err := json.Marshal(parcelAttrs{
		Source: p.Source, SourceID: p.SourceID, APN: p.APN, CountyFIPS: p.CountyFIPS,
		Address: p.Address, Owner: p.Owner, OwnerType: p.OwnerType, LandUse: p.LandUse, Zoning: p.Zoning,
		DeededAcres: p.DeededAcres, Acres: p.Acres, LandValue: p.LandValue, ImprovementValue: p.ImprovementValue,
		AskingPrice: p.AskingPrice, Currency: p.Currency, Utilities: p.Utilities, Notes: p.Notes,
		Status: string(p.Status), RejectedReason: p.RejectedReason,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	})
	if err != nil {
		return parcelDoc{}, fmt.Errorf("encode parcel %s: %w", p.ID, err)
	}
	return parcelDoc{ID: p.ID, Attrs: string(attrs), Geometry: g}, nil
}

func fromParcelDoc(d *parcelDoc) (*geo.Parcel, error) {
	g, err := decodeWKB(d.Geometry)
	if err != nil {
		return nil, fmt.Errorf("parcel %s: %w", d.ID, err)
	}
	var a parcelAttrs
	if err := json.Unmarshal([]byte(d.Attrs), &a); err != nil {
		return nil, fmt.Errorf("parcel %s: decode attributes: %w", d.ID, err)
	}
	return &geo.Parcel{
		ID: d.ID, Source: a.Source, SourceID: a.SourceID, APN: a.APN, CountyFIPS: a.CountyFIPS,
		Address: a.Address, Owner: a.Owner, OwnerType: a.OwnerType, LandUse: a.LandUse, Zoning: a.Zoning,
		DeededAcres: a.DeededAcres, Acres: a.Acres, LandValue: a.LandValue, ImprovementValue: a.ImprovementValue,
		AskingPrice: a.AskingPrice, Currency: a.Currency, Utilities: a.Utilities, Notes: a.Notes,
		Status: geo.ParcelStatus(a.Status), RejectedReason: a.RejectedReason, Geometry: g,
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}, nil
}

// decodeWKB reads a stored polygonal geometry.
func decodeWKB(b []byte) (orb.Geometry, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode stored geometry: %w", err)
	}
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return g, nil
	}
	return nil, fmt.Errorf("stored geometry is a %s, not a polygon", g.GeoJSONType())
}

// LoadParcels calls fn with every stored parcel, in one scan.
func (s *ParcelStore) LoadParcels(ctx context.Context, fn func(*geo.Parcel) error) error {
	return s.db.Read(ctx, parcelsCollection, "load", func(ctx context.Context) error {
		cur, err := s.db.Collection(parcelsCollection).Find(ctx, bson.D{}, options.Find().SetBatchSize(5000))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var d parcelDoc
			if err := cur.Decode(&d); err != nil {
				return err
			}
			p, err := fromParcelDoc(&d)
			if err != nil {
				return err
			}
			if err := fn(p); err != nil {
				return err
			}
		}
		return cur.Err()
	})
}

// PutParcels inserts the created parcels and replaces the updated ones,
// in bulk writes of writeBatch documents. Inserts are kept apart because
// the embedded server inserts in bulk about a hundred times faster than it
// upserts (2,000 parcels: 0.1 s against 18 s).
func (s *ParcelStore) PutParcels(ctx context.Context, created, updated []*geo.Parcel) error {
	return putDocs(ctx, s.db, parcelsCollection, created, updated, func(p *geo.Parcel) (any, string, error) {
		d, err := toParcelDoc(p)
		return d, d.ID, err
	})
}

// putDocs writes new documents with unordered inserts and existing ones
// with replacements by _id.
func putDocs[T any](ctx context.Context, db *DB, coll string, created, updated []T, doc func(T) (any, string, error)) error {
	for start := 0; start < len(created); start += writeBatch {
		batch := created[start:min(start+writeBatch, len(created))]
		docs := make([]any, len(batch))
		for i, v := range batch {
			d, _, err := doc(v)
			if err != nil {
				return apperr.Wrap(apperr.Internal, err, "the data could not be stored")
			}
			docs[i] = d
		}
		err := db.Write(ctx, coll, "insert", func(ctx context.Context) error {
			_, err := db.Collection(coll).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
			return err
		})
		if err != nil {
			return err
		}
	}
	for start := 0; start < len(updated); start += writeBatch {
		batch := updated[start:min(start+writeBatch, len(updated))]
		models := make([]mongo.WriteModel, len(batch))
		for i, v := range batch {
			d, id, err := doc(v)
			if err != nil {
				return apperr.Wrap(apperr.Internal, err, "the data could not be stored")
			}
			models[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).SetReplacement(d).SetUpsert(true)
		}
		err := db.Write(ctx, coll, "replace", func(ctx context.Context) error {
			_, err := db.Collection(coll).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteParcel removes the parcel with id.
func (s *ParcelStore) DeleteParcel(ctx context.Context, id string) error {
	return deleteByID(ctx, s.db, parcelsCollection, id, "no parcel has id %s")
}

// deleteByID deletes one document by _id; NotFound (with notFound
// formatted with id) when there was none.
func deleteByID(ctx context.Context, db *DB, coll, id, notFound string) error {
	var n int64
	err := db.Write(ctx, coll, "delete", func(ctx context.Context) error {
		res, err := db.Collection(coll).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
		if err == nil {
			n = res.DeletedCount
		}
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, notFound, id)
	}
	return nil
}

const hazardsCollection = "hazard_zones"

func init() {
	collections = append(collections, hazardsCollection)
}

// HazardStore keeps hazard zones, one document each, geometry as WKB.
type HazardStore struct{ db *DB }

var _ geo.HazardStore = (*HazardStore)(nil)

// NewHazardStore returns the store of hazard zones in db.
func NewHazardStore(db *DB) *HazardStore { return &HazardStore{db: db} }

type hazardDoc struct {
	ID            string    `bson:"_id"`
	Kind          string    `bson:"kind"`
	Severity      int       `bson:"severity"`
	Name          string    `bson:"name,omitempty"`
	Source        string    `bson:"source,omitempty"`
	SourceID      string    `bson:"source_id,omitempty"`
	EffectiveDate time.Time `bson:"effective_date,omitempty"`
	Geometry      []byte    `bson:"geometry_wkb"`
	CreatedAt     time.Time `bson:"created_at"`
	UpdatedAt     time.Time `bson:"updated_at"`
}

func toHazardDoc(z *geo.HazardZone) (hazardDoc, error) {
	g, err := wkb.Marshal(z.Geometry)
	if err != nil {
		return hazardDoc{}, fmt.Errorf("encode hazard zone %s geometry: %w", z.ID, err)
	}
	return hazardDoc{ID: z.ID, Kind: string(z.Kind), Severity: z.Severity, Name: z.Name, Source: z.Source,
		SourceID: z.SourceID, EffectiveDate: z.EffectiveDate.UTC(), Geometry: g,
		CreatedAt: z.CreatedAt.UTC(), UpdatedAt: z.UpdatedAt.UTC()}, nil
}

func fromHazardDoc(d *hazardDoc) (*geo.HazardZone, error) {
	g, err := decodeWKB(d.Geometry)
	if err != nil {
		return nil, fmt.Errorf("hazard zone %s: %w", d.ID, err)
	}
	z := &geo.HazardZone{
		Hazard: geo.Hazard{ID: d.ID, Kind: geo.HazardKind(d.Kind), Severity: d.Severity, Geometry: g},
		Name:   d.Name, Source: d.Source, SourceID: d.SourceID,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	if !d.EffectiveDate.IsZero() {
		z.EffectiveDate = d.EffectiveDate.UTC()
	}
	return z, nil
}

// LoadHazards calls fn with every stored zone.
func (s *HazardStore) LoadHazards(ctx context.Context, fn func(*geo.HazardZone) error) error {
	return s.db.Read(ctx, hazardsCollection, "load", func(ctx context.Context) error {
		cur, err := s.db.Collection(hazardsCollection).Find(ctx, bson.D{})
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var d hazardDoc
			if err := cur.Decode(&d); err != nil {
				return err
			}
			z, err := fromHazardDoc(&d)
			if err != nil {
				return err
			}
			if err := fn(z); err != nil {
				return err
			}
		}
		return cur.Err()
	})
}

// PutHazards inserts the created zones and replaces the updated ones.
func (s *HazardStore) PutHazards(ctx context.Context, created, updated []*geo.HazardZone) error {
	return putDocs(ctx, s.db, hazardsCollection, created, updated, func(z *geo.HazardZone) (any, string, error) {
		d, err := toHazardDoc(z)
		return d, d.ID, err
	})
}

// DeleteHazard removes the zone with id.
func (s *HazardStore) DeleteHazard(ctx context.Context, id string) error {
	return deleteByID(ctx, s.db, hazardsCollection, id, "no hazard zone has id %s")
}
