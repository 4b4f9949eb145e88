package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/noticework"
	"github.com/rightsdesk/rightsdesk/internal/operations"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/telemetry/storemetrics"
	"github.com/rightsdesk/rightsdesk/internal/tokens"
	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
	"github.com/rightsdesk/rightsdesk/internal/websessions"
)

// Config is everything a running Rightsdesk needs.
type Config struct {
	// DataDir is the directory of the embedded bbolt database.
	DataDir string
	// Store, when set, is the store's address (see ParseStore): bolt:///DIR
	// or etcd://HOST:PORT,…; by default the bbolt database in DataDir.
	Store string
	// Replica names this process among the replicas sharing a store
	// (default: host, process id and a random suffix).
	Replica string
	// Jobs run on the replica that leads (see package leader); LeaderTTL
	// is the election lease on etcd (etcdleader.DefaultTTL when zero).
	Jobs      []leader.Job
	LeaderTTL time.Duration
	// Blobs is where documents go (see OpenBlobs): by default DataDir/blobs.
	// It keeps what requesters send from the status page; the store is
	// opened at start, so a wrong address fails then.
	Blobs string
	// Server is how the doors are served.
	Server server.Config
	// Calendars are the bank holidays; by default the built-in ones. Imports
	// stored by `holidays import` are merged over them at start.
	Calendars *deadline.Calendars
	// Catalogue seeds notices the store does not have yet, on every start.
	Catalogue []notice.Notice
	// Region is the handling office's bank-holiday calendar, used for a
	// case whose request names none (England and Wales when empty).
	Region string
	// NoticeRegions are the calendars of the offices handling particular
	// notices' requests, by notice id, where they differ from Region.
	NoticeRegions map[string]string
	// Random supplies ids, tokens and secrets; crypto/rand by default.
	Random io.Reader
	// Templates is a directory of letter templates overriding the built-in
	// ones (see internal/letters); none when empty.
	Templates string
	// SecondFactor says which local accounts must use two-step
	// verification (users.SecondFactorAdmins, the zero value, by default).
	SecondFactor users.SecondFactorPolicy
	// RequireSingleSignOn refuses local password sign-in to everyone but
	// administrators (users.PasswordSignInAllowed); it needs Server.OIDC.
	RequireSingleSignOn bool
	// Keyring holds the key-encryption keys that protect personal data at
	// rest (see package keyring): required. The store records its check
	// values, so a different keyring is refused before anything is
	// written.
	Keyring store.Keyring
	// DigestTime is when each working day the daily digest of due and
	// overdue cases is emailed to staff: "HH:MM", UK time (07:00 when
	// empty), or DigestOff. It needs the letters' relay (--smtp-url).
	DigestTime string
	// Retention is how long closed cases keep their personal data before
	// the daily run destroys it (cases.DefaultSchedule when nil; see
	// docs/retention.md); RetentionOff stops the run, as for a store under
	// a blanket legal hold.
	Retention    cases.Schedule
	RetentionOff bool
}

// App is a running Rightsdesk: the store, the use cases and the doors.
type App struct {
	store  *store.Store
	blobs  blob.Store
	server *server.Server
	leader *leader.Runner
	// jobs are the background work the use cases need (the outbox sender),
	// run beside Config.Jobs on the leader.
	jobs []leader.Job
	// setup is the one-time link that creates the first administrator, or
	// "" once one exists; setupExpires is when it stops working.
	setup        string
	setupExpires time.Time
}

// New binds the listeners, opens the store, seeds the catalogue and builds
// the use cases and the doors. Nothing is opened or created on disk when the
// configuration is wrong or a port is taken.
func New(ctx context.Context, cfg Config) (*App, error) {
	return newApp(ctx, cfg, sealedAtRest)
}

