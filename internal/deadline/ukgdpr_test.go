package deadline

import (
	"strings"
	"testing"
)

// ukVector is one hand-worked UK GDPR case. Each name carries the working.
type ukVector struct {
	name      string
	req       Request
	statutory string
	extended  string // empty when there is no extension
	paused    int
}

func runUKVectors(t *testing.T, vectors []ukVector) {
	t.Helper()
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			res := calculate(t, v.req)
			if got := res.StatutoryDue.String(); got != v.statutory {
				t.Errorf("statutory due = %s, want %s\n%s", got, v.statutory, stepsText(res))
			}
			if got := optionalString(res.ExtendedDue); got != v.extended {
				t.Errorf("extended due = %q, want %q\n%s", got, v.extended, stepsText(res))
			}
			if res.PausedDays != v.paused {
				t.Errorf("paused days = %d, want %d", res.PausedDays, v.paused)
			}
			if last := res.Steps[len(res.Steps)-1].Date; last != res.Due() {
				t.Errorf("last step date %s != Due() %s", last, res.Due())
			}
		})
	}
}

func optionalString(d *Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func stepsText(res Result) string {
	var b strings.Builder
	for _, s := range res.Steps {
		b.WriteString("  " + s.Date.String() + "  " + s.Text + "\n")
	}
	return b.String()
}

func ewReq(received string) Request { return Request{Region: EnglandAndWales, Received: d(received)} }
func scReq(received string) Request { return Request{Region: Scotland, Received: d(received)} }
func niReq(received string) Request { return Request{Region: NorthernIreland, Received: d(received)} }

func TestWorkedExamplesFromReference(t *testing.T) {
	clarified := func(cautious bool) Request {
		r := ewReq("2026-03-02")
		r.Pauses = []Pause{pause("2026-03-04", "2026-03-10")}
		r.CautiousPauses = cautious
		return r
	}
	runUKVectors(t, []ukVector{
		{name: "Tue 3 Sep 2024 → Thu 3 Oct 2024: same date next month", req: ewReq("2024-09-03"), statutory: "2024-10-03"},
		{name: "Mon 25 Nov 2024 → Fri 27 Dec 2024: 25 Dec Christmas Day, 26 Dec Boxing Day", req: ewReq("2024-11-25"), statutory: "2024-12-27"},
		{name: "Sat 31 Jan 2026 → Mon 2 Mar 2026: no 31 Feb so 28 Feb, a Saturday, next working day", req: ewReq("2026-01-31"), statutory: "2026-03-02"},
		{name: "Thu 1 Jan 2026 → Mon 2 Feb 2026: 1 Feb is a Sunday", req: ewReq("2026-01-01"), statutory: "2026-02-02"},
		{name: "Mon 2 Mar 2026 paused Wed 4–Tue 10 Mar → Thu 9 Apr: unrolled 2 Apr + 7 days; Easter lies before it", req: clarified(false), statutory: "2026-04-09", paused: 7},
		{name: "same pause, cautious → Wed 8 Apr: 2 Apr + 6 days", req: clarified(true), statutory: "2026-04-08", paused: 6},
	})
}

func TestMonthEndClamps(t *testing.T) {
	runUKVectors(t, []ukVector{
		{name: "Fri 30 Jan 2026 → no 30 Feb so Sat 28 Feb → Mon 2 Mar", req: ewReq("2026-01-30"), statutory: "2026-03-02"},
		{name: "Thu 29 Jan 2026 → no 29 Feb in 2026 so Sat 28 Feb → Mon 2 Mar", req: ewReq("2026-01-29"), statutory: "2026-03-02"},
		{name: "Mon 31 Jan 2028 → leap year so Tue 29 Feb 2028, a working day", req: ewReq("2028-01-31"), statutory: "2028-02-29"},
		{name: "Sat 29 Jan 2028 → Tue 29 Feb 2028 exists in a leap year, no clamp", req: ewReq("2028-01-29"), statutory: "2028-02-29"},
		{name: "Tue 29 Feb 2028 → Wed 29 Mar 2028", req: ewReq("2028-02-29"), statutory: "2028-03-29"},
		{name: "Tue 31 Mar 2026 → no 31 Apr so Thu 30 Apr", req: ewReq("2026-03-31"), statutory: "2026-04-30"},
		{name: "Sun 31 May 2026 → no 31 Jun so Tue 30 Jun", req: ewReq("2026-05-31"), statutory: "2026-06-30"},
		{name: "Mon 31 Aug 2026 → no 31 Sep so Wed 30 Sep", req: ewReq("2026-08-31"), statutory: "2026-09-30"},
		{name: "Sat 30 Jan 2027 → Sun 28 Feb 2027 → Mon 1 Mar 2027", req: ewReq("2027-01-30"), statutory: "2027-03-01"},
		{name: "Sun 31 Jan 2027 → Sun 28 Feb 2027 → Mon 1 Mar 2027", req: ewReq("2027-01-31"), statutory: "2027-03-01"},
		{name: "Thu 28 Jan 2027 → Sun 28 Feb 2027 (no clamp) → Mon 1 Mar 2027", req: ewReq("2027-01-28"), statutory: "2027-03-01"},
	})
}

func TestWeekendRollsAndYearBoundaries(t *testing.T) {
	runUKVectors(t, []ukVector{
		{name: "Wed 14 Jan 2026 → Sat 14 Feb → Mon 16 Feb", req: ewReq("2026-01-14"), statutory: "2026-02-16"},
		{name: "Wed 31 Dec 2025 → Sat 31 Jan 2026 → Mon 2 Feb 2026", req: ewReq("2025-12-31"), statutory: "2026-02-02"},
		{name: "Tue 31 Dec 2024 → Fri 31 Jan 2025 across the year end", req: ewReq("2024-12-31"), statutory: "2025-01-31"},
	})
}

func TestRegionalBankHolidayRolls(t *testing.T) {
	runUKVectors(t, []ukVector{
		{name: "E&W: Tue 17 Feb 2026 → Tue 17 Mar, no holiday", req: ewReq("2026-02-17"), statutory: "2026-03-17"},
		{name: "Scotland: Tue 17 Feb 2026 → Tue 17 Mar, no holiday", req: scReq("2026-02-17"), statutory: "2026-03-17"},
		{name: "NI: Tue 17 Feb 2026 → Tue 17 Mar is St Patrick's Day → Wed 18 Mar", req: niReq("2026-02-17"), statutory: "2026-03-18"},

		{name: "E&W: Fri 6 Mar 2026 → Mon 6 Apr Easter Monday → Tue 7 Apr", req: ewReq("2026-03-06"), statutory: "2026-04-07"},
		{name: "NI: Fri 6 Mar 2026 → Mon 6 Apr Easter Monday → Tue 7 Apr", req: niReq("2026-03-06"), statutory: "2026-04-07"},
		{name: "Scotland: Fri 6 Mar 2026 → Mon 6 Apr, no Easter Monday holiday in Scotland", req: scReq("2026-03-06"), statutory: "2026-04-06"},

		{name: "E&W: Tue 3 Mar 2026 → Good Friday 3 Apr, weekend, Easter Monday 6 Apr → Tue 7 Apr", req: ewReq("2026-03-03"), statutory: "2026-04-07"},
		{name: "Scotland: Tue 3 Mar 2026 → Good Friday 3 Apr, weekend → Mon 6 Apr", req: scReq("2026-03-03"), statutory: "2026-04-06"},

		{name: "NI: Sat 13 Jun 2026 → Mon 13 Jul, Boyne substitute day → Tue 14 Jul", req: niReq("2026-06-13"), statutory: "2026-07-14"},
		{name: "E&W: Sat 13 Jun 2026 → Mon 13 Jul, a working day", req: ewReq("2026-06-13"), statutory: "2026-07-13"},
		{name: "Scotland: Sat 13 Jun 2026 → Mon 13 Jul, a working day", req: scReq("2026-06-13"), statutory: "2026-07-13"},

		{name: "Scotland: Fri 3 Jul 2026 → Mon 3 Aug summer holiday → Tue 4 Aug", req: scReq("2026-07-03"), statutory: "2026-08-04"},
		{name: "E&W: Fri 3 Jul 2026 → Mon 3 Aug, a working day", req: ewReq("2026-07-03"), statutory: "2026-08-03"},
		{name: "NI: Fri 3 Jul 2026 → Mon 3 Aug, a working day", req: niReq("2026-07-03"), statutory: "2026-08-03"},

		{name: "E&W: Fri 31 Jul 2026 → Mon 31 Aug summer holiday → Tue 1 Sep", req: ewReq("2026-07-31"), statutory: "2026-09-01"},
		{name: "NI: Fri 31 Jul 2026 → Mon 31 Aug summer holiday → Tue 1 Sep", req: niReq("2026-07-31"), statutory: "2026-09-01"},
		{name: "Scotland: Fri 31 Jul 2026 → Mon 31 Aug, a working day", req: scReq("2026-07-31"), statutory: "2026-08-31"},

		{name: "Scotland: Fri 30 Oct 2026 → Mon 30 Nov St Andrew's Day → Tue 1 Dec", req: scReq("2026-10-30"), statutory: "2026-12-01"},
		{name: "E&W: Fri 30 Oct 2026 → Mon 30 Nov, a working day", req: ewReq("2026-10-30"), statutory: "2026-11-30"},
		{name: "Scotland: Sat 31 Oct 2026 → no 31 Nov so Mon 30 Nov St Andrew's → Tue 1 Dec", req: scReq("2026-10-31"), statutory: "2026-12-01"},

		{name: "NI: Fri 16 Feb 2024 → Sat 16 Mar, Sun 17, Mon 18 St Patrick's substitute → Tue 19 Mar", req: niReq("2024-02-16"), statutory: "2024-03-19"},
		{name: "E&W: Fri 16 Feb 2024 → Sat 16 Mar → Mon 18 Mar", req: ewReq("2024-02-16"), statutory: "2024-03-18"},
		{name: "NI: Thu 12 Jun 2025 → Sat 12 Jul, Sun, Mon 14 Boyne substitute → Tue 15 Jul", req: niReq("2025-06-12"), statutory: "2025-07-15"},
	})
}

func TestChristmasAndNewYearChains(t *testing.T) {
	runUKVectors(t, []ukVector{
		{name: "E&W: Wed 25 Nov 2026 → Fri 25 Dec Christmas, weekend, Mon 28 Boxing substitute → Tue 29 Dec", req: ewReq("2026-11-25"), statutory: "2026-12-29"},
		{name: "Scotland: Wed 25 Nov 2026 → same chain → Tue 29 Dec", req: scReq("2026-11-25"), statutory: "2026-12-29"},
		{name: "NI: Wed 25 Nov 2026 → same chain → Tue 29 Dec", req: niReq("2026-11-25"), statutory: "2026-12-29"},
		{name: "E&W: Thu 26 Nov 2026 → Sat 26 Dec, Sun, Mon 28 holiday → Tue 29 Dec", req: ewReq("2026-11-26"), statutory: "2026-12-29"},
		{name: "E&W: Tue 1 Dec 2026 → Fri 1 Jan 2027 New Year, weekend → Mon 4 Jan", req: ewReq("2026-12-01"), statutory: "2027-01-04"},
		{name: "Scotland: Tue 1 Dec 2026 → Fri 1 Jan 2027, weekend, Mon 4 Jan 2nd January substitute → Tue 5 Jan", req: scReq("2026-12-01"), statutory: "2027-01-05"},
		{name: "E&W: Wed 2 Dec 2026 → Sat 2 Jan 2027 → Mon 4 Jan", req: ewReq("2026-12-02"), statutory: "2027-01-04"},
		{name: "Scotland: Wed 2 Dec 2026 → Sat 2 Jan 2027, Sun, Mon 4 Jan holiday → Tue 5 Jan", req: scReq("2026-12-02"), statutory: "2027-01-05"},
		{name: "E&W: Sat 27 Nov 2027 → Mon 27 Dec Christmas substitute, Tue 28 Boxing substitute → Wed 29 Dec", req: ewReq("2027-11-27"), statutory: "2027-12-29"},
		{name: "E&W: Thu 25 Nov 2027 → Sat 25 Dec, Sun, Mon 27, Tue 28 → Wed 29 Dec", req: ewReq("2027-11-25"), statutory: "2027-12-29"},
		{name: "E&W: Mon 1 Dec 2025 → Thu 1 Jan 2026 New Year → Fri 2 Jan", req: ewReq("2025-12-01"), statutory: "2026-01-02"},
		{name: "Scotland: Mon 1 Dec 2025 → Thu 1 Jan 2026, Fri 2 Jan holiday, weekend → Mon 5 Jan", req: scReq("2025-12-01"), statutory: "2026-01-05"},
		{name: "E&W: Tue 26 Nov 2024 → Thu 26 Dec Boxing Day → Fri 27 Dec", req: ewReq("2024-11-26"), statutory: "2024-12-27"},
		{name: "E&W (2028 computed): Thu 2 Dec 2027 → Sun 2 Jan 2028, Mon 3 Jan New Year substitute → Tue 4 Jan", req: ewReq("2027-12-02"), statutory: "2028-01-04"},
		{name: "Scotland (2028 computed): Thu 2 Dec 2027 → Sun 2 Jan 2028, Mon 3 and Tue 4 Jan substitutes → Wed 5 Jan", req: scReq("2027-12-02"), statutory: "2028-01-05"},
	})
}

func TestLateIdentityAndFeeMoveTheStart(t *testing.T) {
	withIdentity := func(r Request, identity string) Request { r.IdentityReceived = ptr(identity); return r }
	withFee := func(r Request, fee string) Request { r.FeeReceived = ptr(fee); return r }
	runUKVectors(t, []ukVector{
		{name: "received Mon 2 Feb 2026, identity Thu 12 Feb → start 12 Feb → Thu 12 Mar", req: withIdentity(ewReq("2026-02-02"), "2026-02-12"), statutory: "2026-03-12"},
		{name: "received Mon 5 Jan 2026, identity Sat 10 Jan, fee Tue 13 Jan → latest 13 Jan → Fri 13 Feb", req: withFee(withIdentity(ewReq("2026-01-05"), "2026-01-10"), "2026-01-13"), statutory: "2026-02-13"},
		{name: "received Wed 28 Jan 2026, fee Sat 31 Jan → start 31 Jan → 28 Feb (Sat) → Mon 2 Mar", req: withFee(ewReq("2026-01-28"), "2026-01-31"), statutory: "2026-03-02"},
		{name: "identity the same day as receipt changes nothing: Tue 3 Sep 2024 → Thu 3 Oct", req: withIdentity(ewReq("2024-09-03"), "2024-09-03"), statutory: "2024-10-03"},
	})
}

func TestClarificationPauses(t *testing.T) {
	with := func(r Request, cautious bool, pauses ...Pause) Request {
		r.Pauses, r.CautiousPauses = pauses, cautious
		return r
	}
	runUKVectors(t, []ukVector{
		{name: "Thu 1 Oct 2026, one-day pause Mon 5 Oct → 1 Nov (Sun) + 1 = Mon 2 Nov", req: with(ewReq("2026-10-01"), false, pause("2026-10-05", "2026-10-05")), statutory: "2026-11-02", paused: 1},
		{name: "same, cautious: 0 days → Sun 1 Nov rolls to Mon 2 Nov anyway", req: with(ewReq("2026-10-01"), true, pause("2026-10-05", "2026-10-05")), statutory: "2026-11-02", paused: 0},
		{name: "Mon 2 Feb 2026, pauses 3–4 Feb (2) and 10–12 Feb (3) → 2 Mar + 5 = Sat 7 Mar → Mon 9 Mar", req: with(ewReq("2026-02-02"), false, pause("2026-02-10", "2026-02-12"), pause("2026-02-03", "2026-02-04")), statutory: "2026-03-09", paused: 5},
		{name: "same two pauses, cautious (1 + 2) → 2 Mar + 3 = Thu 5 Mar", req: with(ewReq("2026-02-02"), true, pause("2026-02-03", "2026-02-04"), pause("2026-02-10", "2026-02-12")), statutory: "2026-03-05", paused: 3},
		{name: "NI: Tue 10 Feb 2026, pause 11–17 Feb (7) → 10 Mar + 7 = Tue 17 Mar St Patrick's → Wed 18 Mar", req: with(niReq("2026-02-10"), false, pause("2026-02-11", "2026-02-17")), statutory: "2026-03-18", paused: 7},
		{name: "E&W: same pause → Tue 17 Mar, a working day", req: with(ewReq("2026-02-10"), false, pause("2026-02-11", "2026-02-17")), statutory: "2026-03-17", paused: 7},
		{name: "Sat 31 Jan 2026, 1-day pause Mon 2 Feb → 28 Feb + 1 = Sun 1 Mar → Mon 2 Mar: a pause adds calendar days, not working days", req: with(ewReq("2026-01-31"), false, pause("2026-02-02", "2026-02-02")), statutory: "2026-03-02", paused: 1},
		{name: "received Mon 2 Mar 2026, asked Tue 3 Mar, identity Thu 5 Mar, answered Tue 10 Mar → only 5–10 Mar count (6) → 5 Apr + 6 = Sat 11 Apr → Mon 13 Apr", req: func() Request {
			r := with(ewReq("2026-03-02"), false, pause("2026-03-03", "2026-03-10"))
			r.IdentityReceived = ptr("2026-03-05")
			return r
		}(), statutory: "2026-04-13", paused: 6},
		{name: "pause answered before identity arrived pauses nothing: received 2 Mar, pause 3–4 Mar, identity 5 Mar → 5 Apr (Sun) → Mon 6 Apr Easter Monday → Tue 7 Apr", req: func() Request {
			r := with(ewReq("2026-03-02"), false, pause("2026-03-03", "2026-03-04"))
			r.IdentityReceived = ptr("2026-03-05")
			return r
		}(), statutory: "2026-04-07", paused: 0},
		{name: "pause asked on the (rolled) due date itself is allowed: Sat 31 Jan 2026 due Mon 2 Mar, asked and answered 2 Mar → 28 Feb + 1 = Sun 1 Mar → Mon 2 Mar", req: with(ewReq("2026-01-31"), false, pause("2026-03-02", "2026-03-02")), statutory: "2026-03-02", paused: 1},
	})
}

func TestExtensions(t *testing.T) {
	extend := func(r Request, granted string, months int, pauses ...Pause) Request {
		r.Extension = &Extension{GrantedOn: d(granted), Reason: "large volume of records across systems", Months: months}
		r.Pauses = pauses
		return r
	}
	runUKVectors(t, []ukVector{
		{name: "Mon 2 Mar 2026, extended 20 Mar → three months: Tue 2 Jun", req: extend(ewReq("2026-03-02"), "2026-03-20", 2), statutory: "2026-04-02", extended: "2026-06-02"},
		{name: "Months 0 means 2: Mon 2 Mar 2026 → Tue 2 Jun", req: extend(ewReq("2026-03-02"), "2026-03-20", 0), statutory: "2026-04-02", extended: "2026-06-02"},
		{name: "Sat 31 Jan 2026, granted on the due date Mon 2 Mar → three months from the start: no 31 Apr so Thu 30 Apr (not chained from 28 Feb)", req: extend(ewReq("2026-01-31"), "2026-03-02", 2), statutory: "2026-03-02", extended: "2026-04-30"},
		{name: "Fri 25 Sep 2026 → statutory Sun 25 Oct → Mon 26 Oct; extended Fri 25 Dec Christmas chain → Tue 29 Dec", req: extend(ewReq("2026-09-25"), "2026-10-01", 2), statutory: "2026-10-26", extended: "2026-12-29"},
		{name: "one further month: Tue 3 Mar 2026 → statutory Good Friday 3 Apr → Tue 7 Apr; extended Sun 3 May, Mon 4 May early May holiday → Tue 5 May", req: extend(ewReq("2026-03-03"), "2026-03-10", 1), statutory: "2026-04-07", extended: "2026-05-05"},
		{name: "extension and pause: Mon 2 Mar 2026, pause 4–10 Mar (7) → statutory Thu 9 Apr; extended 2 Jun + 7 = Tue 9 Jun", req: extend(ewReq("2026-03-02"), "2026-03-20", 2, pause("2026-03-04", "2026-03-10")), statutory: "2026-04-09", extended: "2026-06-09", paused: 7},
		{name: "Scotland: Sun 3 May 2026 → statutory Wed 3 Jun; extended Mon 3 Aug summer holiday → Tue 4 Aug", req: extend(scReq("2026-05-03"), "2026-05-20", 2), statutory: "2026-06-03", extended: "2026-08-04"},
		{name: "E&W: Sun 3 May 2026 → extended Mon 3 Aug, a working day", req: extend(ewReq("2026-05-03"), "2026-05-20", 2), statutory: "2026-06-03", extended: "2026-08-03"},
		{name: "E&W (2028 computed): Fri 1 Oct 2027 → statutory Mon 1 Nov; extended Sat 1 Jan 2028, Sun, Mon 3 Jan substitute → Tue 4 Jan", req: extend(ewReq("2027-10-01"), "2027-10-15", 2), statutory: "2027-11-01", extended: "2028-01-04"},
		{name: "Scotland (2028 computed): Fri 1 Oct 2027 → extended Sat 1 Jan 2028 → Mon 3, Tue 4 substitutes → Wed 5 Jan", req: extend(scReq("2027-10-01"), "2027-10-15", 2), statutory: "2027-11-01", extended: "2028-01-05"},
	})
}

func TestComputedYearsBeyondTheTable(t *testing.T) {
	runUKVectors(t, []ukVector{
		{name: "E&W 2029 computed: Fri 2 Mar 2029 → Mon 2 Apr Easter Monday (Easter Sunday 1 Apr) → Tue 3 Apr", req: ewReq("2029-03-02"), statutory: "2029-04-03"},
		{name: "Scotland 2029 computed: Fri 2 Mar 2029 → Mon 2 Apr, no Easter Monday in Scotland", req: scReq("2029-03-02"), statutory: "2029-04-02"},
		{name: "Scotland 2029 computed: Tue 30 Oct 2029 → Fri 30 Nov St Andrew's Day, weekend → Mon 3 Dec", req: scReq("2029-10-30"), statutory: "2029-12-03"},
		{name: "E&W 2029 computed: Tue 30 Oct 2029 → Fri 30 Nov, a working day", req: ewReq("2029-10-30"), statutory: "2029-11-30"},
	})
}

func TestRuleSetIsChosenByReceiptDate(t *testing.T) {
	tests := []struct {
		name, received, ruleSet, due string
	}{
		{"Wed 4 Feb 2026, the day before Art 12A, uses the 2018 rule set → Wed 4 Mar", "2026-02-04", "uk-gdpr/2018-05-25", "2026-03-04"},
		{"Thu 5 Feb 2026, Art 12A in force → Thu 5 Mar", "2026-02-05", "uk-gdpr/2026-02-05", "2026-03-05"},
		{"Fri 25 May 2018, GDPR's first day → Mon 25 Jun 2018 (computed year)", "2018-05-25", "uk-gdpr/2018-05-25", "2018-06-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := calculate(t, ewReq(tt.received))
			if res.RuleSet != tt.ruleSet || res.Regime != UKGDPR {
				t.Errorf("regime/rule set = %s/%s, want %s/%s", res.Regime, res.RuleSet, UKGDPR, tt.ruleSet)
			}
			if res.StatutoryDue.String() != tt.due {
				t.Errorf("due = %s, want %s", res.StatutoryDue, tt.due)
			}
		})
	}
}

