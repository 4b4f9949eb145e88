package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// adminPassword is a password every account rule accepts.
const adminPassword = "correct horse battery staple"

// bearer is ctx carrying the token as gRPC metadata.
func bearer(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// fieldViolations lists the fields an error's BadRequest detail names.
func fieldViolations(err error) []string {
	var fields []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	return fields
}

// restViolations lists the fields a REST error body's BadRequest names.
func restViolations(body map[string]any) []string {
	var fields []string
	details, _ := body["details"].([]any)
	for _, d := range details {
		d, _ := d.(map[string]any)
		violations, _ := d["field_violations"].([]any)
		for _, v := range violations {
			v, _ := v.(map[string]any)
			fields = append(fields, str(v["field"]))
		}
	}
	return fields
}

func TestCreatedTokenWorksAtOnceAndRevokingStopsItOverGRPC(t *testing.T) {
	as := startWithTokens(t)
	admin := rdv1.NewAdminServiceClient(as.conn)
	cases := rdv1.NewCaseServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["admin"])

	created, err := admin.CreateToken(ctx, &rdv1.CreateTokenRequest{
		DisplayName: "case-importer", Role: rdv1.Role_ROLE_CASEWORKER, Lifetime: durationpb.New(90 * 24 * time.Hour),
	})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	tok := created.GetApiToken()
	if !strings.HasPrefix(created.GetToken(), "rd_") || !strings.HasPrefix(tok.GetName(), "tokens/") || tok.GetDisplayName() != "case-importer" ||
		tok.GetRole() != rdv1.Role_ROLE_CASEWORKER || tok.GetRevoked() || !tok.GetCreateTime().AsTime().Equal(server.AuthNow) ||
		!tok.GetExpireTime().AsTime().Equal(server.AuthNow.Add(90*24*time.Hour)) {
		t.Fatalf("CreateToken = %v", created)
	}
	if _, err := cases.ListCases(bearer(t.Context(), created.GetToken()), &rdv1.ListCasesRequest{}); err != nil {
		t.Fatalf("ListCases with the new caseworker token: %v", err)
	}
	if _, err := admin.ListTokens(bearer(t.Context(), created.GetToken()), &rdv1.ListTokensRequest{}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("ListTokens with the new caseworker token: %v, want PERMISSION_DENIED", err)
	}

	list, err := admin.ListTokens(ctx, &rdv1.ListTokensRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, lt := range list.GetTokens() {
		names = append(names, lt.GetDisplayName())
	}
	// Seeded: one per staff role at the epoch, two admins a day before now;
	// then the new one, now: oldest first.
	if len(names) != 6 || names[5] != "case-importer" {
		t.Fatalf("ListTokens = %v, want the five seeded tokens then case-importer", names)
	}
	if raw, _ := json.Marshal(list); strings.Contains(string(raw), created.GetToken()) {
		t.Fatal("ListTokens shows a token's secret")
	}

	revoked, err := admin.RevokeToken(ctx, &rdv1.RevokeTokenRequest{Name: tok.GetName()})
	if err != nil || !revoked.GetRevoked() || revoked.GetName() != tok.GetName() {
		t.Fatalf("RevokeToken = %v, %v", revoked, err)
	}
	if _, err := cases.ListCases(bearer(t.Context(), created.GetToken()), &rdv1.ListCasesRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("ListCases with the revoked token: %v, want UNAUTHENTICATED", err)
	}
	again, err := admin.RevokeToken(ctx, &rdv1.RevokeTokenRequest{Name: tok.GetName()})
	if err != nil || !again.GetRevoked() {
		t.Fatalf("revoking a revoked token again = %v, %v; want it revoked, no error", again, err)
	}
}

func TestCreatedTokenWorksAtOnceAndRevokingStopsItOverREST(t *testing.T) {
	as := startWithTokens(t)
	code, body := as.rest(t, "POST", "/v1/tokens", "admin", map[string]any{"display_name": "rest-bot", "role": "ROLE_CASEWORKER", "lifetime": "3600s"})
	tok, _ := body["api_token"].(map[string]any)
	secret := str(body["token"])
	if code != http.StatusOK || !strings.HasPrefix(secret, "rd_") || tok["display_name"] != "rest-bot" || tok["role"] != "ROLE_CASEWORKER" ||
		tok["expire_time"] != server.AuthNow.Add(time.Hour).Format(time.RFC3339) {
		t.Fatalf("POST /v1/tokens = %d %v", code, body)
	}
	as.tokens["rest-bot"] = secret
	if code, body := as.rest(t, "GET", "/v1/cases", "rest-bot", nil); code != http.StatusOK {
		t.Fatalf("GET /v1/cases with the new token = %d %v", code, body)
	}
	if code, _ := as.rest(t, "GET", "/v1/tokens", "rest-bot", nil); code != http.StatusForbidden {
		t.Errorf("GET /v1/tokens with a caseworker token = %d, want 403", code)
	}

	code, body = as.rest(t, "GET", "/v1/tokens", "admin", nil)
	raw, _ := json.Marshal(body)
	if code != http.StatusOK || len(body["tokens"].([]any)) != 6 || strings.Contains(string(raw), secret) || strings.Contains(string(raw), `"token"`) {
		t.Fatalf("GET /v1/tokens = %d %s; want six records and no secret", code, raw)
	}

	code, body = as.rest(t, "POST", "/v1/"+str(tok["name"])+":revoke", "admin", map[string]any{})
	if code != http.StatusOK || body["revoked"] != true || body["name"] != tok["name"] {
		t.Fatalf("POST /v1/%s:revoke = %d %v", tok["name"], code, body)
	}
	if code, body := as.rest(t, "GET", "/v1/cases", "rest-bot", nil); code != http.StatusUnauthorized {
		t.Fatalf("GET /v1/cases with the revoked token = %d %v, want 401", code, body)
	}
}

func TestStaffAccountsOverGRPC(t *testing.T) {
	as := startWithTokens(t)
	admin := rdv1.NewAdminServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["admin"])

	u, err := admin.CreateUser(ctx, &rdv1.CreateUserRequest{
		Email: "casey@example.org", DisplayName: "Casey Worker", Role: rdv1.Role_ROLE_CASEWORKER, Password: adminPassword,
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if !strings.HasPrefix(u.GetName(), "users/") || len(u.GetName()) != len("users/")+12 || u.GetEmail() != "casey@example.org" ||
		u.GetDisplayName() != "Casey Worker" || u.GetRole() != rdv1.Role_ROLE_CASEWORKER || u.GetDisabled() || u.GetLocked() ||
		u.GetLastSignInTime() != nil || !u.GetCreateTime().AsTime().Equal(server.AuthNow) {
		t.Fatalf("CreateUser = %v", u)
	}
	if _, err := admin.CreateUser(ctx, &rdv1.CreateUserRequest{
		Email: "ada@example.org", DisplayName: "Ada Admin", Role: rdv1.Role_ROLE_ADMIN, Password: adminPassword,
	}); err != nil {
		t.Fatal(err)
	}

	list, err := admin.ListUsers(ctx, &rdv1.ListUsersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetUsers()) != 2 || list.GetUsers()[0].GetEmail() != "ada@example.org" || list.GetUsers()[1].GetName() != u.GetName() {
		t.Fatalf("ListUsers = %v, want ada then casey (by email)", list)
	}

	disabled, err := admin.DisableUser(ctx, &rdv1.DisableUserRequest{Name: u.GetName()})
	if err != nil || !disabled.GetDisabled() || disabled.GetName() != u.GetName() {
		t.Fatalf("DisableUser = %v, %v", disabled, err)
	}
	list, _ = admin.ListUsers(ctx, &rdv1.ListUsersRequest{})
	if !list.GetUsers()[1].GetDisabled() || list.GetUsers()[0].GetDisabled() {
		t.Fatalf("after DisableUser, ListUsers = %v", list)
	}
	reset, err := admin.ResetUserPassword(ctx, &rdv1.ResetUserPasswordRequest{Name: u.GetName(), Password: "a brand new passphrase"})
	if err != nil || reset.GetDisabled() {
		t.Fatalf("ResetUserPassword = %v, %v; want the account enabled again", reset, err)
	}
}

func TestStaffAccountsOverREST(t *testing.T) {
	as := startWithTokens(t)
	code, u := as.rest(t, "POST", "/v1/users", "admin", map[string]any{
		"email": "casey@example.org", "display_name": "Casey Worker", "role": "ROLE_VIEWER", "password": adminPassword,
	})
	if code != http.StatusOK || u["email"] != "casey@example.org" || u["role"] != "ROLE_VIEWER" || u["disabled"] == true {
		t.Fatalf("POST /v1/users = %d %v", code, u)
	}
	name := str(u["name"])

	code, body := as.rest(t, "GET", "/v1/users", "admin", nil)
	raw, _ := json.Marshal(body)
	users, _ := body["users"].([]any)
	if code != http.StatusOK || len(users) != 1 || users[0].(map[string]any)["name"] != name {
		t.Fatalf("GET /v1/users = %d %s", code, raw)
	}
	for _, secret := range []string{"password", "hash", "argon2", adminPassword} {
		if strings.Contains(strings.ToLower(string(raw)), secret) {
			t.Errorf("GET /v1/users shows %q: %s", secret, raw)
		}
	}
	if code, _ := as.rest(t, "GET", "/v1/users", "caseworker", nil); code != http.StatusForbidden {
		t.Errorf("GET /v1/users with a caseworker token = %d, want 403", code)
	}

	code, body = as.rest(t, "POST", "/v1/"+name+":disable", "admin", map[string]any{})
	if code != http.StatusOK || body["disabled"] != true {
		t.Fatalf("POST /v1/%s:disable = %d %v", name, code, body)
	}
	code, body = as.rest(t, "POST", "/v1/"+name+":resetPassword", "admin", map[string]any{"password": "a brand new passphrase"})
	if code != http.StatusOK || body["disabled"] == true || body["name"] != name {
		t.Fatalf("POST /v1/%s:resetPassword = %d %v", name, code, body)
	}
	if raw, _ := json.Marshal(body); strings.Contains(string(raw), "passphrase") {
		t.Errorf("the reset's response shows the password: %s", raw)
	}
}

func TestAdminInputErrors(t *testing.T) {
	as := startWithTokens(t)
	admin := rdv1.NewAdminServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["admin"])
	existing, err := admin.CreateUser(ctx, &rdv1.CreateUserRequest{Email: "casey@example.org", DisplayName: "Casey Worker", Role: rdv1.Role_ROLE_CASEWORKER, Password: adminPassword})
	if err != nil {
		t.Fatal(err)
	}
	token := func(name string, role rdv1.Role, lifetime *durationpb.Duration) func() error {
		return func() error {
			_, err := admin.CreateToken(ctx, &rdv1.CreateTokenRequest{DisplayName: name, Role: role, Lifetime: lifetime})
			return err
		}
	}
	user := func(email, name string, role rdv1.Role, password string) func() error {
		return func() error {
			_, err := admin.CreateUser(ctx, &rdv1.CreateUserRequest{Email: email, DisplayName: name, Role: role, Password: password})
			return err
		}
	}
	caseworker := rdv1.Role_ROLE_CASEWORKER
	tokensPage, err := admin.ListTokens(ctx, &rdv1.ListTokensRequest{PageSize: 1})
	if err != nil || tokensPage.GetNextPageToken() == "" {
		t.Fatalf("ListTokens(page_size 1) = %v, %v; want a next page", tokensPage, err)
	}
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"a":"000000000000","q":"tokens"}`))

	for _, tt := range []struct {
		name  string
		call  func() error
		code  codes.Code
		field string // for INVALID_ARGUMENT; for NOT_FOUND, what the message names
	}{
		{"empty token name", token("", caseworker, nil), codes.InvalidArgument, "display_name"},
		{"overlong token name", token(strings.Repeat("a", 65), caseworker, nil), codes.InvalidArgument, "display_name"},
		{"token name of 64 multi-byte letters", token(strings.Repeat("é", 64), caseworker, nil), codes.InvalidArgument, "display_name"},
		{"ill-formed token name", token("alice smith!", caseworker, nil), codes.InvalidArgument, "display_name"},
		{"token name with a colon", token("user:abc", caseworker, nil), codes.InvalidArgument, "display_name"},
		{"no role", token("bot", rdv1.Role_ROLE_UNSPECIFIED, nil), codes.InvalidArgument, "role"},
		{"public role", token("bot", rdv1.Role_ROLE_PUBLIC, nil), codes.InvalidArgument, "role"},
		{"unknown role", token("bot", rdv1.Role(99), nil), codes.InvalidArgument, "role"},
		{"negative lifetime", token("bot", caseworker, durationpb.New(-time.Hour)), codes.InvalidArgument, "lifetime"},
		{"zero lifetime", token("bot", caseworker, durationpb.New(0)), codes.InvalidArgument, "lifetime"},
		{"bad email", user("not-an-email", "Ada", caseworker, adminPassword), codes.InvalidArgument, "email"},
		{"email with a display name", user("Ada <ada@example.org>", "Ada", caseworker, adminPassword), codes.InvalidArgument, "email"},
		{"no email", user("", "Ada", caseworker, adminPassword), codes.InvalidArgument, "email"},
		{"taken email", user("CASEY@example.org", "Casey Again", caseworker, adminPassword), codes.InvalidArgument, "email"},
		{"blank user name", user("ada@example.org", "   ", caseworker, adminPassword), codes.InvalidArgument, "display_name"},
		{"overlong user name", user("ada@example.org", strings.Repeat("n", 201), caseworker, adminPassword), codes.InvalidArgument, "display_name"},
		{"user name with a newline", user("ada@example.org", "Ada\nLovelace", caseworker, adminPassword), codes.InvalidArgument, "display_name"},
		{"user without a role", user("ada@example.org", "Ada", rdv1.Role_ROLE_UNSPECIFIED, adminPassword), codes.InvalidArgument, "role"},
		{"weak password", user("ada@example.org", "Ada", caseworker, "short"), codes.InvalidArgument, "password"},
		{"password is the email", user("ada.lovelace@example.org", "Ada", caseworker, "ada.lovelace@example.org"), codes.InvalidArgument, "password"},
		{"revoke unknown token", func() error {
			_, err := admin.RevokeToken(ctx, &rdv1.RevokeTokenRequest{Name: "tokens/000000000000"})
			return err
		}, codes.NotFound, "tokens/000000000000"},
		{"revoke ill-formed token name", func() error {
			_, err := admin.RevokeToken(ctx, &rdv1.RevokeTokenRequest{Name: "tokens/alice"})
			return err
		}, codes.InvalidArgument, "name"},
		{"disable unknown user", func() error {
			_, err := admin.DisableUser(ctx, &rdv1.DisableUserRequest{Name: "users/000000000000"})
			return err
		}, codes.NotFound, "users/000000000000"},
		{"disable by email", func() error {
			_, err := admin.DisableUser(ctx, &rdv1.DisableUserRequest{Name: "users/casey@example.org"})
			return err
		}, codes.InvalidArgument, "name"},
		{"reset unknown user", func() error {
			_, err := admin.ResetUserPassword(ctx, &rdv1.ResetUserPasswordRequest{Name: "users/000000000000", Password: adminPassword})
			return err
		}, codes.NotFound, "users/000000000000"},
		{"reset to a weak password", func() error {
			_, err := admin.ResetUserPassword(ctx, &rdv1.ResetUserPasswordRequest{Name: existing.GetName(), Password: "short"})
			return err
		}, codes.InvalidArgument, "password"},
		{"reset to the name", func() error {
			_, err := admin.ResetUserPassword(ctx, &rdv1.ResetUserPasswordRequest{Name: existing.GetName(), Password: "Casey Worker"})
			return err
		}, codes.InvalidArgument, "password"},
		{"garbage page token", func() error {
			_, err := admin.ListTokens(ctx, &rdv1.ListTokensRequest{PageToken: "garbage"})
			return err
		}, codes.InvalidArgument, "page_token"},
		{"a tokens page token for users", func() error {
			_, err := admin.ListUsers(ctx, &rdv1.ListUsersRequest{PageToken: tokensPage.GetNextPageToken()})
			return err
		}, codes.InvalidArgument, "page_token"},
		{"forged page token", func() error {
			_, err := admin.ListTokens(ctx, &rdv1.ListTokensRequest{PageToken: forged})
			return err
		}, codes.InvalidArgument, "page_token"},
		{"negative page size", func() error {
			_, err := admin.ListUsers(ctx, &rdv1.ListUsersRequest{PageSize: -1})
			return err
		}, codes.InvalidArgument, "page_size"},
	} {
		err := tt.call()
		st := status.Convert(err)
		switch {
		case st.Code() != tt.code:
			t.Errorf("%s: %v, want %v", tt.name, err, tt.code)
		case tt.code == codes.InvalidArgument && !slices.Contains(fieldViolations(err), tt.field):
			t.Errorf("%s: violations %v (%s), want one naming %s", tt.name, fieldViolations(err), st.Message(), tt.field)
		case tt.code == codes.NotFound && !strings.Contains(st.Message(), tt.field):
			t.Errorf("%s: %q, want it to name %s", tt.name, st.Message(), tt.field)
		}
	}

	// The same over REST, where the gateway parses the JSON first.
	for _, tt := range []struct {
		method, path string
		body         map[string]any
		code         int
		field        string
	}{
		{"POST", "/v1/tokens", map[string]any{"display_name": "alice smith!", "role": "ROLE_VIEWER"}, http.StatusBadRequest, "display_name"},
		{"POST", "/v1/tokens", map[string]any{"display_name": "bot", "role": "ROLE_VIEWER", "lifetime": "-60s"}, http.StatusBadRequest, "lifetime"},
		{"POST", "/v1/tokens", map[string]any{"display_name": "bot", "role": "ROLE_PUBLIC"}, http.StatusBadRequest, "role"},
		{"POST", "/v1/tokens", map[string]any{"display_name": "bot", "role": "ROLE_OVERLORD"}, http.StatusBadRequest, ""},
		{"POST", "/v1/tokens/000000000000:revoke", map[string]any{}, http.StatusNotFound, ""},
		{"POST", "/v1/users", map[string]any{"email": "nobody", "display_name": "N", "role": "ROLE_VIEWER", "password": adminPassword}, http.StatusBadRequest, "email"},
		{"POST", "/v1/users", map[string]any{"email": "n@example.org", "display_name": "N", "role": "ROLE_VIEWER", "password": "short"}, http.StatusBadRequest, "password"},
		{"POST", "/v1/users/000000000000:disable", map[string]any{}, http.StatusNotFound, ""},
		{"POST", "/v1/users/000000000000:resetPassword", map[string]any{"password": adminPassword}, http.StatusNotFound, ""},
		{"GET", "/v1/users?page_token=garbage", nil, http.StatusBadRequest, "page_token"},
	} {
		code, body := as.rest(t, tt.method, tt.path, "admin", tt.body)
		if code != tt.code || (tt.field != "" && !slices.Contains(restViolations(body), tt.field)) {
			t.Errorf("%s %s %v = %d %v, want %d naming %q", tt.method, tt.path, tt.body, code, body, tt.code, tt.field)
		}
	}
}

func TestListTokensAndUsersPage(t *testing.T) {
	as := startWithTokens(t)
	admin := rdv1.NewAdminServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["admin"])
	for _, name := range []string{"bot-1", "bot-2", "bot-3"} {
		if _, err := admin.CreateToken(ctx, &rdv1.CreateTokenRequest{DisplayName: name, Role: rdv1.Role_ROLE_VIEWER}); err != nil {
			t.Fatal(err)
		}
	}
	for _, email := range []string{"c@example.org", "a@example.org", "b@example.org"} {
		if _, err := admin.CreateUser(ctx, &rdv1.CreateUserRequest{Email: email, DisplayName: "Someone", Role: rdv1.Role_ROLE_VIEWER, Password: adminPassword}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := admin.ListTokens(ctx, &rdv1.ListTokensRequest{})
	if err != nil || len(all.GetTokens()) != 8 || all.GetNextPageToken() != "" {
		t.Fatalf("ListTokens = %d tokens, next %q, %v; want all 8 on one page", len(all.GetTokens()), all.GetNextPageToken(), err)
	}
	var paged []string
	req := &rdv1.ListTokensRequest{PageSize: 3}
	for pages := 1; ; pages++ {
		resp, err := admin.ListTokens(ctx, req)
		if err != nil || pages > 3 {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, tok := range resp.GetTokens() {
			paged = append(paged, tok.GetName())
		}
		if resp.GetNextPageToken() == "" {
			break
		}
		req.PageToken = resp.GetNextPageToken()
	}
	var want []string
	for _, tok := range all.GetTokens() {
		want = append(want, tok.GetName())
	}
	if !slices.Equal(paged, want) {
		t.Fatalf("paged tokens %v, want %v", paged, want)
	}

	var emails []string
	ureq := &rdv1.ListUsersRequest{PageSize: 2}
	for pages := 1; ; pages++ {
		resp, err := admin.ListUsers(ctx, ureq)
		if err != nil || pages > 2 {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, u := range resp.GetUsers() {
			emails = append(emails, u.GetEmail())
		}
		if resp.GetNextPageToken() == "" {
			break
		}
		ureq.PageToken = resp.GetNextPageToken()
	}
	if strings.Join(emails, ",") != "a@example.org,b@example.org,c@example.org" {
		t.Fatalf("paged users %v, want them by email", emails)
	}
}

func TestAdminChangesAreAudited(t *testing.T) {
	as := startWithTokens(t)
	admin := rdv1.NewAdminServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["admin"])
	before, err := admin.VerifyAudit(ctx, &rdv1.VerifyAuditRequest{})
	if err != nil || !before.GetIntact() {
		t.Fatalf("VerifyAudit before = %v, %v", before, err)
	}
	created, err := admin.CreateToken(ctx, &rdv1.CreateTokenRequest{DisplayName: "audited", Role: rdv1.Role_ROLE_VIEWER})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RevokeToken(ctx, &rdv1.RevokeTokenRequest{Name: created.GetApiToken().GetName()}); err != nil {
		t.Fatal(err)
	}
	u, err := admin.CreateUser(ctx, &rdv1.CreateUserRequest{Email: "casey@example.org", DisplayName: "Casey Worker", Role: rdv1.Role_ROLE_ADMIN, Password: adminPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DisableUser(ctx, &rdv1.DisableUserRequest{Name: u.GetName()}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ResetUserPassword(ctx, &rdv1.ResetUserPasswordRequest{Name: u.GetName(), Password: "a brand new passphrase"}); err != nil {
		t.Fatal(err)
	}
	after, err := admin.VerifyAudit(ctx, &rdv1.VerifyAuditRequest{})
	if err != nil || !after.GetIntact() || after.GetEvents() != before.GetEvents()+5 {
		t.Fatalf("VerifyAudit after five changes = %v, %v; want intact with %d events", after, err, before.GetEvents()+5)
	}
	// uint64 is a JSON string in proto3 JSON.
	code, body := as.rest(t, "GET", "/v1/audit:verify", "admin", nil)
	if code != http.StatusOK || body["intact"] != true || body["events"] != strconv.FormatUint(after.GetEvents(), 10) {
		t.Fatalf("GET /v1/audit:verify = %d %v", code, body)
	}

	as.stop()
	st, err := store.Open(t.Context(), mustBolt(t, as.dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	tokenID := strings.TrimPrefix(created.GetApiToken().GetName(), "tokens/")
	userID := strings.TrimPrefix(u.GetName(), "users/")
	var got []string
	err = st.View(t.Context(), func(tx store.ReadTx) error {
		return store.EachEvent(tx, func(e *audit.Event, _ *audit.Payload) error {
			if e.CaseID == audit.TokenSubject(tokenID) || e.CaseID == audit.UserSubject(userID) {
				got = append(got, e.Action+" by "+e.Actor)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"token.created by token:admin", "token.revoked by token:admin",
		"user.created by token:admin", "user.disabled by token:admin", "user.password_set by token:admin",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit events %q, want %q", got, want)
	}
}
