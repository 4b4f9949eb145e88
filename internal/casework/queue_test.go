package casework_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/devseed"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// seeded opens a service over n varied cases worked up to today through
// internal/devseed, and returns them all.
func seeded(t *testing.T, n int) (*casework.Service, []*cases.Case) {
	t.Helper()
	w, st := newService(t, t.TempDir())
	if _, err := devseed.Seed(ctx, st, deadline.NewEngine(deadline.BuiltinCalendars()), devseed.Options{Cases: n, Seed: 7, Now: today}); err != nil {
		t.Fatal(err)
	}
	var all []*cases.Case
	if err := w.EachCase(ctx, func(c *cases.Case) error { all = append(all, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return w, all
}

// pages lists every page of a query, following Next from the first.
func pages(t *testing.T, w *casework.Service, q usecase.Query) []*usecase.Page {
	t.Helper()
	var out []*usecase.Page
	for {
		page, err := w.List(ctx, q)
		if err != nil {
			t.Fatalf("List(%+v): %v", q, err)
		}
		out = append(out, page)
		if page.Next == nil {
			return out
		}
		if len(out) > 500 {
			t.Fatalf("List(%+v) does not end", q)
		}
		q.After = page.Next
	}
}

func ids(list []*cases.Case) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

func flatten(ps []*usecase.Page) []string {
	var out []string
	for _, p := range ps {
		out = append(out, ids(p.Cases)...)
	}
	return out
}

// Every view the staff queue offers lists exactly the cases its words
// promise, in due order, read from the indexes.
func TestQueueViewsListWhatTheySay(t *testing.T) {
	w, all := seeded(t, 300)
	next := w.NextActions(all)
	nextOf := map[string]cases.StaffAction{}
	for i, c := range all {
		nextOf[c.ID] = next[i]
	}
	day := w.Today().String()
	weekEnd := report.WeekEnd(w.Today()).String()
	views := []struct {
		name, filter string
		want         func(c *cases.Case) bool
	}{
		{"all open", "open=true", func(c *cases.Case) bool { return c.Open() }},
		{"mine", `open=true AND assignee="user:seed-bea"`, func(c *cases.Case) bool { return c.Open() && c.Assignee == "user:seed-bea" }},
		{"unassigned", `open=true AND assignee=""`, func(c *cases.Case) bool { return c.Open() && c.Assignee == "" }},
		{"needs action", "needs_action=true", func(c *cases.Case) bool {
			return c.Open() && nextOf[c.ID] != "" && nextOf[c.ID] != cases.ActRecordResponse
		}},
		{"due this week", "open=true AND due_this_week=true", func(c *cases.Case) bool {
			return c.Open() && c.Clock.Due >= day && c.Clock.Due <= weekEnd
		}},
		{"waiting for the requester", "open=true AND waiting=true", func(c *cases.Case) bool { return c.State == cases.StateAwaitingRequester }},
		{"overdue", "overdue=true", func(c *cases.Case) bool { return c.Open() && c.Clock.Due < day }},
		{"closed", "open=false", func(c *cases.Case) bool { return !c.Open() }},
		{"mine, needs action, this week", `assignee="user:seed-alex" AND needs_action=true AND due_this_week=true`, func(c *cases.Case) bool {
			return c.Open() && c.Assignee == "user:seed-alex" && nextOf[c.ID] != cases.ActRecordResponse && c.Clock.Due >= day && c.Clock.Due <= weekEnd
		}},
	}
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			var want []*cases.Case
			for _, c := range all {
				if v.want(c) {
					want = append(want, c)
				}
			}
			if len(want) == 0 {
				t.Fatalf("the seed gives no case for %q: the test proves nothing", v.name)
			}
			got := flatten(pages(t, w, usecase.Query{Filter: v.filter, Limit: 20}))
			if fmt.Sprint(sortedIDs(got)) != fmt.Sprint(sortedIDs(ids(want))) {
				t.Fatalf("%s: listed %d cases, want %d", v.filter, len(got), len(want))
			}
			byID := map[string]*cases.Case{}
			for _, c := range all {
				byID[c.ID] = c
			}
			for i := 1; i < len(got); i++ {
				if byID[got[i]].Clock.Due < byID[got[i-1]].Clock.Due {
					t.Fatalf("%s: case %d is due %s, after one due %s", v.filter, i, byID[got[i]].Clock.Due, byID[got[i-1]].Clock.Due)
				}
			}
		})
	}
}

func sortedIDs(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return out
}

