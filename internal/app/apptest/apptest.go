package apptest

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// Start fills in what cfg leaves empty (a temporary data directory,
// 127.0.0.1:0 for both listeners, a silent logger, the built-in catalogue),
// starts the application and waits until /readyz answers 200. The returned
// stop shuts it down and waits for it; it runs at the end of the test if the
// test has not called it, and fails the test if shutdown is not clean.
func Start(t testing.TB, cfg app.Config) (*app.App, func()) {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Server.GRPCAddr == "" {
		cfg.Server.GRPCAddr = "127.0.0.1:0"
	}
	if cfg.Server.HTTPAddr == "" {
		cfg.Server.HTTPAddr = "127.0.0.1:0"
	}
	if cfg.Server.Logger == nil {
		cfg.Server.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Keyring == nil {
		cfg.Keyring = Keyring(t, storeName(cfg))
	}
	if cfg.Catalogue == nil {
		notices, err := catalogue.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		cfg.Catalogue = notices
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run returned %v after shutdown", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("the server did not shut down within 15s")
			}
		})
	}
	t.Cleanup(stop)
	ready := "http://" + a.HTTPAddr() + "/readyz"
	// No connection is kept: a test that counts the server's connections
	// (its cap) must find none of ours left open.
	transport := &http.Transport{DisableKeepAlives: true}
	if cfg.Server.TLSCert != "" {
		// Readiness only: the test checks the certificate itself.
		ready = "https://" + a.HTTPAddr() + "/readyz"
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // a readiness probe
	}
	probe := &http.Client{Transport: transport}
	for range 100 {
		if resp, err := probe.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return a, stop
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the server never became ready")
	return nil, nil
}

// Keyring returns the keyring of the store named name (a data directory or
// a store address): the same one for the whole test binary (see
// testkeys).
func Keyring(t testing.TB, name string) *keyring.Keyring {
	t.Helper()
	return testkeys.For(t, name)
}

func storeName(cfg app.Config) string {
	if cfg.Store != "" {
		return cfg.Store
	}
	return cfg.DataDir
}
