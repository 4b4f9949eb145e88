package deadline

import (
	"fmt"
	"time"
)

// Regime names.
const (
	UKGDPR = "uk-gdpr"
	EUGDPR = "eu-gdpr"
	CCPA   = "ccpa"
)

// monthlyRegime is the GDPR clock: one calendar month from the clock start,
// stopped by clarification pauses, extendable by up to two further months,
// with a last day that moves off weekends and holidays to the next working
// day. UK and EU GDPR differ only in their law and their calendars.
type monthlyRegime struct {
	name     string
	ruleSets []ruleSet // oldest first
}

var ukGDPR = monthlyRegime{name: UKGDPR, ruleSets: []ruleSet{
	{
		id:    "uk-gdpr/2018-05-25",
		from:  Date{Year: 2018, Month: time.May, Day: 25},
		basis: "UK GDPR Art 12(3), one month extendable by two further months, applied as the ICO did before the Data (Use and Access) Act 2025 (requests received before 5 Feb 2026)",
	},
	{
		id:    "uk-gdpr/2026-02-05",
		from:  Date{Year: 2026, Month: time.February, Day: 5},
		basis: "UK GDPR Art 12(3) and Art 12A, inserted by the Data (Use and Access) Act 2025 s.76 (requests received on or after 5 Feb 2026)",
	},
}}

var euGDPR = monthlyRegime{name: EUGDPR, ruleSets: []ruleSet{
	{
		id:    "eu-gdpr/2018-05-25",
		from:  Date{Year: 2018, Month: time.May, Day: 25},
		basis: "GDPR Art 12(3), with the month counted under Regulation (EEC, Euratom) No 1182/71: it ends on the same date in the next month, or that month's last day, and a last day on a Saturday, Sunday or public holiday gives way to the end of the following working day",
	},
}}

// Name implements Regime.
func (m monthlyRegime) Name() string { return m.name }

// Validate implements Regime.
func (m monthlyRegime) Validate(req Request, cal *Calendars) error {
	return fieldErrors(validateRequest(req), checkRegion(cal, req.Region, true))
}

// Calculate implements Regime.
func (m monthlyRegime) Calculate(req Request, cal *Calendars) (Result, error) {
	if err := m.Validate(req, cal); err != nil {
		return Result{}, err
	}
	rules, err := ruleSetFor(m.name, m.ruleSets, req.Received)
	if err != nil {
		return Result{}, err
	}
	c := newCalculation(req, cal, m.name, rules)
	c.explainReceipt(rules)
	start := clockStart(req)
	c.explainClockStart(start, startReason(req, start))
	unrolled := c.months(start, 1, "One calendar month")
	paused, err := c.pauses(start, unrolled)
	if err != nil {
		return Result{}, err
	}
	c.res.StatutoryDue = c.rollToWorkingDay(c.addPaused(unrolled, paused))
	c.res.ExtensionNoticeBy = c.firstPeriodEnd(unrolled)
	c.internalTarget(start, paused, "working day")
	if err := c.extendByMonths(start, paused); err != nil {
		return Result{}, err
	}
	return c.finish()
}

// startReason says which event started the clock.
func startReason(req Request, start Date) string {
	identity := req.IdentityReceived != nil && *req.IdentityReceived == start
	fee := req.FeeReceived != nil && *req.FeeReceived == start
	const latest = "the clock runs from the latest of the request, the identity information and the fee"
	switch {
	case start == req.Received:
		return "the day the request was received"
	case identity && fee:
		return "the day the identity information and the fee were received; " + latest
	case identity:
		return "the day the identity information was received; " + latest
	default:
		return "the day the fee was received; " + latest
	}
}

// months steps n calendar months on from start and explains the month-end
// clamp when it applies.
func (c *calculation) months(start Date, n int, label string) Date {
	due, clamped := addMonths(start, n)
	why := "the same date"
	if clamped {
		why = fmt.Sprintf("%s has no %s", due.Month, ordinal(start.Day))
	}
	c.step(due, "%s: %s (%s).", label, due.dayMonthYear(), why)
	return due
}

// pauses totals the clarification pauses in the order they happened. A
// pause asked after the first period (as moved by earlier pauses) had
// ended counts only when an extension was in place: Art 12A, like DPA 2018
// s.54(3C), stops the period as extended, so a clarification asked during
// the two further months moves the extended date. A pause asked after the
// period that applies had already ended is refused: it cannot stop a clock
// that has run out.
func (c *calculation) pauses(start, unrolled Date) (int, error) {
	paused := 0
	var extended Date // the extended period's unrolled end, when there is one
	if ext := c.req.Extension; ext != nil {
		extended, _ = addMonths(start, 1+furtherMonths(ext))
	}
	for _, i := range chronological(c.req.Pauses) {
		p := c.req.Pauses[i]
		firstEnd, _ := c.days.rollForward(unrolled.AddDays(c.firstPeriodPaused), "working day")
		during := ""
		if p.Asked.After(firstEnd) {
			if c.req.Extension == nil {
				return 0, fieldErrorf(pauseField(i, "asked"), "%s is after the period had already ended (%s): a clarification cannot stop a clock that has run out",
					p.Asked.Human(), firstEnd.Human())
			}
			extendedEnd, _ := c.days.rollForward(extended.AddDays(paused), "working day")
			if p.Asked.After(extendedEnd) {
				return 0, fieldErrorf(pauseField(i, "asked"), "%s is after the extended period had already ended (%s): a clarification cannot stop a clock that has run out",
					p.Asked.Human(), extendedEnd.Human())
			}
			during = fmt.Sprintf(" It was asked during the extension, after the first month ended on %s, and stops the period as extended (Art 12A; DPA 2018 s.54(3C)).", firstEnd.Human())
		}
		days := pauseDays(p, start, c.req.CautiousPauses)
		paused += days
		if during == "" {
			c.firstPeriodPaused += days
		}
		c.step(Date{}, "%s%s", pauseText(p, start, days, c.req.CautiousPauses), during)
	}
	c.res.PausedDays = paused
	return paused, nil
}

