package deadline

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// parseOrZero lets the fuzzer reach validation: a string that is not a date
// becomes the absent date.
func parseOrZero(s string) Date {
	date, _ := ParseDate(s)
	return date
}

func optionalDate(s string) *Date {
	if s == "" {
		return nil
	}
	date := parseOrZero(s)
	return &date
}

func FuzzCalculate(f *testing.F) {
	f.Add("", EnglandAndWales, "2026-03-02", "", "", 2, 6, false, -1, 0, "", 0)
	f.Add(UKGDPR, Scotland, "2026-12-02", "2026-12-03", "", 0, -1, true, 10, 1, "complex", 28)
	f.Add(UKGDPR, NorthernIreland, "2026-02-17", "", "2026-02-20", 1, 0, false, 30, 2, "x", 90)
	f.Add(EUGDPR, EnglandAndWales, "2029-10-30", "", "", 40, 3, false, 0, 0, "", 0)
	f.Add(CCPA, "", "2026-01-01", "2026-01-10", "", -1, -1, false, 45, 0, "numerous", 45)
	f.Add("lgpd", "wales", "2026-02-30", "x", "y", -5, -5, true, 400, 7, " ", -3)
	f.Add(UKGDPR, EnglandAndWales, "2200-12-31", "", "", 0, 30000, false, 0, 0, "", 0)
	f.Fuzz(func(t *testing.T, regime, region, received, identity, fee string,
		askedAfter, pauseDays int, cautious bool, grantedAfter, months int, reason string, targetDays int) {
		req := Request{
			Regime: regime, Region: region, Received: parseOrZero(received),
			IdentityReceived: optionalDate(identity), FeeReceived: optionalDate(fee),
			CautiousPauses: cautious, InternalTargetDays: targetDays,
		}
		// Offsets stay within a few centuries: beyond that the request is
		// refused for its years anyway, and time.Time's own range ends.
		if pauseDays >= 0 {
			asked := req.Received.AddDays(askedAfter % 100000)
			req.Pauses = []Pause{{Asked: asked, Answered: asked.AddDays(pauseDays % 100000)}}
		}
		if grantedAfter >= 0 {
			req.Extension = &Extension{GrantedOn: req.Received.AddDays(grantedAfter % 100000), Reason: reason, Months: months}
		}
		cal := BuiltinCalendars()
		res, err := NewEngine(cal).Calculate(req)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field == "" || strings.TrimSpace(fe.Description) == "" {
				t.Fatalf("error %v (%T) is not a complete *FieldError", err, err)
			}
			return
		}
		if req.Regime == "" {
			req.Regime = UKGDPR
		}
		checkInvariants(t, cal, req, res)
	})
}

func FuzzParseGOVUKBankHolidays(f *testing.F) {
	f.Add([]byte(`{"england-and-wales":{"division":"england-and-wales","events":[{"title":"New Year’s Day","date":"2026-01-01","notes":"","bunting":true}]}}`))
	f.Add([]byte(`{"scotland":{"division":"scotland","events":[{"title":"St Andrew’s Day","date":"2030-12-02","notes":"Substitute day","bunting":true}]}}`))
	f.Add([]byte(`{"scotland":{"division":"scotland","events":[{"title":"x","date":"2030-02-30","notes":"","bunting":true}]}} {}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"wales":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := ParseGOVUKBankHolidays(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, region := range cal.Regions() {
			if _, ok := ukDivisions[region]; !ok {
				t.Fatalf("accepted unknown division %q", region)
			}
			for year, holidays := range cal.regions[region] {
				for date, name := range holidays {
					if !date.valid() || date.Year != year || date.Year < minYear || date.Year > maxYear || strings.TrimSpace(name) == "" {
						t.Fatalf("accepted %s %q in %s %d", date, name, region, year)
					}
				}
			}
		}
		// Whatever was accepted must be usable: a calculation over it cannot panic.
		_, _ = NewEngine(BuiltinCalendars().Merge(cal)).Calculate(ewReq("2026-03-02"))
	})
}

// FuzzParseDate reads any date a door receives. An accepted date writes
// back as exactly the text read and is a real day by the standard
// library's calendar (which years the rules cover is the engine's check);
// every refusal says what was wanted.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-02", "2024-02-29", "2026-02-29", "1900-01-01", "2200-12-31", "1899-12-31", "2026-3-2", "+026-03-02", "2026-03-02T00:00", "２０２６-03-02", "0000-00-00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !strings.Contains(err.Error(), "date") {
				t.Fatalf("%q refused with %v", s, err)
			}
			return
		}
		if d.String() != s {
			t.Fatalf("%q reads as %s", s, d)
		}
		std, err := time.Parse(time.DateOnly, s)
		if err != nil || DateOf(std) != d {
			t.Fatalf("%q is accepted as %+v; the standard library says %v, %v", s, d, std, err)
		}
	})
}
