package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/policy"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// stdin is where `users create` reads the password from; tests replace it.
// A password is never a flag: flags end up in shell history and in the
// process list for every user on the machine to read.
var stdin io.Reader = os.Stdin

// openDirectory opens the accounts in dir for the commands that change
// them.
func openDirectory(ctx context.Context, dir string) (*accounts.Directory, func() error, error) {
	st, err := openStore(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	return accounts.New(st, clock.System{}, rand.Reader, accounts.Options{}), st.Close, nil
}

// openDirectoryReadOnly opens the accounts in dir for `users list`, which
// creates nothing and writes nothing.
func openDirectoryReadOnly(ctx context.Context, dir string) (*accounts.Directory, func() error, error) {
	st, err := openStoreReadOnly(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	return accounts.New(st, clock.System{}, rand.Reader, accounts.Options{}), st.Close, nil
}

// userFields names the users commands' flags for the fields of a bad
// argument: the domain's name and the API's display_name are --name; the
// password is never a flag.
var userFields = map[string]string{
	"name": "--name", "display_name": "--name", "password": "password (from standard input)",
}

// userTarget is where the users commands work; in the API a user is named
// users/ID, which the commands take as ID|EMAIL.
func userTarget(fs *flag.FlagSet, fields map[string]string) *target {
	return addTarget(fs, targetOptions{need: auth.RoleAdmin, dataUsage: dataFlagUsage, fields: fields})
}

// accountBook keeps staff accounts: the database file (localAccounts) or
// a running server (remoteAccounts). Both return users.User, which holds
// no password or hash, so the commands print the same rows from either.
type accountBook interface {
	create(ctx context.Context, in users.NewUser) (*users.User, error)
	list(ctx context.Context) ([]users.User, error)
	// disable and resetPassword name the account by id or email, and fail
	// with a *fault.NotFound when there is none.
	disable(ctx context.Context, who string) (*users.User, error)
	resetPassword(ctx context.Context, who, password string) (*users.User, error)
	Close() error
}

// openAccounts opens the account book the command line names; write is
// false for a command that only reads, which then opens the file read-only.
// notes receives what a remote book looks up on the way (the id an email
// resolved to).
func openAccounts(ctx context.Context, t *target, write bool, notes io.Writer) (accountBook, error) {
	if t.remote {
		c, err := t.dial()
		if err != nil {
			return nil, err
		}
		return remoteAccounts{c: c, notes: notes}, nil
	}
	open := openDirectoryReadOnly
	if write {
		open = openDirectory
	}
	d, closeStore, err := open(ctx, t.data)
	if err != nil {
		return nil, err
	}
	return localAccounts{d: d, close: closeStore, fields: t.opts.fields}, nil
}

// readPassword prompts twice without echo on a terminal; otherwise it reads
// the first line, so `users create ... < file` and pipes work in scripts.
func readPassword(in io.Reader, stderr io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "Password (at least %d characters): ", users.MinPasswordLength)
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "The same again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ; nothing was created")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		return "", errors.New("no password on standard input: type it at the prompt, or pipe it in on one line")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// onAccount runs `users VERB (--server ADDR --token T | --data DIR) ID|EMAIL`
// on the named account.
func onAccount(ctx context.Context, verb string, args []string, stderr io.Writer, run func(book accountBook, who string) error) error {
	fs := newFlags("users "+verb, stderr)
	// The API's name is the account (users/ID), given as ID|EMAIL.
	where := userTarget(fs, map[string]string{"name": "ID|EMAIL", "password": userFields["password"]})
	who, err := where.splitParse(args)
	if err != nil {
		return err
	}
	if len(who) != 1 {
		fmt.Fprintf(stderr, "usage: rightsdesk users %s (--server HOST:PORT --token ADMIN_TOKEN | --data DIR) ID|EMAIL   (see `rightsdesk users list`)\n", verb)
		return errUsage
	}
	return withAccount(ctx, where, who[0], stderr, run)
}

// withAccount opens the accounts where names and runs run on the account
// who names by id or email.
func withAccount(ctx context.Context, where *target, who string, stderr io.Writer, run func(book accountBook, who string) error) error {
	book, err := openAccounts(ctx, where, true, stderr)
	if err != nil {
		return err
	}
	defer book.Close()
	err = run(book, strings.TrimSpace(who))
	var nf *fault.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("no account has the id or email %q; see `rightsdesk users list`", who)
	}
	return err
}

// localAccounts keeps the accounts in the database file; the audit trail
// records the operating-system user as the actor.
type localAccounts struct {
	d      *accounts.Directory
	close  func() error
	fields map[string]string
}

