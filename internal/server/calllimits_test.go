package server_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// otherClient is a second loopback address: a client dialling from it is,
// to the server, a different client from one on 127.0.0.1, which is also
// the address the REST gateway dials the gRPC server from.
var otherClient = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}

// restFrom is an HTTP client whose connections come from local.
func restFrom(local *net.TCPAddr) *http.Client {
	dialer := &net.Dialer{LocalAddr: local}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
}

// grpcFrom is a gRPC connection to addr whose connections come from local.
func grpcFrom(t *testing.T, addr string, local *net.TCPAddr) *grpc.ClientConn {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: local}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), checkingErrors(t),
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) { return dialer.DialContext(ctx, "tcp", addr) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// restGet is GET path with token (if any) from client: the status, the
// Retry-After header and the error's reason.
func restGet(t *testing.T, client *http.Client, base, path, token string) (code int, retryAfter, reason string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: the body is not JSON: %v", path, err)
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), checkErrorBody(t, "GET "+path, resp.StatusCode, body)
}

// checkRateLimited fails unless err is RATE_LIMITED for scope, telling the
// caller when to come back.
func checkRateLimited(t *testing.T, what string, err error, scope string) {
	t.Helper()
	if status.Code(err) != codes.ResourceExhausted || server.ErrorInfoOf(err).GetReason() != "RATE_LIMITED" ||
		server.ErrorInfoOf(err).GetMetadata()["scope"] != scope {
		t.Fatalf("%s = %v; want RESOURCE_EXHAUSTED, RATE_LIMITED, scope %s", what, err, scope)
	}
	var retry *errdetails.RetryInfo
	for _, d := range status.Convert(err).Details() {
		if r, ok := d.(*errdetails.RetryInfo); ok {
			retry = r
		}
	}
	if retry.GetRetryDelay().AsDuration() <= 0 {
		t.Errorf("%s carries no RetryInfo with a delay: %v", what, status.Convert(err).Details())
	}
}

// checkRESTRateLimited fails unless a REST answer is 429 RATE_LIMITED
// with a Retry-After of whole seconds.
func checkRESTRateLimited(t *testing.T, what string, code int, retryAfter, reason string) {
	t.Helper()
	if code != http.StatusTooManyRequests || reason != "RATE_LIMITED" {
		t.Fatalf("%s = %d %s; want 429 RATE_LIMITED", what, code, reason)
	}
	if n, err := strconv.Atoi(retryAfter); err != nil || n < 1 {
		t.Errorf("%s: Retry-After %q; want whole seconds, at least 1", what, retryAfter)
	}
}

// A client without a token is limited by its address, over both doors
// together, and the address is the REST client's own: the gateway's
// loopback connection (from 127.0.0.1) is not what is limited.
func TestCallsWithoutATokenAreLimitedByTheClientsAddress(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{Limits: server.Limits{AddressCallsPerSecond: 1, AddressBurst: 3}})
	other := restFrom(otherClient)
	for i := range 3 {
		if code, _, reason := restGet(t, other, as.base, "/v1/notices", ""); code != http.StatusOK {
			t.Fatalf("call %d from 127.0.0.2 = %d %s; want 200 within the burst", i+1, code, reason)
		}
	}
	code, retryAfter, reason := restGet(t, other, as.base, "/v1/notices", "")
	checkRESTRateLimited(t, "REST from 127.0.0.2 over its burst", code, retryAfter, reason)

	// The same address over gRPC has spent its calls too.
	notices := rdv1.NewNoticeServiceClient(grpcFrom(t, as.app.GRPCAddr(), otherClient))
	_, err := notices.ListNotices(t.Context(), &rdv1.ListNoticesRequest{})
	checkRateLimited(t, "gRPC from 127.0.0.2 over its burst", err, "address")

	// Another address has not, through either door.
	if code, _, reason := restGet(t, http.DefaultClient, as.base, "/v1/notices", ""); code != http.StatusOK {
		t.Errorf("REST from 127.0.0.1 = %d %s; want 200: only 127.0.0.2 spent its calls", code, reason)
	}
	if _, err := rdv1.NewNoticeServiceClient(as.conn).ListNotices(t.Context(), &rdv1.ListNoticesRequest{}); err != nil {
		t.Errorf("gRPC from 127.0.0.1: %v; want an answer", err)
	}
}

// A token is limited by itself, wherever its calls come from, and one
// token's calls do not spend another's.
func TestCallsWithATokenAreLimitedByTheToken(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{Limits: server.Limits{TokenCallsPerSecond: 1, TokenBurst: 2}})
	cases := rdv1.NewCaseServiceClient(as.conn)
	viewer := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["viewer"])
	for i := range 2 {
		if _, err := cases.ListCases(viewer, &rdv1.ListCasesRequest{}); err != nil {
			t.Fatalf("call %d: %v; want an answer within the burst", i+1, err)
		}
	}
	_, err := cases.ListCases(viewer, &rdv1.ListCasesRequest{})
	checkRateLimited(t, "gRPC with the viewer's token over its burst", err, "token")
	code, retryAfter, reason := restGet(t, restFrom(otherClient), as.base, "/v1/cases", as.tokens["viewer"])
	checkRESTRateLimited(t, "REST with the viewer's token, from another address", code, retryAfter, reason)

	if code, _, reason := restGet(t, http.DefaultClient, as.base, "/v1/cases", as.tokens["admin"]); code != http.StatusOK {
		t.Errorf("REST with the admin's token = %d %s; want 200: only the viewer's token spent its calls", code, reason)
	}
}

// Failed authentications spend the address's calls, and once they are
// spent the address is refused before any token it sends is looked up,
// a good one too: guessing tokens is held to the address's rate.
func TestFailedAuthenticationsSpendTheAddressesCalls(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{Limits: server.Limits{AddressCallsPerSecond: 1, AddressBurst: 2}})
	cases := rdv1.NewCaseServiceClient(grpcFrom(t, as.app.GRPCAddr(), otherClient))
	guess := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["unknown"])
	for i := range 2 {
		if _, err := cases.ListCases(guess, &rdv1.ListCasesRequest{}); status.Code(err) != codes.Unauthenticated {
			t.Fatalf("guess %d: %v; want UNAUTHENTICATED", i+1, err)
		}
	}
	_, err := cases.ListCases(guess, &rdv1.ListCasesRequest{})
	checkRateLimited(t, "a third guess", err, "address")
	viewer := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["viewer"])
	_, err = cases.ListCases(viewer, &rdv1.ListCasesRequest{})
	checkRateLimited(t, "a good token from the guessing address", err, "address")
}

// Each authenticated call's log line names the token used, by its id,
// and the real client's address; never the token itself.
func TestAuthenticatedCallsLogTheTokenIDAndTheClient(t *testing.T) {
	logged := &apptest.Log{}
	as := startWithTokensConfig(t, server.Config{Logger: logged.Logger()})
	if code, _, reason := restGet(t, restFrom(otherClient), as.base, "/v1/cases", as.tokens["viewer"]); code != http.StatusOK {
		t.Fatalf("REST with the viewer's token = %d %s", code, reason)
	}
	var line string
	for l := range strings.Lines(logged.String()) {
		if strings.Contains(l, "finished call") && strings.Contains(l, "ListCases") {
			line = l
		}
	}
	if !strings.Contains(line, "token_id=") || !strings.Contains(line, "client=127.0.0.2") {
		t.Errorf("the call's log line does not name its token id and client 127.0.0.2:\n%s", line)
	}
	if strings.Contains(logged.String(), as.tokens["viewer"]) {
		t.Error("the log holds the token itself")
	}
}
