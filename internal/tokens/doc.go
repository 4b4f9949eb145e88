// Package tokens is a use case (layer: use cases): it keeps the API tokens
// that internal tools and the CLI's remote mode present as bearer tokens.
// It creates a token (returned once, stored only as its SHA-256), lists and
// revokes them, and authenticates a presented token, each change in one
// store transaction chained in the audit log without the token itself.
//
// It must not know about transports; what a role may call is read from the
// API's declarations by internal/policy, not decided here.
package tokens
