package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

const (
	createCase = "/rightsdesk.v1.CaseService/CreateCase"
	listCases  = "/rightsdesk.v1.CaseService/ListCases"
)

// limitsFor are call limits over the write classification the server
// would load, for a caller authenticated as a caseworker's token.
func limitsFor(l Limits) (*callLimits, context.Context) {
	c := newCallLimits(l)
	c.isWrite = map[string]bool{createCase: true, listCases: false}
	return c, auth.WithPrincipal(context.Background(), auth.Principal{Name: "importer", TokenID: "tok1", Role: auth.RoleCaseworker})
}

// A write over the in-flight limit is refused at once, as OVERLOADED with
// a RetryInfo (UNAVAILABLE; REST 503 with Retry-After), while reads go on
// and a write goes through again once a slot is free.
func TestWritesOverTheInFlightLimitAreShed(t *testing.T) {
	limits, ctx := limitsFor(Limits{MaxInFlightWrites: 1})
	intercept := limits.afterAuthentication()
	inWrite, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := intercept(ctx, nil, &grpc.UnaryServerInfo{FullMethod: createCase}, func(context.Context, any) (any, error) {
			close(inWrite)
			<-release
			return "created", nil
		})
		first <- err
	}()
	<-inWrite

	ran := false
	_, err := intercept(ctx, nil, &grpc.UnaryServerInfo{FullMethod: createCase}, func(context.Context, any) (any, error) {
		ran = true
		return nil, nil
	})
	var overloaded *OverloadedError
	if !errors.As(err, &overloaded) || ran {
		t.Fatalf("a second write while one is in flight: %v (ran: %v); want OverloadedError without running", err, ran)
	}
	st := status.Convert(toStatus(ctx, slog.New(slog.DiscardHandler), err))
	if st.Code() != codes.Unavailable || errorInfoOf(st).GetReason() != "OVERLOADED" || retryAfter(st) != "1" {
		t.Errorf("mapped to %v, reason %q, Retry-After %q; want UNAVAILABLE, OVERLOADED, 1", st.Code(), errorInfoOf(st).GetReason(), retryAfter(st))
	}
	rec := httptest.NewRecorder()
	gatewayError(ctx, runtime.NewServeMux(), &runtime.JSONPb{}, rec, httptest.NewRequest(http.MethodPost, "/v1/cases", nil), st.Err())
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("REST answer %d, Retry-After %q; want 503 and 1", rec.Code, rec.Header().Get("Retry-After"))
	}

	if _, err := intercept(ctx, nil, &grpc.UnaryServerInfo{FullMethod: listCases}, func(context.Context, any) (any, error) { return nil, nil }); err != nil {
		t.Errorf("a read while the write slot is taken: %v; want it served", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("the first write: %v", err)
	}
	if _, err := intercept(ctx, nil, &grpc.UnaryServerInfo{FullMethod: createCase}, func(context.Context, any) (any, error) { return nil, nil }); err != nil {
		t.Errorf("a write once the slot is free: %v; want it served", err)
	}
}

// A unary call without a deadline gets the server's; a client's sooner
// one is kept.
func TestUnaryCallsRunUnderTheServersDeadline(t *testing.T) {
	limits, ctx := limitsFor(Limits{MaxCallDuration: time.Hour})
	deadlineOf := func(ctx context.Context) (d time.Time) {
		_, _ = limits.afterAuthentication()(ctx, nil, &grpc.UnaryServerInfo{FullMethod: listCases}, func(ctx context.Context, _ any) (any, error) {
			d, _ = ctx.Deadline()
			return nil, nil
		})
		return d
	}
	before := time.Now()
	if d := deadlineOf(ctx); d.IsZero() || d.Before(before.Add(time.Hour)) || d.After(time.Now().Add(time.Hour)) {
		t.Errorf("a call without a deadline ran until %v; want an hour from the call", d)
	}
	soon := time.Now().Add(time.Minute)
	clientCtx, cancel := context.WithDeadline(ctx, soon)
	defer cancel()
	if d := deadlineOf(clientCtx); !d.Equal(soon) {
		t.Errorf("a call with the client's deadline of %v ran until %v; want the client's", soon, d)
	}
}

// The defaults are on, stated once in withDefaults; a negative limit is
// off.
func TestCallLimitsDefaultOnAndTurnOff(t *testing.T) {
	var l Limits
	if err := l.withDefaults(); err != nil {
		t.Fatal(err)
	}
	on := newCallLimits(l)
	if on.tokens == nil || on.addresses == nil || cap(on.writes) != 256 || on.maxCall != 30*time.Second {
		t.Errorf("default call limits = %+v; want every limit on", on)
	}
	off := Limits{TokenCallsPerSecond: -1, AddressCallsPerSecond: -1, MaxInFlightWrites: -1}
	if err := off.withDefaults(); err != nil {
		t.Fatal(err)
	}
	if c := newCallLimits(off); c.tokens != nil || c.addresses != nil || c.writes != nil {
		t.Errorf("negative limits = %+v; want them off", c)
	}
	if err := (&Limits{MaxCallDuration: -time.Second}).withDefaults(); err == nil {
		t.Error("a negative --max-call-duration was taken")
	}
}
