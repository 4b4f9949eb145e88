package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// errLintErrors ends `notices lint` with status 1 when a finding is an
// error, so scripts and CI can stop on it.
var errLintErrors = errors.New("the notices have findings of error severity")

func runNoticesLint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices lint", stderr)
	where := addTarget(fs, targetOptions{need: auth.RoleViewer, dataUsage: "data directory of the database, opened read-only",
		fields: map[string]string{"name": "ID"}})
	version := fs.Int("version", 0, "version to check (default: the current one); needs an ID")
	asJSON := fs.Bool("json", false, "print one JSON object per notice, one per line")
	ids, err := where.splitParse(args)
	if err != nil {
		return err
	}
	if len(ids) > 1 || *version < 0 || *version > 0 && len(ids) == 0 {
		fmt.Fprintln(stderr, "usage: rightsdesk notices lint [ID [--version N]] [--json] [--server HOST:PORT --token TOKEN | --data DIR]   (every notice's current version without an ID)")
		return errUsage
	}
	book, err := openNoticeBook(ctx, where, false)
	if err != nil {
		return err
	}
	defer book.Close()
	var linted []usecase.Linted
	if len(ids) == 1 {
		v, findings, err := book.Lint(ctx, ids[0], *version)
		if err != nil {
			return err
		}
		linted = []usecase.Linted{{ID: ids[0], Version: v, Findings: findings}}
	} else if linted, err = book.LintAll(ctx); err != nil {
		return err
	}
	failed := false
	enc := json.NewEncoder(stdout)
	for _, l := range linted {
		failed = failed || lint.HasErrors(l.Findings)
		if *asJSON {
			if err := enc.Encode(map[string]any{"id": l.ID, "version": l.Version.Number, "findings": l.Findings}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(stdout, "%s version %d (%s):\n", l.ID, l.Version.Number, l.Version.Title)
		printFindings(stdout, "  ", l.Findings)
	}
	if failed {
		return errLintErrors
	}
	return nil
}
