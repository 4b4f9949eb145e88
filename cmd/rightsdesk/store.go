package main

import (
	"context"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// openStore opens the database for an offline command; it fails with a
// clear message while a server holds it.
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
