package casework

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// filterDay is Wednesday 4 March 2026: this week ends Sunday 8 March. The
// next step of a case is "record the response" when it waits for the
// requester and "assign" otherwise; only case "ext" has an extension to
// decide.
func filterDay(t *testing.T) day {
	t.Helper()
	today, err := deadline.ParseDate("2026-03-04")
	if err != nil {
		t.Fatal(err)
	}
	next := func(c *cases.Case) cases.StaffAction {
		switch c.State {
		case cases.StateClosed:
			return ""
		case cases.StateAwaitingRequester:
			return cases.ActRecordResponse
		}
		return cases.ActAssign
	}
	return newDay(today, next, func(c *cases.Case) bool { return c.ID == "ext" })
}

// filterCases are one case of each kind the terms tell apart, by id.
func filterCases() []*cases.Case {
	mk := func(id string, st cases.State, due string, edit func(*cases.Case)) *cases.Case {
		c := &cases.Case{ID: id, Reference: "RD-" + strings.ToUpper(id), State: st, Channel: cases.ChannelWeb,
			Rights:  []cases.RequestedRight{{Right: notice.RightAccess}},
			Notices: []cases.CaseNotice{{NoticeRef: cases.NoticeRef{ID: "it-service-desk"}}},
			Clock:   cases.Clock{Due: due}}
		if edit != nil {
			edit(c)
		}
		return c
	}
	return []*cases.Case{
		mk("late", cases.StateInProgress, "2026-03-02", func(c *cases.Case) { c.Assignee = "user:alex" }),
		mk("lateun", cases.StateNew, "2026-03-03", nil),
		mk("week", cases.StateInProgress, "2026-03-08", func(c *cases.Case) {
			c.Assignee = "user:bea"
			c.Rights = append(c.Rights, cases.RequestedRight{Right: notice.RightErasure})
		}),
		mk("wait", cases.StateAwaitingRequester, "2026-03-20", func(c *cases.Case) {
			c.Channel = cases.ChannelEmail
			c.NewReply = true
		}),
		mk("ext", cases.StateInProgress, "2026-04-01", func(c *cases.Case) {
			c.Assignee = "user:alex"
			c.Notices = []cases.CaseNotice{{NoticeRef: cases.NoticeRef{ID: "gpg-csep-hub"}}}
		}),
		mk("shut", cases.StateClosed, "2026-02-01", func(c *cases.Case) { c.Assignee = "user:bea" }),
	}
}

