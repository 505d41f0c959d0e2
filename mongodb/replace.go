package mongodb

import (
	"bytes"
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// cond is a condition a stored document must meet for a replace: the same
// test as a filter (for MongoDB) and as a check of the raw document (for
// FerretDB).
type cond struct {
	filter bson.D
	check  func(bson.Raw) bool
}

// fieldIs is the condition field == value. As in a filter, numbers are
// equal by value whatever their BSON type (an int32 1 is an int64 1).
func fieldIs(field string, value any) cond {
	t, data, err := bson.MarshalValue(value)
	want := bson.RawValue{Type: t, Value: data}
	return cond{
		filter: bson.D{{Key: field, Value: value}},
		check: func(doc bson.Raw) bool {
			got, lookupErr := doc.LookupErr(field)
			if err != nil || lookupErr != nil {
				return false
			}
			if a, ok := number(got); ok {
				b, ok := number(want)
				return ok && a == b
			}
			return got.Type == want.Type && bytes.Equal(got.Value, want.Value)
		},
	}
}

// number returns an integer BSON value as an int64.
func number(v bson.RawValue) (int64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		n, ok := v.Int32OK()
		return int64(n), ok
	case bson.TypeInt64:
		return v.Int64OK()
	}
	return 0, false
}

// notTrue is the condition field != true (absent counts as not true).
func notTrue(field string) cond {
	return cond{
		filter: bson.D{{Key: field, Value: bson.D{{Key: "$ne", Value: true}}}},
		check: func(doc bson.Raw) bool {
			b, ok := doc.Lookup(field).BooleanOK()
			return !ok || !b
		},
	}
}

// replaceIf replaces document id of coll with doc when the stored document
// meets every condition, and reports whether it did; a missing document
// does not match. It is one write.
func (d *DB) replaceIf(ctx context.Context, coll, op, id string, doc any, conds ...cond) (bool, error) {
	return d.writeIf(ctx, coll, op, id, conds, func(ctx context.Context, c *mongo.Collection, filter bson.D) (int64, error) {
		res, err := c.ReplaceOne(ctx, filter, doc)
		if err != nil {
			return 0, err
		}
		return res.MatchedCount, nil
	})
}

// updateIf applies update to document id of coll when the stored document
// meets every condition, and reports whether it did.
func (d *DB) updateIf(ctx context.Context, coll, op, id string, update bson.D, conds ...cond) (bool, error) {
	return d.writeIf(ctx, coll, op, id, conds, func(ctx context.Context, c *mongo.Collection, filter bson.D) (int64, error) {
		res, err := c.UpdateOne(ctx, filter, update)
		if err != nil {
			return 0, err
		}
		return res.MatchedCount, nil
	})
}

// deleteIf deletes document id of coll when the stored document meets
// every condition, and reports whether it did.
func (d *DB) deleteIf(ctx context.Context, coll, op, id string, conds ...cond) (bool, error) {
	return d.writeIf(ctx, coll, op, id, conds, func(ctx context.Context, c *mongo.Collection, filter bson.D) (int64, error) {
		res, err := c.DeleteOne(ctx, filter)
		if err != nil {
			return 0, err
		}
		return res.DeletedCount, nil
	})
}

// writeIf runs write on document id when the stored document meets every
// condition, as one write.
//
// FerretDB reads and decodes every document of a collection for any filter
// but {_id: X}, so a conditional filter costs a scan: 0.45 s per update at
// 5,000 households. Its writes are serialized here, so against it the
// document is read by _id, checked in memory and written by _id, all under
// the write lock, with the same outcome. Elsewhere the conditions go into
// the filter.
func (d *DB) writeIf(ctx context.Context, coll, op, id string, conds []cond,
	write func(ctx context.Context, c *mongo.Collection, filter bson.D) (int64, error)) (matched bool, err error) {
	err = d.Write(ctx, coll, op, func(ctx context.Context) error {
		c := d.Collection(coll)
		filter := bson.D{{Key: "_id", Value: id}}
		if d.SerializesWrites() {
			stored, err := c.FindOne(ctx, filter).Raw()
			if errors.Is(err, mongo.ErrNoDocuments) {
				return nil
			}
			if err != nil {
				return err
			}
			for _, k := range conds {
				if !k.check(stored) {
					return nil
				}
			}
		} else {
			for _, k := range conds {
				filter = append(filter, k.filter...)
			}
		}
		n, err := write(ctx, c, filter)
		matched = n == 1
		return err
	})
	return matched, err
}
