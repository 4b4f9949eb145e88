package gen

import _ "embed"

// OpenAPI is the OpenAPI (Swagger 2.0) description of the REST gateway.
//
//go:embed openapi/rightsdesk.swagger.json
var OpenAPI []byte
