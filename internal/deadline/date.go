package deadline

import (
	"fmt"
	"time"
)

// Date is a civil calendar date with no time zone. Statutory periods are
// counted in whole days, so a time of day or a zone would only invite
// off-by-one errors around midnight and clock changes.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Dates outside these years are refused: no rule set covers them and they
// are almost certainly typing mistakes.
const (
	minYear = 1900
	maxYear = 2200
)

// ParseDate reads a strict YYYY-MM-DD date and rejects dates that do not
// exist, such as 2026-02-30.
func ParseDate(s string) (Date, error) {
	if len(s) != len("2006-01-02") || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	year, okY := digits(s[0:4])
	month, okM := digits(s[5:7])
	day, okD := digits(s[8:10])
	if !okY || !okM || !okD {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	d := Date{Year: year, Month: time.Month(month), Day: day}
	if !d.valid() {
		return Date{}, fmt.Errorf("date %q: no such day in the calendar", s)
	}
	return d, nil
}

// digits parses an unsigned decimal; strconv.Atoi would also accept signs.
func digits(s string) (int, bool) {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// DateOf is the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Human formats the date for people, e.g. "Sat 31 Jan 2026".
func (d Date) Human() string {
	return fmt.Sprintf("%s %s", abbrev(d.Weekday().String()), d.dayMonthYear())
}

// dayMonthYear is "31 Jan 2026": used where the weekday would repeat what the
// sentence already says ("28 Feb 2026 is a Saturday").
func (d Date) dayMonthYear() string {
	return fmt.Sprintf("%d %s %d", d.Day, abbrev(d.Month.String()), d.Year)
}

func abbrev(name string) string {
	if len(name) < 3 {
		return name
	}
	return name[:3]
}

// Weekday is the day of the week.
func (d Date) Weekday() time.Weekday { return d.noon().Weekday() }

// AddDays moves the date by n calendar days (n may be negative).
func (d Date) AddDays(n int) Date { return DateOf(d.noon().AddDate(0, 0, n)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return sign(d.Year - o.Year)
	case d.Month != o.Month:
		return sign(int(d.Month - o.Month))
	default:
		return sign(d.Day - o.Day)
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	default:
		return 0
	}
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// IsZero reports whether d is the zero Date, which stands for "absent".
func (d Date) IsZero() bool { return d == Date{} }

// DaysBetween is b − a in calendar days.
func DaysBetween(a, b Date) int {
	// Unix seconds rather than time.Sub: a Duration saturates after 292 years.
	return int((b.noon().Unix() - a.noon().Unix()) / secondsPerDay)
}

const secondsPerDay = 24 * 60 * 60

// noon in UTC has no daylight-saving jumps, so day arithmetic is exact.
func (d Date) noon() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
}

func (d Date) valid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

func isWeekend(d Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// addMonths is the corresponding date n months later, clamped to the last
// day of a shorter month (31 Jan + 1 → 28 Feb). It is always counted from d
// itself, never chained, so 31 Jan + 3 is 30 Apr, not 28 Apr. clamped
// reports whether the month had no such day.
func addMonths(d Date, n int) (due Date, clamped bool) {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	day := min(d.Day, daysIn(first.Year(), first.Month()))
	return Date{Year: first.Year(), Month: first.Month(), Day: day}, day != d.Day
}

func maxDate(a, b Date) Date {
	if b.After(a) {
		return b
	}
	return a
}
