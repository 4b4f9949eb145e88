package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

func runNoticesDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices diff", stderr)
	dataDir := fs.String("data", defaultDataDir, "data directory of the database, opened read-only (diff has no RPC: it reads the file, with the server stopped, or a backup)")
	from := fs.Int("from", 0, "older version (default: the one before --to)")
	to := fs.Int("to", 0, "newer version (default: the current one)")
	asJSON := fs.Bool("json", false, "print the changes as one JSON object")
	flags, ids := splitPositional(fs, args)
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	if len(ids) != 1 || *from < 0 || *to < 0 {
		fmt.Fprintln(stderr, "usage: rightsdesk notices diff ID [--from V] [--to V] [--json] [--data DIR]")
		return errUsage
	}
	work, st, err := openNotices(ctx, *dataDir, false)
	if errors.Is(err, bolt.ErrLocked) {
		return fmt.Errorf("%w; notices diff reads the database file, so run it while the server is stopped, or on a backup (`rightsdesk backup --server HOST:PORT --token TOKEN --out DIR/rightsdesk.db`, then --data DIR)", err)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	a, b, changes, err := work.Diff(ctx, ids[0], *from, *to)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"id": ids[0], "from": a.Number, "to": b.Number, "changes": changes})
	}
	fmt.Fprintf(stdout, "notices/%s: version %d (in force from %s) → version %d (in force from %s)\n", ids[0], a.Number, a.EffectiveFrom, b.Number, b.EffectiveFrom)
	if len(changes) == 0 {
		fmt.Fprintln(stdout, "No differences.")
	}
	for _, c := range changes {
		switch {
		case c.Before == "":
			fmt.Fprintf(stdout, "+ %s: %s\n", c.Field, oneLine(c.After))
		case c.After == "":
			fmt.Fprintf(stdout, "- %s: %s\n", c.Field, oneLine(c.Before))
		default:
			fmt.Fprintf(stdout, "~ %s: %s → %s\n", c.Field, oneLine(c.Before), oneLine(c.After))
		}
	}
	return nil
}
