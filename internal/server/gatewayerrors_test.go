package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

// restCall makes one REST request with an optional Authorization header
// and returns the response with its body decoded as JSON.
func restCall(t *testing.T, base, method, path, authorization string) (*http.Response, map[string]any) {
	t.Helper()
	return restCallBody(t, base, method, path, authorization, "{}")
}

// restCallBody is restCall with the body given; an error's body is checked
// for its ErrorInfo (checkErrorBody).
func restCallBody(t *testing.T, base, method, path, authorization, reqBody string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(reqBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
	}
	checkErrorBody(t, method+" "+path, resp.StatusCode, body)
	return resp, body
}

// errorInfoReason is the reason of the ErrorInfo among a status body's details.
func errorInfoReason(body map[string]any) string {
	details, _ := body["details"].([]any)
	for _, d := range details {
		if m, ok := d.(map[string]any); ok && strings.HasSuffix(m["@type"].(string), "google.rpc.ErrorInfo") {
			reason, _ := m["reason"].(string)
			return reason
		}
	}
	return ""
}

func TestWrongMethodOnAKnownPathIs405WithAllow(t *testing.T) {
	as := startWithTokens(t)
	for _, tt := range []struct {
		method, path, allow string
	}{
		{"PUT", "/v1/cases/x", "GET, PATCH"},
		{"DELETE", "/v1/cases/x", "GET, PATCH"},
		{"DELETE", "/v1/cases", "GET, POST"},
		{"PATCH", "/v1/notices", "GET"},
		{"GET", "/v1/deadline:calculate", "POST"},
		{"POST", "/v1/cases/x", "GET, PATCH"},
		{"GET", "/v1/tokens/x:revoke", "POST"},
	} {
		// No token: routing is decided before authentication.
		resp, body := restCall(t, as.base, tt.method, tt.path, "")
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s = %d, Allow %q; want 405, Allow %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), tt.allow)
		}
		if body["code"] != float64(codes.Unimplemented) || errorInfoReason(body) != "METHOD_NOT_ALLOWED" || !strings.Contains(body["message"].(string), tt.allow) {
			t.Errorf("%s %s body = %v; want a google.rpc.Status with ErrorInfo METHOD_NOT_ALLOWED naming %q", tt.method, tt.path, body, tt.allow)
		}
		if resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.path, resp.Header.Get("Content-Type"))
		}
	}
}

func TestUnknownPathIsStill404(t *testing.T) {
	as := startWithTokens(t)
	resp, body := restCall(t, as.base, "PUT", "/v1/nowhere/x", "")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Allow") != "" || body["code"] != float64(codes.NotFound) {
		t.Fatalf("PUT /v1/nowhere/x = %d, Allow %q, body %v; want 404 with no Allow", resp.StatusCode, resp.Header.Get("Allow"), body)
	}
}

// TestRefusalsCarryABearerChallenge checks RFC 6750's WWW-Authenticate on
// every kind of refused credential.
func TestRefusalsCarryABearerChallenge(t *testing.T) {
	as := startWithTokens(t)
	const (
		realm        = `Bearer realm="rightsdesk"`
		invalidToken = `Bearer realm="rightsdesk", error="invalid_token"`
		lowRole      = `Bearer realm="rightsdesk", error="insufficient_scope"`
	)
	for _, tt := range []struct {
		about, path, authorization string
		status                     int
		challenge                  string
	}{
		{"no token", "/v1/cases", "", http.StatusUnauthorized, realm},
		{"another scheme", "/v1/cases", "Basic YWxpY2U6c2VjcmV0", http.StatusUnauthorized, realm},
		{"malformed token", "/v1/cases", "Bearer garbage", http.StatusUnauthorized, invalidToken},
		{"unknown token", "/v1/cases", "Bearer " + as.tokens["unknown"], http.StatusUnauthorized, invalidToken},
		{"revoked token", "/v1/cases", "Bearer " + as.tokens["revoked"], http.StatusUnauthorized, invalidToken},
		{"expired token", "/v1/cases", "Bearer " + as.tokens["expired"], http.StatusUnauthorized, invalidToken},
		{"viewer asking for an admin's list", "/v1/tokens", "Bearer " + as.tokens["viewer"], http.StatusForbidden, lowRole},
		{"caseworker asking for an admin's list", "/v1/users", "Bearer " + as.tokens["caseworker"], http.StatusForbidden, lowRole},
		{"allowed", "/v1/cases", "Bearer " + as.tokens["viewer"], http.StatusOK, ""},
	} {
		resp, body := restCall(t, as.base, "GET", tt.path, tt.authorization)
		if resp.StatusCode != tt.status || resp.Header.Get("WWW-Authenticate") != tt.challenge {
			t.Errorf("%s: GET %s = %d, WWW-Authenticate %q; want %d, %q", tt.about, tt.path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), tt.status, tt.challenge)
		}
		if tt.status != http.StatusOK && errorInfoReason(body) == "" {
			t.Errorf("%s: body %v has no ErrorInfo", tt.about, body)
		}
	}
}
