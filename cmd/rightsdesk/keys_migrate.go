package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

func runKeysMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys migrate", stderr)
	var k keyFlags
	addKeyFlags(fs, &k)
	blobs := fs.String("blobs", "", "where documents are, as given to serve (default: DATA/blobs); those uploaded before encryption are sealed too")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	kr, where, err := k.load()
	if err != nil {
		return err
	}
	if err := app.CheckKeyring(ctx, where, kr); err != nil && !errors.Is(err, store.ErrNotMigrated) {
		return err
	}
	backend, err := app.OpenBackend(ctx, where, app.OpenOptions{})
	if err != nil {
		return err
	}
	defer backend.Close()
	visited := map[store.Bucket]int{}
	var order []store.Bucket
	err = store.MigrateToSealed(ctx, backend, kr, func(b store.Bucket, n int) {
		if _, seen := visited[b]; !seen {
			order = append(order, b)
		}
		visited[b] += n
	})
	if err != nil {
		return fmt.Errorf("encrypting %s (what is done stays done; run keys migrate again to go on): %w", where, err)
	}
	st, err := store.Open(ctx, backend, store.WithKeyring(kr))
	if err != nil {
		return err
	}
	docs, err := app.OpenBlobs(ctx, *blobs, k.data)
	if err != nil {
		return err
	}
	sealedDocs, err := app.SealDocuments(ctx, docs, st)
	if err != nil {
		return fmt.Errorf("sealing the documents (what is done stays done; run keys migrate again to go on): %w", err)
	}
	if len(order) == 0 && sealedDocs == 0 {
		_, err = fmt.Fprintf(stdout, "%s is already encrypted: nothing to do.\n", where)
		return err
	}
	for _, b := range order {
		fmt.Fprintf(stdout, "%s: %d records checked\n", b, visited[b])
	}
	fmt.Fprintf(stdout, "documents: %d sealed\n", sealedDocs)
	_, err = fmt.Fprintf(stdout, "%s is encrypted under keyring key %s; start the server with this keyring.\n", where, kr.Current())
	return err
}
