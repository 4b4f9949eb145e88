package deadline

// RAG is a triage colour.
type RAG string

// RAG bands, by working days left before the due date:
// red is overdue or 5 working days or fewer (including due today),
// amber is 6 to 10, green is more than 10.
const (
	Red   RAG = "red"
	Amber RAG = "amber"
	Green RAG = "green"

	redMaxWorkingDays   = 5
	amberMaxWorkingDays = 10
)

// Standing is how much time a case has left on a given day.
type Standing struct {
	// CalendarDaysLeft is due − today: 0 on the due date, negative when overdue.
	CalendarDaysLeft int
	// WorkingDaysLeft counts the working days after today up to and
	// including the due date; when overdue it is minus the working days
	// since the due date, up to and including today.
	WorkingDaysLeft int
	Overdue         bool
	RAG             RAG
}

// StandingOn measures the time left until due as seen on today, in region's
// working days (weekends only when region is empty). Today is a parameter
// because this package never reads the clock.
func (e *Engine) StandingOn(region string, due, today Date) (Standing, error) {
	if err := checkDate("due", due); err != nil {
		return Standing{}, err
	}
	if err := checkDate("today", today); err != nil {
		return Standing{}, err
	}
	if err := checkRegion(e.cal, region, false); err != nil {
		return Standing{}, err
	}
	days := e.cal.workingDays(region)
	s := Standing{
		CalendarDaysLeft: DaysBetween(today, due),
		WorkingDaysLeft:  days.workingDaysUntil(today, due),
		Overdue:          today.After(due),
	}
	if err := days.missingYears(); err != nil {
		return Standing{}, err
	}
	s.RAG = ragFor(s)
	return s, nil
}

func ragFor(s Standing) RAG {
	switch {
	case s.Overdue || s.WorkingDaysLeft <= redMaxWorkingDays:
		return Red
	case s.WorkingDaysLeft <= amberMaxWorkingDays:
		return Amber
	default:
		return Green
	}
}
