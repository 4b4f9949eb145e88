package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// testServer is a real server on loopback with random ports.
type testServer struct {
	grpc *grpc.ClientConn
	base string // http://127.0.0.1:port
}

func start(t *testing.T) *testServer {
	t.Helper()
	srv, _ := apptest.Start(t, app.Config{Server: server.Config{
		MaxBodyBytes: 4096,
		Clock:        clock.Fixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
	}})
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()), checkingErrors(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &testServer{grpc: conn, base: "http://" + srv.HTTPAddr()}
}

// call makes an HTTP request and decodes a JSON response.
func (ts *testServer) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, ts.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil && resp.Header.Get("Content-Type") == "application/json" {
		t.Fatalf("%s %s: response is not JSON: %s", method, path, raw)
	}
	checkErrorBody(t, method+" "+path, resp.StatusCode, out)
	return resp.StatusCode, out
}

func TestListNoticesOverBothDoors(t *testing.T) {
	ts := start(t)
	want := []string{"a-modern-civil-service", "communities-of-practice", "gpg-csep-hub", "it-service-desk", "nlc-network-members"}

	resp, err := rdv1.NewNoticeServiceClient(ts.grpc).ListNotices(context.Background(), &rdv1.ListNoticesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range resp.GetNotices() {
		got = append(got, strings.TrimPrefix(n.GetName(), "notices/"))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("gRPC ListNotices = %v, want %v", got, want)
	}

	code, body := ts.call(t, "GET", "/v1/notices", "")
	if code != 200 || len(body["notices"].([]any)) != 5 {
		t.Fatalf("REST GET /v1/notices = %d %v", code, body)
	}
}

func TestListNoticesPages(t *testing.T) {
	ts := start(t)
	client := rdv1.NewNoticeServiceClient(ts.grpc)
	var names []string
	req := &rdv1.ListNoticesRequest{PageSize: 2}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging did not end")
		}
		resp, err := client.ListNotices(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range resp.GetNotices() {
			names = append(names, n.GetName())
		}
		if resp.GetNextPageToken() == "" {
			break
		}
		req.PageToken = resp.GetNextPageToken()
	}
	if len(names) != 5 {
		t.Fatalf("paged through %d notices, want 5: %v", len(names), names)
	}
}

func TestBadPageTokenIsInvalidArgument(t *testing.T) {
	ts := start(t)
	_, err := rdv1.NewNoticeServiceClient(ts.grpc).ListNotices(context.Background(), &rdv1.ListNoticesRequest{PageToken: "not-a-token"})
	assertFieldViolation(t, err, "page_token")

	code, body := ts.call(t, "GET", "/v1/notices?page_token=garbage", "")
	if code != http.StatusBadRequest || !strings.Contains(body["message"].(string), "page_token") {
		t.Fatalf("REST bad page_token = %d %v, want 400 naming page_token", code, body)
	}
}

func TestUnknownNoticeIsNotFound(t *testing.T) {
	ts := start(t)
	_, err := rdv1.NewNoticeServiceClient(ts.grpc).GetNotice(context.Background(), &rdv1.GetNoticeRequest{Name: "notices/no-such-notice"})
	if status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), "notices/no-such-notice") {
		t.Fatalf("gRPC GetNotice(unknown) = %v, want NOT_FOUND naming the notice", err)
	}
	code, body := ts.call(t, "GET", "/v1/notices/no-such-notice", "")
	if code != http.StatusNotFound || !strings.Contains(body["message"].(string), "no-such-notice") {
		t.Fatalf("REST unknown notice = %d %v, want 404 with a useful message", code, body)
	}
	code, _ = ts.call(t, "POST", "/v1/notices/no-such-notice:evaluateRights", "{}")
	if code != http.StatusNotFound {
		t.Fatalf("REST evaluateRights on unknown notice = %d, want 404", code)
	}
}

func TestGetNoticeVersions(t *testing.T) {
	ts := start(t)
	client := rdv1.NewNoticeServiceClient(ts.grpc)
	n, err := client.GetNotice(context.Background(), &rdv1.GetNoticeRequest{Name: "notices/it-service-desk", Version: 1})
	if err != nil || n.GetVersion() != 1 || len(n.GetContexts()) < 2 {
		t.Fatalf("GetNotice(it-service-desk, v1) = %v, %v", n, err)
	}
	_, err = client.GetNotice(context.Background(), &rdv1.GetNoticeRequest{Name: "notices/it-service-desk", Version: 9})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("GetNotice(version 9) = %v, want NOT_FOUND", err)
	}
	_, err = client.GetNotice(context.Background(), &rdv1.GetNoticeRequest{Name: "Notices/BAD NAME"})
	assertFieldViolation(t, err, "name")
}

