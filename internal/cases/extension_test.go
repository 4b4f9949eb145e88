package cases_test

import (
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

func TestExtensionDecisionIsFlaggedInTheLastWorkingWeekOfTheFirstPeriod(t *testing.T) {
	// Received Sat 31 Jan 2026: the first period ends Mon 2 Mar, so the
	// last five working days before it start after Mon 23 Feb.
	fresh := func(cmds ...cases.Command) func(*testing.T) *cases.Case {
		return func(t *testing.T) *cases.Case {
			t.Helper()
			env := envOn("2026-02-02")
			c := mustCreate(t, validNew(), env)
			for _, cmd := range cmds {
				if _, err := cases.Apply(c, cmd, env); err != nil {
					t.Fatalf("%T: %v", cmd, err)
				}
			}
			return c
		}
	}
	for _, tc := range []struct {
		name    string
		c       func(*testing.T) *cases.Case
		today   string
		flagged bool
	}{
		{"a month ahead", fresh(), "2026-02-02", false},
		{"six working days ahead", fresh(), "2026-02-20", false},
		{"the Sunday before: still six working days ahead", fresh(), "2026-02-22", false},
		{"five working days ahead", fresh(), "2026-02-23", true},
		{"the last day", fresh(), "2026-03-02", true},
		{"the day after: too late", fresh(), "2026-03-03", false},
		{"in progress", fresh(cases.ConfirmIdentity{}, cases.Assign{Assignee: "alice"}), "2026-02-26", true},
		{"already extended", fresh(cases.Extend{Reason: "complex"}), "2026-02-26", false},
		{"waiting for identity: the clock is stopped", fresh(cases.RequestFromRequester{What: cases.WaitingForIdentity}), "2026-02-26", false},
		{"closed", fresh(cases.Close{Outcome: cases.OutcomeWithdrawn}), "2026-02-26", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c(t)
			by, flagged := c.ExtensionDecisionBy(envOn(tc.today))
			if flagged != tc.flagged {
				t.Fatalf("on %s flagged = %v, want %v (extension notice by %s)", tc.today, flagged, tc.flagged, c.Clock.ExtensionNoticeBy)
			}
			if flagged && by.String() != "2026-03-02" {
				t.Errorf("decide by %s, want 2026-03-02", by)
			}
			if !flagged && !by.IsZero() {
				t.Errorf("not flagged but a date %s is given", by)
			}
		})
	}
}
