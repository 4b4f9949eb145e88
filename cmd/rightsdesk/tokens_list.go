package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

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
		return printJSONLines(stdout, tokens)
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
