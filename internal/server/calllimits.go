package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/policy"
	"github.com/rightsdesk/rightsdesk/internal/telemetry"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// What one caller may ask of the API, per call: how often (per token, or
// per address for a caller without a valid one), how many writes may be in
// flight at once across all callers, and how long a unary call may run.
// They run on the gRPC server, so REST calls (which the gateway makes over
// gRPC, passing on the HTTP client's address) are held to the same limits,
// and the address limited is the real client's, never the gateway's.
//
// An operator on the admin socket is never limited: it must be able to
// reach a server that everyone else has filled.

// callLimits are the per-call limits of Limits, with their state.
type callLimits struct {
	// tokens is a bucket per API token id; addresses one per client
	// address (a /64 for IPv6), spent by calls with no token and by
	// failed authentications.
	tokens, addresses *web.Limiter
	// writes holds a slot for each write call in flight; a write that
	// finds it full is refused at once rather than queued.
	writes chan struct{}
	// isWrite is policy.Writes of every served method, read once at start.
	isWrite map[string]bool
	// maxCall is the longest a unary call may run.
	maxCall time.Duration
}

// shedRetryAfter is what a shed write is told to wait: writes take
// milliseconds, so a slot is soon free.
const shedRetryAfter = time.Second

// RateLimitedError is a call over its caller's rate: Scope says whose
// ("token" or "address").
type RateLimitedError struct {
	Scope      string
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many calls from this %s; retry after %s", e.Scope, e.RetryAfter.Round(time.Second))
}

// OverloadedError is a write refused because the most the server takes at
// once are in flight.
type OverloadedError struct {
	RetryAfter time.Duration
}

func (e *OverloadedError) Error() string {
	return fmt.Sprintf("the server is busy with other writes; retry after %s", e.RetryAfter.Round(time.Second))
}

// newCallLimits returns the call limits of l, whose defaults
// Config.Validate has filled in; a limit that is zero or negative is off.
func newCallLimits(l Limits) *callLimits {
	c := &callLimits{maxCall: l.MaxCallDuration}
	if l.TokenCallsPerSecond > 0 {
		c.tokens = web.NewLimiter(time.Second/time.Duration(l.TokenCallsPerSecond), l.TokenBurst)
	}
	if l.AddressCallsPerSecond > 0 {
		c.addresses = web.NewLimiter(time.Second/time.Duration(l.AddressCallsPerSecond), l.AddressBurst)
	}
	if l.MaxInFlightWrites > 0 {
		c.writes = make(chan struct{}, l.MaxInFlightWrites)
	}
	return c
}

// loadWrites reads which served methods write (policy.Writes), once every
// service is registered.
func (c *callLimits) loadWrites(s *grpc.Server) error {
	c.isWrite = map[string]bool{}
	for service, info := range s.GetServiceInfo() {
		for _, m := range info.Methods {
			full := "/" + service + "/" + m.Name
			writes, err := policy.WritesMethod(full)
			if err != nil {
				return fmt.Errorf("refusing to start: %w", err)
			}
			c.isWrite[full] = writes
		}
	}
	return nil
}

// beforeAuthentication refuses a caller whose address has spent its
// calls before its token is looked up, and charges a failed
// authentication to the address: guessing tokens costs the guesser.
func (c *callLimits) beforeAuthentication() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		if err := c.screen(ctx); err != nil {
			return nil, err
		}
		resp, err := next(ctx, req)
		c.chargeFailure(ctx, err)
		return resp, err
	}
}

// afterAuthentication spends one call of the caller's token or address,
// logs the token used, sheds a write over the in-flight limit and bounds
// the call's time.
func (c *callLimits) afterAuthentication() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		if err := c.spend(ctx); err != nil {
			return nil, err
		}
		if c.isWrite[info.FullMethod] && c.writes != nil {
			select {
			case c.writes <- struct{}{}:
				defer func() { <-c.writes }()
			default:
				return nil, &OverloadedError{RetryAfter: shedRetryAfter}
			}
		}
		if c.maxCall > 0 {
			// A client's own deadline, if sooner, still wins.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.maxCall)
			defer cancel()
		}
		return next(ctx, req)
	}
}

// streamBeforeAuthentication and streamAfterAuthentication rate-limit
// streaming calls (Backup) as unary ones. A stream has no time limit
// here: a backup runs as long as its size needs, and its own stall limit
// ends one whose client stops reading. Backups are not counted as writes.
func (c *callLimits) streamBeforeAuthentication() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
		if err := c.screen(ss.Context()); err != nil {
			return err
		}
		err := next(srv, ss)
		c.chargeFailure(ss.Context(), err)
		return err
	}
}

func (c *callLimits) streamAfterAuthentication() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
		if err := c.spend(ss.Context()); err != nil {
			return err
		}
		return next(srv, ss)
	}
}

// screen refuses a caller from an address with no calls left, before
// anything is looked up for it.
func (c *callLimits) screen(ctx context.Context) error {
	if c.addresses == nil || fromAdminSocket(ctx) {
		return nil
	}
	if spent, wait := c.addresses.Spent(addressKey(ctx)); spent {
		return &RateLimitedError{Scope: "address", RetryAfter: wait}
	}
	return nil
}

// chargeFailure spends one of the address's calls for a failed
// authentication; the call never reached spend. The unary chain sees
// auth's error, the stream chain the status it was mapped to.
func (c *callLimits) chargeFailure(ctx context.Context, err error) {
	var unauthenticated *auth.UnauthenticatedError
	if c.addresses == nil || !(errors.As(err, &unauthenticated) || status.Code(err) == codes.Unauthenticated) {
		return
	}
	c.addresses.AllowKey(addressKey(ctx))
}

// spend takes one call from the authenticated caller's token, or the
// address of a caller without one, and notes the token in the call's log
// line.
func (c *callLimits) spend(ctx context.Context) error {
	p, _ := auth.FromContext(ctx)
	switch {
	case p.Local:
		return nil
	case p.TokenID != "":
		logging.AddFields(ctx, logging.Fields{"token_id", p.TokenID})
		if c.tokens == nil {
			return nil
		}
		if ok, wait := c.tokens.AllowKey("token:" + p.TokenID); !ok {
			return &RateLimitedError{Scope: "token", RetryAfter: wait}
		}
	case c.addresses != nil:
		if ok, wait := c.addresses.AllowKey(addressKey(ctx)); !ok {
			return &RateLimitedError{Scope: "address", RetryAfter: wait}
		}
	}
	return nil
}

// addressKey is the limiter key of the call's client: the address the
// gateway passed on for a REST call, else the TCP peer's.
func addressKey(ctx context.Context) string {
	req, _ := telemetry.RequestFrom(ctx)
	return web.AddressKey(req.Client)
}

// fromAdminSocket reports whether the call came in on the admin socket.
func fromAdminSocket(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return false
	}
	_, local := localPrincipal(p.AuthInfo)
	return local
}

// retryInfo is the google.rpc.RetryInfo detail for a caller told to wait.
func retryInfo(after time.Duration) *errdetails.RetryInfo {
	return &errdetails.RetryInfo{RetryDelay: durationpb.New(after)}
}

// retryAfter is the Retry-After value (RFC 9110 §10.2.3: whole seconds,
// rounded up, so a client that waits it is not refused again) for a status
// that carries a RetryInfo, or "".
func retryAfter(st *status.Status) string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.RetryInfo); ok {
			wait := info.GetRetryDelay().AsDuration()
			return strconv.FormatInt(int64(max(1, math.Ceil(wait.Seconds()))), 10)
		}
	}
	return ""
}
