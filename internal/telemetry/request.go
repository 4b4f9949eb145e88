package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
)

// HeaderRequestID is the HTTP header carrying a request's id, in both
// directions.
const HeaderRequestID = "X-Request-Id"

// Request is what the logs say about the call a context belongs to.
type Request struct {
	// ID names the call in every log line it causes; a client may choose it
	// (X-Request-Id) to find its call in the server's logs.
	ID string
	// Client is the caller's address: the TCP peer's, or for a REST call
	// through the gateway the HTTP client's, which the gateway passes on.
	Client string
}

type requestKey struct{}

// WithRequest returns ctx carrying req.
func WithRequest(ctx context.Context, req Request) context.Context {
	return context.WithValue(ctx, requestKey{}, req)
}

// RequestFrom returns the request ctx carries, if any.
func RequestFrom(ctx context.Context) (Request, bool) {
	req, ok := ctx.Value(requestKey{}).(Request)
	return req, ok
}

// maxRequestIDLength bounds a client's id, which is logged as it is.
const maxRequestIDLength = 64

// WellFormedRequestID reports whether a client's id may be used as it is:
// 1 to 64 letters, digits, '-', '_' or '.'. Anything else (spaces, '@',
// control characters) could forge log lines or carry an address, so it is
// replaced by a new id.
func WellFormedRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// NewRequestID returns a fresh random id: 128 bits, so ids never collide.
func NewRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails: it would crash the program first
	return hex.EncodeToString(b)
}

// requestID is the client's id when it is well formed, else a new one.
func requestID(fromClient string) string {
	if WellFormedRequestID(fromClient) {
		return fromClient
	}
	return NewRequestID()
}

// hostOf is the host part of a HOST:PORT address, or the address itself
// when it has no port.
func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
