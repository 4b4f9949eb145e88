package deadline

import "testing"

func TestWorkingDaysBefore(t *testing.T) {
	tests := []struct {
		name, region, from string
		n                  int
		want               string
	}{
		{"weekends only: 5 before Fri 27 Mar 2026 is Fri 20 Mar", "", "2026-03-27", 5, "2026-03-20"},
		{"from a Monday the weekend is skipped: 1 before Mon 23 Mar is Fri 20 Mar", "", "2026-03-23", 1, "2026-03-20"},
		{"none before is the date itself", "", "2026-03-22", 0, "2026-03-22"},
		{"E&W: 3 before Tue 1 Sep 2026 skips Mon 31 Aug (bank holiday): Wed 26 Aug", EnglandAndWales, "2026-09-01", 3, "2026-08-26"},
		{"Scotland: 31 Aug 2026 is a working day there: 3 before Tue 1 Sep is Thu 27 Aug", Scotland, "2026-09-01", 3, "2026-08-27"},
		{"E&W across Christmas: 2 before Tue 29 Dec 2026 skips 25 and 28 Dec: Wed 23 Dec", EnglandAndWales, "2026-12-29", 2, "2026-12-23"},
	}
	engine := NewEngine(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := engine.WorkingDaysBefore(tt.region, d(tt.from), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if got != d(tt.want) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWorkingDaysBeforeRejects(t *testing.T) {
	engine := NewEngine(nil)
	tests := []struct {
		name, region string
		from         Date
		n            int
		field        string
	}{
		{"unknown region", "atlantis", d("2026-03-27"), 1, "region"},
		{"no date", EnglandAndWales, Date{}, 1, "date"},
		{"negative count", EnglandAndWales, d("2026-03-27"), -1, "days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.WorkingDaysBefore(tt.region, tt.from, tt.n)
			if fe := asFieldError(t, err); fe.Field != tt.field {
				t.Errorf("field %q, want %q: %v", fe.Field, tt.field, err)
			}
		})
	}
}
