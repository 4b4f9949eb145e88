//go:build unix

package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// shortLimits are the connection limits of the tests here: seconds rather
// than minutes, so a test sees every kind of held connection closed.
var shortLimits = server.Limits{
	ReadHeaderTimeout:     2 * time.Second,
	IdleTimeout:           3 * time.Second,
	HandshakeTimeout:      2 * time.Second,
	MaxConnectionAge:      3 * time.Second,
	MaxConnectionAgeGrace: time.Second,
}

// baseCloseSlack is how long past its limit a held connection may take to
// be closed: the server's timers are exact, but it accepts the connections
// one by one, the test's goroutines are many and, under -race, slow. Each
// slackPer connections held add a second.
const (
	baseCloseSlack = 5 * time.Second
	slackPer       = 500
)

// answerWithin bounds each call a legitimate client makes while the held
// connections are open.
const answerWithin = 5 * time.Second

// envCount is the whole number in the environment variable name, or def.
func envCount(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("$%s %q: want a positive whole number", name, v)
	}
	return n
}

// TestUnauthenticatedClientsCannotHoldTheServer holds idle, trickling and
// kept-alive HTTP connections and silent, preface-only and stream-flooding
// gRPC connections, as clients that never sign in would, and checks that
// the health check, the public form and an authenticated CreateCase keep
// answering, then that every held connection is closed within the limit
// that governs it. $RIGHTSDESK_SLOW_CLIENTS (HTTP connections of each kind,
// default 300) and $RIGHTSDESK_HALF_OPEN_GRPC (gRPC connections, default
// 300; a hundredth of it flood streams) make it a longer run.
func TestUnauthenticatedClientsCannotHoldTheServer(t *testing.T) {
	slow := envCount(t, "RIGHTSDESK_SLOW_CLIENTS", 300)
	halfOpen := envCount(t, "RIGHTSDESK_HALF_OPEN_GRPC", 300)
	slow, halfOpen = fitFileLimit(t, slow, halfOpen)
	flooders := max(1, halfOpen/100)
	closeSlack := baseCloseSlack + time.Duration((3*slow+halfOpen)/slackPer)*time.Second
	limits := shortLimits
	// Room for every held connection and the legitimate ones: the cap is
	// tested on its own below, this test is about time limits.
	limits.MaxConnections = 3*slow + halfOpen + 100
	as := startWithTokensConfig(t, server.Config{Clock: clock.Fixed(lifecycleNow), Limits: limits})
	httpAddr, grpcAddr := as.app.HTTPAddr(), as.app.GRPCAddr()
	baseline := runtime.NumGoroutine()

	var held []*heldConn
	dial := func(addr, kind string, limit time.Duration) *heldConn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %s for a %s connection: %v", addr, kind, err)
		}
		h := &heldConn{Conn: c, kind: kind, limit: limit, slack: closeSlack, opened: time.Now()}
		t.Cleanup(func() { _ = c.Close() })
		held = append(held, h)
		return h
	}
	stopTrickling := make(chan struct{})
	var tricklers sync.WaitGroup
	for range slow {
		dial(httpAddr, "idle HTTP", limits.ReadHeaderTimeout)
		h := dial(httpAddr, "trickling HTTP", limits.ReadHeaderTimeout)
		tricklers.Go(func() { trickle(h, stopTrickling) })
	}
	for range slow / 3 {
		h := dial(httpAddr, "kept-alive HTTP", limits.IdleTimeout)
		h.opened = keepAliveOnce(t, h)
	}
	for i := range halfOpen - flooders {
		if i%2 == 0 {
			dial(grpcAddr, "silent gRPC", limits.HandshakeTimeout)
			continue
		}
		h := dial(grpcAddr, "preface-only gRPC", limits.HandshakeTimeout)
		if _, err := io.WriteString(h, http2.ClientPreface); err != nil {
			t.Fatal(err)
		}
	}
	// A connection-age limit is ±10% in gRPC.
	floodLimit := limits.MaxConnectionAge*11/10 + limits.MaxConnectionAgeGrace
	var refused atomic.Int64
	var readers sync.WaitGroup
	floodClosed := make([]error, flooders)
	for i := range flooders {
		h := dial(grpcAddr, "stream-flooding gRPC", floodLimit)
		floodStreams(t, h, int(server.DefaultMaxConcurrentStreams)+50)
		readers.Go(func() { floodClosed[i] = countRefusals(h, &refused) })
	}
	t.Logf("holding %d HTTP and %d gRPC connections", 2*slow+slow/3, halfOpen)

	for round := range 3 {
		checkStillAnswering(t, as, round)
	}

	close(stopTrickling)
	tricklers.Wait()
	readers.Wait()
	for i, err := range floodClosed {
		h := held[len(held)-flooders+i]
		if err != nil || time.Since(h.opened) > h.limit+h.slack {
			t.Errorf("held connection (stream-flooding gRPC) not closed within %v of its limit %v: %v", h.slack, h.limit, err)
		}
	}
	var wg sync.WaitGroup
	failures := make(chan string, len(held))
	for _, h := range held[:len(held)-flooders] {
		wg.Go(func() {
			if err := h.waitClosed(); err != nil {
				failures <- err.Error()
			}
		})
	}
	wg.Wait()
	close(failures)
	counts := map[string]int{}
	for f := range failures {
		if counts[f]++; counts[f] == 1 {
			t.Error(f)
		}
	}
	if failed := len(counts); failed > 0 {
		t.Errorf("%d kinds of held connection outlived their limit", failed)
	}
	// Every stream past the cap on each flooding connection was refused.
	if want := int64(50 * flooders); refused.Load() < want {
		t.Errorf("%d streams were refused past MaxConcurrentStreams, want at least %d", refused.Load(), want)
	}
	// The flooded streams' handlers ended with their connections.
	settleGoroutines(t, baseline+50)
}

