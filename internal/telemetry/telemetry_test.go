package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

func TestWhichRequestIDsAreKept(t *testing.T) {
	for _, tt := range []struct {
		id   string
		kept bool
	}{
		{"abc-123", true},
		{"01J0000000000000000000000A", true},
		{"a.b_c-d", true},
		{strings.Repeat("x", 64), true},
		{strings.Repeat("x", 65), false},
		{"", false},
		{"has space", false},
		{"grace@example.org", false},
		{"line\nbreak", false},
		{`quote"`, false},
		{"é", false},
	} {
		if got := WellFormedRequestID(tt.id); got != tt.kept {
			t.Errorf("WellFormedRequestID(%q) = %v, want %v", tt.id, got, tt.kept)
		}
		if got := requestID(tt.id); tt.kept && got != tt.id || !tt.kept && (got == tt.id || len(got) != 32) {
			t.Errorf("requestID(%q) = %q", tt.id, got)
		}
	}
	if a, b := NewRequestID(), NewRequestID(); a == b || !WellFormedRequestID(a) {
		t.Errorf("two new ids: %q and %q", a, b)
	}
}

// syncBuffer is a log destination the server's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(s.b.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

func newTestInstruments(t *testing.T) (*Instruments, *prometheus.Registry, *syncBuffer) {
	t.Helper()
	reg := NewRegistry(Build{Version: "v1.2.3", Revision: "abc123"})
	logs := &syncBuffer{}
	return New(Options{Registry: reg, Log: slog.New(slog.NewJSONHandler(logs, nil))}), reg, logs
}

