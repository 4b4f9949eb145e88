package auth

import "context"

// Principal is who a request runs as.
type Principal struct {
	Name    string // the token's name; empty for a public caller
	TokenID string // the token's public id; empty for a public caller
	Role    Role
}

// Public is the principal of a caller who sent no token.
func Public() Principal { return Principal{Role: RolePublic} }

// Authenticated reports whether the principal proved who it is with a token.
func (p Principal) Authenticated() bool { return p.TokenID != "" }

// Actor is how the principal is recorded in the audit trail: "token:NAME",
// or "public" for a caller without a token.
func (p Principal) Actor() string {
	if !p.Authenticated() {
		return "public"
	}
	return "token:" + p.Name
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal the request runs as; false if none was
// attached, which a handler must treat as a refusal.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
