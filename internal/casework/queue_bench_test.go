package casework_test

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/devseed"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// queueBenchCases is the store BenchmarkQueueViewFirstPage lists from:
// small by default so that `go test -bench .` stays quick; issue 21 asks
// for 100,000 (-queue-bench-cases 100000) and 1,000,000.
var queueBenchCases = flag.Int("queue-bench-cases", 2000, "cases BenchmarkQueueViewFirstPage seeds through the domain code")

// The first page (50 cases) of every view and filter the staff queue and
// ListCases offer, over cases seeded through the domain code with
// realistic rights, states and assignees (internal/devseed). Each view
// reads its page from an index or an intersection of indexes where one
// serves it; compare the figures at two sizes to see which still scan.
func BenchmarkQueueViewFirstPage(b *testing.B) {
	w, st := newService(b, b.TempDir())
	if _, err := devseed.Seed(ctx, st, deadline.NewEngine(deadline.BuiltinCalendars()), devseed.Options{Cases: *queueBenchCases, Seed: 21, Now: today}); err != nil {
		b.Fatal(err)
	}
	views := []struct{ name, filter string }{
		{"all open", "open = true"},
		{"needs action", "open = true AND needs_action = true"},
		{"mine", `open = true AND assignee = "user:seed-bea"`},
		{"unassigned", `open = true AND assignee = ""`},
		{"due this week", "open = true AND due_this_week = true"},
		{"overdue", "open = true AND overdue = true"},
		{"waiting", "open = true AND waiting = true"},
		{"new replies", "open = true AND new_reply = true"},
		{"undelivered", "open = true AND undelivered = true"},
		{"extension to decide", "open = true AND extension_due = true"},
		{"state", `open = true AND state = "IN_PROGRESS"`},
		{"right", `open = true AND right = "RECTIFICATION"`},
		{"notice", `open = true AND notice = "it-service-desk"`},
		{"state and right", `open = true AND state = "NEW" AND right = "ERASURE"`},
		{"mine and right", `open = true AND assignee = "user:seed-bea" AND right = "ACCESS"`},
		{"right and notice", `open = true AND right = "OBJECTION" AND notice = "it-service-desk"`},
		{"overdue, state, notice", `open = true AND overdue = true AND state = "IN_PROGRESS" AND notice = "it-service-desk"`},
		{"closed", "open = false"},
		{"closed and right", `open = false AND right = "ERASURE"`},
		{"received order, notice", `notice = "it-service-desk"`},
		{"received order, right", `right = "ACCESS"`},
		{"received order, all", ""},
	}
	for _, v := range views {
		name, filter := v.name, v.filter
		order := "due"
		if strings.HasPrefix(name, "received order") {
			order = "received desc"
		}
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			q := usecase.Query{Filter: filter, OrderBy: order, Limit: 50}
			var shown int
			for b.Loop() {
				page, err := w.List(ctx, q)
				if err != nil {
					b.Fatal(fmt.Errorf("%s: %w", filter, err))
				}
				shown = len(page.Cases)
				if shown == 0 && page.Next != nil {
					b.Fatalf("%s: an empty page offers a next page", filter)
				}
			}
			b.ReportMetric(float64(shown), "cases/page")
		})
	}
}
