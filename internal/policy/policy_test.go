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
