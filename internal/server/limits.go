package server

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// Limits bound what any one client, signed in or not, may hold of the
// server: connections, time and header bytes. Both ports may face the
// internet, so every limit is on by default; Config.Validate fills each
// zero field with the default its comment gives.
type Limits struct {
	// MaxConnections caps the open connections of each listener (HTTP and
	// gRPC apart); a connection over it waits in the kernel's backlog until
	// one closes. Default 2,000, or less when the process may open fewer
	// than 2×2,000 files: connections held by slow clients must never use
	// the last descriptors, which the store and the logs need.
	MaxConnections int
	// ReadHeaderTimeout is how long a client has to send its request line
	// and headers, from the moment the connection is ready for a request.
	// Default 10 s: a browser sends them in one packet, even on a poor
	// mobile link; a client trickling them a byte at a time is cut off.
	ReadHeaderTimeout time.Duration
	// ReadTimeout is how long a client has to send a whole request, body
	// included. Default 60 s: the API's largest body (--max-body, 1 MiB)
	// at under 20 KiB/s. The pages that take uploads allow longer for
	// their bodies themselves (web.AllowSlowBody).
	ReadTimeout time.Duration
	// WriteTimeout is how long the server has to write a response once the
	// headers are read. Default 60 s, far longer than any page takes; the
	// downloads whose size has no such bound (CSV export, evidence bundle,
	// documents) move their own deadline on while the client keeps reading
	// (web.Download), so a long download is never cut and a stalled one is.
	WriteTimeout time.Duration
	// IdleTimeout closes a connection that carries no request for this
	// long: an HTTP keep-alive connection between requests, a gRPC
	// connection with no call. Default 2 min: longer than a person reads a
	// page before the next click; a client that vanished frees its slot.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers. Default 64 KiB
	// (Go's own is 1 MiB): our cookies and tokens are a few hundred bytes,
	// and a proxy in front adds a few kilobytes at most.
	MaxHeaderBytes int

	// HandshakeTimeout is how long a new gRPC connection has to complete
	// the HTTP/2 handshake (preface and settings). Default 10 s (gRPC's
	// own is 2 min): a connection that sends nothing is closed.
	HandshakeTimeout time.Duration
	// MaxConcurrentStreams caps the calls in flight on one gRPC connection;
	// the client is refused more until one ends. Default 100, the number
	// HTTP/2 asks servers to allow at least: our calls are short, and a
	// client needing more opens another connection, under MaxConnections.
	MaxConcurrentStreams uint32
	// KeepaliveMinTime is how often a gRPC client may ping; one that pings
	// more often is disconnected, and no pings are allowed on a
	// connection with no call in flight. Default 1 min: enough for a
	// client to keep a long call's connection alive through a proxy, too
	// slow to keep the server busy answering pings.
	KeepaliveMinTime time.Duration
	// KeepaliveTime is how long a gRPC connection may be silent before the
	// server pings the client, and KeepaliveTimeout how long it then waits
	// for the answer before closing it. Defaults 1 min and 20 s: a client
	// that vanished (no FIN, e.g. a phone leaving coverage) is found in
	// under a minute and a half, even while its call waits.
	KeepaliveTime, KeepaliveTimeout time.Duration
	// MaxConnectionAge is how long a gRPC connection may live before the
	// server asks the client to reconnect (±10%, so clients do not all
	// come back at once), and MaxConnectionAgeGrace how long calls in
	// flight then have to finish before it is closed. Defaults 30 min and
	// 30 min: the grace is the longest a call can be sure of, and the
	// longest call is an administrator's Backup (10 GB at 6 MB/s); every
	// connection, however busy, ends within an hour.
	MaxConnectionAge, MaxConnectionAgeGrace time.Duration

	// TokenCallsPerSecond and TokenBurst limit the API calls (gRPC and
	// REST alike) of each API token: TokenBurst at once, then this many a
	// second. Defaults 1,000 and 2,000: far above what an integration
	// needs, low enough that one token cannot take the whole server. A
	// negative rate turns the limit off (a benchmark's driver).
	TokenCallsPerSecond, TokenBurst int
	// AddressCallsPerSecond and AddressBurst limit the calls of each client
	// address (a /64 for IPv6) that come without a token, and its failed
	// authentications, which are refused before the token is looked up
	// once the address has none left. Defaults 100 and 500. Negative: off.
	AddressCallsPerSecond, AddressBurst int
	// MaxInFlightWrites caps the write calls (policy.Writes) running at
	// once; a write over it is refused at once (UNAVAILABLE / 503 with
	// Retry-After) rather than queued without bound. Default 256, far more
	// than the store commits in the time a client waits. Negative: off.
	MaxInFlightWrites int
	// MaxCallDuration is the longest a unary call may run, whatever
	// deadline its client set or did not set. Default 30 s. Streams
	// (Backup) have their own stall limit instead.
	MaxCallDuration time.Duration
}

