package auth

import "context"

// Principal is who a request runs as.
type Principal struct {
	Name    string // the token's name, or a local operator's user name; empty for a public caller
	TokenID string // the token's public id; empty for anyone else
	// Local is set for an operator on the server's own machine who came in
	// through its admin socket as the server's own system user (or root):
	// the file permissions that guard the database guard them too.
	Local bool
	Role  Role
}

// Public is the principal of a caller who sent no token.
func Public() Principal { return Principal{Role: RolePublic} }

// Local returns the principal of an operator on the server's machine,
// named by their system user name: an administrator.
func Local(user string) Principal { return Principal{Name: user, Local: true, Role: RoleAdmin} }

// Authenticated reports whether the principal proved who it is, with a
// token or as a local operator.
func (p Principal) Authenticated() bool { return p.TokenID != "" || p.Local }

// Actor is how the principal is recorded in the audit trail: "token:NAME",
// "cli:USER" for a local operator (as for the command line working on the
// database file), or "public" for a caller without a token.
func (p Principal) Actor() string {
	switch {
	case p.Local:
		return "cli:" + p.Name
	case p.TokenID != "":
		return "token:" + p.Name
	}
	return "public"
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
