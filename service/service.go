// Package service wires Common Ground together: it opens the store, builds
// the domain services from it and hands them to the HTTP server. main and
// the HTTP tests start the service the same way through this package.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"commonground/mongodb"
	"commonground/server"
)

// Config is everything the service needs to start.
type Config struct {
	// DataDir holds the embedded database and generated keys.
	DataDir string
	// MongoURI of a MongoDB deployment; empty starts the embedded server.
	MongoURI string
	// MongoDatabase is the database name.
	MongoDatabase string
	// HTTP tunes the HTTP layer.
	HTTP server.Config
	// Logger for everything; nil discards.
	Logger *slog.Logger
	// Now is the clock of the community routes; nil means time.Now. Tests
	// move it to cross provisional periods and voting windows.
	Now func() time.Time
}

// Service is a running Common Ground: its store and its HTTP server.
type Service struct {
	DB     *mongodb.DB
	Server *server.Server
	logger *slog.Logger
}

// Open opens the store, applies migrations and builds the HTTP server. It
// does not listen; call Serve.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	metrics := server.NewMetrics()
	db, err := mongodb.Open(ctx, mongodb.Config{
		URI:      cfg.MongoURI,
		Database: cfg.MongoDatabase,
		DataDir:  cfg.DataDir,
		Logger:   logger,
		Observe:  metrics.ObserveStore,
	})
	if err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close(context.Background())
		return nil, fmt.Errorf("prepare the database: %w", err)
	}

	communities, err := mongodb.NewCommunityStore(ctx, db)
	if err != nil {
		db.Close(context.Background())
		return nil, fmt.Errorf("load communities: %w", err)
	}

	httpCfg := cfg.HTTP
	httpCfg.Logger = logger
	srv := server.New(httpCfg, server.Deps{
		DB:      db,
		Metrics: metrics,
		Community: &server.CommunityDeps{
			Store: communities,
			Now:   cfg.Now,
		},
	})
	return &Service{DB: db, Server: srv, logger: logger}, nil
}

// Serve answers HTTP requests on ln until Close.
func (s *Service) Serve(ln net.Listener) error {
	return s.Server.Serve(ln)
}

// Close stops accepting requests, lets those in flight finish for up to
// grace, then closes the store (stopping the embedded server cleanly).
func (s *Service) Close(grace time.Duration) error {
	errHTTP := s.Server.Shutdown(grace)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errDB := s.DB.Close(ctx)
	return errors.Join(errHTTP, errDB)
}
