package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/importer"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

func runNoticesImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices import", stderr)
	fields := map[string]string{"notice_id": "--id", "validate_only": "--dry-run"}
	where := addTarget(fs, targetOptions{need: auth.RoleAdmin, dataUsage: dataFlagUsage, fields: fields})
	id := fs.String("id", "", "id of the notice this document is a version of (default: derived from its title)")
	format := fs.String("format", "auto", "text, markdown, html or auto")
	effective := fs.String("effective-from", "", "date (YYYY-MM-DD) the version applies from, overriding the document's own date")
	dryRun := fs.Bool("dry-run", false, "read and check the document, store nothing")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	files, err := where.splitParse(args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "usage: rightsdesk notices import FILE [--id ID] [--format auto|text|markdown|html] [--effective-from DATE] [--dry-run] [--json] [--server HOST:PORT --token ADMIN_TOKEN | --data DIR]")
		return errUsage
	}
	fields["content"] = files[0]
	f, err := importer.ParseFormat(*format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	limit := int64(importer.MaxInput)
	if where.remote {
		limit = maxImportRPC
	}
	content, err := readBounded(files[0], limit)
	if err != nil {
		return err
	}
	// A dry run stores nothing, so it opens the file read-only, or, where
	// there is no database yet, reads against the built-in catalogue alone.
	book, err := openNoticeBook(ctx, where, !*dryRun)
	if *dryRun && errors.Is(err, bolt.ErrNoDatabase) {
		fmt.Fprintf(stderr, "No database in %s: the draft is compared with the built-in catalogue only.\n", where.data)
		book, err = scratchNoticeBook(ctx)
	}
	if err != nil {
		return err
	}
	defer book.Close()
	res, err := book.Import(ctx, usecase.ImportRequest{
		Content: content, Format: f, ID: *id, Document: filepath.Base(files[0]), EffectiveFrom: *effective, ValidateOnly: *dryRun,
		Actor: cliActor(),
	})
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], asFieldErrors(err, fields))
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
