package server_test

import (
	"net/http"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// An administrator changes a role and asks for a new password over gRPC
// and REST; the domain's rules (the last administrator keeps the role)
// come back as FAILED_PRECONDITION, bad input naming the request's field.
func TestUpdateAndUnlockUser(t *testing.T) {
	as := startWithTokens(t)
	admin := rdv1.NewAdminServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["admin"])
	create := func(email string, role rdv1.Role) *rdv1.StaffUser {
		t.Helper()
		u, err := admin.CreateUser(ctx, &rdv1.CreateUserRequest{Email: email, DisplayName: "Someone", Role: role, Password: adminPassword})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ada := create("ada@example.org", rdv1.Role_ROLE_ADMIN)
	casey := create("casey@example.org", rdv1.Role_ROLE_VIEWER)

	got, err := admin.UpdateUser(ctx, &rdv1.UpdateUserRequest{
		User:       &rdv1.StaffUser{Name: casey.GetName(), Role: rdv1.Role_ROLE_CASEWORKER, PasswordChangeRequired: true},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role", "password_change_required"}},
	})
	if err != nil || got.GetRole() != rdv1.Role_ROLE_CASEWORKER || !got.GetPasswordChangeRequired() || got.GetName() != casey.GetName() {
		t.Fatalf("UpdateUser = %v, %v", got, err)
	}
	// REST: PATCH with the mask as a query parameter, as AIP-134 has it.
	code, body := as.rest(t, "PATCH", "/v1/"+casey.GetName()+"?update_mask=role", "admin", map[string]any{"role": "ROLE_ADMIN"})
	if code != http.StatusOK || body["role"] != "ROLE_ADMIN" || body["password_change_required"] != true {
		t.Fatalf("PATCH /v1/%s = %d %v; want admin, the requirement untouched", casey.GetName(), code, body)
	}
	// Two administrators: ada may be demoted; then casey is the last one.
	if _, err := admin.UpdateUser(ctx, &rdv1.UpdateUserRequest{
		User: &rdv1.StaffUser{Name: ada.GetName(), Role: rdv1.Role_ROLE_VIEWER}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}},
	}); err != nil {
		t.Fatalf("demoting one of two administrators: %v", err)
	}
	_, err = admin.UpdateUser(ctx, &rdv1.UpdateUserRequest{
		User: &rdv1.StaffUser{Name: casey.GetName(), Role: rdv1.Role_ROLE_VIEWER}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}},
	})
	if status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("demoting the last administrator: %v, want FAILED_PRECONDITION", err)
	}
	list, _ := admin.ListUsers(ctx, &rdv1.ListUsersRequest{})
	if roles := []rdv1.Role{list.GetUsers()[0].GetRole(), list.GetUsers()[1].GetRole()}; !slices.Equal(roles, []rdv1.Role{rdv1.Role_ROLE_VIEWER, rdv1.Role_ROLE_ADMIN}) {
		t.Errorf("roles after the refusal: %v, want ada viewer, casey admin", roles)
	}

	unlocked, err := admin.UnlockUser(ctx, &rdv1.UnlockUserRequest{Name: casey.GetName()})
	if err != nil || unlocked.GetLocked() || unlocked.GetName() != casey.GetName() {
		t.Fatalf("UnlockUser of an open account = %v, %v; want it unchanged, no error", unlocked, err)
	}
	if code, body := as.rest(t, "POST", "/v1/"+casey.GetName()+":unlock", "admin", map[string]any{}); code != http.StatusOK || body["locked"] == true {
		t.Errorf("POST :unlock = %d %v", code, body)
	}

	for _, tt := range []struct {
		name  string
		req   *rdv1.UpdateUserRequest
		code  codes.Code
		field string
	}{
		{"no mask", &rdv1.UpdateUserRequest{User: &rdv1.StaffUser{Name: casey.GetName()}}, codes.InvalidArgument, "update_mask"},
		{"a field that is not updatable", &rdv1.UpdateUserRequest{User: &rdv1.StaffUser{Name: casey.GetName(), Disabled: true}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"disabled"}}}, codes.InvalidArgument, "update_mask"},
		{"a role no account holds", &rdv1.UpdateUserRequest{User: &rdv1.StaffUser{Name: ada.GetName(), Role: rdv1.Role_ROLE_PUBLIC}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}}}, codes.InvalidArgument, "user.role"},
		{"named by email", &rdv1.UpdateUserRequest{User: &rdv1.StaffUser{Name: "users/ada@example.org"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}}}, codes.InvalidArgument, "user.name"},
		{"unknown", &rdv1.UpdateUserRequest{User: &rdv1.StaffUser{Name: "users/000000000000", Role: rdv1.Role_ROLE_VIEWER}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}}}, codes.NotFound, ""},
	} {
		_, err := admin.UpdateUser(ctx, tt.req)
		if status.Code(err) != tt.code || tt.field != "" && !slices.Contains(fieldViolations(err), tt.field) {
			t.Errorf("%s: %v (fields %v), want %v naming %q", tt.name, err, fieldViolations(err), tt.code, tt.field)
		}
	}
	if _, err := admin.UnlockUser(ctx, &rdv1.UnlockUserRequest{Name: "users/000000000000"}); status.Code(err) != codes.NotFound {
		t.Errorf("UnlockUser of an unknown account: %v, want NOT_FOUND", err)
	}
	if _, err := admin.UpdateUser(bearer(t.Context(), as.tokens["caseworker"]), &rdv1.UpdateUserRequest{
		User: &rdv1.StaffUser{Name: ada.GetName(), Role: rdv1.Role_ROLE_ADMIN}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"role"}},
	}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("UpdateUser with a caseworker token: %v, want PERMISSION_DENIED", err)
	}
}

// A token's record says who made it and, once it has been presented, when
// it was last used.
func TestTokenCreatorAndLastUse(t *testing.T) {
	as := startWithTokens(t)
	admin := rdv1.NewAdminServiceClient(as.conn)
	ctx := bearer(t.Context(), as.tokens["admin"])
	created, err := admin.CreateToken(ctx, &rdv1.CreateTokenRequest{DisplayName: "reporter", Role: rdv1.Role_ROLE_VIEWER})
	if err != nil {
		t.Fatal(err)
	}
	if by := created.GetApiToken().GetCreatedBy(); by == "" || created.GetApiToken().GetLastUseTime() != nil {
		t.Fatalf("new token: created by %q, last used %v; want its creator and no use", by, created.GetApiToken().GetLastUseTime())
	}
	if _, err := rdv1.NewCaseServiceClient(as.conn).ListCases(bearer(t.Context(), created.GetToken()), &rdv1.ListCasesRequest{}); err != nil {
		t.Fatal(err)
	}
	list, err := admin.ListTokens(ctx, &rdv1.ListTokensRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range list.GetTokens() {
		if tok.GetName() == created.GetApiToken().GetName() && tok.GetLastUseTime() == nil {
			t.Errorf("after a call, %s shows no last use", tok.GetName())
		}
	}
}
