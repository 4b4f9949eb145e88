package cases

import "github.com/rightsdesk/rightsdesk/internal/deadline"

// ExtensionWarningDays is how many working days before the end of the
// first period a case whose deadline could still be extended is flagged:
// a week's notice to decide, and to write the notice the law requires
// before that period ends.
const ExtensionWarningDays = 5

// ExtensionDecisionBy is the last day the case's deadline can be extended
// (Clock.ExtensionNoticeBy), and whether the case is flagged today: the
// extension can still be made (the Extend command would accept it now —
// the case is open, not waiting on the requester, never extended), today
// is not past that day, and that day is at most ExtensionWarningDays of
// the case's region's working days away. On the day itself it is still
// flagged: the extension and its notice can be made until it ends.
//
// A case whose clock is stopped is not flagged: its first period is not
// fixed until the requester answers, and Extend refuses it meanwhile.
func (c *Case) ExtensionDecisionBy(env Env) (deadline.Date, bool) {
	if !c.Open() || c.Extension != nil || c.Clock.Paused {
		return deadline.Date{}, false
	}
	by, err := deadline.ParseDate(c.Clock.ExtensionNoticeBy)
	if err != nil {
		return deadline.Date{}, false
	}
	today := env.Today()
	if today.After(by) {
		return deadline.Date{}, false
	}
	st, err := env.Engine.StandingOn(c.Region, by, today)
	if err != nil || st.WorkingDaysLeft > ExtensionWarningDays {
		return deadline.Date{}, false
	}
	// Last, as it is the dear check: the command's own rule, stated once.
	if !c.allows(ActExtend, env) {
		return deadline.Date{}, false
	}
	return by, true
}