// heldConn is a connection a test client holds, and the limit within
// which the server must close it.
type heldConn struct {
	net.Conn
	kind   string
	limit  time.Duration
	slack  time.Duration
	opened time.Time
}

// waitClosed reads (and drops) whatever the server sends until it closes
// the connection, failing once the limit and its slack have passed.
func (h *heldConn) waitClosed() error {
	deadline := h.opened.Add(h.limit + h.slack)
	_ = h.SetReadDeadline(deadline)
	_, err := io.Copy(io.Discard, h)
	if err == nil || errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("held connection (%s) still open %v after it opened (limit %v)", h.kind, h.limit+h.slack, h.limit)
	}
	return fmt.Errorf("held connection (%s): %v", h.kind, err)
}

// trickle sends a request line, then one header byte a second, until the
// server closes the connection or stop closes.
func trickle(h *heldConn, stop <-chan struct{}) {
	if _, err := io.WriteString(h, "GET / HTTP/1.1\r\nHost: rightsdesk.test\r\nX-Slow: "); err != nil {
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			if _, err := io.WriteString(h, "x"); err != nil {
				return
			}
		}
	}
}

// keepAliveOnce makes one request on the connection and reads the answer,
// leaving the connection open for the next; it returns when the answer
// came, from which the idle limit runs.
func keepAliveOnce(t *testing.T, h *heldConn) time.Time {
	t.Helper()
	if _, err := io.WriteString(h, "GET /healthz HTTP/1.1\r\nHost: rightsdesk.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(h)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("kept-alive /healthz: %s, close %v", resp.Status, resp.Close)
	}
	if br.Buffered() > 0 {
		t.Fatalf("kept-alive /healthz: %d bytes after the answer", br.Buffered())
	}
	return time.Now()
}

// floodStreams opens the HTTP/2 connection and starts n CreateCase calls
// on it, sending their headers but never a message, as a client that
// means to hold the server's goroutines would.
func floodStreams(t *testing.T, h *heldConn, n int) {
	t.Helper()
	if _, err := io.WriteString(h, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(h, nil)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for i := range n {
		block.Reset()
		for _, f := range [][2]string{
			{":method", "POST"}, {":scheme", "http"}, {":authority", "rightsdesk.test"},
			{":path", "/rightsdesk.v1.CaseService/CreateCase"},
			{"content-type", "application/grpc"}, {"te", "trailers"},
		} {
			if err := enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]}); err != nil {
				t.Fatal(err)
			}
		}
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: uint32(2*i + 1), BlockFragment: block.Bytes(), EndHeaders: true}); err != nil {
			t.Fatal(err)
		}
	}
}