func TestTheHTTPHandlerNamesEachRequestAndCountsItByRoutePattern(t *testing.T) {
	in, reg, logs := newTestInstruments(t)
	mux := http.NewServeMux()
	var seen Request
	mux.HandleFunc("GET /cases/{id}", func(w http.ResponseWriter, r *http.Request) {
		seen, _ = RequestFrom(r.Context())
		in.log.InfoContext(r.Context(), "inside the handler")
		w.WriteHeader(http.StatusTeapot)
	})
	inner := http.NewServeMux() // a router below the first, as the web pages are
	inner.HandleFunc("POST /forms/{step}", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.Handle("/forms/", inner)
	srv := httptest.NewServer(in.HTTPHandler(mux))
	defer srv.Close()

	do := func(method, path, id string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if id != "" {
			req.Header.Set(HeaderRequestID, id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := do("GET", "/cases/01J0000000000000000000000A", "client-chosen-1")
	if got := resp.Header.Get(HeaderRequestID); got != "client-chosen-1" || seen.ID != got {
		t.Errorf("a well-formed X-Request-Id: answered %q, handler saw %q; want the client's", got, seen.ID)
	}
	if seen.Client != "127.0.0.1" {
		t.Errorf("client address %q, want the TCP peer's host", seen.Client)
	}
	resp = do("GET", "/cases/01J0000000000000000000000B", "not well formed!")
	if got := resp.Header.Get(HeaderRequestID); got == "not well formed!" || !WellFormedRequestID(got) || seen.ID != got {
		t.Errorf("a malformed X-Request-Id: answered %q, handler saw %q; want a new id", got, seen.ID)
	}
	do("POST", "/forms/name", "")
	do("GET", "/nowhere", "")

	for labels, want := range map[[3]string]float64{
		{"GET", "/cases/{id}", "418"}:    2,
		{"POST", "/forms/{step}", "200"}: 1,
		{"GET", "unmatched", "404"}:      1,
	} {
		if got := histogramCount(t, reg, labels); got != want {
			t.Errorf("requests counted under %v: %v, want %v", labels, got, want)
		}
	}
	text := scrape(t, reg)
	if strings.Contains(text, "01J0000000000000000000000A") {
		t.Errorf("a URL's id became a label:\n%s", text)
	}

	var handlerLine, accessLine map[string]any
	for _, l := range logs.lines(t) {
		if l["request_id"] != "client-chosen-1" {
			continue
		}
		switch l["msg"] {
		case "inside the handler":
			handlerLine = l
		case "http request":
			accessLine = l
		}
	}
	if handlerLine == nil || handlerLine["client"] != "127.0.0.1" {
		t.Errorf("the handler's log line lacks the request id or client: %v", handlerLine)
	}
	if accessLine == nil || accessLine["route"] != "/cases/{id}" || accessLine["status"] != float64(418) || accessLine["method"] != "GET" {
		t.Errorf("access log line: %v", accessLine)
	}
	if strings.Contains(logs.b.String(), "01J0000000000000000000000A") {
		t.Error("the access log has the URL, not the route pattern")
	}
}

func histogramCount(t *testing.T, reg *prometheus.Registry, labels [3]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "rightsdesk_http_request_duration_seconds" {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			want := map[string]string{"method": labels[0], "route": labels[1], "code": labels[2]}
			for _, l := range m.GetLabel() {
				if want[l.GetName()] != l.GetValue() {
					continue metrics
				}
			}
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return 0
}

func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestBuildInfoNamesTheBuild(t *testing.T) {
	reg := NewRegistry(Build{Version: "v1.2.3"})
	text := scrape(t, reg)
	if !strings.Contains(text, `rightsdesk_build_info{goversion="go`) || !strings.Contains(text, `revision="unknown",version="v1.2.3"} 1`) {
		t.Errorf("rightsdesk_build_info:\n%s", grep(text, "rightsdesk_build_info"))
	}
}

func grep(text, prefix string) string {
	var out []string
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

func TestTheGRPCRequestContextTrustsOnlyTheGateway(t *testing.T) {
	in, _, _ := newTestInstruments(t)
	// What the gateway sends for an HTTP request.
	gw := in.gatewayMetadata(WithRequest(context.Background(), Request{ID: "req-from-gateway", Client: "203.0.113.9"}))
	loopback := &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5555}}
	for _, tt := range []struct {
		name string
		md   metadata.MD
		want Request
	}{
		{"through the gateway", gw, Request{ID: "req-from-gateway", Client: "203.0.113.9"}},
		{"a client claiming to be the gateway", metadata.Pairs(gatewayKey, "guessed 203.0.113.9 forged"), Request{Client: "127.0.0.1"}},
		{"a client's forged value beside the gateway's", metadata.Join(metadata.Pairs(gatewayKey, "guessed 198.51.100.1 forged"), gw), Request{ID: "req-from-gateway", Client: "203.0.113.9"}},
		{"a direct client with its own id", metadata.Pairs(requestIDKey, "grpc-client-7"), Request{ID: "grpc-client-7", Client: "127.0.0.1"}},
		{"a direct client with a malformed id", metadata.Pairs(requestIDKey, "bad id"), Request{Client: "127.0.0.1"}},
	} {
		ctx := peer.NewContext(metadata.NewIncomingContext(context.Background(), tt.md), loopback)
		got, ok := RequestFrom(in.requestContext(ctx))
		if !ok || got.Client != tt.want.Client || (tt.want.ID != "" && got.ID != tt.want.ID) || !WellFormedRequestID(got.ID) || got.ID == "forged" {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestTracingIsOffUnlessTheStandardVariablesAskForIt(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		on      bool
		problem string
	}{
		{"nothing set", nil, false, ""},
		{"an endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true, ""},
		{"a traces endpoint over gRPC", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, true, ""},
		{"the exporter named", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, ""},
		{"the exporter switched off", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false, ""},
		{"the SDK disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false, ""},
		{"an exporter not built in", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, "OTEL_TRACES_EXPORTER"},
		{"a protocol not built in", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, false, "OTEL_EXPORTER_OTLP_PROTOCOL"},
	} {
		tr, err := TracingFromEnv(t.Context(), func(k string) string { return tt.env[k] }, Build{Version: "test"})
		switch {
		case tt.problem != "":
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("%s: %v, want an error naming %s", tt.name, err, tt.problem)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tr.Enabled() != tt.on:
			t.Errorf("%s: tracing on = %v, want %v", tt.name, tr.Enabled(), tt.on)
		}
		if err := tr.Shutdown(t.Context()); err != nil {
			t.Errorf("%s: shutdown: %v", tt.name, err)
		}
	}
}

func TestWithTracingOffNoSpanIsMade(t *testing.T) {
	in, _, _ := newTestInstruments(t)
	var sc trace.SpanContext
	h := in.HTTPHandler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		sc = trace.SpanContextFromContext(r.Context())
	}))
	req := httptest.NewRequest("GET", "/v1/notices", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if sc.IsValid() {
		t.Errorf("tracing off, the handler saw span context %v", sc)
	}
	if len(in.GRPCServerOptions()) != 0 || len(in.GatewayDialOptions()) != 0 {
		t.Error("tracing off, the gRPC server or the gateway still gets a stats handler")
	}
}

func TestTheAdminHandlerServesProfilesAndChecks(t *testing.T) {
	in, _, _ := newTestInstruments(t)
	ok := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("fine")) }
	h := in.AdminHandler(ok, ok)
	for path, want := range map[string]string{
		"/metrics":                       "rightsdesk_build_info",
		"/debug/pprof/":                  "goroutine",
		"/debug/pprof/goroutine?debug=1": "goroutine profile",
		"/healthz":                       "fine",
		"/readyz":                        "fine",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/cmdline", nil))
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), os.Args[0]) {
		t.Errorf("GET /debug/pprof/cmdline: %d %q; want 404, since the flags may hold secrets", rec.Code, rec.Body.String())
	}
}

func TestTheGatewayNamesItsRouteTemplate(t *testing.T) {
	in, reg, _ := newTestInstruments(t)
	gw := runtime.NewServeMux(in.GatewayMuxOptions()...)
	if err := gw.HandlePath("GET", "/v1/{name=cases/*}", func(w http.ResponseWriter, _ *http.Request, _ map[string]string) {
		w.WriteHeader(http.StatusNoContent)
	}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", gw)
	h := in.HTTPHandler(mux)
	for _, id := range []string{"01J0000000000000000000000A", "01J0000000000000000000000B"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v1/cases/"+id, nil))
	}
	if got := histogramCount(t, reg, [3]string{"GET", "/v1/{name=cases/*}", "204"}); got != 2 {
		t.Errorf("two gets of a case counted %v times under the gateway's template; metrics:\n%s", got, grep(scrape(t, reg), "rightsdesk_http_request_duration_seconds_count"))
	}
}

// What the instruments add to each HTTP request, tracing off: a request
// id, a histogram observation and an access-log line (discarded here).
func BenchmarkHTTPHandler(b *testing.B) {
	in := New(Options{Registry: prometheus.NewRegistry()})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cases/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for name, h := range map[string]http.Handler{"bare": mux, "instrumented": in.HTTPHandler(mux)} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/cases/01J0000000000000000000000A", nil)
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
