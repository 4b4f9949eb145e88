package deadline

import (
	"fmt"
	"slices"
	"strings"
)

// Pause is a clarification: the controller asked the requester what the
// request relates to and the clock stopped until the answer arrived. Both
// end days are excluded, so it removes Answered − Asked + 1 days
// (Answered − Asked with Request.CautiousPauses).
type Pause struct {
	Asked, Answered Date
}

// Extension records that the period was extended for a complex or numerous
// request. Months is 1 or 2 further months; 0 means 2. The CCPA regime
// ignores Months: it has a single 45-day extension.
type Extension struct {
	GrantedOn Date
	Reason    string
	Months    int
}

// Request is everything the clock depends on.
type Request struct {
	Regime           string // "uk-gdpr" (when empty), "eu-gdpr" or "ccpa"
	Region           string // holiday calendar, e.g. "scotland"; optional for CCPA
	Received         Date
	IdentityReceived *Date // set when identity information was asked for and arrived
	FeeReceived      *Date // set when a permitted fee was asked for and arrived
	Pauses           []Pause
	Extension        *Extension
	// CautiousPauses counts a pause as Answered − Asked days, one fewer than
	// the statutory wording gives, for organisations that prefer a margin.
	CautiousPauses bool
	// InternalTargetDays sets an internal target that many calendar days
	// after the clock starts (plus paused days), rolled back to the previous
	// working day; 0 for none, at most maxInternalTargetDays.
	InternalTargetDays int
}

// maxInternalTargetDays matches the API's limit: long enough for the CCPA's
// 45 days plus its extension.
const maxInternalTargetDays = 90

// Step is one line of the plain-English explanation. Date is the date the
// step arrives at, or the zero Date for a note.
type Step struct {
	Text string
	Date Date
}

// Result is a calculated deadline with its explanation.
type Result struct {
	Regime  string
	RuleSet string // e.g. "uk-gdpr/2026-02-05": the dated rules this case was calculated under

	ClockStart   Date
	StatutoryDue Date  // after pauses and any roll to a working day
	ExtendedDue  *Date // nil without an extension
	// ExtensionNoticeBy is when the requester must have been told of an
	// extension, with reasons: the statutory due date, pauses included.
	ExtensionNoticeBy Date
	ConfirmBy         *Date // CCPA only: confirm receipt within 10 business days
	InternalTarget    *Date
	PausedDays        int

	// Steps explain the calculation in order; the last step's Date is Due().
	Steps []Step
}

// Due is the date the response is due: the extended date when there is one.
func (r Result) Due() Date {
	if r.ExtendedDue != nil {
		return *r.ExtendedDue
	}
	return r.StatutoryDue
}

// validateRequest checks what every regime needs before any arithmetic.
// It names every field at fault, in field order, so the messages are
// stable; within a group of fields that depend on each other (a pause, an
// extension) only the first problem is named.
func validateRequest(req Request) error {
	var target error
	if req.InternalTargetDays < 0 || req.InternalTargetDays > maxInternalTargetDays {
		target = fieldErrorf("internal_target_days", "must be between 0 and %d, got %d", maxInternalTargetDays, req.InternalTargetDays)
	}
	return fieldErrors(
		checkDate("received", req.Received),
		checkOptionalDate("identity_received", req.IdentityReceived, req.Received),
		checkOptionalDate("fee_received", req.FeeReceived, req.Received),
		checkPauses(req.Pauses, req.Received),
		checkExtension(req.Extension, req.Received),
		target,
	)
}

func checkOptionalDate(field string, d *Date, received Date) error {
	if d == nil {
		return nil
	}
	if err := checkDate(field, *d); err != nil {
		return err
	}
	if d.Before(received) {
		return fieldErrorf(field, "%s is before the request was received (%s)", d.Human(), received.Human())
	}
	return nil
}

func checkPauses(pauses []Pause, received Date) error {
	for i, p := range pauses {
		if err := checkPause(i, p, received); err != nil {
			return err
		}
	}
	order := chronological(pauses)
	for k := 1; k < len(order); k++ {
		earlier, later := order[k-1], order[k]
		if !pauses[later].Asked.After(pauses[earlier].Answered) {
			return fieldErrorf(pauseField(later, "asked"), "overlaps pauses[%d] (%s to %s): a day can only be paused once",
				earlier, pauses[earlier].Asked.Human(), pauses[earlier].Answered.Human())
		}
	}
	return nil
}

func checkPause(i int, p Pause, received Date) error {
	if err := checkDate(pauseField(i, "asked"), p.Asked); err != nil {
		return err
	}
	if err := checkDate(pauseField(i, "answered"), p.Answered); err != nil {
		return err
	}
	if p.Asked.Before(received) {
		return fieldErrorf(pauseField(i, "asked"), "%s is before the request was received (%s)", p.Asked.Human(), received.Human())
	}
	if p.Answered.Before(p.Asked) {
		return fieldErrorf(pauseField(i, "answered"), "%s is before the clarification was asked (%s)", p.Answered.Human(), p.Asked.Human())
	}
	return nil
}

func pauseField(i int, name string) string {
	return fmt.Sprintf("pauses[%d].%s", i, name)
}

func checkExtension(ext *Extension, received Date) error {
	if ext == nil {
		return nil
	}
	if err := checkDate("extension.granted_on", ext.GrantedOn); err != nil {
		return err
	}
	if ext.GrantedOn.Before(received) {
		return fieldErrorf("extension.granted_on", "%s is before the request was received (%s)", ext.GrantedOn.Human(), received.Human())
	}
	if ext.Months < 0 || ext.Months > 2 {
		return fieldErrorf("extension.months", "must be 1 or 2 further months (0 means 2), got %d", ext.Months)
	}
	if strings.TrimSpace(ext.Reason) == "" {
		return fieldErrorf("extension.reason", "required: the requester must be told why the period was extended")
	}
	return nil
}

// chronological returns the pauses' indexes ordered by the day they were
// asked, so errors can still name the pause as the caller numbered it.
func chronological(pauses []Pause) []int {
	order := make([]int, len(pauses))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return pauses[a].Asked.Compare(pauses[b].Asked) })
	return order
}

// clockStart is the latest of receipt, identity and fee: the "relevant
// time" from which the period runs.
func clockStart(req Request) Date {
	start := req.Received
	for _, d := range []*Date{req.IdentityReceived, req.FeeReceived} {
		if d != nil {
			start = maxDate(start, *d)
		}
	}
	return start
}
