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
	"path/filepath"
	"sync"
	"time"

	"commonground/auth"
	"commonground/community"
	"commonground/demo"
	"commonground/frontend"
	"commonground/fundpool"
	"commonground/geo"
	"commonground/mongodb"
	"commonground/seal"
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
	// DataKey holds the base64 keys that encrypt secrets and personal data
	// at rest, current key first; empty uses (or creates) a key file in
	// DataDir.
	DataKey string
	// BootstrapAdminEmail and BootstrapAdminPassword create the first
	// steward at start when no account has that email.
	BootstrapAdminEmail    string
	BootstrapAdminPassword string
	// PasswordParams tunes password hashing; zero uses the defaults.
	PasswordParams auth.PasswordParams
	// DeadlineTick is how often campaign deadlines are checked; zero means 10 s.
	DeadlineTick time.Duration
	// Demo seeds the synthetic demo dataset at start (idempotently).
	Demo bool
	// WebApp tells the web app which raster tiles to draw over its offline
	// basemap; the zero value draws none.
	WebApp frontend.Options
	// Now is the clock of the community routes; nil means time.Now. Tests
	// move it to cross provisional periods and voting windows.
	Now func() time.Time
}

// Service is a running Common Ground: its store and its HTTP server.
type Service struct {
	DB     *mongodb.DB
	Server *server.Server
	Auth   *auth.Service
	// Parcels keeps parcels and hazard zones, loaded into memory at start.
	Parcels *geo.Parcels
	// Funds is the fund pool.
	Funds *fundpool.Pool
	// Households is the household service.
	Households *community.Households
	// Keyring encrypts secrets and personal data at rest.
	Keyring *seal.Keyring
	logger  *slog.Logger
	stop    context.CancelFunc
	jobs    sync.WaitGroup
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

	svc := &Service{DB: db, logger: logger}
	fail := func(err error) (*Service, error) {
		db.Close(context.Background())
		return nil, err
	}

	svc.Keyring, err = openKeyring(cfg)
	if err != nil {
		return fail(err)
	}
	if svc.Auth, err = openAuth(ctx, db, svc.Keyring, cfg, logger); err != nil {
		return fail(err)
	}
	communities, err := mongodb.NewCommunityStore(ctx, db)
	if err != nil {
		return fail(fmt.Errorf("load communities: %w", err))
	}
	if svc.Funds, err = openFunds(ctx, db); err != nil {
		return fail(err)
	}
	var householdStore *mongodb.HouseholdStore
	if svc.Households, householdStore, err = openHouseholds(ctx, db, svc.Keyring, cfg.Now); err != nil {
		return fail(err)
	}
	if svc.Parcels, err = openParcels(ctx, db); err != nil {
		return fail(err)
	}
	if cfg.Demo {
		if err := demo.Seed(ctx, demo.Env{Funds: svc.Funds, Households: svc.Households, Parcels: svc.Parcels, Communities: communities}, logger); err != nil {
			return fail(fmt.Errorf("seed the demo data: %w", err))
		}
	}

	httpCfg := cfg.HTTP
	httpCfg.Logger = logger
	svc.Server = server.New(httpCfg, server.Deps{
		DB:      db,
		Metrics: metrics,
		Auth:    svc.Auth,
		Funds:   svc.Funds,
		Geo:     svc.Parcels,
		// Households are served from memory, loaded above.
		Households: svc.Households,
		Community: &server.CommunityDeps{
			Store:      communities,
			Households: svc.Households,
			Now:        cfg.Now,
		},
		WebApp: frontend.Handler(cfg.WebApp),
	})

	jobsCtx, stop := context.WithCancel(context.Background())
	svc.stop = stop
	svc.every(jobsCtx, time.Hour, "delete expired refresh tokens", func(ctx context.Context) error {
		_, err := svc.Auth.Store.DeleteExpiredRefreshTokens(ctx, time.Now())
		return err
	})
	svc.startFundJobs(jobsCtx, cfg.DeadlineTick)
	svc.startHouseholdJobs(jobsCtx, householdStore)
	return svc, nil
}

// openParcels loads every parcel and hazard zone into the spatial index.
func openParcels(ctx context.Context, db *mongodb.DB) (*geo.Parcels, error) {
	p := geo.NewParcels(mongodb.NewParcelStore(db)).WithHazards(mongodb.NewHazardStore(db))
	if err := p.Load(ctx); err != nil {
		return nil, fmt.Errorf("load parcels and hazard zones: %w", err)
	}
	return p, nil
}

// openKeyring returns the keys that encrypt data at rest: from the
// configuration, or a key file generated into the data directory.
func openKeyring(cfg Config) (*seal.Keyring, error) {
	if cfg.DataKey != "" {
		ring, err := seal.ParseKeyring(cfg.DataKey)
		if err != nil {
			return nil, fmt.Errorf("COMMONGROUND_DATA_KEY: %w", err)
		}
		return ring, nil
	}
	ring, err := seal.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, "data.key"))
	if err != nil {
		return nil, fmt.Errorf("data key file: %w", err)
	}
	return ring, nil
}

func openAuth(ctx context.Context, db *mongodb.DB, ring *seal.Keyring, cfg Config, logger *slog.Logger) (*auth.Service, error) {
	store, err := mongodb.NewAuthStore(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	keys, err := auth.LoadOrCreateKeys(ctx, store, ring, time.Now())
	if err != nil {
		return nil, fmt.Errorf("load token signing keys: %w", err)
	}
	tokens, err := auth.NewTokens(auth.TokenConfig{Issuer: "commonground", Audience: "commonground-api", CacheSize: 10_000}, keys)
	if err != nil {
		return nil, err
	}
	params := cfg.PasswordParams
	if params == (auth.PasswordParams{}) {
		params = auth.DefaultPasswordParams
	}
	hasher, err := auth.NewHasher(params)
	if err != nil {
		return nil, err
	}
	svc := &auth.Service{
		Store:    store,
		Hasher:   hasher,
		Tokens:   tokens,
		Throttle: auth.NewLoginThrottle(auth.DefaultAccountLimit, auth.DefaultAddressLimit),
	}
	if cfg.BootstrapAdminEmail != "" {
		created, err := svc.Bootstrap(ctx, cfg.BootstrapAdminEmail, cfg.BootstrapAdminPassword)
		if err != nil {
			return nil, fmt.Errorf("create the bootstrap steward (COMMONGROUND_BOOTSTRAP_ADMIN_EMAIL): %w", err)
		}
		if created {
			logger.Info("created the bootstrap steward account")
		}
	}
	return svc, nil
}

// every runs job now and then every interval until ctx ends; a failure is
// logged and the job tries again at the next tick.
func (s *Service) every(ctx context.Context, interval time.Duration, name string, job func(context.Context) error) {
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			jctx, cancel := context.WithTimeout(ctx, time.Minute)
			if err := job(jctx); err != nil && ctx.Err() == nil {
				s.logger.Error("background job failed", "job", name, "err", err)
			}
			cancel()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Serve answers HTTP requests on ln until Close.
func (s *Service) Serve(ln net.Listener) error {
	return s.Server.Serve(ln)
}

// Close stops accepting requests, lets those in flight finish for up to
// grace, then closes the store (stopping the embedded server cleanly).
func (s *Service) Close(grace time.Duration) error {
	errHTTP := s.Server.Shutdown(grace)
	s.stop()
	s.jobs.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errDB := s.DB.Close(ctx)
	return errors.Join(errHTTP, errDB)
}
