package casework_test

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/devseed"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// fuzzCases is how many seeded cases the list fuzz targets query: enough
// for every state, right, channel and assignee to occur, few enough that
// each input lists them all in a few milliseconds.
const fuzzCases = 60

// seededFor is seeded for a fuzz target: one store for the whole run,
// since every input only reads it.
func seededFor(f *testing.F) (*casework.Service, []*cases.Case) {
	f.Helper()
	w, st := newService(f, f.TempDir())
	if _, err := devseed.Seed(ctx, st, deadline.NewEngine(deadline.BuiltinCalendars()), devseed.Options{Cases: fuzzCases, Seed: 7, Now: today}); err != nil {
		f.Fatal(err)
	}
	var all []*cases.Case
	if err := w.EachCase(ctx, func(c *cases.Case) error { all = append(all, c); return nil }); err != nil {
		f.Fatal(err)
	}
	return w, all
}

// listAll follows every page of a query; the error is the first call's.
func listAll(t *testing.T, w *casework.Service, q usecase.Query) ([]*cases.Case, error) {
	t.Helper()
	q.Limit = 25
	var out []*cases.Case
	for n := 0; ; n++ {
		page, err := w.List(ctx, q)
		if err != nil {
			if n > 0 {
				t.Fatalf("page %d of %+v: %v", n+1, q, err)
			}
			return nil, err
		}
		if page.Next != nil && len(page.Cases) == 0 {
			t.Fatalf("%+v: an empty page %d offers a next page", q, n+1)
		}
		out = append(out, page.Cases...)
		if page.Next == nil {
			return out, nil
		}
		if n > fuzzCases {
			t.Fatalf("%+v: more pages than cases", q)
		}
		q.After = page.Next
	}
}

// requireInvalid fails unless err is an InvalidArgument about field alone,
// with a description a person can act on.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var bad *fault.InvalidArgument
	if !errors.As(err, &bad) {
		t.Fatalf("error %v (%T) is not an InvalidArgument", err, err)
	}
	for _, v := range bad.Violations {
		if v.Field != field || strings.TrimSpace(v.Description) == "" || !utf8.ValidString(v.Description) {
			t.Fatalf("violation %+v, want a readable one about %s", v, field)
		}
	}
}

func idSet(list []*cases.Case) map[string]bool {
	set := make(map[string]bool, len(list))
	for _, c := range list {
		set[c.ID] = true
	}
	return set
}

// FuzzListFilter runs any filter through List. A filter that is refused
// is an InvalidArgument about the filter; one that is accepted splits the
// cases with its negation: in received order (which lists every case)
// the cases F lists and those NOT (F) lists are disjoint and together
// all of them, whichever index each chose — so no index plan drops a
// match or lets a non-match through. In due order F lists only cases it
// lists in received order, each once.
func FuzzListFilter(f *testing.F) {
	for _, s := range []string{
		``, `   `, `state = "IN_PROGRESS"`, `state = in_progress AND overdue = true`,
		`state = "IN_PROGRESS" OR (overdue = true AND NOT assignee = "")`, `-assignee = ""`, `assignee != "user:alex"`,
		`right = "ERASURE" AND channel = RECEIVED_CHANNEL_EMAIL`, `notice = "notices/it-service-desk"`,
		`waiting = true AND due > "2026-03-04" AND due <= "2026-03-31"`, `due >= "2026-03-02" AND due < "2026-04-01"`,
		`undelivered = true OR open = false`, `needs_action = true AND extension_due = false`, `new_reply = true`,
		`due_this_week = true`, `reference = "rd 7k3m q9xp"`, `((open = true))`, `NOT (state = "CLOSED" OR state = "NEW")`,
		`state:"NEW"`, `state = `, `(open = true`, `due < 2026-03-01`, `foo.bar = 1`, `f(x) = 1`, `open = maybe`,
	} {
		f.Add(s)
	}
	w, all := seededFor(f)
	universe := idSet(all)
	f.Fuzz(func(t *testing.T, filter string) {
		matched, err := listAll(t, w, usecase.Query{Filter: filter, OrderBy: "received"})
		if err != nil {
			requireInvalid(t, err, "filter")
			return
		}
		if strings.TrimSpace(filter) == "" {
			if !maps.Equal(idSet(matched), universe) {
				t.Fatalf("the blank filter %q lists %d of %d cases", filter, len(matched), len(universe))
			}
			return // a blank filter has no negation to write
		}
		// The parser refuses a space before ")" (AIP-160 has no blank there).
		not := "NOT (" + strings.TrimSpace(filter) + ")"
		if len(not) > 1024 {
			return // the negation is over the length the filter may have
		}
		unmatched, err := listAll(t, w, usecase.Query{Filter: not, OrderBy: "received"})
		if err != nil {
			t.Fatalf("%q is accepted but its negation is not: %v", filter, err)
		}
		in, out := idSet(matched), idSet(unmatched)
		if len(in) != len(matched) || len(out) != len(unmatched) {
			t.Fatalf("%q lists a case twice", filter)
		}
		for id := range in {
			if out[id] {
				t.Fatalf("case %s matches both %q and its negation", id, filter)
			}
		}
		maps.Copy(in, out)
		if !maps.Equal(in, universe) {
			t.Fatalf("%q and its negation list %d of %d cases", filter, len(in), len(universe))
		}
		byDue, err := listAll(t, w, usecase.Query{Filter: filter})
		if err != nil {
			t.Fatalf("%q is accepted in received order but not in due order: %v", filter, err)
		}
		inMatched := idSet(matched)
		for _, c := range byDue {
			if !inMatched[c.ID] {
				t.Fatalf("%q in due order lists case %s, which it does not match in received order", filter, c.ID)
			}
		}
		if len(idSet(byDue)) != len(byDue) {
			t.Fatalf("%q in due order lists a case twice", filter)
		}
	})
}

