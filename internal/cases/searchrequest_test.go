package cases_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// linkHash stands for the keyed hash the caller makes of a link's token.
func linkHash(b byte) []byte { return bytes.Repeat([]byte{b}, cases.SearchLinkHashSize) }

func sendRequest(due string) cases.SendSearchRequest {
	return cases.SendSearchRequest{Owner: " Grace Hopper ", Email: "grace@example.org", Source: " HR system ", Due: due, LinkHash: linkHash(1)}
}

// openCaseDue is a case received on 31 January 2026, due on Monday 2 March
// (28 February is a Saturday).
func openCaseDue(t *testing.T) *cases.Case {
	t.Helper()
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	if c.Clock.Due != "2026-03-02" {
		t.Fatalf("the case is due %s; the tests below assume 2026-03-02", c.Clock.Due)
	}
	return c
}

func TestSearchRequestDueDate(t *testing.T) {
	tests := []struct {
		name, today, due string
		want             string // the due date kept, or
		problem          string // the due field's problem
	}{
		{"default: 5 working days before Mon 2 Mar is Mon 23 Feb", "2026-02-10", "", "2026-02-23", ""},
		{"default once that has passed: today", "2026-02-25", "", "2026-02-25", ""},
		{"a date staff choose", "2026-02-10", "2026-02-20", "2026-02-20", ""},
		{"today is allowed", "2026-02-10", "2026-02-10", "2026-02-10", ""},
		{"the day before the case is due is allowed", "2026-02-10", "2026-03-01", "2026-03-01", ""},
		{"the case's due date is not before it", "2026-02-10", "2026-03-02", "", "the answer must be due before the case is, on 2026-03-02"},
		{"after the case is due", "2026-02-10", "2026-04-01", "", "must be due before the case is"},
		{"in the past", "2026-02-10", "2026-02-09", "", "in the past"},
		{"not a date", "2026-02-10", "next week", "", "is not a date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openCaseDue(t)
			_, err := cases.Apply(c, sendRequest(tt.due), envOn(tt.today))
			if tt.problem != "" {
				assertViolation(t, err, "due", tt.problem)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := c.SearchRequests[0]
			if r.Due != tt.want {
				t.Errorf("due %s, want %s", r.Due, tt.want)
			}
			wantUntil := mustDate(t, tt.want).AddDays(cases.SearchLinkDays).String()
			if r.LinkUntil != wantUntil {
				t.Errorf("link until %s, want %s (%d days after the due date)", r.LinkUntil, wantUntil, cases.SearchLinkDays)
			}
		})
	}
}

func mustDate(t *testing.T, s string) deadline.Date {
	t.Helper()
	d, err := deadline.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func assertViolation(t *testing.T, err error, field, problem string) {
	t.Helper()
	var inv *fault.InvalidArgument
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want a violation of %s", err, field)
	}
	for _, v := range inv.Violations {
		if v.Field == field && strings.Contains(v.Description, problem) {
			return
		}
	}
	t.Errorf("violations %+v, want %s: %q", inv.Violations, field, problem)
}

func TestSendSearchRequestRecordsItAndKeepsThePersonalOutOfTheChain(t *testing.T) {
	c := openCaseDue(t)
	env := envOn("2026-02-10")
	change, err := cases.Apply(c, sendRequest(""), env)
	if err != nil {
		t.Fatal(err)
	}
	want := cases.SearchRequest{
		ID: "r1", Owner: "Grace Hopper", Email: "grace@example.org", Source: "HR system", Due: "2026-02-23",
		State: cases.SearchRequestSent, SentBy: env.Actor, SentOn: "2026-02-10", LinkUntil: "2026-03-09", LinkHash: linkHash(1),
	}
	got := c.SearchRequests[0]
	if got.ID != want.ID || got.Owner != want.Owner || got.Email != want.Email || got.Source != want.Source || got.Due != want.Due ||
		got.State != want.State || got.SentBy != want.SentBy || got.SentOn != want.SentOn || got.LinkUntil != want.LinkUntil || !bytes.Equal(got.LinkHash, want.LinkHash) {
		t.Errorf("request = %+v, want %+v", got, want)
	}
	if change.Action != "case.search_request_sent" || change.After["search_requests"] != "r1:sent" {
		t.Errorf("change = %+v", change)
	}
	assertNoPersonalData(t, change)
	for _, v := range []string{"grace@example.org", "Grace"} {
		if !strings.Contains(strings.Join(flatten(change.Personal), " "), v) {
			t.Errorf("the erasable payload lacks %q: %+v", v, change.Personal)
		}
	}
}