func TestFilterMatchesWhatItSays(t *testing.T) {
	d := filterDay(t)
	all := filterCases()
	for _, tt := range []struct{ filter, want string }{
		{"", "late lateun week wait ext shut"},
		{"   ", "late lateun week wait ext shut"},
		// The example: in progress, or overdue and assigned.
		{`state = "IN_PROGRESS" OR (overdue = true AND NOT assignee = "")`, "late week ext"},
		{`state = "IN_PROGRESS" OR overdue = true AND NOT assignee = ""`, "late week ext"},
		{`(state = "IN_PROGRESS" OR overdue = true) AND NOT assignee = ""`, "late week ext"},
		{`state = "IN_PROGRESS" OR (overdue = true AND assignee = "")`, "late lateun week ext"},
		{`-assignee = ""`, "late week ext shut"},
		{`assignee != ""`, "late week ext shut"},
		{`NOT (open = true)`, "shut"},
		{`NOT (NOT open = false)`, "shut"},
		{`open=true AND NOT (state = "new" OR waiting = true)`, "late week ext"},
		// Enum spellings: API, without prefix, short, any case.
		{`state = CASE_STATE_AWAITING_REQUESTER`, "wait"},
		{`state = "awaiting_requester"`, "wait"},
		{`state != "CLOSED"`, "late lateun week wait ext"},
		{`right = "RIGHT_ERASURE"`, "week"},
		{`right != "erasure"`, "late lateun wait ext shut"},
		{`channel = EMAIL OR channel = "received_channel_post"`, "wait"},
		{`notice = "notices/gpg-csep-hub"`, "ext"},
		{`notice = "it-service-desk" AND assignee = "user:alex"`, "late"},
		{`reference = "rd-wait"`, "wait"},
		// Dates, each comparison.
		{`due < "2026-03-03"`, "late shut"},
		{`due <= "2026-03-03"`, "late lateun shut"},
		{`due > "2026-03-08"`, "wait ext"},
		{`due >= "2026-03-08"`, "week wait ext"},
		{`due = "2026-03-08"`, "week"},
		{`due != "2026-03-08" AND open = true`, "late lateun wait ext"},
		{`due >= "2026-03-03" AND due < "2026-04-01"`, "lateun week wait"},
		// The true/false fields, both ways.
		{"overdue = true", "late lateun"},
		{"overdue = false", "week wait ext shut"},
		{"due_this_week = TRUE", "week"},
		{"waiting = true", "wait"},
		{"needs_action = true", "late lateun week ext"},
		{"needs_action = false", "wait shut"},
		{"new_reply = true", "wait"},
		{"new_reply != true", "late lateun week ext shut"},
		{"extension_due = true OR due_this_week = true", "week ext"},
		{"undelivered = true", ""},
		// A sequence (no operator) is AND.
		{`open = true assignee = "user:bea"`, "week"},
	} {
		f, err := parseFilter(tt.filter)
		if err != nil {
			t.Errorf("%q: %v", tt.filter, err)
			continue
		}
		var got []string
		for _, c := range all {
			if f.match(c, d) {
				got = append(got, c.ID)
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%q matches [%s], want [%s]", tt.filter, strings.Join(got, " "), tt.want)
		}
	}
}

func TestFilterErrorsNameTheColumnAndWhatWasExpected(t *testing.T) {
	for _, tt := range []struct{ filter, want string }{
		{`state = (`, "column 10: expected a field, a value or ( but the filter ends"},
		{`state = "NEW" AND`, "column 14: unexpected space"},
		{`(state = "NEW"`, "column 15: expected )"},
		{`"state" = "NEW"`, "column 1: expected a field name before ="},
		{`due < 2026-03-01`, `column 11: unexpected -: write field = value terms joined by AND or OR, and quote values holding - or : (due < "2026-03-01")`},
		{`notice = it-service-desk`, "column 12: unexpected -"},
		{`state = "NEW`, "column 9: unterminated string"},
		{`colour = "red"`, `column 1: unknown field "colour"`},
		{`open = true AND colour.shade = "red"`, `column 17: unknown field "shade" (fields have no parts)`},
		{`  state = "floating"`, `column 11: unknown state "floating"`},
		{`open = true OR overdue = maybe`, "column 26: overdue takes true or false"},
		{`open = true OR overdue < true`, "column 16: overdue only supports = and !="},
		{`due < "yesterday"`, `column 7: due < yesterday: want a quoted date, e.g. due < "2026-03-01"`},
		{`due < today`, `column 7: due < today: want a quoted date`},
		{`overdue`, "column 1: overdue needs a comparison, e.g. overdue = true"},
		{`open = true AND "NEW"`, "column 17: expected a term such as state"},
		{`assignee = 3`, `column 12: assignee takes assignee = "..."`},
		{`assignee : "x"`, "column 1: the operator : is not in this language; use ="},
		{`lower(state) = "new"`, "column 1: lower(...) is not in this language"},
		{`état = "new"`, `column 1: unknown field "état"`},
		{`open = true AND état = 3`, `column 17: unknown field "état"`},
		{strings.Repeat("(", maxFilterLength+1), "the most is 1024"},
	} {
		_, err := parseFilter(tt.filter)
		var invalid *fault.InvalidArgument
		if !errors.As(err, &invalid) || len(invalid.Violations) != 1 || invalid.Violations[0].Field != "filter" {
			t.Errorf("%q: %v, want an invalid filter", tt.filter, err)
			continue
		}
		if !strings.Contains(invalid.Violations[0].Description, tt.want) {
			t.Errorf("%q: %q, want it to say %q", tt.filter, invalid.Violations[0].Description, tt.want)
		}
	}
}

// Deep parentheses within the length limit are read, not a crash.
func TestFilterReadsDeepParentheses(t *testing.T) {
	depth := (maxFilterLength - len("open = true")) / 2
	s := strings.Repeat("(", depth) + "open = true" + strings.Repeat(")", depth)
	f, err := parseFilter(s)
	if err != nil {
		t.Fatal(err)
	}
	if !f.match(&cases.Case{State: cases.StateNew}, filterDay(t)) {
		t.Error("an open case does not match open = true in parentheses")
	}
}

// Only terms at the top of the filter, alone or under AND, choose an
// index or narrow the due dates walked; anything under OR or NOT scans.
func TestFilterPlansFromTopLevelTermsOnly(t *testing.T) {
	d := filterDay(t)
	for _, tt := range []struct{ filter, order, want string }{
		{`state = "IN_PROGRESS"`, "", "idx_state in_progress/ [in_progress/, in_progress/\xff)"},
		{`state = "IN_PROGRESS" AND overdue = true`, "", "idx_state in_progress/ [in_progress/, in_progress/2026-03-04)"},
		{`state = "IN_PROGRESS" OR overdue = true`, "", "idx_open_due  [, )"},
		{`NOT state = "IN_PROGRESS"`, "", "idx_open_due  [, )"},
		{`state != "CLOSED"`, "", "idx_open_due  [, )"},
		{`(state = "NEW" OR right = "ERASURE") AND assignee = "user:alex"`, "", "idx_assignee user:alex\x00 [user:alex\x00, user:alex\x00\xff)"},
		{`assignee = "" AND due_this_week = true`, "", "idx_open_due  [2026-03-04, 2026-03-09)"},
		{`waiting = true AND due > "2026-03-04" AND due <= "2026-03-31"`, "", "idx_state awaiting_requester/ [awaiting_requester/2026-03-05, awaiting_requester/2026-04-01)"},
		{`open = false`, "due desc", "idx_state closed/ [closed/, closed/\xff) desc"},
		{`undelivered = true OR open = false`, "", "idx_open_due  [, )"},
		{`undelivered = true`, "", "idx_undelivered  [, )"},
		{`notice = "gpg-csep-hub"`, "received", "idx_notice gpg-csep-hub\x00 [gpg-csep-hub\x00, gpg-csep-hub\x00\xff)"},
		{`notice = "gpg-csep-hub" OR open = true`, "received desc", "idx_received  [, ) desc"},
	} {
		f, err := parseFilter(tt.filter)
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		p, err := choosePlan(f, tt.order, d)
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		got := fmt.Sprintf("%s %s [%s, %s)", p.bucket, p.prefix, p.lo, p.hi)
		if p.desc {
			got += " desc"
		}
		if got != tt.want {
			t.Errorf("%q %q: plan %q, want %q", tt.filter, tt.order, got, tt.want)
		}
	}
}

// Terms that indexes of open cases serve (assignee, right, notice, a new
// reply) narrow
// a due-ordered list together with the index chosen for the rest, but only
// while the list can hold open cases alone.
func TestFilterPlansIntersectIndexesOfOpenCases(t *testing.T) {
	d := filterDay(t)
	right, notice := "idx_open_term "+store.OpenRightPrefix("erasure"), "idx_open_term "+store.OpenNoticePrefix("hub")
	newReply := "idx_open_term " + store.OpenNewReplyPrefix
	for _, tt := range []struct {
		filter string
		want   []string
	}{
		{`right = "ERASURE"`, []string{right}},
		{`open = true AND right = "ERASURE" AND notice = "hub"`, []string{right, notice}},
		{`state = "NEW" AND right = "ERASURE"`, []string{"idx_state new/", right}},
		{`waiting = true AND assignee = "user:alex" AND notice = "hub"`, []string{"idx_state awaiting_requester/", "idx_assignee user:alex\x00", notice}},
		{`open = true AND undelivered = true AND right = "ERASURE"`, []string{"idx_undelivered ", right}},
		// Closed cases are in no index of open cases: the state index alone.
		{`state = "CLOSED" AND right = "ERASURE"`, []string{"idx_state closed/"}},
		{`open = false AND assignee = "user:alex"`, []string{"idx_state closed/"}},
		{`undelivered = true AND right = "ERASURE"`, []string{"idx_undelivered "}},
		// The "new replies" view reads only the open cases with one.
		{`open = true AND new_reply = true`, []string{newReply}},
		{`new_reply = true AND right = "ERASURE"`, []string{newReply, right}},
		{`new_reply = true AND open = false`, []string{"idx_state closed/"}},
		{`new_reply = false`, []string{"idx_open_due "}},
		// Under OR a term narrows nothing.
		{`right = "ERASURE" OR notice = "hub"`, []string{"idx_open_due "}},
		{`new_reply = true OR right = "ERASURE"`, []string{"idx_open_due "}},
	} {
		f, err := parseFilter(tt.filter)
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		p, err := choosePlan(f, "due", d)
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		var got []string
		for _, leg := range append([]plan{p}, p.also...) {
			got = append(got, fmt.Sprintf("%s %s", leg.bucket, leg.prefix))
			if string(leg.lo) != string(leg.prefix) {
				t.Errorf("%q: leg %s starts at %q, want its prefix", tt.filter, leg.bucket, leg.lo)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: legs %q, want %q", tt.filter, got, tt.want)
		}
	}
}
