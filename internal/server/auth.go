package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	reflectionv1alpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/policy"
)

// Authentication and authorisation for every door.
//
// Who may call an RPC is declared in the proto, on the method, as the
// (rightsdesk.v1.required_role) option; this file never lists roles by
// method. At start-up, after every service is registered, loadRoles reads the
// option of every registered method from its descriptor into an immutable
// table, and refuses to start if any method lacks one, so a new RPC cannot be
// served without a decision about who may call it. Per call, the interceptors
// (unary and stream) look the method up in that table (a map read, no reflection), then:
//
//   - ROLE_PUBLIC: no token needed; a token, if sent, is still checked (a
//     bad one is UNAUTHENTICATED) and its principal attached.
//   - anything else: `authorization: Bearer <token>` (the gateway forwards
//     the HTTP Authorization header as this metadata) → the tokens use case
//     (SHA-256 → lookup → usable now) → role check.
//
// It returns auth's domain errors; toStatus, the single error boundary,
// turns them into UNAUTHENTICATED (HTTP 401) and PERMISSION_DENIED (403). It
// runs inside the error boundary and before validation, so a caller without
// the right token learns nothing about the shape of the request.

// publicServices are the services outside rightsdesk.v1 that are served
// without a token. They carry no required_role option because their protos
// are not ours. Adding a service here makes it public: say why.
var publicServices = map[string]string{
	// Load balancers and orchestrators probe health without credentials, and
	// the answer says nothing but SERVING or NOT_SERVING.
	healthpb.Health_ServiceDesc.ServiceName: "health checks",
	// Reflection describes the public API schema (what the committed protos
	// and /openapi.json already publish), never data, so grpcurl works
	// without a token. Both versions: reflection.Register serves both.
	reflectionv1.ServerReflection_ServiceDesc.ServiceName:      "server reflection",
	reflectionv1alpha.ServerReflection_ServiceDesc.ServiceName: "server reflection (v1alpha)",
}

// tokenChecker is the part of the tokens use case the interceptors call.
type tokenChecker interface {
	Authenticate(ctx context.Context, plaintext string) (auth.Principal, error)
}

// authenticator authenticates and authorises each call.
type authenticator struct {
	tokens tokenChecker
	log    *slog.Logger
	// roles maps a full method name ("/rightsdesk.v1.NoticeService/GetNotice")
	// to the least role that may call it. loadRoles sets it once, before the
	// server serves, and nothing writes it afterwards. A method missing from
	// it is refused.
	roles map[string]auth.Role
	// streams is set once streamInterceptor has been built for the server;
	// until then streaming RPCs would bypass authentication, so the start-up
	// check refuses them.
	streams bool
}

func newAuthenticator(tokens tokenChecker, log *slog.Logger) *authenticator {
	return &authenticator{tokens: tokens, log: log}
}

// loadRoles is the start-up check: it builds the role table for every
// service registered on s and fails, naming each offending method, if any
// RPC outside publicServices does not declare a required_role.
func (a *authenticator) loadRoles(s *grpc.Server) error {
	roles, err := methodRoles(s.GetServiceInfo(), protoregistry.GlobalFiles, a.streams)
	if err != nil {
		return fmt.Errorf("refusing to start: %w", err)
	}
	a.roles = roles
	return nil
}

// descriptorResolver is the part of *protoregistry.Files methodRoles uses.
type descriptorResolver interface {
	FindDescriptorByName(protoreflect.FullName) (protoreflect.Descriptor, error)
}