// countRefusals reads the server's frames until it closes the connection,
// counting the streams it refused; it fails if the connection outlives
// its limit.
func countRefusals(h *heldConn, refused *atomic.Int64) error {
	_ = h.SetReadDeadline(h.opened.Add(h.limit + h.slack))
	fr := http2.NewFramer(io.Discard, h)
	for {
		f, err := fr.ReadFrame()
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
			return nil
		case err != nil:
			return err
		}
		if rst, ok := f.(*http2.RSTStreamFrame); ok && rst.ErrCode == http2.ErrCodeRefusedStream {
			refused.Add(1)
		}
	}
}

// checkStillAnswering makes the calls a legitimate client would while the
// held connections are open: each must answer within answerWithin.
func checkStillAnswering(t *testing.T, as *authServer, round int) {
	t.Helper()
	client := &http.Client{Timeout: answerWithin}
	for _, path := range []string{"/healthz", "/"} {
		resp, err := client.Get(as.base + path)
		if err != nil {
			t.Fatalf("round %d: GET %s: %v", round, path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("round %d: GET %s: %s", round, path, resp.Status)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), answerWithin)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+as.tokens["caseworker"])
	if _, err := rdv1.NewCaseServiceClient(as.conn).CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase()}); err != nil {
		t.Fatalf("round %d: CreateCase: %v", round, err)
	}
}

// fitFileLimit scales the held connections down to what the process's
// open-file limit allows (each is two descriptors here: the test's end and
// the server's), skipping only when too few would be left to mean much.
func fitFileLimit(t *testing.T, slow, halfOpen int) (int, int) {
	t.Helper()
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatalf("open-file limit: %v", err)
	}
	const spare = 300 // the store, the server's listeners, the test's clients
	need := func(s, m int) uint64 { return uint64(2*(2*s+s/3+m) + spare) }
	if need(slow, halfOpen) <= rl.Cur {
		return slow, halfOpen
	}
	scale := float64(rl.Cur-min(rl.Cur, spare)) / float64(need(slow, halfOpen)-spare)
	s, m := int(float64(slow)*scale), int(float64(halfOpen)*scale)
	if s < 30 || m < 30 {
		t.Skipf("the open-file limit (ulimit -n) is %d: too low to hold even 30 connections of each kind; raise it to %d", rl.Cur, need(slow, halfOpen))
	}
	t.Logf("the open-file limit (ulimit -n) is %d: holding %d slow HTTP and %d gRPC connections instead of %d and %d", rl.Cur, s, m, slow, halfOpen)
	return s, m
}

// settleGoroutines waits until the process runs at most want goroutines.
func settleGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(baseCloseSlack)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			t.Errorf("%d goroutines remain once every held connection closed, want at most %d", runtime.NumGoroutine(), want)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestConnectionCapHoldsTheRestInTheBacklog fills the HTTP listener's cap
// with idle connections: a new client is not served until one of them
// closes, and then it is. (The gRPC listener is capped the same way.)
func TestConnectionCapHoldsTheRestInTheBacklog(t *testing.T) {
	limits := server.Limits{MaxConnections: 3, ReadHeaderTimeout: time.Minute, HandshakeTimeout: time.Minute}
	as := startWithTokensConfig(t, server.Config{Clock: clock.Fixed(lifecycleNow), Limits: limits})
	var filler []net.Conn
	for range limits.MaxConnections {
		c, err := net.Dial("tcp", as.app.HTTPAddr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		filler = append(filler, c)
	}
	// The dials completed in the kernel, in order: the next client is the
	// fourth in the accept queue, and the server takes only three. The
	// probe is a bare connection closed by the test itself: an http.Client
	// whose request times out may keep its connection open for the late
	// answer (Go 1.27's Transport does), and that connection would then
	// take the slot the last request is waiting for.
	probe, err := net.Dial("tcp", as.app.HTTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := probe.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = probe.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if n, err := probe.Read(make([]byte, 1)); n > 0 || err == nil {
		t.Fatalf("GET /healthz was answered with %d connections held and a cap of %d", len(filler), limits.MaxConnections)
	}
	_ = probe.Close()
	_ = filler[0].Close()
	client := &http.Client{Timeout: answerWithin, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(as.base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz once a held connection closed: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz once a held connection closed: %s", resp.Status)
	}
}
