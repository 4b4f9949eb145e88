package main

import (
	"context"
	"fmt"
	"path/filepath"

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
	st, err := store.Open(ctx, backend)
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
	st, err := store.OpenReadOnly(ctx, backend)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, bolt.FileName), err)
	}
	return st, nil
}
