package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

func runKeysRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys rotate", stderr)
	var k keyFlags
	addKeyFlags(fs, &k)
	retire := fs.Bool("retire", false, "after re-wrapping, retire every older key that no longer wraps anything")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if k.keyring == "" {
		fmt.Fprintln(stderr, "rightsdesk keys rotate: name the keyring file with --keyring FILE; a keyring in the environment cannot be rewritten")
		return errUsage
	}
	kr, where, err := k.load()
	if err != nil {
		return err
	}
	if err := app.CheckKeyring(ctx, where, kr); err != nil {
		return err
	}
	now := time.Now()
	rotated, current, err := kr.Rotate(now)
	if err != nil {
		return err
	}
	// The file first: a data key must never be wrapped under a key that
	// exists only in memory.
	if err := rotated.Save(k.keyring, where.Dir); err != nil {
		return err
	}
	backend, err := app.OpenBackend(ctx, where, app.OpenOptions{})
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, backend, store.WithKeyring(rotated))
	if err != nil {
		_ = backend.Close()
		return err
	}
	defer st.Close()
	moved, err := st.RewrapKeys(ctx, current)
	if err != nil {
		return fmt.Errorf("re-wrapping under %s (the keyring file already holds it; run keys rotate again to finish): %w", current, err)
	}
	fmt.Fprintf(stdout, "New current key %s; re-wrapped %d stored keys under it.\n", current, moved)
	if !*retire {
		return nil
	}
	use, err := store.KeyUse(ctx, st)
	if err != nil {
		return err
	}
	for _, info := range rotated.Keys() {
		if info.Current || info.Retired {
			continue
		}
		if rotated, err = rotated.Retire(info.ID, now, use[info.ID]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Retired %s.\n", info.ID)
	}
	return rotated.Save(k.keyring, where.Dir)
}
