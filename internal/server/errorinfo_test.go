package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// The API's errors: every one carries an ErrorInfo whose reason is in
// server.ErrorReasons, with that reason's code and metadata keys; the
// table in docs/api-errors.md is that declaration; and every reason in it
// is one the server gives. The REST and gRPC helpers of the other API
// tests (call, restCall, rest, and the client connections of start and
// startWithTokens) check each error they see with checkErrorBody and
// checkErrorStatus, so every error path the API tests walk is held to it.

var lowerCamel = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// reasonOf returns the table's entry for reason.
func reasonOf(reason string) (server.ErrorReason, bool) {
	i := slices.IndexFunc(server.ErrorReasons, func(r server.ErrorReason) bool { return r.Reason == reason })
	if i < 0 {
		return server.ErrorReason{}, false
	}
	return server.ErrorReasons[i], true
}

// errorInfoProblems says what is wrong with an error's ErrorInfo given its
// code and, over REST, its HTTP status (0 over gRPC), or nothing.
func errorInfoProblems(reason, domain string, metadata []string, grpcCode, httpStatus int) []string {
	if reason == "" {
		return []string{"no ErrorInfo with a reason"}
	}
	r, ok := reasonOf(reason)
	if !ok {
		return []string{fmt.Sprintf("reason %q is not in the table (docs/api-errors.md)", reason)}
	}
	var problems []string
	if domain != server.ErrorDomain {
		problems = append(problems, fmt.Sprintf("domain %q, want %q", domain, server.ErrorDomain))
	}
	if grpcCode != int(r.Code) {
		problems = append(problems, fmt.Sprintf("%s with code %d, the table says %d", reason, grpcCode, r.Code))
	}
	if httpStatus != 0 && httpStatus != r.HTTP {
		problems = append(problems, fmt.Sprintf("%s over HTTP %d, the table says %d", reason, httpStatus, r.HTTP))
	}
	for _, key := range metadata {
		if !slices.Contains(r.Metadata, key) || !lowerCamel.MatchString(key) {
			problems = append(problems, fmt.Sprintf("%s metadata key %q is not one of the table's %v", reason, key, r.Metadata))
		}
	}
	return problems
}

// checkErrorBody checks a REST error body (google.rpc.Status) that came
// with httpStatus; it ignores successes.
func checkErrorBody(t *testing.T, where string, httpStatus int, body map[string]any) string {
	t.Helper()
	if httpStatus < 400 {
		return ""
	}
	var reason, domain string
	var keys []string
	details, _ := body["details"].([]any)
	for _, d := range details {
		m, _ := d.(map[string]any)
		if typ, _ := m["@type"].(string); typ == "type.googleapis.com/google.rpc.ErrorInfo" {
			reason, _ = m["reason"].(string)
			domain, _ = m["domain"].(string)
			md, _ := m["metadata"].(map[string]any)
			for k := range md {
				keys = append(keys, k)
			}
		}
	}
	grpcCode, _ := body["code"].(float64)
	for _, p := range errorInfoProblems(reason, domain, keys, int(grpcCode), httpStatus) {
		t.Errorf("%s: HTTP %d %v: %s", where, httpStatus, body, p)
	}
	return reason
}

// checkErrorStatus checks a gRPC error; nil passes.
func checkErrorStatus(t *testing.T, where string, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	st := status.Convert(err)
	info := server.ErrorInfoOf(err)
	var keys []string
	for k := range info.GetMetadata() {
		keys = append(keys, k)
	}
	for _, p := range errorInfoProblems(info.GetReason(), info.GetDomain(), keys, int(st.Code()), 0) {
		t.Errorf("%s: %v: %s", where, err, p)
	}
	return info.GetReason()
}

// checkingErrors is a client interceptor that checks every error a test's
// gRPC call gets, except those the client made itself (the test's own
// deadline or cancellation).
func checkingErrors(t *testing.T) grpc.DialOption {
	return grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		if err != nil && ctx.Err() == nil {
			checkErrorStatus(t, method, err)
		}
		return err
	})
}

