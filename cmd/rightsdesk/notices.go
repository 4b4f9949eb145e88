package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/auth"
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
	where := addTarget(fs, targetOptions{need: auth.RolePublic, defaultServer: "127.0.0.1:9090", addrAlias: true})
	asJSON := fs.Bool("json", false, "print the notices as JSON, one per line")
	if err := where.parse(args); err != nil {
		return err
	}
	c, err := where.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	notices, err := listAllNotices(ctx, c.notices())
	if err != nil {
		return c.explain(err)
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
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", noticeID(n), n.GetVersion(), n.GetEffectiveFrom(), n.GetTitle())
	}
	return tw.Flush()
}

func listAllNotices(ctx context.Context, client rdv1.NoticeServiceClient) ([]*rdv1.Notice, error) {
	return allPages(func(page string) ([]*rdv1.Notice, string, error) {
		resp, err := client.ListNotices(ctx, &rdv1.ListNoticesRequest{PageSize: 100, PageToken: page})
		return resp.GetNotices(), resp.GetNextPageToken(), err
	})
}

func noticeID(n *rdv1.Notice) string { return strings.TrimPrefix(n.GetName(), "notices/") }

// The import and lint commands work on a running server through its API
// (--server) or, while it is stopped, on the database file (--data); diff
// has no RPC, so it reads the file.

// noticeBook reads, stores and checks notices: noticework.Service on the
// database file (localNotices), or a running server's NoticeService
// (remoteNotices), which answers in the same types.
type noticeBook interface {
	Import(ctx context.Context, req usecase.ImportRequest) (*usecase.ImportResult, error)
	Lint(ctx context.Context, id string, version int) (*notice.Version, []lint.Finding, error)
	LintAll(ctx context.Context) ([]usecase.Linted, error)
	Close() error
}

// openNoticeBook opens the notices the command line names; write is false
// for lint, which then opens the file read-only.
func openNoticeBook(ctx context.Context, t *target, write bool) (noticeBook, error) {
	if t.remote {
		c, err := t.dial()
		if err != nil {
			return nil, err
		}
		return remoteNotices{c}, nil
	}
	work, st, err := openNotices(ctx, t.data, write)
	if errors.Is(err, bolt.ErrLocked) {
		return nil, fmt.Errorf("%w; while it runs, use --server HOST:PORT --token TOKEN (or the API: POST /v1/notices:import, GET /v1/notices/ID:lint)", err)
	}
	if err != nil {
		return nil, err
	}
	return localNotices{Service: work, st: st, cleanup: func() error { return nil }}, nil
}

type localNotices struct {
	*noticework.Service
	st *store.Store
	// cleanup removes what the book made for itself (a scratch database).
	cleanup func() error
}

func (l localNotices) Close() error { return errors.Join(l.st.Close(), l.cleanup()) }

// scratchNoticeBook is a notice book on an empty database in a temporary
// directory, removed when the book closes, for a dry run where there is
// no database to read.
func scratchNoticeBook(ctx context.Context) (noticeBook, error) {
	dir, err := os.MkdirTemp("", "rightsdesk-dry-run-")
	if err != nil {
		return nil, err
	}
	work, st, err := openNotices(ctx, dir, true)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return localNotices{Service: work, st: st, cleanup: func() error { return os.RemoveAll(dir) }}, nil
}

// openNotices opens the notices in the database file, read-only unless
// write.
func openNotices(ctx context.Context, dataDir string, write bool) (*noticework.Service, *store.Store, error) {
	builtin, err := catalogue.Builtin()
	if err != nil {
		return nil, nil, fmt.Errorf("built-in catalogue: %w", err)
	}
	open := openStoreReadOnly
	if write {
		open = openStore
	}
	st, err := open(ctx, dataDir)
	if err != nil {
		return nil, nil, err
	}
	return noticework.New(st, clock.System{}, builtin), st, nil
}

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

// cliActor names whoever runs an offline command in the audit trail: the
// operating-system account, as nothing else is known about them.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

// maxImportRPC is the largest document ImportNotice takes (its content
// field's limit).
const maxImportRPC = 1 << 20

// remoteNotices reads, stores and checks notices through a running
// server's NoticeService.
type remoteNotices struct{ c *client }

func (r remoteNotices) Close() error { return r.c.Close() }

