package cases

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// Retention: how long a closed case keeps its personal data, the legal
// hold that stops it being destroyed, and the tombstone marker a purged
// case carries. The rule is stated here once; the store destroys (store.
// PurgeCase), casework decides when, and the doors only show the answer.
// docs/retention.md gives the defaults and the reasons for them.

// LegalHold keeps a case's personal data past its retention period, for
// litigation, a complaint to the regulator or an investigation. The reason
// may name people, so it lives in the sealed part of the record.
type LegalHold struct {
	Reason string `json:"reason"`
	Since  string `json:"since"`
	By     string `json:"by"`
}

// Purged marks a case whose personal data was destroyed: only its
// non-personal skeleton remains, for statistics and the audit chain.
type Purged struct {
	On     string      `json:"on"`
	Reason PurgeReason `json:"reason"`
}

// PurgeReason says why a case's personal data was destroyed.
type PurgeReason string

const (
	// PurgeRetention is the daily run: the retention period ended.
	PurgeRetention PurgeReason = "retention"
	// PurgeErasure is an erasure request about Rightsdesk's own data.
	PurgeErasure PurgeReason = "erasure"
)

// SetLegalHold puts a case on legal hold (Held) or releases it, with a
// reason either way.
type SetLegalHold struct {
	Held   bool
	Reason string
}

// Action implements Command.
func (cmd SetLegalHold) Action() string {
	if cmd.Held {
		return "case.legal_hold_set"
	}
	return "case.legal_hold_released"
}

func (cmd SetLegalHold) apply(c *Case, env Env) (map[string]any, error) {
	var v []fault.FieldViolation
	reason := strings.TrimSpace(cmd.Reason)
	checkText(&v, "reason", reason, MaxDetail, paragraph, "say why")
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	switch {
	case cmd.Held && c.LegalHold != nil:
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "the case is already on legal hold; release it first to change the reason"}
	case !cmd.Held && c.LegalHold == nil:
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "the case is not on legal hold"}
	case cmd.Held:
		c.LegalHold = &LegalHold{Reason: reason, Since: env.Today().String(), By: env.Actor}
	default:
		c.LegalHold = nil
	}
	return map[string]any{"legal_hold_reason": reason}, nil
}

// Schedule is how long after closure each outcome keeps its personal data,
// in whole months.
type Schedule map[OutcomeKind]int

// DefaultRetentionMonths is the period of an outcome the schedule does not
// name: long enough for a complaint to the ICO or a court claim under
// s.167 DPA 2018 to arrive and be answered (see docs/retention.md).
const DefaultRetentionMonths = 24

// MaxRetentionMonths bounds a period: 20 years is past any limitation
// period a case could be needed for, and anything longer is a typing
// mistake.
const MaxRetentionMonths = 240

// DefaultSchedule is the schedule when the operator sets none; the reason
// for each period is in docs/retention.md.
func DefaultSchedule() Schedule {
	return Schedule{
		OutcomeFulfilled:          24,
		OutcomePartiallyFulfilled: 24,
		OutcomeRefused:            24,
		OutcomeWithdrawn:          12,
		OutcomePassedToController: 12,
		OutcomeSelfService:        12,
		OutcomeDuplicate:          12,
	}
}

// ParseSchedule reads "outcome=Nm,outcome=Ny,…" over the default schedule:
// an outcome it does not name keeps its default. Periods are months ("24m")
// or years ("6y"), at least one month.
func ParseSchedule(s string) (Schedule, error) {
	out := DefaultSchedule()
	s = strings.TrimSpace(s)
	if s == "" {
		return out, nil
	}
	for item := range strings.SplitSeq(s, ",") {
		name, period, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return nil, fmt.Errorf("retention %q: want outcome=period, e.g. fulfilled=24m", item)
		}
		kind := OutcomeKind(strings.TrimSpace(name))
		if !slices.Contains(retentionOutcomes(), kind) {
			return nil, fmt.Errorf("retention %q: unknown outcome %q; known: %s", item, name, strings.Join(outcomeNames(), ", "))
		}
		months, err := parsePeriod(strings.TrimSpace(period))
		if err != nil {
			return nil, fmt.Errorf("retention %q: %w", item, err)
		}
		out[kind] = months
	}
	return out, nil
}

func retentionOutcomes() []OutcomeKind { return append(slices.Clone(OutcomeKinds), OutcomeDuplicate) }

func outcomeNames() []string {
	var names []string
	for _, k := range retentionOutcomes() {
		names = append(names, string(k))
	}
	return names
}

func parsePeriod(p string) (int, error) {
	if len(p) < 2 {
		return 0, fmt.Errorf("period %q: want a number of months or years, e.g. 24m or 6y", p)
	}
	n, err := strconv.Atoi(p[:len(p)-1])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("period %q: want a whole number of at least 1, then m or y", p)
	}
	switch p[len(p)-1] {
	case 'm':
	case 'y':
		n *= 12
	default:
		return 0, fmt.Errorf("period %q: want m (months) or y (years) after the number", p)
	}
	if n > MaxRetentionMonths {
		return 0, fmt.Errorf("period %q: at most %d years", p, MaxRetentionMonths/12)
	}
	return n, nil
}

