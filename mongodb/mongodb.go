// Package mongodb is Common Ground's system of record: it is the only package
// that imports the MongoDB driver. It connects to a MongoDB deployment, or
// starts an embedded MongoDB-compatible server (FerretDB with its SQLite
// backend) in-process, and implements the store interfaces that the domain
// packages declare.
//
// The embedded server loses concurrent updates to one document, cannot run
// multi-document transactions and never uses secondary indexes for lookups
// (see DESIGN.md). The stores here therefore serialize writes in embedded
// mode, write one document per logical change, and look single documents up
// by _id only; lists are served from memory by the domain packages.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"

	"commonground/apperr"
)

// Config says where the database is.
type Config struct {
	// URI of a MongoDB deployment; empty starts the embedded server.
	URI string
	// Database name.
	Database string
	// DataDir holds the embedded server's files; unused with a URI.
	DataDir string
	// SQLiteDir is the SQLite directory of an embedded server started
	// apart (StartEmbedded) that URI points at, so that Migrate can index
	// its tables as it does the embedded server's own (see indexIDs).
	SQLiteDir string
	// Logger for the store's own messages; the embedded server logs only errors.
	Logger *slog.Logger
	// Observe, when set, is called after every store operation with its
	// collection, operation name, duration and error; the HTTP layer turns it
	// into latency metrics.
	Observe func(collection, op string, d time.Duration, err error)
}

// DB is an open connection to the database, with the embedded server when
// there is one.
type DB struct {
	client   *mongo.Client
	db       *mongo.Database
	embedded *embeddedServer
	// sqliteDir is the embedded server's SQLite directory, when known.
	sqliteDir string
	logger    *slog.Logger
	observe   func(collection, op string, d time.Duration, err error)

	// writeMu serializes writes to the embedded server, which loses
	// concurrent updates to one document. It is nil against MongoDB.
	writeMu *sync.Mutex

	// groups coalesces concurrent inserts (InsertGrouped).
	groupsOnce sync.Once
	groups     *inserts
}

// Open connects to cfg.URI, or starts the embedded server under cfg.DataDir.
// It checks that the database answers before returning.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Database == "" {
		cfg.Database = "commonground"
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	d := &DB{logger: logger, observe: cfg.Observe, sqliteDir: cfg.SQLiteDir}

	uri := cfg.URI
	if uri == "" {
		d.sqliteDir = filepath.Join(cfg.DataDir, "db")
		srv, err := startEmbedded(ctx, d.sqliteDir, "127.0.0.1:0", logger)
		if err != nil {
			return nil, err
		}
		d.embedded = srv
		uri = srv.uri
	}

	client, err := Connect(ctx, uri)
	if err != nil {
		d.closeEmbedded()
		return nil, err
	}
	d.client = client
	d.db = client.Database(cfg.Database)
	if err := d.Ping(ctx); err != nil {
		d.Close(context.Background())
		return nil, err
	}
	ferret, err := d.isFerretDB(ctx)
	if err != nil {
		d.Close(context.Background())
		return nil, err
	}
	if ferret {
		d.writeMu = new(sync.Mutex)
	}
	return d, nil
}

// isFerretDB asks the server what it is. FerretDB, embedded or not, loses
// concurrent updates to one document, so its writes are serialized.
func (d *DB) isFerretDB(ctx context.Context) (bool, error) {
	var info bson.M
	err := d.Read(ctx, "", "build_info", func(ctx context.Context) error {
		return d.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info)
	})
	if err != nil {
		return false, err
	}
	_, ok := info["ferretdbVersion"]
	return ok, nil
}

// SerializesWrites reports whether writes run one at a time (against FerretDB).
func (d *DB) SerializesWrites() bool { return d.writeMu != nil }

// Connect opens a driver client to uri with Common Ground's timeouts. It does
// not wait for the server; the first operation does.
func Connect(ctx context.Context, uri string) (*mongo.Client, error) {
	opts := options.Client().
		ApplyURI(uri).
		SetServerSelectionTimeout(2 * time.Second).
		SetConnectTimeout(2 * time.Second).
		SetMaxPoolSize(64)
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "cannot connect to the database")
	}
	return client, nil
}

// Database returns the driver database handle for the stores in this package.
func (d *DB) Database() *mongo.Database { return d.db }

// Embedded reports whether the database is the in-process server.
func (d *DB) Embedded() bool { return d.embedded != nil }

// Ping checks that the database answers within ctx's deadline.
func (d *DB) Ping(ctx context.Context) error {
	start := time.Now()
	err := d.client.Ping(ctx, readpref.Primary())
	d.record("", "ping", start, err)
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "the database is unavailable")
	}
	return nil
}

// Close disconnects and stops the embedded server, waiting for it to finish.
func (d *DB) Close(ctx context.Context) error {
	var err error
	if d.client != nil {
		err = d.client.Disconnect(ctx)
	}
	d.closeEmbedded()
	return err
}

func (d *DB) closeEmbedded() {
	if d.embedded != nil {
		d.embedded.stop()
	}
}

