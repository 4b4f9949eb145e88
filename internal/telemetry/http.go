package telemetry

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
)

// routeKey holds the *route of an HTTP request, so a router below the
// outermost one (the REST gateway) can name the route it chose.
type routeKey struct{}

type route struct {
	mu      sync.Mutex
	pattern string
}

// SetRoute names the route pattern (never the URL: a pattern keeps the
// metrics' series few and the logs free of the ids in paths) that serves
// the HTTP request of ctx, for routers that do not set http.Request's
// Pattern (the REST gateway). The first call wins.
func SetRoute(ctx context.Context, pattern string) {
	if rt, ok := ctx.Value(routeKey{}).(*route); ok {
		rt.mu.Lock()
		if rt.pattern == "" {
			rt.pattern = pattern
		}
		rt.mu.Unlock()
	}
}

func (rt *route) get() string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.pattern
}

// httpMetrics are the HTTP series, by method, route pattern and status.
type httpMetrics struct {
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func newHTTPMetrics(reg prometheus.Registerer) httpMetrics {
	m := httpMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rightsdesk_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request (web pages, REST, health), by method, route pattern and status code.",
			Buckets: LatencyBuckets,
		}, []string{"method", "route", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rightsdesk_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
	}
	reg.MustRegister(m.duration, m.inFlight)
	return m
}

// HTTPHandler instruments the public HTTP port: each request gets a
// request id (the client's X-Request-Id when well formed, else a new one,
// returned in the response's X-Request-Id), the client's address in its
// context, one access-log line and one observation in
// rightsdesk_http_request_duration_seconds under its route pattern and,
// while tracing, a server span continuing the caller's trace (for the
// REST API; a web page's caller is the public, whose trace context is
// linked but not trusted as the parent).
func (in *Instruments) HTTPHandler(next http.Handler) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r.Header.Get(HeaderRequestID))
		w.Header().Set(HeaderRequestID, id)
		rt := &route{}
		ctx := context.WithValue(WithRequest(r.Context(), Request{ID: id, Client: hostOf(r.RemoteAddr)}), routeKey{}, rt)
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		in.http.inFlight.Inc()
		defer in.http.inFlight.Dec()
		next.ServeHTTP(rec, r)

		// The routers set r.Pattern on the request they were given, which
		// is r unless a handler between them copied it; a pattern is
		// always one of a fixed few, never the URL.
		pattern := rt.get()
		if pattern == "" {
			pattern = r.Pattern
		}
		path := routeOf(pattern)
		code := rec.code()
		elapsed := time.Since(start)
		in.http.duration.WithLabelValues(methodLabel(r.Method), path, strconv.Itoa(code)).Observe(elapsed.Seconds())
		if span := trace.SpanFromContext(ctx); span.IsRecording() {
			span.SetName(r.Method + " " + path)
			span.SetAttributes(attribute.String("http.route", path))
		}
		level := slog.LevelInfo
		if path == "/healthz" || path == "/readyz" {
			level = slog.LevelDebug // probed every few seconds; a line each would bury the rest
		}
		in.log.LogAttrs(ctx, level, "http request",
			slog.String("method", methodLabel(r.Method)), slog.String("route", path),
			slog.Int("status", code), slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000))
	})
	if !in.tracing.Enabled() {
		return h
	}
	return otelhttp.NewHandler(h, "http",
		otelhttp.WithTracerProvider(in.tracing.Provider()),
		otelhttp.WithPropagators(in.tracing.Propagator()),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()), // Prometheus has the numbers
		otelhttp.WithPublicEndpointFn(func(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/v1/") }),
	)
}

// routeOf is a pattern without its method ("GET /staff/cases/{id}" is
// /staff/cases/{id}), or "unmatched" when no router named one.
func routeOf(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return strings.TrimSpace(path)
	}
	return pattern
}

// methodLabel keeps the method label to the methods HTTP defines, so a
// client inventing methods cannot add series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusRecorder remembers the status code written. Unwrap lets
// http.ResponseController reach the connection (deadlines, flushing).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) code() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}
