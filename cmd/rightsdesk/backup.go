package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/durable"
)

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	out := fs.String("out", "", "file to write the backup to (required; refuses to overwrite)")
	where := addTarget(fs, targetOptions{need: auth.RoleAdmin, addrAlias: true, dataUsage: "data directory of the database, opened read-only"})
	if err := where.parse(args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "usage: rightsdesk backup --out FILE (--server HOST:PORT --token ADMIN_TOKEN | --data DIR)")
		return errUsage
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	n, err := writeBackup(ctx, f, where)
	if err == nil {
		err = f.Sync() // a backup the next power cut loses is none
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = durable.SyncDir(filepath.Dir(*out))
	}
	if err != nil {
		_ = os.Remove(*out)
		return err
	}
	_, err = fmt.Fprintf(stdout, "Backup written to %s (%d bytes). Restore by copying it to rightsdesk.db in an empty data directory.\n", *out, n)
	return err
}

func writeBackup(ctx context.Context, w io.Writer, where *target) (int64, error) {
	if !where.remote {
		st, err := openStoreReadOnly(ctx, where.data)
		if err != nil {
			return 0, err
		}
		defer st.Close()
		return st.Backend().Backup(ctx, w)
	}
	c, err := where.dial()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	stream, err := c.admin().Backup(ctx, &rdv1.BackupRequest{})
	if err != nil {
		return 0, c.explain(err)
	}
	var n int64
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, c.explain(err)
		}
		written, err := w.Write(chunk.GetData())
		n += int64(written)
		if err != nil {
			return n, err
		}
	}
}