// Collection returns a collection handle.
func (d *DB) Collection(name string) *mongo.Collection { return d.db.Collection(name) }

// Write runs fn as one write. In embedded mode writes run one at a time so
// that none is lost; against MongoDB they run concurrently.
func (d *DB) Write(ctx context.Context, collection, op string, fn func(ctx context.Context) error) error {
	if d.writeMu != nil {
		d.writeMu.Lock()
		defer d.writeMu.Unlock()
	}
	if err := ctx.Err(); err != nil {
		return Translate(err)
	}
	start := time.Now()
	err := fn(ctx)
	d.record(collection, op, start, err)
	return Translate(err)
}

// Read runs fn as one read, recording its latency and translating its error.
func (d *DB) Read(ctx context.Context, collection, op string, fn func(ctx context.Context) error) error {
	start := time.Now()
	err := fn(ctx)
	d.record(collection, op, start, err)
	return Translate(err)
}

func (d *DB) record(collection, op string, start time.Time, err error) {
	if d.observe != nil {
		d.observe(collection, op, time.Since(start), err)
	}
}

// embeddedServer is an in-process FerretDB listening on loopback.
type embeddedServer struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// newMu guards ferretdb.New, which writes global state: two servers started
// at once race.
var newMu sync.Mutex

// StartEmbedded starts an embedded server storing its files in dir and
// listening on addr ("127.0.0.1:0" for a random port). It returns the server's
// URI and a function that stops it and waits until it has stopped. It is
// exported for tests that need a database they can stop and start again.
func StartEmbedded(ctx context.Context, dir, addr string) (uri string, stop func(), err error) {
	srv, err := startEmbedded(ctx, dir, addr, nil)
	if err != nil {
		return "", nil, err
	}
	return srv.uri, srv.stop, nil
}

func startEmbedded(ctx context.Context, dir, addr string, logger *slog.Logger) (*embeddedServer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the database directory %s: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return nil, fmt.Errorf("the database directory %s is not writable: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())

	if addr == "" {
		addr = "127.0.0.1:0"
	}
	// FerretDB reports only the address it was given, so pick a free port
	// first when asked for a random one.
	if host, port, err := net.SplitHostPort(addr); err == nil && port == "0" {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("cannot find a free port for the embedded database: %w", err)
		}
		addr = l.Addr().String()
		l.Close()
	}

	// The embedded server logs every connection at INFO; keep only errors.
	var handler slog.Handler = slog.DiscardHandler
	if logger != nil {
		handler = logger.Handler()
	}
	quiet := slog.New(levelFilter{Handler: handler, min: slog.LevelError})

	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	sqliteURL := (&url.URL{Scheme: "file", Path: abs + "/"}).String()

	newMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
		Logger:    quiet,
	})
	newMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("cannot start the embedded database: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx)
	}()
	srv := &embeddedServer{uri: embeddedURI(addr), cancel: cancel, done: done}

	// Wait until it accepts connections.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			srv.stop()
			return nil, fmt.Errorf("the embedded database did not start listening on %s: %w", addr, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return srv, nil
}

func embeddedURI(addr string) string {
	return (&url.URL{Scheme: "mongodb", Host: addr, Path: "/"}).String()
}

func (s *embeddedServer) stop() {
	s.cancel()
	<-s.done
}

// levelFilter drops records below min.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (h levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFilter) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFilter{Handler: h.Handler.WithAttrs(as), min: h.min}
}

func (h levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{Handler: h.Handler.WithGroup(name), min: h.min}
}

// Translate turns a driver error into a domain error kind. The driver's text
// (which from the embedded server may carry SQL and source paths) is kept as
// the cause for logs and never shown to a client.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return apperr.Wrap(apperr.NotFound, err, "not found")
	case mongo.IsDuplicateKeyError(err), isUniqueViolationOnUpdate(err):
		return apperr.Wrap(apperr.Conflict, err, "a record with the same key already exists")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return apperr.Wrap(apperr.Unavailable, err, "the database did not answer in time")
	case mongo.IsTimeout(err), mongo.IsNetworkError(err), isServerSelection(err):
		return apperr.Wrap(apperr.Unavailable, err, "the database is unavailable")
	}
	return apperr.Wrap(apperr.Internal, err, "database error")
}

// isUniqueViolationOnUpdate recognises the embedded server's answer to an
// update that breaks a unique index: an InternalError (code 1) whose text
// names the SQLite constraint, where MongoDB would answer E11000.
func isUniqueViolationOnUpdate(err error) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 1 {
		return strings.Contains(ce.Message, "UNIQUE constraint failed")
	}
	var we mongo.WriteException
	if errors.As(err, &we) {
		for _, e := range we.WriteErrors {
			if e.Code == 1 && strings.Contains(e.Message, "UNIQUE constraint failed") {
				return true
			}
		}
	}
	return false
}

func isServerSelection(err error) bool {
	var sse topology.ServerSelectionError
	return errors.As(err, &sse) || errors.Is(err, topology.ErrServerSelectionTimeout)
}

func asCommandError(err error, target *mongo.CommandError) bool {
	return errors.As(err, target)
}
