package casework_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// subjectFixture holds one person's cases (as requester, open and closed,
// and as the data subject of a representative's request) and somebody
// else's, with every personal string a leak check looks for.
type subjectFixture struct {
	w                         *casework.Service
	open, closed, represented *cases.Case
	other                     *cases.Case
	personal                  []string
}

const (
	subjectEmail = "grace@example.org"
	replyText    = "Here is my passport, as you asked."
	noteText     = "Phoned Ms Hopper to explain the search."
)

func newSubjectFixture(t *testing.T) *subjectFixture {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := caseworktest.New(t, t.TempDir(), today, casework.WithDocuments(docs), casework.SendLetters(caseworktest.Letters(t)))
	f := &subjectFixture{w: w, personal: []string{"Grace", "Hopper", "grace@", "example.org", replyText, noteText, "passport.pdf"}}

	res, err := w.Create(ctx, "web:public", requestFrom("Grace Hopper", subjectEmail, "2026-02-20"))
	if err != nil {
		t.Fatal(err)
	}
	f.open = apply(t, w, res.Case, cases.RequestFromRequester{What: cases.WaitingForIdentity, On: "2026-02-23"})
	if _, err := w.Reply(ctx, res.Case.Reference, res.StatusToken, replyText, []usecase.Upload{upload("passport.pdf", pdf)}); err != nil {
		t.Fatal(err)
	}
	f.open = apply(t, w, f.open, cases.AddNote{Text: noteText})

	f.closed = create(t, w, requestFrom("GRACE HOPPER", "Grace@Example.org", "2026-01-10"))
	f.closed = caseworktest.ReleasePack(t, w, f.closed.ID)
	f.closed = apply(t, w, f.closed, cases.Close{Outcome: cases.OutcomeFulfilled})

	rep := request(notice.RightAccess, "")
	rep.ReceivedOn = "2026-02-25"
	rep.Requester = cases.Requester{
		Person: cases.Person{Name: "Sam Solicitor", Email: "sam@law.example"}, Relationship: cases.RelationshipRepresentative,
		Authority: "signed letter of authority", DataSubject: &cases.Person{Name: "Grace Hopper", Email: subjectEmail},
	}
	f.represented = create(t, w, rep)
	f.other = create(t, w, requestFrom("Alan Turing", "alan@example.org", "2026-02-21"))
	return f
}

func (f *subjectFixture) ids(list []*cases.Case) []string {
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

// checkNoPersonalData fails when any event of the cases carries a personal
// string in its clear fields.
// each is how many such events each case should have.
func (f *subjectFixture) checkNoPersonalData(t *testing.T, action string, each int, ids ...string) {
	t.Helper()
	seen := 0
	for _, id := range ids {
		events, err := f.w.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Action != action {
				continue
			}
			seen++
			raw, err := json.Marshal(struct {
				Actor         string
				Before, After map[string]string
			}{e.Actor, e.Before, e.After})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range f.personal {
				if strings.Contains(strings.ToLower(string(raw)), strings.ToLower(s)) {
					t.Errorf("%s event of %s carries %q: %s", action, id, s, raw)
				}
			}
		}
	}
	if seen != each*len(ids) {
		t.Errorf("%d %s events on %d cases, want %d each", seen, action, len(ids), each)
	}
}

func TestExportHasEveryCaseOfThePersonWithRepliesAndDocuments(t *testing.T) {
	f := newSubjectFixture(t)
	for _, q := range []usecase.SubjectQuery{
		{Email: " GRACE@example.org "},
		{Reference: strings.ToLower(f.closed.Reference)},
	} {
		export, err := f.w.ExportSubject(ctx, "user:admin", q)
		if err != nil {
			t.Fatal(err)
		}
		if export.Schema != usecase.SubjectExportSchema || !export.Generated.Equal(today) {
			t.Errorf("schema %q generated %v", export.Schema, export.Generated)
		}
		var got []string
		for _, c := range export.Cases {
			got = append(got, c.Reference)
		}
		want := []string{f.represented.Reference, f.open.Reference, f.closed.Reference} // newest first
		if !slices.Equal(got, want) {
			t.Fatalf("exported %v, want %v (never %s)", got, want, f.other.Reference)
		}
		open := export.Cases[1]
		if !slices.Equal(open.As, []cases.SubjectRole{cases.AsRequester}) || !slices.Equal(export.Cases[0].As, []cases.SubjectRole{cases.AsDataSubject}) {
			t.Errorf("roles %v and %v", open.As, export.Cases[0].As)
		}
		if open.Requester.Person.Email != subjectEmail || len(open.Notes) != 1 || open.Notes[0].Text != noteText {
			t.Errorf("personal fields: %+v notes %+v", open.Requester, open.Notes)
		}
		replied := slices.IndexFunc(open.Exchanges, func(x usecase.ExportedExchange) bool { return x.Kind == string(cases.ExchangeReplied) })
		if replied < 0 || open.Exchanges[replied].Text != replyText || !slices.Equal(open.Exchanges[replied].Documents, []string{"passport.pdf"}) {
			t.Errorf("exchanges %+v", open.Exchanges)
		}
		if len(open.Documents) != 1 || open.Documents[0].Name != "passport.pdf" || open.Documents[0].Size != int64(len(pdf)) ||
			len(open.Documents[0].SHA256) != 64 || open.Documents[0].MediaType != "application/pdf" {
			t.Errorf("documents %+v", open.Documents)
		}
		if len(open.Letters) == 0 || !strings.Contains(open.Letters[0].Text, open.Reference) {
			t.Errorf("letters %+v: want the acknowledgement with its text", open.Letters)
		}
		if len(open.Events) < 4 || open.Events[0].Action != "case.created" {
			t.Errorf("events %+v", open.Events)
		}
		if c := export.Cases[2]; c.Outcome != string(cases.OutcomeFulfilled) || c.ClosedOn == "" {
			t.Errorf("closed case %+v", c)
		}
	}
	// Two exports, each recorded on every case exported and on no other.
	f.checkNoPersonalData(t, casework.ActionSubjectExported, 2, f.open.ID, f.closed.ID, f.represented.ID)
	if events, _ := f.w.Events(ctx, f.other.ID); slices.ContainsFunc(events, func(e audit.Event) bool { return e.Action == casework.ActionSubjectExported }) {
		t.Error("another person's case recorded an export")
	}
}

