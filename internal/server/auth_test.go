package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/policy"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

type authServer struct {
	app    *app.App
	conn   *grpc.ClientConn
	base   string
	tokens map[string]string
	// dir is the data directory; stop shuts the server down, after which
	// a test may open the store in dir to inspect it.
	dir  string
	stop func()
}

// startWithTokens is e2e_test.go's start with tokens: it puts them in the
// store while no server holds it, then starts a real server on the same
// data directory with random loopback ports.
func startWithTokens(t *testing.T) *authServer {
	t.Helper()
	return startWithTokensAt(t, server.AuthNow)
}

// startWithTokensAt is startWithTokens with the server's clock fixed at now.
func startWithTokensAt(t *testing.T, now time.Time) *authServer {
	t.Helper()
	return startWithTokensConfig(t, server.Config{MaxBodyBytes: 4096, Clock: clock.Fixed(now)})
}

// startWithTokensConfig is startWithTokens serving as cfg says.
func startWithTokensConfig(t *testing.T, cfg server.Config) *authServer {
	t.Helper()
	return startWithTokensIn(t, t.TempDir(), cfg)
}

// startWithTokensIn is startWithTokensConfig with its data in dir.
func startWithTokensIn(t *testing.T, dir string, cfg server.Config) *authServer {
	t.Helper()
	st, err := store.Open(t.Context(), mustBolt(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	tokens := server.SeedTokens(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	a, stop := apptest.Start(t, app.Config{DataDir: dir, Server: cfg})
	conn, err := grpc.NewClient(a.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()), checkingErrors(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &authServer{app: a, conn: conn, base: "http://" + a.HTTPAddr(), tokens: tokens, dir: dir, stop: stop}
}

func mustBolt(t *testing.T, dir string) *bolt.Backend {
	t.Helper()
	b, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// servedServices lists the services the server registers, through its
// reflection service as any client would see them.
func servedServices(t *testing.T, conn *grpc.ClientConn) map[string]bool {
	t.Helper()
	stream, err := reflectionv1.NewServerReflectionClient(conn).ServerReflectionInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionv1.ServerReflectionRequest{MessageRequest: &reflectionv1.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, s := range resp.GetListServicesResponse().GetService() {
		served[s.GetName()] = true
	}
	return served
}

// TestEveryRPCEnforcesItsRequiredRole calls every method of every service
// in the rightsdesk.v1 package, found from the generated descriptors (so a
// method added later is covered without touching this test), with an empty
// request and every kind of credential, and checks the outcome against the
// method's required_role option.
func TestEveryRPCEnforcesItsRequiredRole(t *testing.T) {
	as := startWithTokens(t)
	served := servedServices(t, as.conn)

	var services, unserved []protoreflect.ServiceDescriptor
	protoregistry.GlobalFiles.RangeFilesByPackage("rightsdesk.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			services = append(services, sd)
			if !served[string(sd.FullName())] {
				unserved = append(unserved, sd)
			}
		}
		return true
	})
	conns := map[protoreflect.FullName]*grpc.ClientConn{}
	for _, sd := range services {
		conns[sd.FullName()] = as.conn
	}
	if len(unserved) > 0 {
		st, err := store.Open(t.Context(), mustBolt(t, t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		for label, tok := range server.SeedTokens(t, st) {
			as.tokens[label] = tok // the stand-in's store holds other tokens
		}
		standInConn := server.StandIn(t, server.TokensAt(st, server.AuthNow), unserved)
		for _, sd := range unserved {
			t.Logf("%s is not registered on the server; checking it behind the same interceptor chain in a stand-in", sd.FullName())
			conns[sd.FullName()] = standInConn
		}
	}

	call := func(sd protoreflect.ServiceDescriptor, md protoreflect.MethodDescriptor, token string) *status.Status {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
		method := "/" + string(sd.FullName()) + "/" + string(md.Name())
		in, out := dynamicpb.NewMessage(md.Input()), dynamicpb.NewMessage(md.Output())
		if !md.IsStreamingClient() && !md.IsStreamingServer() {
			return status.Convert(conns[sd.FullName()].Invoke(ctx, method, in, out))
		}
		cs, err := conns[sd.FullName()].NewStream(ctx, &grpc.StreamDesc{ServerStreams: md.IsStreamingServer(), ClientStreams: md.IsStreamingClient()}, method)
		if err == nil {
			if err = cs.SendMsg(in); err == nil || err == io.EOF {
				err = cs.CloseSend()
			}
			for err == nil {
				err = cs.RecvMsg(out)
			}
			if err == io.EOF {
				err = nil
			}
		}
		return status.Convert(err)
	}
	authFailure := func(c codes.Code) bool { return c == codes.Unauthenticated || c == codes.PermissionDenied }

	var (
		publicWithoutToken, protected, onRealServer int
		unauthenticatedMessage                      string
	)
	for _, sd := range services {
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			name := string(sd.FullName()) + "/" + string(md.Name())
			if served[string(sd.FullName())] {
				onRealServer++
			}
			opts, _ := md.Options().(*descriptorpb.MethodOptions)
			need := proto.GetExtension(opts, rdv1.E_RequiredRole).(rdv1.Role)

			// A token that is sent is always checked, public method or not.
			for _, bad := range []string{"unknown", "expired", "revoked", "not-a-token"} {
				token := as.tokens[bad]
				if token == "" {
					token = bad
				}
				st := call(sd, md, token)
				if st.Code() != codes.Unauthenticated {
					t.Errorf("%s with the %s token: %v, want Unauthenticated", name, bad, st.Err())
					continue
				}
				if bad == "expired" {
					if !strings.Contains(st.Message(), "expired") {
						t.Errorf("%s with an expired token: message %q should say it expired", name, st.Message())
					}
				} else if unauthenticatedMessage == "" {
					unauthenticatedMessage = st.Message()
				} else if st.Message() != unauthenticatedMessage {
					t.Errorf("%s with the %s token says %q, but another failure says %q: the message must not tell failures apart", name, bad, st.Message(), unauthenticatedMessage)
				}
			}

			switch need {
			case rdv1.Role_ROLE_UNSPECIFIED:
				t.Errorf("%s declares no required_role", name)
				continue
			case rdv1.Role_ROLE_PUBLIC:
				if st := call(sd, md, ""); authFailure(st.Code()) {
					t.Errorf("public %s without a token: %v, want it let through", name, st.Err())
				} else {
					publicWithoutToken++
				}
			default:
				protected++
				if st := call(sd, md, ""); st.Code() != codes.Unauthenticated || st.Message() != unauthenticatedMessage {
					t.Errorf("%s without a token: %v, want Unauthenticated with %q", name, st.Err(), unauthenticatedMessage)
				}
			}
			needRole := policy.FromProto(need)
			for _, staff := range server.StaffTokens {
				st := call(sd, md, as.tokens[staff.Label])
				if staff.Role.Includes(needRole) {
					if authFailure(st.Code()) {
						t.Errorf("%s (needs %v) with a %s token: %v, want it let through", name, need, staff.Label, st.Err())
					}
				} else if st.Code() != codes.PermissionDenied || !strings.Contains(st.Message(), needRole.String()+" role") {
					t.Errorf("%s (needs %v) with a %s token: %v, want PermissionDenied naming the role", name, need, staff.Label, st.Err())
				}
			}
		}
	}
	t.Logf("%d public methods let through without a token, %d protected methods refused one; %d methods on the real server", publicWithoutToken, protected, onRealServer)
	// Guards against this test passing by checking nothing: the catalogue
	// and deadline RPCs are public and served today.
	if publicWithoutToken < 4 || onRealServer < 4 {
		t.Fatalf("exercised %d public methods without a token and %d methods on the real server; want at least the 4 public notice and deadline RPCs", publicWithoutToken, onRealServer)
	}
}

func TestRESTAuthentication(t *testing.T) {
	as := startWithTokens(t)
	get := func(path, authorization string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest("GET", as.base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("GET %s with %q: body is not JSON: %v", path, authorization, err)
		}
		return resp.StatusCode, body
	}
	if code, body := get("/v1/notices", ""); code != http.StatusOK || body["notices"] == nil {
		t.Fatalf("public GET /v1/notices without a token = %d %v, want 200", code, body)
	}
	if code, body := get("/v1/notices", "Bearer "+as.tokens["viewer"]); code != http.StatusOK || body["notices"] == nil {
		t.Fatalf("public GET /v1/notices with a viewer token = %d %v, want 200", code, body)
	}
	for _, bad := range []string{"Bearer garbage", "Bearer " + as.tokens["unknown"], "Bearer " + as.tokens["revoked"], "Basic YWxpY2U6c2VjcmV0", "Bearer " + as.tokens["expired"]} {
		code, body := get("/v1/notices", bad)
		msg, _ := body["message"].(string)
		if code != http.StatusUnauthorized || body["code"] != float64(codes.Unauthenticated) || !strings.Contains(msg, "token") {
			t.Errorf("GET /v1/notices with %q = %d %v, want 401 with a JSON status", bad, code, body)
		}
		if strings.Contains(msg, as.tokens["unknown"]) || strings.Contains(msg, "garbage") {
			t.Errorf("401 message %q echoes the credential", msg)
		}
	}
	if code, _ := get("/healthz", "Bearer garbage"); code != http.StatusOK {
		t.Errorf("/healthz is outside the API and needs no token; got %d", code)
	}
}

func TestHealthAndReflectionArePublic(t *testing.T) {
	as := startWithTokens(t)
	resp, err := healthpb.NewHealthClient(as.conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health check without a token = %v, %v", resp, err)
	}
	list := func(token string) (*reflectionv1.ServerReflectionResponse, error) {
		ctx := t.Context()
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
		stream, err := reflectionv1.NewServerReflectionClient(as.conn).ServerReflectionInfo(ctx)
		if err != nil {
			return nil, err
		}
		// A stream the server has already refused fails Send with io.EOF;
		// its status comes from Recv, as gRPC documents.
		if err := stream.Send(&reflectionv1.ServerReflectionRequest{MessageRequest: &reflectionv1.ServerReflectionRequest_ListServices{}}); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return stream.Recv()
	}
	if r, err := list(""); err != nil || len(r.GetListServicesResponse().GetService()) < 3 {
		t.Fatalf("reflection without a token = %v, %v; want the service list", r, err)
	}
	if _, err := list("garbage"); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("reflection with a garbage token = %v; want Unauthenticated, since a token that is sent is checked", err)
	}
	for _, rpc := range []string{"NoticeService/ListNotices", "DeadlineService/CalculateDeadline"} {
		if role, err := policy.Of(rpc); err != nil || role != auth.RolePublic {
			t.Errorf("role of %s = %v, %v; want public", rpc, role, err)
		}
	}
}
