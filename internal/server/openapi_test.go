package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/gen"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/policy"

	"google.golang.org/protobuf/reflect/protoreflect"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// rolesOfEveryRPC is the role table the interceptors build, read from the
// same required_role options, for every rightsdesk.v1 method.
func rolesOfEveryRPC(t *testing.T) map[string]auth.Role {
	t.Helper()
	roles := map[string]auth.Role{}
	for _, fd := range []protoreflect.FileDescriptor{
		rdv1.File_rightsdesk_v1_case_service_proto, rdv1.File_rightsdesk_v1_notice_service_proto,
		rdv1.File_rightsdesk_v1_admin_service_proto, rdv1.File_rightsdesk_v1_deadline_service_proto,
	} {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				md := sd.Methods().Get(j)
				roles["/"+string(sd.FullName())+"/"+string(md.Name())] = policy.RequiredRole(md)
			}
		}
	}
	return roles
}

func TestOpenAPIDocumentMarksExactlyThePublicMethods(t *testing.T) {
	roles := rolesOfEveryRPC(t)
	served, err := openAPIDocument(gen.OpenAPI, "v1.2.3", roles)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Info     map[string]string `json:"info"`
		Security []map[string][]string
		Defs     map[string]map[string]string `json:"securityDefinitions"`
		Paths    map[string]map[string]struct {
			OperationID string                 `json:"operationId"`
			Security    *[]map[string][]string `json:"security"`
		}
	}
	if err := json.Unmarshal(served, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info["title"] != openAPITitle || doc.Info["version"] != "v1.2.3" {
		t.Errorf("info = %v, want the title and the build's version", doc.Info)
	}
	if len(doc.Security) != 1 || doc.Security[0][bearerScheme] == nil || doc.Defs[bearerScheme]["name"] != "Authorization" {
		t.Errorf("security %v, definitions %v: want the bearer scheme required by default", doc.Security, doc.Defs)
	}
	count := map[bool]int{}
	for path, ops := range doc.Paths {
		for verb, op := range ops {
			public := roles[grpcMethodOf(op.OperationID)] == auth.RolePublic
			count[public]++
			open := op.Security != nil && len(*op.Security) == 0
			if public != open {
				t.Errorf("%s %s (%s): public %v, but the document says it needs no token: %v", verb, path, op.OperationID, public, open)
			}
		}
	}
	if count[true] == 0 || count[false] == 0 {
		t.Errorf("the document has %d public and %d staff operations; want some of each", count[true], count[false])
	}
}

func TestOpenAPIDocumentRefusesAnOperationNoRPCServes(t *testing.T) {
	roles := rolesOfEveryRPC(t)
	delete(roles, "/rightsdesk.v1.CaseService/GetCase")
	_, err := openAPIDocument(gen.OpenAPI, "dev", roles)
	if err == nil || !strings.Contains(err.Error(), "CaseService_GetCase") {
		t.Fatalf("err = %v, want one naming CaseService_GetCase", err)
	}
}
