package cases_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

func day(t *testing.T, s string) deadline.Date {
	t.Helper()
	d, err := deadline.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func closedCase(kind cases.OutcomeKind, closedOn string) *cases.Case {
	return &cases.Case{ID: "01R", State: cases.StateClosed, Outcome: &cases.Outcome{Kind: kind, ClosedOn: closedOn}}
}

func TestRetentionOf(t *testing.T) {
	sch := cases.Schedule{cases.OutcomeFulfilled: 24, cases.OutcomeWithdrawn: 12}
	held := closedCase(cases.OutcomeFulfilled, "2024-01-31")
	held.LegalHold = &cases.LegalHold{Reason: "claim", Since: "2025-06-01"}
	purged := closedCase(cases.OutcomeFulfilled, "2024-01-31")
	purged.Purged = &cases.Purged{On: "2026-02-01", Reason: cases.PurgeRetention}
	for _, tc := range []struct {
		name   string
		c      *cases.Case
		today  string
		status cases.RetentionStatus
		due    string
	}{
		{"open", &cases.Case{ID: "01R", State: cases.StateInProgress}, "2030-01-01", cases.RetentionOpen, ""},
		{"closed, the day before it is due", closedCase(cases.OutcomeFulfilled, "2024-03-15"), "2026-03-14", cases.RetentionKept, "2026-03-15"},
		{"closed, due today", closedCase(cases.OutcomeFulfilled, "2024-03-15"), "2026-03-15", cases.RetentionDue, "2026-03-15"},
		{"29 February + 24 months ends on the last day of February", closedCase(cases.OutcomeFulfilled, "2024-02-29"), "2026-02-28", cases.RetentionDue, "2026-02-28"},
		{"leap day + 12 months", closedCase(cases.OutcomeWithdrawn, "2024-02-29"), "2025-02-27", cases.RetentionKept, "2025-02-28"},
		{"an outcome the schedule does not name takes the default", closedCase(cases.OutcomeRefused, "2024-03-15"), "2026-03-15", cases.RetentionDue, "2026-03-15"},
		{"legal hold past the date", held, "2030-01-01", cases.RetentionLegalHold, "2026-01-31"},
		{"purged", purged, "2030-01-01", cases.RetentionPurged, ""},
		{"no closing date is kept", closedCase(cases.OutcomeFulfilled, ""), "2030-01-01", cases.RetentionKept, ""},
		{"no outcome is kept", &cases.Case{ID: "01R", State: cases.StateClosed}, "2030-01-01", cases.RetentionKept, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cases.RetentionOf(tc.c, sch, day(t, tc.today))
			due := ""
			if !r.Due.IsZero() {
				due = r.Due.String()
			}
			if r.Status != tc.status || due != tc.due || r.Why == "" {
				t.Errorf("got %s due %q (%s), want %s due %q", r.Status, due, r.Why, tc.status, tc.due)
			}
		})
	}
}

func TestCheckPurge(t *testing.T) {
	sch := cases.DefaultSchedule()
	today := "2030-01-01"
	held := closedCase(cases.OutcomeFulfilled, "2024-01-31")
	held.LegalHold = &cases.LegalHold{Reason: "claim", Since: "2025-06-01"}
	for _, tc := range []struct {
		name   string
		c      *cases.Case
		reason cases.PurgeReason
		ok     bool
	}{
		{"retention, due", closedCase(cases.OutcomeFulfilled, "2024-01-31"), cases.PurgeRetention, true},
		{"retention, not yet due", closedCase(cases.OutcomeFulfilled, "2029-06-01"), cases.PurgeRetention, false},
		{"erasure, not yet due", closedCase(cases.OutcomeFulfilled, "2029-06-01"), cases.PurgeErasure, true},
		{"erasure, open", &cases.Case{ID: "01R", State: cases.StateNew}, cases.PurgeErasure, false},
		{"erasure, held", held, cases.PurgeErasure, false},
		{"retention, held", held, cases.PurgeRetention, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := cases.CheckPurge(tc.c, tc.reason, sch, day(t, today))
			var fp *fault.FailedPrecondition
			if tc.ok != (err == nil) || (err != nil && !errors.As(err, &fp)) {
				t.Errorf("CheckPurge = %v, want ok %v (or FailedPrecondition)", err, tc.ok)
			}
		})
	}
	var inv *fault.InvalidArgument
	if err := cases.CheckPurge(closedCase(cases.OutcomeFulfilled, "2024-01-31"), "tidy", sch, day(t, today)); !errors.As(err, &inv) {
		t.Errorf("an unknown reason: %v, want InvalidArgument", err)
	}
}

func TestParseSchedule(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"", cases.DefaultSchedule().String(), ""},
		{"fulfilled=6y, refused=36m", "fulfilled=72m", ""},
		{"refused=36m", "refused=36m", ""},
		{"duplicate=1m", "duplicate=1m", ""},
		{"fulfilled", "", "want outcome=period"},
		{"lost=2y", "", "unknown outcome"},
		{"fulfilled=0m", "", "at least 1"},
		{"fulfilled=-3m", "", "at least 1"},
		{"fulfilled=24d", "", "m (months) or y (years)"},
		{"fulfilled=21y", "", "at most 20 years"},
	} {
		got, err := cases.ParseSchedule(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseSchedule(%q) = %v, want an error saying %q", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("ParseSchedule(%q): %v", tc.in, err)
		case tc.err == "" && !strings.Contains(got.String(), tc.want):
			t.Errorf("ParseSchedule(%q) = %s, want it to hold %s", tc.in, got, tc.want)
		}
	}
	round, err := cases.ParseSchedule(cases.DefaultSchedule().String())
	if err != nil || round.String() != cases.DefaultSchedule().String() {
		t.Errorf("the default schedule does not read back: %v %v", round, err)
	}
}

func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2024-01-31", 1, "2024-02-29"},
		{"2023-01-31", 1, "2023-02-28"},
		{"2024-12-15", 1, "2025-01-15"},
		{"2024-03-31", 24, "2026-03-31"},
		{"2024-08-31", 6, "2025-02-28"},
	} {
		if got := cases.AddMonths(day(t, tc.from), tc.months).String(); got != tc.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}
