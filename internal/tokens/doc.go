// Package tokens is a use case (layer: use cases): it keeps the API tokens
// that internal tools and the CLI's remote mode present as bearer tokens.
// It creates a token (returned once, stored only as its SHA-256, with who
// created it), lists and revokes them, and authenticates a presented token,
// noting when each was last used (at most once a minute). Each change is
// one store transaction chained in the audit log without the token itself.
// A create that carries a client's request id is made once: the id is kept
// on the token's record and checked in the creating transaction.
//
// It must not know about transports; what a role may call is read from the
// API's declarations by internal/policy, not decided here.
package tokens