// methodRoles reads the required_role option of every method of every
// service in services, from the service descriptors in files. Services in
// publicServices are public. It reports every method that has no role, or
// cannot be checked, rather than stopping at the first. Streaming methods are
// refused unless streams says the stream interceptor is installed.
func methodRoles(services map[string]grpc.ServiceInfo, files descriptorResolver, streams bool) (map[string]auth.Role, error) {
	roles := map[string]auth.Role{}
	var problems []string
	for name, info := range services {
		if _, ok := publicServices[name]; ok {
			for _, m := range info.Methods {
				roles["/"+name+"/"+m.Name] = auth.RolePublic
			}
			continue
		}
		d, err := files.FindDescriptorByName(protoreflect.FullName(name))
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if err != nil || !ok {
			problems = append(problems, fmt.Sprintf("service %s has no descriptor in the proto registry, so its methods' required_role cannot be read", name))
			continue
		}
		for _, m := range info.Methods {
			full := "/" + name + "/" + m.Name
			md := sd.Methods().ByName(protoreflect.Name(m.Name))
			if md == nil {
				problems = append(problems, fmt.Sprintf("%s is served but not in the descriptor of %s", full, name))
				continue
			}
			// A streaming RPC bypasses the unary chain; without the stream
			// interceptor it would be served unauthenticated.
			if (m.IsClientStream || m.IsServerStream) && !streams {
				problems = append(problems, fmt.Sprintf("%s is a streaming RPC and no stream interceptor authenticates it", full))
				continue
			}
			role := policy.RequiredRole(md)
			if role == auth.RoleNone {
				problems = append(problems, fmt.Sprintf("%s declares no (rightsdesk.v1.required_role) option; every RPC must say who may call it", full))
				continue
			}
			roles[full] = role
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return roles, nil
}

// unaryInterceptor attaches the caller's Principal to the context, or
// returns an auth error for the error boundary to map.
func (a *authenticator) unaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		p, err := a.authorize(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		// A field may need more than its method (CloseCase's override).
		if m, ok := req.(proto.Message); ok {
			if err := policy.CheckFields(strings.TrimPrefix(info.FullMethod, "/"), m, p.Role); err != nil {
				a.log.InfoContext(ctx, "permission denied", "method", info.FullMethod, "token_id", p.TokenID, "role", p.Role.String())
				return nil, err
			}
		}
		return next(auth.WithPrincipal(ctx, p), req)
	}
}

// streamInterceptor does for streaming RPCs what unaryInterceptor does,
// before the handler sees a message. Streams have no error boundary
// interceptor, so it maps its own errors through toStatus, the same single
// mapping.
func (a *authenticator) streamInterceptor() grpc.StreamServerInterceptor {
	a.streams = true
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
		p, err := a.authorize(ss.Context(), info.FullMethod)
		if err != nil {
			return toStatus(ss.Context(), a.log, err)
		}
		return next(srv, &principalStream{ServerStream: ss, ctx: auth.WithPrincipal(ss.Context(), p)})
	}
}

// principalStream is a ServerStream whose context carries the principal.
type principalStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *principalStream) Context() context.Context { return s.ctx }

func (a *authenticator) authorize(ctx context.Context, method string) (auth.Principal, error) {
	need, ok := a.roles[method]
	if !ok {
		// Unreachable while loadRoles ran after registration; fail closed.
		return auth.Principal{}, fmt.Errorf("no required role is known for %s", method)
	}
	if p, ok := peer.FromContext(ctx); ok {
		if name, local := localPrincipal(p.AuthInfo); local {
			return auth.Local(name), nil // an administrator, so any role is enough
		}
	}
	token, sent, err := bearerToken(ctx)
	if err == nil && !sent {
		if need == auth.RolePublic {
			return auth.Public(), nil
		}
		err = auth.ErrNoToken
	}
	var p auth.Principal
	if err == nil {
		p, err = a.tokens.Authenticate(ctx, token)
	}
	if errors.Is(err, auth.ErrNoToken) || errors.Is(err, auth.ErrMalformedToken) || errors.Is(err, auth.ErrUnknownToken) ||
		errors.Is(err, auth.ErrTokenRevoked) || errors.Is(err, auth.ErrTokenExpired) {
		a.log.InfoContext(ctx, "authentication failed", "method", method, "reason", err.Error())
		return auth.Principal{}, &auth.UnauthenticatedError{Reason: err}
	}
	if err != nil {
		return auth.Principal{}, err // a store failure: INTERNAL, never "bad token"
	}
	if !p.Role.Includes(need) {
		a.log.InfoContext(ctx, "permission denied", "method", method, "token_id", p.TokenID, "role", p.Role.String(), "need", need.String())
		return auth.Principal{}, &auth.PermissionDeniedError{Method: strings.TrimPrefix(method, "/"), Need: need, Have: p.Role}
	}
	return p, nil
}

// bearerToken returns the token of the call's `authorization: Bearer …`
// metadata; sent is false when there is no authorization metadata at all.
// More than one authorization value is refused rather than guessed between:
// through the gateway, a Grpc-Metadata-Authorization header arrives under
// the same key as Authorization.
func bearerToken(ctx context.Context) (token string, sent bool, err error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	switch len(values) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", true, fmt.Errorf("%w: %d authorization values", auth.ErrMalformedToken, len(values))
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || !auth.WellFormed(token) {
		return "", true, auth.ErrMalformedToken
	}
	return token, true, nil
}
