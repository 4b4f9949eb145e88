package deadline

import "testing"

func TestStandingOn(t *testing.T) {
	tests := []struct {
		name               string
		region, due, today string
		calendar, working  int
		overdue            bool
		rag                RAG
	}{
		{"green: Mon 30 Nov → Tue 29 Dec 2026 E&W, 21 weekdays less Christmas Day and Boxing Day substitute = 19",
			EnglandAndWales, "2026-12-29", "2026-11-30", 29, 19, false, Green},
		{"amber across bank holidays: Mon 14 Dec → Tue 29 Dec 2026, 11 weekdays less 25 and 28 Dec = 9",
			EnglandAndWales, "2026-12-29", "2026-12-14", 15, 9, false, Amber},
		{"red: Mon 21 Dec → Tue 29 Dec 2026, 22–24 Dec and 29 Dec = 4",
			EnglandAndWales, "2026-12-29", "2026-12-21", 8, 4, false, Red},
		{"boundary, weekends only: Thu 12 Mar → Fri 27 Mar 2026 = 11 working days, green", "", "2026-03-27", "2026-03-12", 15, 11, false, Green},
		{"boundary, weekends only: Fri 13 Mar → Fri 27 Mar 2026 = 10, amber", "", "2026-03-27", "2026-03-13", 14, 10, false, Amber},
		{"boundary, weekends only: Thu 19 Mar → Fri 27 Mar 2026 = 6, amber", "", "2026-03-27", "2026-03-19", 8, 6, false, Amber},
		{"boundary, weekends only: Fri 20 Mar → Fri 27 Mar 2026 = 5, red", "", "2026-03-27", "2026-03-20", 7, 5, false, Red},
		{"due today: 0 days left, red but not overdue", EnglandAndWales, "2026-03-27", "2026-03-27", 0, 0, false, Red},
		{"overdue: due Fri 24 Apr, today Mon 27 Apr 2026, 1 working day late", EnglandAndWales, "2026-04-24", "2026-04-27", -3, -1, true, Red},
		{"overdue across Christmas: due Thu 24 Dec, today Tue 29 Dec 2026 E&W, only 29 Dec is a working day", EnglandAndWales, "2026-12-24", "2026-12-29", -5, -1, true, Red},
		{"E&W: Fri 28 Aug → Tue 1 Sep 2026, Mon 31 Aug is a holiday: 1", EnglandAndWales, "2026-09-01", "2026-08-28", 4, 1, false, Red},
		{"Scotland: Fri 28 Aug → Tue 1 Sep 2026, 31 Aug is a working day there: 2", Scotland, "2026-09-01", "2026-08-28", 4, 2, false, Red},
	}
	engine := NewEngine(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := engine.StandingOn(tt.region, d(tt.due), d(tt.today))
			if err != nil {
				t.Fatal(err)
			}
			want := Standing{CalendarDaysLeft: tt.calendar, WorkingDaysLeft: tt.working, Overdue: tt.overdue, RAG: tt.rag}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestStandingOnRejects(t *testing.T) {
	engine := euEngine()
	tests := []struct {
		name, region string
		due, today   Date
		field        string
	}{
		{"unknown region", "atlantis", d("2026-03-27"), d("2026-03-20"), "region"},
		{"no due date", EnglandAndWales, Date{}, d("2026-03-20"), "due"},
		{"today out of range", EnglandAndWales, d("2026-03-27"), Date{Year: 2201, Month: 1, Day: 1}, "today"},
		{"supplied calendar without the year", "de", d("2027-03-27"), d("2027-03-20"), "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.StandingOn(tt.region, tt.due, tt.today)
			if fe := asFieldError(t, err); fe.Field != tt.field {
				t.Errorf("field %q, want %q: %v", fe.Field, tt.field, err)
			}
		})
	}
}
