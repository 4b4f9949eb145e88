package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"buf.build/go/protovalidate"
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/noticework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

// Config is everything the server needs; the command line builds it.
type Config struct {
	DataDir         string
	GRPCAddr        string
	HTTPAddr        string
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
	Clock           clock.Clock
	Calendars       *deadline.Calendars
	// Catalogue seeds notices the store does not have yet, on every start.
	Catalogue []notice.Notice
	// Organisation is named in the web pages' header; by default the
	// controller the catalogue's notices share.
	Organisation string
	// PublicURL is the web pages' address as the public reaches them, for
	// links in emails; https:// also marks the session cookie Secure. By
	// default http:// and the HTTP listen address.
	PublicURL string
	// SMTPURL is the relay for confirmation emails (see
	// notify.ParseSMTPURL); none are sent without it.
	SMTPURL string
	// OIDC adds staff sign-in with an OpenID Connect provider; nil for
	// local accounts only.
	OIDC *staff.OIDCConfig
}

// Validate checks the configuration and fills in defaults.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("a data directory is required (--data)")
	}
	for flag, addr := range map[string]string{"--grpc-addr": c.GRPCAddr, "--http-addr": c.HTTPAddr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("%s %q: want HOST:PORT: %w", flag, addr, err)
		}
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	if c.Calendars == nil {
		c.Calendars = deadline.BuiltinCalendars()
	}
	if c.OIDC != nil {
		return c.OIDC.Validate()
	}
	return nil
}

// Server is a running Rightsdesk: a store, a gRPC server and an HTTP server.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    *store.Store
	grpc     *grpc.Server
	health   *health.Server
	grpcLis  net.Listener
	httpLis  net.Listener
	registry *prometheus.Registry
	work     *casework.Service
	web      http.Handler
}

// New opens the store, seeds the catalogue and binds both listeners, so the
// caller knows the real addresses (port 0 picks a free one) before Run.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	backend, err := bolt.Open(cfg.DataDir, bolt.Options{})
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	if err := s.init(ctx, backend); err != nil {
		_ = backend.Close()
		s.closeListeners()
		return nil, err
	}
	return s, nil
}

func (s *Server) init(ctx context.Context, backend store.Backend) (err error) {
	if s.store, err = store.Open(ctx, backend); err != nil {
		return err
	}
	if err := store.AddMissingNotices(ctx, s.store, s.cfg.Catalogue); err != nil {
		return fmt.Errorf("seed the notice catalogue: %w", err)
	}
	if err := s.mergeHolidayImports(ctx); err != nil {
		return err
	}
	if err := s.buildGRPC(); err != nil {
		return err
	}
	if s.grpcLis, err = net.Listen("tcp", s.cfg.GRPCAddr); err != nil {
		return fmt.Errorf("listen for gRPC on %s: %w", s.cfg.GRPCAddr, err)
	}
	if s.httpLis, err = net.Listen("tcp", s.cfg.HTTPAddr); err != nil {
		return fmt.Errorf("listen for HTTP on %s: %w", s.cfg.HTTPAddr, err)
	}
	return s.buildWeb(ctx)
}

func (s *Server) buildGRPC() error {
	validator, err := protovalidate.New()
	if err != nil {
		return fmt.Errorf("build validator: %w", err)
	}
	s.registry = prometheus.NewRegistry()
	metrics := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
	s.registry.MustRegister(metrics, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	authn := newAuthenticator(s.store, s.cfg.Clock, s.log)
	s.grpc = grpc.NewServer(
		grpc.ChainUnaryInterceptor(unaryInterceptors(s.log, metrics, authn, validator)...),
		grpc.ChainStreamInterceptor(streamInterceptors(s.log, metrics, authn)...),
	)
	rdv1.RegisterNoticeServiceServer(s.grpc, &noticeService{store: s.store, work: noticework.New(s.store, s.cfg.Clock, s.cfg.Catalogue)})
	engine := deadline.NewEngine(s.cfg.Calendars)
	rdv1.RegisterDeadlineServiceServer(s.grpc, NewDeadlineService(engine, s.cfg.Clock))
	s.work = casework.New(s.store, engine, s.cfg.Clock, rand.Reader)
	rdv1.RegisterCaseServiceServer(s.grpc, &caseService{work: s.work})
	rdv1.RegisterAdminServiceServer(s.grpc, &adminService{store: s.store})
	s.health = health.NewServer()
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	metrics.InitializeMetrics(s.grpc)
	// Last, once every service is registered: refuse to start if any RPC does
	// not declare who may call it.
	return authn.loadRoles(s.grpc)
}

// GRPCAddr is the address the gRPC server listens on.
func (s *Server) GRPCAddr() string { return s.grpcLis.Addr().String() }

// HTTPAddr is the address the HTTP server listens on.
func (s *Server) HTTPAddr() string { return s.httpLis.Addr().String() }

// Run serves until ctx is cancelled, then drains in-flight calls, stops and
// closes the store.
func (s *Server) Run(ctx context.Context) error {
	defer s.store.Close()
	gateway, conn, err := newGateway(ctx, s.GRPCAddr())
	if err != nil {
		s.closeListeners()
		return err
	}
	defer conn.Close()
	httpServer := &http.Server{Handler: s.httpHandler(gateway, s.registry), ReadHeaderTimeout: 10 * time.Second}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.grpc.Serve(s.grpcLis) })
	g.Go(func() error {
		if err := httpServer.Serve(s.httpLis); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	g.Go(func() error {
		<-gctx.Done()
		s.shutdown(httpServer)
		return nil
	})
	return g.Wait()
}

func (s *Server) shutdown(httpServer *http.Server) {
	s.log.Info("shutting down")
	s.health.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(ctx); err != nil {
		s.log.Warn("HTTP shutdown", "error", err)
	}
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
		s.grpc.Stop()
	}
}

func (s *Server) closeListeners() {
	for _, l := range []net.Listener{s.grpcLis, s.httpLis} {
		if l != nil {
			_ = l.Close()
		}
	}
}

// mergeHolidayImports applies bank holidays stored by `holidays import`,
// oldest first, over the configured calendars.
func (s *Server) mergeHolidayImports(ctx context.Context) error {
	var docs [][]byte
	err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
		docs, err = store.HolidayImports(tx)
		return err
	})
	if err != nil {
		return err
	}
	for i, doc := range docs {
		imported, err := deadline.ParseGOVUKBankHolidays(bytes.NewReader(doc))
		if err != nil {
			return fmt.Errorf("stored bank-holiday import %d: %w", i+1, err)
		}
		s.cfg.Calendars = s.cfg.Calendars.Merge(imported)
	}
	return nil
}
