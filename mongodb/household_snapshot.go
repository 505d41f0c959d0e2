package mongodb

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"commonground/apperr"
	"commonground/community"
)

// Start-up snapshots of the households collection.
//
// The embedded store spends about a hundred microseconds on every document
// it reads, whatever its size, and it reads (decodes) every document of a
// collection for any filter but {_id: X}. Reading 100,000 households one
// document each takes over a minute on a small machine. A snapshot packs
// the stored household documents, byte for byte (records still sealed),
// into a few chunk documents of a few megabytes; a load reads the chunks,
// then the households changed since, each by _id.
//
// The household documents stay the system of record: every change is still
// one write of one household document, with its version check, and the
// snapshot is a derived copy. What changed since the snapshot is told by
// change records, written before each household write: a record names the
// household and the epoch of the write. A crash between the two leaves a
// record of a change that did not happen, which costs one needless read.
// A load first moves the epoch on (holding off writes only for that one
// manifest write, so that every write of an older epoch has finished), then
// reads the snapshot, the change records and the households they name. What
// it read is the whole collection as of the move, so it may write it as the
// next snapshot and then delete the change records of older epochs. The
// manifest document names the current snapshot's chunks; updating it is
// the one write that switches snapshots.
//
// This needs every write to pass through this process, which only the
// embedded store guarantees (it lives in the process). Against a MongoDB
// deployment, where other replicas may write and where a full read is fast,
// no snapshot is kept: a load reads every document and drops any manifest,
// so that data moved back to the embedded store is read in full once.
//
// Household documents are never deleted (an erased household keeps its
// document, written like any change), so a delete never goes unseen.
const householdSnapshotsCollection = "household_snapshots"

const householdChangesCollection = "household_changes"

const householdManifestID = "manifest"

// householdChunkBytes bounds a chunk document, far below the 16 MB limit.
const householdChunkBytes = 2 << 20

// householdSnapshotAfter is how many documents newer than the snapshot
// make a load write a new one.
const householdSnapshotAfter = 1000

func init() {
	collections = append(collections, householdSnapshotsCollection, householdChangesCollection)
}

// householdSnapshots is a HouseholdStore's snapshot state.
type householdSnapshots struct {
	// mu is held for reading by each write while it stamps and writes,
	// and for writing while the epoch moves on.
	mu    sync.RWMutex
	epoch int64 // of the writes now; 0 until read from the manifest
	// active is true once a snapshot exists or is being made: writes then
	// record their changes.
	active bool

	// build makes loads (which may write a snapshot) one at a time.
	build sync.Mutex

	// after overrides householdSnapshotAfter (tests).
	after int
}

// householdManifestDoc names the current snapshot. SnapshotEpoch 0 means
// there is none yet.
type householdManifestDoc struct {
	ID            string   `bson:"_id"`
	NextEpoch     int64    `bson:"next_epoch"`
	SnapshotEpoch int64    `bson:"snapshot_epoch"`
	Chunks        []string `bson:"chunks"`
	Count         int      `bson:"count"`
	// Building is the epoch of a snapshot being written; if that write
	// stopped half way, the next one deletes its chunks.
	Building int64 `bson:"building,omitempty"`
}

// householdChunkDoc holds stored household documents as concatenated BSON.
type householdChunkDoc struct {
	ID   string `bson:"_id"`
	Data []byte `bson:"data"`
}

func (s *HouseholdStore) snapshots() *mongo.Collection {
	return s.db.Collection(householdSnapshotsCollection)
}

// soleWriter reports whether every write passes through this store, which
// epochs and snapshots rely on.
func (s *HouseholdStore) soleWriter() bool { return s.db.Embedded() }

// householdChangeDoc records that a household is being written in an epoch.
type householdChangeDoc struct {
	ID        string `bson:"_id"` // epoch:household, so one per household and epoch
	Epoch     int64  `bson:"epoch"`
	Household string `bson:"household"`
}

