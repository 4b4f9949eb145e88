package deadline

// The published bank holidays for 2024–2027 (GOV.UK, as recorded in the
// project's statutory-clock reference). Names follow GOV.UK's titles, with
// "(substitute day)" where GOV.UK's notes say so, so that an imported
// bank-holidays.json names the same days the same way.
//
// One row per date; the last column says which divisions observe it.

type divisionSet uint8

const (
	ew divisionSet = 1 << iota // England and Wales
	sc                         // Scotland
	ni                         // Northern Ireland

	allUK = ew | sc | ni
	ewNI  = ew | ni
)

var publishedHolidays = []struct {
	year, month, day int
	name             string
	in               divisionSet
}{
	{2024, 1, 1, "New Year’s Day", allUK},
	{2024, 1, 2, "2nd January", sc},
	{2024, 3, 18, "St Patrick’s Day (substitute day)", ni},
	{2024, 3, 29, "Good Friday", allUK},
	{2024, 4, 1, "Easter Monday", ewNI},
	{2024, 5, 6, "Early May bank holiday", allUK},
	{2024, 5, 27, "Spring bank holiday", allUK},
	{2024, 7, 12, "Battle of the Boyne (Orangemen’s Day)", ni},
	{2024, 8, 5, "Summer bank holiday", sc},
	{2024, 8, 26, "Summer bank holiday", ewNI},
	{2024, 12, 2, "St Andrew’s Day (substitute day)", sc},
	{2024, 12, 25, "Christmas Day", allUK},
	{2024, 12, 26, "Boxing Day", allUK},

	{2025, 1, 1, "New Year’s Day", allUK},
	{2025, 1, 2, "2nd January", sc},
	{2025, 3, 17, "St Patrick’s Day", ni},
	{2025, 4, 18, "Good Friday", allUK},
	{2025, 4, 21, "Easter Monday", ewNI},
	{2025, 5, 5, "Early May bank holiday", allUK},
	{2025, 5, 26, "Spring bank holiday", allUK},
	{2025, 7, 14, "Battle of the Boyne (Orangemen’s Day) (substitute day)", ni},
	{2025, 8, 4, "Summer bank holiday", sc},
	{2025, 8, 25, "Summer bank holiday", ewNI},
	{2025, 12, 1, "St Andrew’s Day (substitute day)", sc},
	{2025, 12, 25, "Christmas Day", allUK},
	{2025, 12, 26, "Boxing Day", allUK},

	{2026, 1, 1, "New Year’s Day", allUK},
	{2026, 1, 2, "2nd January", sc},
	{2026, 3, 17, "St Patrick’s Day", ni},
	{2026, 4, 3, "Good Friday", allUK},
	{2026, 4, 6, "Easter Monday", ewNI},
	{2026, 5, 4, "Early May bank holiday", allUK},
	{2026, 5, 25, "Spring bank holiday", allUK},
	{2026, 7, 13, "Battle of the Boyne (Orangemen’s Day) (substitute day)", ni},
	{2026, 8, 3, "Summer bank holiday", sc},
	{2026, 8, 31, "Summer bank holiday", ewNI},
	{2026, 11, 30, "St Andrew’s Day", sc},
	{2026, 12, 25, "Christmas Day", allUK},
	{2026, 12, 28, "Boxing Day (substitute day)", allUK},

	{2027, 1, 1, "New Year’s Day", allUK},
	{2027, 1, 4, "2nd January (substitute day)", sc},
	{2027, 3, 17, "St Patrick’s Day", ni},
	{2027, 3, 26, "Good Friday", allUK},
	{2027, 3, 29, "Easter Monday", ewNI},
	{2027, 5, 3, "Early May bank holiday", allUK},
	{2027, 5, 31, "Spring bank holiday", allUK},
	{2027, 7, 12, "Battle of the Boyne (Orangemen’s Day)", ni},
	{2027, 8, 2, "Summer bank holiday", sc},
	{2027, 8, 30, "Summer bank holiday", ewNI},
	{2027, 11, 30, "St Andrew’s Day", sc},
	{2027, 12, 27, "Christmas Day (substitute day)", allUK},
	{2027, 12, 28, "Boxing Day (substitute day)", allUK},
}
