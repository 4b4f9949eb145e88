package cases_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// fieldOf returns the field of the first violation of an InvalidArgument,
// or "" for any other error.
func fieldOf(err error) string {
	var inv *fault.InvalidArgument
	if errors.As(err, &inv) && len(inv.Violations) > 0 {
		return inv.Violations[0].Field
	}
	return ""
}

func isFull(err error) bool {
	var fp *fault.FailedPrecondition
	return errors.As(err, &fp)
}

func TestCreateRefusesWhatNoDoorMayStore(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*cases.NewCase)
		field  string
	}{
		{"request id of 40,000 characters", func(n *cases.NewCase) { n.RequestID = strings.Repeat("r", 40000) }, "request_id"},
		{"request id with a space", func(n *cases.NewCase) { n.RequestID = "mail 42" }, "request_id"},
		{"description over the limit", func(n *cases.NewCase) { n.Description = strings.Repeat("d", cases.MaxDescription+1) }, "case.description"},
		{"description with NUL", func(n *cases.NewCase) { n.Description = "a\x00b" }, "case.description"},
		{"description not UTF-8", func(n *cases.NewCase) { n.Description = "caf\xe9" }, "case.description"},
		{"name with a line break", func(n *cases.NewCase) { n.Requester.Person.Name = "Ada\nClick https://evil.example" }, "case.requester.person.name"},
		{"name with a right-to-left override", func(n *cases.NewCase) { n.Requester.Person.Name = "Ada \u202egpj.exe" }, "case.requester.person.name"},
		{"name over the limit", func(n *cases.NewCase) { n.Requester.Person.Name = strings.Repeat("n", cases.MaxLine+1) }, "case.requester.person.name"},
		{"name with a C1 control", func(n *cases.NewCase) { n.Requester.Person.Name = "Ada\u0085Lovelace" }, "case.requester.person.name"},
		{"name with DEL", func(n *cases.NewCase) { n.Requester.Person.Name = "Ada\x7f" }, "case.requester.person.name"},
		{"name with a left-to-right embedding", func(n *cases.NewCase) { n.Requester.Person.Name = "\u202AAda" }, "case.requester.person.name"},
		{"name with a first-strong isolate", func(n *cases.NewCase) { n.Requester.Person.Name = "Ada\u2068x\u2069" }, "case.requester.person.name"},
		{"name with a left-to-right mark", func(n *cases.NewCase) { n.Requester.Person.Name = "Ada\u200E" }, "case.requester.person.name"},
		{"name with a right-to-left mark", func(n *cases.NewCase) { n.Requester.Person.Name = "Ada\u200F" }, "case.requester.person.name"},
		{"name with an Arabic letter mark", func(n *cases.NewCase) { n.Requester.Person.Name = "\u061CAda" }, "case.requester.person.name"},
		{"representative's data subject with a right-to-left override", func(n *cases.NewCase) {
			n.Requester.Relationship, n.Requester.Authority = cases.RelationshipRepresentative, "signed letter"
			n.Requester.DataSubject = &cases.Person{Name: "Tom \u202Egpj.exe"}
		}, "case.requester.data_subject.name"},
		{"phone with an escape", func(n *cases.NewCase) { n.Requester.Person.Phone = "0207\x1b[31m" }, "case.requester.person.phone"},
		{"data subject's name with a tab", func(n *cases.NewCase) {
			n.Requester.Relationship, n.Requester.Authority = cases.RelationshipRepresentative, "signed letter"
			n.Requester.DataSubject = &cases.Person{Name: "Tom\tLovelace"}
		}, "case.requester.data_subject.name"},
	} {
		in := validNew()
		tt.change(&in)
		_, err := cases.Create(in, envOn("2026-02-02"))
		if got := fieldOf(err); got != tt.field {
			t.Errorf("%s: %v, want a violation of %s", tt.name, err, tt.field)
		}
	}

	ok := validNew()
	ok.RequestID = "mail-2026-11-02-ada"
	ok.Description = strings.Repeat("é", cases.MaxDescription) // characters, not bytes
	ok.Requester.Person.PostalAddress = "1 High Street\nLondon\r\nSW1A 1AA"
	ok.Requester.Person.Name = "محمد علي" // a right-to-left script is a name, not a trick
	if _, err := cases.Create(ok, envOn("2026-02-02")); err != nil {
		t.Fatalf("a request at every limit, with a postal address over three lines: %v", err)
	}
}

