package export_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// unfold checks RFC 5545's line rules and returns the unfolded lines.
func unfold(t *testing.T, raw string) []string {
	t.Helper()
	if !strings.HasSuffix(raw, "\r\n") {
		t.Fatalf("calendar does not end in CRLF: %q", raw[max(0, len(raw)-20):])
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF in line %q", l)
		}
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("folding split a UTF-8 sequence: %q", l)
		}
		if strings.HasPrefix(l, " ") {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

func TestCalendarFoldsAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 3, 2, 10, 30, 0, 0, time.FixedZone("BST", 3600))
	cal := export.NewCalendar(&buf, "Ada's cases; due dates, all\nof them\\", now)
	c := &cases.Case{
		ID: "01JCASE", Reference: "RD-7K3M-Q9XP", State: cases.StateAwaitingRequester, Notices: []cases.CaseNotice{{NoticeRef: cases.NoticeRef{ID: "it-service-desk"}, Version: 2}}, Version: 7,
		Rights: []cases.RequestedRight{{Right: notice.RightAccess}, {Right: notice.RightObjectionDirectMarketing}, {Right: notice.RightAutomatedDecisionReview}, {Right: notice.RightWithdrawConsent}},
		Clock:  cases.Clock{Due: "2026-12-31", StatutoryDue: "2026-10-30", ExtendedDue: "2026-12-31", Paused: true, PausedSince: "2026-03-01"},
	}
	cal.Add(c, "https://rightsdesk.example/staff/cases/01JCASE?tab=clock&x=\x01ünïcödé-"+strings.Repeat("é", 40))
	cal.Add(&cases.Case{ID: "nodue"}, "")
	if err := cal.Close(); err != nil {
		t.Fatal(err)
	}
	lines := unfold(t, buf.String())
	want := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rightsdesk//Due dates//EN", "METHOD:PUBLISH",
		`NAME:Ada's cases\; due dates\, all\nof them\\`,
		"BEGIN:VEVENT", "UID:01JCASE-due@rightsdesk", "DTSTAMP:20260302T093000Z", "SEQUENCE:7",
		"DTSTART;VALUE=DATE:20261231", "DTEND;VALUE=DATE:20270101", // the next day: an all-day event
		`SUMMARY:RD-7K3M-Q9XP due: Access\, Objection to direct marketing\, Automated decision review\, Consent withdrawal`,
		"TRANSP:TRANSPARENT", "END:VEVENT", "END:VCALENDAR",
	}
	for _, w := range want {
		found := false
		for _, l := range lines {
			found = found || l == w
		}
		if !found {
			t.Errorf("no line %q in\n%s", w, strings.Join(lines, "\n"))
		}
	}
	if n := strings.Count(buf.String(), "BEGIN:VEVENT"); n != 1 {
		t.Errorf("%d events, want 1: a case without a due date is left out", n)
	}
	described := 0
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "DESCRIPTION:RD-7K3M-Q9XP is due "): // an alarm's
		case strings.HasPrefix(l, "DESCRIPTION:"):
			described++
			if !strings.Contains(l, `State: Waiting for requester\nNotices: it-service-desk v2\nStatutory due date: 2026-10-30\nExtended to: 2026-12-31\nThe clock is stopped`) {
				t.Errorf("description %q", l)
			}
		case strings.HasPrefix(l, "URL:"):
			if strings.ContainsRune(l, '\x01') || !strings.HasSuffix(l, strings.Repeat("é", 40)) {
				t.Errorf("url %q", l)
			}
		}
	}
	if described != 1 {
		t.Errorf("the event has %d descriptions, want 1", described)
	}
}

// assigneeLister serves one assignee's cases and records the filter asked for.
type assigneeLister struct {
	filter string
	cases  []*cases.Case
}

func (l *assigneeLister) List(_ context.Context, q usecase.Query) (*usecase.Page, error) {
	l.filter = q.Filter
	return &usecase.Page{Cases: l.cases}, nil
}

func TestDueDatesICSForOneAssignee(t *testing.T) {
	w, _ := newService(t)
	mine := newCase(t, w, "Ada Lovelace", "ada@example.org", "2026-02-20", notice.RightAccess)
	theirs := newCase(t, w, "Alan Turing", "alan@example.org", "2026-02-21", notice.RightErasure)
	newCase(t, w, "Grace Hopper", "grace@example.org", "2026-02-22", notice.RightAccess)
	apply(t, w, mine.ID, cases.Assign{Assignee: "user:0123456789ab"})
	apply(t, w, theirs.ID, cases.Assign{Assignee: "user:ffffffffffff"})

	var buf bytes.Buffer
	err := export.DueDatesICS(ctx, &buf, w, "user:0123456789ab", "My due dates", today, func(c *cases.Case) string { return "https://rd.example/cases/" + c.ID })
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	unfold(t, out)
	if strings.Count(out, "BEGIN:VEVENT") != 1 || !strings.Contains(out, "UID:"+mine.ID+"-due@rightsdesk") || !strings.Contains(out, "URL:https://rd.example/cases/"+mine.ID) {
		t.Fatalf("feed is not exactly the assignee's case:\n%s", out)
	}
	if strings.Contains(out, "Ada") || strings.Contains(out, "example.org") {
		t.Errorf("the feed names the requester:\n%s", out)
	}

	l := &assigneeLister{}
	if err := export.DueDatesICS(ctx, &buf, l, "user:a b", "x", today, nil); err != nil || l.filter != `assignee="user:a b"` {
		t.Errorf("filter %q, %v", l.filter, err)
	}
	var inv *fault.InvalidArgument
	for _, bad := range []string{"", `user:"quoted"`} {
		if err := export.DueDatesICS(ctx, &buf, l, bad, "x", today, nil); !errors.As(err, &inv) {
			t.Errorf("assignee %q: %v, want INVALID_ARGUMENT", bad, err)
		}
	}
}