// newApp is New, with personal data sealed at rest or, for the benchmark
// alone (NewPlainForBench), kept in clear.
func newApp(ctx context.Context, cfg Config, atRest personalDataAtRest) (*App, error) {
	where, err := ParseStore(cfg.Store, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if where.Engine == "bolt" {
		cfg.DataDir = where.Dir // the admin socket lives beside the database
	}
	if err := cfg.Server.Validate(); err != nil {
		return nil, err
	}
	if cfg.Keyring == nil && atRest == sealedAtRest {
		return nil, errNoKeyring
	}
	if cfg.Calendars == nil {
		cfg.Calendars = deadline.BuiltinCalendars()
	}
	if err := checkRegions(cfg); err != nil {
		return nil, err
	}
	if _, _, err := digestTime(cfg.DigestTime); err != nil {
		return nil, err
	}
	if cfg.RequireSingleSignOn {
		if cfg.Server.OIDC == nil {
			return nil, errors.New("--require-sso needs single sign-on to require: set --oidc-issuer and the other --oidc- flags")
		}
		oidc := *cfg.Server.OIDC
		oidc.Required = true
		cfg.Server.OIDC = &oidc
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Server.Organisation == "" {
		cfg.Server.Organisation = organisation(cfg.Catalogue)
	}
	if cfg.Server.Contact.Name == "" {
		cfg.Server.Contact.Name = cfg.Server.Organisation
	}
	templates, org, err := loadLetters(cfg)
	if err != nil {
		return nil, err
	}
	lis, err := server.Listen(cfg.Server)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, where, cfg.Server.Logger, cfg.Keyring, func(b store.Backend) store.Backend {
		return storemetrics.Wrap(b, cfg.Server.Metrics, cfg.Server.Tracing)
	})
	if err != nil {
		lis.Close()
		return nil, err
	}
	if cfg.DataDir != "" && where.Engine != "bolt" {
		// The store is elsewhere; the data directory still holds the admin
		// socket (and, by default, the documents).
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			lis.Close()
			_ = st.Close()
			return nil, err
		}
	}
	if cfg.DataDir == "" {
		cfg.Server.Logger.Info("no data directory: no admin socket, so the command line needs --server and --token while the server runs")
	} else if path, ok := AdminSocket(cfg.DataDir); !ok {
		cfg.Server.Logger.Warn("no admin socket: the data directory's path is too long for one, so the command line needs --server and --token while the server runs", "path", path)
	} else if err := lis.ListenAdmin(path); err != nil {
		lis.Close()
		_ = st.Close()
		return nil, err
	}
	if cfg.Replica == "" {
		cfg.Replica = replicaName()
	}
	blobs, err := OpenBlobs(ctx, cfg.Blobs, cfg.DataDir)
	if err != nil {
		lis.Close()
		_ = st.Close()
		return nil, err
	}
	a := &App{store: st, blobs: sealedDocuments(blobs, st)}
	cfg.Server.Metrics.MustRegister(storemetrics.NewOutboxCollector(ctx, st), storemetrics.NewWriterCollector(st))
	if err := a.build(ctx, cfg, lis, templates, org); err != nil {
		_ = st.Close()
		return nil, err
	}
	a.leader = leader.NewRunner(st, electorFor(st.Backend(), cfg.Replica, cfg.LeaderTTL), cfg.Replica, slices.Concat(cfg.Jobs, a.jobs), cfg.Server.Logger)
	return a, nil
}

// AdminSocketName is the admin socket's file in the data directory.
const AdminSocketName = "rightsdesk.sock"

// AdminSocket is the path of the admin socket of the server on dataDir,
// through which the command line works while that server runs (see
// internal/server's local.go), and whether the path is short enough for
// a Unix socket.
func AdminSocket(dataDir string) (string, bool) {
	path := filepath.Join(dataDir, AdminSocketName)
	// sun_path holds 108 bytes on Linux, 104 elsewhere, with its NUL.
	return path, len(path) < 104
}

