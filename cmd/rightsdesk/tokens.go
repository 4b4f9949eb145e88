package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// The token commands work on the database directly, so they run while the
// server is stopped; while it runs they fail with bolt.ErrLocked's message.

const dataFlagUsage = "data directory of the database"

func runTokensCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tokens create", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	roleName := fs.String("role", "", "viewer, caseworker or admin (required)")
	name := fs.String("name", "", "who or what holds the token, e.g. alice or case-importer (required); recorded as the audit actor token:NAME")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h for 30 days; 0 never expires")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *roleName == "" || *name == "" {
		fmt.Fprintln(stderr, "usage: rightsdesk tokens create --role viewer|caseworker|admin --name NAME [--expires 720h] [--data DIR]")
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
	now := time.Now().UTC().Truncate(time.Second)
	tok := auth.Token{Name: *name, Role: role, CreatedAt: now}
	if *expires > 0 {
		at := now.Add(*expires)
		tok.ExpiresAt = &at
	}

	st, err := openStore(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	var plaintext string
	// Ids are 48 bits of the hash, so a clash is all but impossible; if one
	// happens, a fresh token gets a fresh id.
	for attempt := 0; ; attempt++ {
		var hash []byte
		if plaintext, hash, err = auth.NewToken(rand.Reader); err != nil {
			return err
		}
		tok.ID = auth.TokenID(hash)
		err = st.Update(ctx, func(tx store.WriteTx) error { return store.PutToken(tx, hash, &tok) })
		if !errors.Is(err, store.ErrTokenIDTaken) || attempt == 2 {
			break
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Created %s token %s for %q%s. It is shown once, below, and cannot be shown again: store it now.\n",
		role, tok.ID, tok.Name, expiryNote(tok.ExpiresAt))
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
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	asJSON := fs.Bool("json", false, "print each token record as JSON, one per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := openStoreReadOnly(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	var tokens []auth.Token
	if err := st.View(ctx, func(tx store.ReadTx) (err error) { tokens, err = store.ListTokens(tx); return err }); err != nil {
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
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	flags, ids := splitPositional(fs, args)
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	if len(ids) != 1 {
		fmt.Fprintln(stderr, "usage: rightsdesk tokens revoke [--data DIR] ID   (the ID column of `rightsdesk tokens list`)")
		return errUsage
	}
	id := strings.TrimSpace(ids[0])
	st, err := openStore(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	err = st.Update(ctx, func(tx store.WriteTx) error { _, _, err := store.RevokeToken(tx, id); return err })
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no token has the id %q; see `rightsdesk tokens list`", id)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Revoked token %s; the server refuses it from its next start.\n", id)
	return err
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
