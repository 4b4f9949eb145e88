package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"buf.build/go/protovalidate"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/rightsdesk/rightsdesk/gen"
	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/buildinfo"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notify"
	"github.com/rightsdesk/rightsdesk/internal/telemetry"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

// Config is how the doors are served; the composition root builds it.
type Config struct {
	GRPCAddr string
	HTTPAddr string
	// AdminAddr is the admin HTTP listener's address (/metrics, pprof,
	// /healthz, /readyz): for operators only, so loopback by default in
	// serve; "" or "off" serves none.
	AdminAddr string
	// NoReflection turns gRPC server reflection off: it lists every
	// service and message to anyone who can connect, which a developer's
	// grpcurl wants and a production port need not offer.
	NoReflection    bool
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	// Drain is how long, once shutdown begins, the server goes on serving
	// while /readyz and the gRPC health service already say it is not
	// ready, so that load balancers stop sending it calls before its
	// listeners close; zero closes them at once.
	Drain  time.Duration
	Logger *slog.Logger
	Clock  clock.Clock
	// Organisation is named in the web pages' header.
	Organisation string
	// Contact is how the organisation asks the public to reach it about a
	// request; the notices' own contacts are shown when it is empty.
	Contact notice.Party
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
	// Limits bound what a client may hold; zero fields take their defaults.
	Limits Limits
	// Metrics is the registry /metrics serves, to which the doors add
	// theirs; by default a new one (telemetry.NewRegistry).
	Metrics *prometheus.Registry
	// Tracing records spans of every call; nil is off.
	Tracing *telemetry.Tracing
	// TLSCert and TLSKey are PEM files of the certificate (with its chain)
	// and key both public ports present; empty, they speak plaintext (for
	// loopback, or behind a proxy that terminates TLS). See tls.go.
	TLSCert, TLSKey string
}

// Validate checks the configuration and fills in defaults.
func (c *Config) Validate() error {
	for flag, addr := range map[string]string{"--grpc-addr": c.GRPCAddr, "--http-addr": c.HTTPAddr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("%s %q: want HOST:PORT: %w", flag, addr, err)
		}
	}
	if c.AdminAddr == "off" {
		c.AdminAddr = ""
	}
	if c.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			return fmt.Errorf("--admin-addr %q: want HOST:PORT, or off: %w", c.AdminAddr, err)
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
	c.Logger = telemetry.Logger(c.Logger)
	if c.Metrics == nil {
		c.Metrics = telemetry.NewRegistry(telemetry.Build{Version: buildinfo.String(), Revision: buildinfo.Revision()})
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	if err := c.Limits.withDefaults(); err != nil {
		return err
	}
	if c.PublicURL != "" {
		if err := checkPublicURL(c.PublicURL); err != nil {
			return err
		}
	}
	if c.SMTPURL != "" {
		if _, err := notify.ParseSMTPURL(c.SMTPURL); err != nil {
			return err
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both, or neither")
	}
	if c.TLSCert != "" {
		// Before anything is opened: New loads the pair again to serve it.
		if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
			return fmt.Errorf("--tls-cert %s, --tls-key %s: %w", c.TLSCert, c.TLSKey, err)
		}
	}
	if c.OIDC != nil {
		return c.OIDC.Validate()
	}
	return nil
}

// Services are the use cases the doors call. The composition root builds
// them over whichever store engine it opened; the doors never see one.
type Services struct {
	Cases      usecase.Cases
	Notices    usecase.Notices
	Deadlines  *deadline.Engine
	Users      usecase.Accounts
	Tokens     usecase.Tokens
	Operations usecase.Operations
	Sessions   web.SessionStore
	// Subjects answers requests about Rightsdesk's own data.
	Subjects usecase.DataSubjects
	// Retention says what the retention schedule will delete.
	Retention usecase.Retention
	// Delivery and Packs hand released response packs to requesters on
	// the status page; without both it offers none.
	Delivery usecase.Delivery
	Packs    usecase.PackWriter
	// SearchRequests sends search requests to data owners and takes their
	// answers through the public site; without it neither is offered.
	SearchRequests usecase.SearchRequests
}

// Listeners are the bound gRPC and HTTP sockets, the admin socket
// (ListenAdmin) when there is one, and the admin HTTP listener when
// Config.AdminAddr names one.
type Listeners struct {
	GRPC, HTTP, Admin, AdminHTTP net.Listener
}

