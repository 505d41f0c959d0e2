package mongodb_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.mongodb.org/mongo-driver/bson"

	"commonground/apperr"
	"commonground/community"
	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
	"commonground/seal"
)

// openEmbedded starts a store on its own embedded server in dir, the way
// Common Ground runs without a MongoDB URI: snapshots are kept only then.
func openEmbedded(t *testing.T, dir string, ring *seal.Keyring, after int) (*mongodb.DB, *mongodb.HouseholdStore) {
	t.Helper()
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close(ctx)
		t.Fatal(err)
	}
	store := mongodb.NewHouseholdStore(db, ring)
	mongodb.SetHouseholdSnapshotAfter(store, after)
	return db, store
}

type loaded struct {
	Households map[string]*community.Household
	Remainders []community.HouseholdRemainder
}

func loadAll(t *testing.T, store *mongodb.HouseholdStore) loaded {
	t.Helper()
	got := loaded{Households: map[string]*community.Household{}}
	rems, err := store.LoadHouseholds(context.Background(), func(h *community.Household) error {
		if _, dup := got.Households[h.ID]; dup {
			t.Errorf("household %s loaded twice", h.ID)
		}
		got.Households[h.ID] = h
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got.Remainders = rems
	return got
}

// snapshotChunks returns the ids of the households in the current
// snapshot, and whether each still has a sealed record there.
func snapshotChunks(t *testing.T, db *mongodb.DB) map[string]bool {
	t.Helper()
	ctx := context.Background()
	var m struct {
		Chunks []string `bson:"chunks"`
	}
	coll := db.Collection("household_snapshots")
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "manifest"}}).Decode(&m); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, id := range m.Chunks {
		var c struct {
			Data []byte `bson:"data"`
		}
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c); err != nil {
			t.Fatalf("chunk %s: %v", id, err)
		}
		for data := c.Data; len(data) > 0; {
			raw := bson.Raw(data[:int(uint32(data[0])|uint32(data[1])<<8|uint32(data[2])<<16|uint32(data[3])<<24)])
			data = data[len(raw):]
			hid := raw.Lookup("_id").StringValue()
			_, _, sealed := raw.Lookup("record").BinaryOK()
			out[hid] = sealed
		}
	}
	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if int(n) != len(m.Chunks)+1 {
		t.Errorf("snapshot collection holds %d documents, want the manifest and %d chunks", n, len(m.Chunks))
	}
	return out
}

