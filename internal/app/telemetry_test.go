package app_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/telemetry"
)

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// createOverREST makes a case through the REST gateway with an admin
// token and the given X-Request-Id, and returns the response.
func createOverREST(t *testing.T, client *http.Client, a *app.App, token, requestID string) (*http.Response, *rdv1.Case) {
	t.Helper()
	body, err := server.RESTMarshalOptions().Marshal(webRequest())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "http://"+a.HTTPAddr()+"/v1/cases", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telemetry.HeaderRequestID, requestID)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/cases: %s %s", resp.Status, raw)
	}
	var c struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.Name == "" {
		t.Fatalf("POST /v1/cases answered %s", raw)
	}
	return resp, &rdv1.Case{Name: c.Name}
}

func TestTheAdminListenerServesMetricsProfilesAndReadiness(t *testing.T) {
	dir := t.TempDir()
	token := seedStaff(t, "bolt://"+dir)
	cfg := app.Config{Store: "bolt://" + dir} // as seedStaff named it
	cfg.Server.AdminAddr = "127.0.0.1:0"
	a, _ := apptest.Start(t, cfg)
	admin := "http://" + a.AdminHTTPAddr()
	public := "http://" + a.HTTPAddr()
	if a.AdminHTTPAddr() == "" || a.AdminHTTPAddr() == a.HTTPAddr() {
		t.Fatalf("admin listener at %q beside the public %q", a.AdminHTTPAddr(), a.HTTPAddr())
	}

	// A few calls through each door.
	resp, created := createOverREST(t, http.DefaultClient, a, token, "metrics-test-1")
	if got := resp.Header.Get(telemetry.HeaderRequestID); got != "metrics-test-1" {
		t.Errorf("the REST answer's X-Request-Id is %q, want the client's", got)
	}
	if code, _ := get(t, public+"/v1/notices"); code != http.StatusOK {
		t.Fatalf("GET /v1/notices: %d", code)
	}
	if code, _ := get(t, public+"/"); code != http.StatusOK {
		t.Fatalf("GET /: %d", code)
	}

	code, text := get(t, admin+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("admin /metrics: %d", code)
	}
	for _, want := range []string{
		`rightsdesk_build_info{goversion="` + runtime.Version() + `",revision="`,
		`rightsdesk_http_request_duration_seconds_count{code="200",method="POST",route="/v1/cases"} 1`,
		`rightsdesk_http_request_duration_seconds_count{code="200",method="GET",route="/v1/notices"} 1`,
		`rightsdesk_http_request_duration_seconds_count{code="200",method="GET",route="/{$}"} 1`,
		// Sub-millisecond buckets for gRPC, and the REST call counted there too.
		`grpc_server_handling_seconds_bucket{grpc_method="CreateCase",grpc_service="rightsdesk.v1.CaseService",grpc_type="unary",le="5e-05"}`,
		`grpc_server_handled_total{grpc_code="OK",grpc_method="CreateCase",grpc_service="rightsdesk.v1.CaseService",grpc_type="unary"} 1`,
		`rightsdesk_store_commit_duration_seconds_count{outcome="ok"}`,
		`rightsdesk_store_commit_bytes_count`,
		`rightsdesk_store_group_commits_total`,
		`rightsdesk_store_writer_seconds_total{phase="committing"}`,
		`rightsdesk_outbox_queued 0`,
		`rightsdesk_outbox_undelivered_cases 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("admin /metrics lacks %s", want)
		}
	}
	id := strings.TrimPrefix(created.GetName(), "cases/")
	if strings.Contains(text, id) {
		t.Errorf("a case id became a label: the metrics name %s", id)
	}

	for path, want := range map[string]string{
		"/readyz":                        `"ready"`,
		"/healthz":                       `"ok"`,
		"/debug/pprof/":                  "goroutine",
		"/debug/pprof/heap?debug=1":      "heap profile",
		"/debug/pprof/goroutine?debug=1": "goroutine profile",
	} {
		if code, body := get(t, admin+path); code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("admin GET %s: %d, body lacks %s", path, code, want)
		}
	}
	// The public port keeps the checks load balancers probe, and nothing
	// of the rest.
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, _ := get(t, public+path); code != http.StatusOK {
			t.Errorf("public GET %s: %d", path, code)
		}
	}
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		if code, body := get(t, public+path); code != http.StatusNotFound || strings.Contains(body, "go_goroutines") || strings.Contains(body, "goroutine profile") {
			t.Errorf("public GET %s: %d; want 404 without the admin content", path, code)
		}
	}
}

func TestTheAdminListenerIsOffWhenAsked(t *testing.T) {
	for _, addr := range []string{"", "off"} {
		cfg := app.Config{}
		cfg.Server.AdminAddr = addr
		a, stop := apptest.Start(t, cfg)
		if got := a.AdminHTTPAddr(); got != "" {
			t.Errorf("--admin-addr %q: an admin listener at %s", addr, got)
		}
		stop()
	}
	dir := t.TempDir()
	_, err := app.New(t.Context(), app.Config{DataDir: dir, Keyring: apptest.Keyring(t, dir),
		Server: server.Config{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", AdminAddr: "9091"}})
	if err == nil || !strings.Contains(err.Error(), "--admin-addr") {
		t.Errorf("--admin-addr 9091: %v; want a refusal naming the flag", err)
	}
}

// otlpReceiver is an OpenTelemetry collector's trace endpoint (OTLP over
// gRPC), keeping what it is sent.
type otlpReceiver struct {
	collectortrace.UnimplementedTraceServiceServer
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (r *otlpReceiver) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			r.spans = append(r.spans, ss.GetSpans()...)
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

func (r *otlpReceiver) received() []*tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*tracepb.Span(nil), r.spans...)
}

func startOTLPReceiver(t *testing.T) (*otlpReceiver, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rcv := &otlpReceiver{}
	gs := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(gs, rcv)
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	return rcv, lis.Addr().String()
}

// lockedBuffer is a log destination the server's goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Issue 19's acceptance: with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
// receiver, a REST create is one trace spanning the gateway's HTTP span,
// the gRPC server span and the store's commit, and the log lines of the
// request carry its request id and trace id.
func TestARESTCreateIsOneTraceFromGatewayToStoreCommit(t *testing.T) {
	rcv, endpoint := startOTLPReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+endpoint)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	tracing, err := telemetry.TracingFromEnv(t.Context(), os.Getenv, telemetry.Build{Version: "test"})
	if err != nil || !tracing.Enabled() {
		t.Fatalf("tracing from the environment: %v, on %v", err, tracing.Enabled())
	}
	defer tracing.Shutdown(context.WithoutCancel(t.Context()))

	dir := t.TempDir()
	token := seedStaff(t, "bolt://"+dir)
	logs := &lockedBuffer{}
	cfg := app.Config{Store: "bolt://" + dir} // as seedStaff named it
	cfg.Server.Tracing = tracing
	cfg.Server.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	a, _ := apptest.Start(t, cfg)
	// The client calls from 127.0.0.2 (loopback too), so its address is
	// told apart from the gateway's own connection to gRPC, from 127.0.0.1.
	fromElsewhere := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)},
	}).DialContext}}
	resp, _ := createOverREST(t, fromElsewhere, a, token, "trace-test-1")
	if resp.Header.Get(telemetry.HeaderRequestID) != "trace-test-1" {
		t.Errorf("X-Request-Id answered %q", resp.Header.Get(telemetry.HeaderRequestID))
	}

	// Spans are exported as they end, and the gRPC server's span may end
	// after the HTTP span it answered: wait for the whole trace.
	var (
		httpSpan, grpcServer, grpcClient *tracepb.Span
		commits                          []*tracepb.Span
		traceID                          string
		byID                             map[string]*tracepb.Span
	)
	collect := func() {
		httpSpan, grpcServer, grpcClient, commits, byID = nil, nil, nil, nil, map[string]*tracepb.Span{}
		received := rcv.received()
		for _, s := range received {
			if s.GetName() == "POST /v1/cases" && s.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
				httpSpan = s
			}
		}
		if httpSpan == nil {
			return
		}
		traceID = hex.EncodeToString(httpSpan.GetTraceId())
		for _, s := range received {
			if hex.EncodeToString(s.GetTraceId()) != traceID {
				continue
			}
			byID[hex.EncodeToString(s.GetSpanId())] = s
			switch {
			case s.GetName() == "rightsdesk.v1.CaseService/CreateCase" && s.GetKind() == tracepb.Span_SPAN_KIND_SERVER:
				grpcServer = s
			case s.GetName() == "rightsdesk.v1.CaseService/CreateCase" && s.GetKind() == tracepb.Span_SPAN_KIND_CLIENT:
				grpcClient = s
			case s.GetName() == "store.commit":
				commits = append(commits, s)
			}
		}
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := tracing.ForceFlush(t.Context()); err != nil {
			t.Fatal(err)
		}
		if collect(); grpcServer != nil && grpcClient != nil && len(commits) > 0 {
			break
		}
	}
	if httpSpan == nil {
		t.Fatalf("no HTTP server span POST /v1/cases among %d spans received", len(rcv.received()))
	}
	if grpcServer == nil || grpcClient == nil || len(commits) == 0 {
		t.Fatalf("trace %s: gRPC server span %v, gateway's client span %v, %d store commits; want all three", traceID, grpcServer != nil, grpcClient != nil, len(commits))
	}
	// Each span descends from the one before: HTTP → gateway's call →
	// gRPC server → the create's commit. (The REST guard's token check,
	// under the HTTP span, may commit the token's last use first.)
	descends := func(child, ancestor *tracepb.Span) bool {
		for s := child; s != nil; s = byID[hex.EncodeToString(s.GetParentSpanId())] {
			if bytes.Equal(s.GetParentSpanId(), ancestor.GetSpanId()) {
				return true
			}
		}
		return false
	}
	if !descends(grpcClient, httpSpan) || !descends(grpcServer, grpcClient) || !slices.ContainsFunc(commits, func(c *tracepb.Span) bool { return descends(c, grpcServer) }) {
		t.Errorf("the spans of trace %s are not one chain from the HTTP span down to the commit", traceID)
	}

	var access, finished bool
	for line := range strings.Lines(logs.String()) {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if l["request_id"] != "trace-test-1" {
			continue
		}
		if l["trace_id"] != traceID {
			t.Errorf("a log line of the request has trace id %v, want %s: %s", l["trace_id"], traceID, line)
		}
		if l["client"] != "127.0.0.2" {
			t.Errorf("a log line of the request has client %v, want the HTTP client's address, 127.0.0.2: %s", l["client"], line)
		}
		switch l["msg"] {
		case "http request":
			access = true
		case "finished call":
			finished = true
		}
	}
	if !access || !finished {
		t.Errorf("log lines with the request id: the HTTP access line %v, the gRPC finished-call line %v; want both:\n%s", access, finished, logs.String())
	}
}

// A gRPC client names its call with x-request-id metadata and reads the
// id back from the response header, as a REST client does with
// X-Request-Id; one that sends none, or a malformed one, gets a new id.
func TestAGRPCCallerGetsItsRequestIDBack(t *testing.T) {
	a, _ := apptest.Start(t, app.Config{})
	conn, err := grpc.NewClient(a.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	notices := rdv1.NewNoticeServiceClient(conn)
	for sent, keep := range map[string]bool{"grpc-call-42": true, "not well formed!": false, "": false} {
		ctx := t.Context()
		if sent != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "x-request-id", sent)
		}
		var header metadata.MD
		if _, err := notices.ListNotices(ctx, &rdv1.ListNoticesRequest{}, grpc.Header(&header)); err != nil {
			t.Fatal(err)
		}
		got := header.Get("x-request-id")
		if len(got) != 1 || keep && got[0] != sent || !keep && (got[0] == sent || !telemetry.WellFormedRequestID(got[0])) {
			t.Errorf("sent x-request-id %q, got back %q", sent, got)
		}
	}
}
