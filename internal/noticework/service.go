package noticework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/importer"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var _ usecase.Notices = (*Service)(nil)

// Service runs notice imports and queries.
type Service struct {
	store   *store.Store
	clock   clock.Clock
	builtin []notice.Notice
}

// New returns a Service. builtin are the catalogue's notices, read as if
// stored when the store does not have them yet: the server seeds them at
// start, but an offline command may run against a data directory no server
// has opened.
func New(st *store.Store, c clock.Clock, builtin []notice.Notice) *Service {
	return &Service{store: st, clock: c, builtin: builtin}
}

// today is the UK calendar date, the one a notice takes effect on and a
// retention date passes on.
func (s *Service) today() string {
	return cases.Env{Now: s.clock.Now()}.Today().String()
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Import reads a document and, unless req.ValidateOnly, stores it as the
// notice's next version in one transaction. Identical content stores
// nothing. A draft the store would refuse is an error when storing and a
// lint finding when only validating, so a preview always shows the draft.
func (s *Service) Import(ctx context.Context, req usecase.ImportRequest) (*usecase.ImportResult, error) {
	draft, err := s.read(req)
	if err != nil {
		return nil, err
	}
	if req.ID == "" {
		if err := s.identify(ctx, draft, req.ValidateOnly); err != nil {
			return nil, err
		}
	}
	res := &usecase.ImportResult{Draft: draft}
	stage := func(tx store.ReadTx) error {
		n, err := s.load(tx, draft.ID)
		if errors.Is(err, store.ErrNotFound) {
			n, err = &notice.Notice{ID: draft.ID}, nil
		}
		if err != nil {
			return err
		}
		return stage(res, n, draft.Version, req.ValidateOnly)
	}
	if req.ValidateOnly {
		err = s.store.View(ctx, stage)
	} else {
		err = s.store.Update(ctx, func(tx store.WriteTx) error {
			if err := stage(tx); err != nil || !res.Created {
				return err
			}
			if err := s.admit(res, req); err != nil {
				return err
			}
			if err := store.PutNotice(tx, res.Notice); err != nil {
				return err
			}
			return store.AppendEvent(tx, versionAdded(res, req, s.clock.Now().UTC()), nil)
		})
	}
	if err != nil {
		return nil, err
	}
	res.Findings = lint.Check(res.Version, lint.Options{Today: s.today()})
	return res, nil
}

// admit checks, before a new version is stored, what the request asked to
// be sure of: that it is the version the preview showed, and, with
// RefuseLintErrors, that lint finds no error in it.
func (s *Service) admit(res *usecase.ImportResult, req usecase.ImportRequest) error {
	if req.ExpectVersion != 0 && res.Version.Number != req.ExpectVersion {
		return &fault.Conflict{Subject: "notices/" + res.Notice.ID, CurrentEtag: strconv.Itoa(res.Version.Number - 1)}
	}
	if !req.RefuseLintErrors {
		return nil
	}
	var errs []string
	for _, f := range lint.Check(res.Version, lint.Options{Today: s.today()}) {
		if f.Severity == lint.Error {
			errs = append(errs, f.Message)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &fault.FailedPrecondition{Subject: "notices/" + res.Notice.ID,
		Description: fmt.Sprintf("lint found %d error(s) in the draft, so it was not stored: %s", len(errs), strings.Join(errs, " "))}
}

// versionAdded is the audit event of a new notice version: which version,
// from when, read from which document and whose content hash, so the chain
// can show which text was in force when a case was received.
func versionAdded(res *usecase.ImportResult, req usecase.ImportRequest, now time.Time) *audit.Event {
	sum := sha256.Sum256(req.Content)
	return &audit.Event{
		CaseID: audit.NoticeSubject(res.Notice.ID), Time: now, Actor: req.Actor, Action: "notice.version_added",
		After: map[string]string{
			"version": strconv.Itoa(res.Version.Number), "effective_from": res.Version.EffectiveFrom,
			"title": res.Version.Title, "document": req.Document, "content_sha256": hex.EncodeToString(sum[:]),
		},
	}
}

func (s *Service) read(req usecase.ImportRequest) (*importer.Draft, error) {
	if req.ID != "" && !idPattern.MatchString(req.ID) {
		return nil, fault.Invalid("notice_id", "%q is not a notice id: use 1 to 63 lower-case letters, digits and hyphens, starting with a letter or digit", req.ID)
	}
	if _, err := time.Parse(time.DateOnly, req.EffectiveFrom); req.EffectiveFrom != "" && err != nil {
		return nil, fault.Invalid("effective_from", "%q is not a date (YYYY-MM-DD)", req.EffectiveFrom)
	}
	draft, err := importer.Parse(req.Content, importer.Options{
		Format: req.Format, ID: req.ID, Document: req.Document, Today: s.today(), EffectiveFrom: req.EffectiveFrom,
	})
	if err != nil {
		return nil, fault.Invalid("content", "%v", err)
	}
	return draft, nil
}

// identify settles the id of a draft read without one. A notice already
// known — stored or built in — that the draft resembles by title,
// controller and content is the one it is a version of, whatever id its
// title would give; otherwise the derived id stands, numbered on when an
// unrelated notice has it. A preview of a document with no title, service
// or controller still shows its draft.
func (s *Service) identify(ctx context.Context, draft *importer.Draft, validateOnly bool) error {
	all, err := s.All(ctx)
	if err != nil {
		return err
	}
	if id, resemblance := notice.Recognise(&draft.Version, all); id != "" {
		if id != draft.ID {
			draft.Notes = append(draft.Notes, fmt.Sprintf(
				"Recognised as notice %q (resemblance %.2f by title, controller and content), so it is read as that notice's next version; give an id (--id) to import it as another notice.", id, resemblance))
		}
		draft.ID = id
		return nil
	}
	switch {
	case draft.ID == "" && validateOnly:
		draft.ID = "untitled-notice"
		draft.Notes = append(draft.Notes, "The document gives no title, service or controller to derive an id from, so the preview calls it untitled-notice; give an id (--id) to store it.")
		return nil
	case draft.ID == "":
		return fault.Invalid("notice_id", "the document has no title, service or controller to derive a notice id from; give one")
	}
	taken := func(id string) bool {
		return slices.ContainsFunc(all, func(n notice.Notice) bool { return n.ID == id })
	}
	if !taken(draft.ID) {
		return nil
	}
	base := draft.ID
	for n := 2; taken(draft.ID); n++ {
		draft.ID = fmt.Sprintf("%s-%d", base[:min(len(base), 60)], n)
	}
	draft.Notes = append(draft.Notes, fmt.Sprintf(
		"Notice %q already exists and this document does not resemble it, so it is read as a new notice, %q; give --id %s to import it as that notice's next version instead.", base, draft.ID, base))
	return nil
}

// stage decides what the draft is against the notice as it stands: the
// current version unchanged, or the next version (added to the notice when
// storing).
func stage(r *usecase.ImportResult, n *notice.Notice, v notice.Version, validateOnly bool) error {
	r.Notice, r.Created, r.Unchanged = n, false, false // a batched Update may run this again
	next, changed, err := n.NextVersion(v)
	var invalid *fault.InvalidArgument
	switch {
	case errors.As(err, &invalid) && validateOnly:
		v.Number = nextNumber(n)
		r.Version = &v
		return nil
	case errors.As(err, &invalid):
		return fault.Invalid("content", "the notice read from the document cannot be stored (%s); import it with validate_only (--dry-run) to see the draft and its lint findings",
			invalid.Violations[0].Description)
	case err != nil:
		return err
	case !changed:
		r.Version, r.Unchanged = n.Current(), true
	case validateOnly:
		r.Version = &next
	default:
		n.Versions = append(n.Versions, next)
		r.Version, r.Created = n.Current(), true
	}
	return nil
}

func nextNumber(n *notice.Notice) int {
	if len(n.Versions) == 0 {
		return 1
	}
	return n.Current().Number + 1
}

// load reads a notice from the store, or the catalogue's copy of one the
// store does not have yet.
func (s *Service) load(tx store.ReadTx, id string) (*notice.Notice, error) {
	n, err := store.GetNotice(tx, id)
	if !errors.Is(err, store.ErrNotFound) {
		return n, err
	}
	for _, b := range s.builtin {
		if b.ID == id {
			c := b
			c.Versions = slices.Clone(b.Versions)
			return &c, nil
		}
	}
	return nil, err
}

// Notice reads a notice and one of its versions (0 for the current one).
func (s *Service) Notice(ctx context.Context, id string, version int) (n *notice.Notice, v *notice.Version, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		n, err = s.load(tx, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, &fault.NotFound{Resource: "notice", Name: "notices/" + id, Detail: "list the notices with `rightsdesk notices list` or GET /v1/notices"}
	}
	if err != nil {
		return nil, nil, err
	}
	if version == 0 {
		return n, n.Current(), nil
	}
	v, ok := n.Version(version)
	if !ok {
		return nil, nil, &fault.NotFound{Resource: "notice version", Name: fmt.Sprintf("notices/%s version %d", id, version), Detail: fmt.Sprintf("this notice has versions 1 to %d", n.Current().Number)}
	}
	return n, v, nil
}

// Lint checks one version (0 for the current one) of a notice.
func (s *Service) Lint(ctx context.Context, id string, version int) (*notice.Version, []lint.Finding, error) {
	_, v, err := s.Notice(ctx, id, version)
	if err != nil {
		return nil, nil, err
	}
	return v, lint.Check(v, lint.Options{Today: s.today()}), nil
}

// List returns up to limit notices, stored or built in, with ids after the
// given id, in id order, and whether more follow.
func (s *Service) List(ctx context.Context, after string, limit int) (page []notice.Notice, more bool, err error) {
	all, err := s.All(ctx)
	if err != nil {
		return nil, false, err
	}
	start, _ := slices.BinarySearchFunc(all, after, func(n notice.Notice, id string) int {
		if n.ID <= id {
			return -1
		}
		return 1
	})
	page = all[start:]
	if len(page) > limit {
		return page[:limit], true, nil
	}
	return page, false, nil
}

// All returns every notice, stored or built in, in id order; there are
// tens, not thousands.
func (s *Service) All(ctx context.Context) ([]notice.Notice, error) {
	var all []notice.Notice
	err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
		all, err = store.AllNotices(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, b := range s.builtin {
		if !slices.ContainsFunc(all, func(n notice.Notice) bool { return n.ID == b.ID }) {
			all = append(all, b)
		}
	}
	slices.SortFunc(all, func(a, b notice.Notice) int { return strings.Compare(a.ID, b.ID) })
	return all, nil
}

// Evaluate answers, for one version (0 for the current one) of a notice and
// one of its processing contexts ("" for the whole notice), whether each of
// rights (every right when none are named) is available and why.
func (s *Service) Evaluate(ctx context.Context, id string, version int, contextID string, rights []notice.Right) (*notice.Version, []notice.Evaluation, error) {
	_, v, err := s.Notice(ctx, id, version)
	if err != nil {
		return nil, nil, err
	}
	evaluations, err := notice.Evaluate(v, contextID)
	var unknown *notice.UnknownContextError
	if errors.As(err, &unknown) {
		return nil, nil, fault.Invalid("context", "%s", unknown.Error())
	}
	if err != nil {
		return nil, nil, err
	}
	if len(rights) > 0 {
		evaluations = slices.DeleteFunc(evaluations, func(e notice.Evaluation) bool { return !slices.Contains(rights, e.Right) })
	}
	return v, evaluations, nil
}

// LintAll checks the current version of every notice, stored or built in,
// in id order.
func (s *Service) LintAll(ctx context.Context) ([]usecase.Linted, error) {
	all, err := s.All(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	out := make([]usecase.Linted, len(all))
	for i := range all {
		v := all[i].Current()
		out[i] = usecase.Linted{ID: all[i].ID, Version: v, Findings: lint.Check(v, lint.Options{Today: today})}
	}
	return out, nil
}

// DiffDraft compares a draft with the current version of notice id,
// storing nothing: what saving the draft would change. current and the
// changes are nil when there is no such notice yet.
func (s *Service) DiffDraft(ctx context.Context, id string, draft *notice.Version) (current *notice.Version, changes []notice.Change, err error) {
	_, current, err = s.Notice(ctx, id, 0)
	var missing *fault.NotFound
	if errors.As(err, &missing) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return current, notice.Diff(current, draft), nil
}

// Diff compares two versions of a notice; from 0 means the version before
// to, and to 0 means the current version.
func (s *Service) Diff(ctx context.Context, id string, from, to int) (a, b *notice.Version, changes []notice.Change, err error) {
	_, b, err = s.Notice(ctx, id, to)
	if err != nil {
		return nil, nil, nil, err
	}
	if from == 0 {
		if b.Number == 1 {
			return nil, nil, nil, &fault.FailedPrecondition{Subject: "notices/" + id,
				Description: fmt.Sprintf("notices/%s version 1 is its first version, so there is nothing to compare it with; import a changed document to make a second", id)}
		}
		from = b.Number - 1
	}
	if _, a, err = s.Notice(ctx, id, from); err != nil {
		return nil, nil, nil, err
	}
	return a, b, notice.Diff(a, b), nil
}
