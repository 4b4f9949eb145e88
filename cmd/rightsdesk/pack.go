package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/pack"
)

// runPackVerify checks a response pack (the zip a requester downloads, or
// staff's preview) against its manifest, entry by entry, needing no
// database: anyone given the pack can run it.
func runPackVerify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("pack verify", stderr)
	file := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: rightsdesk pack verify FILE.zip")
		return errUsage
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	rep, err := pack.Verify(f, info.Size())
	if errors.Is(err, pack.ErrRefused) {
		return fmt.Errorf("%s: %w", file, err)
	}
	fmt.Fprintf(stdout, "Response pack %s, made %s\n", rep.Reference, rep.Made)
	problems := 0
	for _, e := range rep.Entries {
		if e.Problem != "" {
			problems++
			fmt.Fprintf(stdout, "✗ %s: %s\n", e.Path, e.Problem)
			continue
		}
		fmt.Fprintf(stdout, "✓ %s (%d bytes)\n", e.Path, e.Size)
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %d of %d entries", file, err, problems, len(rep.Entries))
	}
	_, err = fmt.Fprintf(stdout, "All %d entries match the manifest.\n", len(rep.Entries))
	return err
}
