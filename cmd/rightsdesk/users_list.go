package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

func runUsersList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("users list", stderr)
	where := userTarget(fs, userFields)
	asJSON := fs.Bool("json", false, "print each account as JSON, one per line")
	if err := where.parse(args); err != nil {
		return err
	}
	book, err := openAccounts(ctx, where, false, stderr)
	if err != nil {
		return err
	}
	defer book.Close()
	list, err := book.list(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSONLines(stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(stderr, "No accounts yet: create one with `rightsdesk users create --role admin --name NAME --email EMAIL`.")
		return nil
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tCREATED\tLAST SIGN-IN\tSTATE")
	for _, u := range list {
		last := "never"
		if !u.LastSignIn.IsZero() {
			last = u.LastSignIn.UTC().Format(time.RFC3339)
		}
		state := "active"
		switch {
		case u.Disabled:
			state = "disabled"
		case u.Locked(now):
			state = "locked until " + u.LockedUntil.UTC().Format(time.RFC3339)
		}
		if u.PasswordChangeRequired {
			state += ", new password required"
		}
		if u.HasSecondFactor() {
			state += ", two-step verification"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, u.Created.UTC().Format(time.RFC3339), last, state)
	}
	return tw.Flush()
}
