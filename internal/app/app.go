package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/noticework"
	"github.com/rightsdesk/rightsdesk/internal/operations"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/tokens"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
	"github.com/rightsdesk/rightsdesk/internal/websessions"
)

// Config is everything a running Rightsdesk needs.
type Config struct {
	// DataDir is the directory of the embedded bbolt database.
	DataDir string
	// Server is how the doors are served.
	Server server.Config
	// Calendars are the bank holidays; by default the built-in ones. Imports
	// stored by `holidays import` are merged over them at start.
	Calendars *deadline.Calendars
	// Catalogue seeds notices the store does not have yet, on every start.
	Catalogue []notice.Notice
	// Random supplies ids, tokens and secrets; crypto/rand by default.
	Random io.Reader
}

// App is a running Rightsdesk: the store, the use cases and the doors.
type App struct {
	store  *store.Store
	server *server.Server
	// setup is the one-time link that creates the first administrator, or
	// "" once one exists; setupExpires is when it stops working.
	setup        string
	setupExpires time.Time
}

// New binds the listeners, opens the store, seeds the catalogue and builds
// the use cases and the doors. Nothing is opened or created on disk when the
// configuration is wrong or a port is taken.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.DataDir == "" {
		return nil, fmt.Errorf("a data directory is required (--data)")
	}
	if err := cfg.Server.Validate(); err != nil {
		return nil, err
	}
	if cfg.Calendars == nil {
		cfg.Calendars = deadline.BuiltinCalendars()
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Server.Organisation == "" {
		cfg.Server.Organisation = organisation(cfg.Catalogue)
	}
	lis, err := server.Listen(cfg.Server)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg.DataDir, cfg.Server.Logger)
	if err != nil {
		lis.Close()
		return nil, err
	}
	if path, ok := AdminSocket(cfg.DataDir); !ok {
		cfg.Server.Logger.Warn("no admin socket: the data directory's path is too long for one, so the command line needs --server and --token while the server runs", "path", path)
	} else if err := lis.ListenAdmin(path); err != nil {
		lis.Close()
		_ = st.Close()
		return nil, err
	}
	a := &App{store: st}
	if err := a.build(ctx, cfg, lis); err != nil {
		_ = st.Close()
		return nil, err
	}
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

// openStore opens the embedded database, refusing one that is empty,
// truncated or has a damaged page: the page check runs before serving for
// a file up to bolt.DefaultSyncCheckLimit and in the background above it,
// where a damaged page found later makes every read and write fail (and so
// readiness) rather than serving from it.
func openStore(ctx context.Context, dir string, log *slog.Logger) (*store.Store, error) {
	backend, err := bolt.Open(dir, bolt.Options{CheckPages: true})
	if err != nil {
		return nil, err
	}
	go func() {
		if err := backend.WaitPageCheck(context.WithoutCancel(ctx)); err != nil {
			log.Error("the database is damaged: reads and writes are refused; stop the server and run `rightsdesk check`", "error", err)
		}
	}()
	st, err := store.Open(ctx, backend)
	if err != nil {
		_ = backend.Close()
		return nil, err
	}
	return st, nil
}

// build seeds the store, wires the use cases to the doors and, while no
// administrator exists, makes the link that creates the first; server.New
// owns the listeners from here, closing them if it fails.
func (a *App) build(ctx context.Context, cfg Config, lis server.Listeners) (err error) {
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
	directory := accounts.New(st, c, cfg.Random, accounts.Options{})
	if a.setup, a.setupExpires, err = directory.SetupLink(ctx); err != nil {
		lis.Close()
		return fmt.Errorf("first-administrator link: %w", err)
	}
	a.server, err = server.New(ctx, cfg.Server, lis, server.Services{
		Cases:      casework.New(st, engine, c, cfg.Random),
		Notices:    noticework.New(st, c, cfg.Catalogue),
		Deadlines:  engine,
		Users:      directory,
		Tokens:     tokens.New(st, c, cfg.Random),
		Operations: operations.New(st),
		Sessions:   websessions.New(st, cfg.Random),
	})
	return err
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

// Run serves until ctx is cancelled, then drains in-flight calls, stops the
// doors and closes the store.
func (a *App) Run(ctx context.Context) error {
	defer a.store.Close()
	return a.server.Run(ctx)
}
