package casework_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// indexedTerm is one filter term an index serves, with what it means.
type indexedTerm struct {
	filter string
	holds  func(*cases.Case) bool
}

func termsOf(all []*cases.Case) (rights, notices, states, assignees []indexedTerm) {
	seen := map[string]bool{}
	for _, c := range all {
		for _, r := range c.Rights {
			if key := "r" + string(r.Right); !seen[key] {
				seen[key] = true
				r := r.Right
				rights = append(rights, indexedTerm{fmt.Sprintf("right = %q", strings.ToUpper(string(r))), func(c *cases.Case) bool {
					return slices.ContainsFunc(c.Rights, func(x cases.RequestedRight) bool { return x.Right == r })
				}})
			}
		}
		for _, n := range c.NoticeIDs() {
			if key := "n" + n; !seen[key] {
				seen[key] = true
				notices = append(notices, indexedTerm{fmt.Sprintf("notice = %q", n), func(c *cases.Case) bool { return slices.Contains(c.NoticeIDs(), n) }})
			}
		}
		if key, s := "s"+string(c.State), c.State; !seen[key] {
			seen[key] = true
			states = append(states, indexedTerm{fmt.Sprintf("state = %q", strings.ToUpper(string(s))), func(c *cases.Case) bool { return c.State == s }})
		}
		if key, a := "a"+c.Assignee, c.Assignee; a != "" && !seen[key] {
			seen[key] = true
			assignees = append(assignees, indexedTerm{fmt.Sprintf("assignee = %q", a), func(c *cases.Case) bool { return c.Assignee == a }})
		}
	}
	return rights, notices, states, assignees
}

// Filters on terms that indexes serve, alone and together (read from an
// intersection of indexes), list exactly the cases they promise, in due
// order both ways, a non-empty page whenever a next one is offered, and
// the same cases walking back from the last page.
func TestIndexedFilterCombinationsListWhatTheySay(t *testing.T) {
	w, all := seeded(t, 300)
	rights, notices, states, assignees := termsOf(all)
	if len(rights) < 2 || len(notices) < 2 || len(states) < 3 || len(assignees) < 2 {
		t.Fatalf("the seed gives %d rights, %d notices, %d states, %d assignees: too few to combine", len(rights), len(notices), len(states), len(assignees))
	}
	open := indexedTerm{"open = true", (*cases.Case).Open}
	var combos [][]indexedTerm
	for _, r := range rights {
		combos = append(combos, []indexedTerm{r}, []indexedTerm{open, r, notices[0]}, []indexedTerm{r, assignees[0]})
		for _, s := range states {
			combos = append(combos, []indexedTerm{s, r})
		}
	}
	for _, n := range notices {
		combos = append(combos, []indexedTerm{n}, []indexedTerm{states[0], n, assignees[1]})
	}
	byID := map[string]*cases.Case{}
	for _, c := range all {
		byID[c.ID] = c
	}
	nonEmpty := 0
	for _, combo := range combos {
		var words []string
		for _, term := range combo {
			words = append(words, term.filter)
		}
		filter := strings.Join(words, " AND ")
		var want []string
		for _, c := range all {
			// A due-ordered list shows open cases unless it asks for closed ones.
			if !c.Open() && !strings.Contains(filter, `"CLOSED"`) {
				continue
			}
			if !slices.ContainsFunc(combo, func(term indexedTerm) bool { return !term.holds(c) }) {
				want = append(want, c.ID)
			}
		}
		if len(want) > 0 {
			nonEmpty++
		}
		for _, order := range []string{"due", "due desc"} {
			ps := pages(t, w, usecase.Query{Filter: filter, OrderBy: order, Limit: 7})
			got := flatten(ps)
			if fmt.Sprint(sortedIDs(got)) != fmt.Sprint(sortedIDs(want)) {
				t.Errorf("%s (%s): listed %d cases, want %d", filter, order, len(got), len(want))
				continue
			}
			for i := 1; i < len(got); i++ {
				a, b := byID[got[i-1]].Clock.Due, byID[got[i]].Clock.Due
				if order == "due" && b < a || order == "due desc" && b > a {
					t.Errorf("%s (%s): case %d is due %s after one due %s", filter, order, i, b, a)
				}
			}
			for i, p := range ps {
				if p.Next != nil && len(p.Cases) == 0 {
					t.Errorf("%s (%s): page %d is empty and offers a next page", filter, order, i)
				}
			}
			back := []string{}
			for p := ps[len(ps)-1]; ; {
				back = append(ids(p.Cases), back...)
				if p.Prev == nil {
					break
				}
				prev, err := w.List(ctx, usecase.Query{Filter: filter, OrderBy: order, Limit: 7, Before: p.Prev})
				if err != nil {
					t.Fatal(err)
				}
				p = prev
			}
			if len(ps) > 1 && !slices.Equal(back, got) {
				t.Errorf("%s (%s): walking back from the last page lists %v, forward %v", filter, order, back, got)
			}
		}
	}
	if nonEmpty < len(combos)/3 {
		t.Errorf("only %d of %d combinations match any case: the test proves little", nonEmpty, len(combos))
	}
}
