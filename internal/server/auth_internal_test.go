package server

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/storetest"
	"github.com/rightsdesk/rightsdesk/internal/telemetry"
	"github.com/rightsdesk/rightsdesk/internal/tokens"
)

// The helpers here that start with a capital letter are exported for the
// external tests (package server_test), which start a whole application
// through internal/app and so cannot live inside this package.

// AuthNow is the injected time of every authentication test.
var AuthNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// StaffTokens are the token labels that carry each staff role, least first.
var StaffTokens = []struct {
	Label string
	Role  auth.Role
}{{"viewer", auth.RoleViewer}, {"caseworker", auth.RoleCaseworker}, {"admin", auth.RoleAdmin}}

// TokensAt is the tokens use case on st with the clock fixed at now.
func TokensAt(st *store.Store, now time.Time) *tokens.Service {
	return tokens.New(st, clock.Fixed(now), rand.Reader)
}

// SeedTokens stores a usable token per staff role (labelled "viewer",
// "caseworker", "admin"), an expired admin token and a revoked admin token,
// and makes one more that is never stored. It returns the plaintext tokens
// by label. It is exported for the external tests (package server_test).
func SeedTokens(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for role, tok := range storetest.PutTestTokens(t, st) {
		out[role.String()] = tok
	}
	expired := AuthNow.Add(-time.Minute)
	records := map[string]auth.Token{
		"expired": {Name: "old-admin", Role: auth.RoleAdmin, ExpiresAt: &expired},
		"revoked": {Name: "gone-admin", Role: auth.RoleAdmin, Revoked: true},
	}
	err := st.Update(t.Context(), func(tx store.WriteTx) error {
		for label, rec := range records {
			tok, hash, err := auth.NewToken(rand.Reader)
			if err != nil {
				return err
			}
			rec.ID, rec.CreatedAt = auth.TokenID(hash), AuthNow.Add(-24*time.Hour)
			if err := store.PutToken(tx, hash, &rec); err != nil {
				return err
			}
			out[label] = tok
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out["unknown"], _, err = auth.NewToken(rand.Reader); err != nil {
		t.Fatal(err)
	}
	return out
}

// StandIn serves, behind exactly the server's interceptor chain and on the
// same store, the rightsdesk.v1 services the real server does not register
// (yet), with tokens checked by the given use case: each method decodes its request and answers UNIMPLEMENTED if it
// gets past authentication and validation. Without it, a service whose
// proto exists before its implementation is registered would go untested.
func StandIn(t *testing.T, tokens tokenChecker, services []protoreflect.ServiceDescriptor) *grpc.ClientConn {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	validator, err := protovalidate.New()
	if err != nil {
		t.Fatal(err)
	}
	authn := newAuthenticator(tokens, log)
	gs := grpc.NewServer(
		grpc.ChainUnaryInterceptor(unaryInterceptors(log, telemetry.New(telemetry.Options{Registry: prometheus.NewRegistry()}), newCallLimits(Limits{}), authn, validator)...),
		grpc.ChainStreamInterceptor(authn.streamInterceptor()),
	)
	for _, sd := range services {
		desc := grpc.ServiceDesc{ServiceName: string(sd.FullName()), HandlerType: (*any)(nil)}
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			unimplemented := status.Error(codes.Unimplemented, "stand-in: authorised, but the service is not registered on the real server")
			if md.IsStreamingClient() || md.IsStreamingServer() {
				desc.Streams = append(desc.Streams, grpc.StreamDesc{
					StreamName: string(md.Name()), ServerStreams: md.IsStreamingServer(), ClientStreams: md.IsStreamingClient(),
					Handler: func(any, grpc.ServerStream) error { return unimplemented },
				})
				continue
			}
			full := "/" + string(sd.FullName()) + "/" + string(md.Name())
			desc.Methods = append(desc.Methods, grpc.MethodDesc{
				MethodName: string(md.Name()),
				Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
					in := dynamicpb.NewMessage(md.Input())
					if err := dec(in); err != nil {
						return nil, err
					}
					handler := func(context.Context, any) (any, error) { return nil, unimplemented }
					return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: full}, handler)
				},
			})
		}
		gs.RegisterService(&desc, struct{}{})
	}
	if err := authn.loadRoles(gs); err != nil {
		t.Fatalf("stand-in start-up check: %v", err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = gs.Serve(lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(); gs.Stop() })
	return conn
}

