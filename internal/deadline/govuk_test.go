package deadline

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// testdata/bank-holidays-2030.json is synthetic: GOV.UK's format, 2030's
// holidays as the standing rules give them, plus an invented one-off holiday
// on Mon 10 Jun 2030 in every division to show an import beating the rules.
func load2030(t *testing.T) *Calendars {
	t.Helper()
	f, err := os.Open("testdata/bank-holidays-2030.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cal, err := ParseGOVUKBankHolidays(f)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func TestParseGOVUKBankHolidays(t *testing.T) {
	cal := load2030(t)
	if got := cal.Regions(); !slices.Equal(got, []string{EnglandAndWales, NorthernIreland, Scotland}) {
		t.Errorf("regions %v", got)
	}
	oneOff := d("2030-06-10")
	for _, region := range cal.Regions() {
		imported := cal.regions[region][2030]
		if imported[oneOff] != "Synthetic one-off holiday (extra bank holiday)" {
			t.Errorf("%s: one-off holiday imported as %q", region, imported[oneOff])
		}
		// Apart from the one-off, the file must agree with the standing rules, names included.
		computed := standingHolidays(region, 2030)
		if len(imported) != len(computed)+1 {
			t.Errorf("%s: %d imported, %d computed + 1 one-off", region, len(imported), len(computed))
		}
		for _, h := range computed {
			if imported[h.Date] != h.Name {
				t.Errorf("%s: %s imported as %q, rules say %q", region, h.Date, imported[h.Date], h.Name)
			}
		}
	}
}

func TestMergedImportOverridesAComputedYear(t *testing.T) {
	// Fri 10 May 2030 → Mon 10 Jun 2030. The rules know no holiday that day;
	// the imported file has the one-off, so the due date moves to Tue 11 Jun.
	req := ewReq("2030-05-10")
	computed, err := NewEngine(BuiltinCalendars()).Calculate(req)
	if err != nil {
		t.Fatal(err)
	}
	if computed.StatutoryDue != d("2030-06-10") {
		t.Errorf("computed: due %s, want 2030-06-10", computed.StatutoryDue)
	}
	assertStepsContain(t, computed, "Bank holidays for 2030 in England and Wales are not in the published table; computed from the standing rules, so a one-off holiday (e.g. a coronation) would be missed.")

	merged, err := NewEngine(BuiltinCalendars().Merge(load2030(t))).Calculate(req)
	if err != nil {
		t.Fatal(err)
	}
	if merged.StatutoryDue != d("2030-06-11") {
		t.Errorf("merged: due %s, want 2030-06-11", merged.StatutoryDue)
	}
	assertStepsContain(t, merged, "Mon 10 Jun 2030 is Synthetic one-off holiday (extra bank holiday), a bank holiday in England and Wales; next working day Tue 11 Jun 2030.")
	for _, s := range merged.Steps {
		if strings.Contains(s.Text, "computed from the standing rules") {
			t.Errorf("imported year still reported as computed: %s", s.Text)
		}
	}
}

func TestMergeReplacesWholeYearsAndLeavesInputsAlone(t *testing.T) {
	builtin := BuiltinCalendars()
	// An import for 2026 that lists only Christmas Day replaces all of 2026
	// in England and Wales; 2027 and the other divisions are untouched.
	onlyChristmas, err := ParseGOVUKBankHolidays(strings.NewReader(
		`{"england-and-wales":{"division":"england-and-wales","events":[{"title":"Christmas Day","date":"2026-12-25","notes":"","bunting":true}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	merged := builtin.Merge(onlyChristmas)
	if len(merged.regions[EnglandAndWales][2026]) != 1 {
		t.Errorf("merged 2026 has %d holidays, want the imported 1", len(merged.regions[EnglandAndWales][2026]))
	}
	if len(merged.regions[EnglandAndWales][2027]) != 8 || len(merged.regions[Scotland][2026]) != 9 {
		t.Error("merge touched years or regions the import did not have")
	}
	if len(builtin.regions[EnglandAndWales][2026]) != 8 {
		t.Error("merge changed its receiver")
	}
	if got := (*Calendars)(nil).Merge(builtin).Regions(); len(got) != 3 {
		t.Errorf("nil.Merge(builtin) regions %v", got)
	}
}

func TestParseGOVUKBankHolidaysRejectsBadInput(t *testing.T) {
	event := func(title, date string) string {
		return `{"title":"` + title + `","date":"` + date + `","notes":"","bunting":true}`
	}
	division := func(key, field string, events ...string) string {
		return `{"` + key + `":{"division":"` + field + `","events":[` + strings.Join(events, ",") + `]}}`
	}
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `bank holidays`, "not GOV.UK bank-holidays JSON"},
		{"null", `null`, "no divisions"},
		{"no divisions", `{}`, "no divisions"},
		{"unknown division", division("wales", "wales", event("Christmas Day", "2030-12-25")), `unknown division "wales"`},
		{"division field disagrees with its key", division("scotland", "england-and-wales", event("Christmas Day", "2030-12-25")), `division field is "england-and-wales"`},
		{"unknown field", `{"scotland":{"division":"scotland","colour":"blue","events":[]}}`, "unknown field"},
		{"impossible date", division("scotland", "scotland", event("Christmas Day", "2030-02-30")), "no such day"},
		{"wrong date format", division("scotland", "scotland", event("Christmas Day", "25/12/2030")), "want YYYY-MM-DD"},
		{"absurd year", division("scotland", "scotland", event("Christmas Day", "1800-12-25")), "year outside"},
		{"empty title", division("scotland", "scotland", event(" ", "2030-12-25")), "empty title"},
		{"duplicate date", division("scotland", "scotland", event("Christmas Day", "2030-12-25"), event("Christmas", "2030-12-25")), "listed twice"},
		{"no events", division("scotland", "scotland"), "no events"},
		{"events not a list", `{"scotland":{"division":"scotland","events":{}}}`, "not GOV.UK"},
		{"trailing data", division("scotland", "scotland", event("Christmas Day", "2030-12-25")) + `{}`, "after the JSON object"},
		{"over the size limit", `{"scotland":{"division":"scotland","events":[]}}` + strings.Repeat(" ", maxGOVUKBytes), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal, err := ParseGOVUKBankHolidays(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("accepted, regions %v", cal.Regions())
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}
