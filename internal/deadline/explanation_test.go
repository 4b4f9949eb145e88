package deadline

import (
	"slices"
	"strings"
	"testing"
)

func TestExplanationOfAMonthEndClampAndWeekendRoll(t *testing.T) {
	res := calculate(t, ewReq("2026-01-31"))
	want := []Step{
		{Text: "Received Sat 31 Jan 2026.", Date: d("2026-01-31")},
		{Text: "Rule set uk-gdpr/2018-05-25: UK GDPR Art 12(3), one month extendable by two further months, applied as the ICO did before the Data (Use and Access) Act 2025 (requests received before 5 Feb 2026)."},
		{Text: "Clock starts Sat 31 Jan 2026 (the day the request was received).", Date: d("2026-01-31")},
		{Text: "One calendar month: 28 Feb 2026 (February has no 31st).", Date: d("2026-02-28")},
		{Text: "28 Feb 2026 is a Saturday; next working day Mon 2 Mar 2026.", Date: d("2026-03-02")},
		{Text: "Statutory due date: Mon 2 Mar 2026.", Date: d("2026-03-02")},
	}
	if !slices.Equal(res.Steps, want) {
		t.Errorf("steps:\n%s\nwant:\n%s", stepsText(res), stepsText(Result{Steps: want}))
	}
}

func TestExplanationOfAClarificationPause(t *testing.T) {
	req := ewReq("2026-03-02")
	req.Pauses = []Pause{pause("2026-03-04", "2026-03-10")}
	assertStepsContain(t, calculate(t, req),
		"Clarification asked Wed 4 Mar 2026, answered Tue 10 Mar 2026: 7 days do not count (both days excluded).",
		"Add 7 paused days to 2 Apr 2026: 9 Apr 2026.",
		"Thu 9 Apr 2026 is a working day in England and Wales, so the date stands.",
		"Statutory due date: Thu 9 Apr 2026.")

	req.CautiousPauses = true
	assertStepsContain(t, calculate(t, req),
		"Clarification asked Wed 4 Mar 2026, answered Tue 10 Mar 2026: 6 days do not count (cautious setting: the day the answer arrived still counts).")
}

func TestExplanationNamesBankHolidaysInAChain(t *testing.T) {
	assertStepsContain(t, calculate(t, ewReq("2026-11-25")),
		"Fri 25 Dec 2026 is Christmas Day, a bank holiday in England and Wales; 26 Dec 2026 is a Saturday; "+
			"Mon 28 Dec 2026 is Boxing Day (substitute day), a bank holiday in England and Wales; next working day Tue 29 Dec 2026.")
	assertStepsContain(t, calculate(t, niReq("2026-02-17")),
		"Tue 17 Mar 2026 is St Patrick’s Day, a bank holiday in Northern Ireland; next working day Wed 18 Mar 2026.")
}

func TestExplanationSaysWhichClockStartApplied(t *testing.T) {
	req := ewReq("2026-01-05")
	req.IdentityReceived, req.FeeReceived = ptr("2026-01-13"), ptr("2026-01-13")
	assertStepsContain(t, calculate(t, req),
		"Identity information received Tue 13 Jan 2026.",
		"Fee received Tue 13 Jan 2026.",
		"Clock starts Tue 13 Jan 2026 (the day the identity information and the fee were received; the clock runs from the latest of the request, the identity information and the fee).")
}

func TestExplanationOfAnExtension(t *testing.T) {
	req := ewReq("2026-01-31")
	req.Extension = &Extension{GrantedOn: d("2026-02-10"), Reason: "thousands of emails to review"}
	res := calculate(t, req)
	assertStepsContain(t, res,
		"Extended by 2 further months on Tue 10 Feb 2026 (reason: thousands of emails to review).",
		"The requester must be told of the extension, with the reasons, by Mon 2 Mar 2026 (the statutory due date).",
		"3 calendar months from the clock start: 30 Apr 2026 (April has no 31st).",
		"Extended due date: Thu 30 Apr 2026.")
}

func TestExplanationFlagsComputedYearsOnly(t *testing.T) {
	const warning = "Bank holidays for 2029 in England and Wales are not in the published table; computed from the standing rules, so a one-off holiday (e.g. a coronation) would be missed."
	res := calculate(t, ewReq("2029-03-02"))
	assertStepsContain(t, res, warning)
	if i := slices.IndexFunc(res.Steps, func(s Step) bool { return s.Text == warning }); i != 3 {
		t.Errorf("warning is step %d, want 3 (straight after the clock start, before the arithmetic)", i)
	}
	for _, s := range calculate(t, ewReq("2026-03-02")).Steps {
		if strings.Contains(s.Text, "not in the published table") {
			t.Errorf("2026 is published, yet the explanation says: %s", s.Text)
		}
	}
}

func assertStepsContain(t *testing.T, res Result, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if !slices.ContainsFunc(res.Steps, func(s Step) bool { return s.Text == text }) {
			t.Errorf("no step %q in:\n%s", text, stepsText(res))
		}
	}
}