// Listen binds both addresses, so a busy port is found before anything
// else is opened and the caller learns the real addresses (port 0 picks a
// free one).
func Listen(cfg Config) (Listeners, error) {
	grpcLis, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		return Listeners{}, fmt.Errorf("listen for gRPC on %s: %w", cfg.GRPCAddr, err)
	}
	lis := Listeners{GRPC: grpcLis}
	if lis.HTTP, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		lis.Close()
		return Listeners{}, fmt.Errorf("listen for HTTP on %s: %w", cfg.HTTPAddr, err)
	}
	if cfg.AdminAddr != "" && cfg.AdminAddr != "off" {
		if lis.AdminHTTP, err = net.Listen("tcp", cfg.AdminAddr); err != nil {
			lis.Close()
			return Listeners{}, fmt.Errorf("listen for the admin HTTP listener on %s: %w", cfg.AdminAddr, err)
		}
	}
	return lis, nil
}

// Close closes both listeners.
func (l Listeners) Close() {
	for _, lis := range []net.Listener{l.GRPC, l.HTTP, l.Admin, l.AdminHTTP} {
		if lis != nil {
			_ = lis.Close()
		}
	}
}

// Server serves the doors: a gRPC server and an HTTP server.
type Server struct {
	cfg      Config
	log      *slog.Logger
	services Services
	grpc     *grpc.Server
	health   *health.Server
	lis      Listeners
	web      http.Handler
	// instruments are the doors' metrics, traces and request ids.
	instruments *telemetry.Instruments
	// openAPI is the document /openapi.json serves (openAPIDocument).
	openAPI []byte
	// rest authenticates REST calls before their bodies are read.
	rest *restGuard
	// certs is the certificate the public ports present, nil without TLS.
	certs *certificateFiles
}

// New builds the doors over the services, on listeners from Listen, which
// it owns from then on (closing them if it fails).
func New(ctx context.Context, cfg Config, lis Listeners, services Services) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		lis.Close()
		return nil, err
	}
	// The admin socket is local and owner-only, so it has no cap: an
	// administrator can reach the server however many clients hold the
	// public ports.
	lis.GRPC, lis.HTTP = cfg.Limits.limitListener(lis.GRPC), cfg.Limits.limitListener(lis.HTTP)
	s := &Server{cfg: cfg, log: cfg.Logger, services: services, lis: lis}
	if cfg.TLSCert != "" {
		certs, err := loadCertificateFiles(cfg.TLSCert, cfg.TLSKey, cfg.Logger)
		if err != nil {
			lis.Close()
			return nil, err
		}
		s.certs, s.lis.HTTP = certs, tls.NewListener(s.lis.HTTP, certs.serverConfig())
	}
	if err := s.buildGRPC(); err != nil {
		lis.Close()
		return nil, err
	}
	if err := s.buildWeb(ctx); err != nil {
		lis.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) buildGRPC() error {
	validator, err := protovalidate.New()
	if err != nil {
		return fmt.Errorf("build validator: %w", err)
	}
	s.instruments = telemetry.New(telemetry.Options{Registry: s.cfg.Metrics, Tracing: s.cfg.Tracing, Log: s.log})

	authn := newAuthenticator(s.services.Tokens, s.log)
	limits := newCallLimits(s.cfg.Limits)
	serverCreds, _ := s.transportCredentials()
	s.grpc = grpc.NewServer(slices.Concat(s.cfg.Limits.grpcOptions(), s.instruments.GRPCServerOptions(), []grpc.ServerOption{
		grpc.Creds(newPeerCredentials(serverCreds)),
		grpc.ChainUnaryInterceptor(unaryInterceptors(s.log, s.instruments, limits, authn, validator)...),
		grpc.ChainStreamInterceptor(streamInterceptors(s.log, s.instruments, limits, authn, validator)...),
	})...)
	rdv1.RegisterNoticeServiceServer(s.grpc, &noticeService{work: s.services.Notices})
	rdv1.RegisterDeadlineServiceServer(s.grpc, NewDeadlineService(s.services.Deadlines, s.cfg.Clock))
	rdv1.RegisterCaseServiceServer(s.grpc, &caseService{work: s.services.Cases, searches: s.services.SearchRequests})
	rdv1.RegisterAdminServiceServer(s.grpc, &adminService{ops: s.services.Operations, tokens: s.services.Tokens, users: s.services.Users, subjects: s.services.Subjects, clock: s.cfg.Clock})
	s.health = health.NewServer()
	healthpb.RegisterHealthServer(s.grpc, s.health)
	if !s.cfg.NoReflection {
		reflection.Register(s.grpc)
	}
	s.instruments.InitializeGRPC(s.grpc)
	// Last, once every service is registered: refuse to start if any RPC does
	// not declare who may call it.
	if err := authn.loadRoles(s.grpc); err != nil {
		return err
	}
	if err := limits.loadWrites(s.grpc); err != nil {
		return err
	}
	s.rest = &restGuard{tokens: s.services.Tokens, limits: limits, log: s.log, maxBody: s.cfg.MaxBodyBytes, methodRoles: authn.roles}
	s.openAPI, err = openAPIDocument(gen.OpenAPI, buildinfo.String(), authn.roles)
	return err
}

