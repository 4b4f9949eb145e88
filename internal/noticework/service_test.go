package noticework_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/noticework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var ctx = context.Background()

// now is the injected time: 2 March 2026, UK.
var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func open(t *testing.T, builtin []notice.Notice) (*noticework.Service, *store.Store) {
	t.Helper()
	backend, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, backend)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := backend.Check(); err != nil {
			t.Errorf("bbolt consistency check: %v", err)
		}
		_ = st.Close()
	})
	return noticework.New(st, clock.Fixed(now), builtin), st
}

// fixture reads one of the importer's synthetic notices.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "notice", "importer", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func stored(t *testing.T, st *store.Store, id string) *notice.Notice {
	t.Helper()
	var n *notice.Notice
	err := st.View(ctx, func(tx store.ReadTx) (err error) { n, err = store.GetNotice(tx, id); return err })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// revise changes the words of a fixture and the date it gives, as a
// publisher does when updating a notice.
func revise(raw []byte, date string) []byte {
	s := strings.Replace(string(raw), "Published 3 March 2022", "Updated "+date, 1)
	return []byte(strings.Replace(s, "for 2 years after you leave", "for 3 years after you leave", 1))
}

func TestImportStoresVersionsAndSkipsUnchangedContent(t *testing.T) {
	w, st := open(t, nil)
	first, err := w.Import(ctx, usecase.ImportRequest{Content: fixture(t, "numbered-sections.txt"), ID: "learning", Document: "learning.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || first.Version.Number != 1 || first.Version.EffectiveFrom != "2022-03-03" || first.Version.Source.Document != "learning.txt" {
		t.Fatalf("first import: created %v, version %+v", first.Created, first.Version.Source)
	}

	again, err := w.Import(ctx, usecase.ImportRequest{Content: fixture(t, "numbered-sections.txt"), ID: "learning"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || !again.Unchanged || again.Version.Number != 1 || len(stored(t, st, "learning").Versions) != 1 {
		t.Fatalf("re-import of the same document: created %v, unchanged %v, version %d", again.Created, again.Unchanged, again.Version.Number)
	}

	changed, err := w.Import(ctx, usecase.ImportRequest{Content: revise(fixture(t, "numbered-sections.txt"), "1 February 2026"), ID: "learning"})
	if err != nil {
		t.Fatal(err)
	}
	n := stored(t, st, "learning")
	if !changed.Created || len(n.Versions) != 2 || n.Current().Number != 2 || n.Current().EffectiveFrom != "2026-02-01" {
		t.Fatalf("changed document: created %v, versions %d, current %+v", changed.Created, len(n.Versions), n.Current().Source)
	}
	if n.Versions[0].Retention[0].Months != 24 || n.Versions[1].Retention[0].Months != 36 {
		t.Error("version 1 should keep the old retention and version 2 hold the new")
	}
	// Each stored version, and only those, is in the audit chain.
	err = st.View(ctx, func(tx store.ReadTx) error {
		events, _, err := store.CaseEvents(tx, audit.NoticeSubject("learning"))
		if err != nil {
			return err
		}
		if len(events) != 2 || events[0].After["version"] != "1" || events[1].After["version"] != "2" ||
			events[1].After["effective_from"] != "2026-02-01" || events[0].Action != "notice.version_added" || len(events[1].After["content_sha256"]) != 64 {
			t.Errorf("audit events for the notice: %+v", events)
		}
		var v audit.Verifier
		return store.EachEvent(tx, v.Next)
	})
	if err != nil {
		t.Fatal(err)
	}
	for want := range 3 {
		_, v, err := w.Notice(ctx, "learning", want)
		if err != nil || (want > 0 && v.Number != want) || (want == 0 && v.Number != 2) {
			t.Errorf("Notice(learning, %d) = version %v, %v", want, v, err)
		}
	}
	var nf *fault.NotFound
	if _, _, err := w.Notice(ctx, "learning", 3); !errors.As(err, &nf) || !strings.Contains(err.Error(), "versions 1 to 2") {
		t.Errorf("version 3: %v, want NotFound naming the versions there are", err)
	}
}

// Cases pin the version in force on the day a request was received
// (internal/cases), so importing a new version leaves earlier requests on
// the version their requester read.
func TestCasesKeepTheVersionInForceAtReceipt(t *testing.T) {
	w, _ := open(t, nil)
	raw := fixture(t, "numbered-sections.txt")
	if _, err := w.Import(ctx, usecase.ImportRequest{Content: raw, ID: "learning"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Import(ctx, usecase.ImportRequest{Content: revise(raw, "1 February 2026"), ID: "learning"}); err != nil {
		t.Fatal(err)
	}
	n, _, err := w.Notice(ctx, "learning", 0)
	if err != nil {
		t.Fatal(err)
	}
	env := cases.Env{Now: now, Actor: "token:test", Engine: deadline.NewEngine(deadline.BuiltinCalendars()), Random: rand.NewChaCha8([32]byte{7}),
		Notice: func(id string) (*notice.Notice, bool) { return n, id == n.ID }}
	for received, want := range map[string]int{"2025-12-15": 1, "2026-01-31": 1, "2026-02-01": 2, "2026-02-20": 2} {
		created, err := cases.Create(cases.NewCase{
			Notices: []cases.NoticeRef{{ID: n.ID}}, Rights: []notice.Right{notice.RightAccess}, ReceivedOn: received,
			Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
		}, env)
		if err != nil {
			t.Fatal(err)
		}
		if got := created.Case.Notices[0].Version; got != want {
			t.Errorf("request received %s is on version %d, want %d", received, got, want)
		}
	}
}

func TestVersionsMustFollowInDateOrder(t *testing.T) {
	w, _ := open(t, nil)
	raw := fixture(t, "numbered-sections.txt")
	if _, err := w.Import(ctx, usecase.ImportRequest{Content: revise(raw, "1 February 2026"), ID: "learning"}); err != nil {
		t.Fatal(err)
	}
	_, err := w.Import(ctx, usecase.ImportRequest{Content: raw, ID: "learning"})
	var fp *fault.FailedPrecondition
	if !errors.As(err, &fp) || !strings.Contains(err.Error(), "2022-03-03") {
		t.Fatalf("an older document after a newer one: %v, want FailedPrecondition naming its date", err)
	}
	res, err := w.Import(ctx, usecase.ImportRequest{Content: raw, ID: "learning", EffectiveFrom: "2026-03-01"})
	if err != nil || !res.Created || res.Version.EffectiveFrom != "2026-03-01" || res.Version.Number != 2 {
		t.Fatalf("with an effective date given: %+v, %v", res, err)
	}
}

func TestValidateOnlyStoresNothingAndShowsWhatIsWrong(t *testing.T) {
	w, st := open(t, nil)
	res, err := w.Import(ctx, usecase.ImportRequest{Content: fixture(t, "numbered-sections.txt"), ID: "learning", ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || res.Unchanged || res.Version.Number != 1 {
		t.Errorf("preview: created %v, unchanged %v, number %d", res.Created, res.Unchanged, res.Version.Number)
	}
	err = st.View(ctx, func(tx store.ReadTx) error { _, err := store.GetNotice(tx, "learning"); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a preview stored the notice: %v", err)
	}

	// A notice with no title cannot be stored: a preview says so in its
	// findings, an import refuses.
	untitled := []byte("we keep your data for as long as we need it.\n")
	res, err = w.Import(ctx, usecase.ImportRequest{Content: untitled, ID: "nothing", ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Findings, func(f lint.Finding) bool { return f.Code == "invalid-version" }) {
		t.Errorf("preview findings %+v lack invalid-version", res.Findings)
	}
	var invalid *fault.InvalidArgument
	if _, err := w.Import(ctx, usecase.ImportRequest{Content: untitled, ID: "nothing"}); !errors.As(err, &invalid) || invalid.Violations[0].Field != "content" {
		t.Fatalf("storing a notice with no title: %v, want InvalidArgument on content", err)
	}

	// A notice that states no lawful basis is stored as published, its
	// processing kept without one, and lint reports the gap (Art 13(1)(c)).
	noBasis := []byte("Privacy notice for nothing\n\nPublished 1 May 2025\n\nYour rights\n\nYou have the right to object.\n")
	res, err = w.Import(ctx, usecase.ImportRequest{Content: noBasis, ID: "nothing"})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Version.Contexts; len(c) != 1 || c[0].Basis != notice.BasisUnstated {
		t.Errorf("contexts %+v, want one with no basis", c)
	}
	if !slices.ContainsFunc(res.Findings, func(f lint.Finding) bool { return f.Code == "no-lawful-basis" && f.Severity == lint.Error }) {
		t.Errorf("findings %+v lack no-lawful-basis", res.Findings)
	}
}

func TestImportRejectsBadRequests(t *testing.T) {
	w, _ := open(t, nil)
	for name, tt := range map[string]struct {
		req   usecase.ImportRequest
		field string
	}{
		"bad id":          {usecase.ImportRequest{Content: []byte("x"), ID: "Bad Id"}, "notice_id"},
		"bad date":        {usecase.ImportRequest{Content: []byte("x"), EffectiveFrom: "tomorrow"}, "effective_from"},
		"empty document":  {usecase.ImportRequest{Content: []byte(" \n ")}, "content"},
		"no title, no id": {usecase.ImportRequest{Content: []byte("we keep data.")}, "notice_id"},
		"unknown format":  {usecase.ImportRequest{Content: []byte("x"), Format: "pdf"}, "content"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := w.Import(ctx, tt.req)
			var invalid *fault.InvalidArgument
			if !errors.As(err, &invalid) || invalid.Violations[0].Field != tt.field {
				t.Fatalf("err = %v, want InvalidArgument on %s", err, tt.field)
			}
		})
	}
}

// On a data directory no server has seeded, a built-in notice is still
// version 1, so importing its document makes version 2.
func TestImportOverABuiltInNotice(t *testing.T) {
	builtin, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, st := open(t, builtin)
	res, err := w.Import(ctx, usecase.ImportRequest{Content: revise(fixture(t, "numbered-sections.txt"), "1 February 2026"), ID: "it-service-desk"})
	if err != nil {
		t.Fatal(err)
	}
	n := stored(t, st, "it-service-desk")
	if !res.Created || len(n.Versions) != 2 || n.Versions[0].Source.Kind != "built-in" || n.Versions[1].Source.Kind != "import" {
		t.Fatalf("versions %d: %+v", len(n.Versions), n.Versions)
	}
	if fresh, _ := catalogue.Builtin(); len(builtin[3].Versions) != 1 || fresh[3].ID != "it-service-desk" {
		t.Error("the import changed the catalogue's own copy")
	}
}

func TestLintAndDiff(t *testing.T) {
	builtin, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	w, _ := open(t, builtin)
	all, err := w.LintAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 || all[0].ID != "a-modern-civil-service" {
		t.Fatalf("LintAll = %d notices", len(all))
	}
	if !slices.ContainsFunc(all[0].Findings, func(f lint.Finding) bool { return f.Code == "retention-ended" }) {
		t.Errorf("A Modern Civil Service findings %+v lack retention-ended on 2 March 2026", all[0].Findings)
	}
	if _, _, err := w.Lint(ctx, "no-such-notice", 0); !errors.As(err, new(*fault.NotFound)) {
		t.Errorf("lint of an unknown notice: %v", err)
	}

	var fp *fault.FailedPrecondition
	if _, _, _, err := w.Diff(ctx, "it-service-desk", 0, 0); !errors.As(err, &fp) {
		t.Errorf("diff of a notice with one version: %v, want FailedPrecondition", err)
	}
	raw := fixture(t, "numbered-sections.txt")
	for _, content := range [][]byte{raw, revise(raw, "1 February 2026")} {
		if _, err := w.Import(ctx, usecase.ImportRequest{Content: content, ID: "learning"}); err != nil {
			t.Fatal(err)
		}
	}
	if all, err = w.LintAll(ctx); err != nil || len(all) != 6 || all[4].ID != "learning" || all[4].Version.Number != 2 {
		t.Fatalf("LintAll after importing a notice: %d notices, %v", len(all), err)
	}
	a, b, changes, err := w.Diff(ctx, "learning", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Number != 1 || b.Number != 2 {
		t.Errorf("diff compared %d and %d, want 1 and 2", a.Number, b.Number)
	}
	fields := map[string]notice.Change{}
	for _, c := range changes {
		fields[strings.SplitN(c.Field, "/", 2)[0]] = c
	}
	for _, want := range []string{"effective_from", "source", "retention"} {
		if _, ok := fields[want]; !ok {
			t.Errorf("diff lacks a change to %s: %+v", want, changes)
		}
	}
	if _, ok := fields["rights"]; ok {
		t.Errorf("diff shows a rights change the documents do not have: %+v", changes)
	}
}
