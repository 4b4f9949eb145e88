package telemetry

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// The default protocol, http/protobuf, reaches a collector at
// OTEL_EXPORTER_OTLP_ENDPOINT: spans arrive at its /v1/traces, with the
// service's name.
func TestSpansAreExportedOverOTLPHTTPByDefault(t *testing.T) {
	var (
		mu    sync.Mutex
		names []string
		svc   string
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.GetResourceSpans() {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					svc = a.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					names = append(names, s.GetName())
				}
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(nil)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_SERVICE_NAME", "")

	tracing, err := TracingFromEnv(t.Context(), os.Getenv, Build{Version: "test"})
	if err != nil || !tracing.Enabled() {
		t.Fatalf("tracing: %v, on %v", err, tracing.Enabled())
	}
	_, span := tracing.Provider().Tracer("test").Start(t.Context(), "exported span")
	span.End()
	if err := tracing.Shutdown(t.Context()); err != nil {
		t.Fatalf("shutdown (which exports what is left): %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(names) != 1 || names[0] != "exported span" || svc != "rightsdesk" {
		t.Errorf("the collector received spans %q from service %q; want [exported span] from rightsdesk", names, svc)
	}
}
