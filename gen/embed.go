// Package gen holds the code and documents generated from proto/ by
// `make generate`. Nothing here is edited by hand except this file.
package gen

import _ "embed"

// OpenAPI is the OpenAPI (Swagger 2.0) description of the REST gateway.
//
//go:embed openapi/rightsdesk.swagger.json
var OpenAPI []byte