func TestCheckRequestIDBeforeAnyLookUp(t *testing.T) {
	for id, ok := range map[string]bool{
		"": true, "r1": true, "staff-0123abcd": true, strings.Repeat("x", cases.MaxIdentifier): true,
		strings.Repeat("x", cases.MaxIdentifier+1): false, "a b": false, "tab\there": false, "é": false,
	} {
		if err := cases.CheckRequestID(id); (err == nil) != ok || (err != nil && fieldOf(err) != "request_id") {
			t.Errorf("CheckRequestID(%.20q…) = %v, want ok=%v", id, err, ok)
		}
	}
}

func TestAssigneeIsAnIdentifier(t *testing.T) {
	for assignee, ok := range map[string]bool{
		"alice": true, "user:0123456789ab": true, "oidc:auth0|abc": true, "": true,
		strings.Repeat("a", 200): false, `bob" OR assignee="x`: false, `back\slash`: false, "two words": false,
	} {
		c := mustCreate(t, validNew(), envOn("2026-02-02"))
		_, err := cases.Apply(c, cases.Assign{Assignee: assignee}, envOn("2026-02-03"))
		if (err == nil) != ok || (err != nil && fieldOf(err) != "assignee") {
			t.Errorf("assign %.30q: %v, want ok=%v", assignee, err, ok)
		}
	}
}

func TestFreeTextOfEachCommandIsBounded(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n+1) }
	for _, tt := range []struct {
		name  string
		cmd   cases.Command
		field string
	}{
		{"note", cases.AddNote{Text: long(cases.MaxNote)}, "text"},
		{"note with NUL", cases.AddNote{Text: "a\x00"}, "text"},
		{"identity request detail", cases.RequestFromRequester{What: cases.WaitingForIdentity, Detail: long(cases.MaxDetail)}, "detail"},
		{"extension reason", cases.Extend{Reason: long(cases.MaxDetail)}, "reason"},
		{"closing detail", cases.Close{Outcome: cases.OutcomeFulfilled, Detail: long(cases.MaxOutcomeDetail)}, "detail"},
		{"search source on two lines", cases.RecordSearch{Source: "HR\nsystem", Found: "nothing"}, "source"},
		{"task resolution", cases.CompleteTask{TaskID: "t1", State: cases.TaskImpossible, Resolution: long(cases.MaxDetail)}, "resolution"},
	} {
		c := mustCreate(t, validNew(), envOn("2026-02-02"))
		before := c.Version
		if _, err := cases.Apply(c, tt.cmd, envOn("2026-02-03")); fieldOf(err) != tt.field {
			t.Errorf("%s: %v, want a violation of %s", tt.name, err, tt.field)
		}
		if c.Version != before {
			t.Errorf("%s: the refused command changed the case", tt.name)
		}
	}
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	if _, err := cases.Apply(c, cases.AddNote{Text: "line one\n\tline two"}, envOn("2026-02-03")); err != nil {
		t.Errorf("a note of two lines with a tab: %v", err)
	}
}

func TestACaseHoldsBoundedNotes(t *testing.T) {
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	note := strings.Repeat("n", cases.MaxNote)
	for i := range cases.MaxNotes {
		if _, err := cases.Apply(c, cases.AddNote{Text: note}, envOn("2026-02-03")); err != nil {
			t.Fatalf("note %d of %d: %v", i+1, cases.MaxNotes, err)
		}
	}
	if _, err := cases.Apply(c, cases.AddNote{Text: "one more"}, envOn("2026-02-03")); !isFull(err) || !strings.Contains(err.Error(), "100 notes") {
		t.Fatalf("note %d: %v, want FAILED_PRECONDITION saying the case has %d notes", cases.MaxNotes+1, err, cases.MaxNotes)
	}
	if len(c.Notes) != cases.MaxNotes {
		t.Errorf("%d notes kept", len(c.Notes))
	}
}

func TestACaseHoldsBoundedText(t *testing.T) {
	// Four bytes a character: the notes would outgrow an API response long
	// before the count runs out, so the text budget stops them first.
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	note := strings.Repeat("😀", cases.MaxNote)
	added := 0
	var err error
	for added < cases.MaxNotes {
		if _, err = cases.Apply(c, cases.AddNote{Text: note}, envOn("2026-02-03")); err != nil {
			break
		}
		added++
	}
	if !isFull(err) || !strings.Contains(err.Error(), "bytes of text") {
		t.Fatalf("after %d notes of %d bytes: %v, want the case refused as full", added, len(note), err)
	}
	if added*len(note) > cases.MaxCaseText || added < cases.MaxCaseText/len(note)-1 {
		t.Errorf("%d four-byte notes fitted; the budget is %d bytes", added, cases.MaxCaseText)
	}
}
