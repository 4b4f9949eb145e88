package deadline

import (
	"slices"
	"time"
)

// standingHolidays computes a UK division's bank holidays for a year from the
// standing rules (the Banking and Financial Dealings Act 1971 schedule and
// the annual proclamations that have followed it). One-off holidays — a
// coronation, a jubilee, a state funeral, a moved early-May holiday — cannot
// be derived, which is why callers say so whenever a computed year is used.
func standingHolidays(division string, year int) []Holiday {
	easter := easterSunday(year)
	holidays := []Holiday{
		{Date: easter.AddDays(-2), Name: "Good Friday"},
		{Date: nthMonday(year, time.May, 1), Name: "Early May bank holiday"},
		{Date: lastMonday(year, time.May), Name: "Spring bank holiday"},
	}
	if division == Scotland {
		holidays = append(holidays, Holiday{Date: nthMonday(year, time.August, 1), Name: "Summer bank holiday"})
	} else {
		holidays = append(holidays,
			Holiday{Date: easter.AddDays(1), Name: "Easter Monday"},
			Holiday{Date: lastMonday(year, time.August), Name: "Summer bank holiday"})
	}
	holidays = withSubstitutes(holidays, fixedHolidays(division, year))
	slices.SortFunc(holidays, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return holidays
}

// fixedHolidays are the fixed-date holidays, in the order their substitutes
// are allotted: Christmas takes the first free weekday before Boxing Day
// does, New Year's Day before 2 January.
func fixedHolidays(division string, year int) []Holiday {
	on := func(month time.Month, day int, name string) Holiday {
		return Holiday{Date: Date{Year: year, Month: month, Day: day}, Name: name}
	}
	fixed := []Holiday{on(time.January, 1, "New Year’s Day")}
	switch division {
	case Scotland:
		fixed = append(fixed, on(time.January, 2, "2nd January"), on(time.November, 30, "St Andrew’s Day"))
	case NorthernIreland:
		fixed = append(fixed, on(time.March, 17, "St Patrick’s Day"), on(time.July, 12, "Battle of the Boyne (Orangemen’s Day)"))
	}
	return append(fixed, on(time.December, 25, "Christmas Day"), on(time.December, 26, "Boxing Day"))
}

// withSubstitutes adds the fixed-date holidays to the movable ones. A fixed
// holiday on a weekday stays put; one on a weekend moves to the next weekday
// not already a holiday. Weekday holidays are placed first so that, when
// Christmas is a Sunday, Boxing Day keeps Monday and Christmas's substitute
// is the Tuesday, as GOV.UK lists it.
func withSubstitutes(holidays, fixed []Holiday) []Holiday {
	taken := make(map[Date]bool, len(holidays)+len(fixed))
	for _, h := range holidays {
		taken[h.Date] = true
	}
	for _, f := range fixed {
		if !isWeekend(f.Date) {
			taken[f.Date] = true
			holidays = append(holidays, f)
		}
	}
	for _, f := range fixed {
		if isWeekend(f.Date) {
			day := nextFreeWeekday(f.Date, taken)
			taken[day] = true
			holidays = append(holidays, Holiday{Date: day, Name: f.Name + " (substitute day)"})
		}
	}
	return holidays
}

func nextFreeWeekday(d Date, taken map[Date]bool) Date {
	for isWeekend(d) || taken[d] {
		d = d.AddDays(1)
	}
	return d
}

// easterSunday is the Gregorian computus (the "anonymous Gregorian
// algorithm" of Meeus/Jones/Butcher).
func easterSunday(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{Year: year, Month: time.Month(month), Day: day}
}

// nthMonday is the nth (1-based) Monday of the month.
func nthMonday(year int, month time.Month, n int) Date {
	first := Date{Year: year, Month: month, Day: 1}
	offset := (int(time.Monday) - int(first.Weekday()) + 7) % 7
	return first.AddDays(offset + 7*(n-1))
}

func lastMonday(year int, month time.Month) Date {
	last := Date{Year: year, Month: month, Day: daysIn(year, month)}
	offset := (int(last.Weekday()) - int(time.Monday) + 7) % 7
	return last.AddDays(-offset)
}
