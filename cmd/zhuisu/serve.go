package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/issuance"
	"github.com/zhuisu/zhuisu/query"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/trace"
)

func serveFlags(args []string) (*Config, error) {
	c := &Config{Limits: api.DefaultLimits, ShutdownTimeout: 20 * time.Second, LogInterval: integrity.DefaultInterval}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", envDefault("ZHUISU_ADDR", "127.0.0.1:8080"), "listen address (ZHUISU_ADDR)")
	storeFlags(fs, c)
	logFlags(fs, c)
	accountFlags(fs, c)
	fs.BoolVar(&c.SecureCookies, "secure-cookies", envDefault("ZHUISU_SECURE_COOKIES", "") == "true", "mark the session cookie Secure on plain HTTP too, behind a TLS-terminating proxy (ZHUISU_SECURE_COOKIES=true)")
	personFlags(fs, c)
	pagesFlags(fs, c)
	fs.StringVar(&c.PublicURL, "public-url", envDefault("ZHUISU_PUBLIC_URL", ""), "the address the public reaches this node at, which printed labels point to; empty: http://ADDR (ZHUISU_PUBLIC_URL)")
	fs.DurationVar(&c.LogInterval, "log-interval", envDuration("ZHUISU_LOG_INTERVAL", c.LogInterval), "how soon after new events a signed checkpoint covers them (ZHUISU_LOG_INTERVAL)")
	fs.BoolVar(&c.Migrate, "migrate", envDefault("ZHUISU_MIGRATE", "") == "true", "apply pending migrations before serving (ZHUISU_MIGRATE=true)")
	fs.Int64Var(&c.Limits.MaxBodyBytes, "max-document-bytes", envInt("ZHUISU_MAX_DOCUMENT_BYTES", c.Limits.MaxBodyBytes), "largest capture document in bytes (ZHUISU_MAX_DOCUMENT_BYTES)")
	maxEvents := fs.Int64("max-events", envInt("ZHUISU_MAX_EVENTS", int64(c.Limits.Document.MaxEvents)), "most events in one capture document (ZHUISU_MAX_EVENTS)")
	maxDepth := fs.Int64("max-depth", envInt("ZHUISU_MAX_DEPTH", int64(c.Limits.Document.MaxDepth)), "deepest nesting in a capture document (ZHUISU_MAX_DEPTH)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.Limits.Document.MaxEvents, c.Limits.Document.MaxDepth = int(*maxEvents), int(*maxDepth)
	return c, nil
}

func cmdServe(ctx context.Context, args []string, log *slog.Logger) error {
	c, err := serveFlags(args)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	return serve(ctx, c, ln, log)
}

// serve runs the server on ln until ctx is done, then shuts down gracefully.
func serve(ctx context.Context, c *Config, ln net.Listener, log *slog.Logger) error {
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkSchema(ctx, st, c.Migrate, log); err != nil {
		return err
	}
	authSvc := auth.New(st)
	if err := configureAccounts(authSvc, c); err != nil {
		return err
	}
	tokenPath := filepath.Join(c.DataDir, "admin-token")
	created, err := authSvc.EnsureAdmin(ctx, tokenPath)
	if err != nil {
		return err
	}
	if created {
		log.Info("created the first administrator API token", "file", tokenPath)
	}
	auditSvc, personSvc, registrySvc, err := registryServices(c, st, authSvc, log)
	if err != nil {
		return err
	}
	key, err := secretKey(c.DataDir, "page-token.key")
	if err != nil {
		return err
	}
	origin := c.LogOrigin
	if origin == "" {
		origin = defaultOrigin()
	}
	signer, verifier, vkey, err := logKeys(c.logKeyPath(), origin, c.LogKeyType)
	if err != nil {
		return err
	}
	peers, err := witnessPeers(c)
	if err != nil {
		return err
	}
	logSvc := &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer, Verifiers: []tlog.Verifier{verifier}, PublicKey: vkey,
		Interval: c.LogInterval, MaxStep: 1 << 20, Log: log, Witnesses: peers, Post: httpPost(),
		Extensions: integrity.AuditExtensions(st)}
	witness, witnessKey, err := witnessService(c, st, signer.Name()+"/witness")
	if err != nil {
		return err
	}
	if witness != nil {
		log.Info("acting as a witness", "key", witnessKey, "logs", c.WitnessFor)
	}
	// Lineage is kept in memory: built from the store in the background at start (a
	// trace waits for it), then following new events, including those other processes
	// sharing the database capture.
	traceSvc := trace.New(st)
	ictx, stopIntegrator := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	background.Add(2)
	go func() {
		defer background.Done()
		if !c.NoLog {
			logSvc.Run(ictx)
		}
	}()
	go func() { defer background.Done(); traceSvc.Run(ictx, time.Second) }()
	defer func() { stopIntegrator(); background.Wait() }()
	// The public lookup follows new events (to drop the views they change) and writes
	// its scan log in the background.
	pub, pages, err := pagesOf(c, st, traceSvc, logSvc, publicURL(c, ln), log)
	if err != nil {
		return err
	}
	background.Add(1)
	go func() { defer background.Done(); pub.Run(ictx, time.Second) }()
	srv := &api.Server{
		Store:     st,
		Capture:   &capture.Service{Store: st, Now: time.Now, Registry: registrySvc, Persons: personSvc, Holders: access.New(st)},
		Registry:  registrySvc,
		Persons:   personSvc,
		Audit:     auditSvc,
		Query:     query.New(st, key),
		Auth:      authSvc,
		Integrity: logSvc,
		Issuance:  &issuance.Service{Store: st},
		PublicURL: publicURL(c, ln),
		Web:       pages,
		Trace:     traceSvc,
		Access:    access.New(st),
		Recall:    &recall.Service{Store: st, Trace: traceSvc, Now: time.Now, Flagged: func(ids []string) { pub.Invalidate(ids...) }},
		Witness:   witness,
		Limits:    c.Limits,
		Log:       log,

		SecureCookies: c.SecureCookies,
	}
	pages.SetScope(srv.Scope)
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "data", c.DataDir, "db", storeName(c), "log", logSvc.Origin)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func storeName(c *Config) string {
	if c.DB == "" {
		return "sqlite:" + filepath.Join(c.DataDir, "zhuisu.db")
	}
	return redact(c.DB)
}

func cmdMigrate(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	c := &Config{}
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	storeFlags(fs, c)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	have, _, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	log.Info("schema is current", "version", have, "db", storeName(c))
	return nil
}

func publicURL(c *Config, ln net.Listener) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	return "http://" + ln.Addr().String()
}