// openStore opens the store: on bbolt it refuses a database that is empty,
// truncated or has a damaged page: the page check runs before serving for
// a file up to bolt.DefaultSyncCheckLimit and in the background above it,
// where a damaged page found later makes every read and write fail (and so
// readiness) rather than serving from it.
//
// instrument wraps the engine before the store uses it (commit metrics and
// spans); the outbox's gauges are registered once the store is open.
func openStore(ctx context.Context, where StoreAddress, log *slog.Logger, keys store.Keyring, instrument func(store.Backend) store.Backend) (*store.Store, error) {
	var sealing []store.OpenOption
	if keys != nil { // nil only from NewPlainForBench
		if err := CheckKeyring(ctx, where, keys); err != nil {
			return nil, err
		}
		sealing = append(sealing, store.WithKeyring(keys))
	}
	engine, err := OpenBackend(ctx, where, OpenOptions{CheckPages: true, Log: log})
	if err != nil {
		return nil, err
	}
	backend := instrument(engine)
	st, err := store.Open(ctx, backend, sealing...)
	if err != nil {
		_ = backend.Close()
		return nil, err
	}
	return st, nil
}

// build seeds the store, wires the use cases to the doors and, while no
// administrator exists, makes the link that creates the first; server.New
// owns the listeners from here, closing them if it fails.
func (a *App) build(ctx context.Context, cfg Config, lis server.Listeners, templates *letters.Templates, org letters.Organisation) (err error) {
	st := a.store
	if err := store.AddMissingNotices(ctx, st, cfg.Catalogue); err != nil {
		lis.Close()
		return fmt.Errorf("seed the notice catalogue: %w", err)
	}
	calendars, err := withHolidayImports(ctx, st, cfg.Calendars)
	if err != nil {
		lis.Close()
		return err
	}
	engine := deadline.NewEngine(calendars)
	c := cfg.Server.Clock
	directory := accounts.New(st, c, cfg.Random, accounts.Options{SecondFactor: cfg.SecondFactor, RequireSingleSignOn: cfg.RequireSingleSignOn})
	if a.setup, a.setupExpires, err = directory.SetupLink(ctx); err != nil {
		lis.Close()
		return fmt.Errorf("first-administrator link: %w", err)
	}
	mailer, err := outboxMailer(cfg.Server)
	if err != nil {
		lis.Close()
		return err
	}
	caseOptions := []casework.Option{casework.DefaultRegion(cfg.Region), casework.NoticeRegions(cfg.NoticeRegions), casework.WithDocuments(a.blobs), casework.WithScanner(casework.NoScan), casework.RetentionSchedule(cfg.Retention)}
	site := publicURL(cfg.Server, lis)
	writer, err := letterWriter(cfg.Server, templates, org, site)
	if err != nil {
		lis.Close()
		return err
	}
	if writer != nil {
		caseOptions = append(caseOptions, casework.SendLetters(writer), casework.PublicSite(site))
	}
	work := casework.New(st, engine, c, cfg.Random, caseOptions...)
	if mailer != nil {
		a.jobs = append(a.jobs, work.OutboxJob(newMailSender(mailer, site), casework.OutboxOptions{Log: cfg.Server.Logger}))
		a.jobs = append(a.jobs, work.SearchChaserJob(casework.SearchChaserOptions{Log: cfg.Server.Logger}))
	}
	a.jobs = append(a.jobs, digestJob(cfg, work, directory, mailer, site)...)
	// Status tokens kept for retries of creates, once no retry gets them.
	a.jobs = append(a.jobs, work.ReplayTokenJob(10*time.Minute))
	if !cfg.RetentionOff {
		a.jobs = append(a.jobs, work.RetentionJob(casework.RetentionOptions{Log: cfg.Server.Logger}))
	}
	a.server, err = server.New(ctx, cfg.Server, lis, server.Services{
		Cases:      work,
		Notices:    noticework.New(st, c, cfg.Catalogue),
		Deadlines:  engine,
		Users:      directory,
		Tokens:     tokens.New(st, c, cfg.Random),
		Operations: operations.New(st, operations.Options{SpoolDir: cfg.DataDir}),
		Sessions:   websessions.New(st, cfg.Random),
		Subjects:   work,
		Retention:  work,
		Delivery:   work,
		Packs:      work,
		// Search requests need a relay to send their links.
		SearchRequests: searchRequests(work, writer),
	})
	return err
}

