package cases

import (
	"fmt"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// deadlineRequest turns the case's history into the clock's input: the
// latest of receipt, identity and fee starts it; answered clarifications
// pause it; an extension lengthens it.
func (c *Case) deadlineRequest() (deadline.Request, error) {
	req := deadline.Request{Region: c.Region}
	var err error
	if req.Received, err = deadline.ParseDate(c.ReceivedOn); err != nil {
		return req, fault.Invalid("case.received_on", "%v", err)
	}
	// The law starts the clock when the identity information arrives, not
	// when staff get round to checking it.
	if c.IdentityStatus == IdentityReceived || c.IdentityStatus == IdentityVerified {
		if req.IdentityReceived, err = optionalDate(c.IdentityReceivedOn); err != nil {
			return req, err
		}
	}
	if c.FeeStatus == FeeReceived {
		if req.FeeReceived, err = optionalDate(c.FeeReceivedOn); err != nil {
			return req, err
		}
	}
	for _, p := range c.Clarifications {
		if p.Answered == "" {
			continue
		}
		asked, _ := deadline.ParseDate(p.Asked)
		answered, _ := deadline.ParseDate(p.Answered)
		req.Pauses = append(req.Pauses, deadline.Pause{Asked: asked, Answered: answered})
	}
	if c.Extension != nil {
		granted, _ := deadline.ParseDate(c.Extension.GrantedOn)
		req.Extension = &deadline.Extension{GrantedOn: granted, Reason: c.Extension.Reason, Months: c.Extension.Months}
	}
	return req, nil
}

func optionalDate(s string) (*deadline.Date, error) {
	if s == "" {
		return nil, nil
	}
	d, err := deadline.ParseDate(s)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// recomputeClock recalculates the clock from scratch, so it can never drift
// from the case's history, and says plainly when it is stopped.
func (c *Case) recomputeClock(engine *deadline.Engine) error {
	req, err := c.deadlineRequest()
	if err != nil {
		return err
	}
	res, err := engine.Calculate(req)
	if err != nil {
		return err
	}
	clock := Clock{
		RuleSet: res.RuleSet, Start: res.ClockStart.String(), StatutoryDue: res.StatutoryDue.String(),
		ExtensionNoticeBy: res.ExtensionNoticeBy.String(), Due: res.Due().String(), PausedDays: res.PausedDays,
	}
	if res.ExtendedDue != nil {
		clock.ExtendedDue = res.ExtendedDue.String()
	}
	for _, s := range res.Steps {
		clock.Steps = append(clock.Steps, Step{Text: s.Text, Date: dateString(s.Date)})
	}
	if since, why := c.stoppedSince(); since != "" {
		clock.Paused, clock.PausedSince = true, since
		clock.Steps = append(clock.Steps, Step{Text: why})
	}
	c.Clock = clock
	return nil
}

// stoppedSince says whether the clock is waiting on the requester.
func (c *Case) stoppedSince() (since, why string) {
	if c.State != StateAwaitingRequester {
		return "", ""
	}
	switch c.WaitingFor {
	case WaitingForClarification:
		asked := c.Clarifications[len(c.Clarifications)-1].Asked
		return asked, fmt.Sprintf("Clarification asked on %s and not yet answered: the clock is paused, and the due date moves on by the days it stays paused.", asked)
	case WaitingForIdentity:
		return c.IdentityRequestedOn, fmt.Sprintf("Identity asked for on %s: the clock starts again from the day it arrives.", c.IdentityRequestedOn)
	case WaitingForFee:
		return c.FeeRequestedOn, fmt.Sprintf("Fee asked for on %s: the clock starts again from the day it is paid.", c.FeeRequestedOn)
	}
	return "", ""
}

func dateString(d deadline.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// StandingOn is how much time the case has left on today, in its region's
// working days: nil for a closed case, one whose clock is stopped, or one
// with no usable due date. It is the one place a case's standing (RAG band,
// days left, overdue) is worked out, for every door.
func (c *Case) StandingOn(engine *deadline.Engine, today deadline.Date) *deadline.Standing {
	if !c.Open() || c.Clock.Paused {
		return nil
	}
	due, err := deadline.ParseDate(c.Clock.Due)
	if err != nil {
		return nil
	}
	st, err := engine.StandingOn(c.Region, due, today)
	if err != nil {
		return nil
	}
	return &st
}
