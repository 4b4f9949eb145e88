package main

import (
	"context"
	"crypto/rand"
	"flag"
	"regexp"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/policy"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/tokens"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// The token commands work on a running server through its API (--server,
// with an admin token) or, while it is stopped, on the database file
// (--data): that is how the first admin token is made.

const dataFlagUsage = "data directory of the database"

// tokenTarget is where the token commands work; the API's display_name is
// the command's --name, its lifetime --expires.
func tokenTarget(fs *flag.FlagSet) *target {
	return addTarget(fs, targetOptions{need: auth.RoleAdmin, dataUsage: dataFlagUsage,
		fields: map[string]string{"display_name": "--name", "lifetime": "--expires", "name": "ID"}})
}

// tokenBook keeps API tokens: the database file (localTokens) or a running
// server (remoteTokens). Both return the same records, so the commands
// print them the same way.
type tokenBook interface {
	create(ctx context.Context, name string, role auth.Role, lifetime time.Duration) (plaintext string, tok *auth.Token, err error)
	list(ctx context.Context) ([]auth.Token, error)
	// revoke fails with a *fault.NotFound for an unknown id.
	revoke(ctx context.Context, id string) (*auth.Token, error)
	Close() error
}

// openTokens opens the token book the command line names; write is false
// for a command that only reads, which then opens the file read-only.
func openTokens(ctx context.Context, t *target, write bool) (tokenBook, error) {
	if t.remote {
		c, err := t.dial()
		if err != nil {
			return nil, err
		}
		return remoteTokens{c}, nil
	}
	open := openStoreReadOnly
	if write {
		open = openStore
	}
	st, err := open(ctx, t.data)
	if err != nil {
		return nil, err
	}
	return localTokens{st: st, svc: tokens.New(st, clock.System{}, rand.Reader)}, nil
}

// localTokens keeps the tokens in the database file, through the same use
// case the server runs, so a token made offline is audited alike.
type localTokens struct {
	st  *store.Store
	svc *tokens.Service
}

func (l localTokens) Close() error { return l.st.Close() }

func (l localTokens) create(ctx context.Context, name string, role auth.Role, lifetime time.Duration) (string, *auth.Token, error) {
	created, err := l.svc.Create(ctx, usecase.NewToken{Name: name, Role: role, Lifetime: lifetime, By: cliActor()})
	if err != nil {
		return "", nil, err
	}
	return created.Plaintext, &created.Token, nil
}

func (l localTokens) list(ctx context.Context) ([]auth.Token, error) { return l.svc.List(ctx) }

func (l localTokens) revoke(ctx context.Context, id string) (*auth.Token, error) {
	return l.svc.Revoke(ctx, id, cliActor())
}

// remoteTokens keeps the tokens through a running server's AdminService.
type remoteTokens struct{ c *client }

func (r remoteTokens) Close() error { return r.c.Close() }

func (r remoteTokens) create(ctx context.Context, name string, role auth.Role, lifetime time.Duration) (string, *auth.Token, error) {
	req := &rdv1.CreateTokenRequest{DisplayName: name, Role: roleToProto(role)}
	if lifetime > 0 {
		req.Lifetime = durationpb.New(lifetime)
	}
	resp, err := r.c.admin().CreateToken(ctx, req)
	if err != nil {
		return "", nil, r.c.explain(err)
	}
	return resp.GetToken(), tokenFromProto(resp.GetApiToken()), nil
}

func (r remoteTokens) list(ctx context.Context) ([]auth.Token, error) {
	all, err := allPages(func(page string) ([]*rdv1.ApiToken, string, error) {
		resp, err := r.c.admin().ListTokens(ctx, &rdv1.ListTokensRequest{PageSize: 1000, PageToken: page})
		return resp.GetTokens(), resp.GetNextPageToken(), err
	})
	if err != nil {
		return nil, r.c.explain(err)
	}
	tokens := make([]auth.Token, len(all))
	for i, t := range all {
		tokens[i] = *tokenFromProto(t)
	}
	return tokens, nil
}

func (r remoteTokens) revoke(ctx context.Context, id string) (*auth.Token, error) {
	if !idShape.MatchString(id) { // as the database file would say
		return nil, &fault.NotFound{Resource: "token", Name: "tokens/" + id}
	}
	resp, err := r.c.admin().RevokeToken(ctx, &rdv1.RevokeTokenRequest{Name: "tokens/" + id})
	if err != nil {
		return nil, r.c.explain(err)
	}
	return tokenFromProto(resp), nil
}

// tokenFromProto is the record the database holds, as the API shows it.
func tokenFromProto(t *rdv1.ApiToken) *auth.Token {
	out := &auth.Token{
		ID: strings.TrimPrefix(t.GetName(), "tokens/"), Name: t.GetDisplayName(), Role: policy.FromProto(t.GetRole()),
		CreatedAt: t.GetCreateTime().AsTime(), Revoked: t.GetRevoked(), CreatedBy: t.GetCreatedBy(),
	}
	if t.GetExpireTime() != nil {
		at := t.GetExpireTime().AsTime()
		out.ExpiresAt = &at
	}
	if t.GetLastUseTime() != nil {
		at := t.GetLastUseTime().AsTime()
		out.LastUsed = &at
	}
	return out
}

// idShape is the shape of a token's or an account's id: 12 hex digits.
var idShape = regexp.MustCompile(`^[0-9a-f]{12}$`)

// roleToProto is the API's name for a staff role.
func roleToProto(r auth.Role) rdv1.Role {
	return rdv1.Role(rdv1.Role_value["ROLE_"+strings.ToUpper(r.String())])
}

// splitPositional separates positional arguments from flags wherever they
// appear, so `tokens revoke ID --data DIR` and `tokens revoke --data DIR ID`
// both work. A flag that is not a boolean takes the next argument as its
// value unless written --flag=value; everything after "--" is positional.
func splitPositional(fs *flag.FlagSet, args []string) (flags, positional []string) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return flags, append(positional, args[i+1:]...)
		case len(arg) < 2 || arg[0] != '-':
			positional = append(positional, arg)
		default:
			flags = append(flags, arg)
			name := strings.TrimLeft(arg, "-")
			if strings.Contains(name, "=") {
				continue
			}
			f := fs.Lookup(name)
			if f == nil {
				continue // parseFlags reports it
			}
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			if i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	return flags, positional
}