func TestSubjectQueriesRefuseEmptyAmbiguousAndUnknownInput(t *testing.T) {
	f := newSubjectFixture(t)
	create(t, f.w, requestFrom("Grace Hopper", "another.grace@example.net", "2026-02-22"))
	tests := []struct {
		name   string
		q      usecase.SubjectQuery
		fields []string
	}{
		{"nothing", usecase.SubjectQuery{Email: "  "}, []string{"email", "name", "reference"}},
		{"two ways", usecase.SubjectQuery{Email: subjectEmail, Reference: f.open.Reference}, []string{"email", "reference"}},
		{"a name two people share", usecase.SubjectQuery{Name: "grace hopper"}, []string{"name"}},
		{"punctuation only", usecase.SubjectQuery{Name: "--"}, []string{"name"}},
		{"unknown reference", usecase.SubjectQuery{Reference: "RD-0000-0000"}, []string{"reference"}},
	}
	for _, tt := range tests {
		_, err := f.w.ExportSubject(ctx, "user:admin", tt.q)
		var invalid *fault.InvalidArgument
		if !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want invalid argument", tt.name, err)
			continue
		}
		var fields []string
		for _, v := range invalid.Violations {
			fields = append(fields, v.Field)
		}
		if !slices.Equal(fields, tt.fields) {
			t.Errorf("%s: fields %v, want %v", tt.name, fields, tt.fields)
		}
	}
	_, err := f.w.ExportSubject(ctx, "user:admin", usecase.SubjectQuery{Email: "nobody@example.org"})
	if nf := (*fault.NotFound)(nil); !errors.As(err, &nf) {
		t.Errorf("nobody's export: %v, want not found", err)
	}
	// A name that only one person with an address has is not ambiguous.
	list, err := f.w.SubjectCases(ctx, usecase.SubjectQuery{Name: "Alan Turing"})
	if err != nil || len(list) != 1 || list[0].ID != f.other.ID {
		t.Errorf("Alan Turing: %v, %v", f.ids(list), err)
	}
}

func TestRectifyChangesEveryCaseAndTheIndex(t *testing.T) {
	f := newSubjectFixture(t)
	fix := cases.Person{Name: "Grace Brewster Hopper", Email: "g.hopper@example.net"}
	const reason = "She asked on 1 March and sent her deed poll."
	f.personal = append(f.personal, "deed poll", "g.hopper", "Brewster")
	corrected, err := f.w.RectifySubject(ctx, "user:admin", usecase.SubjectQuery{Email: subjectEmail}, fix, reason)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.ids(corrected), f.ids([]*cases.Case{f.represented, f.open, f.closed}); !slices.Equal(got, want) {
		t.Fatalf("corrected %v, want %v", got, want)
	}
	for _, c := range []*cases.Case{f.open, f.closed} {
		got, err := f.w.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Requester.Person.Name != fix.Name || got.Requester.Person.Email != fix.Email {
			t.Errorf("%s: requester %+v", c.Reference, got.Requester.Person)
		}
	}
	rep, _ := f.w.Get(ctx, f.represented.ID)
	if rep.Requester.Person.Email != "sam@law.example" || rep.Requester.DataSubject.Email != fix.Email {
		t.Errorf("representative's case: %+v", rep.Requester)
	}
	if res, _ := f.w.FindRequester(ctx, subjectEmail, ""); len(res.Matches) != 0 {
		t.Errorf("the old address still finds %d cases", len(res.Matches))
	}
	if res, _ := f.w.FindRequester(ctx, fix.Email, ""); len(res.Matches) != 3 {
		t.Errorf("the new address finds %d cases, want 3", len(res.Matches))
	}
	f.checkNoPersonalData(t, "case.subject_rectified", 1, f.open.ID, f.closed.ID, f.represented.ID)
	events, _ := f.w.Events(ctx, f.closed.ID)
	last := events[len(events)-1]
	if last.After["rectified"] != "name,email" || last.PayloadHash == nil {
		t.Errorf("event %+v: want the fields named and the values sealed apart", last)
	}
}