// checkRegions refuses a region the calendars do not know; an unknown
// notice in NoticeRegions is allowed, since it may be imported later.
func checkRegions(cfg Config) error {
	known := cfg.Calendars.Regions()
	if cfg.Region != "" && !slices.Contains(known, cfg.Region) {
		return fmt.Errorf("--region %q: want one of %s", cfg.Region, strings.Join(known, ", "))
	}
	for id, region := range cfg.NoticeRegions {
		if !slices.Contains(known, region) {
			return fmt.Errorf("--notice-region %s=%s: want one of %s", id, region, strings.Join(known, ", "))
		}
	}
	return nil
}

// withHolidayImports applies bank holidays stored by `holidays import`,
// oldest first, over the configured calendars.
func withHolidayImports(ctx context.Context, st *store.Store, cal *deadline.Calendars) (*deadline.Calendars, error) {
	var docs [][]byte
	err := st.View(ctx, func(tx store.ReadTx) (err error) {
		docs, err = store.HolidayImports(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i, doc := range docs {
		imported, err := deadline.ParseGOVUKBankHolidays(bytes.NewReader(doc))
		if err != nil {
			return nil, fmt.Errorf("stored bank-holiday import %d: %w", i+1, err)
		}
		cal = cal.Merge(imported)
	}
	return cal, nil
}

// organisation is the name in the web pages' header when none is
// configured: the controller every catalogue notice names, since whoever
// runs the service is the controller of its notices.
func organisation(catalogue []notice.Notice) string {
	name := ""
	for i := range catalogue {
		c := catalogue[i].Current().Controller.Name
		if name != "" && c != name {
			return "Rightsdesk"
		}
		name = c
	}
	if name == "" {
		return "Rightsdesk"
	}
	return name
}

// SetupLink is the address, under the site's public URL, of the one-time
// link that creates the first administrator, and when it expires; "" once
// an administrator exists.
func (a *App) SetupLink() (string, time.Time) {
	if a.setup == "" {
		return "", time.Time{}
	}
	return a.server.PublicURL() + staff.SetupPath + a.setup, a.setupExpires
}

// GRPCAddr is the address the gRPC server listens on.
func (a *App) GRPCAddr() string { return a.server.GRPCAddr() }

// HTTPAddr is the address the HTTP server listens on.
func (a *App) HTTPAddr() string { return a.server.HTTPAddr() }

// AdminHTTPAddr is the address of the admin HTTP listener (/metrics,
// pprof, readiness), or "" when there is none.
func (a *App) AdminHTTPAddr() string { return a.server.AdminHTTPAddr() }

// Run serves, and runs the background work while this replica leads,
// until ctx is cancelled; then it drains in-flight calls, stops the doors,
// stops the background work (resigning the leadership, so another replica
// takes it at once) and closes the store.
func (a *App) Run(ctx context.Context) error {
	defer a.store.Close()
	leaderCtx, stopLeader := context.WithCancel(ctx)
	leaderDone := make(chan struct{})
	go func() { a.leader.Run(leaderCtx); close(leaderDone) }()
	defer func() { stopLeader(); <-leaderDone }()
	return a.server.Run(ctx)
}

// WaitPageCheck waits until the page check of a bbolt file too large to
// check before serving has finished in the background (see
// bolt.Options.CheckPages) and returns its finding; at once when there is
// none, as on etcd. The check takes a fifth of one core for its length
// (8–9 s over a million cases on the 2-core development machine), so a
// measurement of the server's steady state waits for it.
func (a *App) WaitPageCheck(ctx context.Context) error { return a.store.WaitPageCheck(ctx) }

// WriterStats returns the store engine's group-commit totals
// (store.WriterStats), and false on an engine that keeps none (etcd).
func (a *App) WriterStats() (store.WriterStats, bool) { return a.store.WriterStats() }

// Blobs is the document store.
func (a *App) Blobs() blob.Store { return a.blobs }

// Leading reports whether this replica runs the background work now, and
// in which leader epoch.
func (a *App) Leading() (bool, uint64) { return a.leader.Leading() }
