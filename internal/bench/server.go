package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// instance is a real server on loopback over one data directory.
type instance struct {
	// addr is the gRPC address, httpAddr the web pages' and REST's.
	addr, httpAddr string
	// token is a caseworker's; adminToken an admin's, for the admin
	// calls (Backup) a phase makes.
	token, adminToken string
	// startup runs from app.New until the health service says SERVING.
	startup time.Duration
	// waitPageCheck waits for the page check a large file has in the
	// background after start-up (app.App.WaitPageCheck).
	waitPageCheck func(context.Context) error
	// writerStats reads the store's group-commit totals
	// (app.App.WriterStats).
	writerStats func() (store.WriterStats, bool)
	stop        func() error
}

// startServer stores a caseworker and an admin token first, because a
// running server holds the database's lock, then starts a server on 127.0.0.1 with the
// built-in catalogue and waits until it serves.
func startServer(ctx context.Context, dir string) (*instance, error) {
	return startServerOn(ctx, "", dir, sealedStore)
}

// storeAtRest says how a bench server's store keeps personal data.
type storeAtRest int

const (
	// sealedStore seals it under the bench keyring, as every server does.
	sealedStore storeAtRest = iota
	// plainStore keeps it in clear (app.NewPlainForBench), to measure
	// what sealing costs.
	plainStore
)

// startServerOn is startServer on the store at addr (see app.ParseStore;
// "" is the bbolt database in dir), sealed or plain.
func startServerOn(ctx context.Context, addr, dir string, atRest storeAtRest) (*instance, error) {
	token, adminToken, err := putTokens(ctx, addr, dir, atRest)
	if err != nil {
		return nil, err
	}
	notices, err := catalogue.Builtin()
	if err != nil {
		return nil, err
	}
	keys, err := benchKeys()
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	start := time.Now()
	cfg := app.Config{
		DataDir: dir,
		Store:   addr,
		Server: server.Config{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
			// The bench drives the server with one token from one address
			// far past any sensible rate limit: it measures the server,
			// not its limits.
			Limits: server.Limits{TokenCallsPerSecond: -1, AddressCallsPerSecond: -1}},
		Catalogue: notices,
	}
	newApp := app.NewPlainForBench
	if atRest == sealedStore {
		cfg.Keyring, newApp = keys, app.New
	}
	srv, err := newApp(runCtx, cfg)
	if err != nil {
		cancel()
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("the server did not stop within 30s")
		}
	}
	if err := waitServing(ctx, srv.GRPCAddr()); err != nil {
		return nil, errors.Join(err, stop())
	}
	return &instance{addr: srv.GRPCAddr(), httpAddr: srv.HTTPAddr(), token: token, adminToken: adminToken, startup: time.Since(start), waitPageCheck: srv.WaitPageCheck, writerStats: srv.WriterStats, stop: stop}, nil
}

func waitServing(ctx context.Context, addr string) error {
	conn, err := dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("the server on %s did not report SERVING within 10s (last: %v)", addr, err)
		}
		time.Sleep(time.Millisecond)
	}
}

func dial(addr string) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
}

// authorised returns ctx carrying the instance's caseworker token on
// every call.
func (in *instance) authorised(ctx context.Context) context.Context {
	return bearer(ctx, in.token)
}

// asAdmin returns ctx carrying the instance's admin token on every call.
func (in *instance) asAdmin(ctx context.Context) context.Context {
	return bearer(ctx, in.adminToken)
}

func bearer(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// putTokens stores a caseworker token and an admin token, in one
// transaction, and returns them in that order.
func putTokens(ctx context.Context, addr, dir string, atRest storeAtRest) (caseworker, admin string, err error) {
	st, err := openStoreAt(ctx, addr, dir, atRest)
	if err != nil {
		return "", "", err
	}
	defer st.Close()
	roles := []auth.Role{auth.RoleCaseworker, auth.RoleAdmin}
	plaintexts := make([]string, len(roles))
	tokens := make([]auth.Token, len(roles))
	hashes := make([][]byte, len(roles))
	for i, role := range roles {
		plaintext, hash, err := auth.NewToken(rand.Reader)
		if err != nil {
			return "", "", err
		}
		plaintexts[i], hashes[i] = plaintext, hash
		tokens[i] = auth.Token{ID: auth.TokenID(hash), Name: "bench-" + role.String(), Role: role, CreatedAt: time.Now().UTC()}
	}
	err = st.Update(ctx, func(tx store.WriteTx) error {
		for i := range tokens {
			if err := store.PutToken(tx, hashes[i], &tokens[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return plaintexts[0], plaintexts[1], err
}

// openStore opens dir's database with the catalogue in it, as the server
// would have seeded it, so casework can create cases without a server.
func openStore(ctx context.Context, dir string) (*store.Store, error) {
	backend, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		return nil, err
	}
	return openOver(ctx, backend, sealedStore)
}

// openStoreAt opens the store at addr ("" for bbolt in dir) as openStore,
// sealed or plain.
func openStoreAt(ctx context.Context, addr, dir string, atRest storeAtRest) (*store.Store, error) {
	where, err := app.ParseStore(addr, dir)
	if err != nil {
		return nil, err
	}
	backend, err := app.OpenBackend(ctx, where, app.OpenOptions{})
	if err != nil {
		return nil, err
	}
	return openOver(ctx, backend, atRest)
}

// benchKeys is the keyring of every store a bench run makes: one per
// process, in memory, so that the server opens what the seeding sealed.
var benchKeys = sync.OnceValues(func() (*keyring.Keyring, error) { return keyring.NewKeyring(time.Now()) })

func openOver(ctx context.Context, backend store.Backend, atRest storeAtRest) (*store.Store, error) {
	keys, err := benchKeys()
	if err != nil {
		_ = backend.Close()
		return nil, err
	}
	var sealing []store.OpenOption
	if atRest == sealedStore {
		sealing = append(sealing, store.WithKeyring(keys))
	}
	st, err := store.Open(ctx, backend, sealing...)
	if err != nil {
		_ = backend.Close()
		return nil, err
	}
	notices, err := catalogue.Builtin()
	if err == nil {
		err = store.AddMissingNotices(ctx, st, notices)
	}
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// newService is casework as the server builds it.
func newService(st *store.Store) *casework.Service {
	return casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), clock.System{}, rand.Reader)
}
