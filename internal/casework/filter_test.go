package casework_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Filters with OR and NOT scan an index rather than choose one; their
// pages still list each matching case once, in order, and never show an
// empty page with a next page after it, even when the matches are few and
// far apart. Previous pages retrace the same pages.
func TestListPagesOrFiltersWithoutEmptyPages(t *testing.T) {
	w, all := seeded(t, 300)
	day := w.Today().String()
	var open []*cases.Case
	for _, c := range all {
		if c.Open() {
			open = append(open, c)
		}
	}
	slices.SortFunc(open, func(a, b *cases.Case) int { return strings.Compare(a.Clock.Due+a.ID, b.Clock.Due+b.ID) })
	// Three open cases: the first, one in the middle and the last due.
	few := []*cases.Case{open[0], open[len(open)/2], open[len(open)-1]}
	hasRight := func(c *cases.Case, r notice.Right) bool {
		return slices.ContainsFunc(c.Rights, func(rr cases.RequestedRight) bool { return rr.Right == r })
	}
	filters := []struct {
		filter string
		want   func(*cases.Case) bool
	}{
		{`state = "IN_PROGRESS" OR (overdue = true AND NOT assignee = "")`, func(c *cases.Case) bool {
			return c.State == cases.StateInProgress || (c.Open() && c.Clock.Due < day && c.Assignee != "")
		}},
		{fmt.Sprintf(`reference = %q OR reference = %q OR reference = %q`, few[0].Reference, few[1].Reference, few[2].Reference), func(c *cases.Case) bool {
			return slices.ContainsFunc(few, func(f *cases.Case) bool { return f.ID == c.ID })
		}},
		{`(right = "ERASURE" OR right = "RECTIFICATION") AND NOT state = "NEW"`, func(c *cases.Case) bool {
			return (hasRight(c, notice.RightErasure) || hasRight(c, notice.RightRectification)) && c.State != cases.StateNew
		}},
	}
	orders := []struct {
		order string
		key   func(*cases.Case) string
		desc  bool
	}{
		{"due", func(c *cases.Case) string { return c.Clock.Due }, false},
		{"due desc", func(c *cases.Case) string { return c.Clock.Due }, true},
		{"received", func(c *cases.Case) string { return c.ReceivedOn }, false},
		{"received desc", func(c *cases.Case) string { return c.ReceivedOn }, true},
	}
	byID := map[string]*cases.Case{}
	for _, c := range all {
		byID[c.ID] = c
	}
	for _, f := range filters {
		for _, o := range orders {
			// Due order lists open cases; received order every case.
			var want []string
			for _, c := range all {
				if f.want(c) && (c.Open() || strings.HasPrefix(o.order, "received")) {
					want = append(want, c.ID)
				}
			}
			if len(want) == 0 {
				t.Fatalf("%s: the seed gives no case: the test proves nothing", f.filter)
			}
			for _, limit := range []int{1, 2, 7} {
				q := usecase.Query{Filter: f.filter, OrderBy: o.order, Limit: limit}
				forward := pages(t, w, q)
				for i, p := range forward {
					if len(p.Cases) == 0 {
						t.Fatalf("%s %s limit %d: page %d of %d is empty", f.filter, o.order, limit, i+1, len(forward))
					}
				}
				got := flatten(forward)
				if fmt.Sprint(sortedIDs(got)) != fmt.Sprint(sortedIDs(want)) {
					t.Fatalf("%s %s limit %d: listed %d cases, want %d", f.filter, o.order, limit, len(got), len(want))
				}
				for i := 1; i < len(got); i++ {
					a, b := o.key(byID[got[i-1]]), o.key(byID[got[i]])
					if (o.desc && b > a) || (!o.desc && b < a) {
						t.Fatalf("%s %s: %s follows %s", f.filter, o.order, b, a)
					}
				}
				at := forward[len(forward)-1]
				for i := len(forward) - 2; i >= 0; i-- {
					back := q
					back.Before = at.Prev
					page, err := w.List(ctx, back)
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(ids(page.Cases)) != fmt.Sprint(ids(forward[i].Cases)) {
						t.Fatalf("%s %s limit %d: back to page %d: %v, want %v", f.filter, o.order, limit, i+1, ids(page.Cases), ids(forward[i].Cases))
					}
					at = page
				}
				if at.Prev != nil {
					t.Errorf("%s %s limit %d: the first page, reached backwards, offers a previous page", f.filter, o.order, limit)
				}
			}
		}
	}
}

// A filter that matches nothing gives one empty page with no next page,
// however many cases it had to read past.
func TestListOfNoMatchIsOneEmptyPage(t *testing.T) {
	w, _ := seeded(t, 120)
	for _, order := range []string{"due", "received desc"} {
		ps := pages(t, w, usecase.Query{Filter: `reference = "RD-2222-2222" OR (open = true AND open = false)`, OrderBy: order, Limit: 5})
		if len(ps) != 1 || len(ps[0].Cases) != 0 || ps[0].Prev != nil {
			t.Errorf("%s: %d pages, first with %d cases: want one empty page", order, len(ps), len(ps[0].Cases))
		}
	}
}
