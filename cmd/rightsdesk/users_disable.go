package main

import (
	"context"
	"fmt"
	"io"
)

func runUsersDisable(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return onAccount(ctx, "disable", args, stderr, func(book accountBook, who string) error {
		u, err := book.disable(ctx, who)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "Disabled account %s (%s): it can no longer sign in; its cases and audit history keep its name.\n", u.ID, u.Email)
		return err
	})
}
