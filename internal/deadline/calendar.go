package deadline

import (
	"maps"
	"slices"
	"time"
)

// The GOV.UK calendar divisions.
const (
	EnglandAndWales = "england-and-wales"
	Scotland        = "scotland"
	NorthernIreland = "northern-ireland"
)

// ukDivision is what the package knows about a GOV.UK division beyond its
// data: its name for explanations and its column in the published table.
// Only these regions can have missing years computed from the standing rules.
type ukDivision struct {
	name   string
	column divisionSet
}

var ukDivisions = map[string]ukDivision{
	EnglandAndWales: {name: "England and Wales", column: ew},
	Scotland:        {name: "Scotland", column: sc},
	NorthernIreland: {name: "Northern Ireland", column: ni},
}

// Holiday is one non-working day in a region's calendar.
type Holiday struct {
	Date Date
	Name string
}

// yearHolidays maps a date to the holiday's name. Once built it is never
// changed, so Merge can share it between calendars.
type yearHolidays map[Date]string

// regionYears holds a region's holidays by year. A year that is absent is
// unknown — which is not the same as a year with no holidays.
type regionYears map[int]yearHolidays

// Calendars holds holiday calendars by region (a GOV.UK division or any
// region supplied as data, such as an EU member state). Treat a Calendars as
// immutable once calculations start: Merge returns a new value, and
// AddRegion is for setting one up.
type Calendars struct {
	regions map[string]regionYears
}

// BuiltinCalendars is the published 2024–2027 table for the three UK
// divisions. Other years in those divisions are computed from the standing
// rules when needed (see doc.go).
func BuiltinCalendars() *Calendars {
	c := &Calendars{regions: map[string]regionYears{}}
	for name, division := range ukDivisions {
		var holidays []Holiday
		for _, row := range publishedHolidays {
			if row.in&division.column != 0 {
				d := Date{Year: row.year, Month: time.Month(row.month), Day: row.day}
				holidays = append(holidays, Holiday{Date: d, Name: row.name})
			}
		}
		c.AddRegion(name, holidays)
	}
	return c
}

// Merge returns a new Calendars holding c's data overlaid with other's: for
// each (region, year) that other knows, other's list replaces c's whole
// year, so an imported year also replaces a year that would be computed.
// Neither input is changed.
func (c *Calendars) Merge(other *Calendars) *Calendars {
	out := &Calendars{regions: map[string]regionYears{}}
	out.overlay(c)
	out.overlay(other)
	return out
}

func (c *Calendars) overlay(from *Calendars) {
	if from == nil {
		return
	}
	for name, years := range from.regions {
		into := c.region(name)
		for year, holidays := range years {
			into[year] = holidays
		}
	}
}

// region returns the named region's years, creating the region if needed.
func (c *Calendars) region(name string) regionYears {
	if c.regions == nil {
		c.regions = map[string]regionYears{}
	}
	years, ok := c.regions[name]
	if !ok {
		years = regionYears{}
		c.regions[name] = years
	}
	return years
}

// Regions lists the known regions, sorted.
func (c *Calendars) Regions() []string {
	if c == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(c.regions))
}

// AddRegion adds a region, such as an EU member state, from a list of its
// holidays. Every year that appears in the list replaces that year of the
// region, if it already had one; other years are kept. A region with no
// data for a year cannot be used for dates in that year (only the UK
// divisions fall back to computed rules). An empty name is ignored: the
// empty region means "weekends only" to the CCPA regime and StandingOn.
func (c *Calendars) AddRegion(name string, holidays []Holiday) {
	if c == nil || name == "" {
		return
	}
	into := c.region(name)
	byYear := map[int]yearHolidays{}
	for _, h := range holidays {
		if byYear[h.Date.Year] == nil {
			byYear[h.Date.Year] = yearHolidays{}
		}
		byYear[h.Date.Year][h.Date] = h.Name
	}
	for year, list := range byYear {
		into[year] = list
	}
}

func (c *Calendars) knows(region string) bool {
	if c == nil {
		return false
	}
	_, ok := c.regions[region]
	return ok
}

// workingDays answers working-day questions for one region during one
// calculation. The empty region counts weekends only.
func (c *Calendars) workingDays(region string) *workingDays {
	w := &workingDays{region: region, computed: map[int]yearHolidays{}, missing: map[int]bool{}}
	if c != nil && region != "" {
		w.known = c.regions[region]
	}
	return w
}

// workingDays remembers which years it had to compute (so the explanation
// can say so) and which it could not find (so the calculation can refuse).
type workingDays struct {
	region   string
	known    regionYears
	computed map[int]yearHolidays
	missing  map[int]bool
}

func (w *workingDays) isWorkingDay(d Date) bool {
	if isWeekend(d) {
		return false
	}
	_, holiday := w.holidayName(d)
	return !holiday
}

func (w *workingDays) holidayName(d Date) (string, bool) {
	name, ok := w.year(d.Year)[d]
	return name, ok
}

func (w *workingDays) year(year int) yearHolidays {
	if w.region == "" {
		return nil
	}
	if holidays, ok := w.known[year]; ok {
		return holidays
	}
	if holidays, ok := w.computed[year]; ok {
		return holidays
	}
	if _, ruled := ukDivisions[w.region]; !ruled {
		w.missing[year] = true
		return nil
	}
	holidays := yearHolidays{}
	for _, h := range standingHolidays(w.region, year) {
		holidays[h.Date] = h.Name
	}
	w.computed[year] = holidays
	return holidays
}

// holidayKind is how a holiday in this region is described.
func (w *workingDays) holidayKind() string {
	if division, ok := ukDivisions[w.region]; ok {
		return "bank holiday in " + division.name
	}
	return "public holiday in " + w.region
}

// where completes "is a working day ..." for explanations.
func (w *workingDays) where() string {
	if division, ok := ukDivisions[w.region]; ok {
		return " in " + division.name
	}
	if w.region == "" {
		return ""
	}
	return " in " + w.region
}