// stamped runs write, a write of the households ids, after recording the
// change when a snapshot exists.
func (s *HouseholdStore) stamped(ctx context.Context, ids []string, write func() error) error {
	if !s.soleWriter() {
		return write()
	}
	s.snap.mu.RLock()
	epoch := s.snap.epoch
	s.snap.mu.RUnlock()
	if epoch == 0 {
		if err := s.readEpoch(ctx); err != nil {
			return err
		}
	}
	s.snap.mu.RLock()
	defer s.snap.mu.RUnlock()
	if !s.snap.active {
		return write()
	}
	docs := make([]any, len(ids))
	for i, id := range ids {
		docs[i] = householdChangeDoc{ID: fmt.Sprintf("%d:%s", s.snap.epoch, id), Epoch: s.snap.epoch, Household: id}
	}
	err := s.db.Write(ctx, householdChangesCollection, "insert", func(ctx context.Context) error {
		_, err := s.db.Collection(householdChangesCollection).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
			for _, we := range bwe.WriteErrors {
				if we.Code != 11000 && !strings.Contains(we.Message, "UNIQUE constraint failed") {
					return err
				}
			}
			return nil // already recorded in this epoch
		}
		return err
	})
	if err != nil {
		return err
	}
	return write()
}

// readEpoch learns the epoch from the manifest on the first write.
func (s *HouseholdStore) readEpoch(ctx context.Context) error {
	m, err := s.readManifest(ctx)
	if err != nil {
		return err
	}
	s.snap.mu.Lock()
	defer s.snap.mu.Unlock()
	if s.snap.epoch == 0 {
		s.snap.epoch = max(m.NextEpoch, 1)
		s.snap.active = m.SnapshotEpoch > 0
	}
	return nil
}

func (s *HouseholdStore) readManifest(ctx context.Context) (householdManifestDoc, error) {
	var m householdManifestDoc
	err := s.db.Read(ctx, householdSnapshotsCollection, "find_manifest", func(ctx context.Context) error {
		return s.snapshots().FindOne(ctx, bson.D{{Key: "_id", Value: householdManifestID}}).Decode(&m)
	})
	if apperr.Is(err, apperr.NotFound) {
		return householdManifestDoc{ID: householdManifestID}, nil
	}
	return m, err
}

// advanceEpoch moves the epoch on and returns the one before: every write
// stamped with it or earlier has finished.
func (s *HouseholdStore) advanceEpoch(ctx context.Context, m householdManifestDoc) (int64, error) {
	s.snap.mu.Lock()
	defer s.snap.mu.Unlock()
	cur := s.snap.epoch
	if cur == 0 {
		cur = max(m.NextEpoch, 1)
	}
	err := s.db.Write(ctx, householdSnapshotsCollection, "advance_epoch", func(ctx context.Context) error {
		_, err := s.snapshots().UpdateOne(ctx, bson.D{{Key: "_id", Value: householdManifestID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "next_epoch", Value: cur + 1}}}}, options.Update().SetUpsert(true))
		return err
	})
	if err != nil {
		return 0, err
	}
	s.snap.epoch = cur + 1
	s.snap.active = true
	return cur, nil
}

