package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

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
