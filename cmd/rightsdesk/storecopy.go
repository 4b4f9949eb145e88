package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/storecopy"
)

// errCopyDiffers makes the exit status 1 when the copy does not verify.
var errCopyDiffers = errors.New("the copy does not match its source")

func runStoreCopy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("store copy", stderr)
	from := fs.String("from", "", "the store to copy: bolt:///DIR (or a data directory) or etcd://HOST:PORT,…[/PREFIX][?…]; opened read-only")
	to := fs.String("to", "", "the empty store to copy into, in the same forms; a bbolt directory is created")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		fmt.Fprintln(stderr, "usage: rightsdesk store copy --from STORE --to STORE   (STORE: bolt:///DIR or etcd://HOST:PORT,HOST:PORT,HOST:PORT[/PREFIX])")
		return errUsage
	}
	src, err := app.ParseStore(*from, "")
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	dst, err := app.ParseStore(*to, "")
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if src.String() == dst.String() {
		return fmt.Errorf("--from and --to are the same store (%s)", src)
	}

	srcBackend, err := app.OpenBackend(ctx, src, app.OpenOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("--from %s: %w", src, err)
	}
	defer srcBackend.Close()
	// The chain's payloads are sealed: verifying it needs the keyring
	// ($RIGHTSDESK_KEYRING or $RIGHTSDESK_KEK); the copy itself moves
	// ciphertext and wrapped keys as they are.
	keys, err := offlineKeyring(src.Dir)
	if err != nil {
		return err
	}
	srcStore, err := store.OpenReadOnly(ctx, srcBackend, keys...)
	if err != nil {
		return fmt.Errorf("--from %s: %w", src, err)
	}
	// The chain is verified before anything is written: a broken source
	// is reported, not copied.
	srcChain, err := casework.VerifyChain(ctx, srcStore)
	if err != nil {
		return fmt.Errorf("--from %s: the audit chain does not verify, so it is not copied: %w", src, err)
	}
	dstBackend, err := app.OpenBackend(ctx, dst, app.OpenOptions{})
	if err != nil {
		return fmt.Errorf("--to %s: %w", dst, err)
	}
	defer dstBackend.Close()

	fmt.Fprintf(stderr, "copying %s to %s\n", src, dst)
	last := store.Bucket("")
	sum, err := storecopy.Copy(ctx, srcBackend, dstBackend, func(b store.Bucket, n int) {
		if b != last || n%10000 < 1000 {
			fmt.Fprintf(stderr, "  %s: %d keys\n", b, n)
			last = b
		}
	})
	if err != nil {
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	got, verr := storecopy.Verify(ctx, sum, dstBackend)
	dstStore, err := store.OpenReadOnly(ctx, dstBackend, keys...)
	if err != nil {
		return fmt.Errorf("--to %s after the copy: %w", dst, err)
	}
	dstChain, cerr := casework.VerifyChain(ctx, dstStore)

	fmt.Fprintf(stdout, "Copied %s to %s\n", src, dst)
	fmt.Fprintf(stdout, "  %-22s %10s %10s\n", "", "source", "copy")
	for _, row := range []struct {
		label  string
		bucket store.Bucket
	}{
		{"cases", store.BucketCases}, {"case data keys", store.BucketCaseKeys}, {"audit events", store.BucketAudit}, {"open-by-due entries", store.BucketOpenByDue},
		{"users", store.BucketUsers}, {"API tokens", store.BucketTokens}, {"notices", store.BucketNotices},
		{"web sessions", store.BucketWebSessions}, {"holiday imports", store.BucketHolidays},
	} {
		fmt.Fprintf(stdout, "  %-22s %10d %10d\n", row.label, sum.Keys(row.bucket), got.Keys(row.bucket))
	}
	fmt.Fprintf(stdout, "  %-22s %10d %10d\n", "audit chain verified", srcChain.Events, dstChain.Events)
	fmt.Fprintf(stdout, "  audit head: source %d %x\n", srcChain.Events, srcChain.Head)
	fmt.Fprintf(stdout, "              copy   %d %x\n", dstChain.Events, dstChain.Head)
	switch {
	case verr != nil:
		fmt.Fprintf(stdout, "NOT VERIFIED: %v\n", verr)
		return errCopyDiffers
	case cerr != nil:
		fmt.Fprintf(stdout, "NOT VERIFIED: the copy's audit chain does not verify: %v\n", cerr)
		return errCopyDiffers
	case srcChain.Events != dstChain.Events || string(srcChain.Head) != string(dstChain.Head):
		fmt.Fprintln(stdout, "NOT VERIFIED: the audit chain heads differ")
		return errCopyDiffers
	}
	_, err = fmt.Fprintf(stdout, "Copy verified: all %d buckets match key for key (SHA-256 over every key and value), and both audit chains verify to the same head.\n", len(sum.Buckets))
	return err
}
