package casework_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// The working-day calendar is the handling office's: a Scottish office's
// case rolls over St Andrew's Day wherever the requester lives.
func TestTheOrganisationsRegionSetsTheClock(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		office, due string
	}{
		{deadline.Scotland, "2026-12-01"},        // Monday 30 November is St Andrew's Day
		{deadline.EnglandAndWales, "2026-11-30"}, // an ordinary Monday
		{"", "2026-11-30"},                       // unset: England and Wales
	} {
		w, _ := caseworktest.New(t, t.TempDir(), now, casework.DefaultRegion(tc.office))
		r := request(notice.RightAccess, "")
		r.ReceivedOn = "2026-10-30"
		r.Requester.Person.PostalAddress = "1 Acacia Avenue\nLondon"
		c := create(t, w, r)
		if c.Clock.Due != tc.due {
			t.Errorf("office in %q: due %s, want %s", tc.office, c.Clock.Due, tc.due)
		}
	}
}

// A service handled from another office counts in that office's calendar;
// a case about services whose offices disagree, or about none, in the
// organisation's.
func TestANoticesOfficeSetsTheClock(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	desk := cases.NoticeRef{ID: "it-service-desk", Context: "employment"}
	hub := cases.NoticeRef{ID: "gpg-csep-hub"}
	for _, tc := range []struct {
		name    string
		notices []cases.NoticeRef
		region  string
	}{
		{"a notice handled in Scotland", []cases.NoticeRef{desk}, deadline.Scotland},
		{"a notice handled by the organisation", []cases.NoticeRef{hub}, deadline.EnglandAndWales},
		{"notices whose offices disagree", []cases.NoticeRef{desk, hub}, deadline.EnglandAndWales},
		{"no notice", nil, deadline.EnglandAndWales},
	} {
		w, _ := caseworktest.New(t, t.TempDir(), now, casework.DefaultRegion(deadline.EnglandAndWales),
			casework.NoticeRegions(map[string]string{desk.ID: deadline.Scotland}))
		r := request(notice.RightAccess, "")
		r.Notices, r.ReceivedOn = tc.notices, "2026-10-30"
		if c := create(t, w, r); c.Region != tc.region {
			t.Errorf("%s: region %q, want %q", tc.name, c.Region, tc.region)
		}
	}
}

func TestANoteAfterAColleaguesChangeIsSaved(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	c := create(t, w, request(notice.RightAccess, ""))
	read := c.Etag() // the page as the first member of staff loaded it
	if _, err := w.Apply(ctx, "token:colleague", c.ID, read, cases.Assign{Assignee: "alice"}); err != nil {
		t.Fatal(err)
	}
	got, err := w.Apply(ctx, "token:me", c.ID, read, cases.AddNote{Text: "Rang the requester."})
	if err != nil || len(got.Notes) != 1 || got.Assignee != "alice" {
		t.Fatalf("note after a colleague's change: %v (notes %d, assignee %q)", err, len(got.Notes), got.Assignee)
	}
	_, err = w.Apply(ctx, "token:me", c.ID, read, cases.Update{Paths: []string{"description"}, From: cases.Case{Description: "x"}})
	var conflict *fault.Conflict
	if !errors.As(err, &conflict) {
		t.Errorf("stale edit of the details: %v, want a conflict", err)
	}
}

func TestLinkAndMergeWriteBothCasesTogether(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	a := create(t, w, request(notice.RightAccess, ""))
	b := create(t, w, request(notice.RightAccess, ""))
	c := create(t, w, request(notice.RightErasure, ""))

	linked, err := w.Link(ctx, "token:alice", a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := w.Get(ctx, b.ID)
	if !slices.Equal(linked.Links, []string{b.ID}) || !slices.Equal(other.Links, []string{a.ID}) {
		t.Errorf("links %v and %v, want each pointing at the other", linked.Links, other.Links)
	}

	merged, err := w.Merge(ctx, "token:alice", c.ID, c.Etag(), a.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	target, _ := w.Get(ctx, a.ID)
	if merged.State != cases.StateClosed || merged.Outcome.DuplicateOf != a.ID || !slices.Contains(target.Links, c.ID) || !target.Open() {
		t.Errorf("merged %s %+v; target links %v open %v", merged.State, merged.Outcome, target.Links, target.Open())
	}
	events, _ := w.Events(ctx, a.ID)
	if last := events[len(events)-1]; last.Action != "case.linked" || last.Actor != "token:alice" {
		t.Errorf("the case merged into records %s by %s", last.Action, last.Actor)
	}

	d := create(t, w, request(notice.RightAccess, ""))
	for name, tc := range map[string]struct {
		run   func() error
		field string
	}{
		"into itself": {func() error { _, err := w.Merge(ctx, "token:alice", d.ID, "", d.ID, "", ""); return err }, "into"},
		"into a closed case": {func() error {
			_, err := w.Merge(ctx, "token:alice", d.ID, "", c.ID, "", "")
			return err
		}, "into"},
		"into a missing case": {func() error {
			_, err := w.Merge(ctx, "token:alice", d.ID, "", "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "", "")
			return err
		}, "into"},
		"link to a missing case": {func() error {
			_, err := w.Link(ctx, "token:alice", d.ID, "01ZZZZZZZZZZZZZZZZZZZZZZZZ")
			return err
		}, "other"},
	} {
		err := tc.run()
		var inv *fault.InvalidArgument
		if !errors.As(err, &inv) || inv.Violations[0].Field != tc.field {
			t.Errorf("%s: %v, want an invalid %s", name, err, tc.field)
		}
	}
	// Nothing half-written: the refused link left d unlinked.
	if after, _ := w.Get(ctx, d.ID); len(after.Links) != 0 || after.Version != d.Version {
		t.Errorf("a refused link or merge changed the case: links %v version %d", after.Links, after.Version)
	}
}

func TestFilterFindsACaseByAnyOfItsNotices(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	r := request(notice.RightAccess, "")
	r.Notices = append(r.Notices, cases.NoticeRef{ID: "gpg-csep-hub"})
	both := create(t, w, r)
	r.Notices = nil
	none := create(t, w, r)
	for filter, want := range map[string][]string{
		`notice="gpg-csep-hub"`:    {both.ID},
		`notice="it-service-desk"`: {both.ID},
		"open=true":                {both.ID, none.ID},
	} {
		page, err := w.List(ctx, usecase.Query{Filter: filter, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range page.Cases {
			got = append(got, c.ID)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", filter, got, want)
		}
	}
}
