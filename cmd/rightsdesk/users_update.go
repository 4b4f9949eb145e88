package main

import (
	"context"
	"fmt"
	"io"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// `users update` and `users unlock` do what an administrator does on an
// account's page in the workspace: change its role, require a new password
// at the next sign-in (or withdraw that), lift a lockout.

// accountEditor is an accountBook that also updates and unlocks; both
// localAccounts and remoteAccounts are.
type accountEditor interface {
	accountBook
	update(ctx context.Context, who string, up users.Update) (*users.User, error)
	unlock(ctx context.Context, who string) (*users.User, error)
	resetSecondFactor(ctx context.Context, who string) (*users.User, error)
}

var (
	_ accountEditor = localAccounts{}
	_ accountEditor = remoteAccounts{}
)

func runUsersUpdate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("users update", stderr)
	where := userTarget(fs, map[string]string{"name": "ID|EMAIL", "user.name": "ID|EMAIL", "role": "--role", "user.role": "--role"})
	roleName := fs.String("role", "", "the new role: viewer, caseworker or admin")
	require := fs.Bool("require-new-password", false, "make the user choose a new password before anything else at their next sign-in")
	withdraw := fs.Bool("withdraw-new-password", false, "withdraw a request for a new password")
	who, err := where.splitParse(args)
	if err != nil {
		return err
	}
	var up users.Update
	if *roleName != "" {
		if up.Role, err = auth.ParseRole(*roleName); err != nil {
			return fmt.Errorf("--role: %w", err)
		}
		up.Paths = append(up.Paths, "role")
	}
	if *require || *withdraw {
		up.Paths = append(up.Paths, "password_change_required")
		up.PasswordChangeRequired = *require
	}
	if len(who) != 1 || len(up.Paths) == 0 || *require && *withdraw {
		fmt.Fprintln(stderr, "usage: rightsdesk users update ID|EMAIL [--role viewer|caseworker|admin] [--require-new-password | --withdraw-new-password] (--server HOST:PORT --token ADMIN_TOKEN | --data DIR)")
		return errUsage
	}
	return withAccount(ctx, where, who[0], stderr, func(book accountBook, who string) error {
		u, err := book.(accountEditor).update(ctx, who, up)
		if err != nil {
			return err
		}
		required := ""
		if u.PasswordChangeRequired {
			required = "; a new password is required at the next sign-in"
		}
		_, err = fmt.Fprintf(stdout, "Account %s (%s) is %s%s.\n", u.ID, u.Email, u.Role, required)
		return err
	})
}

func (l localAccounts) update(ctx context.Context, who string, up users.Update) (*users.User, error) {
	u, err := l.d.Update(ctx, who, up, cliActor())
	return u, asFieldErrors(err, l.fields)
}

func (r remoteAccounts) update(ctx context.Context, who string, up users.Update) (*users.User, error) {
	id, err := r.id(ctx, who)
	if err != nil {
		return nil, err
	}
	resp, err := r.c.admin().UpdateUser(ctx, &rdv1.UpdateUserRequest{
		User:       &rdv1.StaffUser{Name: "users/" + id, Role: roleToProto(up.Role), PasswordChangeRequired: up.PasswordChangeRequired},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: up.Paths},
	})
	if err != nil {
		return nil, r.c.explain(err)
	}
	return userFromProto(resp), nil
}