func TestEvaluateRightsAcceptance(t *testing.T) {
	ts := start(t)
	client := rdv1.NewNoticeServiceClient(ts.grpc)
	evaluate := func(notice, context string) map[rdv1.Right]*rdv1.RightEvaluation {
		t.Helper()
		resp, err := client.EvaluateRights(t.Context(), &rdv1.EvaluateRightsRequest{Name: "notices/" + notice, Context: context})
		if err != nil {
			t.Fatalf("EvaluateRights(%s, %q): %v", notice, context, err)
		}
		out := map[rdv1.Right]*rdv1.RightEvaluation{}
		for _, e := range resp.GetEvaluations() {
			out[e.GetRight()] = e
		}
		if len(out) != 9 {
			t.Fatalf("EvaluateRights(%s, %q) answered %d rights, want 9", notice, context, len(out))
		}
		return out
	}
	tests := []struct {
		notice, context string
		right           rdv1.Right
		want            rdv1.Availability
		conditionHas    string
	}{
		{"it-service-desk", "", rdv1.Right_RIGHT_WITHDRAW_CONSENT, rdv1.Availability_AVAILABILITY_DECLARED_CONDITIONALLY, "satisfaction surveys"},
		{"it-service-desk", "", rdv1.Right_RIGHT_PORTABILITY, rdv1.Availability_AVAILABILITY_DECLARED_CONDITIONALLY, "satisfaction surveys"},
		{"it-service-desk", "satisfaction-surveys", rdv1.Right_RIGHT_WITHDRAW_CONSENT, rdv1.Availability_AVAILABILITY_DECLARED, ""},
		{"it-service-desk", "satisfaction-surveys", rdv1.Right_RIGHT_PORTABILITY, rdv1.Availability_AVAILABILITY_DECLARED, ""},
		{"it-service-desk", "employment", rdv1.Right_RIGHT_OBJECTION, rdv1.Availability_AVAILABILITY_NOT_APPLICABLE, ""},
		{"it-service-desk", "employment", rdv1.Right_RIGHT_PORTABILITY, rdv1.Availability_AVAILABILITY_STATUTORY_NOT_DECLARED, ""},
		{"nlc-network-members", "", rdv1.Right_RIGHT_PORTABILITY, rdv1.Availability_AVAILABILITY_NOT_APPLICABLE, ""},
	}
	for _, tt := range tests {
		got := evaluate(tt.notice, tt.context)[tt.right]
		if got.GetAvailability() != tt.want || !strings.Contains(got.GetCondition(), tt.conditionHas) || got.GetReason() == "" {
			t.Errorf("%s / %q / %v = %v (condition %q, reason %q), want %v with condition containing %q",
				tt.notice, tt.context, tt.right, got.GetAvailability(), got.GetCondition(), got.GetReason(), tt.want, tt.conditionHas)
		}
	}

	code, body := ts.call(t, "POST", "/v1/notices/nlc-network-members:evaluateRights", `{"rights":["RIGHT_PORTABILITY"]}`)
	evals, _ := body["evaluations"].([]any)
	if code != 200 || len(evals) != 1 || evals[0].(map[string]any)["availability"] != "AVAILABILITY_NOT_APPLICABLE" {
		t.Fatalf("REST evaluateRights = %d %v", code, body)
	}
	if reason := evals[0].(map[string]any)["reason"].(string); !strings.Contains(reason, "public task") {
		t.Errorf("reason %q does not explain the public task basis", reason)
	}

	_, err := client.EvaluateRights(t.Context(), &rdv1.EvaluateRightsRequest{Name: "notices/it-service-desk", Context: "no-such-context"})
	assertFieldViolation(t, err, "context")
}