// TestHouseholdSnapshots writes, erases and updates households around
// loads that write snapshots, read them with the documents written since,
// and survive a restart: every load must give exactly what is stored.
func TestHouseholdSnapshots(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ring, err := seal.NewKeyring(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	db, store := openEmbedded(t, dir, ring, 4)
	defer func() { db.Close(ctx) }()

	want := loaded{Households: map[string]*community.Household{}}
	create := func(i int) *community.Household {
		h := testHousehold(t, i)
		if err := store.CreateHousehold(ctx, h); err != nil {
			t.Fatal(err)
		}
		want.Households[h.ID] = h
		return h
	}
	update := func(id, notes string) {
		h := want.Households[id].Clone()
		h.Notes = notes
		h.Version++
		if err := store.UpdateHousehold(ctx, h); err != nil {
			t.Fatal(err)
		}
		want.Households[id] = h
	}
	erase := func(id string) {
		rem := community.EraseHousehold(want.Households[id], householdNow)
		if err := store.DeleteHousehold(ctx, id, rem); err != nil {
			t.Fatal(err)
		}
		delete(want.Households, id)
		want.Remainders = append(want.Remainders, rem)
	}
	check := func(step string) {
		t.Helper()
		got := loadAll(t, store)
		sortRems := cmpopts.SortSlices(func(a, b community.HouseholdRemainder) bool {
			return a.Size < b.Size || (a.Size == b.Size && a.Bedrooms < b.Bedrooms)
		})
		if diff := cmp.Diff(got, want, cmpopts.EquateEmpty(), sortRems); diff != "" {
			t.Errorf("%s: loaded (-got +want):\n%s", step, diff)
		}
	}

	for i := range 6 {
		create(i)
	}
	// Before any snapshot, as with data stored before snapshots existed,
	// a load reads every document.
	check("first load, from the documents alone")
	if got := snapshotChunks(t, db); len(got) != 6 {
		t.Errorf("first snapshot holds %d households, want 6", len(got))
	}

	// Fewer changes than the threshold: read from the snapshot and the
	// documents written since, without a new snapshot.
	update("hh-1", "moved to a hotel")
	create(6)
	check("snapshot and two newer documents")
	check("the same again")

	// An erasure replaces the snapshot, so that the erased household's
	// sealed record does not stay in it.
	erase("hh-2")
	check("after an erasure")
	if sealed, ok := snapshotChunks(t, db)["hh-2"]; !ok || sealed {
		t.Errorf("erased household in the snapshot: present %v, sealed record %v; want present without record", ok, sealed)
	}

	for i := 7; i < 10; i++ {
		create(i)
	}
	update("hh-3", "second correction")
	check("enough changes for a new snapshot")
	if n, err := db.Collection("household_changes").CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Errorf("change records after a new snapshot: %d, %v; want none", n, err)
	}
	update("hh-3", "third correction")

	// A restart reads the snapshot and the newer documents from disk, and
	// the version check still refuses a stale copy.
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	db, store = openEmbedded(t, dir, ring, 4)
	check("after a restart")
	stale := want.Households["hh-3"].Clone()
	if err := store.UpdateHousehold(ctx, stale); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("update from a stale copy after a restart: err = %v, want a conflict", err)
	}
	create(10)
	erase("hh-4")
	check("after a restart and more writes")

	// While the server runs: too few changes leave the snapshot be; enough
	// make a new one, after which a load finds no change records.
	update("hh-5", "fourth correction")
	if wrote, err := store.Compact(ctx); err != nil || wrote {
		t.Fatalf("compact with one change = %v, %v; want nothing written", wrote, err)
	}
	for i := 11; i < 15; i++ {
		create(i)
	}
	if wrote, err := store.Compact(ctx); err != nil || !wrote {
		t.Fatalf("compact with five changes = %v, %v; want a snapshot", wrote, err)
	}
	if n, err := db.Collection("household_changes").CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Errorf("change records after compacting: %d, %v; want none", n, err)
	}
	if got := snapshotChunks(t, db); len(got) != 15 {
		t.Errorf("the compacted snapshot holds %d households, want 15", len(got))
	}
	update("hh-11", "after compacting")
	check("after compacting and another write")
}

// TestMigrationCreatesSnapshotCollections upgrades a database migrated
// before the snapshot collections existed.
func TestMigrationCreatesSnapshotCollections(t *testing.T) {
	db := mongodbtest.Open(t)
	ctx := context.Background()
	for _, name := range []string{"household_snapshots", "household_changes"} {
		if err := db.Collection(name).Drop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Collection("migrations").DeleteOne(ctx, bson.D{{Key: "_id", Value: "0002_create_new_collections"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	names, err := db.Database().ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"household_snapshots", "household_changes"} {
		if !slices.Contains(names, want) {
			t.Errorf("collection %s missing after migration; have %v", want, names)
		}
	}
}

// TestHouseholdCompactWhileWriting compacts again and again while four
// writers create and correct households, then checks that a restart loads
// exactly what was written: a snapshot made during writes loses none.
func TestHouseholdCompactWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ring, err := seal.NewKeyring(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	db, store := openEmbedded(t, dir, ring, 3)
	for i := range 4 {
		if err := store.CreateHousehold(ctx, testHousehold(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	loadAll(t, store) // the first snapshot

	const writers, each = 4, 12
	var mu sync.Mutex
	want := map[string]*community.Household{}
	var wg sync.WaitGroup
	for w := range writers {
		mine := make([]*community.Household, each)
		for j := range mine {
			mine[j] = testHousehold(t, 100+w*each+j)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, h := range mine {
				if err := store.CreateHousehold(ctx, h); err != nil {
					t.Error(err)
					return
				}
				h.Notes = fmt.Sprint("corrected by writer ", w)
				h.Version++
				if err := store.UpdateHousehold(ctx, h); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				want[h.ID] = h
				mu.Unlock()
			}
		}()
	}
	compactions := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		wrote, err := store.Compact(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if wrote {
			compactions++
		}
	}
	if compactions == 0 {
		t.Fatal("no snapshot was written while the writers ran")
	}
	t.Logf("%d snapshots written while the writers ran", compactions)
	for i := range 4 {
		want[fmt.Sprintf("hh-%d", i)] = testHousehold(t, i)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, store = openEmbedded(t, dir, ring, 1_000_000) // a load that only reads
	got := loadAll(t, store)
	if diff := cmp.Diff(got.Households, want, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("after %d snapshots made while writing, a restart loads (-got +want):\n%s", compactions, diff)
	}
}
