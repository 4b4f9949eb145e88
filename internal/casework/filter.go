package casework

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// filter is a parsed ListCases filter: a conjunction of terms.
type filter struct {
	state       *cases.State
	right       *notice.Right
	notice      *string
	assignee    *string
	channel     *cases.Channel
	overdue     *bool
	open        *bool
	waiting     *bool
	needsAction *bool
	dueThisWeek *bool
	// undelivered is a case with a letter the relay refused.
	undelivered *bool
	newReply    *bool  // the requester replied or withdrew since staff last looked
	dueFrom     string // inclusive
	dueTo       string // exclusive
	reference   string

	// extensionDue is a case whose extension must be decided soon
	// (cases.Case.ExtensionDecisionBy).
	extensionDue *bool
}

// day is what a filter's terms about time and next steps are measured
// against: the date today, the last day of "this week" (report.WeekEnd)
// and the day after it, the likely next action of a case
// (cases.Case.NextAction as of today) and whether its extension must be
// decided soon (cases.Case.ExtensionDecisionBy as of today).
type day struct {
	today, weekEnd, afterWeek string
	next                      func(*cases.Case) cases.StaffAction
	extensionDue              func(*cases.Case) bool
}

func newDay(today deadline.Date, next func(*cases.Case) cases.StaffAction, extensionDue func(*cases.Case) bool) day {
	end := report.WeekEnd(today)
	return day{today: today.String(), weekEnd: end.String(), afterWeek: end.AddDays(1).String(), next: next, extensionDue: extensionDue}
}

var termPattern = regexp.MustCompile(`^\s*([a-z_]+)\s*(<=|>=|!=|=|<|>)\s*("([^"]*)"|[^\s"]*)\s*$`)

func parseFilter(s string) (filter, error) {
	var f filter
	if strings.TrimSpace(s) == "" {
		return f, nil
	}
	for _, term := range splitAnd(s) {
		m := termPattern.FindStringSubmatch(term)
		if m == nil {
			return f, fault.Invalid("filter", "cannot read %q: write field=value terms joined by AND (%s)", strings.TrimSpace(term), usecase.FilterFields)
		}
		value := m[3]
		if strings.HasPrefix(value, `"`) {
			value = m[4]
		}
		if err := f.set(m[1], m[2], value); err != nil {
			return f, fault.Invalid("filter", "%s", err)
		}
	}
	return f, nil
}

func splitAnd(s string) []string {
	return regexp.MustCompile(`(?i)\s+AND\s+`).Split(strings.TrimSpace(s), -1)
}

func (f *filter) set(field, op, value string) error {
	if field == "due" {
		return f.setDue(op, value)
	}
	if op != "=" {
		return fmt.Errorf("%s only supports =", field)
	}
	switch field {
	case "state":
		st := cases.State(enumValue(value, "CASE_STATE_"))
		if !slices.Contains(cases.States, st) {
			return fmt.Errorf("unknown state %q", value)
		}
		f.state = &st
	case "right":
		r := notice.Right(enumValue(value, "RIGHT_"))
		if !r.Valid() {
			return fmt.Errorf("unknown right %q", value)
		}
		f.right = &r
	case "channel":
		ch := cases.Channel(enumValue(value, "RECEIVED_CHANNEL_"))
		if !slices.Contains(cases.Channels, ch) {
			return fmt.Errorf("unknown channel %q", value)
		}
		f.channel = &ch
	case "notice":
		id := strings.TrimPrefix(value, "notices/")
		f.notice = &id
	case "assignee":
		f.assignee = &value
	case "reference":
		f.reference = value
	case "overdue", "open", "waiting", "needs_action", "due_this_week", "undelivered", "new_reply", "extension_due":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("%s takes true or false", field)
		}
		switch field {
		case "overdue":
			f.overdue = &b
		case "open":
			f.open = &b
		case "waiting":
			f.waiting = &b
		case "needs_action":
			f.needsAction = &b
		case "undelivered":
			f.undelivered = &b
		case "new_reply":
			f.newReply = &b
		case "extension_due":
			f.extensionDue = &b
		default:
			f.dueThisWeek = &b
		}
	default:
		return fmt.Errorf("unknown field %q; filter on %s", field, usecase.FilterFields)
	}
	return nil
}

func (f *filter) setDue(op, value string) error {
	d, err := deadline.ParseDate(value)
	if err != nil {
		return fmt.Errorf("due %s %q: want a date YYYY-MM-DD", op, value)
	}
	switch op {
	case ">=":
		f.dueFrom = d.String()
	case ">":
		f.dueFrom = d.AddDays(1).String()
	case "<":
		f.dueTo = d.String()
	case "<=":
		f.dueTo = d.AddDays(1).String()
	case "=":
		f.dueFrom, f.dueTo = d.String(), d.AddDays(1).String()
	default:
		return fmt.Errorf("due does not support %s", op)
	}
	return nil
}

// enumValue accepts both the API spelling (CASE_STATE_IN_PROGRESS) and the
// short one (in_progress).
func enumValue(v, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(strings.ToUpper(v), prefix))
}

func (f filter) match(c *cases.Case, d day) bool {
	due := c.Clock.Due
	checks := []bool{
		f.state == nil || c.State == *f.state,
		f.right == nil || slices.ContainsFunc(c.Rights, func(r cases.RequestedRight) bool { return r.Right == *f.right }),
		f.notice == nil || slices.Contains(c.NoticeIDs(), *f.notice),
		f.assignee == nil || c.Assignee == *f.assignee,
		f.channel == nil || c.Channel == *f.channel,
		f.open == nil || c.Open() == *f.open,
		f.waiting == nil || (c.State == cases.StateAwaitingRequester) == *f.waiting,
		f.overdue == nil || (c.Open() && due < d.today) == *f.overdue,
		f.dueThisWeek == nil || (c.Open() && due >= d.today && due <= d.weekEnd) == *f.dueThisWeek,
		f.undelivered == nil || c.Undelivered() == *f.undelivered,
		f.newReply == nil || c.NewReply == *f.newReply,
		f.dueFrom == "" || due >= f.dueFrom,
		f.dueTo == "" || due < f.dueTo,
		// Last: they are the checks that work the case's commands out.
		f.needsAction == nil || needsAction(c, d.next) == *f.needsAction,
		f.extensionDue == nil || d.extensionDue(c) == *f.extensionDue,
	}
	return !slices.Contains(checks, false)
}

// needsAction is whether the privacy team has something to do on the case
// now: its likely next step is neither nothing (a closed case) nor to
// record the reply of a requester the case is waiting for.
func needsAction(c *cases.Case, next func(*cases.Case) cases.StaffAction) bool {
	a := next(c)
	return a != "" && a != cases.ActRecordResponse
}

// dueRange is the span of due dates, [from, to), the filter's terms allow
// on the day: the narrower of the due terms and those overdue and
// due_this_week imply. Empty ends are open.
func (f filter) dueRange(d day) (from, to string) {
	from, to = f.dueFrom, f.dueTo
	narrow := func(lo, hi string) {
		if lo != "" && lo > from {
			from = lo
		}
		if hi != "" && (to == "" || hi < to) {
			to = hi
		}
	}
	if f.overdue != nil && *f.overdue {
		narrow("", d.today)
	}
	if f.dueThisWeek != nil && *f.dueThisWeek {
		narrow(d.today, d.afterWeek)
	}
	if f.extensionDue != nil && *f.extensionDue {
		// The decision is due by the end of the first period, never after
		// the due date of a case not yet extended, and not yet past.
		narrow(d.today, "")
	}
	return from, to
}
