package deadline

import (
	"slices"
	"testing"
	"time"
)

// The standing rules must reproduce every published year exactly, names
// included, or computed years cannot be trusted either.
func TestStandingRulesReproduceThePublishedTable(t *testing.T) {
	builtin := BuiltinCalendars()
	for _, region := range []string{EnglandAndWales, Scotland, NorthernIreland} {
		for year := 2024; year <= 2027; year++ {
			published := builtin.regions[region][year]
			computed := standingHolidays(region, year)
			if len(computed) != len(published) {
				t.Errorf("%s %d: computed %d holidays, published %d: %v", region, year, len(computed), len(published), computed)
			}
			for _, h := range computed {
				if name, ok := published[h.Date]; !ok || name != h.Name {
					t.Errorf("%s %d: computed %s %q, published %q (present: %v)", region, year, h.Date, h.Name, name, ok)
				}
			}
		}
	}
}

func TestEasterSunday(t *testing.T) {
	// Known Gregorian Easter dates, including the earliest (22 Mar) and latest (25 Apr) possible.
	for _, want := range []string{"1913-03-23", "1943-04-25", "2008-03-23", "2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28", "2029-04-01", "2030-04-21", "2038-04-25", "2100-03-28", "2285-03-22"} {
		date := d(want)
		if got := easterSunday(date.Year); got != date {
			t.Errorf("easterSunday(%d) = %s, want %s", date.Year, got, want)
		}
	}
}

func TestSubstituteDaysInComputedYears(t *testing.T) {
	tests := []struct {
		name   string
		region string
		year   int
		month  time.Month
		want   []string // all the holidays in that month
	}{
		{"Christmas on a Sunday: Boxing Day keeps Monday, Christmas's substitute is Tuesday (2033)", EnglandAndWales, 2033, time.December, []string{"2033-12-26 Boxing Day", "2033-12-27 Christmas Day (substitute day)"}},
		{"1 and 2 Jan on a weekend in Scotland: Monday and Tuesday (2028)", Scotland, 2028, time.January, []string{"2028-01-03 New Year’s Day (substitute day)", "2028-01-04 2nd January (substitute day)"}},
		{"1 Jan on a Sunday, 2 Jan a Monday in Scotland: 2 Jan stays, New Year's substitute is Tuesday (2034)", Scotland, 2034, time.January, []string{"2034-01-02 2nd January", "2034-01-03 New Year’s Day (substitute day)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, h := range standingHolidays(tt.region, tt.year) {
				if h.Date.Month == tt.month {
					got = append(got, h.Date.String()+" "+h.Name)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
