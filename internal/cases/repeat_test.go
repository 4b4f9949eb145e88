package cases_test

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
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
		name string
		cmd  cases.Command
		want bool
	}{
		{"the same request id", cases.AddNote{Text: "Phoned", RequestID: "note-1"}, true},
		{"the same id with other text is still the request sent before", cases.AddNote{Text: "Phoned twice", RequestID: "note-1"}, true},
		{"another request id", cases.AddNote{Text: "Phoned", RequestID: "note-2"}, false},
		{"no request id", cases.AddNote{Text: "Phoned"}, false},
		{"a note's id is not a search's", cases.RecordSearch{Source: "Mailbox", Found: "nothing", RequestID: "note-1"}, false},
		{"the same search", cases.RecordSearch{Source: "Mailbox", Found: "nothing", RequestID: "search-1"}, true},
		{"a search with the id of a source set aside", cases.RecordSearch{Source: "Payroll", Found: "nothing", RequestID: "skip-1"}, true},
		{"the same source set aside", cases.RecordNotSearched{Source: "Payroll", Reason: "holds no requesters", RequestID: "skip-1"}, true},
		{"another source set aside", cases.RecordNotSearched{Source: "HR", Reason: "none", RequestID: "skip-2"}, false},
		{"a command that takes no request id", cases.Assign{Assignee: "alice"}, false},
	} {
		if got := cases.Repeats(c, tt.cmd); got != tt.want {
			t.Errorf("%s: Repeats = %v, want %v", tt.name, got, tt.want)
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
