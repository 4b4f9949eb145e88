package deadline

import "time"

// ccpaRegime is the California clock: confirm receipt within 10 business
// days, respond within 45 calendar days of receipt, and extend once by a
// further 45 days if the consumer is told within the first 45.
type ccpaRegime struct{}

const (
	ccpaConfirmBusinessDays = 10
	ccpaResponseDays        = 45
	ccpaExtensionDays       = 45
)

var ccpaRuleSets = []ruleSet{{
	id:    "ccpa/2020-01-01",
	from:  Date{Year: 2020, Month: time.January, Day: 1},
	basis: "Cal. Civ. Code §1798.130(a)(2) and the CCPA Regulations (11 CCR §7021): the 45 calendar days begin on the day the request is received, whatever time verification takes",
}}

// Name implements Regime.
func (ccpaRegime) Name() string { return CCPA }

// Validate implements Regime.
func (ccpaRegime) Validate(req Request, cal *Calendars) error {
	var pauses error
	if len(req.Pauses) > 0 {
		pauses = fieldErrorf("pauses", "the CCPA has no clarification pause: the 45 days run from receipt")
	}
	return fieldErrors(validateRequest(req), pauses, checkRegion(cal, req.Region, false))
}

// Calculate implements Regime.
func (r ccpaRegime) Calculate(req Request, cal *Calendars) (Result, error) {
	if err := r.Validate(req, cal); err != nil {
		return Result{}, err
	}
	rules, err := ruleSetFor(CCPA, ccpaRuleSets, req.Received)
	if err != nil {
		return Result{}, err
	}
	c := newCalculation(req, cal, CCPA, rules)
	c.explainReceipt(rules)
	c.explainClockStart(req.Received, ccpaStartReason(req))
	c.confirmReceipt()
	c.res.StatutoryDue = c.calendarDays(ccpaResponseDays)
	c.res.ExtensionNoticeBy = c.res.StatutoryDue
	c.internalTarget(req.Received, 0, "business day")
	if err := c.extendCCPA(); err != nil {
		return Result{}, err
	}
	return c.finish()
}

func ccpaStartReason(req Request) string {
	if req.IdentityReceived == nil && req.FeeReceived == nil {
		return "the day the request was received"
	}
	return "the day the request was received: under the CCPA, verifying identity or settling a fee does not move the start"
}

func (c *calculation) confirmReceipt() {
	confirm := c.days.addWorkingDays(c.req.Received, ccpaConfirmBusinessDays)
	c.res.ConfirmBy = &confirm
	c.step(confirm, "Confirm receipt within %d business days: by %s (%s).", ccpaConfirmBusinessDays, confirm.Human(), c.businessDays())
}

func (c *calculation) businessDays() string {
	if c.req.Region == "" {
		return "Monday to Friday; no holiday calendar was given, so state holidays are not excluded"
	}
	return "Monday to Friday, excluding public holidays in " + c.req.Region
}

// calendarDays is the date n calendar days after receipt. CCPA periods are
// counted in calendar days and are not moved off weekends or holidays.
func (c *calculation) calendarDays(n int) Date {
	due := c.req.Received.AddDays(n)
	c.step(due, "%d calendar days after receipt: %s (a %s; CCPA calendar-day periods are not moved off weekends or holidays).",
		n, due.Human(), due.Weekday())
	return due
}

func (c *calculation) extendCCPA() error {
	ext := c.req.Extension
	if ext == nil {
		return nil
	}
	if ext.GrantedOn.After(c.res.StatutoryDue) {
		return fieldErrorf("extension.granted_on", "%s is after the first %d days ended (%s): the extension must be made within them",
			ext.GrantedOn.Human(), ccpaResponseDays, c.res.StatutoryDue.Human())
	}
	c.step(ext.GrantedOn, "Extended by %d days on %s (reason: %s).", ccpaExtensionDays, ext.GrantedOn.Human(), ext.Reason)
	c.step(c.res.ExtensionNoticeBy, "The consumer must be told of the extension, with the reasons, by %s (within the first %d days).",
		c.res.ExtensionNoticeBy.Human(), ccpaResponseDays)
	due := c.calendarDays(ccpaResponseDays + ccpaExtensionDays)
	c.res.ExtendedDue = &due
	return nil
}
