package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"unicode/utf8"

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
