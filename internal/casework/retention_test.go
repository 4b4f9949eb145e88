package casework_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// retentionFixture is a service whose clock the test moves, with a
// document store, and three cases of distinct requesters: one closed
// (with a document and a note), one closed and put on legal hold, one
// left open.
type retentionFixture struct {
	w                *casework.Service
	st               *store.Store
	docs             blob.Store
	clk              *clock.Manual
	dir              string
	closed, held, op *cases.Case
	email            string // the closed case's requester's
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func newRetentionFixture(t *testing.T, docs blob.Store) *retentionFixture {
	t.Helper()
	dir := t.TempDir()
	st := caseworktest.OpenStore(t, dir)
	notices, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddMissingNotices(ctx, st, notices); err != nil {
		t.Fatal(err)
	}
	if docs == nil {
		if docs, err = fsblob.Open(filepath.Join(t.TempDir(), "docs"), 0); err != nil {
			t.Fatal(err)
		}
	}
	clk := clock.NewManual(today)
	sch, err := cases.ParseSchedule("fulfilled=24m,withdrawn=12m")
	if err != nil {
		t.Fatal(err)
	}
	w := casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), clk, crand.Reader,
		casework.WithDocuments(docs), casework.RetentionSchedule(sch))
	f := &retentionFixture{w: w, st: st, docs: docs, clk: clk, dir: dir, email: "zq7purge@example.org"}
	mk := func(name, email string) (*cases.Case, string) {
		r := request(notice.RightAccess, "")
		r.Requester.Person = cases.Person{Name: name, Email: email}
		res, err := w.Create(ctx, "web:public", r)
		if err != nil {
			t.Fatal(err)
		}
		return res.Case, res.StatusToken
	}
	var code string
	f.closed, code = mk("Zed Purgeable", f.email)
	if _, err := w.Apply(ctx, "token:test", f.closed.ID, "", cases.RequestFromRequester{What: cases.WaitingForIdentity, On: "2026-02-23"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Reply(ctx, f.closed.Reference, code, "My passport.", []usecase.Upload{upload("passport.pdf", pdf)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Apply(ctx, "user:sam", f.closed.ID, "", cases.AddNote{Text: "Rang Zed Purgeable"}); err != nil {
		t.Fatal(err)
	}
	f.held, _ = mk("Yan Holdfast", "yan.held@example.org")
	f.op, _ = mk("Xia Stillopen", "xia.open@example.org")
	for _, c := range []*cases.Case{f.closed, f.held} {
		caseworktest.ReleasePack(t, w, c.ID)
		if _, err := w.Apply(ctx, "user:sam", c.ID, "", cases.Close{Outcome: cases.OutcomeFulfilled}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Apply(ctx, "user:admin", f.held.ID, "", cases.SetLegalHold{Held: true, Reason: "Tribunal claim pending"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// pastRetention moves the clock 25 months on: past the closed cases' 24.
func (f *retentionFixture) pastRetention() { f.clk.Advance(25 * 31 * 24 * time.Hour) }

func (f *retentionFixture) get(t *testing.T, id string) *cases.Case {
	t.Helper()
	c, err := f.w.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *retentionFixture) documents(t *testing.T) []string {
	t.Helper()
	var keys []string
	if err := f.docs.List(ctx, "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

// dashboardAsOfToday is the dashboard's figures over every case as of
// the fixture's first day, whose months the two closures fall in.
func (f *retentionFixture) dashboardAsOfToday(t *testing.T) report.Dashboard {
	t.Helper()
	b := report.NewBuilder(deadline.DateOf(today))
	if err := f.w.EachCase(ctx, func(c *cases.Case) error { b.Add(c); return nil }); err != nil {
		t.Fatal(err)
	}
	return b.Dashboard()
}

func refs(entries []usecase.RetentionEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Reference)
	}
	return out
}

func TestRetentionRunPurgesWhatThePlanSaysAndNothingElse(t *testing.T) {
	f := newRetentionFixture(t, nil)
	plan, err := f.w.RetentionPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Purge) != 0 || plan.Open != 1 || plan.Kept != 1 || !slices.Equal(refs(plan.Held), []string{f.held.Reference}) {
		t.Fatalf("plan before the period ends: purge %v held %v open %d kept %d", refs(plan.Purge), refs(plan.Held), plan.Open, plan.Kept)
	}
	before := f.dashboardAsOfToday(t)

	f.pastRetention()
	plan, err = f.w.RetentionPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refs(plan.Purge), []string{f.closed.Reference}) || !slices.Equal(refs(plan.Held), []string{f.held.Reference}) || plan.Open != 1 {
		t.Fatalf("plan past the period: purge %v held %v open %d", refs(plan.Purge), refs(plan.Held), plan.Open)
	}
	if e := plan.Purge[0]; e.Outcome != cases.OutcomeFulfilled || e.ClosedOn != "2026-03-02" || e.Due.String() != "2028-03-02" {
		t.Errorf("plan entry %+v: want fulfilled, closed 2026-03-02, due 2028-03-02", e)
	}

	run, err := f.w.RunRetention(ctx, f.st, casework.RetentionOptions{Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	if !run.Ran || run.Purged != len(plan.Purge) || run.Skipped != 0 || run.FilesRemoved != 1 {
		t.Errorf("run %+v; the plan listed %d to purge", run, len(plan.Purge))
	}
	purged := f.get(t, f.closed.ID)
	if purged.Purged == nil || purged.Purged.Reason != cases.PurgeRetention || purged.Requester != (cases.Requester{}) || len(purged.Notes) != 0 || len(purged.Exchanges) != 0 {
		t.Errorf("the purged case still holds personal data or lacks its marker: %+v", purged)
	}
	if docs := f.documents(t); len(docs) != 0 {
		t.Errorf("documents left after the purge: %d", len(docs))
	}
	for _, c := range []*cases.Case{f.held, f.op} {
		if got := f.get(t, c.ID); got.Purged != nil || got.Requester.Person.Email == "" {
			t.Errorf("case %s was touched by the run", c.Reference)
		}
	}
	found, err := f.w.FindRequester(ctx, f.email, "")
	if err != nil || len(found.Matches) != 0 {
		t.Errorf("the purged requester is still found: %+v (%v)", found, err)
	}
	events, err := f.w.Events(ctx, f.closed.ID)
	if err != nil || events[len(events)-1].Action != "case.purged" || events[len(events)-1].After["purged"] != "retention" {
		t.Errorf("the purge's audit event: %v (%v)", events, err)
	}
	if res, err := casework.VerifyChain(ctx, f.st); err != nil {
		t.Errorf("audit verify after the purge: %v (%+v)", err, res)
	}
	after := f.dashboardAsOfToday(t)
	if after.Closed != 2 || after.Closed != before.Closed || after.Open != before.Open || after.ClosedByMonth != nil && !slices.Equal(after.ClosedByMonth, before.ClosedByMonth) {
		t.Errorf("dashboard closed %d open %d after the purge, %d %d before: the tombstone must still count", after.Closed, after.Open, before.Closed, before.Open)
	}
	if _, err := f.w.Apply(ctx, "user:sam", f.closed.ID, "", cases.Reopen{Reason: "more"}); !isPrecondition(err) {
		t.Errorf("reopening a purged case: %v, want FailedPrecondition", err)
	}

	again, err := f.w.RunRetention(ctx, f.st, casework.RetentionOptions{Log: quietLog})
	if err != nil || again.Ran {
		t.Errorf("a second run the same day: %+v (%v), want none", again, err)
	}
	f.clk.Advance(24 * time.Hour)
	next, err := f.w.RunRetention(ctx, f.st, casework.RetentionOptions{Log: quietLog})
	if err != nil || !next.Ran || next.Purged != 0 {
		t.Errorf("the next day's run: %+v (%v), want a run that purges nothing", next, err)
	}

	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(f.dir, bolt.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(f.email)) {
		t.Error("the database file holds the purged requester's email")
	}
}

func isPrecondition(err error) bool {
	var fp *fault.FailedPrecondition
	return errors.As(err, &fp)
}

func TestPurgeForErasureRefusesHeldOpenAndPurgedCases(t *testing.T) {
	f := newRetentionFixture(t, nil)
	for _, c := range []*cases.Case{f.held, f.op} {
		if _, err := f.w.PurgeCase(ctx, "user:admin", c.ID, cases.PurgeErasure); !isPrecondition(err) {
			t.Errorf("erasing %s: %v, want FailedPrecondition", c.Reference, err)
		}
	}
	tomb, err := f.w.PurgeCase(ctx, "user:admin", f.closed.ID, cases.PurgeErasure)
	if err != nil || tomb.Purged == nil || tomb.Purged.Reason != cases.PurgeErasure {
		t.Fatalf("erasing a closed case before its retention ends: %+v (%v)", tomb, err)
	}
	if _, err := f.w.PurgeCase(ctx, "user:admin", f.closed.ID, cases.PurgeErasure); !isPrecondition(err) {
		t.Errorf("erasing twice: %v, want FailedPrecondition", err)
	}
	if _, err := f.w.Apply(ctx, "user:admin", f.held.ID, "", cases.SetLegalHold{Reason: "Claim settled"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.PurgeCase(ctx, "user:admin", f.held.ID, cases.PurgeErasure); err != nil {
		t.Errorf("erasing once the hold is released: %v", err)
	}
}

// crashingTransactor fails every write after running it, as a crash before
// the commit would: nothing it ran is written.
type crashingTransactor struct{ st *store.Store }

var errCrash = errors.New("crash before commit")

func (c crashingTransactor) View(ctx context.Context, fn func(store.ReadTx) error) error {
	return c.st.View(ctx, fn)
}

func (c crashingTransactor) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	err := c.st.Update(ctx, func(tx store.WriteTx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errCrash
	})
	return err
}

// failingDeletes is a blob store whose deletes fail: a crash after the
// purge commits and before the documents go.
type failingDeletes struct{ blob.Store }

func (failingDeletes) Delete(context.Context, string) error { return errors.New("disk gone") }

func TestACrashedPurgeLeavesEachCaseWholeOrPurged(t *testing.T) {
	t.Run("before the commit", func(t *testing.T) {
		f := newRetentionFixture(t, nil)
		f.pastRetention()
		if _, err := f.w.RunRetention(ctx, crashingTransactor{f.st}, casework.RetentionOptions{Log: quietLog}); !errors.Is(err, errCrash) {
			t.Fatalf("run: %v, want the crash", err)
		}
		if c := f.get(t, f.closed.ID); c.Purged != nil || c.Requester.Person.Email != f.email || len(c.Notes) != 1 {
			t.Errorf("a purge that did not commit changed the case: %+v", c)
		}
		if len(f.documents(t)) != 1 {
			t.Error("a purge that did not commit removed the case's document")
		}
		run, err := f.w.RunRetention(ctx, f.st, casework.RetentionOptions{Log: quietLog})
		if err != nil || run.Purged != 1 {
			t.Errorf("the run after the crash: %+v (%v), want the case purged", run, err)
		}
	})
	t.Run("between the commit and the documents", func(t *testing.T) {
		fs, err := fsblob.Open(filepath.Join(t.TempDir(), "docs"), 0)
		if err != nil {
			t.Fatal(err)
		}
		f := newRetentionFixture(t, failingDeletes{fs})
		f.pastRetention()
		run, err := f.w.RunRetention(ctx, f.st, casework.RetentionOptions{Log: quietLog})
		if err != nil || run.Purged != 1 || run.FilesRemoved != 0 {
			t.Fatalf("run: %+v (%v), want the case purged and its document left", run, err)
		}
		if c := f.get(t, f.closed.ID); c.Purged == nil {
			t.Fatal("the case was not purged")
		}
		left := f.documents(t)
		if len(left) != 1 || !strings.HasPrefix(left[0], strings.ToLower(f.closed.ID)+"/") {
			t.Fatalf("documents %v, want the purged case's one left behind", left)
		}
		if _, _, err := f.w.Document(ctx, f.closed.ID, "d1"); err == nil {
			t.Error("the document of a purged case can still be read")
		}
		// A blob store still failing the next day does not stop the run.
		f.clk.Advance(24 * time.Hour)
		if again, err := f.w.RunRetention(ctx, f.st, casework.RetentionOptions{Log: quietLog}); err != nil || !again.Ran || again.FilesRemoved != 0 {
			t.Errorf("a run while the documents cannot be removed: %+v (%v), want it to go on", again, err)
		}
		// The day after, with a working disk, the run removes it.
		w := casework.New(f.st, deadline.NewEngine(deadline.BuiltinCalendars()), f.clk, crand.Reader, casework.WithDocuments(fs))
		f.clk.Advance(24 * time.Hour)
		next, err := w.RunRetention(ctx, f.st, casework.RetentionOptions{Log: quietLog})
		if err != nil || next.FilesRemoved != 1 {
			t.Errorf("the next run: %+v (%v), want the orphan removed", next, err)
		}
		f.docs = fs
		if left := f.documents(t); len(left) != 0 {
			t.Errorf("documents %v after the next run", left)
		}
	})
}

func TestLegalHoldNeedsAReasonAndIsAudited(t *testing.T) {
	f := newRetentionFixture(t, nil)
	if _, err := f.w.Apply(ctx, "user:admin", f.op.ID, "", cases.SetLegalHold{Held: true, Reason: "  "}); !isInvalid(err, "reason") {
		t.Errorf("a hold without a reason: %v", err)
	}
	if _, err := f.w.Apply(ctx, "user:admin", f.held.ID, "", cases.SetLegalHold{Held: true, Reason: "again"}); !isPrecondition(err) {
		t.Errorf("holding a held case: %v", err)
	}
	if _, err := f.w.Apply(ctx, "user:admin", f.op.ID, "", cases.SetLegalHold{Reason: "nothing"}); !isPrecondition(err) {
		t.Errorf("releasing a case not held: %v", err)
	}
	held := f.get(t, f.held.ID)
	if held.LegalHold == nil || held.LegalHold.Reason != "Tribunal claim pending" || held.LegalHold.By != "user:admin" || held.LegalHold.Since != "2026-03-02" {
		t.Errorf("legal hold %+v", held.LegalHold)
	}
	events, err := f.w.Events(ctx, f.held.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Action != "case.legal_hold_set" || last.After["legal_hold"] != "true" || strings.Contains(last.After["legal_hold"]+last.Before["legal_hold"], "Tribunal") || len(last.PayloadHash) == 0 {
		t.Errorf("the hold's audit event %+v: want the flag in clear and the reason in the sealed payload", last)
	}
}

func isInvalid(err error, field string) bool {
	var inv *fault.InvalidArgument
	if !errors.As(err, &inv) {
		return false
	}
	for _, v := range inv.Violations {
		if v.Field == field {
			return true
		}
	}
	return false
}

// The plan counts from the index of closed cases and reads only the cases
// it lists: a closed case within its period is never decoded, so the
// dashboard's retention figures cost the same over a million closed cases
// as over three. A hold lifted moves its case back among the kept.
func TestRetentionPlanReadsOnlyTheCasesItLists(t *testing.T) {
	f := newRetentionFixture(t, nil)
	err := f.st.Update(ctx, func(tx store.WriteTx) error {
		return tx.Put(store.BucketCases, []byte(f.closed.ID), []byte("not a case record"))
	})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := f.w.RetentionPlan(ctx)
	if err != nil {
		t.Fatalf("the plan read a case it does not list: %v", err)
	}
	if plan.Kept != 1 || len(plan.Purge) != 0 || !slices.Equal(refs(plan.Held), []string{f.held.Reference}) {
		t.Fatalf("plan: kept %d, purge %v, held %v; want the closed case kept and the held one listed", plan.Kept, refs(plan.Purge), refs(plan.Held))
	}
	if _, err := f.w.Apply(ctx, "user:admin", f.held.ID, "", cases.SetLegalHold{Held: false, Reason: "Claim settled"}); err != nil {
		t.Fatal(err)
	}
	if plan, err = f.w.RetentionPlan(ctx); err != nil || plan.Kept != 2 || len(plan.Held) != 0 {
		t.Fatalf("after the hold was lifted: kept %d, held %v (%v); want both closed cases kept", plan.Kept, refs(plan.Held), err)
	}
}
