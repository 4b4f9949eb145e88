package policy

import (
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
