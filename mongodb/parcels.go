package mongodb

import (
	"context"
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

type parcelDoc struct {
	ID               string    `bson:"_id"`
	Source           string    `bson:"source,omitempty"`
	SourceID         string    `bson:"source_id,omitempty"`
	APN              string    `bson:"apn,omitempty"`
	CountyFIPS       string    `bson:"county_fips,omitempty"`
	Address          string    `bson:"address,omitempty"`
	Owner            string    `bson:"owner,omitempty"`
	OwnerType        string    `bson:"owner_type,omitempty"`
	LandUse          string    `bson:"land_use,omitempty"`
	Zoning           string    `bson:"zoning,omitempty"`
	DeededAcres      float64   `bson:"deeded_acres,omitempty"`
	Acres            float64   `bson:"acres"`
	LandValue        int64     `bson:"land_value,omitempty"`
	ImprovementValue int64     `bson:"improvement_value,omitempty"`
	AskingPrice      int64     `bson:"asking_price,omitempty"`
	Currency         string    `bson:"currency"`
	Utilities        []string  `bson:"utilities,omitempty"`
	Notes            string    `bson:"notes,omitempty"`
	Status           string    `bson:"status"`
	RejectedReason   string    `bson:"rejected_reason,omitempty"`
	Geometry         []byte    `bson:"geometry_wkb"`
	CreatedAt        time.Time `bson:"created_at"`
	UpdatedAt        time.Time `bson:"updated_at"`
}

func toParcelDoc(p *geo.Parcel) (parcelDoc, error) {
	g, err := wkb.Marshal(p.Geometry)
	if err != nil {
		return parcelDoc{}, fmt.Errorf("encode parcel %s geometry: %w", p.ID, err)
	}
	return parcelDoc{
		ID: p.ID, Source: p.Source, SourceID: p.SourceID, APN: p.APN, CountyFIPS: p.CountyFIPS,
		Address: p.Address, Owner: p.Owner, OwnerType: p.OwnerType, LandUse: p.LandUse, Zoning: p.Zoning,
		DeededAcres: p.DeededAcres, Acres: p.Acres, LandValue: p.LandValue, ImprovementValue: p.ImprovementValue,
		AskingPrice: p.AskingPrice, Currency: p.Currency, Utilities: p.Utilities, Notes: p.Notes,
		Status: string(p.Status), RejectedReason: p.RejectedReason, Geometry: g,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}, nil
}

func fromParcelDoc(d *parcelDoc) (*geo.Parcel, error) {
	g, err := decodeWKB(d.Geometry)
	if err != nil {
		return nil, fmt.Errorf("parcel %s: %w", d.ID, err)
	}
	return &geo.Parcel{
		ID: d.ID, Source: d.Source, SourceID: d.SourceID, APN: d.APN, CountyFIPS: d.CountyFIPS,
		Address: d.Address, Owner: d.Owner, OwnerType: d.OwnerType, LandUse: d.LandUse, Zoning: d.Zoning,
		DeededAcres: d.DeededAcres, Acres: d.Acres, LandValue: d.LandValue, ImprovementValue: d.ImprovementValue,
		AskingPrice: d.AskingPrice, Currency: d.Currency, Utilities: d.Utilities, Notes: d.Notes,
		Status: geo.ParcelStatus(d.Status), RejectedReason: d.RejectedReason, Geometry: g,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
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

// PutParcels replaces or inserts each parcel by id, in bulk writes of
// writeBatch documents.
func (s *ParcelStore) PutParcels(ctx context.Context, ps []*geo.Parcel) error {
	models := make([]mongo.WriteModel, 0, min(len(ps), writeBatch))
	flush := func() error {
		if len(models) == 0 {
			return nil
		}
		err := s.db.Write(ctx, parcelsCollection, "put", func(ctx context.Context) error {
			_, err := s.db.Collection(parcelsCollection).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
			return err
		})
		models = models[:0]
		return err
	}
	for _, p := range ps {
		d, err := toParcelDoc(p)
		if err != nil {
			return apperr.Wrap(apperr.Internal, err, "the parcel could not be stored")
		}
		models = append(models, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: d.ID}}).SetReplacement(d).SetUpsert(true))
		if len(models) == writeBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
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

// PutHazards replaces or inserts each zone by id.
func (s *HazardStore) PutHazards(ctx context.Context, zs []*geo.HazardZone) error {
	for start := 0; start < len(zs); start += writeBatch {
		batch := zs[start:min(start+writeBatch, len(zs))]
		models := make([]mongo.WriteModel, len(batch))
		for i, z := range batch {
			d, err := toHazardDoc(z)
			if err != nil {
				return apperr.Wrap(apperr.Internal, err, "the hazard zone could not be stored")
			}
			models[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: d.ID}}).SetReplacement(d).SetUpsert(true)
		}
		err := s.db.Write(ctx, hazardsCollection, "put", func(ctx context.Context) error {
			_, err := s.db.Collection(hazardsCollection).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteHazard removes the zone with id.
func (s *HazardStore) DeleteHazard(ctx context.Context, id string) error {
	return deleteByID(ctx, s.db, hazardsCollection, id, "no hazard zone has id %s")
}