func (r remoteNotices) Import(ctx context.Context, req usecase.ImportRequest) (*usecase.ImportResult, error) {
	if !utf8.Valid(req.Content) {
		return nil, errors.New("not UTF-8 text, which the API needs: convert it (e.g. iconv -t UTF-8), or import it with --data while the server is stopped")
	}
	resp, err := r.c.notices().ImportNotice(ctx, &rdv1.ImportNoticeRequest{
		Content:       string(req.Content),
		Format:        enumFromDomain[rdv1.NoticeFormat](rdv1.NoticeFormat_value, "NOTICE_FORMAT_", string(req.Format)),
		NoticeId:      req.ID,
		ValidateOnly:  req.ValidateOnly,
		EffectiveFrom: req.EffectiveFrom,
		Document:      req.Document,
	})
	if err != nil {
		return nil, r.c.explain(err)
	}
	n, v := noticeFromProto(resp.GetNotice())
	draft := &importer.Draft{ID: n.ID, Format: importer.Format(enumToDomain(resp.GetFormat(), "NOTICE_FORMAT_")), Version: *v, Notes: resp.GetNotes()}
	for _, f := range resp.GetFacts() {
		draft.Facts = append(draft.Facts, importer.Fact{Field: f.GetField(), Value: f.GetValue(), Provenance: provenanceFromProto(f.GetProvenance())})
	}
	for _, u := range resp.GetUnplaced() {
		draft.Unplaced = append(draft.Unplaced, importer.Unplaced{Section: u.GetSection(), Line: int(u.GetLine()), EndLine: int(u.GetEndLine()), Text: u.GetText()})
	}
	return &usecase.ImportResult{
		Draft: draft, Notice: n, Version: v, Created: resp.GetCreated(), Unchanged: resp.GetUnchanged(),
		Findings: findingsFromProto(resp.GetFindings()),
	}, nil
}

// Lint reads the version (for its title) and has the server check it.
func (r remoteNotices) Lint(ctx context.Context, id string, version int) (*notice.Version, []lint.Finding, error) {
	n, err := r.c.notices().GetNotice(ctx, &rdv1.GetNoticeRequest{Name: "notices/" + id, Version: int32(version)})
	if err != nil {
		return nil, nil, r.c.explain(err)
	}
	return r.lint(ctx, n)
}

// LintAll lists the notices, then has the server check each one's current
// version.
func (r remoteNotices) LintAll(ctx context.Context) ([]usecase.Linted, error) {
	all, err := listAllNotices(ctx, r.c.notices())
	if err != nil {
		return nil, r.c.explain(err)
	}
	out := make([]usecase.Linted, len(all))
	for i, n := range all {
		v, findings, err := r.lint(ctx, n)
		if err != nil {
			return nil, err
		}
		out[i] = usecase.Linted{ID: noticeID(n), Version: v, Findings: findings}
	}
	return out, nil
}

func (r remoteNotices) lint(ctx context.Context, n *rdv1.Notice) (*notice.Version, []lint.Finding, error) {
	resp, err := r.c.notices().LintNotice(ctx, &rdv1.LintNoticeRequest{Name: n.GetName(), Version: n.GetVersion()})
	if err != nil {
		return nil, nil, r.c.explain(err)
	}
	_, v := noticeFromProto(n)
	return v, findingsFromProto(resp.GetFindings()), nil
}

// The API spells enum values with the enum's prefix (LAWFUL_BASIS_PUBLIC_TASK),
// the domain in lower snake case (public_task), as internal/server converts.

func enumToDomain[E interface {
	~int32
	String() string
}](e E, prefix string) string {
	if e == 0 {
		return ""
	}
	return strings.ToLower(strings.TrimPrefix(e.String(), prefix))
}

func enumFromDomain[E ~int32](values map[string]int32, prefix, domain string) E {
	if domain == "" {
		return 0
	}
	return E(values[prefix+strings.ToUpper(domain)])
}