func (l localAccounts) Close() error { return l.close() }

func (l localAccounts) create(ctx context.Context, in users.NewUser) (*users.User, error) {
	in.By = cliActor()
	u, err := l.d.Create(ctx, in)
	return u, asFieldErrors(err, l.fields)
}

func (l localAccounts) list(ctx context.Context) ([]users.User, error) { return l.d.List(ctx) }

func (l localAccounts) disable(ctx context.Context, who string) (*users.User, error) {
	return l.d.Disable(ctx, who, cliActor())
}

func (l localAccounts) resetPassword(ctx context.Context, who, password string) (*users.User, error) {
	u, err := l.d.ResetPassword(ctx, who, password, cliActor())
	return u, asFieldErrors(err, l.fields)
}

// remoteAccounts keeps the accounts through a running server's
// AdminService, which records the token's holder as the actor.
type remoteAccounts struct {
	c     *client
	notes io.Writer
}

func (r remoteAccounts) Close() error { return r.c.Close() }

func (r remoteAccounts) create(ctx context.Context, in users.NewUser) (*users.User, error) {
	resp, err := r.c.admin().CreateUser(ctx, &rdv1.CreateUserRequest{
		Email: in.Email, DisplayName: in.Name, Role: roleToProto(in.Role), Password: in.Password,
	})
	if err != nil {
		return nil, r.c.explain(err)
	}
	return userFromProto(resp), nil
}

func (r remoteAccounts) list(ctx context.Context) ([]users.User, error) {
	all, err := allPages(func(page string) ([]*rdv1.StaffUser, string, error) {
		resp, err := r.c.admin().ListUsers(ctx, &rdv1.ListUsersRequest{PageSize: 1000, PageToken: page})
		return resp.GetUsers(), resp.GetNextPageToken(), err
	})
	if err != nil {
		return nil, r.c.explain(err)
	}
	list := make([]users.User, len(all))
	for i, u := range all {
		list[i] = *userFromProto(u)
	}
	return list, nil
}

func (r remoteAccounts) disable(ctx context.Context, who string) (*users.User, error) {
	id, err := r.id(ctx, who)
	if err != nil {
		return nil, err
	}
	resp, err := r.c.admin().DisableUser(ctx, &rdv1.DisableUserRequest{Name: "users/" + id})
	if err != nil {
		return nil, r.c.explain(err)
	}
	return userFromProto(resp), nil
}

func (r remoteAccounts) resetPassword(ctx context.Context, who, password string) (*users.User, error) {
	id, err := r.id(ctx, who)
	if err != nil {
		return nil, err
	}
	resp, err := r.c.admin().ResetUserPassword(ctx, &rdv1.ResetUserPasswordRequest{Name: "users/" + id, Password: password})
	if err != nil {
		return nil, r.c.explain(err)
	}
	return userFromProto(resp), nil
}

// id is the account who names: the API names accounts by id, so an email
// is looked up among the accounts first, and the id it resolved to said.
func (r remoteAccounts) id(ctx context.Context, who string) (string, error) {
	if idShape.MatchString(who) {
		return who, nil
	}
	list, err := r.list(ctx)
	if err != nil {
		return "", err
	}
	for _, u := range list {
		if strings.EqualFold(u.Email, who) {
			fmt.Fprintf(r.notes, "%s is account %s.\n", u.Email, u.ID)
			return u.ID, nil
		}
	}
	return "", &fault.NotFound{Resource: "user", Name: who}
}

// userFromProto is the account as the API shows it. The API never sends a
// password or its hash, and neither has a field in users.User.
func userFromProto(u *rdv1.StaffUser) *users.User {
	out := &users.User{
		ID: strings.TrimPrefix(u.GetName(), "users/"), Email: u.GetEmail(), Name: u.GetDisplayName(),
		Role: policy.FromProto(u.GetRole()), Disabled: u.GetDisabled(), PasswordChangeRequired: u.GetPasswordChangeRequired(),
	}
	if u.GetCreateTime() != nil {
		out.Created = u.GetCreateTime().AsTime()
	}
	if u.GetLastSignInTime() != nil {
		out.LastSignIn = u.GetLastSignInTime().AsTime()
	}
	if u.GetLocked() && u.GetLockExpireTime() != nil {
		out.LockedUntil = u.GetLockExpireTime().AsTime()
	}
	if u.GetSecondFactorTime() != nil {
		out.SecondFactorSince = u.GetSecondFactorTime().AsTime()
	}
	return out
}
