package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/notice/importer"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/noticework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

func runNoticesList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices list", stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "gRPC address of a running server")
	asJSON := fs.Bool("json", false, "print the notices as JSON, one per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	notices, err := listAllNotices(ctx, rdv1.NewNoticeServiceClient(conn))
	if err != nil {
		return fmt.Errorf("cannot list notices from %s (is `rightsdesk serve` running?): %w", *addr, err)
	}
	if *asJSON {
		for _, n := range notices {
			fmt.Fprintln(stdout, protojson.Format(n))
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tEFFECTIVE FROM\tTITLE")
	for _, n := range notices {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", n.GetName()[len("notices/"):], n.GetVersion(), n.GetEffectiveFrom(), n.GetTitle())
	}
	return tw.Flush()
}

func listAllNotices(ctx context.Context, client rdv1.NoticeServiceClient) ([]*rdv1.Notice, error) {
	var all []*rdv1.Notice
	req := &rdv1.ListNoticesRequest{PageSize: 100}
	for {
		resp, err := client.ListNotices(ctx, req, grpc.WaitForReady(false))
		if err != nil {
			return nil, err
		}
		all = append(all, resp.GetNotices()...)
		if resp.GetNextPageToken() == "" {
			return all, nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
}

// The import, lint and diff commands work on the database directly, so they
// run while the server is stopped; while it runs, use the API instead.

func openNotices(ctx context.Context, dataDir string) (*noticework.Service, *store.Store, error) {
	builtin, err := catalogue.Builtin()
	if err != nil {
		return nil, nil, fmt.Errorf("built-in catalogue: %w", err)
	}
	st, err := openStore(ctx, dataDir)
	if errors.Is(err, bolt.ErrLocked) {
		return nil, nil, fmt.Errorf("%w; while it runs, use the API (POST /v1/notices:import, GET /v1/notices/ID:lint)", err)
	}
	if err != nil {
		return nil, nil, err
	}
	return noticework.New(st, clock.System{}, builtin), st, nil
}

func runNoticesImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices import", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	id := fs.String("id", "", "id of the notice this document is a version of (default: derived from its title)")
	format := fs.String("format", "auto", "text, markdown, html or auto")
	effective := fs.String("effective-from", "", "date (YYYY-MM-DD) the version applies from, overriding the document's own date")
	dryRun := fs.Bool("dry-run", false, "read and check the document, store nothing")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	flags, files := splitPositional(fs, args)
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "usage: rightsdesk notices import FILE [--id ID] [--format auto|text|markdown|html] [--effective-from DATE] [--dry-run] [--json] [--data DIR]")
		return errUsage
	}
	f, err := importer.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	content, err := readBounded(files[0], importer.MaxInput)
	if err != nil {
		return err
	}
	work, st, err := openNotices(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := work.Import(ctx, usecase.ImportRequest{
		Content: content, Format: f, ID: *id, Document: filepath.Base(files[0]), EffectiveFrom: *effective, ValidateOnly: *dryRun,
		Actor: cliActor(),
	})
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(importJSON(res))
	}
	printImport(stdout, files[0], *dryRun, res)
	return nil
}

// importJSON is the --json shape of an import: the version as stored (or
// as it would be), with the evidence for it.
func importJSON(res *usecase.ImportResult) any {
	return struct {
		ID        string              `json:"id"`
		Format    importer.Format     `json:"format"`
		Created   bool                `json:"created"`
		Unchanged bool                `json:"unchanged"`
		Version   *notice.Version     `json:"version"`
		Findings  []lint.Finding      `json:"findings"`
		Facts     []importer.Fact     `json:"facts"`
		Unplaced  []importer.Unplaced `json:"unplaced"`
		Notes     []string            `json:"notes"`
	}{res.Draft.ID, res.Draft.Format, res.Created, res.Unchanged, res.Version, res.Findings, res.Draft.Facts, res.Draft.Unplaced, res.Draft.Notes}
}

func printImport(w io.Writer, file string, dryRun bool, res *usecase.ImportResult) {
	v, d := res.Version, res.Draft
	fmt.Fprintf(w, "Read %s as %s: notice %q, %q\n", file, d.Format, d.ID, v.Title)
	switch {
	case res.Unchanged:
		fmt.Fprintf(w, "Unchanged: the content is version %d's (in force from %s); nothing stored.\n", v.Number, v.EffectiveFrom)
	case dryRun:
		fmt.Fprintf(w, "Would be version %d, in force from %s (--dry-run: nothing stored).\n", v.Number, v.EffectiveFrom)
	default:
		fmt.Fprintf(w, "Stored as version %d, in force from %s.\n", v.Number, v.EffectiveFrom)
	}
	printDraft(w, &d.Version)
	printFindings(w, "", res.Findings)
	fmt.Fprintln(w, "\nProvenance:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range d.Facts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%.1f\n", lines(f.Provenance), f.Field, oneLine(f.Value), f.Provenance.Confidence)
	}
	_ = tw.Flush()
	if len(d.Unplaced) > 0 {
		fmt.Fprintln(w, "\nNot placed (kept with the version as extra):")
		for _, u := range d.Unplaced {
			fmt.Fprintf(w, "  %s  %s\n", lines(notice.Provenance{Line: u.Line, EndLine: u.EndLine}), oneLine(u.Text))
		}
	}
	for _, n := range d.Notes {
		fmt.Fprintln(w, "Note: "+n)
	}
}

