package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

// The OpenAPI document at /openapi.json is protoc-gen-openapiv2's output
// (gen/openapi) completed here, once at start, with what the protos cannot
// say or should not repeat: the title, the build's version, and which
// operations need a bearer token. The last comes from the same role table
// the interceptors enforce (the methods' required_role options), so the
// document cannot call a method public that the server refuses, or the
// other way round.

// openAPITitle names the API in the document clients generate from.
const openAPITitle = "Rightsdesk API"

const openAPIDescription = "Data-subject rights requests under UK GDPR: privacy notices and the rights they give, " +
	"cases and their statutory clocks, and administration. Staff methods need `Authorization: Bearer <token>`; " +
	"the catalogue, rights evaluation and deadline calculation are public. Every error body is a google.rpc.Status " +
	"whose details carry a google.rpc.ErrorInfo (domain " + errorDomain + ") with a reason from docs/api-errors.md."

// bearerScheme is the security scheme's name in the document. Swagger 2.0
// has no bearer type, so it is the Authorization header.
const bearerScheme = "bearer"

// openAPIDocument returns generated completed for serving: info carries
// openAPITitle and version, the bearer scheme is required by default, and
// each operation whose RPC is ROLE_PUBLIC in roles (full gRPC method name
// to role) says it needs none. An operation whose RPC has no role is an
// error, as it is for the interceptors.
func openAPIDocument(generated []byte, version string, roles map[string]auth.Role) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(generated, &doc); err != nil {
		return nil, fmt.Errorf("read the generated OpenAPI document: %w", err)
	}
	doc["info"] = map[string]any{"title": openAPITitle, "version": version, "description": openAPIDescription}
	doc["securityDefinitions"] = map[string]any{bearerScheme: map[string]any{
		"type": "apiKey", "in": "header", "name": "Authorization",
		"description": "`Bearer <token>`, a token from `rightsdesk tokens create` or the staff pages.",
	}}
	doc["security"] = []any{map[string]any{bearerScheme: []any{}}}
	paths, _ := doc["paths"].(map[string]any)
	var problems []string
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for verb, o := range ops {
			op, ok := o.(map[string]any)
			if !ok {
				continue
			}
			id, _ := op["operationId"].(string)
			role, known := roles[grpcMethodOf(id)]
			if !known {
				problems = append(problems, fmt.Sprintf("%s %s (operation %q) is not a served RPC", strings.ToUpper(verb), path, id))
				continue
			}
			if role == auth.RolePublic {
				op["security"] = []any{}
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New("OpenAPI document: " + strings.Join(problems, "; "))
	}
	return json.MarshalIndent(doc, "", "  ")
}

// grpcMethodOf turns the generator's operationId, Service_Method, into the
// full gRPC method name the role table is keyed by.
func grpcMethodOf(operationID string) string {
	service, method, ok := strings.Cut(operationID, "_")
	if !ok {
		return ""
	}
	return "/rightsdesk.v1." + service + "/" + method
}
