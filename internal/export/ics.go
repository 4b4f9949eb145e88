package export

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// DueDatesICS streams the calendar feed of the open cases assigned to
// assignee: one all-day event on each case's due date, with alarms a week
// before and on the morning of the day. caseURL, if not nil,
// links each event to the case's page. now stamps the events (DTSTAMP).
//
// The feed names no requester: calendar apps copy feeds to phones and cloud
// services, so an event says only the reference, the rights and the state.
func DueDatesICS(ctx context.Context, w io.Writer, list Lister, assignee, name string, now time.Time, caseURL func(*cases.Case) string) error {
	if assignee == "" || strings.ContainsRune(assignee, '"') {
		return fault.Invalid("assignee", "%q cannot own a calendar feed", assignee)
	}
	cal := NewCalendar(w, name, now)
	q := usecase.Query{Filter: `assignee="` + assignee + `"`, Limit: csvPage}
	for {
		page, err := list.List(ctx, q)
		if err != nil {
			return err
		}
		for _, c := range page.Cases {
			url := ""
			if caseURL != nil {
				url = caseURL(c)
			}
			cal.Add(c, url)
		}
		if page.Next == nil {
			return cal.Close()
		}
		q.After = page.Next
	}
}

// Calendar writes an RFC 5545 calendar of due dates.
type Calendar struct {
	w     *bufio.Writer
	stamp string
	err   error
}

// NewCalendar starts a calendar called name.
func NewCalendar(w io.Writer, name string, now time.Time) *Calendar {
	cal := &Calendar{w: bufio.NewWriter(w), stamp: now.UTC().Format("20060102T150405Z")}
	cal.line("BEGIN:VCALENDAR")
	cal.line("VERSION:2.0")
	cal.line("PRODID:-//Rightsdesk//Due dates//EN")
	cal.line("CALSCALE:GREGORIAN")
	cal.line("METHOD:PUBLISH")
	cal.line("NAME:" + escapeText(name)) // RFC 7986
	cal.line("X-WR-CALNAME:" + escapeText(name))
	cal.line("REFRESH-INTERVAL;VALUE=DURATION:PT1H") // RFC 7986
	cal.line("X-PUBLISHED-TTL:PT1H")
	return cal
}

// Add writes the case's due date as an all-day event; url may be empty. A
// case without a due date is left out.
func (cal *Calendar) Add(c *cases.Case, url string) {
	due, err := time.Parse(time.DateOnly, c.Clock.Due)
	if err != nil {
		return
	}
	rights := make([]string, len(c.Rights))
	for i, r := range c.Rights {
		rights[i] = report.RightLabel(r.Right)
	}
	desc := []string{
		"State: " + report.StateLabel(c.State),
		"Notices: " + cases.NoticesText(c.Notices),
		"Statutory due date: " + c.Clock.StatutoryDue,
	}
	if c.Clock.ExtendedDue != "" {
		desc = append(desc, "Extended to: "+c.Clock.ExtendedDue)
	}
	if c.Clock.Paused {
		desc = append(desc, "The clock is stopped while waiting for the requester since "+c.Clock.PausedSince+"; the due date will move.")
	}
	cal.line("BEGIN:VEVENT")
	cal.line("UID:" + c.ID + "-due@rightsdesk")
	cal.line("DTSTAMP:" + cal.stamp)
	// The case's version only ever grows, so calendar apps take each
	// change of due date as an update of the same event.
	cal.line("SEQUENCE:" + strconv.FormatInt(c.Version, 10))
	cal.line("DTSTART;VALUE=DATE:" + due.Format("20060102"))
	cal.line("DTEND;VALUE=DATE:" + due.AddDate(0, 0, 1).Format("20060102"))
	cal.line("SUMMARY:" + escapeText(c.Reference+" due: "+strings.Join(rights, ", ")))
	cal.line("DESCRIPTION:" + escapeText(strings.Join(desc, "\n")))
	if url != "" {
		cal.line("URL:" + strings.Map(dropControl, url))
	}
	cal.line("TRANSP:TRANSPARENT")
	for _, a := range dueAlarms {
		cal.line("BEGIN:VALARM")
		cal.line("ACTION:DISPLAY")
		cal.line("DESCRIPTION:" + escapeText(c.Reference+" "+a.says))
		cal.line("TRIGGER:" + a.trigger)
		cal.line("END:VALARM")
	}
	cal.line("END:VEVENT")
}

// dueAlarms remind the assignee of a due date: at 09:00 a week before
// (seven calendar days, five working days in a week without a bank
// holiday: a calendar app cannot know the case's working days, and a
// week's warning is what staff plan by) and at 09:00 on the day. The
// triggers are relative to the start of the all-day event, midnight in
// the reader's own zone, so they need no zone of their own (RFC 5545
// §3.8.6.3).
var dueAlarms = []struct{ trigger, says string }{
	{"-P6DT15H", "is due in a week"},
	{"PT9H", "is due today"},
}

// Close ends the calendar and reports the first write error.
func (cal *Calendar) Close() error {
	cal.line("END:VCALENDAR")
	if cal.err == nil {
		cal.err = cal.w.Flush()
	}
	return cal.err
}

// line writes one content line, folded as RFC 5545 §3.1 requires: no line
// longer than 75 octets before its CRLF, each continuation starting with a
// space, and never a UTF-8 sequence split across lines.
func (cal *Calendar) line(s string) {
	if cal.err != nil {
		return
	}
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		cal.write(s[:cut], "\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	cal.write(s, "\r\n")
}

func (cal *Calendar) write(parts ...string) {
	for _, p := range parts {
		if _, err := cal.w.WriteString(p); err != nil && cal.err == nil {
			cal.err = err
		}
	}
}

// escapeText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon
// and comma are backslashed, every line break becomes \n, and the other
// control characters TEXT may not hold are dropped.
func escapeText(s string) string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			if dropControl(r) >= 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// dropControl removes what no iCalendar value may hold: control characters
// other than tab.
func dropControl(r rune) rune {
	if (r < 0x20 && r != '\t') || r == 0x7f {
		return -1
	}
	return r
}
