package mongodb

import "path/filepath"

// SetHouseholdSnapshotAfter sets how many documents newer than the
// snapshot make a load write a new one, so that tests see snapshots
// written and read with a handful of households.
func SetHouseholdSnapshotAfter(s *HouseholdStore, n int) { s.snap.after = n }

// SQLiteFile is the embedded server's SQLite file of db's database.
func SQLiteFile(db *DB) string { return filepath.Join(db.sqliteDir, db.db.Name()+".sqlite") }