// readStored streams every stored household document to emit, from the
// snapshot and the documents written after it when there is one. It
// writes a new snapshot when many documents were newer than the old one,
// or when a household erased since still has its record in the old one.
func (s *HouseholdStore) readStored(ctx context.Context, emit func(bson.Raw) error) error {
	if !s.soleWriter() {
		err := s.db.Write(ctx, householdSnapshotsCollection, "drop_manifest", func(ctx context.Context) error {
			_, err := s.snapshots().DeleteOne(ctx, bson.D{{Key: "_id", Value: householdManifestID}})
			return err
		})
		if err != nil {
			return err
		}
		return s.scanHouseholds(ctx, bson.D{}, func(raw bson.Raw) error { return emit(raw) })
	}

	s.snap.build.Lock()
	defer s.snap.build.Unlock()
	m, err := s.readManifest(ctx)
	if err != nil {
		return err
	}
	epoch, err := s.advanceEpoch(ctx, m)
	if err != nil {
		return err
	}

	after := s.snap.after
	if after <= 0 {
		after = householdSnapshotAfter
	}
	full := m.SnapshotEpoch == 0
	var changed []string
	if !full {
		if changed, err = s.changedHouseholds(ctx); err != nil {
			return err
		}
		// With many changes one scan costs less than a read each.
		full = len(changed) > m.Count/5+after
	}
	chunks := householdChunkWriter{store: s, epoch: epoch}
	if full {
		if err := chunks.start(ctx, m); err != nil {
			return err
		}
		err := s.scanHouseholds(ctx, bson.D{}, func(raw bson.Raw) error {
			if err := chunks.add(ctx, raw); err != nil {
				return err
			}
			return emit(raw)
		})
		if err != nil {
			return err
		}
		return chunks.finish(ctx, m)
	}

	// The households changed since the snapshot replace their copies in it.
	newer := make(map[string]bson.Raw, len(changed))
	erased := false
	for _, id := range changed {
		var raw bson.Raw
		err := s.db.Read(ctx, householdsCollection, "find_by_id", func(ctx context.Context) error {
			var err error
			raw, err = s.coll().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
			return err
		})
		if apperr.Is(err, apperr.NotFound) {
			continue // its write failed after the change was recorded
		}
		if err != nil {
			return err
		}
		newer[id] = raw
		if e, _ := raw.Lookup("erased").BooleanOK(); e {
			erased = true
		}
	}
	// A household erased since the snapshot may still have its sealed
	// record there: an erasure always replaces the snapshot.
	build := len(newer) >= after || erased
	if build {
		if err := chunks.start(ctx, m); err != nil {
			return err
		}
	}
	out := func(raw bson.Raw) error {
		if build {
			if err := chunks.add(ctx, raw); err != nil {
				return err
			}
		}
		return emit(raw)
	}
	// One scan of the snapshot collection: looking each chunk up by _id
	// makes the embedded store parse the whole chunk in SQLite as well.
	current := make(map[string]bool, len(m.Chunks))
	for _, id := range m.Chunks {
		current[id] = true
	}
	seen := 0
	err = s.db.Read(ctx, householdSnapshotsCollection, "find_chunks", func(ctx context.Context) error {
		cur, err := s.snapshots().Find(ctx, bson.D{}, options.Find().SetBatchSize(4))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var c householdChunkDoc
			if id, _ := cur.Current.Lookup("_id").StringValueOK(); !current[id] {
				continue // the manifest, or a chunk of an unfinished snapshot
			}
			if err := cur.Decode(&c); err != nil {
				return err
			}
			seen++
			err := eachChunkDoc(c.Data, func(raw bson.Raw) error {
				if hid, _ := raw.Lookup("_id").StringValueOK(); newer[hid] != nil {
					return nil
				}
				return out(raw)
			})
			if err != nil {
				return err
			}
		}
		return cur.Err()
	})
	if err != nil {
		return err
	}
	if seen != len(m.Chunks) {
		return apperr.New(apperr.Internal, "the household snapshot is missing %d chunks", len(m.Chunks)-seen)
	}
	for _, raw := range newer {
		if err := out(raw); err != nil {
			return err
		}
	}
	if !build {
		return nil
	}
	return chunks.finish(ctx, m)
}