// Each order the queue sorts by comes out in that order, both ways.
func TestQueueSortsByDueAndReceivedBothWays(t *testing.T) {
	w, all := seeded(t, 150)
	byID := map[string]*cases.Case{}
	open := 0
	for _, c := range all {
		byID[c.ID] = c
		if c.Open() {
			open++
		}
	}
	for _, tt := range []struct {
		order string
		key   func(*cases.Case) string
		desc  bool
	}{
		{"due", func(c *cases.Case) string { return c.Clock.Due }, false},
		{"due desc", func(c *cases.Case) string { return c.Clock.Due }, true},
		{"received", func(c *cases.Case) string { return c.ReceivedOn }, false},
		{"received desc", func(c *cases.Case) string { return c.ReceivedOn }, true},
	} {
		got := flatten(pages(t, w, usecase.Query{Filter: "open=true", OrderBy: tt.order, Limit: 15}))
		if len(got) != open {
			t.Errorf("%s: listed %d open cases, want %d", tt.order, len(got), open)
		}
		for i := 1; i < len(got); i++ {
			a, b := tt.key(byID[got[i-1]]), tt.key(byID[got[i]])
			if (tt.desc && b > a) || (!tt.desc && b < a) {
				t.Fatalf("%s: %s follows %s", tt.order, b, a)
			}
		}
	}
}

// Previous pages retrace the next pages exactly, in every order and under
// a filter that skips cases, back to the same first page.
func TestListPagesBackwards(t *testing.T) {
	w, _ := seeded(t, 200)
	for _, q := range []usecase.Query{
		{Filter: "open=true", Limit: 9},
		{Filter: "open=true", OrderBy: "due desc", Limit: 9},
		{Filter: "open=true", OrderBy: "received", Limit: 9},
		{Filter: "open=true", OrderBy: "received desc", Limit: 9},
		{Filter: "needs_action=true", Limit: 7},
		{Filter: `assignee="user:seed-cal"`, OrderBy: "due desc", Limit: 4},
		{Filter: "overdue=true", OrderBy: "due desc", Limit: 5},
	} {
		t.Run(q.Filter+" "+q.OrderBy, func(t *testing.T) {
			forward := pages(t, w, q)
			if len(forward) < 3 {
				t.Fatalf("only %d pages: the test needs three", len(forward))
			}
			if forward[0].Prev != nil {
				t.Error("the first page offers a previous page")
			}
			at := forward[len(forward)-1]
			for i := len(forward) - 2; i >= 0; i-- {
				if at.Prev == nil {
					t.Fatalf("page %d has no previous page", i+2)
				}
				back := q
				back.Before = at.Prev
				page, err := w.List(ctx, back)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(ids(page.Cases)) != fmt.Sprint(ids(forward[i].Cases)) {
					t.Fatalf("back to page %d: %v, want %v", i+1, ids(page.Cases), ids(forward[i].Cases))
				}
				// Next from a page reached backwards is the page it came from.
				again := q
				again.After = page.Next
				fwd, err := w.List(ctx, again)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(ids(fwd.Cases)) != fmt.Sprint(ids(at.Cases)) {
					t.Fatalf("next from page %d reached backwards: %v, want %v", i+1, ids(fwd.Cases), ids(at.Cases))
				}
				at = page
			}
			if at.Prev != nil {
				t.Error("the first page, reached backwards, offers a previous page")
			}
		})
	}
}

func TestFilterReadsTheQueueTerms(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	for _, good := range []string{
		"needs_action=true", "needs_action=false", "due_this_week=true", "due_this_week=FALSE",
		`open=true AND assignee="user:x" AND needs_action=true AND due_this_week=true`,
		`waiting=true AND due>="2026-03-01"`,
	} {
		if _, err := w.List(ctx, usecase.Query{Filter: good, Limit: 5}); err != nil {
			t.Errorf("filter %q: %v", good, err)
		}
	}
	for bad, field := range map[string]string{
		"needs_action=soon":   "needs_action takes true or false",
		"due_this_week<true":  "due_this_week only supports =",
		"next_step=close":     `unknown field "next_step"`,
		"due_this_week=maybe": "due_this_week takes true or false",
	} {
		_, err := w.List(ctx, usecase.Query{Filter: bad, Limit: 5})
		var invalid *fault.InvalidArgument
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), field) {
			t.Errorf("filter %q: %v, want an invalid filter saying %q", bad, err, field)
		}
	}
}

// A new case due in a few weeks is in no urgent view; one awaiting the
// requester waits and needs nothing of the team.
func TestNeedsActionLeavesOutWhatWaitsForTheRequester(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	waiting := create(t, w, request(notice.RightAccess, ""))
	if _, err := w.Apply(ctx, "token:x", waiting.ID, "", cases.RequestFromRequester{What: cases.WaitingForIdentity, Detail: "photo ID"}); err != nil {
		t.Fatal(err)
	}
	fresh := create(t, w, request(notice.RightErasure, ""))
	for filter, want := range map[string][]string{
		"needs_action=true":  {fresh.ID},
		"needs_action=false": {waiting.ID},
		"waiting=true":       {waiting.ID},
	} {
		page, err := w.List(ctx, usecase.Query{Filter: filter, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(page.Cases)) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", filter, ids(page.Cases), want)
		}
	}
}

