package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// retentionDatabase returns a closed database with a case closed on
// 2026-03-02, one closed the same day and put on legal hold, and an open
// one, all of one requester, and the references of the first two.
func retentionDatabase(t *testing.T) (dir, closed, held string) {
	t.Helper()
	dir = t.TempDir()
	w, st := caseworktest.New(t, dir, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	var refs []string
	for i := range 3 {
		res, err := w.Create(t.Context(), "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}},
			Rights: []notice.Right{notice.RightAccess}, ReceivedOn: "2026-02-20",
			Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
		})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, res.Case.Reference)
		if i == 2 {
			continue
		}
		caseworktest.ReleasePack(t, w, res.Case.ID)
		if _, err := w.Apply(t.Context(), "token:test", res.Case.ID, "", cases.Close{Outcome: cases.OutcomeFulfilled}); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if _, err := w.Apply(t.Context(), "token:test", res.Case.ID, "", cases.SetLegalHold{Held: true, Reason: "Ada Lovelace's tribunal claim"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, refs[0], refs[1]
}

func TestRetentionPlanListsWhatTheRunThenDoes(t *testing.T) {
	dir, closed, held := retentionDatabase(t)
	code, out, stderr := runCLI(t, "retention", "plan", "--data", dir, "--on", "2028-03-01")
	if code != 0 || !strings.Contains(out, "Would purge: 0") {
		t.Fatalf("plan the day before: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "retention", "plan", "--data", dir, "--on", "2028-03-02")
	if code != 0 || !strings.Contains(out, "Would purge: 1\n") || !strings.Contains(out, closed) ||
		!strings.Contains(out, "Kept past their date: 1") || !strings.Contains(out, held) || !strings.Contains(out, "on legal hold") ||
		!strings.Contains(out, "open, not timed until closed: 1") {
		t.Fatalf("plan on the due day: exit %d\n%s%s", code, out, stderr)
	}
	for _, personal := range []string{"Ada", "Lovelace", "ada@example.org", "tribunal"} {
		if strings.Contains(out, personal) {
			t.Errorf("the plan shows personal data (%q)", personal)
		}
	}
	if code, _, stderr := runCLI(t, "retention", "plan", "--data", dir, "--retention", "fulfilled=0m"); code == 0 || !strings.Contains(stderr, "at least 1") {
		t.Errorf("a bad schedule: exit %d: %s", code, stderr)
	}

	w, st := caseworktest.New(t, dir, time.Date(2028, 3, 2, 12, 0, 0, 0, time.UTC))
	run, err := w.RunRetention(t.Context(), st, casework.RetentionOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil || run.Purged != 1 || run.Skipped != 0 {
		t.Fatalf("the run the plan described: %+v (%v)", run, err)
	}
	c, err := w.ByReference(t.Context(), closed)
	if err != nil || c.Purged == nil {
		t.Errorf("the planned case after the run: %+v (%v)", c, err)
	}
	if c, err := w.ByReference(t.Context(), held); err != nil || c.Purged != nil {
		t.Errorf("the held case after the run: purged %v (%v)", c.Purged, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCLI(t, "audit", "verify", "--data", dir); code != 0 || !strings.Contains(out, "Audit chain intact") {
		t.Errorf("audit verify after the purge: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "compact", "--data", dir); code != 0 || !strings.Contains(out, "Compacted") {
		t.Errorf("compact: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "check", "--data", dir); code != 0 {
		t.Errorf("check after compact: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = runCLI(t, "retention", "plan", "--data", dir, "--on", "2028-03-02")
	if code != 0 || !strings.Contains(out, "Would purge: 0") || !strings.Contains(out, "already purged: 1") {
		t.Errorf("the plan after the run:\n%s", out)
	}
}
