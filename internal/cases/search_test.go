package cases_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

func TestSearchRecordKeepsBothKindsInOrder(t *testing.T) {
	env := envOn("2026-02-10")
	c := mustCreate(t, validNew(), env)
	change, err := cases.Apply(c, cases.RecordSearch{Source: " HR system ", Found: "Ada's personnel file"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if change.Action != "case.search_recorded" || change.Before["searched"] != "" || change.After["searched"] != "1" || change.After["not_searched"] != "0" {
		t.Errorf("change = %+v, want the count of searches only", change)
	}
	assertNoPersonalData(t, change)
	if s, ok := change.Personal["search"].(cases.Search); !ok || s.Found != "Ada's personnel file" {
		t.Errorf("what was found belongs in the erasable payload: %+v", change.Personal)
	}
	change, err = cases.Apply(c, cases.RecordNotSearched{Source: "CCTV", Reason: "the request is about emails only"}, envOn("2026-02-11"))
	if err != nil {
		t.Fatal(err)
	}
	if change.Action != "case.not_searched_recorded" || change.Before["not_searched"] != "0" || change.After["not_searched"] != "1" {
		t.Errorf("change = %+v", change)
	}
	want := []cases.Search{
		{ID: "s1", Kind: cases.SearchDone, Source: "HR system", On: "2026-02-10", By: "token:alice", Found: "Ada's personnel file", RecordedBy: "token:alice", Recorded: env.Now},
		{ID: "s2", Kind: cases.SearchSkipped, Source: "CCTV", On: "2026-02-11", Reason: "the request is about emails only", RecordedBy: "token:alice", Recorded: envOn("2026-02-11").Now},
	}
	if len(c.Searches) != len(want) {
		t.Fatalf("searches = %+v", c.Searches)
	}
	for i := range want {
		if c.Searches[i] != want[i] {
			t.Errorf("search %d = %+v, want %+v", i, c.Searches[i], want[i])
		}
	}
}

func TestSearchRecordsWhoSearchedAndWhenApartFromWhoRecorded(t *testing.T) {
	env := envOn("2026-02-20")
	c := mustCreate(t, validNew(), env)
	_, err := cases.Apply(c, cases.RecordSearch{Source: "Payroll team", On: "2026-02-12", By: "Payroll team (J. Smith)", Found: "nothing"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Searches[0]; s.On != "2026-02-12" || s.By != "Payroll team (J. Smith)" || s.RecordedBy != "token:alice" || !s.Recorded.Equal(env.Now) {
		t.Errorf("search = %+v", s)
	}
}

func TestSearchRecordValidation(t *testing.T) {
	long := strings.Repeat("x", cases.MaxSearchText+1)
	tests := []struct {
		name   string
		cmd    cases.Command
		fields []string
	}{
		{"no source", cases.RecordSearch{Source: " ", Found: "nothing"}, []string{"source"}},
		{"nothing said about what was found", cases.RecordSearch{Source: "HR"}, []string{"found"}},
		{"source too long", cases.RecordSearch{Source: strings.Repeat("é", cases.MaxSearchSource+1), Found: "nothing"}, []string{"source"}},
		{"found too long", cases.RecordSearch{Source: "HR", Found: long}, []string{"found"}},
		{"who searched too long", cases.RecordSearch{Source: "HR", Found: "nothing", By: strings.Repeat("b", cases.MaxSearchSource+1)}, []string{"by"}},
		{"searched in the future", cases.RecordSearch{Source: "HR", Found: "nothing", On: "2026-02-11"}, []string{"on"}},
		{"searched before the request", cases.RecordSearch{Source: "HR", Found: "nothing", On: "2026-01-30"}, []string{"on"}},
		{"not a date", cases.RecordSearch{Source: "HR", Found: "nothing", On: "last week"}, []string{"on"}},
		{"every bad field at once", cases.RecordSearch{On: "2026-03-01"}, []string{"source", "found", "on"}},
		{"not searched without a reason", cases.RecordNotSearched{Source: "CCTV"}, []string{"reason"}},
		{"not searched without a source", cases.RecordNotSearched{Reason: "irrelevant"}, []string{"source"}},
		{"reason too long", cases.RecordNotSearched{Source: "CCTV", Reason: long}, []string{"reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCreate(t, validNew(), envOn("2026-02-10"))
			_, err := cases.Apply(c, tt.cmd, envOn("2026-02-10"))
			var inv *fault.InvalidArgument
			if !errors.As(err, &inv) || len(inv.Violations) != len(tt.fields) {
				t.Fatalf("got %v, want violations on %v", err, tt.fields)
			}
			for _, f := range tt.fields {
				assertInvalid(t, err, f)
			}
			if len(c.Searches) != 0 || c.Version != 1 {
				t.Errorf("a refused search was kept: %+v", c.Searches)
			}
		})
	}
}

func TestSearchRecordFollowsTheCaseState(t *testing.T) {
	for _, tt := range []struct {
		state   cases.State
		allowed bool
	}{
		{cases.StateNew, true},
		{cases.StateInProgress, true},
		{cases.StateAwaitingRequester, true}, // a search may go on while the clock waits
		{cases.StateClosed, false},           // a closed case's record is final until reopened
	} {
		for _, cmd := range []cases.Command{cases.RecordSearch{Source: "HR", Found: "nothing"}, cases.RecordNotSearched{Source: "CCTV", Reason: "no cameras"}} {
			t.Run(string(tt.state)+"/"+cmd.Action(), func(t *testing.T) {
				env := envOn("2026-02-10")
				c := caseIn(t, tt.state, env)
				_, err := cases.Apply(c, cmd, env)
				var fp *fault.FailedPrecondition
				switch {
				case tt.allowed && err != nil:
					t.Fatalf("refused in %s: %v", tt.state, err)
				case tt.allowed && c.State != tt.state:
					t.Errorf("recording a search moved the case from %s to %s", tt.state, c.State)
				case !tt.allowed && !errors.As(err, &fp):
					t.Fatalf("in %s: got %v, want FAILED_PRECONDITION", tt.state, err)
				}
			})
		}
	}
}
