package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// runCompact rewrites a stopped server's database so the pages bbolt
// freed (old ciphertext, and in a store from before encryption old
// plaintext) are no longer in the file: run it after a purge.
func runCompact(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compact", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", "data directory of the database to compact (the server must be stopped)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	res, err := bolt.Compact(*dataDir)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Compacted: %d bytes before, %d after.\n", res.Before, res.After)
	return err
}
