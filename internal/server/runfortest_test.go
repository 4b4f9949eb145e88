package server

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// RunForTest starts a server with cfg, waits until /readyz answers 200 and
// stops it when the test ends, failing the test if shutdown is not clean.
// It is exported for the external test package (e2e_test.go).
func RunForTest(t *testing.T, cfg Config) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := New(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v after shutdown", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("server did not shut down within 15s")
		}
	})
	ready := "http://" + srv.HTTPAddr() + "/readyz"
	for range 100 {
		if resp, err := http.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return srv
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server never became ready")
	return nil
}
