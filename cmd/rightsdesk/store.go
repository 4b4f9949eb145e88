package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// openStore opens the database read-write for an offline command that
// changes it. It creates a new database when the directory holds none
// (that is how the first admin account or token is made), refuses an empty
// or truncated file rather than initialise or misread it, and fails with a
// clear message while a server holds the database.
func openStore(ctx context.Context, dir string) (*store.Store, error) {
	backend, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		return nil, err
	}
	opts, err := offlineKeyring(dir)
	if err != nil {
		_ = backend.Close()
		return nil, err
	}
	st, err := store.Open(ctx, backend, opts...)
	if err != nil {
		_ = backend.Close()
		return nil, err
	}
	return st, nil
}

// openStoreReadOnly opens an existing database for an offline command that
// only reads it: nothing is created (a mistyped --data is "no database at
// …"), nothing is written, so the file's bytes stay as they were, and the
// schema must be this build's. It also fails while a server holds the
// database.
func openStoreReadOnly(ctx context.Context, dir string) (*store.Store, error) {
	backend, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	st, err := openReadOnlySchema(ctx, dir, backend)
	if err != nil {
		_ = backend.Close()
		return nil, err
	}
	return st, nil
}

// openReadOnlySchema checks the schema of a read-only backend, naming the
// file in the error.
func openReadOnlySchema(ctx context.Context, dir string, backend *bolt.Backend) (*store.Store, error) {
	opts, err := offlineKeyring(dir)
	if err != nil {
		return nil, err
	}
	st, err := store.OpenReadOnly(ctx, backend, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, bolt.FileName), err)
	}
	return st, nil
}

// keyringFileEnv names the keyring file for offline commands, as
// serve's --keyring does for the server.
const keyringFileEnv = "RIGHTSDESK_KEYRING"

// offlineKeyring is the keyring an offline command opens the store with:
// the file $RIGHTSDESK_KEYRING names, or the keyring in $RIGHTSDESK_KEK,
// or none. Without one, an encrypted store still serves what holds no
// personal data (accounts, tokens, notices); what does (cases, their audit
// payloads) is refused with store.ErrKeyringRequired, naming the fix.
func offlineKeyring(dataDir string) ([]store.OpenOption, error) {
	path := os.Getenv(keyringFileEnv)
	if path == "" && os.Getenv(keyring.EnvVar) == "" {
		return nil, nil
	}
	kr, err := app.LoadKeyring(path, dataDir, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	return []store.OpenOption{store.WithKeyring(kr)}, nil
}
