package deadline

import "testing"

func TestCCPA(t *testing.T) {
	california := BuiltinCalendars()
	california.AddRegion("us-ca", []Holiday{
		{d("2026-01-01"), "New Year’s Day"}, {d("2026-01-19"), "Martin Luther King Jr. Day"}, {d("2026-02-16"), "Presidents’ Day"},
	})
	engine := NewEngine(california)
	tests := []struct {
		name                              string
		req                               Request
		confirm, statutory, extended, due string
	}{
		{"Mon 2 Mar 2026: confirm by the 10th weekday after, Mon 16 Mar; due +45 = Thu 16 Apr",
			Request{Regime: CCPA, Received: d("2026-03-02")}, "2026-03-16", "2026-04-16", "", "2026-04-16"},
		{"Thu 1 Jan 2026, weekends only: confirm Fri 2, 5–9, 12–15 → Thu 15 Jan; due Sun 15 Feb, not rolled",
			Request{Regime: CCPA, Received: d("2026-01-01")}, "2026-01-15", "2026-02-15", "", "2026-02-15"},
		{"us-ca calendar: Mon 5 Jan 2026, 6–9 (4), 12–16 (9), 19 Jan MLK skipped → Tue 20 Jan; due Thu 19 Feb",
			Request{Regime: CCPA, Region: "us-ca", Received: d("2026-01-05")}, "2026-01-20", "2026-02-19", "", "2026-02-19"},
		{"extension: Mon 2 Mar 2026 + 90 = Sun 31 May, not rolled; notice by Thu 16 Apr",
			Request{Regime: CCPA, Received: d("2026-03-02"), Extension: &Extension{GrantedOn: d("2026-04-16"), Reason: "numerous requests", Months: 1}},
			"2026-03-16", "2026-04-16", "2026-05-31", "2026-05-31"},
		{"late identity does not move the CCPA start: Mon 2 Mar 2026, identity 10 Mar → still Thu 16 Apr",
			Request{Regime: CCPA, Received: d("2026-03-02"), IdentityReceived: ptr("2026-03-10")}, "2026-03-16", "2026-04-16", "", "2026-04-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := engine.Calculate(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.RuleSet != "ccpa/2020-01-01" || res.ClockStart != tt.req.Received {
				t.Errorf("rule set %s, clock start %s", res.RuleSet, res.ClockStart)
			}
			if optionalString(res.ConfirmBy) != tt.confirm || res.StatutoryDue.String() != tt.statutory ||
				optionalString(res.ExtendedDue) != tt.extended || res.Due().String() != tt.due || res.ExtensionNoticeBy != res.StatutoryDue {
				t.Errorf("confirm %s, statutory %s, extended %s, due %s, notice %s\n%s",
					optionalString(res.ConfirmBy), res.StatutoryDue, optionalString(res.ExtendedDue), res.Due(), res.ExtensionNoticeBy, stepsText(res))
			}
			if last := res.Steps[len(res.Steps)-1].Date; last != res.Due() {
				t.Errorf("last step %s != Due() %s", last, res.Due())
			}
		})
	}
}

func TestCCPAExplainsThatCalendarDaysDoNotRoll(t *testing.T) {
	assertStepsContain(t, calculate(t, Request{Regime: CCPA, Received: d("2026-01-01")}),
		"45 calendar days after receipt: Sun 15 Feb 2026 (a Sunday; CCPA calendar-day periods are not moved off weekends or holidays).",
		"Confirm receipt within 10 business days: by Thu 15 Jan 2026 (Monday to Friday; no holiday calendar was given, so state holidays are not excluded).")
}

func TestCCPAInternalTargetRollsBackToABusinessDay(t *testing.T) {
	// Mon 2 Mar 2026 + 33 = Sat 4 Apr → Fri 3 Apr (weekends only: no calendar, so Good Friday is a business day).
	res := calculate(t, Request{Regime: CCPA, Received: d("2026-03-02"), InternalTargetDays: 33})
	if got := optionalString(res.InternalTarget); got != "2026-04-03" {
		t.Errorf("internal target %s, want 2026-04-03", got)
	}
}

func TestCCPARejects(t *testing.T) {
	tests := []struct {
		name  string
		req   Request
		field string
	}{
		{"clarification pauses: the CCPA has none", Request{Regime: CCPA, Received: d("2026-03-02"), Pauses: []Pause{pause("2026-03-03", "2026-03-04")}}, "pauses"},
		{"extension granted after the first 45 days (Fri 17 Apr)", Request{Regime: CCPA, Received: d("2026-03-02"), Extension: &Extension{GrantedOn: d("2026-04-17"), Reason: "numerous"}}, "extension.granted_on"},
		{"unknown region", Request{Regime: CCPA, Region: "us-ny", Received: d("2026-03-02")}, "region"},
		{"received before the CCPA took effect", Request{Regime: CCPA, Received: d("2019-12-31")}, "received"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEngine(nil).Calculate(tt.req)
			if fe := asFieldError(t, err); fe.Field != tt.field {
				t.Errorf("field %q, want %q: %v", fe.Field, tt.field, err)
			}
		})
	}
}

func TestRegimes(t *testing.T) {
	got := NewEngine(nil).Regimes()
	want := []string{CCPA, EUGDPR, UKGDPR}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("Regimes() = %v, want %v", got, want)
	}
}