// String writes the schedule as ParseSchedule reads it, outcomes in order.
func (s Schedule) String() string {
	var parts []string
	for _, k := range retentionOutcomes() {
		parts = append(parts, fmt.Sprintf("%s=%dm", k, s.months(k)))
	}
	return strings.Join(parts, ",")
}

func (s Schedule) months(k OutcomeKind) int {
	if m, ok := s[k]; ok {
		return m
	}
	return DefaultRetentionMonths
}

// RetentionStatus is where a case stands against the schedule.
type RetentionStatus string

const (
	RetentionOpen      RetentionStatus = "open"       // still being worked: nothing to count from
	RetentionKept      RetentionStatus = "kept"       // closed, its period not over
	RetentionDue       RetentionStatus = "due"        // closed and past its period: the next run purges it
	RetentionLegalHold RetentionStatus = "legal_hold" // past or not, kept while the hold lasts
	RetentionPurged    RetentionStatus = "purged"     // already destroyed
)

// Retention is the decision for one case: its status, the date its
// personal data is due to go (for a closed case), and why it is kept.
type Retention struct {
	Status RetentionStatus
	Due    deadline.Date // zero for an open or purged case
	Why    string
}

// RetentionOf decides what the schedule says of c today.
func RetentionOf(c *Case, s Schedule, today deadline.Date) Retention {
	r := c.RetentionFacts().Retention(s, today)
	switch r.Status {
	case RetentionPurged:
		r.Why = "its personal data was destroyed on " + c.Purged.On
	case RetentionLegalHold:
		r.Why = "on legal hold since " + c.LegalHold.Since
	}
	return r
}

// RetentionFacts are all a case's retention depends on. The store indexes
// them for every closed case, so the daily plan and the dashboard count
// from the index instead of reading every closed case.
type RetentionFacts struct {
	Open, Purged, Held bool
	// Outcome and ClosedOn are the outcome's, empty without one.
	Outcome  OutcomeKind
	ClosedOn string
}

// RetentionFacts are c's.
func (c *Case) RetentionFacts() RetentionFacts {
	f := RetentionFacts{Open: c.Open(), Purged: c.Purged != nil, Held: c.LegalHold != nil}
	if c.Outcome != nil {
		f.Outcome, f.ClosedOn = c.Outcome.Kind, c.Outcome.ClosedOn
	}
	return f
}

// Retention decides what the schedule says today of a case with these
// facts. The reasons for a purge and a hold name no date: RetentionOf,
// which has the case, adds it.
func (f RetentionFacts) Retention(s Schedule, today deadline.Date) Retention {
	if f.Purged {
		return Retention{Status: RetentionPurged, Why: "its personal data was destroyed"}
	}
	if f.Open {
		return Retention{Status: RetentionOpen, Why: "the case is open"}
	}
	closed, err := deadline.ParseDate(f.ClosedOn)
	if err != nil {
		// A closed case without a readable closing date cannot be timed:
		// keeping it is the safe mistake, and the reason says what to fix.
		return Retention{Status: RetentionKept, Why: "the case has no valid closing date"}
	}
	months := s.months(f.Outcome)
	due := AddMonths(closed, months)
	r := Retention{Due: due}
	switch {
	case f.Held:
		r.Status, r.Why = RetentionLegalHold, "on legal hold"
	case today.Before(due):
		r.Status, r.Why = RetentionKept, fmt.Sprintf("%s cases are kept %d months after closing", f.Outcome, months)
	default:
		r.Status, r.Why = RetentionDue, fmt.Sprintf("%d months after closing (%s) have passed", months, f.Outcome)
	}
	return r
}

// AddMonths is the same day n months later, or the last day of that month
// when it has no such day (31 January + 1 month is 28 or 29 February).
func AddMonths(d deadline.Date, n int) deadline.Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return deadline.Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// errPurged refuses any command on a purged case: there is nothing left to
// act on, and reopening one would make a case with no requester.
func (c *Case) errPurged() error {
	return &fault.FailedPrecondition{Subject: c.Name(), Description: "the case's personal data was destroyed on " + c.Purged.On + "; nothing can be done to it"}
}

// CheckPurge says whether c's personal data may be destroyed today for
// reason: for retention, the schedule must say it is due; for erasure,
// the case must be closed (withdraw or close it first, so the requester
// has their answer) and not on legal hold. Nothing may purge a case twice.
func CheckPurge(c *Case, reason PurgeReason, s Schedule, today deadline.Date) error {
	r := RetentionOf(c, s, today)
	refuse := func(why string) error {
		return &fault.FailedPrecondition{Subject: c.Name(), Description: "the case's personal data cannot be destroyed: " + why}
	}
	switch {
	case r.Status == RetentionPurged:
		return refuse(r.Why)
	case r.Status == RetentionOpen:
		return refuse("the case is open; close or withdraw it first")
	case r.Status == RetentionLegalHold:
		return refuse("it is on legal hold (since " + c.LegalHold.Since + "); release the hold first")
	case reason == PurgeErasure:
		return nil
	case reason != PurgeRetention:
		return fault.Invalid("reason", "unknown reason %q: want %s or %s", reason, PurgeRetention, PurgeErasure)
	case r.Status != RetentionDue:
		return refuse(r.Why)
	}
	return nil
}
