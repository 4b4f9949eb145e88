package server_test

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

func TestWebPagesShareTheHTTPPortWithTheAPI(t *testing.T) {
	ts := start(t)
	resp, err := http.Get(ts.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("GET /: %d %v", resp.StatusCode, resp.Header)
	}
	// The catalogue's notices share one controller, who runs the service.
	if !strings.Contains(string(body), `class="govuk-generic-header__homepage-link">Cabinet Office</a>`) {
		t.Errorf("the header does not name the organisation:\n%s", body)
	}
	if code, out := ts.call(t, http.MethodGet, "/v1/notices", ""); code != http.StatusOK || out["notices"] == nil {
		t.Errorf("GET /v1/notices beside the web pages: %d %v", code, out)
	}
	if code, out := ts.call(t, http.MethodGet, "/healthz", ""); code != http.StatusOK || out["status"] != "ok" {
		t.Errorf("GET /healthz beside the web pages: %d %v", code, out)
	}
}

func TestWebSettingsAreChecked(t *testing.T) {
	for name, cfg := range map[string]server.Config{
		"public URL": {PublicURL: "rights.example.org"},
		"SMTP URL":   {SMTPURL: "smtp://mail.example.org"},
	} {
		cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
		dir := filepath.Join(t.TempDir(), "data")
		if _, err := app.New(t.Context(), app.Config{DataDir: dir, Server: cfg}); err == nil {
			t.Errorf("a bad %s was accepted", name)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a start refused for a bad %s left %s behind (%v)", name, dir, err)
		}
	}
}
