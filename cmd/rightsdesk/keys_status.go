package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

func runKeysStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys status", stderr)
	var k keyFlags
	addKeyFlags(fs, &k)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	kr, where, err := k.load()
	if err != nil {
		return err
	}
	backend, err := app.OpenBackend(ctx, where, app.OpenOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer backend.Close()
	if err := store.CheckKeyring(ctx, backend, kr); err != nil && !errors.Is(err, store.ErrNotMigrated) {
		return err
	}
	st, err := store.OpenReadOnly(ctx, backend)
	if err != nil {
		return err
	}
	use, err := store.KeyUse(ctx, st)
	if err != nil {
		return err
	}
	status := kr.Status(use)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tCREATED\tSTATE\tWRAPS\tNEXT")
	for _, ks := range status.Keys {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", ks.ID, dateOrDash(ks.Created), keyState(ks), ks.Wraps, keyAdvice(ks))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return status.Err()
}

func dateOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.DateOnly)
}

func keyState(k keyring.KeyStatus) string {
	switch {
	case k.Missing:
		return "missing from the keyring"
	case k.Current:
		return "current"
	case k.Retired:
		return "retired " + dateOrDash(k.RetiredAt)
	}
	return "unwraps only"
}

func keyAdvice(k keyring.KeyStatus) string {
	switch {
	case k.Missing:
		return "restore the keyring that holds it"
	case k.CanRetire():
		return "may be retired (keys rotate --retire)"
	case k.CanRemove():
		return "may be removed once no backup needs it"
	case !k.Current && k.Wraps > 0:
		return "run keys rotate to re-wrap"
	}
	return "-"
}
