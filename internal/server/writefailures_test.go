package server_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// probe answers the status of GET path with a connection of its own, so
// a closed listener shows as an error rather than a reused connection.
func probe(base, path string) (int, error) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := client.Get(base + path)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func newCaseBody() map[string]any {
	return map[string]any{
		"rights":    []any{map[string]any{"right": "RIGHT_OBJECTION"}},
		"requester": map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}},
	}
}

// On shutdown the server says it is not ready first and goes on serving
// for the drain period, so a load balancer can stop sending it calls
// before its listeners close.
func TestShutdownSaysNotReadyThenDrains(t *testing.T) {
	const drain = 2 * time.Second
	as := startWithTokensConfig(t, server.Config{MaxBodyBytes: 4096, Clock: clock.Fixed(server.AuthNow), Drain: drain})
	// Connections open before the signal (REST keep-alive, gRPC) are the
	// ones a load balancer keeps using until it sees /readyz: they must
	// go on being answered.
	if code, body := as.rest(t, "GET", "/v1/notices", "viewer", nil); code != http.StatusOK {
		t.Fatalf("GET /v1/notices before the shutdown = %d %v", code, body)
	}
	if health, err := healthpb.NewHealthClient(as.conn).Check(t.Context(), &healthpb.HealthCheckRequest{}); err != nil || health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("gRPC health before the shutdown = %v, %v", health, err)
	}
	stopped := make(chan struct{})
	go func() { as.stop(); close(stopped) }()

	for deadline := time.Now().Add(drain); ; time.Sleep(5 * time.Millisecond) {
		code, err := probe(as.base, "/readyz")
		if err != nil {
			t.Fatalf("/readyz during the drain: %v", err)
		}
		if code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after the shutdown began", code)
		}
	}
	// Not ready, but still serving: health, a write and gRPC.
	if code, err := probe(as.base, "/healthz"); err != nil || code != http.StatusOK {
		t.Errorf("/healthz during the drain = %d, %v; want 200", code, err)
	}
	if code, body := as.rest(t, "POST", "/v1/cases", "caseworker", newCaseBody()); code != http.StatusOK {
		t.Errorf("CreateCase during the drain = %d %v; want 200", code, body)
	}
	health, err := healthpb.NewHealthClient(as.conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
	if err != nil || health.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("gRPC health during the drain = %v, %v; want NOT_SERVING", health, err)
	}
	select {
	case <-stopped:
		t.Fatal("the server stopped before the drain could be checked; the checks above ran after it")
	default:
	}
	<-stopped
	if _, err := probe(as.base, "/healthz"); err == nil {
		t.Error("the HTTP port still answers after the shutdown")
	}
}

// A full disk (a small tmpfs, filled) refuses writes with UNAVAILABLE /
// 503 and takes the server out of rotation; nothing acknowledged is lost,
// and when space returns the next write succeeds and the server is ready
// again.
func TestFullDiskIsUnavailableAndNotReadyUntilSpaceReturns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; internal/store/bolt's injected-failure tests cover the store's side")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=32m"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v); internal/store/bolt's injected-failure tests cover the store's side", err)
	}
	as := startWithTokensIn(t, dir, server.Config{MaxBodyBytes: 4096, Clock: clock.Fixed(server.AuthNow)})
	// Cleanups run last in, first out: stop the server, then unmount.
	t.Cleanup(func() {
		as.stop()
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	code, first := as.rest(t, "POST", "/v1/cases", "caseworker", newCaseBody())
	if code != http.StatusOK {
		t.Fatalf("CreateCase before the disk fills = %d %v", code, first)
	}
	filler := filepath.Join(dir, "filler")
	fillDisk(t, filler)

	cases := rdv1.NewCaseServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["caseworker"])
	var refusal error
	for range 50 {
		if _, refusal = cases.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase()}); refusal != nil {
			break
		}
	}
	if status.Code(refusal) != codes.Unavailable || server.ErrorInfoOf(refusal).GetReason() != "STORAGE_UNAVAILABLE" {
		t.Fatalf("CreateCase on a full disk = %v; want UNAVAILABLE with reason STORAGE_UNAVAILABLE", refusal)
	}
	if code, body := as.rest(t, "POST", "/v1/cases", "caseworker", newCaseBody()); code != http.StatusServiceUnavailable {
		t.Errorf("REST CreateCase on a full disk = %d %v; want 503", code, body)
	}
	for range 2 { // and stays so: its own probe write is refused too
		if code, err := probe(as.base, "/readyz"); err != nil || code != http.StatusServiceUnavailable {
			t.Errorf("/readyz on a full disk = %d, %v; want 503", code, err)
		}
	}
	if code, body := as.rest(t, "GET", "/v1/"+first["name"].(string), "viewer", nil); code != http.StatusOK {
		t.Errorf("reading a case on a full disk = %d %v; want 200", code, body)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// Out of rotation, the server gets no writes: readiness must find out
	// by itself that the disk takes them again.
	if code, err := probe(as.base, "/readyz"); err != nil || code != http.StatusOK {
		t.Errorf("/readyz once space returned = %d, %v; want 200", code, err)
	}
	code, after := as.rest(t, "POST", "/v1/cases", "caseworker", newCaseBody())
	if code != http.StatusOK {
		t.Fatalf("CreateCase once space returned = %d %v", code, after)
	}
	for _, c := range []map[string]any{first, after} {
		if code, body := as.rest(t, "GET", "/v1/"+c["name"].(string), "viewer", nil); code != http.StatusOK {
			t.Errorf("acknowledged case %v = %d %v", c["name"], code, body)
		}
	}
}

// fillDisk writes path until its file system has no room left.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill the disk: %v", err)
			}
			break
		}
	}
	// Down to the last block: a partial chunk may still fit.
	for _, err := f.Write(chunk[:4096]); err == nil; _, err = f.Write(chunk[:4096]) {
	}
}
