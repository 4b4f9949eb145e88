package deadline

import (
	"fmt"
	"slices"
	"strings"
)

// ruleSet is the law a case is calculated under, chosen by the date the
// request was received, so that a later change in the law adds a rule set
// instead of rewriting the deadlines of old cases.
type ruleSet struct {
	id    string
	from  Date   // applies to requests received on or after this date
	basis string // the law, for the explanation
}

// ruleSetFor picks the newest rule set in force on received; sets are
// listed oldest first.
func ruleSetFor(regime string, sets []ruleSet, received Date) (ruleSet, error) {
	for i := len(sets) - 1; i >= 0; i-- {
		if !received.Before(sets[i].from) {
			return sets[i], nil
		}
	}
	return ruleSet{}, fieldErrorf("received", "%s is before %s applied (%s): there is no rule set for it",
		received.Human(), regime, sets[0].from.Human())
}

// checkRegion rejects a region the calendars do not know. The empty region
// is allowed only where weekends alone are a meaningful calendar.
func checkRegion(cal *Calendars, region string, required bool) error {
	known := strings.Join(cal.Regions(), ", ")
	switch {
	case region == "" && required:
		return fieldErrorf("region", "required: name the holiday calendar (known regions: %s)", known)
	case region != "" && !cal.knows(region):
		return fieldErrorf("region", "unknown region %q (known regions: %s)", region, known)
	}
	return nil
}

// calculation accumulates one Result and its explanation.
type calculation struct {
	req   Request
	days  *workingDays
	res   Result
	steps []Step
	// notesAt is where notes about computed holiday years go: after the
	// facts of the case, before the arithmetic that relied on them.
	notesAt int
	// firstPeriodPaused counts the days of the pauses asked within the
	// first month; the rest were asked during an extension.
	firstPeriodPaused int
}

func newCalculation(req Request, cal *Calendars, regime string, rules ruleSet) *calculation {
	return &calculation{
		req:  req,
		days: cal.workingDays(req.Region),
		res:  Result{Regime: regime, RuleSet: rules.id},
	}
}

func (c *calculation) step(date Date, format string, args ...any) {
	c.steps = append(c.steps, Step{Text: fmt.Sprintf(format, args...), Date: date})
}

// explainReceipt states the facts the clock starts from.
func (c *calculation) explainReceipt(rules ruleSet) {
	c.step(c.req.Received, "Received %s.", c.req.Received.Human())
	c.step(Date{}, "Rule set %s: %s.", rules.id, rules.basis)
	if d := c.req.IdentityReceived; d != nil {
		c.step(*d, "Identity information received %s.", d.Human())
	}
	if d := c.req.FeeReceived; d != nil {
		c.step(*d, "Fee received %s.", d.Human())
	}
}

func (c *calculation) explainClockStart(start Date, why string) {
	c.res.ClockStart = start
	c.step(start, "Clock starts %s (%s).", start.Human(), why)
	c.notesAt = len(c.steps)
}

// internalTarget sets the optional internal target: n days after from,
// rolled back (never forward) to a working day so it stays on the safe side.
func (c *calculation) internalTarget(from Date, paused int, dayWord string) {
	n := c.req.InternalTargetDays
	if n == 0 {
		return
	}
	raw := from.AddDays(n + paused)
	target, why := c.days.rollBack(raw, dayWord)
	c.res.InternalTarget = &target
	text := fmt.Sprintf("Internal target (a deployment setting, not the law): %s after the clock start%s: %s.",
		plural(n, "day"), plusPaused(paused), raw.Human())
	if why != "" {
		text += " " + why
	}
	if target.After(c.res.StatutoryDue) {
		text += " It falls after the statutory due date, so it gives no margin."
	}
	c.step(target, "%s", text)
}

func plusPaused(paused int) string {
	if paused == 0 {
		return ""
	}
	return " plus " + plural(paused, "paused day")
}

// finish closes the explanation on the due date and refuses the result if
// the region had no holiday data for a year the calculation reached.
func (c *calculation) finish() (Result, error) {
	if err := c.days.missingYears(); err != nil {
		return Result{}, err
	}
	label := "Statutory due date"
	if c.res.ExtendedDue != nil {
		label = "Extended due date"
	}
	due := c.res.Due()
	c.step(due, "%s: %s.", label, due.Human())
	c.res.Steps = slices.Insert(c.steps, c.notesAt, c.days.computedNotes()...)
	return c.res, nil
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
