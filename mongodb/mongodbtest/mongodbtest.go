// Package mongodbtest gives each test its own database on one embedded
// server per test binary, so that tests run against the real wire protocol
// without mocks and without seeing each other's data.
package mongodbtest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/mongodb"
)

var (
	once    sync.Once
	uri     string
	dir     string
	initErr error
)

// URI returns the address of the test binary's embedded server, starting it
// on first use. The server lives until the test binary exits.
func URI(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		dir, initErr = os.MkdirTemp("", "commonground-test-db-")
		if initErr != nil {
			return
		}
		uri, _, initErr = mongodb.StartEmbedded(context.Background(), filepath.Join(dir, "db"), "127.0.0.1:0")
	})
	if initErr != nil {
		t.Fatalf("start the embedded test database: %v", initErr)
	}
	return uri
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// DatabaseName derives a valid, unique database name from the test's name.
func DatabaseName(t testing.TB) string {
	t.Helper()
	name := strings.ToLower(unsafeChars.ReplaceAllString(t.Name(), "_"))
	if len(name) > 40 {
		name = name[:40]
	}
	return name + "_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
}

// Config returns a store configuration for a fresh database of this test on
// the shared embedded server. The database is dropped when the test ends.
func Config(t testing.TB) mongodb.Config {
	t.Helper()
	cfg := mongodb.Config{URI: URI(t), Database: DatabaseName(t), SQLiteDir: filepath.Join(dir, "db")}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		client, err := mongodb.Connect(ctx, cfg.URI)
		if err != nil {
			return
		}
		defer client.Disconnect(ctx)
		_ = client.Database(cfg.Database).Drop(ctx)
	})
	return cfg
}

// Open returns a migrated store on a fresh database of this test. Writes are
// serialized as they are in embedded mode, since the server is the embedded one.
func Open(t testing.TB) *mongodb.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := mongodb.Open(ctx, Config(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}
