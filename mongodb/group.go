package mongodb

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"commonground/apperr"
	"commonground/groupcommit"
)

// inserts groups concurrent single-document inserts into one collection
// (package groupcommit): while one group is being written, the inserts that
// arrive wait, and the next group writes them all with one InsertMany. On
// the embedded server every write is a SQLite transaction that ends in a
// sync to disk, so under load a group of n inserts costs about what one did.
// Each caller still gets its own answer, and only once its document is
// stored.
type inserts struct {
	mu     sync.Mutex
	colls  map[string]*groupcommit.Queue[*insertReq]
	insert func(ctx context.Context, coll string, docs []any) error
}

type insertReq struct {
	ctx context.Context
	doc any
	err error
}

// groupTimeout bounds one group's write: it outlives the request of the
// caller leading it.
const groupTimeout = 15 * time.Second

// InsertGrouped inserts doc into coll, sharing one write with the inserts
// into coll that other goroutines make at the same time. An existing _id is
// an apperr Conflict, for this document alone.
func (d *DB) InsertGrouped(ctx context.Context, coll string, doc any) error {
	d.groupsOnce.Do(func() {
		d.groups = &inserts{colls: map[string]*groupcommit.Queue[*insertReq]{}, insert: d.insertMany}
	})
	g := d.groups
	g.mu.Lock()
	q := g.colls[coll]
	if q == nil {
		q = new(groupcommit.Queue[*insertReq])
		g.colls[coll] = q
	}
	g.mu.Unlock()
	r := &insertReq{ctx: ctx, doc: doc}
	q.Do(r, func(group []*insertReq) { g.write(coll, group) })
	return r.err
}

// write stores a group and answers each of its callers.
func (g *inserts) write(coll string, batch []*insertReq) {
	var live []*insertReq
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = Translate(err)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	docs := make([]any, len(live))
	for i, r := range live {
		docs[i] = r.doc
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(live[0].ctx), groupTimeout)
	err := g.insert(ctx, coll, docs)
	cancel()
	errs := perDocument(err, len(live))
	for i, r := range live {
		r.err = errs[i]
	}
}

// perDocument splits the error of an unordered InsertMany of n documents
// into each document's own.
func perDocument(err error, n int) []error {
	errs := make([]error, n)
	if err == nil {
		return errs
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0 {
		for _, we := range bwe.WriteErrors {
			if we.Index < 0 || we.Index >= n {
				continue
			}
			if we.Code == 11000 {
				errs[we.Index] = apperr.Wrap(apperr.Conflict, err, "a record with the same key already exists")
			} else {
				errs[we.Index] = apperr.Wrap(apperr.Internal, err, "database error")
			}
		}
		return errs
	}
	err = Translate(err)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// insertMany writes docs to coll as one unordered write, so that one
// document refused does not stop the others.
func (d *DB) insertMany(ctx context.Context, coll string, docs []any) error {
	var raw error
	err := d.Write(ctx, coll, "insert_many", func(ctx context.Context) error {
		_, raw = d.Collection(coll).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		return raw
	})
	if raw != nil {
		return raw
	}
	return err
}
