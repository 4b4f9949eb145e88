package usecase

import (
	"context"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
)

// Retention is the retention schedule's view of the cases
// (internal/casework/retention.go). Legal hold is a case command
// (cases.SetLegalHold, through Cases.Apply).
type Retention interface {
	// RetentionPlan is what the daily retention run would do today.
	RetentionPlan(ctx context.Context) (*RetentionPlan, error)
	// RetentionDue is the plan without its count of open cases (Open is
	// 0), for figures that do not show it: counting reads an index entry
	// of every open case, a million at the scale targets.
	RetentionDue(ctx context.Context) (*RetentionPlan, error)
}

// RetentionPlan lists what a retention run would do today, naming no one:
// the cases it would purge, the closed cases it keeps past their date (on
// legal hold, or with no closing date to count from) with the reason, and
// counts of the rest.
type RetentionPlan struct {
	Today    deadline.Date
	Schedule string // as --retention takes it
	Purge    []RetentionEntry
	Held     []RetentionEntry
	// DueSoon counts the kept cases due within the next DueSoonDays days;
	// Kept every closed case still within its period; Open the open cases
	// (not timed until they close); Purged the tombstones.
	DueSoon, DueSoonDays, Kept, Open, Purged int
}

// RetentionEntry is one case in a plan.
type RetentionEntry struct {
	CaseID    string
	Reference string
	ClosedOn  string
	Outcome   cases.OutcomeKind
	Due       deadline.Date
	Status    cases.RetentionStatus
	Why       string
}
