package mongodb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the embedded server's SQLite, opened to add indexes
)

// indexIDs gives every collection table of the embedded server an index on
// the expression its SQLite backend looks documents up by.
//
// FerretDB 1.24 finds, updates and deletes a document by _id with
// `WHERE _ferretdb_sjson->'$._id' = ?`, but indexes _id as
// `_ferretdb_sjson->"_id"`. SQLite matches an index only to the same
// expression, so every lookup by _id scanned its table: about 4 µs a row,
// 20 ms to update one of 5,000 households. With an index on the very
// expression the lookups use, a lookup is a B-tree search. FerretDB does not
// know of the index and needs not: SQLite keeps it on every write and drops
// it with its table.
//
// It runs once the collections exist (Migrate), before the service takes
// writes, and indexes only tables not indexed yet. Against MongoDB, or an
// embedded server whose files are unknown, it does nothing.
func (d *DB) indexIDs(ctx context.Context) error {
	if d.sqliteDir == "" || !d.SerializesWrites() {
		return nil
	}
	file := filepath.Join(d.sqliteDir, d.db.Name()+".sqlite")
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("index the embedded store: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: file, RawQuery: q.Encode()}).String())
	if err != nil {
		return fmt.Errorf("index the embedded store: %w", err)
	}
	defer db.Close()
	// The tables not yet indexed, then their indexes in one transaction:
	// one commit, not one per table.
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections
		WHERE table_name || '_commonground_id' NOT IN (SELECT name FROM sqlite_master WHERE type = 'index')`)
	if err != nil {
		return fmt.Errorf("index the embedded store: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("index the embedded store: %w", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("index the embedded store: %w", err)
	}
	if len(tables) == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("index the embedded store: %w", err)
	}
	defer tx.Rollback()
	for _, t := range tables {
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_commonground_id", t)
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("index the embedded store: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("index the embedded store: %w", err)
	}
	return nil
}
