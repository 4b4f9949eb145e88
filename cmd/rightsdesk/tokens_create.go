package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

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