func TestExtensionNoticeIsTheStatutoryDueDate(t *testing.T) {
	req := ewReq("2026-03-02")
	req.Pauses = []Pause{pause("2026-03-04", "2026-03-10")}
	req.Extension = &Extension{GrantedOn: d("2026-03-20"), Reason: "complex"}
	res := calculate(t, req)
	if res.ExtensionNoticeBy != d("2026-04-09") {
		t.Errorf("extension notice by %s, want 2026-04-09 (statutory due including the 7 paused days)", res.ExtensionNoticeBy)
	}
	if res.Due() != d("2026-06-09") {
		t.Errorf("Due() = %s, want the extended date 2026-06-09", res.Due())
	}
}

func TestInternalTarget(t *testing.T) {
	tests := []struct {
		name   string
		req    Request
		target string
	}{
		{"Sat 31 Jan 2026 + 28 = Sat 28 Feb, rolled back to Fri 27 Feb", Request{Region: EnglandAndWales, Received: d("2026-01-31"), InternalTargetDays: 28}, "2026-02-27"},
		{"Tue 3 Sep 2024 + 28 = Tue 1 Oct, a working day", Request{Region: EnglandAndWales, Received: d("2024-09-03"), InternalTargetDays: 28}, "2024-10-01"},
		{"Mon 9 Mar 2026 + 28 = Mon 6 Apr Easter Monday, back over the weekend and Good Friday to Thu 2 Apr", Request{Region: EnglandAndWales, Received: d("2026-03-09"), InternalTargetDays: 28}, "2026-04-02"},
		{"Scotland: Mon 9 Mar 2026 + 28 = Mon 6 Apr, a working day there", Request{Region: Scotland, Received: d("2026-03-09"), InternalTargetDays: 28}, "2026-04-06"},
		{"Mon 2 Mar 2026 + 28 + 7 paused days (4–10 Mar) = Mon 6 Apr Easter Monday → Thu 2 Apr", Request{Region: EnglandAndWales, Received: d("2026-03-02"), InternalTargetDays: 28, Pauses: []Pause{pause("2026-03-04", "2026-03-10")}}, "2026-04-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := calculate(t, tt.req)
			if got := optionalString(res.InternalTarget); got != tt.target {
				t.Errorf("internal target = %s, want %s\n%s", got, tt.target, stepsText(res))
			}
		})
	}
	if res := calculate(t, ewReq("2026-01-31")); res.InternalTarget != nil {
		t.Errorf("internal target set without InternalTargetDays: %s", res.InternalTarget)
	}
}

