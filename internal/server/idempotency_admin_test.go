package server_test

import (
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// CreateUser and CreateToken take a request_id too. A retried CreateUser
// returns the first account; a retried CreateToken creates nothing and is
// ALREADY_CREATED naming the token, whose secret was shown once; the id
// with another body is REQUEST_ID_REUSED; over gRPC and REST alike.
func TestRetriedAdminCreatesMakeOneThing(t *testing.T) {
	as := startWithTokens(t)
	admin := rdv1.NewAdminServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["admin"])
	refusedAs := func(where string, err error, code codes.Code, reason, name string) {
		t.Helper()
		info := server.ErrorInfoOf(err)
		if status.Code(err) != code || checkErrorStatus(t, where, err) != reason || info.GetMetadata()["name"] != name {
			t.Errorf("%s = %v (%v), want %s %s naming %s", where, err, info, code, reason, name)
		}
	}

	newUser := &rdv1.CreateUserRequest{Email: "casey@example.org", DisplayName: "Casey Jones", Role: rdv1.Role_ROLE_CASEWORKER, Password: adminPassword, RequestId: "hire-1"}
	user, err := admin.CreateUser(ctx, newUser)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := admin.CreateUser(ctx, newUser); err != nil || again.GetName() != user.GetName() {
		t.Errorf("a retried CreateUser = %v, %v; want %s", again, err, user.GetName())
	}
	_, err = admin.CreateUser(ctx, &rdv1.CreateUserRequest{Email: "dana@example.org", DisplayName: "Dana", Role: rdv1.Role_ROLE_VIEWER, Password: adminPassword, RequestId: "hire-1"})
	refusedAs("CreateUser with a used request_id", err, codes.AlreadyExists, "REQUEST_ID_REUSED", user.GetName())
	restUser := map[string]any{"email": "erin@example.org", "display_name": "Erin", "role": "ROLE_VIEWER", "password": adminPassword, "request_id": "hire-2"}
	code, first := as.rest(t, "POST", "/v1/users", "admin", restUser)
	if code != http.StatusOK {
		t.Fatalf("POST /v1/users = %d %v", code, first)
	}
	if code, again := as.rest(t, "POST", "/v1/users", "admin", restUser); code != http.StatusOK || again["name"] != first["name"] {
		t.Errorf("a retried POST /v1/users = %d %v, want %v", code, again, first["name"])
	}
	restUser["role"] = "ROLE_ADMIN"
	if code, body := as.rest(t, "POST", "/v1/users", "admin", restUser); code != http.StatusConflict || checkErrorBody(t, "POST /v1/users", code, body) != "REQUEST_ID_REUSED" {
		t.Errorf("POST /v1/users with a used request_id and another role = %d %v, want 409 REQUEST_ID_REUSED", code, body)
	}
	if users, err := admin.ListUsers(ctx, &rdv1.ListUsersRequest{}); err != nil || len(users.GetUsers()) != 2 {
		t.Errorf("ListUsers = %d users, %v; want 2", len(users.GetUsers()), err)
	}

	tokens, err := admin.ListTokens(ctx, &rdv1.ListTokensRequest{})
	if err != nil {
		t.Fatal(err)
	}
	before := len(tokens.GetTokens())
	newToken := &rdv1.CreateTokenRequest{DisplayName: "importer", Role: rdv1.Role_ROLE_CASEWORKER, Lifetime: durationpb.New(3600e9), RequestId: "token-1"}
	created, err := admin.CreateToken(ctx, newToken)
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.CreateToken(ctx, newToken)
	refusedAs("a retried CreateToken", err, codes.AlreadyExists, "ALREADY_CREATED", created.GetApiToken().GetName())
	_, err = admin.CreateToken(ctx, &rdv1.CreateTokenRequest{DisplayName: "importer", Role: rdv1.Role_ROLE_ADMIN, RequestId: "token-1"})
	refusedAs("CreateToken with a used request_id", err, codes.AlreadyExists, "REQUEST_ID_REUSED", created.GetApiToken().GetName())
	restToken := map[string]any{"display_name": "importer", "role": "ROLE_CASEWORKER", "lifetime": "3600s", "request_id": "token-1"}
	code, body := as.rest(t, "POST", "/v1/tokens", "admin", restToken)
	if code != http.StatusConflict || checkErrorBody(t, "POST /v1/tokens", code, body) != "ALREADY_CREATED" || body["token"] != nil {
		t.Errorf("a retried POST /v1/tokens = %d %v, want 409 ALREADY_CREATED", code, body)
	}
	if tokens, _ := admin.ListTokens(ctx, &rdv1.ListTokensRequest{}); len(tokens.GetTokens()) != before+1 {
		t.Errorf("%d tokens after the retries, want %d", len(tokens.GetTokens()), before+1)
	}
	_, err = admin.CreateToken(ctx, &rdv1.CreateTokenRequest{DisplayName: "importer", Role: rdv1.Role_ROLE_VIEWER, RequestId: "has spaces"})
	if status.Code(err) != codes.InvalidArgument || checkErrorStatus(t, "CreateToken with a bad request_id", err) != "INVALID_ARGUMENT" {
		t.Errorf("a request_id with spaces = %v, want INVALID_ARGUMENT", err)
	}
}
