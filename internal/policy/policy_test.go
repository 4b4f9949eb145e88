package policy

import (
	"errors"
	"strings"
	"testing"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/auth"
)

func TestOfReadsTheDeclaredRole(t *testing.T) {
	for rpc, want := range map[string]auth.Role{
		"NoticeService/ListNotices": auth.RolePublic,
		"CaseService/GetCase":       auth.RoleViewer,
		"CaseService/AssignCase":    auth.RoleCaseworker,
		"CaseService/ReopenCase":    auth.RoleAdmin,
	} {
		if got, err := Of(rpc); err != nil || got != want {
			t.Errorf("Of(%q) = %v, %v; want %v", rpc, got, err, want)
		}
	}
}

func TestOfRefusesWhatIsNotThere(t *testing.T) {
	for rpc, want := range map[string]string{
		"AssignCase":              "want Service/Method",
		"NoSuchService/GetCase":   "no service rightsdesk.v1.NoSuchService",
		"CaseService/NoSuchThing": "has no method NoSuchThing",
	} {
		if _, err := Of(rpc); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Of(%q) = %v; want an error saying %q", rpc, err, want)
		}
	}
}

func TestEveryProtoRoleMapsToARole(t *testing.T) {
	for n, name := range rdv1.Role_name {
		got := FromProto(rdv1.Role(n))
		if (n == 0) != (got == auth.RoleNone) {
			t.Errorf("%s maps to %v", name, got)
		}
		if n != 0 && got.String() != strings.ToLower(strings.TrimPrefix(name, "ROLE_")) {
			t.Errorf("%s maps to %v", name, got)
		}
	}
}

func TestWritesAreTheSignedInNonGETMethods(t *testing.T) {
	for method, want := range map[string]bool{
		"/rightsdesk.v1.CaseService/CreateCase":            true,
		"/rightsdesk.v1.CaseService/UpdateCase":            true,
		"/rightsdesk.v1.AdminService/CreateToken":          true,
		"/rightsdesk.v1.CaseService/GetCase":               false,
		"/rightsdesk.v1.CaseService/ListCases":             false,
		"/rightsdesk.v1.NoticeService/EvaluateRights":      false, // public POST: computes, stores nothing
		"/rightsdesk.v1.DeadlineService/CalculateDeadline": false,
		"/rightsdesk.v1.AdminService/Backup":               false, // no HTTP binding: a stream that reads
		"/grpc.health.v1.Health/Check":                     false,
	} {
		if got, err := WritesMethod(method); err != nil || got != want {
			t.Errorf("WritesMethod(%q) = %v, %v; want %v", method, got, err, want)
		}
	}
	for _, method := range []string{"CaseService/CreateCase", "/rightsdesk.v1.NoSuchService/X", "/rightsdesk.v1.CaseService/NoSuchThing"} {
		if _, err := WritesMethod(method); err == nil {
			t.Errorf("WritesMethod(%q) = nil error; want one", method)
		}
	}
}

func TestFieldOfReadsTheDeclaredRole(t *testing.T) {
	if got, err := FieldOf("CloseCaseRequest.override_reason"); err != nil || got != auth.RoleAdmin {
		t.Errorf("FieldOf(override_reason) = %v, %v; want admin", got, err)
	}
	for field, want := range map[string]string{
		"CloseCaseRequest":            "want Message.field",
		"NoSuchRequest.reason":        "no message rightsdesk.v1.NoSuchRequest",
		"CloseCaseRequest.no_such":    "has no field no_such",
		"CloseCaseRequest.detail":     "declares no",
		"CaseService.override_reason": "no message",
	} {
		if _, err := FieldOf(field); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FieldOf(%q) = %v; want an error saying %q", field, err, want)
		}
	}
}

func TestCheckFieldsRefusesAFieldAboveTheCallersRole(t *testing.T) {
	overriding := &rdv1.CloseCaseRequest{Name: "cases/x", OverrideReason: "sent by hand"}
	plain := &rdv1.CloseCaseRequest{Name: "cases/x", Detail: "done"}
	for _, tc := range []struct {
		req    *rdv1.CloseCaseRequest
		role   auth.Role
		denied bool
	}{
		{overriding, auth.RoleCaseworker, true},
		{overriding, auth.RoleViewer, true},
		{overriding, auth.RoleAdmin, false},
		{plain, auth.RoleCaseworker, false},
	} {
		err := CheckFields("rightsdesk.v1.CaseService/CloseCase", tc.req, tc.role)
		var denied *auth.PermissionDeniedError
		if got := errors.As(err, &denied); got != tc.denied {
			t.Errorf("%v setting override %q: %v; want denied %v", tc.role, tc.req.GetOverrideReason(), err, tc.denied)
			continue
		}
		if tc.denied && (denied.Need != auth.RoleAdmin || !strings.Contains(denied.Method, "override_reason")) {
			t.Errorf("refusal %v; want it to name the field and the admin role", err)
		}
	}
}
