package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// restGuard authenticates a REST call before its body is read: the
// gateway reads a whole body before it calls the gRPC server, which is
// where calls are authorised, so without it anyone could make the server
// hold a body of up to --max-body bytes for as long as the read timeout.
// It runs as gateway middleware, once the route is matched and before the
// handler reads anything:
//
//   - a bearer token is checked with the tokens use case; one that is
//     malformed, unknown, revoked or expired is refused (401) at once;
//   - a call without one is refused (401) unless its route is public;
//   - only then is the body read, up to the body limit (limitBody).
//
// The gRPC server still authorises the call as every other: this is the
// same check made early, not a second policy. Refusals here spend the
// client address's calls as failures there do (callLimits), so a token
// guesser gains nothing by using REST.
type restGuard struct {
	tokens  tokenChecker
	limits  *callLimits
	log     *slog.Logger
	maxBody int64
	// methodRoles is the authenticator's role table, by full method name.
	methodRoles map[string]auth.Role
	// routes maps a route ("POST /v1/cases", the pattern as the gateway's
	// mux writes it) to the least role that may call it; learnRoutes
	// fills it from the mux itself once every service is registered.
	routes map[string]auth.Role
	// mux is the gateway's, whose error boundary (gatewayError) answers
	// the guard's refusals.
	mux *runtime.ServeMux
}

// routeProbeKey marks a request learnRoutes sends through the mux to learn
// the pattern a route is matched by; the guard records it and stops.
type routeProbeKey struct{}

// learnRoutes asks mux which pattern serves each google.api.http binding
// of every method in methodRoles, so the guard knows a route's role from
// the proto's declaration with no table of its own. It fails if a bound
// method is not matched, which would leave its route unknown.
func (g *restGuard) learnRoutes(mux *runtime.ServeMux) error {
	g.mux, g.routes = mux, map[string]auth.Role{}
	for method, role := range g.methodRoles {
		for _, b := range httpBindings(method) {
			var pattern string
			probe, err := http.NewRequestWithContext(context.WithValue(context.Background(), routeProbeKey{}, &pattern), b.verb, samplePath(b.path), http.NoBody)
			if err != nil {
				return fmt.Errorf("route %s %s of %s: %w", b.verb, b.path, method, err)
			}
			mux.ServeHTTP(discardResponse{}, probe)
			if pattern == "" {
				return fmt.Errorf("route %s %s of %s is not served by the gateway", b.verb, b.path, method)
			}
			g.routes[b.verb+" "+pattern] = role
		}
	}
	return nil
}

// middleware is the guard, as gateway middleware.
func (g *restGuard) middleware(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		pattern, _ := runtime.HTTPPattern(r.Context())
		if probe, ok := r.Context().Value(routeProbeKey{}).(*string); ok {
			*probe = pattern.String()
			return
		}
		if err := g.authenticate(r, g.routes[r.Method+" "+pattern.String()]); err != nil {
			gatewayError(r.Context(), g.mux, &runtime.JSONPb{MarshalOptions: RESTMarshalOptions()}, w, r, toStatus(r.Context(), g.log, err))
			return
		}
		limitBody(g.maxBody, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next(w, r, params) })).ServeHTTP(w, r)
	}
}

// authenticate checks r's bearer token, if any, against a route that
// needs role (RoleNone when the route is unknown: a token is needed).
func (g *restGuard) authenticate(r *http.Request, role auth.Role) error {
	ctx := r.Context()
	key := web.AddressKey(r.RemoteAddr)
	if g.limits.addresses != nil {
		if spent, wait := g.limits.addresses.Spent(key); spent {
			return &RateLimitedError{Scope: "address", RetryAfter: wait}
		}
	}
	// The header as the gRPC server will see it (bearerToken), so the two
	// checks cannot read different tokens.
	md := metadata.MD{}
	for _, h := range []string{"Authorization", "Grpc-Metadata-Authorization"} {
		md.Append("authorization", r.Header.Values(h)...)
	}
	token, sent, err := bearerToken(metadata.NewIncomingContext(ctx, md))
	switch {
	case err != nil: // malformed, or more than one: refused below
	case !sent && role == auth.RolePublic:
		return nil
	case !sent:
		err = auth.ErrNoToken
	default:
		_, err = g.tokens.Authenticate(ctx, token)
	}
	if err == nil || !isAuthFailure(err) {
		// A store failure is for the gRPC call to meet and map.
		return nil
	}
	if g.limits.addresses != nil {
		g.limits.addresses.AllowKey(key)
	}
	g.log.InfoContext(ctx, "authentication failed", "route", r.Method+" "+r.URL.Path, "reason", err.Error())
	return &auth.UnauthenticatedError{Reason: err}
}

// isAuthFailure reports whether err is a credential the caller got wrong.
func isAuthFailure(err error) bool {
	for _, e := range []error{auth.ErrNoToken, auth.ErrMalformedToken, auth.ErrUnknownToken, auth.ErrTokenRevoked, auth.ErrTokenExpired} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// httpBinding is one google.api.http rule of a method: verb and path
// template.
type httpBinding struct{ verb, path string }

// httpBindings are the google.api.http rules of a method of this API
// named in full ("/rightsdesk.v1.CaseService/CreateCase"), additional
// bindings included; none for a method without one.
func httpBindings(fullMethod string) []httpBinding {
	service, method, _ := strings.Cut(strings.TrimPrefix(fullMethod, "/"), "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if err != nil || !ok {
		return nil
	}
	md := sd.Methods().ByName(protoreflect.Name(method))
	if md == nil {
		return nil
	}
	opts, _ := md.Options().(*descriptorpb.MethodOptions)
	rule, _ := proto.GetExtension(opts, annotations.E_Http).(*annotations.HttpRule)
	if rule == nil {
		return nil
	}
	var out []httpBinding
	for _, r := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
		switch p := r.GetPattern().(type) {
		case *annotations.HttpRule_Get:
			out = append(out, httpBinding{http.MethodGet, p.Get})
		case *annotations.HttpRule_Post:
			out = append(out, httpBinding{http.MethodPost, p.Post})
		case *annotations.HttpRule_Put:
			out = append(out, httpBinding{http.MethodPut, p.Put})
		case *annotations.HttpRule_Patch:
			out = append(out, httpBinding{http.MethodPatch, p.Patch})
		case *annotations.HttpRule_Delete:
			out = append(out, httpBinding{http.MethodDelete, p.Delete})
		}
	}
	return out
}

// templateVariable is a variable of a path template: {name} or
// {name=cases/*}.
var templateVariable = regexp.MustCompile(`\{[^=}]+(=([^}]*))?\}`)

// samplePath is a path that template matches: each variable replaced by
// what it matches, with "x" for every wildcard segment.
func samplePath(template string) string {
	path := templateVariable.ReplaceAllStringFunc(template, func(v string) string {
		m := templateVariable.FindStringSubmatch(v)
		if m[2] == "" {
			return "x"
		}
		return m[2]
	})
	return strings.NewReplacer("**", "x", "*", "x").Replace(path)
}