func TestMalformedJSONIs400(t *testing.T) {
	ts := start(t)
	for _, body := range []string{`{"context":`, `{"unknown_field":1}`, `[]`} {
		code, resp := ts.call(t, "POST", "/v1/notices/it-service-desk:evaluateRights", body)
		if code != http.StatusBadRequest || resp["message"] == nil {
			t.Errorf("body %s: got %d %v, want 400 with a JSON message", body, code, resp)
		}
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	ts := start(t)
	code, body := ts.call(t, "POST", "/v1/notices/it-service-desk:evaluateRights", `{"context":"`+strings.Repeat("x", 5000)+`"}`)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(body["message"].(string), "limit") {
		t.Fatalf("oversized body = %d %v, want 413 with a JSON message", code, body)
	}
}

func TestOperationalEndpoints(t *testing.T) {
	ts := start(t)
	for path, want := range map[string]string{
		"/healthz":      `"ok"`,
		"/readyz":       `"ready"`,
		"/openapi.json": `"/v1/notices"`,
	} {
		resp, err := http.Get(ts.base + path)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(raw), want) {
			t.Errorf("GET %s = %d, body lacks %s", path, resp.StatusCode, want)
		}
	}
	// Metrics are on the admin listener only (see internal/app's
	// telemetry tests); the public port does not serve them.
	resp, err := http.Get(ts.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("public GET /metrics: %s; want 404", resp.Status)
	}
	for _, service := range []string{"", "rightsdesk.v1.CaseService", "rightsdesk.v1.NoticeService", "rightsdesk.v1.DeadlineService", "rightsdesk.v1.AdminService"} {
		hc, err := healthpb.NewHealthClient(ts.grpc).Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
		if err != nil || hc.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("gRPC health of %q = %v, %v", service, hc, err)
		}
	}
	if _, err := healthpb.NewHealthClient(ts.grpc).Check(context.Background(), &healthpb.HealthCheckRequest{Service: "rightsdesk.v1.NoSuchService"}); status.Code(err) != codes.NotFound {
		t.Errorf("gRPC health of a service that does not exist: %v, want NotFound", err)
	}
}

func TestCalculateDeadlineOverBothDoors(t *testing.T) {
	ts := start(t)
	resp, err := rdv1.NewDeadlineServiceClient(ts.grpc).CalculateDeadline(context.Background(), &rdv1.CalculateDeadlineRequest{
		Region: "england-and-wales", Received: "2026-01-31",
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetDue() != "2026-03-02" || resp.GetSteps()[len(resp.GetSteps())-1].GetDate() != "2026-03-02" {
		t.Fatalf("due %s, steps %v; want 2026-03-02 ending the explanation", resp.GetDue(), resp.GetSteps())
	}
	if resp.GetStanding().GetCalendarDaysLeft() != 0 {
		t.Errorf("as of the injected clock (2 Mar 2026) the request is due today; got %v", resp.GetStanding())
	}

	code, body := ts.call(t, "POST", "/v1/deadline:calculate", `{"region":"scotland","received":"2026-01-31","pauses":[{"asked":"2026-02-10","answered":"2026-02-05"}]}`)
	if code != http.StatusBadRequest || !strings.Contains(body["message"].(string), "pauses[0]") {
		t.Fatalf("answered-before-asked = %d %v, want 400 naming pauses[0]", code, body)
	}
	for _, bad := range []string{
		`{"region":"atlantis","received":"2026-01-31"}`,
		`{"region":"scotland","received":"31/01/2026"}`,
		`{"region":"scotland","received":"2026-02-30"}`,
	} {
		if code, body := ts.call(t, "POST", "/v1/deadline:calculate", bad); code != http.StatusBadRequest {
			t.Errorf("%s = %d %v, want 400", bad, code, body)
		}
	}
	// One answer names every bad field, whether the date could not be read
	// at all or the engine refused the value.
	for bad, want := range map[string][]string{
		`{"region":"mars","received":"2026-13-45"}`:                                                      {"received", "region"},
		`{"region":"mars","received":"2026-03-02","extension":{"granted_on":"2026-02-01","reason":"x"}}`: {"region", "extension.granted_on"},
		`{"region":"scotland","received":"2026-03-02","as_of":"soon","fee_received":"later"}`:            {"fee_received", "as_of"},
	} {
		code, body := ts.call(t, "POST", "/v1/deadline:calculate", bad)
		var got []string
		details, _ := body["details"].([]any)
		for _, d := range details {
			vs, _ := d.(map[string]any)["field_violations"].([]any)
			for _, v := range vs {
				got = append(got, v.(map[string]any)["field"].(string))
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if code != http.StatusBadRequest || !slices.Equal(got, want) {
			t.Errorf("%s = %d naming %v, want 400 naming %v", bad, code, got, want)
		}
	}
}

func assertFieldViolation(t *testing.T, err error, field string) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.InvalidArgument {
		t.Fatalf("got %v, want INVALID_ARGUMENT", err)
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if strings.HasPrefix(v.GetField(), field) {
					return
				}
			}
		}
	}
	t.Fatalf("INVALID_ARGUMENT %v has no field violation for %q", st.Message(), field)
}