// DefaultMaxConcurrentStreams is MaxConcurrentStreams unless set.
const DefaultMaxConcurrentStreams = 100

// defaultMaxConnections is MaxConnections on a machine with files to spare.
const defaultMaxConnections = 2000

// reservedFiles are the descriptors kept back from the connection caps for
// the store, the blob files, the logs and the admin socket.
const reservedFiles = 200

// withDefaults fills each zero limit with its default and refuses a
// negative one.
func (l *Limits) withDefaults() error {
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": l.ReadHeaderTimeout, "ReadTimeout": l.ReadTimeout, "WriteTimeout": l.WriteTimeout,
		"--idle-timeout": l.IdleTimeout, "HandshakeTimeout": l.HandshakeTimeout, "KeepaliveMinTime": l.KeepaliveMinTime,
		"KeepaliveTime": l.KeepaliveTime, "KeepaliveTimeout": l.KeepaliveTimeout,
		"MaxConnectionAge": l.MaxConnectionAge, "MaxConnectionAgeGrace": l.MaxConnectionAgeGrace,
		"--max-call-duration": l.MaxCallDuration,
	} {
		if d < 0 {
			return fmt.Errorf("%s %v: want a positive duration", name, d)
		}
	}
	if l.MaxConnections < 0 {
		return fmt.Errorf("--max-connections %d: want a positive number", l.MaxConnections)
	}
	if l.MaxHeaderBytes < 0 {
		return fmt.Errorf("MaxHeaderBytes %d: want a positive number", l.MaxHeaderBytes)
	}
	if l.MaxConnections == 0 {
		l.MaxConnections = connectionsFor(openFileLimit())
	}
	setDefault(&l.ReadHeaderTimeout, 10*time.Second)
	setDefault(&l.ReadTimeout, time.Minute)
	setDefault(&l.WriteTimeout, time.Minute)
	setDefault(&l.IdleTimeout, 2*time.Minute)
	setDefault(&l.MaxHeaderBytes, 64<<10)
	setDefault(&l.HandshakeTimeout, 10*time.Second)
	setDefault(&l.MaxConcurrentStreams, DefaultMaxConcurrentStreams)
	setDefault(&l.KeepaliveMinTime, time.Minute)
	setDefault(&l.KeepaliveTime, time.Minute)
	setDefault(&l.KeepaliveTimeout, 20*time.Second)
	setDefault(&l.MaxConnectionAge, 30*time.Minute)
	setDefault(&l.MaxConnectionAgeGrace, 30*time.Minute)
	setDefault(&l.MaxCallDuration, 30*time.Second)
	setDefault(&l.MaxInFlightWrites, 256)
	setDefault(&l.TokenCallsPerSecond, 1000)
	setDefault(&l.TokenBurst, max(l.TokenCallsPerSecond, 2000))
	setDefault(&l.AddressCallsPerSecond, 100)
	setDefault(&l.AddressBurst, max(l.AddressCallsPerSecond, 500))
	if l.TokenCallsPerSecond > int(time.Second) || l.AddressCallsPerSecond > int(time.Second) {
		return fmt.Errorf("a rate of more than %d calls a second: turn the limit off instead (negative)", time.Second)
	}
	return nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// connectionsFor is the default cap on each of the two listeners for a
// process that may open files descriptors (0: not known): both full
// listeners must leave reservedFiles free.
func connectionsFor(files uint64) int {
	if files == 0 || files >= 2*defaultMaxConnections+reservedFiles {
		return defaultMaxConnections
	}
	return max(int(files)-reservedFiles, 2) / 2
}

// limitListener caps the connections l accepts at once.
func (l Limits) limitListener(lis net.Listener) net.Listener {
	return netutil.LimitListener(lis, l.MaxConnections)
}

// httpServer is the HTTP server for handler, with every limit set.
func (l Limits) httpServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// grpcOptions are the gRPC server's limits.
func (l Limits) grpcOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ConnectionTimeout(l.HandshakeTimeout),
		grpc.MaxConcurrentStreams(l.MaxConcurrentStreams),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: l.KeepaliveMinTime, PermitWithoutStream: false}),
		grpc.KeepaliveParams(keepalive.ServerParameters{
			MaxConnectionIdle:     l.IdleTimeout,
			MaxConnectionAge:      l.MaxConnectionAge,
			MaxConnectionAgeGrace: l.MaxConnectionAgeGrace,
			Time:                  l.KeepaliveTime,
			Timeout:               l.KeepaliveTimeout,
		}),
	}
}
