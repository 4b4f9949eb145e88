package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

func runUsersCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("users create", stderr)
	where := userTarget(fs, userFields)
	roleName := fs.String("role", "", "viewer, caseworker or admin (required)")
	name := fs.String("name", "", "the person's name as colleagues know it (required)")
	email := fs.String("email", "", "the address they sign in with (required)")
	if err := where.parse(args); err != nil {
		return err
	}
	if *roleName == "" || *name == "" || *email == "" {
		fmt.Fprintln(stderr, "usage: rightsdesk users create --role viewer|caseworker|admin --name NAME --email EMAIL (--server HOST:PORT --token ADMIN_TOKEN | --data DIR) < password")
		return errUsage
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	book, err := openAccounts(ctx, where, true, stderr)
	if err != nil {
		return err
	}
	defer book.Close()
	u, err := book.create(ctx, users.NewUser{Email: *email, Name: *name, Role: role, Password: password})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Created %s account %s for %s (%s).\n", u.Role, u.ID, u.Email, u.Name)
	return err
}
