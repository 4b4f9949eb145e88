package main

import (
	"context"
	"fmt"
	"io"
)

func runUsersResetPassword(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return onAccount(ctx, "reset-password", args, stderr, func(book accountBook, who string) error {
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		u, err := book.resetPassword(ctx, who, password)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "New password set for %s (%s); the account is active and unlocked.\n", u.ID, u.Email)
		return err
	})
}
