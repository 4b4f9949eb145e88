package deadline

import (
	"testing"
	"time"
)

func TestParseDateAcceptsRealDates(t *testing.T) {
	for _, s := range []string{"2026-01-31", "2028-02-29", "2000-02-29", "1900-01-01", "2200-12-31"} {
		got, err := ParseDate(s)
		if err != nil || got.String() != s {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, err)
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, s := range []string{
		"2026-02-30", // no such day
		"2026-02-29", // not a leap year
		"1900-02-29", // century, not a leap year
		"2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31",
		"2026-1-31", "26-01-31", "2026/01/31", "2026-01-31T00:00", " 2026-01-31",
		"+026-01-31", "2026-+1-31", "２026-01-31", "", "yyyy-mm-dd",
	} {
		if got, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", s, got)
		}
	}
}

func TestDateFormatting(t *testing.T) {
	date := d("2026-01-31")
	if got := date.Human(); got != "Sat 31 Jan 2026" {
		t.Errorf("Human() = %q", got)
	}
	if got := date.String(); got != "2026-01-31" {
		t.Errorf("String() = %q", got)
	}
	if got := date.Weekday(); got != time.Saturday {
		t.Errorf("Weekday() = %v", got)
	}
}

func TestDateOfUsesTheTimesOwnZone(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	// 23:30 on 31 Mar 2026 in London (BST) is already 1 Apr in Tokyo but 31 Mar in UTC.
	at := time.Date(2026, time.March, 31, 23, 30, 0, 0, london)
	if got := DateOf(at); got != d("2026-03-31") {
		t.Errorf("DateOf = %s, want 2026-03-31", got)
	}
}

func TestDayArithmetic(t *testing.T) {
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"into a leap day", "2028-02-28", 1, "2028-02-29"},
		{"over a non-leap February", "2026-02-28", 1, "2026-03-01"},
		{"over the year end", "2026-12-31", 1, "2027-01-01"},
		{"backwards", "2026-03-01", -1, "2026-02-28"},
		{"45 days (CCPA)", "2026-03-02", 45, "2026-04-16"},
		{"over a UK clock change (29 Mar 2026)", "2026-03-28", 2, "2026-03-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d(tt.from).AddDays(tt.n)
			if got.String() != tt.want {
				t.Errorf("AddDays = %s, want %s", got, tt.want)
			}
			if back := DaysBetween(d(tt.from), got); back != tt.n {
				t.Errorf("DaysBetween = %d, want %d", back, tt.n)
			}
		})
	}
	// 300 years is more than a time.Duration can hold; the count must not
	// saturate. 300 × 365 + 73 leap days (1904–2196 by fours, less 2100).
	if got := DaysBetween(d("1900-01-01"), d("2200-01-01")); got != 109573 {
		t.Errorf("DaysBetween over 300 years = %d, want 109573", got)
	}
}

func TestCompare(t *testing.T) {
	a, b := d("2026-01-31"), d("2026-02-01")
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Error("Compare disagrees with the calendar")
	}
	if !a.Before(b) || !b.After(a) || a.After(a) || a.Before(a) {
		t.Error("Before/After disagree with the calendar")
	}
	if !(Date{}).IsZero() || a.IsZero() {
		t.Error("IsZero")
	}
}

func TestAddMonthsClampsToTheCorrespondingDateFromTheStart(t *testing.T) {
	tests := []struct {
		from    string
		months  int
		want    string
		clamped bool
	}{
		{"2026-01-31", 1, "2026-02-28", true},
		{"2028-01-31", 1, "2028-02-29", true},
		{"2028-01-30", 1, "2028-02-29", true},
		{"2028-01-29", 1, "2028-02-29", false},
		{"2026-03-31", 1, "2026-04-30", true},
		{"2026-01-31", 3, "2026-04-30", true}, // not 28 Apr: counted from the start, not chained
		{"2026-11-30", 3, "2027-02-28", true},
		{"2026-12-15", 1, "2027-01-15", false},
	}
	for _, tt := range tests {
		got, clamped := addMonths(d(tt.from), tt.months)
		if got.String() != tt.want || clamped != tt.clamped {
			t.Errorf("addMonths(%s, %d) = %s, %v; want %s, %v", tt.from, tt.months, got, clamped, tt.want, tt.clamped)
		}
	}
}