func TestByReferenceFindsAnyCaseHoweverTyped(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	c := create(t, w, request(notice.RightAccess, ""))
	if _, err := w.Apply(ctx, "token:x", c.ID, "", cases.Close{Outcome: cases.OutcomeWithdrawn}); err != nil {
		t.Fatal(err)
	}
	compact := strings.ReplaceAll(c.Reference, "-", "")
	for _, typed := range []string{c.Reference, strings.ToLower(c.Reference), compact, strings.ToLower(compact), " " + strings.ToLower(c.Reference[:7]) + " " + c.Reference[8:]} {
		got, err := w.ByReference(ctx, typed)
		if err != nil || got.ID != c.ID {
			t.Errorf("ByReference(%q) = %v, %v; want the closed case", typed, got, err)
		}
		page, err := w.List(ctx, usecase.Query{Filter: `reference="` + typed + `"`, Limit: 5})
		if err != nil || len(page.Cases) != 1 || page.Cases[0].ID != c.ID {
			t.Errorf("List(reference=%q) = %v, %v; want the closed case", typed, page, err)
		}
	}
	var missing *fault.NotFound
	for _, nobody := range []string{"RD-2222-2222", "", "not a reference"} {
		if _, err := w.ByReference(ctx, nobody); !errors.As(err, &missing) {
			t.Errorf("ByReference(%q): %v, want not found", nobody, err)
		}
	}
}

// A bulk assignment assigns each case with its own etag: a case changed
// since the queue was drawn, a closed one and a missing one fail alone.
func TestAssignEachChecksEachCase(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	var made []*cases.Case
	for range 5 {
		made = append(made, create(t, w, request(notice.RightAccess, "")))
	}
	stale := made[1]
	if _, err := w.Apply(ctx, "token:colleague", stale.ID, "", cases.Assign{Assignee: "user:colleague"}); err != nil {
		t.Fatal(err)
	}
	closed, err := w.Apply(ctx, "token:x", made[2].ID, "", cases.Close{Outcome: cases.OutcomeWithdrawn})
	if err != nil {
		t.Fatal(err)
	}
	targets := []usecase.Target{
		{ID: made[0].ID, Etag: made[0].Etag()},
		{ID: stale.ID, Etag: stale.Etag()},
		{ID: closed.ID, Etag: closed.Etag()},
		{ID: "01NOSUCHCASE0000000000000", Etag: "1"},
		{ID: made[3].ID, Etag: ""},
		{ID: made[4].ID, Etag: made[4].Etag()},
	}
	res, err := w.AssignEach(ctx, "user:me", "user:me", "", targets)
	if err != nil {
		t.Fatal(err)
	}
	var conflict *fault.Conflict
	var refused *fault.FailedPrecondition
	var invalid *fault.InvalidArgument
	checks := []struct {
		ok   bool
		what string
	}{
		{res[0].Err == nil && res[0].Case.Assignee == "user:me", "the first case is assigned"},
		{errors.As(res[1].Err, &conflict) && res[1].Case.Assignee == "user:colleague" && res[1].Case.Reference == stale.Reference, "the stale case is a conflict, left with the colleague, named by its reference"},
		{errors.As(res[2].Err, &refused) && res[2].Case.Reference == closed.Reference, "the closed case is refused"},
		{res[3].Err != nil && res[3].Case == nil, "the missing case fails with no case"},
		{errors.As(res[4].Err, &invalid) && res[4].Case.Assignee == "", "a case sent without its etag is not assigned"},
		{res[5].Err == nil && res[5].Case.Assignee == "user:me", "the last case is assigned"},
	}
	for i, c := range checks {
		if !c.ok {
			t.Errorf("result %d: %+v: want %s", i, res[i], c.what)
		}
	}
	if _, err := w.AssignEach(ctx, "user:me", "user:me", "", nil); !errors.As(err, &invalid) {
		t.Errorf("no cases: %v, want invalid", err)
	}
	if _, err := w.AssignEach(ctx, "user:me", "user:me", "", make([]usecase.Target, usecase.MaxBulkAssign+1)); !errors.As(err, &invalid) {
		t.Errorf("%d cases: %v, want invalid", usecase.MaxBulkAssign+1, err)
	}
}

func TestWorkloadCountsOpenCasesPerAssignee(t *testing.T) {
	w, all := seeded(t, 200)
	want := map[string]int{}
	unassigned := 0
	for _, c := range all {
		switch {
		case !c.Open():
		case c.Assignee == "":
			unassigned++
		default:
			want[c.Assignee]++
		}
	}
	got, err := w.Workload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Unassigned != unassigned {
		t.Errorf("unassigned: %d, want %d", got.Unassigned, unassigned)
	}
	if len(got.People) != len(want) || len(want) < 2 {
		t.Fatalf("people: %+v, want %v", got.People, want)
	}
	for i, l := range got.People {
		if want[l.Assignee] != l.Open {
			t.Errorf("%s: %d open, want %d", l.Assignee, l.Open, want[l.Assignee])
		}
		if i > 0 && l.Open > got.People[i-1].Open {
			t.Errorf("%s (%d) is listed after %s (%d): want the most loaded first", l.Assignee, l.Open, got.People[i-1].Assignee, got.People[i-1].Open)
		}
	}
}