// Compact writes a new snapshot while the service runs, once as many
// households changed since the last one as make a load write one, so that
// a server that has run for months restarts as fast as one just started.
// It reads as a load does, concurrently with writes, and discards what it
// read. When there is too little to do it only counts the change records.
// It reports whether it wrote a snapshot.
func (s *HouseholdStore) Compact(ctx context.Context) (bool, error) {
	if !s.soleWriter() {
		return false, nil
	}
	changed, err := s.changedHouseholds(ctx)
	if err != nil {
		return false, err
	}
	after := s.snap.after
	if after <= 0 {
		after = householdSnapshotAfter
	}
	if len(changed) < after {
		return false, nil
	}
	if err := s.readStored(ctx, func(bson.Raw) error { return nil }); err != nil {
		return false, err
	}
	return true, nil
}

// changedHouseholds returns the households named by change records.
func (s *HouseholdStore) changedHouseholds(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.Read(ctx, householdChangesCollection, "find_all", func(ctx context.Context) error {
		cur, err := s.db.Collection(householdChangesCollection).Find(ctx, bson.D{})
		if err != nil {
			return err
		}
		var docs []householdChangeDoc
		if err := cur.All(ctx, &docs); err != nil {
			return err
		}
		seen := make(map[string]bool, len(docs))
		for _, d := range docs {
			if !seen[d.Household] {
				seen[d.Household] = true
				ids = append(ids, d.Household)
			}
		}
		return nil
	})
	return ids, err
}

// scanHouseholds streams the household documents matching filter, copied.
func (s *HouseholdStore) scanHouseholds(ctx context.Context, filter bson.D, fn func(bson.Raw) error) error {
	return s.db.Read(ctx, householdsCollection, "find_all", func(ctx context.Context) error {
		cur, err := s.coll().Find(ctx, filter, options.Find().SetBatchSize(2000))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			if err := fn(append(bson.Raw(nil), cur.Current...)); err != nil {
				return err
			}
		}
		return cur.Err()
	})
}

// eachChunkDoc calls fn with each BSON document packed in data.
func eachChunkDoc(data []byte, fn func(bson.Raw) error) error {
	for len(data) > 0 {
		if len(data) < 5 {
			return apperr.New(apperr.Internal, "a household snapshot chunk is damaged")
		}
		n := int(binary.LittleEndian.Uint32(data))
		if n < 5 || n > len(data) {
			return apperr.New(apperr.Internal, "a household snapshot chunk is damaged")
		}
		if err := fn(bson.Raw(data[:n:n])); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// householdChunkWriter writes a new snapshot chunk by chunk.
type householdChunkWriter struct {
	store *HouseholdStore
	epoch int64
	buf   []byte
	ids   []string
	count int
}

func householdChunkID(epoch int64, i int) string { return fmt.Sprintf("e%d-%d", epoch, i) }

// start deletes the chunks of a snapshot whose writing stopped half way
// and records that this one is being written.
func (w *householdChunkWriter) start(ctx context.Context, m householdManifestDoc) error {
	s := w.store
	if m.Building != 0 && m.Building != m.SnapshotEpoch {
		for i := 0; ; i++ {
			var deleted int64
			err := s.db.Write(ctx, householdSnapshotsCollection, "delete_chunk", func(ctx context.Context) error {
				res, err := s.snapshots().DeleteOne(ctx, bson.D{{Key: "_id", Value: householdChunkID(m.Building, i)}})
				if err == nil {
					deleted = res.DeletedCount
				}
				return err
			})
			if err != nil {
				return err
			}
			if deleted == 0 {
				break
			}
		}
	}
	return s.db.Write(ctx, householdSnapshotsCollection, "start_snapshot", func(ctx context.Context) error {
		_, err := s.snapshots().UpdateOne(ctx, bson.D{{Key: "_id", Value: householdManifestID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "building", Value: w.epoch}}}})
		return err
	})
}

