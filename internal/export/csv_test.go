package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

func TestNeutraliseCell(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1:A9)":              "'=SUM(A1:A9)",
		"+44 20 7946 0000":         "'+44 20 7946 0000",
		"-2+3":                     "'-2+3",
		"@cmd":                     "'@cmd",
		"\t=1":                     "'\t=1",
		"\r=1":                     "'\r=1",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"Ada Lovelace":             "Ada Lovelace",
		"2026-03-02":               "2026-03-02",
		"a=b":                      "a=b",
		"":                         "",
		" =1":                      "' =1", // spreadsheets may trim the space
		"\x00=1":                   "'\x00=1",
		"\x00":                     "'\x00",
		"\n-1":                     "'\n-1",
		"  @x":                     "'  @x",
		" Ada":                     " Ada",
	} {
		if got := export.NeutraliseCell(in); got != want {
			t.Errorf("NeutraliseCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func readCSV(t *testing.T, raw string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, raw)
	}
	return rows
}

func column(rows [][]string, name string) []string {
	i := slices.Index(rows[0], name)
	if i < 0 {
		return nil
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

func TestCasesCSV(t *testing.T) {
	w, _ := newService(t)
	evil := newCase(t, w, "=HYPERLINK(\"http://evil.example\",\"click\")", "eve@example.org", "2026-02-20", notice.RightErasure)
	plain := newCase(t, w, "Ada Lovelace", "ada@example.org", "2026-02-15", notice.RightAccess, notice.RightPortability)
	apply(t, w, plain.ID, cases.Assign{Assignee: "@alice"}, cases.RecordSearch{Source: "HR", Found: "nothing"})
	caseworktest.ReleasePack(t, w, plain.ID)
	apply(t, w, plain.ID, cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Sent the HR record as a CSV file."})

	var buf bytes.Buffer
	if err := export.CasesCSV(ctx, &buf, w, "", "received", true); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.String())
	if len(rows) != 3 {
		t.Fatalf("%d rows, want a header and 2 cases:\n%s", len(rows), buf.String())
	}
	if got := column(rows, "reference"); !slices.Equal(got, []string{plain.Reference, evil.Reference}) {
		t.Errorf("references = %v, want both cases in received order", got)
	}
	if got := column(rows, "requester_name"); got[1] != "'"+evil.Requester.Person.Name {
		t.Errorf("formula not neutralised: %q", got[1])
	}
	if got := column(rows, "assignee"); got[0] != "'@alice" {
		t.Errorf("assignee = %q, want the @ neutralised", got[0])
	}
	want := map[string]string{"state": "closed", "rights": "access;portability", "outcome": "fulfilled", "on_time": "true", "systems_searched": "1", "systems_not_searched": "0", "channel": "phone", "received_on": "2026-02-15"}
	for col, v := range want {
		if got := column(rows, col); got[0] != v {
			t.Errorf("%s = %q, want %q", col, got[0], v)
		}
	}

	buf.Reset()
	if err := export.CasesCSV(ctx, &buf, w, "", "", false); err != nil {
		t.Fatal(err)
	}
	rows = readCSV(t, buf.String())
	if len(rows) != 2 || column(rows, "requester_name") != nil || strings.Contains(buf.String(), "@example.org") {
		t.Errorf("without personal data, the open-cases CSV is:\n%s", buf.String())
	}
	if err := export.CasesCSV(ctx, &buf, w, "colour=red", "", false); err == nil {
		t.Error("a bad filter was accepted")
	}
}

// pagedLister serves fixed pages and checks that each page reached the
// writer before the next was asked for.
type pagedLister struct {
	t     *testing.T
	pages [][]*cases.Case
	out   *bytes.Buffer
	calls int
}

func (l *pagedLister) List(_ context.Context, q usecase.Query) (*usecase.Page, error) {
	if l.calls > 0 && strings.Count(l.out.String(), "\n") != 1+l.calls {
		l.t.Errorf("page %d asked for before page %d was written:\n%s", l.calls+1, l.calls, l.out.String())
	}
	page := &usecase.Page{Cases: l.pages[l.calls]}
	l.calls++
	if l.calls < len(l.pages) {
		page.Next = []byte("cursor")
	}
	if l.calls > 1 && string(q.After) != "cursor" {
		l.t.Errorf("page %d asked for without the cursor", l.calls)
	}
	return page, nil
}

func TestCasesCSVStreamsPageByPage(t *testing.T) {
	var out bytes.Buffer
	c := func(ref string) *cases.Case { return &cases.Case{Reference: ref, State: cases.StateNew} }
	l := &pagedLister{t: t, out: &out, pages: [][]*cases.Case{{c("RD-1")}, {c("RD-2")}, {c("RD-3")}}}
	if err := export.CasesCSV(ctx, &out, l, "", "", false); err != nil {
		t.Fatal(err)
	}
	if got := column(readCSV(t, out.String()), "reference"); !slices.Equal(got, []string{"RD-1", "RD-2", "RD-3"}) || l.calls != 3 {
		t.Errorf("references %v after %d pages", got, l.calls)
	}
}
