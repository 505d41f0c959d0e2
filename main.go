// Command commonground serves the Common Ground API and web app.
//
// With no COMMONGROUND_MONGODB_URI it starts an embedded MongoDB-compatible
// store in the data directory, so `go run .` is all a newcomer needs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"commonground/frontend"
	"commonground/server"
	"commonground/service"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "ledger" {
		os.Exit(runLedger(context.Background(), os.Args[2:], os.Getenv, os.Stdout, os.Stderr))
	}
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main with its dependencies passed in; it returns the exit code:
// 0 after a clean shutdown, 1 when the service fails, 2 for bad settings.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stdout)
	if err != nil {
		var u errUsage
		if errors.As(err, &u) && u.msg == "" {
			return 0 // --help
		}
		fmt.Fprintf(stderr, "commonground: %v\n", err)
		return 2
	}
	logger := newLogger(cfg, stderr)
	logger.Info("starting", cfg.logValues()...)

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "commonground: cannot listen on %s (COMMONGROUND_ADDR): %v\n", cfg.Addr, err)
		return 1
	}
	startCtx, cancel := context.WithTimeout(ctx, cfg.StartTimeout)
	svc, err := service.Open(startCtx, service.Config{
		DataDir:                cfg.DataDir,
		MongoURI:               cfg.MongoURI,
		MongoDatabase:          cfg.MongoDatabase,
		Logger:                 logger,
		DataKey:                cfg.DataKey,
		BootstrapAdminEmail:    cfg.BootstrapAdminEmail,
		BootstrapAdminPassword: cfg.BootstrapAdminPassword,
		WebApp:                 frontend.Options{TileURL: cfg.TileURL, TileAttribution: cfg.TileAttribution},
		Demo:                   cfg.Demo,
		HTTP: server.Config{
			RequestTimeout: cfg.RequestTimeout,
			MaxInFlight:    cfg.MaxInFlight,
			CORSOrigins:    cfg.CORSOrigins,
		},
	})
	cancel()
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "commonground: %v\n", err)
		return 1
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- svc.Serve(ln) }()
	logger.Info("serving", "url", "http://"+ln.Addr().String())

	select {
	case <-ctx.Done():
		logger.Info("shutting down", "grace", "10s")
	case err := <-serveErr:
		logger.Error("server stopped", "err", err)
		svc.Close(time.Second)
		return 1
	}
	if err := svc.Close(10 * time.Second); err != nil {
		logger.Error("shutdown was not clean", "err", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}
