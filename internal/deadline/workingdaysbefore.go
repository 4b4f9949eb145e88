package deadline

// WorkingDaysBefore is the nth working day before d (d itself not
// counted) in region's calendar (weekends only when region is empty): for
// a date that must fall a set number of working days ahead of a deadline,
// as a search request to a data owner falls due ahead of the case's. Today
// is not a parameter: the answer depends on the calendar alone.
func (e *Engine) WorkingDaysBefore(region string, d Date, n int) (Date, error) {
	if err := checkDate("date", d); err != nil {
		return Date{}, err
	}
	if err := checkRegion(e.cal, region, false); err != nil {
		return Date{}, err
	}
	if n < 0 {
		return Date{}, fieldErrorf("days", "%d is negative", n)
	}
	days := e.cal.workingDays(region)
	for counted := 0; counted < n; {
		d = d.AddDays(-1)
		if days.isWorkingDay(d) {
			counted++
		}
	}
	if err := days.missingYears(); err != nil {
		return Date{}, err
	}
	return d, nil
}