// TestEveryReasonHappensWithItsErrorInfo makes each reason in the table
// happen, over REST where a call can, and through the error boundary
// where only a failing store or a bug can, and fails on a reason the table
// lists that nothing produced.
func TestEveryReasonHappensWithItsErrorInfo(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{MaxBodyBytes: 4096})
	seen := map[string]bool{}
	code, c := as.rest(t, "POST", "/v1/cases", "caseworker", map[string]any{
		"rights":    []any{map[string]any{"right": "RIGHT_OBJECTION"}},
		"requester": map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}},
	})
	if code != http.StatusOK {
		t.Fatalf("create a case = %d %v", code, c)
	}
	name := c["name"].(string)
	if code, c := as.rest(t, "POST", "/v1/"+name+":assign", "caseworker", map[string]any{"etag": c["etag"], "assignee": "alice"}); code != http.StatusOK {
		t.Fatalf("assign = %d %v", code, c)
	}
	if code, c := as.rest(t, "POST", "/v1/"+name+":close", "caseworker", map[string]any{"outcome": "OUTCOME_KIND_WITHDRAWN"}); code != http.StatusOK {
		t.Fatalf("close = %d %v", code, c)
	}
	// A token made with a request id, which the rows below send again.
	token := `{"display_name":"importer","role":"ROLE_VIEWER","request_id":"token-1"}`
	if code, body := restRaw(t, as.base, "POST", "/v1/tokens", as.tokens["admin"], token); code != http.StatusOK {
		t.Fatalf("create a token = %d %v", code, body)
	}
	for _, tt := range []struct {
		reason, method, path, token, body string
	}{
		{"UNAUTHENTICATED", "GET", "/v1/cases", "", ``},
		{"UNAUTHENTICATED", "GET", "/v1/cases", "revoked", ``},
		{"PERMISSION_DENIED", "POST", "/v1/cases", "viewer", `{}`},
		{"INVALID_ARGUMENT", "GET", "/v1/notices?page_size=-1", "", ``},
		{"INVALID_ARGUMENT", "GET", "/v1/cases?filter=state%20%3D", "viewer", ``},
		{"MALFORMED_REQUEST", "POST", "/v1/notices/it-service-desk:evaluateRights", "", `{"context":`},
		{"MALFORMED_REQUEST", "POST", "/v1/notices/it-service-desk:evaluateRights", "", `{"no_such_field":1}`},
		{"MALFORMED_REQUEST", "GET", "/v1/notices?page_size=many", "", ``},
		{"REQUEST_TOO_LARGE", "POST", "/v1/notices/it-service-desk:evaluateRights", "", `{"context":"` + strings.Repeat("x", 5000) + `"}`},
		{"NOT_FOUND", "GET", "/v1/notices/no-such-notice", "", ``},
		{"NOT_FOUND", "GET", "/v1/cases/01J00000000000000000000000", "viewer", ``},
		{"PATH_NOT_FOUND", "GET", "/v1/nowhere", "", ``},
		{"METHOD_NOT_ALLOWED", "PUT", "/v1/cases/x", "", `{}`},
		{"FAILED_PRECONDITION", "POST", "/v1/" + name + ":assign", "caseworker", `{"assignee":"bob"}`},
		{"ETAG_MISMATCH", "POST", "/v1/" + name + ":reopen", "admin", `{"etag":"1","reason":"asked again"}`},
		{"ALREADY_CREATED", "POST", "/v1/tokens", "admin", token},
		{"REQUEST_ID_REUSED", "POST", "/v1/tokens", "admin", `{"display_name":"importer","role":"ROLE_ADMIN","request_id":"token-1"}`},
	} {
		where := tt.method + " " + tt.path
		if len(where) > 80 {
			where = where[:80] + "…"
		}
		code, body := restRaw(t, as.base, tt.method, tt.path, as.tokens[tt.token], tt.body)
		if got := checkErrorBody(t, where, code, body); got != tt.reason {
			t.Errorf("%s = HTTP %d, reason %q; want %s", where, code, got, tt.reason)
		}
		seen[tt.reason] = true
	}
	for _, tt := range []struct {
		reason string
		err    error
	}{
		{"UNAVAILABLE", &fault.Unavailable{Description: "no leader", Ambiguous: true}},
		// calllimits_test.go makes these happen over both doors.
		{"RATE_LIMITED", &server.RateLimitedError{Scope: "token", RetryAfter: time.Second}},
		{"OVERLOADED", &server.OverloadedError{RetryAfter: time.Second}},
		{"STORAGE_UNAVAILABLE", &fault.StorageUnavailable{Cause: syscall.ENOSPC}},
		{"CANCELLED", context.Canceled},
		{"DEADLINE_EXCEEDED", fmt.Errorf("read: %w", context.DeadlineExceeded)},
		{"INTERNAL", errors.New("disk on fire")},
		{"INTERNAL", server.UnplannedStatus},
	} {
		err := server.MapError(t.Context(), tt.err)
		if got := checkErrorStatus(t, fmt.Sprint(tt.err), err); got != tt.reason {
			t.Errorf("%v mapped to reason %q, want %s", tt.err, got, tt.reason)
		}
		seen[tt.reason] = true
	}
	for _, r := range server.ErrorReasons {
		if !seen[r.Reason] {
			t.Errorf("the table lists %s, which no call here produced: make it happen here, or take it out of the table", r.Reason)
		}
	}
}

// restRaw sends body as it is, with a bearer token when token is set.
func restRaw(t *testing.T, base, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	auth := ""
	if token != "" {
		auth = "Bearer " + token
	}
	resp, out := restCallBody(t, base, method, path, auth, body)
	return resp.StatusCode, out
}

// TestErrorReasonsDocument holds docs/api-errors.md's table to
// server.ErrorReasons, row for row.
func TestErrorReasonsDocument(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api-errors.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for line := range strings.Lines(string(doc)) {
		if strings.HasPrefix(line, "| `") {
			rows = append(rows, strings.TrimSpace(line))
		}
	}
	var want []string
	for _, r := range server.ErrorReasons {
		metadata := "—"
		if len(r.Metadata) > 0 {
			metadata = "`" + strings.Join(r.Metadata, "`, `") + "`"
		}
		want = append(want, fmt.Sprintf("| `%s` | `%s` (%d) | %d | %s | %s |", r.Reason, code.Code_name[int32(r.Code)], r.Code, r.HTTP, r.When, metadata))
	}
	if !slices.Equal(rows, want) {
		t.Errorf("docs/api-errors.md's table is not server.ErrorReasons; its rows should be:\n%s", strings.Join(want, "\n"))
	}
}
