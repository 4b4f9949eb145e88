package cases_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

func TestRepeats(t *testing.T) {
	env := envOn("2026-02-02")
	c := mustCreate(t, validNew(), env)
	if _, err := cases.Apply(c, cases.AddNote{Text: "Phoned", RequestID: "note-1"}, env); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Apply(c, cases.AddNote{Text: "Phoned again"}, env); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Apply(c, cases.RecordSearch{Source: "Mailbox", Found: "nothing", RequestID: "search-1"}, env); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Apply(c, cases.RecordNotSearched{Source: "Payroll", Reason: "holds no requesters", RequestID: "skip-1"}, env); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		cmd    cases.Command
		want   bool
		reused bool // refused: the id names another request
	}{
		{"the same request id", cases.AddNote{Text: "Phoned", RequestID: "note-1"}, true, false},
		{"the same text but for spaces", cases.AddNote{Text: " Phoned\n", RequestID: "note-1"}, true, false},
		{"the same id with other text", cases.AddNote{Text: "Phoned twice", RequestID: "note-1"}, false, true},
		{"another request id", cases.AddNote{Text: "Phoned", RequestID: "note-2"}, false, false},
		{"no request id", cases.AddNote{Text: "Phoned"}, false, false},
		{"a note's id is not a search's", cases.RecordSearch{Source: "Mailbox", Found: "nothing", RequestID: "note-1"}, false, false},
		{"the same search", cases.RecordSearch{Source: "Mailbox", Found: "nothing", RequestID: "search-1"}, true, false},
		{"the same id, another finding", cases.RecordSearch{Source: "Mailbox", Found: "two emails", RequestID: "search-1"}, false, true},
		{"a search with the id of a source set aside", cases.RecordSearch{Source: "Payroll", Found: "nothing", RequestID: "skip-1"}, false, true},
		{"the same source set aside", cases.RecordNotSearched{Source: "Payroll", Reason: "holds no requesters", RequestID: "skip-1"}, true, false},
		{"the same id, another reason", cases.RecordNotSearched{Source: "Payroll", Reason: "out of scope", RequestID: "skip-1"}, false, true},
		{"another source set aside", cases.RecordNotSearched{Source: "HR", Reason: "none", RequestID: "skip-2"}, false, false},
		{"a command that takes no request id", cases.Assign{Assignee: "alice"}, false, false},
	} {
		got, err := cases.Repeats(c, tt.cmd)
		var reused *fault.RequestReused
		isReused := errors.As(err, &reused) && reused.Name == c.Name() && strings.Contains(err.Error(), c.Reference)
		if got != tt.want || isReused != tt.reused || (err != nil && !isReused) {
			t.Errorf("%s: Repeats = %v, %v; want %v and reused %v (naming %s, %s)", tt.name, got, err, tt.want, tt.reused, c.Name(), c.Reference)
		}
	}
}

func TestCommandsRefuseABadRequestID(t *testing.T) {
	for _, cmd := range []cases.Command{
		cases.AddNote{Text: "Phoned", RequestID: "has spaces"},
		cases.RecordSearch{Source: "Mailbox", Found: "nothing", RequestID: "has spaces"},
		cases.RecordNotSearched{Source: "Payroll", Reason: "none", RequestID: strings.Repeat("x", 200)},
	} {
		env := envOn("2026-02-02")
		c := mustCreate(t, validNew(), env)
		_, err := cases.Apply(c, cmd, env)
		assertInvalid(t, err, "request_id")
	}
}