func flatten(m map[string]any) []string {
	var out []string
	for _, v := range m {
		if inner, ok := v.(map[string]string); ok {
			for _, s := range inner {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestSendSearchRequestRefuses(t *testing.T) {
	tests := []struct {
		name   string
		cmd    func() cases.SendSearchRequest
		field  string
		reason string
	}{
		{"no owner", func() cases.SendSearchRequest { r := sendRequest(""); r.Owner = " "; return r }, "owner", "name the person"},
		{"no email", func() cases.SendSearchRequest { r := sendRequest(""); r.Email = ""; return r }, "email", "give the owner's email"},
		{"not an email", func() cases.SendSearchRequest { r := sendRequest(""); r.Email = "Grace <grace@example.org>"; return r }, "email", "enter the email address alone"},
		{"no system", func() cases.SendSearchRequest { r := sendRequest(""); r.Source = ""; return r }, "source", "name the system"},
		{"a system with a line break", func() cases.SendSearchRequest { r := sendRequest(""); r.Source = "HR\nsystem"; return r }, "source", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openCaseDue(t)
			_, err := cases.Apply(c, tt.cmd(), envOn("2026-02-10"))
			assertViolation(t, err, tt.field, tt.reason)
			if len(c.SearchRequests) != 0 {
				t.Errorf("a refused request was kept: %+v", c.SearchRequests)
			}
		})
	}
	t.Run("a case due today has no day left for one", func(t *testing.T) {
		c := openCaseDue(t)
		_, err := cases.Apply(c, sendRequest(""), envOn("2026-03-02"))
		var pre *fault.FailedPrecondition
		if !errors.As(err, &pre) || !strings.Contains(pre.Description, "no day left") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a closed case", func(t *testing.T) {
		c := openCaseDue(t)
		if _, err := cases.Apply(c, cases.Close{Outcome: cases.OutcomeWithdrawn}, envOn("2026-02-10")); err != nil {
			t.Fatal(err)
		}
		_, err := cases.Apply(c, sendRequest(""), envOn("2026-02-10"))
		var pre *fault.FailedPrecondition
		if !errors.As(err, &pre) {
			t.Errorf("err = %v, want FailedPrecondition", err)
		}
	})
	t.Run("a link hash of the wrong size is a bug, not the caller's input", func(t *testing.T) {
		c := openCaseDue(t)
		r := sendRequest("")
		r.LinkHash = []byte("short")
		_, err := cases.Apply(c, r, envOn("2026-02-10"))
		var inv *fault.InvalidArgument
		if err == nil || errors.As(err, &inv) {
			t.Errorf("err = %v, want an internal error", err)
		}
	})
}

// TestSearchRequestStates walks each state through each action: what is
// allowed moves the state; the rest is refused and changes nothing.
func TestSearchRequestStates(t *testing.T) {
	type step struct {
		day   string
		cmd   cases.Command
		state cases.SearchRequestState
		err   string // "" when allowed
	}
	chase := cases.ChaseSearchRequest{ID: "r1", LinkHash: linkHash(7)}
	cancel := cases.CancelSearchRequest{ID: "r1"}
	nothing := cases.AnswerSearchRequest{ID: "r1", Note: "checked 2019 onwards"}
	found := cases.AnswerSearchRequest{ID: "r1", Files: 2}
	tests := []struct {
		name  string
		steps []step
	}{
		{"chased once after the due date, then answered", []step{
			{"2026-02-23", chase, cases.SearchRequestSent, "not due until 2026-02-23"},
			{"2026-02-24", chase, cases.SearchRequestChased, ""},
			{"2026-02-25", chase, cases.SearchRequestChased, "chased on 2026-02-24 already"},
			{"2026-02-25", found, cases.SearchRequestAnsweredFound, ""},
			{"2026-02-26", cancel, cases.SearchRequestAnsweredFound, "it is answered_found"},
		}},
		{"answered nothing held before the due date; no chaser", []step{
			{"2026-02-12", nothing, cases.SearchRequestAnsweredNothing, ""},
			{"2026-02-24", chase, cases.SearchRequestAnsweredNothing, "it is answered_nothing"},
			{"2026-02-24", nothing, cases.SearchRequestAnsweredNothing, "not found"},
		}},
		{"cancelled: no answer, no chaser", []step{
			{"2026-02-12", cancel, cases.SearchRequestCancelled, ""},
			{"2026-02-13", nothing, cases.SearchRequestCancelled, "not found"},
			{"2026-02-24", chase, cases.SearchRequestCancelled, "it is cancelled"},
			{"2026-02-24", cancel, cases.SearchRequestCancelled, "it is cancelled"},
		}},
		{"the link works until 14 days after the due date, then not", []step{
			{"2026-03-10", nothing, cases.SearchRequestSent, "not found"},
		}},
		{"the last day of the link", []step{
			{"2026-02-24", chase, cases.SearchRequestChased, ""},
			{"2026-03-09", found, cases.SearchRequestAnsweredFound, ""},
		}},
		{"an unknown request", []step{
			{"2026-02-12", cases.CancelSearchRequest{ID: "r9"}, cases.SearchRequestSent, "not found"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openCaseDue(t)
			// The case's own due date moves past the first steps' days; it
			// is received and sent on 10 Feb, due 23 Feb by default.
			if _, err := cases.Apply(c, sendRequest(""), envOn("2026-02-10")); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.steps {
				before := len(c.Searches)
				_, err := cases.Apply(c, s.cmd, envOn(s.day))
				switch {
				case s.err == "" && err != nil:
					t.Fatalf("%s %T: %v", s.day, s.cmd, err)
				case s.err != "" && (err == nil || !strings.Contains(err.Error(), s.err)):
					t.Fatalf("%s %T: err = %v, want %q", s.day, s.cmd, err, s.err)
				case s.err != "" && len(c.Searches) != before:
					t.Fatalf("%s %T: a refused answer added to the search record", s.day, s.cmd)
				}
				if got := c.SearchRequests[0].State; got != s.state {
					t.Fatalf("%s %T: state %s, want %s", s.day, s.cmd, got, s.state)
				}
			}
		})
	}
}

func TestAnswerFillsInTheSearchRecord(t *testing.T) {
	tests := []struct {
		name  string
		cmd   cases.AnswerSearchRequest
		found string
		state cases.SearchRequestState
	}{
		{"nothing held, with a note", cases.AnswerSearchRequest{ID: "r1", Note: " searched by name and staff number "}, "nothing held: searched by name and staff number", cases.SearchRequestAnsweredNothing},
		{"nothing held", cases.AnswerSearchRequest{ID: "r1"}, "nothing held", cases.SearchRequestAnsweredNothing},
		{"one file", cases.AnswerSearchRequest{ID: "r1", Files: 1}, "1 file", cases.SearchRequestAnsweredFound},
		{"three files and a note", cases.AnswerSearchRequest{ID: "r1", Files: 3, Note: "emails only"}, "3 file(s): emails only", cases.SearchRequestAnsweredFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openCaseDue(t)
			if _, err := cases.Apply(c, sendRequest(""), envOn("2026-02-10")); err != nil {
				t.Fatal(err)
			}
			env := envOn("2026-02-12")
			env.Actor = cases.SearchRequestActor("r1")
			if _, err := cases.Apply(c, tt.cmd, env); err != nil {
				t.Fatal(err)
			}
			if len(c.Searches) != 1 {
				t.Fatalf("searches = %+v", c.Searches)
			}
			s, r := c.Searches[0], c.SearchRequests[0]
			if s.Kind != cases.SearchDone || s.Source != "HR system" || s.On != "2026-02-12" || s.By != "Grace Hopper" || s.Found != tt.found || s.RecordedBy != "owner:r1" {
				t.Errorf("search = %+v, want found %q", s, tt.found)
			}
			if r.State != tt.state || r.AnsweredOn != "2026-02-12" || r.SearchID != s.ID {
				t.Errorf("request = %+v", r)
			}
		})
	}
}

func TestSearchRequestByLinkAndChaseList(t *testing.T) {
	c := openCaseDue(t)
	env := envOn("2026-02-10")
	for i, due := range []string{"2026-02-11", "2026-02-20", "2026-02-11"} {
		r := sendRequest(due)
		r.LinkHash = linkHash(byte(i + 1))
		if _, err := cases.Apply(c, r, env); err != nil {
			t.Fatal(err)
		}
	}
	if r := c.SearchRequestByLink(linkHash(2)); r == nil || r.ID != "r2" {
		t.Errorf("link 2 finds %+v, want r2", r)
	}
	if r := c.SearchRequestByLink(linkHash(9)); r != nil {
		t.Errorf("an unknown link finds %+v", r)
	}
	if _, err := cases.Apply(c, cases.CancelSearchRequest{ID: "r3"}, env); err != nil {
		t.Fatal(err)
	}
	if got := c.SearchRequestsToChase(mustDate(t, "2026-02-11")); len(got) != 0 {
		t.Errorf("on the due date: %v, want none", got)
	}
	if got := strings.Join(c.SearchRequestsToChase(mustDate(t, "2026-02-12")), ","); got != "r1" {
		t.Errorf("the day after: %v, want r1 (r3 is cancelled, r2 not due)", got)
	}
	if _, err := cases.Apply(c, cases.ChaseSearchRequest{ID: "r1", LinkHash: linkHash(8)}, envOn("2026-02-12")); err != nil {
		t.Fatal(err)
	}
	if r := c.SearchRequestByLink(linkHash(1)); r != nil {
		t.Errorf("the first link still finds %s after the chaser replaced it", r.ID)
	}
	if r := c.SearchRequestByLink(linkHash(8)); r == nil || r.ID != "r1" {
		t.Errorf("the chaser's link finds %+v, want r1", r)
	}
}

func TestAnswerNoteIsBounded(t *testing.T) {
	c := openCaseDue(t)
	if _, err := cases.Apply(c, sendRequest(""), envOn("2026-02-10")); err != nil {
		t.Fatal(err)
	}
	_, err := cases.Apply(c, cases.AnswerSearchRequest{ID: "r1", Note: strings.Repeat("x", cases.MaxAnswerNote+1)}, envOn("2026-02-11"))
	assertViolation(t, err, "note", "")
	if len(c.Searches) != 0 || c.SearchRequests[0].State != cases.SearchRequestSent {
		t.Errorf("a refused answer changed the case: %+v %+v", c.Searches, c.SearchRequests)
	}
	if _, err := cases.Apply(c, cases.AnswerSearchRequest{ID: "r1", Note: strings.Repeat("x", cases.MaxAnswerNote)}, envOn("2026-02-11")); err != nil {
		t.Errorf("a note of the largest size: %v", err)
	}
}

func TestNextChaseIsTheEarliestDueOfTheRequestsSentAndNotChased(t *testing.T) {
	req := func(state cases.SearchRequestState, due string) cases.SearchRequest {
		return cases.SearchRequest{State: state, Due: due}
	}
	for _, tc := range []struct {
		name     string
		requests []cases.SearchRequest
		want     string
	}{
		{"none", nil, ""},
		{"one sent", []cases.SearchRequest{req(cases.SearchRequestSent, "2026-03-13")}, "2026-03-13"},
		{"the earliest sent", []cases.SearchRequest{req(cases.SearchRequestSent, "2026-03-20"), req(cases.SearchRequestSent, "2026-03-13")}, "2026-03-13"},
		{"chased, answered and cancelled ones wait for nothing", []cases.SearchRequest{
			req(cases.SearchRequestChased, "2026-03-01"), req(cases.SearchRequestAnsweredFound, "2026-03-02"),
			req(cases.SearchRequestAnsweredNothing, "2026-03-03"), req(cases.SearchRequestCancelled, "2026-03-04"),
		}, ""},
		{"a chased one beside a sent one", []cases.SearchRequest{req(cases.SearchRequestChased, "2026-03-01"), req(cases.SearchRequestSent, "2026-03-20")}, "2026-03-20"},
	} {
		c := &cases.Case{SearchRequests: tc.requests}
		if got := c.NextChase(); got != tc.want {
			t.Errorf("%s: NextChase = %q, want %q", tc.name, got, tc.want)
		}
	}
}