// fakeFiles is a registry holding one service, test.v1.Fake, with a method
// that declares a role, one that does not and a streaming one.
func fakeFiles(t *testing.T) *protoregistry.Files {
	t.Helper()
	viewer := &descriptorpb.MethodOptions{}
	proto.SetExtension(viewer, rdv1.E_RequiredRole, rdv1.Role_ROLE_VIEWER)
	empty := ".test.v1.Empty"
	method := func(name string, opts *descriptorpb.MethodOptions, stream bool) *descriptorpb.MethodDescriptorProto {
		return &descriptorpb.MethodDescriptorProto{Name: proto.String(name), InputType: &empty, OutputType: &empty, Options: opts, ServerStreaming: proto.Bool(stream)}
	}
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name: proto.String("test/v1/fake.proto"), Package: proto.String("test.v1"), Syntax: proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Empty")}},
		Service: []*descriptorpb.ServiceDescriptorProto{{Name: proto.String("Fake"), Method: []*descriptorpb.MethodDescriptorProto{
			method("Tagged", viewer, false), method("Untagged", nil, false), method("Watch", viewer, true),
		}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	files := &protoregistry.Files{}
	if err := files.RegisterFile(fd); err != nil {
		t.Fatal(err)
	}
	return files
}

func TestStartupCheckNamesMethodsWithoutARole(t *testing.T) {
	files := fakeFiles(t)
	_, err := methodRoles(map[string]grpc.ServiceInfo{
		"test.v1.Fake": {Methods: []grpc.MethodInfo{
			{Name: "Tagged"}, {Name: "Untagged"}, {Name: "Watch", IsServerStream: true}, {Name: "Ghost"},
		}},
		"test.v1.Undescribed":   {Methods: []grpc.MethodInfo{{Name: "Anything"}}},
		"grpc.health.v1.Health": {Methods: []grpc.MethodInfo{{Name: "Check"}}},
	}, files, false)
	if err == nil {
		t.Fatal("a service with a method without required_role passed the start-up check")
	}
	for _, want := range []string{
		"/test.v1.Fake/Untagged declares no (rightsdesk.v1.required_role)",
		"/test.v1.Fake/Watch is a streaming RPC and no stream interceptor",
		"/test.v1.Fake/Ghost is served but not in the descriptor",
		"service test.v1.Undescribed has no descriptor",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("start-up check error lacks %q:\n%v", want, err)
		}
	}
	for _, clean := range []string{"/test.v1.Fake/Tagged", "grpc.health"} {
		if strings.Contains(err.Error(), clean) {
			t.Errorf("start-up check error blames %s, which is fine:\n%v", clean, err)
		}
	}

	roles, err := methodRoles(map[string]grpc.ServiceInfo{
		"test.v1.Fake":          {Methods: []grpc.MethodInfo{{Name: "Tagged"}, {Name: "Watch", IsServerStream: true}}},
		"grpc.health.v1.Health": {Methods: []grpc.MethodInfo{{Name: "Check"}}},
	}, files, true)
	if err != nil || len(roles) != 3 || roles["/test.v1.Fake/Tagged"] != auth.RoleViewer || roles["/test.v1.Fake/Watch"] != auth.RoleViewer || roles["/grpc.health.v1.Health/Check"] != auth.RolePublic {
		t.Fatalf("methodRoles = %v, %v", roles, err)
	}
}

// TestInterceptor drives the interceptor and the error boundary directly,
// with a table that has protected methods whatever the proto declares today.
func TestInterceptor(t *testing.T) {
	st := caseworktest.OpenStore(t, t.TempDir())
	tokens := SeedTokens(t, st)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := newAuthenticator(TokensAt(st, AuthNow), log)
	a.roles = map[string]auth.Role{"/t.S/Public": auth.RolePublic, "/t.S/Case": auth.RoleCaseworker}
	intercept := a.unaryInterceptor()

	call := func(method string, authorization ...string) (auth.Principal, codes.Code, string) {
		ctx := t.Context()
		if len(authorization) > 0 {
			md := metadata.MD{}
			md.Append("authorization", authorization...)
			ctx = metadata.NewIncomingContext(ctx, md)
		}
		var p auth.Principal
		_, err := intercept(ctx, nil, &grpc.UnaryServerInfo{FullMethod: method}, func(ctx context.Context, _ any) (any, error) {
			var ok bool
			if p, ok = auth.FromContext(ctx); !ok {
				t.Errorf("%s: handler ran without a principal", method)
			}
			return nil, nil
		})
		st := status.Convert(toStatus(ctx, log, err))
		return p, st.Code(), st.Message()
	}

	if p, code, _ := call("/t.S/Public"); code != codes.OK || p.Actor() != "public" || p.Role != auth.RolePublic {
		t.Errorf("public, no token: %v, principal %+v", code, p)
	}
	if p, code, _ := call("/t.S/Public", "Bearer "+tokens["viewer"]); code != codes.OK || p.Actor() != "token:viewer" || p.Role != auth.RoleViewer {
		t.Errorf("public with a viewer token: %v, principal %+v; want the token's principal attached", code, p)
	}
	if p, code, _ := call("/t.S/Case", "bearer  "+tokens["caseworker"]+" "); code != codes.OK || p.Actor() != "token:caseworker" || p.TokenID == "" {
		t.Errorf("caseworker method with a caseworker token (lower-case scheme, extra spaces): %v, principal %+v", code, p)
	}
	if _, code, msg := call("/t.S/Case", "Bearer "+tokens["viewer"]); code != codes.PermissionDenied || !strings.Contains(msg, "caseworker role") {
		t.Errorf("caseworker method with a viewer token: %v %q", code, msg)
	}
	for name, authz := range map[string][]string{
		"no token":        nil,
		"empty header":    {""},
		"no scheme":       {tokens["admin"]},
		"basic scheme":    {"Basic " + tokens["admin"]},
		"two values":      {"Bearer " + tokens["admin"], "Bearer " + tokens["admin"]},
		"unknown token":   {"Bearer " + tokens["unknown"]},
		"revoked token":   {"Bearer " + tokens["revoked"]},
		"expired token":   {"Bearer " + tokens["expired"]},
		"truncated token": {"Bearer " + tokens["admin"][:20]},
		"upper-cased":     {"Bearer " + strings.ToUpper(tokens["admin"])},
	} {
		if _, code, msg := call("/t.S/Case", authz...); code != codes.Unauthenticated || strings.Contains(msg, tokens["admin"]) {
			t.Errorf("%s: %v %q, want Unauthenticated", name, code, msg)
		}
	}
	if _, code, _ := call("/t.S/NotInTheTable", "Bearer "+tokens["admin"]); code != codes.Internal {
		t.Errorf("a method missing from the role table: %v, want Internal (fail closed)", code)
	}
}
