package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
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

func runTokensCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tokens create", stderr)
	where := tokenTarget(fs)
	roleName := fs.String("role", "", "viewer, caseworker or admin (required)")
	name := fs.String("name", "", "who or what holds the token, e.g. alice or case-importer (required); recorded as the audit actor token:NAME")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h for 30 days; 0 never expires")
	if err := where.parse(args); err != nil {
		return err
	}
	if *roleName == "" || *name == "" {
		fmt.Fprintln(stderr, "usage: rightsdesk tokens create --role viewer|caseworker|admin --name NAME [--expires 720h] (--server HOST:PORT --token ADMIN_TOKEN | --data DIR)")
		return errUsage
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	if err := auth.ValidateTokenName(*name); err != nil {
		return fmt.Errorf("--name: %w", err)
	}
	if *expires < 0 {
		return fmt.Errorf("--expires %s: want a positive duration, or 0 for a token that never expires", *expires)
	}
	book, err := openTokens(ctx, where, true)
	if err != nil {
		return err
	}
	defer book.Close()
	plaintext, tok, err := book.create(ctx, *name, role, *expires)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Created %s token %s for %q%s. It is shown once, below, and cannot be shown again: store it now.\n",
		tok.Role, tok.ID, tok.Name, expiryNote(tok.ExpiresAt))
	_, err = fmt.Fprintln(stdout, plaintext)
	return err
}

func expiryNote(at *time.Time) string {
	if at == nil {
		return ", never expiring"
	}
	return ", expiring " + at.Format(time.RFC3339)
}

func runTokensList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tokens list", stderr)
	where := tokenTarget(fs)
	asJSON := fs.Bool("json", false, "print each token record as JSON, one per line")
	if err := where.parse(args); err != nil {
		return err
	}
	book, err := openTokens(ctx, where, false)
	if err != nil {
		return err
	}
	defer book.Close()
	tokens, err := book.list(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, t := range tokens {
			if err := enc.Encode(t); err != nil {
				return err
			}
		}
		return nil
	}
	if len(tokens) == 0 {
		fmt.Fprintln(stderr, "No tokens yet: create one with `rightsdesk tokens create --role admin --name NAME`.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tEXPIRES\tREVOKED")
	for _, t := range tokens {
		expires := "never"
		if t.ExpiresAt != nil {
			expires = t.ExpiresAt.UTC().Format(time.RFC3339)
		}
		revoked := "no"
		if t.Revoked {
			revoked = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.UTC().Format(time.RFC3339), expires, revoked)
	}
	return tw.Flush()
}

func runTokensRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tokens revoke", stderr)
	where := tokenTarget(fs)
	ids, err := where.splitParse(args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		fmt.Fprintln(stderr, "usage: rightsdesk tokens revoke (--server HOST:PORT --token ADMIN_TOKEN | --data DIR) ID   (the ID column of `rightsdesk tokens list`)")
		return errUsage
	}
	id := strings.TrimSpace(ids[0])
	book, err := openTokens(ctx, where, true)
	if err != nil {
		return err
	}
	defer book.Close()
	_, err = book.revoke(ctx, id)
	var nf *fault.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("no token has the id %q; see `rightsdesk tokens list`", id)
	}
	if err != nil {
		return err
	}
	// The server looks a token up on every call, so revoking takes effect
	// at once, whether it was done through the server or on its stopped
	// database.
	_, err = fmt.Fprintf(stdout, "Revoked token %s: it is refused from now on.\n", id)
	return err
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