func TestFeedTokens(t *testing.T) {
	w, st := newService(t)
	first, err := w.IssueFeedToken(ctx, "user:0123456789ab")
	if err != nil || !strings.HasPrefix(first, casework.FeedTokenPrefix) || len(first) < 50 {
		t.Fatalf("IssueFeedToken = %q, %v", first, err)
	}
	if owner, err := w.FeedOwner(ctx, first); err != nil || owner != "user:0123456789ab" {
		t.Fatalf("FeedOwner = %q, %v", owner, err)
	}
	second, _ := w.IssueFeedToken(ctx, "user:0123456789ab")
	other, _ := w.IssueFeedToken(ctx, "user:ffffffffffff")
	var nf *fault.NotFound
	if _, err := w.FeedOwner(ctx, first); !errors.As(err, &nf) {
		t.Errorf("a replaced token still opens the feed: %v", err)
	}
	if owner, _ := w.FeedOwner(ctx, second); owner != "user:0123456789ab" {
		t.Errorf("the new token opens %q", owner)
	}
	if err := w.RevokeFeedToken(ctx, "user:0123456789ab"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.FeedOwner(ctx, second); !errors.As(err, &nf) {
		t.Errorf("a revoked token still opens the feed: %v", err)
	}
	if owner, _ := w.FeedOwner(ctx, other); owner != "user:ffffffffffff" {
		t.Errorf("revoking one owner's feed revoked another's")
	}
	if _, err := w.IssueFeedToken(ctx, " "); err == nil {
		t.Error("a token was issued to nobody")
	}
	raw := dumpBucket(t, st)
	if strings.Contains(raw, other) || strings.Contains(raw, strings.TrimPrefix(other, casework.FeedTokenPrefix)) {
		t.Error("the feed token is stored in the clear")
	}
}

// TestEveryEventCarriesTwoValidAlarms checks the calendar's structure as
// RFC 5545 states it (no Go iCalendar parser is among the kept modules):
// components nest and close in order, and each VALARM sits in a VEVENT
// with exactly one ACTION:DISPLAY, one DESCRIPTION and one TRIGGER whose
// value is a duration (§3.3.6).
func TestEveryEventCarriesTwoValidAlarms(t *testing.T) {
	var buf bytes.Buffer
	cal := export.NewCalendar(&buf, "Due dates", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	for i, due := range []string{"2026-03-20", "2026-04-01"} {
		cal.Add(&cases.Case{ID: "01JCASE" + string(rune('A'+i)), Reference: "RD-7K3M-Q9X" + string(rune('A'+i)), State: cases.StateInProgress, Clock: cases.Clock{Due: due, StatutoryDue: due}}, "")
	}
	if err := cal.Close(); err != nil {
		t.Fatal(err)
	}
	duration := regexp.MustCompile(`^[+-]?P(\d+W|(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?)$`)
	var stack []string
	alarms, events := 0, 0
	var props map[string][]string
	for _, l := range unfold(t, buf.String()) {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line without a value: %q", l)
		}
		switch name {
		case "BEGIN":
			if value == "VALARM" && (len(stack) == 0 || stack[len(stack)-1] != "VEVENT") {
				t.Errorf("a VALARM outside a VEVENT: in %v", stack)
			}
			stack = append(stack, value)
			props = map[string][]string{}
			continue
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s closes %v", value, stack)
			}
			stack = stack[:len(stack)-1]
			switch value {
			case "VEVENT":
				events++
			case "VALARM":
				alarms++
				if len(props["ACTION"]) != 1 || props["ACTION"][0] != "DISPLAY" || len(props["DESCRIPTION"]) != 1 || len(props["TRIGGER"]) != 1 {
					t.Errorf("an alarm has %v: want one ACTION:DISPLAY, DESCRIPTION and TRIGGER", props)
				} else if tr := props["TRIGGER"][0]; !duration.MatchString(tr) || tr == "P" || strings.HasSuffix(tr, "T") {
					t.Errorf("TRIGGER %q is not an RFC 5545 duration", tr)
				}
			}
			continue
		}
		if len(stack) > 0 && stack[len(stack)-1] == "VALARM" {
			props[name] = append(props[name], value)
		}
	}
	if len(stack) != 0 || events != 2 || alarms != 4 {
		t.Fatalf("%d events, %d alarms, unclosed %v; want 2 events with 2 alarms each", events, alarms, stack)
	}
	out := buf.String()
	for _, want := range []string{"TRIGGER:-P6DT15H\r\n", "TRIGGER:PT9H\r\n", "DESCRIPTION:RD-7K3M-Q9XA is due in a week\r\n", "DESCRIPTION:RD-7K3M-Q9XB is due today\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the calendar lacks %q", want)
		}
	}
}
