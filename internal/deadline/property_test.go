package deadline

import (
	"math/rand/v2"
	"testing"
)

var ukRegions = []string{EnglandAndWales, Scotland, NorthernIreland}

// longestNonWorkingRun is the most consecutive non-working days in region
// between the two dates: how far at most a date can roll.
func longestNonWorkingRun(cal *Calendars, region string, from, to Date) int {
	days := cal.workingDays(region)
	longest, run := 0, 0
	for day := from; !day.After(to); day = day.AddDays(1) {
		if days.isWorkingDay(day) {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}

// maxRoll is the longest run of non-working days in any UK division, by
// hand: Good Friday to Easter Monday, or a weekend Christmas with both
// substitutes (Sat 25 – Tue 28 Dec 2027), or Scotland's weekend New Year
// (Sat 1 – Tue 4 Jan 2028). TestLongestRunIsFourDays checks it.
const maxRoll = 4

func TestLongestRunIsFourDays(t *testing.T) {
	cal := BuiltinCalendars()
	for _, region := range ukRegions {
		if got := longestNonWorkingRun(cal, region, d("2024-01-01"), d("2035-12-31")); got != maxRoll {
			t.Errorf("%s: longest run %d, want %d", region, got, maxRoll)
		}
	}
}

// checkInvariants holds for every successful calculation.
func checkInvariants(t *testing.T, cal *Calendars, req Request, res Result) {
	t.Helper()
	if len(res.Steps) == 0 || res.Steps[len(res.Steps)-1].Date != res.Due() {
		t.Fatalf("last step does not arrive at Due() %s:\n%s", res.Due(), stepsText(res))
	}
	// The requester must hear of an extension within the first period,
	// which ends on the statutory due date unless a pause asked during the
	// extension moved that date on (Art 12A): never after it, and on it
	// without an extension.
	if res.ExtensionNoticeBy.After(res.StatutoryDue) || (req.Extension == nil && res.ExtensionNoticeBy != res.StatutoryDue) {
		t.Errorf("extension notice %s, statutory due %s, extension %v", res.ExtensionNoticeBy, res.StatutoryDue, req.Extension != nil)
	}
	if res.ExtendedDue != nil && res.ExtendedDue.Before(res.StatutoryDue) {
		t.Errorf("extended %s before statutory %s", res.ExtendedDue, res.StatutoryDue)
	}
	if res.ClockStart.Before(req.Received) {
		t.Errorf("clock start %s before receipt %s", res.ClockStart, req.Received)
	}
	if res.Regime == CCPA {
		checkCCPAInvariants(t, req, res)
		return
	}
	checkMonthlyInvariants(t, cal, req, res)
}

func checkMonthlyInvariants(t *testing.T, cal *Calendars, req Request, res Result) {
	t.Helper()
	days := cal.workingDays(req.Region)
	if !days.isWorkingDay(res.StatutoryDue) {
		t.Errorf("statutory due %s is not a working day in %s", res.StatutoryDue.Human(), req.Region)
	}
	// One month is 28 to 31 days; pauses add calendar days; rolling adds at most maxRoll.
	elapsed := DaysBetween(res.ClockStart, res.StatutoryDue)
	if elapsed < 28+res.PausedDays || elapsed > 31+res.PausedDays+maxRoll {
		t.Errorf("statutory due %s is %d days after the start %s with %d paused", res.StatutoryDue, elapsed, res.ClockStart, res.PausedDays)
	}
	if res.ExtendedDue != nil {
		// Two or three months: 59 to 92 days.
		extended := DaysBetween(res.ClockStart, *res.ExtendedDue)
		if extended < 59+res.PausedDays || extended > 92+res.PausedDays+maxRoll || !days.isWorkingDay(*res.ExtendedDue) {
			t.Errorf("extended due %s is %d days after the start", res.ExtendedDue, extended)
		}
	}
	if res.InternalTarget != nil && req.InternalTargetDays <= 28 && res.InternalTarget.After(res.StatutoryDue) {
		t.Errorf("a %d-day internal target %s falls after the statutory due %s", req.InternalTargetDays, res.InternalTarget, res.StatutoryDue)
	}
}

func checkCCPAInvariants(t *testing.T, req Request, res Result) {
	t.Helper()
	if res.StatutoryDue != req.Received.AddDays(45) {
		t.Errorf("CCPA due %s, want receipt + 45", res.StatutoryDue)
	}
	if res.ExtendedDue != nil && *res.ExtendedDue != req.Received.AddDays(90) {
		t.Errorf("CCPA extended due %s, want receipt + 90", res.ExtendedDue)
	}
	// Ten business days span two weeks, plus at most one run of holidays.
	if res.ConfirmBy == nil || DaysBetween(req.Received, *res.ConfirmBy) < 12 || DaysBetween(req.Received, *res.ConfirmBy) > 14+maxRoll {
		t.Errorf("CCPA confirm by %v for receipt %s", res.ConfirmBy, req.Received)
	}
}

// Every receipt day 2024–2030 in every UK division, without pauses.
func TestPropertiesOverEveryDay2024To2030(t *testing.T) {
	cal := BuiltinCalendars()
	engine := NewEngine(cal)
	for _, region := range ukRegions {
		var previous Result
		for received := d("2024-01-01"); !received.After(d("2030-12-31")); received = received.AddDays(1) {
			req := Request{Region: region, Received: received}
			res, err := engine.Calculate(req)
			if err != nil {
				t.Fatalf("%s %s: %v", region, received, err)
			}
			checkInvariants(t, cal, req, res)
			// A later receipt never gives an earlier due date.
			if !previous.StatutoryDue.IsZero() && res.StatutoryDue.Before(previous.StatutoryDue) {
				t.Errorf("%s: received %s due %s, but the day before was due %s", region, received, res.StatutoryDue, previous.StatutoryDue)
			}
			previous = res
		}
	}
}

// Where no day between the unrolled date and the latest due date is a
// holiday in one division but not another, all three must agree.
func TestRegionsAgreeWithoutARegionalHoliday(t *testing.T) {
	cal := BuiltinCalendars()
	engine := NewEngine(cal)
	agreed := 0
	for received := d("2024-01-01"); !received.After(d("2030-12-31")); received = received.AddDays(1) {
		dues := map[string]Date{}
		latest := received
		for _, region := range ukRegions {
			res, err := engine.Calculate(Request{Region: region, Received: received})
			if err != nil {
				t.Fatal(err)
			}
			dues[region] = res.StatutoryDue
			latest = maxDate(latest, res.StatutoryDue)
		}
		unrolled, _ := addMonths(received, 1)
		if regionalHolidayBetween(cal, unrolled, latest) {
			continue
		}
		agreed++
		if dues[EnglandAndWales] != dues[Scotland] || dues[EnglandAndWales] != dues[NorthernIreland] {
			t.Errorf("received %s: no regional holiday involved, yet dues differ: %v", received, dues)
		}
	}
	if agreed < 2000 {
		t.Errorf("only %d days checked; the property is barely exercised", agreed)
	}
}

func regionalHolidayBetween(cal *Calendars, from, to Date) bool {
	views := make([]*workingDays, len(ukRegions))
	for i, region := range ukRegions {
		views[i] = cal.workingDays(region)
	}
	for day := from; !day.After(to); day = day.AddDays(1) {
		for _, v := range views[1:] {
			if v.isWorkingDay(day) != views[0].isWorkingDay(day) {
				return true
			}
		}
	}
	return false
}

// Seeded random cases with identity, fees, pauses, extensions and targets.
func TestPropertiesOnRandomCases(t *testing.T) {
	cal := BuiltinCalendars()
	engine := NewEngine(cal)
	rng := rand.New(rand.NewPCG(2026, 2))
	for i := 0; i < 5000; i++ {
		req := randomRequest(rng)
		res, err := engine.Calculate(req)
		if err != nil {
			t.Fatalf("case %d %+v: %v", i, req, err)
		}
		checkInvariants(t, cal, req, res)

		// The cautious setting never gives a later date than the statutory wording.
		cautious := req
		cautious.CautiousPauses = true
		if cres, err := engine.Calculate(cautious); err != nil || cres.Due().After(res.Due()) {
			t.Errorf("case %d: cautious due %s after strict %s (%v)", i, cres.Due(), res.Due(), err)
		}
	}
}

// randomRequest builds a valid request: every pause is asked within the
// first 25 days, so never after the period has ended.
func randomRequest(rng *rand.Rand) Request {
	received := d("2024-01-01").AddDays(rng.IntN(7 * 365))
	req := Request{Region: ukRegions[rng.IntN(3)], Received: received, InternalTargetDays: rng.IntN(29)}
	if rng.IntN(3) == 0 {
		identity := received.AddDays(rng.IntN(20))
		req.IdentityReceived = &identity
	}
	if rng.IntN(4) == 0 {
		fee := received.AddDays(rng.IntN(20))
		req.FeeReceived = &fee
	}
	for asked := received.AddDays(rng.IntN(10)); rng.IntN(2) == 0 && DaysBetween(received, asked) < 25; {
		answered := asked.AddDays(rng.IntN(15))
		req.Pauses = append(req.Pauses, Pause{Asked: asked, Answered: answered})
		asked = answered.AddDays(1 + rng.IntN(5))
	}
	if rng.IntN(3) == 0 {
		req.Extension = &Extension{GrantedOn: received.AddDays(rng.IntN(25)), Reason: "complex", Months: rng.IntN(3)}
	}
	return req
}