// firstPeriodEnd is when the first month ends counting only the pauses
// asked within it: the date by which an extension must be decided and the
// requester told. A pause asked later, during the extension, cannot move a
// date already past.
func (c *calculation) firstPeriodEnd(unrolled Date) Date {
	if c.firstPeriodPaused == c.res.PausedDays {
		return c.res.StatutoryDue
	}
	end, _ := c.days.rollForward(unrolled.AddDays(c.firstPeriodPaused), "working day")
	return end
}

func furtherMonths(ext *Extension) int {
	if ext.Months == 0 {
		return 2
	}
	return ext.Months
}

// pauseDays counts the days a pause stops the clock. Days before the clock
// started were not running anyway, so only the days from the start count.
func pauseDays(p Pause, start Date, cautious bool) int {
	from := maxDate(p.Asked, start)
	if p.Answered.Before(from) {
		return 0
	}
	days := DaysBetween(from, p.Answered) + 1
	if cautious {
		days--
	}
	return days
}

func pauseText(p Pause, start Date, days int, cautious bool) string {
	asked := fmt.Sprintf("Clarification asked %s, answered %s", p.Asked.Human(), p.Answered.Human())
	if p.Answered.Before(start) {
		return fmt.Sprintf("%s: both before the clock started on %s, so no days are paused.", asked, start.Human())
	}
	from := ""
	if p.Asked.Before(start) {
		from = fmt.Sprintf(" counting only from the clock start on %s,", start.Human())
	}
	rule := "both days excluded"
	if cautious {
		rule = "cautious setting: the day the answer arrived still counts"
	}
	return fmt.Sprintf("%s:%s %s (%s).", asked, from, doNotCount(days), rule)
}

func doNotCount(days int) string {
	if days == 1 {
		return "1 day does not count"
	}
	return fmt.Sprintf("%d days do not count", days)
}

// addPaused adds the paused days to the unrolled date: the clock stops, so
// calendar days are added, not working days.
func (c *calculation) addPaused(unrolled Date, paused int) Date {
	if paused == 0 {
		return unrolled
	}
	target := unrolled.AddDays(paused)
	c.step(target, "Add %s to %s: %s.", plural(paused, "paused day"), unrolled.dayMonthYear(), target.dayMonthYear())
	return target
}

// rollToWorkingDay moves a last day that is not a working day to the next
// working day, and explains either way.
func (c *calculation) rollToWorkingDay(d Date) Date {
	due, why := c.days.rollForward(d, "working day")
	if why == "" {
		c.step(due, "%s is a working day%s, so the date stands.", due.Human(), c.days.where())
		return due
	}
	c.step(due, "%s", why)
	return due
}

// extendByMonths applies an extension: the corresponding date one plus the
// extra months after the clock start, plus the same paused days, rolled.
func (c *calculation) extendByMonths(start Date, paused int) error {
	ext := c.req.Extension
	if ext == nil {
		return nil
	}
	if ext.GrantedOn.After(c.res.ExtensionNoticeBy) {
		return fieldErrorf("extension.granted_on", "%s is after the first period ended (%s): an extension must be made within the first period",
			ext.GrantedOn.Human(), c.res.ExtensionNoticeBy.Human())
	}
	further := furtherMonths(ext)
	c.step(ext.GrantedOn, "Extended by %s on %s (reason: %s).", plural(further, "further month"), ext.GrantedOn.Human(), ext.Reason)
	noticeBy := "the statutory due date"
	if c.res.ExtensionNoticeBy != c.res.StatutoryDue {
		noticeBy = "the end of the first month, counting only the pauses asked within it"
	}
	c.step(c.res.ExtensionNoticeBy, "The requester must be told of the extension, with the reasons, by %s (%s).",
		c.res.ExtensionNoticeBy.Human(), noticeBy)
	unrolled := c.months(start, 1+further, fmt.Sprintf("%d calendar months from the clock start", 1+further))
	due := c.rollToWorkingDay(c.addPaused(unrolled, paused))
	c.res.ExtendedDue = &due
	return nil
}

// ordinal spells a day of the month: "29th", "30th", "31st".
func ordinal(day int) string {
	suffix := "th"
	switch {
	case day%100 >= 11 && day%100 <= 13:
	case day%10 == 1:
		suffix = "st"
	case day%10 == 2:
		suffix = "nd"
	case day%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", day, suffix)
}
