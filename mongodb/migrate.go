package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Migration is one ordered, recorded change to the database. ID sorts in the
// order migrations must run ("0001_…"); once applied, a migration is recorded
// in the migrations collection and never runs again.
type Migration struct {
	ID string
	Up func(ctx context.Context, db *mongo.Database) error
}

// IndexSet is the indexes one collection needs.
type IndexSet struct {
	Collection string
	Indexes    []mongo.IndexModel
}

const migrationsCollection = "migrations"

// migrations are applied in this order at start.
var migrations = []Migration{
	{ID: "0001_create_collections", Up: createCollections},
	// Collections added since 0001 ran (household_snapshots). Existing
	// household documents need no change: without an epoch they read as
	// older than any snapshot, and the first load snapshots them all.
	{ID: "0002_create_new_collections", Up: createCollections},
}

// collections every store uses; created up front so that the first write of
// each does not race to create it.
var collections = []string{
	"counters",
	collLedger, collCampaigns, collPledges, collGrants, collLoans, collDisbursements, collIdempotency,
}

// indexes every store needs; created idempotently at start.
var indexes []IndexSet

func createCollections(ctx context.Context, db *mongo.Database) error {
	existing, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(existing))
	for _, name := range existing {
		have[name] = true
	}
	for _, name := range collections {
		if have[name] {
			continue
		}
		if err := db.CreateCollection(ctx, name); err != nil && !isNamespaceExists(err) {
			return fmt.Errorf("create collection %s: %w", name, err)
		}
	}
	return nil
}

func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return asCommandError(err, &ce) && ce.Code == 48
}

// Migrate creates every index and applies every migration not yet recorded.
// It is safe to run at every start.
func (d *DB) Migrate(ctx context.Context) error {
	if err := d.migrate(ctx, migrations, indexes); err != nil {
		return err
	}
	// Without the index every lookup is slower, but nothing is wrong: the
	// service starts and says so.
	if err := d.indexIDs(ctx); err != nil {
		d.logger.Warn("lookups by id will scan: the embedded store's tables could not be indexed", "err", err)
	}
	return nil
}

func (d *DB) migrate(ctx context.Context, ms []Migration, idx []IndexSet) error {
	for _, set := range idx {
		if len(set.Indexes) == 0 {
			continue
		}
		err := d.Write(ctx, set.Collection, "create_indexes", func(ctx context.Context) error {
			_, err := d.db.Collection(set.Collection).Indexes().CreateMany(ctx, set.Indexes)
			return err
		})
		if err != nil {
			return fmt.Errorf("create indexes on %s: %w", set.Collection, err)
		}
	}

	applied := map[string]bool{}
	err := d.Read(ctx, migrationsCollection, "find", func(ctx context.Context) error {
		cur, err := d.db.Collection(migrationsCollection).Find(ctx, bson.D{})
		if err != nil {
			return err
		}
		var docs []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return err
		}
		for _, doc := range docs {
			applied[doc.ID] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}

	for i, m := range ms {
		if i > 0 && ms[i-1].ID >= m.ID {
			return fmt.Errorf("migration %s is out of order", m.ID)
		}
		if applied[m.ID] {
			continue
		}
		if err := m.Up(ctx, d.db); err != nil {
			return fmt.Errorf("migration %s: %w", m.ID, Translate(err))
		}
		err := d.Write(ctx, migrationsCollection, "insert", func(ctx context.Context) error {
			_, err := d.db.Collection(migrationsCollection).InsertOne(ctx, bson.D{
				{Key: "_id", Value: m.ID},
				{Key: "applied_at", Value: time.Now().UTC()},
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("record migration %s: %w", m.ID, err)
		}
		d.logger.Info("applied migration", "migration", m.ID)
	}
	return nil
}
