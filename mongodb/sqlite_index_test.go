package mongodb_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
)

// TestLookupsByIDUseAnIndex checks that the embedded store's tables carry
// an index on the expression its SQLite backend finds documents by, and that
// SQLite plans a lookup by _id with it rather than a scan. Should FerretDB
// change the expression it queries by, the plan turns into a scan and this
// test fails.
func TestLookupsByIDUseAnIndex(t *testing.T) {
	ctx := context.Background()
	db := mongodbtest.Open(t)
	if _, err := db.Collection("households").InsertOne(ctx, bson.D{{Key: "_id", Value: "hh-1"}}); err != nil {
		t.Fatal(err)
	}
	sq, err := sql.Open("sqlite", "file:"+mongodb.SQLiteFile(db)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	var table string
	if err := sq.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = 'households'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	rows, err := sq.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "`+table+`" WHERE _ferretdb_sjson->'$._id' = ?`, `"hh-1"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "USING INDEX "+table+"_commonground_id") {
		t.Errorf("query plan for a lookup by _id: %q, want it to use the index", got)
	}
	// A second Migrate, as at every start, leaves it as it is.
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}
