package server_test

import (
	"net/http"
	"testing"
)

// Every REST answer, a refusal included, is marked not to be stored and
// as data that may not run or be framed; the web pages set their own.
func TestRESTAnswersAreNeverStored(t *testing.T) {
	ts := start(t)
	for _, path := range []string{"/v1/notices", "/v1/cases", "/v1/no-such-thing"} {
		resp, err := http.Get(ts.base + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		h := resp.Header
		if h.Get("Cache-Control") != "no-store" || h.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s (%d): Cache-Control %q, CSP %q, nosniff %q", path, resp.StatusCode, h.Get("Cache-Control"), h.Get("Content-Security-Policy"), h.Get("X-Content-Type-Options"))
		}
	}
}
