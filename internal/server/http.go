package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/encoding/protojson"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/telemetry"
)

// RESTMarshalOptions are how the REST API writes JSON; the CLI's --json
// output uses them too, so its shape cannot drift from the API's.
func RESTMarshalOptions() protojson.MarshalOptions {
	return protojson.MarshalOptions{UseProtoNames: true}
}

// newGateway returns the REST gateway. It dials the gRPC server over the
// network rather than calling the services in process, so every interceptor
// runs once for REST exactly as for gRPC.
//
// The instruments pass the HTTP request's id and client address on to the
// gRPC side, and its trace context while tracing. The guard authenticates
// each call before its body is read (restGuard); the API takes JSON only,
// so the gateway's reading of a form-encoded POST as a GET, which would
// read the body before the guard runs, is off.
func newGateway(ctx context.Context, grpcAddr string, creds credentials.TransportCredentials, in *telemetry.Instruments, guard *restGuard) (http.Handler, *grpc.ClientConn, error) {
	conn, err := grpc.NewClient(grpcAddr, append(in.GatewayDialOptions(), grpc.WithTransportCredentials(creds))...)
	if err != nil {
		return nil, nil, fmt.Errorf("dial gRPC server for the gateway: %w", err)
	}
	mux := runtime.NewServeMux(slices.Concat(gatewayOptions(), in.GatewayMuxOptions(), []runtime.ServeMuxOption{
		runtime.WithMiddlewares(guard.middleware),
		runtime.WithDisablePathLengthFallback(),
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   RESTMarshalOptions(),
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}),
	})...)
	for _, register := range []func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error{
		rdv1.RegisterNoticeServiceHandler,
		rdv1.RegisterDeadlineServiceHandler,
		rdv1.RegisterCaseServiceHandler,
		rdv1.RegisterAdminServiceHandler,
	} {
		if err := register(ctx, mux, conn); err != nil {
			_ = conn.Close()
			return nil, nil, err
		}
	}
	if err := guard.learnRoutes(mux); err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	return mux, conn, nil
}

// httpHandler routes the REST API, the health checks and, for every
// other path, the web pages, each request counted, logged and traced by
// the instruments. /healthz and /readyz stay here for load balancers,
// which probe the port they send traffic to; /metrics and the profiler
// are on the admin listener only, since they tell the public too much.
func (s *Server) httpHandler(gateway http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/", apiHeaders(gateway)) // the gateway's guard limits the body, once the call is authenticated
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", s.ready)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.openAPI)
	})
	mux.Handle("/", s.web)
	return s.instruments.HTTPHandler(securityHeaders(mux))
}

// healthz answers 200 while the process serves.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ready answers 200 only while the gRPC server reports SERVING and the store
// answers a read.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	resp, err := s.health.Check(r.Context(), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not serving"})
		return
	}
	if err := s.services.Operations.Ready(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// limitBody answers 413 for a body over max bytes, whether or not the client
// declared its length, before the gateway's handler reads any of it.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			writeTooLarge(w, max)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeTooLarge(w, max)
			return
		}
		if err != nil {
			writeStatus(w, http.StatusBadRequest, refusal("MALFORMED_REQUEST", "could not read the request body", nil))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func writeTooLarge(w http.ResponseWriter, max int64) {
	writeStatus(w, http.StatusRequestEntityTooLarge, refusal("REQUEST_TOO_LARGE",
		fmt.Sprintf("the request body is larger than the limit of %d bytes", max), map[string]string{"limitBytes": fmt.Sprint(max)}))
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// apiHeaders mark every REST answer as not to be kept by a browser or a
// proxy — they carry personal data — and as data, not a page: nothing in
// it may run or be framed.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
