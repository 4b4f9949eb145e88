package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	out := fs.String("out", "", "file to write the backup to (required; refuses to overwrite)")
	dataDir := fs.String("data", "", "data directory, when the server is stopped")
	addr := fs.String("addr", "", "gRPC address of a running server (needs --token with the admin role)")
	token := fs.String("token", "", "admin API token for --addr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || (*dataDir == "") == (*addr == "") {
		fmt.Fprintln(stderr, "usage: rightsdesk backup --out FILE (--data DIR | --addr HOST:PORT --token TOKEN)")
		return errUsage
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	n, err := writeBackup(ctx, f, *dataDir, *addr, *token)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		_ = os.Remove(*out)
		return err
	}
	_, err = fmt.Fprintf(stdout, "Backup written to %s (%d bytes). Restore by copying it to rightsdesk.db in an empty data directory.\n", *out, n)
	return err
}

func writeBackup(ctx context.Context, w io.Writer, dataDir, addr, token string) (int64, error) {
	if dataDir != "" {
		st, err := openStoreReadOnly(ctx, dataDir)
		if err != nil {
			return 0, err
		}
		defer st.Close()
		return st.Backend().Backup(ctx, w)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	stream, err := rdv1.NewAdminServiceClient(conn).Backup(ctx, &rdv1.BackupRequest{})
	if err != nil {
		return 0, err
	}
	var n int64
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		written, err := w.Write(chunk.GetData())
		n += int64(written)
		if err != nil {
			return n, err
		}
	}
}