// FuzzListOrderBy runs any order_by through List. A refused one is an
// InvalidArgument about order_by; an accepted one lists the cases sorted
// by the field it names (due date or date received, then id), descending
// exactly when it ends in desc.
func FuzzListOrderBy(f *testing.F) {
	for _, s := range []string{"", "due", "received", "due desc", "RECEIVED  Desc", " due asc ", "due desc asc", "priority", "received,due", "due\tdesc", "dué"} {
		f.Add(s)
	}
	w, _ := seededFor(f)
	f.Fuzz(func(t *testing.T, orderBy string) {
		list, err := listAll(t, w, usecase.Query{OrderBy: orderBy, Filter: "open = true"})
		if err != nil {
			requireInvalid(t, err, "order_by")
			return
		}
		words := strings.Fields(strings.ToLower(orderBy))
		key := func(c *cases.Case) string { return c.Clock.Due }
		if len(words) > 0 && words[0] == "received" {
			key = func(c *cases.Case) string { return c.ReceivedOn }
		}
		desc := len(words) == 2 && words[1] == "desc"
		sorted := slices.IsSortedFunc(list, func(a, b *cases.Case) int {
			order := cmp.Or(strings.Compare(key(a), key(b)), strings.Compare(a.ID, b.ID))
			if desc {
				return -order
			}
			return order
		})
		if !sorted || len(list) == 0 {
			t.Fatalf("order_by %q: %d cases, not in its order", orderBy, len(list))
		}
	})
}

// FuzzByReference looks a case up by whatever staff type into "find". A
// miss is a NotFound naming the reference as normalised; a hit is the
// case whose reference the input normalises to.
func FuzzByReference(f *testing.F) {
	w, all := seededFor(f)
	ref := all[0].Reference
	for _, s := range []string{ref, strings.ToLower(ref), strings.ReplaceAll(ref, "-", " "), " " + strings.ReplaceAll(ref, "-", "") + "\n", "RD-0000-0000", "", "rd", "RD-7K3M-Q9XP-X", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		c, err := w.ByReference(ctx, typed)
		want := cases.NormaliseReference(typed)
		var missing *fault.NotFound
		switch {
		case errors.As(err, &missing):
			if missing.Name != want {
				t.Fatalf("NotFound names %q, want %q", missing.Name, want)
			}
		case err != nil:
			t.Fatalf("ByReference(%q): %v (%T)", typed, err, err)
		case c.Reference != want:
			t.Fatalf("ByReference(%q) found %s", typed, c.Reference)
		}
	})
}