// TestPausesDuringAnExtension: Art 12A (like DPA 2018 s.54(3C)) stops the
// period as extended, so a clarification asked during the two further
// months moves the extended date. The statutory due date carries every
// paused day; the date the requester had to be told of the extension counts
// only the pauses asked within the first month, since a later pause cannot
// move a date already past. All England and Wales, received Mon 2 Mar 2026:
// first month Thu 2 Apr, three months Tue 2 Jun.
func TestPausesDuringAnExtension(t *testing.T) {
	extended := func(granted string, pauses ...Pause) Request {
		r := ewReq("2026-03-02")
		r.Extension = &Extension{GrantedOn: d(granted), Reason: "large volume of records across systems"}
		r.Pauses = pauses
		return r
	}
	tests := []struct {
		ukVector
		noticeBy string
	}{
		{ukVector{name: "asked Fri 10 Apr, answered Wed 15 Apr, during the extension (6 days): due 2 Apr + 6 = Wed 8 Apr; extended 2 Jun + 6 = Mon 8 Jun; tell by Thu 2 Apr",
			req: extended("2026-03-02", pause("2026-04-10", "2026-04-15")), statutory: "2026-04-08", extended: "2026-06-08", paused: 6}, "2026-04-02"},
		{ukVector{name: "straddling the first month's end: asked Tue 31 Mar, answered Tue 7 Apr (8 days) → 2 Apr + 8 = Fri 10 Apr, also the date to tell by; extended 2 Jun + 8 = Wed 10 Jun",
			req: extended("2026-03-20", pause("2026-03-31", "2026-04-07")), statutory: "2026-04-10", extended: "2026-06-10", paused: 8}, "2026-04-10"},
		{ukVector{name: "two pauses: 4–10 Mar in the first month (7) moves its end to Thu 9 Apr; Tue 5–Sat 9 May in the extension (5) → due 2 Apr + 12 = Tue 14 Apr; extended 2 Jun + 12 = Sun 14 Jun → Mon 15 Jun",
			req: extended("2026-03-20", pause("2026-03-04", "2026-03-10"), pause("2026-05-05", "2026-05-09")), statutory: "2026-04-14", extended: "2026-06-15", paused: 12}, "2026-04-09"},
		{ukVector{name: "answered after the extended date: asked Mon 1 Jun, answered Mon 15 Jun (15 days) → extended 2 Jun + 15 = Wed 17 Jun; due 2 Apr + 15 = Fri 17 Apr",
			req: extended("2026-03-02", pause("2026-06-01", "2026-06-15")), statutory: "2026-04-17", extended: "2026-06-17", paused: 15}, "2026-04-02"},
		{ukVector{name: "asked and answered on the extended due date itself, Tue 2 Jun (1 day) → extended Wed 3 Jun; due 2 Apr + 1 = Good Friday 3 Apr, weekend, Easter Monday → Tue 7 Apr",
			req: extended("2026-03-02", pause("2026-06-02", "2026-06-02")), statutory: "2026-04-07", extended: "2026-06-03", paused: 1}, "2026-04-02"},
	}
	for _, tt := range tests {
		runUKVectors(t, []ukVector{tt.ukVector})
		t.Run(tt.name+"/notice by", func(t *testing.T) {
			if got := calculate(t, tt.req).ExtensionNoticeBy.String(); got != tt.noticeBy {
				t.Errorf("extension notice by %s, want %s", got, tt.noticeBy)
			}
		})
	}
}

// A pause asked during an extension is explained as such, citing the law
// that stops the extended period.
func TestPauseDuringAnExtensionIsExplained(t *testing.T) {
	req := ewReq("2026-03-02")
	req.Extension = &Extension{GrantedOn: d("2026-03-02"), Reason: "complex"}
	req.Pauses = []Pause{pause("2026-04-10", "2026-04-15")}
	text := stepsText(calculate(t, req))
	for _, want := range []string{"during the extension", "Art 12A", "s.54(3C)", "counting only the pauses asked within it"} {
		if !strings.Contains(text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, text)
		}
	}
}
