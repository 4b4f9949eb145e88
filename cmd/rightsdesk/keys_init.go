package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

func runKeysInit(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys init", stderr)
	out := fs.String("out", "", "where to write the new keyring file (mode 0600); it must not exist, and must not be inside --data")
	data := fs.String("data", "./rightsdesk-data", "data directory the keyring will protect, which must not contain it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "rightsdesk keys init: name the new keyring file with --out FILE")
		return errUsage
	}
	kr, err := keyring.NewKeyring(time.Now())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o700); err != nil {
		return fmt.Errorf("keys init: %w", err)
	}
	if err := kr.Create(*out, *data); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Wrote keyring %s with key %s.\nStart the server with --keyring %s. Keep a copy of this file somewhere safe and apart from the backups: without it no backup can be read.\n", *out, kr.Current(), *out)
	return err
}
