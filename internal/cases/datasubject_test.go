package cases_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

func representedCase(t *testing.T) *cases.Case {
	t.Helper()
	in := validNew()
	in.Requester = cases.Requester{
		Person: cases.Person{Name: "Sam Solicitor", Email: "sam@law.example"}, Relationship: cases.RelationshipRepresentative,
		Authority: "letter of authority", DataSubject: &cases.Person{Name: "Ada King Lovelace", Email: "ada@example.org"},
	}
	return mustCreate(t, in, envOn("2026-02-02"))
}

func TestSubjectRolesOf(t *testing.T) {
	own := mustCreate(t, validNew(), envOn("2026-02-02"))
	rep := representedCase(t)
	for _, tt := range []struct {
		name    string
		subject cases.Subject
		c       *cases.Case
		want    []cases.SubjectRole
	}{
		{"email, any case", cases.SubjectByEmail(" ADA@example.org"), own, []cases.SubjectRole{cases.AsRequester}},
		{"email of the person a representative named", cases.SubjectByEmail("ada@example.org"), rep, []cases.SubjectRole{cases.AsDataSubject}},
		{"the representative", cases.SubjectByEmail("sam@law.example"), rep, []cases.SubjectRole{cases.AsRequester}},
		{"every word of the name, any order", cases.SubjectByName("lovelace ada"), own, []cases.SubjectRole{cases.AsRequester}},
		{"a name's words split over two people are no match", cases.SubjectByName("Sam Lovelace"), rep, nil},
		{"another address", cases.SubjectByEmail("ada@example.net"), own, nil},
		{"an empty subject matches nobody", cases.SubjectByName(" - "), own, nil},
	} {
		if got := tt.subject.RolesOf(tt.c); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRectifyCorrectsThePersonWhereverTheyAppear(t *testing.T) {
	env := envOn("2026-02-03")
	rep := representedCase(t)
	fix := cases.Rectify{Subject: cases.SubjectByEmail("ada@example.org"), Correction: cases.Person{Email: "ada@example.net", Phone: "020 7946 0000"}, Reason: "asked by letter"}
	change, err := cases.Apply(rep, fix, env)
	if err != nil {
		t.Fatal(err)
	}
	if ds := rep.Requester.DataSubject; ds.Email != "ada@example.net" || ds.Phone != "020 7946 0000" || ds.Name != "Ada King Lovelace" {
		t.Errorf("data subject %+v", ds)
	}
	if rep.Requester.Person.Email != "sam@law.example" {
		t.Errorf("the representative changed: %+v", rep.Requester.Person)
	}
	if !slices.Equal(fix.Fields(), []string{"email", "phone"}) || change.Personal["rectification_reason"] != "asked by letter" || len(change.Before)+len(change.After) != 0 {
		t.Errorf("change %+v, fields %v", change, fix.Fields())
	}

	// A closed case is corrected too: the person's data is held there as well.
	closed := mustCreate(t, validNew(), env)
	if _, err := cases.Apply(closed, cases.Close{Outcome: cases.OutcomeWithdrawn}, env); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Apply(closed, cases.Rectify{Subject: cases.SubjectByName("Ada Lovelace"), Correction: cases.Person{Name: "Ada King"}, Reason: "new name"}, env); err != nil || closed.Requester.Person.Name != "Ada King" {
		t.Errorf("closed case: %v, %+v", err, closed.Requester.Person)
	}

	for _, tt := range []struct {
		name  string
		cmd   cases.Rectify
		field string
	}{
		{"no reason", cases.Rectify{Subject: fix.Subject, Correction: cases.Person{Name: "A"}}, "reason"},
		{"nothing to correct", cases.Rectify{Subject: fix.Subject, Correction: cases.Person{Name: " "}, Reason: "r"}, "correction"},
		{"bad address", cases.Rectify{Subject: fix.Subject, Correction: cases.Person{Email: "Ada <ada@example.org>"}, Reason: "r"}, "correction.email"},
		{"a reordering control in a name", cases.Rectify{Subject: fix.Subject, Correction: cases.Person{Name: "Ada\u202eKing"}, Reason: "r"}, "correction.name"},
	} {
		c := mustCreate(t, validNew(), env)
		_, err := cases.Apply(c, tt.cmd, env)
		var invalid *fault.InvalidArgument
		if !errors.As(err, &invalid) || invalid.Violations[0].Field != tt.field {
			t.Errorf("%s: %v, want a violation of %s", tt.name, err, tt.field)
		}
	}
	other := mustCreate(t, validNew(), env)
	_, err = cases.Apply(other, cases.Rectify{Subject: cases.SubjectByEmail("someone@else.example"), Correction: cases.Person{Name: "X"}, Reason: "r"}, env)
	if fp := (*fault.FailedPrecondition)(nil); !errors.As(err, &fp) {
		t.Errorf("a case not the person's: %v, want a failed precondition", err)
	}
}