func TestRectifyRefusesBadCorrectionsAndWritesNothing(t *testing.T) {
	f := newSubjectFixture(t)
	q := usecase.SubjectQuery{Email: subjectEmail}
	tests := []struct {
		name   string
		fix    cases.Person
		reason string
		field  string
	}{
		{"no reason", cases.Person{Name: "G Hopper"}, " ", "reason"},
		{"nothing to correct", cases.Person{}, "asked", "correction"},
		{"not an address", cases.Person{Email: "grace at example"}, "asked", "correction.email"},
		{"control characters", cases.Person{Phone: "0123\x07"}, "asked", "correction.phone"},
	}
	for _, tt := range tests {
		_, err := f.w.RectifySubject(ctx, "user:admin", q, tt.fix, tt.reason)
		var invalid *fault.InvalidArgument
		if !errors.As(err, &invalid) || !slices.ContainsFunc(invalid.Violations, func(v fault.FieldViolation) bool { return v.Field == tt.field }) {
			t.Errorf("%s: %v, want a violation of %s", tt.name, err, tt.field)
		}
	}
	got, _ := f.w.Get(ctx, f.closed.ID)
	if got.Version != f.closed.Version {
		t.Errorf("a refused correction wrote version %d", got.Version)
	}
}

func TestErasureCheckSaysWhyNot(t *testing.T) {
	f := newSubjectFixture(t)
	held := create(t, f.w, requestFrom("Grace Hopper", subjectEmail, "2025-12-01"))
	held = apply(t, f.w, held, cases.Close{Outcome: cases.OutcomeWithdrawn})
	apply(t, f.w, held, cases.SetLegalHold{Held: true, Reason: "tribunal claim"})
	checks, err := f.w.ErasureCheck(ctx, usecase.SubjectQuery{Email: subjectEmail})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{f.represented.ID: "open", f.open.ID: "open", f.closed.ID: "", held.ID: "legal hold"}
	if len(checks) != len(want) {
		t.Fatalf("%d checks, want %d", len(checks), len(want))
	}
	for _, c := range checks {
		why, ok := want[c.CaseID]
		if !ok || c.Erasable != (why == "") || !strings.Contains(c.Why, why) || (why == "") != (c.Why == "") {
			t.Errorf("%s: erasable %v, %q; want %q", c.Reference, c.Erasable, c.Why, why)
		}
	}
}

func TestEraseThenSearchFindsNothing(t *testing.T) {
	f := newSubjectFixture(t)
	q := usecase.SubjectQuery{Email: subjectEmail}
	if _, err := f.w.EraseSubject(ctx, "user:admin", q, []string{f.closed.ID, f.other.ID}); err == nil {
		t.Fatal("erased with another person's case among those named")
	}
	got, err := f.w.EraseSubject(ctx, "user:admin", q, []string{f.open.ID, f.closed.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Erased || got[0].Erasable || !strings.Contains(got[0].Why, "open") || !got[1].Erased {
		t.Fatalf("erasure %+v: want the open case refused with its reason and the closed one erased", got)
	}
	tomb, err := f.w.Get(ctx, f.closed.ID)
	if err != nil || tomb.Purged == nil || tomb.Purged.Reason != cases.PurgeErasure || tomb.Requester.Person.Email != "" {
		t.Fatalf("erased case %+v, %v", tomb, err)
	}

	f.open = caseworktest.ReleasePack(t, f.w, f.open.ID)
	f.open = apply(t, f.w, f.open, cases.Close{Outcome: cases.OutcomeFulfilled})
	f.represented = apply(t, f.w, f.represented, cases.Close{Outcome: cases.OutcomeWithdrawn})
	if got, err = f.w.EraseSubject(ctx, "user:admin", q, []string{f.open.ID, f.represented.ID}); err != nil || !got[0].Erased || !got[1].Erased {
		t.Fatalf("erasure %+v, %v", got, err)
	}
	if res, _ := f.w.FindRequester(ctx, subjectEmail, "Grace Hopper"); len(res.Matches) != 0 {
		t.Errorf("after erasure the search still finds %d cases", len(res.Matches))
	}
	if _, err := f.w.SubjectCases(ctx, q); !errors.As(err, new(*fault.NotFound)) {
		t.Errorf("after erasure: %v, want not found", err)
	}
	var invalid *fault.InvalidArgument
	if _, err := f.w.SubjectCases(ctx, usecase.SubjectQuery{Reference: f.closed.Reference}); !errors.As(err, &invalid) || invalid.Violations[0].Field != "reference" {
		t.Errorf("the reference of an erased case: %v, want it refused on the reference", err)
	}
	f.checkNoPersonalData(t, "case.purged", 1, f.open.ID, f.closed.ID, f.represented.ID)
	if other, _ := f.w.Get(ctx, f.other.ID); other.Purged != nil {
		t.Error("another person's case was erased")
	}
}
