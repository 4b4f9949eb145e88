package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/server"
)

// restBlockedBody sends method path declaring a body of a megabyte and
// sending a few bytes of it, then waits for the answer without sending
// more (as a slow or hostile client would): only a server that answers
// without reading the body answers at all. It returns the status and the
// error's reason.
func restBlockedBody(t *testing.T, base, method, path, token string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A bound on the test, not a measurement: a server that waits for the
	// body fails here rather than hanging the run.
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	authorization := ""
	if token != "" {
		authorization = "Authorization: Bearer " + token + "\r\n"
	}
	if _, err := fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: rightsdesk\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n{\"case\":{\"description\":\"",
		method, path, authorization, 1<<20); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s with a body still to come: %v; want an answer before the body is sent", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: the answer is not JSON: %v", method, path, err)
	}
	return resp.StatusCode, checkErrorBody(t, method+" "+path, resp.StatusCode, out)
}

// A REST call is authenticated before its body is read: without a token,
// or with a bad one, a call that needs one is refused at once, however
// much body it still has to send.
func TestRESTCallsAreAuthenticatedBeforeTheirBodyIsRead(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{})
	for _, tt := range []struct{ what, method, path, token string }{
		{"no token", "POST", "/v1/cases", ""},
		{"an unknown token", "POST", "/v1/cases", as.tokens["unknown"]},
		{"a revoked token", "POST", "/v1/cases", as.tokens["revoked"]},
		{"a malformed token", "PATCH", "/v1/cases/01J00000000000000000000000", "not-a-token"},
		{"no token, admin route", "POST", "/v1/tokens", ""},
	} {
		if code, reason := restBlockedBody(t, as.base, tt.method, tt.path, tt.token); code != http.StatusUnauthorized || reason != "UNAUTHENTICATED" {
			t.Errorf("%s: %s %s = %d %s; want 401 UNAUTHENTICATED before the body ends", tt.what, tt.method, tt.path, code, reason)
		}
	}
}

// The guard passes what the gRPC server would take: a public route
// without a token and a signed-in call with a good one, bodies and all.
func TestTheRESTGuardPassesGoodCalls(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{})
	for _, tt := range []struct{ what, method, path, token, body string }{
		{"public route, no token", "POST", "/v1/notices/it-service-desk:evaluateRights", "", `{}`},
		{"public route, a good token", "GET", "/v1/notices", as.tokens["viewer"], ``},
		{"a viewer's route with a viewer's token", "GET", "/v1/cases", as.tokens["viewer"], ``},
		{"a write with a caseworker's token", "POST", "/v1/cases", as.tokens["caseworker"], `{"case":{}}`},
	} {
		code, body := restRaw(t, as.base, tt.method, tt.path, tt.token, tt.body)
		if code == http.StatusUnauthorized {
			t.Errorf("%s: %s %s = 401 %v; want the call to reach the server", tt.what, tt.method, tt.path, body)
		}
	}
}
