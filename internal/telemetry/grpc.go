package telemetry

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// The gateway calls the gRPC server over a connection from the server's
// own process, so the gRPC side sees the gateway's address, not the HTTP
// client's. The gateway passes the client's address and the request id in
// gatewayKey as "SECRET CLIENT REQUEST-ID", where SECRET is drawn at
// start and known only to this process: a REST client's own
// Grpc-Metadata-X-Rightsdesk-Gateway header (which the gateway forwards)
// or a gRPC client's metadata cannot claim another address.
const (
	gatewayKey   = "x-rightsdesk-gateway"
	requestIDKey = "x-request-id"
)

type grpcInstruments struct {
	metrics *grpcprom.ServerMetrics
	secret  string
}

func newGRPCInstruments(reg prometheus.Registerer) grpcInstruments {
	m := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(grpcprom.WithHistogramBuckets(LatencyBuckets)))
	reg.MustRegister(m)
	return grpcInstruments{metrics: m, secret: NewRequestID()}
}

// GRPCServerOptions are the gRPC server's stats handler: a server span for
// every call, continuing the caller's trace, while tracing.
func (in *Instruments) GRPCServerOptions() []grpc.ServerOption {
	if !in.tracing.Enabled() {
		return nil
	}
	return []grpc.ServerOption{grpc.StatsHandler(otelgrpc.NewServerHandler(
		otelgrpc.WithTracerProvider(in.tracing.Provider()),
		otelgrpc.WithPropagators(in.tracing.Propagator()),
		otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()),
	))}
}

// UnaryInterceptors come first in the server's chain: the request context
// (so every later log line has the request id), then the metrics (so they
// count panics and refusals too).
func (in *Instruments) UnaryInterceptors() []grpc.UnaryServerInterceptor {
	return []grpc.UnaryServerInterceptor{
		func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
			return next(in.requestContext(ctx), req)
		},
		in.grpc.metrics.UnaryServerInterceptor(),
	}
}

// StreamInterceptors are UnaryInterceptors for streams.
func (in *Instruments) StreamInterceptors() []grpc.StreamServerInterceptor {
	return []grpc.StreamServerInterceptor{
		func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
			return next(srv, &contextStream{ServerStream: ss, ctx: in.requestContext(ss.Context())})
		},
		in.grpc.metrics.StreamServerInterceptor(),
	}
}

// InitializeGRPC starts every registered method's series at zero, so a
// dashboard shows a method before its first call.
func (in *Instruments) InitializeGRPC(s *grpc.Server) { in.grpc.metrics.InitializeMetrics(s) }

type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *contextStream) Context() context.Context { return s.ctx }

// requestContext adds the call's Request: from the gateway, the HTTP
// request's id and client; otherwise the caller's x-request-id when well
// formed (else a new id, returned in the response header) and the TCP
// peer.
func (in *Instruments) requestContext(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	if req, ok := in.fromGateway(md); ok {
		return WithRequest(ctx, req)
	}
	ids := md.Get(requestIDKey)
	fromClient := ""
	if len(ids) == 1 {
		fromClient = ids[0]
	}
	req := Request{ID: requestID(fromClient)}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		req.Client = hostOf(p.Addr.String())
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs(requestIDKey, req.ID))
	return WithRequest(ctx, req)
}

func (in *Instruments) fromGateway(md metadata.MD) (Request, bool) {
	for _, v := range md.Get(gatewayKey) {
		secret, rest, ok := strings.Cut(v, " ")
		if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(in.grpc.secret)) != 1 {
			continue
		}
		client, id, _ := strings.Cut(rest, " ")
		if !WellFormedRequestID(id) {
			id = NewRequestID()
		}
		return Request{ID: id, Client: client}, true
	}
	return Request{}, false
}

// GatewayDialOptions are for the gateway's connection to the gRPC server:
// a client span around each call, whose context travels to the server
// span, while tracing.
func (in *Instruments) GatewayDialOptions() []grpc.DialOption {
	if !in.tracing.Enabled() {
		return nil
	}
	return []grpc.DialOption{grpc.WithStatsHandler(otelgrpc.NewClientHandler(
		otelgrpc.WithTracerProvider(in.tracing.Provider()),
		otelgrpc.WithPropagators(in.tracing.Propagator()),
		otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()),
	))}
}

// GatewayMuxOptions name the REST route for the HTTP metrics and pass the
// request id and client address on to the gRPC server.
func (in *Instruments) GatewayMuxOptions() []runtime.ServeMuxOption {
	return []runtime.ServeMuxOption{
		runtime.WithMetadata(func(ctx context.Context, _ *http.Request) metadata.MD { return in.gatewayMetadata(ctx) }),
		runtime.WithMiddlewares(func(next runtime.HandlerFunc) runtime.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
				if p, ok := runtime.HTTPPattern(r.Context()); ok {
					SetRoute(r.Context(), r.Method+" "+p.String())
				}
				next(w, r, params)
			}
		}),
	}
}

// gatewayMetadata is what the gateway tells the gRPC server of the HTTP
// request behind a call (see gatewayKey).
func (in *Instruments) gatewayMetadata(ctx context.Context) metadata.MD {
	req, ok := RequestFrom(ctx)
	if !ok {
		return nil
	}
	return metadata.Pairs(gatewayKey, in.grpc.secret+" "+req.Client+" "+req.ID)
}