// noticeFromProto is the notice and the version the API message shows,
// as the domain holds them, so both modes print through the same code.
// The notice lists only its versions' numbers and dates.
func noticeFromProto(p *rdv1.Notice) (*notice.Notice, *notice.Version) {
	v := &notice.Version{
		Number: int(p.GetVersion()), EffectiveFrom: p.GetEffectiveFrom(), Title: p.GetTitle(), Summary: p.GetSummary(),
		Source: notice.Source{
			Kind: p.GetSource().GetKind(), Document: p.GetSource().GetDocument(), Published: p.GetSource().GetPublished(),
			Updated: p.GetSource().GetUpdated(), Digest: p.GetSource().GetDigest(),
		},
		Controller: partyFromProto(p.GetController()), DPO: partyFromProto(p.GetDpo()),
		ComplaintAuthority: partyFromProto(p.GetComplaintAuthority()), Extra: p.GetExtra(),
	}
	if p.GetPrivacyTeam() != nil {
		team := partyFromProto(p.GetPrivacyTeam())
		v.PrivacyTeam = &team
	}
	for _, a := range p.GetAudiences() {
		v.Audiences = append(v.Audiences, notice.Audience{
			ID: a.GetId(), Label: a.GetLabel(), Role: notice.Role(enumToDomain(a.GetRole(), "CONTROLLER_ROLE_")),
			Controller: partyFromProto(a.GetController()), Provenance: provenanceFromProto(a.GetProvenance()),
		})
	}
	for _, c := range p.GetContexts() {
		ctx := notice.Context{
			ID: c.GetId(), Name: c.GetDisplayName(), Purposes: c.GetPurposes(), DataCategories: c.GetDataCategories(),
			Basis:     notice.Basis(enumToDomain(c.GetLawfulBasis(), "LAWFUL_BASIS_")),
			Automated: c.GetAutomated(), SolelyAutomatedDecisions: c.GetSolelyAutomatedDecisions(),
			Provenance: provenanceFromProto(c.GetProvenance()),
		}
		if sc := c.GetSpecialCategory(); sc != nil {
			ctx.Special = &notice.SpecialCategory{Categories: sc.GetCategories(), Condition: sc.GetCondition()}
		}
		if co := c.GetCriminalOffenceData(); co != nil {
			ctx.Criminal = &notice.CriminalOffenceData{Condition: co.GetCondition()}
		}
		v.Contexts = append(v.Contexts, ctx)
	}
	for _, r := range p.GetRecipients() {
		v.Recipients = append(v.Recipients, notice.Recipient{Name: r.GetDisplayName(), Kind: r.GetKind(), Scope: r.GetScope(), Provenance: provenanceFromProto(r.GetProvenance())})
	}
	for _, r := range p.GetRetention() {
		v.Retention = append(v.Retention, notice.RetentionRule{
			Scope: r.GetScope(), Description: r.GetDescription(), Months: int(r.GetMonths()), After: r.GetAfter(), Until: r.GetUntil(),
			ReviewEvery: int(r.GetReviewMonths()), Days: int(r.GetDays()), Provenance: provenanceFromProto(r.GetProvenance()),
		})
	}
	for _, t := range p.GetTransfers() {
		v.Transfers = append(v.Transfers, notice.Transfer{Destination: t.GetDestination(), Safeguard: t.GetSafeguard(), Provenance: provenanceFromProto(t.GetProvenance())})
	}
	for _, r := range p.GetRights() {
		d := notice.DeclaredRight{
			Right: notice.Right(enumToDomain(r.GetRight(), "RIGHT_")), Scope: r.GetScope(), ScopeText: r.GetScopeText(), Completion: r.GetCompletion(),
			Qualifier: notice.Qualifier(enumToDomain(r.GetQualifier(), "QUALIFIER_")), QualifierText: r.GetQualifierText(),
			Provenance: provenanceFromProto(r.GetProvenance()),
		}
		if ch := r.GetChannel(); ch != nil {
			d.Channel = &notice.Channel{Kind: notice.ChannelKind(enumToDomain(ch.GetKind(), "CHANNEL_KIND_")), Address: ch.GetAddress(), Description: ch.GetDescription()}
		}
		v.Rights = append(v.Rights, d)
	}
	if ch := p.GetChildren(); ch != nil {
		v.Children = &notice.ChildrenPolicy{NotKnowinglyUnder: int(ch.GetNotKnowinglyUnder()), Provenance: provenanceFromProto(ch.GetProvenance())}
	}
	n := &notice.Notice{ID: noticeID(p)}
	for _, ref := range p.GetVersions() {
		n.Versions = append(n.Versions, notice.Version{Number: int(ref.GetVersion()), EffectiveFrom: ref.GetEffectiveFrom()})
	}
	return n, v
}

func partyFromProto(p *rdv1.Party) notice.Party {
	return notice.Party{Name: p.GetName(), Address: p.GetAddress(), Email: p.GetEmail(), Phone: p.GetPhone(), Web: p.GetWeb()}
}

func provenanceFromProto(p *rdv1.Provenance) notice.Provenance {
	return notice.Provenance{Section: p.GetSection(), Line: int(p.GetLine()), EndLine: int(p.GetEndLine()), Confidence: p.GetConfidence()}
}

func findingsFromProto(findings []*rdv1.LintFinding) []lint.Finding {
	var out []lint.Finding // nil for none, as lint.Check returns
	for _, f := range findings {
		out = append(out, lint.Finding{
			Code: f.GetCode(), Severity: lint.Severity(enumToDomain(f.GetSeverity(), "LINT_SEVERITY_")),
			Message: f.GetMessage(), Subject: f.GetSubject(), Provenance: provenanceFromProto(f.GetProvenance()),
		})
	}
	return out
}