func (w *householdChunkWriter) add(ctx context.Context, raw bson.Raw) error {
	if len(w.buf)+len(raw) > householdChunkBytes && len(w.buf) > 0 {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	w.buf = append(w.buf, raw...)
	w.count++
	return nil
}

func (w *householdChunkWriter) flush(ctx context.Context) error {
	id := householdChunkID(w.epoch, len(w.ids))
	s := w.store
	err := s.db.Write(ctx, householdSnapshotsCollection, "insert_chunk", func(ctx context.Context) error {
		_, err := s.snapshots().InsertOne(ctx, householdChunkDoc{ID: id, Data: w.buf})
		return err
	})
	if err != nil {
		return err
	}
	w.ids = append(w.ids, id)
	w.buf = nil
	return nil
}

// finish writes the last chunk, switches the manifest to the new snapshot
// and deletes the old snapshot's chunks.
func (w *householdChunkWriter) finish(ctx context.Context, old householdManifestDoc) error {
	if len(w.buf) > 0 {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	s := w.store
	chunks := w.ids
	if chunks == nil {
		chunks = []string{}
	}
	err := s.db.Write(ctx, householdSnapshotsCollection, "switch_snapshot", func(ctx context.Context) error {
		_, err := s.snapshots().UpdateOne(ctx, bson.D{{Key: "_id", Value: householdManifestID}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "snapshot_epoch", Value: w.epoch}, {Key: "chunks", Value: chunks}, {Key: "count", Value: w.count},
		}}})
		return err
	})
	if err != nil {
		return err
	}
	for _, id := range old.Chunks {
		err := s.db.Write(ctx, householdSnapshotsCollection, "delete_chunk", func(ctx context.Context) error {
			_, err := s.snapshots().DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
			return err
		})
		if err != nil {
			return err
		}
	}
	// Changes of later epochs (writes made while this load ran) stay.
	return s.db.Write(ctx, householdChangesCollection, "delete_covered", func(ctx context.Context) error {
		_, err := s.db.Collection(householdChangesCollection).DeleteMany(ctx, bson.D{{Key: "epoch", Value: bson.D{{Key: "$lte", Value: w.epoch}}}})
		return err
	})
}

// householdLoaded is one stored document, opened.
type householdLoaded struct {
	household *community.Household
	remainder *community.HouseholdRemainder
	err       error
}

func (s *HouseholdStore) openRaw(raw bson.Raw) householdLoaded {
	var d householdDoc
	if err := bson.Unmarshal(raw, &d); err != nil {
		return householdLoaded{err: apperr.Wrap(apperr.Internal, err, "a stored household could not be decoded")}
	}
	if d.Erased {
		if d.Remainder == nil {
			return householdLoaded{}
		}
		r := fromRemainderDoc(d.Remainder)
		return householdLoaded{remainder: &r}
	}
	h, err := fromHouseholdDoc(s.ring, &d)
	return householdLoaded{household: h, err: err}
}

// LoadHouseholds reads every stored household in one pass, opening the
// sealed records on every core, and calls fn with each (one call at a time,
// in no particular order); it returns the remainders of erased households.
func (s *HouseholdStore) LoadHouseholds(ctx context.Context, fn func(*community.Household) error) ([]community.HouseholdRemainder, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const batchSize = 256
	workers := runtime.GOMAXPROCS(0)
	batches := make(chan []bson.Raw, workers)
	results := make(chan []householdLoaded, workers)

	var readErr error
	go func() {
		defer close(batches)
		var batch []bson.Raw
		readErr = s.readStored(ctx, func(raw bson.Raw) error {
			batch = append(batch, raw)
			if len(batch) < batchSize {
				return nil
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			batch = nil
			return nil
		})
		if readErr == nil && len(batch) > 0 {
			batches <- batch
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				out := make([]householdLoaded, len(b))
				for i, raw := range b {
					out[i] = s.openRaw(raw)
				}
				results <- out
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var rems []community.HouseholdRemainder
	var err error
	for out := range results {
		for _, l := range out {
			if err != nil {
				break
			}
			switch {
			case l.err != nil:
				err = l.err
			case l.remainder != nil:
				rems = append(rems, *l.remainder)
			case l.household != nil:
				err = fn(l.household)
			}
			if err != nil {
				cancel()
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	return rems, nil
}