// GRPCAddr is the address the gRPC server listens on.
func (s *Server) GRPCAddr() string { return s.lis.GRPC.Addr().String() }

// HTTPAddr is the address the HTTP server listens on.
func (s *Server) HTTPAddr() string { return s.lis.HTTP.Addr().String() }

// AdminHTTPAddr is the address the admin HTTP listener listens on, or ""
// when there is none.
func (s *Server) AdminHTTPAddr() string {
	if s.lis.AdminHTTP == nil {
		return ""
	}
	return s.lis.AdminHTTP.Addr().String()
}

// Run serves until ctx is cancelled, then drains in-flight calls and stops.
func (s *Server) Run(ctx context.Context) error {
	_, gatewayCreds := s.transportCredentials()
	gateway, conn, err := newGateway(ctx, s.GRPCAddr(), gatewayCreds, s.instruments, s.rest)
	if err != nil {
		s.lis.Close()
		return err
	}
	defer conn.Close()
	httpServer := s.cfg.Limits.httpServer(s.httpHandler(gateway))
	// The admin listener keeps the public port's limits but its write
	// timeout: a CPU profile or execution trace streams for as long as
	// the operator asked (?seconds=N).
	adminServer := s.cfg.Limits.httpServer(s.instruments.AdminHandler(healthz, s.ready))
	adminServer.WriteTimeout = 0

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.serveGRPC(s.lis.GRPC) })
	if s.lis.Admin != nil {
		g.Go(func() error { return s.serveGRPC(s.lis.Admin) })
	}
	g.Go(func() error {
		if err := httpServer.Serve(s.lis.HTTP); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	if s.lis.AdminHTTP != nil {
		g.Go(func() error {
			if err := adminServer.Serve(s.lis.AdminHTTP); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	// The server as a whole ("") and each service by name, so a client
	// or a load balancer may check the one it calls.
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	for name := range s.grpc.GetServiceInfo() {
		s.health.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	g.Go(func() error {
		<-gctx.Done()
		s.shutdown(httpServer, adminServer)
		return nil
	})
	return g.Wait()
}

// serveGRPC serves gRPC on l until the server stops. A stop that comes
// before serving begins (a server stopped the moment it started) is no
// failure, but gRPC never took l, so it is closed here.
func (s *Server) serveGRPC(l net.Listener) error {
	err := s.grpc.Serve(l)
	if errors.Is(err, grpc.ErrServerStopped) {
		_ = l.Close()
		return nil
	}
	return err
}

func (s *Server) shutdown(httpServer, adminServer *http.Server) {
	s.log.Info("shutting down", "drain", s.cfg.Drain)
	// Not ready first, while every listener still serves: a load balancer
	// probing /readyz (or gRPC health) takes the server out of rotation
	// during the drain, and calls it sends meanwhile are still answered.
	s.health.Shutdown()
	if s.cfg.Drain > 0 {
		drain := time.NewTimer(s.cfg.Drain)
		<-drain.C
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(ctx); err != nil {
		s.log.Warn("HTTP shutdown", "error", err)
	}
	// Last, so /readyz answers "not serving" there until the public port
	// has drained.
	if err := adminServer.Shutdown(ctx); err != nil {
		s.log.Warn("admin HTTP shutdown", "error", err)
	}
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
		s.grpc.Stop()
	}
}
