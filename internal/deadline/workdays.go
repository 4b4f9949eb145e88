package deadline

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// rollForward moves a non-working day to the next working day and says why
// in one sentence, e.g. "28 Feb 2026 is a Saturday; next working day Mon 2
// Mar 2026." It returns an empty sentence when d is already a working day.
func (w *workingDays) rollForward(d Date, dayWord string) (Date, string) {
	return w.roll(d, 1, "next "+dayWord)
}

// rollBack moves a non-working day to the previous working day.
func (w *workingDays) rollBack(d Date, dayWord string) (Date, string) {
	return w.roll(d, -1, "previous "+dayWord)
}

func (w *workingDays) roll(d Date, step int, label string) (Date, string) {
	var reasons []string
	for previousWasWeekend := false; !w.isWorkingDay(d); d = d.AddDays(step) {
		// A weekend is named once: "is a Saturday" already implies the Sunday.
		if !(isWeekend(d) && previousWasWeekend) {
			reasons = append(reasons, w.whyNotWorking(d))
		}
		previousWasWeekend = isWeekend(d)
	}
	if len(reasons) == 0 {
		return d, ""
	}
	return d, fmt.Sprintf("%s; %s %s.", strings.Join(reasons, "; "), label, d.Human())
}

func (w *workingDays) whyNotWorking(d Date) string {
	if isWeekend(d) {
		return fmt.Sprintf("%s is a %s", d.dayMonthYear(), d.Weekday())
	}
	name, _ := w.holidayName(d)
	return fmt.Sprintf("%s is %s, a %s", d.Human(), name, w.holidayKind())
}

// addWorkingDays is the nth working day after d (d itself not counted).
func (w *workingDays) addWorkingDays(d Date, n int) Date {
	for counted := 0; counted < n; {
		d = d.AddDays(1)
		if w.isWorkingDay(d) {
			counted++
		}
	}
	return d
}

// workingDaysUntil counts working days after from up to and including to;
// when to is earlier, it is minus the working days after to up to and
// including from.
func (w *workingDays) workingDaysUntil(from, to Date) int {
	if to.Before(from) {
		return -w.workingDaysUntil(to, from)
	}
	count := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if w.isWorkingDay(d) {
			count++
		}
	}
	return count
}

// missingYears is a FieldError when the calculation needed a year the
// region has no data for and no rules to compute.
func (w *workingDays) missingYears() error {
	if len(w.missing) == 0 {
		return nil
	}
	years := slices.Sorted(maps.Keys(w.missing))
	return &FieldError{Field: "region", Description: fmt.Sprintf(
		"no holiday calendar for %q in %s: add that year's holidays before calculating deadlines that reach it",
		w.region, joinInts(years))}
}

// computedNotes warns, for each year taken from the standing rules rather
// than published data, that one-off holidays would be missed.
func (w *workingDays) computedNotes() []Step {
	var notes []Step
	for _, y := range slices.Sorted(maps.Keys(w.computed)) {
		notes = append(notes, Step{Text: fmt.Sprintf(
			"Bank holidays for %d in %s are not in the published table; computed from the standing rules, so a one-off holiday (e.g. a coronation) would be missed.",
			y, ukDivisions[w.region].name)})
	}
	return notes
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}