func printDraft(w io.Writer, v *notice.Version) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, p := range []struct {
		label string
		party *notice.Party
	}{{"Controller", &v.Controller}, {"DPO", &v.DPO}, {"Privacy team", v.PrivacyTeam}, {"Complaints", &v.ComplaintAuthority}} {
		if p.party != nil && *p.party != (notice.Party{}) {
			fmt.Fprintf(tw, "%s:\t%s\n", p.label, partyLine(p.party))
		}
	}
	for _, c := range v.Contexts {
		basis := notice.BasisLabel(c.Basis)
		if c.Special != nil {
			basis += "; special category data (" + strings.Join(c.Special.Categories, ", ") + "), condition: " + orDash(c.Special.Condition)
		}
		fmt.Fprintf(tw, "Context %s:\t%s — %s\t%s\n", c.ID, c.Name, basis, lines(c.Provenance))
	}
	for _, r := range v.Rights {
		fmt.Fprintf(tw, "Right:\t%s\t%s\n", rightLine(r), lines(r.Provenance))
	}
	for _, r := range v.Recipients {
		fmt.Fprintf(tw, "Recipient:\t%s (%s)\t%s\n", r.Name, r.Kind, lines(r.Provenance))
	}
	for _, r := range v.Retention {
		fmt.Fprintf(tw, "Retention:\t%s\t%s\n", oneLine(r.Description), lines(r.Provenance))
	}
	for _, t := range v.Transfers {
		fmt.Fprintf(tw, "Transfer:\t%s, %s\t%s\n", t.Destination, orDash(t.Safeguard), lines(t.Provenance))
	}
	_ = tw.Flush()
}

func partyLine(p *notice.Party) string {
	var parts []string
	for _, s := range []string{p.Name, p.Address, p.Email, p.Phone, p.Web} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

func rightLine(r notice.DeclaredRight) string {
	s := string(r.Right)
	if r.ScopeText != "" {
		s += " " + r.ScopeText
	}
	if len(r.Scope) > 0 {
		s += " [" + strings.Join(r.Scope, ", ") + "]"
	}
	if r.Qualifier != notice.QualifierNone {
		s += " (" + string(r.Qualifier) + ")"
	}
	if r.Channel != nil {
		s += "; " + r.Channel.Description
	}
	return s
}

func lines(p notice.Provenance) string {
	switch {
	case p.Line == 0:
		return ""
	case p.EndLine > p.Line:
		return fmt.Sprintf("L%d-%d", p.Line, p.EndLine)
	}
	return fmt.Sprintf("L%d", p.Line)
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func printFindings(w io.Writer, indent string, findings []lint.Finding) {
	if len(findings) == 0 {
		fmt.Fprintln(w, indent+"Lint: no findings.")
		return
	}
	fmt.Fprintf(w, "%sLint: %d finding(s):\n", indent, len(findings))
	for _, f := range findings {
		at := lines(f.Provenance)
		if at != "" {
			at = " at " + at
		}
		fmt.Fprintf(w, "%s  %s %s (%s%s): %s\n", indent, f.Severity, f.Code, f.Subject, at, f.Message)
	}
}

// errLintErrors ends `notices lint` with status 1 when a finding is an
// error, so scripts and CI can stop on it.
var errLintErrors = errors.New("the notices have findings of error severity")

func runNoticesLint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices lint", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
	version := fs.Int("version", 0, "version to check (default: the current one); needs an ID")
	asJSON := fs.Bool("json", false, "print one JSON object per notice, one per line")
	flags, ids := splitPositional(fs, args)
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	if len(ids) > 1 || *version < 0 || *version > 0 && len(ids) == 0 {
		fmt.Fprintln(stderr, "usage: rightsdesk notices lint [ID [--version N]] [--json] [--data DIR]   (every notice's current version without an ID)")
		return errUsage
	}
	work, st, err := openNotices(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	var linted []usecase.Linted
	if len(ids) == 1 {
		v, findings, err := work.Lint(ctx, ids[0], *version)
		if err != nil {
			return err
		}
		linted = []usecase.Linted{{ID: ids[0], Version: v, Findings: findings}}
	} else if linted, err = work.LintAll(ctx); err != nil {
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

func runNoticesDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices diff", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", dataFlagUsage)
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
	work, st, err := openNotices(ctx, *dataDir)
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

// cliActor names whoever runs an offline command in the audit trail: the
// operating-system account, as nothing else is known about them.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}
