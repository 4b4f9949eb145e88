package deadline

import "testing"

// germany2026 is test data in the form a deployment would supply it: the
// German nationwide public holidays for 2026 only.
func germany2026() []Holiday {
	return []Holiday{
		{d("2026-01-01"), "Neujahr"}, {d("2026-04-03"), "Karfreitag"}, {d("2026-04-06"), "Ostermontag"},
		{d("2026-05-01"), "Tag der Arbeit"}, {d("2026-05-14"), "Christi Himmelfahrt"}, {d("2026-05-25"), "Pfingstmontag"},
		{d("2026-10-03"), "Tag der Deutschen Einheit"}, {d("2026-12-25"), "1. Weihnachtstag"}, {d("2026-12-26"), "2. Weihnachtstag"},
	}
}

func euEngine() *Engine {
	cal := BuiltinCalendars()
	cal.AddRegion("de", germany2026())
	return NewEngine(cal)
}

func TestEUGDPRUsesRegulation1182_71WithSuppliedCalendars(t *testing.T) {
	tests := []struct {
		name, received, ext, statutory, extended string
	}{
		{"Wed 1 Apr 2026 → Fri 1 May Tag der Arbeit, weekend → end of Mon 4 May", "2026-04-01", "", "2026-05-04", ""},
		{"Tue 14 Apr 2026 → Thu 14 May Ascension Day → Fri 15 May", "2026-04-14", "", "2026-05-15", ""},
		{"Thu 3 Sep 2026 → Sat 3 Oct (also Unity Day), Sun → Mon 5 Oct", "2026-09-03", "", "2026-10-05", ""},
		{"Sat 31 Jan 2026 → no 31 Feb so Sat 28 Feb → Mon 2 Mar", "2026-01-31", "", "2026-03-02", ""},
		{"Thu 26 Feb 2026, extended → 26 May; Mon 25 May Whit Monday is the day before, Tue 26 May stands", "2026-02-26", "2026-03-05", "2026-03-26", "2026-05-26"},
		{"Wed 25 Feb 2026, extended → Mon 25 May Whit Monday → Tue 26 May", "2026-02-25", "2026-03-05", "2026-03-25", "2026-05-26"},
	}
	engine := euEngine()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Regime: EUGDPR, Region: "de", Received: d(tt.received)}
			if tt.ext != "" {
				req.Extension = &Extension{GrantedOn: d(tt.ext), Reason: "complex"}
			}
			res, err := engine.Calculate(req)
			if err != nil {
				t.Fatal(err)
			}
			if res.RuleSet != "eu-gdpr/2018-05-25" || res.Regime != EUGDPR {
				t.Errorf("rule set %s/%s", res.Regime, res.RuleSet)
			}
			if res.StatutoryDue.String() != tt.statutory || optionalString(res.ExtendedDue) != tt.extended {
				t.Errorf("due %s / %s, want %s / %q\n%s", res.StatutoryDue, optionalString(res.ExtendedDue), tt.statutory, tt.extended, stepsText(res))
			}
		})
	}
}

func TestEUGDPRExplainsPublicHolidays(t *testing.T) {
	res, err := euEngine().Calculate(Request{Regime: EUGDPR, Region: "de", Received: d("2026-04-01")})
	if err != nil {
		t.Fatal(err)
	}
	assertStepsContain(t, res, "Fri 1 May 2026 is Tag der Arbeit, a public holiday in de; 2 May 2026 is a Saturday; next working day Mon 4 May 2026.")
}

func TestEUGDPRRefusesWhatItCannotKnow(t *testing.T) {
	tests := []struct {
		name  string
		req   Request
		field string
	}{
		{"region that was never added", Request{Regime: EUGDPR, Region: "fr", Received: d("2026-04-01")}, "region"},
		{"no region at all", Request{Regime: EUGDPR, Received: d("2026-04-01")}, "region"},
		{"due date in 2027, a year the de calendar does not have (no rules to compute it)", Request{Regime: EUGDPR, Region: "de", Received: d("2026-12-15")}, "region"},
		{"before the GDPR applied", Request{Regime: EUGDPR, Region: "de", Received: d("2018-05-01")}, "received"},
	}
	engine := euEngine()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.Calculate(tt.req)
			if fe := asFieldError(t, err); fe.Field != tt.field {
				t.Errorf("field %q, want %q: %v", fe.Field, tt.field, err)
			}
		})
	}
}
