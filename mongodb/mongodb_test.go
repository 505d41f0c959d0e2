package mongodb_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"commonground/apperr"
	"commonground/mongodb"
	"commonground/mongodb/mongodbtest"
)

func TestEmbeddedServerIsDetectedAndSerialized(t *testing.T) {
	db := mongodbtest.Open(t)
	if !db.SerializesWrites() {
		t.Fatal("writes to the embedded server are not serialized")
	}
}

// TestConcurrentIncrementsAreNotLost is the measured failure of the embedded
// server (800 concurrent increments ended at 161) turned into a guarantee.
func TestConcurrentIncrementsAreNotLost(t *testing.T) {
	db := mongodbtest.Open(t)
	ctx := context.Background()
	coll := db.Collection("counters")
	err := db.Write(ctx, "counters", "insert", func(ctx context.Context) error {
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: int64(0)}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	const writers, each = 16, 1000
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := db.Write(ctx, "counters", "inc", func(ctx context.Context) error {
					_, err := coll.UpdateByID(ctx, "c", bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}})
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var got struct {
		N int64 `bson:"n"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "c"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.N != writers*each {
		t.Fatalf("counter = %d, want %d", got.N, writers*each)
	}
}

func TestUniqueViolationsAreConflicts(t *testing.T) {
	db := mongodbtest.Open(t)
	ctx := context.Background()
	coll := db.Collection("accounts_test")
	err := db.Write(ctx, "accounts_test", "create_index", func(ctx context.Context) error {
		_, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
			Keys:    bson.D{{Key: "email", Value: 1}},
			Options: options.Index().SetUnique(true),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	insert := func(id, email string) error {
		return db.Write(ctx, "accounts_test", "insert", func(ctx context.Context) error {
			_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "email", Value: email}})
			return err
		})
	}
	if err := insert("a", "a@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := insert("b", "b@example.org"); err != nil {
		t.Fatal(err)
	}

	err = insert("c", "a@example.org")
	if got := apperr.KindOf(err); got != apperr.Conflict {
		t.Errorf("duplicate insert: kind %q (%v), want conflict", got, err)
	}
	err = insert("a", "z@example.org")
	if got := apperr.KindOf(err); got != apperr.Conflict {
		t.Errorf("duplicate _id: kind %q (%v), want conflict", got, err)
	}
	err = db.Write(ctx, "accounts_test", "update", func(ctx context.Context) error {
		_, err := coll.UpdateByID(ctx, "b", bson.D{{Key: "$set", Value: bson.D{{Key: "email", Value: "a@example.org"}}}})
		return err
	})
	if got := apperr.KindOf(err); got != apperr.Conflict {
		t.Errorf("update into a duplicate: kind %q (%v), want conflict", got, err)
	}
	var ae *apperr.Error
	if ok := asAppErr(err, &ae); ok && strings.Contains(strings.ToLower(ae.Message), "sql") {
		t.Errorf("conflict message leaks database text: %q", ae.Message)
	}
}

func asAppErr(err error, target **apperr.Error) bool {
	e, ok := err.(*apperr.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestNotFoundIsTranslated(t *testing.T) {
	db := mongodbtest.Open(t)
	err := db.Read(context.Background(), "counters", "find", func(ctx context.Context) error {
		return db.Collection("counters").FindOne(ctx, bson.D{{Key: "_id", Value: "missing"}}).Err()
	})
	if got := apperr.KindOf(err); got != apperr.NotFound {
		t.Fatalf("kind %q, want not_found", got)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	db := mongodbtest.Open(t) // migrated once already
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	n, err := db.Collection("migrations").CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no migration was recorded")
	}
}

func TestUnwritableDataDirIsAClearError(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores permission bits, so use a path under a regular file.
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := mongodb.Open(context.Background(), mongodb.Config{DataDir: filepath.Join(file, "data")})
		if err == nil || !strings.Contains(err.Error(), "database directory") {
			t.Fatalf("Open under a file: %v, want a database directory error", err)
		}
		return
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err := mongodb.Open(context.Background(), mongodb.Config{DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("Open in a read-only dir: %v, want a not writable error", err)
	}
}

// TestAcknowledgedWritesSurviveKill runs a writer in a child process against
// an embedded store, kills it with SIGKILL mid-stream, reopens the store and
// checks that every write the child saw acknowledged is there.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	if os.Getenv("COMMONGROUND_KILL_WRITER_DIR") != "" {
		runKillWriter(os.Getenv("COMMONGROUND_KILL_WRITER_DIR"))
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcknowledgedWritesSurviveKill$")
	cmd.Env = append(os.Environ(), "COMMONGROUND_KILL_WRITER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "ack "); ok {
			acked = append(acked, id)
			if len(acked) == 300 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("writer acknowledged only %d writes before it stopped", len(acked))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close(ctx)
	for _, id := range acked {
		err := db.Read(ctx, "kill_test", "find", func(ctx context.Context) error {
			return db.Collection("kill_test").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err()
		})
		if err != nil {
			t.Fatalf("acknowledged write %s is missing after kill -9: %v", id, err)
		}
	}
}

func runKillWriter(dir string) {
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("w%06d", i)
		err := db.Write(ctx, "kill_test", "insert", func(ctx context.Context) error {
			_, err := db.Collection("kill_test").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "payload", Value: strings.Repeat("x", 200)}})
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("ack %s\n", id)
	}
}
